/*
 * webreq.h - a request to the console, and how a page answers it
 *
 * web.c finds who asks and which page's function answers; that function
 * gets a struct webreq and answers with the helpers below: a page
 * rendered inside the layout with what every page shows, an error page,
 * a redirect, the one 404. The Redis connection is made when first
 * needed and dropped after a failure, which is answered 503.
 */
#ifndef WEBREQ_H
#define WEBREQ_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "session.h"

struct catalog;
struct config;
struct http_response;
struct httpreq;
struct page;
struct redis;
struct view;

/* The roles that may use a route or see a link, as a mask. */
#define WEB_ROLE(r)	(1u << (r))
#define WEB_READERS	(WEB_ROLE(ROLE_DIVISION) | WEB_ROLE(ROLE_OPS) | \
			 WEB_ROLE(ROLE_AUDITOR))
#define WEB_ALL		(WEB_READERS | WEB_ROLE(ROLE_COMMS))
#define WEB_COMMS	(WEB_ROLE(ROLE_COMMS) | WEB_ROLE(ROLE_OPS) | \
			 WEB_ROLE(ROLE_AUDITOR))
#define WEB_OPS		(WEB_ROLE(ROLE_OPS) | WEB_ROLE(ROLE_AUDITOR))
#define WEB_OPERATOR	WEB_ROLE(ROLE_OPS)	/* acts, not only reads */

/* What the console serves with. */
struct web {
	pthread_mutex_t		 lock;	/* held by a request and a swap */
	struct config		*cf;
	struct page		*pages;
	struct catalog		*cat;	/* templates.dir, checked */
	char			*lint;	/* its warnings, one a line */
	char			*chartjs;	/* the system's copy, or NULL */
	size_t			 chartjs_len;
	struct redis		*r;		/* NULL: connect at next use */
	char			 sso_key[65];	/* CSRF tokens of proxy users */
};

/* One request, as a page's function sees it. */
struct webreq {
	struct web		*w;
	const struct config	*cf;
	const struct httpreq	*req;
	struct http_response	*resp;
	struct session		*who;	/* NULL: nobody signed in */
	const char		*rest;	/* the path after the route's prefix */
	const char		*peer;	/* the client (the proxy's, if any) */
};

/*
 * Return the Redis connection, connecting first if there is none. NULL
 * after answering 503 (the page's function then returns at once).
 */
struct redis *webreq_redis(struct webreq *q);

/*
 * Note that the Redis connection failed (cause, freed here): it is
 * dropped and the request answered 503.
 */
void webreq_redis_failed(struct webreq *q, char *cause);

/*
 * Render page name with data v (a map, consumed), adding what every page
 * shows: who is signed in, the navigation their role allows, the CSRF
 * token for forms, and title.
 */
void webreq_page(struct webreq *q, const char *name, const char *title,
    struct view *v);

/* Answer with an error page: status, a title and a sentence. */
void webreq_error(struct webreq *q, int status, const char *title,
    const char *text);

/* Answer 303 See Other to path (on this console). */
void webreq_redirect(struct webreq *q, const char *path);

/* Answer the same 404 as for anything that does not exist. */
void webreq_not_found(struct webreq *q);

/*
 * Set key in map e to the time ms (since the epoch) written in
 * templates.timezone ("2026-12-07 09:12:03"); nothing if ms is 0 or less.
 */
void webreq_time(const struct webreq *q, struct view *e, const char *key,
    int64_t ms);

#endif
