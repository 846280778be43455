/*
 * vocab.h - the status and reason vocabulary of the event contract
 *
 * The CRM describes every transition with one status and, for closures,
 * one reason. Divisions whose systems speak their own codes are mapped
 * onto this vocabulary through status_map in the configuration.
 *
 * Notices are closeloop's own vocabulary: what a resident is told. They
 * are decided from the SR's state, not copied from an event's status;
 * "overdue" from the SR's service standard (stdclock.h).
 */
#ifndef VOCAB_H
#define VOCAB_H

enum vocab_status {
	VOCAB_STATUS_NONE = 0,
	VOCAB_STATUS_RECEIVED,
	VOCAB_STATUS_ASSIGNED,
	VOCAB_STATUS_SCHEDULED,
	VOCAB_STATUS_IN_PROGRESS,
	VOCAB_STATUS_ON_HOLD,
	VOCAB_STATUS_TRANSFERRED,
	VOCAB_STATUS_CLOSED,
	VOCAB_STATUS_CANCELLED,
	VOCAB_STATUS_REOPENED
};

enum vocab_reason {
	VOCAB_REASON_NONE = 0,
	VOCAB_REASON_COMPLETED,
	VOCAB_REASON_NO_ACTION_REQUIRED,
	VOCAB_REASON_DUPLICATE,
	VOCAB_REASON_TRANSFERRED,
	VOCAB_REASON_SCHEDULED,
	VOCAB_REASON_ASSIGNED,
	VOCAB_REASON_REFERRED_EXTERNAL
};

enum vocab_notice {
	VOCAB_NOTICE_NONE = 0,
	VOCAB_NOTICE_RECEIVED,
	VOCAB_NOTICE_ASSIGNED,
	VOCAB_NOTICE_SCHEDULED,
	VOCAB_NOTICE_IN_PROGRESS,
	VOCAB_NOTICE_TRANSFERRED,
	VOCAB_NOTICE_COMPLETED,
	VOCAB_NOTICE_NO_ACTION,
	VOCAB_NOTICE_DUPLICATE,
	VOCAB_NOTICE_CANCELLED,
	VOCAB_NOTICE_REOPENED,
	VOCAB_NOTICE_REFERRED_EXTERNAL,
	VOCAB_NOTICE_OVERDUE,		/* past the service standard */
	VOCAB_NOTICE_FEEDBACK	/* "is it fixed?": asked after a
				   completion (feedback.h), never decided
				   from the SR's work */
};

#define VOCAB_NOTICE_COUNT	14	/* including VOCAB_NOTICE_NONE */
/*
 * Every notice the policy decides, as a mask of 1 << notice: what
 * notify_on may list (feedback is asked as feedback.ask says).
 */
#define VOCAB_NOTICE_ALL	(((1u << VOCAB_NOTICE_FEEDBACK) - 1) & ~1u)

/* Look up a status by name; returns VOCAB_STATUS_NONE if unknown. */
enum vocab_status vocab_status_parse(const char *name);

/* Return the name of a status ("" for none). The string is static. */
const char *vocab_status_name(enum vocab_status status);

/* Look up a reason by name; returns VOCAB_REASON_NONE if unknown. */
enum vocab_reason vocab_reason_parse(const char *name);

/* Return the name of a reason ("" for none). The string is static. */
const char *vocab_reason_name(enum vocab_reason reason);

/* Return every status name joined by ", ", for messages. Static. */
const char *vocab_status_list(void);

/* Return every reason name joined by ", ", for messages. Static. */
const char *vocab_reason_list(void);

/* Look up a notice by name; returns VOCAB_NOTICE_NONE if unknown. */
enum vocab_notice vocab_notice_parse(const char *name);

/* Return the name of a notice ("" for none). The string is static. */
const char *vocab_notice_name(enum vocab_notice notice);

/*
 * Return the name of every notice the policy decides (those of
 * VOCAB_NOTICE_ALL) joined by ", ", for messages. Static.
 */
const char *vocab_notice_list(void);

#endif
