/*
 * smswork.c - the worker that delivers SMS notifications
 *
 * sms.max_per_second is kept across every worker of every daemon: each
 * request takes the next slot of an even pace kept in Redis, and a worker
 * claims a notification only with a slot in hand. Inside sms.quiet_hours
 * nothing is claimed: the worker sleeps until they end (notifications
 * queued or retried then are due at their end anyway). The gateway's
 * message id, when it gives one, is kept with the outcome; the
 * notification id is the idempotency key. A claim that Redis made but
 * whose reply, or opt-out check, the failure of Redis cut off would wait
 * for its lease: the worker, the only SMS worker of its consumer, keeps
 * the list of what it has in flight and, once Redis answers again, puts
 * back its other claims (claim_release()).
 */
#include "build.h"

#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "chanopts.h"
#include "channel.h"
#include "clock.h"
#include "claim.h"
#include "config.h"
#include "datefmt.h"
#include "deliver.h"
#include "digest.h"
#include "event.h"
#include "generation.h"
#include "keep.h"
#include "log.h"
#include "notice.h"
#include "outbox.h"
#include "outcome.h"
#include "receipt.h"
#include "redis.h"
#include "redisscript.h"
#include "render.h"
#include "sms.h"
#include "smswork.h"
#include "xmalloc.h"

/*
 * Requests are paced: one may begin every 1.05 / sms.max_per_second
 * seconds, whoever sends it. The time of the next free slot (ms,
 * fractional) is PREFIXsms:next. A worker takes every slot that has come
 * since, up to what it can send, but none older than SMSWORK_CATCH_UP
 * ms: the requests of slots taken at once begin together, up to 50 ms
 * after their slot, and the 5% margin absorbs that (and the network's
 * jitter), so that the gateway, counting arrivals, never sees more than
 * max_per_second in one second.
 */
#define SMSWORK_CATCH_UP	50

static struct redisscript smswork_rate_script = {
	"rate",
	"local now = tonumber(ARGV[1])\n"
	"local step = tonumber(ARGV[2])\n"
	"local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')\n"
	"if nxt > now then\n"
	"  return {0, string.format('%.3f', nxt)}\n"
	"end\n"
	"if nxt < now - tonumber(ARGV[4]) then\n"
	"  nxt = now - tonumber(ARGV[4])\n"
	"end\n"
	"local n = math.min(math.floor((now - nxt) / step) + 1,\n"
	"    tonumber(ARGV[3]))\n"
	"nxt = nxt + n * step\n"
	"redis.call('SET', KEYS[1], string.format('%.3f', nxt), 'PX', 60000)\n"
	"return {n, string.format('%.3f', nxt)}\n",
	""
};

/* The worker's state. */
struct smswork {
	struct deliver		*d;
	struct redis		*r;
	const struct channel	*ch;	/* sms, or null in a dry run */
	void			*c;	/* ch's handle, or NULL */
	struct generation	*sg;	/* the generation c was made for */
	TAILQ_HEAD(, smswork_msg) flying;	/* claimed, not done */
	int			 down;
	int			 gave_up;	/* see deliver_record() */
	int			 lost;		/* a claim failed part way */
	int			 done;		/* outcomes since the nudge */
};

/* A message in flight, with what it needs when it is done. */
struct smswork_msg {
	TAILQ_ENTRY(smswork_msg) entry;
	struct channel_msg	 m;
	struct outbox_item	*it;
	struct generation	*g;
	char			*text;
	char			*locale;
	char			*receipt_url;
	struct outcome_content	 c;
	struct keep		*kept;	/* c.kept */
	int			 built;	/* c is filled in */
};

/*
 * Take up to want request slots from the shared pace. Returns how many
 * were taken; if none, *retry_at says when the next one frees up.
 */
static size_t
smswork_rate(struct smswork *w, const struct config *cf, size_t want,
    int64_t *retry_at)
{
	struct redis_reply	*reply;
	const char		*argv[5];
	char			*key, *cause = NULL, now[32], interval[32];
	char			 most[32], catch_up[32];
	size_t			 took = 0;

	key = xasprintf("%ssms:next", cf->redis_prefix);
	snprintf(now, sizeof now, "%lld", (long long)clock_now());
	snprintf(interval, sizeof interval, "%.3f",
	    1050.0 / (double)cf->sms_max_per_second);
	snprintf(most, sizeof most, "%zu", want);
	snprintf(catch_up, sizeof catch_up, "%d", SMSWORK_CATCH_UP);
	argv[0] = key;
	argv[1] = now;
	argv[2] = interval;
	argv[3] = most;
	argv[4] = catch_up;
	reply = redisscript_eval(w->r, &smswork_rate_script, &cause, 1, 5, argv,
	    NULL);
	free(key);
	if (reply == NULL) {
		log_warn("sms: %s", cause);
		free(cause);
		redis_free(w->r);
		w->r = NULL;
		return 0;
	}
	if (reply->type == REDIS_TYPE_ARRAY && reply->elements == 2) {
		took = (size_t)reply->element[0]->integer;
		if (reply->element[1]->type == REDIS_TYPE_STRING)
			*retry_at = (int64_t)strtod(reply->element[1]->str,
			    NULL) + 1;
	} else
		log_warn("sms: pacing: %s", reply->str != NULL ? reply->str :
		    "unexpected reply");
	redis_reply_free(reply);
	return took;
}

/* Write the outcome of one message and free it. */
static void
smswork_done(struct channel_msg *m, void *arg)
{
	struct smswork		*w = arg;
	struct smswork_msg	*sm = m->arg;

	deliver_record(w->d, &w->r, &w->gave_up, sm->g->cf, sm->it,
	    &m->result, sm->built ? &sm->c : NULL, "sms");
	w->done = 1;
	TAILQ_REMOVE(&w->flying, sm, entry);
	channel_result_clear(&m->result);
	outbox_item_free(sm->it);
	generation_drop(sm->g);
	free(sm->text);
	free(sm->locale);
	free(sm->receipt_url);
	keep_free(sm->kept);
	free(sm);
}

/* Render one notification and hand it to the gateway (or fail it). */
static void
smswork_send(struct smswork *w, struct generation *g, struct outbox_item *it)
{
	struct smswork_msg	*sm;
	struct render_out	 out;
	char			*cause = NULL;
	int64_t			 when;

	sm = xcalloc(1, sizeof *sm);
	TAILQ_INSERT_TAIL(&w->flying, sm, entry);
	sm->it = it;
	sm->g = generation_hold(g);
	sm->m.arg = sm;
	sm->m.id = it->id;
	if (outbox_skip(it)) {
		smswork_done(&sm->m, w);
		return;
	}
	if (it->notice == NULL) {
		channel_result(&sm->m.result, SEND_PERMFAIL, "the record of "
		    "this notification is damaged");
		smswork_done(&sm->m, w);
		return;
	}
	if (outbox_render_when(it, catalog_version(g->cat), clock_now() / 1000,
	    &when, &cause) != 0) {
		channel_result(&sm->m.result, SEND_PERMFAIL, "%s", cause);
		free(cause);
		smswork_done(&sm->m, w);
		return;
	}
	if (render_notice(g->cf, g->cat, it->notice, 0, RENDER_SMS, when,
	    &out, &cause) != 0) {
		channel_result(&sm->m.result, SEND_PERMFAIL, "render: %s",
		    cause);
		free(cause);
		smswork_done(&sm->m, w);
		return;
	}
	sm->text = out.sms;
	sm->locale = out.locale;
	sm->c.sms_cut = out.sms_cut;
	out.sms = out.locale = NULL;
	render_out_clear(&out);
	sm->m.to = it->notice->to[0].address;
	sm->m.data = sm->text;
	if (g->cf->sms_dlr_url != NULL && g->cf->sms_dlr_secret != NULL)
		sm->m.receipt_url = sm->receipt_url = receipt_url(g->cf,
		    it->id, clock_now() / 1000);
	sm->c.sms = sm->text;
	sm->c.locale = sm->locale;
	sm->c.version = catalog_version(g->cat);
	digest_sha256(sm->text, strlen(sm->text), sm->c.sha256);
	if (g->cf->audit_keep_messages &&
	    (sm->kept = keep_sms(sm->text, &cause)) == NULL) {
		log_warn("sms: %s is not kept: %s", it->id, cause);
		free(cause);
	}
	sm->c.kept = sm->kept;
	sm->built = 1;
	if (w->c == NULL) {
		channel_result(&sm->m.result, SEND_TEMPFAIL,
		    "the SMS client could not be set up");
		smswork_done(&sm->m, w);
		return;
	}
	w->ch->send(w->c, &sm->m, 1, smswork_done, w);
}

/* Make the gateway client for g if the current one is for another. */
static void
smswork_client(struct smswork *w, struct generation *g)
{
	struct sms_options	 o;

	if (w->sg == g || (w->c != NULL && w->ch->pending(w->c) > 0))
		return;
	if (w->ch != NULL)
		w->ch->close(w->c);
	generation_drop(w->sg);
	chanopts_sms(g->cf, &o);
	w->sg = generation_hold(g);
	w->c = deliver_channel(w->d, "sms", "sms", &o, &w->ch);
}

/*
 * After a claim that failed part way, put back the notifications this
 * worker claimed and does not have in flight: the claim's script may
 * have run without its reply coming back, or the opt-out check after it
 * failed. Returns 0, or -1 if Redis failed again.
 */
static int
smswork_release(struct smswork *w, const struct config *cf)
{
	struct smswork_msg	 *sm;
	const char		**keep;
	char			 *cause = NULL;
	size_t			  n = 0;
	int			  released;

	TAILQ_FOREACH(sm, &w->flying, entry)
		n++;
	keep = xcalloc(n + 1, sizeof *keep);
	n = 0;
	TAILQ_FOREACH(sm, &w->flying, entry)
		keep[n++] = sm->it->id;
	released = claim_release(w->r, cf, cf->redis_consumer,
	    EVENT_CHANNEL_SMS, keep, n, clock_now(), &cause);
	free(keep);
	if (released < 0) {
		log_warn("sms: %s", cause);
		free(cause);
		redis_free(w->r);
		w->r = NULL;
		return -1;
	}
	if (released > 0)
		log_notice("sms: %d notification%s claimed as redis failed go "
		    "back to the outbox", released, released == 1 ? "" : "s");
	w->lost = 0;
	return 0;
}

/*
 * Claim what the rate and the free connections allow and submit it.
 * Returns how long the caller may wait before it looks again, in ms.
 */
static int64_t
smswork_fill(struct smswork *w, struct generation *g)
{
	const struct config	 *cf = g->cf;
	struct outbox_item	**items;
	char			 *cause = NULL;
	size_t			  room, n, i, active;
	int64_t			  now = clock_now(), next_due = 0, at;
	int64_t			  retry_at = 0;

	at = datefmt_quiet_end(cf->templates_timezone, cf->sms_quiet_start,
	    cf->sms_quiet_end, now);
	if (at > now)
		return at - now;
	if (w->lost && smswork_release(w, cf) != 0)
		return 1000;
	active = w->c != NULL ? w->ch->pending(w->c) : 0;
	if (active >= (size_t)cf->sms_connections)
		return DELIVER_FOREVER;	/* the gateway's replies wake it */
	room = smswork_rate(w, cf, (size_t)cf->sms_connections - active,
	    &retry_at);
	if (room == 0)
		return w->r == NULL ? 1000 : retry_at > now ? retry_at - now :
		    1;
	if (claim_take(w->r, cf, EVENT_CHANNEL_SMS, cf->redis_consumer, now,
	    room, &items, &n, &next_due, &cause) != 0) {
		log_warn("sms: %s", cause);
		free(cause);
		redis_free(w->r);
		w->r = NULL;
		w->lost = 1;
		return 1000;
	}
	for (i = 0; i < n; i++)
		smswork_send(w, g, items[i]);
	free(items);
	if (n == room)
		return 0;
	if (next_due != 0)
		return next_due > now ? next_due - now : 0;
	return DELIVER_FOREVER;
}

/* The worker's main loop. */
void *
smswork_main(void *arg)
{
	struct smswork		 w;
	struct generation	*g;
	unsigned long		 seen;
	int64_t			 wait;

	memset(&w, 0, sizeof w);
	TAILQ_INIT(&w.flying);
	w.d = arg;
	while (!deliver_stopping(w.d) ||
	    (w.c != NULL && w.ch->pending(w.c) > 0)) {
		seen = deliver_kicks(w.d, DELIVER_SMS);
		g = deliver_hold(w.d);
		wait = 0;
		if (deliver_stopping(w.d))
			wait = 100;
		else if (deliver_connect(w.d, g, &w.r, "sms", &w.down) != 0) {
			generation_drop(g);
			continue;
		} else {
			smswork_client(&w, g);
			wait = smswork_fill(&w, g);
		}
		generation_drop(g);
		if (w.c != NULL && w.ch->pending(w.c) > 0)
			w.ch->run(w.c, wait < 100 ? (int)wait : 100);
		else if (!w.done)
			deliver_wait(w.d, DELIVER_SMS, seen, wait);
		if (w.done) {
			deliver_nudge(w.d);
			w.done = 0;
		}
	}
	if (w.ch != NULL)
		w.ch->close(w.c);
	generation_drop(w.sg);
	redis_free(w.r);
	return NULL;
}
