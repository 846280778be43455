/*
 * ask.c - the questions that fall due: asked, not asked, or closed
 *
 * One step on a question is: WATCH its record and its SR's state and
 * read both (pipelined), let question_due() decide, then write its
 * record, its due entry, the feedback notice for the outbox, the
 * phone's latest question and the decisions in one transaction (txn.h).
 * A question the step finds over (a record gone, or closed already)
 * only loses its due entry. ask.h says what each step does.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ask.h"
#include "askqueue.h"
#include "audit.h"
#include "config.h"
#include "decision.h"
#include "event.h"
#include "log.h"
#include "notice.h"
#include "outbox.h"
#include "question.h"
#include "redis.h"
#include "rediszset.h"
#include "redishash.h"
#include "srhash.h"
#include "srstate.h"
#include "txn.h"
#include "xmalloc.h"

/* How often a step is tried when other daemons keep changing it. */
#define ASK_ATTEMPTS	20
/* How long a question's record outlives its answer_by, in days. */
#define ASK_KEEP_DAYS	7

/* One step on a question: what was read, and what was decided. */
struct ask_step {
	struct question		*q;	/* NULL: no record */
	struct srstate		*st;	/* NULL: the SR is not kept */
	struct decision_list	 dl;
	struct notice		*n;	/* the feedback notice, if asked */
};

/*
 * WATCH question id's record and its SR's state and read them into s.
 * Returns 0 or -1 with *cause.
 */
static int
ask_load(const struct config *cf, struct redis *r, const char *id,
    struct ask_step *s, char **cause)
{
	struct redis_reply	*reply[3] = { NULL, NULL, NULL };
	const char		*argv[3];
	char			*qkey, *skey, **f, sr[65], *warning = NULL;
	size_t			 i, n;
	int			 rc = -1;

	if (!question_id_ok(id, sr))
		return 0;	/* no question: its entry goes */
	qkey = question_key(cf, id);
	skey = srstate_key(cf, sr);
	argv[0] = "WATCH";
	argv[1] = qkey;
	argv[2] = skey;
	redis_pipe_argv(r, 3, argv, NULL);
	argv[0] = "HGETALL";
	redis_pipe_argv(r, 2, argv, NULL);
	argv[1] = skey;
	redis_pipe_argv(r, 2, argv, NULL);
	for (i = 0; i < 3; i++) {
		if ((reply[i] = redis_pipe_reply(r, cause)) == NULL)
			goto fail;
	}
	if (reply[0]->type == REDIS_TYPE_ERROR ||
	    reply[1]->type != REDIS_TYPE_ARRAY ||
	    reply[2]->type != REDIS_TYPE_ARRAY) {
		if (cause != NULL)
			*cause = xasprintf("question %s: %s", id,
			    reply[0]->str != NULL ? reply[0]->str :
			    "unexpected reply");
		goto fail;
	}
	f = redishash_pairs(reply[1], &n);
	s->q = question_new(id);
	if (question_decode(s->q, f, n) != 0 || strcmp(s->q->sr, sr) != 0) {
		question_free(s->q);
		s->q = NULL;
	}
	free(f);
	f = redishash_pairs(reply[2], &n);
	if (n > 0) {
		s->st = srstate_new(sr);
		if (srhash_decode(s->st, f, n, &warning) != 0) {
			log_warn("%s", warning);
			free(warning);
		}
	}
	free(f);
	rc = 0;
fail:
	for (i = 0; i < 3; i++)
		redis_reply_free(reply[i]);
	free(skey);
	free(qkey);
	return rc;
}

/* Queue the question's due entry at when, or its removal (when 0). */
static void
ask_queue_due(struct txn *tx, const struct config *cf, const char *id,
    int64_t when)
{
	const char	*argv[4];
	char		*key, at[32];

	key = question_due_key(cf);
	snprintf(at, sizeof at, "%lld", (long long)when);
	argv[0] = when != 0 ? "ZADD" : "ZREM";
	argv[1] = key;
	argv[2] = when != 0 ? at : id;
	argv[3] = id;
	txn_queue(tx, when != 0 ? 4 : 3, argv);
	free(key);
}

/*
 * Queue what asking q writes besides its record: the notification, the
 * phone's latest question, the record's life.
 */
static void
ask_queue_asked(struct txn *tx, const struct config *cf,
    const struct question *q, const struct notice *n, int64_t now)
{
	const char	*argv[5];
	char		*key, ms[32], ttl[32];

	outbox_queue_as(tx, cf, n, q->message, now);
	key = question_key(cf, q->id);
	snprintf(ttl, sizeof ttl, "%lld", (long long)((q->answer_by - now) /
	    1000 + ASK_KEEP_DAYS * 86400));
	argv[0] = "EXPIRE";
	argv[1] = key;
	argv[2] = ttl;
	txn_queue(tx, 3, argv);
	free(key);
	if (q->channel != EVENT_CHANNEL_SMS)
		return;
	key = question_phone_key(cf, q->to);
	snprintf(ms, sizeof ms, "%lld", (long long)(q->answer_by - now));
	argv[0] = "SET";
	argv[1] = key;
	argv[2] = q->id;
	argv[3] = "PX";
	argv[4] = ms;
	txn_queue(tx, 5, argv);
	free(key);
}

/* Queue what the step decided about question id. */
static void
ask_queue(struct txn *tx, const struct config *cf, const char *id,
    struct ask_step *s, enum question_step step, int64_t now)
{
	struct question	*q = s->q;

	switch (step) {
	case QUESTION_STEP_NONE:
		askqueue_record(tx, cf, q);
		ask_queue_due(tx, cf, id, q->state == QUESTION_WAITING ?
		    q->due : q->answer_by);
		break;
	case QUESTION_STEP_ASKED:
		askqueue_record(tx, cf, q);
		ask_queue_asked(tx, cf, q, s->n, now);
		ask_queue_due(tx, cf, id, q->answer_by);
		break;
	case QUESTION_STEP_CANCELLED:
	case QUESTION_STEP_CLOSED:
		askqueue_record(tx, cf, q);
		/* FALLTHROUGH */
	case QUESTION_STEP_DROP:
		ask_queue_due(tx, cf, id, 0);
		break;
	}
	if (q != NULL && s->dl.n > 0)
		audit_queue(tx, cf, q->sr, &s->dl, now);
}

/* Forget what one attempt at a step read and decided. */
static void
ask_forget(struct ask_step *s)
{
	question_free(s->q);
	srstate_free(s->st);
	decision_clear(&s->dl);
	notice_free(s->n);
	memset(s, 0, sizeof *s);
}

/*
 * Act on question id at now. Returns 1 if it was asked, 0 if acted on
 * otherwise (or another closeloopd did), -1 with *cause if Redis failed,
 * -2 with *cause if Redis refused the step.
 */
static int
ask_one(const struct config *cf, struct redis *r, const char *id,
    int64_t now, char **cause)
{
	struct ask_step		 s;
	struct txn		 tx;
	enum question_step	 step;
	size_t			 i;
	int			 attempt, rc = 0;

	memset(&s, 0, sizeof s);
	for (attempt = 0; attempt < ASK_ATTEMPTS; attempt++) {
		if (ask_load(cf, r, id, &s, cause) != 0)
			return -1;
		step = s.q == NULL ? QUESTION_STEP_DROP :
		    question_due(cf, s.q, s.st, now, &s.dl, &s.n);
		txn_begin(&tx, r);
		ask_queue(&tx, cf, id, &s, step, now);
		if ((rc = txn_exec(&tx, id, cause)) == 1) {
			for (i = 0; i < s.dl.n; i++)
				decision_log(s.q->sr, &s.dl.list[i]);
			rc = step == QUESTION_STEP_ASKED;
			break;
		}
		if (rc < 0) {
			rc = tx.refused ? -2 : -1;
			break;
		}
		log_debug("question %s changed by another closeloopd; trying "
		    "again", id);
		ask_forget(&s);
	}
	ask_forget(&s);
	return rc;
}

/* Learn when the next question falls due. */
int
ask_next_due(const struct config *cf, struct redis *r, int64_t *at,
    char **cause)
{
	char	*key;
	int	 rc;

	key = question_due_key(cf);
	rc = rediszset_head(r, key, at, cause);
	free(key);
	return rc;
}

/* Act on the questions due. */
int
ask_run(const struct config *cf, struct redis *r, int64_t now, size_t max,
    size_t *asked, char **cause)
{
	struct redis_reply	*reply;
	char			*key, *why;
	size_t			 i;
	int			 n = 0, rc;

	*asked = 0;
	key = question_due_key(cf);
	reply = rediszset_due(r, key, now, max, "the questions due", cause);
	free(key);
	if (reply == NULL)
		return -1;
	for (i = 0; i < reply->elements; i++) {
		why = NULL;
		rc = ask_one(cf, r, reply->element[i]->str, now, &why);
		if (rc == -2) {
			log_err("question %s: %s; it stays due and is tried "
			    "again later", reply->element[i]->str, why);
			free(why);
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
		*asked += rc;
		n++;
	}
	redis_reply_free(reply);
	return n;
}
