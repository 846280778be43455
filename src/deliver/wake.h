/*
 * wake.h - the wake-up stream: how one process tells the daemons that
 * something may be due sooner than they think
 *
 * closeloopd does not poll. Its loop blocks on the events stream and on
 * this stream, its workers wait on a condition until they are told or
 * the next notification they know of falls due. What changes the due
 * sets from outside a daemon's own loop adds an entry here, and every
 * daemon reads every entry (XREAD, not a group):
 *
 *   what=outbox   notifications were put in the outbox (closeloop
 *                 queue --send-now, a resend, a steer from the console)
 *   what=pause    a channel was paused or resumed, by hand or by a
 *                 breaker
 *   what=request  the console queued an operator request (opsreq.h)
 *   what=intake   a daemon read events it now holds as pending: should
 *                 it die with them, the others claim them after
 *                 redis.claim_idle_ms (at most one such entry a daemon
 *                 writes in a second: one is all a scan needs)
 *
 * with from= the consumer name of the daemon, or "cli" or "console".
 * Stream PREFIXwake, capped at about WAKE_MAXLEN entries: a daemon that
 * was away longer than that many entries reads on from the oldest kept,
 * and then looks at everything once, as it does when it starts.
 */
#ifndef WAKE_H
#define WAKE_H

#include <stddef.h>

struct config;
struct redis;
struct redis_reply;
struct txn;

#define WAKE_MAXLEN	"1000"

/* Return the key of the stream; the caller frees it. */
char *wake_key(const struct config *cf);

/* Queue the entry (what, from) in a transaction. */
void wake_queue(struct txn *tx, const struct config *cf, const char *what,
    const char *from);

/* Add the entry (what, from) now. Returns 0, or -1 with *cause. */
int wake_add(struct redis *r, const struct config *cf, const char *what,
    const char *from, char **cause);

/*
 * Send the blocking read (however long) of the entries after the id
 * last, its reply left for wake_parse(). Returns 0, or -1 with *cause.
 */
int wake_send_read(struct redis *r, const struct config *cf,
    const char *last, char **cause);

/* What the entries of one read said. */
struct wake_news {
	int	outbox;		/* look at the outbox again */
	int	pause;
	int	request;
	int	intake;		/* another daemon holds entries */
	size_t	n;		/* entries folded */
};

/*
 * Read the reply to wake_send_read(): fold what its entries say into
 * news, entries from self with what=intake left out, and copy the last
 * id into last (size bytes). Returns the number of entries folded (0 if
 * all were its own), or -1 with *cause if the reply is not a stream
 * read.
 */
int wake_parse(const struct redis_reply *reply, const char *self,
    struct wake_news *news, char *last, size_t size, char **cause);

#endif
