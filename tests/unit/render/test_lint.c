/*
 * test_lint.c - unit tests for checking a template set (lint.c, lintwalk.c)
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
#include "config.h"
#include "fixture.h"
#include "lint.h"
#include "notice.h"
#include "render.h"
#include "vocab.h"
#include "xmalloc.h"

/* Everything one test needs. */
struct test_lint {
	struct fixture	 fx;
	struct config	*cf;
};

/* Write and load t's configuration, extra last, in place of any it had. */
static void
test_lint_config(struct test_lint *t, const char *extra)
{
	char	*path, *text, *cause = NULL;

	text = xasprintf("templates = { dir = \"%s\"; status_url = "
	    "\"https://311.example.org/sr/{sr}\"; };\nsms = { max_segments = "
	    "1; };\n%s", t->fx.dir, extra);
	fixture_write(&t->fx, "c.conf", text);
	free(text);
	path = xasprintf("%s/c.conf", t->fx.dir);
	config_free(t->cf);
	if ((t->cf = config_load(path, &cause)) == NULL)
		fail_msg("%s", cause);
	free(path);
}

/* Write a complete, clean English set and a configuration for it. */
static void
test_lint_open(struct test_lint *t)
{
	char	*path;
	int	 k;

	memset(t, 0, sizeof *t);
	fixture_open(&t->fx);
	for (k = 1; k < VOCAB_NOTICE_COUNT; k++) {
		path = xasprintf("en/%s.subject.mustache", vocab_notice_name(k));
		fixture_write(&t->fx, path, "Your request {{sr}}");
		free(path);
		path = xasprintf("en/%s.txt.mustache", vocab_notice_name(k));
		fixture_write(&t->fx, path, "{{> note}}{{status_url}}");
		free(path);
		path = xasprintf("en/%s.html.mustache", vocab_notice_name(k));
		fixture_write(&t->fx, path, "<p>{{division}}</p>");
		free(path);
		path = xasprintf("en/%s.sms.mustache", vocab_notice_name(k));
		fixture_write(&t->fx, path, "Request {{sr}}. {{> note}} "
		    "{{status_url}}");
		free(path);
	}
	fixture_write(&t->fx, "en/_note.txt.mustache", "{{note}}\n");
	fixture_write(&t->fx, "en/_note.sms.mustache", "{{note}}");
	fixture_write(&t->fx, "en/stop.sms.mustache", "{{city}}: no more "
	    "texts. Reply START to get them again.\n");
	fixture_write(&t->fx, "en/start.sms.mustache", "{{city}}: texts "
	    "again. Reply STOP to stop.\n");
	fixture_write(&t->fx, "en/help.sms.mustache", "{{city}}: 311 updates. "
	    "Call 311.\n");
	fixture_write(&t->fx, "en/thanks.sms.mustache", "{{city}}: thank "
	    "you.{{#not_fixed}} We told the team.{{/not_fixed}}\n");
	test_lint_config(t, "");
}

/* Free what test_lint_open() made. */
static void
test_lint_close(struct test_lint *t)
{
	config_free(t->cf);
	fixture_cleanup(&t->fx);
}

/* Check the set; returns the errors and the report (allocated). */
static int
test_lint_check(struct test_lint *t, char **report)
{
	struct catalog	*cat;
	FILE		*f;
	size_t		 len;
	int		 errors;

	cat = catalog_load(t->fx.dir, "en", NULL);
	assert_non_null(cat);
	f = open_memstream(report, &len);
	errors = lint_set(t->cf, cat, f, NULL);
	fclose(f);
	catalog_free(cat);
	return errors;
}

/* A clean set has no error, and lint_load() hands it over. */
static void
test_lint_clean(void **state)
{
	struct test_lint	 t;
	struct catalog		*cat;
	char			*report = NULL;

	(void)state;
	test_lint_open(&t);
	assert_int_equal(test_lint_check(&t, &report), 0);
	assert_string_equal(report, "");
	free(report);
	cat = lint_load(t.cf, NULL);
	assert_non_null(cat);
	catalog_free(cat);
	cat = lint_load_warnings(t.cf, &report, NULL);
	assert_non_null(cat);
	assert_string_equal(report, "");
	free(report);
	catalog_free(cat);
	test_lint_close(&t);
}

/* Each kind of mistake is reported where it is. */
static void
test_lint_mistakes(void **state)
{
	struct test_lint	 t;
	char			*report = NULL, *want, *cause = NULL;
	int			 errors;

	(void)state;
	test_lint_open(&t);
	fixture_write(&t.fx, "en/completed.txt.mustache",
	    "Done.\n{{notee}} {{> missing}}\nhttp://311.example.org\n");
	fixture_write(&t.fx, "en/received.sms.mustache", "We have your "
	    "request {{sr}}. We will tell you when a crew is on the way and "
	    "again when the work is done. Questions? Call 311. {{> note}} "
	    "{{status_url}}");
	fixture_write(&t.fx, "fr/cancelled.txt.mustache", "Annulé.");
	errors = test_lint_check(&t, &report);
	/* fr takes en's faulty templates, and their errors, too. */
	if (errors != 6)
		fail_msg("%d errors:\n%s", errors, report);
	want = xasprintf("error: %s/en/completed.txt.mustache:2:1: unknown "
	    "variable notee\n"
	    "error: %s/en/completed.txt.mustache:2:11: no partial missing "
	    "for txt (no file _missing.txt.mustache)\n", t.fx.dir, t.fx.dir);
	assert_int_equal(strncmp(report, want, strlen(want)), 0);
	assert_non_null(strstr(report, "error: en: received.sms: its text and "
	    "link alone take 2 segments (sms.max_segments is 1)\n"));
	assert_non_null(strstr(report, "error: en: completed links to an "
	    "http:// address; use https\n"));
	assert_non_null(strstr(report, "warning: fr: no cancelled.subject; "
	    "en's is used\n"));
	free(want);
	free(report);
	report = NULL;
	assert_null(lint_load_warnings(t.cf, &report, &cause));
	assert_null(report);
	free(cause);
	cause = NULL;
	assert_null(lint_load(t.cf, &cause));
	assert_non_null(strstr(cause, "the template set has 6 errors"));
	free(cause);
	test_lint_close(&t);
}

/*
 * The question "is it fixed?" is answered by a reply to its SMS: the SMS
 * must fit in one segment, whole. The thanks for an answer knows city
 * and the answer, and is best in one segment for each answer.
 */
static void
test_lint_feedback(void **state)
{
	struct test_lint	 t;
	char			*report = NULL, *want, *text;
	int			 errors;

	(void)state;
	test_lint_open(&t);
	/* Three segments for the notices; still one for the question. */
	text = xasprintf("templates = { dir = \"%s\"; };\n", t.fx.dir);
	fixture_write(&t.fx, "c.conf", text);
	free(text);
	text = xasprintf("%s/c.conf", t.fx.dir);
	config_free(t.cf);
	t.cf = config_load(text, NULL);
	assert_non_null(t.cf);
	free(text);
	fixture_write(&t.fx, "en/feedback.sms.mustache", "Is the problem in "
	    "your request {{sr}} fixed? Reply 1 if it is fixed, 2 if it is "
	    "not fixed at all, or 3 if it is only partly fixed; and tell us "
	    "more in the same text if you wish.\n");
	fixture_write(&t.fx, "en/thanks.sms.mustache", "{{city}}: thank "
	    "you {{sr}}.{{#partly}} We told the team that the problem is only "
	    "partly fixed, and they will look at it again. Reply to this "
	    "message to tell us more about what is still to be done.{{/partly}}"
	    "\n");
	errors = test_lint_check(&t, &report);
	if (errors != 2)
		fail_msg("%d errors:\n%s", errors, report);
	assert_non_null(strstr(report, "error: en: feedback.sms takes 2 "
	    "segments (182 GSM-7 characters); the question must fit in one, "
	    "whole\n"));
	want = xasprintf("error: %s/en/thanks.sms.mustache:1:21: unknown "
	    "variable sr (the thanks for an answer knows city, fixed, "
	    "not_fixed, partly and comment)\n", t.fx.dir);
	if (strstr(report, want) == NULL)
		fail_msg("no \"%s\" in:\n%s", want, report);
	free(want);
	assert_non_null(strstr(report, "warning: en: thanks.sms for partly "
	    "takes 2 segments"));
	assert_null(strstr(report, "thanks.sms for fixed takes"));
	free(report);
	test_lint_close(&t);
}

/*
 * The replies to residents' keywords: each must exist, knows city
 * alone, and is best in one segment.
 */
static void
test_lint_replies(void **state)
{
	struct test_lint	 t;
	struct catalog		*cat;
	char			*report = NULL, *want;
	int			 errors;

	(void)state;
	test_lint_open(&t);
	fixture_write(&t.fx, "en/help.sms.mustache", "{{city}} {{sr}}: "
	    "updates about your request.\n");
	fixture_write(&t.fx, "fr/stop.sms.mustache", "{{city}} : vous ne "
	    "recevrez plus de SMS de notre part, sur aucune de vos demandes, "
	    "jusqu'à ce que vous répondiez DEBUT à ce numéro. Pour toute "
	    "question, composez le 311.\n");
	errors = test_lint_check(&t, &report);
	if (errors != 1)
		fail_msg("%d errors:\n%s", errors, report);
	want = xasprintf("error: %s/en/help.sms.mustache:1:10: unknown "
	    "variable sr (a reply knows city alone)\n", t.fx.dir);
	assert_non_null(strstr(report, want));
	free(want);
	assert_non_null(strstr(report, "warning: fr: stop.sms takes 2 segments "
	    "(176 GSM-7 characters); a reply is sent whole, so one is "
	    "best\n"));
	assert_non_null(strstr(report, "warning: fr: no help.sms; en's is "
	    "used\n"));
	assert_null(strstr(report, "fr: no stop.sms"));
	free(report);

	/* Warnings alone: the set loads, and they are handed over. */
	fixture_write(&t.fx, "en/help.sms.mustache", "{{city}}.\n");
	cat = lint_load_warnings(t.cf, &report, NULL);
	assert_non_null(cat);
	assert_non_null(strstr(report, "warning: fr: no help.sms; en's is "
	    "used\n"));
	assert_null(strstr(report, "error: "));
	free(report);
	catalog_free(cat);

	/* Without a reply, even in the default locale, it is an error. */
	want = xasprintf("%s/en/start.sms.mustache", t.fx.dir);
	assert_int_equal(unlink(want), 0);
	free(want);
	errors = test_lint_check(&t, &report);
	if (errors != 2)
		fail_msg("%d errors:\n%s", errors, report);
	assert_non_null(strstr(report, "error: en: no template start.sms (nor "
	    "in a fallback locale): the reply to a resident's start\n"));
	assert_non_null(strstr(report, "error: fr: no template start.sms"));
	free(report);
	test_lint_close(&t);
}

/* Fail unless the report has want, with the set's directory for "%s". */
static void
test_lint_has(const struct test_lint *t, const char *report, const char *want)
{
	const char	*at = strstr(want, "%s");
	char		*line;

	line = at == NULL ? xstrdup(want) : xasprintf("%.*s%s%s",
	    (int)(at - want), want, t->fx.dir, at + 2);
	if (strstr(report, line) == NULL)
		fail_msg("no line\n%s\nin\n%s", line, report);
	free(line);
}

/*
 * A heading over a value that may be missing ("See your request
 * online:" and the link) must be inside the value's section.
 */
static void
test_lint_headings(void **state)
{
	struct test_lint	 t;
	char			*report = NULL, *at;
	int			 n;

	(void)state;
	test_lint_open(&t);
	/* Written the old way: the heading shows without the link. */
	fixture_write(&t.fx, "en/_footer.txt.mustache", "Thank you.\n\n"
	    "See your request online:\n{{status_url}}\n\n---\nTo stop "
	    "getting updates, go to:\n{{unsubscribe_url}}\n");
	fixture_write(&t.fx, "en/completed.txt.mustache", "Done.\n"
	    "{{> footer}}");
	fixture_write(&t.fx, "fr/completed.txt.mustache", "Prochaine "
	    "\xc3\xa9tape : {{#scheduled_for}}{{scheduled_for}}{{/"
	    "scheduled_for}}{{^scheduled_for}}bient\xc3\xb4t{{/scheduled_for}}\n"
	    "Consultez votre demande en ligne\xc2\xa0:\n"
	    "{{#status_url}}{{status_url}}{{/status_url}}\n");
	fixture_write(&t.fx, "zh-Hans/completed.txt.mustache",
	    "\xe5\x9c\xa8\xe7\xba\xbf\xe6\x9f\xa5\xe7\x9c\x8b\xef\xbc\x9a"
	    "{{status_url}}");
	fixture_write(&t.fx, "en/completed.html.mustache", "<p><a href=\""
	    "{{status_url}}\">See your request online</a></p>\n"
	    "<p>What you reported: <strong>{{service}}</strong></p>\n");
	/* Written the new way: nothing to say. */
	fixture_write(&t.fx, "en/received.txt.mustache", "{{#status_url}}\n"
	    "See your request online:\n{{status_url}}\n{{/status_url}}\n"
	    "What happens next: {{#division}}{{division}} will look at it."
	    "{{/division}}{{^division}}the City will look at it.{{/division}}"
	    "\nRequest number: {{sr}}\n");
	fixture_write(&t.fx, "en/received.html.mustache", "{{#status_url}}"
	    "<p><a href=\"{{status_url}}\">See your request online</a></p>"
	    "{{/status_url}}\n{{#service}}<p>What you reported: <strong>"
	    "{{service}}</strong></p>{{/service}}\n");
	assert_int_equal(test_lint_check(&t, &report), 0);
	test_lint_has(&t, report, "warning: %s/en/_footer.txt.mustache:4:1: "
	    "the heading of {{status_url}} shows when status_url is empty: "
	    "put it inside {{#status_url}}...{{/status_url}}\n");
	test_lint_has(&t, report, "warning: %s/en/_footer.txt.mustache:8:1: "
	    "the heading of {{unsubscribe_url}} shows when unsubscribe_url is "
	    "empty: put it inside {{#unsubscribe_url}}...{{/unsubscribe_url}}"
	    "\n");
	test_lint_has(&t, report, "warning: %s/fr/completed.txt.mustache:3:16: "
	    "the heading of {{status_url}} shows when status_url is empty");
	test_lint_has(&t, report, "warning: %s/zh-Hans/completed.txt.mustache:"
	    "1:6: the heading of {{status_url}} shows");
	test_lint_has(&t, report, "warning: %s/en/completed.html.mustache:1:"
	    "13: the heading of {{status_url}} shows");
	test_lint_has(&t, report, "warning: %s/en/completed.html.mustache:2:"
	    "31: the heading of {{service}} shows");
	for (at = report, n = 0; (at = strstr(at, "the heading of")) != NULL;
	    at++)
		n++;
	if (n != 6)
		fail_msg("%d headings:\n%s", n, report);
	free(report);
	test_lint_close(&t);
}

/*
 * In a right-to-left language, numbers, links and dates are isolated by
 * the template, so that they read in their own order.
 */
static void
test_lint_isolates(void **state)
{
	struct test_lint	 t;
	char			*report = NULL;

	(void)state;
	test_lint_open(&t);
	/* Isolated: LRI ... PDI, FSI ... PDI, dir="ltr", <bdi>, attributes. */
	fixture_write(&t.fx, "fa/completed.subject.mustache",
	    "\xd8\xaf\xd8\xb1\xd8\xae\xd9\x88\xd8\xa7\xd8\xb3\xd8\xaa "
	    "\xe2\x81\xa6{{sr}}\xe2\x81\xa9");
	fixture_write(&t.fx, "fa/completed.txt.mustache", "\xe2\x80\x8f"
	    "\xe2\x81\xa8{{date}}\xe2\x81\xa9\n(\xe2\x81\xa6{{sr}}"
	    "\xe2\x81\xa9)\n{{#status_url}}\xe2\x81\xa6{{status_url}}"
	    "{{/status_url}}\xe2\x81\xa9\n{{#photo}}\xe2\x81\xa6{{photo}} "
	    "\xe2\x81\xa9{{/photo}}\n");
	fixture_write(&t.fx, "fa/completed.html.mustache", "<title>"
	    "\xe2\x81\xa6{{sr}}\xe2\x81\xa9</title><p><bdi>{{date}}</bdi>"
	    "</p><p>(<span dir=\"ltr\">{{sr}}</span>)</p>{{#status_url}}"
	    "<a href=\"{{status_url}}\">x</a>{{/status_url}}");
	/* Not isolated. */
	fixture_write(&t.fx, "fa/received.subject.mustache",
	    "\xd8\xaf\xd8\xb1\xd8\xae\xd9\x88\xd8\xa7\xd8\xb3\xd8\xaa "
	    "{{sr}}");
	fixture_write(&t.fx, "fa/received.txt.mustache", "{{date}}\n"
	    "(\xe2\x81\xa6{{sr}})\n{{#scheduled_for}}\xe2\x81\xa8"
	    "{{scheduled_for}}{{/scheduled_for}}.\n");
	fixture_write(&t.fx, "fa/received.html.mustache", "<p><strong>"
	    "{{sr}}</strong></p><p><b>{{date}}</b></p>");
	/* French is written left to right: nothing to isolate. */
	fixture_write(&t.fx, "fr/received.subject.mustache", "Demande {{sr}}");
	assert_int_equal(test_lint_check(&t, &report), 0);
	test_lint_has(&t, report, "warning: %s/fa/received.subject.mustache:"
	    "1:9: {{sr}} is not isolated in right-to-left text: write U+2066 "
	    "{{sr}} U+2069 (U+2068 for a date)\n");
	test_lint_has(&t, report, "warning: %s/fa/received.txt.mustache:1:1: "
	    "{{date}} is not isolated");
	test_lint_has(&t, report, "warning: %s/fa/received.txt.mustache:2:3: "
	    "{{sr}} is not isolated");
	test_lint_has(&t, report, "warning: %s/fa/received.txt.mustache:3:20: "
	    "{{scheduled_for}} is not isolated");
	test_lint_has(&t, report, "warning: %s/fa/received.html.mustache:1:12: "
	    "{{sr}} is not isolated in right-to-left text: write U+2066 {{sr}} "
	    "U+2069 (U+2068 for a date), or <span dir=\"ltr\">...</span> "
	    "(<bdi> for a date)\n");
	test_lint_has(&t, report, "warning: %s/fa/received.html.mustache:1:37: "
	    "{{date}} is not isolated");
	/*
	 * fa takes the other parts from en and reports them too: the en
	 * set's sms ({{sr}}, {{status_url}}), received.sms and the rest.
	 */
	assert_null(strstr(report, "/fr/"));
	assert_null(strstr(report, "fa/completed."));
	free(report);
	test_lint_close(&t);
}

/* Every division has a name in every language of the set. */
static void
test_lint_division_names(void **state)
{
	struct test_lint	 t;
	char			*report = NULL;

	(void)state;
	test_lint_open(&t);
	test_lint_config(&t, "divisions = {\n"
	    "TW = { name = { en = \"Toronto Water\"; fr = \"Eau Toronto\"; "
	    "}; };\n"
	    "UF = { name = { fr = \"Foresterie urbaine\"; }; };\n};\n");
	fixture_write(&t.fx, "fr-CA/completed.subject.mustache", "{{sr}}");
	fixture_write(&t.fx, "zh-Hans/completed.subject.mustache", "{{sr}}");
	assert_int_equal(test_lint_check(&t, &report), 0);
	test_lint_has(&t, report, "warning: zh-Hans: division TW has no name in "
	    "this language (divisions.TW.name.zh-Hans); residents read "
	    "\"Toronto Water\"\n");
	test_lint_has(&t, report, "warning: zh-Hans: division UF has no name in "
	    "this language (divisions.UF.name.zh-Hans); residents read "
	    "\"UF\"\n");
	test_lint_has(&t, report, "warning: en: division UF has no name in "
	    "this language (divisions.UF.name.en); residents read \"UF\"\n");
	/* fr-CA finds French names. */
	assert_null(strstr(report, "fr-CA: division"));
	assert_null(strstr(report, "fr: division"));
	free(report);

	/* Named everywhere: nothing to say. */
	test_lint_config(&t, "divisions = {\n"
	    "TW = { name = { en = \"Toronto Water\"; fr = \"Eau Toronto\"; "
	    "zh-Hans = \"\xe5\xa4\x9a\xe4\xbc\xa6\xe5\xa4\x9a\xe6\xb0\xb4"
	    "\xe5\x8a\xa1\xe5\xa4\x84\"; }; };\n};\n");
	assert_int_equal(test_lint_check(&t, &report), 0);
	assert_null(strstr(report, "division"));
	free(report);
	test_lint_close(&t);
}

/* Render notice kind for one recipient in locale; fail on error. */
static void
test_lint_render(struct test_lint *t, struct catalog *cat,
    enum vocab_notice kind, const char *locale, struct notice *n,
    struct render_out *out)
{
	char	*cause = NULL;

	n->id = xstrdup("2026-000101/1");
	n->sr = xstrdup("2026-000101");
	n->notice = kind;
	n->to = xcalloc(1, sizeof *n->to);
	n->nto = 1;
	n->to[0].address = xstrdup("resident@example.org");
	n->to[0].locale = xstrdup(locale);
	if (render_notice(t->cf, cat, n, 0, RENDER_EMAIL | RENDER_SMS,
	    1772550000, out, &cause) != 0)
		fail_msg("%s", cause);
}

/*
 * Files saved with Windows (CRLF) or old Mac (CR) line endings are read
 * as if saved with LF: no carriage return reaches a resident, and
 * positions keep their lines.
 */
static void
test_lint_line_endings(void **state)
{
	struct test_lint	 t;
	struct render_out	 out;
	struct catalog		*cat;
	struct notice		 n;
	char			*report = NULL, *cause = NULL, *want;

	(void)state;
	test_lint_open(&t);
	fixture_write(&t.fx, "en/received.txt.mustache", "Line one\r\n"
	    "{{#sr}}\r\nRequest {{sr}}\r\n{{/sr}}\r\nLine three\rend\r\n");
	fixture_write(&t.fx, "en/received.sms.mustache", "Request {{sr}}.\r\n"
	    "{{> note}}\r\n{{status_url}}\r\n");
	fixture_write(&t.fx, "en/_note.sms.mustache", "{{#note}}\r\n"
	    "Note: {{note}}\r\n{{/note}}\r\n");
	assert_int_equal(test_lint_check(&t, &report), 0);
	assert_string_equal(report, "");
	free(report);
	cat = catalog_load(t.fx.dir, "en", NULL);
	assert_non_null(cat);
	memset(&n, 0, sizeof n);
	test_lint_render(&t, cat, VOCAB_NOTICE_RECEIVED, "en", &n, &out);
	assert_string_equal(out.text, "Line one\nRequest 2026-000101\n"
	    "Line three\nend\n");
	assert_string_equal(out.sms, "Request 2026-000101. "
	    "https://311.example.org/sr/2026-000101");
	render_out_clear(&out);
	free(n.id);
	free(n.sr);
	free(n.to[0].address);
	free(n.to[0].locale);
	free(n.to);
	catalog_free(cat);

	/* A mistake is still found on its own line. */
	fixture_write(&t.fx, "en/received.txt.mustache", "Line one\r\n"
	    "Line two {{#sr}}\r\n");
	assert_null(catalog_load(t.fx.dir, "en", &cause));
	want = xasprintf("%s/en/received.txt.mustache:2:10: section sr is not "
	    "closed", t.fx.dir);
	assert_string_equal(cause, want);
	free(want);
	free(cause);
	test_lint_close(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lint_clean),
		cmocka_unit_test(test_lint_mistakes),
		cmocka_unit_test(test_lint_replies),
		cmocka_unit_test(test_lint_feedback),
		cmocka_unit_test(test_lint_line_endings),
		cmocka_unit_test(test_lint_headings),
		cmocka_unit_test(test_lint_isolates),
		cmocka_unit_test(test_lint_division_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
