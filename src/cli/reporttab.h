/*
 * reporttab.h - the table "closeloop report" adds the rollups up into
 *
 * One row per division, period and group (a ward or service type, or
 * none), each a list of counters by name (rollup.h names them) with the
 * sum of their daily counts. Rows keep the order they were first made in;
 * reporttab_sort() orders them for printing.
 */
#ifndef REPORTTAB_H
#define REPORTTAB_H

#include <stddef.h>

/* One row: its counters and their sums. */
struct reportrow {
	char		*division;
	char		*period;	/* "" for the whole time asked */
	char		*group;		/* NULL if none */
	char		**names;
	long long	*counts;
	size_t		 n;
};

/* Every row, with an index by division, period and group. */
struct reporttab {
	struct reportrow	*rows;
	size_t			 n;
	size_t			*index;	/* row + 1, 0 for free; open addressing */
	size_t			 cap;	/* a power of two, or 0 */
};

/*
 * Return the row of division, period and group (group may be NULL),
 * made empty if new; valid until the next call. Strings are copied.
 */
struct reportrow *reporttab_row(struct reporttab *t, const char *division,
    const char *period, const char *group);

/* Add count to counter name of row. */
void reportrow_add(struct reportrow *row, const char *name, long long count);

/* Return the sum of counter name of row, 0 if it has none. */
long long reportrow_get(const struct reportrow *row, const char *name);

/* Order the rows by division, then period, then group. */
void reporttab_sort(struct reporttab *t);

/* Free what t holds and empty it. */
void reporttab_clear(struct reporttab *t);

#endif
