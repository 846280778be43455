/*
 * emit.h - "closeloop emit": publish one event to the events stream
 */
#ifndef EMIT_H
#define EMIT_H

struct config;

/*
 * Run "closeloop emit [--force] FIELD=VALUE ..." (argv[0] is the
 * command's name): publish the event to the events stream of cf. "v"
 * defaults to 1 and "ts" to now. Unless --force is given the event is
 * first validated as closeloopd would, and refused with the reason if
 * invalid. Prints the new entry's ID on stdout. Returns an exit status
 * (0, EX_DATAERR, EX_UNAVAILABLE or EX_USAGE).
 */
int emit_run(const struct config *cf, int argc, char **argv);

#endif
