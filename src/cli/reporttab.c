/*
 * reporttab.c - the table "closeloop report" adds the rollups up into
 *
 * A year of rollups is some tens of thousands of counts, each added to
 * a row found through a hash of its division, period and group, so the
 * table costs little beside the reading.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "reporttab.h"
#include "xmalloc.h"

/* Return the hash of a row's division, period and group. */
static size_t
reporttab_hash(const char *division, const char *period, const char *group)
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
reporttab_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Put row i into the index. */
static void
reporttab_place(struct reporttab *t, size_t i)
{
	const struct reportrow	*r = &t->rows[i];
	size_t			 k;

	k = reporttab_hash(r->division, r->period, r->group) & (t->cap - 1);
	while (t->index[k] != 0)
		k = (k + 1) & (t->cap - 1);
	t->index[k] = i + 1;
}

/* Find or make a row. */
struct reportrow *
reporttab_row(struct reporttab *t, const char *division, const char *period,
    const char *group)
{
	struct reportrow	*r;
	size_t			 k, i;

	if (t->cap > 0) {
		k = reporttab_hash(division, period, group) & (t->cap - 1);
		for (; t->index[k] != 0; k = (k + 1) & (t->cap - 1)) {
			r = &t->rows[t->index[k] - 1];
			if (strcmp(r->division, division) == 0 &&
			    strcmp(r->period, period) == 0 &&
			    reporttab_same(r->group, group))
				return r;
		}
	}
	if (2 * (t->n + 1) > t->cap) {
		free(t->index);
		t->cap = t->cap == 0 ? 64 : 2 * t->cap;
		t->index = xcalloc(t->cap, sizeof *t->index);
		for (i = 0; i < t->n; i++)
			reporttab_place(t, i);
	}
	t->rows = xreallocarray(t->rows, t->n + 1, sizeof *t->rows);
	r = &t->rows[t->n];
	memset(r, 0, sizeof *r);
	r->division = xstrdup(division);
	r->period = xstrdup(period);
	r->group = group != NULL ? xstrdup(group) : NULL;
	reporttab_place(t, t->n++);
	return r;
}

/* Add to one counter of a row. */
void
reportrow_add(struct reportrow *row, const char *name, long long count)
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
reportrow_get(const struct reportrow *row, const char *name)
{
	size_t	i;

	for (i = 0; i < row->n; i++) {
		if (strcmp(row->names[i], name) == 0)
			return row->counts[i];
	}
	return 0;
}

/* Compare two rows for qsort(). */
static int
reporttab_cmp(const void *a, const void *b)
{
	const struct reportrow	*x = a, *y = b;
	int			 c;

	if ((c = strcmp(x->division, y->division)) != 0 ||
	    (c = strcmp(x->period, y->period)) != 0)
		return c;
	if (x->group == NULL || y->group == NULL)
		return (x->group != NULL) - (y->group != NULL);
	return strcmp(x->group, y->group);
}

/* Sort the rows; the index is rebuilt. */
void
reporttab_sort(struct reporttab *t)
{
	size_t	i;

	if (t->n == 0)
		return;
	if (t->n > 1)
		qsort(t->rows, t->n, sizeof *t->rows, reporttab_cmp);
	memset(t->index, 0, t->cap * sizeof *t->index);
	for (i = 0; i < t->n; i++)
		reporttab_place(t, i);
}

/* Free a table. */
void
reporttab_clear(struct reporttab *t)
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
