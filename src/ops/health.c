/*
 * health.c - how the service is doing: /metrics and /healthz
 *
 * Both answers read the shared state in one pipelined round trip to
 * Redis (health_read()): for each channel's outbox two ZCOUNTs (ready
 * up to now, scheduled after) and the lowest score, then the ZCARD of
 * the lease set and of the due set, the XLEN of the dead-letter stream,
 * XINFO GROUPS of the events stream, whose entry for our group has
 * "lag" and "pending", XPENDING's summary, which counts the entries
 * pending with each consumer, and why each channel is paused, if it is
 * (pause.h). Nothing is cached: a scrape costs thirteen commands. A
 * channel paused by its breaker makes /healthz answer 503; one paused by
 * an operator is said after "ok".
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "clock.h"
#include "config.h"
#include "event.h"
#include "generation.h"
#include "health.h"
#include "http.h"
#include "httpreq.h"
#include "metrics.h"
#include "outbox.h"
#include "pause.h"
#include "redis.h"
#include "rediszset.h"
#include "redisconn.h"
#include "retry.h"
#include "xmalloc.h"

static const char *const health_channels[2] = { "email", "sms" };

/* Queue one command of up to five arguments (the rest NULL). */
static void
health_queue(struct redis *r, const char *a0, const char *a1, const char *a2,
    const char *a3, const char *a4)
{
	const char	*argv[5] = { a0, a1, a2, a3, a4 };
	int		 argc = 2;

	while (argc < 5 && argv[argc] != NULL)
		argc++;
	redis_pipe_argv(r, argc, argv, NULL);
}

/* Return an integer reply's value, or 0. */
static long long
health_int(const struct redis_reply *reply)
{
	return reply->type == REDIS_TYPE_INTEGER ? reply->integer : 0;
}

/* Find our group in XINFO GROUPS and fill in its lag and pending. */
static void
health_group(const struct config *cf, const struct redis_reply *reply,
    struct health_gauges *out)
{
	const struct redis_reply	*g, *name, *v;
	size_t				 i, k;

	out->lag = -1;
	out->pending = 0;
	if (reply->type != REDIS_TYPE_ARRAY)
		return;	/* no stream yet: nothing to read */
	for (i = 0; i < reply->elements; i++) {
		g = reply->element[i];
		if (g->type != REDIS_TYPE_ARRAY)
			continue;
		name = NULL;
		for (k = 0; k + 1 < g->elements; k += 2) {
			if (strcmp(g->element[k]->str, "name") == 0)
				name = g->element[k + 1];
		}
		if (name == NULL || name->str == NULL ||
		    strcmp(name->str, cf->redis_group) != 0)
			continue;
		for (k = 0; k + 1 < g->elements; k += 2) {
			v = g->element[k + 1];
			if (strcmp(g->element[k]->str, "lag") == 0 &&
			    v->type == REDIS_TYPE_INTEGER)
				out->lag = v->integer;
			else if (strcmp(g->element[k]->str, "pending") == 0)
				out->pending = health_int(v);
		}
	}
}

/* Find this consumer in XPENDING's summary and set out->mine. */
static void
health_mine(const struct config *cf, const struct redis_reply *reply,
    struct health_gauges *out)
{
	const struct redis_reply	*list, *c;
	size_t				 i;

	out->mine = 0;
	if (reply->type != REDIS_TYPE_ARRAY || reply->elements != 4 ||
	    (list = reply->element[3])->type != REDIS_TYPE_ARRAY)
		return;
	for (i = 0; i < list->elements; i++) {
		c = list->element[i];
		if (c->type == REDIS_TYPE_ARRAY && c->elements == 2 &&
		    c->element[0]->str != NULL && c->element[1]->str != NULL &&
		    strcmp(c->element[0]->str, cf->redis_consumer) == 0)
			out->mine = strtoll(c->element[1]->str, NULL, 10);
	}
}

/* Return how long intake may handle nothing while entries wait. */
int64_t
health_stall_ms(const struct config *cf)
{
	return 2 * cf->redis_claim_idle_ms > 30000 ?
	    2 * cf->redis_claim_idle_ms : 30000;
}

/* Read the gauges in one round trip. */
int
health_read(const struct generation *g, struct redis **r, int64_t now,
    struct health_gauges *out, char **cause)
{
	const struct config	*cf = g->cf;
	const int		 channels[2] = { EVENT_CHANNEL_EMAIL,
				    EVENT_CHANNEL_SMS };
	struct redis_reply	*reply[13], *first;
	char			*key[2] = { NULL, NULL }, *pkey[2] = { NULL, NULL };
	char			*sending, *due, nowbuf[32], after[34];
	size_t			 i, n = 0;
	int			 c, rc = -1;

	memset(out, 0, sizeof *out);
	memset(reply, 0, sizeof reply);
	if (*r == NULL && (*r = redisconn_open(cf, cause)) == NULL)
		return -1;
	snprintf(nowbuf, sizeof nowbuf, "%lld", (long long)now);
	snprintf(after, sizeof after, "(%lld", (long long)now);
	sending = retry_lease_key(cf);
	due = xasprintf("%sdue", cf->redis_prefix);
	for (c = 0; c < 2; c++) {
		key[c] = retry_queue_key(cf, channels[c]);
		health_queue(*r, "ZCOUNT", key[c], "-inf", nowbuf, NULL);
		health_queue(*r, "ZCOUNT", key[c], after, "+inf", NULL);
		health_queue(*r, "ZRANGE", key[c], "0", "0", "WITHSCORES");
	}
	health_queue(*r, "ZCARD", sending, NULL, NULL, NULL);
	health_queue(*r, "ZCARD", due, NULL, NULL, NULL);
	health_queue(*r, "XLEN", cf->redis_dead_stream, NULL, NULL, NULL);
	health_queue(*r, "XINFO", "GROUPS", cf->redis_stream, NULL, NULL);
	health_queue(*r, "XPENDING", cf->redis_stream, cf->redis_group, NULL,
	    NULL);
	for (c = 0; c < 2; c++) {
		pkey[c] = pause_key(cf, channels[c]);
		health_queue(*r, "HGET", pkey[c], "reason", NULL, NULL);
	}
	for (n = 0; n < 13; n++) {
		if ((reply[n] = redis_pipe_reply(*r, cause)) == NULL)
			goto fail;
	}
	for (c = 0; c < 2; c++) {
		out->ready[c] = health_int(reply[3 * c]);
		out->scheduled[c] = health_int(reply[3 * c + 1]);
		first = reply[3 * c + 2];
		if (out->ready[c] > 0 && first->type == REDIS_TYPE_ARRAY &&
		    first->elements == 2 &&
		    rediszset_score(first->element[1]->str, &out->oldest_ms[c]) ==
		    0)
			out->oldest_ms[c] = now - out->oldest_ms[c];
	}
	out->sending = health_int(reply[6]);
	out->held = health_int(reply[7]);
	out->dead = health_int(reply[8]);
	health_group(cf, reply[9], out);
	health_mine(cf, reply[10], out);
	for (c = 0; c < 2; c++) {
		first = reply[11 + c];
		if (first->type == REDIS_TYPE_STRING)
			out->paused[c] = strcmp(first->str, "breaker") == 0 ?
			    HEALTH_PAUSED_BREAKER : HEALTH_PAUSED_OPERATOR;
	}
	rc = 0;
fail:
	for (i = 0; i < n; i++)
		redis_reply_free(reply[i]);
	for (c = 0; c < 2; c++) {
		free(key[c]);
		free(pkey[c]);
	}
	free(due);
	free(sending);
	if (rc != 0) {
		redis_free(*r);
		*r = NULL;
	}
	return rc;
}

/* Write a gauge with one value per channel, to decimals places. */
static void
health_write_channels(char **buf, size_t *len, size_t *cap, const char *name,
    const char *help, const double value[2], int decimals)
{
	int	c;

	metrics_printf(buf, len, cap, "# HELP %s %s\n# TYPE %s gauge\n", name,
	    help, name);
	for (c = 0; c < 2; c++)
		metrics_printf(buf, len, cap, "%s{channel=\"%s\"} %.*f\n", name,
		    health_channels[c], decimals, value[c]);
}

/* Write the gauges read from Redis in the Prometheus text format. */
static void
health_write_gauges(char **buf, size_t *len, size_t *cap,
    const struct health_gauges *gg)
{
	double	v[2];
	int	c;

	for (c = 0; c < 2; c++)
		v[c] = (double)gg->ready[c];
	health_write_channels(buf, len, cap, "closeloop_outbox_ready",
	    "Notifications due now, waiting for a worker.", v, 0);
	for (c = 0; c < 2; c++)
		v[c] = (double)gg->scheduled[c];
	health_write_channels(buf, len, cap, "closeloop_outbox_scheduled",
	    "Notifications due later: retries after their backoff, SMS in "
	    "quiet hours.", v, 0);
	for (c = 0; c < 2; c++)
		v[c] = (double)gg->oldest_ms[c] / 1000;
	health_write_channels(buf, len, cap, "closeloop_outbox_oldest_seconds",
	    "How long the oldest ready notification has been due.", v, 3);
	for (c = 0; c < 2; c++)
		v[c] = gg->paused[c] != 0;
	health_write_channels(buf, len, cap, "closeloop_channel_paused",
	    "Whether the channel is paused (closeloop pause, or its "
	    "breaker): its notifications wait.", v, 0);
	for (c = 0; c < 2; c++)
		v[c] = gg->paused[c] == HEALTH_PAUSED_BREAKER;
	health_write_channels(buf, len, cap, "closeloop_breaker_open",
	    "Whether the channel's breaker paused it (too many permanent "
	    "failures); closeloop resume closes it.", v, 0);
	metrics_printf(buf, len, cap,
	    "# HELP closeloop_outbox_sending Notifications claimed by a "
	    "worker.\n# TYPE closeloop_outbox_sending gauge\n"
	    "closeloop_outbox_sending %lld\n"
	    "# HELP closeloop_held_notices Notices waiting for their window: "
	    "held closures and coalescing bursts.\n"
	    "# TYPE closeloop_held_notices gauge\n"
	    "closeloop_held_notices %lld\n"
	    "# HELP closeloop_dead_letters Entries in the dead-letter "
	    "stream.\n# TYPE closeloop_dead_letters gauge\n"
	    "closeloop_dead_letters %lld\n"
	    "# HELP closeloop_consumer_pending Events read by the group but "
	    "not yet acknowledged.\n"
	    "# TYPE closeloop_consumer_pending gauge\n"
	    "closeloop_consumer_pending %lld\n"
	    "# HELP closeloop_consumer_lag Events in the stream the group "
	    "has not read yet.\n# TYPE closeloop_consumer_lag gauge\n",
	    gg->sending, gg->held, gg->dead, gg->pending);
	if (gg->lag < 0)
		metrics_printf(buf, len, cap, "closeloop_consumer_lag NaN\n");
	else
		metrics_printf(buf, len, cap, "closeloop_consumer_lag %lld\n",
		    gg->lag);
}

/* Answer 405 unless the request is a GET or HEAD; 1 if answered. */
static int
health_method(const struct httpreq *req, struct http_response *resp)
{
	if (strcmp(httpreq_method(req), "POST") != 0)
		return 0;
	resp->status = 405;
	resp->body = xstrdup("method not allowed: use GET\n");
	return 1;
}

/* Answer GET /metrics. */
void
health_metrics(const struct generation *g, struct redis **r,
    const struct httpreq *req, struct http_response *resp)
{
	struct health_gauges	 gg;
	char			*buf = NULL, *cause = NULL;
	size_t			 len = 0, cap = 0;
	int			 up;

	if (health_method(req, resp))
		return;
	metrics_write(&buf, &len, &cap);
	up = health_read(g, r, clock_now(), &gg, &cause) == 0;
	metrics_printf(&buf, &len, &cap,
	    "# HELP closeloop_up Whether Redis answered this scrape.\n"
	    "# TYPE closeloop_up gauge\ncloseloop_up %d\n"
	    "# HELP closeloop_build_info closeloop's version.\n"
	    "# TYPE closeloop_build_info gauge\n"
	    "closeloop_build_info{version=\"%s\"} 1\n"
	    "# HELP closeloop_template_info The template set in use.\n"
	    "# TYPE closeloop_template_info gauge\n"
	    "closeloop_template_info{version=\"%s\"} 1\n", up,
	    PACKAGE_VERSION, catalog_version(g->cat));
	if (up)
		health_write_gauges(&buf, &len, &cap, &gg);
	free(cause);
	resp->status = 200;
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	resp->body = buf;
}

/* Answer GET /healthz. */
void
health_check(const struct generation *g, struct redis **r,
    const struct httpreq *req, struct http_response *resp)
{
	const struct config	*cf = g->cf;
	struct health_gauges	 gg;
	struct metrics_loop	 ml;
	char			*buf = NULL, *cause = NULL;
	size_t			 len = 0, cap = 0;
	int64_t			 now = clock_now(), since, handled;
	int			 c;

	if (health_method(req, resp))
		return;
	metrics_loop(&ml);
	if (ml.beat != 0 && !ml.waiting && now - ml.beat > HEALTH_LOOP_MAX_MS)
		metrics_printf(&buf, &len, &cap, "main loop: no turn for "
		    "%lld s\n", (long long)(now - ml.beat) / 1000);
	since = ml.progress > ml.started ? ml.progress : ml.started;
	if (ml.beat != 0 && since != 0 && ml.beat - since > HEALTH_SPIN_MS)
		metrics_printf(&buf, &len, &cap, "main loop: turning without "
		    "getting anything done for %lld s\n",
		    (long long)(ml.beat - since) / 1000);
	if (health_read(g, r, now, &gg, &cause) != 0)
		metrics_printf(&buf, &len, &cap, "redis: %s\n", cause);
	else {
		if (gg.lag > cf->http_health_max_lag)
			metrics_printf(&buf, &len, &cap, "consumer lag: %lld "
			    "events not read yet (http.health_max_lag %lld)\n",
			    gg.lag, (long long)cf->http_health_max_lag);
		handled = ml.handled > ml.started ? ml.handled : ml.started;
		if ((gg.lag > 0 || gg.mine > 0) && !ml.paused &&
		    ml.started != 0 && now - handled > health_stall_ms(cf))
			metrics_printf(&buf, &len, &cap, "intake: no entry "
			    "handled for %lld s while %lld wait unread and "
			    "%lld are pending with consumer %s\n",
			    (long long)(now - handled) / 1000, gg.lag > 0 ?
			    gg.lag : 0, gg.mine, cf->redis_consumer);
		for (c = 0; c < 2; c++) {
			if (gg.paused[c] == HEALTH_PAUSED_BREAKER)
				metrics_printf(&buf, &len, &cap, "%s paused by "
				    "its breaker: too many permanent failures "
				    "(delivery.breaker_percent); %lld "
				    "notifications wait; find the cause, then "
				    "closeloop resume %s\n", health_channels[c],
				    gg.ready[c], health_channels[c]);
			if (gg.paused[c] != 0 || gg.oldest_ms[c] <=
			    cf->http_health_max_delay_seconds * 1000)
				continue;
			metrics_printf(&buf, &len, &cap, "%s delivery stuck: "
			    "%lld notifications ready, the oldest waiting "
			    "%lld s (http.health_max_delay_seconds %lld)\n",
			    health_channels[c], gg.ready[c],
			    (long long)gg.oldest_ms[c] / 1000,
			    (long long)cf->http_health_max_delay_seconds);
		}
	}
	free(cause);
	resp->status = buf == NULL ? 200 : 503;
	if (buf == NULL)
		metrics_printf(&buf, &len, &cap, "ok\n");
	for (c = 0; c < 2; c++) {
		if (gg.paused[c] == HEALTH_PAUSED_OPERATOR)
			metrics_printf(&buf, &len, &cap, "%s paused by an "
			    "operator (closeloop pause); %lld notifications "
			    "wait\n", health_channels[c], gg.ready[c]);
	}
	resp->body = buf;
}
