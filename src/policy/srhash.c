/*
 * srhash.c - an SR's state as its Redis hash: the fields, read and written
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
 *   std           the service standard running (stdclock.h): "DIVISION
 *                 DAYS TARGET GIVEN START DUE", DAYS "-" for none,
 *                 TARGET "response" or "completion", GIVEN 1 if the
 *                 days came from an event's standard_days
 *   std_acted, std_closed, std_done, std_ended
 *                 its first action, first CRM closure, completion as
 *                 told (ms), and 1 once it ended (was measured)
 *   overdue       the divisions whose lateness was told, by spaces
 * Fields that would be empty or zero are left out.
 */
#include "build.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "log.h"
#include "srhash.h"
#include "srstate.h"
#include "xmalloc.h"

/* Parse a decimal integer from 0 to max; 0 on success. */
static int
srhash_int(const char *s, int64_t max, int64_t *out)
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
srhash_time_ok(long long t)
{
	return t >= 0 && t <= SRSTATE_TIME_MAX;
}

/* Decode a work order value; 0 on success. */
static int
srhash_decode_wo(struct srstate *st, const char *key, const char *value)
{
	struct srstate_wo	*wo;
	char			 div[65], status[33], reason[33];
	long long		 ts, opened, closed;
	int			 open;

	if (sscanf(value, "%64s %d %32s %32s %lld %lld %lld", div, &open,
	    status, reason, &ts, &opened, &closed) != 7 ||
	    !srhash_time_ok(ts) || !srhash_time_ok(opened) ||
	    !srhash_time_ok(closed))
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
srhash_decode_contact(struct srstate *st, const char *name,
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
	    !srhash_time_ok(ts))
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

/* Decode the running standard; 0 on success. */
static int
srhash_decode_std(struct srstate *st, const char *value)
{
	char		 div[65], days[8], target[16];
	long long	 start, due;
	int		 given;

	if (sscanf(value, "%64s %7s %15s %d %lld %lld", div, days, target,
	    &given, &start, &due) != 6 || !srhash_time_ok(start) ||
	    !srhash_time_ok(due) || (strcmp(target, "response") != 0 &&
	    strcmp(target, "completion") != 0))
		return -1;
	if (strcmp(days, "-") != 0 &&
	    strspn(days, "0123456789") != strlen(days))
		return -1;
	st->std_days = strcmp(days, "-") != 0 ? atoi(days) : -1;
	srstate_set(&st->std_division, div);
	st->std_response = strcmp(target, "response") == 0;
	st->std_given = given != 0;
	st->std_start = start;
	st->std_due = due;
	return 0;
}

/* Decode one scalar field; 0 on success, -1 if unknown or damaged. */
static int
srhash_decode_scalar(struct srstate *st, const char *name, const char *v)
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
		{ "overdue", &st->overdue },
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
	if (strcmp(name, "told_done") == 0 && srhash_int(v, 1, &x) == 0)
		st->told_completed = x != 0;
	else if (strcmp(name, "told_closed") == 0 &&
	    srhash_int(v, SRSTATE_WO_MAX, &x) == 0)
		st->told_closed = x;
	else if (strcmp(name, "seq") == 0 && srhash_int(v, INT64_MAX,
	    &x) == 0)
		st->seq = x;
	else if (strcmp(name, "unsub_all") == 0 &&
	    srhash_int(v, SRSTATE_TIME_MAX, &x) == 0)
		st->unsub_all = x;
	else if (strcmp(name, "closed_at") == 0 &&
	    srhash_int(v, SRSTATE_TIME_MAX, &x) == 0)
		st->closed_at = x;
	else if (strcmp(name, "due") == 0 && srhash_int(v, SRSTATE_TIME_MAX,
	    &x) == 0)
		st->due = x;
	else if (strcmp(name, "events_ts") == 0 &&
	    srhash_int(v, SRSTATE_TIME_MAX, &x) == 0)
		st->events_ts = x;
	else if (strcmp(name, "held") == 0 && srhash_int(v, 1, &x) == 0)
		st->held = x != 0;
	else if (strcmp(name, "reopened") == 0 && srhash_int(v, 1, &x) == 0)
		st->reopened = x != 0;
	else if (strcmp(name, "std") == 0)
		return srhash_decode_std(st, v);
	else if (strcmp(name, "std_acted") == 0 &&
	    srhash_int(v, SRSTATE_TIME_MAX, &x) == 0)
		st->std_acted = x;
	else if (strcmp(name, "std_closed") == 0 &&
	    srhash_int(v, SRSTATE_TIME_MAX, &x) == 0)
		st->std_closed = x;
	else if (strcmp(name, "std_done") == 0 &&
	    srhash_int(v, SRSTATE_TIME_MAX, &x) == 0)
		st->std_done = x;
	else if (strcmp(name, "std_ended") == 0 && srhash_int(v, 1, &x) == 0)
		st->std_ended = x != 0;
	else
		return -1;
	return 0;
}

/*
 * Say which field was skipped, the address of a contact masked, its value
 * left out (a note or a contact's details): the warning goes to the log.
 */
static char *
srhash_warning(const struct srstate *st, const char *name)
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
srhash_decode(struct srstate *st, char *const *fields, size_t n,
    char **cause)
{
	const char	*name, *value;
	size_t		 i;
	int		 bad = 0, rc;

	for (i = 0; i < n; i++) {
		name = fields[2 * i];
		value = fields[2 * i + 1];
		if (strncmp(name, "wo:", 3) == 0 && name[3] != '\0')
			rc = srhash_decode_wo(st, name + 3, value);
		else if (strncmp(name, "c:", 2) == 0)
			rc = srhash_decode_contact(st, name + 2, value);
		else
			rc = srhash_decode_scalar(st, name, value);
		if (rc == 0)
			continue;
		if (bad++ == 0 && cause != NULL)
			*cause = srhash_warning(st, name);
	}
	return bad;
}

/* Append a field/value pair (both copied or formatted) to an array. */
static void
srhash_put(char ***fields, size_t *n, char *name, char *value)
{
	*fields = xreallocarray(*fields, 2 * (*n + 1), sizeof **fields);
	(*fields)[2 * *n] = name;
	(*fields)[2 * *n + 1] = value;
	(*n)++;
}

/* Append a string field if it is set. */
static void
srhash_put_string(char ***fields, size_t *n, const char *name,
    const char *value)
{
	if (value != NULL && *value != '\0')
		srhash_put(fields, n, xstrdup(name), xstrdup(value));
}

/* Append an integer field if it is not zero. */
static void
srhash_put_int(char ***fields, size_t *n, const char *name, int64_t value)
{
	if (value != 0)
		srhash_put(fields, n, xstrdup(name),
		    xasprintf("%lld", (long long)value));
}

/* Encode the state as field/value strings for HSET. */
char **
srhash_encode(const struct srstate *st, size_t *n)
{
	const struct srstate_wo		*wo;
	const struct srstate_contact	*c;
	char				**fields = NULL, days[16];
	const char			 *reason;
	size_t				  i;

	*n = 0;
	for (i = 0; i < st->nwo; i++) {
		wo = &st->wo[i];
		reason = vocab_reason_name(wo->reason);
		srhash_put(&fields, n, xasprintf("wo:%s", wo->key),
		    xasprintf("%s %d %s %s %lld %lld %lld", wo->division,
		    wo->open, *vocab_status_name(wo->status) != '\0' ?
		    vocab_status_name(wo->status) : "-",
		    *reason != '\0' ? reason : "-", (long long)wo->ts,
		    (long long)wo->opened, (long long)wo->closed));
	}
	for (i = 0; i < st->ncontact; i++) {
		c = &st->contact[i];
		srhash_put(&fields, n, xasprintf("c:%s:%s",
		    event_channel_name(c->channel),
		    c->address), xasprintf("%d %lld %s %s%s%s", c->active,
		    (long long)c->ts, c->locale != NULL ? c->locale : "-",
		    c->via != NULL ? c->via : "-", c->alt != NULL ? " " : "",
		    c->alt != NULL ? c->alt : ""));
	}
	srhash_put_string(&fields, n, "service", st->service);
	srhash_put_string(&fields, n, "ward", st->ward);
	srhash_put_string(&fields, n, "note", st->note);
	srhash_put_string(&fields, n, "note_code", st->note_code);
	srhash_put_string(&fields, n, "photos", st->photos);
	srhash_put_string(&fields, n, "sched", st->scheduled_for);
	srhash_put_string(&fields, n, "dup_of", st->duplicate_of);
	srhash_put_string(&fields, n, "transfer_to", st->transfer_to);
	if (st->told != VOCAB_NOTICE_NONE)
		srhash_put_string(&fields, n, "told",
		    vocab_notice_name(st->told));
	srhash_put_string(&fields, n, "told_div", st->told_division);
	srhash_put_string(&fields, n, "told_sched", st->told_scheduled);
	srhash_put_int(&fields, n, "told_done", st->told_completed);
	srhash_put_int(&fields, n, "told_closed", st->told_closed);
	srhash_put_int(&fields, n, "seq", st->seq);
	srhash_put_int(&fields, n, "unsub_all", st->unsub_all);
	srhash_put_int(&fields, n, "closed_at", st->closed_at);
	srhash_put_int(&fields, n, "due", st->due);
	srhash_put_int(&fields, n, "held", st->held);
	srhash_put_int(&fields, n, "reopened", st->reopened);
	srhash_put_string(&fields, n, "events", st->events);
	srhash_put_int(&fields, n, "events_ts", st->events_ts);
	if (st->std_division != NULL) {
		if (st->std_days < 0)
			strcpy(days, "-");
		else
			snprintf(days, sizeof days, "%d", st->std_days);
		srhash_put(&fields, n, xstrdup("std"),
		    xasprintf("%s %s %s %d %lld %lld", st->std_division, days,
		    st->std_response ? "response" : "completion",
		    st->std_given, (long long)st->std_start,
		    (long long)st->std_due));
	}
	srhash_put_int(&fields, n, "std_acted", st->std_acted);
	srhash_put_int(&fields, n, "std_closed", st->std_closed);
	srhash_put_int(&fields, n, "std_done", st->std_done);
	srhash_put_int(&fields, n, "std_ended", st->std_ended);
	srhash_put_string(&fields, n, "overdue", st->overdue);
	return fields;
}

/* Free what srhash_encode() returned. */
void
srhash_encode_free(char **fields, size_t n)
{
	size_t	i;

	for (i = 0; i < 2 * n; i++)
		free(fields[i]);
	free(fields);
}
