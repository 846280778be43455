/*
 * test_policy.c - unit tests for the closure policy (policy.c, notice.c)
 *
 * The policy never touches Redis, so these tests drive it directly: each
 * builds an SR state, applies events at chosen times and looks at what
 * was decided and what the resident would be told. The configuration
 * keeps delivery.max_event_age_hours at its default, 72. Divisions RO and
 * PW have service standards (and 2026-03-09 is a holiday); the others
 * have none, so that the days the stale tests wait fire nothing else.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "decision.h"
#include "event.h"
#include "eventparse.h"
#include "notice.h"
#include "policy.h"
#include "srstate.h"
#include "xmalloc.h"

/* Settle and coalesce windows of the test configuration, in ms. */
#define SETTLE		10000
#define COALESCE	3000

static struct config *cf;

/* Everything one test needs: the state, the clock, the last result. */
struct test_policy {
	struct srstate		*st;
	int64_t			 now;
	struct policy_result	 res;
	int			 n;
};

/* Load the test configuration from a temporary file. */
static int
test_policy_setup(void **state)
{
	char	 path[] = "/tmp/test_policy.XXXXXX";
	char	*cause = NULL;
	FILE	*f;
	int	 fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fprintf(f, "policy = { settle_seconds = %d; coalesce_seconds = %d;\n"
	    "  holidays = [ \"2026-03-09\" ]; };\n"
	    "templates = { photo_hosts = [ \"photos.example.org\" ]; };\n"
	    "divisions = {\n"
	    "  TS = { name = { en = \"Transportation Services\"; };\n"
	    "    notes = { POTHOLE_FILLED = { en = \"Filled.\"; }; }; };\n"
	    "  SWMS = { notify_on = [ \"completed\", \"transferred\" ]; };\n"
	    "  RO = { standards = (\n"
	    "    { service = \"Road Pothole\"; days = 5; },\n"
	    "    { days = 2; target = \"response\"; } ); };\n"
	    "  PW = { standards = ( { days = 10; } ); };\n"
	    "};\n", SETTLE / 1000, COALESCE / 1000);
	fclose(f);
	cf = config_load(path, &cause);
	unlink(path);
	if (cf == NULL)
		fail_msg("%s", cause);
	return 0;
}

/* Free the configuration. */
static int
test_policy_teardown(void **state)
{
	(void)state;
	config_free(cf);
	return 0;
}

/* Start with an empty SR "8812" at 2026-03-03T10:00:00Z. */
static void
test_policy_open(struct test_policy *t)
{
	memset(t, 0, sizeof *t);
	t->st = srstate_new("8812");
	t->now = 1772532000000LL;	/* 2026-03-03T10:00:00Z */
}

/* Free the state and the result. */
static void
test_policy_close(struct test_policy *t)
{
	policy_result_clear(&t->res);
	srstate_free(t->st);
}

/*
 * Apply an event given as NULL-terminated "field=value" strings, at
 * t->now; ts defaults to t->now (whole seconds), sr to 8812.
 */
static void
test_policy_apply(struct test_policy *t, ...)
{
	char		*fields[64], *cause = NULL, id[32], ts[32], eid[32];
	size_t		 lens[64], n = 0;
	const char	*arg;
	struct event	*ev;
	va_list		 ap;
	int		 has_ts = 0, has_sr = 0, has_id = 0;
	time_t		 secs;
	struct tm	 tm;

	va_start(ap, t);
	while ((arg = va_arg(ap, const char *)) != NULL) {
		fields[n] = xstrndup(arg, strcspn(arg, "="));
		fields[n + 1] = xstrdup(strchr(arg, '=') + 1);
		has_ts |= strcmp(fields[n], "ts") == 0;
		has_sr |= strcmp(fields[n], "sr") == 0;
		has_id |= strcmp(fields[n], "event_id") == 0;
		n += 2;
	}
	va_end(ap);
	secs = (time_t)(t->now / 1000);
	gmtime_r(&secs, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(eid, sizeof eid, "e%d", ++t->n);
	if (!has_ts) {
		fields[n++] = xstrdup("ts");
		fields[n++] = xstrdup(ts);
	}
	if (!has_sr) {
		fields[n++] = xstrdup("sr");
		fields[n++] = xstrdup("8812");
	}
	if (!has_id) {
		fields[n++] = xstrdup("event_id");
		fields[n++] = xstrdup(eid);
	}
	fields[n++] = xstrdup("v");
	fields[n++] = xstrdup("1");
	for (size_t i = 0; i < n; i++)
		lens[i] = strlen(fields[i]);
	snprintf(id, sizeof id, "%lld-0", (long long)t->now);
	ev = eventparse_parse(cf, id, fields, lens, n / 2, &cause);
	if (ev == NULL)
		fail_msg("eventparse_parse: %s", cause);
	policy_event(cf, t->st, ev, t->now, &t->res);
	event_free(ev);
	for (size_t i = 0; i < n; i++)
		free(fields[i]);
}

/* Move the clock on and release whatever fell due. */
static void
test_policy_wait(struct test_policy *t, int64_t ms)
{
	t->now += ms;
	policy_release(cf, t->st, t->now, &t->res);
}

/* Return the number of decisions of a kind (and rule, if not NULL). */
static size_t
test_policy_count(const struct test_policy *t, enum decision_kind kind,
    const char *rule)
{
	size_t	i, n = 0;

	for (i = 0; i < t->res.decisions.n; i++) {
		if (t->res.decisions.list[i].kind == kind && (rule == NULL ||
		    (t->res.decisions.list[i].rule != NULL &&
		    strcmp(t->res.decisions.list[i].rule, rule) == 0)))
			n++;
	}
	return n;
}

/* Assert the last notice queued, then forget the result. */
static void
test_policy_told(struct test_policy *t, enum vocab_notice kind,
    const char *division)
{
	assert_non_null(t->res.notice);
	assert_string_equal(vocab_notice_name(t->res.notice->notice),
	    vocab_notice_name(kind));
	if (division != NULL)
		assert_string_equal(t->res.notice->division, division);
}

/* Subscribe alice by email and forget that decision. */
static void
test_policy_subscribe(struct test_policy *t)
{
	test_policy_apply(t, "type=subscribe", "email=alice@example.org",
	    "locale=fr-CA", NULL);
	assert_int_equal(test_policy_count(t, DECISION_SUBSCRIBED, NULL), 1);
	policy_result_clear(&t->res);
}

/* Received, then after the coalescing window a received notice. */
static void
test_policy_received(void **state)
{
	struct test_policy	t;

	(void)state;
	test_policy_open(&t);
	test_policy_subscribe(&t);
	test_policy_apply(&t, "type=status", "division=TS", "status=received",
	    NULL);
	assert_null(t.res.notice);
	test_policy_wait(&t, COALESCE - 1);
	assert_null(t.res.notice);
	test_policy_wait(&t, 1);
	test_policy_told(&t, VOCAB_NOTICE_RECEIVED, "TS");
	assert_int_equal(t.res.notice->nto, 1);
	assert_string_equal(t.res.notice->to[0].locale, "fr-CA");
	assert_string_equal(t.res.notice->id, "8812/1");
	test_policy_close(&t);
}

/* Rule 1: closed with transfer_to is told as transferred, not completed. */
static void
test_policy_explicit_transfer(void **state)
{
	struct test_policy	t;

	(void)state;
	test_policy_open(&t);
	test_policy_subscribe(&t);
	test_policy_apply(&t, "type=status", "division=TS", "status=closed",
	    "reason=completed", "transfer_to=TW", NULL);
	assert_int_equal(test_policy_count(&t, DECISION_SUPPRESSED,
	    "explicit_transfer"), 1);
	assert_int_equal(test_policy_count(&t, DECISION_HELD, NULL), 0);
	test_policy_wait(&t, COALESCE);
	test_policy_told(&t, VOCAB_NOTICE_TRANSFERRED, "TW");
	assert_string_equal(t.res.notice->from_division, "TS");
	assert_int_equal(srstate_wo_open(t.st, NULL), 1);
	test_policy_close(&t);
}

/*
 * Have TS receive the SR at 10:00:00 and the resident told so, and close
 * TS's work at 10:01:00, which is held to settle; ms later, with nothing
 * told yet, have TW's work opened (at ts opened unless it is NULL), which
 * suppresses the closure; once the hold is over, check that the resident
 * is told of kind by TW.
 */
static void
test_policy_transfer(struct test_policy *t, int64_t ms, const char *opened,
    enum vocab_notice kind)
{
	test_policy_apply(t, "type=status", "division=TS", "status=received",
	    NULL);
	test_policy_wait(t, COALESCE);
	test_policy_told(t, VOCAB_NOTICE_RECEIVED, "TS");
	policy_result_clear(&t->res);
	t->now = 1772532060000LL;	/* 2026-03-03T10:01:00Z */
	test_policy_apply(t, "type=status", "division=TS", "status=closed",
	    "reason=completed", "note=Done.", "ts=2026-03-03T10:01:00Z", NULL);
	assert_int_equal(test_policy_count(t, DECISION_HELD, "settle"), 1);
	test_policy_wait(t, ms);
	assert_null(t->res.notice);
	test_policy_apply(t, "type=status", "division=TW", "status=assigned",
	    opened, NULL);
	assert_int_equal(test_policy_count(t, DECISION_SUPPRESSED,
	    "implicit_transfer"), 1);
	test_policy_wait(t, SETTLE);
	test_policy_told(t, kind, "TW");
}

/* Rule 2: a held closure gives way to another division's work. */
static void
test_policy_implicit_transfer(void **state)
{
	struct test_policy	t;

	(void)state;
	test_policy_open(&t);
	test_policy_subscribe(&t);
	test_policy_transfer(&t, SETTLE - 1, NULL, VOCAB_NOTICE_TRANSFERRED);
	assert_string_equal(t.res.notice->from_division, "TS");
	test_policy_close(&t);
}

/*
 * Have TW's work opened at ts opened, reported half a second after TS's
 * closure at 10:01:00, and check what the resident is told once the
 * closure's hold is over: kind, from which division, partial.
 */
static void
test_policy_transfer_at(const char *opened, enum vocab_notice kind,
    const char *from, int partial)
{
	struct test_policy	t;

	test_policy_open(&t);
	test_policy_subscribe(&t);
	test_policy_transfer(&t, 500, opened, kind);
	if (from == NULL)
		assert_null(t.res.notice->from_division);
	else
		assert_string_equal(t.res.notice->from_division, from);
	assert_int_equal(t.res.notice->partial, partial);
	test_policy_close(&t);
}

/*
 * Rule 2 at its boundary: another division's work opened in the same
 * second as the closure (event times are whole seconds) is a transfer.
 */
static void
test_policy_transfer_same_second(void **state)
{
	(void)state;
	test_policy_transfer_at("ts=2026-03-03T10:01:00Z",
	    VOCAB_NOTICE_TRANSFERRED, "TS", 0);
}

/*
 * Rule 2 at its boundary, the other side: another division's work opened
 * a second before the closure (its event arriving after it) ran beside
 * the closed work; the SR is told it is in progress, not transferred.
 */
static void
test_policy_transfer_second_before(void **state)
{
	(void)state;
	test_policy_transfer_at("ts=2026-03-03T10:00:59Z",
	    VOCAB_NOTICE_IN_PROGRESS, NULL, 1);
}

/*
 * A note_code the division does not list is flagged, and the closure
 * counts as one without a note; with a note of its own it does not.
 */
static void
test_policy_unknown_note_code(void **state)
{
	struct test_policy	t;

	(void)state;
	test_policy_open(&t);
	test_policy_subscribe(&t);
	test_policy_apply(&t, "type=status", "division=TS", "status=closed",
	    "reason=completed", "note_code=POTHOLE_FIXED", NULL);
	assert_int_equal(test_policy_count(&t, DECISION_FLAGGED,
	    "unknown_note_code"), 1);
	assert_int_equal(test_policy_count(&t, DECISION_FLAGGED, "no_note"), 1);
	test_policy_close(&t);

	test_policy_open(&t);
	test_policy_subscribe(&t);
	test_policy_apply(&t, "type=status", "division=TW", "status=closed",
	    "reason=completed", "note_code=VALVE", "note=New valve.", NULL);
	assert_int_equal(test_policy_count(&t, DECISION_FLAGGED,
	    "unknown_note_code"), 1);
	assert_int_equal(test_policy_count(&t, DECISION_FLAGGED, "no_note"), 0);
	test_policy_close(&t);
}

/* Rule 2: with no other activity the closure goes out after settling. */
static void
test_policy_settled(void **state)
{
	struct test_policy	t;

	(void)state;
	test_policy_open(&t);
	test_policy_subscribe(&t);
	test_policy_apply(&t, "type=status", "division=TS", "status=closed",
	    "reason=completed", "note_code=POTHOLE_FILLED", NULL);
	assert_int_equal(test_policy_count(&t, DECISION_FLAGGED, "no_note"), 0);
	assert_int_equal(test_policy_count(&t, DECISION_FLAGGED,
	    "unknown_note_code"), 0);
	test_policy_wait(&t, SETTLE - 1);
	assert_null(t.res.notice);
	test_policy_wait(&t, 1);
	test_policy_told(&t, VOCAB_NOTICE_COMPLETED, "TS");
	assert_string_equal(t.res.notice->note_code, "POTHOLE_FILLED");
	assert_int_equal(srstate_wo_open(t.st, NULL), 0);
	test_policy_close(&t);
}

/* Rule 3: one work order closing while another is open is partial. */
static void
test_policy_work_orders(void **state)
{
	struct test_policy	t;

	(void)state;
	test_policy_open(&t);
	test_policy_subscribe(&t);
	test_policy_apply(&t, "type=status", "division=TS", "status=assigned",
	    "work_order=A", NULL);
	test_policy_apply(&t, "type=status", "division=TW", "status=assigned",
	    "work_order=B", NULL);
	test_policy_wait(&t, COALESCE);
	test_policy_told(&t, VOCAB_NOTICE_ASSIGNED, NULL);
	policy_result_clear(&t.res);
	t.now += 60000;
	test_policy_apply(&t, "type=status", "division=TS", "status=closed",
	    "reason=completed", "work_order=A", NULL);
	assert_int_equal(test_policy_count(&t, DECISION_SUPPRESSED,
	    "partial_work_order"), 1);
	test_policy_wait(&t, COALESCE);
	test_policy_told(&t, VOCAB_NOTICE_IN_PROGRESS, "TW");
	assert_int_equal(t.res.notice->partial, 1);
	policy_result_clear(&t.res);
	t.now += 60000;
	test_policy_apply(&t, "type=status", "division=TW", "status=closed",
	    "reason=completed", "work_order=B", NULL);
	assert_int_equal(test_policy_count(&t, DECISION_HELD, NULL), 1);
	test_policy_wait(&t, SETTLE);
	test_policy_told(&t, VOCAB_NOTICE_COMPLETED, "TW");
	test_policy_close(&t);
}

/* Rule 4: closed because it is only scheduled is told as scheduled. */
static void
test_policy_closed_not_done(void **state)
{
	struct test_policy	t;

	(void)state;
	test_policy_open(&t);
	test_policy_subscribe(&t);
	test_policy_apply(&t, "type=status", "division=TW", "status=closed",
	    "reason=scheduled", "scheduled_for=2026-03-05", NULL);
	assert_int_equal(test_policy_count(&t, DECISION_FLAGGED,
	    "closed_not_done"), 1);
	assert_int_equal(test_policy_count(&t, DECISION_HELD, NULL), 0);
	test_policy_wait(&t, COALESCE);
	test_policy_told(&t, VOCAB_NOTICE_SCHEDULED, "TW");
	assert_string_equal(t.res.notice->scheduled_for, "2026-03-05");
	test_policy_close(&t);
}

/* Rule 5: duplicates point to the original and follow it. */
static void
test_policy_duplicate(void **state)
{
	struct test_policy	t;

	(void)state;
	test_policy_open(&t);
	test_policy_subscribe(&t);
	test_policy_apply(&t, "type=status", "division=TW", "status=closed",
	    "reason=duplicate", "duplicate_of=8800", NULL);
	test_policy_wait(&t, SETTLE);
	test_policy_told(&t, VOCAB_NOTICE_DUPLICATE, "TW");
	assert_string_equal(t.res.notice->duplicate_of, "8800");
	assert_string_equal(t.res.follow, "8800");
	test_policy_close(&t);

	test_policy_open(&t);
	test_policy_subscribe(&t);
	test_policy_apply(&t, "type=status", "division=TW", "status=closed",
	    "reason=duplicate", NULL);
	assert_int_equal(test_policy_count(&t, DECISION_FLAGGED,
	    "duplicate_without_link"), 1);
	test_policy_wait(&t, SETTLE);
	test_policy_told(&t, VOCAB_NOTICE_DUPLICATE, "TW");
	assert_null(t.res.notice->duplicate_of);
	assert_null(t.res.follow);
	test_policy_close(&t);
}

/*
 * Move the clock on by ms, have TS reopen the SR, and check that the
 * resident is told so, as a correction or not.
 */
static void
test_policy_reopen(struct test_policy *t, int64_t ms, int correction)
{
	t->now += ms;
	test_policy_apply(t, "type=status", "division=TS", "status=reopened",
	    NULL);
	test_policy_wait(t, COALESCE);
	test_policy_told(t, VOCAB_NOTICE_REOPENED, "TS");
	assert_int_equal(t->res.notice->correction, correction);
}

/* Rule 6: reopened after "completed" is a correction. */
static void
test_policy_reopened(void **state)
{
	struct test_policy	t;

	(void)state;
	test_policy_open(&t);
	test_policy_subscribe(&t);
	test_policy_apply(&t, "type=status", "division=TS", "status=closed",
	    "reason=completed", NULL);
	test_policy_wait(&t, SETTLE);
	test_policy_told(&t, VOCAB_NOTICE_COMPLETED, "TS");
	policy_result_clear(&t.res);
	test_policy_reopen(&t, 86400000, 1);
	test_policy_close(&t);
}

/* Rule 7: a burst within the window gives one notice, the latest. */
static void
test_policy_coalesce(void **state)
{
	struct test_policy	t;

	(void)state;
	test_policy_open(&t);
	test_policy_subscribe(&t);
	test_policy_apply(&t, "type=status", "division=TS", "status=assigned",
	    NULL);
	t.now += 1000;
	test_policy_apply(&t, "type=status", "division=TS", "status=scheduled",
	    NULL);
	t.now += 1000;
	test_policy_apply(&t, "type=status", "division=TS",
	    "status=in_progress", NULL);
	assert_int_equal(test_policy_count(&t, DECISION_COALESCED, NULL), 2);
	test_policy_wait(&t, COALESCE - 2000);
	test_policy_told(&t, VOCAB_NOTICE_IN_PROGRESS, "TS");
	assert_string_equal(t.res.notice->events, "e2 e3 e4");
	test_policy_close(&t);
}

/* Rule 8: an event older than its work order's state is ignored. */
static void
test_policy_out_of_order(void **state)
{
	struct test_policy	t;

	(void)state;
	test_policy_open(&t);
	test_policy_apply(&t, "type=status", "division=TS",
	    "status=in_progress", "ts=2026-03-03T10:00:00Z", NULL);
	test_policy_apply(&t, "type=status", "division=TS", "status=assigned",
	    "ts=2026-03-03T09:00:00Z", NULL);
	assert_int_equal(test_policy_count(&t, DECISION_IGNORED,
	    "out_of_order"), 1);
	assert_int_equal(t.st->wo[0].status, VOCAB_STATUS_IN_PROGRESS);
	test_policy_close(&t);
}

/* Rule 9: a closure without a note is flagged, and still told. */
static void
test_policy_no_note(void **state)
{
	struct test_policy	t;

	(void)state;
	test_policy_open(&t);
	test_policy_subscribe(&t);
	test_policy_apply(&t, "type=status", "division=TS", "status=closed",
	    "reason=no_action_required", NULL);
	assert_int_equal(test_policy_count(&t, DECISION_FLAGGED, "no_note"), 1);
	test_policy_wait(&t, SETTLE);
	test_policy_told(&t, VOCAB_NOTICE_NO_ACTION, "TS");
	test_policy_close(&t);
}

/* A photo whose host is not allowed is flagged; the notice keeps it out. */
static void
test_policy_photo_hosts(void **state)
{
	struct test_policy	t;

	(void)state;
	test_policy_open(&t);
	test_policy_apply(&t, "type=status", "division=TS", "status=closed",
	    "reason=completed", "note=Done.", "photos=https://photos.example.org"
	    "/1.jpg https://tracker.example.com/2.jpg", NULL);
	assert_int_equal(test_policy_count(&t, DECISION_FLAGGED,
	    "photo_dropped"), 1);
	assert_int_equal(t.res.decisions.list[0].kind, DECISION_RECEIVED);
	assert_string_equal(decision_get(&t.res.decisions.list[0], "photos"),
	    "https://photos.example.org/1.jpg "
	    "https://tracker.example.com/2.jpg");
	assert_non_null(strstr(t.res.decisions.list[1].detail, "photo 2 of 2"));
	test_policy_close(&t);
}

/* Rule 10: unsubscribed contacts get nothing; no subscriber, no notice. */
static void
test_policy_unsubscribe(void **state)
{
	struct test_policy	t;

	(void)state;
	test_policy_open(&t);
	test_policy_subscribe(&t);
	test_policy_apply(&t, "type=subscribe", "phone=+14165550100", NULL);
	test_policy_apply(&t, "type=unsubscribe", "email=alice@example.org",
	    NULL);
	assert_int_equal(test_policy_count(&t, DECISION_UNSUBSCRIBED, NULL), 1);
	test_policy_apply(&t, "type=status", "division=TS", "status=received",
	    NULL);
	test_policy_wait(&t, COALESCE);
	test_policy_told(&t, VOCAB_NOTICE_RECEIVED, "TS");
	assert_int_equal(t.res.notice->nto, 1);
	assert_int_equal(t.res.notice->to[0].channel, EVENT_CHANNEL_SMS);
	policy_result_clear(&t.res);

	/* An older subscribe does not undo a newer unsubscribe. */
	test_policy_apply(&t, "type=unsubscribe", "all=1", NULL);
	test_policy_apply(&t, "type=subscribe", "email=alice@example.org",
	    "ts=2020-01-01T00:00:00Z", NULL);
	assert_int_equal(test_policy_count(&t, DECISION_IGNORED,
	    "out_of_order"), 1);
	t.now += 60000;
	test_policy_apply(&t, "type=status", "division=TS", "status=assigned",
	    NULL);
	test_policy_wait(&t, COALESCE);
	assert_null(t.res.notice);
	assert_int_equal(test_policy_count(&t, DECISION_SUPPRESSED,
	    "no_subscriber"), 1);
	policy_result_clear(&t.res);

	/* "all" covers a contact the SR did not know yet, too. */
	test_policy_apply(&t, "type=subscribe", "email=late@example.org",
	    "ts=2020-01-01T00:00:00Z", NULL);
	assert_int_equal(test_policy_count(&t, DECISION_IGNORED,
	    "out_of_order"), 1);
	assert_int_equal(srstate_contact_active(t.st), 0);
	test_policy_close(&t);
}

/* notify_on: a division can leave notices out. */
static void
test_policy_notify_on(void **state)
{
	struct test_policy	t;

	(void)state;
	test_policy_open(&t);
	test_policy_subscribe(&t);
	test_policy_apply(&t, "type=status", "division=SWMS",
	    "status=received", NULL);
	test_policy_wait(&t, COALESCE);
	assert_null(t.res.notice);
	assert_int_equal(test_policy_count(&t, DECISION_SUPPRESSED,
	    "notify_on"), 1);
	policy_result_clear(&t.res);
	test_policy_apply(&t, "type=status", "division=SWMS", "status=closed",
	    "reason=completed", "note=Bin replaced.", NULL);
	test_policy_wait(&t, SETTLE);
	test_policy_told(&t, VOCAB_NOTICE_COMPLETED, "SWMS");
	test_policy_close(&t);
}

/* An SR with no room for another work order says so, and keeps going. */
static void
test_policy_too_many_work_orders(void **state)
{
	struct test_policy	t;
	char			wo[32];
	int			i;

	(void)state;
	test_policy_open(&t);
	for (i = 0; i <= SRSTATE_WO_MAX; i++) {
		snprintf(wo, sizeof wo, "work_order=W%d", i);
		test_policy_apply(&t, "type=status", "division=TS",
		    "status=assigned", wo, NULL);
	}
	assert_int_equal(t.st->nwo, SRSTATE_WO_MAX);
	assert_int_equal(test_policy_count(&t, DECISION_IGNORED,
	    "too_many_work_orders"), 1);
	test_policy_close(&t);
}

/* Write "ts=" the time ms before t->now (whole seconds) into buf. */
static const char *
test_policy_ago(const struct test_policy *t, int64_t ms, char *buf,
    size_t size)
{
	time_t		secs = (time_t)((t->now - ms) / 1000);
	struct tm	tm;

	gmtime_r(&secs, &tm);
	strftime(buf, size, "ts=%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

/* The limit of delivery.max_event_age_hours in ms (72 hours). */
#define MAX_AGE		(72 * 3600000LL)

/*
 * delivery.max_event_age_hours: a notice from an event no older than the
 * limit is sent; so is one behind which a fresh event joined an old one.
 */
static void
test_policy_stale_fresh(void **state)
{
	struct test_policy	t;
	char			ts[40];

	(void)state;
	assert_int_equal(cf->delivery_max_event_age_hours, 72);
	test_policy_open(&t);
	test_policy_subscribe(&t);
	test_policy_apply(&t, "type=status", "division=TS", "status=closed",
	    "reason=completed", "note=Filled.", test_policy_ago(&t,
	    MAX_AGE - SETTLE, ts, sizeof ts), NULL);
	test_policy_wait(&t, SETTLE);
	test_policy_told(&t, VOCAB_NOTICE_COMPLETED, "TS");
	assert_int_equal(test_policy_count(&t, DECISION_SUPPRESSED,
	    "stale_event"), 0);
	test_policy_close(&t);

	test_policy_open(&t);
	test_policy_subscribe(&t);
	test_policy_apply(&t, "type=status", "division=TS", "status=assigned",
	    test_policy_ago(&t, 10 * MAX_AGE, ts, sizeof ts), NULL);
	test_policy_apply(&t, "type=status", "division=TS", "status=scheduled",
	    NULL);
	test_policy_wait(&t, COALESCE);
	test_policy_told(&t, VOCAB_NOTICE_SCHEDULED, "TS");
	test_policy_close(&t);
}

/*
 * An event just past the limit is decided and recorded, not sent; the SR
 * moves on as if told, so that the same news later is not told either,
 * but "completed" is not taken as sent.
 */
static void
test_policy_stale_past(void **state)
{
	struct test_policy	 t;
	const struct decision	*d;
	char			 ts[40];

	(void)state;
	test_policy_open(&t);
	test_policy_subscribe(&t);
	test_policy_apply(&t, "type=status", "division=TS", "status=closed",
	    "reason=completed", "note=Filled.", test_policy_ago(&t,
	    MAX_AGE + 1000, ts, sizeof ts), NULL);
	assert_null(t.res.notice);
	test_policy_wait(&t, SETTLE);
	assert_null(t.res.notice);
	assert_int_equal(test_policy_count(&t, DECISION_QUEUED, NULL), 0);
	assert_int_equal(test_policy_count(&t, DECISION_SUPPRESSED,
	    "stale_event"), 1);
	d = &t.res.decisions.list[t.res.decisions.n - 1];
	assert_string_equal(d->rule, "stale_event");
	assert_int_equal(d->notice, VOCAB_NOTICE_COMPLETED);
	assert_string_equal(d->division, "TS");
	assert_string_equal(d->events, "e2");
	assert_string_equal(d->detail, "completed not sent: the newest event "
	    "behind it is over 72 hours old, past the 72 hours of "
	    "delivery.max_event_age_hours, and old news is not told as new");
	assert_int_equal(t.st->told, VOCAB_NOTICE_COMPLETED);
	assert_int_equal(t.st->told_completed, 0);
	assert_int_equal(t.st->seq, 1);
	assert_int_equal(t.st->due, 0);
	assert_int_equal(t.st->events_ts, 0);
	policy_result_clear(&t.res);

	/* The CRM says it again, fresh: not news. */
	t.now += 60000;
	test_policy_apply(&t, "type=status", "division=TS", "status=closed",
	    "reason=completed", "note=Filled.", NULL);
	test_policy_wait(&t, SETTLE);
	assert_null(t.res.notice);
	assert_int_equal(test_policy_count(&t, DECISION_SUPPRESSED,
	    "unchanged"), 1);
	policy_result_clear(&t.res);

	/* Reopened, fresh: told, and not as a correction. */
	test_policy_reopen(&t, 60000, 0);
	test_policy_close(&t);
}

/* A limit of 0 turns the check off: last month's news is still sent. */
static void
test_policy_stale_off(void **state)
{
	struct test_policy	t;
	char			ts[40];

	(void)state;
	cf->delivery_max_event_age_hours = 0;
	test_policy_open(&t);
	test_policy_subscribe(&t);
	test_policy_apply(&t, "type=status", "division=TS", "status=closed",
	    "reason=completed", "note=Filled.", test_policy_ago(&t,
	    30 * 24 * 3600000LL, ts, sizeof ts), NULL);
	test_policy_wait(&t, SETTLE);
	cf->delivery_max_event_age_hours = 72;
	test_policy_told(&t, VOCAB_NOTICE_COMPLETED, "TS");
	assert_int_equal(test_policy_count(&t, DECISION_SUPPRESSED,
	    "stale_event"), 0);
	test_policy_close(&t);
}

/*
 * A held closure is judged when it is released: fresh enough when it
 * came, past the limit once the settle window is over. A duplicate's
 * residents do not follow the original they were not told of.
 */
static void
test_policy_stale_held(void **state)
{
	struct test_policy	t;
	char			ts[40];

	(void)state;
	test_policy_open(&t);
	test_policy_subscribe(&t);
	test_policy_apply(&t, "type=status", "division=TW", "status=closed",
	    "reason=duplicate", "duplicate_of=8800", test_policy_ago(&t,
	    MAX_AGE - SETTLE / 2, ts, sizeof ts), NULL);
	assert_int_equal(test_policy_count(&t, DECISION_HELD, "settle"), 1);
	assert_int_equal(test_policy_count(&t, DECISION_SUPPRESSED,
	    "stale_event"), 0);
	test_policy_wait(&t, SETTLE);
	assert_null(t.res.notice);
	assert_null(t.res.follow);
	assert_int_equal(test_policy_count(&t, DECISION_SUPPRESSED,
	    "stale_event"), 1);
	assert_int_equal(t.st->told, VOCAB_NOTICE_DUPLICATE);
	test_policy_close(&t);
}

/* 2026-03-06T15:00:00Z, a Friday (10:00 in Toronto), in ms. */
#define FRIDAY		1772809200000LL
/* The ends of standards from it: local midnight in Toronto, in ms. */
#define END_WED_11	1773288000000LL	/* 2026-03-12T04:00:00Z */
#define END_MON_16	1773720000000LL	/* 2026-03-17T04:00:00Z */
#define DAY		86400000LL

/* Have RO receive the SR at t->now and tell the resident so. */
static void
test_policy_std_received(struct test_policy *t, const char *service)
{
	char	field[64];

	snprintf(field, sizeof field, "service=%s", service);
	test_policy_apply(t, "type=status", "division=RO", "status=received",
	    field, NULL);
	test_policy_wait(t, COALESCE);
	test_policy_told(t, VOCAB_NOTICE_RECEIVED, "RO");
}

/*
 * Start an SR at FRIDAY with a subscriber and have RO receive it for
 * service; the received notice stays in t->res.
 */
static void
test_policy_std_open(struct test_policy *t, const char *service)
{
	test_policy_open(t);
	t->now = FRIDAY;
	test_policy_subscribe(t);
	test_policy_std_received(t, service);
}

/*
 * Assert that the result holds one decision "measured" about division:
 * met or not as closeloop decides (met), and as the CRM closed it.
 */
static void
test_policy_measured(const struct test_policy *t, const char *division,
    const char *met, const char *as_closed)
{
	const struct decision	*d = NULL;
	size_t			 i;

	for (i = 0; i < t->res.decisions.n; i++) {
		if (t->res.decisions.list[i].kind != DECISION_MEASURED)
			continue;
		assert_null(d);
		d = &t->res.decisions.list[i];
	}
	assert_non_null(d);
	assert_string_equal(d->division, division);
	assert_string_equal(decision_get(d, "met"), met);
	assert_string_equal(decision_get(d, "met_as_closed"), as_closed);
}

/*
 * The received notice carries the standard of the division and service
 * type: business days over a weekend and a holiday, to local midnight
 * after daylight saving began; the division's other types get its
 * default; an event's standard_days replaces the days; 0 is the day.
 */
static void
test_policy_standard_told(void **state)
{
	struct test_policy	t;
	char			due[32];

	(void)state;
	test_policy_std_open(&t, "Road Pothole");
	assert_string_equal(t.res.notice->standard_days, "5");
	assert_string_equal(t.res.notice->standard_target, "completion");
	snprintf(due, sizeof due, "%lld", END_MON_16);
	assert_string_equal(t.res.notice->standard_due, due);
	assert_int_equal(t.st->std_start, FRIDAY);
	assert_int_equal(srstate_std_check(t.st), END_MON_16);
	test_policy_close(&t);

	test_policy_std_open(&t, "road pothole repair");
	assert_string_equal(t.res.notice->standard_days, "2");
	assert_string_equal(t.res.notice->standard_target, "response");
	snprintf(due, sizeof due, "%lld", END_WED_11);
	assert_string_equal(t.res.notice->standard_due, due);
	test_policy_close(&t);

	test_policy_open(&t);
	t.now = FRIDAY;
	test_policy_subscribe(&t);
	test_policy_apply(&t, "type=status", "division=RO", "status=received",
	    "service=Road Pothole", "standard_days=0", NULL);
	test_policy_wait(&t, COALESCE);
	test_policy_told(&t, VOCAB_NOTICE_RECEIVED, "RO");
	assert_string_equal(t.res.notice->standard_days, "0");
	snprintf(due, sizeof due, "%lld", FRIDAY + 14 * 3600000LL);
	assert_string_equal(t.res.notice->standard_due, due);	/* Sat 00:00 */
	test_policy_close(&t);

	/* No standard for TS: nothing carried, nothing to check. */
	test_policy_open(&t);
	test_policy_subscribe(&t);
	test_policy_apply(&t, "type=status", "division=TS", "status=received",
	    NULL);
	test_policy_wait(&t, COALESCE);
	test_policy_told(&t, VOCAB_NOTICE_RECEIVED, "TS");
	assert_null(t.res.notice->standard_days);
	assert_null(t.res.notice->standard_due);
	assert_int_equal(srstate_std_check(t.st), 0);
	test_policy_close(&t);
}

/*
 * Past the standard with work open: flagged past_standard and told
 * "overdue" once, with the planned date; what was told stays, so the
 * next step is told; nothing is checked again.
 */
static void
test_policy_overdue_once(void **state)
{
	struct test_policy	t;

	(void)state;
	test_policy_std_open(&t, "Road Pothole");
	policy_result_clear(&t.res);
	test_policy_apply(&t, "type=status", "division=RO",
	    "status=closed", "reason=scheduled", "scheduled_for=2026-03-20",
	    NULL);
	test_policy_wait(&t, COALESCE);
	test_policy_told(&t, VOCAB_NOTICE_SCHEDULED, "RO");
	policy_result_clear(&t.res);
	t.now = END_MON_16 - 1;
	assert_int_equal(policy_release(cf, t.st, t.now, &t.res), 0);
	assert_null(t.res.notice);
	t.now = END_MON_16;
	assert_int_equal(policy_release(cf, t.st, t.now, &t.res), 1);
	assert_int_equal(test_policy_count(&t, DECISION_FLAGGED,
	    "past_standard"), 1);
	test_policy_told(&t, VOCAB_NOTICE_OVERDUE, "RO");
	assert_string_equal(t.res.notice->scheduled_for, "2026-03-20");
	assert_string_equal(t.res.notice->standard_days, "5");
	assert_int_equal(t.st->told, VOCAB_NOTICE_SCHEDULED);
	assert_string_equal(t.st->overdue, "RO");
	assert_int_equal(srstate_std_check(t.st), 0);
	policy_result_clear(&t.res);
	assert_int_equal(policy_release(cf, t.st, t.now + DAY, &t.res), 0);
	t.now += DAY;
	test_policy_apply(&t, "type=status", "division=RO",
	    "status=in_progress", NULL);
	test_policy_wait(&t, COALESCE);
	test_policy_told(&t, VOCAB_NOTICE_IN_PROGRESS, "RO");
	assert_int_equal(test_policy_count(&t, DECISION_FLAGGED,
	    "past_standard"), 0);
	test_policy_close(&t);
}

/*
 * A transfer starts the new division's standard: no overdue when the
 * first division's would have ended; the new one's end tells it. Back
 * to a division already told of, its lateness is not told again.
 */
static void
test_policy_overdue_transfer(void **state)
{
	struct test_policy	t;
	int64_t			 end_pw;

	(void)state;
	test_policy_std_open(&t, "Road Pothole");
	policy_result_clear(&t.res);
	t.now = FRIDAY + DAY * 3;	/* Monday, the holiday */
	test_policy_apply(&t, "type=status", "division=RO",
	    "status=transferred", "transfer_to=PW", NULL);
	test_policy_wait(&t, COALESCE);
	test_policy_told(&t, VOCAB_NOTICE_TRANSFERRED, "PW");
	test_policy_measured(&t, "RO", "no", "no");
	assert_string_equal(t.res.notice->standard_days, "10");
	assert_string_equal(t.st->std_division, "PW");
	assert_int_equal(t.st->std_start, FRIDAY + DAY * 3);
	end_pw = t.st->std_due;
	assert_true(end_pw > END_MON_16);
	policy_result_clear(&t.res);
	assert_int_equal(policy_release(cf, t.st, END_MON_16, &t.res), 0);
	assert_null(t.res.notice);
	assert_int_equal(policy_release(cf, t.st, end_pw, &t.res), 1);
	test_policy_told(&t, VOCAB_NOTICE_OVERDUE, "PW");
	policy_result_clear(&t.res);

	/* Back to RO, then to PW again: RO told once, PW not again. */
	t.now = end_pw + DAY;
	test_policy_apply(&t, "type=status", "division=PW",
	    "status=transferred", "transfer_to=RO", NULL);
	test_policy_wait(&t, COALESCE);
	test_policy_told(&t, VOCAB_NOTICE_TRANSFERRED, "RO");
	policy_result_clear(&t.res);
	test_policy_wait(&t, t.st->std_due - t.now);
	test_policy_told(&t, VOCAB_NOTICE_OVERDUE, "RO");
	assert_string_equal(t.st->overdue, "PW RO");
	policy_result_clear(&t.res);
	test_policy_apply(&t, "type=status", "division=RO",
	    "status=transferred", "transfer_to=PW", NULL);
	test_policy_wait(&t, COALESCE);
	test_policy_told(&t, VOCAB_NOTICE_TRANSFERRED, "PW");
	policy_result_clear(&t.res);
	test_policy_wait(&t, t.st->std_due - t.now);
	assert_null(t.res.notice);
	assert_int_equal(test_policy_count(&t, DECISION_FLAGGED,
	    "past_standard"), 1);
	assert_int_equal(test_policy_count(&t, DECISION_SUPPRESSED,
	    "unchanged"), 1);
	test_policy_close(&t);
}

/*
 * A response target is met by the first action; a completion target
 * only when the closure is told as completed - not by a duplicate, nor
 * by a closure of work only scheduled, which the CRM's count of
 * closures takes as met. Each standard is measured once: at its end,
 * or when the SR is closed for good before it.
 */
static void
test_policy_standard_met(void **state)
{
	struct test_policy	t;

	(void)state;
	test_policy_std_open(&t, "Graffiti");
	t.now += DAY;
	test_policy_apply(&t, "type=status", "division=RO",
	    "status=assigned", NULL);
	assert_int_equal(t.st->std_acted, FRIDAY + COALESCE + DAY);
	assert_int_equal(srstate_std_check(t.st), END_WED_11);
	test_policy_wait(&t, COALESCE);
	assert_int_equal(srstate_std_check(t.st), END_WED_11);
	policy_result_clear(&t.res);
	assert_int_equal(policy_release(cf, t.st, END_WED_11, &t.res), 1);
	test_policy_measured(&t, "RO", "yes", "no");
	assert_int_equal(test_policy_count(&t, DECISION_FLAGGED,
	    "past_standard"), 0);
	assert_null(t.res.notice);
	assert_int_equal(srstate_std_check(t.st), 0);
	test_policy_close(&t);

	test_policy_std_open(&t, "Road Pothole");
	t.now += DAY;
	test_policy_apply(&t, "type=status", "division=RO",
	    "status=assigned", NULL);
	test_policy_apply(&t, "type=status", "division=RO", "status=closed",
	    "reason=completed", NULL);
	assert_int_equal(t.st->std_closed, FRIDAY + COALESCE + DAY);
	assert_int_equal(t.st->std_done, 0);
	policy_result_clear(&t.res);
	test_policy_wait(&t, SETTLE);
	test_policy_told(&t, VOCAB_NOTICE_COMPLETED, "RO");
	assert_int_equal(t.st->std_done, FRIDAY + COALESCE + DAY);
	test_policy_measured(&t, "RO", "yes", "yes");
	assert_int_equal(srstate_std_check(t.st), 0);
	assert_null(t.res.notice->standard_days);
	policy_result_clear(&t.res);
	assert_int_equal(policy_release(cf, t.st, END_MON_16, &t.res), 0);
	test_policy_close(&t);

	/* Closed at its first event: its standard is the closer's, met. */
	test_policy_open(&t);
	t.now = FRIDAY;
	test_policy_subscribe(&t);
	test_policy_apply(&t, "type=status", "division=RO", "status=closed",
	    "reason=completed", "service=Road Pothole", NULL);
	test_policy_wait(&t, SETTLE);
	test_policy_told(&t, VOCAB_NOTICE_COMPLETED, "RO");
	assert_string_equal(t.st->std_division, "RO");
	test_policy_measured(&t, "RO", "yes", "yes");
	test_policy_close(&t);

	/* Closed as a duplicate: closed in time, but not met. */
	test_policy_std_open(&t, "Road Pothole");
	test_policy_apply(&t, "type=status", "division=RO", "status=closed",
	    "reason=duplicate", "duplicate_of=8800", NULL);
	policy_result_clear(&t.res);
	test_policy_wait(&t, SETTLE);
	test_policy_told(&t, VOCAB_NOTICE_DUPLICATE, "RO");
	assert_int_equal(t.st->std_done, 0);
	test_policy_measured(&t, "RO", "no", "yes");
	assert_int_equal(srstate_std_check(t.st), 0);
	test_policy_close(&t);

	/* Closed as scheduled: closed in time for the CRM, late in truth. */
	test_policy_std_open(&t, "Road Pothole");
	test_policy_apply(&t, "type=status", "division=RO", "status=closed",
	    "reason=scheduled", "scheduled_for=2026-03-30", NULL);
	test_policy_wait(&t, COALESCE);
	test_policy_told(&t, VOCAB_NOTICE_SCHEDULED, "RO");
	policy_result_clear(&t.res);
	assert_int_equal(policy_release(cf, t.st, END_MON_16, &t.res), 1);
	test_policy_measured(&t, "RO", "no", "yes");
	assert_int_equal(test_policy_count(&t, DECISION_FLAGGED,
	    "past_standard"), 1);
	test_policy_told(&t, VOCAB_NOTICE_OVERDUE, "RO");
	test_policy_close(&t);
}

/*
 * policy.overdue_notice off: flagged, not told. A standard that ended
 * longer than delivery.max_event_age_hours ago: flagged, not told.
 */
static void
test_policy_overdue_quiet(void **state)
{
	struct test_policy	t;

	(void)state;
	test_policy_std_open(&t, "Road Pothole");
	policy_result_clear(&t.res);
	cf->policy_overdue_notice = 0;
	assert_int_equal(policy_release(cf, t.st, END_MON_16, &t.res), 1);
	cf->policy_overdue_notice = 1;
	assert_null(t.res.notice);
	assert_int_equal(test_policy_count(&t, DECISION_FLAGGED,
	    "past_standard"), 1);
	assert_null(t.st->overdue);
	test_policy_close(&t);

	test_policy_std_open(&t, "Road Pothole");
	policy_result_clear(&t.res);
	assert_int_equal(policy_release(cf, t.st, END_MON_16 + 73 * 3600000LL,
	    &t.res), 1);
	assert_null(t.res.notice);
	assert_int_equal(test_policy_count(&t, DECISION_FLAGGED,
	    "past_standard"), 1);
	assert_int_equal(test_policy_count(&t, DECISION_SUPPRESSED,
	    "stale_event"), 1);
	assert_int_equal(srstate_std_check(t.st), 0);
	test_policy_close(&t);
}

/* A pending notice goes first; the standard's end is checked after it. */
static void
test_policy_overdue_pending(void **state)
{
	struct test_policy	t;

	(void)state;
	test_policy_std_open(&t, "Road Pothole");
	policy_result_clear(&t.res);
	t.now = END_MON_16 - 1000;
	test_policy_apply(&t, "type=status", "division=RO",
	    "status=in_progress", NULL);
	assert_int_equal(srstate_std_check(t.st), t.now + COALESCE);
	assert_int_equal(policy_release(cf, t.st, END_MON_16, &t.res), 0);
	test_policy_wait(&t, COALESCE);
	test_policy_told(&t, VOCAB_NOTICE_IN_PROGRESS, "RO");
	assert_int_equal(srstate_std_check(t.st), END_MON_16);
	policy_result_clear(&t.res);
	test_policy_wait(&t, 0);
	test_policy_told(&t, VOCAB_NOTICE_OVERDUE, "RO");
	test_policy_close(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_received),
		cmocka_unit_test(test_policy_explicit_transfer),
		cmocka_unit_test(test_policy_implicit_transfer),
		cmocka_unit_test(test_policy_transfer_same_second),
		cmocka_unit_test(test_policy_transfer_second_before),
		cmocka_unit_test(test_policy_settled),
		cmocka_unit_test(test_policy_unknown_note_code),
		cmocka_unit_test(test_policy_work_orders),
		cmocka_unit_test(test_policy_closed_not_done),
		cmocka_unit_test(test_policy_duplicate),
		cmocka_unit_test(test_policy_reopened),
		cmocka_unit_test(test_policy_coalesce),
		cmocka_unit_test(test_policy_out_of_order),
		cmocka_unit_test(test_policy_no_note),
		cmocka_unit_test(test_policy_photo_hosts),
		cmocka_unit_test(test_policy_unsubscribe),
		cmocka_unit_test(test_policy_notify_on),
		cmocka_unit_test(test_policy_too_many_work_orders),
		cmocka_unit_test(test_policy_stale_fresh),
		cmocka_unit_test(test_policy_stale_past),
		cmocka_unit_test(test_policy_stale_off),
		cmocka_unit_test(test_policy_stale_held),
		cmocka_unit_test(test_policy_standard_told),
		cmocka_unit_test(test_policy_overdue_once),
		cmocka_unit_test(test_policy_overdue_transfer),
		cmocka_unit_test(test_policy_standard_met),
		cmocka_unit_test(test_policy_overdue_quiet),
		cmocka_unit_test(test_policy_overdue_pending),
	};

	return cmocka_run_group_tests(tests, test_policy_setup,
	    test_policy_teardown);
}
