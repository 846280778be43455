/*
 * event.h - the event value: one entry of the event contract v1
 *
 * A struct event is what eventparse_parse() (eventparse.h) makes of a
 * stream entry that passes the contract (docs/events.md); it owns its
 * strings. The limits of the contract are here, since the value and the
 * parser both use them.
 */
#ifndef EVENT_H
#define EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "vocab.h"

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
#define EVENT_STANDARD_MAX	1000	/* business days, as BIZDAY_MAX */

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
	char			*ward;
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
	char			*standard_days;	/* as given, or NULL */
	int			 standard;	/* its value, if given */

	/* subscribe and unsubscribe events */
	char			*email;
	char			*phone;
	char			*locale;	/* canonical case */
	int			 channels;	/* EVENT_CHANNEL_* */
	int			 all;		/* unsubscribe from everything */
};

/*
 * Return a new event for the stream entry source_id, every other field
 * empty (NULL or 0); eventparse_parse() fills it. Free it with
 * event_free().
 */
struct event *event_new(const char *source_id);

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
