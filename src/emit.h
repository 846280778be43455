/*
 * emit.h - "closeloop emit": publish one event to the events stream
 */
#ifndef EMIT_H
#define EMIT_H

struct config;

/*
 * Publish the event given as FIELD=VALUE arguments (argc of them) to the
 * events stream of cf. "v" defaults to 1 and "ts" to now. Unless force is
 * set the event is first validated as closeloopd would, and refused with
 * the reason if invalid. Prints the new entry's ID on stdout. Returns an
 * exit status (0, EX_DATAERR, EX_UNAVAILABLE or EX_USAGE).
 */
int emit_run(const struct config *cf, int argc, char **argv, int force);

#endif
