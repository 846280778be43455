/*
 * test_page.c - unit tests for the console's page templates (page.c)
 *
 * The shipped set (src/web/pages under $top_srcdir) loads, and every page
 * of it renders inside the layout; its static files are served as they
 * are. A set without its layout or a static file, or with a template
 * that does not compile, is refused with a message naming the directory
 * or the file and line. A page is 200 (unless set), HTML, with the
 * console's security headers, its values HTML-escaped, and the layout's
 * other partials taken from the set; a page the set lacks is a 500.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <dirent.h>

#include <cmocka.h>

#include "fixture.h"
#include "httpresp.h"
#include "page.h"
#include "testlog.h"
#include "view.h"
#include "xmalloc.h"

/* Return the shipped pages' directory (allocated). */
static char *
test_page_dir(void)
{
	const char	*top = getenv("top_srcdir");

	if (top == NULL || *top == '\0')
		top = ".";
	return xasprintf("%s/src/web/pages", top);
}

/* Load a set that must load. */
static struct page *
test_page_load(const char *dir)
{
	struct page	*p;
	char		*cause = NULL;

	if ((p = page_load(dir, &cause)) == NULL)
		fail_msg("page_load %s: %s", dir, cause);
	assert_null(cause);
	return p;
}

/* Load a set that must be refused; return the cause. */
static char *
test_page_refused(const char *dir)
{
	char	*cause = NULL;

	assert_null(page_load(dir, &cause));
	assert_non_null(cause);
	return cause;
}

/* Return the value of header name of resp, or NULL. */
static const char *
test_page_header(const struct http_response *resp, const char *name)
{
	size_t	 i;

	for (i = 0; i < resp->nheaders; i++)
		if (strcmp(resp->headers[i].name, name) == 0)
			return resp->headers[i].value;
	return NULL;
}

/* Write a small set: a layout, a page, a shared piece, the statics. */
static void
test_page_small(struct fixture *fx)
{
	fixture_open(fx);
	fixture_write(fx, "layout.mustache",
	    "<title>{{title}}</title>[{{> body}}]({{> shared}})\n");
	fixture_write(fx, "hello.mustache", "Hello {{name}}!");
	fixture_write(fx, "shared.mustache", "shared {{title}}");
	fixture_write(fx, "console.css", "body { color: black; }\n");
	fixture_write(fx, "charts.js", "\"use strict\";\n");
}

/* The shipped set loads; each page renders inside the layout. */
static void
test_page_shipped(void **state)
{
	struct http_response	 resp;
	struct page		*p;
	struct dirent		*de;
	struct view		*v;
	DIR			*d;
	char			*dir, *name;
	size_t			 len, pages = 0;

	(void)state;
	dir = test_page_dir();
	p = test_page_load(dir);
	if ((d = opendir(dir)) == NULL)
		fail_msg("opendir %s", dir);
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 9 || strcmp(de->d_name + len - 9, ".mustache") != 0 ||
		    strcmp(de->d_name, "layout.mustache") == 0)
			continue;
		name = xstrndup(de->d_name, len - 9);
		memset(&resp, 0, sizeof resp);
		v = view_map();
		view_set_string(v, "title", "A title");
		view_set_string(v, "lang", "en");
		page_render(p, name, v, &resp);
		if (resp.status != 200 || resp.body == NULL)
			fail_msg("page %s: status %d", name, resp.status);
		assert_int_equal(strncmp(resp.body, "<!DOCTYPE html>\n", 16), 0);
		assert_non_null(strstr(resp.body, "<html lang=\"en\""));
		assert_non_null(strstr(resp.body, "<main id=\"main\">"));
		assert_non_null(strstr(resp.body, "</html>"));
		httpresp_clear(&resp);
		free(name);
		pages++;
	}
	closedir(d);
	/* error, find, list, operations, resident, signin, sr, templates. */
	assert_true(pages >= 8);
	page_free(p);
	page_free(NULL);
	free(dir);
}

/* The static files are there, as they are on disk. */
static void
test_page_statics(void **state)
{
	static const char *const names[] = { "console.css", "charts.js" };
	struct page	*p;
	struct stat	 sb;
	const char	*data;
	char		*dir, *path;
	size_t		 len, i;

	(void)state;
	dir = test_page_dir();
	p = test_page_load(dir);
	for (i = 0; i < 2; i++) {
		path = xasprintf("%s/%s", dir, names[i]);
		assert_int_equal(stat(path, &sb), 0);
		data = page_static(p, names[i], &len);
		assert_non_null(data);
		assert_int_equal(len, (size_t)sb.st_size);
		assert_int_equal(strlen(data), len);
		free(path);
	}
	/* A template is not a static file, nor is anything else. */
	assert_null(page_static(p, "layout", &len));
	assert_null(page_static(p, "layout.mustache", &len));
	assert_null(page_static(p, "other.css", &len));
	assert_null(page_static(p, "../console.css", &len));
	page_free(p);
	free(dir);
}

/* A set without its layout or statics is refused, saying where. */
static void
test_page_missing(void **state)
{
	struct fixture	 fx;
	char		*cause, *want, *path;

	(void)state;
	test_page_small(&fx);
	path = xasprintf("%s/layout.mustache", fx.dir);
	assert_int_equal(unlink(path), 0);
	free(path);
	cause = test_page_refused(fx.dir);
	want = xasprintf("%s: no layout.mustache", fx.dir);
	assert_string_equal(cause, want);
	free(want);
	free(cause);
	fixture_cleanup(&fx);

	test_page_small(&fx);
	path = xasprintf("%s/console.css", fx.dir);
	assert_int_equal(unlink(path), 0);
	cause = test_page_refused(fx.dir);
	want = xasprintf("%s: No such file or directory", path);
	assert_string_equal(cause, want);
	free(want);
	free(cause);
	free(path);
	fixture_cleanup(&fx);

	cause = test_page_refused("/nonexistent/closeloop/pages");
	assert_string_equal(cause, "/nonexistent/closeloop/pages: No such "
	    "file or directory");
	free(cause);
}

/* A template that does not compile is refused, naming file and line. */
static void
test_page_bad_template(void **state)
{
	struct fixture	 fx;
	char		*cause, *want;

	(void)state;
	test_page_small(&fx);
	fixture_write(&fx, "broken.mustache", "<h1>{{title}}</h1>\n"
	    "<ul>\n{{#items}}<li>{{name}}</li>\n</ul>\n");
	cause = test_page_refused(fx.dir);
	want = xasprintf("%s/broken.mustache:3:", fx.dir);
	if (strncmp(cause, want, strlen(want)) != 0)
		fail_msg("got \"%s\", want \"%s...\"", cause, want);
	assert_non_null(strstr(cause, "items"));
	free(want);
	free(cause);
	fixture_cleanup(&fx);

	/* A bad layout too. */
	test_page_small(&fx);
	fixture_write(&fx, "layout.mustache", "<title>{{title}</title>\n");
	cause = test_page_refused(fx.dir);
	want = xasprintf("%s/layout.mustache:1:", fx.dir);
	if (strncmp(cause, want, strlen(want)) != 0)
		fail_msg("got \"%s\", want \"%s...\"", cause, want);
	free(want);
	free(cause);
	fixture_cleanup(&fx);
}

/* A page: 200, HTML, the security headers, the layout around it. */
static void
test_page_render(void **state)
{
	struct http_response	 resp;
	struct fixture		 fx;
	struct page		*p;
	struct view		*v;
	const char		*csp;

	(void)state;
	test_page_small(&fx);
	p = test_page_load(fx.dir);
	memset(&resp, 0, sizeof resp);
	v = view_map();
	view_set_string(v, "title", "Greeting");
	view_set_string(v, "name", "Ana");
	page_render(p, "hello", v, &resp);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.content_type, "text/html; charset=utf-8");
	assert_string_equal(resp.body, "<title>Greeting</title>[Hello Ana!]"
	    "(shared Greeting)\n");
	csp = test_page_header(&resp, "Content-Security-Policy");
	assert_non_null(csp);
	assert_non_null(strstr(csp, "default-src 'none'"));
	assert_non_null(strstr(csp, "script-src 'self';"));
	assert_non_null(strstr(csp, "style-src 'self';"));
	assert_non_null(strstr(csp, "frame-ancestors 'none'"));
	assert_non_null(strstr(csp, "form-action 'self'"));
	assert_null(strstr(csp, "unsafe-inline"));
	assert_null(strstr(csp, "unsafe-eval"));
	assert_null(strstr(csp, "*"));
	assert_string_equal(test_page_header(&resp, "X-Frame-Options"),
	    "DENY");
	assert_string_equal(test_page_header(&resp, "Referrer-Policy"),
	    "same-origin");
	assert_non_null(strstr(test_page_header(&resp, "Permissions-Policy"),
	    "camera=()"));
	httpresp_clear(&resp);

	/* A status already set stays. */
	resp.status = 404;
	v = view_map();
	page_render(p, "hello", v, &resp);
	assert_int_equal(resp.status, 404);
	assert_non_null(test_page_header(&resp, "X-Frame-Options"));
	httpresp_clear(&resp);
	page_free(p);
	fixture_cleanup(&fx);
}

/* Values are HTML-escaped, in the page and in the layout. */
static void
test_page_escape(void **state)
{
	struct http_response	 resp;
	struct page		*p;
	struct view		*v;
	char			*dir;

	(void)state;
	dir = test_page_dir();
	p = test_page_load(dir);
	memset(&resp, 0, sizeof resp);
	v = view_map();
	view_set_string(v, "text", "<script>alert(\"x\")</script> & 'y'");
	view_set_string(v, "user", "<b>ana</b>");
	view_set_string(v, "csrf", "\"><script>");
	view_set(v, "signout", view_bool(1));
	page_render(p, "error", v, &resp);
	assert_int_equal(resp.status, 200);
	assert_non_null(strstr(resp.body, "&lt;script&gt;alert(&quot;x&quot;)"
	    "&lt;/script&gt; &amp; "));
	assert_null(strstr(resp.body, "<script>alert"));
	assert_null(strstr(resp.body, "<b>ana"));
	assert_non_null(strstr(resp.body, "&lt;b&gt;ana&lt;/b&gt;"));
	assert_null(strstr(resp.body, "value=\"\">"));
	assert_null(strstr(resp.body, "<script"));
	httpresp_clear(&resp);
	page_free(p);
	free(dir);
}

/* A page the set lacks is a 500, with a line in the log. */
static void
test_page_unknown(void **state)
{
	struct http_response	 resp;
	struct fixture		 fx;
	struct testlog		 log;
	struct page		*p;
	char			*out;

	(void)state;
	test_page_small(&fx);
	p = test_page_load(fx.dir);
	memset(&resp, 0, sizeof resp);
	testlog_start(&log);
	page_render(p, "nowhere", view_map(), &resp);
	out = testlog_stop(&log);
	assert_int_equal(resp.status, 500);
	assert_non_null(strstr(resp.body, "internal error"));
	assert_non_null(strstr(out, "no page template nowhere"));
	free(out);
	httpresp_clear(&resp);
	/* A static file is no page. */
	testlog_start(&log);
	page_render(p, "console.css", view_map(), &resp);
	free(testlog_stop(&log));
	assert_int_equal(resp.status, 500);
	httpresp_clear(&resp);
	page_free(p);
	fixture_cleanup(&fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_shipped),
		cmocka_unit_test(test_page_statics),
		cmocka_unit_test(test_page_missing),
		cmocka_unit_test(test_page_bad_template),
		cmocka_unit_test(test_page_render),
		cmocka_unit_test(test_page_escape),
		cmocka_unit_test(test_page_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
