/*
 * rollmonth.c - a range of days' counts read by whole months
 *
 * The range's days are taken a month at a time. A month the range holds
 * whole, whose first day is within audit.rollup_days of today, is asked
 * for with EXISTS first, for all of a division's months in one pipeline;
 * the month's hash is then read where it is there, the month's days
 * where it is not, with the days of the other months, in a second
 * pipeline (rollup_read_keys()).
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "datefmt.h"
#include "redis.h"
#include "rollmonth.h"
#include "rollup.h"
#include "xmalloc.h"

/* The hashes to read of one division: their keys and days. */
struct rollmonth_keys {
	char	**keys;
	char	**days;
	size_t	  n;
};

/* Add a hash to read; key and day are consumed. */
static void
rollmonth_add(struct rollmonth_keys *k, char *key, char *day)
{
	k->keys = xreallocarray(k->keys, k->n + 1, sizeof *k->keys);
	k->days = xreallocarray(k->days, k->n + 1, sizeof *k->days);
	k->keys[k->n] = key;
	k->days[k->n++] = day;
}

/* Return the key of a division's hash of month (YYYY-MM), by by. */
static char *
rollmonth_key(const struct config *cf, const char *division,
    const char *month, enum rollup_by by)
{
	return xasprintf("%sroll:%s:%.7s%s", cf->redis_prefix, division,
	    month, by == ROLLUP_SERVICE ? ":service" : "");
}

/*
 * Return how many of the days from days[i] on are of days[i]'s month;
 * set *whole to 1 if they are the whole month and its first day is not
 * before kept, else to 0.
 */
static size_t
rollmonth_run(char (*days)[DATEFMT_DAY_LEN + 1], size_t n, size_t i,
    const char *kept, int *whole)
{
	char	next[DATEFMT_DAY_LEN + 1];
	size_t	j;

	for (j = i + 1; j < n && strncmp(days[j], days[i], 7) == 0; j++)
		;
	*whole = strcmp(days[i] + 8, "01") == 0 && strcmp(days[i],
	    kept) >= 0 && rollup_next_day(days[j - 1], next) == 0 &&
	    strcmp(next + 8, "01") == 0;
	return j - i;
}

/* Read one division's range, pipelined. */
static int
rollmonth_one(struct redis *r, const struct config *cf,
    const char *division, const char *first, const char *last,
    enum rollup_by by, rollup_fn fn, void *arg, char **cause)
{
	struct rollmonth_keys	  k;
	struct redis_reply	 *reply;
	const char		 *argv[2];
	char			(*days)[DATEFMT_DAY_LEN + 1] = NULL;
	char			  kept[DATEFMT_DAY_LEN + 1], *key;
	size_t			  n, i, j, len;
	int			  whole, there, rc = -1;

	memset(&k, 0, sizeof k);
	datefmt_day(cf->templates_timezone, clock_now() -
	    cf->audit_rollup_days * 86400000LL, kept);
	n = rollup_days(first, last, &days);
	for (i = 0; i < n; i += len) {
		len = rollmonth_run(days, n, i, kept, &whole);
		if (!whole)
			continue;
		key = rollmonth_key(cf, division, days[i], by);
		argv[0] = "EXISTS";
		argv[1] = key;
		redis_pipe_argv(r, 2, argv, NULL);
		free(key);
	}
	for (i = 0; i < n; i += len) {
		len = rollmonth_run(days, n, i, kept, &whole);
		there = 0;
		if (whole) {
			if ((reply = redis_pipe_reply(r, cause)) == NULL)
				goto fail;
			there = reply->type == REDIS_TYPE_INTEGER &&
			    reply->integer > 0;
			redis_reply_free(reply);
		}
		if (there) {
			rollmonth_add(&k, rollmonth_key(cf, division, days[i],
			    by), xstrdup(days[i]));
			continue;
		}
		for (j = i; j < i + len; j++)
			rollmonth_add(&k, rollup_key(cf, division, days[j],
			    by), xstrdup(days[j]));
	}
	rc = rollup_read_keys(r, division, (const char *const *)k.keys,
	    (const char *const *)k.days, k.n, by, fn, arg, cause);
fail:
	for (i = 0; i < k.n; i++) {
		free(k.keys[i]);
		free(k.days[i]);
	}
	free(k.keys);
	free(k.days);
	free(days);
	return rc;
}

/* Read the counts of some divisions over some days, by whole months. */
int
rollmonth_read(struct redis *r, const struct config *cf,
    const char *const *divisions, size_t ndivisions, const char *first,
    const char *last, enum rollup_by by, rollup_fn fn, void *arg,
    char **cause)
{
	if (by == ROLLUP_WARD)
		return rollup_read(r, cf, divisions, ndivisions, first, last,
		    by, fn, arg, cause);
	return rollup_read_each(r, cf, divisions, ndivisions, first, last, by,
	    rollmonth_one, fn, arg, cause);
}
