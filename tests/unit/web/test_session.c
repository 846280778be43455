/*
 * test_session.c - unit tests for the console's sessions (session.c)
 *
 * Against a private redis-server: a new session reads back with its
 * user, role, divisions and a CSRF token of 64 hex digits of its own;
 * Redis keeps it under the SHA-256 of its id (checked with sha256sum)
 * and holds the id nowhere; its idle end is the key's TTL, pushed on at
 * each read; past its absolute end it reads as none and is deleted, as
 * is a damaged one; ending one session, or all of a user's, leaves the
 * others; an id of the wrong length reads as none. Without Redis: who
 * may see which division, and the lists of divisions.
 */
#include "build.h"

#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clock.h"
#include "config.h"
#include "redis.h"
#include "session.h"
#include "testredis.h"
#include "testserver.h"
#include "xmalloc.h"

/* web.session_idle_minutes and web.session_max_hours of the tests. */
#define IDLE_MIN	5
#define MAX_HOURS	2

static struct testserver	ts;

/* Load the tests' configuration. */
static struct config *
test_session_config(void)
{
	return testserver_config(&ts, NULL, "web = { session_idle_minutes = 5; "
	    "session_max_hours = 2; cookie_secure = false; };");
}

/* Return 1 if s is n lower-case hex digits. */
static int
test_session_hex(const char *s, size_t n)
{
	size_t	 i;

	if (strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) ||
		    isupper((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Return the SHA-256 of text as sha256sum(1) gives it (allocated). */
static char *
test_session_sha256sum(const char *text)
{
	char	*cmd, out[128];
	FILE	*p;

	cmd = xasprintf("printf '%%s' '%s' | sha256sum", text);
	if ((p = popen(cmd, "r")) == NULL)
		fail_msg("popen %s", cmd);
	if (fgets(out, sizeof out, p) == NULL)
		fail_msg("no output from %s", cmd);
	assert_int_equal(pclose(p), 0);
	free(cmd);
	return xstrndup(out, 64);
}

/* Return the key of session id, by sha256sum (allocated). */
static char *
test_session_key(const char *id)
{
	char	*hash, *key;

	hash = test_session_sha256sum(id);
	key = xasprintf("closeloop:web:session:%s", hash);
	free(hash);
	return key;
}

/* Start a session; fails the test if it cannot. */
static void
test_session_new(struct redis *r, const struct config *cf, const char *user,
    enum role role, char *const *divs, size_t ndivs,
    char id[SESSION_ID_LEN + 1])
{
	char	*cause = NULL;

	if (session_new(r, cf, user, role, divs, ndivs, id, &cause) != 0)
		fail_msg("session_new: %s", cause);
}

/* Read session id; NULL if there is none. */
static struct session *
test_session_get(struct redis *r, const struct config *cf, const char *id)
{
	struct session	*s = (struct session *)1;
	char		*cause = NULL;

	if (session_get(r, cf, id, &s, &cause) != 0)
		fail_msg("session_get: %s", cause);
	assert_null(cause);
	return s;
}

/* Return the integer reply of command cmd on key (TTL, EXISTS). */
static long long
test_session_int(struct redis *r, const char *cmd, const char *key)
{
	char		*line = xasprintf("%s %s", cmd, key);
	long long	 n = testredis_int(r, line);

	free(line);
	return n;
}

/* Run a command in words that must succeed. */
static void
test_session_do(struct redis *r, int argc, const char **argv)
{
	struct redis_reply	*rep;
	char			*cause = NULL;

	rep = redis_command_argv(r, &cause, argc, argv, NULL);
	if (rep == NULL)
		fail_msg("%s: %s", argv[0], cause);
	assert_int_not_equal(rep->type, REDIS_TYPE_ERROR);
	redis_reply_free(rep);
}

/* A session reads back with what it was made with. */
static void
test_session_fields(void **state)
{
	struct config	*cf = test_session_config();
	struct redis	*r = testredis_open(cf);
	char		*divs[] = { "TS", "TW" };
	char		 id[SESSION_ID_LEN + 1], id2[SESSION_ID_LEN + 1];
	struct session	*s, *s2;
	int64_t		 before, after;

	(void)state;
	before = clock_now();
	test_session_new(r, cf, "ana", ROLE_DIVISION, divs, 2, id);
	after = clock_now();
	assert_true(test_session_hex(id, SESSION_ID_LEN));
	s = test_session_get(r, cf, id);
	assert_non_null(s);
	assert_string_equal(s->user, "ana");
	assert_int_equal(s->role, ROLE_DIVISION);
	assert_int_equal(s->ndivisions, 2);
	assert_string_equal(s->divisions[0], "TS");
	assert_string_equal(s->divisions[1], "TW");
	assert_true(test_session_hex(s->csrf, SESSION_CSRF_LEN));
	assert_string_not_equal(s->csrf, id);
	assert_true(s->created >= before && s->created <= after);
	assert_int_equal(s->sso, 0);
	/* It reads the same again. */
	s2 = test_session_get(r, cf, id);
	assert_non_null(s2);
	assert_string_equal(s2->csrf, s->csrf);
	session_free(s2);

	/* Another session: another id and token; no divisions for ops. */
	test_session_new(r, cf, "bob", ROLE_OPS, NULL, 0, id2);
	assert_string_not_equal(id, id2);
	s2 = test_session_get(r, cf, id2);
	assert_non_null(s2);
	assert_string_equal(s2->user, "bob");
	assert_int_equal(s2->role, ROLE_OPS);
	assert_int_equal(s2->ndivisions, 0);
	assert_string_not_equal(s2->csrf, s->csrf);
	session_free(s);
	session_free(s2);
	session_free(NULL);
	redis_free(r);
	config_free(cf);
}

/* Redis holds the SHA-256 of the id, never the id. */
static void
test_session_keys(void **state)
{
	struct config		*cf = test_session_config();
	struct redis		*r = testredis_open(cf);
	struct redis_reply	*rep, *vals;
	const char		*argv[2];
	char			 id[SESSION_ID_LEN + 1], *key, *hash;
	size_t			 i, j;

	(void)state;
	test_session_new(r, cf, "ana", ROLE_AUDITOR, NULL, 0, id);
	key = test_session_key(id);
	assert_int_equal(test_session_int(r, "EXISTS", key), 1);
	/* The user's set names the session by the same hash. */
	hash = test_session_sha256sum(id);
	rep = redis_command(r, NULL, "SISMEMBER closeloop:web:sessions:ana "
	    "%s", hash);
	assert_non_null(rep);
	assert_int_equal(rep->integer, 1);
	redis_reply_free(rep);
	/* Those two keys, and the id in neither name nor value. */
	assert_int_equal(testredis_int(r, "DBSIZE"), 2);
	argv[0] = "KEYS";
	argv[1] = "*";
	rep = redis_command_argv(r, NULL, 2, argv, NULL);
	assert_non_null(rep);
	assert_int_equal(rep->elements, 2);
	for (i = 0; i < rep->elements; i++) {
		assert_null(strstr(rep->element[i]->str, id));
		if (strcmp(rep->element[i]->str, key) == 0)
			vals = redis_command(r, NULL, "HVALS %s",
			    rep->element[i]->str);
		else
			vals = redis_command(r, NULL, "SMEMBERS %s",
			    rep->element[i]->str);
		assert_non_null(vals);
		assert_int_equal(vals->type, REDIS_TYPE_ARRAY);
		for (j = 0; j < vals->elements; j++)
			assert_null(strstr(vals->element[j]->str, id));
		redis_reply_free(vals);
	}
	redis_reply_free(rep);
	free(hash);
	free(key);
	redis_free(r);
	config_free(cf);
}

/* The idle end is the key's TTL, pushed on at each read. */
static void
test_session_idle(void **state)
{
	struct config	*cf = test_session_config();
	struct redis	*r = testredis_open(cf);
	struct session	*s;
	const char	*argv[3];
	char		 id[SESSION_ID_LEN + 1], *key;
	long long	 ttl;

	(void)state;
	test_session_new(r, cf, "ana", ROLE_COMMS, NULL, 0, id);
	key = test_session_key(id);
	ttl = test_session_int(r, "TTL", key);
	assert_true(ttl > IDLE_MIN * 60 - 5 && ttl <= IDLE_MIN * 60);
	/* The user's set lives as long as a session may. */
	ttl = test_session_int(r, "TTL", "closeloop:web:sessions:ana");
	assert_true(ttl > MAX_HOURS * 3600 - 5 && ttl <= MAX_HOURS * 3600);
	/* Nearly idle out; a read pushes the end on again. */
	argv[0] = "EXPIRE";
	argv[1] = key;
	argv[2] = "10";
	test_session_do(r, 3, argv);
	assert_true(test_session_int(r, "TTL", key) <= 10);
	s = test_session_get(r, cf, id);
	assert_non_null(s);
	session_free(s);
	ttl = test_session_int(r, "TTL", key);
	assert_true(ttl > IDLE_MIN * 60 - 5 && ttl <= IDLE_MIN * 60);
	/* Once idled out (the key gone), there is no session. */
	argv[0] = "DEL";
	test_session_do(r, 2, argv);
	assert_null(test_session_get(r, cf, id));
	free(key);
	redis_free(r);
	config_free(cf);
}

/* Past its absolute end a session reads as none, and is deleted. */
static void
test_session_absolute(void **state)
{
	struct config	*cf = test_session_config();
	struct redis	*r = testredis_open(cf);
	struct session	*s;
	const char	*argv[4];
	char		 id[SESSION_ID_LEN + 1], *key, created[32];

	(void)state;
	test_session_new(r, cf, "ana", ROLE_OPS, NULL, 0, id);
	key = test_session_key(id);
	argv[0] = "HSET";
	argv[1] = key;
	argv[2] = "created";
	argv[3] = created;
	/* A minute short of the end: still there. */
	snprintf(created, sizeof created, "%lld", (long long)(clock_now() -
	    MAX_HOURS * 3600000LL + 60000));
	test_session_do(r, 4, argv);
	s = test_session_get(r, cf, id);
	assert_non_null(s);
	session_free(s);
	/* A second past it: over, though the idle end is far. */
	snprintf(created, sizeof created, "%lld", (long long)(clock_now() -
	    MAX_HOURS * 3600000LL - 1000));
	test_session_do(r, 4, argv);
	assert_true(test_session_int(r, "TTL", key) > 60);
	assert_null(test_session_get(r, cf, id));
	assert_int_equal(test_session_int(r, "EXISTS", key), 0);
	free(key);
	redis_free(r);
	config_free(cf);
}

/* A damaged session reads as none and is deleted. */
static void
test_session_damaged(void **state)
{
	static const char *const damage[][2] = {
		{ "role", "root" },
		{ "role", "" },
		{ "csrf", "abc" },
	};
	struct config	*cf = test_session_config();
	struct redis	*r = testredis_open(cf);
	const char	*argv[4];
	char		 id[SESSION_ID_LEN + 1], *key;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof damage / sizeof damage[0]; i++) {
		test_session_new(r, cf, "ana", ROLE_OPS, NULL, 0, id);
		key = test_session_key(id);
		argv[0] = "HSET";
		argv[1] = key;
		argv[2] = damage[i][0];
		argv[3] = damage[i][1];
		test_session_do(r, 4, argv);
		assert_null(test_session_get(r, cf, id));
		assert_int_equal(test_session_int(r, "EXISTS", key), 0);
		free(key);
	}
	redis_free(r);
	config_free(cf);
}

/* Ending one session, or a user's, leaves the others. */
static void
test_session_end(void **state)
{
	struct config	*cf = test_session_config();
	struct redis	*r = testredis_open(cf);
	struct session	*s;
	char		 a1[SESSION_ID_LEN + 1], a2[SESSION_ID_LEN + 1];
	char		 a3[SESSION_ID_LEN + 1], b1[SESSION_ID_LEN + 1];
	char		*cause = NULL;

	(void)state;
	test_session_new(r, cf, "ana", ROLE_OPS, NULL, 0, a1);
	test_session_new(r, cf, "ana", ROLE_OPS, NULL, 0, a2);
	test_session_new(r, cf, "ana", ROLE_OPS, NULL, 0, a3);
	test_session_new(r, cf, "bob", ROLE_OPS, NULL, 0, b1);
	/* Sign-out ends that one session. */
	assert_int_equal(session_end(r, cf, a1, &cause), 0);
	assert_null(test_session_get(r, cf, a1));
	assert_non_null(s = test_session_get(r, cf, a2));
	session_free(s);
	/* A second end, or an id of the wrong length, does nothing. */
	assert_int_equal(session_end(r, cf, a1, &cause), 0);
	assert_int_equal(session_end(r, cf, "abc", &cause), 0);
	assert_int_equal(session_end(r, cf, NULL, &cause), 0);
	/* A user's sessions all end; another user's stays. */
	assert_int_equal(session_end_user(r, cf, "ana", &cause), 0);
	assert_null(test_session_get(r, cf, a2));
	assert_null(test_session_get(r, cf, a3));
	assert_int_equal(test_session_int(r, "EXISTS",
	    "closeloop:web:sessions:ana"), 0);
	assert_non_null(s = test_session_get(r, cf, b1));
	assert_string_equal(s->user, "bob");
	session_free(s);
	/* A user with no session: nothing to end. */
	assert_int_equal(session_end_user(r, cf, "carol", &cause), 0);
	assert_null(cause);
	redis_free(r);
	config_free(cf);
}

/* An id of the wrong length, or unknown, reads as none. */
static void
test_session_bad_id(void **state)
{
	struct config	*cf = test_session_config();
	struct redis	*r = testredis_open(cf);
	char		 id[SESSION_ID_LEN + 1], *longer, *other;

	(void)state;
	test_session_new(r, cf, "ana", ROLE_OPS, NULL, 0, id);
	assert_null(test_session_get(r, cf, NULL));
	assert_null(test_session_get(r, cf, ""));
	assert_null(test_session_get(r, cf, "abc"));
	other = xstrndup(id, SESSION_ID_LEN - 1);
	assert_null(test_session_get(r, cf, other));
	free(other);
	longer = xasprintf("%s0", id);
	assert_null(test_session_get(r, cf, longer));
	free(longer);
	/* One digit off: another key, no session. */
	other = xstrdup(id);
	other[10] = other[10] == '0' ? '1' : '0';
	assert_null(test_session_get(r, cf, other));
	free(other);
	/* Nothing of that touched the real one. */
	assert_int_equal(testredis_int(r, "DBSIZE"), 2);
	redis_free(r);
	config_free(cf);
}

/* A division user sees only their divisions; the other roles all. */
static void
test_session_sees(void **state)
{
	char		*divs[] = { "TS", "TW" };
	struct session	 s;
	enum role	 roles[] = { ROLE_OPS, ROLE_COMMS, ROLE_AUDITOR };
	size_t		 i;

	(void)state;
	memset(&s, 0, sizeof s);
	s.user = "ana";
	s.role = ROLE_DIVISION;
	s.divisions = divs;
	s.ndivisions = 2;
	assert_int_equal(session_sees(&s, "TS"), 1);
	assert_int_equal(session_sees(&s, "TW"), 1);
	assert_int_equal(session_sees(&s, "SWMS"), 0);
	assert_int_equal(session_sees(&s, "ts"), 0);
	assert_int_equal(session_sees(&s, "T"), 0);
	assert_int_equal(session_sees(&s, ""), 0);
	assert_int_equal(session_sees(&s, NULL), 0);
	/* A division user without divisions sees nothing. */
	s.ndivisions = 0;
	assert_int_equal(session_sees(&s, "TS"), 0);
	for (i = 0; i < sizeof roles / sizeof roles[0]; i++) {
		s.role = roles[i];
		assert_int_equal(session_sees(&s, "TS"), 1);
		assert_int_equal(session_sees(&s, "SWMS"), 1);
		assert_int_equal(session_sees(&s, NULL), 1);
	}
}

/* Lists of divisions split and join back. */
static void
test_session_divisions(void **state)
{
	static const struct {
		const char	*in;
		size_t		 n;
		const char	*joined;
	} cases[] = {
		{ "TS,TW", 2, "TS,TW" },
		{ "TS", 1, "TS" },
		{ "", 0, "" },
		{ NULL, 0, "" },
		{ ",TS,,TW,", 2, "TS,TW" },
		{ "TS,TW,SWMS", 3, "TS,TW,SWMS" },
	};
	char	**list, *joined;
	size_t	 n, i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		session_divisions(cases[i].in, &list, &n);
		assert_int_equal(n, cases[i].n);
		joined = session_divisions_join(list, n);
		assert_string_equal(joined, cases[i].joined);
		free(joined);
		session_divisions_free(list, n);
	}
	session_divisions("TS,TW", &list, &n);
	assert_string_equal(list[0], "TS");
	assert_string_equal(list[1], "TW");
	session_divisions_free(list, n);
	session_divisions_free(NULL, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session_fields),
		cmocka_unit_test(test_session_keys),
		cmocka_unit_test(test_session_idle),
		cmocka_unit_test(test_session_absolute),
		cmocka_unit_test(test_session_damaged),
		cmocka_unit_test(test_session_end),
		cmocka_unit_test(test_session_bad_id),
		cmocka_unit_test(test_session_sees),
		cmocka_unit_test(test_session_divisions),
	};

	return testredis_run(&ts, "session", tests,
	    sizeof tests / sizeof tests[0]);
}
