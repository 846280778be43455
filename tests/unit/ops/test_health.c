/*
 * test_health.c - unit tests for /metrics and /healthz (health.c)
 *
 * A private redis-server holds an outbox, a due set, dead letters and a
 * stream with a consumer group in known states; closeloopd's own
 * listener (listener.c, on a loopback port) answers, and the test reads
 * the answers with libcurl, as Prometheus and a load balancer would.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "catalog.h"
#include "clock.h"
#include "config.h"
#include "generation.h"
#include "health.h"
#include "lint.h"
#include "log.h"
#include "listener.h"
#include "metrics.h"
#include "redis.h"
#include "redisconn.h"
#include "store.h"
#include "testhttp.h"
#include "testredis.h"
#include "testserver.h"
#include "testprom.h"
#include "xmalloc.h"

static struct testserver ts;

/* One test's daemon side: a generation and its listener. */
struct test_health {
	struct generation	*g;
	struct listener		*l;
	struct redis		*r;	/* the test's own connection */
};

/* Send method (GET or POST) to path on the listener; free a->raw. */
static void
test_health_get(struct test_health *t, const char *method, const char *path,
    struct testhttp_answer *a)
{
	if (strcmp(method, "POST") == 0)
		*a = testhttp_post(listener_port(t->l), path, "", NULL);
	else
		*a = testhttp_get(listener_port(t->l), path, NULL);
	assert_non_null(a->body);
}

/* Fail unless a command's reply is there and not an error. */
static void
test_health_ok(struct redis_reply *reply)
{
	if (reply == NULL || reply->type == REDIS_TYPE_ERROR)
		fail_msg("redis: %s", reply != NULL ? reply->str : "no reply");
	redis_reply_free(reply);
}

/* Run a redis command (a hiredis format) on the test's connection. */
#define test_health_cmd(t, ...) \
	test_health_ok(redis_command((t)->r, NULL, __VA_ARGS__))

/* Start the listener with extra settings in the http group. */
static void
test_health_start(struct test_health *t, const char *http_extra)
{
	struct catalog	*cat;
	struct config	*cf;
	char		*extra, *cause = NULL;

	extra = xasprintf("templates = { dir = \"%s/templates\"; };\n"
	    "http = { listen = \"127.0.0.1:0\"; %s };",
	    getenv("top_srcdir") != NULL ? getenv("top_srcdir") : ".",
	    http_extra);
	cf = testserver_config(&ts, NULL, extra);
	free(extra);
	if ((cat = lint_load(cf, &cause)) == NULL)
		fail_msg("templates: %s", cause);
	t->g = generation_new(cf, cat);
	if ((t->l = listener_start(t->g, &cause)) == NULL)
		fail_msg("listener: %s", cause);
	t->r = testredis_open(cf);
	metrics_reset();
	metrics_beat(clock_now());
}

/* Stop the listener and let go of everything. */
static void
test_health_stop(struct test_health *t)
{
	listener_stop(t->l);
	generation_drop(t->g);
	redis_free(t->r);
}

/*
 * Two ready emails (one due 400 s ago), one email retry in a minute, one
 * ready SMS, two leases, three notices waiting, one dead letter, and a
 * stream of five events of which the group has read two.
 */
static void
test_health_seed(struct test_health *t)
{
	long long	now = (long long)clock_now();
	int		i;

	test_health_cmd(t, "ZADD closeloop:outbox:email %lld a/1/0 %lld b/1/0 "
	    "%lld c/1/0", now - 400000, now - 1000, now + 60000);
	test_health_cmd(t, "ZADD closeloop:outbox:sms %lld d/1/0", now - 2000);
	test_health_cmd(t, "ZADD closeloop:outbox:sending %lld e/1/0 %lld f/1/0",
	    now + 600000, now + 600000);
	test_health_cmd(t, "ZADD closeloop:due %lld A %lld B %lld C",
	    now + 1000, now + 2000, now + 3000);
	test_health_cmd(t, "XADD closeloop:dead * error bad");
	test_health_cmd(t, "XGROUP CREATE closeloop:events closeloopd $ "
	    "MKSTREAM");
	for (i = 0; i < 5; i++)
		test_health_cmd(t, "XADD closeloop:events * v 1 n %d", i);
	test_health_cmd(t, "XREADGROUP GROUP closeloopd c1 COUNT 2 STREAMS "
	    "closeloop:events >");
}

/* /metrics reports the shared state and the process's counters. */
static void
test_health_metrics(void **state)
{
	struct test_health		 t;
	struct testhttp_answer	 a;
	char				*key;

	(void)state;
	test_health_start(&t, "");
	test_health_seed(&t);
	metrics_event("status");
	metrics_event("status");

	test_health_get(&t, "GET", "/metrics", &a);
	assert_int_equal(a.status, 200);
	assert_true(testprom_value(a.body, "closeloop_up") == 1);
	assert_true(testprom_value(a.body,
	    "closeloop_outbox_ready{channel=\"email\"}") == 2);
	assert_true(testprom_value(a.body,
	    "closeloop_outbox_ready{channel=\"sms\"}") == 1);
	assert_true(testprom_value(a.body,
	    "closeloop_outbox_scheduled{channel=\"email\"}") == 1);
	assert_true(testprom_value(a.body,
	    "closeloop_outbox_scheduled{channel=\"sms\"}") == 0);
	assert_true(testprom_value(a.body,
	    "closeloop_outbox_oldest_seconds{channel=\"email\"}") >= 400);
	assert_true(testprom_value(a.body,
	    "closeloop_outbox_oldest_seconds{channel=\"email\"}") < 460);
	assert_true(testprom_value(a.body, "closeloop_outbox_sending") == 2);
	assert_true(testprom_value(a.body, "closeloop_held_notices") == 3);
	assert_true(testprom_value(a.body, "closeloop_dead_letters") == 1);
	assert_true(testprom_value(a.body, "closeloop_consumer_lag") == 3);
	assert_true(testprom_value(a.body,
	    "closeloop_consumer_pending") == 2);
	assert_true(testprom_value(a.body,
	    "closeloop_events_total{type=\"status\"}") == 2);
	key = xasprintf("closeloop_template_info{version=\"%s\"}",
	    catalog_version(t.g->cat));
	assert_true(testprom_value(a.body, key) == 1);
	free(key);
	assert_non_null(strstr(a.body, "# TYPE closeloop_consumer_lag "
	    "gauge\n"));
	free(a.raw);

	test_health_get(&t, "POST", "/metrics", &a);
	assert_int_equal(a.status, 405);
	free(a.raw);
	test_health_stop(&t);
}

/* Before the CRM has made the stream, there is nothing to lag behind. */
static void
test_health_empty(void **state)
{
	struct test_health		 t;
	struct testhttp_answer	 a;

	(void)state;
	test_health_start(&t, "");
	test_health_get(&t, "GET", "/metrics", &a);
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(a.body, "\ncloseloop_consumer_lag NaN\n"));
	assert_true(testprom_value(a.body,
	    "closeloop_outbox_oldest_seconds{channel=\"sms\"}") == 0);
	free(a.raw);
	test_health_get(&t, "GET", "/healthz", &a);
	assert_int_equal(a.status, 200);
	assert_string_equal(a.body, "ok\n");
	free(a.raw);
	test_health_stop(&t);
}

/* /healthz says what is wrong, one line a reason, and recovers. */
static void
test_health_check(void **state)
{
	struct test_health		 t;
	struct testhttp_answer	 a;

	(void)state;
	test_health_start(&t, "health_max_lag = 2;");
	test_health_seed(&t);
	test_health_get(&t, "GET", "/healthz", &a);
	assert_int_equal(a.status, 503);
	assert_non_null(strstr(a.body, "consumer lag: 3 events not read yet "
	    "(http.health_max_lag 2)\n"));
	assert_non_null(strstr(a.body, "email delivery stuck: 2 "
	    "notifications ready, the oldest waiting 40"));
	assert_null(strstr(a.body, "sms delivery stuck"));
	free(a.raw);

	/* The worker catches up and the group reads on: healthy again. */
	test_health_cmd(&t, "ZREM closeloop:outbox:email a/1/0");
	test_health_cmd(&t, "XREADGROUP GROUP closeloopd c1 COUNT 2 STREAMS "
	    "closeloop:events >");
	test_health_get(&t, "GET", "/healthz", &a);
	assert_int_equal(a.status, 200);
	assert_string_equal(a.body, "ok\n");
	free(a.raw);

	/* The main loop stops turning. */
	metrics_beat(clock_now() - HEALTH_LOOP_MAX_MS - 5000);
	test_health_get(&t, "GET", "/healthz", &a);
	assert_int_equal(a.status, 503);
	assert_non_null(strstr(a.body, "main loop: no turn for 12"));
	free(a.raw);
	test_health_stop(&t);
}

/*
 * Check that a body holds a line that starts with before, a number of
 * seconds at least low and at most 30 more (a slow run may be late), then
 * after.
 */
static void
test_health_line(const char *body, const char *before, int low,
    const char *after)
{
	const char	*p;
	char		*end;
	long		 secs;

	p = strstr(body, before);
	if (p == NULL)
		fail_msg("no \"%s\" in: %s", before, body);
	secs = strtol(p + strlen(before), &end, 10);
	if (secs < low || secs > low + 30 || strncmp(end, after,
	    strlen(after)) != 0)
		fail_msg("want \"%s%d%s\" in: %s", before, low, after, body);
}

/*
 * A main loop that keeps turning without handling, releasing or waiting
 * for anything (it spins) is unhealthy, though it turns.
 */
static void
test_health_spin(void **state)
{
	struct test_health		 t;
	struct testhttp_answer	 a;
	int64_t				 now = clock_now();

	(void)state;
	test_health_start(&t, "");
	metrics_start(now - 60000);
	metrics_progress(now - 30000);
	metrics_beat(now);
	test_health_get(&t, "GET", "/healthz", &a);
	assert_int_equal(a.status, 503);
	test_health_line(a.body, "main loop: turning without getting "
	    "anything done for ", 30, " s\n");
	free(a.raw);
	metrics_progress(now);
	test_health_get(&t, "GET", "/healthz", &a);
	assert_int_equal(a.status, 200);
	free(a.raw);
	test_health_stop(&t);
}

/*
 * Intake that handles nothing while entries wait for it - unread, or
 * pending with this consumer - is unhealthy, unless a full outbox
 * paused it; entries pending with another consumer are not its own.
 */
static void
test_health_stall(void **state)
{
	struct test_health		 t;
	struct testhttp_answer	 a;
	int64_t				 now = clock_now();

	(void)state;
	test_health_start(&t, "");
	metrics_start(now - 200000);
	metrics_handled(now - 150000);
	metrics_progress(now);	/* waiting, not spinning */
	metrics_beat(now);
	test_health_cmd(&t, "XGROUP CREATE closeloop:events closeloopd $ "
	    "MKSTREAM");
	test_health_get(&t, "GET", "/healthz", &a);
	assert_int_equal(a.status, 200);
	free(a.raw);
	test_health_cmd(&t, "XADD closeloop:events * v 1");
	test_health_get(&t, "GET", "/healthz", &a);
	assert_int_equal(a.status, 503);
	test_health_line(a.body, "intake: no entry handled for ", 150,
	    " s while 1 wait unread and 0 are pending with consumer");
	free(a.raw);

	metrics_paused(1);
	test_health_get(&t, "GET", "/healthz", &a);
	assert_int_equal(a.status, 200);
	free(a.raw);
	metrics_paused(0);

	/* Read by another consumer: theirs, not this one's. */
	test_health_cmd(&t, "XREADGROUP GROUP closeloopd someone-else COUNT 1 "
	    "STREAMS closeloop:events >");
	test_health_get(&t, "GET", "/healthz", &a);
	assert_int_equal(a.status, 200);
	free(a.raw);

	/* Claimed by this one and never handled. */
	test_health_cmd(&t, "XADD closeloop:events * v 1");
	test_health_cmd(&t, "XREADGROUP GROUP closeloopd %s COUNT 1 STREAMS "
	    "closeloop:events >", t.g->cf->redis_consumer);
	test_health_get(&t, "GET", "/healthz", &a);
	assert_int_equal(a.status, 503);
	assert_non_null(strstr(a.body, "while 0 wait unread and 1 are "
	    "pending with consumer"));
	free(a.raw);
	metrics_handled(clock_now());
	test_health_get(&t, "GET", "/healthz", &a);
	assert_int_equal(a.status, 200);
	free(a.raw);
	test_health_stop(&t);
}

/* With Redis gone: /healthz fails, /metrics still answers, up is 0. */
static void
test_health_redis_down(void **state)
{
	struct test_health		 t;
	struct testhttp_answer	 a;

	(void)state;
	test_health_start(&t, "");
	test_health_get(&t, "GET", "/healthz", &a);
	assert_int_equal(a.status, 200);
	free(a.raw);
	testserver_stop(&ts);

	test_health_get(&t, "GET", "/healthz", &a);
	assert_int_equal(a.status, 503);
	assert_true(strncmp(a.body, "redis: ", 7) == 0);
	free(a.raw);
	test_health_get(&t, "GET", "/metrics", &a);
	assert_int_equal(a.status, 200);
	assert_true(testprom_value(a.body, "closeloop_up") == 0);
	assert_null(strstr(a.body, "closeloop_outbox_ready"));
	assert_non_null(strstr(a.body, "closeloop_events_total"));
	free(a.raw);

	test_health_stop(&t);
	testserver_start(&ts, 0, NULL);	/* for the tests after this one */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_health_metrics),
		cmocka_unit_test(test_health_empty),
		cmocka_unit_test(test_health_check),
		cmocka_unit_test(test_health_spin),
		cmocka_unit_test(test_health_stall),
		cmocka_unit_test(test_health_redis_down),
	};

	log_set_level(LOG_LEVEL_ERR);
	return testredis_run(&ts, "health", tests,
	    sizeof tests / sizeof tests[0]);
}
