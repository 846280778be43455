/*
 * notice.c - the notice a resident is told when a pending window passes
 *
 * The notice comes from the state when the window passes:
 *  - no open work order: the last closure's reason says it (completed,
 *    no_action, duplicate, referred_external, cancelled; a transfer with
 *    nowhere to go is told as transferred);
 *  - reopened since last told: reopened (a correction if "completed"
 *    was told);
 *  - the division last told of (or the first one) has no open work and
 *    another has: transferred, if that division's work began after the
 *    first closed or the first closed it as a transfer - otherwise the
 *    first finished its part, told as in_progress with part done;
 *  - more work orders closed than when last told: in_progress, part done;
 *  - else the owner's status: received, assigned, scheduled, in_progress
 *    (on_hold is not told).
 * A notice that repeats what was last told, that notify_on leaves out or
 * that has no subscriber to go to is suppressed with that rule; so is one
 * whose newest event is older than delivery.max_event_age_hours when it
 * is released (stale_event), though the SR moves on as if it was told. A
 * transfer names the new division's scheduled date when it has one, so a
 * schedule absorbed into it is told there; a scheduled notice with the
 * same date after it is a repeat.
 *
 * A notice about open work carries the running service standard, for
 * the templates' expectation line; "overdue" (notice_overdue()) is
 * decided apart, when that standard ends unmet (stdclock.h).
 *
 * In the notices stream (the outbox's input) a notice is one entry per
 * recipient with the fields of notice_fields().
 */
#include "build.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "division.h"
#include "event.h"
#include "notice.h"
#include "decision.h"
#include "srstate.h"
#include "xmalloc.h"

/* The notice for an SR whose work orders are all closed. */
static enum vocab_notice
notice_final(const struct srstate *st, const struct srstate_wo *last,
    const char **division, const char **from)
{
	*division = last->division;
	if (last->status == VOCAB_STATUS_CANCELLED)
		return VOCAB_NOTICE_CANCELLED;
	switch (last->reason) {
	case VOCAB_REASON_NO_ACTION_REQUIRED:
		return VOCAB_NOTICE_NO_ACTION;
	case VOCAB_REASON_DUPLICATE:
		return VOCAB_NOTICE_DUPLICATE;
	case VOCAB_REASON_REFERRED_EXTERNAL:
		return VOCAB_NOTICE_REFERRED_EXTERNAL;
	case VOCAB_REASON_TRANSFERRED:
		*from = last->division;
		*division = st->transfer_to;
		return VOCAB_NOTICE_TRANSFERRED;
	default:
		return VOCAB_NOTICE_COMPLETED;
	}
}

/* The notice for a phase of open work. */
static enum vocab_notice
notice_phase(enum vocab_status status)
{
	switch (status) {
	case VOCAB_STATUS_RECEIVED:
	case VOCAB_STATUS_REOPENED:
		return VOCAB_NOTICE_RECEIVED;
	case VOCAB_STATUS_ASSIGNED:
		return VOCAB_NOTICE_ASSIGNED;
	case VOCAB_STATUS_SCHEDULED:
		return VOCAB_NOTICE_SCHEDULED;
	case VOCAB_STATUS_IN_PROGRESS:
		return VOCAB_NOTICE_IN_PROGRESS;
	default:
		return VOCAB_NOTICE_NONE;
	}
}

/* The notice for an SR with open work. */
static enum vocab_notice
notice_open(const struct srstate *st, const struct srstate_wo *owner,
    const char **from, int *partial, int *correction)
{
	const struct srstate_wo	*first, *refclosed;
	const char		*ref = st->told_division;

	if (st->reopened) {
		*correction = st->told_completed;
		return VOCAB_NOTICE_REOPENED;
	}
	if (ref == NULL && (first = srstate_wo_first(st)) != NULL)
		ref = first->division;
	if (ref != NULL && strcmp(ref, owner->division) != 0 &&
	    srstate_wo_open(st, ref) == 0 &&
	    (refclosed = srstate_wo_last_closed(st, ref)) != NULL) {
		if (refclosed->reason == VOCAB_REASON_TRANSFERRED ||
		    owner->opened >= refclosed->closed) {
			*from = ref;
			return VOCAB_NOTICE_TRANSFERRED;
		}
		*partial = 1;
		return VOCAB_NOTICE_IN_PROGRESS;
	}
	if ((int64_t)srstate_wo_closed(st) > st->told_closed) {
		refclosed = srstate_wo_last_closed(st, NULL);
		if (refclosed->reason != VOCAB_REASON_TRANSFERRED) {
			*partial = 1;
			return VOCAB_NOTICE_IN_PROGRESS;
		}
	}
	return notice_phase(owner->status);
}

/* Return 1 if notify_on lets this notice about this division go out. */
static int
notice_wanted(const struct config *cf, enum vocab_notice kind,
    const char *division)
{
	const struct division	*dv = NULL;
	unsigned int		 mask = cf->policy_notify_on;

	if (division != NULL)
		dv = division_find(cf->divisions, cf->ndivisions, division);
	if (dv != NULL && dv->notify_on != 0)
		mask = dv->notify_on;
	return (mask & (1u << kind)) != 0;
}

/* Return 1 if a notice would only repeat what the resident was told. */
static int
notice_repeats(const struct srstate *st, enum vocab_notice kind,
    const char *division, int partial)
{
	const char	*a = st->told_scheduled, *b = st->scheduled_for;

	if (partial || st->told == VOCAB_NOTICE_NONE)
		return 0;
	if (st->told == VOCAB_NOTICE_TRANSFERRED &&
	    kind == VOCAB_NOTICE_RECEIVED)
		kind = VOCAB_NOTICE_TRANSFERRED;
	/* A transfer that named the date told the schedule already. */
	if (st->told == VOCAB_NOTICE_TRANSFERRED &&
	    kind == VOCAB_NOTICE_SCHEDULED && a != NULL)
		kind = VOCAB_NOTICE_TRANSFERRED;
	if (kind != st->told)
		return 0;
	if ((division == NULL) != (st->told_division == NULL) ||
	    (division != NULL && strcmp(division, st->told_division) != 0))
		return 0;
	if ((kind == VOCAB_NOTICE_SCHEDULED ||
	    kind == VOCAB_NOTICE_TRANSFERRED) && ((a == NULL) != (b == NULL) ||
	    (a != NULL && strcmp(a, b) != 0)))
		return 0;
	return 1;
}

/* Return 1 if a notice tells the resident the SR is closed. */
int
notice_is_closure(enum vocab_notice kind)
{
	return kind == VOCAB_NOTICE_COMPLETED ||
	    kind == VOCAB_NOTICE_NO_ACTION || kind == VOCAB_NOTICE_DUPLICATE ||
	    kind == VOCAB_NOTICE_CANCELLED ||
	    kind == VOCAB_NOTICE_REFERRED_EXTERNAL;
}

/* Build the notice with its recipients from the state. */
static struct notice *
notice_build(struct srstate *st, enum vocab_notice kind, const char *division,
    const char *from, int partial, int correction)
{
	const struct srstate_contact	*c;
	struct notice			*n;
	size_t				 i, j;

	n = xcalloc(1, sizeof *n);
	n->id = xasprintf("%s/%lld", st->sr, (long long)st->seq);
	n->sr = xstrdup(st->sr);
	n->notice = kind;
	n->division = division != NULL ? xstrdup(division) : NULL;
	n->from_division = from != NULL ? xstrdup(from) : NULL;
	srstate_set(&n->service, st->service);
	srstate_set(&n->ward, st->ward);
	srstate_set(&n->note, st->note);
	srstate_set(&n->note_code, st->note_code);
	srstate_set(&n->photos, st->photos);
	/*
	 * A transfer names the date the division that now has the SR
	 * planned the work for: a schedule absorbed into the notice is not
	 * told again on its own.
	 */
	if (kind == VOCAB_NOTICE_SCHEDULED || kind == VOCAB_NOTICE_ASSIGNED ||
	    kind == VOCAB_NOTICE_TRANSFERRED || kind == VOCAB_NOTICE_OVERDUE)
		srstate_set(&n->scheduled_for, st->scheduled_for);
	if (kind == VOCAB_NOTICE_DUPLICATE)
		srstate_set(&n->duplicate_of, st->duplicate_of);
	if (st->closed_at > 0 && notice_is_closure(kind))
		n->closed_at = xasprintf("%lld", (long long)st->closed_at);
	if (st->std_due != 0 && st->std_days >= 0 &&
	    !notice_is_closure(kind)) {
		n->standard_days = xasprintf("%d", st->std_days);
		n->standard_target = xstrdup(st->std_response ? "response" :
		    "completion");
		n->standard_due = xasprintf("%lld", (long long)st->std_due);
	}
	srstate_set(&n->events, st->events);
	n->partial = partial;
	n->correction = correction;
	n->to = xcalloc(st->ncontact + 1, sizeof *n->to);
	for (i = 0; i < st->ncontact; i++) {
		c = &st->contact[i];
		if (!c->active)
			continue;
		/* The contacts of one subscription are one resident. */
		for (j = 0; j < n->nto && n->to[j].ts != c->ts; j++)
			continue;
		n->to[n->nto].resident = xasprintf("%zu", j);
		n->to[n->nto].channel = c->channel;
		n->to[n->nto].address = xstrdup(c->address);
		n->to[n->nto].ts = c->ts;
		if (c->alt != NULL)
			n->to[n->nto].alt = xstrdup(c->alt);
		if (c->locale != NULL)
			n->to[n->nto].locale = xstrdup(c->locale);
		n->nto++;
	}
	return n;
}

/* Remember what the resident was told. */
static void
notice_told(struct srstate *st, enum vocab_notice kind, const char *division)
{
	st->told = kind;
	srstate_set(&st->told_division, division);
	srstate_set(&st->told_scheduled, st->scheduled_for);
	st->told_closed = (int64_t)srstate_wo_closed(st);
	if (kind == VOCAB_NOTICE_COMPLETED)
		st->told_completed = 1;
}

/*
 * Return how old (ms) the newest event behind st's pending notice is at
 * now if that is past delivery.max_event_age_hours, else 0: the limit is
 * off (0), or the events' ts is not known (a state kept before it was).
 */
static int64_t
notice_stale(const struct config *cf, const struct srstate *st, int64_t now)
{
	int64_t	limit = cf->delivery_max_event_age_hours * 3600000;

	if (limit == 0 || st->events_ts == 0 || now - st->events_ts <= limit)
		return 0;
	return now - st->events_ts;
}

/* Decide and record what is told, given the notice worked out. */
static void
notice_decide(const struct config *cf, struct srstate *st,
    enum vocab_notice kind, const char *division, const char *from,
    int partial, int correction, int64_t now, struct decision_list *dl,
    struct notice **out)
{
	struct decision	*d;
	struct notice	*n;
	const char	*name = vocab_notice_name(kind);
	int64_t		 age;
	int		 completed = st->told_completed;

	if (kind == VOCAB_NOTICE_NONE) {
		decision_add(dl, DECISION_SUPPRESSED, "no_notice",
		    kind, division, st->events, "the SR is on hold: residents "
		    "are not told of pauses");
		return;
	}
	if (kind != VOCAB_NOTICE_OVERDUE &&
	    notice_repeats(st, kind, division, partial)) {
		decision_add(dl, DECISION_SUPPRESSED, "unchanged",
		    kind, division, st->events, "%s was told already", name);
		return;
	}
	if (!notice_wanted(cf, kind, division)) {
		decision_add(dl, DECISION_SUPPRESSED, "notify_on",
		    kind, division, st->events, "%s is not in notify_on%s%s",
		    name, division != NULL ? " for " : "",
		    division != NULL ? division : "");
		return;
	}
	if (st->seq == INT64_MAX) {	/* never reached in practice */
		decision_add(dl, DECISION_SUPPRESSED,
		    "too_many_notices", kind, division, st->events, "%s "
		    "decided, but the SR has had %lld notices: no more can be "
		    "numbered", name, (long long)st->seq);
		return;
	}
	st->seq++;
	n = notice_build(st, kind, division, from, partial, correction);
	if (kind != VOCAB_NOTICE_OVERDUE)	/* news of a delay, not a step */
		notice_told(st, kind, division);
	if (n->nto == 0) {
		decision_add(dl, DECISION_SUPPRESSED,
		    "no_subscriber", kind, n->division, st->events, "%s "
		    "decided, but nobody is subscribed", name);
		notice_free(n);
		return;
	}
	if ((age = notice_stale(cf, st, now)) > 0) {
		/*
		 * A CRM replaying a backlog: the resident is not told old
		 * news as new. The SR still moves on as if they had been
		 * told, so that a fresh event later is compared with this
		 * notice and does not announce the old news after all
		 * ("unchanged"); but "completed" did not go out, so a
		 * reopening later is not told as a correction.
		 */
		st->told_completed = completed;
		decision_add(dl, DECISION_SUPPRESSED, "stale_event", kind,
		    n->division, st->events, "%s not sent: the newest event "
		    "behind it is %s%lld hours old, past the %lld hours of "
		    "delivery.max_event_age_hours, and old news is not told "
		    "as new", name, age % 3600000 != 0 ? "over " : "",
		    (long long)(age / 3600000),
		    (long long)cf->delivery_max_event_age_hours);
		notice_free(n);
		return;
	}
	from = n->from_division;
	d = decision_add(dl, DECISION_QUEUED, partial ?
	    "partial_work_order" : correction ? "reopened_after_completed" :
	    NULL, kind, n->division, st->events, "%s%s%s%s queued as %s for %zu "
	    "contact%s", name, from != NULL ? " from " : "",
	    from != NULL ? from : "", partial ? " (part of the work done)" :
	    "", n->id, n->nto, n->nto == 1 ? "" : "s");
	d->recipients = n->nto;
	decision_set(d, "notice_id", n->id);
	notice_free(*out);
	*out = n;
}

/* Release the pending notice of an SR if it is due. */
int
notice_release(const struct config *cf, struct srstate *st, int64_t now,
    struct decision_list *dl, struct notice **out)
{
	const struct srstate_wo	*owner, *last;
	enum vocab_notice	 kind = VOCAB_NOTICE_NONE;
	const char		*division = NULL, *from = NULL;
	int			 partial = 0, correction = 0;

	if (st->due == 0 || st->due > now)
		return 0;
	if ((owner = srstate_wo_owner(st)) != NULL) {
		division = owner->division;
		kind = notice_open(st, owner, &from, &partial, &correction);
	} else if ((last = srstate_wo_last_closed(st, NULL)) != NULL) {
		kind = notice_final(st, last, &division, &from);
	}
	notice_decide(cf, st, kind, division, from, partial, correction, now,
	    dl, out);
	st->due = 0;
	st->held = 0;
	st->reopened = 0;
	srstate_drop_events(st);
	return 1;
}

/* Decide the notice that the running standard ended unmet. */
void
notice_overdue(const struct config *cf, struct srstate *st, int64_t now,
    struct decision_list *dl, struct notice **out)
{
	notice_decide(cf, st, VOCAB_NOTICE_OVERDUE, st->std_division, NULL,
	    0, 0, now, dl, out);
}

/* Free a notice. */
void
notice_free(struct notice *n)
{
	size_t	i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nto; i++) {
		free(n->to[i].address);
		free(n->to[i].alt);
		free(n->to[i].locale);
		free(n->to[i].resident);
	}
	free(n->to);
	free(n->id);
	free(n->sr);
	free(n->division);
	free(n->from_division);
	free(n->service);
	free(n->ward);
	free(n->closed_at);
	free(n->note);
	free(n->note_code);
	free(n->photos);
	free(n->scheduled_for);
	free(n->duplicate_of);
	free(n->standard_days);
	free(n->standard_target);
	free(n->standard_due);
	free(n->question);
	free(n->answer_by);
	free(n->events);
	free(n);
}

/* Append a name/value pair if the value is set. */
static void
notice_put(const char **out, size_t *k, const char *name, const char *v)
{
	if (v == NULL || *v == '\0')
		return;
	out[(*k)++] = name;
	out[(*k)++] = v;
}

/* Write the fields of the notice for one recipient. */
size_t
notice_fields(const struct notice *n, size_t i, const char **out)
{
	const struct notice_recipient	*r = &n->to[i];
	size_t				 k = 0;

	notice_put(out, &k, "id", n->id);
	notice_put(out, &k, "sr", n->sr);
	notice_put(out, &k, "notice", vocab_notice_name(n->notice));
	notice_put(out, &k, "channel", event_channel_name(r->channel));
	notice_put(out, &k, "to", r->address);
	notice_put(out, &k, "locale", r->locale);
	notice_put(out, &k, "division", n->division);
	notice_put(out, &k, "from_division", n->from_division);
	notice_put(out, &k, "service", n->service);
	notice_put(out, &k, "ward", n->ward);
	notice_put(out, &k, "closed_at", n->closed_at);
	notice_put(out, &k, "note", n->note);
	notice_put(out, &k, "note_code", n->note_code);
	notice_put(out, &k, "photos", n->photos);
	notice_put(out, &k, "scheduled_for", n->scheduled_for);
	notice_put(out, &k, "duplicate_of", n->duplicate_of);
	notice_put(out, &k, "standard_days", n->standard_days);
	notice_put(out, &k, "standard_target", n->standard_target);
	notice_put(out, &k, "standard_due", n->standard_due);
	notice_put(out, &k, "partial", n->partial ? "1" : NULL);
	notice_put(out, &k, "correction", n->correction ? "1" : NULL);
	notice_put(out, &k, "question", n->question);
	notice_put(out, &k, "answer_by", n->answer_by);
	notice_put(out, &k, "resident", r->resident);
	notice_put(out, &k, "events", n->events);
	return k;
}
