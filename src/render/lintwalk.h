/*
 * lintwalk.h - lint's checks of a template's own text
 */
#ifndef LINTWALK_H
#define LINTWALK_H

struct catalog;
struct lintreport;
struct template;

/*
 * Read template t of the set cat (locale and key as catalog_entry()
 * gives them) and report to r: as errors, names a notice does not
 * provide and partials the set lacks; as warnings, headings over a
 * value that may be missing and, in a right-to-left locale, numbers,
 * links and dates not isolated. reply is LINTWALK_REPLY for the reply
 * to a resident's keyword, which knows city alone, LINTWALK_THANKS for
 * the thanks for an answer (city and the answer), else 0.
 */
#define LINTWALK_REPLY	1
#define LINTWALK_THANKS	2
void lintwalk_template(struct lintreport *r, const struct catalog *cat,
    const struct template *t, const char *locale, const char *key,
    int reply);

#endif
