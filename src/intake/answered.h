/*
 * answered.h - a resident's answer, recorded in its question and trail
 *
 * An answer to "is it fixed?" (answer.h) comes from the listener: a
 * text to /inbound from the phone last asked (inbound.c), or the POST of
 * the page a link of the email opens (answerpage.c). Recording it is a
 * step of its own: WATCH the question's record, read it, take the
 * answer, and write the record and the decision answered (the SR's
 * trail, its counts) in one transaction, again if another closeloopd
 * changed the record meanwhile. The write-back to the CRM, when it
 * comes, queues its entry in that same transaction: a reopen request
 * for an answer of not_fixed or partly, with the resident's comment
 * (answered.c, answered_queue()).
 */
#ifndef ANSWERED_H
#define ANSWERED_H

#include <stdint.h>

#include "answer.h"
#include "question.h"

struct config;
struct redis;

/* What became of an answer. */
struct answered {
	int			 found;		/* the question exists */
	enum answer_refusal	 refusal;	/* ANSWER_TAKEN, or why not */
	enum question_answer	 answer;	/* as recorded (a comment
						   alone: the answer it
						   adds to) */
	char			*sr;		/* the question's, or NULL */
	char			*locale;	/* the question's, or NULL */
};

/*
 * Record at now the answer (QUESTION_NO_ANSWER for a comment alone)
 * and comment (or NULL) to question id, received by via ("sms" or
 * "email"), filling *out. Returns 0 (out says whether it was taken), or
 * -1 with *cause if Redis failed or refused it.
 */
int answered_record(const struct config *cf, struct redis *r,
    const char *id, enum question_answer answer, const char *comment,
    const char *via, int64_t now, struct answered *out, char **cause);

/* Free what an answered holds and empty it. */
void answered_clear(struct answered *a);

/*
 * Set *id to the question phone was last asked by SMS (allocated), or
 * NULL if none is open. Returns 0, or -1 with *cause.
 */
int answered_phone(const struct config *cf, struct redis *r,
    const char *phone, char **id, char **cause);

/*
 * Read question id, without changing it: *q is it (free it with
 * question_free()), or NULL if there is none. Returns 0, or -1 with
 * *cause.
 */
int answered_question(const struct config *cf, struct redis *r,
    const char *id, struct question **q, char **cause);

#endif
