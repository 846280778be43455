/*
 * answerwords.h - the words of the answer page, one table a language
 *
 * The page a link of the question's email opens (answerpage.h) speaks
 * the question's language: the six of the shipped template set, found
 * along the locale's BCP 47 chain ("fr-CA", then "fr"), else English.
 * Each language has every string; all are plain text, put in the page
 * escaped.
 */
#ifndef ANSWERWORDS_H
#define ANSWERWORDS_H

#include "question.h"

struct answerwords {
	const char	*locale;
	const char	*dir;		/* "ltr" or "rtl" */
	const char	*title;		/* the question */
	const char	*request;	/* "Request number" */
	const char	*intro;		/* confirm, and a comment */
	const char	*answer[QUESTION_PARTLY + 1];	/* the choices */
	const char	*comment;	/* the comment box's label */
	const char	*send;		/* the button */
	const char	*current;	/* "Your answer so far:" */
	const char	*until;		/* "You can change it until" */
	const char	*thanks;	/* after the answer: heading */
	const char	*thanked[QUESTION_PARTLY + 1];	/* per answer */
	const char	*closed_title;	/* answers no longer taken */
	const char	*closed;
	const char	*later_title;	/* Redis failed */
	const char	*later;
};

/* Return the words for locale along its chain, else English's. */
const struct answerwords *answerwords_get(const char *locale);

#endif
