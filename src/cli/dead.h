/*
 * dead.h - "closeloop dead" and "closeloop queue": the outbox for ops
 */
#ifndef DEAD_H
#define DEAD_H

struct config;

/*
 * Run "closeloop dead list [--json]" (JSON Lines: each entry's id, time,
 * kind and fields) or "closeloop dead retry ID..." (argv[0] is the
 * command's name). Returns an exit status (sysexits.h).
 */
int dead_run(const struct config *cf, int argc, char **argv);

/*
 * Run "closeloop queue [--json]": per channel, what is due now, what
 * waits (retries, quiet hours) and when the next falls due, in local
 * time; claims; dead letters; the events stream's length. Returns an
 * exit status.
 */
int dead_queue(const struct config *cf, int argc, char **argv);

#endif
