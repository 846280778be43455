/*
 * store.c - SR state in Redis, changed atomically with what it decides
 *
 * One step on an SR is: WATCH its keys and read them (pipelined), decide
 * in C, then queue MULTI, every write (txn.c) and EXEC in one pipeline.
 * EXEC answers nil when a watched key changed since the WATCH - another
 * closeloopd got there first - and the step starts again on what that
 * one wrote. Keys are listed in store.h.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commit.h"
#include "config.h"
#include "decision.h"
#include "event.h"
#include "log.h"
#include "notice.h"
#include "policy.h"
#include "redis.h"
#include "rediszset.h"
#include "redishash.h"
#include "srhash.h"
#include "srstate.h"
#include "store.h"
#include "txn.h"
#include "xmalloc.h"

/* How often a step is tried when other daemons keep changing the SR. */
#define STORE_ATTEMPTS	50

/* Queue WATCH of an SR's state (and seenkey, if not NULL) and its reads. */
static void
store_load_queue(const struct config *cf, struct redis *r, const char *sr,
    const char *seenkey)
{
	const char	*argv[3];
	char		*key;

	key = srstate_key(cf, sr);
	argv[0] = "WATCH";
	argv[1] = key;
	argv[2] = seenkey;
	redis_pipe_argv(r, seenkey != NULL ? 3 : 2, argv, NULL);
	if (seenkey != NULL) {
		argv[0] = "GET";
		argv[1] = seenkey;
		redis_pipe_argv(r, 2, argv, NULL);
	}
	argv[0] = "HGETALL";
	argv[1] = key;
	redis_pipe_argv(r, 2, argv, NULL);
	free(key);
}

/*
 * Read the replies of store_load_queue(). Sets *stp to the state and
 * *seen to the stream ID that first carried the event, or NULL. Returns
 * 0 or -1 with *cause; every reply is read either way, while Redis
 * answers.
 */
static int
store_load_read(struct redis *r, const char *sr, const char *seenkey,
    struct srstate **stp, char **seen, char **cause)
{
	struct redis_reply	*reply[3] = { NULL, NULL, NULL };
	char			**fields = NULL, *warning = NULL;
	size_t			 i, n = 0, nreply = seenkey != NULL ? 3 : 2;
	int			 rc = -1;

	*stp = NULL;
	*seen = NULL;
	for (i = 0; i < nreply; i++) {
		if ((reply[i] = redis_pipe_reply(r, cause)) == NULL)
			goto fail;
	}
	if (reply[0]->type == REDIS_TYPE_ERROR) {
		if (cause != NULL)
			*cause = xasprintf("WATCH of SR %s: %s", sr,
			    reply[0]->str);
		goto fail;
	}
	if (seenkey != NULL && reply[1]->type == REDIS_TYPE_STRING)
		*seen = xstrdup(reply[1]->str);
	i = nreply - 1;
	if (reply[i]->type != REDIS_TYPE_ARRAY) {
		if (cause != NULL)
			*cause = xasprintf("HGETALL of SR %s: %s", sr,
			    reply[i]->str != NULL ? reply[i]->str :
			    "unexpected reply");
		goto fail;
	}
	fields = redishash_pairs(reply[i], &n);
	*stp = srstate_new(sr);
	if (srhash_decode(*stp, fields, n, &warning) != 0) {
		log_warn("%s", warning);
		free(warning);
	}
	rc = 0;
fail:
	free(fields);
	for (i = 0; i < 3; i++)
		redis_reply_free(reply[i]);
	return rc;
}

/*
 * WATCH an SR's state (and a dedupe key, if not NULL) and read them, as
 * store_load_read() says. Returns 0 or -1 with *cause.
 */
static int
store_load(const struct config *cf, struct redis *r, const char *sr,
    const char *seenkey, struct srstate **stp, char **seen, char **cause)
{
	store_load_queue(cf, r, sr, seenkey);
	return store_load_read(r, sr, seenkey, stp, seen, cause);
}

/* Log what was decided once it is committed. */
static void
store_log(const char *sr, const struct policy_result *res)
{
	size_t	i;

	for (i = 0; i < res->decisions.n; i++)
		decision_log(sr, &res->decisions.list[i]);
}

/*
 * One attempt at a step on an SR: its state and what was decided, and
 * the original SR that a duplicate's step follows (res.follow) with what
 * following it decided there. Start from all zeros.
 */
struct store_step {
	struct srstate		*st;
	struct policy_result	 res;
	struct srstate		*fst;	/* the original followed, or NULL */
	struct policy_result	 fres;
};

/*
 * Finish the transaction tx of a step on SR sr: load under WATCH the
 * original SR the step follows, if any, and subscribe the duplicate's
 * recipients to it (policy_follow()), queue what that writes, and send
 * it all. Returns what txn_exec() does, with STORE_REFUSED for a
 * refusal; -1 with *cause (nothing sent) if the original cannot be read.
 */
static int
store_commit(const struct config *cf, struct redis *r, const char *sr,
    struct txn *tx, struct store_step *s, int64_t now, char **cause)
{
	char	*seen = NULL;
	int	 rc;

	if (s->res.follow != NULL && s->res.notice != NULL &&
	    strcmp(s->res.follow, sr) != 0) {
		if (store_load(cf, r, s->res.follow, NULL, &s->fst, &seen,
		    cause) != 0) {
			txn_abort(tx);
			return -1;
		}
		policy_follow(s->fst, s->res.notice, &s->fres);
		commit_result(tx, cf, s->fst, &s->fres, now);
	}
	rc = txn_exec(tx, sr, cause);
	return rc < 0 && tx->refused ? STORE_REFUSED : rc;
}

/* Forget what one attempt at a step decided. */
static void
store_forget(struct store_step *s)
{
	policy_result_clear(&s->res);
	policy_result_clear(&s->fres);
	srstate_free(s->st);
	srstate_free(s->fst);
	s->st = s->fst = NULL;
}

/*
 * End a step on SR sr that ended with rc after attempt attempts: log
 * what it decided if it committed, say why if it lost every race, and
 * forget it.
 */
static void
store_done(const char *sr, struct store_step *s, int rc, int attempt,
    char **cause)
{
	if (rc == 1) {
		store_log(sr, &s->res);
		if (s->fst != NULL)
			store_log(s->fst->sr, &s->fres);
	}
	if (rc == -1 && attempt == STORE_ATTEMPTS && cause != NULL)
		*cause = xasprintf("SR %s: changed by other closeloopd "
		    "processes %d times in a row", sr, STORE_ATTEMPTS);
	store_forget(s);
}

/* Acknowledge a duplicate event and count it. */
static int
store_duplicate(const struct config *cf, struct redis *r,
    const char *stream_key, const struct event *ev, const char *seen,
    char **cause)
{
	struct redis_reply	*reply;
	const char		*argv[4];
	char			*stats;
	int			 i, rc = 0;

	stats = xasprintf("%sstats", cf->redis_prefix);
	argv[0] = "UNWATCH";
	redis_pipe_argv(r, 1, argv, NULL);
	argv[0] = "XACK";
	argv[1] = stream_key;
	argv[2] = cf->redis_group;
	argv[3] = ev->source_id;
	redis_pipe_argv(r, 4, argv, NULL);
	argv[0] = "HINCRBY";
	argv[1] = stats;
	argv[2] = "duplicate";
	argv[3] = "1";
	redis_pipe_argv(r, 4, argv, NULL);
	for (i = 0; i < 3; i++) {
		if ((reply = redis_pipe_reply(r, cause)) == NULL)
			rc = -1;
		redis_reply_free(reply);
		if (rc != 0)
			break;
	}
	free(stats);
	if (rc == 0)
		log_info("dropped %s: event %s was already received in %s",
		    ev->source_id, ev->event_id, seen);
	return rc;
}

/* Apply a validated event. */
int
store_event(const struct config *cf, struct redis *r, const char *stream_key,
    const struct event *ev, int64_t now, char **cause)
{
	struct store_step	 s;
	struct txn		 tx;
	char			*seenkey, *seen = NULL;
	int			 attempt, rc = -1;

	memset(&s, 0, sizeof s);
	seenkey = xasprintf("%sseen:%s", cf->redis_prefix, ev->event_id);
	for (attempt = 0; attempt < STORE_ATTEMPTS; attempt++) {
		if (store_load(cf, r, ev->sr, seenkey, &s.st, &seen,
		    cause) != 0)
			break;
		if (seen != NULL) {
			rc = store_duplicate(cf, r, stream_key, ev, seen,
			    cause) == 0 ? 0 : -1;
			break;
		}
		policy_event(cf, s.st, ev, now, &s.res);
		txn_begin(&tx, r);
		commit_event(&tx, cf, stream_key, ev, seenkey, s.st, &s.res,
		    now);
		if ((rc = store_commit(cf, r, ev->sr, &tx, &s, now,
		    cause)) != 0)
			break;
		log_debug("SR %s changed by another closeloopd; trying %s "
		    "again", ev->sr, ev->source_id);
		store_forget(&s);
		rc = -1;
	}
	store_done(ev->sr, &s, rc, attempt, cause);
	free(seen);
	free(seenkey);
	return rc;
}

/* Return 1 if ev cannot join evs: it touches an SR or an id they do. */
int
store_conflict(struct event *const *evs, size_t n, const struct event *ev)
{
	const struct event	*o;
	size_t			 i;

	for (i = 0; i < n; i++) {
		o = evs[i];
		if (strcmp(o->sr, ev->sr) == 0 ||
		    strcmp(o->event_id, ev->event_id) == 0)
			return 1;
		if (o->duplicate_of != NULL &&
		    (strcmp(o->duplicate_of, ev->sr) == 0 ||
		    (ev->duplicate_of != NULL &&
		    strcmp(o->duplicate_of, ev->duplicate_of) == 0)))
			return 1;
		if (ev->duplicate_of != NULL &&
		    strcmp(ev->duplicate_of, o->sr) == 0)
			return 1;
	}
	return 0;
}

/* What store_events() knows of one event of the run. */
struct store_one {
	char			*seenkey;
	char			*seen;
	struct srstate		*st;
	struct policy_result	 res;
};

/*
 * Read the run's SRs in one pipeline, then queue and EXEC what every
 * event not seen before decides. Returns 1 if it committed (rcs[i] set
 * for those events), 0 if a watched key changed or Redis refused the run
 * (nothing was written either way), -1 with *cause.
 */
static int
store_run(const struct config *cf, struct redis *r, const char *stream_key,
    struct event *const *evs, size_t n, int64_t now, struct store_one *one,
    int *rcs, char **cause)
{
	struct txn	 tx;
	size_t		 i, fresh = 0;
	int		 rc = 0;

	for (i = 0; i < n; i++)
		store_load_queue(cf, r, evs[i]->sr, one[i].seenkey);
	for (i = 0; i < n; i++) {
		if (store_load_read(r, evs[i]->sr, one[i].seenkey, &one[i].st,
		    &one[i].seen, rc == 0 ? cause : NULL) != 0)
			rc = -1;
	}
	if (rc != 0) {
		redis_unwatch(r);
		return -1;
	}
	txn_begin(&tx, r);
	for (i = 0; i < n; i++) {
		if (one[i].seen != NULL)
			continue;
		policy_event(cf, one[i].st, evs[i], now, &one[i].res);
		if (one[i].res.follow != NULL) {
			/* It writes another SR too: one by one. */
			txn_abort(&tx);
			redis_unwatch(r);
			return 0;
		}
		commit_event(&tx, cf, stream_key, evs[i], one[i].seenkey,
		    one[i].st, &one[i].res, now);
		fresh++;
	}
	rc = txn_exec(&tx, fresh > 0 ? evs[0]->sr : "(none)", cause);
	if (rc < 0 && tx.refused) {
		/* One of them, by itself, will say which. */
		log_debug("a run of %zu events was refused (%s); applying them "
		    "one by one", n, *cause);
		free(*cause);
		*cause = NULL;
		return 0;
	}
	if (rc != 1)
		return rc;
	for (i = 0; i < n; i++) {
		if (one[i].seen == NULL) {
			store_log(evs[i]->sr, &one[i].res);
			rcs[i] = 1;
		}
	}
	return 1;
}

/* Apply a run of events: two round trips, or one by one on a race. */
int
store_events(const struct config *cf, struct redis *r, const char *stream_key,
    struct event *const *evs, size_t n, int64_t now, int *rcs, char **why,
    char **cause)
{
	struct store_one	*one;
	size_t			 i;
	int			 rc;

	one = xcalloc(n, sizeof *one);
	for (i = 0; i < n; i++) {
		rcs[i] = -1;
		why[i] = NULL;
		one[i].seenkey = xasprintf("%sseen:%s", cf->redis_prefix,
		    evs[i]->event_id);
	}
	rc = store_run(cf, r, stream_key, evs, n, now, one, rcs, cause);
	for (i = 0; i < n && rc >= 0; i++) {
		if (rc == 1 && one[i].seen == NULL)
			continue;
		if (rc == 1)	/* seen before: acknowledge and count it */
			rcs[i] = store_duplicate(cf, r, stream_key, evs[i],
			    one[i].seen, cause) == 0 ? 0 : -1;
		else	/* a race, or a refusal: one by one */
			rcs[i] = store_event(cf, r, stream_key, evs[i], now,
			    &why[i]);
		if (rcs[i] == -1) {
			if (*cause == NULL)
				*cause = why[i];
			else
				free(why[i]);
			why[i] = NULL;
			rc = -1;
		}
	}
	for (i = 0; i < n; i++) {
		policy_result_clear(&one[i].res);
		srstate_free(one[i].st);
		free(one[i].seen);
		free(one[i].seenkey);
	}
	free(one);
	return rc < 0 ? -1 : 0;
}

/*
 * Release one SR's pending notice if it is due. Returns 1 if released,
 * 0 if not, -1 with *cause if Redis failed, STORE_REFUSED with *cause.
 */
static int
store_release_sr(const struct config *cf, struct redis *r, const char *sr,
    int64_t now, char **cause)
{
	struct store_step	 s;
	struct txn		 tx;
	char			*seen = NULL;
	int			 attempt, released = 0, rc = -1;

	memset(&s, 0, sizeof s);
	for (attempt = 0; attempt < STORE_ATTEMPTS; attempt++) {
		if (store_load(cf, r, sr, NULL, &s.st, &seen, cause) != 0)
			break;
		released = policy_release(cf, s.st, now, &s.res);
		txn_begin(&tx, r);
		if (released)
			commit_result(&tx, cf, s.st, &s.res, now);
		else	/* the index was stale: only it changes */
			commit_due(&tx, cf, s.st);
		if ((rc = store_commit(cf, r, sr, &tx, &s, now, cause)) != 0)
			break;
		store_forget(&s);
		rc = -1;
	}
	store_done(sr, &s, rc, attempt, cause);
	return rc < 0 ? rc : released;
}

/*
 * Release the SRs of index name ("due" or "late") due at now, at most
 * max, as store_release() does.
 */
static int
store_release_index(const struct config *cf, struct redis *r,
    const char *name, int64_t now, size_t max, size_t *refused,
    char **cause)
{
	struct redis_reply	*reply;
	char			*key, *what, *why;
	size_t			 i;
	int			 n = 0, rc;

	key = xasprintf("%s%s", cf->redis_prefix, name);
	what = xasprintf("the %s SRs", name);
	reply = rediszset_due(r, key, now, max, what, cause);
	free(what);
	free(key);
	if (reply == NULL)
		return -1;
	for (i = 0; i < reply->elements; i++) {
		why = NULL;
		rc = store_release_sr(cf, r, reply->element[i]->str, now,
		    &why);
		if (rc == STORE_REFUSED) {
			log_err("%s; its pending notice stays due and is tried "
			    "again later", why);
			free(why);
			(*refused)++;
			continue;
		}
		if (rc < 0) {
			if (cause != NULL)
				*cause = why;
			else
				free(why);
			n = -1;
			break;
		}
		n += rc;
	}
	redis_reply_free(reply);
	return n;
}

/* Release the pending notices due at now, and check the late SRs. */
int
store_release(const struct config *cf, struct redis *r, int64_t now,
    size_t max, size_t *refused, char **cause)
{
	int	n, late;

	*refused = 0;
	if ((n = store_release_index(cf, r, "due", now, max, refused,
	    cause)) < 0)
		return -1;
	if ((size_t)n >= max)
		return n;
	if ((late = store_release_index(cf, r, "late", now, max - (size_t)n,
	    refused, cause)) < 0)
		return -1;
	return n + late;
}

/* Find when the next pending notice, or late SR, is due. */
int
store_next_due(const struct config *cf, struct redis *r, int64_t *due,
    char **cause)
{
	const char	*names[] = { "due", "late" };
	char		*key;
	int64_t		 at;
	size_t		 i;
	int		 rc;

	*due = 0;
	for (i = 0; i < 2; i++) {
		key = xasprintf("%s%s", cf->redis_prefix, names[i]);
		rc = rediszset_head(r, key, &at, cause);
		free(key);
		if (rc != 0)
			return -1;
		if (at != 0 && (*due == 0 || at < *due))
			*due = at;
	}
	return 0;
}
