/*
 * event.h - the event contract v1: parsing and validating a stream entry
 *
 * A stream entry is a flat list of field/value pairs. event_parse() checks
 * it strictly against the contract (docs/events.md) and either returns a
 * struct event or a one-sentence cause that starts with the name of the
 * offending field, e.g. "ts: month is out of range (got
 * \"2026-13-01T00:00:00Z\")". Fields whose names start with "x_" are
 * extensions: they are allowed and ignored.
 */
#ifndef EVENT_H
#define EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "vocab.h"

struct config;

enum event_type {
	EVENT_STATUS = 1,
	EVENT_SUBSCRIBE,
	EVENT_UNSUBSCRIBE
};

#define EVENT_CHANNEL_EMAIL	0x1
#define EVENT_CHANNEL_SMS	0x2

/* Return a channel's name as stored and shown: "email" or "sms". */
const char *event_channel_name(int channel);

/*
 * Return a contact masked for logs (log_mask_email() or log_mask_phone()
 * by channel); the caller frees it.
 */
char *event_mask_contact(int channel, const char *address);

/* Limits of the contract. */
#define EVENT_NOTE_MAX		2000	/* characters */
#define EVENT_PHOTOS_MAX	10
#define EVENT_FIELDS_MAX	64	/* fields in an entry */
#define EVENT_ENTRY_MAX		65536	/* bytes of names and values */

/* A validated event. Strings not given are NULL. */
struct event {
	char			*source_id;	/* stream entry ID */
	enum event_type		 type;
	char			*event_id;	/* the CRM's, or source_id */
	char			*sr;
	char			*ts;
	int64_t			 when;		/* ts in seconds since epoch */

	/* status events */
	char			*division;
	char			*status_code;	/* as sent, before status_map */
	enum vocab_status	 status;
	enum vocab_reason	 reason;
	char			*service;
	char			*work_order;
	char			*transfer_to;
	char			*duplicate_of;
	char			*scheduled_for;
	int64_t			 scheduled_when;
	int			 scheduled_has_time;
	char			*note;
	char			*note_code;
	char			**photos;
	size_t			 nphotos;
	char			*photos_text;	/* the URLs joined by spaces */

	/* subscribe and unsubscribe events */
	char			*email;
	char			*phone;
	char			*locale;	/* canonical case */
	int			 channels;	/* EVENT_CHANNEL_* */
	int			 all;		/* unsubscribe from everything */
};

/*
 * Parse and validate one stream entry of n fields: name i is
 * fields[2*i] with length lens[2*i], its value fields[2*i+1]. cf supplies
 * the divisions' status maps and may be NULL. Returns a new event (free it
 * with event_free()), or NULL with *cause set to the reason, which the
 * caller frees.
 */
struct event *event_parse(const struct config *cf, const char *source_id,
    char *const *fields, const size_t *lens, size_t n, char **cause);

/*
 * Return how many of the first fields of an entry of n fields (lens as
 * for event_parse()) fit the contract's limits: at most EVENT_FIELDS_MAX
 * fields, of EVENT_ENTRY_MAX bytes of names and values in all - all n
 * for an entry within them. *bytes is set to the bytes those take. This
 * is what the dead letter of an entry keeps (stream.h).
 */
size_t event_fit(const size_t *lens, size_t n, size_t *bytes);

/* Free an event; NULL is a no-op. */
void event_free(struct event *ev);

/* Return the name of an event type. The string is static. */
const char *event_type_name(enum event_type type);

/*
 * Describe an event for a log line, with contacts masked, e.g.
 * "status SR 8812 closed/completed by TW". The string is allocated; the
 * caller frees it.
 */
char *event_describe(const struct event *ev);

/*
 * Write the event's canonical fields as name/value pointers into out
 * (which holds max pointers; 2 * EVENT_FIELDS_MAX is always enough) and
 * return how many pointers were written. The pointers point into ev and
 * into static strings; they live as long as ev.
 */
size_t event_fields(const struct event *ev, const char **out, size_t max);

#endif
