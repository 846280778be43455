/*
 * srstate.c - what closeloop knows about one SR
 *
 * The state is kept in one Redis hash, closeloop:sr:{SR}:state, whose
 * fields srhash.c reads and writes. This file holds the value: making
 * and freeing it, and finding, adding and counting its work orders, its
 * contacts and the events behind its pending notice.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "srstate.h"
#include "xmalloc.h"

/* Create an empty state for an SR. */
struct srstate *
srstate_new(const char *sr)
{
	struct srstate	*st;

	st = xcalloc(1, sizeof *st);
	st->sr = xstrdup(sr);
	st->std_days = -1;
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
	free(st->std_division);
	free(st->overdue);
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

/* Return when the running standard was met, or 0. */
int64_t
srstate_std_met(const struct srstate *st)
{
	return st->std_response ? st->std_acted : st->std_done;
}

/* Return 1 if the SR is past a division's standard, work still open. */
int
srstate_std_overdue(const struct srstate *st, const char *division)
{
	if (st->std_division == NULL || !st->std_ended ||
	    srstate_std_met(st) != 0 || srstate_wo_open(st, NULL) == 0)
		return 0;
	return division == NULL || strcasecmp(st->std_division,
	    division) == 0;
}

/* Return when the end of the running standard is to be checked, or 0. */
int64_t
srstate_std_check(const struct srstate *st)
{
	if (st->std_due == 0 || st->std_ended ||
	    srstate_wo_open(st, NULL) == 0)
		return 0;
	return st->due > st->std_due ? st->due : st->std_due;
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
