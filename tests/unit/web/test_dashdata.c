/*
 * test_dashdata.c - unit tests for the dashboard's figures (dashdata.c)
 *
 * The form's period and filters, checked and defaulted; the divisions a
 * division user and an operator see, and the one chosen; and the figures
 * read from daily hashes written into a private redis-server: the days of
 * the period only, the trend's months, each division's row, the service
 * types, a ward's figures, and the days older than the rollups are kept.
 * The days are counted back from today, as the dashboard counts them.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "clock.h"
#include "config.h"
#include "dashdata.h"
#include "datefmt.h"
#include "redis.h"
#include "rolluptab.h"
#include "session.h"
#include "testredis.h"
#include "testserver.h"
#include "xmalloc.h"

static struct testserver	ts;

/* Write the day n days before today (Toronto) into out. */
static void
test_dashdata_day(int n, char out[DATEFMT_DAY_LEN + 1])
{
	char	today[DATEFMT_DAY_LEN + 1];
	struct tm tm;
	time_t	t;

	datefmt_day("America/Toronto", clock_now(), today);
	memset(&tm, 0, sizeof tm);
	assert_int_equal(sscanf(today, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday), 3);
	tm.tm_year -= 1900;
	tm.tm_mon--;
	tm.tm_hour = 12;
	t = timegm(&tm) - (time_t)n * 86400;
	gmtime_r(&t, &tm);
	strftime(out, DATEFMT_DAY_LEN + 1, "%Y-%m-%d", &tm);
}

/* Add n to field of division's hash of the day back days ago, by by. */
static void
test_dashdata_count(struct redis *r, const char *division, int back,
    const char *by, const char *field, long long n)
{
	struct redis_reply	*reply;
	char			 day[DATEFMT_DAY_LEN + 1], *key, *cause = NULL;

	test_dashdata_day(back, day);
	key = xasprintf("closeloop:roll:%s:%s%s", division, day, by);
	reply = redis_command(r, &cause, "HINCRBY %s %s %lld", key, field, n);
	assert_non_null(reply);
	assert_int_equal(reply->type, REDIS_TYPE_INTEGER);
	redis_reply_free(reply);
	free(key);
}

/* Make a session of role with the divisions given, NULL-ended. */
static struct session *
test_dashdata_who(enum role role, ...)
{
	struct session	*s = xcalloc(1, sizeof *s);
	const char	*code;
	va_list		 ap;

	s->user = xstrdup("someone");
	s->role = role;
	va_start(ap, role);
	while ((code = va_arg(ap, const char *)) != NULL) {
		s->divisions = xreallocarray(s->divisions, s->ndivisions + 1,
		    sizeof *s->divisions);
		s->divisions[s->ndivisions++] = xstrdup(code);
	}
	va_end(ap);
	return s;
}

/* The form's values are refused, saying want. */
static void
test_dashdata_refused(const struct config *cf, const char *from,
    const char *to, const char *ward, const char *service, const char *want)
{
	struct dashdata	*d = dashdata_new(cf);
	const char	*why = NULL;

	assert_int_equal(dashdata_ask(d, from, to, ward, service, &why), -1);
	assert_non_null(strstr(why, want));
	dashdata_free(d);
}

/* The period and the filters as the form gives them. */
static void
test_dashdata_ask(void **state)
{
	struct config	*cf = testserver_config(&ts, NULL, NULL);
	struct dashdata	*d;
	const char	*why = NULL;
	char		 today[DATEFMT_DAY_LEN + 1], back[DATEFMT_DAY_LEN + 1];

	(void)state;
	test_dashdata_day(0, today);
	test_dashdata_day(29, back);
	d = dashdata_new(cf);
	assert_int_equal(dashdata_ask(d, NULL, "", "  W07 ", "", &why), 0);
	assert_string_equal(d->to, today);
	assert_string_equal(d->from, back);
	assert_string_equal(d->ward, "W07");
	assert_null(d->service);
	dashdata_free(d);

	d = dashdata_new(cf);
	assert_int_equal(dashdata_ask(d, "2027-12-01", "2028-02-28", NULL,
	    NULL, &why), 0);
	assert_string_equal(d->until, "2028-02-29");
	assert_string_equal(d->months[0], "2027-02");
	assert_string_equal(d->months[10], "2027-12");
	assert_string_equal(d->months[12], "2028-02");
	dashdata_free(d);
	d = dashdata_new(cf);
	assert_int_equal(dashdata_ask(d, "2026-12-31", "2026-12-31", NULL,
	    NULL, &why), 0);
	assert_string_equal(d->until, "2027-01-01");
	assert_string_equal(d->months[0], "2025-12");
	dashdata_free(d);

	test_dashdata_refused(cf, "2026-02-30", NULL, NULL, NULL, "2026-03-31");
	test_dashdata_refused(cf, "2026-3-1", NULL, NULL, NULL, "2026-03-31");
	test_dashdata_refused(cf, "2026-03-02", "2026-03-01", NULL, NULL,
	    "after its last");
	test_dashdata_refused(cf, NULL, NULL, "W07", "Pothole", "not both");
	config_free(cf);
}

/* Who sees which divisions, and which one is chosen. */
static void
test_dashdata_divisions(void **state)
{
	struct config	*cf = testserver_config(&ts, NULL,
	    "divisions = { SWMS = { name = { en = \"Solid Waste\"; }; }; };");
	struct redis	*r = testredis_open(cf);
	struct session	*who;
	struct dashdata	*d;
	char		*cause = NULL;

	(void)state;
	testredis_int(r, "SADD closeloop:roll:divisions TW TS");
	who = test_dashdata_who(ROLE_DIVISION, "TW", (const char *)NULL);
	d = dashdata_new(cf);
	assert_int_equal(dashdata_divisions(d, r, who, &cause), 0);
	assert_int_equal(d->ndivs, 1);
	assert_int_equal(d->compare, 0);
	assert_int_equal(dashdata_choose(d, "ts"), -1);
	assert_int_equal(dashdata_choose(d, NULL), 0);
	assert_string_equal(d->division, "TW");
	dashdata_free(d);
	session_free(who);

	who = test_dashdata_who(ROLE_DIVISION, "TW", "SWMS",
	    (const char *)NULL);
	d = dashdata_new(cf);
	assert_int_equal(dashdata_divisions(d, r, who, &cause), 0);
	assert_int_equal(d->compare, 1);
	assert_int_equal(dashdata_choose(d, ""), 0);
	assert_null(d->division);
	dashdata_free(d);
	session_free(who);

	who = test_dashdata_who(ROLE_OPS, (const char *)NULL);
	d = dashdata_new(cf);
	assert_int_equal(dashdata_divisions(d, r, who, &cause), 0);
	assert_int_equal(d->ndivs, 3);
	assert_string_equal(d->divs[0], "SWMS");
	assert_string_equal(d->divs[1], "TS");
	assert_string_equal(d->divs[2], "TW");
	assert_int_equal(d->compare, 1);
	assert_int_equal(dashdata_choose(d, "tw"), 0);
	assert_string_equal(d->division, "TW");
	dashdata_free(d);
	d = dashdata_new(cf);
	assert_int_equal(dashdata_divisions(d, r, who, &cause), 0);
	assert_int_equal(dashdata_choose(d, "NOPE"), -1);
	dashdata_free(d);
	session_free(who);
	redis_free(r);
	config_free(cf);
}

/* Read a period's figures: who, what to ask, and d, to free. */
static struct dashdata *
test_dashdata_read(const struct config *cf, struct redis *r,
    const char *division, int from_back, const char *ward)
{
	struct session	*who = test_dashdata_who(ROLE_OPS, (const char *)NULL);
	struct dashdata	*d = dashdata_new(cf);
	const char	*why = NULL;
	char		 from[DATEFMT_DAY_LEN + 1], *cause = NULL;

	test_dashdata_day(from_back, from);
	assert_int_equal(dashdata_divisions(d, r, who, &cause), 0);
	assert_int_equal(dashdata_choose(d, division), 0);
	assert_int_equal(dashdata_ask(d, from, NULL, ward, NULL, &why), 0);
	assert_int_equal(dashdata_read(d, r, &cause), 0);
	session_free(who);
	return d;
}

/* The figures of the period, the trend, each division and the types. */
static void
test_dashdata_figures(void **state)
{
	struct config			*cf = testserver_config(&ts, NULL,
	    "audit = { rollup_days = 60; };");
	struct redis			*r = testredis_open(cf);
	struct dashdata			*d;
	const struct rolluptab_row	**top;
	long long			 months = 0;
	size_t				 n;
	int				 i;

	(void)state;
	testredis_int(r, "SADD closeloop:roll:divisions TW TS");
	test_dashdata_count(r, "TW", 0, "", "received", 5);
	test_dashdata_count(r, "TW", 2, "", "received", 7);
	test_dashdata_count(r, "TW", 2, "", "held:explicit_transfer", 2);
	test_dashdata_count(r, "TW", 2, "", "lag:15", 3);
	test_dashdata_count(r, "TW", 40, "", "received", 100);
	test_dashdata_count(r, "TW", 70, "", "received", 1000);
	test_dashdata_count(r, "TS", 1, "", "received", 11);
	test_dashdata_count(r, "TW", 2, ":ward", "W07|received", 4);
	test_dashdata_count(r, "TW", 2, ":ward", "W12|received", 3);
	test_dashdata_count(r, "TW", 0, ":service", "No Water|received", 1);
	test_dashdata_count(r, "TW", 2, ":service", "A | B|received", 6);
	test_dashdata_count(r, "TW", 2, ":service", "A | B|flag:no_note", 9);
	test_dashdata_count(r, "TW", 40, ":service", "Old|received", 50);
	test_dashdata_count(r, "TW", 1, "", "asked", 4);
	test_dashdata_count(r, "TW", 1, "", "answered", 3);
	test_dashdata_count(r, "TW", 1, "", "answer:fixed", 1);
	test_dashdata_count(r, "TW", 1, "", "answer:not_fixed", 2);
	test_dashdata_count(r, "TW", 1, ":service",
	    "A | B|answer:not_fixed", 2);

	/* TW over the last 30 days; TS beside it. */
	d = test_dashdata_read(cf, r, "TW", 29, NULL);
	assert_int_equal(d->clipped, 0);
	assert_int_equal(rolluptab_get(dashdata_total(d), "received"), 12);
	assert_int_equal(rolluptab_get(dashdata_total(d),
	    "held:explicit_transfer"), 2);
	assert_int_equal(rolluptab_get(dashdata_total(d), "lag:15"), 3);
	assert_int_equal(rolluptab_get(dashdata_division(d, "TS"),
	    "received"), 11);
	assert_int_equal(rolluptab_get(dashdata_division(d, "TW"),
	    "received"), 12);
	for (i = 0; i < DASHDATA_MONTHS; i++)
		months += rolluptab_get(dashdata_month(d, i), "received");
	/* The trend has the day 40 days back, not the one before 60. */
	assert_int_equal(months, 112);
	assert_int_equal(d->by_service, 1);
	n = dashdata_top(d, 10, &top);
	assert_int_equal(n, 2);
	assert_string_equal(top[0]->group, "A | B");
	assert_int_equal(rolluptab_get(top[0], "received"), 6);
	assert_int_equal(rolluptab_get(top[0], "flag:no_note"), 0);
	/* The answers not fixed, by service type. */
	assert_int_equal(rolluptab_get(top[0], "answer:not_fixed"), 2);
	assert_int_equal(rolluptab_get(dashdata_total(d), "asked"), 4);
	assert_int_equal(rolluptab_get(dashdata_total(d), "answer:fixed"), 1);
	assert_string_equal(top[1]->group, "No Water");
	free(top);
	dashdata_free(d);

	/* Every division, from before the days kept. */
	d = test_dashdata_read(cf, r, NULL, 100, NULL);
	assert_int_equal(d->clipped, 1);
	assert_int_equal(rolluptab_get(dashdata_total(d), "received"), 123);
	dashdata_free(d);

	/* Ward W07: its counts only, and no service types. */
	d = test_dashdata_read(cf, r, "TW", 29, "W07");
	assert_int_equal(rolluptab_get(dashdata_total(d), "received"), 4);
	assert_int_equal(rolluptab_get(dashdata_total(d), "lag:15"), 0);
	assert_int_equal(d->by_service, 0);
	dashdata_free(d);
	redis_free(r);
	config_free(cf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dashdata_ask),
		cmocka_unit_test(test_dashdata_divisions),
		cmocka_unit_test(test_dashdata_figures),
	};

	return testredis_run(&ts, "dashdata", tests,
	    sizeof tests / sizeof tests[0]);
}
