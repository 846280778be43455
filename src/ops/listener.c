/*
 * listener.c - closeloopd's HTTP listener (http.listen) and its routes
 *
 * http.c runs the socket and calls listener_route() for each request,
 * one at a time, in its thread. The generation pointer is the only thing
 * shared with the main thread, under a mutex; each request holds the
 * generation it started with until it is answered.
 */
#include "build.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "answerpage.h"
#include "config.h"
#include "generation.h"
#include "health.h"
#include "http.h"
#include "httpreq.h"
#include "inbound.h"
#include "listener.h"
#include "log.h"
#include "receipt.h"
#include "redis.h"
#include "unsubscribe.h"
#include "xmalloc.h"

struct listener {
	struct http		*http;
	pthread_mutex_t		 lock;
	struct generation	*gen;	/* under lock */
	struct redis		*r;	/* the listener thread's */
};

/* Hold the current generation. */
static struct generation *
listener_hold(struct listener *l)
{
	struct generation	*g;

	pthread_mutex_lock(&l->lock);
	g = generation_hold(l->gen);
	pthread_mutex_unlock(&l->lock);
	return g;
}

/* Answer one request by its path. */
static void
listener_route(const struct httpreq *req, struct http_response *resp,
    void *arg)
{
	struct listener		*l = arg;
	struct generation	*g;
	const char		*path = httpreq_path(req);

	g = listener_hold(l);
	if (strcmp(path, "/receipt") == 0)
		receipt_handle(g->cf, &l->r, req, resp);
	else if (strcmp(path, "/metrics") == 0)
		health_metrics(g, &l->r, req, resp);
	else if (strcmp(path, "/healthz") == 0)
		health_check(g, &l->r, req, resp);
	else if (strcmp(path, "/inbound") == 0)
		inbound_handle(g->cf, g->cat, &l->r, req, resp);
	else if (strcmp(path, "/unsubscribe") == 0)
		unsubscribe_handle(g->cf, &l->r, req, resp);
	else if (strcmp(path, "/answer") == 0)
		answerpage_handle(g->cf, &l->r, req, resp);
	else {
		resp->status = 404;
		resp->body = xstrdup("not found\n");
	}
	generation_drop(g);
}

/* Start listening. */
struct listener *
listener_start(struct generation *g, char **cause)
{
	struct listener	*l;

	l = xcalloc(1, sizeof *l);
	pthread_mutex_init(&l->lock, NULL);
	l->gen = generation_hold(g);
	if ((l->http = http_new(g->cf->http_listen, listener_route, l,
	    cause)) == NULL) {
		generation_drop(l->gen);
		pthread_mutex_destroy(&l->lock);
		free(l);
		return NULL;
	}
	log_info("listening for HTTP on %s (port %d)", g->cf->http_listen,
	    http_port(l->http));
	return l;
}

/* Return the port the listener is bound to. */
int
listener_port(const struct listener *l)
{
	return http_port(l->http);
}

/* Use a new generation. */
void
listener_swap(struct listener *l, struct generation *g)
{
	struct generation	*old;

	if (l == NULL)
		return;
	pthread_mutex_lock(&l->lock);
	old = l->gen;
	l->gen = generation_hold(g);
	pthread_mutex_unlock(&l->lock);
	generation_drop(old);
}

/* Stop listening and free the listener. */
void
listener_stop(struct listener *l)
{
	if (l == NULL)
		return;
	http_free(l->http);
	redis_free(l->r);
	generation_drop(l->gen);
	pthread_mutex_destroy(&l->lock);
	free(l);
}
