/*
 * test_metrics.c - unit tests for the process's counters (metrics.c)
 *
 * The counters are fed as the daemon feeds them and read back the way
 * Prometheus reads them: by parsing the text /metrics prints.
 */
#include "build.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decision.h"
#include "metrics.h"
#include "testprom.h"

/* Return the counters as /metrics prints them; the caller frees. */
static char *
test_metrics_text(void)
{
	char	*buf = NULL;
	size_t	 len = 0, cap = 0;

	metrics_write(&buf, &len, &cap);
	assert_non_null(buf);
	assert_int_equal(strlen(buf), len);
	return buf;
}

/* Every family is declared, and every counter starts at zero. */
static void
test_metrics_zero(void **state)
{
	char	*t;

	(void)state;
	metrics_reset();
	metrics_start(1795000000123LL);
	t = test_metrics_text();
	assert_non_null(strstr(t, "# TYPE closeloop_events_total counter\n"));
	assert_non_null(strstr(t, "# TYPE closeloop_decisions_total "
	    "counter\n"));
	assert_non_null(strstr(t, "# TYPE closeloop_notifications_total "
	    "counter\n"));
	assert_non_null(strstr(t, "# TYPE closeloop_send_seconds "
	    "histogram\n"));
	assert_true(testprom_value(t, "closeloop_start_time_seconds") ==
	    1795000000.123);
	assert_true(testprom_value(t,
	    "closeloop_events_total{type=\"status\"}") == 0);
	assert_true(testprom_value(t, "closeloop_notifications_total"
	    "{channel=\"sms\",outcome=\"undelivered\"}") == 0);
	assert_true(testprom_value(t, "closeloop_send_seconds_bucket"
	    "{channel=\"email\",le=\"+Inf\"}") == 0);
	assert_null(strstr(t, "closeloop_decisions_total{"));
	free(t);
}

/* Events by type; an unknown type is not counted. */
static void
test_metrics_events(void **state)
{
	struct metrics_totals	 tot;
	char			*t;
	int			 i;

	(void)state;
	metrics_reset();
	for (i = 0; i < 3; i++)
		metrics_event("status");
	metrics_event("subscribe");
	metrics_event("duplicate");
	metrics_event("invalid");
	metrics_event("invalid");
	metrics_event("bogus");
	t = test_metrics_text();
	assert_true(testprom_value(t,
	    "closeloop_events_total{type=\"status\"}") == 3);
	assert_true(testprom_value(t,
	    "closeloop_events_total{type=\"subscribe\"}") == 1);
	assert_true(testprom_value(t,
	    "closeloop_events_total{type=\"unsubscribe\"}") == 0);
	assert_true(testprom_value(t,
	    "closeloop_events_total{type=\"invalid\"}") == 2);
	assert_null(strstr(t, "bogus"));
	free(t);
	metrics_totals(&tot);
	assert_int_equal(tot.consumed, 4);	/* duplicates are not */
}

/* Decisions by kind and rule; those with a channel are notifications. */
static void
test_metrics_decisions(void **state)
{
	struct decision_list	 dl = { NULL, 0 };
	struct decision		*d;
	struct metrics_totals	 tot;
	char			*t;

	(void)state;
	metrics_reset();
	decision_add(&dl, DECISION_SUPPRESSED, "implicit_transfer",
	    VOCAB_NOTICE_NONE, "TS", "e1", "held back");
	decision_add(&dl, DECISION_SUPPRESSED, "implicit_transfer",
	    VOCAB_NOTICE_NONE, "TS", "e2", "held back");
	decision_add(&dl, DECISION_SUPPRESSED, "explicit_transfer",
	    VOCAB_NOTICE_NONE, "TS", "e3", "held back");
	decision_add(&dl, DECISION_QUEUED, NULL, VOCAB_NOTICE_NONE, "TW",
	    "e4", "queued");
	decision_add(&dl, DECISION_HELD, "settle", VOCAB_NOTICE_NONE, "TW",
	    "e5", "held");
	d = decision_add(&dl, DECISION_SENT, NULL, VOCAB_NOTICE_NONE, "TW",
	    "e4", "sent");
	decision_set(d, "channel", "email");
	d = decision_add(&dl, DECISION_RETRIED, NULL, VOCAB_NOTICE_NONE,
	    "TW", "e4", "retried");
	decision_set(d, "channel", "sms");
	d = decision_add(&dl, DECISION_DELIVERED, NULL, VOCAB_NOTICE_NONE,
	    "TW", "e4", "delivered");
	decision_set(d, "channel", "sms");
	metrics_decisions(&dl);
	decision_clear(&dl);

	t = test_metrics_text();
	assert_true(testprom_value(t, "closeloop_decisions_total"
	    "{kind=\"suppressed\",rule=\"implicit_transfer\"}") == 2);
	assert_true(testprom_value(t, "closeloop_decisions_total"
	    "{kind=\"suppressed\",rule=\"explicit_transfer\"}") == 1);
	assert_true(testprom_value(t, "closeloop_decisions_total"
	    "{kind=\"queued\",rule=\"\"}") == 1);
	assert_true(testprom_value(t, "closeloop_notifications_total"
	    "{channel=\"email\",outcome=\"sent\"}") == 1);
	assert_true(testprom_value(t, "closeloop_notifications_total"
	    "{channel=\"sms\",outcome=\"sent\"}") == 0);
	assert_true(testprom_value(t, "closeloop_notifications_total"
	    "{channel=\"sms\",outcome=\"retried\"}") == 1);
	assert_true(testprom_value(t, "closeloop_notifications_total"
	    "{channel=\"sms\",outcome=\"delivered\"}") == 1);
	free(t);
	metrics_totals(&tot);
	assert_int_equal(tot.queued, 1);
	assert_int_equal(tot.held, 1);
	assert_int_equal(tot.sent, 1);
}

/*
 * Misleading closures held back are counted per configured division and
 * rule, every configured division with a series from the start; any
 * other division is "other"; a division dropped on reload keeps what it
 * counted.
 */
static void
test_metrics_misleading(void **state)
{
	const char		*codes[] = { "TS", "TW" };
	struct decision_list	 dl = { NULL, 0 };
	char			*t;

	(void)state;
	metrics_reset();
	metrics_divisions(codes, 2);
	t = test_metrics_text();
	assert_true(testprom_value(t, "closeloop_misleading_closures_total"
	    "{division=\"TW\",rule=\"implicit_transfer\"}") == 0);
	free(t);
	decision_add(&dl, DECISION_SUPPRESSED, "implicit_transfer",
	    VOCAB_NOTICE_NONE, "TS", "e1", "held back");
	decision_add(&dl, DECISION_SUPPRESSED, "explicit_transfer",
	    VOCAB_NOTICE_NONE, "TS", "e2", "held back");
	decision_add(&dl, DECISION_FLAGGED, "closed_not_done",
	    VOCAB_NOTICE_COMPLETED, "TW", "e3", "not done");
	decision_add(&dl, DECISION_SUPPRESSED, "partial_work_order",
	    VOCAB_NOTICE_COMPLETED, "ZZ", "e4", "part");
	decision_add(&dl, DECISION_SUPPRESSED, "unchanged",
	    VOCAB_NOTICE_NONE, "TS", "e5", "not misleading");
	metrics_decisions(&dl);
	decision_clear(&dl);
	t = test_metrics_text();
	assert_true(testprom_value(t, "closeloop_misleading_closures_total"
	    "{division=\"TS\",rule=\"implicit_transfer\"}") == 1);
	assert_true(testprom_value(t, "closeloop_misleading_closures_total"
	    "{division=\"TS\",rule=\"explicit_transfer\"}") == 1);
	assert_true(testprom_value(t, "closeloop_misleading_closures_total"
	    "{division=\"TW\",rule=\"closed_not_done\"}") == 1);
	assert_true(testprom_value(t, "closeloop_misleading_closures_total"
	    "{division=\"other\",rule=\"partial_work_order\"}") == 1);
	assert_null(strstr(t, "division=\"ZZ\""));
	free(t);

	/* TW is dropped: its count stays, its new closures are "other". */
	metrics_divisions(codes, 1);
	decision_add(&dl, DECISION_FLAGGED, "closed_not_done",
	    VOCAB_NOTICE_COMPLETED, "TW", "e6", "not done");
	metrics_decisions(&dl);
	decision_clear(&dl);
	t = test_metrics_text();
	assert_true(testprom_value(t, "closeloop_misleading_closures_total"
	    "{division=\"TW\",rule=\"closed_not_done\"}") == 1);
	assert_true(testprom_value(t, "closeloop_misleading_closures_total"
	    "{division=\"other\",rule=\"closed_not_done\"}") == 1);
	free(t);
}

/* More kind and rule pairs than there is room for end up as "other". */
static void
test_metrics_overflow(void **state)
{
	struct decision_list	 dl = { NULL, 0 };
	static char		 rules[200][16];
	char			*t;
	size_t			 i;

	(void)state;
	metrics_reset();
	for (i = 0; i < 200; i++) {
		snprintf(rules[i], sizeof rules[i], "rule%zu", i);
		decision_add(&dl, DECISION_FLAGGED, rules[i],
		    VOCAB_NOTICE_NONE, NULL, NULL, "x");
	}
	metrics_decisions(&dl);
	decision_clear(&dl);
	t = test_metrics_text();
	assert_true(testprom_value(t, "closeloop_decisions_total"
	    "{kind=\"flagged\",rule=\"rule0\"}") == 1);
	assert_true(testprom_value(t, "closeloop_decisions_total"
	    "{kind=\"flagged\",rule=\"rule126\"}") == 1);
	assert_null(strstr(t, "rule=\"rule127\""));
	assert_true(testprom_value(t, "closeloop_decisions_total"
	    "{kind=\"flagged\",rule=\"other\"}") == 200 - 127);
	free(t);
}

/* The histogram is cumulative, with a sum and a count. */
static void
test_metrics_histogram(void **state)
{
	char	*t;

	(void)state;
	metrics_reset();
	metrics_send_time("email", 0.003);
	metrics_send_time("email", 0.04);
	metrics_send_time("email", 0.04);
	metrics_send_time("email", 7.5);
	metrics_send_time("email", 3600);
	metrics_send_time("sms", -1);	/* a clock step: taken as 0 */
	metrics_send_time("fax", 1);
	t = test_metrics_text();
	assert_true(testprom_value(t, "closeloop_send_seconds_bucket"
	    "{channel=\"email\",le=\"0.005\"}") == 1);
	assert_true(testprom_value(t, "closeloop_send_seconds_bucket"
	    "{channel=\"email\",le=\"0.025\"}") == 1);
	assert_true(testprom_value(t, "closeloop_send_seconds_bucket"
	    "{channel=\"email\",le=\"0.05\"}") == 3);
	assert_true(testprom_value(t, "closeloop_send_seconds_bucket"
	    "{channel=\"email\",le=\"10\"}") == 4);
	assert_true(testprom_value(t, "closeloop_send_seconds_bucket"
	    "{channel=\"email\",le=\"60\"}") == 4);
	assert_true(testprom_value(t, "closeloop_send_seconds_bucket"
	    "{channel=\"email\",le=\"+Inf\"}") == 5);
	assert_true(testprom_value(t, "closeloop_send_seconds_count"
	    "{channel=\"email\"}") == 5);
	assert_float_equal(testprom_value(t, "closeloop_send_seconds_sum"
	    "{channel=\"email\"}"), 3607.583, 0.0001);
	assert_true(testprom_value(t, "closeloop_send_seconds_bucket"
	    "{channel=\"sms\",le=\"0.005\"}") == 1);
	assert_null(strstr(t, "fax"));
	free(t);
}

/* Threads that count at once lose nothing. */
static void *
test_metrics_thread(void *arg)
{
	int	i;

	(void)arg;
	for (i = 0; i < 10000; i++) {
		metrics_event("status");
		metrics_send_time("sms", 0.2);
	}
	return NULL;
}

/* Four threads count 40,000 events and times. */
static void
test_metrics_threads(void **state)
{
	pthread_t	 th[4];
	char		*t;
	int		 i;

	(void)state;
	metrics_reset();
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL,
		    test_metrics_thread, NULL), 0);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	t = test_metrics_text();
	assert_true(testprom_value(t,
	    "closeloop_events_total{type=\"status\"}") == 40000);
	assert_true(testprom_value(t, "closeloop_send_seconds_bucket"
	    "{channel=\"sms\",le=\"0.25\"}") == 40000);
	free(t);
}

/* The main loop's beat, progress and pause are kept. */
static void
test_metrics_beat(void **state)
{
	struct metrics_loop	l;

	(void)state;
	metrics_reset();
	metrics_loop(&l);
	assert_int_equal(l.beat, 0);
	metrics_beat(1234);
	metrics_loop(&l);
	assert_int_equal(l.beat, 1234);
	assert_int_equal(l.progress, 0);
	metrics_progress(1300);
	metrics_handled(1400);
	metrics_paused(1);
	metrics_loop(&l);
	assert_int_equal(l.progress, 1400);
	assert_int_equal(l.handled, 1400);
	assert_int_equal(l.paused, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics_zero),
		cmocka_unit_test(test_metrics_events),
		cmocka_unit_test(test_metrics_decisions),
		cmocka_unit_test(test_metrics_misleading),
		cmocka_unit_test(test_metrics_overflow),
		cmocka_unit_test(test_metrics_histogram),
		cmocka_unit_test(test_metrics_threads),
		cmocka_unit_test(test_metrics_beat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
