/*
 * test_catalog.c - unit tests for template sets on disk (catalog.c)
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "catalog.h"
#include "fixture.h"
#include "template.h"
#include "view.h"

/* Render a found template with no data; the result is allocated. */
static char *
test_catalog_render(const struct catalog *c, const char *locale,
    const char *name, const char *part, const char **found)
{
	const struct template	*t;

	t = catalog_find(c, locale, name, part, found);
	assert_non_null(t);
	return template_render(t, NULL, TEMPLATE_TEXT, NULL, NULL);
}

/* Fallback goes file by file: fr-CA, then fr, then the default. */
static void
test_catalog_fallback(void **state)
{
	struct fixture	 fx;
	struct catalog	*c;
	const char	*found = NULL;
	char		*s, *cause = NULL;

	(void)state;
	fixture_open(&fx);
	fixture_write(&fx, "en/completed.txt.mustache", "done");
	fixture_write(&fx, "en/completed.sms.mustache", "done (sms)");
	fixture_write(&fx, "en/received.txt.mustache", "received");
	fixture_write(&fx, "fr/completed.txt.mustache", "fait");
	fixture_write(&fx, "fr-CA/completed.txt.mustache", "c'est fait");
	c = catalog_load(fx.dir, "en", &cause);
	assert_non_null(c);
	assert_int_equal(catalog_nlocales(c), 3);
	s = test_catalog_render(c, "fr-CA", "completed", "txt", &found);
	assert_string_equal(s, "c'est fait");
	assert_string_equal(found, "fr-CA");
	free(s);
	s = test_catalog_render(c, "fr-BE", "completed", "txt", &found);
	assert_string_equal(s, "fait");
	free(s);
	s = test_catalog_render(c, "fr-CA", "completed", "sms", &found);
	assert_string_equal(s, "done (sms)");
	assert_string_equal(found, "en");
	free(s);
	s = test_catalog_render(c, "zh-Hans", "received", "txt", &found);
	assert_string_equal(s, "received");
	free(s);
	assert_null(catalog_find(c, "fr", "cancelled", "txt", NULL));
	catalog_free(c);
	fixture_cleanup(&fx);
}

/* Every problem of a set is reported, with file, line and column. */
static void
test_catalog_errors(void **state)
{
	struct fixture	 fx;
	char		*cause = NULL, *want;

	(void)state;
	fixture_open(&fx);
	fixture_write(&fx, "en/completed.txt.mustache", "ok {{sr}}");
	fixture_write(&fx, "en/received.txt.mustache", "line one\n{{#a}}x");
	fixture_write(&fx, "fr/received.html.mustache", "{{/b}}");
	fixture_write(&fx, "English/received.txt.mustache", "x");
	assert_null(catalog_load(fx.dir, "en", &cause));
	want = xasprintf("%s/English: not a locale directory (a BCP 47 tag "
	    "in canonical case, such as en, fr-CA or zh-Hans)\n"
	    "%s/en/received.txt.mustache:2:1: section a is not closed\n"
	    "%s/fr/received.html.mustache:1:1: closing tag without a "
	    "section: b", fx.dir, fx.dir, fx.dir);
	assert_string_equal(cause, want);
	free(want);
	free(cause);
	cause = NULL;
	assert_null(catalog_load("/nonexistent/templates", "en", &cause));
	assert_string_equal(cause, "/nonexistent/templates: No such file or "
	    "directory");
	free(cause);
	fixture_cleanup(&fx);
}

/* The version follows the content, and only the content. */
static void
test_catalog_version(void **state)
{
	struct fixture	 fx;
	struct catalog	*c;
	char		 v1[17], v2[17];

	(void)state;
	fixture_open(&fx);
	fixture_write(&fx, "en/completed.txt.mustache", "done");
	c = catalog_load(fx.dir, "en", NULL);
	snprintf(v1, sizeof v1, "%s", catalog_version(c));
	catalog_free(c);
	c = catalog_load(fx.dir, "en", NULL);
	assert_string_equal(catalog_version(c), v1);
	catalog_free(c);
	fixture_write(&fx, "en/completed.txt.mustache", "done.");
	c = catalog_load(fx.dir, "en", NULL);
	snprintf(v2, sizeof v2, "%s", catalog_version(c));
	assert_string_not_equal(v1, v2);
	assert_int_equal(strlen(v2), 16);
	catalog_free(c);
	fixture_cleanup(&fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalog_fallback),
		cmocka_unit_test(test_catalog_errors),
		cmocka_unit_test(test_catalog_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
