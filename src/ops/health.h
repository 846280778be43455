/*
 * health.h - how the service is doing: /metrics and /healthz
 *
 * /metrics prints this process's counters (metrics.h) and then gauges
 * read from Redis at scrape time, which every instance shares:
 *   closeloop_up                      1 if Redis answered the scrape
 *   closeloop_outbox_ready{channel}   notifications due now, waiting for
 *                                     a worker
 *   closeloop_outbox_scheduled{channel}  due later: retries after their
 *                                     backoff, SMS held by quiet hours
 *   closeloop_outbox_oldest_seconds{channel}  how long the oldest ready
 *                                     one has been due (0 if none)
 *   closeloop_outbox_sending          claimed by a worker right now
 *   closeloop_held_notices            notices waiting for their window:
 *                                     held closures, coalescing bursts
 *   closeloop_dead_letters            entries in the dead-letter stream
 *   closeloop_consumer_lag            stream entries not yet read by the
 *                                     group (NaN if Redis cannot tell)
 *   closeloop_consumer_pending        read but not yet acknowledged
 *   closeloop_template_info{version}  1, labelled with the template set
 *   closeloop_build_info{version}     1, labelled with closeloop's version
 *
 * /healthz answers 200 "ok" when Redis answers, the group's lag is at
 * most http.health_max_lag, no ready notification has waited more than
 * http.health_max_delay_seconds, the main loop went round within
 * HEALTH_LOOP_MAX_MS (or is blocked waiting for work) and got something done (handled entries, released
 * notices, or waited) within HEALTH_SPIN_MS of its last turn, and intake
 * handled an entry within health_stall_ms() whenever entries wait for
 * it (unread, or pending with this consumer) and it is not paused by a
 * full outbox; otherwise 503 with one line per reason.
 */
#ifndef HEALTH_H
#define HEALTH_H

#include <stdint.h>

struct config;
struct generation;
struct httpreq;
struct http_response;
struct redis;

/* Longest the main loop may go without a turn and be healthy (ms). */
#define HEALTH_LOOP_MAX_MS	120000

/* Longest the main loop may turn without getting anything done (ms). */
#define HEALTH_SPIN_MS		10000

/* What the gauges read from Redis. */
struct health_gauges {
	long long	ready[2];	/* email, sms */
	long long	scheduled[2];
	int64_t		oldest_ms[2];	/* age of the oldest ready; 0: none */
	long long	sending;
	long long	held;
	long long	dead;
	long long	lag;		/* -1: Redis cannot tell */
	long long	pending;
	long long	mine;		/* pending with this consumer */
	int		paused[2];	/* 0, or HEALTH_PAUSED_* */
};

/* Why a channel is paused (pause.h). */
#define HEALTH_PAUSED_OPERATOR	1
#define HEALTH_PAUSED_BREAKER	2

/*
 * Return how long intake may handle no entry while entries wait for it
 * (ms): twice redis.claim_idle_ms, the time a refused entry waits to be
 * tried again, and at least 30 s.
 */
int64_t health_stall_ms(const struct config *cf);

/*
 * Read the gauges of g's configuration through *r (connected first if
 * NULL) at now (ms). Returns 0, or -1 with *cause; on failure *r is
 * freed and set to NULL, to be made again next time.
 */
int health_read(const struct generation *g, struct redis **r, int64_t now,
    struct health_gauges *out, char **cause);

/* Answer GET /metrics in the Prometheus text format. */
void health_metrics(const struct generation *g, struct redis **r,
    const struct httpreq *req, struct http_response *resp);

/* Answer GET /healthz: 200 "ok", or 503 and the reasons. */
void health_check(const struct generation *g, struct redis **r,
    const struct httpreq *req, struct http_response *resp);

#endif
