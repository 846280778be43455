/*
 * report.h - "closeloop report": counts per division, for divisions
 */
#ifndef REPORT_H
#define REPORT_H

struct config;

/*
 * Run "closeloop report --since WHEN [--until WHEN] [--json]": for each
 * division, over that time, the events received, the notices told by
 * kind, the messages sent and delivered, the failures, the misleading
 * closures held back from residents, the closures without a note and
 * the duplicates closed without a link to the original. Returns an exit
 * status (0; EX_USAGE; EX_DATAERR for a bad time; EX_UNAVAILABLE).
 * argv[0] is the command's name, as getopt expects.
 */
int report_run(const struct config *cf, int argc, char **argv);

#endif
