/*
 * srstate.c - what closeloop knows about one SR, and how it is stored
 *
 * The state is one Redis hash, closeloop:sr:{SR}:state. Its fields:
 *   wo:KEY        a work order: "DIVISION OPEN STATUS REASON TS OPENED
 *                 CLOSED", space-separated, "-" for no reason; OPEN is
 *                 1 or 0 and the times are milliseconds since the epoch
 *   c:email:ADDR  a contact: "ACTIVE TS LOCALE VIA", "-" for none
 *   c:sms:PHONE
 *   unsub_all     ts (ms) of the last unsubscribe of everyone
 *   service, ward, note, note_code, photos, sched, dup_of, transfer_to
 *                 details from the events, for the next notice
 *   closed_at     ms of the CRM's last closure of the SR (its ts)
 *   told, told_div, told_sched, told_done, told_closed, seq
 *                 what the resident was last told
 *   due, held, reopened, events, events_ts
 *                 the notice waiting for its window; events_ts is the
 *                 ts (ms) of the newest event behind it
 * Fields that would be empty or zero are left out.
 */
#include "build.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "event.h"
#include "log.h"
#include "srstate.h"
#include "xmalloc.h"

/* Create an empty state for an SR. */
struct srstate *
srstate_new(const char *sr)
{
	struct srstate	*st;

	st = xcalloc(1, sizeof *st);
	st->sr = xstrdup(sr);
	return st;
}

/* Free a state. */
void
srstate_free(struct srstate *st)
{
	size_t	i;

	if (st == NULL)
		return;
	for (i = 0; i < st->nwo; i++) {
		free(st->wo[i].key);
		free(st->wo[i].division);
	}
	free(st->wo);
	for (i = 0; i < st->ncontact; i++) {
		free(st->contact[i].address);
		free(st->contact[i].locale);
		free(st->contact[i].via);
		free(st->contact[i].alt);
	}
	free(st->contact);
	free(st->service);
	free(st->ward);
	free(st->note);
	free(st->note_code);
	free(st->photos);
	free(st->scheduled_for);
	free(st->duplicate_of);
	free(st->transfer_to);
	free(st->told_division);
	free(st->told_scheduled);
	free(st->events);
	free(st->sr);
	free(st);
}

/* Replace a string field with a copy of value. */
void
srstate_set(char **field, const char *value)
{
	char	*old = *field;

	*field = value != NULL ? xstrdup(value) : NULL;
	free(old);
}

/* Parse a decimal integer from 0 to max; 0 on success. */
static int
srstate_int(const char *s, int64_t max, int64_t *out)
{
	char		*end;
	long long	 v;

	if (*s == '\0' || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || errno != 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Return 1 if t is a time a state may hold (ms). */
static int
srstate_time_ok(long long t)
{
	return t >= 0 && t <= SRSTATE_TIME_MAX;
}

/* Decode a work order value; 0 on success. */
static int
srstate_decode_wo(struct srstate *st, const char *key, const char *value)
{
	struct srstate_wo	*wo;
	char			 div[65], status[33], reason[33];
	long long		 ts, opened, closed;
	int			 open;

	if (sscanf(value, "%64s %d %32s %32s %lld %lld %lld", div, &open,
	    status, reason, &ts, &opened, &closed) != 7 ||
	    !srstate_time_ok(ts) || !srstate_time_ok(opened) ||
	    !srstate_time_ok(closed))
		return -1;
	if (srstate_wo_find(st, key) != NULL ||
	    (wo = srstate_wo_add(st, key, div, ts)) == NULL)
		return -1;
	wo->open = open != 0;
	wo->status = vocab_status_parse(status);
	wo->reason = vocab_reason_parse(reason);
	wo->opened = opened;
	wo->closed = closed;
	return 0;
}

/* Decode a contact value; 0 on success. */
static int
srstate_decode_contact(struct srstate *st, const char *name,
    const char *value)
{
	struct srstate_contact	*c;
	char			 locale[36], via[65], alt[255];
	long long		 ts;
	int			 active, channel, n;

	if (strncmp(name, "email:", 6) == 0) {
		channel = EVENT_CHANNEL_EMAIL;
		name += 6;
	} else if (strncmp(name, "sms:", 4) == 0) {
		channel = EVENT_CHANNEL_SMS;
		name += 4;
	} else
		return -1;
	if (*name == '\0' || ((n = sscanf(value, "%d %lld %35s %64s %254s",
	    &active, &ts, locale, via, alt)) != 4 && n != 5) ||
	    !srstate_time_ok(ts))
		return -1;
	if (srstate_contact_find(st, channel, name) != NULL ||
	    (c = srstate_contact_add(st, channel, name)) == NULL)
		return -1;
	c->active = active != 0;
	c->ts = ts;
	if (strcmp(locale, "-") != 0)
		c->locale = xstrdup(locale);
	if (strcmp(via, "-") != 0)
		c->via = xstrdup(via);
	if (n == 5 && strcmp(alt, "-") != 0)
		c->alt = xstrdup(alt);
	return 0;
}

/* Decode one scalar field; 0 on success, -1 if unknown or damaged. */
static int
srstate_decode_scalar(struct srstate *st, const char *name, const char *v)
{
	struct {
		const char	 *name;
		char		**field;
	} strings[] = {
		{ "service", &st->service },
		{ "ward", &st->ward },
		{ "note", &st->note },
		{ "note_code", &st->note_code },
		{ "photos", &st->photos },
		{ "sched", &st->scheduled_for },
		{ "dup_of", &st->duplicate_of },
		{ "transfer_to", &st->transfer_to },
		{ "told_div", &st->told_division },
		{ "told_sched", &st->told_scheduled },
		{ "events", &st->events },
	};
	int64_t	 x;
	size_t	 i;

	for (i = 0; i < sizeof strings / sizeof strings[0]; i++) {
		if (strcmp(name, strings[i].name) == 0) {
			srstate_set(strings[i].field, v);
			return 0;
		}
	}
	if (strcmp(name, "told") == 0) {
		st->told = vocab_notice_parse(v);
		return st->told == VOCAB_NOTICE_NONE ? -1 : 0;
	}
	if (strcmp(name, "told_done") == 0 && srstate_int(v, 1, &x) == 0)
		st->told_completed = x != 0;
	else if (strcmp(name, "told_closed") == 0 &&
	    srstate_int(v, SRSTATE_WO_MAX, &x) == 0)
		st->told_closed = x;
	else if (strcmp(name, "seq") == 0 && srstate_int(v, INT64_MAX,
	    &x) == 0)
		st->seq = x;
	else if (strcmp(name, "unsub_all") == 0 &&
	    srstate_int(v, SRSTATE_TIME_MAX, &x) == 0)
		st->unsub_all = x;
	else if (strcmp(name, "closed_at") == 0 &&
	    srstate_int(v, SRSTATE_TIME_MAX, &x) == 0)
		st->closed_at = x;
	else if (strcmp(name, "due") == 0 && srstate_int(v, SRSTATE_TIME_MAX,
	    &x) == 0)
		st->due = x;
	else if (strcmp(name, "events_ts") == 0 &&
	    srstate_int(v, SRSTATE_TIME_MAX, &x) == 0)
		st->events_ts = x;
	else if (strcmp(name, "held") == 0 && srstate_int(v, 1, &x) == 0)
		st->held = x != 0;
	else if (strcmp(name, "reopened") == 0 && srstate_int(v, 1, &x) == 0)
		st->reopened = x != 0;
	else
		return -1;
	return 0;
}

/*
 * Say which field was skipped, the address of a contact masked, its value
 * left out (a note or a contact's details): the warning goes to the log.
 */
static char *
srstate_warning(const struct srstate *st, const char *name)
{
	const char	*colon;
	char		*masked, *clean, *w;

	if (strncmp(name, "c:", 2) == 0 &&
	    (colon = strchr(name + 2, ':')) != NULL) {
		masked = event_mask_contact(strchr(colon, '@') != NULL ?
		    EVENT_CHANNEL_EMAIL : EVENT_CHANNEL_SMS, colon + 1);
		clean = log_clean(name, (size_t)(colon + 1 - name), 16);
		w = xasprintf("SR %s: skipped a damaged state field \"%s%s\" "
		    "(or one past the %d contacts an SR keeps)", st->sr, clean,
		    masked, SRSTATE_CONTACT_MAX);
		free(clean);
		free(masked);
		return w;
	}
	clean = log_clean(name, strlen(name), 64);
	w = xasprintf("SR %s: skipped a damaged or unknown state field "
	    "\"%s\"", st->sr, clean);
	free(clean);
	return w;
}

/* Fill an empty state from the fields of its hash. */
int
srstate_decode(struct srstate *st, char *const *fields, size_t n,
    char **cause)
{
	const char	*name, *value;
	size_t		 i;
	int		 bad = 0, rc;

	for (i = 0; i < n; i++) {
		name = fields[2 * i];
		value = fields[2 * i + 1];
		if (strncmp(name, "wo:", 3) == 0 && name[3] != '\0')
			rc = srstate_decode_wo(st, name + 3, value);
		else if (strncmp(name, "c:", 2) == 0)
			rc = srstate_decode_contact(st, name + 2, value);
		else
			rc = srstate_decode_scalar(st, name, value);
		if (rc == 0)
			continue;
		if (bad++ == 0 && cause != NULL)
			*cause = srstate_warning(st, name);
	}
	return bad;
}

/* Append a field/value pair (both copied or formatted) to an array. */
static void
srstate_put(char ***fields, size_t *n, char *name, char *value)
{
	*fields = xreallocarray(*fields, 2 * (*n + 1), sizeof **fields);
	(*fields)[2 * *n] = name;
	(*fields)[2 * *n + 1] = value;
	(*n)++;
}

/* Append a string field if it is set. */
static void
srstate_put_string(char ***fields, size_t *n, const char *name,
    const char *value)
{
	if (value != NULL && *value != '\0')
		srstate_put(fields, n, xstrdup(name), xstrdup(value));
}

/* Append an integer field if it is not zero. */
static void
srstate_put_int(char ***fields, size_t *n, const char *name, int64_t value)
{
	if (value != 0)
		srstate_put(fields, n, xstrdup(name),
		    xasprintf("%lld", (long long)value));
}

/* Encode the state as field/value strings for HSET. */
char **
srstate_encode(const struct srstate *st, size_t *n)
{
	const struct srstate_wo		*wo;
	const struct srstate_contact	*c;
	char				**fields = NULL;
	const char			 *reason;
	size_t				  i;

	*n = 0;
	for (i = 0; i < st->nwo; i++) {
		wo = &st->wo[i];
		reason = vocab_reason_name(wo->reason);
		srstate_put(&fields, n, xasprintf("wo:%s", wo->key),
		    xasprintf("%s %d %s %s %lld %lld %lld", wo->division,
		    wo->open, *vocab_status_name(wo->status) != '\0' ?
		    vocab_status_name(wo->status) : "-",
		    *reason != '\0' ? reason : "-", (long long)wo->ts,
		    (long long)wo->opened, (long long)wo->closed));
	}
	for (i = 0; i < st->ncontact; i++) {
		c = &st->contact[i];
		srstate_put(&fields, n, xasprintf("c:%s:%s",
		    event_channel_name(c->channel),
		    c->address), xasprintf("%d %lld %s %s%s%s", c->active,
		    (long long)c->ts, c->locale != NULL ? c->locale : "-",
		    c->via != NULL ? c->via : "-", c->alt != NULL ? " " : "",
		    c->alt != NULL ? c->alt : ""));
	}
	srstate_put_string(&fields, n, "service", st->service);
	srstate_put_string(&fields, n, "ward", st->ward);
	srstate_put_string(&fields, n, "note", st->note);
	srstate_put_string(&fields, n, "note_code", st->note_code);
	srstate_put_string(&fields, n, "photos", st->photos);
	srstate_put_string(&fields, n, "sched", st->scheduled_for);
	srstate_put_string(&fields, n, "dup_of", st->duplicate_of);
	srstate_put_string(&fields, n, "transfer_to", st->transfer_to);
	if (st->told != VOCAB_NOTICE_NONE)
		srstate_put_string(&fields, n, "told",
		    vocab_notice_name(st->told));
	srstate_put_string(&fields, n, "told_div", st->told_division);
	srstate_put_string(&fields, n, "told_sched", st->told_scheduled);
	srstate_put_int(&fields, n, "told_done", st->told_completed);
	srstate_put_int(&fields, n, "told_closed", st->told_closed);
	srstate_put_int(&fields, n, "seq", st->seq);
	srstate_put_int(&fields, n, "unsub_all", st->unsub_all);
	srstate_put_int(&fields, n, "closed_at", st->closed_at);
	srstate_put_int(&fields, n, "due", st->due);
	srstate_put_int(&fields, n, "held", st->held);
	srstate_put_int(&fields, n, "reopened", st->reopened);
	srstate_put_string(&fields, n, "events", st->events);
	srstate_put_int(&fields, n, "events_ts", st->events_ts);
	return fields;
}

/* Free what srstate_encode() returned. */
void
srstate_encode_free(char **fields, size_t n)
{
	size_t	i;

	for (i = 0; i < 2 * n; i++)
		free(fields[i]);
	free(fields);
}

/* Find a work order by key. */
struct srstate_wo *
srstate_wo_find(struct srstate *st, const char *key)
{
	size_t	i;

	for (i = 0; i < st->nwo; i++) {
		if (strcmp(st->wo[i].key, key) == 0)
			return &st->wo[i];
	}
	return NULL;
}

/* Add an open work order. */
struct srstate_wo *
srstate_wo_add(struct srstate *st, const char *key, const char *division,
    int64_t ts)
{
	struct srstate_wo	*wo;

	if (st->nwo >= SRSTATE_WO_MAX)
		return NULL;
	st->wo = xreallocarray(st->wo, st->nwo + 1, sizeof *st->wo);
	wo = &st->wo[st->nwo++];
	memset(wo, 0, sizeof *wo);
	wo->key = xstrdup(key);
	wo->division = xstrdup(division);
	wo->open = 1;
	wo->ts = ts;
	wo->opened = ts;
	return wo;
}

/* Count the open work orders, of one division or of all. */
size_t
srstate_wo_open(const struct srstate *st, const char *division)
{
	size_t	i, n = 0;

	for (i = 0; i < st->nwo; i++) {
		if (st->wo[i].open && (division == NULL ||
		    strcmp(st->wo[i].division, division) == 0))
			n++;
	}
	return n;
}

/*
 * Return 1 if work order a comes after b: by time t, then by how far its
 * status has gone, then by key - so that the answer does not depend on
 * the order events with the same ts were handled in.
 */
static int
srstate_wo_after(const struct srstate_wo *a, int64_t ta,
    const struct srstate_wo *b, int64_t tb)
{
	if (ta != tb)
		return ta > tb;
	if (a->status != b->status)
		return a->status > b->status;
	return strcmp(a->key, b->key) > 0;
}

/* Return the work order closed last, of one division or any. */
const struct srstate_wo *
srstate_wo_last_closed(const struct srstate *st, const char *division)
{
	const struct srstate_wo	*last = NULL;
	size_t			 i;

	for (i = 0; i < st->nwo; i++) {
		if (st->wo[i].open || (division != NULL &&
		    strcmp(st->wo[i].division, division) != 0))
			continue;
		if (last == NULL || srstate_wo_after(&st->wo[i],
		    st->wo[i].closed, last, last->closed))
			last = &st->wo[i];
	}
	return last;
}

/* Return the open work order moved last. */
const struct srstate_wo *
srstate_wo_owner(const struct srstate *st)
{
	const struct srstate_wo	*last = NULL;
	size_t			 i;

	for (i = 0; i < st->nwo; i++) {
		if (st->wo[i].open && (last == NULL || srstate_wo_after(
		    &st->wo[i], st->wo[i].ts, last, last->ts)))
			last = &st->wo[i];
	}
	return last;
}

/*
 * Return the work order opened first; of two opened at once, one already
 * closed (handed on) came first.
 */
const struct srstate_wo *
srstate_wo_first(const struct srstate *st)
{
	const struct srstate_wo	*first = NULL, *wo;
	size_t			 i;

	for (i = 0; i < st->nwo; i++) {
		wo = &st->wo[i];
		if (first == NULL || wo->opened < first->opened ||
		    (wo->opened == first->opened && (wo->open < first->open ||
		    (wo->open == first->open &&
		    strcmp(wo->key, first->key) < 0))))
			first = wo;
	}
	return first;
}

/* Count the closed work orders. */
size_t
srstate_wo_closed(const struct srstate *st)
{
	return st->nwo - srstate_wo_open(st, NULL);
}

/* Find a contact. */
struct srstate_contact *
srstate_contact_find(struct srstate *st, int channel, const char *address)
{
	size_t	i;

	for (i = 0; i < st->ncontact; i++) {
		if (st->contact[i].channel == channel &&
		    strcmp(st->contact[i].address, address) == 0)
			return &st->contact[i];
	}
	return NULL;
}

/* Add an inactive contact. */
struct srstate_contact *
srstate_contact_add(struct srstate *st, int channel, const char *address)
{
	struct srstate_contact	*c;

	if (st->ncontact >= SRSTATE_CONTACT_MAX)
		return NULL;
	st->contact = xreallocarray(st->contact, st->ncontact + 1,
	    sizeof *st->contact);
	c = &st->contact[st->ncontact++];
	memset(c, 0, sizeof *c);
	c->channel = channel;
	c->address = xstrdup(address);
	return c;
}

/* Count the active contacts. */
size_t
srstate_contact_active(const struct srstate *st)
{
	size_t	i, n = 0;

	for (i = 0; i < st->ncontact; i++)
		n += st->contact[i].active != 0;
	return n;
}

/* Add an event id and its ts to those behind the pending notice. */
void
srstate_add_event(struct srstate *st, const char *event_id, int64_t ts)
{
	char	*old = st->events;
	size_t	 count = 1;
	char	*p;

	if (ts > st->events_ts)
		st->events_ts = ts;
	if (old == NULL) {
		st->events = xstrdup(event_id);
		return;
	}
	for (p = old; (p = strchr(p, ' ')) != NULL; p++)
		count++;
	if (count >= SRSTATE_EVENTS_MAX)
		return;
	st->events = xasprintf("%s %s", old, event_id);
	free(old);
}

/* Forget the events behind the pending notice. */
void
srstate_drop_events(struct srstate *st)
{
	free(st->events);
	st->events = NULL;
	st->events_ts = 0;
}

/* Return the key of an SR's state. */
char *
srstate_key(const struct config *cf, const char *sr)
{
	return xasprintf("%ssr:{%s}:state", cf->redis_prefix, sr);
}
