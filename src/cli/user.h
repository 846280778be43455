/*
 * user.h - "closeloop user": the console's local accounts
 */
#ifndef USER_H
#define USER_H

struct config;

/*
 * Run "closeloop user" with its arguments (argv[0] is the command's
 * name):
 *   add NAME --role ROLE [--division CODE]... [--password-file FILE]
 *   passwd NAME [--password-file FILE]
 *   del NAME
 *   list [--json]
 * The password is read from FILE's first line, or else from the
 * terminal (asked twice, not echoed) or the first line of standard
 * input; it is never an argument, which other users could see. passwd
 * and del end the account's sessions. Returns an exit status: 0;
 * EX_USAGE; EX_DATAERR (a bad name, role, division or password; a name
 * taken or unknown); EX_UNAVAILABLE if Redis cannot be reached.
 */
int user_run(const struct config *cf, int argc, char **argv);

#endif
