/*
 * show.h - "closeloop show": a message as it was sent, and its proof
 */
#ifndef SHOW_H
#define SHOW_H

struct config;

/*
 * Run "closeloop show" with its arguments (argv[0] is the command's
 * name, as getopt expects):
 *   NOTIFICATION [--text | --html FILE | --eml FILE]
 * NOTIFICATION is a notification id, "SR/SEQ/I" (history --json gives
 * it). Prints the kept message - by default a summary of its headers
 * and its text part; --text the text part alone; --html FILE writes its
 * HTML part, decoded, to FILE; --eml FILE the whole kept message - then
 * whether its hash checks against the audit trail's entry of its
 * sending (keep.h). Returns an exit status: 0 if the hash checks, 1 if
 * it does not or nothing is kept, EX_USAGE, EX_DATAERR for a malformed
 * id, EX_CANTCREAT if FILE cannot be written, EX_UNAVAILABLE if Redis
 * cannot be read.
 */
int show_run(const struct config *cf, int argc, char **argv);

#endif
