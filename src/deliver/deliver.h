/*
 * deliver.h - closeloopd's delivery workers
 *
 * Delivery runs beside the main loop, in its own threads, so that reading
 * and deciding never wait on a slow SMTP server or SMS gateway: email.
 * sessions mail workers (mailwork.c), each sending batches of due email
 * over one SMTP session, and one SMS worker (smswork.c) keeping up to
 * sms.connections requests in flight. Each worker has its own Redis
 * connection and claims due notifications from the outbox (outbox.h), so
 * any number of workers and daemons share the work. A worker holds the
 * generation (configuration and template set) it started a batch with
 * until the batch ends. The main loop wakes the workers when it queued
 * something, or when the wake-up stream (wake.h) says that something
 * changed elsewhere; otherwise they sleep until the next notification
 * they know of falls due, and without end if none is: an idle daemon
 * does not poll. A worker that wrote outcomes nudges the main loop
 * (deliver_fd()), whose chores then fold the counts and look at the
 * questions the outcomes scheduled.
 */
#ifndef DELIVER_H
#define DELIVER_H

#include <stdint.h>

struct config;
struct deliver;
struct generation;
struct outbox_item;
struct channel;
struct outcome_content;
struct outcome_sent;
struct redis;
struct send_result;

/* What deliver_wait() takes for "until kicked, however long". */
#define DELIVER_FOREVER		INT64_MAX

/*
 * The workers the engine starts, given by its caller: the workers
 * (mailwork.c, smswork.c) call into this engine, so it cannot call
 * them by name without a circle. Each runs as a thread with the engine
 * as its argument, until deliver_stopping(); either may be NULL.
 */
struct deliver_workers {
	void	*(*mail)(void *d);	/* email.sessions of them */
	void	*(*sms)(void *d);	/* one */
};

/*
 * Start w's workers for the channels g's configuration sets up (email
 * with email.smtp, SMS with sms.gateway), holding g. dry_run renders and
 * records but sends nothing. Returns the engine (stop it with
 * deliver_stop()); with no channel set up, no worker starts.
 */
struct deliver *deliver_start(struct generation *g, int dry_run,
    const struct deliver_workers *w);

/*
 * Hand the workers a new generation (held); each takes it at its next
 * batch, and a sleeping worker wakes to look (quiet hours may have been
 * lifted).
 */
void deliver_swap(struct deliver *d, struct generation *g);

/* Wake every worker: an operator's change, or the stop. */
void deliver_kick(struct deliver *d);

/*
 * Stop: each worker finishes the attempt in hand, waiting until
 * deadline_ms (monotonic) at most, then the engine is freed. Claims not
 * finished are taken back by the next start (same consumer) or by any
 * worker once their lease ends. NULL is a no-op.
 */
void deliver_stop(struct deliver *d, int64_t deadline_ms);

/* For the workers: */

/* Return 1 once the engine is stopping. */
int deliver_stopping(struct deliver *d);

/* Return the current generation, held; the worker drops it. */
struct generation *deliver_hold(struct deliver *d);

/*
 * Open channel name ("mail", "sms") with its options opts, or in a dry
 * run the null channel, which sends nothing; set *ch to the channel.
 * Returns its handle (close it with (*ch)->close()), or NULL if it
 * cannot be set up, logged as the worker who's ("email", "sms").
 */
void *deliver_channel(const struct deliver *d, const char *name,
    const char *who, const void *opts, const struct channel **ch);

/* Whom a wake-up is for: the workers of a channel, or any waiting worker. */
#define DELIVER_EMAIL	0
#define DELIVER_SMS	1
#define DELIVER_ANY	2

/*
 * Return the count of kicks so far (for chan DELIVER_EMAIL or
 * DELIVER_SMS, with the passes to it); a worker reads it before it looks
 * at the outbox and passes it to deliver_wait(), so no kick is missed.
 */
unsigned long deliver_kicks(struct deliver *d, int chan);

/*
 * Wait, as a worker of chan, until kicked since seen, or stopping, or for
 * at most ms (DELIVER_FOREVER: no limit).
 */
void deliver_wait(struct deliver *d, int chan, unsigned long seen,
    int64_t ms);

/*
 * After new events: wake one waiting worker of each channel (a kick all
 * workers see when they next look, but only those woken look at once).
 */
void deliver_kick_one(struct deliver *d);

/*
 * A worker of chan that took a whole batch wakes one more of its channel,
 * for what may be left.
 */
void deliver_pass(struct deliver *d, int chan);

/*
 * A worker that wrote outcomes nudges the main loop: deliver_fd() turns
 * readable (an eventfd; -1 if there is none), and deliver_nudged() says
 * whether it was nudged since it last asked, and forgets it.
 */
void deliver_nudge(struct deliver *d);
int deliver_fd(const struct deliver *d);
int deliver_nudged(struct deliver *d);

/*
 * Make sure *r is connected to the server g configures, connecting if
 * needed (logging each change between reachable and unreachable once per
 * worker). Returns 0, or -1 after waiting a backoff delay.
 */
int deliver_connect(struct deliver *d, struct generation *g,
    struct redis **r, const char *who, int *down);

/*
 * Write the outcome res of an attempt on it, with what was rendered for
 * it (content, or NULL), as worker who ("email" or "sms", also the
 * channel whose send time is counted in metrics.h), over *r (connected
 * first if it is NULL). If Redis fails, *r is replaced by a new
 * connection (to the new master after a failover) and the outcome
 * written there while the claim still holds (claim_held()), for up to a
 * minute or half of delivery.lease_seconds; after that, say so, leave *r
 * NULL and set *gave_up (the claim's lease brings the notification back).
 * While *gave_up is set one attempt only is made, so that the outcomes
 * after it do not each wait that long; an outcome written clears it.
 */
void deliver_record(struct deliver *d, struct redis **r, int *gave_up,
    const struct config *cf, const struct outbox_item *it,
    const struct send_result *res, const struct outcome_content *content,
    const char *who);

/*
 * The outcome a worker sent last and has not read Redis's reply to yet:
 * what deliver_record_settle() needs to write it again should the reply
 * not come. Zeroed: none. it, res and content belong to the worker and
 * must outlive the settling.
 */
struct deliver_pending {
	struct outcome_sent		*os;
	const struct config		*cf;
	const struct outbox_item	*it;
	const struct send_result	*res;
	const struct outcome_content	*content;
	const char			*who;
};

/*
 * deliver_record() without the wait: settle the outcome p holds, then
 * send this one on *r and keep it in p, so that the worker goes on with
 * its next message while Redis applies it. The outcome is in Redis's
 * hands as soon as it would be with deliver_record(); only its reply is
 * read later. If it cannot be sent, it is written as deliver_record()
 * writes it. Nothing else may be sent on *r before
 * deliver_record_settle(), which reads the reply and, if there is none
 * or Redis refused, writes the outcome again as deliver_record() does
 * (checking the claim first). Settling an empty p does nothing.
 */
void deliver_record_send(struct deliver *d, struct redis **r, int *gave_up,
    struct deliver_pending *p, const struct config *cf,
    const struct outbox_item *it, const struct send_result *res,
    const struct outcome_content *content, const char *who);
void deliver_record_settle(struct deliver *d, struct redis **r,
    int *gave_up, struct deliver_pending *p);

#endif
