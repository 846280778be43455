/*
 * answer.c - a resident's answer to "is it fixed?", taken or refused
 *
 * What answer.h says: an answer is taken while its question is asked,
 * the last one replacing the earlier, and a comment alone is kept only
 * after an answer that says the problem is still there. The comment is
 * the resident's own words, kept as UTF-8 text, a line per text, at
 * most ANSWER_COMMENT_MAX bytes, in the question's record and the
 * answered decision's comment field; the decision's sentence only says
 * that there is one.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "decision.h"
#include "event.h"
#include "question.h"
#include "srstate.h"
#include "syntax.h"
#include "xmalloc.h"

/*
 * Return a resident's comment as it is kept: control characters made
 * spaces, trimmed, cut to max bytes on a character's boundary; NULL if
 * nothing is left or it is not UTF-8.
 */
static char *
answer_clean(const char *s, size_t max)
{
	char	*out, *o;
	size_t	 len, n, bad;

	if (s == NULL)
		return NULL;
	while (*s == ' ' || (*s > 0 && *s < 0x20))
		s++;
	len = strlen(s);
	if (syntax_utf8(s, len, &bad, NULL) != 0)
		return NULL;
	out = o = xmalloc(len + 1);
	while (*s != '\0' && (size_t)(o - out) < max) {
		n = syntax_utf8_seq(s, strlen(s));
		if (n == 0 || (size_t)(o - out) + n > max)
			break;
		if (n == 1 && ((unsigned char)*s < 0x20 || *s == 0x7f))
			*o++ = ' ';
		else {
			memcpy(o, s, n);
			o += n;
		}
		s += n;
	}
	while (o > out && o[-1] == ' ')
		o--;
	*o = '\0';
	if (*out == '\0') {
		free(out);
		return NULL;
	}
	return out;
}

/* Take an answer, or a comment alone, to a question. */
enum answer_refusal
answer_take(struct question *q, enum question_answer answer,
    const char *comment, const char *via, int64_t now,
    struct decision_list *dl, enum question_answer *previous)
{
	struct decision	*d;
	char		*clean, *joined, *masked;

	*previous = QUESTION_NO_ANSWER;
	if (q->state != QUESTION_ASKED && q->state != QUESTION_ANSWERED &&
	    q->state != QUESTION_UNANSWERED && q->state != QUESTION_CLOSED)
		return ANSWER_NOT_ASKED;
	if (q->state == QUESTION_UNANSWERED || q->state == QUESTION_CLOSED ||
	    now > q->answer_by)
		return ANSWER_EXPIRED;
	clean = answer_clean(comment, ANSWER_COMMENT_MAX);
	if (answer == QUESTION_NO_ANSWER) {
		if (clean == NULL || (q->answer != QUESTION_NOT_FIXED &&
		    q->answer != QUESTION_PARTLY)) {
			free(clean);
			return ANSWER_NO_COMMENT;
		}
		answer = q->answer;
		/* Each text its line, as far as the room goes. */
		if (q->comment != NULL && strlen(q->comment) + 1 <
		    ANSWER_COMMENT_MAX) {
			free(clean);
			clean = answer_clean(comment, ANSWER_COMMENT_MAX -
			    strlen(q->comment) - 1);
			joined = clean != NULL ? xasprintf("%s\n%s",
			    q->comment, clean) : xstrdup(q->comment);
			free(clean);
			clean = joined;
		} else if (q->comment != NULL) {
			free(clean);
			clean = xstrdup(q->comment);
		}
	}
	*previous = q->answer;
	q->state = QUESTION_ANSWERED;
	q->answer = answer;
	free(q->comment);
	q->comment = clean;
	q->answered_at = now;
	srstate_set(&q->answered_via, via);
	masked = event_mask_contact(q->channel, q->to);
	d = decision_add(dl, DECISION_ANSWERED, NULL, VOCAB_NOTICE_FEEDBACK,
	    q->division, NULL, "%s, answered by %s from %s%s%s%s%s",
	    question_answer_name(answer), via, masked,
	    *previous != QUESTION_NO_ANSWER ? " (was " : "",
	    *previous != QUESTION_NO_ANSWER ?
	    question_answer_name(*previous) : "",
	    *previous != QUESTION_NO_ANSWER ? ")" : "",
	    q->comment != NULL ? ", with a comment" : "");
	question_describe(d, q, masked, via);
	decision_set(d, "answer", question_answer_name(answer));
	decision_set(d, "previous", question_answer_name(*previous));
	decision_set(d, "comment", q->comment);
	free(masked);
	return ANSWER_TAKEN;
}
