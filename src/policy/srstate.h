/*
 * srstate.h - what closeloop knows about one SR
 *
 * An SR's state is everything the policy needs to decide the next notice:
 * its work orders (one per division unless the division sends work order
 * ids), its subscribers, what the resident was last told, and the notice
 * waiting for its window to pass (a held closure or a coalesced burst).
 * It lives in one Redis hash per SR (srhash.h reads and writes it).
 */
#ifndef SRSTATE_H
#define SRSTATE_H

#include <stddef.h>
#include <stdint.h>

#include "vocab.h"

struct config;

/* Most work orders and contacts kept per SR; more are refused. */
#define SRSTATE_WO_MAX		64
#define SRSTATE_CONTACT_MAX	64
/* Most event ids remembered behind one pending notice. */
#define SRSTATE_EVENTS_MAX	32
/*
 * The latest time a state may hold, in ms since the epoch (the end of
 * 9999, as RFC 3339 allows): a later one is damage, skipped on reading.
 */
#define SRSTATE_TIME_MAX	253402300799999LL

/* A work order: one division's piece of the SR. Times in ms. */
struct srstate_wo {
	char			*key;		/* work_order, or division */
	char			*division;
	int			 open;
	enum vocab_status	 status;	/* the last applied */
	enum vocab_reason	 reason;	/* why it closed */
	int64_t			 ts;		/* ts of the last applied */
	int64_t			 opened;	/* ts it (re)opened */
	int64_t			 closed;	/* ts it closed, 0 if open */
};

/* A subscriber's contact on one channel. */
struct srstate_contact {
	int			 channel;	/* EVENT_CHANNEL_* */
	char			*address;	/* email or E.164 phone */
	char			*locale;	/* NULL: the default */
	int			 active;
	int64_t			 ts;		/* ts of the last change, ms */
	char			*via;		/* SR it followed us from */
	char			*alt;		/* other channel's address,
						   for fallback; or NULL */
};

struct srstate {
	char			*sr;

	struct srstate_wo	*wo;
	size_t			 nwo;
	struct srstate_contact	*contact;
	size_t			 ncontact;
	int64_t			 unsub_all;	/* ts of the last "all" */
	int64_t			 closed_at;	/* ts of the last closure */

	/* Details from the events, for the next notice. */
	char			*service;
	char			*ward;
	char			*note;
	char			*note_code;
	char			*photos;
	char			*scheduled_for;
	char			*duplicate_of;
	char			*transfer_to;

	/* What the resident was last told. */
	enum vocab_notice	 told;
	char			*told_division;
	char			*told_scheduled;
	int			 told_completed; /* "completed" went out */
	int64_t			 told_closed;	 /* work orders closed then */
	int64_t			 seq;		 /* notices decided so far */

	/* The notice waiting for its window. */
	int64_t			 due;		/* ms; 0 if none */
	int			 held;		/* a closure is held */
	int			 reopened;	/* reopened since told */
	char			*events;	/* ids behind it, by spaces */
	int64_t			 events_ts;	/* ts of the newest of them,
						   ms; 0 if unknown */

	/* The service standard running (stdclock.h); times in ms. */
	char			*std_division;	/* NULL: none has started */
	int			 std_days;	/* business days; -1: none */
	int			 std_response;	/* a response target */
	int			 std_given;	/* days from standard_days */
	int64_t			 std_start;	/* the division got the SR */
	int64_t			 std_due;	/* it ends; 0 if no standard */
	int64_t			 std_acted;	/* first action, 0 if none */
	int64_t			 std_closed;	/* first CRM closure, 0 */
	int64_t			 std_done;	/* told completed, 0 */
	int			 std_ended;	/* measured: passed, or the
						   SR closed or moved first */
	char			*overdue;	/* divisions told "overdue",
						   by spaces */
};

/* Create an empty state for an SR. Free it with srstate_free(). */
struct srstate *srstate_new(const char *sr);

/* Free a state; NULL is a no-op. */
void srstate_free(struct srstate *st);

/*
 * Return when the end of the running service standard is to be checked
 * (ms since the epoch): its end, or the pending notice's due time if
 * that is later; 0 if there is nothing to check - no standard, ended
 * already (measured), or no work open. The index of late SRs holds this
 * (commit.h).
 */
int64_t srstate_std_check(const struct srstate *st);

/*
 * Return when the running standard was met (ms since the epoch): a
 * response target by the first action, a completion target when
 * "completed" or "no_action" was decided; 0 if not (yet).
 */
int64_t srstate_std_met(const struct srstate *st);

/*
 * Return 1 if the SR is past the service standard of division (any
 * division if NULL) with the work still open: the standard running is
 * that division's, it ended unmet, and not met since; else 0.
 */
int srstate_std_overdue(const struct srstate *st, const char *division);

/* Find a work order by key; NULL if none. */
struct srstate_wo *srstate_wo_find(struct srstate *st, const char *key);

/*
 * Add an open work order; NULL if the SR has SRSTATE_WO_MAX already. The
 * array is reallocated: earlier pointers into it are invalid.
 */
struct srstate_wo *srstate_wo_add(struct srstate *st, const char *key,
    const char *division, int64_t ts);

/* Count the open work orders, of one division or of all (NULL). */
size_t srstate_wo_open(const struct srstate *st, const char *division);

/*
 * Return the work order closed last, of one division or of any (NULL);
 * NULL if none is closed. Ties in time go to the status furthest along,
 * then to the greater key, never to the order events were handled in.
 */
const struct srstate_wo *srstate_wo_last_closed(const struct srstate *st,
    const char *division);

/*
 * Return the open work order moved last (the SR's owner now); NULL if
 * none is open. Ties as for srstate_wo_last_closed().
 */
const struct srstate_wo *srstate_wo_owner(const struct srstate *st);

/*
 * Return the work order opened first - of two opened at the same time,
 * one already closed, then the lesser key; NULL if the SR has none.
 */
const struct srstate_wo *srstate_wo_first(const struct srstate *st);

/* Count the closed work orders. */
size_t srstate_wo_closed(const struct srstate *st);

/* Find a contact; NULL if none. */
struct srstate_contact *srstate_contact_find(struct srstate *st,
    int channel, const char *address);

/*
 * Add an inactive contact; NULL if the SR has SRSTATE_CONTACT_MAX already.
 * The array is reallocated: earlier pointers into it are invalid.
 */
struct srstate_contact *srstate_contact_add(struct srstate *st, int channel,
    const char *address);

/* Count the active contacts. */
size_t srstate_contact_active(const struct srstate *st);

/*
 * Add an event id to those behind the pending notice (capped), and keep
 * ts (ms) as events_ts if it is the newest of them (even past the cap).
 */
void srstate_add_event(struct srstate *st, const char *event_id,
    int64_t ts);

/* Forget the events behind the pending notice, and their newest ts. */
void srstate_drop_events(struct srstate *st);

/* Replace a string field with a copy of value (NULL clears it). */
void srstate_set(char **field, const char *value);

/*
 * Return the key of an SR's state hash under cf's key prefix. The string
 * is allocated; the caller frees it.
 */
char *srstate_key(const struct config *cf, const char *sr);

#endif
