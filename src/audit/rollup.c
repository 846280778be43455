/*
 * rollup.c - daily counts per division, ward and service type
 *
 * rollup_queue() turns a step's decisions into counters (rollup.h lists
 * them), adds up those that fall on the same hash field, and queues them
 * as one record on the pending list in the step's transaction: one cheap
 * command per step, where a HINCRBY per field would double the work
 * Redis does for a step. The SR behind each count of a listed counter
 * goes in the same record, a line per set, so the sets commit with the
 * step and fold with the counts. rollupfold.c adds the records into the
 * hashes and sets. rollup_read() pipelines one HGETALL per division and
 * day, and takes each field as the reply is parsed (redishash.h): a
 * year of a city's counts is millions of fields, not worth copying one
 * by one.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "datefmt.h"
#include "decision.h"
#include "redis.h"
#include "redishash.h"
#include "rollcount.h"
#include "rollup.h"
#include "txn.h"
#include "vocab.h"
#include "xmalloc.h"

/* The lag buckets' bounds in minutes; the last bucket has none. */
static const int rollup_lag_minutes[ROLLUP_LAG_BUCKETS - 1] = {
	1, 5, 15, 60, 240, 720, 1440, 2880, 10080
};
static const char *rollup_lag_names[ROLLUP_LAG_BUCKETS] = {
	"1", "5", "15", "60", "240", "720", "1440", "2880", "10080", "more"
};

/* One field of one hash, and what the step adds to it. */
struct rollup_add {
	size_t		 key;		/* index into the step's keys */
	char		*field;
	long long	 n;
};

/* What one step adds up to. */
struct rollup_step {
	const char		 *sr;
	char			**keys;
	size_t			  nkeys;
	struct rollup_add	 *adds;
	size_t			  nadds;
	char			**members;	/* set lines, without the sign */
	size_t			  nmembers;
};

/* Return the name of a lag bucket. */
const char *
rollup_lag_name(int i)
{
	if (i < 0 || i >= ROLLUP_LAG_BUCKETS)
		return NULL;
	return rollup_lag_names[i];
}

/* Return the bucket a lag falls in. */
int
rollup_lag_bucket(int64_t ms)
{
	int	i;

	for (i = 0; i < ROLLUP_LAG_BUCKETS - 1; i++) {
		if (ms < (int64_t)rollup_lag_minutes[i] * 60000)
			return i;
	}
	return ROLLUP_LAG_BUCKETS - 1;
}

/* Return the key of a division's counts of a day. */
char *
rollup_key(const struct config *cf, const char *division, const char *day,
    enum rollup_by by)
{
	return xasprintf("%sroll:%s:%s%s", cf->redis_prefix, division, day,
	    by == ROLLUP_WARD ? ":ward" : by == ROLLUP_SERVICE ?
	    ":service" : "");
}

/* Return the key of the list of counts waiting to be folded. */
char *
rollup_pending_key(const struct config *cf)
{
	return xasprintf("%sroll:pending", cf->redis_prefix);
}

/* Return the part of a pending record that names a hash. */
static char *
rollup_part(const char *division, const char *day, enum rollup_by by)
{
	return xasprintf("%s\t%s\t%s", division, day, by == ROLLUP_WARD ?
	    "w" : by == ROLLUP_SERVICE ? "s" : "");
}

/* Return the index of s in a list of strings, adding a copy if new. */
static size_t
rollup_intern(char ***list, size_t *n, char *s)
{
	size_t	i;

	for (i = 0; i < *n; i++) {
		if (strcmp((*list)[i], s) == 0) {
			free(s);
			return i;
		}
	}
	*list = xreallocarray(*list, *n + 1, sizeof **list);
	(*list)[*n] = s;
	return (*n)++;
}

/* Add one to field of hash key in the step; field is consumed. */
static void
rollup_add(struct rollup_step *s, char *key, char *field)
{
	size_t	k = rollup_intern(&s->keys, &s->nkeys, key), i;

	for (i = 0; i < s->nadds; i++) {
		if (s->adds[i].key == k && strcmp(s->adds[i].field,
		    field) == 0) {
			s->adds[i].n++;
			free(field);
			return;
		}
	}
	s->adds = xreallocarray(s->adds, s->nadds + 1, sizeof *s->adds);
	s->adds[s->nadds].key = k;
	s->adds[s->nadds].field = field;
	s->adds[s->nadds++].n = 1;
}

/* Return a copy of s (or "" if NULL) with tabs and line ends as spaces. */
static char *
rollup_plain(const char *s)
{
	char	*p, *out = xstrdup(s != NULL ? s : "");

	for (p = out; *p != '\0'; p++) {
		if (*p == '\t' || *p == '\n' || *p == '\r')
			*p = ' ';
	}
	return out;
}

/* Note the step's SR in the set of counter c of a division's day. */
static void
rollup_member(struct rollup_step *s, const struct decision *d,
    const char *day, const char *c)
{
	char	*ward, *service;

	if (s->sr == NULL || !rollcount_listed(c))
		return;
	ward = rollup_plain(decision_get(d, "ward"));
	service = rollup_plain(decision_get(d, "service"));
	rollup_intern(&s->members, &s->nmembers, xasprintf(
	    "%s\t%s\tl\t%s\t%s\t%s\t%s", d->division, day, c, s->sr, ward,
	    service));
	free(ward);
	free(service);
}

/* Count one decision of the step. */
static void
rollup_decision(struct rollup_step *s, const struct decision *d,
    const char *day, int64_t now)
{
	const char	*ward = decision_get(d, "ward");
	const char	*service = decision_get(d, "service");
	const char	*closed = decision_get(d, "closed_at");
	char		*c[ROLLCOUNT_PER_DECISION];
	size_t		 n, i;
	long long	 at;

	n = rollcount_decision(d, c);
	if (d->kind == DECISION_SENT && closed != NULL &&
	    (at = strtoll(closed, NULL, 10)) > 0)
		rollup_add(s, rollup_part(d->division, day,
		    ROLLUP_DIVISION), xasprintf("lag:%s",
		    rollup_lag_name(rollup_lag_bucket(now > at ? now - at :
		    0))));
	for (i = 0; i < n; i++) {
		rollup_member(s, d, day, c[i]);
		rollup_add(s, rollup_part(d->division, day,
		    ROLLUP_DIVISION), xstrdup(c[i]));
		if (ward != NULL)
			rollup_add(s, rollup_part(d->division, day,
			    ROLLUP_WARD), xasprintf("%s|%s", ward, c[i]));
		if (service != NULL)
			rollup_add(s, rollup_part(d->division, day,
			    ROLLUP_SERVICE), xasprintf("%s|%s", service,
			    c[i]));
		free(c[i]);
	}
}

/* Append line (consumed) to the record rec of length *len. */
static char *
rollup_append(char *rec, size_t *len, char *line)
{
	size_t	n = strlen(line);

	rec = xreallocarray(rec, *len + n + 1, 1);
	memcpy(rec + *len, line, n + 1);
	*len += n;
	free(line);
	return rec;
}

/*
 * Queue a step's counts, each added sign times, as one record on the
 * pending list: a line "DIVISION TAB DAY TAB BY TAB FIELD TAB COUNT" per
 * field, BY "", "w" or "s", then a line per SR to add to a set (sign 1)
 * or take out of it (-1).
 */
static void
rollup_queue_sign(struct txn *tx, const struct config *cf, const char *sr,
    const struct decision_list *dl, int64_t now, int sign)
{
	struct rollup_step	 s;
	const char		*argv[3];
	char			 day[DATEFMT_DAY_LEN + 1], *rec = NULL;
	size_t			 i, len = 0;

	memset(&s, 0, sizeof s);
	s.sr = sr;
	datefmt_day(cf->templates_timezone, now, day);
	for (i = 0; i < dl->n; i++) {
		if (dl->list[i].division != NULL)
			rollup_decision(&s, &dl->list[i], day, now);
	}
	for (i = 0; i < s.nadds; i++) {
		rec = rollup_append(rec, &len, xasprintf("%s\t%s\t%lld\n",
		    s.keys[s.adds[i].key], s.adds[i].field,
		    sign * s.adds[i].n));
		free(s.adds[i].field);
	}
	for (i = 0; i < s.nmembers; i++) {
		rec = rollup_append(rec, &len, xasprintf("%s\t%d\n",
		    s.members[i], sign));
		free(s.members[i]);
	}
	if (rec != NULL) {
		argv[0] = "RPUSH";
		argv[1] = rollup_pending_key(cf);
		argv[2] = rec;
		txn_queue(tx, 3, argv);
		free((char *)argv[1]);
		free(rec);
	}
	for (i = 0; i < s.nkeys; i++)
		free(s.keys[i]);
	free(s.adds);
	free(s.keys);
	free(s.members);
}

/* Queue a step's counts. */
void
rollup_queue(struct txn *tx, const struct config *cf, const char *sr,
    const struct decision_list *dl, int64_t now)
{
	rollup_queue_sign(tx, cf, sr, dl, now, 1);
}

/* Take decisions made at some time back off their day's counts. */
void
rollup_undo(struct txn *tx, const struct config *cf, const char *sr,
    const struct decision_list *dl, int64_t at)
{
	rollup_queue_sign(tx, cf, sr, dl, at, -1);
}

/* Write the day after day. */
int
rollup_next_day(const char *day, char next[DATEFMT_DAY_LEN + 1])
{
	struct tm	 tm;
	time_t		 t;
	int		 y, m, d;
	char		 end;

	if (sscanf(day, "%4d-%2d-%2d%c", &y, &m, &d, &end) != 3 ||
	    y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d + 1;
	tm.tm_hour = 12;
	t = timegm(&tm);
	gmtime_r(&t, &tm);
	if (strftime(next, DATEFMT_DAY_LEN + 1, "%Y-%m-%d", &tm) == 0)
		return -1;
	return 0;
}

/* List the days from first to last. */
size_t
rollup_days(const char *first, const char *last,
    char (**days)[DATEFMT_DAY_LEN + 1])
{
	char	(*d)[DATEFMT_DAY_LEN + 1];
	size_t	 n = 0;

	d = xreallocarray(NULL, 1, sizeof *d);
	snprintf(d[0], sizeof d[0], "%s", first);
	while (strcmp(d[n], last) < 0) {
		d = xreallocarray(d, n + 2, sizeof *d);
		if (rollup_next_day(d[n], d[n + 1]) != 0)
			break;
		n++;
	}
	*days = d;
	return n + 1;
}

/* What one division's days are read with. */
struct rollup_reading {
	const char	*division;
	const char	*day;
	enum rollup_by	 by;
	rollup_fn	 fn;
	void		*arg;
	int		 stop;		/* fn asked to stop */
};

/* Hand one field of a day's hash to the reader's function. */
static int
rollup_field(char *field, size_t flen, const char *value, void *arg)
{
	struct rollup_reading	*rd = arg;
	char			*bar = NULL;

	(void)flen;
	if (rd->stop)
		return 1;
	if (rd->by != ROLLUP_DIVISION) {
		/* Split at the last "|": a service type may hold one. */
		if ((bar = strrchr(field, '|')) == NULL)
			return 0;
		*bar = '\0';
	}
	rd->stop = rd->fn(rd->division, rd->day, bar != NULL ? field : NULL,
	    bar != NULL ? bar + 1 : field, strtoll(value, NULL, 10), rd->arg);
	return rd->stop;
}

/* Read some hashes of one division, pipelined. */
int
rollup_read_keys(struct redis *r, const char *division,
    const char *const *keys, const char *const *days, size_t n,
    enum rollup_by by, rollup_fn fn, void *arg, char **cause)
{
	struct rollup_reading	 rd;
	const char		*argv[2];
	char			*why;
	size_t			 i;
	int			 rc = 0, k;

	for (i = 0; i < n; i++) {
		argv[0] = "HGETALL";
		argv[1] = keys[i];
		redis_pipe_argv(r, 2, argv, NULL);
	}
	memset(&rd, 0, sizeof rd);
	rd.division = division;
	rd.by = by;
	rd.fn = fn;
	rd.arg = arg;
	for (i = 0; i < n; i++) {
		rd.day = days[i];
		why = NULL;
		if ((k = redishash_next(r, rollup_field, &rd, &why)) < 0) {
			if (rc == 0)
				*cause = why;
			else
				free(why);
			rc = -1;
			break;
		}
		if (k > 0 && rc == 0) {
			*cause = xasprintf("HGETALL: %s", why);
			rc = -1;
		}
		free(why);
		/* After an error the replies are taken, but not counted. */
		if (rc != 0)
			rd.stop = 1;
	}
	return rc;
}

/* Read one division's days, pipelined. */
static int
rollup_read_one(struct redis *r, const struct config *cf,
    const char *division, const char *first, const char *last,
    enum rollup_by by, rollup_fn fn, void *arg, char **cause)
{
	char	(*days)[DATEFMT_DAY_LEN + 1] = NULL, **keys;
	size_t	  n, i;
	int	  rc;

	n = rollup_days(first, last, &days);
	keys = xcalloc(2 * n, sizeof *keys);
	for (i = 0; i < n; i++) {
		keys[i] = rollup_key(cf, division, days[i], by);
		keys[n + i] = days[i];
	}
	rc = rollup_read_keys(r, division, (const char *const *)keys,
	    (const char *const *)keys + n, n, by, fn, arg, cause);
	for (i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	free(days);
	return rc;
}

/* Read the counts of some divisions over some days, one with one. */
int
rollup_read_each(struct redis *r, const struct config *cf,
    const char *const *divisions, size_t ndivisions, const char *first,
    const char *last, enum rollup_by by, rollup_one_fn one, rollup_fn fn,
    void *arg, char **cause)
{
	char	**all = NULL;
	size_t	  n = 0, i;
	int	  rc = 0;

	if (ndivisions == 0) {
		if (rollup_divisions(r, cf, &all, &n, cause) != 0)
			return -1;
		divisions = (const char *const *)all;
		ndivisions = n;
	}
	for (i = 0; rc == 0 && i < ndivisions; i++)
		rc = one(r, cf, divisions[i], first, last, by, fn, arg, cause);
	for (i = 0; i < n; i++)
		free(all[i]);
	free(all);
	return rc;
}

/* Read the counts of some divisions over some days. */
int
rollup_read(struct redis *r, const struct config *cf,
    const char *const *divisions, size_t ndivisions, const char *first,
    const char *last, enum rollup_by by, rollup_fn fn, void *arg,
    char **cause)
{
	return rollup_read_each(r, cf, divisions, ndivisions, first, last, by,
	    rollup_read_one, fn, arg, cause);
}

/* Compare two strings for qsort(). */
static int
rollup_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* List the divisions ever counted. */
int
rollup_divisions(struct redis *r, const struct config *cf, char ***out,
    size_t *n, char **cause)
{
	struct redis_reply	*reply;
	char			*set, **list;
	size_t			 i, k = 0;

	set = xasprintf("%sroll:divisions", cf->redis_prefix);
	reply = redis_command(r, cause, "SMEMBERS %s", set);
	free(set);
	if (reply == NULL)
		return -1;
	if (reply->type != REDIS_TYPE_ARRAY) {
		*cause = xasprintf("SMEMBERS: %s", reply->str != NULL ?
		    reply->str : "not a set");
		redis_reply_free(reply);
		return -1;
	}
	list = xcalloc(reply->elements + 1, sizeof *list);
	for (i = 0; i < reply->elements; i++) {
		if (reply->element[i]->str != NULL)
			list[k++] = xstrdup(reply->element[i]->str);
	}
	redis_reply_free(reply);
	if (k > 1)
		qsort(list, k, sizeof *list, rollup_cmp);
	*out = list;
	*n = k;
	return 0;
}
