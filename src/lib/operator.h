/*
 * operator.h - who runs a command, as a record names them
 *
 * A command that acts on an operator's word (closeloop dead retry, a
 * test send of a template) records who gave it: the user who ran sudo,
 * else the login. The name comes from the environment, so it is what the
 * person says, not a proof; it is made safe to record.
 */
#ifndef OPERATOR_H
#define OPERATOR_H

/*
 * Return who runs this process: $SUDO_USER, else $USER, else $LOGNAME
 * (the first set and not empty), else "unknown", cleaned as log_clean()
 * cleans a value and cut to OPERATOR_MAX bytes. The caller frees it.
 */
#define OPERATOR_MAX	64
char *operator_name(void);

#endif
