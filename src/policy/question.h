/*
 * question.h - asking a resident whether the work fixed the problem
 *
 * Once a "completed" notice has gone out to a resident (its outcome
 * sent), closeloopd asks them once, feedback.ask_after later (feedback.h),
 * by the channel the completion went by, whether the problem is fixed:
 * fixed, not fixed, or partly. A question is one record per completion
 * and resident - the contacts of one subscription (an email and a phone
 * given together) are one resident, asked once, by the channel whose
 * completion went out first. Its life:
 *
 *   waiting     scheduled when the completion was sent; due at its ask
 *               time. Then asked, or not: the SR was reopened or moved
 *               on (no_longer_completed), the contact unsubscribed
 *               (unsubscribed), the division or service type is no
 *               longer asked (feedback_off), or the resident could not
 *               answer on that channel (no_answer_path) - recorded as
 *               suppressed, notice feedback, with that rule
 *   asked       the feedback notice went to the outbox (decision asked);
 *               answers are taken until answer_by, feedback.answer_days
 *               later
 *   answered    an answer came (decision answered, fixed, not_fixed or
 *               partly, with the resident's comment: answer.h); a later
 *               one within answer_by replaces it
 *   unanswered  answer_by passed with no answer (decision unanswered)
 *   closed      answer_by passed after an answer
 *   cancelled   not asked (above)
 *
 * This file is pure: the record is read and written by the store of
 * the step that acts on it (src/deliver/askqueue.c schedules it, src/
 * intake/ask.c asks and closes it, src/ops/answer.c records answers).
 *
 * Keys (PREFIX is redis.prefix; the question's id is "SR/SEQ/N", SEQ
 * the completed notice's number and N the index of the resident's first
 * contact among its recipients):
 *   PREFIXsr:{SR}:q:SEQ/N  hash, the question: id, sr, channel, to,
 *                          locale, division, service, ward, completion
 *                          (the notification it follows), closed_at,
 *                          state, due, why (the rule it was not asked
 *                          by), message (the feedback notification,
 *                          "SR/SEQ/Nq"), asked_at, answer_by, answer,
 *                          comment, answered_at, answered_via
 *   PREFIXask:due          sorted set of question ids by the time (ms)
 *                          they are next acted on: asked, or closed
 *   PREFIXask:sms:HEX      string, the id of the question last asked of
 *                          a phone by SMS, which its answer goes to (HEX
 *                          as in optout.h); expires at its answer_by
 */
#ifndef QUESTION_H
#define QUESTION_H

#include <stddef.h>
#include <stdint.h>

#include "digest.h"

struct config;
struct decision;
struct decision_list;
struct notice;
struct srstate;

enum question_state {
	QUESTION_NONE = 0,
	QUESTION_WAITING,
	QUESTION_ASKED,
	QUESTION_ANSWERED,
	QUESTION_UNANSWERED,
	QUESTION_CLOSED,
	QUESTION_CANCELLED
};

enum question_answer {
	QUESTION_NO_ANSWER = 0,
	QUESTION_FIXED,
	QUESTION_NOT_FIXED,
	QUESTION_PARTLY
};

/* One question, as its record holds it. */
struct question {
	char			*id;		/* "SR/SEQ/N" */
	char			*sr;
	int			 channel;	/* EVENT_CHANNEL_* */
	char			*to;		/* the address asked */
	char			*locale;	/* NULL: the default */
	char			*division;	/* the completion's */
	char			*service;
	char			*ward;
	char			*completion;	/* notification "SR/SEQ/I" */
	int64_t			 closed_at;	/* ms, of the CRM's closure the
						   completion told; 0 */
	enum question_state	 state;
	int64_t			 due;		/* ms: when to ask */
	char			*why;		/* cancelled: the rule */
	char			*message;	/* "SR/SEQ/Nq" once asked */
	int64_t			 asked_at;	/* ms */
	int64_t			 answer_by;	/* ms */
	enum question_answer	 answer;
	char			*comment;
	int64_t			 answered_at;	/* ms */
	char			*answered_via;	/* "sms" or "email" */
};

/* What question_due() decided. */
enum question_step {
	QUESTION_STEP_NONE,	/* not due yet: nothing to do */
	QUESTION_STEP_ASKED,	/* asked: *out is the feedback notice */
	QUESTION_STEP_CANCELLED, /* not asked; the decision says why */
	QUESTION_STEP_CLOSED,	/* answers are no longer taken */
	QUESTION_STEP_DROP	/* over already: only its due entry goes */
};

/* Make an empty question with id (copied). */
struct question *question_new(const char *id);

/* Free a question; NULL is a no-op. */
void question_free(struct question *q);

/*
 * Return the id of the question about notice notice_id ("SR/SEQ") for
 * the resident whose first contact is its recipient resident. The
 * caller frees it.
 */
char *question_id(const char *notice_id, const char *resident);

/*
 * Return 1 if id is the id of a question ("SR/SEQ/N": an SR number, a
 * notice's number and a recipient's), else 0; if sr is not NULL, copy
 * the SR's number into it (65 bytes).
 */
int question_id_ok(const char *id, char *sr);

/* Return the key of question id's record; the caller frees it. */
char *question_key(const struct config *cf, const char *id);

/* Return the key of the due set of questions; the caller frees it. */
char *question_due_key(const struct config *cf);

/*
 * Return the key of the question last asked of phone by SMS; the
 * caller frees it.
 */
char *question_phone_key(const struct config *cf, const char *phone);

/*
 * Fill an empty question from the n field/value strings of its record,
 * as HGETALL returns them. Returns 0, or -1 if the record is missing
 * what every question has (its SR, channel, address or state).
 */
int question_decode(struct question *q, char *const *fields, size_t n);

/*
 * Encode the question as field/value strings for HSET. Returns an
 * allocated array of *n pairs; free it with question_encode_free().
 */
char **question_encode(const struct question *q, size_t *n);

/* Free what question_encode() returned. */
void question_encode_free(char **fields, size_t n);

/* Return the name of a state ("waiting", ...); "" for none. Static. */
const char *question_state_name(enum question_state state);

/* Return the name of an answer ("fixed", "not_fixed", "partly"). */
const char *question_answer_name(enum question_answer answer);

/* Look up an answer by name; QUESTION_NO_ANSWER if unknown. */
enum question_answer question_answer_parse(const char *name);

/*
 * Act on question q at now, st being its SR's state (NULL if it is no
 * longer kept: the SR finished long ago and nothing happened to it
 * since). A waiting question that is due is asked - *out set to the
 * feedback notice, for the outbox as notification q->message - or not,
 * with the reason; one by SMS due in sms.quiet_hours (as configured now)
 * waits for their end, its due time moved there; an asked or answered one whose answer_by has passed
 * is closed, unanswered if it was not answered. The decisions, about
 * q->sr, go to dl; q is changed as recorded.
 */
enum question_step question_due(const struct config *cf, struct question *q,
    const struct srstate *st, int64_t now, struct decision_list *dl,
    struct notice **out);

/*
 * Say on decision d which question q it is about (question, completion,
 * service, ward), whom it asked (masked, the contact masked; locale) and
 * by which channel (the question's, or the answer's).
 */
void question_describe(struct decision *d, const struct question *q,
    const char *masked, const char *channel);

#endif
