/*
 * history.h - "closeloop history": what a resident was told, and why
 */
#ifndef HISTORY_H
#define HISTORY_H

struct config;

/*
 * Run "closeloop history" with its arguments (argv[0] is the command's
 * name, as getopt expects):
 *   [--json] SR
 *       the SR's timeline: what the CRM sent, what was decided, what
 *       each resident was sent and whether it arrived, oldest first
 *   [--json] --since WHEN [--until WHEN] [--decision K[,K...]]
 *       [--division CODE]
 *       the entries of every SR in that time, filtered
 * Times print in templates.timezone; --json prints one object per line
 * (audit.h). Returns an exit status (0; EX_USAGE; EX_DATAERR for a
 * malformed SR or time; EX_UNAVAILABLE if Redis cannot be read).
 */
int history_run(const struct config *cf, int argc, char **argv);

#endif
