/*
 * test_template.c - unit tests for the Mustache engine (template.c)
 *
 * The first test runs the official Mustache conformance suite, every
 * test of every file, read from MUSTACHE_SPEC_DIR (set by make check;
 * default ../shared/mustache-spec). A missing suite skips that test
 * (exit 77), except in CI (CI=true), where it fails. The other tests
 * check what a resident must never see: unescaped HTML, control and
 * bidi override characters, broken UTF-8; and that errors name the line
 * and column.
 */
#include "build.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "template.h"
#include "testskip.h"
#include "view.h"
#include "xmalloc.h"

/* The partials of one spec test, compiled. */
struct test_template_partials {
	const char		**names;
	struct template		**list;
	size_t			  n;
};

/* Turn a JSON value into a view. */
static struct view *
test_template_view(const json_t *j)
{
	struct view	*v;
	const char	*key;
	json_t		*item;
	size_t		 i;
	char		 buf[64];

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		v = view_map();
		json_object_foreach((json_t *)j, key, item)
			view_set(v, key, test_template_view(item));
		return v;
	case JSON_ARRAY:
		v = view_list();
		json_array_foreach(j, i, item)
			view_append(v, test_template_view(item));
		return v;
	case JSON_STRING:
		return view_string(json_string_value(j));
	case JSON_INTEGER:
		snprintf(buf, sizeof buf, "%lld",
		    (long long)json_integer_value(j));
		return view_string(buf);
	case JSON_REAL:
		snprintf(buf, sizeof buf, "%.15g", json_real_value(j));
		return view_string(buf);
	case JSON_TRUE:
		return view_bool(1);
	case JSON_FALSE:
		return view_bool(0);
	default:
		return view_null();
	}
}

/* Find a partial by name. */
static const struct template *
test_template_lookup(void *arg, const char *name, const char **before,
    const char **after)
{
	struct test_template_partials	*p = arg;
	size_t				 i;

	(void)before;
	(void)after;
	for (i = 0; i < p->n; i++) {
		if (strcmp(p->names[i], name) == 0)
			return p->list[i];
	}
	return NULL;
}

/* Run one spec test; returns 0 if it passed. */
static int
test_template_spec_one(const char *file, const json_t *test)
{
	struct test_template_partials	 p = { NULL, NULL, 0 };
	const char			*name, *src, *want, *key;
	struct template			*t;
	struct view			*data;
	json_t				*partials, *item;
	char				*got, *cause = NULL;
	size_t				 i;
	int				 rc = -1;

	name = json_string_value(json_object_get(test, "name"));
	src = json_string_value(json_object_get(test, "template"));
	want = json_string_value(json_object_get(test, "expected"));
	partials = json_object_get(test, "partials");
	if (partials != NULL) {
		json_object_foreach(partials, key, item) {
			p.names = xreallocarray(p.names, p.n + 1,
			    sizeof *p.names);
			p.list = xreallocarray(p.list, p.n + 1, sizeof *p.list);
			p.names[p.n] = key;
			p.list[p.n] = template_compile(key,
			    json_string_value(item),
			    strlen(json_string_value(item)), &cause);
			if (p.list[p.n++] == NULL) {
				printf("FAIL %s: %s: partial: %s\n", file, name,
				    cause);
				goto out;
			}
		}
	}
	t = template_compile(name, src, strlen(src), &cause);
	if (t == NULL) {
		printf("FAIL %s: %s: %s\n", file, name, cause);
		goto out;
	}
	data = test_template_view(json_object_get(test, "data"));
	got = template_render(t, data, TEMPLATE_HTML, test_template_lookup,
	    &p);
	if (strcmp(got, want) == 0)
		rc = 0;
	else
		printf("FAIL %s: %s\n  template: %s\n  expected: [%s]\n  "
		    "got:      [%s]\n", file, name, src, want, got);
	free(got);
	view_free(data);
	template_free(t);
out:
	free(cause);
	for (i = 0; i < p.n; i++)
		template_free(p.list[i]);
	free(p.names);
	free(p.list);
	return rc;
}

/* Run every test of the official conformance suite. */
static void
test_template_spec(void **state)
{
	const char	*files[] = { "comments.json", "delimiters.json",
	    "interpolation.json", "inverted.json", "partials.json",
	    "sections.json" };
	const char	*dir = getenv("MUSTACHE_SPEC_DIR");
	json_t		*root, *test;
	json_error_t	 err;
	char		*path;
	size_t		 f, i, total = 0, failed = 0;

	(void)state;
	if (dir == NULL || *dir == '\0')
		dir = "../shared/mustache-spec";
	for (f = 0; f < sizeof files / sizeof files[0]; f++) {
		path = xasprintf("%s/%s", dir, files[f]);
		root = json_load_file(path, 0, &err);
		if (root == NULL) {
			testskip_note("%s: %s (the Mustache spec)", path,
			    err.text);
			free(path);
			skip();
		}
		json_array_foreach(json_object_get(root, "tests"), i, test) {
			total++;
			if (test_template_spec_one(files[f], test) != 0)
				failed++;
		}
		json_decref(root);
		free(path);
	}
	printf("mustache spec: %zu tests, %zu failed\n", total, failed);
	assert_int_equal(total, 136);
	assert_int_equal(failed, 0);
}

/* Render src with data {"x": value} and compare with want. */
static void
test_template_check(const char *src, const char *value,
    enum template_escape esc, const char *want)
{
	struct template	*t;
	struct view	*v;
	char		*got, *cause = NULL;

	t = template_compile("t", src, strlen(src), &cause);
	if (t == NULL)
		fail_msg("%s", cause);
	v = view_map();
	view_set_string(v, "x", value);
	got = template_render(t, v, esc, NULL, NULL);
	assert_string_equal(got, want);
	free(got);
	view_free(v);
	template_free(t);
}

/* HTML parts escape; text parts do not, but drop controls. */
static void
test_template_escaping(void **state)
{
	(void)state;
	test_template_check("<p>{{x}}</p>", "<script>alert('x')</script>",
	    TEMPLATE_HTML,
	    "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</p>");
	test_template_check("{{x}}", "<b>Tom & Jerry</b>", TEMPLATE_TEXT,
	    "<b>Tom & Jerry</b>");
	test_template_check("{{x}}", "a\r\nb\x1b[31mc\x7f\td", TEMPLATE_TEXT,
	    "a\nb[31mcd");
	test_template_check("{{{x}}}", "a\x01" "b", TEMPLATE_TEXT, "ab");
	test_template_check("{{x}}", "a\tb", TEMPLATE_HTML, "a\tb");
	/* A value that looks like a tag is not a tag. */
	test_template_check("{{x}}", "{{x}} {{>evil}}", TEMPLATE_TEXT,
	    "{{x}} {{>evil}}");
	/*
	 * C1 controls, bidi embeddings and overrides, isolates (U+2066 to
	 * U+2069) and direction marks (LRM, RLM, ALM) go.
	 */
	test_template_check("{{x}}", "a\xc2\x85" "b\xe2\x80\xae" "c\xe2\x81\xa6"
	    "d\xe2\x80\x8f" "e\xe2\x81\xa9" "f\xe2\x80\x8e" "g\xd8\x9c"
	    "h\xe2\x81\xa7\xe2\x81\xa8" "i", TEMPLATE_TEXT, "abcdefghi");
	test_template_check("{{x}}", "\xe2\x81\xa9" "2026-000101",
	    TEMPLATE_HTML, "2026-000101");
	/* Line and paragraph separators become line breaks. */
	test_template_check("{{x}}", "a\xe2\x80\xa8" "b\xe2\x80\xa9" "c",
	    TEMPLATE_TEXT, "a\nb\nc");
	/* The template's own isolates stay: they are not values. */
	test_template_check("(\xe2\x81\xa6{{x}}\xe2\x81\xa9)",
	    "2026-000101\xe2\x81\xa9", TEMPLATE_TEXT,
	    "(\xe2\x81\xa6" "2026-000101\xe2\x81\xa9)");
	/* The zero-width non-joiner of Persian words is not a mark. */
	test_template_check("{{x}}", "\xd9\x85\xdb\x8c\xe2\x80\x8c\xda\xa9",
	    TEMPLATE_TEXT, "\xd9\x85\xdb\x8c\xe2\x80\x8c\xda\xa9");
	/* Invalid UTF-8 becomes U+FFFD, never half a character. */
	test_template_check("{{x}}", "caf\xc3", TEMPLATE_TEXT,
	    "caf\xef\xbf\xbd");
	test_template_check("{{x}}", "\xed\xa0\x80", TEMPLATE_HTML,
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

/* 10 KB of text renders whole. */
static void
test_template_long_value(void **state)
{
	char	*value, *want;

	(void)state;
	value = xmalloc(10241);
	memset(value, 'a', 10240);
	value[10240] = '\0';
	want = xasprintf("[%s]", value);
	test_template_check("[{{x}}]", value, TEMPLATE_TEXT, want);
	free(value);
	free(want);
}

/* A template that cannot compile says where, by line and column. */
static void
test_template_errors(void **state)
{
	struct {
		const char	*src;
		const char	*want;
		size_t		 len;	/* 0: up to the NUL */
	} cases[] = {
		{ "Hello {{name", "t:1:7: tag is not closed: no }}", 0 },
		{ "a\n{{#a}}\nb", "t:2:1: section a is not closed", 0 },
		{ "{{#a}}\n  {{/b}}", "t:2:3: closing tag does not match the "
		    "open section a", 0 },
		{ "x\n\n  {{/b}}", "t:3:3: closing tag without a section: b", 0 },
		{ "{{= <% =}}", "t:1:1: bad set-delimiter tag", 0 },
		{ "\xc3\xa9t\xc3\xa9 {{ }}", "t:1:5: tag has no name", 0 },
		{ "ab\ncd\0{{x}}", "t:2:3: contains a NUL byte", 11 },
		/* A tag short of a brace is not closed, where it starts. */
		{ "Votre demande {{sr} est termin\xc3\xa9" "e. {{date}}",
		    "t:1:15: tag is not closed: no }}", 0 },
		{ "Demande {{sr} : termin\xc3\xa9" "e }}.",
		    "t:1:9: tag is not closed: no }}", 0 },
		{ "a\n{{#sr}\n{{/sr}}", "t:2:1: tag is not closed: no }}", 0 },
		{ "{{=<% %>=}}<%sr% <%x%>", "t:1:12: tag is not closed: no %>",
		    0 },
	};
	char	*cause;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cause = NULL;
		assert_null(template_compile("t", cases[i].src, cases[i].len != 0 ?
		    cases[i].len : strlen(cases[i].src), &cause));
		assert_string_equal(cause, cases[i].want);
		free(cause);
	}
}

/* Count the names a template uses, by kind. */
static void
test_template_count(void *arg, enum template_use use, const char *name,
    unsigned int line, unsigned int col)
{
	int	*counts = arg;

	(void)name;
	(void)line;
	(void)col;
	counts[use]++;
}

/* Walking a template finds every name it uses. */
static void
test_template_walking(void **state)
{
	const char	*src = "{{a}}{{#b}}{{c.d}}{{/b}}{{^e}}{{> f}}{{/e}}"
	    "{{{g}}}{{!h}} x\n{{#i}}\ny\n{{/i}}\n";
	struct template	*t;
	int		 counts[TEMPLATE_USE_TEXT + 1];

	(void)state;
	memset(counts, 0, sizeof counts);
	t = template_compile("t", src, strlen(src), NULL);
	assert_non_null(t);
	template_walk(t, test_template_count, counts);
	assert_int_equal(counts[TEMPLATE_USE_VAR], 3);
	assert_int_equal(counts[TEMPLATE_USE_SECTION], 2);
	assert_int_equal(counts[TEMPLATE_USE_INVERTED], 1);
	assert_int_equal(counts[TEMPLATE_USE_PARTIAL], 1);
	assert_int_equal(counts[TEMPLATE_USE_END], 3);
	assert_int_equal(counts[TEMPLATE_USE_TEXT], 2);
	template_free(t);
}

/* A partial that includes itself stops at the nesting limit. */
static const struct template *
test_template_self(void *arg, const char *name, const char **before,
    const char **after)
{
	(void)name;
	*before = "<";
	*after = ">";
	return arg;
}

/* Self-including partials do not recurse forever. */
static void
test_template_recursion(void **state)
{
	struct template	*t;
	char		*got;

	(void)state;
	t = template_compile("t", "x{{>t}}", 7, NULL);
	got = template_render(t, NULL, TEMPLATE_TEXT, test_template_self, t);
	assert_int_equal(strlen(got), 33 + 2 * 32);
	assert_int_equal(strncmp(got, "x<x<x<", 6), 0);
	free(got);
	template_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_template_spec),
		cmocka_unit_test(test_template_escaping),
		cmocka_unit_test(test_template_long_value),
		cmocka_unit_test(test_template_errors),
		cmocka_unit_test(test_template_walking),
		cmocka_unit_test(test_template_recursion),
	};

	return testskip_status(cmocka_run_group_tests(tests, NULL, NULL));
}
