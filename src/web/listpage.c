/*
 * listpage.c - the SRs behind a count, from the rollups' sets
 *
 * listpage.h says what is listed. At most LISTPAGE_MAX SRs are shown,
 * with the total; the states are read pipelined (srlist.h).
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "datefmt.h"
#include "http.h"
#include "httpreq.h"
#include "listpage.h"
#include "rollopen.h"
#include "rollup.h"
#include "session.h"
#include "srlist.h"
#include "srpage.h"
#include "srstate.h"
#include "view.h"
#include "vocab.h"
#include "webreq.h"
#include "wording.h"
#include "xmalloc.h"

#define LISTPAGE_MAX		500
#define LISTPAGE_DAYS		30	/* the default period */

/* The counters the form offers, in its order. */
static const char *const listpage_counters[] = {
	"held", "held:explicit_transfer", "held:implicit_transfer",
	"held:partial_work_order", "flag:closed_not_done", "flag:no_note",
	"flag:unknown_note_code", "flag:duplicate_without_link",
	"flag:no_transfer_to", "flag:sms_shortened", "failed"
};

/* What is asked. */
struct listpage_ask {
	const char	*counter;
	const char	*division;	/* NULL: every one the user sees */
	const char	*ward;
	const char	*service;
	char		 since[DATEFMT_DAY_LEN + 1];
	char		 until[DATEFMT_DAY_LEN + 1];
};

/* Return the argument name, or NULL if absent or empty. */
static const char *
listpage_arg(const struct webreq *q, const char *name)
{
	const char	*v = httpreq_arg(q->req, name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* Copy a day argument into out if it is a date; else the default. */
static void
listpage_day(const struct webreq *q, const char *name, int64_t dflt,
    char out[DATEFMT_DAY_LEN + 1])
{
	const char	*v = listpage_arg(q, name);
	char		 next[DATEFMT_DAY_LEN + 1];

	if (v != NULL && strlen(v) == DATEFMT_DAY_LEN &&
	    rollup_next_day(v, next) == 0) {
		memcpy(out, v, DATEFMT_DAY_LEN + 1);
		return;
	}
	datefmt_day(q->cf->templates_timezone, dflt, out);
}

/* Add the form's choices to v. */
static void
listpage_form(const struct webreq *q, struct view *v,
    const struct listpage_ask *a)
{
	struct view	*list, *o;
	const char	*words;
	size_t		 i;

	list = view_set(v, "counters", view_list());
	for (i = 0; i < sizeof listpage_counters /
	    sizeof listpage_counters[0]; i++) {
		o = view_append(list, view_map());
		view_set_string(o, "value", listpage_counters[i]);
		words = strchr(listpage_counters[i], ':');
		view_set_string(o, "words", words != NULL ?
		    wording_rule(words + 1) : NULL);
		view_set(o, "selected", view_bool(a->counter != NULL &&
		    strcmp(a->counter, listpage_counters[i]) == 0));
	}
	list = view_set(v, "divisions", view_list());
	for (i = 0; i < q->cf->ndivisions; i++) {
		if (!session_sees(q->who, q->cf->divisions[i].code))
			continue;
		o = view_append(list, view_map());
		view_set_string(o, "code", q->cf->divisions[i].code);
		view_set(o, "selected", view_bool(a->division != NULL &&
		    strcmp(a->division, q->cf->divisions[i].code) == 0));
	}
	view_set(v, "any_division", view_bool(q->who->role != ROLE_DIVISION ||
	    q->who->ndivisions > 1));
	view_set_string(v, "since", a->since);
	view_set_string(v, "until", a->until);
	view_set_string(v, "ward", a->ward);
	view_set_string(v, "service", a->service);
}

/*
 * Read the SRs asked for, over the divisions the user may see, into a
 * new NULL-terminated array. Returns 0, or -1 after answering.
 */
static int
listpage_srs(struct webreq *q, const struct listpage_ask *a, char ***out,
    size_t *n)
{
	char	**one, *cause = NULL;
	size_t	  i, k, m;

	*out = xcalloc(1, sizeof **out);
	*n = 0;
	for (i = 0; i < (q->who->role == ROLE_DIVISION && a->division == NULL ?
	    q->who->ndivisions : 1); i++) {
		if (rollopen_srs(q->w->r, q->cf, a->division != NULL ?
		    a->division : q->who->role == ROLE_DIVISION ?
		    q->who->divisions[i] : NULL, a->since, a->until,
		    a->counter, a->ward, a->service, &one, &m, &cause) != 0) {
			webreq_redis_failed(q, cause);
			return -1;
		}
		*out = xreallocarray(*out, *n + m + 1, sizeof **out);
		for (k = 0; k < m; k++)
			(*out)[(*n)++] = one[k];
		(*out)[*n] = NULL;
		free(one);
	}
	return 0;
}

/* Add the SRs and what their states say to v. Returns 0, or -1. */
static int
listpage_rows(struct webreq *q, struct view *v, char **srs, size_t n)
{
	struct srlist	*l = NULL;
	struct view	*rows, *row;
	char		*cause = NULL, *link, when[32], total[32];
	size_t		 i, shown = n < LISTPAGE_MAX ? n : LISTPAGE_MAX;

	if (srlist_read(q->w->r, q->cf, srs, shown, 0, NULL, &l,
	    &cause) != 0) {
		webreq_redis_failed(q, cause);
		return -1;
	}
	rows = view_set(v, "rows", view_list());
	for (i = 0; i < l->n; i++) {
		row = view_append(rows, view_map());
		link = srpage_link(l->items[i].st->sr);
		view_set_string(row, "sr", l->items[i].st->sr);
		view_set_string(row, "link", link);
		free(link);
		if (l->items[i].wo != NULL) {
			view_set_string(row, "division",
			    l->items[i].wo->division);
			view_set_string(row, "status", vocab_status_name(
			    l->items[i].wo->status));
		}
		view_set_string(row, "ward", l->items[i].ward);
		view_set_string(row, "service", l->items[i].st->service);
		if (l->items[i].changed != 0) {
			datefmt_local(q->cf->templates_timezone,
			    l->items[i].changed, when, sizeof when);
			view_set_string(row, "changed", when);
		}
	}
	snprintf(total, sizeof total, "%zu", n);
	view_set_string(v, "total", total);
	view_set(v, "listed", view_bool(1));
	view_set(v, "cut", view_bool(n > shown));
	view_set(v, "gone", view_bool(l->n < shown));
	srlist_free(l);
	return 0;
}

/* GET /list. */
void
listpage_show(struct webreq *q)
{
	struct listpage_ask	 a;
	struct view		*v;
	char			**srs = NULL;
	size_t			  i, n = 0;
	int64_t			  now = clock_now();

	memset(&a, 0, sizeof a);
	a.counter = listpage_arg(q, "counter");
	a.division = listpage_arg(q, "division");
	a.ward = listpage_arg(q, "ward");
	a.service = listpage_arg(q, "service");
	listpage_day(q, "since", now - (int64_t)LISTPAGE_DAYS * 86400000,
	    a.since);
	listpage_day(q, "until", now, a.until);
	if ((a.division != NULL && !session_sees(q->who, a.division)) ||
	    (a.counter != NULL && !rollopen_listed(a.counter))) {
		webreq_not_found(q);
		return;
	}
	v = view_map();
	listpage_form(q, v, &a);
	view_set_string(v, "counter", a.counter);
	if (a.counter != NULL && (webreq_redis(q) == NULL ||
	    listpage_srs(q, &a, &srs, &n) != 0 ||
	    listpage_rows(q, v, srs, n) != 0)) {
		view_free(v);
		goto out;
	}
	view_set_string(v, "timezone", q->cf->templates_timezone);
	webreq_page(q, "list", "SRs behind a count", v);
out:
	for (i = 0; i < n; i++)
		free(srs[i]);
	free(srs);
}
