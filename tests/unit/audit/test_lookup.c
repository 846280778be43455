/*
 * test_lookup.c - unit tests for the keyed index of contacts (lookup.c)
 *
 * The names: the HMAC-SHA-256 of the kind and the contact, checked
 * against Python's hmac module; an address in any case gives one name,
 * an address and a number of the same text never share one, another
 * key gives other names. What a person types is turned into the
 * contact the names are made of. Against a private redis-server: a
 * step's transaction adds the SR to each of its contacts' sets, each
 * once, and a set shared by SRs lives as long as the longest of them;
 * without audit.lookup_secret_file nothing is written.
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
#include "srstate.h"
#include "testredis.h"
#include "testserver.h"
#include "txn.h"
#include "xmalloc.h"

#define KEY	"l00kup-k3y"
/* HMAC-SHA-256 under KEY, as Python's hmac.new(KEY, text, sha256) says. */
#define H_EMAIL	"cc9ebc12ce4b887eba47a3c932a8ef92ede57cb51e945f7adfc177e883c69318"
#define H_PHONE	"1b5d56bc325ea488a13a0973f2ed233703fdb1c54feefb15e51badcd4dcba685"
#define H_EX	"2d9cd0c01b75f9a670ca647a6b07675f10b453826bac97573048329942a728a1"
#define H_PX	"6d20f39a3f0b0f176fb2f073f3de416aba88c1d0e9c1bc7264f85ccc79a8b80d"

static struct testserver	ts;

/* The names of contacts: known values, case folding, kinds kept apart. */
static void
test_lookup_hash(void **state)
{
	char	a[DIGEST_HEX_LEN + 1], b[DIGEST_HEX_LEN + 1];

	(void)state;
	lookup_hash(KEY, EVENT_CHANNEL_EMAIL, "ana.lima@example.org", a);
	assert_string_equal(a, H_EMAIL);
	lookup_hash(KEY, EVENT_CHANNEL_EMAIL, "Ana.LIMA@Example.ORG", a);
	assert_string_equal(a, H_EMAIL);
	lookup_hash(KEY, EVENT_CHANNEL_SMS, "+14165550102", a);
	assert_string_equal(a, H_PHONE);
	/* "email:x" and "phone:x": one text, two kinds, two names. */
	lookup_hash(KEY, EVENT_CHANNEL_EMAIL, "x", a);
	assert_string_equal(a, H_EX);
	lookup_hash(KEY, EVENT_CHANNEL_SMS, "x", b);
	assert_string_equal(b, H_PX);
	/* Only the whole address: a part of it is another name. */
	lookup_hash(KEY, EVENT_CHANNEL_EMAIL, "lima@example.org", a);
	assert_string_not_equal(a, H_EMAIL);
	/* Another key, other names. */
	lookup_hash("another-k3y", EVENT_CHANNEL_EMAIL,
	    "ana.lima@example.org", a);
	assert_string_not_equal(a, H_EMAIL);
	lookup_hash("another-k3y", EVENT_CHANNEL_SMS, "+14165550102", a);
	assert_string_not_equal(a, H_PHONE);
	lookup_hash(KEY "!", EVENT_CHANNEL_SMS, "+14165550102", a);
	assert_string_not_equal(a, H_PHONE);
}

/* What a person types, turned into a contact or refused. */
static void
test_lookup_contact(void **state)
{
	static const struct {
		int		 channel;
		const char	*typed;
		const char	*want;	/* NULL: refused */
	} cases[] = {
		{ EVENT_CHANNEL_SMS, "+14165550102", "+14165550102" },
		{ EVENT_CHANNEL_SMS, "+1 (416) 555-0102", "+14165550102" },
		{ EVENT_CHANNEL_SMS, "+1.416.555.0102", "+14165550102" },
		{ EVENT_CHANNEL_SMS, "416-555-0102", NULL },
		{ EVENT_CHANNEL_SMS, "+1416555", NULL },
		{ EVENT_CHANNEL_SMS, "+1 416 555 0102 x2", NULL },
		{ EVENT_CHANNEL_EMAIL, "Ana.Lima@Example.org",
		    "Ana.Lima@Example.org" },
		{ EVENT_CHANNEL_EMAIL, "ana.lima", NULL },
		{ EVENT_CHANNEL_EMAIL, "ana lima@example.org", NULL },
		{ EVENT_CHANNEL_EMAIL, "", NULL },
	};
	const char	*why;
	char		*got;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		why = NULL;
		got = lookup_contact(cases[i].channel, cases[i].typed, &why);
		if (cases[i].want == NULL) {
			assert_null(got);
			assert_non_null(why);
		} else {
			assert_non_null(got);
			assert_string_equal(got, cases[i].want);
		}
		free(got);
	}
}

/* Load a configuration with the lookup key, or without (key NULL). */
static struct config *
test_lookup_config(const char *key)
{
	char	path[160], extra[256];
	FILE	*f;

	if (key == NULL)
		return testserver_config(&ts, NULL, NULL);
	snprintf(path, sizeof path, "%s/lookup.secret", ts.dir);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "%s\n", key);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0600), 0);
	snprintf(extra, sizeof extra,
	    "audit = { lookup_secret_file = \"%s\"; };", path);
	return testserver_config(&ts, NULL, extra);
}

/* The key of a set: the prefix and the name; none without the key. */
static void
test_lookup_key(void **state)
{
	struct config	*cf;
	char		*key;

	(void)state;
	cf = test_lookup_config(KEY);
	key = lookup_key(cf, EVENT_CHANNEL_EMAIL, "ANA.lima@example.org");
	assert_string_equal(key, "closeloop:find:" H_EMAIL);
	free(key);
	config_free(cf);
	cf = test_lookup_config(NULL);
	assert_null(lookup_key(cf, EVENT_CHANNEL_EMAIL,
	    "ana.lima@example.org"));
	config_free(cf);
}

/*
 * A state for SR sr: an email contact with a phone as its fallback,
 * and that phone as an SMS contact of its own.
 */
static struct srstate *
test_lookup_state(const char *sr, const char *email)
{
	struct srstate		*st;
	struct srstate_contact	*c;

	st = srstate_new(sr);
	c = srstate_contact_add(st, EVENT_CHANNEL_EMAIL, email);
	c->alt = xstrdup("+14165550102");
	srstate_contact_add(st, EVENT_CHANNEL_SMS, "+14165550102");
	return st;
}

/* Queue st's entries with ttl and commit them. */
static void
test_lookup_write(struct redis *r, const struct config *cf,
    const struct srstate *st, long long ttl)
{
	struct txn	 tx;
	char		*cause = NULL;

	txn_begin(&tx, r);
	lookup_index(&tx, cf, st, ttl);
	assert_int_equal(txn_exec(&tx, st->sr, &cause), 1);
}

/* Return the TTL of a contact's set, in seconds. */
static long long
test_lookup_ttl(struct redis *r, const char *hex)
{
	char		*cmd;
	long long	 ttl;

	cmd = xasprintf("TTL closeloop:find:%s", hex);
	ttl = testredis_int(r, cmd);
	free(cmd);
	return ttl;
}

/* Free the SRs lookup_members() read. */
static void
test_lookup_free(char **sr, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(sr[i]);
	free(sr);
}

/* A step writes each set once; shared sets live as long as the longest. */
static void
test_lookup_index(void **state)
{
	struct config	*cf;
	struct redis	*r;
	struct srstate	*a, *b;
	char		**sr, *cause = NULL;
	size_t		 n;

	(void)state;
	cf = test_lookup_config(KEY);
	r = testredis_open(cf);
	a = test_lookup_state("A-1", "ana.lima@example.org");
	b = test_lookup_state("A-2", "Ana.Lima@EXAMPLE.org");
	test_lookup_write(r, cf, a, 1000);
	/* Two contacts and a fallback: two sets, nothing else. */
	assert_int_equal(testredis_int(r, "DBSIZE"), 2);
	assert_int_equal(testredis_int(r, "SCARD closeloop:find:" H_EMAIL),
	    1);
	assert_int_equal(testredis_int(r, "SCARD closeloop:find:" H_PHONE),
	    1);
	assert_int_equal(test_lookup_ttl(r, H_EMAIL), 1000);
	/* A longer life extends the shared sets; a shorter one does not. */
	test_lookup_write(r, cf, b, 5000);
	assert_int_equal(test_lookup_ttl(r, H_EMAIL), 5000);
	test_lookup_write(r, cf, a, 10);
	assert_int_equal(test_lookup_ttl(r, H_PHONE), 5000);
	assert_int_equal(lookup_members(r, cf, EVENT_CHANNEL_EMAIL,
	    "ANA.LIMA@example.org", &sr, &n, &cause), 0);
	assert_int_equal(n, 2);
	assert_true((strcmp(sr[0], "A-1") == 0 && strcmp(sr[1], "A-2") == 0) ||
	    (strcmp(sr[0], "A-2") == 0 && strcmp(sr[1], "A-1") == 0));
	test_lookup_free(sr, n);
	assert_int_equal(lookup_members(r, cf, EVENT_CHANNEL_EMAIL,
	    "lima@example.org", &sr, &n, &cause), 0);
	assert_int_equal(n, 0);
	test_lookup_free(sr, n);
	/* The state has the contact in any case, and its fallback. */
	assert_int_equal(lookup_has(b, EVENT_CHANNEL_EMAIL,
	    "ana.lima@example.org"), 1);
	assert_int_equal(lookup_has(b, EVENT_CHANNEL_SMS, "+14165550102"), 1);
	assert_int_equal(lookup_has(b, EVENT_CHANNEL_SMS, "+14165550103"), 0);
	assert_int_equal(lookup_has(b, EVENT_CHANNEL_EMAIL, "+14165550102"),
	    0);
	srstate_free(a);
	srstate_free(b);
	redis_free(r);
	config_free(cf);
}

/* Without audit.lookup_secret_file nothing is written or read. */
static void
test_lookup_off(void **state)
{
	struct config	*cf;
	struct redis	*r;
	struct srstate	*st;
	char		**sr, *cause = NULL;
	size_t		 n;

	(void)state;
	cf = test_lookup_config(NULL);
	r = testredis_open(cf);
	st = test_lookup_state("A-1", "ana.lima@example.org");
	test_lookup_write(r, cf, st, 1000);
	assert_int_equal(testredis_int(r, "DBSIZE"), 0);
	assert_int_equal(lookup_members(r, cf, EVENT_CHANNEL_SMS,
	    "+14165550102", &sr, &n, &cause), -1);
	assert_string_equal(cause, "audit.lookup_secret_file is not set");
	free(cause);
	srstate_free(st);
	redis_free(r);
	config_free(cf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_hash),
		cmocka_unit_test(test_lookup_contact),
		cmocka_unit_test(test_lookup_key),
		cmocka_unit_test(test_lookup_index),
		cmocka_unit_test(test_lookup_off),
	};

	return testredis_run(&ts, "lookup", tests,
	    sizeof tests / sizeof tests[0]);
}
