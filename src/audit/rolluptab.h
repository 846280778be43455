/*
 * rolluptab.h - the daily rollups added up into a table
 *
 * One row per division, period and group (a ward or service type, or
 * none), each a list of counters by name (rollup.h names them) with the
 * sum of their daily counts. rolluptab_count() is a rollup_fn that adds
 * each count rollup_read() hands it to the row of its division, period
 * (the whole time, or its day, week or month) and group, keeping only
 * the ward or service type asked for. "closeloop report" prints such a
 * table; the console's dashboard shows one. Rows keep the order they
 * were first made in; rolluptab_sort() orders them for printing.
 */
#ifndef ROLLUPTAB_H
#define ROLLUPTAB_H

#include <stddef.h>

/* One row: its counters and their sums. */
struct rolluptab_row {
	char		*division;
	char		*period;	/* "" for the whole time asked */
	char		*group;		/* NULL if none */
	char		**names;
	long long	*counts;
	size_t		 n;
};

/* Every row, with an index by division, period and group. */
struct rolluptab {
	const char		*ward;		/* rolluptab_count() keeps only
						   this ward's counts, or NULL */
	const char		*service;	/* or this service type's (in
						   any case), or NULL */
	char			 by;		/* rolluptab_count()'s periods:
						   'd', 'w', 'm', or 0 */
	struct rolluptab_row	*rows;
	size_t			 n;
	size_t			*index;	/* row + 1, 0 for free; open addressing */
	size_t			 cap;	/* a power of two, or 0 */
};

/*
 * Return the row of division, period and group (group may be NULL),
 * made empty if new; valid until the next call. Strings are copied.
 */
struct rolluptab_row *rolluptab_row(struct rolluptab *t, const char *division,
    const char *period, const char *group);

/* Add count to counter name of row. */
void rolluptab_add(struct rolluptab_row *row, const char *name,
    long long count);

/* Return the sum of counter name of row, 0 if it has none. */
long long rolluptab_get(const struct rolluptab_row *row, const char *name);

/*
 * Set *ended, *met and *as_closed to row's counts of the service
 * standards of target ("completion" or "response") that ended, that
 * were met as closeloop decided, and that the CRM closed in time
 * (rollcount.h).
 */
void rolluptab_standards(const struct rolluptab_row *row, const char *target,
    long long *ended, long long *met, long long *as_closed);

/*
 * Write the period day (YYYY-MM-DD) falls in, by by: the day ('d'), its
 * week's Monday ('w'), its month ('m', YYYY-MM), or "" (0: the whole
 * time), into out of size bytes.
 */
void rolluptab_period(char by, const char *day, char *out, size_t size);

/*
 * Return 1 if the counts of group (a ward or service type; NULL for a
 * division's own) pass t's ward and service filters, else 0.
 */
int rolluptab_keeps(const struct rolluptab *t, const char *group);

/*
 * A rollup_fn (rollup.h) with arg a struct rolluptab: add a daily count
 * the filters keep to the row of its division, period (t->by) and group.
 */
int rolluptab_count(const char *division, const char *day, const char *group,
    const char *counter, long long count, void *arg);

/*
 * Order n rows by events received, most first, then by group: a ranking
 * of service types.
 */
void rolluptab_rank(const struct rolluptab_row **v, size_t n);

/*
 * Return the lag bucket (rollup_lag_name()) that percent per cent of
 * row's messages of closures came within: the first whose count, with
 * those before it, reaches that share of the lag:BUCKET counts. -1 if
 * the row counts none.
 */
int rolluptab_lag(const struct rolluptab_row *row, int percent);

/* Order the rows by division, then period, then group. */
void rolluptab_sort(struct rolluptab *t);

/* Free what t holds and empty it, its filters too. */
void rolluptab_clear(struct rolluptab *t);

#endif
