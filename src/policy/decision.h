/*
 * decision.h - the record of one decision about an SR
 *
 * Every time closeloop decides something about what a resident is told -
 * a notice queued, a closure held, a notice suppressed and by which rule,
 * a transition coalesced into a later notice, a flag on poor data, an
 * event ignored, a contact subscribed or unsubscribed, an email that
 * bounced after the relay took it or that its reader reported as abuse,
 * a service standard measured, a resident asked whether the work fixed
 * the problem and their answer - it makes one struct decision. The
 * policy makes them; the store writes them to the
 * SR's audit stream in the same transaction as the state they explain,
 * and logs them once that transaction has committed.
 */
#ifndef DECISION_H
#define DECISION_H

#include <stddef.h>
#include <stdint.h>

#include "vocab.h"

enum decision_kind {
	DECISION_QUEUED = 1,	/* a notice handed over for delivery */
	DECISION_HELD,		/* a closure waits for the settle window */
	DECISION_SUPPRESSED,	/* a notice that will not be sent; rule says why */
	DECISION_COALESCED,	/* a transition folded into a later notice */
	DECISION_FLAGGED,	/* sent or not, the data deserves a look */
	DECISION_IGNORED,	/* an event that changes nothing */
	DECISION_SUBSCRIBED,
	DECISION_UNSUBSCRIBED,
	DECISION_SENT,		/* a server accepted a notification */
	DECISION_DEFERRED,	/* an SMS waits for quiet hours to end */
	DECISION_RETRIED,	/* a temporary failure; tried again later */
	DECISION_FAILED,	/* a permanent failure */
	DECISION_DEAD,		/* given up: dead-lettered */
	DECISION_RECEIVED,	/* an event from the CRM, as received */
	DECISION_DRY_RUN,	/* rendered by closeloopd --dry-run, not sent */
	DECISION_DELIVERED,	/* the gateway reports it reached the phone */
	DECISION_UNDELIVERED,	/* the gateway reports it did not */
	DECISION_BOUNCED,	/* a bounce report: hard or soft (rule) */
	DECISION_COMPLAINED,	/* an abuse report from the mailbox */
	DECISION_MEASURED,	/* a service standard ended: met or not */
	DECISION_ASKED,		/* a resident asked whether it was fixed */
	DECISION_ANSWERED,	/* their answer: fixed, not_fixed, partly */
	DECISION_UNANSWERED	/* no answer within feedback.answer_days */
};

/* How many extra fields a decision may carry (decision_set()). */
#define DECISION_EXTRA_MAX	24

struct decision {
	enum decision_kind	 kind;
	const char		*rule;		/* static; NULL if none */
	enum vocab_notice	 notice;	/* VOCAB_NOTICE_NONE if none */
	char			*division;	/* NULL if none */
	char			*events;	/* event ids, by spaces */
	char			*detail;	/* a sentence for people */
	size_t			 recipients;	/* for DECISION_QUEUED */
	const char		*extra_name[DECISION_EXTRA_MAX]; /* static */
	char			*extra_value[DECISION_EXTRA_MAX];
	size_t			 nextra;
};

/* A growing list of decisions. */
struct decision_list {
	struct decision	*list;
	size_t		 n;
};

/*
 * Append a decision to dl; division and events are copied (either may
 * be NULL) and the detail is formatted. Returns the new decision, valid
 * until the next append.
 */
struct decision *decision_add(struct decision_list *dl,
    enum decision_kind kind, const char *rule, enum vocab_notice notice,
    const char *division, const char *events, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/*
 * Add field name (a static string) with a copy of value to d: the
 * channel, the masked recipient, the rendered content and so on (the
 * names are listed in audit.h). NULL or "" adds nothing; so does a
 * decision that has DECISION_EXTRA_MAX fields already.
 */
void decision_set(struct decision *d, const char *name, const char *value);

/*
 * Set the fields ward and service (either may be NULL) on every decision
 * of dl from the from-th on that has not set them already: the SR's, so
 * that the rollups (rollup.h) can count each decision by ward and by
 * service type.
 */
void decision_tag(struct decision_list *dl, size_t from, const char *ward,
    const char *service);

/* Return the value of extra field name of d, or NULL. */
const char *decision_get(const struct decision *d, const char *name);

/* Free every decision in dl and empty it. */
void decision_clear(struct decision_list *dl);

/* Return the name of a kind ("queued", ...). The string is static. */
const char *decision_kind_name(enum decision_kind kind);

/* Look up a kind by name; 0 if unknown. */
enum decision_kind decision_kind_parse(const char *name);

/*
 * Write the decision's fields as name/value pointers for XADD into out
 * (room for DECISION_FIELDS_MAX pointers) and return how many were
 * written. at is the time of the decision (ms since the epoch) and is
 * formatted into buf, which must hold 32 bytes; recipients into rbuf,
 * 32 bytes. The pointers live as long as d, buf and rbuf.
 */
#define DECISION_FIELDS_MAX	(16 + 2 * DECISION_EXTRA_MAX)
size_t decision_fields(const struct decision *d, int64_t at, char *buf,
    char *rbuf, const char **out);

/*
 * The rules under which a decision holds back a misleading closure - one
 * a resident would otherwise have been told as completed: suppressed as
 * explicit_transfer, implicit_transfer or partial_work_order, or flagged
 * closed_not_done; numbered from 0 in that order.
 */
#define DECISION_MISLEADING_RULES	4

/*
 * Return the number of the rule under which a decision of kind holds back
 * a misleading closure, or -1 if it does not.
 */
int decision_misleading(enum decision_kind kind, const char *rule);

/* Return the name of rule i of misleading closures, or NULL. */
const char *decision_misleading_rule(int i);

/* Log a decision about SR sr at info level (notice for suppressions). */
void decision_log(const char *sr, const struct decision *d);

#endif
