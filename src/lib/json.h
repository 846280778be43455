/*
 * json.h - JSON objects, built and read (the one user of jansson)
 *
 * closeloop writes JSON for machines - the audit trail's JSON Lines file
 * and "closeloop history --json" - and reads it from an SMS gateway's
 * replies. Both need only flat objects: string, integer and boolean
 * members, and arrays of strings. An object keeps its members in the order they were
 * set, so every line of a file has the same shape.
 */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>
#include <stdio.h>

struct json;

/* Return a new empty object (never NULL); free it with json_free(). */
struct json *json_new(void);

/*
 * Parse text (len bytes) as a JSON object. Returns it (free it with
 * json_free()), or NULL with *cause (which the caller frees; cause may
 * be NULL) saying what is wrong and where.
 */
struct json *json_parse(const char *text, size_t len, char **cause);

/* Free an object; NULL is a no-op. */
void json_free(struct json *j);

/*
 * Set member key to the string value, copied; NULL or "" leaves it out.
 * Bytes that are not UTF-8 become U+FFFD.
 */
void json_set(struct json *j, const char *key, const char *value);

/* Set member key to an integer. */
void json_set_int(struct json *j, const char *key, long long value);

/*
 * Set member key to the array of the space-separated words of words
 * (an empty array if there are none; NULL leaves the member out).
 */
void json_set_words(struct json *j, const char *key, const char *words);

/* Set member key to the array of the n strings of v (copied). */
void json_set_strings(struct json *j, const char *key, const char *const *v,
    size_t n);

/* Set member key to true (value not 0) or false. */
void json_set_bool(struct json *j, const char *key, int value);

/* Return member key if it is a string, else NULL. Owned by j. */
const char *json_get(const struct json *j, const char *key);

/* Set *value to member key if it is an integer: 0, else -1. */
int json_get_int(const struct json *j, const char *key, long long *value);

/* Return j as one line of JSON without a newline; the caller frees it. */
char *json_dump(const struct json *j);

/* Write j to f as one line of JSON and a newline (JSON Lines). */
void json_print(const struct json *j, FILE *f);

#endif
