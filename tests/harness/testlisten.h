/*
 * testlisten.h - closeloopd's listener, a private Redis and the pipeline
 *
 * For the tests of the listener's routes: a redis-server of the test's
 * own (testserver.h), a configuration with the shipped templates
 * (top_srcdir), closeloopd's real listener (listener.h) on a loopback
 * port, and the events stream applied by the real pipeline
 * (store_event()) when the test says so, as closeloopd would. Keys are
 * under the default prefix, "closeloop:".
 */
#ifndef TESTLISTEN_H
#define TESTLISTEN_H

#include <stddef.h>

struct CMUnitTest;
struct config;
struct listener;
struct redis;
struct testserver;

struct testlisten {
	struct testserver	*ts;
	struct config		*cf;	/* the listener's */
	struct listener		*l;
	struct redis		*r;	/* the test's own */
	int			 port;
	char			 last[64];	/* last entry applied */
	int			 n;		/* events published */
};

/*
 * Empty ts's server, load a configuration of extra (appended to the
 * templates group "templates = { dir = ...; %s };" if templates is set,
 * else after it) and start the listener. The configuration turns
 * delivery.max_event_age_hours off: extra may not have a delivery group.
 */
void testlisten_open(struct testlisten *t, struct testserver *ts,
    const char *templates, const char *extra);

/* Stop the listener and free everything. */
void testlisten_close(struct testlisten *t);

/*
 * The main of a test program: start ts, run the n tests as group name
 * with logging at error level only, stop ts. Returns what cmocka says.
 */
int testlisten_run(struct testserver *ts, const char *name,
    const struct CMUnitTest *tests, size_t n);

/*
 * Write text (and a newline) into the file name in the server's
 * directory, mode 0600; return its path (allocated).
 */
char *testlisten_file(struct testserver *ts, const char *name,
    const char *text);

/*
 * Publish an event to the stream: NULL-terminated "field=value"
 * arguments, with v=1, a ts and a fresh event_id unless given.
 */
void testlisten_xadd(struct testlisten *t, ...);

/*
 * Apply the events published since the last call, through
 * store_event(). Returns how many were applied (duplicates not
 * counted).
 */
int testlisten_drain(struct testlisten *t);

/* Return the entries of the stream after id (XRANGE reply; free it). */
struct redis_reply *testlisten_after(struct testlisten *t, const char *id);

/* Return the ID of the stream's last entry ("0-0" if empty) in id[64]. */
void testlisten_last_id(struct testlisten *t, char id[64]);

/*
 * Return the reply of a command: printf-like, then split into words at
 * single spaces (no word may hold one). Fails the test if Redis does.
 */
struct redis_reply *testlisten_cmd(struct testlisten *t, const char *fmt,
    ...) __attribute__((format(printf, 2, 3)));

/* Return an integer reply of a command, failing the test if not one. */
long long testlisten_int(struct testlisten *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Return field of the hash key (allocated) or NULL. */
char *testlisten_hget(struct testlisten *t, const char *key,
    const char *field);

/*
 * Return the field "c:CHANNEL:ADDRESS" of SR sr's state (allocated), or
 * NULL: "ACTIVE TS LOCALE VIA [ALT]".
 */
char *testlisten_contact(struct testlisten *t, const char *sr,
    const char *channel, const char *address);

/*
 * Return field name of the last audit entry of SR sr with decision
 * (allocated), or NULL if none has it.
 */
char *testlisten_audit(struct testlisten *t, const char *sr,
    const char *decision, const char *name);

#endif
