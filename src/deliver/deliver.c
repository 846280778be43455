/*
 * deliver.c - closeloopd's delivery workers
 *
 * The engine starts the workers, hands them the current generation,
 * wakes them when notices are queued and stops them on SIGTERM. The
 * workers themselves are in mailwork.c and smswork.c, which call into
 * this file; its caller hands it their thread functions (deliver.h). Before the first
 * worker starts, the claims this consumer held when it last stopped (or
 * was killed) are put back in the due sets, so that they go out again at
 * once, with the same Message-ID.
 */
#include "build.h"

#include <sys/eventfd.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backoff.h"
#include "breaker.h"
#include "channel.h"
#include "channels.h"
#include "claim.h"
#include "config.h"
#include "deliver.h"
#include "event.h"
#include "generation.h"
#include "log.h"
#include "metrics.h"
#include "clock.h"
#include "outbox.h"
#include "outcome.h"
#include "pause.h"
#include "redis.h"
#include "redisconn.h"
#include "xmalloc.h"

/* The longest an outcome is tried again after Redis failed, in ms. */
#define DELIVER_RECORD_MS	60000

/*
 * The workers of a channel wait on its condition (DELIVER_EMAIL,
 * DELIVER_SMS; DELIVER_ANY for a worker waiting to reconnect). A kick
 * for everyone wakes them all; the kick after new events wakes one
 * worker of each channel, and a worker that took a whole batch passes
 * the wake-up on to the next of its channel, so that a backlog still
 * gets every session working and a trickle does not wake four workers
 * to find one notification.
 */
#define DELIVER_NCOND	(DELIVER_ANY + 1)

struct deliver {
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond[DELIVER_NCOND];
	struct generation	*g;
	unsigned long		 kicks;
	unsigned long		 passes[DELIVER_NCOND]; /* per condition */
	int			 stopping;
	int			 dry_run;
	pthread_t		*threads;
	size_t			 nthreads;
	int			 nudge;		/* eventfd: outcomes written */
	struct breaker		*breaker[2];	/* email, sms */
};

/* Put back the claims this consumer held when it last stopped. */
static void
deliver_recover(struct generation *g)
{
	struct redis	*r;
	char		*cause = NULL;
	int		 n;

	if ((r = redisconn_open(g->cf, &cause)) == NULL) {
		log_warn("delivery: cannot look for interrupted claims yet: "
		    "%s", cause);
		free(cause);
		return;
	}
	n = claim_recover(r, g->cf, g->cf->redis_consumer, clock_now(),
	    &cause);
	if (n < 0) {
		log_warn("delivery: %s", cause);
		free(cause);
	} else if (n > 0)
		log_notice("delivery: %d notification%s interrupted by the "
		    "last stop go out again, with the same ids", n,
		    n == 1 ? "" : "s");
	redis_free(r);
}

/* Start one worker thread, named so in top -H and /proc. */
static void
deliver_spawn(struct deliver *d, void *(*main)(void *), void *arg,
    const char *name)
{
	int	error;

	d->threads = xreallocarray(d->threads, d->nthreads + 1,
	    sizeof *d->threads);
	if ((error = pthread_create(&d->threads[d->nthreads], NULL, main,
	    arg)) != 0) {
		log_err("delivery: cannot start a worker: %s",
		    strerror(error));
		return;
	}
	(void)pthread_setname_np(d->threads[d->nthreads], name);
	d->nthreads++;
}

/* Start the workers. */
struct deliver *
deliver_start(struct generation *g, int dry_run,
    const struct deliver_workers *w)
{
	struct deliver		*d;
	pthread_condattr_t	 attr;
	const struct config	*cf = g->cf;
	int64_t			 i;

	d = xcalloc(1, sizeof *d);
	pthread_mutex_init(&d->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	for (i = 0; i < DELIVER_NCOND; i++)
		pthread_cond_init(&d->cond[i], &attr);
	pthread_condattr_destroy(&attr);
	d->g = generation_hold(g);
	d->dry_run = dry_run;
	d->nudge = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (cf->email_host == NULL && cf->sms_profile == CONFIG_SMS_NONE) {
		log_notice("delivery: neither email.smtp nor sms.gateway is "
		    "set; notifications wait in the outbox");
		return d;
	}
	deliver_recover(g);
	if (cf->email_host != NULL && w != NULL && w->mail != NULL) {
		for (i = 0; i < cf->email_sessions; i++)
			deliver_spawn(d, w->mail, d, "email");
	}
	if (cf->sms_profile != CONFIG_SMS_NONE && w != NULL &&
	    w->sms != NULL)
		deliver_spawn(d, w->sms, d, "sms");
	log_info("delivery: %s%s%s", cf->email_host != NULL ? "email" : "",
	    cf->email_host != NULL && cf->sms_profile != CONFIG_SMS_NONE ?
	    " and " : "", cf->sms_profile != CONFIG_SMS_NONE ? "sms" : "");
	return d;
}

/* Count a kick and wake every worker; d->lock held. */
static void
deliver_wake_all(struct deliver *d)
{
	size_t	i;

	d->kicks++;
	for (i = 0; i < DELIVER_NCOND; i++)
		pthread_cond_broadcast(&d->cond[i]);
}

/* Hand the workers a new generation. */
void
deliver_swap(struct deliver *d, struct generation *g)
{
	struct generation	*old;

	if (d == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	old = d->g;
	d->g = generation_hold(g);
	/* A worker asleep until the old quiet hours end looks again. */
	deliver_wake_all(d);
	pthread_mutex_unlock(&d->lock);
	generation_drop(old);
}

/* Wake the workers. */
void
deliver_kick(struct deliver *d)
{
	if (d == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	deliver_wake_all(d);
	pthread_mutex_unlock(&d->lock);
}

/* Wake one waiting worker of each channel. */
void
deliver_kick_one(struct deliver *d)
{
	if (d == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	d->kicks++;
	pthread_cond_signal(&d->cond[DELIVER_EMAIL]);
	pthread_cond_signal(&d->cond[DELIVER_SMS]);
	pthread_mutex_unlock(&d->lock);
}

/* Wake one more waiting worker of channel chan. */
void
deliver_pass(struct deliver *d, int chan)
{
	pthread_mutex_lock(&d->lock);
	d->passes[chan]++;
	pthread_cond_signal(&d->cond[chan]);
	pthread_mutex_unlock(&d->lock);
}

/* Return the kicks and the passes to chan so far; d->lock held. */
static unsigned long
deliver_seen(struct deliver *d, int chan)
{
	return d->kicks + d->passes[chan];
}

/* Return the count of kicks, and of passes to chan. */
unsigned long
deliver_kicks(struct deliver *d, int chan)
{
	unsigned long	n;

	pthread_mutex_lock(&d->lock);
	n = deliver_seen(d, chan);
	pthread_mutex_unlock(&d->lock);
	return n;
}

/* Wait for a kick, the stop, or ms. */
void
deliver_wait(struct deliver *d, int chan, unsigned long seen, int64_t ms)
{
	struct timespec	ts;

	if (ms <= 0)
		return;
	if (ms != DELIVER_FOREVER)
		clock_after(CLOCK_MONOTONIC, ms, &ts);
	pthread_mutex_lock(&d->lock);
	while (deliver_seen(d, chan) == seen && !d->stopping) {
		if (ms == DELIVER_FOREVER)
			pthread_cond_wait(&d->cond[chan], &d->lock);
		else if (pthread_cond_timedwait(&d->cond[chan], &d->lock,
		    &ts) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&d->lock);
}

/* Tell the main loop that outcomes were written. */
void
deliver_nudge(struct deliver *d)
{
	uint64_t	one = 1;

	if (d->nudge != -1 && write(d->nudge, &one, sizeof one) == -1)
		return;	/* full (not read for 2^64 nudges) or gone */
}

/* Return the descriptor readable after a nudge, or -1. */
int
deliver_fd(const struct deliver *d)
{
	return d != NULL ? d->nudge : -1;
}

/* Return 1 if nudged since the last call, and forget it. */
int
deliver_nudged(struct deliver *d)
{
	uint64_t	n = 0;

	if (d == NULL || d->nudge == -1)
		return 0;
	return read(d->nudge, &n, sizeof n) == (ssize_t)sizeof n && n > 0;
}

/* Return 1 once stopping. */
int
deliver_stopping(struct deliver *d)
{
	int	stopping;

	pthread_mutex_lock(&d->lock);
	stopping = d->stopping;
	pthread_mutex_unlock(&d->lock);
	return stopping;
}

/* Return the current generation, held. */
struct generation *
deliver_hold(struct deliver *d)
{
	struct generation	*g;

	pthread_mutex_lock(&d->lock);
	g = generation_hold(d->g);
	pthread_mutex_unlock(&d->lock);
	return g;
}

/* Open the worker's channel, or the null channel in a dry run. */
void *
deliver_channel(const struct deliver *d, const char *name, const char *who,
    const void *opts, const struct channel **ch)
{
	char	*cause = NULL;
	void	*c;

	*ch = channels_find(d->dry_run ? "null" : name);
	if ((c = (*ch)->open(opts, &cause)) == NULL) {
		log_err("%s: %s", who, cause);
		free(cause);
	}
	return c;
}

/* Connect a worker to Redis if it is not. */
int
deliver_connect(struct deliver *d, struct generation *g, struct redis **r,
    const char *who, int *down)
{
	char	*cause = NULL;

	if (*r != NULL)
		return 0;
	if ((*r = redisconn_open(g->cf, &cause)) != NULL) {
		if (*down)
			log_notice("%s: redis is reachable again", who);
		*down = 0;
		return 0;
	}
	if (!*down)
		log_warn("%s: %s; retrying", who, cause);
	*down = 1;
	free(cause);
	deliver_wait(d, DELIVER_ANY, deliver_kicks(d, DELIVER_ANY), 1000);
	return -1;
}

/*
 * Count an outcome written on its channel's breaker; if the breaker
 * trips, pause the channel for every instance (unless it is paused
 * already) and say so.
 */
static void
deliver_breaker(struct deliver *d, struct redis *r, const struct config *cf,
    int channel, int failed, const char *who)
{
	struct breaker	**b = &d->breaker[channel == EVENT_CHANNEL_SMS];
	char		 *cause = NULL, *note;
	size_t		  window = (size_t)cf->delivery_breaker_window;
	int		  tripped, rc;

	pthread_mutex_lock(&d->lock);
	if (*b == NULL || breaker_window(*b) != window) {
		breaker_free(*b);
		*b = breaker_new(window);
	}
	tripped = breaker_note(*b, failed, (int)cf->delivery_breaker_percent);
	pthread_mutex_unlock(&d->lock);
	if (!tripped)
		return;
	note = xasprintf("more than %lld%% of the last %zu messages failed "
	    "for good", (long long)cf->delivery_breaker_percent, window);
	rc = pause_set(r, cf, channel, "breaker", "breaker", note, 0,
	    clock_now(), 1, &cause);
	if (rc < 0)
		log_err("%s: the breaker tripped (%s) but the channel could "
		    "not be paused: %s", who, note, cause);
	else if (rc == 1)
		log_err("%s: paused by the breaker: %s; nothing is lost, "
		    "the notifications wait until an operator runs "
		    "\"closeloop resume %s\"", who, note,
		    event_channel_name(channel));
	free(cause);
	free(note);
}

/* Sleep for ms milliseconds. */
static void
deliver_sleep(int64_t ms)
{
	struct timespec	ts;

	clock_split(ms, &ts);
	nanosleep(&ts, NULL);
}

/* An outcome written: log a late one, clear *gave_up, feed the breaker. */
static void
deliver_recorded(struct deliver *d, struct redis *r, int *gave_up,
    const struct config *cf, const struct outbox_item *it,
    const struct send_result *res, const char *who, int tries)
{
	if (tries > 1)
		log_notice("%s: recorded the outcome of %s after %d attempts, "
		    "on redis %s", who, it->id, tries, redis_where(r));
	*gave_up = 0;
	if (!d->dry_run && !outbox_skip(it))
		deliver_breaker(d, r, cf, it->channel,
		    res->status == SEND_PERMFAIL, who);
}

/* Count the time the channel's server took over the message. */
static void
deliver_send_time(const struct deliver *d, const struct send_result *res,
    const char *who)
{
	if (!d->dry_run && res->latency_ms > 0)
		metrics_send_time(who, (double)res->latency_ms / 1000);
}

/*
 * Write the outcome of an attempt, as deliver_record() says; if failed
 * is set, the first attempt was made already and failed (with cause, or
 * NULL: the record changed meanwhile; taken over), and the next one
 * checks the claim first.
 */
static void
deliver_record_from(struct deliver *d, struct redis **r, int *gave_up,
    const struct config *cf, const struct outbox_item *it,
    const struct send_result *res, const struct outcome_content *content,
    const char *who, int failed, char *failed_cause)
{
	struct backoff	 bo;
	char		*cause = NULL;
	int64_t		 until;
	int		 tries, held = 1;

	until = *gave_up ? 0 : cf->delivery_lease_seconds * 500;
	until = clock_now() + (until < DELIVER_RECORD_MS ? until :
	    DELIVER_RECORD_MS);
	backoff_init(&bo, 100, 2000);
	for (tries = 1;; tries++) {
		if (tries == 1 && failed)
			cause = failed_cause;
		else {
			if (*r == NULL)
				*r = redisconn_open(cf, &cause);
			if (*r != NULL && tries > 1)
				held = claim_held(*r, cf, it,
				    cf->redis_consumer, &cause);
			if (*r != NULL && held == 1 && outcome_write(*r, cf,
			    it, res, content, d->dry_run, clock_now(),
			    &cause) == 0) {
				deliver_recorded(d, *r, gave_up, cf, it, res,
				    who, tries);
				return;
			}
			if (held == 0) {
				log_notice("%s: %s is no longer claimed as it "
				    "was (its outcome was written before the "
				    "connection failed, or its lease ended); "
				    "leaving it", who, it->id);
				return;
			}
		}
		if (cause == NULL)	/* the record changed meanwhile */
			cause = xstrdup("the record changed meanwhile");
		if (clock_now() >= until || deliver_stopping(d)) {
			log_warn("%s: cannot record the outcome of %s: %s; it "
			    "goes out again when its lease ends", who, it->id,
			    cause);
			free(cause);
			*gave_up = 1;
			return;
		}
		if (tries == 1)
			log_warn("%s: cannot record the outcome of %s yet: "
			    "%s; trying again", who, it->id, cause);
		free(cause);
		cause = NULL;
		redis_free(*r);
		*r = NULL;
		deliver_sleep(backoff_next(&bo));
	}
}

/*
 * Write the outcome of an attempt. If Redis fails (a failover, a lost
 * connection), connect again - to the new master, with redis.sentinels -
 * and write it there, as long as the claim still holds, for up to
 * DELIVER_RECORD_MS or half the lease: a notification whose outcome is
 * never written goes out again when its lease ends. After an outcome
 * gave up so (*gave_up), one attempt is made until one is written again,
 * so that a batch does not wait that long for each message; a connection
 * the worker lost for another reason does not count.
 */
void
deliver_record(struct deliver *d, struct redis **r, int *gave_up,
    const struct config *cf, const struct outbox_item *it,
    const struct send_result *res, const struct outcome_content *content,
    const char *who)
{
	deliver_send_time(d, res, who);
	deliver_record_from(d, r, gave_up, cf, it, res, content, who, 0, NULL);
}

/*
 * Send the outcome of an attempt without waiting for Redis, once the
 * outcome sent before it on *r is settled; if it cannot be sent, write
 * it as deliver_record() does.
 */
void
deliver_record_send(struct deliver *d, struct redis **r, int *gave_up,
    struct deliver_pending *p, const struct config *cf,
    const struct outbox_item *it, const struct send_result *res,
    const struct outcome_content *content, const char *who)
{
	char	*cause = NULL;

	deliver_record_settle(d, r, gave_up, p);
	deliver_send_time(d, res, who);
	if (*r == NULL) {
		deliver_record_from(d, r, gave_up, cf, it, res, content, who,
		    0, NULL);
		return;
	}
	if ((p->os = outcome_send(*r, cf, it, res, content, d->dry_run,
	    clock_now(), &cause)) == NULL) {
		deliver_record_from(d, r, gave_up, cf, it, res, content, who,
		    1, cause);
		return;
	}
	p->cf = cf;
	p->it = it;
	p->res = res;
	p->content = content;
	p->who = who;
}

/* Read the reply to the outcome p holds, if any, as deliver_record(). */
void
deliver_record_settle(struct deliver *d, struct redis **r, int *gave_up,
    struct deliver_pending *p)
{
	char	*cause = NULL;

	if (p->os == NULL)
		return;
	if (outcome_collect(p->os, &cause) == 0)
		deliver_recorded(d, *r, gave_up, p->cf, p->it, p->res, p->who,
		    1);
	else
		deliver_record_from(d, r, gave_up, p->cf, p->it, p->res,
		    p->content, p->who, 1, cause);
	memset(p, 0, sizeof *p);
}

/* Stop the workers and free the engine. */
void
deliver_stop(struct deliver *d, int64_t deadline_ms)
{
	struct timespec	 until;
	int64_t		 left;
	size_t		 i;
	int		 late = 0;

	if (d == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	d->stopping = 1;
	deliver_wake_all(d);
	pthread_mutex_unlock(&d->lock);
	for (i = 0; i < d->nthreads; i++) {
		left = deadline_ms - clock_ms();
		if (left < 0)
			left = 0;
		clock_after(CLOCK_REALTIME, left + 1000, &until);
		if (pthread_timedjoin_np(d->threads[i], NULL, &until) != 0)
			late++;
	}
	if (late > 0) {
		log_warn("delivery: %d worker%s still busy at the shutdown "
		    "deadline; their claims go out again after the restart",
		    late, late == 1 ? " is" : "s are");
		return;
	}
	generation_drop(d->g);
	breaker_free(d->breaker[0]);
	breaker_free(d->breaker[1]);
	for (i = 0; i < DELIVER_NCOND; i++)
		pthread_cond_destroy(&d->cond[i]);
	pthread_mutex_destroy(&d->lock);
	if (d->nudge != -1)
		close(d->nudge);
	free(d->threads);
	free(d);
}
