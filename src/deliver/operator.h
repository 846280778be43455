/*
 * operator.h - who steered closeloop, and the record of it
 *
 * Every operator action (pause, resume, send now, resend, a dead letter
 * dropped, an address let off the suppression list) is written, with who
 * did it and from where, to the stream PREFIXweb:audit that the console
 * also writes its sign-ins to (fields what, user, peer, at, detail;
 * trimmed to about OPERATOR_STREAM_MAXLEN entries), and to the trail of
 * each SR it touched. "Who" is the staff account for the console, else
 * the login that ran closeloop (the user sudo was run by first).
 */
#ifndef OPERATOR_H
#define OPERATOR_H

#include <stdint.h>

struct config;
struct txn;

#define OPERATOR_STREAM_MAXLEN	"100000"

/* The longest name recorded, in bytes. */
#define OPERATOR_MAX	64

/* Return the key of the operators' record; the caller frees it. */
char *operator_stream(const struct config *cf);

/*
 * Return who runs this program, for the record: SUDO_USER, else USER,
 * else LOGNAME, cleaned of control characters; "unknown" if none. The
 * caller frees it.
 */
char *operator_name(void);

/*
 * Say where actions of this process come from, recorded as "peer":
 * "cli" unless set (closeloopd says "closeloopd"); via must live on.
 */
void operator_set_via(const char *via);

/* Return where actions of this process come from. */
const char *operator_via(void);

/* Queue into tx the record of what (e.g. "send-now") by user, in words. */
void operator_queue(struct txn *tx, const struct config *cf, const char *what,
    const char *user, const char *detail, int64_t now);

#endif
