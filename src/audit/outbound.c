/*
 * outbound.c - the write-back to the CRM: what residents were told
 *
 * A decision becomes an outbound entry if a row of outbound_kinds names
 * its kind and either its rule or no rule: every matching row makes one
 * entry, so that one decision may report two things (an answer, and the
 * reopening it asks for). The entry's fields are the decision's own
 * (notice, division, rule, events, recipients) and the extra fields
 * outbound_fields lists, copied under their names; contacts are masked
 * once more on the way out, although the decisions carry them masked
 * already, so that a full address can never reach the CRM through this
 * stream. Each entry is one XADD in the caller's transaction: no extra
 * round trip, and nothing written if the transaction does not commit.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "decision.h"
#include "log.h"
#include "outbound.h"
#include "txn.h"
#include "vocab.h"

/*
 * Which decisions the CRM is told of, and as what: a row matches a
 * decision of its kind with its rule (NULL: any rule, or none) and, for
 * an answer, its answer (NULL: any).
 */
static const struct outbound_kind {
	enum decision_kind	 kind;
	const char		*rule;
	const char		*answer;
	const char		*type;
} outbound_kinds[] = {
	{ DECISION_QUEUED,	 NULL,	NULL,		"queued" },
	{ DECISION_SENT,	 NULL,	NULL,		"sent" },
	{ DECISION_DELIVERED,	 NULL,	NULL,		"delivered" },
	{ DECISION_UNDELIVERED,	 NULL,	NULL,		"undelivered" },
	{ DECISION_FAILED,	 NULL,	NULL,		"failed" },
	{ DECISION_DEAD,	 NULL,	NULL,		"dead" },
	{ DECISION_BOUNCED,	 NULL,	NULL,		"bounced" },
	{ DECISION_COMPLAINED,	 NULL,	NULL,		"complained" },
	{ DECISION_UNSUBSCRIBED, NULL,	NULL,		"unsubscribed" },
	{ DECISION_SUPPRESSED,	 "unsubscribed", NULL,	"suppressed" },
	{ DECISION_SUPPRESSED,	 "suppressed_address", NULL, "suppressed" },
	{ DECISION_SUPPRESSED,	 "dropped_by_operator", NULL, "suppressed" },
	{ DECISION_SUPPRESSED,	 "stale_event", NULL,	"suppressed" },
	{ DECISION_SUPPRESSED,	 "explicit_transfer", NULL, "suppressed" },
	{ DECISION_SUPPRESSED,	 "implicit_transfer", NULL, "suppressed" },
	{ DECISION_SUPPRESSED,	 "partial_work_order", NULL, "suppressed" },
	{ DECISION_ASKED,	 NULL,	NULL,		"asked" },
	{ DECISION_ANSWERED,	 NULL,	NULL,		"answered" },
	{ DECISION_ANSWERED,	 NULL,	"not_fixed",	"reopen_requested" },
	{ DECISION_ANSWERED,	 NULL,	"partly",	"reopen_requested" },
	{ DECISION_UNANSWERED,	 NULL,	NULL,		"unanswered" },
};

#define OUTBOUND_NKINDS	(sizeof outbound_kinds / sizeof outbound_kinds[0])

/* The decisions' extra fields an entry carries; masked: contacts in it. */
static const struct outbound_field {
	const char	*name;
	int		 masked;
} outbound_fields[] = {
	{ "notice_id",		0 },
	{ "notification",	0 },
	{ "channel",		0 },
	{ "locale",		0 },
	{ "to",			1 },
	{ "template_version",	0 },
	{ "content_sha256",	0 },
	{ "reply",		1 },
	{ "dsn_status",		0 },
	{ "diagnostic",		1 },
	{ "feedback_type",	0 },
	{ "question",		0 },
	{ "answer",		0 },
	{ "previous",		0 },
	{ "comment",		1 },
};

#define OUTBOUND_NFIELDS (sizeof outbound_fields / sizeof outbound_fields[0])

/* XADD key MAXLEN ~ N *, then v type sr at and the other fields. */
#define OUTBOUND_ARGV	(6 + 2 * (9 + OUTBOUND_NFIELDS))

/* Return the n-th outbound type of a decision, or NULL. */
const char *
outbound_type(const struct decision *d, size_t n)
{
	const struct outbound_kind	*k;
	const char			*v;
	size_t				 i;

	for (i = 0; i < OUTBOUND_NKINDS; i++) {
		k = &outbound_kinds[i];
		if (k->kind != d->kind || (k->rule != NULL &&
		    (d->rule == NULL || strcmp(k->rule, d->rule) != 0)))
			continue;
		if (k->answer != NULL && ((v = decision_get(d, "answer")) ==
		    NULL || strcmp(k->answer, v) != 0))
			continue;
		if (n-- == 0)
			return k->type;
	}
	return NULL;
}

/* Append a name and its value to argv if the value is set. */
static void
outbound_put(const char **argv, int *k, const char *name, const char *v)
{
	if (v == NULL || *v == '\0')
		return;
	argv[(*k)++] = name;
	argv[(*k)++] = v;
}

/* Queue one entry of type about decision d. */
static void
outbound_entry(struct txn *tx, const struct config *cf, const char *sr,
    const struct decision *d, const char *type, const char *at)
{
	const char	*argv[OUTBOUND_ARGV], *v;
	char		*masked[OUTBOUND_NFIELDS], max[32], recipients[32];
	size_t		 i, m = 0;
	int		 k = 0;

	snprintf(max, sizeof max, "%lld", (long long)cf->outbound_maxlen);
	argv[k++] = "XADD";
	argv[k++] = cf->outbound_stream;
	argv[k++] = "MAXLEN";
	argv[k++] = "~";
	argv[k++] = max;
	argv[k++] = "*";
	outbound_put(argv, &k, "v", OUTBOUND_VERSION);
	outbound_put(argv, &k, "type", type);
	outbound_put(argv, &k, "sr", sr);
	outbound_put(argv, &k, "at", at);
	outbound_put(argv, &k, "notice", vocab_notice_name(d->notice));
	outbound_put(argv, &k, "division", d->division);
	outbound_put(argv, &k, "rule", d->rule);
	outbound_put(argv, &k, "event_ids", d->events);
	if (d->kind == DECISION_QUEUED) {
		snprintf(recipients, sizeof recipients, "%zu", d->recipients);
		outbound_put(argv, &k, "recipients", recipients);
	}
	for (i = 0; i < OUTBOUND_NFIELDS; i++) {
		if ((v = decision_get(d, outbound_fields[i].name)) == NULL)
			continue;
		if (outbound_fields[i].masked)
			v = masked[m++] = log_mask_reply(v, NULL);
		outbound_put(argv, &k, outbound_fields[i].name, v);
	}
	txn_queue(tx, k, argv);
	while (m > 0)
		free(masked[--m]);
}

/* Queue the outbound entries of a step's decisions. */
void
outbound_queue(struct txn *tx, const struct config *cf, const char *sr,
    const struct decision_list *dl, int64_t now)
{
	const char	*type;
	char		 at[CLOCK_RFC3339_LEN];
	size_t		 i, n;

	if (!cf->outbound_enabled || cf->outbound_stream == NULL)
		return;
	at[0] = '\0';
	for (i = 0; i < dl->n; i++) {
		for (n = 0; (type = outbound_type(&dl->list[i], n)) != NULL;
		    n++) {
			if (at[0] == '\0')
				clock_rfc3339(now, at);
			outbound_entry(tx, cf, sr, &dl->list[i], type, at);
		}
	}
}
