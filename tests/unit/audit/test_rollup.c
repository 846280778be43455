/*
 * test_rollup.c - unit tests for the daily counts (rollup.c, rollupfold.c,
 * rolllist.c, rolluptab.c)
 *
 * Against a private redis-server: the counters each kind of decision
 * adds to; a step's decisions land in the division's hash of its local
 * day and in the ward and service hashes, summed per field, with their
 * retention and the set of divisions; the SRs of the listed counters go
 * in the same record and fold into their sets with the counts, expiring
 * with them; a retried failure is taken back off its day and its SR off
 * the day's failure sets; the lag histogram; reading a range of days
 * back, with service types that hold the separator, and by whole months
 * (rollmonth.c), the same as by days; and the SRs of a range of days
 * read back from the sets, by ward and service type. The
 * table the counts are added up into (rolluptab.c): periods, the ward
 * and service filters, the ranking of service types and the lag's
 * median and 90th percentile.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "decision.h"
#include "redis.h"
#include "rollcount.h"
#include "rolllist.h"
#include "rollmonth.h"
#include "rollcount.h"
#include "rollup.h"
#include "rollupfold.h"
#include "rolluptab.h"
#include "testredis.h"
#include "testserver.h"
#include "txn.h"
#include "xmalloc.h"

/* 2026-03-03T03:30:00Z: still 2026-03-02 in Toronto (UTC-5). */
#define LATE_EVENING	1772508600000LL
/* 2026-03-03T15:00:00Z: 2026-03-03 in Toronto. */
#define AFTERNOON	1772550000000LL

static struct testserver	ts;

/* Fold every pending record; there must be n. */
static void
test_rollup_fold(struct redis *r, const struct config *cf, long long n)
{
	char	*cause = NULL;

	assert_int_equal(rollupfold_run(r, cf, ROLLUPFOLD_MAX, &cause), n);
	assert_null(cause);
}

/* Write dl's counts at now in one transaction, then fold; dl is emptied. */
static void
test_rollup_write(struct redis *r, const struct config *cf,
    struct decision_list *dl, int64_t now)
{
	struct txn	 tx;
	char		*cause = NULL;

	txn_begin(&tx, r);
	rollup_queue(&tx, cf, "8812", dl, now);
	assert_int_equal(txn_exec(&tx, "8812", &cause), 1);
	decision_clear(dl);
	test_rollup_fold(r, cf, 1);
}

/* Return 1 if member is in the set key, 0 if not. */
static long long
test_rollup_has(struct redis *r, const char *key, const char *member)
{
	struct redis_reply	*reply;
	char			*cause = NULL;
	long long		 n;

	reply = redis_command(r, &cause, "SISMEMBER %s %s", key, member);
	assert_non_null(reply);
	assert_int_equal(reply->type, REDIS_TYPE_INTEGER);
	n = reply->integer;
	redis_reply_free(reply);
	return n;
}

/* Return whether counters c (n of them) are exactly the want list. */
static void
test_rollup_want(struct decision *d, const char *const *want)
{
	char	*c[ROLLCOUNT_MAX];
	size_t	 n, i;

	n = rollcount_counters(d, c);
	for (i = 0; want[i] != NULL; i++) {
		assert_true(i < n);
		assert_string_equal(c[i], want[i]);
	}
	assert_int_equal(n, i);
	for (i = 0; i < n; i++)
		free(c[i]);
}

/* Each kind of decision adds to the counters rollup.h lists. */
static void
test_rollup_counters(void **state)
{
	struct decision_list	 dl = { NULL, 0 };
	struct decision		*d;

	(void)state;
	d = decision_add(&dl, DECISION_RECEIVED, NULL, VOCAB_NOTICE_NONE,
	    "TS", NULL, "%s", "");
	test_rollup_want(d, (const char *[]){ "received", NULL });
	d = decision_add(&dl, DECISION_QUEUED, NULL, VOCAB_NOTICE_COMPLETED,
	    "TS", NULL, "%s", "");
	test_rollup_want(d, (const char *[]){ "told", "told:completed",
	    NULL });
	d = decision_add(&dl, DECISION_QUEUED, "fallback",
	    VOCAB_NOTICE_COMPLETED, "TS", NULL, "%s", "");
	test_rollup_want(d, (const char *[]){ NULL });
	d = decision_add(&dl, DECISION_SUPPRESSED, "explicit_transfer",
	    VOCAB_NOTICE_COMPLETED, "TS", NULL, "%s", "");
	test_rollup_want(d, (const char *[]){ "suppressed",
	    "suppressed:explicit_transfer", "held",
	    "held:explicit_transfer", NULL });
	/* A dead letter an operator dropped counted when it failed. */
	d = decision_add(&dl, DECISION_SUPPRESSED, "dropped_by_operator",
	    VOCAB_NOTICE_COMPLETED, "TS", NULL, "%s", "");
	test_rollup_want(d, (const char *[]){ NULL });
	d = decision_add(&dl, DECISION_FLAGGED, "closed_not_done",
	    VOCAB_NOTICE_COMPLETED, "TS", NULL, "%s", "");
	test_rollup_want(d, (const char *[]){ "flag:closed_not_done", "held",
	    "held:closed_not_done", NULL });
	d = decision_add(&dl, DECISION_FLAGGED, "no_note", VOCAB_NOTICE_NONE,
	    "TS", NULL, "%s", "");
	test_rollup_want(d, (const char *[]){ "flag:no_note", NULL });
	d = decision_add(&dl, DECISION_SENT, NULL, VOCAB_NOTICE_COMPLETED,
	    "TS", NULL, "%s", "");
	decision_set(d, "channel", "sms");
	test_rollup_want(d, (const char *[]){ "sent:sms", NULL });
	d = decision_add(&dl, DECISION_DEAD, NULL, VOCAB_NOTICE_COMPLETED,
	    "TS", NULL, "%s", "");
	test_rollup_want(d, (const char *[]){ "failed", "failed:dead", NULL });
	d = decision_add(&dl, DECISION_RETRIED, NULL, VOCAB_NOTICE_COMPLETED,
	    "TS", NULL, "%s", "");
	test_rollup_want(d, (const char *[]){ NULL });
	/* A standard measured: met or missed, and met as closed. */
	d = decision_add(&dl, DECISION_MEASURED, NULL, VOCAB_NOTICE_NONE,
	    "TS", NULL, "%s", "");
	decision_set(d, "standard_target", "completion");
	decision_set(d, "met", "no");
	decision_set(d, "met_as_closed", "yes");
	test_rollup_want(d, (const char *[]){ "std:completion",
	    "std:completion:missed", "std:completion:as_closed", NULL });
	d = decision_add(&dl, DECISION_MEASURED, NULL, VOCAB_NOTICE_NONE,
	    "TS", NULL, "%s", "");
	decision_set(d, "standard_target", "response");
	decision_set(d, "met", "yes");
	decision_set(d, "met_as_closed", "no");
	test_rollup_want(d, (const char *[]){ "std:response",
	    "std:response:met", NULL });
	decision_clear(&dl);
	assert_true(rollcount_known("std:response:met"));
	assert_true(rollcount_known("std:completion"));
	assert_false(rollcount_known("std:"));
	assert_false(rollcount_known("std:other"));
	/* A bounce for good is a failure, a delay none; a complaint. */
	d = decision_add(&dl, DECISION_BOUNCED, "hard_bounce",
	    VOCAB_NOTICE_COMPLETED, "TS", NULL, "%s", "");
	test_rollup_want(d, (const char *[]){ "failed", "failed:bounced",
	    NULL });
	d = decision_add(&dl, DECISION_BOUNCED, "soft_bounce",
	    VOCAB_NOTICE_COMPLETED, "TS", NULL, "%s", "");
	test_rollup_want(d, (const char *[]){ NULL });
	d = decision_add(&dl, DECISION_COMPLAINED, NULL,
	    VOCAB_NOTICE_COMPLETED, "TS", NULL, "%s", "");
	test_rollup_want(d, (const char *[]){ "complained", NULL });
	assert_true(rollcount_listed("complained"));
	assert_true(rollcount_listed("failed:bounced"));
	/* "Is it fixed?": asked, each answer, no answer. */
	d = decision_add(&dl, DECISION_ASKED, NULL, VOCAB_NOTICE_FEEDBACK,
	    "TS", NULL, "%s", "");
	test_rollup_want(d, (const char *[]){ "asked", NULL });
	d = decision_add(&dl, DECISION_ANSWERED, NULL, VOCAB_NOTICE_FEEDBACK,
	    "TS", NULL, "%s", "");
	decision_set(d, "answer", "not_fixed");
	test_rollup_want(d, (const char *[]){ "answered", "answer:not_fixed",
	    NULL });
	d = decision_add(&dl, DECISION_UNANSWERED, NULL,
	    VOCAB_NOTICE_FEEDBACK, "TS", NULL, "%s", "");
	test_rollup_want(d, (const char *[]){ "unanswered", NULL });
	d = decision_add(&dl, DECISION_SUPPRESSED, "no_longer_completed",
	    VOCAB_NOTICE_FEEDBACK, "TS", NULL, "%s", "");
	test_rollup_want(d, (const char *[]){ "suppressed",
	    "suppressed:no_longer_completed", NULL });
	decision_clear(&dl);
	assert_true(rollcount_known("asked"));
	assert_true(rollcount_known("answer:partly"));
	assert_true(rollcount_known("unanswered"));
	assert_true(rollcount_listed("answer:not_fixed"));
	assert_true(rollcount_listed("answer:partly"));
	assert_false(rollcount_listed("answer:fixed"));
	assert_false(rollcount_listed("asked"));
	assert_true(rollcount_known("held"));
	assert_true(rollcount_known("held:explicit_transfer"));
	assert_true(rollcount_known("flag:no_note"));
	assert_false(rollcount_known("held:"));
	assert_false(rollcount_known("lag:15"));
	assert_false(rollcount_known("nonsense"));
}

/* The lag buckets' bounds, and the day after a day. */
static void
test_rollup_lag_days(void **state)
{
	char	next[DATEFMT_DAY_LEN + 1];

	(void)state;
	assert_string_equal(rollup_lag_name(rollup_lag_bucket(0)), "1");
	assert_string_equal(rollup_lag_name(rollup_lag_bucket(59999)), "1");
	assert_string_equal(rollup_lag_name(rollup_lag_bucket(60000)), "5");
	assert_string_equal(rollup_lag_name(rollup_lag_bucket(3600000)),
	    "240");
	assert_string_equal(rollup_lag_name(rollup_lag_bucket(
	    7LL * 86400000 - 1)), "10080");
	assert_string_equal(rollup_lag_name(rollup_lag_bucket(
	    7LL * 86400000)), "more");
	assert_null(rollup_lag_name(ROLLUP_LAG_BUCKETS));
	assert_int_equal(rollup_next_day("2026-02-28", next), 0);
	assert_string_equal(next, "2026-03-01");
	assert_int_equal(rollup_next_day("2028-02-28", next), 0);
	assert_string_equal(next, "2028-02-29");
	assert_int_equal(rollup_next_day("2026-12-31", next), 0);
	assert_string_equal(next, "2027-01-01");
	assert_int_equal(rollup_next_day("2026-11-01", next), 0);
	assert_string_equal(next, "2026-11-02");
	assert_int_equal(rollup_next_day("yesterday", next), -1);
	assert_int_equal(rollup_next_day("2026-13-01", next), -1);
}

/* A step's counts, summed per field, in the hashes of its local day. */
static void
test_rollup_step(void **state)
{
	struct config		*cf = testserver_config(&ts, NULL, NULL);
	struct redis		*r = testredis_open(cf);
	struct decision_list	 dl = { NULL, 0 };
	struct decision		*d;
	char			*v;
	int			 i;

	(void)state;
	for (i = 0; i < 2; i++) {
		d = decision_add(&dl, DECISION_RECEIVED, NULL,
		    VOCAB_NOTICE_NONE, "TS", NULL, "%s", "");
		decision_set(d, "ward", "W07");
		decision_set(d, "service", "Catch Basin | Blocked");
	}
	d = decision_add(&dl, DECISION_SUPPRESSED, "implicit_transfer",
	    VOCAB_NOTICE_COMPLETED, "TS", NULL, "%s", "");
	decision_set(d, "ward", "W07");
	decision_add(&dl, DECISION_SUBSCRIBED, NULL, VOCAB_NOTICE_NONE, NULL,
	    NULL, "%s", "");
	test_rollup_write(r, cf, &dl, LATE_EVENING);
	v = testredis_hget(r, "closeloop:roll:TS:2026-03-02", "received");
	assert_non_null(v);
	assert_string_equal(v, "2");
	free(v);
	v = testredis_hget(r, "closeloop:roll:TS:2026-03-02",
	    "held:implicit_transfer");
	assert_string_equal(v, "1");
	free(v);
	v = testredis_hget(r, "closeloop:roll:TS:2026-03-02:ward",
	    "W07|received");
	assert_string_equal(v, "2");
	free(v);
	v = testredis_hget(r, "closeloop:roll:TS:2026-03-02:ward",
	    "W07|held");
	assert_string_equal(v, "1");
	free(v);
	v = testredis_hget(r, "closeloop:roll:TS:2026-03-02:service",
	    "Catch Basin | Blocked|received");
	assert_string_equal(v, "2");
	free(v);
	assert_null(testredis_hget(r, "closeloop:roll:TS:2026-03-02:service",
	    "Catch Basin | Blocked|held"));
	assert_int_equal(testredis_int(r,
	    "EXISTS closeloop:roll:TS:2026-03-03"), 0);
	assert_int_equal(testredis_int(r,
	    "TTL closeloop:roll:TS:2026-03-02"), 401 * 86400);
	assert_int_equal(testredis_int(r,
	    "TTL closeloop:roll:TS:2026-03-02:ward"), 401 * 86400);
	assert_int_equal(testredis_int(r,
	    "SCARD closeloop:roll:divisions"), 1);
	/* The month's copies, kept 401 days past its end. */
	v = testredis_hget(r, "closeloop:roll:TS:2026-03", "received");
	assert_string_equal(v, "2");
	free(v);
	v = testredis_hget(r, "closeloop:roll:TS:2026-03:service",
	    "Catch Basin | Blocked|received");
	assert_string_equal(v, "2");
	free(v);
	assert_int_equal(testredis_int(r,
	    "TTL closeloop:roll:TS:2026-03"), 431 * 86400);
	assert_int_equal(testredis_int(r,
	    "TTL closeloop:roll:TS:2026-03:service"), 431 * 86400);
	/*
	 * The three hashes of the day, two of the month, the divisions and
	 * the two sets of the held: no month's hash by ward.
	 */
	assert_int_equal(testredis_int(r, "DBSIZE"), 8);
	/* Folded once: a second fold finds nothing and counts nothing. */
	test_rollup_fold(r, cf, 0);
	v = testredis_hget(r, "closeloop:roll:TS:2026-03-02", "received");
	assert_string_equal(v, "2");
	free(v);
	redis_free(r);
	config_free(cf);
}

/* A message telling of a closure counts in the lag histogram. */
static void
test_rollup_lag(void **state)
{
	struct config		*cf = testserver_config(&ts, NULL, NULL);
	struct redis		*r = testredis_open(cf);
	struct decision_list	 dl = { NULL, 0 };
	struct decision		*d;
	char			*v, at[32];

	(void)state;
	snprintf(at, sizeof at, "%lld", AFTERNOON - 10 * 60000);
	d = decision_add(&dl, DECISION_SENT, NULL, VOCAB_NOTICE_COMPLETED,
	    "TW", NULL, "%s", "");
	decision_set(d, "channel", "email");
	decision_set(d, "closed_at", at);
	d = decision_add(&dl, DECISION_SENT, NULL, VOCAB_NOTICE_SCHEDULED,
	    "TW", NULL, "%s", "");
	decision_set(d, "channel", "email");
	test_rollup_write(r, cf, &dl, AFTERNOON);
	v = testredis_hget(r, "closeloop:roll:TW:2026-03-03", "lag:15");
	assert_string_equal(v, "1");
	free(v);
	v = testredis_hget(r, "closeloop:roll:TW:2026-03-03", "sent:email");
	assert_string_equal(v, "2");
	free(v);
	assert_int_equal(testredis_int(r,
	    "HLEN closeloop:roll:TW:2026-03-03"), 2);
	redis_free(r);
	config_free(cf);
}

/* A failure taken back comes off the day it was counted on. */
static void
test_rollup_undo(void **state)
{
	struct config		*cf = testserver_config(&ts, NULL, NULL);
	struct redis		*r = testredis_open(cf);
	struct decision_list	 dl = { NULL, 0 };
	struct txn		 tx;
	char			*v, *cause = NULL;

	(void)state;
	decision_add(&dl, DECISION_FAILED, NULL, VOCAB_NOTICE_COMPLETED,
	    "TW", NULL, "%s", "");
	test_rollup_write(r, cf, &dl, LATE_EVENING);
	decision_add(&dl, DECISION_FAILED, NULL, VOCAB_NOTICE_NONE, "TW",
	    NULL, "%s", "");
	txn_begin(&tx, r);
	rollup_undo(&tx, cf, "8812", &dl, LATE_EVENING);
	assert_int_equal(txn_exec(&tx, "8812", &cause), 1);
	decision_clear(&dl);
	test_rollup_fold(r, cf, 1);
	v = testredis_hget(r, "closeloop:roll:TW:2026-03-02", "failed");
	assert_string_equal(v, "0");
	free(v);
	v = testredis_hget(r, "closeloop:roll:TW:2026-03-02",
	    "failed:failed");
	assert_string_equal(v, "0");
	free(v);
	/* And off its month. */
	v = testredis_hget(r, "closeloop:roll:TW:2026-03", "failed");
	assert_string_equal(v, "0");
	free(v);
	redis_free(r);
	config_free(cf);
}

/*
 * Steps' records wait on the list until folded, and are folded together,
 * a limited number at a time; a hash that is not one of counts is left
 * alone and named, the others still counted.
 */
static void
test_rollup_pending(void **state)
{
	struct config		*cf = testserver_config(&ts, NULL, NULL);
	struct redis		*r = testredis_open(cf);
	struct decision_list	 dl = { NULL, 0 };
	struct txn		 tx;
	char			*v, *cause = NULL;
	int			 i;

	(void)state;
	for (i = 0; i < 5; i++) {
		decision_add(&dl, DECISION_RECEIVED, NULL, VOCAB_NOTICE_NONE,
		    i == 4 ? "SWMS" : "TS", NULL, "%s", "");
		txn_begin(&tx, r);
		rollup_queue(&tx, cf, "8812", &dl, AFTERNOON);
		assert_int_equal(txn_exec(&tx, "8812", &cause), 1);
		decision_clear(&dl);
	}
	assert_int_equal(testredis_int(r, "LLEN closeloop:roll:pending"), 5);
	assert_null(testredis_hget(r, "closeloop:roll:TS:2026-03-03",
	    "received"));
	assert_int_equal(rollupfold_run(r, cf, 3, &cause), 3);
	assert_int_equal(testredis_int(r, "LLEN closeloop:roll:pending"), 2);
	v = testredis_hget(r, "closeloop:roll:TS:2026-03-03", "received");
	assert_string_equal(v, "3");
	free(v);
	redis_reply_free(redis_command(r, &cause, "SET %s %s",
	    "closeloop:roll:SWMS:2026-03-03", "not counts"));
	assert_int_equal(rollupfold_all(r, cf, &cause), 0);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "closeloop:roll:SWMS:2026-03-03 is not "
	    "a hash of counts"));
	free(cause);
	v = testredis_hget(r, "closeloop:roll:TS:2026-03-03", "received");
	assert_string_equal(v, "4");
	free(v);
	assert_int_equal(testredis_int(r, "LLEN closeloop:roll:pending"), 0);
	redis_free(r);
	config_free(cf);
}

/* What rollup_read() handed over, as lines. */
struct test_rollup_seen {
	char	lines[32][160];
	size_t	n;
};

/* Keep one count as a line. */
static int
test_rollup_seen(const char *division, const char *day, const char *group,
    const char *counter, long long count, void *arg)
{
	struct test_rollup_seen	*s = arg;

	assert_true(s->n < 32);
	snprintf(s->lines[s->n++], sizeof s->lines[0], "%s %s %s %s %lld",
	    division, day, group != NULL ? group : "-", counter, count);
	return 0;
}

/* Compare lines for qsort(). */
static int
test_rollup_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Reading back a range of days, by division and by service type. */
static void
test_rollup_read(void **state)
{
	struct config		*cf = testserver_config(&ts, NULL, NULL);
	struct redis		*r = testredis_open(cf);
	struct decision_list	 dl = { NULL, 0 };
	struct decision		*d;
	struct test_rollup_seen	 s;
	char			**divs = NULL, *cause = NULL;
	size_t			 n, i;

	(void)state;
	d = decision_add(&dl, DECISION_RECEIVED, NULL, VOCAB_NOTICE_NONE,
	    "TW", NULL, "%s", "");
	decision_set(d, "service", "A | B");
	decision_add(&dl, DECISION_RECEIVED, NULL, VOCAB_NOTICE_NONE, "SWMS",
	    NULL, "%s", "");
	test_rollup_write(r, cf, &dl, LATE_EVENING);
	d = decision_add(&dl, DECISION_RECEIVED, NULL, VOCAB_NOTICE_NONE,
	    "TW", NULL, "%s", "");
	decision_set(d, "service", "A | B");
	test_rollup_write(r, cf, &dl, AFTERNOON + 3 * 86400000LL);
	assert_int_equal(rollup_divisions(r, cf, &divs, &n, &cause), 0);
	assert_int_equal(n, 2);
	assert_string_equal(divs[0], "SWMS");
	assert_string_equal(divs[1], "TW");
	assert_null(divs[2]);
	for (i = 0; i < n; i++)
		free(divs[i]);
	free(divs);

	memset(&s, 0, sizeof s);
	assert_int_equal(rollup_read(r, cf, NULL, 0, "2026-03-01",
	    "2026-03-06", ROLLUP_DIVISION, test_rollup_seen, &s, &cause), 0);
	qsort(s.lines, s.n, sizeof s.lines[0], test_rollup_cmp);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.lines[0], "SWMS 2026-03-02 - received 1");
	assert_string_equal(s.lines[1], "TW 2026-03-02 - received 1");
	assert_string_equal(s.lines[2], "TW 2026-03-06 - received 1");

	memset(&s, 0, sizeof s);
	assert_int_equal(rollup_read(r, cf, (const char *[]){ "TW" }, 1,
	    "2026-03-03", "2026-03-10", ROLLUP_SERVICE, test_rollup_seen, &s,
	    &cause), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.lines[0], "TW 2026-03-06 A | B received 1");
	redis_free(r);
	config_free(cf);
}

/* Whether February is to be read whole, from its month's hash. */
static int	test_rollup_february;

/* Count what a read hands over; February whole if it is to be. */
static int
test_rollup_month_count(const char *division, const char *day,
    const char *group, const char *counter, long long count, void *arg)
{
	if (test_rollup_february && strncmp(day, "2026-02-", 8) == 0)
		assert_string_equal(day, "2026-02-01");
	return rolluptab_count(division, day, group, counter, count, arg);
}

/* Read a range both ways, by by, and check the tables are the same. */
static void
test_rollup_month_same(struct redis *r, const struct config *cf,
    const char *first, const char *last, enum rollup_by by, char period)
{
	struct rolluptab	 days, months;
	char			*cause = NULL;
	size_t			 i, j;

	memset(&days, 0, sizeof days);
	memset(&months, 0, sizeof months);
	days.by = months.by = period;
	assert_int_equal(rollup_read(r, cf, NULL, 0, first, last, by,
	    rolluptab_count, &days, &cause), 0);
	assert_int_equal(rollmonth_read(r, cf, NULL, 0, first, last, by,
	    test_rollup_month_count, &months, &cause), 0);
	rolluptab_sort(&days);
	rolluptab_sort(&months);
	assert_true(days.n > 0);
	assert_int_equal(days.n, months.n);
	for (i = 0; i < days.n; i++) {
		assert_string_equal(days.rows[i].division,
		    months.rows[i].division);
		assert_string_equal(days.rows[i].period,
		    months.rows[i].period);
		assert_true((days.rows[i].group == NULL) ==
		    (months.rows[i].group == NULL));
		if (days.rows[i].group != NULL)
			assert_string_equal(days.rows[i].group,
			    months.rows[i].group);
		assert_int_equal(days.rows[i].n, months.rows[i].n);
		for (j = 0; j < days.rows[i].n; j++)
			assert_int_equal(days.rows[i].counts[j],
			    rolluptab_get(&months.rows[i],
			    days.rows[i].names[j]));
	}
	rolluptab_clear(&days);
	rolluptab_clear(&months);
}

/*
 * A range read by whole months counts what its days do, with months cut
 * at both ends, by division and service type, over the whole range and
 * by month; a month whose days were counted before its month's hash was
 * kept has none, and is read from its days.
 */
static void
test_rollup_month_read(void **state)
{
	struct config		*cf = testserver_config(&ts, NULL, NULL);
	struct redis		*r = testredis_open(cf);
	struct decision_list	 dl = { NULL, 0 };
	struct decision		*d;
	static const int	 offsets[] = {
		-32, -31, -30, -17, -3, -2, 12, 28, 29, 30
	};
	char			*cause = NULL;
	size_t			 i;

	(void)state;
	test_rollup_february = 1;
	/* The months read whole must be within the retention, whenever. */
	cf->audit_rollup_days = 3650;
	/* 2026-01 was counted before the months' hashes were kept. */
	redis_reply_free(redis_command(r, &cause, "HSET %s %s %s",
	    "closeloop:roll:TW:2026-01-29:service", "A | B|received", "5"));
	redis_reply_free(redis_command(r, &cause, "HSET %s %s %s",
	    "closeloop:roll:TW:2026-01-29", "received", "5"));
	for (i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
		d = decision_add(&dl, DECISION_RECEIVED, NULL,
		    VOCAB_NOTICE_NONE, "TW", NULL, "%s", "");
		decision_set(d, "service", i % 2 ? "A | B" : "C");
		d = decision_add(&dl, DECISION_FLAGGED, "no_note",
		    VOCAB_NOTICE_NONE, i % 3 ? "TW" : "SWMS", NULL, "%s", "");
		decision_set(d, "service", "C");
		test_rollup_write(r, cf, &dl, AFTERNOON + offsets[i] *
		    86400000LL);
	}
	assert_int_equal(testredis_int(r,
	    "EXISTS closeloop:roll:TW:2026-01"), 0);
	assert_int_equal(testredis_int(r,
	    "EXISTS closeloop:roll:TW:2026-01:service"), 0);
	assert_int_equal(testredis_int(r,
	    "EXISTS closeloop:roll:TW:2026-02:service"), 1);
	test_rollup_month_same(r, cf, "2026-01-31", "2026-04-01",
	    ROLLUP_SERVICE, 0);
	test_rollup_month_same(r, cf, "2026-01-31", "2026-04-01",
	    ROLLUP_DIVISION, 0);
	test_rollup_month_same(r, cf, "2026-01-01", "2026-04-30",
	    ROLLUP_SERVICE, 'm');
	test_rollup_month_same(r, cf, "2026-02-01", "2026-03-31",
	    ROLLUP_DIVISION, 'm');
	test_rollup_february = 0;
	test_rollup_month_same(r, cf, "2026-02-02", "2026-02-28",
	    ROLLUP_SERVICE, 0);
	/* Months older than the retention are read from their days. */
	cf->audit_rollup_days = 1;
	test_rollup_month_same(r, cf, "2026-01-31", "2026-04-01",
	    ROLLUP_SERVICE, 0);
	redis_free(r);
	config_free(cf);
}

/* Queue dl's counts about SR sr at now in one transaction; dl emptied. */
static void
test_rollup_queue(struct redis *r, const struct config *cf, const char *sr,
    struct decision_list *dl, int64_t now, int undo)
{
	struct txn	 tx;
	char		*cause = NULL;

	txn_begin(&tx, r);
	if (undo)
		rollup_undo(&tx, cf, sr, dl, now);
	else
		rollup_queue(&tx, cf, sr, dl, now);
	assert_int_equal(txn_exec(&tx, sr, &cause), 1);
	decision_clear(dl);
}

/* Add a decision of division TS with a ward and a service, if given. */
static void
test_rollup_add(struct decision_list *dl, enum decision_kind kind,
    const char *rule, const char *ward, const char *service)
{
	struct decision	*d;

	d = decision_add(dl, kind, rule, VOCAB_NOTICE_COMPLETED, "TS", NULL,
	    "%s", "");
	decision_set(d, "ward", ward);
	decision_set(d, "service", service);
}

/*
 * The SRs of the listed counters go in the step's one record beside its
 * counts and fold into their sets with them, with the same expiry; the
 * other counters keep no set.
 */
static void
test_rollup_sets(void **state)
{
	struct config		*cf = testserver_config(&ts, NULL, NULL);
	struct redis		*r = testredis_open(cf);
	struct decision_list	 dl = { NULL, 0 };
	struct redis_reply	*rec;
	char			*v, *cause = NULL;
	const char		*day = "closeloop:roll:TS:2026-03-02";
	char			 key[128];

	(void)state;
	test_rollup_add(&dl, DECISION_RECEIVED, NULL, "W07", "Catch Basin");
	test_rollup_add(&dl, DECISION_SUPPRESSED, "explicit_transfer", "W07",
	    "Catch Basin");
	test_rollup_add(&dl, DECISION_FLAGGED, "no_note", "W\t07", NULL);
	test_rollup_add(&dl, DECISION_DEAD, NULL, NULL, NULL);
	test_rollup_queue(r, cf, "8812", &dl, LATE_EVENING, 0);
	/* One record: the counts and the SRs commit together. */
	assert_int_equal(testredis_int(r, "LLEN closeloop:roll:pending"), 1);
	rec = redis_command(r, &cause, "LINDEX %s 0", "closeloop:roll:pending");
	assert_non_null(rec);
	assert_non_null(rec->str);
	assert_non_null(strstr(rec->str, "TS\t2026-03-02\t\theld\t1\n"));
	assert_non_null(strstr(rec->str,
	    "TS\t2026-03-02\tl\theld\t8812\tW07\tCatch Basin\t1\n"));
	redis_reply_free(rec);
	assert_int_equal(testredis_int(r, "EXISTS closeloop:roll:TS:"
	    "2026-03-02:sr:held"), 0);
	test_rollup_fold(r, cf, 1);
	v = testredis_hget(r, day, "held");
	assert_string_equal(v, "1");
	free(v);
	snprintf(key, sizeof key, "%s:sr:held", day);
	assert_int_equal(test_rollup_has(r, key, "8812\tW07\tCatch Basin"), 1);
	assert_int_equal(testredis_int(r, "SCARD closeloop:roll:TS:"
	    "2026-03-02:sr:held"), 1);
	assert_int_equal(testredis_int(r, "TTL closeloop:roll:TS:"
	    "2026-03-02:sr:held"), 401 * 86400);
	snprintf(key, sizeof key, "%s:sr:held:explicit_transfer", day);
	assert_int_equal(test_rollup_has(r, key, "8812\tW07\tCatch Basin"), 1);
	/* A tab in a ward is a space in the member. */
	snprintf(key, sizeof key, "%s:sr:flag:no_note", day);
	assert_int_equal(test_rollup_has(r, key, "8812\tW 07\t"), 1);
	snprintf(key, sizeof key, "%s:sr:failed", day);
	assert_int_equal(test_rollup_has(r, key, "8812\t\t"), 1);
	snprintf(key, sizeof key, "%s:sr:failed:dead", day);
	assert_int_equal(test_rollup_has(r, key, "8812\t\t"), 1);
	assert_int_equal(testredis_int(r, "EXISTS closeloop:roll:TS:"
	    "2026-03-02:sr:received closeloop:roll:TS:2026-03-02:sr:"
	    "suppressed closeloop:roll:TS:2026-03-02:sr:suppressed:"
	    "explicit_transfer"), 0);
	assert_true(rollcount_listed("held"));
	assert_true(rollcount_listed("held:implicit_transfer"));
	assert_true(rollcount_listed("flag:no_note"));
	assert_true(rollcount_listed("failed"));
	assert_true(rollcount_listed("failed:dead"));
	assert_false(rollcount_listed("failed:"));
	assert_false(rollcount_listed("received"));
	assert_false(rollcount_listed("told"));
	assert_false(rollcount_listed("sent:email"));
	assert_false(rollcount_listed("suppressed:no_contact"));
	assert_true(rollcount_listed("std:completion:missed"));
	assert_true(rollcount_listed("std:response"));
	/* Written by hand as something else, a set is left alone, named. */
	redis_reply_free(redis_command(r, &cause, "SET %s %s",
	    "closeloop:roll:TS:2026-03-02:sr:failed", "not a set"));
	test_rollup_add(&dl, DECISION_FAILED, NULL, NULL, NULL);
	test_rollup_queue(r, cf, "8813", &dl, LATE_EVENING, 0);
	assert_int_equal(rollupfold_run(r, cf, ROLLUPFOLD_MAX, &cause), 1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "closeloop:roll:TS:2026-03-02:sr:failed "
	    "is not a set of SRs"));
	free(cause);
	v = testredis_hget(r, day, "failed");
	assert_string_equal(v, "2");
	free(v);
	redis_free(r);
	config_free(cf);
}

/*
 * A retried failure takes its SR out of the day's failure sets, whether
 * its failure was folded already or waits in the same fold; the other
 * SRs stay. An SR that failed twice that day leaves on the first retry.
 */
static void
test_rollup_undo_sets(void **state)
{
	struct config		*cf = testserver_config(&ts, NULL, NULL);
	struct redis		*r = testredis_open(cf);
	struct decision_list	 dl = { NULL, 0 };
	char			*v;
	const char		*key = "closeloop:roll:TS:2026-03-02:sr:failed";

	(void)state;
	test_rollup_add(&dl, DECISION_FAILED, NULL, "W07", "Graffiti");
	test_rollup_queue(r, cf, "8812", &dl, LATE_EVENING, 0);
	test_rollup_add(&dl, DECISION_FAILED, NULL, "W07", "Graffiti");
	test_rollup_queue(r, cf, "8812", &dl, LATE_EVENING, 0);
	test_rollup_add(&dl, DECISION_DEAD, NULL, NULL, NULL);
	test_rollup_queue(r, cf, "8813", &dl, LATE_EVENING, 0);
	test_rollup_fold(r, cf, 3);
	assert_int_equal(testredis_int(r, "SCARD closeloop:roll:TS:"
	    "2026-03-02:sr:failed"), 2);
	test_rollup_add(&dl, DECISION_FAILED, NULL, "W07", "Graffiti");
	test_rollup_queue(r, cf, "8812", &dl, LATE_EVENING, 1);
	test_rollup_fold(r, cf, 1);
	v = testredis_hget(r, "closeloop:roll:TS:2026-03-02", "failed");
	assert_string_equal(v, "2");
	free(v);
	assert_int_equal(test_rollup_has(r, key, "8812\tW07\tGraffiti"), 0);
	assert_int_equal(test_rollup_has(r, key, "8813\t\t"), 1);
	assert_int_equal(test_rollup_has(r, "closeloop:roll:TS:2026-03-02:sr:"
	    "failed:failed", "8812\tW07\tGraffiti"), 0);
	/* Failed and retried before a fold: the last of the two wins. */
	test_rollup_add(&dl, DECISION_DEAD, NULL, NULL, NULL);
	test_rollup_queue(r, cf, "8814", &dl, LATE_EVENING, 0);
	test_rollup_add(&dl, DECISION_DEAD, NULL, NULL, NULL);
	test_rollup_queue(r, cf, "8814", &dl, LATE_EVENING, 1);
	test_rollup_fold(r, cf, 2);
	assert_int_equal(test_rollup_has(r, key, "8814\t\t"), 0);
	/* The last SR out of a set takes the set with it. */
	test_rollup_add(&dl, DECISION_DEAD, NULL, NULL, NULL);
	test_rollup_queue(r, cf, "8813", &dl, LATE_EVENING, 1);
	test_rollup_fold(r, cf, 1);
	assert_int_equal(testredis_int(r, "EXISTS closeloop:roll:TS:"
	    "2026-03-02:sr:failed:dead"), 0);
	redis_free(r);
	config_free(cf);
}

/* Check that the SRs rolllist_srs() finds are the NULL-ended want. */
static void
test_rollup_srs(struct redis *r, const struct config *cf,
    const char *division, const char *first, const char *last,
    const char *counter, const char *ward, const char *service,
    const char *const *want)
{
	char	**srs = NULL, *cause = NULL;
	size_t	  n = 0, i;

	assert_int_equal(rolllist_srs(r, cf, division, first, last, counter,
	    ward, service, &srs, &n, &cause), 0);
	assert_null(cause);
	for (i = 0; want[i] != NULL; i++) {
		assert_true(i < n);
		assert_string_equal(srs[i], want[i]);
	}
	assert_int_equal(n, i);
	assert_null(srs[n]);
	for (i = 0; i < n; i++)
		free(srs[i]);
	free(srs);
}

/*
 * The SRs of a range of days, once each and sorted, of one division or
 * every one, by ward and by service type (in any case).
 */
static void
test_rollup_list(void **state)
{
	struct config		*cf = testserver_config(&ts, NULL, NULL);
	struct redis		*r = testredis_open(cf);
	struct decision_list	 dl = { NULL, 0 };
	struct decision		*d;
	char			**srs = NULL, *cause = NULL;
	size_t			  n = 0;

	(void)state;
	test_rollup_add(&dl, DECISION_SUPPRESSED, "implicit_transfer", "W07",
	    "Pothole");
	test_rollup_queue(r, cf, "9002", &dl, LATE_EVENING, 0);
	test_rollup_add(&dl, DECISION_SUPPRESSED, "explicit_transfer", "W12",
	    "Graffiti");
	test_rollup_queue(r, cf, "9001", &dl, LATE_EVENING, 0);
	test_rollup_add(&dl, DECISION_SUPPRESSED, "explicit_transfer", "W07",
	    "Graffiti");
	test_rollup_queue(r, cf, "9001", &dl, AFTERNOON, 0);
	test_rollup_add(&dl, DECISION_FLAGGED, "closed_not_done", NULL, NULL);
	test_rollup_queue(r, cf, "9003", &dl, AFTERNOON + 2 * 86400000LL, 0);
	d = decision_add(&dl, DECISION_FLAGGED, "closed_not_done",
	    VOCAB_NOTICE_COMPLETED, "TW", NULL, "%s", "");
	decision_set(d, "ward", "W07");
	test_rollup_queue(r, cf, "9004", &dl, AFTERNOON, 0);
	test_rollup_fold(r, cf, 5);

	test_rollup_srs(r, cf, "TS", "2026-03-01", "2026-03-06", "held", NULL,
	    NULL, (const char *[]){ "9001", "9002", "9003", NULL });
	test_rollup_srs(r, cf, "ts", "2026-03-02", "2026-03-02", "held", NULL,
	    NULL, (const char *[]){ "9001", "9002", NULL });
	test_rollup_srs(r, cf, "TS", "2026-03-03", "2026-03-04", "held", NULL,
	    NULL, (const char *[]){ "9001", NULL });
	test_rollup_srs(r, cf, NULL, "2026-03-03", "2026-03-03", "held", NULL,
	    NULL, (const char *[]){ "9001", "9004", NULL });
	test_rollup_srs(r, cf, "TS", "2026-03-01", "2026-03-06",
	    "held:explicit_transfer", NULL, NULL,
	    (const char *[]){ "9001", NULL });
	test_rollup_srs(r, cf, NULL, "2026-03-01", "2026-03-06", "held",
	    "W07", NULL, (const char *[]){ "9001", "9002", "9004", NULL });
	test_rollup_srs(r, cf, "TS", "2026-03-02", "2026-03-02", "held",
	    "W07", NULL, (const char *[]){ "9002", NULL });
	test_rollup_srs(r, cf, "TS", "2026-03-01", "2026-03-06", "held",
	    NULL, "graffiti", (const char *[]){ "9001", NULL });
	test_rollup_srs(r, cf, "TS", "2026-03-01", "2026-03-06", "held",
	    "W12", "Pothole", (const char *[]){ NULL });
	test_rollup_srs(r, cf, "SWMS", "2026-03-01", "2026-03-06", "held",
	    NULL, NULL, (const char *[]){ NULL });
	test_rollup_srs(r, cf, "TS", "2026-03-01", "2026-03-06",
	    "flag:no_note", NULL, NULL, (const char *[]){ NULL });
	assert_int_equal(rolllist_srs(r, cf, "TS", "2026-03-01", "2026-03-06",
	    "received", NULL, NULL, &srs, &n, &cause), -1);
	assert_non_null(strstr(cause, "no list of SRs"));
	free(cause);
	redis_free(r);
	config_free(cf);
}

/* The table: periods, filters, ranking and the lag's shares. */
static void
test_rollup_tab(void **state)
{
	struct rolluptab		 t;
	struct rolluptab_row		*row;
	const struct rolluptab_row	*v[3];
	char				 p[DATEFMT_DAY_LEN + 1];
	long long			 ended, met, closed;
	size_t				 i;

	(void)state;
	rolluptab_period('w', "2026-03-08", p, sizeof p);
	assert_string_equal(p, "2026-03-02");
	rolluptab_period('w', "2026-03-09", p, sizeof p);
	assert_string_equal(p, "2026-03-09");
	rolluptab_period('m', "2026-03-09", p, sizeof p);
	assert_string_equal(p, "2026-03");
	rolluptab_period(0, "2026-03-09", p, sizeof p);
	assert_string_equal(p, "");

	memset(&t, 0, sizeof t);
	t.service = "road pothole";
	t.by = 'm';
	rolluptab_count("TS", "2026-03-01", "Road Pothole", "received", 2, &t);
	rolluptab_count("TS", "2026-03-31", "Road Pothole", "received", 3, &t);
	rolluptab_count("TS", "2026-04-01", "Road Pothole", "received", 1, &t);
	rolluptab_count("TS", "2026-03-01", "Sidewalk", "received", 9, &t);
	rolluptab_count("TS", "2026-03-01", NULL, "received", 9, &t);
	assert_int_equal(t.n, 2);
	row = rolluptab_row(&t, "TS", "2026-03", "Road Pothole");
	assert_int_equal(rolluptab_get(row, "received"), 5);
	assert_int_equal(rolluptab_get(row, "told"), 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(rolluptab_keeps(&t, "ROAD POTHOLE"), 1);
	t.service = NULL;
	t.ward = "W07";
	assert_int_equal(rolluptab_keeps(&t, "W07"), 1);
	assert_int_equal(rolluptab_keeps(&t, "w07"), 0);
	assert_int_equal(rolluptab_keeps(&t, NULL), 0);
	rolluptab_clear(&t);
	assert_null(t.ward);

	/* Service standards: ended, met, closed in time, per target. */
	row = rolluptab_row(&t, "TS", "", "S");
	rolluptab_add(row, "std:completion", 10);
	rolluptab_add(row, "std:completion:met", 6);
	rolluptab_add(row, "std:completion:as_closed", 9);
	rolluptab_add(row, "std:response", 3);
	rolluptab_standards(row, "completion", &ended, &met, &closed);
	assert_int_equal(ended, 10);
	assert_int_equal(met, 6);
	assert_int_equal(closed, 9);
	rolluptab_standards(row, "response", &ended, &met, &closed);
	assert_int_equal(ended, 3);
	assert_int_equal(met, 0);
	assert_int_equal(closed, 0);
	rolluptab_clear(&t);

	rolluptab_add(rolluptab_row(&t, "TS", "", "B"), "received", 4);
	rolluptab_add(rolluptab_row(&t, "TS", "", "A"), "received", 4);
	rolluptab_add(rolluptab_row(&t, "TS", "", "C"), "received", 7);
	for (i = 0; i < 3; i++)
		v[i] = &t.rows[i];
	rolluptab_rank(v, 3);
	assert_string_equal(v[0]->group, "C");
	assert_string_equal(v[1]->group, "A");
	assert_string_equal(v[2]->group, "B");

	/* 10 messages: 4 under 5 minutes, 5 under 60, 1 a week or more. */
	row = rolluptab_row(&t, "TS", "", NULL);
	assert_int_equal(rolluptab_lag(row, 50), -1);
	rolluptab_add(row, "lag:5", 4);
	rolluptab_add(row, "lag:60", 5);
	rolluptab_add(row, "lag:more", 1);
	assert_string_equal(rollup_lag_name(rolluptab_lag(row, 40)), "5");
	assert_string_equal(rollup_lag_name(rolluptab_lag(row, 50)), "60");
	assert_string_equal(rollup_lag_name(rolluptab_lag(row, 90)), "60");
	assert_string_equal(rollup_lag_name(rolluptab_lag(row, 91)), "more");
	rolluptab_clear(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rollup_counters),
		cmocka_unit_test(test_rollup_lag_days),
		cmocka_unit_test(test_rollup_step),
		cmocka_unit_test(test_rollup_lag),
		cmocka_unit_test(test_rollup_undo),
		cmocka_unit_test(test_rollup_pending),
		cmocka_unit_test(test_rollup_read),
		cmocka_unit_test(test_rollup_month_read),
		cmocka_unit_test(test_rollup_sets),
		cmocka_unit_test(test_rollup_undo_sets),
		cmocka_unit_test(test_rollup_list),
		cmocka_unit_test(test_rollup_tab),
	};

	return testredis_run(&ts, "rollup", tests,
	    sizeof tests / sizeof tests[0]);
}
