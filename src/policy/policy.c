/*
 * policy.c - what a resident is told about an SR, and what they are not
 *
 * policy_event() applies an event to the SR's work orders and contacts
 * and starts (or joins) a pending notice: a closure of the last open work
 * order is held for the settle window, anything else waits for the
 * coalescing window. notice_release() runs when that window has passed
 * and decides the notice from the state as it is then - not from the
 * event that started the wait - which is what lets a later event from
 * another division turn a misleading "completed" into "transferred".
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "decision.h"
#include "division.h"
#include "event.h"
#include "notice.h"
#include "policy.h"
#include "srstate.h"
#include "stdclock.h"
#include "syntax.h"
#include "xmalloc.h"

/* Return 1 if a status event hands the SR on to another division. */
static int
policy_is_transfer(const struct event *ev)
{
	if (ev->status == VOCAB_STATUS_TRANSFERRED)
		return 1;
	return ev->status == VOCAB_STATUS_CLOSED &&
	    (ev->reason == VOCAB_REASON_TRANSFERRED || ev->transfer_to != NULL);
}

/* Return 1 if a status event closes in the CRM work that is not done. */
static int
policy_is_not_done(const struct event *ev)
{
	return ev->status == VOCAB_STATUS_CLOSED && !policy_is_transfer(ev) &&
	    (ev->reason == VOCAB_REASON_SCHEDULED ||
	    ev->reason == VOCAB_REASON_ASSIGNED);
}

/* Return 1 if a status event closes a work order for good. */
static int
policy_is_closure(const struct event *ev)
{
	return ev->status == VOCAB_STATUS_CLOSED && !policy_is_transfer(ev) &&
	    !policy_is_not_done(ev);
}

/* Move one work order as the event says. */
static void
policy_move(struct srstate_wo *wo, const struct event *ev, int64_t ts)
{
	int	close = 0;

	if (policy_is_transfer(ev)) {
		close = 1;
		wo->status = VOCAB_STATUS_TRANSFERRED;
		wo->reason = VOCAB_REASON_TRANSFERRED;
	} else if (policy_is_closure(ev) ||
	    ev->status == VOCAB_STATUS_CANCELLED) {
		close = 1;
		wo->status = ev->status;
		wo->reason = ev->reason;
	} else if (policy_is_not_done(ev)) {
		wo->status = ev->reason == VOCAB_REASON_SCHEDULED ?
		    VOCAB_STATUS_SCHEDULED : VOCAB_STATUS_ASSIGNED;
		wo->reason = VOCAB_REASON_NONE;
	} else {
		wo->status = ev->status;
		wo->reason = VOCAB_REASON_NONE;
	}
	if (close) {
		wo->open = 0;
		wo->closed = ts;
	} else if (!wo->open) {
		wo->open = 1;
		wo->opened = ts;
		wo->closed = 0;
	}
	wo->ts = ts;
}

/*
 * Find the index of the work order an event with a work_order id moves,
 * adding it if new; a division's work order without an id becomes the
 * one with the id. Returns -1 if the SR has too many work orders.
 */
static ssize_t
policy_wo_index(struct srstate *st, const struct event *ev, int64_t ts)
{
	struct srstate_wo	*wo;

	if ((wo = srstate_wo_find(st, ev->work_order)) == NULL &&
	    (wo = srstate_wo_find(st, ev->division)) != NULL &&
	    strcmp(wo->division, ev->division) == 0) {
		free(wo->key);
		wo->key = xstrdup(ev->work_order);
	}
	if (wo == NULL &&
	    (wo = srstate_wo_add(st, ev->work_order, ev->division, ts)) == NULL)
		return -1;
	return wo - st->wo;
}

/* Open a work order for the division an SR was transferred to. */
static void
policy_transfer_to(struct srstate *st, const char *division, int64_t ts)
{
	struct srstate_wo	*wo;
	size_t			 i;

	if (srstate_wo_open(st, division) != 0)
		return;
	for (i = 0; i < st->nwo; i++) {
		wo = &st->wo[i];
		if (strcmp(wo->division, division) != 0)
			continue;
		if (wo->ts <= ts) {
			wo->open = 1;
			wo->opened = wo->ts = ts;
			wo->closed = 0;
			wo->status = VOCAB_STATUS_RECEIVED;
			wo->reason = VOCAB_REASON_NONE;
		}
		return;
	}
	if ((wo = srstate_wo_add(st, division, division, ts)) != NULL)
		wo->status = VOCAB_STATUS_RECEIVED;
}

/*
 * Move the work orders a status event concerns: the one it names, or
 * every one of its division (all of them for a cancellation). Returns
 * how many moved, 0 if the event was older than each, or -1 if the SR
 * has no room for another work order.
 */
static ssize_t
policy_move_all(struct srstate *st, const struct event *ev, int64_t ts)
{
	ssize_t	idx, moved = 0;
	size_t	i, n = 0;

	if (ev->work_order != NULL) {
		if ((idx = policy_wo_index(st, ev, ts)) < 0)
			return -1;
		if (ts < st->wo[idx].ts)
			return 0;
		policy_move(&st->wo[idx], ev, ts);
		return 1;
	}
	for (i = 0; i < st->nwo; i++) {
		if (ev->status != VOCAB_STATUS_CANCELLED &&
		    strcmp(st->wo[i].division, ev->division) != 0)
			continue;
		n++;
		if (ts < st->wo[i].ts)
			continue;
		policy_move(&st->wo[i], ev, ts);
		moved++;
	}
	if (n == 0) {
		if (srstate_wo_add(st, ev->division, ev->division, ts) == NULL)
			return -1;
		policy_move(&st->wo[st->nwo - 1], ev, ts);
		moved++;
	}
	return moved;
}

/* Keep the event's details for the next notice and flag missing ones. */
static void
policy_details(const struct config *cf, struct srstate *st,
    const struct event *ev, struct policy_result *res)
{
	const struct division	*dv;
	size_t			 i;
	int			 unknown = 0;

	if (ev->service != NULL)
		srstate_set(&st->service, ev->service);
	if (ev->ward != NULL)
		srstate_set(&st->ward, ev->ward);
	if (policy_is_closure(ev) || ev->status == VOCAB_STATUS_CANCELLED)
		st->closed_at = ev->when * 1000;
	if (ev->note != NULL || ev->note_code != NULL ||
	    ev->photos_text != NULL || ev->status == VOCAB_STATUS_CLOSED ||
	    ev->status == VOCAB_STATUS_CANCELLED ||
	    ev->status == VOCAB_STATUS_TRANSFERRED) {
		srstate_set(&st->note, ev->note);
		srstate_set(&st->note_code, ev->note_code);
		srstate_set(&st->photos, ev->photos_text);
	}
	/* A transfer leaves the old division's date behind. */
	if (ev->scheduled_for != NULL)
		srstate_set(&st->scheduled_for, ev->scheduled_for);
	else if (ev->status == VOCAB_STATUS_IN_PROGRESS ||
	    policy_is_closure(ev) || policy_is_transfer(ev))
		srstate_set(&st->scheduled_for, NULL);
	if (policy_is_transfer(ev))
		srstate_set(&st->transfer_to, ev->transfer_to);
	if (ev->reason == VOCAB_REASON_DUPLICATE)
		srstate_set(&st->duplicate_of, ev->duplicate_of);
	if (ev->status == VOCAB_STATUS_REOPENED)
		st->reopened = 1;

	if (policy_is_transfer(ev) && ev->status == VOCAB_STATUS_CLOSED)
		decision_add(&res->decisions, DECISION_SUPPRESSED,
		    "explicit_transfer", VOCAB_NOTICE_COMPLETED, ev->division,
		    ev->event_id, "closed by %s because %s has it now: not "
		    "told as completed", ev->division, ev->transfer_to != NULL ?
		    ev->transfer_to : "another division");
	if (policy_is_transfer(ev) && ev->transfer_to == NULL)
		decision_add(&res->decisions, DECISION_FLAGGED,
		    "no_transfer_to", VOCAB_NOTICE_TRANSFERRED, ev->division,
		    ev->event_id, "transferred by %s without transfer_to: the "
		    "resident cannot be told who has it", ev->division);
	for (i = 0; i < ev->nphotos; i++) {
		if (!syntax_https_host(ev->photos[i],
		    cf->templates_photo_hosts, cf->templates_nphoto_hosts))
			decision_add(&res->decisions, DECISION_FLAGGED,
			    "photo_dropped", VOCAB_NOTICE_NONE, ev->division,
			    ev->event_id, "photo %zu of %zu is not on "
			    "templates.photo_hosts: residents will not see it",
			    i + 1, ev->nphotos);
	}
	if (ev->note_code != NULL) {
		dv = division_find(cf->divisions, cf->ndivisions,
		    ev->division);
		if ((unknown = dv == NULL ||
		    !division_has_note(dv, ev->note_code)))
			decision_add(&res->decisions, DECISION_FLAGGED,
			    "unknown_note_code", VOCAB_NOTICE_NONE,
			    ev->division, ev->event_id, "note_code %s is not "
			    "in the notes of division %s: residents get the "
			    "standard text instead", ev->note_code,
			    ev->division);
	}
	if (policy_is_not_done(ev))
		decision_add(&res->decisions, DECISION_FLAGGED,
		    "closed_not_done", VOCAB_NOTICE_COMPLETED, ev->division,
		    ev->event_id, "closed by %s with reason %s: the work is not "
		    "done, so it is not told as completed", ev->division,
		    vocab_reason_name(ev->reason));
	if (!policy_is_closure(ev))
		return;
	if (ev->note == NULL && (ev->note_code == NULL || unknown))
		decision_add(&res->decisions, DECISION_FLAGGED, "no_note",
		    VOCAB_NOTICE_NONE, ev->division, ev->event_id,
		    "closed by %s without a note or a known note_code: the "
		    "standard text for the reason is used", ev->division);
	if (ev->reason == VOCAB_REASON_NONE)
		decision_add(&res->decisions, DECISION_FLAGGED, "no_reason",
		    VOCAB_NOTICE_NONE, ev->division, ev->event_id,
		    "closed by %s without a reason: told as completed",
		    ev->division);
	if (ev->reason == VOCAB_REASON_DUPLICATE && ev->duplicate_of == NULL)
		decision_add(&res->decisions, DECISION_FLAGGED,
		    "duplicate_without_link", VOCAB_NOTICE_DUPLICATE,
		    ev->division, ev->event_id, "closed by %s as a duplicate "
		    "without duplicate_of: the resident cannot be pointed to "
		    "the original", ev->division);
}

/*
 * Start or join the pending notice after a status event; closer is the
 * division whose closure was held before the event, or NULL.
 */
static void
policy_pend(const struct config *cf, struct srstate *st,
    const struct event *ev, const char *closer, int64_t now,
    struct policy_result *res)
{
	const char	*rule;
	size_t		 open;

	open = srstate_wo_open(st, NULL);
	if (policy_is_closure(ev) && open != 0)
		decision_add(&res->decisions, DECISION_SUPPRESSED,
		    "partial_work_order", VOCAB_NOTICE_COMPLETED, ev->division,
		    ev->event_id, "%s closed its part, but %zu work order%s "
		    "still open: not told as completed", ev->division, open,
		    open == 1 ? " is" : "s are");
	if (open == 0) {
		if (st->due != 0)
			decision_add(&res->decisions, DECISION_COALESCED,
			    "settle", VOCAB_NOTICE_NONE, ev->division,
			    st->events, "a pending notice gives way to the "
			    "closure by %s", ev->division);
		srstate_add_event(st, ev->event_id, ev->when * 1000);
		st->held = 1;
		st->due = now + cf->policy_settle_seconds * 1000;
		if (cf->policy_settle_seconds == 0)
			return;
		decision_add(&res->decisions, DECISION_HELD, "settle",
		    VOCAB_NOTICE_NONE, ev->division, ev->event_id,
		    "the closure by %s is held for %llds in case another "
		    "division takes the SR up", ev->division,
		    (long long)cf->policy_settle_seconds);
		return;
	}
	if (st->held) {
		if (st->reopened)
			rule = "reopened";
		else if (closer != NULL && strcmp(closer, ev->division) != 0)
			rule = "implicit_transfer";
		else
			rule = "superseded";
		decision_add(&res->decisions, DECISION_SUPPRESSED, rule,
		    VOCAB_NOTICE_NONE, closer, st->events, "the held closure "
		    "is not told: %s %s the SR after it", ev->division, st->reopened ? "reopened" :
		    "worked on");
		st->held = 0;
		st->due = 0;
		srstate_drop_events(st);
	} else if (st->due != 0) {
		decision_add(&res->decisions, DECISION_COALESCED, "coalesce",
		    VOCAB_NOTICE_NONE, ev->division, ev->event_id,
		    "%s joins the notice pending since an earlier transition",
		    vocab_status_name(ev->status));
		srstate_add_event(st, ev->event_id, ev->when * 1000);
		return;
	}
	srstate_add_event(st, ev->event_id, ev->when * 1000);
	st->due = now + cf->policy_coalesce_seconds * 1000;
}

/* Apply a status event. */
static void
policy_status(const struct config *cf, struct srstate *st,
    const struct event *ev, int64_t now, struct policy_result *res)
{
	const struct srstate_wo	*last;
	int64_t			 ts = ev->when * 1000;
	ssize_t			 moved;
	char			*closer = NULL;

	if (st->held && (last = srstate_wo_last_closed(st, NULL)) != NULL)
		closer = xstrdup(last->division);
	moved = policy_move_all(st, ev, ts);
	if (moved < 0)
		decision_add(&res->decisions, DECISION_IGNORED,
		    "too_many_work_orders", VOCAB_NOTICE_NONE, ev->division,
		    ev->event_id, "%s from %s not applied: the SR has %d work "
		    "orders already", vocab_status_name(ev->status),
		    ev->division, SRSTATE_WO_MAX);
	else if (moved == 0)
		decision_add(&res->decisions, DECISION_IGNORED, "out_of_order",
		    VOCAB_NOTICE_NONE, ev->division, ev->event_id,
		    "%s from %s at %s is older than what its work order "
		    "already shows", vocab_status_name(ev->status),
		    ev->division, ev->ts);
	if (moved <= 0) {
		free(closer);
		return;
	}
	if (policy_is_transfer(ev) && ev->transfer_to != NULL)
		policy_transfer_to(st, ev->transfer_to, ts);
	policy_details(cf, st, ev, res);
	stdclock_event(cf, st, ev, &res->decisions);
	policy_pend(cf, st, ev, closer, now, res);
	free(closer);
	if (st->due <= now)
		policy_release(cf, st, now, res);
}

/* Apply a subscribe or unsubscribe event to one contact. */
static void
policy_contact(struct srstate *st, const struct event *ev, int channel,
    const char *address, struct policy_result *res)
{
	struct srstate_contact	*c;
	struct decision		*d;
	int64_t			 ts = ev->when * 1000;
	char			*masked;
	int			 on = ev->type == EVENT_SUBSCRIBE;

	masked = event_mask_contact(channel, address);
	c = srstate_contact_find(st, channel, address);
	if (c == NULL && (c = srstate_contact_add(st, channel,
	    address)) == NULL) {
		decision_add(&res->decisions, DECISION_IGNORED,
		    "too_many_contacts", VOCAB_NOTICE_NONE, NULL, ev->event_id,
		    "%s not added: the SR has %d contacts already", masked,
		    SRSTATE_CONTACT_MAX);
		free(masked);
		return;
	}
	if (ts < c->ts || (on && ts < st->unsub_all)) {
		decision_add(&res->decisions, DECISION_IGNORED, "out_of_order",
		    VOCAB_NOTICE_NONE, NULL, ev->event_id, "%s of %s at %s is "
		    "older than its last change", event_type_name(ev->type),
		    masked, ev->ts);
		free(masked);
		return;
	}
	c->active = on;
	c->ts = ts;
	if (on) {
		srstate_set(&c->locale, ev->locale);
		srstate_set(&c->via, NULL);
		/* The address given for the channel not chosen: a fallback. */
		if (channel == EVENT_CHANNEL_EMAIL)
			srstate_set(&c->alt, (ev->channels & EVENT_CHANNEL_SMS) ?
			    NULL : ev->phone);
		else
			srstate_set(&c->alt, (ev->channels &
			    EVENT_CHANNEL_EMAIL) ? NULL : ev->email);
	}
	d = decision_add(&res->decisions, on ? DECISION_SUBSCRIBED :
	    DECISION_UNSUBSCRIBED, NULL, VOCAB_NOTICE_NONE, NULL, ev->event_id,
	    "%s by %s%s%s", masked, event_channel_name(channel),
	    on && ev->locale != NULL ? " in " : "",
	    on && ev->locale != NULL ? ev->locale : "");
	decision_set(d, "to", masked);
	free(masked);
}

/* Apply a subscribe or unsubscribe event. */
static void
policy_subscription(struct srstate *st, const struct event *ev,
    struct policy_result *res)
{
	size_t	i, n;

	if (ev->type == EVENT_UNSUBSCRIBE && ev->all) {
		/* Also refuses older subscriptions that arrive later. */
		if (ev->when * 1000 > st->unsub_all)
			st->unsub_all = ev->when * 1000;
		n = st->ncontact;
		for (i = 0; i < n; i++)
			policy_contact(st, ev, st->contact[i].channel,
			    st->contact[i].address, res);
		if (n == 0)
			decision_add(&res->decisions, DECISION_UNSUBSCRIBED,
			    NULL, VOCAB_NOTICE_NONE, NULL, ev->event_id,
			    "everyone (nobody was subscribed yet)");
		return;
	}
	if (ev->email != NULL && (ev->type == EVENT_UNSUBSCRIBE ||
	    (ev->channels & EVENT_CHANNEL_EMAIL)))
		policy_contact(st, ev, EVENT_CHANNEL_EMAIL,
		    ev->email, res);
	if (ev->phone != NULL && (ev->type == EVENT_UNSUBSCRIBE ||
	    (ev->channels & EVENT_CHANNEL_SMS)))
		policy_contact(st, ev, EVENT_CHANNEL_SMS, ev->phone,
		    res);
}

/*
 * Record a status event as the CRM sent it, so the SR's timeline shows
 * what happened there beside what the resident was told.
 */
static void
policy_received(const struct event *ev, struct policy_result *res)
{
	struct decision	*d;
	const char	*reason = vocab_reason_name(ev->reason);

	d = decision_add(&res->decisions, DECISION_RECEIVED, NULL,
	    VOCAB_NOTICE_NONE, ev->division, ev->event_id,
	    "%s by %s%s%s%s%s%s", vocab_status_name(ev->status), ev->division,
	    ev->reason != VOCAB_REASON_NONE ? " (" : "",
	    ev->reason != VOCAB_REASON_NONE ? reason : "",
	    ev->reason != VOCAB_REASON_NONE ? ")" : "",
	    ev->transfer_to != NULL ? ", to " : "",
	    ev->transfer_to != NULL ? ev->transfer_to : "");
	decision_set(d, "status", vocab_status_name(ev->status));
	if (ev->reason != VOCAB_REASON_NONE)
		decision_set(d, "reason", reason);
	decision_set(d, "status_code", ev->status_code);
	decision_set(d, "crm_ts", ev->ts);
	decision_set(d, "service", ev->service);
	decision_set(d, "ward", ev->ward);
	decision_set(d, "work_order", ev->work_order);
	decision_set(d, "transfer_to", ev->transfer_to);
	decision_set(d, "duplicate_of", ev->duplicate_of);
	decision_set(d, "scheduled_for", ev->scheduled_for);
	decision_set(d, "note", ev->note);
	decision_set(d, "note_code", ev->note_code);
	decision_set(d, "photos", ev->photos_text);
}

/* Apply one validated event to an SR's state. */
void
policy_event(const struct config *cf, struct srstate *st,
    const struct event *ev, int64_t now, struct policy_result *res)
{
	size_t	from = res->decisions.n;

	if (ev->type == EVENT_STATUS) {
		policy_received(ev, res);
		policy_status(cf, st, ev, now, res);
	} else
		policy_subscription(st, ev, res);
	decision_tag(&res->decisions, from, st->ward, st->service);
}

/* Subscribe a duplicate's recipients to the original SR. */
void
policy_follow(struct srstate *st, const struct notice *n,
    struct policy_result *res)
{
	const struct notice_recipient	*to;
	struct srstate_contact		*c;
	const char			*channel;
	char				*masked;
	size_t				 i;

	for (i = 0; i < n->nto; i++) {
		to = &n->to[i];
		if (srstate_contact_find(st, to->channel, to->address) != NULL)
			continue;	/* known already: left as it is */
		masked = event_mask_contact(to->channel, to->address);
		channel = event_channel_name(to->channel);
		if ((c = srstate_contact_add(st, to->channel,
		    to->address)) == NULL) {
			decision_add(&res->decisions, DECISION_IGNORED,
			    "too_many_contacts", VOCAB_NOTICE_NONE, NULL,
			    n->events, "%s by %s, from duplicate SR %s, not "
			    "added: the SR has %d contacts already", masked,
			    channel, n->sr, SRSTATE_CONTACT_MAX);
			free(masked);
			continue;
		}
		c->active = 1;
		c->ts = to->ts;
		srstate_set(&c->locale, to->locale);
		srstate_set(&c->via, n->sr);
		decision_add(&res->decisions, DECISION_SUBSCRIBED,
		    "follow_duplicate", VOCAB_NOTICE_NONE, NULL, n->events,
		    "%s by %s, from duplicate SR %s", masked, channel, n->sr);
		free(masked);
	}
}

/* Release st's pending notice if due, and say whom a duplicate's follows. */
int
policy_release(const struct config *cf, struct srstate *st, int64_t now,
    struct policy_result *res)
{
	struct notice	*n = NULL;
	size_t		 from = res->decisions.n;
	int		 changed;

	changed = notice_release(cf, st, now, &res->decisions, &n);
	if (changed)
		stdclock_settled(cf, st, &res->decisions);
	else if (stdclock_release(cf, st, now, &res->decisions, &n))
		changed = 1;
	decision_tag(&res->decisions, from, st->ward, st->service);
	if (n == NULL)
		return changed;
	if (n->notice == VOCAB_NOTICE_DUPLICATE && st->duplicate_of != NULL &&
	    cf->policy_follow_duplicates)
		res->follow = xstrdup(st->duplicate_of);
	notice_free(res->notice);
	res->notice = n;
	return changed;
}

/* Free what a result holds. */
void
policy_result_clear(struct policy_result *res)
{
	decision_clear(&res->decisions);
	notice_free(res->notice);
	free(res->follow);
	memset(res, 0, sizeof *res);
}
