/*
 * findpage.c - finding an SR, or a resident's SRs
 *
 * findpage.h says what is found and who sees it. The search form is a
 * GET, so the browser's history keeps the contact in the address bar of
 * the staff member's own machine only; the answer is never cached
 * (Cache-Control: no-store) and the page sends no Referer.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "datefmt.h"
#include "event.h"
#include "findpage.h"
#include "httpreq.h"
#include "lookup.h"
#include "srlist.h"
#include "srpage.h"
#include "srstate.h"
#include "syntax.h"
#include "view.h"
#include "vocab.h"
#include "webreq.h"
#include "xmalloc.h"

/* Add one SR of a list to the view's rows. */
static void
findpage_row(struct webreq *q, struct view *rows,
    const struct srlist_item *f)
{
	struct view	*row = view_map();
	char		 when[32], *link;

	link = srpage_link(f->st->sr);
	view_set_string(row, "sr", f->st->sr);
	view_set_string(row, "link", link);
	free(link);
	if (f->wo != NULL) {
		view_set_string(row, "division", f->wo->division);
		view_set_string(row, "status",
		    vocab_status_name(f->wo->status));
		if (f->wo->reason != VOCAB_REASON_NONE)
			view_set_string(row, "reason",
			    vocab_reason_name(f->wo->reason));
	}
	view_set_string(row, "ward", f->ward);
	view_set_string(row, "service", f->st->service);
	if (f->changed != 0) {
		datefmt_local(q->cf->templates_timezone, f->changed, when,
		    sizeof when);
		view_set_string(row, "changed", when);
	}
	view_append(rows, row);
}

/* Look a contact up and add what is found to v. Returns 0, or -1. */
static int
findpage_contact(struct webreq *q, struct view *v, int channel,
    const char *typed)
{
	struct srlist	*l = NULL;
	struct view	*rows;
	const char	*why = NULL;
	char		*contact, *cause = NULL;
	size_t		 i, shown = 0;

	if (q->cf->audit_lookup_secret == NULL) {
		view_set_string(v, "error", "The look-up by contact is not "
		    "set up on this server (audit.lookup_secret_file).");
		return 0;
	}
	if ((contact = lookup_contact(channel, typed, &why)) == NULL) {
		view_set_string(v, "error", why);
		return 0;
	}
	if (webreq_redis(q) == NULL) {
		free(contact);
		return -1;
	}
	if (srlist_contact(q->w->r, q->cf, channel, contact, &l,
	    &cause) != 0) {
		free(contact);
		webreq_redis_failed(q, cause);
		return -1;
	}
	rows = view_set(v, "rows", view_list());
	for (i = 0; i < l->n; i++) {
		if (!srpage_sees_state(q->who, l->items[i].st))
			continue;
		findpage_row(q, rows, &l->items[i]);
		shown++;
	}
	view_set_string(v, "contact", contact);
	view_set(v, "searched", view_bool(1));
	view_set(v, "found", view_bool(shown > 0));
	view_set_string(v, "timezone", q->cf->templates_timezone);
	srlist_free(l);
	free(contact);
	return 0;
}

/* GET /find. */
void
findpage_show(struct webreq *q)
{
	const char	*sr = httpreq_arg(q->req, "sr");
	const char	*email = httpreq_arg(q->req, "email");
	const char	*phone = httpreq_arg(q->req, "phone");
	const char	*why;
	struct view	*v = view_map();
	char		*link;
	int		 rc = 0;

	if (sr != NULL && *sr != '\0') {
		if (syntax_sr(sr, &why) == 0) {
			link = srpage_link(sr);
			webreq_redirect(q, link);
			free(link);
			view_free(v);
			return;
		}
		view_set_string(v, "error", "That is not an SR number.");
		view_set_string(v, "sr", sr);
	} else if (email != NULL && *email != '\0')
		rc = findpage_contact(q, v, EVENT_CHANNEL_EMAIL, email);
	else if (phone != NULL && *phone != '\0')
		rc = findpage_contact(q, v, EVENT_CHANNEL_SMS, phone);
	if (rc != 0) {
		view_free(v);
		return;
	}
	view_set(v, "lookup", view_bool(q->cf->audit_lookup_secret != NULL));
	webreq_page(q, "find", "Find", v);
}
