/*
 * test_render.c - unit tests for what one resident receives (render.c)
 *
 * Each test renders a notice from a small template set written to a
 * temporary directory, with a configuration loaded from a file, and
 * checks the text as the resident would read it.
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
#include "event.h"
#include "fixture.h"
#include "notice.h"
#include "render.h"
#include "segment.h"
#include "xmalloc.h"

/* 2026-03-03T15:00:00Z */
#define NOW	1772550000

/* Everything one test needs. */
struct test_render {
	struct fixture	 fx;
	struct config	*cf;
	struct catalog	*cat;
	struct notice	*n;
	struct render_out out;
};

/* Write the set, load it with a configuration, and make a notice. */
static void
test_render_open(struct test_render *t, const char *locale)
{
	char	*cause = NULL, *conf;

	memset(t, 0, sizeof *t);
	fixture_open(&t->fx);
	fixture_write(&t->fx, "en/completed.subject.mustache",
	    "Request {{sr}}\n{{note}}\n");
	fixture_write(&t->fx, "en/completed.txt.mustache",
	    "{{division}} finished on {{date}}.\n{{> note}}\n"
	    "{{#has_photos}}{{#photos}}{{url}}\n{{/photos}}{{/has_photos}}"
	    "{{status_url}}\n");
	fixture_write(&t->fx, "en/completed.html.mustache",
	    "<p>{{note}}</p>{{#photos}}<img src=\"{{url}}\" "
	    "alt=\"Photo {{number}}\">{{/photos}}");
	fixture_write(&t->fx, "en/completed.sms.mustache",
	    "{{division}}: request {{sr}} is done. {{> note}} {{photo}} "
	    "{{status_url}} Reply STOP");
	fixture_write(&t->fx, "en/_note.txt.mustache",
	    "{{#note}}Note: {{note}}{{/note}}{{#standard_note}}"
	    "{{standard_note}}{{/standard_note}}\n");
	fixture_write(&t->fx, "en/_note.sms.mustache", "{{note}}");
	fixture_write(&t->fx, "en/scheduled.subject.mustache", "{{sr}}");
	fixture_write(&t->fx, "en/scheduled.txt.mustache",
	    "Planned for {{scheduled_for}}.");
	fixture_write(&t->fx, "en/scheduled.html.mustache", "x");
	fixture_write(&t->fx, "fr/scheduled.txt.mustache",
	    "Prévu le {{scheduled_for}} ({{division}}, {{date}}).");
	fixture_write(&t->fx, "zh-Hans/completed.sms.mustache",
	    "{{division}}：您的请求{{sr}}已完成。{{> note}} {{status_url}} "
	    "回复STOP退订");
	conf = xasprintf("templates = { dir = \"%s\"; photo_hosts = [ "
	    "\"photos.example.org\" ]; status_url = "
	    "\"https://311.example.org/sr/{sr}\"; };\n"
	    "divisions = { TW = { name = { en = \"Toronto Water\"; fr = "
	    "\"Eau Toronto\"; }; notes = { VALVE = { en = \"We replaced a "
	    "valve.\"; fr = \"Nous avons remplacé une vanne.\"; }; }; }; };\n",
	    t->fx.dir);
	fixture_write(&t->fx, "closeloopd.conf", conf);
	free(conf);
	conf = xasprintf("%s/closeloopd.conf", t->fx.dir);
	t->cf = config_load(conf, &cause);
	free(conf);
	if (t->cf == NULL)
		fail_msg("%s", cause);
	t->cat = catalog_load(t->fx.dir, "en", &cause);
	if (t->cat == NULL)
		fail_msg("%s", cause);
	t->n = xcalloc(1, sizeof *t->n);
	t->n->id = xstrdup("8812/1");
	t->n->sr = xstrdup("8812");
	t->n->notice = VOCAB_NOTICE_COMPLETED;
	t->n->division = xstrdup("TW");
	t->n->to = xcalloc(1, sizeof *t->n->to);
	t->n->nto = 1;
	t->n->to[0].address = xstrdup("alice@example.org");
	t->n->to[0].locale = xstrdup(locale);
}

/* Free what test_render_open() made. */
static void
test_render_close(struct test_render *t)
{
	render_out_clear(&t->out);
	notice_free(t->n);
	catalog_free(t->cat);
	config_free(t->cf);
	fixture_cleanup(&t->fx);
}

/* Render the notice in the parts asked for; fail on error. */
static void
test_render_run(struct test_render *t, int parts)
{
	char	*cause = NULL;

	render_out_clear(&t->out);
	if (render_notice(t->cf, t->cat, t->n, 0, parts, NOW, &t->out,
	    &cause) != 0)
		fail_msg("%s", cause);
}

/* Dates and division names come in the resident's language. */
static void
test_render_french(void **state)
{
	struct test_render	t;

	(void)state;
	test_render_open(&t, "fr-CA");
	t.n->notice = VOCAB_NOTICE_SCHEDULED;
	t.n->scheduled_for = xstrdup("2026-03-05");
	test_render_run(&t, RENDER_EMAIL);
	assert_string_equal(t.out.text,
	    "Prévu le 5 mars 2026 (Eau Toronto, 3 mars 2026).");
	assert_string_equal(t.out.subject, "8812");
	assert_string_equal(t.out.locale, "fr-CA");
	test_render_close(&t);
}

/* The note, the standard note and allowed photos reach the email. */
static void
test_render_email(void **state)
{
	struct test_render	t;

	(void)state;
	test_render_open(&t, "en");
	t.n->note = xstrdup("<script>alert(1)</script>\x1b[2J");
	t.n->note_code = xstrdup("VALVE");
	t.n->photos = xstrdup("https://photos.example.org/1.jpg "
	    "https://elsewhere.example.com/2.jpg "
	    "https://PHOTOS.example.org:443/3.jpg");
	test_render_run(&t, RENDER_EMAIL);
	assert_string_equal(t.out.text, "Toronto Water finished on March 3, "
	    "2026.\nNote: <script>alert(1)</script>[2JWe replaced a valve.\n"
	    "https://photos.example.org/1.jpg\n"
	    "https://PHOTOS.example.org:443/3.jpg\n"
	    "https://311.example.org/sr/8812\n");
	assert_string_equal(t.out.html, "<p>&lt;script&gt;alert(1)&lt;/script"
	    "&gt;[2J</p><img src=\"https://photos.example.org/1.jpg\" "
	    "alt=\"Photo 1\"><img src=\"https://PHOTOS.example.org:443/3.jpg\" "
	    "alt=\"Photo 2\">");
	assert_int_equal(t.out.photos_dropped, 1);
	assert_null(t.out.sms);
	test_render_close(&t);
}

/* A subject is one line, whatever its template or values hold. */
static void
test_render_subject(void **state)
{
	struct test_render	t;

	(void)state;
	test_render_open(&t, "en");
	t.n->note = xstrdup("line one\r\nBcc: x@example.org");
	test_render_run(&t, RENDER_EMAIL);
	assert_string_equal(t.out.subject,
	    "Request 8812 line one Bcc: x@example.org");
	assert_null(strpbrk(t.out.subject, "\r\n"));
	test_render_close(&t);
}

/* An SMS with a long note is shortened; the link stays whole. */
static void
test_render_sms_long_note(void **state)
{
	struct test_render	 t;
	char			*note;
	size_t			 i;
	const char		*link = "https://311.example.org/sr/8812";

	(void)state;
	test_render_open(&t, "zh-Hans");
	note = xmalloc(500 * 3 + 1);
	for (i = 0; i < 500; i++)
		memcpy(note + 3 * i, "\xe6\xb0\xb4", 3);	/* 水 */
	note[1500] = '\0';
	t.n->note = note;
	t.n->photos = xstrdup("https://photos.example.org/1.jpg");
	test_render_run(&t, RENDER_SMS);
	assert_true(t.out.sms_info.segments <= 3);
	assert_int_equal(t.out.sms_info.encoding, SEGMENT_UCS2);
	assert_non_null(strstr(t.out.sms, link));
	assert_non_null(strstr(t.out.sms, SEGMENT_ELLIPSIS));
	assert_null(strstr(t.out.sms, "photos.example.org"));
	assert_int_equal(t.out.sms_fixed_segments, 1);
	assert_int_equal(strncmp(t.out.sms, "Toronto Water：", 16), 0);
	test_render_close(&t);
}

/* A short SMS goes out whole, photo included. */
static void
test_render_sms_short(void **state)
{
	struct test_render	t;

	(void)state;
	test_render_open(&t, "en");
	t.n->note = xstrdup("Valve replaced.");
	t.n->photos = xstrdup("https://photos.example.org/1.jpg");
	test_render_run(&t, RENDER_SMS);
	assert_string_equal(t.out.sms, "Toronto Water: request 8812 is done. "
	    "Valve replaced. https://photos.example.org/1.jpg "
	    "https://311.example.org/sr/8812 Reply STOP");
	assert_int_equal(t.out.sms_info.encoding, SEGMENT_GSM7);
	assert_int_equal(t.out.sms_info.segments, 1);
	test_render_close(&t);
}

/* Text from the CRM cannot fake the SMS's markers. */
static void
test_render_markers(void **state)
{
	struct test_render	t;

	(void)state;
	test_render_open(&t, "en");
	t.n->note = xstrdup("a\xee\x80\x81" "b\xee\x80\x84" "c");
	test_render_run(&t, RENDER_SMS);
	assert_non_null(strstr(t.out.sms, " abc "));
	test_render_close(&t);
}

/* A notice without a template says which one is missing. */
static void
test_render_missing(void **state)
{
	struct test_render	 t;
	char			*cause = NULL;

	(void)state;
	test_render_open(&t, "fr");
	t.n->notice = VOCAB_NOTICE_CANCELLED;
	assert_int_equal(render_notice(t.cf, t.cat, t.n, 0, RENDER_EMAIL, NOW,
	    &t.out, &cause), -1);
	assert_non_null(strstr(cause, "no template cancelled.subject for "
	    "locale fr"));
	assert_null(t.out.subject);
	free(cause);
	test_render_close(&t);
}

/*
 * Render the shipped template set's completed SMS in English for TW with
 * note, into *out (the caller clears it).
 */
static void
test_render_shipped_sms(const char *note, struct render_out *out)
{
	struct fixture	 fx;
	struct config	*cf;
	struct catalog	*cat;
	struct notice	*n;
	char		*conf, *path, *dir, *cause = NULL;

	fixture_open(&fx);
	dir = xasprintf("%s/templates", getenv("top_srcdir") != NULL ?
	    getenv("top_srcdir") : ".");
	conf = xasprintf("templates = { dir = \"%s\"; status_url = "
	    "\"https://311.example.org/sr/{sr}\"; };\n"
	    "divisions = { TW = { name = { en = \"Toronto Water\"; }; }; };\n",
	    dir);
	fixture_write(&fx, "closeloopd.conf", conf);
	path = xasprintf("%s/closeloopd.conf", fx.dir);
	if ((cf = config_load(path, &cause)) == NULL)
		fail_msg("%s", cause);
	if ((cat = catalog_load(dir, "en", &cause)) == NULL)
		fail_msg("%s", cause);
	n = xcalloc(1, sizeof *n);
	n->id = xstrdup("2026-000101/1");
	n->sr = xstrdup("2026-000101");
	n->notice = VOCAB_NOTICE_COMPLETED;
	n->division = xstrdup("TW");
	n->note = xstrdup(note);
	n->to = xcalloc(1, sizeof *n->to);
	n->nto = 1;
	n->to[0].channel = EVENT_CHANNEL_SMS;
	n->to[0].address = xstrdup("+14165550100");
	n->to[0].locale = xstrdup("en");
	if (render_notice(cf, cat, n, 0, RENDER_SMS, NOW, out, &cause) != 0)
		fail_msg("%s", cause);
	notice_free(n);
	catalog_free(cat);
	config_free(cf);
	free(path);
	free(conf);
	free(dir);
	fixture_cleanup(&fx);
}

/*
 * A note with a curly apostrophe does not make the SMS UCS-2: it goes
 * whole, in GSM-7, the apostrophe straightened; nothing is left out.
 */
static void
test_render_sms_smart(void **state)
{
	struct render_out	 out;

	(void)state;
	memset(&out, 0, sizeof out);
	test_render_shipped_sms("We\xe2\x80\x99ve replaced the valve and the "
	    "water is back on. Thanks for your patience.", &out);
	assert_int_equal(out.sms_info.encoding, SEGMENT_GSM7);
	assert_true(out.sms_info.segments <= 2);
	assert_non_null(strstr(out.sms, "We've replaced the valve and the water "
	    "is back on. Thanks for your patience."));
	assert_int_equal(out.sms_cut.note_chars, 0);
	assert_non_null(strstr(out.sms, "Reply STOP"));
	render_out_clear(&out);
}

/*
 * A 260-character note in GSM-7 is cut after a whole word with "...",
 * keeping as much as fits in sms.max_segments (3), still GSM-7, and the
 * cut is reported.
 */
static void
test_render_sms_long_ascii(void **state)
{
	struct render_out	 out;
	char			*note, *mark, *kept;
	size_t			 i, keptlen;

	(void)state;
	note = xmalloc(261);
	for (i = 0; i < 260; i++)
		note[i] = "Crews flushed the line and replaced a valve. "[i % 45];
	note[260] = '\0';
	memset(&out, 0, sizeof out);
	test_render_shipped_sms(note, &out);
	assert_int_equal(out.sms_info.encoding, SEGMENT_GSM7);
	assert_int_equal(out.sms_info.segments, 3);
	assert_true(out.sms_info.units > 3 * SEGMENT_GSM7_PART - 15);
	assert_null(strstr(out.sms, SEGMENT_ELLIPSIS));
	assert_non_null(mark = strstr(out.sms, "Crews flushed"));
	kept = mark;
	assert_non_null(mark = strstr(kept, "..."));
	keptlen = (size_t)(mark - kept);
	assert_memory_equal(kept, note, keptlen);
	assert_true(note[keptlen] == ' ');
	assert_true(keptlen > 100);
	assert_int_equal(out.sms_cut.note_chars, 260 - keptlen);
	assert_non_null(strstr(out.sms, "Reply STOP"));
	render_out_clear(&out);
	free(note);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_french),
		cmocka_unit_test(test_render_email),
		cmocka_unit_test(test_render_subject),
		cmocka_unit_test(test_render_sms_long_note),
		cmocka_unit_test(test_render_sms_short),
		cmocka_unit_test(test_render_sms_smart),
		cmocka_unit_test(test_render_sms_long_ascii),
		cmocka_unit_test(test_render_markers),
		cmocka_unit_test(test_render_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
