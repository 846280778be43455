/*
 * deadletter.h - a dead letter dropped for good by an operator
 *
 * "closeloop dead drop" and the console's Operations page (through
 * closeloopd) remove a dead letter that will never be handled: a
 * notification's drop is written to its SR's trail (suppressed, rule
 * dropped_by_operator, with who and how) in the transaction that removes
 * the entry; an event's is logged. Both go to the operators' record
 * (operator.h).
 */
#ifndef DEADLETTER_H
#define DEADLETTER_H

struct config;
struct redis;
struct redis_reply;

/* Called for each dead letter that matches a name: its entry id and fields. */
typedef int deadletter_fn(const struct config *cf, struct redis *r,
    const char *entry, const struct redis_reply *fields, void *arg);

/*
 * Call fn for each dead letter named by name, a stream entry id or a
 * notification id. Returns how many matched, or -1 with *cause if the
 * dead-letter stream cannot be read; *failed is set if fn returned
 * non-zero for any.
 */
int deadletter_each(struct redis *r, const struct config *cf,
    const char *name, deadletter_fn *fn, void *arg, int *failed,
    char **cause);

/*
 * Drop dead letter entry (its fields f) as by, how (e.g. "closeloop dead
 * drop") saying from where. Returns 0, or -1 with *cause.
 */
int deadletter_drop(struct redis *r, const struct config *cf,
    const char *entry, const struct redis_reply *f, const char *by,
    const char *how, char **cause);

#endif
