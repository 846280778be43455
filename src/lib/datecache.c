/*
 * datecache.c - the ICU date formats each thread keeps open
 *
 * The formats are kept in thread-specific data, closed when the thread
 * ends: a format is never shared between threads, as ICU requires. The
 * oldest is replaced first.
 */
#include "build.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/udat.h>

#include "datecache.h"
#include "xmalloc.h"

/* A date format kept open for one locale, time zone and time style. */
struct datecache_open {
	char			*locale;	/* the tag as given */
	char			*tz;
	UDateFormatStyle	 style;
	UDateFormat		*df;
};

/* The formats one thread keeps open, the oldest replaced first. */
struct datecache {
	struct datecache_open	 open[DATECACHE_SIZE];
	size_t			 next;
};

static pthread_key_t	datecache_key;
static pthread_once_t	datecache_once = PTHREAD_ONCE_INIT;
static int		datecache_key_ok;

/* Close a thread's date formats when it ends. */
static void
datecache_free(void *arg)
{
	struct datecache	*c = arg;
	size_t			 i;

	if (c == NULL)
		return;
	for (i = 0; i < DATECACHE_SIZE; i++) {
		if (c->open[i].df != NULL)
			udat_close(c->open[i].df);
		free(c->open[i].locale);
		free(c->open[i].tz);
	}
	free(c);
}

/* Make the key of the threads' caches. */
static void
datecache_key_init(void)
{
	if (pthread_key_create(&datecache_key, datecache_free) == 0)
		datecache_key_ok = 1;
}

/* Close the calling thread's date formats. */
void
datecache_release(void)
{
	pthread_once(&datecache_once, datecache_key_init);
	if (!datecache_key_ok)
		return;
	datecache_free(pthread_getspecific(datecache_key));
	(void)pthread_setspecific(datecache_key, NULL);
}

/* Return this thread's cache, or NULL if there can be none. */
struct datecache *
datecache_get(void)
{
	struct datecache	*c;

	pthread_once(&datecache_once, datecache_key_init);
	if (!datecache_key_ok)
		return NULL;
	if ((c = pthread_getspecific(datecache_key)) == NULL) {
		c = xcalloc(1, sizeof *c);
		if (pthread_setspecific(datecache_key, c) != 0) {
			free(c);
			return NULL;
		}
	}
	return c;
}

/* Return the thread's open format for locale, tz and style, or NULL. */
UDateFormat *
datecache_find(struct datecache *c, const char *locale, const char *tz,
    UDateFormatStyle style)
{
	size_t	i;

	for (i = 0; c != NULL && i < DATECACHE_SIZE; i++) {
		if (c->open[i].df != NULL && c->open[i].style == style &&
		    strcmp(c->open[i].locale, locale) == 0 &&
		    strcmp(c->open[i].tz, tz) == 0)
			return c->open[i].df;
	}
	return NULL;
}

/* Keep a format in place of the oldest. */
void
datecache_keep(struct datecache *c, const char *locale, const char *tz,
    UDateFormatStyle style, UDateFormat *df)
{
	struct datecache_open	*o;

	o = &c->open[c->next];
	c->next = (c->next + 1) % DATECACHE_SIZE;
	if (o->df != NULL)
		udat_close(o->df);
	free(o->locale);
	free(o->tz);
	o->locale = xstrdup(locale);
	o->tz = xstrdup(tz);
	o->style = style;
	o->df = df;
}
