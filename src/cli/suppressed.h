/*
 * suppressed.h - "closeloop suppressed": the addresses closeloop no
 * longer mails
 */
#ifndef SUPPRESSED_H
#define SUPPRESSED_H

struct config;

/*
 * Run "closeloop suppressed list [--json] [--limit N] | clear
 * ADDRESS|HASH...". Returns an exit status.
 */
int suppressed_run(const struct config *cf, int argc, char **argv);

#endif
