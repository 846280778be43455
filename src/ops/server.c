/*
 * server.c - closeloopd's main loop: intake, signals, reconnection
 *
 * One thread. The loop re-reads this consumer's pending entries, claims
 * entries abandoned by dead consumers, releases the pending notices that
 * fell due (held closures, coalesced bursts: store.h) - but only once it
 * has read what is waiting in the stream, so that a closure held before
 * an outage is not told before the event that cancels it - does its
 * chores (chores.h), and otherwise waits. It waits on three things at
 * once with ppoll(2): a blocking XREADGROUP on a connection of its own
 * that waits however long it takes, a blocking read of the wake-up
 * stream (wakeread.h: other processes saying that something changed),
 * and the workers' nudge (deliver.h); for no longer than until the next
 * thing it knows is due. Nothing else wakes it: an idle daemon makes no
 * system call at all. Its commands go over a third connection, which
 * never blocks. Signals are let in only while the loop waits (signals.c):
 * their handlers only note them, and the wait returns so the loop can
 * act on them; on SIGHUP the configuration and templates are read again
 * (reload.c) and swapped in here. Redis failures are retried with capped
 * exponential backoff; each change between reachable and unreachable is
 * logged once, not each attempt.
 */
#include "build.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "auditfile.h"
#include "backoff.h"
#include "config.h"
#include "catalog.h"
#include "chores.h"
#include "deliver.h"
#include "generation.h"
#include "listener.h"
#include "intake.h"
#include "log.h"
#include "mailwork.h"
#include "metrics.h"
#include "clock.h"
#include "outbox.h"
#include "redis.h"
#include "redisconn.h"
#include "reload.h"
#include "opsreq.h"
#include "sdnotify.h"
#include "server.h"
#include "serverint.h"
#include "signals.h"
#include "smswork.h"
#include "store.h"
#include "stream.h"
#include "wake.h"
#include "wakeread.h"
#include "xmalloc.h"

/* How often at most a daemon says on the wake-up stream that it reads. */
#define SERVER_INTAKE_WAKE_MS	1000

/* The delivery workers the engine starts (deliver.h). */
static const struct deliver_workers server_workers = {
	mailwork_main,
	smswork_main
};

/*
 * Wait up to ms for fd (or only for a signal if fd is -1), with the
 * signals let in. Returns 1 if fd is readable, 0 on timeout, -1 if a
 * signal arrived.
 */
static int
server_wait(int fd, int64_t ms)
{
	if (ms > 0)	/* a wait is not a spin */
		metrics_progress(clock_now());
	return signals_wait(fd, ms);
}

/* Return ms, or less if the watchdog must be fed sooner. */
static int64_t
server_pause(const struct server *sv, int64_t ms)
{
	return sv->watchdog_ms > 0 && ms > sv->watchdog_ms ? sv->watchdog_ms :
	    ms;
}

/*
 * Tell intake whether to give up on a batch: once SIGTERM or SIGINT is
 * pending, the batch may go on for shutdown_timeout seconds, no longer.
 */
static int
server_stop(void *arg)
{
	struct server	*sv = arg;

	if (sv->quit_deadline == 0) {
		if (!signals_stop_pending())
			return 0;
		sv->quit_deadline = clock_ms() +
		    sv->cf->shutdown_timeout * 1000;
		log_notice("shutting down: finishing the batch in hand");
	}
	return clock_ms() >= sv->quit_deadline;
}

/* Learn when the next pending notice is due. */
static void
server_next_due(struct server *sv)
{
	char	*cause = NULL;

	if (store_next_due(sv->cf, sv->r, &sv->next_due, &cause) != 0)
		serverlink_lost(sv, cause);
}

/*
 * Scan for claims once entries read now would be claimable
 * (redis.claim_idle_ms), unless a scan comes sooner.
 */
static void
server_claim_later(struct server *sv)
{
	int64_t	at = clock_ms() + sv->cf->redis_claim_idle_ms;

	if (sv->next_claim == 0 || sv->next_claim > at)
		sv->next_claim = at;
}

/* Hand a batch to intake; drop the connection if Redis failed. */
static void
server_handle(struct server *sv, struct stream_batch *batch)
{
	char		*cause = NULL;
	uint64_t	 before, done;

	before = sv->counts.accepted + sv->counts.duplicate + sv->counts.dead;
	if (intake_batch(sv->cf, sv->s, sv->r, batch, &sv->counts,
	    server_stop, sv, &cause) != 0)
		serverlink_lost(sv, cause);
	done = sv->counts.accepted + sv->counts.duplicate + sv->counts.dead -
	    before;
	if (done > 0)
		metrics_handled(clock_now());
	/* What stays pending (refused, or not reached) is claimed later. */
	if (done < batch->n)
		server_claim_later(sv);
	stream_batch_clear(batch);
	deliver_kick_one(sv->deliver);
	chores_fold(&sv->chores);
	if (sv->r != NULL)
		server_next_due(sv);
}

/*
 * Release the pending notices that are due, a page at a time. Should
 * Redis refuse the release of some, the next attempt waits for a backoff
 * (1 s doubling to a minute) rather than spin on them.
 */
static void
server_release(struct server *sv)
{
	char	*cause = NULL;
	size_t	 refused = 0;
	int	 n;

	n = store_release(sv->cf, sv->r, clock_now(), sv->cf->events_batch,
	    &refused, &cause);
	if (n < 0) {
		serverlink_lost(sv, cause);
		return;
	}
	if (n > 0) {
		log_debug("released %d pending notices", n);
		metrics_progress(clock_now());
		chores_fold(&sv->chores);
	}
	if (refused > 0)
		sv->release_after = clock_ms() + backoff_next(&sv->release_bo);
	else {
		sv->release_after = 0;
		backoff_reset(&sv->release_bo);
	}
	server_next_due(sv);
}

/*
 * Claim entries left by dead consumers, a page a turn until the scan of
 * the pending entries is done; then wait before the next scan.
 */
static void
server_claim(struct server *sv)
{
	struct stream_batch	 batch = { NULL, 0 };
	char			*cause = NULL;
	int64_t			 every;
	long long		 pending;
	int			 rc;

	rc = stream_claim(sv->s, sv->r, &batch, &cause);
	if (rc < 0) {
		serverlink_lost(sv, cause);
		return;
	}
	if (rc > 0) {
		log_info("claimed %zu entries idle for more than %lld ms",
		    batch.n, (long long)sv->cf->redis_claim_idle_ms);
		server_handle(sv, &batch);
	}
	if (!stream_claim_done(sv->s))
		return;
	/*
	 * Scan again only while entries are pending outside the batch in
	 * hand (another consumer's, or one of ours a step refused): a
	 * consumer that reads more says so on the wake-up stream
	 * (server_woken()).
	 */
	if (stream_pending(sv->s, sv->r, &pending, &cause) != 0) {
		serverlink_lost(sv, cause);
		return;
	}
	every = sv->cf->redis_claim_idle_ms / 2;
	if (every < 100)
		every = 100;
	if (every > 30000)
		every = 30000;
	sv->next_claim = pending > 0 ? clock_ms() + every : 0;
}

/* Take the reply of the events read and handle its entries. */
static void
server_entries(struct server *sv)
{
	struct stream_batch	 batch = { NULL, 0 };
	struct redis_reply	*reply = NULL;
	char			*cause = NULL;
	int			 rc;

	rc = redis_receive(sv->rr, &reply, &cause);
	if (rc < 0) {
		serverlink_lost(sv, cause);
		return;
	}
	if (rc == 0)
		return;
	sv->reading = 0;
	if (redis_reply_is_error(reply, "NOGROUP") ||
	    redis_reply_is_error(reply, "UNBLOCKED")) {
		redis_reply_free(reply);
		log_warn("stream %s or its group %s is gone (did the Redis "
		    "server lose its data?); creating them again",
		    sv->cf->redis_stream, sv->cf->redis_group);
		if (stream_setup(sv->s, sv->r, &cause) != 0)
			serverlink_lost(sv, cause);
		return;
	}
	rc = stream_parse_read(sv->s, reply, &batch, &cause);
	redis_reply_free(reply);
	if (rc < 0) {
		serverlink_lost(sv, cause);
		return;
	}
	sv->caught_up = batch.n < (size_t)sv->cf->events_batch;
	if (rc == 0)
		return;
	/*
	 * Should this daemon die holding them, the others claim them: they
	 * need to hear once a scan's span that it reads, not each batch.
	 */
	if (clock_ms() >= sv->next_intake_wake) {
		if (wake_add(sv->r, sv->cf, "intake", sv->cf->redis_consumer,
		    &cause) != 0) {
			stream_batch_clear(&batch);
			serverlink_lost(sv, cause);
			return;
		}
		sv->next_intake_wake = clock_ms() + SERVER_INTAKE_WAKE_MS;
	}
	server_handle(sv, &batch);
}

/* Take what the wake-up stream said and act on it. */
static void
server_woken(struct server *sv)
{
	struct wake_news	 news;
	char			*cause = NULL;

	if (wakeread_take(sv->wake, sv->cf->redis_consumer, &news,
	    &cause) < 0) {
		serverlink_lost(sv, cause);
		return;
	}
	if (news.n == 0)
		return;
	deliver_kick(sv->deliver);	/* the workers look again */
	if (news.request)
		chores_requests(&sv->chores);
	chores_questions(&sv->chores);
	if (news.intake)
		server_claim_later(sv);
	server_next_due(sv);
}

/*
 * Return in how many ms the loop must turn without being woken (0: now),
 * or -1 if nothing it knows of falls due.
 */
static int64_t
server_next(const struct server *sv)
{
	int64_t	in, t;

	in = chores_due_in(&sv->chores);
	if (sv->next_claim != 0) {
		t = sv->next_claim - clock_ms();
		if (in < 0 || t < in)
			in = t;
	}
	if (sv->next_due != 0 && sv->caught_up) {
		t = sv->next_due - clock_now();
		if (sv->release_after != 0 &&
		    sv->release_after - clock_ms() > t)
			t = sv->release_after - clock_ms();
		if (in < 0 || t < in)
			in = t;
	}
	if (sv->full && (in < 0 || in > 1000))
		in = 1000;	/* look at the outbox's depth again */
	if (in < 0 && sv->watchdog_ms > 0)
		in = sv->watchdog_ms;
	in = in < 0 ? -1 : server_pause(sv, in);
	return in < 0 ? -1 : in;
}

/*
 * Wait for new entries, a wake-up entry, the workers' nudge, a signal
 * or the next thing due, and take what came.
 */
static void
server_read(struct server *sv)
{
	struct pollfd	 pfd[3];
	char		*cause = NULL;
	int64_t		 block;
	int		 rc;

	if (!sv->reading && !sv->full) {
		/* Block only once caught up: else see what waits. */
		if (stream_send_read(sv->s, sv->rr, sv->caught_up ? 0 : 1,
		    &cause) != 0) {
			serverlink_lost(sv, cause);
			return;
		}
		sv->reading = 1;
	}
	if (wakeread_send(sv->wake, sv->cf, &cause) != 0) {
		serverlink_lost(sv, cause);
		return;
	}
	block = server_next(sv);
	pfd[0].fd = sv->reading ? redis_fd(sv->rr) : -1;
	pfd[1].fd = wakeread_fd(sv->wake);
	pfd[2].fd = deliver_fd(sv->deliver);
	pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
	if (block != 0)	/* a wait is not a spin */
		metrics_progress(clock_now());
	metrics_waiting(block < 0);
	rc = signals_wait_any(pfd, 3, block);
	metrics_waiting(0);
	if (rc <= 0)
		return;
	if (pfd[2].revents != 0 && deliver_nudged(sv->deliver)) {
		chores_fold(&sv->chores);
		chores_questions(&sv->chores);
	}
	if (pfd[1].revents != 0)
		server_woken(sv);
	if (pfd[0].revents != 0 && sv->rr != NULL)
		server_entries(sv);
}

/* Return 1 if the events read has a reply waiting to be taken. */
static int
server_entries_waiting(const struct server *sv)
{
	struct pollfd	pfd;

	if (!sv->reading)
		return 0;
	pfd.fd = redis_fd(sv->rr);
	pfd.events = POLLIN;
	pfd.revents = 0;
	return poll(&pfd, 1, 0) == 1;
}

/*
 * Return 1 if the outbox holds delivery.outbox_max notifications or more:
 * then the loop reads no new events, which wait in the stream, until the
 * workers catch up. The depth is looked at once a second at most, and
 * only when the loop is about to read.
 */
static int
server_full(struct server *sv)
{
	long long	 email, sms;
	char		*cause = NULL;

	if (clock_ms() < sv->next_depth)
		return sv->full;
	sv->next_depth = clock_ms() + 1000;
	if (outbox_depth(sv->r, sv->cf, &email, &sms, &cause) != 0) {
		serverlink_lost(sv, cause);
		return 1;
	}
	if (email + sms >= sv->cf->delivery_outbox_max && !sv->full)
		log_warn("outbox full: %lld notifications wait (email %lld, "
		    "sms %lld; delivery.outbox_max %lld); reading no new "
		    "events until delivery catches up", email + sms, email,
		    sms, (long long)sv->cf->delivery_outbox_max);
	else if (email + sms < sv->cf->delivery_outbox_max && sv->full)
		log_notice("outbox below delivery.outbox_max again; reading "
		    "events");
	sv->full = email + sms >= sv->cf->delivery_outbox_max;
	metrics_paused(sv->full);
	return sv->full;
}

/* Do the chores that are due; wake the workers for what they queued. */
static void
server_chores(struct server *sv)
{
	char	*cause = NULL;
	size_t	 queued;

	if (chores_run(&sv->chores, sv->r, sv->cf, sv->cat, &queued,
	    &cause) < 0) {
		serverlink_lost(sv, cause);
		return;
	}
	if (queued > 0)
		deliver_kick_one(sv->deliver);
}

/* One turn of the loop while connected. */
static void
server_turn(struct server *sv)
{
	struct stream_batch	 batch = { NULL, 0 };
	char			*cause = NULL;
	int			 rc;

	if (!stream_history_done(sv->s)) {
		rc = stream_read_history(sv->s, sv->r, &batch, &cause);
		if (rc < 0)
			serverlink_lost(sv, cause);
		else if (rc > 0) {
			log_info("re-reading %zu pending entries", batch.n);
			server_handle(sv, &batch);
		}
		return;
	}
	if (sv->next_claim != 0 && clock_ms() >= sv->next_claim) {
		server_claim(sv);
		if (sv->r != NULL)
			server_next_due(sv);
		return;
	}
	if (chores_due_in(&sv->chores) == 0) {
		server_chores(sv);
		return;
	}
	if (!sv->reading)
		(void)server_full(sv);
	if (sv->r != NULL && sv->next_due != 0 &&
	    clock_now() >= sv->next_due && sv->caught_up &&
	    !server_entries_waiting(sv) && clock_ms() >= sv->release_after) {
		server_release(sv);
		deliver_kick_one(sv->deliver);
		return;
	}
	if (sv->r != NULL)
		server_read(sv);
}

/* Run the daemon until SIGTERM or SIGINT. */
int
server_run(struct config *cf, struct catalog *cat, int dry_run)
{
	struct server	 sv;
	char		*cause = NULL;
	int		 rc;

	memset(&sv, 0, sizeof sv);
	sv.gen = generation_new(cf, cat);
	sv.cf = cf;
	sv.cat = cat;
	sv.link = SERVER_LINK_UNKNOWN;
	sv.dry_run = dry_run;
	sv.s = stream_new(cf);
	sv.wake = wakeread_new();
	backoff_init(&sv.bo, 100, cf->redis_retry_max_ms);
	backoff_init(&sv.release_bo, 1000, 60000);
	signals_init();
	metrics_start(clock_now());
	serverconf_divisions(cf);
	sv.watchdog_ms = sdnotify_watchdog_ms();
	log_notice("closeloopd %s starting with %s", PACKAGE_VERSION,
	    cf->path);
	if (dry_run)
		log_notice("dry run: a rehearsal beside the real daemon - "
		    "%s read as group %s, everything recorded under %s, "
		    "dead letters in %s, nothing sent, no listener, no "
		    "audit.file", cf->redis_stream, cf->redis_group,
		    cf->redis_prefix, cf->redis_dead_stream);
	if (cf->http_listen != NULL &&
	    (sv.listener = listener_start(sv.gen, &cause)) == NULL) {
		if (!cf->http_listen_default) {
			log_err("http.listen: %s", cause);
			rc = EX_UNAVAILABLE;
			goto fail;
		}
		log_warn("http.listen (not set; default %s): %s; running "
		    "without /metrics and /healthz (set http.listen to "
		    "another address, or to \"\" for none)",
		    cf->http_listen, cause);
		free(cause);
		cause = NULL;
	}
	if (cf->audit_file != NULL &&
	    (sv.auditfile = auditfile_start(sv.gen, &cause)) == NULL) {
		log_err("audit.file: %s", cause);
		rc = EX_CANTCREAT;
		goto fail;
	}
	sv.deliver = deliver_start(sv.gen, dry_run, &server_workers);
	sdnotify_send("READY=1\nSTATUS=starting");

	for (;;) {
		metrics_beat(clock_now());
		sdnotify_tick(clock_ms(), sv.link == SERVER_LINK_DOWN ?
		    sv.last_cause : NULL);
		/* Let signals that arrived while blocked set their flags. */
		server_wait(-1, 0);
		if (signals_quit() != 0)
			break;
		if (signals_reload()) {
			serverconf_reconfigure(&sv);
			continue;
		}
		if (sv.r == NULL) {
			if (serverlink_connect(&sv) != 0)
				server_wait(-1, server_pause(&sv,
				    backoff_next(&sv.bo)));
			continue;
		}
		server_turn(&sv);
	}

	sdnotify_send("STOPPING=1");
	log_notice("stopping on signal %d: %llu accepted, %llu duplicates, "
	    "%llu dead-lettered", signals_quit(),
	    (unsigned long long)sv.counts.accepted,
	    (unsigned long long)sv.counts.duplicate,
	    (unsigned long long)sv.counts.dead);
	deliver_stop(sv.deliver, clock_ms() + sv.cf->shutdown_timeout * 1000);
	rc = 0;
fail:
	free(cause);
	listener_stop(sv.listener);
	auditfile_stop(sv.auditfile, clock_ms() + 5000);
	redis_free(sv.r);
	redis_free(sv.rr);
	wakeread_free(sv.wake);
	stream_free(sv.s);
	generation_drop(sv.gen);
	free(sv.last_cause);
	return rc;
}
