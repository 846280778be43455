/*
 * fuzz_web.c - a fuzz target for the console's requests
 *
 * LLVMFuzzerTestOneInput() reads the input's first byte as who the
 * client is - even, the trusted proxy 127.0.0.9 (a "T" in the seeds);
 * odd, 192.0.2.7, whose X-Remote-User the console does not believe
 * (a "U") - and the rest as the bytes that client sends the console's
 * listener, made into the request the listener would hand its handler
 * (fuzzreq.h, with its checks of what the listener's parts say; the
 * listener answers 405 and 413 itself). The request goes to
 * web_handle(), on a console made once as closeloop-web makes it:
 * web_new() on a configuration read by config_load_web() - Redis on a
 * unix socket that does not exist, so that every path needing Redis
 * ends with 503 and no session can exist; secure cookies; the trusted
 * proxy and a group for each role; the look-up key and the resident
 * links' key - and the page set of the source tree (page_load()). The
 * console's key for the proxy's users' CSRF tokens is set to a known
 * one, so that a seed can carry a valid token.
 *
 * Checks of each answer: a status the console gives without Redis (200,
 * 303, 400, 403, 404, 503); a body of UTF-8 (none for HEAD, nor for a
 * redirect); a type of its own, HTML with the console's security
 * headers; no control character in a header; a Set-Cookie only on
 * /signin and /signout, always __Host-, Path=/, HttpOnly,
 * SameSite=Strict and Secure; a Location on 303 and only there, always
 * a path on the console, never another host; the layout's "Signed in
 * as" only for the trusted proxy's X-Remote-User, naming exactly that
 * user, HTML-escaped (no session can exist); none of the three keys in
 * the answer nor in the log, unless the client sent it; no Redis
 * connection left behind. What the console logs, at debug level, is
 * checked as fuzzlog.h says.
 *
 * Built with clang -fsanitize=fuzzer (make fuzz), libFuzzer drives it.
 * Built without, main() feeds it the seed corpus in tests/fuzz/web -
 * the requests of a browser and of the proxy, and odd ones - and
 * reproducible mutations of them (fuzzdrive.c).
 */
#include "build.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "fixture.h"
#include "fuzzdrive.h"
#include "fuzzlog.h"
#include "fuzzreq.h"
#include "http.h"
#include "httpreq.h"
#include "lint.h"
#include "page.h"
#include "syntax.h"
#include "template.h"
#include "web.h"
#include "webreq.h"
#include "xmalloc.h"

#ifndef FUZZ_WEB_PAGES
#define FUZZ_WEB_PAGES		"src/web/pages"
#endif
/* The keys: look-ups, resident links, the proxy users' CSRF tokens. */
#define FUZZ_WEB_LOOKUP_KEY	"fuzz-lookup-key-9b4e"
#define FUZZ_WEB_RESIDENT_KEY	"fuzz-resident-key-21f7"
#define FUZZ_WEB_SSO_KEY	"fuzz-sso-key-5d08"
#define FUZZ_WEB_TRUSTED	"127.0.0.9"
#define FUZZ_WEB_UNTRUSTED	"192.0.2.7"
#define FUZZ_WEB_SIGNED_IN	"<p>Signed in as <strong>"

/* The console, made once. */
static struct web	*fuzz_web;

/* Free the console (at exit, for leak checkers). */
static void
fuzz_web_cleanup(void)
{
	web_free(fuzz_web);
	fuzzlog_stop();
}

/*
 * Make the console once; the files written for its configuration are
 * removed at once, so that an input that aborts leaves nothing.
 */
static void
fuzz_web_init(void)
{
	struct fixture	 fx;
	struct config	*cf;
	struct page	*pages;
	struct catalog	*cat;
	char		*lint = NULL;
	char		*conf, *text, *cause = NULL;

	if (fuzz_web != NULL)
		return;
	fixture_open(&fx);
	fixture_secret(&fx, "lookup.key", FUZZ_WEB_LOOKUP_KEY "\n");
	fixture_secret(&fx, "resident.key", FUZZ_WEB_RESIDENT_KEY "\n");
	text = xasprintf("redis = { url = \"unix://%s/none/redis.sock\"; };\n"
	    "templates = {\n"
	    "\tdir = \"" FUZZ_WEB_TEMPLATES "\";\n"
	    "\tresident_url = \"https://311.example.org/r/{sr}/{token}\";\n"
	    "\tresident_secret_file = \"%s/resident.key\";\n};\n"
	    "audit = { lookup_secret_file = \"%s/lookup.key\"; };\n"
	    "divisions = {\n"
	    "\tTS = { name = { en = \"Transportation Services\"; }; };\n"
	    "\tTW = { name = { en = \"Toronto Water\"; }; };\n};\n"
	    "web = {\n\tpages_dir = \"%s\";\n\tchartjs = \"%s/charts.js\";\n"
	    "\tcookie_secure = true;\n"
	    "\ttrusted_proxies = [ \"" FUZZ_WEB_TRUSTED "\" ];\n"
	    "\tgroups = (\n"
	    "\t\t{ group = \"311-roads\"; role = \"division\"; "
	    "divisions = [ \"TS\" ]; },\n"
	    "\t\t{ group = \"311-water\"; role = \"division\"; "
	    "divisions = [ \"TW\" ]; },\n"
	    "\t\t{ group = \"311-comms\"; role = \"comms\"; },\n"
	    "\t\t{ group = \"311-ops\"; role = \"ops\"; },\n"
	    "\t\t{ group = \"311-audit\"; role = \"auditor\"; }\n\t);\n};\n",
	    fx.dir, fx.dir, fx.dir, FUZZ_WEB_PAGES, FUZZ_WEB_PAGES);
	fixture_write(&fx, "closeloopd.conf", text);
	conf = xasprintf("%s/closeloopd.conf", fx.dir);
	if ((cf = config_load_web(conf, &cause)) == NULL)
		fuzzlog_fail("configuration: %s", cause);
	if ((pages = page_load(cf->web_pages_dir, &cause)) == NULL)
		fuzzlog_fail("pages: %s", cause);
	if ((cat = lint_load_warnings(cf, &lint, &cause)) == NULL)
		fuzzlog_fail("templates: %s", cause);
	if ((fuzz_web = web_new(cf, pages, cat, lint, &cause)) == NULL)
		fuzzlog_fail("console: %s", cause);
	snprintf(fuzz_web->sso_key, sizeof fuzz_web->sso_key, "%s",
	    FUZZ_WEB_SSO_KEY);
	fixture_cleanup(&fx);
	free(text);
	free(conf);
	fuzzlog_start("fuzz_web");
	atexit(fuzz_web_cleanup);
}

/* Return the value of the answer's header name (the first), or NULL. */
static const char *
fuzz_web_header(const struct http_response *resp, const char *name)
{
	size_t	 i;

	for (i = 0; i < resp->nheaders; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0)
			return resp->headers[i].value;
	return NULL;
}

/*
 * Return what the client sent, data[0..size), decoded, then on a line of
 * its own as a page shows a value (template.h: control characters
 * dropped, bad UTF-8 replaced), so that a key sent with such characters
 * in it and shown whole is not taken for a leak (allocated).
 */
static char *
fuzz_web_sent(const uint8_t *data, size_t size)
{
	char	*text, *shown = NULL, *sent;
	size_t	 len = 0, cap = 0;

	text = fuzzreq_text(data, size);
	template_escape(&shown, &len, &cap, text, TEMPLATE_HTML, 1);
	sent = xasprintf("%s\n%s", text, shown != NULL ? shown : "");
	free(shown);
	free(text);
	return sent;
}

/*
 * Return a key that s holds where the client did not send it (sent is
 * what it sent, fuzz_web_sent()), or NULL.
 */
static const char *
fuzz_web_leaks(const char *s, const char *sent)
{
	static const char *const	 keys[] = { FUZZ_WEB_LOOKUP_KEY,
	    FUZZ_WEB_RESIDENT_KEY, FUZZ_WEB_SSO_KEY };
	size_t				 i;

	for (i = 0; s != NULL && i < sizeof keys / sizeof keys[0]; i++)
		if (strstr(s, keys[i]) != NULL && strstr(sent, keys[i]) == NULL)
			return keys[i];
	return NULL;
}

/* Check a Set-Cookie header of the answer to a request for path. */
static void
fuzz_web_cookie(const char *path, const char *v)
{
	if (strcmp(path, "/signin") != 0 && strcmp(path, "/signout") != 0)
		fuzzlog_fail("a cookie set by %s: %s", path, v);
	if (strncmp(v, "__Host-", 7) != 0 || strstr(v, "; Path=/;") == NULL ||
	    strstr(v, "; HttpOnly") == NULL ||
	    strstr(v, "; SameSite=Strict") == NULL ||
	    strstr(v, "; Secure") == NULL)
		fuzzlog_fail("a cookie without its attributes: %s", v);
}

/* Check the headers of the answer to a request for path. */
static void
fuzz_web_headers(const struct http_response *resp, const char *path,
    const char *sent)
{
	const struct http_header	*h;
	const char			*p;
	size_t				 i;

	for (i = 0; i < resp->nheaders; i++) {
		h = &resp->headers[i];
		for (p = h->value; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				fuzzlog_fail("a control character in %s: %s",
				    h->name, h->value);
		if (fuzz_web_leaks(h->value, sent) != NULL)
			fuzzlog_fail("a key in %s: %s", h->name, h->value);
		if (strcasecmp(h->name, "Set-Cookie") == 0)
			fuzz_web_cookie(path, h->value);
	}
	p = fuzz_web_header(resp, "Location");
	if ((p != NULL) != (resp->status == 303))
		fuzzlog_fail("%d with%s a Location", resp->status,
		    p != NULL ? "" : "out");
	if (p != NULL && (p[0] != '/' || p[1] == '/' || p[1] == '\\'))
		fuzzlog_fail("a redirect off the console: %s", p);
	if (resp->content_type == NULL ||
	    strcmp(resp->content_type, "text/html; charset=utf-8") != 0)
		return;
	if ((p = fuzz_web_header(resp, "Content-Security-Policy")) == NULL ||
	    strstr(p, "default-src 'none'") == NULL ||
	    strstr(p, "frame-ancestors") == NULL ||
	    fuzz_web_header(resp, "X-Frame-Options") == NULL ||
	    fuzz_web_header(resp, "Referrer-Policy") == NULL)
		fuzzlog_fail("a page without the security headers");
}

/* Return user HTML-escaped as a page shows it (allocated). */
static char *
fuzz_web_escape(const char *user)
{
	char		*out = xmalloc(strlen(user) * 6 + 1), *o = out;
	const char	*p;

	for (p = user; *p != '\0'; p++) {
		switch (*p) {
		case '&':
			o += sprintf(o, "&amp;");
			break;
		case '<':
			o += sprintf(o, "&lt;");
			break;
		case '>':
			o += sprintf(o, "&gt;");
			break;
		case '"':
			o += sprintf(o, "&quot;");
			break;
		case '\'':
			o += sprintf(o, "&#39;");
			break;
		default:
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

/*
 * Check who a page says is signed in: nobody, but for the trusted
 * proxy's user.
 */
static void
fuzz_web_who(const struct httpreq *req, const char *body, int trusted)
{
	const char	*user = httpreq_header(req, "X-Remote-User"), *p;
	char		*want;
	size_t		 n;

	if ((p = strstr(body, FUZZ_WEB_SIGNED_IN)) == NULL)
		return;
	if (!trusted || user == NULL)
		fuzzlog_fail("signed in without the trusted proxy");
	if (strstr(p + 1, FUZZ_WEB_SIGNED_IN) != NULL)
		fuzzlog_fail("signed in twice");
	p += strlen(FUZZ_WEB_SIGNED_IN);
	want = fuzz_web_escape(user);
	n = strlen(want);
	if (strncmp(p, want, n) != 0 || strncmp(p + n, "</strong>", 9) != 0)
		fuzzlog_fail("signed in as %.80s, not %s", p, want);
	free(want);
}

/* Check the console's answer to req (sent: fuzz_web_sent()). */
static void
fuzz_web_answer(const struct httpreq *req, const struct http_response *resp,
    const char *sent, int trusted)
{
	const char	*type = resp->content_type, *why, *key;
	size_t		 len, bad;
	int		 head = strcmp(httpreq_method(req), "HEAD") == 0;

	if (resp->status != 200 && resp->status != 303 &&
	    resp->status != 400 && resp->status != 403 &&
	    resp->status != 404 && resp->status != 503)
		fuzzlog_fail("answered %d", resp->status);
	if (fuzz_web->r != NULL)
		fuzzlog_fail("a Redis connection kept");
	if ((resp->body == NULL) != (head || resp->status == 303))
		fuzzlog_fail("%d to %s with%s a body", resp->status,
		    httpreq_method(req), resp->body != NULL ? "" : "out");
	if ((type == NULL) != (resp->status == 303) || (type != NULL &&
	    strcmp(type, "text/html; charset=utf-8") != 0 &&
	    strcmp(type, "text/css; charset=utf-8") != 0 &&
	    strcmp(type, "text/javascript; charset=utf-8") != 0))
		fuzzlog_fail("%d of type %s", resp->status,
		    type != NULL ? type : "none");
	if (type != NULL && strncmp(type, "text/html", 9) != 0 &&
	    strncmp(httpreq_path(req), "/static/", 8) != 0)
		fuzzlog_fail("%s served as %s", httpreq_path(req), type);
	fuzz_web_headers(resp, httpreq_path(req), sent);
	if (resp->body == NULL)
		return;
	len = resp->body_len != 0 ? resp->body_len : strlen(resp->body);
	if (syntax_utf8(resp->body, len, &bad, &why) != 0)
		fuzzlog_fail("a body that is not UTF-8: %s", why);
	if ((key = fuzz_web_leaks(resp->body, sent)) != NULL)
		fuzzlog_fail("%s in the body", key);
	fuzz_web_who(req, resp->body, trusted);
}

/* Judge one input (see the top). */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_response	 resp;
	struct httpreq		*req;
	const char		*logged;
	char			*sent;
	int			 trusted;

	if (size == 0)
		return 0;
	fuzz_web_init();
	trusted = data[0] % 2 == 0;
	sent = fuzz_web_sent(data + 1, size - 1);
	fuzzlog_catch();
	req = fuzzreq_read(data + 1, size - 1, trusted ? FUZZ_WEB_TRUSTED :
	    FUZZ_WEB_UNTRUSTED);
	memset(&resp, 0, sizeof resp);
	if (req != NULL)
		web_handle(req, &resp, fuzz_web);
	logged = fuzzlog_read();
	if (req != NULL)
		fuzz_web_answer(req, &resp, sent, trusted);
	if (fuzz_web_leaks(logged, sent) != NULL)
		fuzzlog_fail("a key logged: %s", logged);
	httpresp_clear(&resp);
	httpreq_free(req);
	free(sent);
	return 0;
}

#ifndef FUZZ_LIBFUZZER
/* Feed the corpus and its mutations to the target. */
int
main(int argc, char **argv)
{
	static const struct fuzzdrive_piece	 pieces[] = {
		FUZZDRIVE_PIECE("\0"), FUZZDRIVE_PIECE("\r\n"),
		FUZZDRIVE_PIECE("\r\n\r\n"), FUZZDRIVE_PIECE("%00"),
		FUZZDRIVE_PIECE("%2F"), FUZZDRIVE_PIECE("%2f..%2f"),
		FUZZDRIVE_PIECE("%0d%0aLocation:%20//evil.example"),
		FUZZDRIVE_PIECE("%1b[2J"), FUZZDRIVE_PIECE("%C2%9B"),
		FUZZDRIVE_PIECE("%E2%80"), FUZZDRIVE_PIECE("%ff"),
		FUZZDRIVE_PIECE("<script>&'\""),
		FUZZDRIVE_PIECE("&sr=2026-000101"), FUZZDRIVE_PIECE("&sr=//x"),
		FUZZDRIVE_PIECE("&email=a%40example.org"),
		FUZZDRIVE_PIECE("&phone=%2B14165550100"),
		FUZZDRIVE_PIECE("&counter=held&division=TW"),
		FUZZDRIVE_PIECE("&since=2026-02-30&until=9999-99-99"),
		FUZZDRIVE_PIECE("&name=alice&password=x&csrf=00ff"),
		FUZZDRIVE_PIECE("X-Remote-User: al<i>ce\r\n"),
		FUZZDRIVE_PIECE("X-Remote-Groups: 311-roads, 311-ops;;\r\n"),
		FUZZDRIVE_PIECE("Cookie: __Host-closeloop-pre=00ff; "
		    "__Host-closeloop=zz\r\n"),
		FUZZDRIVE_PIECE("Origin: https://evil.example\r\n"),
		FUZZDRIVE_PIECE("Sec-Fetch-Site: cross-site\r\n"),
		FUZZDRIVE_PIECE("Content-Type: application/x-www-form-"
		    "urlencoded\r\n"),
		FUZZDRIVE_PIECE("99999999999999999999"),
	};

	return fuzzdrive_main(argc, argv, "fuzz_web", "tests/fuzz/web",
	    pieces, sizeof pieces / sizeof pieces[0]);
}
#endif
