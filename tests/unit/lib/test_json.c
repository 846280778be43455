/*
 * test_json.c - unit tests for JSON objects (json.c)
 *
 * What the audit file and "closeloop history --json" write must parse
 * back as the same values, one object per line, members in the order
 * set; what a gateway answers must be read or refused, never crash.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"

/* Members come out in the order set, on one line, and parse back. */
static void
test_json_round_trip(void **state)
{
	struct json	*j, *k;
	char		*line, *cause = NULL;
	long long	 v;

	(void)state;
	j = json_new();
	json_set(j, "ts", "2026-11-20T10:00:00.000Z");
	json_set(j, "sr", "8812");
	json_set(j, "note", "Line one\nline \"two\"\t\xe6\x82\xa8\xe5\xa5\xbd");
	json_set(j, "empty", "");
	json_set(j, "none", NULL);
	json_set_int(j, "recipients", 2);
	json_set_words(j, "event_ids", " e-1  e-2 ");
	line = json_dump(j);
	assert_null(strchr(line, '\n'));
	assert_string_equal(line, "{\"ts\":\"2026-11-20T10:00:00.000Z\","
	    "\"sr\":\"8812\",\"note\":\"Line one\\nline \\\"two\\\"\\t"
	    "\xe6\x82\xa8\xe5\xa5\xbd\",\"recipients\":2,"
	    "\"event_ids\":[\"e-1\",\"e-2\"]}");
	k = json_parse(line, strlen(line), &cause);
	assert_non_null(k);
	assert_string_equal(json_get(k, "note"), "Line one\nline \"two\"\t"
	    "\xe6\x82\xa8\xe5\xa5\xbd");
	assert_int_equal(json_get_int(k, "recipients", &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(json_get_int(k, "sr", &v), -1);
	assert_null(json_get(k, "recipients"));
	assert_null(json_get(k, "empty"));
	free(line);
	json_free(k);
	json_free(j);
}

/* Bytes that are not UTF-8 become U+FFFD; the rest is kept. */
static void
test_json_bad_utf8(void **state)
{
	struct json	*j;
	char		*line;

	(void)state;
	j = json_new();
	json_set(j, "a", "caf\xe9 ok \xc3\xa9 \xed\xa0\x80!");
	json_set_words(j, "w", "x\xff y");
	line = json_dump(j);
	assert_string_equal(line, "{\"a\":\"caf\xef\xbf\xbd ok \xc3\xa9 "
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd!\",\"w\":[\"x\xef\xbf\xbd\","
	    "\"y\"]}");
	free(line);
	json_free(j);
}

/* An empty word list is an empty array. */
static void
test_json_empty_words(void **state)
{
	struct json	*j;
	char		*line;

	(void)state;
	j = json_new();
	json_set_words(j, "event_ids", "   ");
	line = json_dump(j);
	assert_string_equal(line, "{\"event_ids\":[]}");
	free(line);
	json_free(j);
}

/*
 * A printed object is one line with its newline: JSON Lines; booleans and
 * arrays of strings as set.
 */
static void
test_json_print(void **state)
{
	const char	*v[] = { "a", "b\nc" };
	struct json	*j;
	FILE		*f;
	char		*text = NULL;
	size_t		 len = 0;

	(void)state;
	j = json_new();
	json_set_bool(j, "valid", 0);
	json_set_strings(j, "problems", v, 2);
	json_set_strings(j, "none", NULL, 0);
	assert_non_null(f = open_memstream(&text, &len));
	json_print(j, f);
	json_print(j, f);
	fclose(f);
	assert_string_equal(text, "{\"valid\":false,\"problems\":[\"a\","
	    "\"b\\nc\"],\"none\":[]}\n{\"valid\":false,\"problems\":[\"a\","
	    "\"b\\nc\"],\"none\":[]}\n");
	free(text);
	json_free(j);
}

/* What is not one JSON object is refused with a cause; NULL frees. */
static void
test_json_refused(void **state)
{
	static const char	*bad[] = {
		"", "[1,2]", "\"sid\"", "{\"sid\":", "{\"a\":1,\"a\":2}",
		"{\"a\":1} trailing", "\xff"
	};
	char			*cause;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		assert_null(json_parse(bad[i], strlen(bad[i]), &cause));
		assert_non_null(cause);
		assert_int_equal(strncmp(cause, "JSON: ", 6), 0);
		free(cause);
	}
	assert_null(json_parse("{", 1, NULL));
	json_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_json_bad_utf8),
		cmocka_unit_test(test_json_empty_words),
		cmocka_unit_test(test_json_refused),
		cmocka_unit_test(test_json_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
