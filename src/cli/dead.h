/*
 * dead.h - "closeloop dead": the dead letters, for ops
 */
#ifndef DEAD_H
#define DEAD_H

struct config;

/*
 * Run "closeloop dead list [--json]" (JSON Lines: each entry's id, time,
 * kind and fields), "closeloop dead retry ID..." or "closeloop dead drop
 * [--json] ID..." (JSON Lines: each entry dropped, its kind, id, SR and
 * who dropped it) (argv[0] is the command's name). An ID is a stream
 * entry id or a notification id. Returns an exit status (sysexits.h).
 */
int dead_run(const struct config *cf, int argc, char **argv);

#endif
