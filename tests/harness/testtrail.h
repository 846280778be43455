/*
 * testtrail.h - the last entries of the trails, read back
 *
 * The tests of what an operator does read back what an operator reads:
 * the last entry of an SR's trail (audit.h) and of the operators' record
 * PREFIXweb:audit (operator.h), and how many entries a stream holds.
 */
#ifndef TESTTRAIL_H
#define TESTTRAIL_H

#include <stddef.h>

struct config;
struct redis;

/*
 * Return field of the last entry of the stream key (allocated), or NULL
 * if the stream is empty or its last entry has no such field.
 */
char *testtrail_field(struct redis *r, const char *key, const char *field);

/* Return the id of the i-th entry of the stream key (allocated). */
char *testtrail_entry(struct redis *r, const char *key, size_t i);

/* Return how many entries the stream key holds (0 if there is none). */
long long testtrail_len(struct redis *r, const char *key);

/* Assert that the last entry of SR sr's trail has field set to want. */
void testtrail_sr_is(struct redis *r, const struct config *cf,
    const char *sr, const char *field, const char *want);

/* Assert that the last entry of the operators' record has field = want. */
void testtrail_ops_is(struct redis *r, const struct config *cf,
    const char *field, const char *want);

/* Assert that the detail of the last entry of SR sr's trail has part. */
void testtrail_sr_has(struct redis *r, const struct config *cf,
    const char *sr, const char *part);

/* Assert that the detail of the operators' record's last line has part. */
void testtrail_ops_has(struct redis *r, const struct config *cf,
    const char *part);

/* Return how many entries SR sr's trail holds. */
long long testtrail_sr_len(struct redis *r, const struct config *cf,
    const char *sr);

/* Return how many entries the operators' record holds. */
long long testtrail_ops_len(struct redis *r, const struct config *cf);

#endif
