/*
 * dashpage.c - the division dashboard: a period's figures, from the rollups
 *
 * Both answers take the same query and read the same figures: the form
 * is checked, the divisions the user sees are found and the one asked
 * for chosen among them (else 404), then the rollups are read
 * (dashdata.c) and shown (dashview.c) or written as CSV (dashcsv.c). A
 * form that does not make sense is shown again with what is wrong, and
 * no figures.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashcsv.h"
#include "dashdata.h"
#include "dashpage.h"
#include "dashview.h"
#include "http.h"
#include "httpreq.h"
#include "log.h"
#include "syntax.h"
#include "view.h"
#include "webreq.h"
#include "xmalloc.h"

/*
 * Read what the query asks for into a new dashdata. Returns it, or NULL
 * after answering (404 for a division the user does not see, 503 if
 * Redis fails); *why is set, and the return not NULL, if the form does
 * not make sense.
 */
static struct dashdata *
dashpage_read(struct webreq *q, const char **why)
{
	struct dashdata	*d = dashdata_new(q->cf);
	const char	*arg = httpreq_arg(q->req, "division");
	char		*cause = NULL;

	*why = NULL;
	if (webreq_redis(q) == NULL)
		goto fail;
	if (dashdata_divisions(d, q->w->r, q->who, &cause) != 0) {
		webreq_redis_failed(q, cause);
		goto fail;
	}
	if (dashdata_choose(d, arg) != 0) {
		webreq_not_found(q);
		goto fail;
	}
	if (dashdata_ask(d, httpreq_arg(q->req, "from"),
	    httpreq_arg(q->req, "to"), httpreq_arg(q->req, "ward"),
	    httpreq_arg(q->req, "service"), why) != 0)
		return d;
	if (dashdata_read(d, q->w->r, &cause) != 0) {
		webreq_redis_failed(q, cause);
		goto fail;
	}
	return d;
fail:
	dashdata_free(d);
	return NULL;
}

/* GET /dashboard. */
void
dashpage_show(struct webreq *q)
{
	struct dashdata	*d;
	struct view	*v;
	const char	*why;

	if ((d = dashpage_read(q, &why)) == NULL)
		return;
	v = view_map();
	dashview_form(v, d);
	if (why != NULL) {
		/* The form as it was typed, to be put right. */
		view_set_string(v, "from", httpreq_arg(q->req, "from"));
		view_set_string(v, "to", httpreq_arg(q->req, "to"));
		view_set_string(v, "error", why);
		q->resp->status = 400;
	} else
		dashview_figures(v, d);
	webreq_page(q, "dashboard", "Dashboard", v);
	dashdata_free(d);
}

/* GET /dashboard.csv. */
void
dashpage_csv(struct webreq *q)
{
	struct dashdata	*d;
	const char	*why, *name;
	char		*body, *disp;

	if ((d = dashpage_read(q, &why)) == NULL)
		return;
	if (why != NULL) {
		webreq_error(q, 400, "Not a period", why);
		dashdata_free(d);
		return;
	}
	if ((body = dashcsv_make(d)) == NULL) {
		log_warn("web: dashboard: no memory for the CSV");
		webreq_error(q, 500, "Not available", "The figures could not "
		    "be written. Try again in a minute.");
		dashdata_free(d);
		return;
	}
	/* A code from Redis written by hand is not put in the header. */
	name = d->division != NULL && syntax_code(d->division, 32, &why) == 0 ?
	    d->division : d->division != NULL ? "division" : "all";
	disp = xasprintf("attachment; filename=\"closeloop-%s-%s-%s.csv\"",
	    name, d->from, d->to);
	q->resp->status = 200;
	q->resp->content_type = "text/csv; charset=utf-8";
	q->resp->body = body;
	httpresp_header(q->resp, "Content-Disposition", disp);
	httpresp_header(q->resp, "Cache-Control", "private, no-store");
	free(disp);
	dashdata_free(d);
}
