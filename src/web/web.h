/*
 * web.h - closeloop-web: the console's requests, who makes them, and where
 * they go
 *
 * One struct web serves every request: the configuration, the page set,
 * the message templates (templates.dir) and their lint warnings, the
 * Redis connection (made again after a failure) and the system's
 * Chart.js. The HTTP listener (http.h) calls web_handle() once per
 * request, one at a time. web_handle() finds who is asking - a session
 * cookie, or the city's proxy vouching with X-Remote-User (proxy.h) -
 * finds the route, refuses what the asker's role may not see, checks the
 * CSRF token and the origin of every POST, and calls the page's
 * function with a struct webreq.
 *
 * A reload (SIGHUP) builds a new configuration, page set and template
 * set and swaps them in with web_swap(), between two requests.
 */
#ifndef WEB_H
#define WEB_H

struct catalog;
struct config;
struct http_response;
struct httpreq;
struct page;
struct web;

/*
 * Make the console's state from a configuration, a page set, the
 * message template set of cf's templates.dir and its lint warnings
 * (lint_load_warnings()), all taken over. Returns it, or NULL with
 * *cause set (no random bytes). Free it with web_free().
 */
struct web *web_new(struct config *cf, struct page *pages,
    struct catalog *cat, char *lint, char **cause);

/* Free the console's state; NULL is a no-op. */
void web_free(struct web *w);

/*
 * Swap in a new configuration, page set, template set and its lint
 * warnings (all taken over) between requests, freeing the old ones and
 * the Redis connection.
 */
void web_swap(struct web *w, struct config *cf, struct page *pages,
    struct catalog *cat, char *lint);

/* The listener's handler: arg is the struct web. */
void web_handle(const struct httpreq *req, struct http_response *resp,
    void *arg);

#endif
