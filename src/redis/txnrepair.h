/*
 * txnrepair.h - a step's writes Redis refused: the key moved aside, the
 * writes made again
 *
 * A command of a MULTI/EXEC that Redis refuses as it runs does not stop
 * the others: a key of the wrong type (WRONGTYPE), or a hash field a
 * counter is added to that holds no integer, leaves the step applied but
 * for its writes to that key. Such a key was damaged from outside
 * closeloop (by hand, or another program sharing the database). The key
 * is renamed to "<key>:damaged:<unix ms>", keeping what it held, and the
 * step's commands on it, all of them and in order, are run again on a new
 * one, in a second MULTI/EXEC. A warning names the SR, the key and where
 * it went. Any other refusal is logged as an error with the command and
 * the key; the rest of the step stands.
 */
#ifndef TXNREPAIR_H
#define TXNREPAIR_H

#include "redis.h"

/*
 * Look at exec, EXEC's reply to the whole commands in cmds (a buffer of
 * redis_args_command()), and put right the keys Redis refused writes to,
 * as above. Returns 1 (the step committed), or -1 with *cause (about SR
 * sr) if Redis failed while it did.
 */
int txnrepair_run(struct redis *r, const struct redis_args *cmds,
    const struct redis_reply *exec, const char *sr, char **cause);

#endif
