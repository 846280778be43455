/*
 * test_unsubscribe.c - unit tests for one-click unsubscribe from email
 * (unsubscribe.c)
 *
 * The link is checked against the format docs/operations.md gives, so
 * that a city's own front end can check it too. Then, against a private
 * redis-server and closeloopd's real listener (testlisten.h), the tests
 * send what a mail provider and a reader's browser send: a good link
 * publishes one unsubscribe event for that address on that SR, and the
 * pipeline applies it; a forged, expired or borrowed one changes
 * nothing; a GET only shows the button.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clock.h"
#include "config.h"
#include "digest.h"
#include "event.h"
#include "link.h"
#include "render.h"
#include "log.h"
#include "notice.h"
#include "redis.h"
#include "catalog.h"
#include "store.h"
#include "testhttp.h"
#include "testlisten.h"
#include "testserver.h"
#include "unsubscribe.h"
#include "xmalloc.h"

#define KEY	"unsub-k3y-93a0"
#define BASE	"https://311.example.org/unsubscribe"
#define ANA	"Ana.Lima@Example.org"
#define ONE	"List-Unsubscribe=One-Click"

static struct testserver ts;

/* Start the listener with one-click links (unless keyless). */
static void
test_unsub_open(struct testlisten *l, int keyless)
{
	char	*path, *templates;

	path = testlisten_file(&ts, "unsub.key", KEY);
	templates = keyless ? xstrdup("unsubscribe_url = \"" BASE "/{sr}\";") :
	    xasprintf("unsubscribe_url = \"" BASE "\"; "
	    "unsubscribe_secret_file = \"%s\"; unsubscribe_days = 30;", path);
	testlisten_open(l, &ts, templates, NULL);
	free(templates);
	free(path);
}

/* Subscribe Ana and Bo to E-1, and Ana to E-2, by email. */
static void
test_unsub_setup(struct testlisten *l)
{
	testlisten_xadd(l, "type=subscribe", "sr=E-1", "email=" ANA, NULL);
	testlisten_xadd(l, "type=subscribe", "sr=E-1",
	    "email=bo@example.org", NULL);
	testlisten_xadd(l, "type=subscribe", "sr=E-2", "email=" ANA, NULL);
	assert_int_equal(testlisten_drain(l), 3);
}

/* Return the path and query of an email's link, made at now (seconds). */
static char *
test_unsub_target(struct testlisten *l, const char *sr, const char *address,
    int64_t now)
{
	char	*url, *target;

	url = link_unsubscribe(l->cf, sr, address, now);
	assert_int_equal(strncmp(url, BASE "?", strlen(BASE) + 1), 0);
	target = xasprintf("/unsubscribe%s", url + strlen(BASE));
	free(url);
	return target;
}

/* POST body to target; return the status. */
static int
test_unsub_post(struct testlisten *l, const char *target, const char *body)
{
	struct testhttp_answer	a;

	a = testhttp_post(l->port, target, body, NULL);
	free(a.raw);
	return a.status;
}

/* Return how many entries the events stream has after id. */
static size_t
test_unsub_published(struct testlisten *l, const char *id)
{
	struct redis_reply	*reply;
	size_t			 n;

	reply = testlisten_after(l, id);
	n = reply->elements;
	redis_reply_free(reply);
	return n;
}

/* Assert whether an email contact of an SR is active. */
static void
test_unsub_active(struct testlisten *l, const char *sr, const char *address,
    int active)
{
	char	*c = testlisten_contact(l, sr, "email", address);

	assert_non_null(c);
	if (c[0] != (active ? '1' : '0'))
		fail_msg("SR %s: %s is \"%s\"", sr, address, c);
	free(c);
}

/* The link is the documented one, per address, in the text and header. */
static void
test_url(void **state)
{
	struct testlisten	 l;
	struct render_out	 out;
	struct notice		*n;
	struct catalog		*cat;
	char			*url, *want, *html, c[DIGEST_HEX_LEN + 1];
	char			 token[DIGEST_HEX_LEN + 1];
	int64_t			 now = clock_now() / 1000;

	(void)state;
	test_unsub_open(&l, 0);
	digest_hmac(KEY, strlen(KEY), "ana.lima@example.org", c);
	c[16] = '\0';
	want = xasprintf("closeloop-unsubscribe:E-1:%s:1802592000", c);
	digest_hmac(KEY, strlen(KEY), want, token);
	free(want);
	want = xasprintf(BASE "?sr=E-1&c=%s&exp=1802592000&token=%s", c,
	    token);
	url = link_unsubscribe(l.cf, "E-1", ANA, 1800000000);
	assert_string_equal(url, want);
	free(url);
	url = link_unsubscribe(l.cf, "E-1", "ANA.LIMA@EXAMPLE.ORG", 1800000000);
	assert_string_equal(url, want);	/* the address in any case */
	free(url);
	url = link_unsubscribe(l.cf, "E-1", "bo@example.org", 1800000000);
	assert_null(strstr(url, c));
	assert_null(strstr(url, "bo@"));
	free(url);
	free(want);

	/* Rendered for an email, the text holds the recipient's own link. */
	cat = catalog_load(l.cf->templates_dir, "en", NULL);
	n = xcalloc(1, sizeof *n);
	n->id = xstrdup("E-1/1");
	n->sr = xstrdup("E-1");
	n->notice = VOCAB_NOTICE_RECEIVED;
	n->nto = 1;
	n->to = xcalloc(1, sizeof *n->to);
	n->to[0].channel = EVENT_CHANNEL_EMAIL;
	n->to[0].address = xstrdup(ANA);
	assert_int_equal(render_notice(l.cf, cat, n, 0, RENDER_EMAIL, now,
	    &out, NULL), 0);
	url = link_unsubscribe(l.cf, "E-1", ANA, now);
	assert_string_equal(out.unsubscribe_url, url);
	assert_non_null(strstr(out.text, url));
	html = xasprintf("href=\"" BASE "?sr=E-1&amp;c=%s&amp;exp=", c);
	assert_non_null(strstr(out.html, html));
	free(html);
	free(url);
	render_out_clear(&out);
	notice_free(n);
	catalog_free(cat);
	testlisten_close(&l);

	/* Without the key, the plain link of the SR. */
	test_unsub_open(&l, 1);
	url = link_unsubscribe(l.cf, "E-1", ANA, 1800000000);
	assert_string_equal(url, BASE "/E-1");
	free(url);
	testlisten_close(&l);
}

/* One click publishes one event for that address on that SR only. */
static void
test_one_click(void **state)
{
	struct testlisten	 l;
	struct redis_reply	*reply;
	char			 before[64], *target, *id, *v;
	const char		*f;

	(void)state;
	test_unsub_open(&l, 0);
	test_unsub_setup(&l);
	testlisten_last_id(&l, before);
	target = test_unsub_target(&l, "E-1", ANA, clock_now() / 1000);
	assert_int_equal(test_unsub_post(&l, target, ONE), 200);
	reply = testlisten_after(&l, before);
	assert_int_equal(reply->elements, 1);
	assert_string_equal(redis_reply_field(reply->element[0]->element[1],
	    "type"), "unsubscribe");
	assert_string_equal(redis_reply_field(reply->element[0]->element[1],
	    "sr"), "E-1");
	assert_string_equal(redis_reply_field(reply->element[0]->element[1],
	    "email"), ANA);
	assert_string_equal(redis_reply_field(reply->element[0]->element[1],
	    "x_closeloop_via"), "email_one_click");
	f = redis_reply_field(reply->element[0]->element[1], "event_id");
	assert_int_equal(strncmp(f, "unsub-email-", 12), 0);
	assert_int_equal(strcmp(f + strlen(f) - 4, "-E-1"), 0);
	id = xstrdup(f);
	redis_reply_free(reply);

	/* The provider sends it again: the same event, a duplicate. */
	assert_int_equal(test_unsub_post(&l, target, ONE), 200);
	reply = testlisten_after(&l, before);
	assert_int_equal(reply->elements, 2);
	assert_string_equal(redis_reply_field(reply->element[1]->element[1],
	    "event_id"), id);
	redis_reply_free(reply);
	assert_int_equal(testlisten_drain(&l), 1);
	test_unsub_active(&l, "E-1", ANA, 0);
	test_unsub_active(&l, "E-1", "bo@example.org", 1);
	test_unsub_active(&l, "E-2", ANA, 1);
	v = testlisten_audit(&l, "E-1", "unsubscribed", "detail");
	assert_non_null(strstr(v, "A***@Example.org"));
	assert_null(strstr(v, "Lima"));
	free(v);

	/* Once applied, another click publishes nothing. */
	testlisten_last_id(&l, before);
	assert_int_equal(test_unsub_post(&l, target, ONE), 200);
	assert_int_equal(test_unsub_published(&l, before), 0);
	free(id);
	free(target);
	testlisten_close(&l);
}

/* Forged, borrowed, expired or broken links change nothing. */
static void
test_refused(void **state)
{
	struct testlisten	 l;
	char			 before[64], *target, *other, *p;
	int64_t			 now = clock_now() / 1000;

	(void)state;
	test_unsub_open(&l, 0);
	test_unsub_setup(&l);
	testlisten_last_id(&l, before);

	/* A digit of the token changed. */
	target = test_unsub_target(&l, "E-1", ANA, now);
	p = target + strlen(target) - 1;
	*p = *p == '0' ? '1' : '0';
	assert_int_equal(test_unsub_post(&l, target, ONE), 403);
	free(target);
	/* Ana's link for E-2, pointed at E-1; Bo's contact id with Ana's. */
	target = test_unsub_target(&l, "E-2", ANA, now);
	p = strstr(target, "sr=E-2");
	p[5] = '1';
	assert_int_equal(test_unsub_post(&l, target, ONE), 403);
	free(target);
	target = test_unsub_target(&l, "E-1", ANA, now);
	other = test_unsub_target(&l, "E-1", "bo@example.org", now);
	memcpy(strstr(target, "&c=") + 3, strstr(other, "&c=") + 3, 16);
	assert_int_equal(test_unsub_post(&l, target, ONE), 403);
	free(other);
	free(target);
	/* A later exp than the token's. */
	target = test_unsub_target(&l, "E-1", ANA, now);
	p = strstr(target, "&exp=") + 5;
	*p = '9';
	assert_int_equal(test_unsub_post(&l, target, ONE), 403);
	free(target);
	/* A link made 31 days ago has expired (30 days). */
	target = test_unsub_target(&l, "E-1", ANA, now - 31 * 86400);
	assert_int_equal(test_unsub_post(&l, target, ONE), 403);
	free(target);
	/* No token; a broken contact id; no sr. */
	assert_int_equal(test_unsub_post(&l, "/unsubscribe?sr=E-1&"
	    "c=0123456789abcdef&exp=9999999999", ONE), 403);
	assert_int_equal(test_unsub_post(&l, "/unsubscribe?sr=E-1&c=0123&"
	    "exp=9999999999&token=00", ONE), 400);
	assert_int_equal(test_unsub_post(&l, "/unsubscribe?c=0123456789abcdef&"
	    "exp=9999999999&token=00", ONE), 400);
	/* A good link, but a POST that is no one-click. */
	target = test_unsub_target(&l, "E-1", ANA, now);
	assert_int_equal(test_unsub_post(&l, target, "x=1"), 400);
	free(target);

	assert_int_equal(test_unsub_published(&l, before), 0);
	test_unsub_active(&l, "E-1", ANA, 1);
	test_unsub_active(&l, "E-2", ANA, 1);
	testlisten_close(&l);
}

/* A GET shows a button and changes nothing; the button unsubscribes. */
static void
test_get(void **state)
{
	struct testhttp_answer	 a;
	struct testlisten	 l;
	char			 before[64], *target, *type, *form, *q;

	(void)state;
	test_unsub_open(&l, 0);
	test_unsub_setup(&l);
	testlisten_last_id(&l, before);
	target = test_unsub_target(&l, "E-1", ANA, clock_now() / 1000);
	a = testhttp_get(l.port, target, "User-Agent: LinkScanner/2.0\r\n");
	assert_int_equal(a.status, 200);
	type = testhttp_header(&a, "Content-Type");
	assert_string_equal(type, "text/html; charset=utf-8");
	free(type);
	assert_non_null(strstr(a.body, "<form method=\"post\">"));
	assert_non_null(strstr(a.body, "<input type=\"hidden\" "
	    "name=\"List-Unsubscribe\" value=\"One-Click\">"));
	assert_non_null(strstr(a.body, "name=\"sr\" value=\"E-1\""));
	assert_null(strstr(a.body, "Lima"));
	free(a.raw);
	a = testhttp_raw(l.port, "HEAD / HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\n\r\n");
	free(a.raw);
	assert_int_equal(test_unsub_published(&l, before), 0);
	test_unsub_active(&l, "E-1", ANA, 1);

	/* The browser posts the form to the page's own URL. */
	q = strchr(target, '?') + 1;
	form = xasprintf(ONE "&%s", q);
	assert_int_equal(test_unsub_post(&l, target, form), 200);
	assert_int_equal(test_unsub_published(&l, before), 1);
	assert_int_equal(testlisten_drain(&l), 1);
	test_unsub_active(&l, "E-1", ANA, 0);
	free(form);
	free(target);
	testlisten_close(&l);
}

/* An SR whose state is gone, or a contact gone already: 200, nothing. */
static void
test_gone(void **state)
{
	struct testlisten	 l;
	struct testhttp_answer	 a;
	char			 before[64], *target;
	int64_t			 now = clock_now() / 1000;

	(void)state;
	test_unsub_open(&l, 0);
	test_unsub_setup(&l);
	testlisten_xadd(&l, "type=unsubscribe", "sr=E-1",
	    "email=bo@example.org", "ts=2026-03-03T11:00:00Z", NULL);
	assert_int_equal(testlisten_drain(&l), 1);
	testlisten_last_id(&l, before);
	target = test_unsub_target(&l, "Z-9", ANA, now);
	assert_int_equal(test_unsub_post(&l, target, ONE), 200);
	free(target);
	target = test_unsub_target(&l, "E-1", "bo@example.org", now);
	assert_int_equal(test_unsub_post(&l, target, ONE), 200);
	free(target);
	assert_int_equal(test_unsub_published(&l, before), 0);
	assert_int_equal(testlisten_int(&l, "EXISTS closeloop:sr:{Z-9}:state"),
	    0);
	testlisten_close(&l);

	/* Without the key, /unsubscribe takes nothing. */
	test_unsub_open(&l, 1);
	a = testhttp_post(l.port, "/unsubscribe?sr=E-1&c=0123456789abcdef&"
	    "exp=9999999999&token=00", ONE, NULL);
	assert_int_equal(a.status, 404);
	free(a.raw);
	testlisten_close(&l);
}

/* Start the server, run the tests, stop it. */
/*
 * The recorded content keeps no working link: the token of every copy of
 * the link is redacted, the rest of the text and of the link kept.
 */
static void
test_redact(void **state)
{
	const char	*url = "https://311.example.org/u?sr=8812&c=0123456789abcdef"
	    "&exp=1800000000&token=00112233445566778899aabbccddeeff0011223344"
	    "5566778899aabbccddeeff";
	char		*text, *out;

	(void)state;
	text = xasprintf("Stop updates:\n%s\n\nor %s.", url, url);
	out = link_redact(text, url);
	assert_string_equal(out, "Stop updates:\n"
	    "https://311.example.org/u?sr=8812&c=0123456789abcdef"
	    "&exp=1800000000&token=REDACTED\n\nor "
	    "https://311.example.org/u?sr=8812&c=0123456789abcdef"
	    "&exp=1800000000&token=REDACTED.");
	assert_null(strstr(out, "00112233"));
	free(out);
	out = link_redact(text, NULL);
	assert_string_equal(out, text);
	free(out);
	out = link_redact("no link here", url);
	assert_string_equal(out, "no link here");
	free(out);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_one_click),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_gone),
	};

	return testlisten_run(&ts, "unsubscribe", tests,
	    sizeof tests / sizeof tests[0]);
}
