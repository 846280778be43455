/*
 * listener.h - closeloopd's HTTP listener (http.listen) and its routes
 *
 * The listener answers, in its own thread:
 *   GET|POST /receipt    an SMS gateway's delivery report (receipt.h)
 *   GET /metrics         counters and gauges for Prometheus (health.h)
 *   GET /healthz         200 "ok" or 503 with the reasons (health.h)
 *   GET|POST /inbound    a resident's text message: STOP, START, HELP,
 *                        an answer to "is it fixed?" (inbound.h)
 *   GET|POST /unsubscribe  a one-click unsubscribe link (unsubscribe.h)
 *   GET|POST /answer     an answer link of the email that asks "is it
 *                        fixed?" (answerpage.h)
 * and 404 for anything else. It reads the configuration of the current
 * generation, swapped on SIGHUP like the delivery workers', and writes
 * to Redis through a connection of its own. http.listen is read once at
 * start: moving the listener needs a restart.
 */
#ifndef LISTENER_H
#define LISTENER_H

struct generation;
struct listener;

/*
 * Start listening on g->cf->http_listen, holding g. Returns the
 * listener, or NULL with *cause (the daemon does not start without the
 * listener it was told to run).
 */
struct listener *listener_start(struct generation *g, char **cause);

/* Return the port the listener is bound to (for "HOST:0"). */
int listener_port(const struct listener *l);

/* Use generation g from now on (held; the old one is let go). */
void listener_swap(struct listener *l, struct generation *g);

/* Stop listening and free the listener; NULL is a no-op. */
void listener_stop(struct listener *l);

#endif
