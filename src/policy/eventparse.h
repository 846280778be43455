/*
 * eventparse.h - reading a stream entry into an event: the contract v1
 *
 * A stream entry is a flat list of field/value pairs. eventparse_parse()
 * checks it strictly against the contract (docs/events.md) and either
 * returns a struct event or a one-sentence cause that starts with the
 * name of the offending field, e.g. "ts: month is out of range (got
 * \"2026-13-01T00:00:00Z\")". Fields whose names start with "x_" are
 * extensions: they are allowed and ignored.
 */
#ifndef EVENTPARSE_H
#define EVENTPARSE_H

#include <stddef.h>

struct config;
struct event;

/*
 * Parse and validate one stream entry of n fields: name i is
 * fields[2*i] with length lens[2*i], its value fields[2*i+1]. cf supplies
 * the divisions' status maps and may be NULL. Returns a new event (free it
 * with event_free()), or NULL with *cause set to the reason, which the
 * caller frees.
 */
struct event *eventparse_parse(const struct config *cf,
    const char *source_id, char *const *fields, const size_t *lens,
    size_t n, char **cause);

/*
 * Return how many of the first fields of an entry of n fields (lens as
 * for eventparse_parse()) fit the contract's limits: at most
 * EVENT_FIELDS_MAX fields, of EVENT_ENTRY_MAX bytes of names and values
 * in all - all n for an entry within them. *bytes is set to the bytes
 * those take. This is what the dead letter of an entry keeps (stream.h).
 */
size_t eventparse_fit(const size_t *lens, size_t n, size_t *bytes);

#endif
