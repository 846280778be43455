/*
 * find.h - "closeloop find": a resident's SRs, from their address or number
 */
#ifndef FIND_H
#define FIND_H

struct config;

/*
 * Run "closeloop find" with its arguments (argv[0] is the command's
 * name, as getopt expects):
 *   [--json] --email ADDRESS | --phone NUMBER
 *       the SRs whose state has that contact, newest change first: the
 *       division and status of the work order that owns it (or closed
 *       last), the service, the ward if the state has one, the time of
 *       the last change. The address may be typed in any case; the
 *       number in E.164, with spaces, dashes, dots or parentheses.
 * Only the whole contact finds anything (lookup.h). Nothing printed
 * holds the contact. Returns an exit status: 0 if SRs were found, 1 if
 * none; EX_USAGE; EX_DATAERR for an address or number that is not one;
 * EX_CONFIG without audit.lookup_secret_file; EX_UNAVAILABLE if Redis
 * cannot be read.
 */
int find_run(const struct config *cf, int argc, char **argv);

#endif
