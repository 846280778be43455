/*
 * respwords.h - the resident's page's own words, in each language
 *
 * The page a resident reaches from a message (respage.h) shows the
 * messages as they were sent, and around them a few fixed words:
 * headings, labels, and a short name for each notice. Those words are
 * here, one table per language of the shipped templates (en, fr, es,
 * pt, fa, zh-Hans), in the terms the templates of that language use
 * ("demande", "pedido", "solicitud"). A language added to templates/
 * needs its table here too; until then its residents' pages are in the
 * default locale's words, or English.
 */
#ifndef RESPWORDS_H
#define RESPWORDS_H

#include <stddef.h>

#include "vocab.h"

/* The fixed words of the page in one language. */
struct respwords {
	const char	*locale;	/* BCP 47 */
	const char	*self;		/* the language's name in itself */
	const char	*skip;		/* the skip link */
	const char	*title;		/* "Your request" */
	const char	*handled;	/* the division's label */
	const char	*scheduled;	/* the scheduled date's label */
	const char	*told;		/* the messages' heading */
	const char	*by_email;
	const char	*by_sms;
	const char	*notes;		/* the notes' heading */
	const char	*photos;	/* the photos' heading */
	const char	*photo;		/* a photo's link: "Photo 1" */
	const char	*original;	/* a duplicate's original: heading */
	const char	*original_sr;	/* its number's label */
	const char	*original_news;	/* its latest news' label */
	const char	*no_news;	/* nothing told about it yet */
	const char	*about;		/* what the page is */
	const char	*languages;	/* the other languages' label */
	const char	*not_found_title;
	const char	*not_found;
	const char	*notice[VOCAB_NOTICE_COUNT];	/* a notice's name */
};

/*
 * Return the words for locale along its BCP 47 chain ("fr-CA", then
 * "fr"); NULL if there are none in that language.
 */
const struct respwords *respwords_find(const char *locale);

/* Return the words for locale, else for fallback, else English. */
const struct respwords *respwords_get(const char *locale,
    const char *fallback);

/* Return how many languages have words, and the i-th one's. */
size_t respwords_count(void);
const struct respwords *respwords_at(size_t i);

/* Return the name of notice (a vocabulary name) in w's language, or "". */
const char *respwords_notice(const struct respwords *w, const char *notice);

/* Return "rtl" if locale's language is written right to left, else "ltr". */
const char *respwords_dir(const char *locale);

#endif
