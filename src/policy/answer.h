/*
 * answer.h - a resident's answer to "is it fixed?", taken or refused
 *
 * The answer to a question (question.h) comes by SMS (a reply to the
 * question's text, src/ops/inbound.c) or by one of the email's links
 * (src/ops/answerpage.c): fixed, not_fixed or partly, with a comment if
 * the resident wrote one. It is taken while the question is asked and
 * answer_by has not passed; a later one replaces an earlier one. A text
 * that is no answer, sent after an answer of not_fixed or partly, is a
 * comment alone: it is added to that answer's comment. Pure, like the
 * rest of src/policy: src/intake/answered.c reads and writes.
 */
#ifndef ANSWER_H
#define ANSWER_H

#include <stdint.h>

#include "question.h"

struct decision_list;

/* The most bytes of a resident's comment that are kept. */
#define ANSWER_COMMENT_MAX	1000

/* Why answer_take() refused an answer. */
enum answer_refusal {
	ANSWER_TAKEN = 0,	/* recorded */
	ANSWER_NOT_ASKED,	/* the question was never asked */
	ANSWER_EXPIRED,		/* answer_by has passed */
	ANSWER_NO_COMMENT	/* a comment alone, but not after not_fixed
				   or partly: it is not kept */
};

/*
 * Take an answer to q at now, by via ("sms" or "email"): answer
 * (QUESTION_NO_ANSWER for a comment alone, kept after an answer of
 * not_fixed or partly and added to its comment, a line each) and
 * comment (NULL or "" for none; cut to ANSWER_COMMENT_MAX bytes on a
 * character's boundary, control characters made spaces, dropped if not
 * UTF-8). A later answer replaces an earlier one. Adds the decision
 * answered to dl and sets *previous to the answer it replaces
 * (QUESTION_NO_ANSWER if none). Returns ANSWER_TAKEN, or why it was
 * refused (nothing changed).
 */
enum answer_refusal answer_take(struct question *q,
    enum question_answer answer, const char *comment, const char *via,
    int64_t now, struct decision_list *dl, enum question_answer *previous);

#endif
