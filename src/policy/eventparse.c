/*
 * eventparse.c - reading a stream entry into an event: the contract v1
 *
 * Parsing runs in three passes over the entry. The first sorts the fields
 * into the slots of eventparse_known[], rejecting unknown names, names
 * given twice and values that are not UTF-8. The second reads v and type,
 * which say what else is required and allowed. The third checks each
 * value. The first problem found is the one reported: the cause always
 * starts with the field's name so that an integrator can find it.
 */
#include "build.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "division.h"
#include "event.h"
#include "eventparse.h"
#include "log.h"
#include "syntax.h"
#include "xmalloc.h"

#define T_STATUS	(1 << EVENT_STATUS)
#define T_SUB		(1 << EVENT_SUBSCRIBE)
#define T_UNSUB		(1 << EVENT_UNSUBSCRIBE)
#define T_ALL		(T_STATUS | T_SUB | T_UNSUB)

/* The fields of the contract, in the order event_fields() writes them. */
enum eventparse_slot {
	F_V, F_TYPE, F_EVENT_ID, F_SR, F_TS, F_DIVISION, F_STATUS, F_REASON,
	F_SERVICE, F_WARD, F_WORK_ORDER, F_TRANSFER_TO, F_DUPLICATE_OF,
	F_SCHEDULED_FOR, F_NOTE, F_NOTE_CODE, F_PHOTOS, F_STANDARD_DAYS,
	F_EMAIL, F_PHONE, F_LOCALE, F_CHANNELS, F_ALL, F_COUNT
};

static const struct {
	const char	*name;
	int		 types;		/* where allowed */
	int		 required;	/* where required */
	size_t		 max;		/* in characters */
} eventparse_known[F_COUNT] = {
	[F_V] = { "v", T_ALL, T_ALL, 8 },
	[F_TYPE] = { "type", T_ALL, T_ALL, 16 },
	[F_EVENT_ID] = { "event_id", T_ALL, 0, 128 },
	[F_SR] = { "sr", T_ALL, T_ALL, 64 },
	[F_TS] = { "ts", T_ALL, T_ALL, 64 },
	[F_DIVISION] = { "division", T_STATUS, T_STATUS, 32 },
	[F_STATUS] = { "status", T_STATUS, T_STATUS, 64 },
	[F_REASON] = { "reason", T_STATUS, 0, 64 },
	[F_SERVICE] = { "service", T_STATUS, 0, 200 },
	[F_WARD] = { "ward", T_STATUS, 0, 32 },
	[F_WORK_ORDER] = { "work_order", T_STATUS, 0, 64 },
	[F_TRANSFER_TO] = { "transfer_to", T_STATUS, 0, 32 },
	[F_DUPLICATE_OF] = { "duplicate_of", T_STATUS, 0, 64 },
	[F_SCHEDULED_FOR] = { "scheduled_for", T_STATUS, 0, 64 },
	[F_NOTE] = { "note", T_STATUS, 0, EVENT_NOTE_MAX },
	[F_NOTE_CODE] = { "note_code", T_STATUS, 0, 64 },
	[F_PHOTOS] = { "photos", T_STATUS, 0, EVENT_PHOTOS_MAX * 2049 },
	[F_STANDARD_DAYS] = { "standard_days", T_STATUS, 0, 4 },
	[F_EMAIL] = { "email", T_SUB | T_UNSUB, 0, 254 },
	[F_PHONE] = { "phone", T_SUB | T_UNSUB, 0, 16 },
	[F_LOCALE] = { "locale", T_SUB, 0, 35 },
	[F_CHANNELS] = { "channels", T_SUB, 0, 16 },
	[F_ALL] = { "all", T_UNSUB, 0, 8 },
};

/* The values of one entry sorted by field; NULL where not given. */
struct eventparse_slots {
	const char	*v[F_COUNT];
};

/* Set *cause to "FIELD: what (got "value")" with the value made safe. */
static void __attribute__((format(printf, 4, 5)))
eventparse_reject(char **cause, const char *field, const char *value,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*what, *clean;

	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	if (value != NULL) {
		clean = log_clean(value, strlen(value), 80);
		*cause = xasprintf("%s: %s (got \"%s\")", field, what, clean);
		free(clean);
	} else
		*cause = xasprintf("%s: %s", field, what);
	free(what);
}

/* Find a known field by name; returns its slot or F_COUNT. */
static enum eventparse_slot
eventparse_slot_find(const char *name, size_t len)
{
	int	i;

	for (i = 0; i < F_COUNT; i++) {
		if (strlen(eventparse_known[i].name) == len &&
		    memcmp(eventparse_known[i].name, name, len) == 0)
			return (enum eventparse_slot)i;
	}
	return F_COUNT;
}

/* Sort the fields into slots; checks names, duplicates and UTF-8. */
static int
eventparse_sort(struct eventparse_slots *sl, char *const *fields,
    const size_t *lens, size_t n, char **cause)
{
	const char		*why;
	char			*name;
	size_t			 i, bad, size = 0;
	enum eventparse_slot	 slot;

	if (n == 0) {
		*cause = xstrdup("entry: has no fields");
		return -1;
	}
	if (n > EVENT_FIELDS_MAX) {
		*cause = xasprintf("entry: has %zu fields (at most %d)", n,
		    EVENT_FIELDS_MAX);
		return -1;
	}
	for (i = 0; i < 2 * n; i++)
		size += lens[i];
	if (size > EVENT_ENTRY_MAX) {
		*cause = xasprintf("entry: has %zu bytes of names and values "
		    "(at most %d)", size, EVENT_ENTRY_MAX);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (lens[2 * i] == 0) {
			*cause = xstrdup("entry: has a field with an empty name");
			return -1;
		}
		name = log_clean(fields[2 * i], lens[2 * i], 40);
		if (syntax_utf8(fields[2 * i], lens[2 * i], &bad, &why) != 0) {
			*cause = xasprintf("field name \"%s\": %s", name, why);
			goto fail;
		}
		if (syntax_utf8(fields[2 * i + 1], lens[2 * i + 1], &bad,
		    &why) != 0) {
			*cause = xasprintf("%s: %s at byte %zu", name, why,
			    bad);
			goto fail;
		}
		if (lens[2 * i] > 2 && strncmp(fields[2 * i], "x_", 2) == 0) {
			free(name);
			continue;
		}
		slot = eventparse_slot_find(fields[2 * i], lens[2 * i]);
		if (slot == F_COUNT) {
			*cause = xasprintf("%s: unknown field (extensions must "
			    "start with x_)", name);
			goto fail;
		}
		if (sl->v[slot] != NULL) {
			*cause = xasprintf("%s: given more than once", name);
			goto fail;
		}
		if (syntax_utf8_chars(fields[2 * i + 1], lens[2 * i + 1]) >
		    eventparse_known[slot].max) {
			*cause = xasprintf("%s: is too long (%zu characters; at "
			    "most %zu)", name, syntax_utf8_chars(
			    fields[2 * i + 1], lens[2 * i + 1]),
			    eventparse_known[slot].max);
			goto fail;
		}
		sl->v[slot] = fields[2 * i + 1];
		free(name);
	}
	return 0;

fail:
	free(name);
	return -1;
}

/* Read v and type and check which fields are present for that type. */
static int
eventparse_type(struct event *ev, const struct eventparse_slots *sl,
    char **cause)
{
	const char	*t = sl->v[F_TYPE];
	int		 i, mask;

	if (sl->v[F_V] == NULL) {
		*cause = xstrdup("v: missing (required; the contract version, "
		    "\"1\")");
		return -1;
	}
	if (strcmp(sl->v[F_V], "1") != 0) {
		eventparse_reject(cause, "v", sl->v[F_V], "unsupported version "
		    "(this closeloopd reads version 1)");
		return -1;
	}
	if (t == NULL) {
		*cause = xstrdup("type: missing (required; status, subscribe "
		    "or unsubscribe)");
		return -1;
	}
	if (strcmp(t, "status") == 0)
		ev->type = EVENT_STATUS;
	else if (strcmp(t, "subscribe") == 0)
		ev->type = EVENT_SUBSCRIBE;
	else if (strcmp(t, "unsubscribe") == 0)
		ev->type = EVENT_UNSUBSCRIBE;
	else {
		eventparse_reject(cause, "type", t, "unknown type (use status, "
		    "subscribe or unsubscribe)");
		return -1;
	}
	mask = 1 << ev->type;
	for (i = 0; i < F_COUNT; i++) {
		if (sl->v[i] != NULL && !(eventparse_known[i].types & mask)) {
			*cause = xasprintf("%s: not allowed in %s %s event",
			    eventparse_known[i].name, ev->type ==
			    EVENT_UNSUBSCRIBE ? "an" : "a", t);
			return -1;
		}
		if (sl->v[i] == NULL && (eventparse_known[i].required & mask)) {
			*cause = xasprintf("%s: missing (required in %s %s "
			    "event)", eventparse_known[i].name, ev->type ==
			    EVENT_UNSUBSCRIBE ? "an" : "a", t);
			return -1;
		}
		if (sl->v[i] != NULL && *sl->v[i] == '\0') {
			*cause = xasprintf("%s: is empty",
			    eventparse_known[i].name);
			return -1;
		}
	}
	return 0;
}

/* Check the event_id: printable ASCII without spaces. */
static int
eventparse_id(const char *id, const char **why)
{
	for (; *id != '\0'; id++) {
		if (*id <= 0x20 || *id >= 0x7f) {
			*why = "must be printable ASCII without spaces";
			return -1;
		}
	}
	return 0;
}

/* Check the fields common to every type. */
static int
eventparse_common(struct event *ev, const struct eventparse_slots *sl,
    char **cause)
{
	const char	*why;

	if (sl->v[F_EVENT_ID] != NULL &&
	    eventparse_id(sl->v[F_EVENT_ID], &why) != 0) {
		eventparse_reject(cause, "event_id", sl->v[F_EVENT_ID], "%s",
		    why);
		return -1;
	}
	if (syntax_sr(sl->v[F_SR], &why) != 0) {
		eventparse_reject(cause, "sr", sl->v[F_SR], "%s", why);
		return -1;
	}
	if (syntax_time(sl->v[F_TS], &ev->when, &why) != 0) {
		eventparse_reject(cause, "ts", sl->v[F_TS], "%s", why);
		return -1;
	}
	ev->event_id = xstrdup(sl->v[F_EVENT_ID] != NULL ?
	    sl->v[F_EVENT_ID] : ev->source_id);
	ev->sr = xstrdup(sl->v[F_SR]);
	ev->ts = xstrdup(sl->v[F_TS]);
	return 0;
}

/* Resolve status and reason, through the division's status_map first. */
static int
eventparse_status(struct event *ev, const struct config *cf,
    const struct eventparse_slots *sl, char **cause)
{
	const struct division		*dv = NULL;
	const char			*code = sl->v[F_STATUS];
	enum vocab_reason		 mapped = VOCAB_REASON_NONE;

	if (cf != NULL)
		dv = division_find(cf->divisions, cf->ndivisions,
		    ev->division);
	if (dv == NULL || division_map(dv, code, &ev->status, &mapped) != 0)
		ev->status = vocab_status_parse(code);
	if (ev->status == VOCAB_STATUS_NONE) {
		if (dv != NULL && dv->nmap > 0)
			eventparse_reject(cause, "status", code, "unknown "
			    "status (use one of %s, or a code in the "
			    "status_map of division %s)", vocab_status_list(),
			    ev->division);
		else
			eventparse_reject(cause, "status", code, "unknown "
			    "status (use one of %s)", vocab_status_list());
		return -1;
	}
	ev->status_code = xstrdup(code);
	ev->reason = mapped;
	if (sl->v[F_REASON] != NULL) {
		ev->reason = vocab_reason_parse(sl->v[F_REASON]);
		if (ev->reason == VOCAB_REASON_NONE) {
			eventparse_reject(cause, "reason", sl->v[F_REASON],
			    "unknown reason (use one of %s)",
			    vocab_reason_list());
			return -1;
		}
	}
	return 0;
}

/* Split and check the space-separated photo URLs. */
static int
eventparse_photos(struct event *ev, const char *value, char **cause)
{
	char		*copy, *p, *url, *joined;
	const char	*why;
	size_t		 i;
	int		 rc = -1;

	copy = xstrdup(value);
	p = copy;
	while ((url = strsep(&p, " ")) != NULL) {
		if (*url == '\0')
			continue;
		if (ev->nphotos == EVENT_PHOTOS_MAX) {
			*cause = xasprintf("photos: has more than %d URLs",
			    EVENT_PHOTOS_MAX);
			goto fail;
		}
		if (syntax_https_url(url, &why) != 0) {
			/* A URL with user information may hold a password. */
			eventparse_reject(cause, "photos", strchr(url, '@') !=
			    NULL ? NULL : url, "%s", why);
			goto fail;
		}
		ev->photos = xreallocarray(ev->photos, ev->nphotos + 1,
		    sizeof *ev->photos);
		ev->photos[ev->nphotos++] = xstrdup(url);
	}
	if (ev->nphotos == 0) {
		*cause = xstrdup("photos: has no URL");
		goto fail;
	}
	ev->photos_text = xstrdup(ev->photos[0]);
	for (i = 1; i < ev->nphotos; i++) {
		joined = xasprintf("%s %s", ev->photos_text, ev->photos[i]);
		free(ev->photos_text);
		ev->photos_text = joined;
	}
	rc = 0;
fail:
	free(copy);
	return rc;
}

/* How an optional field of a status event is checked. */
enum eventparse_check {
	CHECK_LINE,		/* one line of text */
	CHECK_TEXT,		/* text with line breaks; not repeated back */
	CHECK_CODE,		/* a code of at most 32 characters */
	CHECK_NOTE_CODE,	/* a code of at most 64 characters */
	CHECK_SR,		/* an SR number */
	CHECK_WHEN,		/* a date or date-time */
	CHECK_DAYS		/* business days, 0 to EVENT_STANDARD_MAX */
};

#define EVENTPARSE_AT(f) offsetof(struct event, f)

static const struct {
	enum eventparse_slot	 slot;
	enum eventparse_check	 check;
	size_t			 offset;
} eventparse_optional[] = {
	{ F_SERVICE, CHECK_LINE, EVENTPARSE_AT(service) },
	{ F_WARD, CHECK_CODE, EVENTPARSE_AT(ward) },
	{ F_WORK_ORDER, CHECK_LINE, EVENTPARSE_AT(work_order) },
	{ F_TRANSFER_TO, CHECK_CODE, EVENTPARSE_AT(transfer_to) },
	{ F_DUPLICATE_OF, CHECK_SR, EVENTPARSE_AT(duplicate_of) },
	{ F_SCHEDULED_FOR, CHECK_WHEN, EVENTPARSE_AT(scheduled_for) },
	{ F_NOTE, CHECK_TEXT, EVENTPARSE_AT(note) },
	{ F_NOTE_CODE, CHECK_NOTE_CODE, EVENTPARSE_AT(note_code) },
	{ F_STANDARD_DAYS, CHECK_DAYS, EVENTPARSE_AT(standard_days) },
};

/* Check one optional value of a status event; 0 if good. */
static int
eventparse_optional_check(struct event *ev, enum eventparse_check check,
    const char *v, const char **why)
{
	switch (check) {
	case CHECK_LINE:
		return syntax_text(v, 0, why);
	case CHECK_TEXT:
		return syntax_text(v, 1, why);
	case CHECK_CODE:
		return syntax_code(v, 32, why);
	case CHECK_NOTE_CODE:
		return syntax_code(v, 64, why);
	case CHECK_SR:
		return syntax_sr(v, why);
	case CHECK_WHEN:
		return syntax_date_or_time(v, &ev->scheduled_when,
		    &ev->scheduled_has_time, why);
	case CHECK_DAYS:	/* non-empty, of 4 characters at most */
		*why = "must be a whole number of business days from 0 to "
		    "1000";
		return strspn(v, "0123456789") != strlen(v) ||
		    (ev->standard = atoi(v)) > EVENT_STANDARD_MAX ? -1 : 0;
	}
	return -1;
}

/* Check the fields of a status event. */
static int
eventparse_status_fields(struct event *ev, const struct config *cf,
    const struct eventparse_slots *sl, char **cause)
{
	const char		*why, *v, *name;
	size_t			 i;
	enum eventparse_check	 check;

	if (syntax_code(sl->v[F_DIVISION], 32, &why) != 0) {
		eventparse_reject(cause, "division", sl->v[F_DIVISION], "%s",
		    why);
		return -1;
	}
	ev->division = xstrdup(sl->v[F_DIVISION]);
	if (eventparse_status(ev, cf, sl, cause) != 0)
		return -1;
	for (i = 0; i < sizeof eventparse_optional /
	    sizeof eventparse_optional[0]; i++) {
		if ((v = sl->v[eventparse_optional[i].slot]) == NULL)
			continue;
		name = eventparse_known[eventparse_optional[i].slot].name;
		check = eventparse_optional[i].check;
		if (eventparse_optional_check(ev, check, v, &why) != 0) {
			eventparse_reject(cause, name, check == CHECK_TEXT ?
			    NULL : v, "%s", why);
			return -1;
		}
		*(char **)((char *)ev + eventparse_optional[i].offset) =
		    xstrdup(v);
	}
	if (sl->v[F_PHOTOS] != NULL &&
	    eventparse_photos(ev, sl->v[F_PHOTOS], cause) != 0)
		return -1;
	return 0;
}

/* Parse the channels field of a subscribe event. */
static int
eventparse_channels(const char *v, int *channels)
{
	if (strcmp(v, "email") == 0)
		*channels = EVENT_CHANNEL_EMAIL;
	else if (strcmp(v, "sms") == 0)
		*channels = EVENT_CHANNEL_SMS;
	else if (strcmp(v, "email,sms") == 0 || strcmp(v, "sms,email") == 0)
		*channels = EVENT_CHANNEL_EMAIL | EVENT_CHANNEL_SMS;
	else
		return -1;
	return 0;
}

/* Check the contact fields of a subscribe or unsubscribe event. */
static int
eventparse_contact_fields(struct event *ev,
    const struct eventparse_slots *sl, char **cause)
{
	const char	*why, *v;
	char		 locale[36];

	if ((v = sl->v[F_EMAIL]) != NULL) {
		if (syntax_email(v, &why) != 0) {
			*cause = xasprintf("email: %s", why);
			return -1;
		}
		ev->email = xstrdup(v);
	}
	if ((v = sl->v[F_PHONE]) != NULL) {
		if (syntax_phone(v, &why) != 0) {
			*cause = xasprintf("phone: %s", why);
			return -1;
		}
		ev->phone = xstrdup(v);
	}
	if ((v = sl->v[F_LOCALE]) != NULL) {
		if (syntax_locale(v, locale, sizeof locale, &why) != 0) {
			eventparse_reject(cause, "locale", v, "%s", why);
			return -1;
		}
		ev->locale = xstrdup(locale);
	}
	if ((v = sl->v[F_ALL]) != NULL) {
		if (strcmp(v, "1") != 0 && strcmp(v, "true") != 0 &&
		    strcmp(v, "yes") != 0) {
			eventparse_reject(cause, "all", v, "must be 1, true or "
			    "yes");
			return -1;
		}
		ev->all = 1;
	}
	if (ev->type == EVENT_UNSUBSCRIBE) {
		if (ev->email == NULL && ev->phone == NULL && !ev->all) {
			*cause = xstrdup("email: missing (an unsubscribe event "
			    "needs email, phone or all)");
			return -1;
		}
		return 0;
	}
	if (ev->email == NULL && ev->phone == NULL) {
		*cause = xstrdup("email: missing (a subscribe event needs "
		    "email, phone or both)");
		return -1;
	}
	if ((v = sl->v[F_CHANNELS]) == NULL) {
		ev->channels = (ev->email != NULL ? EVENT_CHANNEL_EMAIL : 0) |
		    (ev->phone != NULL ? EVENT_CHANNEL_SMS : 0);
		return 0;
	}
	if (eventparse_channels(v, &ev->channels) != 0) {
		eventparse_reject(cause, "channels", v, "must be email, sms or "
		    "email,sms");
		return -1;
	}
	if ((ev->channels & EVENT_CHANNEL_EMAIL) && ev->email == NULL) {
		*cause = xstrdup("channels: email is asked for but no email "
		    "is given");
		return -1;
	}
	if ((ev->channels & EVENT_CHANNEL_SMS) && ev->phone == NULL) {
		*cause = xstrdup("channels: sms is asked for but no phone is "
		    "given");
		return -1;
	}
	return 0;
}

/* Parse and validate one stream entry. */
struct event *
eventparse_parse(const struct config *cf, const char *source_id,
    char *const *fields, const size_t *lens, size_t n, char **cause)
{
	struct event		*ev;
	struct eventparse_slots	 sl;
	char			*ignored = NULL;

	if (cause == NULL)
		cause = &ignored;
	memset(&sl, 0, sizeof sl);
	ev = event_new(source_id);
	if (eventparse_sort(&sl, fields, lens, n, cause) != 0)
		goto fail;
	if (eventparse_type(ev, &sl, cause) != 0)
		goto fail;
	if (eventparse_common(ev, &sl, cause) != 0)
		goto fail;
	if (ev->type == EVENT_STATUS) {
		if (eventparse_status_fields(ev, cf, &sl, cause) != 0)
			goto fail;
	} else if (eventparse_contact_fields(ev, &sl, cause) != 0)
		goto fail;
	return ev;

fail:
	free(ignored);
	event_free(ev);
	return NULL;
}

/* Return how many of an entry's first fields fit the contract's limits. */
size_t
eventparse_fit(const size_t *lens, size_t n, size_t *bytes)
{
	size_t	i, size;

	*bytes = 0;
	for (i = 0; i < n && i < EVENT_FIELDS_MAX; i++) {
		size = lens[2 * i] + lens[2 * i + 1];
		if (*bytes + size > EVENT_ENTRY_MAX)
			break;
		*bytes += size;
	}
	return i;
}
