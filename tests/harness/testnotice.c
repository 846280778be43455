/*
 * testnotice.c - a notice to two recipients, queued in the outbox
 *
 * The notice is built field by field, as the policy would leave it, and
 * queued with outbox_queue() inside a transaction (txn.h), as the
 * decision's step does.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "event.h"
#include "notice.h"
#include "outbox.h"
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
