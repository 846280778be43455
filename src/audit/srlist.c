/*
 * srlist.c - SRs read from their states, newest first
 *
 * srlist.h says what is kept. A damaged field of a state is skipped; what
 * remains is still listed.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "lookup.h"
#include "redis.h"
#include "srhash.h"
#include "srlist.h"
#include "srstate.h"
#include "xmalloc.h"

/* Return the time of the last change the state records, in ms. */
static int64_t
srlist_changed(const struct srstate *st)
{
	int64_t	t = 0;
	size_t	i;

	for (i = 0; i < st->nwo; i++) {
		if (st->wo[i].ts > t)
			t = st->wo[i].ts;
	}
	for (i = 0; i < st->ncontact; i++) {
		if (st->contact[i].ts > t)
			t = st->contact[i].ts;
	}
	return t;
}

/* Make a state from an SR's HGETALL reply. */
struct srstate *
srlist_decode(const char *sr, const struct redis_reply *reply)
{
	struct srstate	*st;
	char		**fields, *warning = NULL;
	size_t		  i;

	if (reply->type != REDIS_TYPE_ARRAY || reply->elements == 0)
		return NULL;
	fields = xcalloc(reply->elements + 1, sizeof *fields);
	for (i = 0; i < reply->elements; i++)
		fields[i] = reply->element[i]->str != NULL ?
		    reply->element[i]->str : (char *)"";
	st = srstate_new(sr);
	srhash_decode(st, fields, reply->elements / 2, &warning);
	free(warning);
	free(fields);
	return st;
}

/*
 * Read one SR's state from its HGETALL reply into f. Returns 1 if it
 * exists (and has the contact, if one is asked for), 0 if not.
 */
static int
srlist_one(struct srlist_item *f, const char *sr,
    const struct redis_reply *reply, int channel, const char *contact)
{
	const char	*ward;

	if ((f->st = srlist_decode(sr, reply)) == NULL)
		return 0;
	if (contact != NULL && !lookup_has(f->st, channel, contact)) {
		srstate_free(f->st);
		f->st = NULL;
		return 0;
	}
	if ((f->wo = srstate_wo_owner(f->st)) == NULL)
		f->wo = srstate_wo_last_closed(f->st, NULL);
	ward = redis_reply_field(reply, "ward");
	f->ward = ward != NULL && *ward != '\0' ? xstrdup(ward) : NULL;
	f->changed = srlist_changed(f->st);
	return 1;
}

/* Order SRs by their last change, newest first, then by number. */
static int
srlist_cmp(const void *a, const void *b)
{
	const struct srlist_item	*x = a, *y = b;

	if (x->changed != y->changed)
		return x->changed > y->changed ? -1 : 1;
	return strcmp(y->st->sr, x->st->sr);
}

/* Read the states of a list of SRs. */
int
srlist_read(struct redis *r, const struct config *cf, char *const *sr,
    size_t n, int channel, const char *contact, struct srlist **out,
    char **cause)
{
	struct redis_reply	*reply;
	struct srlist		*l;
	const char		*argv[2];
	char			*key;
	size_t			 i;
	int			 failed = 0;

	*out = NULL;
	for (i = 0; i < n; i++) {
		key = srstate_key(cf, sr[i]);
		argv[0] = "HGETALL";
		argv[1] = key;
		redis_pipe_argv(r, 2, argv, NULL);
		free(key);
	}
	l = xcalloc(1, sizeof *l);
	l->items = xcalloc(n + 1, sizeof *l->items);
	for (i = 0; i < n; i++) {
		if ((reply = redis_pipe_reply(r, cause)) == NULL) {
			srlist_free(l);
			return -1;
		}
		if (reply->type == REDIS_TYPE_ERROR && !failed) {
			*cause = xasprintf("reading SR %s: %s", sr[i],
			    reply->str);
			failed = 1;
		} else if (!failed && srlist_one(&l->items[l->n], sr[i], reply,
		    channel, contact))
			l->n++;
		redis_reply_free(reply);
	}
	if (failed) {
		srlist_free(l);
		return -1;
	}
	if (l->n > 1)
		qsort(l->items, l->n, sizeof *l->items, srlist_cmp);
	*out = l;
	return 0;
}

/* Find a contact's SRs. */
int
srlist_contact(struct redis *r, const struct config *cf, int channel,
    const char *contact, struct srlist **out, char **cause)
{
	char	**sr = NULL;
	size_t	  i, n = 0;
	int	  rc;

	*out = NULL;
	if (lookup_members(r, cf, channel, contact, &sr, &n, cause) != 0)
		return -1;
	rc = srlist_read(r, cf, sr, n, channel, contact, out, cause);
	for (i = 0; i < n; i++)
		free(sr[i]);
	free(sr);
	return rc;
}

/* Free a list. */
void
srlist_free(struct srlist *l)
{
	size_t	 i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		srstate_free(l->items[i].st);
		free(l->items[i].ward);
	}
	free(l->items);
	free(l);
}
