/*
 * policy.h - what a resident is told about an SR, and what they are not
 *
 * The policy turns events into notices. It works on one SR's state
 * (struct srstate) and never touches Redis: the store loads the state,
 * calls the policy and writes back what it changed, atomically. Times are
 * milliseconds since the epoch; "now" is passed in so tests can set it.
 * policy_release() decides the notice once its window passed (notice.h).
 *
 * The rules (docs/policy.md tells them for people):
 *  - Each status event moves the SR's work orders: one per work_order id,
 *    or one per division when the division sends none. An event older
 *    than what its work order last applied is ignored (out_of_order).
 *  - A transfer (status=transferred, or closed with reason=transferred
 *    or transfer_to) is never "completed": it is told as "transferred" to
 *    the division now handling the SR.
 *  - Closed with reason scheduled or assigned keeps the work order open:
 *    told as scheduled or assigned, and flagged closed_not_done.
 *  - A work order closed while others stay open is not completion: at
 *    most an in_progress notice that part of the work is done.
 *  - When the last open work order closes, the closure is held for
 *    policy.settle_seconds. Activity from another division in that time
 *    suppresses it (implicit_transfer) and "transferred" goes instead;
 *    "reopened" cancels it too.
 *  - Other transitions wait policy.coalesce_seconds, so that a burst
 *    gives one notice with the latest state.
 *  - A notice not in notify_on (per division, else global), or one that
 *    would repeat what the resident was last told, is suppressed.
 *  - A notice whose newest event is older than
 *    delivery.max_event_age_hours when it is decided (a CRM replaying a
 *    backlog) is suppressed (stale_event); the SR moves on as if it was
 *    told, and a duplicate's residents do not follow the original.
 *  - The service standard of the division that has the SR runs from
 *    when it got the SR; a transfer starts the new division's. When it
 *    ends unmet with work open, the SR is flagged past_standard and its
 *    residents are told "overdue", once per division (stdclock.h).
 *  - A note_code not in the division's notes is flagged
 *    unknown_note_code; closures without a note or a known note_code
 *    are flagged no_note (so they count among the closures without a
 *    note); duplicates without duplicate_of are flagged
 *    duplicate_without_link; closures without a reason are flagged
 *    no_reason and told as completed.
 */
#ifndef POLICY_H
#define POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "decision.h"
#include "vocab.h"

struct config;
struct event;
struct notice;
struct srstate;

/* What one call decided. */
struct policy_result {
	struct decision_list	 decisions;
	struct notice		*notice;	/* NULL if none to send */
	char			*follow;	/* SR to subscribe the
						   notice's contacts to */
};

/*
 * Apply one validated event to st at time now, adding to res what was
 * decided (a notice may be released at once when a window is 0). The
 * event's SR must be st's.
 */
void policy_event(const struct config *cf, struct srstate *st,
    const struct event *ev, int64_t now, struct policy_result *res);

/*
 * Subscribe the recipients of notice n, a duplicate's, to st, the state
 * of the original SR (res->follow of the duplicate's step): each contact
 * the original does not know yet is added, active, following the
 * duplicate (via). A contact past the original's limit of contacts
 * (SRSTATE_CONTACT_MAX) is not added: it is recorded as ignored,
 * too_many_contacts. The decisions, about the original, go to res.
 */
void policy_follow(struct srstate *st, const struct notice *n,
    struct policy_result *res);

/*
 * Release the pending notice of st if it is due at now (notice.h's
 * notice_release()), into res; a duplicate's notice, with
 * policy.follow_duplicates on, sets res->follow to the original SR.
 * With no notice pending, check the end of the running service
 * standard instead (stdclock_release()). Returns 1 if st changed, 0 if
 * nothing was due.
 */
int policy_release(const struct config *cf, struct srstate *st, int64_t now,
    struct policy_result *res);

/* Free what a result holds and empty it. */
void policy_result_clear(struct policy_result *res);

#endif
