/*
 * test_proxy.c - unit tests for single sign-on through the city's proxy
 * (proxy.c)
 *
 * Requests are built by hand against a console made from a temporary
 * configuration (web.trusted_proxies, web.groups) and the shipped pages.
 * From a trusted proxy, X-Remote-User with X-Remote-Groups gives the
 * strongest role of the matching groups, and a division user the union
 * of their groups' divisions; no matching group is a 403. From anyone
 * else the headers give nobody, and are logged. A user name with a
 * control character or a space, or too long, gives nobody. The CSRF
 * token of a proxy user is 64 hex digits, the same for a user from one
 * request to the next and different between users and between starts.
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

#include "config.h"
#include "fixture.h"
#include "httpreq.h"
#include "httpresp.h"
#include "page.h"
#include "proxy.h"
#include "session.h"
#include "testlog.h"
#include "web.h"
#include "webreq.h"
#include "xmalloc.h"

#define TRUSTED		"10.1.2.3"
#define TRUSTED6	"fd00::7"
#define STRANGER	"10.9.9.9"

/* What one identified request gave. */
struct test_proxy_req {
	struct httpreq		*req;
	struct http_response	 resp;
	struct webreq		 q;
	int			 rc;
};

/* Make a console from a fresh configuration and the shipped pages. */
static struct web *
test_proxy_web(void)
{
	struct fixture	 fx;
	struct config	*cf;
	struct page	*pages;
	struct web	*w;
	const char	*top = getenv("top_srcdir");
	char		*text, *path, *dir, *cause = NULL;

	if (top == NULL || *top == '\0')
		top = ".";
	dir = xasprintf("%s/src/web/pages", top);
	fixture_open(&fx);
	text = xasprintf(
	    "web = {\n"
	    "\tpages_dir = \"%s\";\n"
	    "\tchartjs = \"%s/charts.js\";\n"
	    "\ttrusted_proxies = [ \"" TRUSTED "\", \"" TRUSTED6 "\" ];\n"
	    "\tgroups = (\n"
	    "\t\t{ group = \"311-roads\"; role = \"division\"; "
	    "divisions = [ \"TS\" ]; },\n"
	    "\t\t{ group = \"311-water\"; role = \"division\"; "
	    "divisions = [ \"TW\", \"TS\" ]; },\n"
	    "\t\t{ group = \"311-comms\"; role = \"comms\"; },\n"
	    "\t\t{ group = \"311-audit\"; role = \"auditor\"; },\n"
	    "\t\t{ group = \"311-ops\"; role = \"ops\"; },\n"
	    "\t\t{ group = \"CN=311 Audit\"; role = \"auditor\"; }\n"
	    "\t);\n"
	    "};\n"
	    "divisions = { TS = { name = { en = \"Transportation "
	    "Services\"; }; }; TW = { name = { en = \"Toronto Water\"; }; }; "
	    "};\n", dir, dir);
	fixture_write(&fx, "closeloopd.conf", text);
	free(text);
	path = xasprintf("%s/closeloopd.conf", fx.dir);
	if ((cf = config_load_web(path, &cause)) == NULL)
		fail_msg("config_load_web: %s", cause);
	free(path);
	fixture_cleanup(&fx);
	if ((pages = page_load(dir, &cause)) == NULL)
		fail_msg("page_load: %s", cause);
	free(dir);
	if ((w = web_new(cf, pages, NULL, NULL, &cause)) == NULL)
		fail_msg("web_new: %s", cause);
	return w;
}

/* Start the tests with a console. */
static int
test_proxy_setup(void **state)
{
	*state = test_proxy_web();
	return 0;
}

/* Free the console. */
static int
test_proxy_teardown(void **state)
{
	web_free(*state);
	return 0;
}

/*
 * Identify a request from peer with the headers user and groups (either
 * may be NULL), as web.c does; the log goes to *log if log is not NULL.
 */
static void
test_proxy_ask(struct test_proxy_req *t, struct web *w, const char *peer,
    const char *user, const char *groups, char **log)
{
	struct testlog	 tl;

	memset(t, 0, sizeof *t);
	t->req = httpreq_new("GET", "/find", peer);
	httpreq_add_header(t->req, "Host", "console.example.org");
	if (user != NULL)
		httpreq_add_header(t->req, "X-Remote-User", user);
	if (groups != NULL)
		httpreq_add_header(t->req, "X-Remote-Groups", groups);
	assert_int_equal(httpreq_prepare(t->req), 0);
	t->q.w = w;
	t->q.cf = w->cf;
	t->q.req = t->req;
	t->q.resp = &t->resp;
	t->q.peer = httpreq_peer(t->req);
	testlog_start(&tl);
	t->rc = proxy_identify(&t->q);
	if (log != NULL)
		*log = testlog_stop(&tl);
	else
		free(testlog_stop(&tl));
}

/* Free what a request holds. */
static void
test_proxy_done(struct test_proxy_req *t)
{
	session_free(t->q.who);
	httpresp_clear(&t->resp);
	httpreq_free(t->req);
}

/* Check that the request gave user with role and nothing answered. */
static void
test_proxy_want(const struct test_proxy_req *t, const char *user,
    enum role role)
{
	assert_int_equal(t->rc, 0);
	assert_non_null(t->q.who);
	assert_string_equal(t->q.who->user, user);
	if (t->q.who->role != role)
		fail_msg("%s: role %s, want %s", user,
		    role_name(t->q.who->role), role_name(role));
	assert_int_equal(t->q.who->sso, 1);
	assert_int_equal(t->resp.status, 0);
	assert_int_equal(t->resp.nheaders, 0);
}

/* Return 1 if the divisions of who are exactly those of want. */
static int
test_proxy_divisions(const struct session *who, const char *const *want)
{
	size_t	 i;

	for (i = 0; want[i] != NULL; i++)
		if (i >= who->ndivisions || strcmp(who->divisions[i],
		    want[i]) != 0)
			return 0;
	return i == who->ndivisions;
}

/* The strongest role of the user's groups wins. */
static void
test_proxy_roles(void **state)
{
	static const struct {
		const char	*groups;
		enum role	 role;
	} cases[] = {
		{ "311-ops", ROLE_OPS },
		{ "311-audit", ROLE_AUDITOR },
		{ "311-comms", ROLE_COMMS },
		{ "311-roads", ROLE_DIVISION },
		{ "311-roads,311-comms", ROLE_COMMS },
		{ "311-comms;311-audit", ROLE_AUDITOR },
		{ "311-audit, 311-ops", ROLE_OPS },
		{ "311-ops,311-roads", ROLE_OPS },
		{ "311-roads;311-ops;311-audit;311-comms", ROLE_OPS },
		{ "everyone, 311-comms , staff", ROLE_COMMS },
		{ " 311-audit ", ROLE_AUDITOR },
		{ ",;311-comms;,", ROLE_COMMS },
		{ "CN=311 Audit", ROLE_AUDITOR },
		{ "CN=311 Audit;311-comms", ROLE_AUDITOR },
		{ "CN=311", ROLE_NONE },
	};
	struct web		*w = *state;
	struct test_proxy_req	 t;
	size_t			 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		test_proxy_ask(&t, w, TRUSTED, "ana", cases[i].groups, NULL);
		if (cases[i].role == ROLE_NONE) {
			assert_int_equal(t.rc, -1);
			assert_null(t.q.who);
		} else {
			test_proxy_want(&t, "ana", cases[i].role);
			/* Only a division user has divisions. */
			if (cases[i].role != ROLE_DIVISION)
				assert_int_equal(t.q.who->ndivisions, 0);
		}
		test_proxy_done(&t);
	}
	/* From the IPv6 proxy too. */
	test_proxy_ask(&t, w, TRUSTED6, "ana", "311-ops", NULL);
	test_proxy_want(&t, "ana", ROLE_OPS);
	test_proxy_done(&t);
}

/* A division user sees the divisions of every matching group, once. */
static void
test_proxy_divisions_union(void **state)
{
	struct web		*w = *state;
	struct test_proxy_req	 t;

	test_proxy_ask(&t, w, TRUSTED, "ana", "311-roads", NULL);
	test_proxy_want(&t, "ana", ROLE_DIVISION);
	assert_true(test_proxy_divisions(t.q.who,
	    (const char *[]){ "TS", NULL }));
	assert_int_equal(session_sees(t.q.who, "TS"), 1);
	assert_int_equal(session_sees(t.q.who, "TW"), 0);
	test_proxy_done(&t);
	test_proxy_ask(&t, w, TRUSTED, "ana", "311-roads,311-water", NULL);
	test_proxy_want(&t, "ana", ROLE_DIVISION);
	assert_true(test_proxy_divisions(t.q.who,
	    (const char *[]){ "TS", "TW", NULL }));
	assert_int_equal(session_sees(t.q.who, "TW"), 1);
	assert_int_equal(session_sees(t.q.who, "SWMS"), 0);
	test_proxy_done(&t);
	test_proxy_ask(&t, w, TRUSTED, "ana", "311-water;311-roads;311-water",
	    NULL);
	assert_true(test_proxy_divisions(t.q.who,
	    (const char *[]){ "TW", "TS", NULL }));
	test_proxy_done(&t);
	/* With a stronger role, no divisions: it sees them all. */
	test_proxy_ask(&t, w, TRUSTED, "ana", "311-roads,311-audit", NULL);
	test_proxy_want(&t, "ana", ROLE_AUDITOR);
	assert_int_equal(t.q.who->ndivisions, 0);
	assert_int_equal(session_sees(t.q.who, "SWMS"), 1);
	test_proxy_done(&t);
}

/* No matching group: 403 and -1, nobody signed in. */
static void
test_proxy_no_role(void **state)
{
	static const char *const groups[] = { "staff", "311-road",
	    "311-roads-x", "311-OPS", "", ",", NULL };
	struct web		*w = *state;
	struct test_proxy_req	 t;
	char			*log;
	size_t			 i;

	for (i = 0; i < sizeof groups / sizeof groups[0]; i++) {
		test_proxy_ask(&t, w, TRUSTED, "ana", groups[i], &log);
		assert_int_equal(t.rc, -1);
		assert_null(t.q.who);
		assert_int_equal(t.resp.status, 403);
		assert_non_null(t.resp.body);
		assert_non_null(strstr(t.resp.body, "No access"));
		assert_non_null(strstr(t.resp.body, "has no role"));
		assert_non_null(strstr(log, "signin-norole user ana from "
		    TRUSTED));
		free(log);
		test_proxy_done(&t);
	}
}

/* From anyone but a trusted proxy, the headers give nobody. */
static void
test_proxy_untrusted(void **state)
{
	static const char *const peers[] = { STRANGER, "127.0.0.1", "::1",
	    "10.1.2.30", "unix" };
	struct web		*w = *state;
	struct test_proxy_req	 t;
	char			*log;
	size_t			 i;

	for (i = 0; i < sizeof peers / sizeof peers[0]; i++) {
		test_proxy_ask(&t, w, peers[i], "ana", "311-ops", &log);
		assert_int_equal(t.rc, 0);
		assert_null(t.q.who);
		assert_int_equal(t.resp.status, 0);
		assert_null(t.resp.body);
		assert_non_null(strstr(log, "untrusted-proxy"));
		assert_non_null(strstr(log, peers[i]));
		free(log);
		test_proxy_done(&t);
	}
	/* Either header alone is noted too. */
	test_proxy_ask(&t, w, STRANGER, NULL, "311-ops", &log);
	assert_null(t.q.who);
	assert_non_null(strstr(log, "untrusted-proxy"));
	free(log);
	test_proxy_done(&t);
	/* No header: nothing to say. */
	test_proxy_ask(&t, w, STRANGER, NULL, NULL, &log);
	assert_int_equal(t.rc, 0);
	assert_null(t.q.who);
	assert_string_equal(log, "");
	free(log);
	test_proxy_done(&t);
}

/* A user name the proxy could not mean gives nobody. */
static void
test_proxy_bad_user(void **state)
{
	struct web		*w = *state;
	struct test_proxy_req	 t;
	char			 name[140];
	const char		*bad[] = { "ana\x01", "ana\nx", "ana\t", "\x7f",
	    "ana lima", " ana", "", NULL };
	size_t			 i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		test_proxy_ask(&t, w, TRUSTED, bad[i], "311-ops", NULL);
		assert_int_equal(t.rc, 0);
		assert_null(t.q.who);
		assert_int_equal(t.resp.status, 0);
		test_proxy_done(&t);
	}
	/* 128 printable bytes are a name; 129 are not. */
	memset(name, 'a', 128);
	name[128] = '\0';
	test_proxy_ask(&t, w, TRUSTED, name, "311-ops", NULL);
	test_proxy_want(&t, name, ROLE_OPS);
	test_proxy_done(&t);
	name[128] = 'a';
	name[129] = '\0';
	test_proxy_ask(&t, w, TRUSTED, name, "311-ops", NULL);
	assert_null(t.q.who);
	test_proxy_done(&t);
	/* An address or a domain account is a name. */
	test_proxy_ask(&t, w, TRUSTED, "ana.lima@toronto.ca", "311-ops", NULL);
	test_proxy_want(&t, "ana.lima@toronto.ca", ROLE_OPS);
	test_proxy_done(&t);
	test_proxy_ask(&t, w, TRUSTED, "CITY\\alima", "311-ops", NULL);
	test_proxy_want(&t, "CITY\\alima", ROLE_OPS);
	test_proxy_done(&t);
}

/* Return the CSRF token a user gets from w (allocated). */
static char *
test_proxy_csrf(struct web *w, const char *user)
{
	struct test_proxy_req	 t;
	char			*csrf;
	size_t			 i;

	test_proxy_ask(&t, w, TRUSTED, user, "311-comms", NULL);
	assert_non_null(t.q.who);
	assert_int_equal(strlen(t.q.who->csrf), SESSION_CSRF_LEN);
	for (i = 0; i < SESSION_CSRF_LEN; i++)
		assert_true(isxdigit((unsigned char)t.q.who->csrf[i]));
	csrf = xstrdup(t.q.who->csrf);
	test_proxy_done(&t);
	return csrf;
}

/* A proxy user's token: stable for them, theirs alone, new each start. */
static void
test_proxy_token(void **state)
{
	struct web	*w = *state, *w2;
	char		*a1, *a2, *b, *a3;

	a1 = test_proxy_csrf(w, "ana");
	a2 = test_proxy_csrf(w, "ana");
	b = test_proxy_csrf(w, "bob");
	assert_string_equal(a1, a2);
	assert_string_not_equal(a1, b);
	/* Nothing of the name shows in it. */
	assert_null(strstr(a1, "ana"));
	/* Another start of the console, another key: another token. */
	w2 = test_proxy_web();
	a3 = test_proxy_csrf(w2, "ana");
	assert_string_not_equal(a1, a3);
	web_free(w2);
	free(a1);
	free(a2);
	free(a3);
	free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proxy_roles),
		cmocka_unit_test(test_proxy_divisions_union),
		cmocka_unit_test(test_proxy_no_role),
		cmocka_unit_test(test_proxy_untrusted),
		cmocka_unit_test(test_proxy_bad_user),
		cmocka_unit_test(test_proxy_token),
	};

	return cmocka_run_group_tests(tests, test_proxy_setup,
	    test_proxy_teardown);
}
