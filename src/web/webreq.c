/*
 * webreq.c - answering a request to the console: pages, errors, redirects
 *
 * webreq.h says what each helper answers.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "datefmt.h"
#include "http.h"
#include "log.h"
#include "page.h"
#include "redis.h"
#include "redisconn.h"
#include "view.h"
#include "webreq.h"
#include "xmalloc.h"

/* Return the Redis connection, connecting if needed. */
struct redis *
webreq_redis(struct webreq *q)
{
	char	*cause = NULL;

	if (q->w->r == NULL &&
	    (q->w->r = redisconn_open(q->cf, &cause)) == NULL) {
		webreq_redis_failed(q, cause);
		return NULL;
	}
	return q->w->r;
}

/* Drop a failed Redis connection and answer 503. */
void
webreq_redis_failed(struct webreq *q, char *cause)
{
	log_warn("web: redis: %s", cause != NULL ? cause : "failed");
	free(cause);
	redis_free(q->w->r);
	q->w->r = NULL;
	webreq_error(q, 503, "Not available", "closeloop's data store is not "
	    "answering. Try again in a minute.");
}

/* Render a page with what every page shows. */
void
webreq_page(struct webreq *q, const char *name, const char *title,
    struct view *v)
{
	enum role	 r = q->who != NULL ? q->who->role : ROLE_NONE;

	view_set_string(v, "title", title);
	if (view_get(v, "lang") == NULL)
		view_set_string(v, "lang", "en");
	if (q->who != NULL) {
		view_set_string(v, "user", q->who->user);
		view_set_string(v, "role", role_name(r));
		view_set_string(v, "csrf", q->who->csrf);
		view_set(v, "nav_find", view_bool((WEB_READERS &
		    WEB_ROLE(r)) != 0));
		view_set(v, "nav_templates", view_bool((WEB_COMMS &
		    WEB_ROLE(r)) != 0));
		view_set(v, "nav_operations", view_bool((WEB_OPS &
		    WEB_ROLE(r)) != 0));
		view_set(v, "signout", view_bool(!q->who->sso));
	}
	page_render(q->w->pages, name, v, q->resp);
}

/* Answer with an error page. */
void
webreq_error(struct webreq *q, int status, const char *title, const char *text)
{
	struct view	*v = view_map();

	view_set_string(v, "text", text);
	q->resp->status = status;
	webreq_page(q, "error", title, v);
}

/* Answer 303 to a path of the console. */
void
webreq_redirect(struct webreq *q, const char *path)
{
	q->resp->status = 303;
	httpresp_header(q->resp, "Location", path);
	page_headers(q->resp);
}

/* Set key in e to a time (ms) in the configured zone, if it is one. */
void
webreq_time(const struct webreq *q, struct view *e, const char *key,
    int64_t ms)
{
	char	buf[32];

	if (ms <= 0)
		return;
	datefmt_local(q->cf->templates_timezone, ms, buf, sizeof buf);
	view_set_string(e, key, buf);
}

/* Answer 404. */
void
webreq_not_found(struct webreq *q)
{
	webreq_error(q, 404, "Not found", "There is nothing here. Check the "
	    "number or the link.");
}
