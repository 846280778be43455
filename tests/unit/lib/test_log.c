/*
 * test_log.c - unit tests for logging and masking (log.c)
 *
 * Log lines go to stderr; the tests point stderr at a temporary file and
 * read back what a journal would receive.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "testlog.h"

/*
 * Run fn with stderr captured and return what it wrote; the string is
 * valid until the next call.
 */
static const char *
test_log_capture(void (*fn)(void))
{
	static char	*text;
	struct testlog	 log;

	free(text);
	testlog_start(&log);
	fn();
	return text = testlog_stop(&log);
}

/* Write one line at each level. */
static void
test_log_each_level(void)
{
	log_err("e %d", 1);
	log_warn("w");
	log_notice("n");
	log_info("i");
	log_debug("d");
}

/* Lines carry syslog priority prefixes and respect the level. */
static void
test_log_levels(void **state)
{
	(void)state;
	log_set_level(LOG_LEVEL_DEBUG);
	assert_string_equal(test_log_capture(test_log_each_level),
	    "<3>e 1\n<4>w\n<5>n\n<6>i\n<7>d\n");
	log_set_level(LOG_LEVEL_NOTICE);
	assert_string_equal(test_log_capture(test_log_each_level),
	    "<3>e 1\n<4>w\n<5>n\n");
	assert_int_equal(log_get_level(), LOG_LEVEL_NOTICE);
	log_set_level(LOG_LEVEL_INFO);
}

/* Write a line longer than the limit. */
static void
test_log_long_line(void)
{
	char	big[10000];

	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	log_err("%s", big);
}

/* An over-long message is cut but still ends with a newline. */
static void
test_log_long(void **state)
{
	const char	*out;

	(void)state;
	out = test_log_capture(test_log_long_line);
	assert_true(strlen(out) <= 4096);
	assert_int_equal(out[strlen(out) - 1], '\n');
	assert_int_equal(strncmp(out, "<3>aaa", 6), 0);
}

/* Write messages holding what a peer could send. */
static void
test_log_forged_lines(void)
{
	log_warn("receipt: unknown status \"%s\"; ignored",
	    "\r\n<3>FAKE LOG LINE\x1b[2J");
	log_notice("tab\there, C1 \xc2\x9b" "2J, DEL \x7f, bad \xff\xc3, "
	    "NUL %c, kept: arr\xc3\xaat \xe9\x80\x80\xe8\xae\xa2", 0);
}

/*
 * A message holding CR, LF, a priority prefix and escape sequences is
 * one line at its own priority, each control character escaped.
 */
static void
test_log_control(void **state)
{
	(void)state;
	log_set_level(LOG_LEVEL_INFO);
	assert_string_equal(test_log_capture(test_log_forged_lines),
	    "<4>receipt: unknown status \"\\r\\n<3>FAKE LOG LINE\\x1b[2J\"; "
	    "ignored\n"
	    "<5>tab\\there, C1 \\xc2\\x9b2J, DEL \\x7f, bad \\xff\\xc3, "
	    "NUL \\x00, kept: arr\xc3\xaat \xe9\x80\x80\xe8\xae\xa2\n");
}

/* Write a long line of escapes and characters of several bytes. */
static void
test_log_long_escapes(void)
{
	char	big[6000];
	size_t	i;

	for (i = 0; i + 5 < sizeof big; i += 5)
		memcpy(big + i, "\x1b\xe2\x82\xac\r", 5);	/* ESC, euro, CR */
	big[i] = '\0';
	log_err("%s", big);
}

/* Escapes make a line longer: it is cut at a whole escape or character. */
static void
test_log_control_long(void **state)
{
	const char	*out, *p;
	size_t		 len;

	(void)state;
	out = test_log_capture(test_log_long_escapes);
	len = strlen(out);
	assert_true(len <= 4096 && len > 4000);
	p = "<3>\\x1b\xe2\x82\xac\\r\\x1b";
	assert_int_equal(strncmp(out, p, strlen(p)), 0);
	assert_int_equal(out[len - 1], '\n');
	assert_null(memchr(out, '\n', len - 1));
	/* The last thing before the newline is whole. */
	p = out + len - 1;
	assert_true(strncmp(p - 4, "\\x1b", 4) == 0 ||
	    strncmp(p - 3, "\xe2\x82\xac", 3) == 0 ||
	    strncmp(p - 2, "\\r", 2) == 0);
}

/* Level names parse both ways; unknown names are refused. */
static void
test_log_level_names(void **state)
{
	static const char	*names[] = { "error", "warning", "notice",
	    "info", "debug" };
	enum log_level		 level;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		assert_int_equal(log_level_parse(names[i], &level), 0);
		assert_string_equal(log_level_name(level), names[i]);
	}
	assert_int_equal(log_level_parse("verbose", &level), -1);
	assert_int_equal(log_level_parse("", &level), -1);
}

/* Email addresses keep their first letter and domain only. */
static void
test_log_mask_email(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;
	} rows[] = {
		{ "alice@example.org", "a***@example.org" },
		{ "b@x.ca", "b***@x.ca" },
		{ "no-at-sign", "***" },
		{ "@example.org", "***" },
		{ "a@b@c", "***" },
		{ NULL, "***" },
	};
	char	*m;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		m = log_mask_email(rows[i].in);
		assert_string_equal(m, rows[i].out);
		free(m);
	}
}

/* Phone numbers keep the country and area code and the last four digits. */
static void
test_log_mask_phone(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;
	} rows[] = {
		{ "+14165550100", "+1416***0100" },
		{ "+33612345678", "+3361***5678" },
		{ "+4930123", "***23" },
		{ "1", "***" },
		{ NULL, "***" },
	};
	char	*m;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		m = log_mask_phone(rows[i].in);
		assert_string_equal(m, rows[i].out);
		free(m);
	}
}

/* Values are made safe for a log line and cut. */
static void
test_log_clean(void **state)
{
	char	*c;

	(void)state;
	c = log_clean("a\nb\x7f" "c", 5, 80);
	assert_string_equal(c, "a?b?c");
	free(c);
	c = log_clean("abcdef", 6, 3);
	assert_string_equal(c, "abc...");
	free(c);
	c = log_clean("x\0y", 3, 80);
	assert_string_equal(c, "x?y");
	free(c);
	/* A C1 control is one character: one '?'. */
	c = log_clean("a\xc2\x9b" "b\xc2\xa0" "c", 7, 80);
	assert_string_equal(c, "a?b\xc2\xa0" "c");
	free(c);
}

/* Run the tests. */
/* Assert that log_mask_reply(text, recipient) gives want. */
static void
test_log_reply_is(const char *text, const char *recipient, const char *want)
{
	char	*got = log_mask_reply(text, recipient);

	if (strcmp(got, want) != 0)
		fail_msg("log_mask_reply(\"%s\", %s): \"%s\", wanted \"%s\"",
		    text, recipient != NULL ? recipient : "NULL", got, want);
	free(got);
}

/*
 * A server's reply keeps no address and no phone number in the clear,
 * whatever their case; the rest of it is left as it was.
 */
static void
test_log_mask_reply(void **state)
{
	(void)state;
	test_log_reply_is("550 5.1.1 <RES+X@EXAMPLE.ORG>: Recipient address "
	    "rejected", "res+x@example.org",
	    "550 5.1.1 <R***@EXAMPLE.ORG>: Recipient address rejected");
	test_log_reply_is("550 5.1.1 <res+x@example.org> unknown",
	    "res+x@example.org", "550 5.1.1 <r***@example.org> unknown");
	test_log_reply_is("550 5.7.1 <a.b-c@x.example> from "
	    "<noreply@city.example> refused, see postmaster@x.example.",
	    "a.b-c@x.example", "550 5.7.1 <a***@x.example> from "
	    "<n***@city.example> refused, see p***@x.example.");
	test_log_reply_is("550 <O'Brien/Ops=1@Example.org>: unknown",
	    "o'brien/ops=1@example.org", "550 <O***@Example.org>: unknown");
	test_log_reply_is("HTTP 400: 21211 The 'To' number +14165550101 is "
	    "not a valid phone number.", "+14165550101", "HTTP 400: 21211 "
	    "The 'To' number +1416***0101 is not a valid phone number.");
	test_log_reply_is("HTTP 400: bad number 14165550101, try +447700900123",
	    "+14165550101",
	    "HTTP 400: bad number 14165***0101, try +4477***0123");
	test_log_reply_is("HTTP 202: 0: Accepted for delivery", "+14165550101",
	    "HTTP 202: 0: Accepted for delivery");
	test_log_reply_is("HTTP 201: SM0123456789abcdef0123456789abcdef "
	    "queued", "+14165550101",
	    "HTTP 201: SM0123456789abcdef0123456789abcdef queued");
	test_log_reply_is("451 4.3.0 Try again later (d451); size +1024 ok",
	    "res@example.org",
	    "451 4.3.0 Try again later (d451); size +1024 ok");
	test_log_reply_is("250 2.0.0 Ok: queued as 4F2A1B", NULL,
	    "250 2.0.0 Ok: queued as 4F2A1B");
	test_log_reply_is("no @ here, @example.org, user@, @@", NULL,
	    "no @ here, @example.org, user@, @@");
	test_log_reply_is("", "res@example.org", "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_levels),
		cmocka_unit_test(test_log_long),
		cmocka_unit_test(test_log_control),
		cmocka_unit_test(test_log_control_long),
		cmocka_unit_test(test_log_level_names),
		cmocka_unit_test(test_log_mask_email),
		cmocka_unit_test(test_log_mask_phone),
		cmocka_unit_test(test_log_clean),
		cmocka_unit_test(test_log_mask_reply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
