/*
 * decision.c - the record of one decision about an SR
 *
 * In the SR's audit stream a decision is one entry with the fields
 *   at          milliseconds since the epoch
 *   decision    received, queued, held, suppressed, coalesced, flagged,
 *               ignored, subscribed, unsubscribed, sent, dry_run,
 *               deferred, retried, failed, dead, delivered, undelivered,
 *               bounced, complained, measured, asked, answered,
 *               unanswered
 *   rule        the rule that decided it (for suppressions, flags, ...)
 *   notice      the notice concerned
 *   division    the division concerned
 *   events      the event ids behind it, separated by spaces
 *   detail      one sentence for people, with contacts masked
 *   recipients  for queued notices, how many contacts it went to
 * then the extra fields set with decision_set() (audit.h lists them).
 * Fields without a value are left out.
 */
#include "build.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decision.h"
#include "log.h"
#include "xmalloc.h"

static const char *decision_kinds[] = {
	"", "queued", "held", "suppressed", "coalesced", "flagged", "ignored",
	"subscribed", "unsubscribed", "sent", "deferred", "retried", "failed",
	"dead", "received", "dry_run", "delivered", "undelivered", "bounced",
	"complained", "measured", "asked", "answered", "unanswered"
};

#define DECISION_NKINDS (sizeof decision_kinds / sizeof decision_kinds[0])

/* Append a decision to a list. */
struct decision *
decision_add(struct decision_list *dl, enum decision_kind kind,
    const char *rule, enum vocab_notice notice, const char *division,
    const char *events, const char *fmt, ...)
{
	struct decision	*d;
	va_list		 ap;

	dl->list = xreallocarray(dl->list, dl->n + 1, sizeof *dl->list);
	d = &dl->list[dl->n++];
	memset(d, 0, sizeof *d);
	d->kind = kind;
	d->rule = rule;
	d->notice = notice;
	d->division = division != NULL ? xstrdup(division) : NULL;
	d->events = events != NULL ? xstrdup(events) : NULL;
	va_start(ap, fmt);
	d->detail = xvasprintf(fmt, ap);
	va_end(ap);
	return d;
}

/* Add an extra field to a decision. */
void
decision_set(struct decision *d, const char *name, const char *value)
{
	if (value == NULL || *value == '\0' || d->nextra == DECISION_EXTRA_MAX)
		return;
	d->extra_name[d->nextra] = name;
	d->extra_value[d->nextra++] = xstrdup(value);
}

/* Give the decisions from the from-th on the SR's ward and service. */
void
decision_tag(struct decision_list *dl, size_t from, const char *ward,
    const char *service)
{
	struct decision	*d;

	for (; from < dl->n; from++) {
		d = &dl->list[from];
		if (decision_get(d, "ward") == NULL)
			decision_set(d, "ward", ward);
		if (decision_get(d, "service") == NULL)
			decision_set(d, "service", service);
	}
}

/* Return the value of an extra field. */
const char *
decision_get(const struct decision *d, const char *name)
{
	size_t	i;

	for (i = 0; i < d->nextra; i++) {
		if (strcmp(d->extra_name[i], name) == 0)
			return d->extra_value[i];
	}
	return NULL;
}

/* Free every decision in a list. */
void
decision_clear(struct decision_list *dl)
{
	size_t	i, k;

	for (i = 0; i < dl->n; i++) {
		for (k = 0; k < dl->list[i].nextra; k++)
			free(dl->list[i].extra_value[k]);
		free(dl->list[i].division);
		free(dl->list[i].events);
		free(dl->list[i].detail);
	}
	free(dl->list);
	dl->list = NULL;
	dl->n = 0;
}

/* Return the name of a kind. */
const char *
decision_kind_name(enum decision_kind kind)
{
	if ((size_t)kind >= DECISION_NKINDS)
		return "";
	return decision_kinds[kind];
}

/* Look up a kind by name. */
enum decision_kind
decision_kind_parse(const char *name)
{
	size_t	i;

	for (i = 1; i < DECISION_NKINDS; i++) {
		if (strcmp(decision_kinds[i], name) == 0)
			return (enum decision_kind)i;
	}
	return 0;
}

/* Append a name/value pair if the value is set. */
static void
decision_put(const char **out, size_t *n, const char *name, const char *v)
{
	if (v == NULL || *v == '\0')
		return;
	out[(*n)++] = name;
	out[(*n)++] = v;
}

/* Write the decision's fields for XADD. */
size_t
decision_fields(const struct decision *d, int64_t at, char *buf, char *rbuf,
    const char **out)
{
	size_t	i, n = 0;

	snprintf(buf, 32, "%lld", (long long)at);
	decision_put(out, &n, "at", buf);
	decision_put(out, &n, "decision", decision_kind_name(d->kind));
	decision_put(out, &n, "rule", d->rule);
	decision_put(out, &n, "notice", vocab_notice_name(d->notice));
	decision_put(out, &n, "division", d->division);
	decision_put(out, &n, "events", d->events);
	decision_put(out, &n, "detail", d->detail);
	if (d->kind == DECISION_QUEUED) {
		snprintf(rbuf, 32, "%zu", d->recipients);
		decision_put(out, &n, "recipients", rbuf);
	}
	for (i = 0; i < d->nextra; i++)
		decision_put(out, &n, d->extra_name[i], d->extra_value[i]);
	return n;
}

/* The rules that hold back a misleading closure, with their kind. */
static const struct {
	enum decision_kind	 kind;
	const char		*rule;
} decision_misleading_list[DECISION_MISLEADING_RULES] = {
	{ DECISION_SUPPRESSED, "explicit_transfer" },
	{ DECISION_SUPPRESSED, "implicit_transfer" },
	{ DECISION_SUPPRESSED, "partial_work_order" },
	{ DECISION_FLAGGED, "closed_not_done" },
};

/* Return which rule holds back a misleading closure, or -1. */
int
decision_misleading(enum decision_kind kind, const char *rule)
{
	int	i;

	for (i = 0; rule != NULL && i < DECISION_MISLEADING_RULES; i++) {
		if (decision_misleading_list[i].kind == kind &&
		    strcmp(decision_misleading_list[i].rule, rule) == 0)
			return i;
	}
	return -1;
}

/* Return the name of the i-th rule of misleading closures. */
const char *
decision_misleading_rule(int i)
{
	if (i < 0 || i >= DECISION_MISLEADING_RULES)
		return NULL;
	return decision_misleading_list[i].rule;
}

/* Log a decision about an SR. */
void
decision_log(const char *sr, const struct decision *d)
{
	const char	*notice = vocab_notice_name(d->notice);
	char		 rule[80] = "";

	if (d->rule != NULL)
		snprintf(rule, sizeof rule, " (%s)", d->rule);
	if (d->kind == DECISION_SUPPRESSED || d->kind == DECISION_FLAGGED)
		log_notice("SR %s: %s%s%s%s: %s", sr,
		    decision_kind_name(d->kind), *notice != '\0' ? " " : "",
		    notice, rule, d->detail);
	else
		log_info("SR %s: %s%s%s%s: %s", sr,
		    decision_kind_name(d->kind), *notice != '\0' ? " " : "",
		    notice, rule, d->detail);
}
