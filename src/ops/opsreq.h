/*
 * opsreq.h - operator requests from the console, carried out by
 * closeloopd
 *
 * The console never writes closeloopd's state. An ops user's action on
 * the Operations page (pause, resume, send now, resend, drop a dead
 * letter, let an address off the suppression list, send a test of a
 * template) is published as an entry of the stream PREFIXweb:requests,
 * which the console's Redis user may write; closeloopd reads it, once a
 * second, as a member of the consumer group redis.group (one instance
 * carries out each request), does what a closeloop command would do (the
 * SR's trail and the operators' record name the user), writes the
 * result, and removes the entry (it may hold an address).
 *
 * Entry fields: action, by (the console user), peer (their address),
 * at (ms), and the action's own (opsact.h). Result, kept
 * OPSREQ_KEEP_SECONDS:
 *   PREFIXweb:request:ID   hash: action, by, state (done | failed),
 *                          result (in words, contacts masked), at (ms)
 * A request left unread past OPSREQ_STALE_MS (closeloopd was down) is
 * refused rather than carried out late.
 */
#ifndef OPSREQ_H
#define OPSREQ_H

#include <stddef.h>
#include <stdint.h>

struct catalog;
struct config;
struct redis;

#define OPSREQ_MAXLEN		"10000"
#define OPSREQ_KEEP_SECONDS	(7 * 86400)
#define OPSREQ_STALE_MS		(15 * 60 * 1000)
#define OPSREQ_FIELD_MAX	1024	/* the longest value taken */

/*
 * Publish a request: fields are name/value pairs, NULL-ended, with
 * action, by and peer among them (at is added). Returns 0 and sets *id
 * (the entry's id; the caller frees it), or -1 with *cause.
 */
int opsreq_publish(struct redis *r, const struct config *cf,
    const char *const *fields, char **id, char **cause);

/*
 * Create the requests stream and closeloopd's group on it if they do
 * not exist. Returns 0, or -1 with *cause.
 */
int opsreq_setup(struct redis *r, const struct config *cf, char **cause);

/*
 * Carry out the requests waiting, with the template set cat in use.
 * Returns how many, or -1 with *cause if Redis failed.
 */
int opsreq_run(struct redis *r, const struct config *cf,
    const struct catalog *cat, char **cause);

/* Return the key of request id's result; the caller frees it. */
char *opsreq_result_key(const struct config *cf, const char *id);

#endif
