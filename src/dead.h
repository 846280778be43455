/*
 * dead.h - "closeloop dead" and "closeloop queue": the outbox for ops
 */
#ifndef DEAD_H
#define DEAD_H

struct config;

/*
 * Run "closeloop dead list" or "closeloop dead retry ID..." (argv[0] is
 * "list" or "retry"). Returns an exit status (sysexits.h).
 */
int dead_run(const struct config *cf, int argc, char **argv);

/* Run "closeloop queue": outbox, retry and dead-letter depths. */
int dead_queue(const struct config *cf);

#endif
