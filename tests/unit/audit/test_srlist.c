/*
 * test_srlist.c - unit tests for SRs read from their states (srlist.c)
 *
 * Against a private redis-server: the SRs asked for are read newest
 * first by their last change (a work order's or a contact's), ties by
 * number, higher first; an SR whose state has gone is skipped; with a
 * contact, only the SRs whose state still has it (as a contact or as a
 * fallback) are kept; each item has the SR's owner (or the work order
 * closed last) and ward. A contact's SRs are found through its look-up
 * set. A key that is not a state fails the read with the SR's number,
 * and the connection stays in step.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "config.h"
#include "event.h"
#include "lookup.h"
#include "redis.h"
#include "srhash.h"
#include "srlist.h"
#include "srstate.h"
#include "testredis.h"
#include "testserver.h"
#include "txn.h"
#include "xmalloc.h"

/* 2026-03-03T15:00:00Z, and minutes after it. */
#define T0		1772550000000LL
#define MIN(n)		(T0 + (n) * 60000LL)

static struct testserver	ts;

/* Write st as its state hash. */
static void
test_srlist_put(struct redis *r, const struct config *cf,
    const struct srstate *st)
{
	struct redis_reply	*rep;
	const char		**argv;
	char			**fields, *key, *cause = NULL;
	size_t			  n, i;

	fields = srhash_encode(st, &n);
	key = srstate_key(cf, st->sr);
	argv = xcalloc(2 + 2 * n, sizeof *argv);
	argv[0] = "HSET";
	argv[1] = key;
	for (i = 0; i < 2 * n; i++)
		argv[2 + i] = fields[i];
	rep = redis_command_argv(r, &cause, (int)(2 + 2 * n), argv, NULL);
	if (rep == NULL)
		fail_msg("HSET %s: %s", key, cause);
	assert_int_not_equal(rep->type, REDIS_TYPE_ERROR);
	redis_reply_free(rep);
	free(argv);
	free(key);
	srhash_encode_free(fields, n);
}

/*
 * Write the state of SR sr: a work order of division opened at opened
 * (ms) and, if closed is not 0, closed then; ward may be NULL.
 */
static struct srstate *
test_srlist_state(const char *sr, const char *division, int64_t opened,
    int64_t closed, const char *ward)
{
	struct srstate		*st;
	struct srstate_wo	*wo;

	st = srstate_new(sr);
	wo = srstate_wo_add(st, division, division, opened);
	if (closed != 0) {
		wo->open = 0;
		wo->status = VOCAB_STATUS_CLOSED;
		wo->closed = closed;
		wo->ts = closed;
	}
	srstate_set(&st->ward, ward);
	srstate_set(&st->service, "Pothole");
	return st;
}

/* Write a state and free it. */
static void
test_srlist_write(struct redis *r, const struct config *cf,
    struct srstate *st)
{
	test_srlist_put(r, cf, st);
	srstate_free(st);
}

/* Read the SRs of the NULL-ended list sr, with a contact or not. */
static struct srlist *
test_srlist_read(struct redis *r, const struct config *cf,
    const char *const *sr, int channel, const char *contact)
{
	struct srlist	*l;
	char		*cause = NULL;
	size_t		 n;

	for (n = 0; sr[n] != NULL; n++)
		;
	if (srlist_read(r, cf, (char *const *)sr, n, channel, contact, &l,
	    &cause) != 0)
		fail_msg("srlist_read: %s", cause);
	assert_non_null(l);
	return l;
}

/* Check that the list holds the SRs of want, in that order. */
static void
test_srlist_want(const struct srlist *l, const char *const *want)
{
	size_t	 i;

	for (i = 0; want[i] != NULL; i++) {
		if (i >= l->n)
			fail_msg("%zu SRs, want %s next", l->n, want[i]);
		if (strcmp(l->items[i].st->sr, want[i]) != 0)
			fail_msg("SR %zu is %s, want %s", i,
			    l->items[i].st->sr, want[i]);
	}
	assert_int_equal(l->n, i);
}

/* Newest first; gone SRs skipped; owner, ward and time of each. */
static void
test_srlist_order(void **state)
{
	struct config	*cf = testserver_config(&ts, NULL, NULL);
	struct redis	*r = testredis_open(cf);
	struct srstate	*st;
	struct srlist	*l;

	(void)state;
	test_srlist_write(r, cf, test_srlist_state("9001", "TS", MIN(0), 0,
	    "W07"));
	test_srlist_write(r, cf, test_srlist_state("9002", "TW", MIN(1),
	    MIN(30), NULL));
	/* Opened early, but a contact changed later. */
	st = test_srlist_state("9003", "TS", MIN(-60), 0, "W12");
	srstate_contact_add(st, EVENT_CHANNEL_EMAIL, "ana@example.org")->ts =
	    MIN(20);
	test_srlist_write(r, cf, st);
	/* Two work orders: the open one is the owner, the latest counts. */
	st = test_srlist_state("9004", "TW", MIN(2), MIN(3), NULL);
	srstate_wo_add(st, "TS", "TS", MIN(10));
	test_srlist_write(r, cf, st);

	l = test_srlist_read(r, cf, (const char *[]){ "9001", "9002", "9003",
	    "9004", "9999", NULL }, 0, NULL);
	test_srlist_want(l, (const char *[]){ "9002", "9003", "9004", "9001",
	    NULL });
	assert_int_equal(l->items[0].changed, MIN(30));
	assert_int_equal(l->items[1].changed, MIN(20));
	assert_int_equal(l->items[2].changed, MIN(10));
	assert_int_equal(l->items[3].changed, MIN(0));
	/* The work order closed last when none is open; else the owner. */
	assert_non_null(l->items[0].wo);
	assert_string_equal(l->items[0].wo->division, "TW");
	assert_int_equal(l->items[0].wo->open, 0);
	assert_string_equal(l->items[2].wo->division, "TS");
	assert_int_equal(l->items[2].wo->open, 1);
	/* The ward, or none. */
	assert_string_equal(l->items[1].ward, "W12");
	assert_string_equal(l->items[3].ward, "W07");
	assert_null(l->items[0].ward);
	assert_string_equal(l->items[3].st->service, "Pothole");
	srlist_free(l);

	/* Only gone SRs, or none asked: an empty list. */
	l = test_srlist_read(r, cf, (const char *[]){ "9998", "9999", NULL },
	    0, NULL);
	assert_int_equal(l->n, 0);
	srlist_free(l);
	l = test_srlist_read(r, cf, (const char *[]){ NULL }, 0, NULL);
	assert_int_equal(l->n, 0);
	srlist_free(l);
	srlist_free(NULL);
	redis_free(r);
	config_free(cf);
}

/* Changed at the same time: the higher number first. */
static void
test_srlist_ties(void **state)
{
	struct config	*cf = testserver_config(&ts, NULL, NULL);
	struct redis	*r = testredis_open(cf);
	struct srlist	*l;

	(void)state;
	test_srlist_write(r, cf, test_srlist_state("100", "TS", MIN(5), 0,
	    NULL));
	test_srlist_write(r, cf, test_srlist_state("102", "TS", MIN(5), 0,
	    NULL));
	test_srlist_write(r, cf, test_srlist_state("101", "TS", MIN(5), 0,
	    NULL));
	test_srlist_write(r, cf, test_srlist_state("099", "TS", MIN(6), 0,
	    NULL));
	l = test_srlist_read(r, cf, (const char *[]){ "100", "101", "102",
	    "099", NULL }, 0, NULL);
	test_srlist_want(l, (const char *[]){ "099", "102", "101", "100",
	    NULL });
	srlist_free(l);
	redis_free(r);
	config_free(cf);
}

/* With a contact: only the SRs whose state still has it. */
static void
test_srlist_contact(void **state)
{
	struct config		*cf = testserver_config(&ts, NULL, NULL);
	struct redis		*r = testredis_open(cf);
	struct srstate		*st;
	struct srstate_contact	*c;
	struct srlist		*l;

	(void)state;
	/* Ana's email on 9001; her phone as the fallback of 9002's email. */
	st = test_srlist_state("9001", "TS", MIN(0), 0, NULL);
	srstate_contact_add(st, EVENT_CHANNEL_EMAIL, "Ana.Lima@example.org");
	test_srlist_write(r, cf, st);
	st = test_srlist_state("9002", "TS", MIN(1), 0, NULL);
	c = srstate_contact_add(st, EVENT_CHANNEL_EMAIL, "bo@example.org");
	c->alt = xstrdup("+14165550102");
	test_srlist_write(r, cf, st);
	/* 9003 had Ana once; its state has another contact now. */
	st = test_srlist_state("9003", "TS", MIN(2), 0, NULL);
	srstate_contact_add(st, EVENT_CHANNEL_SMS, "+14165550199");
	test_srlist_write(r, cf, st);

	l = test_srlist_read(r, cf, (const char *[]){ "9001", "9002", "9003",
	    NULL }, EVENT_CHANNEL_EMAIL, "ana.lima@EXAMPLE.org");
	test_srlist_want(l, (const char *[]){ "9001", NULL });
	srlist_free(l);
	l = test_srlist_read(r, cf, (const char *[]){ "9001", "9002", "9003",
	    NULL }, EVENT_CHANNEL_SMS, "+14165550102");
	test_srlist_want(l, (const char *[]){ "9002", NULL });
	srlist_free(l);
	/* An address is not a number, nor a part of it the whole. */
	l = test_srlist_read(r, cf, (const char *[]){ "9001", "9002", "9003",
	    NULL }, EVENT_CHANNEL_SMS, "Ana.Lima@example.org");
	assert_int_equal(l->n, 0);
	srlist_free(l);
	l = test_srlist_read(r, cf, (const char *[]){ "9001", "9002", "9003",
	    NULL }, EVENT_CHANNEL_EMAIL, "lima@example.org");
	assert_int_equal(l->n, 0);
	srlist_free(l);
	redis_free(r);
	config_free(cf);
}

/* A contact's SRs through its look-up set, checked against the states. */
static void
test_srlist_lookup(void **state)
{
	struct config	*cf;
	struct redis	*r;
	struct srstate	*a, *b, *gone;
	struct srlist	*l;
	struct txn	 tx;
	char		 path[160], extra[256], *cause = NULL;
	FILE		*f;

	(void)state;
	snprintf(path, sizeof path, "%s/lookup.secret", ts.dir);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "l00kup-k3y\n");
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0600), 0);
	snprintf(extra, sizeof extra,
	    "audit = { lookup_secret_file = \"%s\"; };", path);
	cf = testserver_config(&ts, NULL, extra);
	r = testredis_open(cf);
	a = test_srlist_state("9001", "TS", MIN(0), 0, NULL);
	srstate_contact_add(a, EVENT_CHANNEL_SMS, "+14165550102");
	b = test_srlist_state("9002", "TW", MIN(9), 0, NULL);
	srstate_contact_add(b, EVENT_CHANNEL_SMS, "+14165550102");
	gone = test_srlist_state("9003", "TW", MIN(20), 0, NULL);
	srstate_contact_add(gone, EVENT_CHANNEL_SMS, "+14165550102");
	txn_begin(&tx, r);
	lookup_index(&tx, cf, a, 3600);
	lookup_index(&tx, cf, b, 3600);
	lookup_index(&tx, cf, gone, 3600);
	assert_int_equal(txn_exec(&tx, "9001", &cause), 1);
	/* 9003's state has expired; its set entry outlives it. */
	test_srlist_put(r, cf, a);
	test_srlist_put(r, cf, b);
	assert_int_equal(srlist_contact(r, cf, EVENT_CHANNEL_SMS,
	    "+14165550102", &l, &cause), 0);
	test_srlist_want(l, (const char *[]){ "9002", "9001", NULL });
	srlist_free(l);
	assert_int_equal(srlist_contact(r, cf, EVENT_CHANNEL_SMS,
	    "+14165550103", &l, &cause), 0);
	assert_int_equal(l->n, 0);
	srlist_free(l);
	srstate_free(a);
	srstate_free(b);
	srstate_free(gone);
	redis_free(r);
	config_free(cf);
}

/* A key that is not a state fails the read; the connection goes on. */
static void
test_srlist_error(void **state)
{
	struct config		*cf = testserver_config(&ts, NULL, NULL);
	struct redis		*r = testredis_open(cf);
	struct redis_reply	*rep;
	struct srlist		*l;
	const char		*argv[3];
	char			*key, *cause = NULL;
	char			*srs[] = { "9001", "9002", "9003" };

	(void)state;
	test_srlist_write(r, cf, test_srlist_state("9001", "TS", MIN(0), 0,
	    NULL));
	test_srlist_write(r, cf, test_srlist_state("9003", "TS", MIN(0), 0,
	    NULL));
	key = srstate_key(cf, "9002");
	argv[0] = "SET";
	argv[1] = key;
	argv[2] = "not a hash";
	rep = redis_command_argv(r, NULL, 3, argv, NULL);
	assert_non_null(rep);
	redis_reply_free(rep);
	assert_int_equal(srlist_read(r, cf, srs, 3, 0, NULL, &l, &cause), -1);
	assert_null(l);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "reading SR 9002: WRONGTYPE"));
	free(cause);
	/* Every reply was read: the next command gets its own. */
	assert_int_equal(testredis_int(r, "EXISTS closeloop:sr:{9001}:state"), 1);
	assert_int_equal(testredis_int(r, "DBSIZE"), 3);
	free(key);
	redis_free(r);
	config_free(cf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_srlist_order),
		cmocka_unit_test(test_srlist_ties),
		cmocka_unit_test(test_srlist_contact),
		cmocka_unit_test(test_srlist_lookup),
		cmocka_unit_test(test_srlist_error),
	};

	return testredis_run(&ts, "srlist", tests,
	    sizeof tests / sizeof tests[0]);
}
