/*
 * stdclock.h - the service standard running on an SR
 *
 * The standard of the division that has an SR (standard.h) runs from
 * the moment that division got it - the SR's first event, or the
 * transfer to it - and ends after its business days (bizday.h),
 * counted in templates.timezone with policy.holidays. A transfer starts
 * the standard of the new division afresh; an event's standard_days
 * replaces the days the configuration gives. A response target is met
 * by the division's first action (assigned, scheduled, in progress, or
 * a closure of its own work), a completion target only when closeloop
 * decides the SR is completed (or needed no work) - never by a
 * transfer, a closure of work only scheduled or assigned, or a
 * duplicate.
 *
 * Each standard ends once, recorded as a decision "measured": met or
 * not as closeloop decides, and as the CRM closed it (any closure in
 * time, the figure a count of closures gives) - when its days pass,
 * when the SR is closed for good before, or when another division takes
 * it over (ending the first one's).
 *
 * When a standard ends unmet with work still open, the SR is flagged
 * past_standard for its division, and with policy.overdue_notice on its
 * residents are told once per division that it is taking longer than
 * usual: the notice "overdue". The end is checked through the index of
 * late SRs (srstate_std_check(), commit.h), by the release that also
 * frees pending notices (policy_release()).
 */
#ifndef STDCLOCK_H
#define STDCLOCK_H

#include <stdint.h>

struct config;
struct decision_list;
struct event;
struct notice;
struct srstate;

/*
 * Follow a status event already applied to st's work orders and
 * details: start the standard of the division that now has the SR if it
 * is another's (or none has started), take the event's standard_days,
 * note a first action or closure, and work out when it ends.
 */
void stdclock_event(const struct config *cf, struct srstate *st,
    const struct event *ev, struct decision_list *dl);

/*
 * Note, once st's pending notice was released with no work left open,
 * whether the running standard's division completed the SR as closeloop
 * decides it (a closure told as completed or no_action), and record into
 * dl that the standard ended (measured), unless it had.
 */
void stdclock_settled(const struct config *cf, struct srstate *st,
    struct decision_list *dl);

/*
 * If the running standard of st ended by now with work open and no
 * notice pending, record it measured into dl; if it was not met, flag
 * it past_standard and decide the overdue notice (into *out, freeing
 * what it held), once per division. Returns 1 if st changed, 0 if there
 * was nothing to check.
 */
int stdclock_release(const struct config *cf, struct srstate *st,
    int64_t now, struct decision_list *dl, struct notice **out);

#endif
