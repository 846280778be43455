/*
 * askqueue.c - a question scheduled when a completion is sent
 *
 * What askqueue.h says, written into the transaction of the outcome
 * sent (outcome.c): the question's record, whole if there is none yet
 * (txn.h's HSETNEW), and its entry in the due set with ZADD NX, so that
 * the first of a resident's contacts to be sent wins and a later one, or
 * the same outcome written twice, changes nothing. The record lives
 * until its question closes, and some days more (ASKQUEUE_KEEP_DAYS).
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "askqueue.h"
#include "config.h"
#include "division.h"
#include "feedback.h"
#include "notice.h"
#include "outbox.h"
#include "question.h"
#include "retry.h"
#include "srstate.h"
#include "txn.h"
#include "xmalloc.h"

/* How long a question's record outlives its last answer, in days. */
#define ASKQUEUE_KEEP_DAYS	7

/* Queue cmd (HSET or HSETNEW) of a question's fields into its record. */
static void
askqueue_hash(struct txn *tx, const char *cmd, const char *key,
    const struct question *q)
{
	const char	**argv;
	char		**f;
	size_t		  i, n;

	f = question_encode(q, &n);
	argv = xcalloc(2 + 2 * n, sizeof *argv);
	argv[0] = cmd;
	argv[1] = key;
	for (i = 0; i < 2 * n; i++)
		argv[2 + i] = f[i];
	txn_queue(tx, (int)(2 + 2 * n), argv);
	free(argv);
	question_encode_free(f, n);
}

/* Queue the question a sent completion schedules. */
int
askqueue_sent(struct txn *tx, const struct config *cf,
    const struct outbox_item *it, int64_t now)
{
	const struct division	*dv = NULL;
	const struct notice	*n = it->notice;
	const char		*argv[5], *resident, *notice_id, *closed;
	struct question		*q;
	char			*id, *key, *dkey, when[32], ttl[32];
	int64_t			 after;

	resident = outbox_field(it, "resident");
	notice_id = outbox_field(it, "notice_id");
	if (n == NULL || n->notice != VOCAB_NOTICE_COMPLETED ||
	    resident == NULL || notice_id == NULL ||
	    outbox_field(it, "resend_of") != NULL)
		return 0;
	if (n->division != NULL)
		dv = division_find(cf->divisions, cf->ndivisions, n->division);
	if (!feedback_when(&cf->feedback, dv != NULL ? &dv->feedback : NULL,
	    n->service, &after))
		return 0;
	id = question_id(notice_id, resident);
	if (!question_id_ok(id, NULL)) {
		free(id);
		return 0;
	}
	q = question_new(id);
	q->sr = xstrdup(n->sr);
	q->channel = it->channel;
	q->to = xstrdup(n->to[0].address);
	if (n->to[0].locale != NULL)
		q->locale = xstrdup(n->to[0].locale);
	srstate_set(&q->division, n->division);
	srstate_set(&q->service, n->service);
	srstate_set(&q->ward, n->ward);
	q->completion = xstrdup(it->id);
	if ((closed = outbox_field(it, "closed_at")) != NULL)
		q->closed_at = strtoll(closed, NULL, 10);
	q->state = QUESTION_WAITING;
	q->due = retry_due(cf, it->channel, now + after * 1000);

	key = question_key(cf, id);
	askqueue_hash(tx, "HSETNEW", key, q);
	snprintf(ttl, sizeof ttl, "%lld", (long long)(after +
	    (cf->feedback_answer_days + ASKQUEUE_KEEP_DAYS) * 86400));
	argv[0] = "EXPIRE";
	argv[1] = key;
	argv[2] = ttl;
	txn_queue(tx, 3, argv);
	dkey = question_due_key(cf);
	snprintf(when, sizeof when, "%lld", (long long)q->due);
	argv[0] = "ZADD";
	argv[1] = dkey;
	argv[2] = "NX";
	argv[3] = when;
	argv[4] = id;
	txn_queue(tx, 5, argv);
	free(dkey);
	free(key);
	free(id);
	question_free(q);
	return 1;
}

/* Queue the whole record of a question. */
void
askqueue_record(struct txn *tx, const struct config *cf,
    const struct question *q)
{
	const char	*argv[3];
	char		*key;

	key = question_key(cf, q->id);
	askqueue_hash(tx, "HSET", key, q);
	if (q->comment == NULL) {	/* an answer without one replaced */
		argv[0] = "HDEL";
		argv[1] = key;
		argv[2] = "comment";
		txn_queue(tx, 3, argv);
	}
	free(key);
}
