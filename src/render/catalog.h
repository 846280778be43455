/*
 * catalog.h - a set of message templates on disk, compiled
 *
 * A template set is a directory with one subdirectory per locale (a BCP
 * 47 tag: en, fr, zh-Hans, ...) holding NAME.PART.mustache files: a
 * notice's parts (completed.subject, completed.txt, completed.html,
 * completed.sms) and partials, whose names start with "_"
 * (_footer.txt). Every file is compiled when the set is loaded, its
 * line endings (CRLF or CR) made LF first; a set with any error is
 * refused whole. A template is found along the
 * locale's fallback chain, file by file: fr-CA, then fr, then the
 * default locale.
 */
#ifndef CATALOG_H
#define CATALOG_H

#include <stddef.h>

struct catalog;
struct template;

/*
 * Load and compile the set in dir, with default_locale at the end of
 * every fallback chain. Returns the set (free it with catalog_free()),
 * or NULL with *cause set to every problem, one per line, each starting
 * with the file (and line and column for a syntax error); the caller
 * frees *cause.
 */
struct catalog *catalog_load(const char *dir, const char *default_locale,
    char **cause);

/* Free a set; NULL is a no-op. */
void catalog_free(struct catalog *c);

/*
 * Find template NAME.PART for a locale along its fallback chain; NULL if
 * no locale of the chain has it. If found_locale is not NULL it is set
 * to the locale the template came from. Both belong to the set.
 */
const struct template *catalog_find(const struct catalog *c,
    const char *locale, const char *name, const char *part,
    const char **found_locale);

/* Return the set's version: a hash of its files' names and contents. */
const char *catalog_version(const struct catalog *c);

/* Return the set's directory. */
const char *catalog_dir(const struct catalog *c);

/*
 * Return how many files the set has, and the i-th: its locale, its key
 * ("completed.txt", "_footer.html") and its template. All belong to the
 * set.
 */
size_t catalog_nentries(const struct catalog *c);
const struct template *catalog_entry(const struct catalog *c, size_t i,
    const char **locale, const char **key);

/* Return how many locales the set has, and the i-th. */
size_t catalog_nlocales(const struct catalog *c);
const char *catalog_locale(const struct catalog *c, size_t i);

#endif
