/*
 * stdclock.c - the service standard running on an SR
 *
 * The state keeps one standard (srstate.h, the std_ fields): its
 * division, days, target and start, when it ends, and what met it or
 * not - the first action and the first closure of its division, and
 * the completion closeloop decided. Its end is worked out again at each
 * event and before each check, from the configuration of the moment, so
 * a standard changed by a reload applies to the SRs already open. The
 * divisions told "overdue" are kept apart, so that a division the SR
 * comes back to is not told of twice.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bizday.h"
#include "config.h"
#include "datefmt.h"
#include "decision.h"
#include "event.h"
#include "notice.h"
#include "srstate.h"
#include "standard.h"
#include "stdclock.h"
#include "xmalloc.h"

/* Return 1 if a status event is an action on the SR: a response. */
static int
stdclock_is_action(const struct event *ev)
{
	switch (ev->status) {
	case VOCAB_STATUS_ASSIGNED:
	case VOCAB_STATUS_SCHEDULED:
	case VOCAB_STATUS_IN_PROGRESS:
		return 1;
	case VOCAB_STATUS_CLOSED:
		return ev->transfer_to == NULL &&
		    ev->reason != VOCAB_REASON_DUPLICATE &&
		    ev->reason != VOCAB_REASON_TRANSFERRED &&
		    ev->reason != VOCAB_REASON_REFERRED_EXTERNAL;
	default:
		return 0;
	}
}

/* Note the running standard's first action and first closure, if ev's. */
static void
stdclock_mark(struct srstate *st, const struct event *ev)
{
	int64_t	ts = ev->when * 1000;

	if (st->std_division == NULL ||
	    strcmp(ev->division, st->std_division) != 0)
		return;
	if (st->std_acted == 0 && stdclock_is_action(ev))
		st->std_acted = ts;
	if (st->std_closed == 0 && (ev->status == VOCAB_STATUS_CLOSED ||
	    ev->status == VOCAB_STATUS_CANCELLED))
		st->std_closed = ts;
}

/*
 * Record into dl that the running standard ended, once: met or not as
 * closeloop decided, and as the CRM closed it (any closure in time).
 */
static void
stdclock_measure(const struct config *cf, struct srstate *st,
    struct decision_list *dl)
{
	struct decision	*d;
	int64_t		 met = srstate_std_met(st);
	char		 day[DATEFMT_DAY_LEN + 1], days[16];
	int		 truly, naive;

	if (st->std_division == NULL || st->std_due == 0 || st->std_ended)
		return;
	st->std_ended = 1;
	truly = met != 0 && met <= st->std_due;
	naive = st->std_closed != 0 && st->std_closed <= st->std_due;
	datefmt_day(cf->templates_timezone, st->std_due - 1, day);
	snprintf(days, sizeof days, "%d", st->std_days);
	d = decision_add(dl, DECISION_MEASURED, NULL, VOCAB_NOTICE_NONE,
	    st->std_division, NULL, "service standard of %s, %s within %d "
	    "business day%s to the end of %s: %s; as closed in the CRM: %s",
	    st->std_division, st->std_response ? "a response" : "completion",
	    st->std_days, st->std_days == 1 ? "" : "s", day, truly ? "met" :
	    "not met", naive ? "met" : "not met");
	decision_set(d, "standard_days", days);
	decision_set(d, "standard_target", st->std_response ? "response" :
	    "completion");
	decision_set(d, "met", truly ? "yes" : "no");
	decision_set(d, "met_as_closed", naive ? "yes" : "no");
}

/* Start the standard of division, which got the SR at start (ms). */
static void
stdclock_start(struct srstate *st, const char *division, int64_t start)
{
	srstate_set(&st->std_division, division);
	st->std_days = -1;
	st->std_given = 0;
	st->std_response = 0;
	st->std_start = start;
	st->std_due = 0;
	st->std_acted = st->std_closed = st->std_done = 0;
	st->std_ended = 0;
}

/* Work out the running standard's days, target and end from cf. */
static void
stdclock_due(const struct config *cf, struct srstate *st)
{
	const struct standard	*s;

	if (st->std_division == NULL)
		return;
	s = standard_find(cf->standards, cf->nstandards, st->std_division,
	    st->service);
	if (!st->std_given)
		st->std_days = s != NULL ? s->days : -1;
	st->std_response = s != NULL && s->target == STANDARD_RESPONSE;
	if (st->std_days < 0 || bizday_end(cf->templates_timezone,
	    st->std_start, st->std_days, cf->policy_holidays,
	    cf->policy_nholidays, &st->std_due, NULL) != 0)
		st->std_due = 0;
}

/* Follow a status event on the running standard. */
void
stdclock_event(const struct config *cf, struct srstate *st,
    const struct event *ev, struct decision_list *dl)
{
	const struct srstate_wo	*owner = srstate_wo_owner(st);
	const char		*to;
	int			 transfer;

	stdclock_mark(st, ev);
	/* An SR closed at its first event has the closing division's. */
	if (owner == NULL && st->std_division == NULL)
		owner = srstate_wo_last_closed(st, NULL);
	if (owner != NULL && (st->std_division == NULL ||
	    (strcmp(owner->division, st->std_division) != 0 &&
	    srstate_wo_open(st, st->std_division) == 0))) {
		stdclock_measure(cf, st, dl);	/* the first one's is over */
		stdclock_start(st, owner->division, owner->opened);
	}
	if (st->std_division == NULL)
		return;
	transfer = ev->status == VOCAB_STATUS_TRANSFERRED ||
	    (ev->status == VOCAB_STATUS_CLOSED && (ev->transfer_to != NULL ||
	    ev->reason == VOCAB_REASON_TRANSFERRED));
	to = transfer ? ev->transfer_to : ev->division;
	if (ev->standard_days != NULL && to != NULL &&
	    strcmp(to, st->std_division) == 0) {
		st->std_given = 1;
		st->std_days = ev->standard;
	}
	stdclock_mark(st, ev);
	stdclock_due(cf, st);
}

/* Note whether the standard's division completed the SR, and measure. */
void
stdclock_settled(const struct config *cf, struct srstate *st,
    struct decision_list *dl)
{
	const struct srstate_wo	*last;

	if (st->std_division == NULL || srstate_wo_open(st, NULL) != 0 ||
	    (last = srstate_wo_last_closed(st, NULL)) == NULL)
		return;
	if (st->std_done == 0 && last->status == VOCAB_STATUS_CLOSED &&
	    strcmp(last->division, st->std_division) == 0 &&
	    (last->reason == VOCAB_REASON_NONE ||
	    last->reason == VOCAB_REASON_COMPLETED ||
	    last->reason == VOCAB_REASON_NO_ACTION_REQUIRED))
		st->std_done = last->closed;
	stdclock_measure(cf, st, dl);
}

/* Return 1 if division is one of the words of list. */
static int
stdclock_listed(const char *list, const char *division)
{
	size_t		 len = strlen(division);
	const char	*p;

	for (p = list; p != NULL && *p != '\0'; p += strcspn(p, " ")) {
		p += strspn(p, " ");
		if (strncmp(p, division, len) == 0 &&
		    (p[len] == ' ' || p[len] == '\0'))
			return 1;
	}
	return 0;
}

/* Add the running standard's division to those told it is late. */
static void
stdclock_list(struct srstate *st)
{
	char	*old = st->overdue;

	st->overdue = old == NULL ? xstrdup(st->std_division) :
	    xasprintf("%s %s", old, st->std_division);
	free(old);
}

/* Flag a standard passed, and tell the residents once per division. */
int
stdclock_release(const struct config *cf, struct srstate *st, int64_t now,
    struct decision_list *dl, struct notice **out)
{
	struct decision	*d;
	int64_t		 check, limit;
	char		 day[DATEFMT_DAY_LEN + 1], days[16];

	stdclock_due(cf, st);
	if (st->due != 0 || (check = srstate_std_check(st)) == 0 ||
	    check > now)
		return 0;
	stdclock_measure(cf, st, dl);
	if (srstate_std_met(st) != 0)
		return 1;
	datefmt_day(cf->templates_timezone, st->std_due - 1, day);
	snprintf(days, sizeof days, "%d", st->std_days);
	d = decision_add(dl, DECISION_FLAGGED, "past_standard",
	    VOCAB_NOTICE_NONE, st->std_division, NULL, "past the service "
	    "standard of %s: %s within %d business day%s, to the end of %s, "
	    "not met", st->std_division, st->std_response ? "a response" :
	    "completion", st->std_days, st->std_days == 1 ? "" : "s", day);
	decision_set(d, "standard_days", days);
	decision_set(d, "standard_target", st->std_response ? "response" :
	    "completion");
	if (!cf->policy_overdue_notice)
		return 1;
	if (stdclock_listed(st->overdue, st->std_division)) {
		decision_add(dl, DECISION_SUPPRESSED, "unchanged",
		    VOCAB_NOTICE_OVERDUE, st->std_division, NULL, "overdue "
		    "was told already about %s", st->std_division);
		return 1;
	}
	stdclock_list(st);
	limit = cf->delivery_max_event_age_hours * 3600000;
	if (limit != 0 && now - st->std_due > limit) {
		decision_add(dl, DECISION_SUPPRESSED, "stale_event",
		    VOCAB_NOTICE_OVERDUE, st->std_division, NULL, "overdue not "
		    "sent: the standard ended over %lld hours ago, past "
		    "delivery.max_event_age_hours, and old news is not told "
		    "as new", (long long)((now - st->std_due) / 3600000));
		return 1;
	}
	notice_overdue(cf, st, now, dl, out);
	return 1;
}
