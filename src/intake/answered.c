/*
 * answered.c - a resident's answer, recorded in its question and trail
 *
 * One step: WATCH the question's record and read it, let answer_take()
 * decide, then HSET the record and queue the decision answered (the
 * SR's trail, and its daily counts by division and service type) in one
 * transaction. A refused answer (expired, never asked, a comment after
 * "fixed") writes nothing. answered.h says where the answers come from.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "answered.h"
#include "askqueue.h"
#include "audit.h"
#include "config.h"
#include "decision.h"
#include "log.h"
#include "question.h"
#include "redis.h"
#include "redishash.h"
#include "rollup.h"
#include "txn.h"
#include "xmalloc.h"

/* How often a step is tried when other daemons keep changing it. */
#define ANSWERED_ATTEMPTS	20

/*
 * Read question id's record (under the WATCH queued before, if watch)
 * into *q, or NULL if it has none. Returns 0, or -1 with *cause.
 */
static int
answered_read(const struct config *cf, struct redis *r, const char *id,
    int watch, struct question **q, char **cause)
{
	struct redis_reply	*reply[2] = { NULL, NULL };
	const char		*argv[2];
	char			*key, **fields;
	size_t			 i, n = 0;
	int			 rc = -1;

	*q = NULL;
	if (!question_id_ok(id, NULL))
		return 0;
	key = question_key(cf, id);
	argv[0] = "WATCH";
	argv[1] = key;
	if (watch)
		redis_pipe_argv(r, 2, argv, NULL);
	argv[0] = "HGETALL";
	redis_pipe_argv(r, 2, argv, NULL);
	for (i = 0; i < (size_t)(watch ? 2 : 1); i++) {
		if ((reply[i] = redis_pipe_reply(r, cause)) == NULL)
			goto fail;
	}
	i = watch ? 1 : 0;
	if (reply[i]->type != REDIS_TYPE_ARRAY) {
		if (cause != NULL)
			*cause = xasprintf("question %s: %s", id,
			    reply[i]->str != NULL ? reply[i]->str :
			    "unexpected reply");
		goto fail;
	}
	fields = redishash_pairs(reply[i], &n);
	*q = question_new(id);
	if (question_decode(*q, fields, n) != 0) {
		question_free(*q);
		*q = NULL;
	}
	free(fields);
	rc = 0;
fail:
	redis_reply_free(reply[0]);
	redis_reply_free(reply[1]);
	free(key);
	return rc;
}

/* Read a question, without changing it. */
int
answered_question(const struct config *cf, struct redis *r, const char *id,
    struct question **q, char **cause)
{
	return answered_read(cf, r, id, 0, q, cause);
}

/*
 * Queue into tx what taking an answer to q wrote: its record and the
 * decisions of dl; and, if it replaced answer previous given at at,
 * that one taken back off its day's counts, so that each resident's
 * last answer is counted once. The write-back to the CRM (the outbound
 * stream) is to queue here, in this transaction, its entry for the
 * answer, and a reopen request when the answer is not_fixed or partly.
 */
static void
answered_queue(struct txn *tx, const struct config *cf,
    const struct question *q, const struct decision_list *dl,
    enum question_answer previous, int64_t at, int64_t now)
{
	struct decision_list	 old = { NULL, 0 };
	struct decision		*d;

	askqueue_record(tx, cf, q);
	audit_queue(tx, cf, q->sr, dl, now);
	if (previous == QUESTION_NO_ANSWER || at == 0)
		return;
	d = decision_add(&old, DECISION_ANSWERED, NULL, VOCAB_NOTICE_FEEDBACK,
	    q->division, NULL, "replaced");
	decision_set(d, "answer", question_answer_name(previous));
	decision_tag(&old, 0, q->ward, q->service);
	rollup_undo(tx, cf, q->sr, &old, at);
	decision_clear(&old);
}

/* Record an answer. */
int
answered_record(const struct config *cf, struct redis *r, const char *id,
    enum question_answer answer, const char *comment, const char *via,
    int64_t now, struct answered *out, char **cause)
{
	struct decision_list	 dl = { NULL, 0 };
	struct question		*q = NULL;
	struct txn		 tx;
	enum question_answer	 previous;
	int64_t			 at;
	int			 attempt, rc = -1;

	memset(out, 0, sizeof *out);
	for (attempt = 0; attempt < ANSWERED_ATTEMPTS; attempt++) {
		if (answered_read(cf, r, id, 1, &q, cause) != 0)
			break;
		if (q == NULL) {
			redis_unwatch(r);
			rc = 0;
			break;
		}
		out->found = 1;
		at = q->answered_at;
		out->refusal = answer_take(q, answer, comment, via, now, &dl,
		    &previous);
		if (out->refusal != ANSWER_TAKEN) {
			redis_unwatch(r);
			rc = 0;
			break;
		}
		txn_begin(&tx, r);
		answered_queue(&tx, cf, q, &dl, previous, at, now);
		if ((rc = txn_exec(&tx, q->sr, cause)) != 0)
			break;
		decision_clear(&dl);
		question_free(q);
		q = NULL;
		rc = -1;
	}
	if (rc == 1 && dl.n > 0)
		decision_log(q->sr, &dl.list[0]);
	if (q != NULL) {
		out->answer = q->answer;
		out->sr = xstrdup(q->sr);
		out->locale = q->locale != NULL ? xstrdup(q->locale) : NULL;
	}
	if (rc == -1 && attempt == ANSWERED_ATTEMPTS && cause != NULL)
		*cause = xasprintf("question %s: changed by others %d times "
		    "in a row", id, ANSWERED_ATTEMPTS);
	decision_clear(&dl);
	question_free(q);
	return rc < 0 ? -1 : 0;
}

/* Free what an answered holds. */
void
answered_clear(struct answered *a)
{
	free(a->sr);
	free(a->locale);
	memset(a, 0, sizeof *a);
}

/* Find the question a phone was last asked. */
int
answered_phone(const struct config *cf, struct redis *r, const char *phone,
    char **id, char **cause)
{
	struct redis_reply	*reply;
	char			*key;

	*id = NULL;
	key = question_phone_key(cf, phone);
	reply = redis_command(r, cause, "GET %s", key);
	free(key);
	if (reply == NULL)
		return -1;
	if (reply->type == REDIS_TYPE_STRING && reply->str != NULL)
		*id = xstrdup(reply->str);
	else if (reply->type != REDIS_TYPE_NIL) {
		if (cause != NULL)
			*cause = xasprintf("the phone's question: %s",
			    reply->str != NULL ? reply->str :
			    "unexpected reply");
		redis_reply_free(reply);
		return -1;
	}
	redis_reply_free(reply);
	return 0;
}
