/*
 * server.c - closeloopd's main loop: intake, signals, reconnection
 *
 * One thread. The loop re-reads this consumer's pending entries, claims
 * entries abandoned by dead consumers, releases the pending notices that
 * fell due (held closures, coalesced bursts: store.h) - but only once it
 * has read what is waiting in the stream, so that a closure held before
 * an outage is not told before the event that cancels it - and otherwise
 * waits in a blocking XREADGROUP, until the next notice is due at most,
 * whose reply it collects with ppoll(2), so that an idle daemon uses no
 * CPU. Signals are let in only while the loop waits (signals.c): their
 * handlers only note them, and the wait returns so the loop can act on
 * them; on SIGHUP the configuration and templates are read again
 * (reload.c) and swapped in here. Redis failures are retried with capped
 * exponential backoff; each change between reachable and unreachable is
 * logged once, not each attempt.
 */
#include "build.h"

#include <errno.h>
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
#include "signals.h"
#include "smswork.h"
#include "store.h"
#include "stream.h"
#include "xmalloc.h"

/* The delivery workers the engine starts (deliver.h). */
static const struct deliver_workers server_workers = {
	mailwork_main,
	smswork_main
};

/*
 * Longest a blocking read waits before the loop looks around: a second,
 * since the steps' and the workers' daily counts are folded into their
 * hashes once a second (server_full(), chores.h), and the console shows
 * them; the console's operator requests are carried out then too, and
 * the questions due asked.
 */
#define SERVER_BLOCK_MAX_MS	1000

enum server_link {
	SERVER_LINK_UNKNOWN,
	SERVER_LINK_UP,
	SERVER_LINK_DOWN
};

struct server {
	struct generation	*gen;	/* cf and cat, shared with delivery */
	struct config		*cf;
	struct catalog		*cat;	/* the template set in use */
	struct deliver		*deliver;
	struct listener		*listener;	/* http.listen, or NULL */
	struct auditfile	*auditfile;	/* audit.file, or NULL */
	int64_t			 next_depth;	/* when to look at the outbox */
	int			 full;		/* outbox_max reached */
	int64_t			 watchdog_ms;	/* feed it this often; 0: none */
	struct redis		*r;
	struct stream		*s;
	struct backoff		 bo;
	enum server_link	 link;
	char			*last_cause;
	unsigned long		 attempts;
	int			 reading;
	int64_t			 next_claim;
	int64_t			 next_due;	/* wall ms; 0: none */
	struct backoff		 release_bo;	/* after a refused release */
	int64_t			 release_after;	/* monotonic ms; 0: now */
	int			 caught_up;	/* last read was not full */
	int64_t			 quit_deadline;
	int			 dry_run;	/* a rehearsal */
	struct intake_counts	 counts;
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

/*
 * Drop the Redis connection after a failure. The change from reachable to
 * unreachable is logged once; later attempts that fail differently are
 * logged at debug level only.
 */
static void
server_lost(struct server *sv, char *cause)
{
	const char	*why = cause != NULL ? cause : "unknown error";

	if (sv->link != SERVER_LINK_DOWN) {
		log_err("redis unavailable: %s; retrying in the background",
		    why);
		sdnotify_send("STATUS=waiting for redis: %s", why);
	} else if (sv->last_cause == NULL || strcmp(sv->last_cause, why) != 0)
		log_debug("redis still unavailable: %s", why);
	free(sv->last_cause);
	sv->last_cause = xstrdup(why);
	free(cause);
	sv->link = SERVER_LINK_DOWN;
	redis_free(sv->r);
	sv->r = NULL;
	sv->reading = 0;
}

/* Return ms, or less if the watchdog must be fed sooner. */
static int64_t
server_pause(const struct server *sv, int64_t ms)
{
	return sv->watchdog_ms > 0 && ms > sv->watchdog_ms ? sv->watchdog_ms :
	    ms;
}

/* Connect to Redis and set up the group; 0 on success. */
static int
server_connect(struct server *sv)
{
	char	*cause = NULL;

	sv->attempts++;
	sv->r = redisconn_open(sv->cf, &cause);
	if (sv->r == NULL || stream_setup(sv->s, sv->r, &cause) != 0 ||
	    opsreq_setup(sv->r, sv->cf, &cause) != 0) {
		server_lost(sv, cause);
		return -1;
	}
	if (sv->link == SERVER_LINK_DOWN)
		log_notice("redis %s reachable again after %lu attempts",
		    redis_where(sv->r), sv->attempts);
	else
		log_info("connected to redis %s", redis_where(sv->r));
	log_info("reading %s as consumer %s of group %s", sv->cf->redis_stream,
	    sv->cf->redis_consumer, sv->cf->redis_group);
	sdnotify_send("STATUS=reading %s", sv->cf->redis_stream);
	sv->link = SERVER_LINK_UP;
	sv->attempts = 0;
	free(sv->last_cause);
	sv->last_cause = NULL;
	backoff_reset(&sv->bo);
	sv->next_claim = clock_ms();
	sv->next_due = 1;	/* release what fell due while away, */
	sv->caught_up = 0;	/* once what arrived meanwhile is read */
	return 0;
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
		server_lost(sv, cause);
}

/* Hand a batch to intake; drop the connection if Redis failed. */
static void
server_handle(struct server *sv, struct stream_batch *batch)
{
	char		*cause = NULL;
	uint64_t	 before;

	before = sv->counts.accepted + sv->counts.duplicate + sv->counts.dead;
	if (intake_batch(sv->cf, sv->s, sv->r, batch, &sv->counts,
	    server_stop, sv, &cause) != 0)
		server_lost(sv, cause);
	if (sv->counts.accepted + sv->counts.duplicate + sv->counts.dead !=
	    before)
		metrics_handled(clock_now());
	stream_batch_clear(batch);
	deliver_kick(sv->deliver);
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
		server_lost(sv, cause);
		return;
	}
	if (n > 0) {
		log_debug("released %d pending notices", n);
		metrics_progress(clock_now());
	}
	if (refused > 0)
		sv->release_after = clock_ms() + backoff_next(&sv->release_bo);
	else {
		sv->release_after = 0;
		backoff_reset(&sv->release_bo);
	}
	server_next_due(sv);
}

/* Give /metrics the divisions that have series of their own. */
static void
server_divisions(const struct config *cf)
{
	const char	**codes;
	size_t		  i;

	codes = xcalloc(cf->ndivisions + 1, sizeof *codes);
	for (i = 0; i < cf->ndivisions; i++)
		codes[i] = cf->divisions[i].code;
	metrics_divisions(codes, cf->ndivisions);
	free(codes);
}

/*
 * Start, reopen (for SIGHUP) or stop the audit.file writer to match the
 * configuration in use.
 */
static void
server_auditfile(struct server *sv)
{
	char	*cause = NULL;

	if (sv->cf->audit_file == NULL) {
		auditfile_stop(sv->auditfile, clock_ms() + 1000);
		sv->auditfile = NULL;
	} else if (sv->auditfile != NULL)
		auditfile_swap(sv->auditfile, sv->gen);
	else if ((sv->auditfile = auditfile_start(sv->gen, &cause)) == NULL) {
		log_err("audit.file: %s; the audit trail stays in Redis until "
		    "it can be written", cause);
		free(cause);
	}
}

/*
 * Read the configuration and template set again on SIGHUP and swap them
 * in if both are valid; otherwise keep serving with the old ones.
 */
static void
server_reconfigure(struct server *sv)
{
	struct generation	*gen;
	struct config		*cf;
	struct catalog		*cat;

	if ((gen = reload_read(sv->cf->path, sv->dry_run)) == NULL)
		return;
	cf = gen->cf;
	cat = gen->cat;
	generation_drop(sv->gen);
	sv->gen = gen;
	sv->cat = cat;
	sv->cf = cf;
	deliver_swap(sv->deliver, sv->gen);
	listener_swap(sv->listener, sv->gen);
	server_divisions(cf);
	server_auditfile(sv);
	log_notice("templates %s loaded, version %s", catalog_dir(cat),
	    catalog_version(cat));
	log_set_level(cf->log_level);
	stream_free(sv->s);
	sv->s = stream_new(cf);
	backoff_init(&sv->bo, 100, cf->redis_retry_max_ms);
	redis_free(sv->r);
	sv->r = NULL;
	sv->reading = 0;
	log_notice("configuration reloaded");
	sdnotify_send("READY=1");
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
	int			 rc;

	rc = stream_claim(sv->s, sv->r, &batch, &cause);
	if (rc < 0) {
		server_lost(sv, cause);
		return;
	}
	if (rc > 0) {
		log_info("claimed %zu entries idle for more than %lld ms",
		    batch.n, (long long)sv->cf->redis_claim_idle_ms);
		server_handle(sv, &batch);
	}
	if (!stream_claim_done(sv->s))
		return;
	every = sv->cf->redis_claim_idle_ms / 2;
	if (every < 100)
		every = 100;
	if (every > 30000)
		every = 30000;
	sv->next_claim = clock_ms() + every;
}

/* Wait for new entries with a blocking read and handle them. */
static void
server_read(struct server *sv)
{
	struct stream_batch	 batch = { NULL, 0 };
	struct redis_reply	*reply = NULL;
	char			*cause = NULL;
	int64_t			 block, due_in;
	int			 rc;

	block = sv->next_claim - clock_ms();
	due_in = sv->next_due - clock_now();
	if (sv->release_after != 0 && sv->release_after - clock_ms() > due_in)
		due_in = sv->release_after - clock_ms();
	if (sv->next_due != 0 && sv->caught_up && due_in < block)
		block = due_in;
	if (!sv->caught_up)
		block = 1;	/* only to see whether entries are waiting */
	if (block > SERVER_BLOCK_MAX_MS)
		block = SERVER_BLOCK_MAX_MS;
	block = server_pause(sv, block);	/* the watchdog wants turns */
	if (block < 1)
		block = 1;
	if (!sv->reading) {
		if (stream_send_read(sv->s, sv->r, (long)block, &cause) != 0) {
			server_lost(sv, cause);
			return;
		}
		sv->reading = 1;
	}
	/* The server answers by itself after block ms; allow it time. */
	rc = server_wait(redis_fd(sv->r), block + 10000);
	if (rc < 0)
		return;
	if (rc == 0) {
		server_lost(sv, xasprintf("redis %s: no answer to a blocking "
		    "read", redis_where(sv->r)));
		return;
	}
	rc = redis_receive(sv->r, &reply, &cause);
	if (rc < 0) {
		server_lost(sv, cause);
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
			server_lost(sv, cause);
		return;
	}
	rc = stream_parse_read(sv->s, reply, &batch, &cause);
	redis_reply_free(reply);
	if (rc < 0) {
		server_lost(sv, cause);
		return;
	}
	sv->caught_up = batch.n < (size_t)sv->cf->events_batch;
	if (rc > 0)
		server_handle(sv, &batch);
}

/*
 * Return 1 if the outbox holds delivery.outbox_max notifications or more:
 * then the loop reads no new events, which wait in the stream, until the
 * workers catch up. The depth is looked at once a second at most.
 */
static int
server_full(struct server *sv)
{
	long long	 email, sms;
	char		*cause = NULL;
	size_t		 queued;

	if (clock_ms() < sv->next_depth)
		return sv->full;
	sv->next_depth = clock_ms() + 1000;
	/* Once a second too, the chores: counts, requests, questions. */
	if (chores_run(sv->r, sv->cf, sv->cat, &queued, &cause) < 0) {
		server_lost(sv, cause);
		return 1;
	}
	if (queued > 0)
		deliver_kick(sv->deliver);
	if (outbox_depth(sv->r, sv->cf, &email, &sms, &cause) != 0) {
		server_lost(sv, cause);
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
			server_lost(sv, cause);
		else if (rc > 0) {
			log_info("re-reading %zu pending entries", batch.n);
			server_handle(sv, &batch);
		}
		return;
	}
	if (clock_ms() >= sv->next_claim && !sv->reading) {
		server_claim(sv);
		if (sv->r != NULL)
			server_next_due(sv);
		return;
	}
	if (!sv->reading && server_full(sv)) {
		if (sv->r != NULL)
			server_wait(-1, 1000);
		return;
	}
	if (sv->next_due != 0 && clock_now() >= sv->next_due &&
	    sv->caught_up && !sv->reading && clock_ms() >= sv->release_after) {
		server_release(sv);
		deliver_kick(sv->deliver);
		return;
	}
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
	backoff_init(&sv.bo, 100, cf->redis_retry_max_ms);
	backoff_init(&sv.release_bo, 1000, 60000);
	signals_init();
	metrics_start(clock_now());
	server_divisions(cf);
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
			server_reconfigure(&sv);
			continue;
		}
		if (sv.r == NULL) {
			if (server_connect(&sv) != 0)
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
	stream_free(sv.s);
	generation_drop(sv.gen);
	free(sv.last_cause);
	return rc;
}
