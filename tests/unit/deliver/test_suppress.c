/*
 * test_suppress.c - unit tests for the email addresses closeloop no longer
 * sends to (suppress.c), and for the claim's checks against the list and
 * against a contact's hourly limit (claim.c)
 *
 * Runs against a private redis-server: addresses are put on the list in
 * a transaction as an outcome puts them, listed and let off as closeloop
 * suppressed does, and the keys and the operators' record
 * (PREFIXweb:audit) are read back; notices queued to them are claimed as
 * a worker claims them. The HASH is checked against Redis's own SHA-1,
 * which the claim script uses.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "claim.h"
#include "config.h"
#include "digest.h"
#include "event.h"
#include "outbox.h"
#include "redis.h"
#include "suppress.h"
#include "testnotice.h"
#include "testredis.h"
#include "testserver.h"
#include "testtrail.h"
#include "txn.h"
#include "xmalloc.h"

#define NOW	1795000000000LL		/* 2026-11-18T11:06:40Z, ms */
#define HOUR	3600000LL

static struct testserver ts;

/* One test's configuration and connection. */
struct test_suppress {
	struct config	*cf;
	struct redis	*r;
};

/* Connect to an empty database, with extra configuration. */
static void
test_suppress_open(struct test_suppress *t, const char *extra)
{
	t->cf = testserver_config(&ts, NULL, extra);
	t->r = testredis_open(t->cf);
}

/* Free what test_suppress_open() made. */
static void
test_suppress_close(struct test_suppress *t)
{
	redis_free(t->r);
	config_free(t->cf);
}

/* Return what Redis's redis.sha1hex(string.lower(s)) gives. */
static char *
test_suppress_redis_hash(struct test_suppress *t, const char *s)
{
	struct redis_reply	*reply;
	const char		*argv[4] = { "EVAL", NULL, "0", s };
	char			*v;

	argv[1] = "return redis.sha1hex(string.lower(ARGV[1]))";
	reply = redis_command_argv(t->r, NULL, 4, argv, NULL);
	assert_non_null(reply);
	assert_int_equal(reply->type, REDIS_TYPE_STRING);
	v = xstrdup(reply->str);
	redis_reply_free(reply);
	return v;
}

/* Put address on the list as an outcome does, at time at. */
static void
test_suppress_add(struct test_suppress *t, const char *address,
    const char *sr, const char *id, int64_t at)
{
	struct txn	 tx;
	char		*cause = NULL;

	txn_begin(&tx, t->r);
	suppress_queue(&tx, t->cf, address, "hard_bounce",
	    "550 5.1.1 no such user", sr, id, "closeloopd", at);
	if (txn_exec(&tx, sr, &cause) != 1)
		fail_msg("txn_exec: %s", cause);
}

/* Return field of the suppression record of the address's HASH. */
static char *
test_suppress_field(struct test_suppress *t, const char *address,
    const char *field)
{
	char	 hash[DIGEST_SHA1_HEX_LEN + 1], *key, *v;

	suppress_hash(address, hash);
	key = xasprintf("closeloop:suppressed:email:%s", hash);
	v = testredis_hget(t->r, key, field);
	free(key);
	return v;
}

/* Assert a field of the suppression record of an address. */
static void
test_suppress_field_is(struct test_suppress *t, const char *address,
    const char *field, const char *want)
{
	char	*v = test_suppress_field(t, address, field);

	if (v == NULL)
		fail_msg("%s: no %s (want \"%s\")", address, field, want);
	assert_string_equal(v, want);
	free(v);
}

/*
 * The HASH is the SHA-1 of the address in lower case, as the claim
 * script computes it in Redis: any case of an address gives one HASH.
 */
static void
test_suppress_hash(void **state)
{
	static const char *const addresses[] = {
		"Ana@Example.ORG", "ana@example.org", "BOB+city@EXAMPLE.org",
		"\xc3\x89lise@Exemple.FR", "x"
	};
	struct test_suppress	 t;
	char			 got[DIGEST_SHA1_HEX_LEN + 1];
	char			 want[DIGEST_SHA1_HEX_LEN + 1];
	char			*lower, *redis;
	size_t			 i, k;

	(void)state;
	test_suppress_open(&t, NULL);
	for (i = 0; i < sizeof addresses / sizeof addresses[0]; i++) {
		lower = xstrdup(addresses[i]);
		for (k = 0; lower[k] != '\0'; k++) {
			if (lower[k] >= 'A' && lower[k] <= 'Z')
				lower[k] += 'a' - 'A';
		}
		digest_sha1(lower, strlen(lower), want);
		suppress_hash(addresses[i], got);
		assert_string_equal(got, want);
		redis = test_suppress_redis_hash(&t, addresses[i]);
		assert_string_equal(got, redis);
		free(redis);
		free(lower);
	}
	suppress_hash("Ana@Example.ORG", got);
	suppress_hash("ana@example.org", want);
	assert_string_equal(got, want);
	suppress_hash("anna@example.org", want);
	assert_string_not_equal(got, want);
	test_suppress_close(&t);
}

/*
 * Queued in a transaction: the record, masked, with its reason, reply,
 * SR, notification and who; the HASH in the set by time.
 */
static void
test_suppress_queue(void **state)
{
	struct test_suppress	 t;
	struct redis_reply	*reply;
	char			 hash[DIGEST_SHA1_HEX_LEN + 1], *masked;

	(void)state;
	test_suppress_open(&t, NULL);
	test_suppress_add(&t, "Ana@Example.org", "2026-7", "2026-7/3/0", NOW);
	masked = event_mask_contact(EVENT_CHANNEL_EMAIL, "Ana@Example.org");
	assert_null(strstr(masked, "Ana@"));
	test_suppress_field_is(&t, "ana@example.org", "to", masked);
	free(masked);
	test_suppress_field_is(&t, "ana@example.org", "reason", "hard_bounce");
	test_suppress_field_is(&t, "ana@example.org", "reply",
	    "550 5.1.1 no such user");
	test_suppress_field_is(&t, "ana@example.org", "sr", "2026-7");
	test_suppress_field_is(&t, "ana@example.org", "notification",
	    "2026-7/3/0");
	test_suppress_field_is(&t, "ana@example.org", "by", "closeloopd");
	suppress_hash("ana@example.org", hash);
	reply = redis_command(t.r, NULL, "ZSCORE closeloop:suppressed:email %s",
	    hash);
	assert_non_null(reply);
	assert_int_equal(reply->type, REDIS_TYPE_STRING);
	assert_int_equal(strtoll(reply->str, NULL, 10), NOW);
	redis_reply_free(reply);
	assert_int_equal(testredis_int(t.r,
	    "ZCARD closeloop:suppressed:email"), 1);
	test_suppress_close(&t);
}

/* The list: newest first, cut at the limit, the total counted. */
static void
test_suppress_list(void **state)
{
	struct test_suppress	 t;
	struct suppress_entry	*list;
	char			 hash[DIGEST_SHA1_HEX_LEN + 1];
	char			*cause = NULL;
	size_t			 n;

	(void)state;
	test_suppress_open(&t, NULL);
	assert_int_equal(suppress_list(t.r, t.cf, 0, &list, &n, &cause), 0);
	assert_int_equal(n, 0);
	suppress_list_free(list, n);
	test_suppress_add(&t, "old@example.org", "2026-1", "2026-1/1/0", NOW);
	test_suppress_add(&t, "new@example.org", "2026-3", "2026-3/1/0",
	    NOW + 2000);
	test_suppress_add(&t, "mid@example.org", "2026-2", "2026-2/1/0",
	    NOW + 1000);

	assert_int_equal(suppress_list(t.r, t.cf, 0, &list, &n, &cause), 3);
	assert_int_equal(n, 3);
	assert_string_equal(list[0].sr, "2026-3");
	assert_string_equal(list[1].sr, "2026-2");
	assert_string_equal(list[2].sr, "2026-1");
	assert_int_equal(list[0].at, NOW + 2000);
	assert_int_equal(list[2].at, NOW);
	suppress_hash("new@example.org", hash);
	assert_string_equal(list[0].hash, hash);
	assert_string_equal(list[0].notification, "2026-3/1/0");
	assert_string_equal(list[0].reason, "hard_bounce");
	assert_string_equal(list[0].by, "closeloopd");
	assert_null(strstr(list[0].to, "new@"));
	suppress_list_free(list, n);

	assert_int_equal(suppress_list(t.r, t.cf, 2, &list, &n, &cause), 3);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].sr, "2026-3");
	assert_string_equal(list[1].sr, "2026-2");
	suppress_list_free(list, n);
	suppress_list_free(NULL, 0);

	/* The set not a set: an error, with a cause. */
	redis_reply_free(redis_command(t.r, NULL,
	    "SET closeloop:suppressed:email x"));
	assert_int_equal(suppress_list(t.r, t.cf, 0, &list, &n, &cause), -1);
	assert_null(list);
	assert_int_equal(n, 0);
	assert_non_null(cause);
	free(cause);
	test_suppress_close(&t);
}

/*
 * Let off by the address in any case, or by its HASH as listed: gone
 * from the record and the set, and in the operators' record with who;
 * an address not on the list is said not to be, and recorded too.
 */
static void
test_suppress_clear(void **state)
{
	struct test_suppress	 t;
	char			 hash[DIGEST_SHA1_HEX_LEN + 1];
	char			*cause = NULL, *v;

	(void)state;
	test_suppress_open(&t, NULL);
	test_suppress_add(&t, "ana@example.org", "2026-7", "2026-7/3/0", NOW);
	test_suppress_add(&t, "bob@example.org", "2026-8", "2026-8/1/0", NOW);
	assert_int_equal(suppress_clear(t.r, t.cf, "ANA@Example.Org", "alice",
	    NOW + 1, &cause), 1);
	v = test_suppress_field(&t, "ana@example.org", "reason");
	assert_null(v);
	assert_int_equal(testredis_int(t.r,
	    "ZCARD closeloop:suppressed:email"), 1);
	assert_int_equal(testtrail_ops_len(t.r, t.cf), 1);
	testtrail_ops_is(t.r, t.cf, "what", "unsuppress");
	testtrail_ops_is(t.r, t.cf, "user", "alice");
	suppress_hash("ana@example.org", hash);
	testtrail_ops_has(t.r, t.cf, hash);
	v = testtrail_field(t.r, "closeloop:web:audit", "detail");
	assert_null(strstr(v, "ana@"));
	assert_null(strstr(v, "not on it"));
	free(v);

	/* Again: not on it. */
	assert_int_equal(suppress_clear(t.r, t.cf, "ana@example.org", "alice",
	    NOW + 2, &cause), 0);
	assert_int_equal(testtrail_ops_len(t.r, t.cf), 2);
	testtrail_ops_has(t.r, t.cf, "(it was not on it)");

	/* By the HASH. */
	suppress_hash("bob@example.org", hash);
	assert_int_equal(suppress_clear(t.r, t.cf, hash, "bob", NOW + 3,
	    &cause), 1);
	assert_int_equal(testredis_int(t.r,
	    "ZCARD closeloop:suppressed:email"), 0);
	v = test_suppress_field(&t, "bob@example.org", "reason");
	assert_null(v);
	testtrail_ops_is(t.r, t.cf, "user", "bob");

	/* The set damaged (not a set): moved aside, and the clear done. */
	test_suppress_add(&t, "ana@example.org", "2026-7", "2026-7/3/0", NOW);
	redis_reply_free(redis_command(t.r, NULL,
	    "DEL closeloop:suppressed:email"));
	redis_reply_free(redis_command(t.r, NULL,
	    "SET closeloop:suppressed:email x"));
	assert_int_equal(suppress_clear(t.r, t.cf, "ana@example.org", "alice",
	    NOW + 4, &cause), 1);
	assert_null(cause);
	assert_int_equal(testtrail_ops_len(t.r, t.cf), 4);
	assert_null(test_suppress_field(&t, "ana@example.org", "reason"));
	assert_int_equal(testredis_keys(t.r,
	    "closeloop:suppressed:email:damaged:*"), 1);
	test_suppress_close(&t);
}

/* Claim the due email at now; assert how many, return them. */
static struct outbox_item **
test_suppress_claim(struct test_suppress *t, int64_t now, size_t want)
{
	return testnotice_claim(t->r, t->cf, EVENT_CHANNEL_EMAIL, now, want);
}

/*
 * A notification to an address on the list is claimed marked
 * suppressed, in any case, and not counted as an attempt; another
 * address is claimed as usual; the list holds no phone.
 */
static void
test_suppress_claimed(void **state)
{
	struct test_suppress	 t;
	struct outbox_item	**items;
	char			*v;

	(void)state;
	test_suppress_open(&t, NULL);
	test_suppress_add(&t, "ana@example.org", "2026-1", "2026-1/1/0", NOW);
	testnotice_queue_as(t.r, t.cf, "2026-7", 3, "Ana@EXAMPLE.org", NOW);
	testnotice_queue_as(t.r, t.cf, "2026-7", 4, "bob@example.org", NOW);
	items = test_suppress_claim(&t, NOW, 2);
	assert_string_equal(items[0]->id, "2026-7/3/0");
	assert_int_equal(items[0]->suppressed, 1);
	assert_int_equal(items[0]->rate_until, 0);
	assert_true(outbox_skip(items[0]));
	assert_string_equal(items[1]->id, "2026-7/4/0");
	assert_int_equal(items[1]->suppressed, 0);
	assert_false(outbox_skip(items[1]));
	testnotice_items_free(items, 2);
	v = testnotice_field(t.r, t.cf, "2026-7/3/0", "attempts");
	assert_string_equal(v, "0");
	free(v);
	v = testnotice_field(t.r, t.cf, "2026-7/4/0", "attempts");
	assert_string_equal(v, "1");
	free(v);
	test_suppress_close(&t);
}

/* Return the size of the hour kept for an email address. */
static long long
test_suppress_hour(struct test_suppress *t, const char *address)
{
	char		 hash[DIGEST_SHA1_HEX_LEN + 1], *key;
	long long	 n;

	suppress_hash(address, hash);
	key = xasprintf("closeloop:rate:email:%s", hash);
	n = testredis_key_int(t->r, "ZCARD", key);
	free(key);
	return n;
}

/*
 * delivery.max_per_contact_per_hour = 2: the third notification to one
 * address in the hour is claimed with rate_until when the first leaves
 * the hour, not counted as an attempt; another address is not limited;
 * the same notification claimed again does not count twice; an hour
 * later the address is free again.
 */
static void
test_suppress_rate(void **state)
{
	struct test_suppress	 t;
	struct outbox_item	**items;
	char			*cause = NULL, *v;

	(void)state;
	test_suppress_open(&t, "delivery = { max_per_contact_per_hour = 2; };");
	assert_int_equal(t.cf->delivery_max_per_contact_per_hour, 2);
	testnotice_queue_as(t.r, t.cf, "2026-7", 3, "ana@example.org", NOW);
	items = test_suppress_claim(&t, NOW, 1);
	assert_int_equal(items[0]->rate_until, 0);
	testnotice_items_free(items, 1);
	assert_int_equal(test_suppress_hour(&t, "ana@example.org"), 1);

	/* The same one again (its claim cut short): counted once. */
	assert_int_equal(claim_recover(t.r, t.cf, "me", NOW + 500, &cause), 1);
	items = test_suppress_claim(&t, NOW + 500, 1);
	assert_string_equal(items[0]->id, "2026-7/3/0");
	assert_int_equal(items[0]->rate_until, 0);
	testnotice_items_free(items, 1);
	assert_int_equal(test_suppress_hour(&t, "ana@example.org"), 1);

	testnotice_queue_as(t.r, t.cf, "2026-7", 4, "Ana@Example.org",
	    NOW + 1000);
	items = test_suppress_claim(&t, NOW + 1000, 1);
	assert_int_equal(items[0]->rate_until, 0);
	testnotice_items_free(items, 1);

	/* The third in the hour: when the first leaves it. */
	testnotice_queue_as(t.r, t.cf, "2026-7", 5, "ana@example.org",
	    NOW + 2000);
	testnotice_queue_as(t.r, t.cf, "2026-7", 6, "bob@example.org",
	    NOW + 2000);
	items = test_suppress_claim(&t, NOW + 2000, 2);
	assert_string_equal(items[0]->id, "2026-7/5/0");
	assert_int_equal(items[0]->rate_until, NOW + HOUR);
	assert_int_equal(items[0]->suppressed, 0);
	assert_true(outbox_skip(items[0]));
	assert_string_equal(items[1]->id, "2026-7/6/0");
	assert_int_equal(items[1]->rate_until, 0);
	testnotice_items_free(items, 2);
	v = testnotice_field(t.r, t.cf, "2026-7/5/0", "attempts");
	assert_string_equal(v, "0");
	free(v);
	assert_int_equal(test_suppress_hour(&t, "ana@example.org"), 2);
	assert_int_equal(test_suppress_hour(&t, "bob@example.org"), 1);

	/* Once the first has left the hour, it goes. */
	assert_int_equal(claim_recover(t.r, t.cf, "me", NOW + HOUR + 1,
	    &cause), 4);
	redis_reply_free(redis_command(t.r, NULL,
	    "ZREM closeloop:outbox:email 2026-7/3/0 2026-7/4/0 2026-7/6/0"));
	items = test_suppress_claim(&t, NOW + HOUR + 1, 1);
	assert_string_equal(items[0]->id, "2026-7/5/0");
	assert_int_equal(items[0]->rate_until, 0);
	testnotice_items_free(items, 1);
	test_suppress_close(&t);
}

/* delivery.max_per_contact_per_hour = 0: no limit, no hour kept. */
static void
test_suppress_rate_off(void **state)
{
	struct test_suppress	 t;
	struct outbox_item	**items;
	size_t			  i;

	(void)state;
	test_suppress_open(&t, "delivery = { max_per_contact_per_hour = 0; };");
	for (i = 0; i < 5; i++)
		testnotice_queue_as(t.r, t.cf, "2026-7", 3 + (int)i,
		    "ana@example.org", NOW);
	items = test_suppress_claim(&t, NOW, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(items[i]->rate_until, 0);
	testnotice_items_free(items, 5);
	assert_int_equal(test_suppress_hour(&t, "ana@example.org"), 0);
	test_suppress_close(&t);
}

/* Start the server, run the tests, stop it. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_suppress_hash),
		cmocka_unit_test(test_suppress_queue),
		cmocka_unit_test(test_suppress_list),
		cmocka_unit_test(test_suppress_clear),
		cmocka_unit_test(test_suppress_claimed),
		cmocka_unit_test(test_suppress_rate),
		cmocka_unit_test(test_suppress_rate_off),
	};

	return testredis_run(&ts, "suppress", tests,
	    sizeof tests / sizeof tests[0]);
}
