/*
 * event.c - the event value: one entry of the event contract v1
 *
 * An event is made by eventparse_parse() (eventparse.c), which reads and
 * validates a stream entry into it. This file holds the value itself:
 * making and freeing it, naming its type and channels, describing it for
 * a log line with the contacts masked, and writing its canonical fields
 * back out as the history of an SR keeps them.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "log.h"
#include "xmalloc.h"

/* Make an empty event read from the stream entry source_id. */
struct event *
event_new(const char *source_id)
{
	struct event	*ev;

	ev = xcalloc(1, sizeof *ev);
	ev->source_id = xstrdup(source_id);
	return ev;
}

/* Free an event. */
void
event_free(struct event *ev)
{
	size_t	i;

	if (ev == NULL)
		return;
	for (i = 0; i < ev->nphotos; i++)
		free(ev->photos[i]);
	free(ev->photos);
	free(ev->photos_text);
	free(ev->source_id);
	free(ev->event_id);
	free(ev->sr);
	free(ev->ts);
	free(ev->division);
	free(ev->status_code);
	free(ev->service);
	free(ev->ward);
	free(ev->work_order);
	free(ev->transfer_to);
	free(ev->duplicate_of);
	free(ev->scheduled_for);
	free(ev->note);
	free(ev->note_code);
	free(ev->standard_days);
	free(ev->email);
	free(ev->phone);
	free(ev->locale);
	free(ev);
}

/* Return the name of an event type. */
const char *
event_type_name(enum event_type type)
{
	switch (type) {
	case EVENT_STATUS:
		return "status";
	case EVENT_SUBSCRIBE:
		return "subscribe";
	case EVENT_UNSUBSCRIBE:
		return "unsubscribe";
	}
	return "unknown";
}

/* Return the channels as a field value. */
static const char *
event_channels_name(int channels)
{
	switch (channels) {
	case EVENT_CHANNEL_EMAIL:
		return "email";
	case EVENT_CHANNEL_SMS:
		return "sms";
	case EVENT_CHANNEL_EMAIL | EVENT_CHANNEL_SMS:
		return "email,sms";
	}
	return NULL;
}

/* Describe an event for a log line, with contacts masked. */
char *
event_describe(const struct event *ev)
{
	char	*email, *phone, *s;

	if (ev->type == EVENT_STATUS) {
		return xasprintf("status SR %s %s%s%s by %s%s%s", ev->sr,
		    vocab_status_name(ev->status),
		    ev->reason != VOCAB_REASON_NONE ? "/" : "",
		    vocab_reason_name(ev->reason), ev->division,
		    ev->transfer_to != NULL ? " to " : "",
		    ev->transfer_to != NULL ? ev->transfer_to : "");
	}
	email = ev->email != NULL ? log_mask_email(ev->email) : NULL;
	phone = ev->phone != NULL ? log_mask_phone(ev->phone) : NULL;
	s = xasprintf("%s SR %s%s%s%s%s%s", event_type_name(ev->type),
	    ev->sr, email != NULL ? " email " : "", email != NULL ? email : "",
	    phone != NULL ? " phone " : "", phone != NULL ? phone : "",
	    ev->all ? " all" : "");
	free(email);
	free(phone);
	return s;
}

/* Append one name/value pair to out if the value is set. */
static void
event_put(const char **out, size_t max, size_t *n, const char *name,
    const char *value)
{
	if (value == NULL || *value == '\0' || *n + 2 > max)
		return;
	out[(*n)++] = name;
	out[(*n)++] = value;
}

/* Write the event's canonical fields as name/value pointers. */
size_t
event_fields(const struct event *ev, const char **out, size_t max)
{
	size_t	n = 0;

	event_put(out, max, &n, "v", "1");
	event_put(out, max, &n, "type", event_type_name(ev->type));
	event_put(out, max, &n, "event_id", ev->event_id);
	event_put(out, max, &n, "sr", ev->sr);
	event_put(out, max, &n, "ts", ev->ts);
	event_put(out, max, &n, "source_id", ev->source_id);
	event_put(out, max, &n, "division", ev->division);
	event_put(out, max, &n, "status", vocab_status_name(ev->status));
	if (ev->status_code != NULL &&
	    strcmp(ev->status_code, vocab_status_name(ev->status)) != 0)
		event_put(out, max, &n, "status_code", ev->status_code);
	event_put(out, max, &n, "reason", vocab_reason_name(ev->reason));
	event_put(out, max, &n, "service", ev->service);
	event_put(out, max, &n, "ward", ev->ward);
	event_put(out, max, &n, "work_order", ev->work_order);
	event_put(out, max, &n, "transfer_to", ev->transfer_to);
	event_put(out, max, &n, "duplicate_of", ev->duplicate_of);
	event_put(out, max, &n, "scheduled_for", ev->scheduled_for);
	event_put(out, max, &n, "note", ev->note);
	event_put(out, max, &n, "note_code", ev->note_code);
	event_put(out, max, &n, "photos", ev->photos_text);
	event_put(out, max, &n, "standard_days", ev->standard_days);
	event_put(out, max, &n, "email", ev->email);
	event_put(out, max, &n, "phone", ev->phone);
	event_put(out, max, &n, "locale", ev->locale);
	if (ev->type == EVENT_SUBSCRIBE)
		event_put(out, max, &n, "channels",
		    event_channels_name(ev->channels));
	if (ev->all)
		event_put(out, max, &n, "all", "1");
	return n;
}

/* Return a channel's name. */
const char *
event_channel_name(int channel)
{
	return channel == EVENT_CHANNEL_SMS ? "sms" : "email";
}

/* Return a contact masked for logs. */
char *
event_mask_contact(int channel, const char *address)
{
	return channel == EVENT_CHANNEL_SMS ? log_mask_phone(address) :
	    log_mask_email(address);
}
