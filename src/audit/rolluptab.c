/*
 * rolluptab.c - the daily rollups added up into a table
 *
 * A year of rollups is some tens of thousands of counts, each added to
 * a row found through a hash of its division, period and group, so the
 * table costs little beside the reading.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "datefmt.h"
#include "fnv.h"
#include "rollup.h"
#include "rolluptab.h"
#include "xmalloc.h"

/* Return the hash of a row's division, period and group. */
static size_t
rolluptab_hash(const char *division, const char *period, const char *group)
{
	uint64_t	h = FNV_INIT;

	h = fnv_add(h, division, strlen(division) + 1);
	h = fnv_add(h, period, strlen(period) + 1);
	if (group != NULL)
		h = fnv_add(h, group, strlen(group));
	return (size_t)h;
}

/* Return 1 if two strings, either of which may be NULL, are the same. */
static int
rolluptab_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Put row i into the index. */
static void
rolluptab_place(struct rolluptab *t, size_t i)
{
	const struct rolluptab_row	*r = &t->rows[i];
	size_t				 k;

	k = rolluptab_hash(r->division, r->period, r->group) & (t->cap - 1);
	while (t->index[k] != 0)
		k = (k + 1) & (t->cap - 1);
	t->index[k] = i + 1;
}

/* Find or make a row. */
struct rolluptab_row *
rolluptab_row(struct rolluptab *t, const char *division, const char *period,
    const char *group)
{
	struct rolluptab_row	*r;
	size_t			 k, i;

	if (t->cap > 0) {
		k = rolluptab_hash(division, period, group) & (t->cap - 1);
		for (; t->index[k] != 0; k = (k + 1) & (t->cap - 1)) {
			r = &t->rows[t->index[k] - 1];
			if (strcmp(r->division, division) == 0 &&
			    strcmp(r->period, period) == 0 &&
			    rolluptab_same(r->group, group))
				return r;
		}
	}
	if (2 * (t->n + 1) > t->cap) {
		free(t->index);
		t->cap = t->cap == 0 ? 64 : 2 * t->cap;
		t->index = xcalloc(t->cap, sizeof *t->index);
		for (i = 0; i < t->n; i++)
			rolluptab_place(t, i);
	}
	t->rows = xreallocarray(t->rows, t->n + 1, sizeof *t->rows);
	r = &t->rows[t->n];
	memset(r, 0, sizeof *r);
	r->division = xstrdup(division);
	r->period = xstrdup(period);
	r->group = group != NULL ? xstrdup(group) : NULL;
	rolluptab_place(t, t->n++);
	return r;
}

/* Add to one counter of a row. */
void
rolluptab_add(struct rolluptab_row *row, const char *name, long long count)
{
	size_t	i;

	for (i = 0; i < row->n; i++) {
		if (strcmp(row->names[i], name) == 0) {
			row->counts[i] += count;
			return;
		}
	}
	row->names = xreallocarray(row->names, row->n + 1,
	    sizeof *row->names);
	row->counts = xreallocarray(row->counts, row->n + 1,
	    sizeof *row->counts);
	row->names[row->n] = xstrdup(name);
	row->counts[row->n++] = count;
}

/* Return one counter of a row. */
long long
rolluptab_get(const struct rolluptab_row *row, const char *name)
{
	size_t	i;

	for (i = 0; i < row->n; i++) {
		if (strcmp(row->names[i], name) == 0)
			return row->counts[i];
	}
	return 0;
}

/* Count a row's service standards of one target that ended, met, closed. */
void
rolluptab_standards(const struct rolluptab_row *row, const char *target,
    long long *ended, long long *met, long long *as_closed)
{
	char	*k;

	k = xasprintf("std:%s", target);
	*ended = rolluptab_get(row, k);
	free(k);
	k = xasprintf("std:%s:met", target);
	*met = rolluptab_get(row, k);
	free(k);
	k = xasprintf("std:%s:as_closed", target);
	*as_closed = rolluptab_get(row, k);
	free(k);
}

/* Write the period a day falls in: the day, its week's Monday, its month. */
void
rolluptab_period(char by, const char *day, char *out, size_t size)
{
	struct tm	tm;
	time_t		t;
	int		y, m, d;

	if (by == 'm')
		snprintf(out, size, "%.7s", day);
	else if (by == 'w' && sscanf(day, "%4d-%2d-%2d", &y, &m, &d) == 3) {
		memset(&tm, 0, sizeof tm);
		tm.tm_year = y - 1900;
		tm.tm_mon = m - 1;
		tm.tm_mday = d;
		tm.tm_hour = 12;
		t = timegm(&tm);
		t -= (time_t)((tm.tm_wday + 6) % 7) * 86400;
		gmtime_r(&t, &tm);
		strftime(out, size, "%Y-%m-%d", &tm);
	} else if (by == 'd')
		snprintf(out, size, "%s", day);
	else
		snprintf(out, size, "%s", "");
}

/* Return 1 if a group's counts pass the table's filters. */
int
rolluptab_keeps(const struct rolluptab *t, const char *group)
{
	if (t->ward != NULL && (group == NULL || strcmp(group, t->ward) != 0))
		return 0;
	if (t->service != NULL && (group == NULL ||
	    strcasecmp(group, t->service) != 0))
		return 0;
	return 1;
}

/* Add one daily count into the table. */
int
rolluptab_count(const char *division, const char *day, const char *group,
    const char *counter, long long count, void *arg)
{
	struct rolluptab	*t = arg;
	struct rolluptab_row	*row;
	char			 period[DATEFMT_DAY_LEN + 1];

	if (!rolluptab_keeps(t, group))
		return 0;
	rolluptab_period(t->by, day, period, sizeof period);
	row = rolluptab_row(t, division, period, group);
	rolluptab_add(row, counter, count);
	return 0;
}

/* Compare two rows by events received, most first, then by group. */
static int
rolluptab_rank_cmp(const void *a, const void *b)
{
	const struct rolluptab_row	*x, *y;
	long long			 rx, ry;

	x = *(const struct rolluptab_row *const *)a;
	y = *(const struct rolluptab_row *const *)b;
	rx = rolluptab_get(x, "received");
	ry = rolluptab_get(y, "received");

	if (rx != ry)
		return rx > ry ? -1 : 1;
	return strcmp(x->group != NULL ? x->group : "",
	    y->group != NULL ? y->group : "");
}

/* Rank rows by events received. */
void
rolluptab_rank(const struct rolluptab_row **v, size_t n)
{
	if (n > 0)
		qsort(v, n, sizeof *v, rolluptab_rank_cmp);
}

/* Return the lag bucket a share of a row's messages came within. */
int
rolluptab_lag(const struct rolluptab_row *row, int percent)
{
	long long	n[ROLLUP_LAG_BUCKETS], total = 0, sum = 0;
	char		name[32];
	int		i;

	for (i = 0; i < ROLLUP_LAG_BUCKETS; i++) {
		snprintf(name, sizeof name, "lag:%s", rollup_lag_name(i));
		n[i] = rolluptab_get(row, name);
		total += n[i];
	}
	if (total <= 0)
		return -1;
	for (i = 0; i < ROLLUP_LAG_BUCKETS - 1; i++) {
		sum += n[i];
		if (sum * 100 >= total * percent)
			break;
	}
	return i;
}

/* Compare two rows for qsort(). */
static int
rolluptab_cmp(const void *a, const void *b)
{
	const struct rolluptab_row	*x = a, *y = b;
	int				 c;

	if ((c = strcmp(x->division, y->division)) != 0 ||
	    (c = strcmp(x->period, y->period)) != 0)
		return c;
	if (x->group == NULL || y->group == NULL)
		return (x->group != NULL) - (y->group != NULL);
	return strcmp(x->group, y->group);
}

/* Sort the rows; the index is rebuilt. */
void
rolluptab_sort(struct rolluptab *t)
{
	size_t	i;

	if (t->n == 0)
		return;
	if (t->n > 1)
		qsort(t->rows, t->n, sizeof *t->rows, rolluptab_cmp);
	memset(t->index, 0, t->cap * sizeof *t->index);
	for (i = 0; i < t->n; i++)
		rolluptab_place(t, i);
}

/* Free a table. */
void
rolluptab_clear(struct rolluptab *t)
{
	size_t	i, k;

	for (i = 0; i < t->n; i++) {
		for (k = 0; k < t->rows[i].n; k++)
			free(t->rows[i].names[k]);
		free(t->rows[i].names);
		free(t->rows[i].counts);
		free(t->rows[i].division);
		free(t->rows[i].period);
		free(t->rows[i].group);
	}
	free(t->rows);
	free(t->index);
	memset(t, 0, sizeof *t);
}
