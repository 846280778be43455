/*
 * testnotice.c - a notice to two recipients, queued in the outbox
 *
 * The notice is built field by field, as the policy would leave it, and
 * queued with outbox_queue() inside a transaction (txn.h), as the
 * decision's step does; claimed with claim_take() and finished with
 * outcome_write(), as a worker does.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "channel.h"
#include "claim.h"
#include "event.h"
#include "notice.h"
#include "outbox.h"
#include "outcome.h"
#include "testnotice.h"
#include "testredis.h"
#include "txn.h"
#include "xmalloc.h"

/* Make the notice to ana@example.org and +14165550100. */
struct notice *
testnotice_new(void)
{
	struct notice	*n;

	n = xcalloc(1, sizeof *n);
	n->id = xstrdup("2026-7/3");
	n->sr = xstrdup("2026-7");
	n->notice = VOCAB_NOTICE_COMPLETED;
	n->division = xstrdup("TS");
	n->note = xstrdup("Pothole filled.");
	n->events = xstrdup("e1 e2");
	n->nto = 2;
	n->to = xcalloc(2, sizeof *n->to);
	n->to[0].channel = EVENT_CHANNEL_EMAIL;
	n->to[0].address = xstrdup("ana@example.org");
	n->to[1].channel = EVENT_CHANNEL_SMS;
	n->to[1].address = xstrdup("+14165550100");
	n->to[1].locale = xstrdup("fr");
	return n;
}

/* Queue the notice for both recipients. */
void
testnotice_queue(struct redis *r, const struct config *cf,
    const struct notice *n, int64_t now)
{
	struct txn	 tx;
	char		*cause = NULL;

	txn_begin(&tx, r);
	outbox_queue(&tx, cf, n, 0, NULL, now);
	outbox_queue(&tx, cf, n, 1, NULL, now);
	assert_int_equal(txn_exec(&tx, n->sr, &cause), 1);
}

/* Queue the notice as another notice, to another address. */
void
testnotice_queue_as(struct redis *r, const struct config *cf, const char *sr,
    int seq, const char *email, int64_t now)
{
	struct notice	*n;

	n = testnotice_new();
	free(n->id);
	free(n->sr);
	free(n->to[0].address);
	n->id = xasprintf("%s/%d", sr, seq);
	n->sr = xstrdup(sr);
	n->to[0].address = xstrdup(email);
	testnotice_queue(r, cf, n, now);
	notice_free(n);
}

/* Return a field of a notification's record. */
char *
testnotice_field(struct redis *r, const struct config *cf, const char *id,
    const char *field)
{
	char	*key, *v;

	key = outbox_key(cf, id);
	v = testredis_hget(r, key, field);
	free(key);
	return v;
}

/* Assert a field of a notification's record. */
void
testnotice_field_is(struct redis *r, const struct config *cf, const char *id,
    const char *field, const char *want)
{
	char	*v = testnotice_field(r, cf, id, field);

	if (want == NULL && v != NULL)
		fail_msg("%s: %s is \"%s\"", id, field, v);
	if (want != NULL && v == NULL)
		fail_msg("%s: no %s (want \"%s\")", id, field, want);
	if (want != NULL && strcmp(v, want) != 0)
		fail_msg("%s: %s is \"%s\", not \"%s\"", id, field, v,
		    want);
	free(v);
}

/* Claim the due notifications of a channel. */
struct outbox_item **
testnotice_claim(struct redis *r, const struct config *cf, int channel,
    int64_t now, size_t want)
{
	struct outbox_item	**items;
	char			 *cause = NULL;
	size_t			  n;
	int64_t			  next;

	if (claim_take(r, cf, channel, "me", now, 10, &items, &n, &next,
	    &cause) != 0)
		fail_msg("claim_take: %s", cause);
	assert_int_equal(n, want);
	return items;
}

/* Free claimed notifications. */
void
testnotice_items_free(struct outbox_item **items, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		outbox_item_free(items[i]);
	free(items);
}

/* Write the outcome of a claimed notification. */
void
testnotice_outcome(struct redis *r, const struct config *cf,
    const struct outbox_item *it, enum send_status status,
    const char *version, int64_t now)
{
	struct outcome_content	 content;
	struct send_result	 res;
	char			*cause = NULL;

	memset(&content, 0, sizeof content);
	content.version = version;
	memset(&res, 0, sizeof res);
	channel_result(&res, status, status == SEND_OK ? "250 2.0.0 Ok" :
	    status == SEND_TEMPFAIL ? "451 4.3.0 try later" :
	    "550 5.1.1 no such user");
	if (outcome_write(r, cf, it, &res, version != NULL ? &content : NULL,
	    0, now, &cause) != 0)
		fail_msg("outcome_write: %s", cause);
	channel_result_clear(&res);
}
