/*
 * rollcount.h - the counters of the daily rollups, by name
 *
 * rollup.h says what each counter counts and how the counts are kept.
 */
#ifndef ROLLCOUNT_H
#define ROLLCOUNT_H

#include <stddef.h>

/* The most counters one decision adds to. */
#define ROLLCOUNT_PER_DECISION	4

struct decision;

/*
 * Write the names of the counters decision d adds to (the lag aside)
 * into c, which has room for ROLLCOUNT_PER_DECISION, and return how many.
 * The caller frees each.
 */
size_t rollcount_decision(const struct decision *d, char **c);

/*
 * Return 1 if name is the name of a counter rollcount_decision() writes
 * ("held", "held:RULE", "flag:RULE", ...), else 0.
 */
int rollcount_known(const char *name);

/*
 * Return 1 if name is a counter whose SRs are kept in a set as well
 * ("held", "held:RULE", "flag:RULE", "failed", "failed:KIND",
 * "answer:not_fixed", "answer:partly"), else 0: the others (received,
 * told, suppressed, sent, delivered, asked, ...) count too many SRs to
 * list.
 */
int rollcount_listed(const char *name);

#endif
