/*
 * history.h - "closeloop history": what closeloop decided about an SR
 */
#ifndef HISTORY_H
#define HISTORY_H

struct config;

/*
 * Print the decisions recorded about SR sr, oldest first, one per line:
 * "TIME DECISION NOTICE RULE DIVISION: DETAIL" with "-" for a column
 * without a value and TIME in UTC. Returns an exit status (0,
 * EX_DATAERR for a malformed SR number, EX_UNAVAILABLE if Redis cannot
 * be reached).
 */
int history_run(const struct config *cf, const char *sr);

#endif
