/*
 * datecache.h - the ICU date formats each thread keeps open
 *
 * Opening an ICU date format costs far more than using one, so each
 * thread keeps the last few it opened (DATECACHE_SIZE), each under the
 * locale, time zone and time style it was opened for. datefmt.c opens
 * them and formats with them.
 */
#ifndef DATECACHE_H
#define DATECACHE_H

#include <unicode/udat.h>

/* How many date formats each thread keeps open. */
#define DATECACHE_SIZE		4

struct datecache;

/*
 * Return the calling thread's cache, made on its first call, or NULL if
 * the thread can have none (no thread-specific data): then nothing is
 * kept, and each format is the caller's to close.
 */
struct datecache *datecache_get(void);

/*
 * Return the format c keeps for locale (the tag as given), tz and style,
 * or NULL if it keeps none (or c is NULL). The format stays c's.
 */
UDateFormat *datecache_find(struct datecache *c, const char *locale,
    const char *tz, UDateFormatStyle style);

/*
 * Keep df, opened for locale, tz and style, in c in place of the oldest
 * format c keeps, which is closed. df is c's from then on.
 */
void datecache_keep(struct datecache *c, const char *locale, const char *tz,
    UDateFormatStyle style, UDateFormat *df);

/*
 * Close the date formats the calling thread keeps open (each thread's
 * are closed when it ends; a program calls this before u_cleanup()).
 */
void datecache_release(void);

#endif
