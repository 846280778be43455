/*
 * test_cookie.c - unit tests for the console's cookies (cookie.c)
 *
 * Reading: the session's and the sign-in form's cookie are picked out of
 * a Cookie header of several, under the "__Host-" prefix when
 * web.cookie_secure is on and without it when off; a value that is not
 * hex digits or too long, a name that only looks like one of them, and
 * a cookie without its prefix are ignored. Writing: each Set-Cookie is
 * HttpOnly, SameSite=Strict and Path=/, Secure with the prefix when
 * secure, and a removal is Max-Age=0; what is set reads back.
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
#include "cookie.h"
#include "fixture.h"
#include "httpreq.h"
#include "httpresp.h"
#include "xmalloc.h"

/* The configurations: web.cookie_secure on (the default) and off. */
struct test_cookie {
	struct config	*secure;
	struct config	*plain;
};

/* Load both configurations. */
static int
test_cookie_setup(void **state)
{
	struct test_cookie	*t = xcalloc(1, sizeof *t);
	struct fixture		 fx;
	char			*path, *cause = NULL;

	if ((t->secure = config_load(NULL, &cause)) == NULL)
		fail_msg("config_load: %s", cause);
	fixture_open(&fx);
	fixture_write(&fx, "closeloopd.conf",
	    "web = { cookie_secure = false; };\n");
	path = xasprintf("%s/closeloopd.conf", fx.dir);
	if ((t->plain = config_load_web(path, &cause)) == NULL)
		fail_msg("config_load_web: %s", cause);
	free(path);
	fixture_cleanup(&fx);
	assert_int_equal(t->secure->web_cookie_secure, 1);
	assert_int_equal(t->plain->web_cookie_secure, 0);
	*state = t;
	return 0;
}

/* Free both configurations. */
static int
test_cookie_teardown(void **state)
{
	struct test_cookie	*t = *state;

	config_free(t->secure);
	config_free(t->plain);
	free(t);
	return 0;
}

/*
 * Return cookie name read from a request whose Cookie header is header
 * (none if NULL); the caller frees it.
 */
static char *
test_cookie_get(const struct config *cf, const char *header, const char *name)
{
	struct httpreq	*req;
	char		*v;

	req = httpreq_new("GET", "/find", "127.0.0.1");
	httpreq_add_header(req, "Host", "console.example.org");
	if (header != NULL)
		httpreq_add_header(req, "Cookie", header);
	assert_int_equal(httpreq_prepare(req), 0);
	v = cookie_get(cf, req, name);
	httpreq_free(req);
	return v;
}

/* Check that cookie name reads as want (NULL: not found). */
static void
test_cookie_want(const struct config *cf, const char *header,
    const char *name, const char *want)
{
	const char	*h = header != NULL ? header : "(no header)";
	char		*v = test_cookie_get(cf, header, name);

	if (want == NULL && v != NULL)
		fail_msg("%s from \"%s\": got \"%s\", want none", name, h, v);
	if (want != NULL && (v == NULL || strcmp(v, want) != 0))
		fail_msg("%s from \"%s\": got %s%s%s, want \"%s\"", name, h,
		    v != NULL ? "\"" : "", v != NULL ? v : "none",
		    v != NULL ? "\"" : "", want);
	free(v);
}

/* Without cookie_secure: the plain names, picked out of several. */
static void
test_cookie_get_plain(void **state)
{
	struct test_cookie	*t = *state;
	const struct config	*cf = t->plain;

	test_cookie_want(cf, "closeloop=ab12", COOKIE_SESSION, "ab12");
	test_cookie_want(cf, "theme=dark; closeloop=ab12; closeloop-pre=cd34",
	    COOKIE_SESSION, "ab12");
	test_cookie_want(cf, "theme=dark; closeloop=ab12; closeloop-pre=cd34",
	    COOKIE_PRE, "cd34");
	test_cookie_want(cf, "closeloop-pre=cd34; closeloop=ab12",
	    COOKIE_SESSION, "ab12");
	test_cookie_want(cf, "closeloop-pre=cd34; closeloop=ab12",
	    COOKIE_PRE, "cd34");
	/* Upper and lower case hex, as sent. */
	test_cookie_want(cf, "closeloop=ABCdef0123456789", COOKIE_SESSION,
	    "ABCdef0123456789");
	/* No Cookie header, or not this cookie. */
	test_cookie_want(cf, NULL, COOKIE_SESSION, NULL);
	test_cookie_want(cf, "", COOKIE_SESSION, NULL);
	test_cookie_want(cf, "theme=dark", COOKIE_SESSION, NULL);
}

/* Spaces, separators and a trailing ';'. */
static void
test_cookie_get_spacing(void **state)
{
	struct test_cookie	*t = *state;
	const struct config	*cf = t->plain;

	test_cookie_want(cf, "a=1;closeloop=ab12", COOKIE_SESSION, "ab12");
	test_cookie_want(cf, "a=1;   closeloop=ab12", COOKIE_SESSION, "ab12");
	test_cookie_want(cf, "  closeloop=ab12", COOKIE_SESSION, "ab12");
	test_cookie_want(cf, "closeloop=ab12;", COOKIE_SESSION, "ab12");
	test_cookie_want(cf, "a=1; closeloop=ab12; ", COOKIE_SESSION, "ab12");
	test_cookie_want(cf, ";;closeloop=ab12;;", COOKIE_SESSION, "ab12");
	test_cookie_want(cf, "a; closeloop=ab12", COOKIE_SESSION, "ab12");
	test_cookie_want(cf, ";", COOKIE_SESSION, NULL);
	test_cookie_want(cf, "; ; ", COOKIE_SESSION, NULL);
}

/* Values that are not what the console sets are ignored. */
static void
test_cookie_get_values(void **state)
{
	struct test_cookie	*t = *state;
	const struct config	*cf = t->plain;
	char			*h, hex[130];

	test_cookie_want(cf, "closeloop=", COOKIE_SESSION, NULL);
	test_cookie_want(cf, "closeloop", COOKIE_SESSION, NULL);
	test_cookie_want(cf, "closeloop=ab1z", COOKIE_SESSION, NULL);
	test_cookie_want(cf, "closeloop=ab 12", COOKIE_SESSION, NULL);
	test_cookie_want(cf, "closeloop=\"ab12\"", COOKIE_SESSION, NULL);
	test_cookie_want(cf, "closeloop=ab12=", COOKIE_SESSION, NULL);
	test_cookie_want(cf, "closeloop=%61b12", COOKIE_SESSION, NULL);
	/* A bad one does not hide a good one after it. */
	test_cookie_want(cf, "closeloop=zz; closeloop=ab12", COOKIE_SESSION,
	    "ab12");
	/* 128 hex digits are taken, 129 are not. */
	memset(hex, 'a', 128);
	hex[128] = '\0';
	h = xasprintf("closeloop=%s", hex);
	test_cookie_want(cf, h, COOKIE_SESSION, hex);
	free(h);
	hex[128] = 'a';
	hex[129] = '\0';
	h = xasprintf("closeloop=%s", hex);
	test_cookie_want(cf, h, COOKIE_SESSION, NULL);
	free(h);
}

/* A name that only looks like one of the cookies is not it. */
static void
test_cookie_get_names(void **state)
{
	struct test_cookie	*t = *state;
	const struct config	*cf = t->plain;

	test_cookie_want(cf, "closeloop-pre=cd34", COOKIE_SESSION, NULL);
	test_cookie_want(cf, "closeloop=ab12", COOKIE_PRE, NULL);
	test_cookie_want(cf, "closeloopx=ab12", COOKIE_SESSION, NULL);
	test_cookie_want(cf, "xcloseloop=ab12", COOKIE_SESSION, NULL);
	test_cookie_want(cf, "Closeloop=ab12", COOKIE_SESSION, NULL);
	test_cookie_want(cf, "closeloop-pre2=cd34", COOKIE_PRE, NULL);
	test_cookie_want(cf, "closeloop-pr=cd34", COOKIE_PRE, NULL);
	test_cookie_want(cf, "closeloop =ab12", COOKIE_SESSION, NULL);
	test_cookie_want(cf, "theme=closeloop=ab12", COOKIE_SESSION, NULL);
	/* Without cookie_secure, the prefixed name is another cookie. */
	test_cookie_want(cf, "__Host-closeloop=ab12", COOKIE_SESSION, NULL);
}

/* With cookie_secure: only the "__Host-" names. */
static void
test_cookie_get_secure(void **state)
{
	struct test_cookie	*t = *state;
	const struct config	*cf = t->secure;

	test_cookie_want(cf, "__Host-closeloop=ab12", COOKIE_SESSION, "ab12");
	test_cookie_want(cf, "__Host-closeloop-pre=cd34; "
	    "__Host-closeloop=ab12", COOKIE_PRE, "cd34");
	test_cookie_want(cf, "__Host-closeloop-pre=cd34; "
	    "__Host-closeloop=ab12", COOKIE_SESSION, "ab12");
	/* A cookie without the prefix may come from a sibling host. */
	test_cookie_want(cf, "closeloop=ab12", COOKIE_SESSION, NULL);
	test_cookie_want(cf, "closeloop-pre=cd34", COOKIE_PRE, NULL);
	test_cookie_want(cf, "closeloop=ab12; __Host-closeloop=ef56",
	    COOKIE_SESSION, "ef56");
	test_cookie_want(cf, "__host-closeloop=ab12", COOKIE_SESSION, NULL);
	test_cookie_want(cf, "__Secure-closeloop=ab12", COOKIE_SESSION, NULL);
	test_cookie_want(cf, "__Host-closeloop-pre=cd34", COOKIE_SESSION,
	    NULL);
}

/* Return the value of the i-th header of resp, which is a Set-Cookie. */
static const char *
test_cookie_header(const struct http_response *resp, size_t i)
{
	assert_true(i < resp->nheaders);
	assert_string_equal(resp->headers[i].name, "Set-Cookie");
	return resp->headers[i].value;
}

/* Set-Cookie: the attributes, and a removal. */
static void
test_cookie_set(void **state)
{
	struct test_cookie	*t = *state;
	struct http_response	 resp;

	memset(&resp, 0, sizeof resp);
	cookie_set(t->secure, &resp, COOKIE_SESSION, "ab12");
	cookie_set(t->secure, &resp, COOKIE_PRE, NULL);
	cookie_set(t->plain, &resp, COOKIE_PRE, "cd34");
	cookie_set(t->plain, &resp, COOKIE_SESSION, NULL);
	assert_int_equal(resp.nheaders, 4);
	assert_string_equal(test_cookie_header(&resp, 0),
	    "__Host-closeloop=ab12; Path=/; HttpOnly; SameSite=Strict; "
	    "Secure");
	assert_string_equal(test_cookie_header(&resp, 1),
	    "__Host-closeloop-pre=; Path=/; HttpOnly; SameSite=Strict; "
	    "Secure; Max-Age=0");
	assert_string_equal(test_cookie_header(&resp, 2),
	    "closeloop-pre=cd34; Path=/; HttpOnly; SameSite=Strict");
	assert_string_equal(test_cookie_header(&resp, 3),
	    "closeloop=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	/* A session cookie ends with the browser: no Max-Age, no Expires. */
	assert_null(strstr(test_cookie_header(&resp, 0), "Max-Age"));
	assert_null(strstr(test_cookie_header(&resp, 0), "Expires"));
	/* "__Host-" forbids a Domain; none is given either way. */
	assert_null(strstr(test_cookie_header(&resp, 0), "Domain"));
	assert_null(strstr(test_cookie_header(&resp, 2), "Domain"));
	httpresp_clear(&resp);
}

/* What is set reads back, under either setting. */
static void
test_cookie_round_trip(void **state)
{
	struct test_cookie	*t = *state;
	const struct config	*cfs[2] = { t->secure, t->plain };
	struct http_response	 resp;
	const char		*v;
	char			*pair, *got;
	size_t			 i;

	for (i = 0; i < 2; i++) {
		memset(&resp, 0, sizeof resp);
		cookie_set(cfs[i], &resp, COOKIE_SESSION,
		    "0123456789abcdef0123456789abcdef");
		v = test_cookie_header(&resp, 0);
		/* The browser sends back "NAME=VALUE". */
		pair = xstrndup(v, strcspn(v, ";"));
		got = test_cookie_get(cfs[i], pair, COOKIE_SESSION);
		assert_non_null(got);
		assert_string_equal(got, "0123456789abcdef0123456789abcdef");
		free(got);
		/* The other setting's reader does not take it. */
		assert_null(got = test_cookie_get(cfs[1 - i], pair,
		    COOKIE_SESSION));
		free(pair);
		httpresp_clear(&resp);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cookie_get_plain),
		cmocka_unit_test(test_cookie_get_spacing),
		cmocka_unit_test(test_cookie_get_values),
		cmocka_unit_test(test_cookie_get_names),
		cmocka_unit_test(test_cookie_get_secure),
		cmocka_unit_test(test_cookie_set),
		cmocka_unit_test(test_cookie_round_trip),
	};

	return cmocka_run_group_tests(tests, test_cookie_setup,
	    test_cookie_teardown);
}
