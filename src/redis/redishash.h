/*
 * redishash.h - a hash's fields and values, read from a reply uncopied
 *
 * HGETALL answers with every field and value of a hash. A year of daily
 * counts is a few million of them; redis_pipe_reply() would make a struct
 * redis_reply of each, two allocations apiece on top of hiredis's own.
 * redishash_next() instead hands each pair to a function as the reply is
 * parsed, out of the read buffer, allocating nothing. For the small hash
 * of one record, redishash_pairs() points into a reply already read.
 */
#ifndef REDISHASH_H
#define REDISHASH_H

#include <stddef.h>

struct redis;
struct redis_reply;

/*
 * Called for each field of a hash and its value, both NUL-terminated
 * copies that the function may change (they live until it returns); flen
 * is the field's length. A non-zero return skips the reply's other
 * fields.
 */
typedef int (*redishash_fn)(char *field, size_t flen, const char *value,
    void *arg);

/*
 * Take the next reply of a pipeline (redis.h: redis_pipe_argv()), sending
 * what is queued first, as the fields and values of a hash: fn is called
 * for each pair of an array reply; an empty or nil reply has none.
 * Returns 0; 1 if the server answered with an error (its text in
 * *cause); -1 if the connection failed (*cause set; as with
 * redis_pipe_reply(), the connection must then be freed).
 */
int redishash_next(struct redis *r, redishash_fn fn, void *arg,
    char **cause);

/*
 * Return the fields and values of an HGETALL reply already read, as
 * field/value pointers into it (fields[2*i], fields[2*i+1], "" for a
 * nil), and set *npairs to how many pairs; an empty array of none for a
 * reply that is not an array. Free the array alone, before the reply.
 */
char **redishash_pairs(const struct redis_reply *reply, size_t *npairs);

#endif
