/*
 * web.c - closeloop-web's requests: who asks, what for, and whether they may
 *
 * The routes are a table: method, path (exact, or a prefix ending in
 * '/'), the roles that may use it (none: public) and the page's
 * function. A signed-in user asking for a route their role does not
 * have gets the same 404 as for a path that does not exist, so the
 * console does not say what is there; someone not signed in is sent to
 * the sign-in page. Every POST must come from the console's own pages:
 * no other site's Origin, no cross-site Sec-Fetch-Site, and the form's
 * CSRF token (the session's, or the sign-in form's cookie) - else 403.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "clock.h"
#include "config.h"
#include "cookie.h"
#include "dashpage.h"
#include "digest.h"
#include "findpage.h"
#include "http.h"
#include "httpreq.h"
#include "listpage.h"
#include "log.h"
#include "msgpage.h"
#include "opsform.h"
#include "opspage.h"
#include "page.h"
#include "proxy.h"
#include "redis.h"
#include "redisconn.h"
#include "respage.h"
#include "session.h"
#include "signin.h"
#include "srpage.h"
#include "staticfile.h"
#include "tmplpage.h"
#include "view.h"
#include "web.h"
#include "webreq.h"
#include "xmalloc.h"

/* One route. */
struct web_route {
	const char	*method;
	const char	*path;		/* a prefix if it ends in '/' */
	unsigned int	 roles;		/* 0: public */
	void		(*fn)(struct webreq *);
};

static void web_home(struct webreq *);

/* Every route, first match wins. */
static const struct web_route web_routes[] = {
	{ "GET", "/", WEB_ALL, web_home },
	{ "GET", "/signin", 0, signin_form },
	{ "POST", "/signin", 0, signin_post },
	{ "POST", "/signout", WEB_ALL, signin_out },
	{ "GET", "/static/", 0, staticfile_serve },
	{ "GET", "/healthz", 0, staticfile_health },
	{ "GET", "/find", WEB_READERS, findpage_show },
	{ "GET", "/sr/", WEB_READERS, srpage_show },
	{ "GET", "/message/", WEB_READERS, msgpage_show },
	{ "GET", "/dashboard", WEB_READERS, dashpage_show },
	{ "GET", "/dashboard.csv", WEB_READERS, dashpage_csv },
	{ "GET", "/list", WEB_READERS, listpage_show },
	{ "GET", "/r/", 0, respage_show },
	{ "GET", "/templates", WEB_COMMS, tmplpage_show },
	{ "GET", "/template/", WEB_COMMS, tmplpage_frame },
	{ "GET", "/operations", WEB_OPS, opspage_show },
	{ "POST", "/operations", WEB_OPERATOR, opsform_post }
};

/* Make the console's state. */
struct web *
web_new(struct config *cf, struct page *pages, struct catalog *cat,
    char *lint, char **cause)
{
	struct web	*w;

	w = xcalloc(1, sizeof *w);
	pthread_mutex_init(&w->lock, NULL);
	if (digest_random_hex(w->sso_key, 32) != 0) {
		*cause = xstrdup("no random bytes for the console's key");
		free(w);
		return NULL;
	}
	w->cf = cf;
	w->pages = pages;
	w->cat = cat;
	w->lint = lint;
	staticfile_load(w);
	return w;
}

/* Free the console's state. */
void
web_free(struct web *w)
{
	if (w == NULL)
		return;
	redis_free(w->r);
	config_free(w->cf);
	page_free(w->pages);
	catalog_free(w->cat);
	free(w->lint);
	free(w->chartjs);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

/* Swap in a new configuration, page set and template set. */
void
web_swap(struct web *w, struct config *cf, struct page *pages,
    struct catalog *cat, char *lint)
{
	pthread_mutex_lock(&w->lock);
	redis_free(w->r);
	w->r = NULL;
	config_free(w->cf);
	page_free(w->pages);
	catalog_free(w->cat);
	free(w->lint);
	w->cf = cf;
	w->pages = pages;
	w->cat = cat;
	w->lint = lint;
	staticfile_load(w);
	pthread_mutex_unlock(&w->lock);
}

/* The console's first page: where the role starts. */
static void
web_home(struct webreq *q)
{
	webreq_redirect(q, q->who->role == ROLE_COMMS ? "/templates" :
	    "/find");
}

/* Return 1 if path matches the route's path. */
static int
web_match(const struct web_route *rt, const char *path, const char **rest)
{
	size_t	 len = strlen(rt->path);

	if (len > 1 && rt->path[len - 1] == '/') {
		if (strncmp(path, rt->path, len) != 0)
			return 0;
		*rest = path + len;
		return 1;
	}
	*rest = "";
	return strcmp(path, rt->path) == 0;
}

/*
 * Return 1 if a POST comes from the console's own pages: its Origin (if
 * sent) is this host, and the browser does not call it cross-site. An
 * Origin of "null" is taken only with Sec-Fetch-Site: same-origin.
 */
static int
web_same_origin(const struct httpreq *req)
{
	const char	*origin = httpreq_header(req, "Origin");
	const char	*host = httpreq_header(req, "Host");
	const char	*site = httpreq_header(req, "Sec-Fetch-Site");
	const char	*p;

	if (site != NULL && strcmp(site, "same-origin") != 0 &&
	    strcmp(site, "none") != 0)
		return 0;
	if (origin == NULL)
		return 1;
	if (strcmp(origin, "null") == 0)	/* a browser hiding it */
		return site != NULL && strcmp(site, "same-origin") == 0;
	if (host == NULL || (p = strstr(origin, "://")) == NULL)
		return 0;
	return strcmp(p + 3, host) == 0;
}

/* Find who is asking: a session, or a user the proxy vouches for. */
static int
web_who(struct webreq *q)
{
	char	*id, *cause = NULL;

	if (proxy_identify(q) != 0)
		return -1;
	if (q->who != NULL)
		return 0;
	if ((id = cookie_get(q->cf, q->req, COOKIE_SESSION)) == NULL)
		return 0;
	if (webreq_redis(q) == NULL) {
		free(id);
		return -1;
	}
	if (session_get(q->w->r, q->cf, id, &q->who, &cause) != 0) {
		free(id);
		webreq_redis_failed(q, cause);
		return -1;
	}
	free(id);
	return 0;
}

/* Check the CSRF token of a POST by a signed-in user. */
static int
web_csrf_ok(const struct webreq *q)
{
	return q->who != NULL &&
	    digest_equal(httpreq_arg(q->req, "csrf"), q->who->csrf);
}

/* Serve one request. */
static void
web_serve(struct webreq *q)
{
	const char		*method = httpreq_method(q->req);
	const char		*path = httpreq_path(q->req);
	const struct web_route	*rt;
	size_t			 i;
	int			 head = strcmp(method, "HEAD") == 0;

	if (web_who(q) != 0)
		return;
	for (i = 0; i < sizeof web_routes / sizeof web_routes[0]; i++) {
		rt = &web_routes[i];
		if ((strcmp(rt->method, method) == 0 || (head &&
		    strcmp(rt->method, "GET") == 0)) &&
		    web_match(rt, path, &q->rest))
			break;
	}
	if (i == sizeof web_routes / sizeof web_routes[0]) {
		webreq_not_found(q);
		return;
	}
	if (strcmp(method, "POST") == 0 && (!web_same_origin(q->req) ||
	    (rt->roles != 0 && !web_csrf_ok(q)))) {
		log_warn("web: refused a POST to %s from %s: not from the "
		    "console's own form", path, q->peer);
		webreq_error(q, 403, "Refused", "This form did not come from "
		    "the console. Go back, reload the page and try again.");
		return;
	}
	if (rt->roles != 0 && q->who == NULL) {
		if (strcmp(method, "POST") == 0)
			webreq_error(q, 403, "Signed out", "Your session has "
			    "ended. Sign in again.");
		else
			webreq_redirect(q, "/signin");
		return;
	}
	if (rt->roles != 0 && (rt->roles & WEB_ROLE(q->who->role)) == 0) {
		webreq_not_found(q);
		return;
	}
	rt->fn(q);
}

/* The listener's handler. */
void
web_handle(const struct httpreq *req, struct http_response *resp, void *arg)
{
	struct web	*w = arg;
	struct webreq	 q;
	int64_t		 t0 = clock_us();
	char		 timing[64];

	pthread_mutex_lock(&w->lock);
	memset(&q, 0, sizeof q);
	q.w = w;
	q.cf = w->cf;
	q.req = req;
	q.resp = resp;
	q.peer = httpreq_peer(req);
	web_serve(&q);
	if (strcmp(httpreq_method(req), "HEAD") == 0) {
		free(resp->body);
		resp->body = NULL;
	}
	session_free(q.who);
	pthread_mutex_unlock(&w->lock);
	/* What the console itself took, for the benchmark and the proxy. */
	snprintf(timing, sizeof timing, "app;dur=%.1f",
	    (double)(clock_us() - t0) / 1000.0);
	httpresp_header(resp, "Server-Timing", timing);
}
