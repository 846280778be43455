/*
 * render.h - a notice turned into what one resident receives
 *
 * render_notice() builds the data of a notice for one recipient - in
 * their locale, with the division's name in that language, dates
 * formatted by ICU, the division's note, the photos whose host is in
 * templates.photo_hosts, the links - and renders the notice's templates
 * from the set: subject, text and HTML for email, or the SMS, its
 * look-alike punctuation made GSM-7 (segment_smart()) and fitted to
 * sms.max_segments, saying what was left out to fit.
 */
#ifndef RENDER_H
#define RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "segment.h"

struct catalog;
struct config;
struct notice;

#define RENDER_EMAIL	0x1
#define RENDER_SMS	0x2

/* The answers a feedback notice's email links to (question.h). */
#define RENDER_ANSWERS	3

/* What a resident receives. Parts not asked for are NULL. */
struct render_out {
	char			*subject;	/* one line */
	char			*text;
	char			*html;
	char			*sms;
	struct segment_info	 sms_info;
	struct segment_cut	 sms_cut;	/* left out to fit */
	size_t			 sms_fixed_segments; /* text and link alone */
	size_t			 photos_dropped; /* not on photo_hosts */
	char			*locale;	/* asked for (or default) */
	char			*unsubscribe_url; /* email: the recipient's
						     (unsubscribe.h), or
						     NULL */
	char			*answer_url[RENDER_ANSWERS]; /* email, a
						     feedback notice: the
						     links of fixed,
						     not_fixed and partly
						     (link.h), or NULL */
};

/*
 * Render notice n for its recipient i (or, if i is n->nto, for nobody in
 * particular: the default locale) in the parts asked for (RENDER_EMAIL,
 * RENDER_SMS), at time now (seconds since the epoch, for the date in the
 * message). Returns 0 and fills *out (free it with render_out_clear()),
 * or -1 with *cause naming the missing template or the failure.
 */
int render_notice(const struct config *cf, const struct catalog *cat,
    const struct notice *n, size_t i, int parts, int64_t now,
    struct render_out *out, char **cause);

/*
 * Render the reply to a resident's text message: template NAME.sms of
 * the set ("stop", "start", "help") for locale, with the city's name
 * in that locale. Returns the text, trimmed, and fills *info (which may
 * be NULL) with its segments; or NULL with *cause. The caller frees it.
 */
char *render_reply(const struct config *cf, const struct catalog *cat,
    const char *locale, const char *name, struct segment_info *info,
    char **cause);

/*
 * Render the thanks for an answer to "is it fixed?" (question.h):
 * template thanks.sms of the set for locale, with the city's name in
 * that locale and, true, the answer's name (fixed, not_fixed or partly)
 * and comment if what the resident sent was a comment alone. As
 * render_reply() returns.
 */
char *render_thanks(const struct config *cf, const struct catalog *cat,
    const char *locale, const char *answer, int comment,
    struct segment_info *info, char **cause);

/*
 * Return the name of division code in a locale as messages write it: its
 * name in that language (along the BCP 47 chain), else in the default
 * locale, else the code; NULL if code is NULL. The string belongs to cf
 * or is code.
 */
const char *render_division(const struct config *cf, const char *code,
    const char *locale);

/*
 * Return the text of standard note code of division (codes; either may
 * be NULL) in a locale as messages write it: in that language, else in
 * the default locale; NULL if the division has no such note. It belongs
 * to cf.
 */
const char *render_standard_note(const struct config *cf,
    const char *division, const char *code, const char *locale);

/*
 * Return the city's name in a locale as messages write it
 * (templates.city), else the default locale's. It belongs to cf.
 */
const char *render_city(const struct config *cf, const char *locale);

/*
 * Return value, a date ("2026-03-10") or a time (RFC 3339), written for
 * locale as messages write {{scheduled_for}}: a date alone as that
 * calendar day, a time with its time of day in templates.timezone; the
 * value itself if ICU cannot format it, NULL if it is NULL or neither.
 * The caller frees it.
 */
char *render_when(const struct config *cf, const char *value,
    const char *locale);

/* Free what a render_out holds and empty it. */
void render_out_clear(struct render_out *out);

#endif
