/*
 * notice.h - the notice a resident is told when a pending window passes
 *
 * When an SR's pending notice falls due (the settle window of a held
 * closure, or the coalescing window of other transitions),
 * notice_release() looks at the SR's state as it is then and decides
 * what the resident is told: the customer-facing notice, the division it
 * names, the details, and the contacts it goes to. The result is a
 * struct notice for delivery, or a decision saying why nothing goes out.
 */
#ifndef NOTICE_H
#define NOTICE_H

#include <stddef.h>
#include <stdint.h>

#include "vocab.h"

struct config;
struct decision_list;
struct srstate;

/* A contact a notice goes to. */
struct notice_recipient {
	int	 channel;	/* EVENT_CHANNEL_* */
	char	*address;
	char	*locale;	/* NULL: the default locale */
	int64_t	 ts;		/* when it subscribed (ms) */
	char	*alt;		/* other channel's address, or NULL */
	char	*resident;	/* the index of the first recipient of
				   the same subscription (the same ts):
				   one resident, asked once (question.h) */
};

/* A notice to deliver: what to say, and to whom. */
struct notice {
	char			*id;		/* "SR/SEQ", unique */
	char			*sr;
	enum vocab_notice	 notice;
	char			*division;	/* handling it, or closing it */
	char			*from_division;	/* for transfers; may be NULL */
	char			*service;
	char			*ward;
	char			*closed_at;	/* the CRM's closure this tells
						   of, ms; NULL if none */
	char			*note;
	char			*note_code;
	char			*photos;
	char			*scheduled_for;
	char			*duplicate_of;
	char			*standard_days;	/* the service standard: */
	char			*standard_target; /* response or completion, */
	char			*standard_due;	/* and when it ends (ms) */
	int			 partial;	/* part of the work is done */
	int			 correction;	/* "completed" was told before */
	char			*question;	/* feedback: the question's id */
	char			*answer_by;	/* feedback: answers taken
						   until, ms */
	char			*events;
	struct notice_recipient	*to;
	size_t			 nto;
};

/*
 * Release the pending notice of st if it is due at now (ms since the
 * epoch): set *out to the notice to send (freeing what it held), adding
 * its decision to dl, or add a decision saying why nothing is told.
 * Returns 1 if st changed, 0 if nothing was due. policy_release() is
 * what the rest of closeloop calls.
 */
int notice_release(const struct config *cf, struct srstate *st, int64_t now,
    struct decision_list *dl, struct notice **out);

/*
 * Decide the notice "overdue" about st's running service standard
 * (stdclock.h), at now: as a notice released is, but never a repeat of
 * what was told before, and leaving what was told as it was. Sets *out
 * (freeing what it held) and adds its decision to dl, or adds a
 * decision saying why it is not told.
 */
void notice_overdue(const struct config *cf, struct srstate *st, int64_t now,
    struct decision_list *dl, struct notice **out);

/*
 * Return 1 if notice kind tells the resident the SR is closed
 * (completed, no_action, duplicate, cancelled, referred_external).
 */
int notice_is_closure(enum vocab_notice kind);

/* Free a notice; NULL is a no-op. */
void notice_free(struct notice *n);

/*
 * Write the fields of the notice for recipient i as name/value pointers
 * into out (room for NOTICE_FIELDS_MAX) and return how many. The
 * pointers live as long as n.
 */
#define NOTICE_FIELDS_MAX	48
size_t notice_fields(const struct notice *n, size_t i, const char **out);

#endif
