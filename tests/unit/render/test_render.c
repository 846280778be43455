/*
 * test_render.c - unit tests for what one resident receives (render.c)
 *
 * Each test renders a notice from a small template set written to a
 * temporary directory, with a configuration loaded from a file, and
 * checks the text as the resident would read it. The last tests render
 * the shipped set (top_srcdir/templates) in every locale.
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
#include "datefmt.h"
#include "event.h"
#include "fixture.h"
#include "notice.h"
#include "render.h"
#include "sample.h"
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

/* U+2069 POP DIRECTIONAL ISOLATE and U+200F RIGHT-TO-LEFT MARK. */
#define TEST_PDI	"\xe2\x81\xa9"
#define TEST_RLM	"\xe2\x80\x8f"

/* The links of the configuration for the shipped set. */
#define TEST_STATUS	"https://311.example.org/sr/2026-000101"
#define TEST_STOP	"https://311.example.org/stop/2026-000101"

/* The shipped set, and configurations with and without links. */
struct test_render_set {
	struct fixture	 fx;
	struct config	*cf;		/* status_url, unsubscribe_url */
	struct config	*bare;		/* neither */
	struct catalog	*cat;
};

/* Load a configuration for the shipped set, with extra settings. */
static struct config *
test_render_set_config(struct test_render_set *s, const char *extra)
{
	struct config	*cf;
	const char	*top = getenv("top_srcdir");
	char		*text, *path, *cause = NULL;

	if (top == NULL || *top == '\0')
		top = ".";
	text = xasprintf("templates = { dir = \"%s/templates\"; photo_hosts = "
	    "[ \"photos.example.org\" ]; %s };\n"
	    "divisions = {\n"
	    "TW = { name = { en = \"Toronto Water\"; fr = \"Eau Toronto\"; "
	    "es = \"Servicio de Agua de Toronto\"; pt = \"Servi\xc3\xa7o de "
	    "\xc3\x81gua de Toronto\"; fa = \"\xd8\xa7\xd8\xaf\xd8\xa7\xd8\xb1"
	    "\xd9\x87 \xd8\xa2\xd8\xa8 \xd8\xaa\xd9\x88\xd8\xb1\xd9\x86\xd8\xaa"
	    "\xd9\x88\"; zh-Hans = \"\xe5\xa4\x9a\xe4\xbc\xa6\xe5\xa4\x9a"
	    "\xe6\xb0\xb4\xe5\x8a\xa1\xe5\xa4\x84\"; }; };\n};\n", top, extra);
	fixture_write(&s->fx, "c.conf", text);
	free(text);
	path = xasprintf("%s/c.conf", s->fx.dir);
	if ((cf = config_load(path, &cause)) == NULL)
		fail_msg("%s", cause);
	free(path);
	return cf;
}

/* Load the shipped set and its configurations. */
static void
test_render_set_open(struct test_render_set *s)
{
	char	*cause = NULL;

	memset(s, 0, sizeof *s);
	fixture_open(&s->fx);
	s->cf = test_render_set_config(s, "status_url = "
	    "\"https://311.example.org/sr/{sr}\"; unsubscribe_url = "
	    "\"https://311.example.org/stop/{sr}\";");
	s->bare = test_render_set_config(s, "");
	if ((s->cat = catalog_load(s->cf->templates_dir, "en", &cause)) == NULL)
		fail_msg("%s", cause);
}

/* Free what test_render_set_open() made. */
static void
test_render_set_close(struct test_render_set *s)
{
	catalog_free(s->cat);
	config_free(s->cf);
	config_free(s->bare);
	fixture_cleanup(&s->fx);
}

/* Make a notice of a kind with every value set, for one locale. */
static struct notice *
test_render_sample(enum vocab_notice kind, const char *locale)
{
	struct notice	*n;

	n = xcalloc(1, sizeof *n);
	n->id = xstrdup("2026-000101/1");
	n->sr = xstrdup("2026-000101");
	n->notice = kind;
	n->division = xstrdup("TW");
	n->from_division = xstrdup("TS");
	n->service = xstrdup("Road Pothole / Road Damage");
	n->note = xstrdup("We filled the hole.");
	n->photos = xstrdup("https://photos.example.org/1.jpg");
	n->scheduled_for = xstrdup("2026-03-05");
	n->duplicate_of = xstrdup("2026-000077");
	n->partial = kind == VOCAB_NOTICE_IN_PROGRESS;
	n->correction = kind == VOCAB_NOTICE_REOPENED;
	n->to = xcalloc(1, sizeof *n->to);
	n->nto = 1;
	n->to[0].channel = EVENT_CHANNEL_EMAIL;
	n->to[0].address = xstrdup("resident@example.org");
	n->to[0].locale = xstrdup(locale);
	return n;
}

/*
 * Render the shipped template set's completed SMS in English for TW with
 * note and no photo, to a phone, into *out (the caller clears it).
 */
static void
test_render_shipped_sms(const char *note, struct render_out *out)
{
	struct test_render_set	 s;
	struct notice		*n;
	char			*cause = NULL;

	test_render_set_open(&s);
	n = test_render_sample(VOCAB_NOTICE_COMPLETED, "en");
	free(n->note);
	n->note = xstrdup(note);
	free(n->photos);
	n->photos = NULL;
	n->to[0].channel = EVENT_CHANNEL_SMS;
	free(n->to[0].address);
	n->to[0].address = xstrdup("+14165550100");
	if (render_notice(s.cf, s.cat, n, 0, RENDER_SMS, NOW, out, &cause) != 0)
		fail_msg("%s", cause);
	notice_free(n);
	test_render_set_close(&s);
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

/* Render a notice for email and SMS; fail on error. */
static void
test_render_both(const struct config *cf, const struct catalog *cat,
    const struct notice *n, struct render_out *out)
{
	char	*cause = NULL;

	if (render_notice(cf, cat, n, 0, RENDER_EMAIL | RENDER_SMS, NOW, out,
	    &cause) != 0)
		fail_msg("%s", cause);
}

/* Return 1 if s starts with an isolate character (U+2066 to U+2069). */
static int
test_render_is_isolate(const char *s)
{
	return memcmp(s, "\xe2\x81", 2) == 0 &&
	    (unsigned char)s[2] >= 0xa6 && (unsigned char)s[2] <= 0xa9;
}

/* Copy len bytes of s without blanks, isolates and RLM. */
static char *
test_render_bare_line(const char *s, size_t len)
{
	char	*out, *o;
	size_t	 i;

	out = o = xmalloc(len + 1);
	for (i = 0; i < len; i++) {
		if (i + 3 <= len && (test_render_is_isolate(s + i) ||
		    memcmp(s + i, TEST_RLM, 3) == 0))
			i += 2;
		else if (s[i] != ' ')
			*o++ = s[i];
	}
	*o = '\0';
	return out;
}

/* Return 1 if text has line (compared without isolates or blanks). */
static int
test_render_has_line(const char *text, const char *line)
{
	const char	*s, *nl;
	char		*a, *b;
	int		 found = 0;

	b = test_render_bare_line(line, strlen(line));
	for (s = text; !found && *s != '\0'; s = *nl == '\0' ? nl : nl + 1) {
		nl = s + strcspn(s, "\n");
		a = test_render_bare_line(s, nl - s);
		found = *b != '\0' && strcmp(a, b) == 0;
		free(a);
	}
	free(b);
	return found;
}

/*
 * Check that what a part says around a link (the line that holds it, or
 * the line just above, its heading, when the link is alone on its line)
 * is gone when the link is: with is the part rendered with the link,
 * without the part rendered without it.
 */
static void
test_render_no_heading(const char *what, const char *with,
    const char *without, const char *url)
{
	const char	*s, *nl, *prev = NULL, *prevnl = NULL, *at;
	char		*line, *bare, *heading;

	for (s = with; *s != '\0'; s = *nl == '\0' ? nl : nl + 1) {
		nl = s + strcspn(s, "\n");
		at = memmem(s, nl - s, url, strlen(url));
		if (at == NULL) {
			prev = s;
			prevnl = nl;
			continue;
		}
		line = xasprintf("%.*s%.*s", (int)(at - s), s,
		    (int)(nl - at - strlen(url)), at + strlen(url));
		bare = test_render_bare_line(line, strlen(line));
		heading = *bare != '\0' || prev == NULL ? xstrdup(line) :
		    xasprintf("%.*s", (int)(prevnl - prev), prev);
		prev = s;
		prevnl = nl;
		if (test_render_has_line(without, heading))
			fail_msg("%s: \"%s\" is left without its link:\n%s",
			    what, heading, without);
		free(heading);
		free(bare);
		free(line);
	}
}

/* Check that no line of a text ends with a colon over nothing. */
static void
test_render_no_colon(const char *what, const char *text)
{
	const char	*s, *nl, *next;
	char		*bare;
	size_t		 len;

	for (s = text; *s != '\0'; s = *nl == '\0' ? nl : nl + 1) {
		nl = s + strcspn(s, "\n");
		bare = test_render_bare_line(s, nl - s);
		len = strlen(bare);
		next = *nl == '\0' ? nl : nl + 1;
		if (((len >= 1 && bare[len - 1] == ':') || (len >= 3 &&
		    strcmp(bare + len - 3, "\xef\xbc\x9a") == 0)) &&
		    (*next == '\0' || *next == '\n'))
			fail_msg("%s: \"%s\" is over nothing:\n%s", what, bare,
			    text);
		free(bare);
	}
}

/*
 * With templates.status_url and templates.unsubscribe_url unset, no
 * heading of theirs is left in any notice of any locale.
 */
static void
test_render_without_links(void **state)
{
	struct test_render_set	 s;
	struct render_out	 with, without;
	struct notice		*n;
	char			*what;
	size_t			 i;
	int			 k;

	(void)state;
	test_render_set_open(&s);
	assert_int_equal(catalog_nlocales(s.cat), 6);
	for (i = 0; i < catalog_nlocales(s.cat); i++) {
		for (k = 1; k < VOCAB_NOTICE_COUNT; k++) {
			n = test_render_sample(k, catalog_locale(s.cat, i));
			test_render_both(s.cf, s.cat, n, &with);
			test_render_both(s.bare, s.cat, n, &without);
			what = xasprintf("%s %s", catalog_locale(s.cat, i),
			    vocab_notice_name(k));
			assert_non_null(strstr(with.text, TEST_STATUS));
			assert_non_null(strstr(with.text, TEST_STOP));
			assert_null(strstr(without.text, "https://311."));
			assert_null(strstr(without.html, "https://311."));
			assert_null(strstr(without.sms, "https://311."));
			test_render_no_heading(what, with.text, without.text,
			    TEST_STATUS);
			test_render_no_heading(what, with.text, without.text,
			    TEST_STOP);
			test_render_no_heading(what, with.html, without.html,
			    TEST_STATUS);
			test_render_no_heading(what, with.html, without.html,
			    TEST_STOP);
			test_render_no_colon(what, without.text);
			test_render_no_colon(what, without.sms);
			test_render_no_colon(what, without.subject);
			if (strstr(without.html, "href=\"\"") != NULL)
				fail_msg("%s: a link to nowhere:\n%s", what,
				    without.html);
			free(what);
			render_out_clear(&with);
			render_out_clear(&without);
			notice_free(n);
		}
	}
	test_render_set_close(&s);
}

/*
 * Write a secret file name (mode 0600) holding text into the set's
 * directory, which becomes $CREDENTIALS_DIRECTORY.
 */
static void
test_render_secret(struct test_render_set *s, const char *name,
    const char *text)
{
	char	*path;

	fixture_write(&s->fx, name, text);
	path = xasprintf("%s/%s", s->fx.dir, name);
	chmod(path, 0600);
	free(path);
	setenv("CREDENTIALS_DIRECTORY", s->fx.dir, 1);
}

/*
 * The answer links' token of question 2026-000101/1/0 until 1799000000
 * under the key "answ3r-k3y":
 *   printf 'closeloop-answer:2026-000101/1/0:1799000000' |
 *       openssl dgst -sha256 -hmac 'answ3r-k3y'
 */
#define TEST_ANSWER_TOKEN "b4339bfd55a77b14bfab061dd1607f3064f2abd9bb2e" \
	"1111d042e043efcb8620"

/* Return s with every "&" written "&amp;", as HTML has it; allocated. */
static char *
test_render_amp(const char *s)
{
	char	*out, *o;

	out = o = xmalloc(5 * strlen(s) + 1);
	for (; *s != '\0'; s++) {
		if (*s == '&') {
			memcpy(o, "&amp;", 5);
			o += 5;
		} else
			*o++ = *s;
	}
	*o = '\0';
	return out;
}

/*
 * The question "is it fixed?": its email has the three answer links,
 * each with the question's token until its answer_by, in the text and
 * the HTML; its SMS fits in one segment, whole, in every locale, and
 * links nowhere. Without feedback.answer_url there are no links, and no
 * heading over them (test_render_without_links).
 */
static void
test_render_feedback(void **state)
{
	static const char *const answers[] = { "fixed", "not_fixed",
	    "partly" };
	struct test_render_set	 s;
	struct render_out	 out;
	struct config		*cf;
	struct notice		*n;
	char			*want, *html;
	size_t			 i, a;

	(void)state;
	test_render_set_open(&s);
	test_render_secret(&s, "answer-secret", "answ3r-k3y\n");
	/* The feedback group, after the templates group it closes. */
	cf = test_render_set_config(&s, "}; feedback = { answer_url = "
	    "\"https://311.example.org/answer\"; answer_secret_file = "
	    "\"answer-secret\";");
	for (i = 0; i < catalog_nlocales(s.cat); i++) {
		n = test_render_sample(VOCAB_NOTICE_FEEDBACK,
		    catalog_locale(s.cat, i));
		free(n->note);
		free(n->photos);
		n->note = n->photos = NULL;
		n->question = xstrdup("2026-000101/1/0");
		n->answer_by = xstrdup("1799000000123");
		test_render_both(cf, s.cat, n, &out);
		for (a = 0; a < 3; a++) {
			want = xasprintf("https://311.example.org/answer?q="
			    "2026-000101/1/0&a=%s&exp=1799000000&token="
			    TEST_ANSWER_TOKEN, answers[a]);
			assert_non_null(out.answer_url[a]);
			assert_string_equal(out.answer_url[a], want);
			assert_non_null(strstr(out.text, want));
			html = test_render_amp(want);
			assert_non_null(strstr(out.html, html));
			free(html);
			free(want);
		}
		if (out.sms_info.segments != 1 || out.sms_cut.fixed ||
		    out.sms_cut.link || strstr(out.sms, "https://") != NULL)
			fail_msg("%s: the question's SMS: %s",
			    catalog_locale(s.cat, i), out.sms);
		render_out_clear(&out);
		test_render_both(s.bare, s.cat, n, &out);
		for (a = 0; a < 3; a++)
			assert_null(out.answer_url[a]);
		assert_null(strstr(out.text, "answer?"));
		render_out_clear(&out);
		notice_free(n);
	}
	config_free(cf);
	test_render_set_close(&s);
}

/*
 * The resident's page of 2026-000101 under the key "res1dent-k3y": its
 * token is the first 32 hex digits that
 *   printf 'closeloop-resident:2026-000101' |
 *       openssl dgst -sha256 -hmac 'res1dent-k3y'
 * prints.
 */
#define TEST_RESIDENT	"https://311.example.ca/updates/2026-000101/" \
	"8686ecbbecf3b84baf8a7472cc711895"

/*
 * With templates.resident_url set, every notice of every locale links
 * to the resident's page, in the email's text and HTML and in the SMS,
 * and never to the city's status page of the SR; the duplicate's link
 * to the original is still the city's status page.
 */
static void
test_render_resident(void **state)
{
	struct test_render_set	 s;
	struct render_out	 out;
	struct config		*cf;
	struct notice		*n;
	size_t			 i;
	int			 k;

	(void)state;
	test_render_set_open(&s);
	test_render_secret(&s, "resident-secret", "res1dent-k3y\n");
	cf = test_render_set_config(&s, "status_url = "
	    "\"https://311.example.org/sr/{sr}\"; resident_url = "
	    "\"https://311.example.ca/updates/{sr}/{token}\"; "
	    "resident_secret_file = \"resident-secret\";");
	for (i = 0; i < catalog_nlocales(s.cat); i++) {
		for (k = 1; k < VOCAB_NOTICE_COUNT; k++) {
			n = test_render_sample(k, catalog_locale(s.cat, i));
			test_render_both(cf, s.cat, n, &out);
			/* The question's SMS, one segment, links nowhere. */
			if (k == VOCAB_NOTICE_FEEDBACK)
				assert_null(strstr(out.sms, "https://"));
			if (strstr(out.text, TEST_RESIDENT) == NULL ||
			    strstr(out.html, TEST_RESIDENT) == NULL ||
			    (k != VOCAB_NOTICE_FEEDBACK &&
			    strstr(out.sms, TEST_RESIDENT) == NULL))
				fail_msg("%s %s: no link to the resident's "
				    "page:\n%s\n%s\n%s", catalog_locale(s.cat,
				    i), vocab_notice_name(k), out.text,
				    out.html, out.sms);
			assert_null(strstr(out.text, TEST_STATUS));
			assert_null(strstr(out.html, TEST_STATUS));
			assert_null(strstr(out.sms, TEST_STATUS));
			if (k == VOCAB_NOTICE_DUPLICATE)
				assert_non_null(strstr(out.text,
				    "https://311.example.org/sr/2026-000077"));
			render_out_clear(&out);
			notice_free(n);
		}
	}
	config_free(cf);
	test_render_set_close(&s);
}

/*
 * Return how many isolates are open at byte at of s, counting from the
 * start of its line (an isolate ends with its paragraph).
 */
static int
test_render_isolates_open(const char *s, size_t at)
{
	size_t	i, start = at;
	int	depth = 0;

	while (start > 0 && s[start - 1] != '\n')
		start--;
	for (i = start; i < at; i++) {
		if (!test_render_is_isolate(s + i))
			continue;
		if ((unsigned char)s[i + 2] == 0xa9)
			depth -= depth > 0;
		else
			depth++;
	}
	return depth;
}

/* Return 1 if an HTML element starting at tag (its '<') isolates. */
static int
test_render_isolating(const char *tag, size_t len)
{
	return (len >= 4 && strncmp(tag, "<bdi", 4) == 0 &&
	    (tag[4] == '>' || tag[4] == ' ')) ||
	    memmem(tag, len, " dir=\"ltr\"", 10) != NULL ||
	    memmem(tag, len, " dir=\"auto\"", 11) != NULL;
}

/*
 * Return 1 if byte at of an HTML document is isolated from the text
 * around: in a tag (an attribute), or in an element <bdi> or with
 * dir="ltr" or "auto" (void elements aside).
 */
static int
test_render_html_isolated(const char *html, size_t at)
{
	static const char	*voids[] = { "meta", "br", "hr", "img", "input",
	    "link" };
	const char		*s, *end;
	size_t			 n, k, len;
	int			*stack, isolated = 0;

	stack = xcalloc(at + 1, sizeof *stack);
	n = 0;
	for (s = html; s < html + at; s = end + 1) {
		if ((s = memchr(s, '<', html + at - s)) == NULL)
			break;
		if ((end = memchr(s, '>', html + at - s)) == NULL) {
			isolated = 1;		/* in a tag */
			break;
		}
		len = end - s + 1;
		if (s[1] == '!')
			continue;
		if (s[1] == '/') {
			n -= n > 0;
			continue;
		}
		for (k = 0; k < sizeof voids / sizeof voids[0]; k++) {
			if (strncmp(s + 1, voids[k], strlen(voids[k])) == 0 &&
			    strchr(" >", s[1 + strlen(voids[k])]) != NULL)
				break;
		}
		if (k == sizeof voids / sizeof voids[0])
			stack[n++] = test_render_isolating(s, len);
	}
	for (k = 0; k < n; k++)
		isolated |= stack[k];
	free(stack);
	return isolated;
}

/*
 * Check that every occurrence of token in a part sits in an isolate: one
 * of U+2066 to U+2068 open before it and U+2069 after it on its line,
 * or in HTML an isolating element or an attribute.
 */
static void
test_render_token_isolated(const char *what, const char *part, int html,
    const char *token)
{
	const char	*at, *nl;
	size_t		 len = strlen(token);
	int		 ok;

	for (at = strstr(part, token); at != NULL; at = strstr(at + 1,
	    token)) {
		nl = at + strcspn(at, "\n");
		ok = test_render_isolates_open(part, at - part) > 0 &&
		    memmem(at + len, nl - at - len, TEST_PDI, 3) != NULL;
		if (!ok && html)
			ok = test_render_html_isolated(part, at - part);
		if (!ok)
			fail_msg("%s: %s is not isolated at \"%.60s\" in:\n%s",
			    what, token, at, part);
	}
}

/* Check every link (https://...) of a part as a token. */
static void
test_render_links_isolated(const char *what, const char *part, int html)
{
	const char	*at;
	char		*url;

	for (at = strstr(part, "https://"); at != NULL; at = strstr(at + 1,
	    "https://")) {
		url = xstrndup(at, strcspn(at, " \n\"<\xe2"));
		test_render_token_isolated(what, part, html, url);
		free(url);
	}
}

/*
 * In Persian, every request number, link and date of every notice -
 * subject, text, HTML and SMS - is isolated by the template, so that it
 * reads in its own order; isolates and marks in values are dropped, and
 * the template's own stay.
 */
static void
test_render_rtl_isolates(void **state)
{
	struct test_render_set	 s;
	struct render_out	 out, dirty;
	struct notice		*n;
	const char		*tokens[] = { "2026-000101", "2026-000077",
	    "toronto.ca/311", "STOP", NULL, NULL };
	char			*what, *today, *planned;
	size_t			 t;
	int			 k;

	(void)state;
	test_render_set_open(&s);
	today = datefmt_date("fa", NOW, s.cf->templates_timezone, NULL);
	planned = datefmt_date("fa", 1772668800, "UTC", NULL); /* 03-05 */
	assert_non_null(today);
	assert_non_null(planned);
	tokens[4] = today;
	tokens[5] = planned;
	for (k = 1; k < VOCAB_NOTICE_COUNT; k++) {
		n = test_render_sample(k, "fa");
		test_render_both(s.cf, s.cat, n, &out);
		what = xasprintf("fa %s", vocab_notice_name(k));
		assert_non_null(strstr(out.subject, "2026-000101"));
		assert_non_null(strstr(out.text, today));
		for (t = 0; t < sizeof tokens / sizeof tokens[0]; t++) {
			test_render_token_isolated(what, out.subject, 0,
			    tokens[t]);
			test_render_token_isolated(what, out.text, 0,
			    tokens[t]);
			test_render_token_isolated(what, out.html, 1,
			    tokens[t]);
			test_render_token_isolated(what, out.sms, 0, tokens[t]);
		}
		test_render_links_isolated(what, out.text, 0);
		test_render_links_isolated(what, out.html, 1);
		test_render_links_isolated(what, out.sms, 0);

		/* Values cannot close the template's isolates early. */
		free(n->note);
		free(n->service);
		n->note = xstrdup("We\xe2\x81\xa9 filled\xe2\x80\x8f the"
		    "\xe2\x81\xa6 hole.\xe2\x80\x8e");
		n->service = xstrdup("Road Pothole\xe2\x81\xa9 / Road "
		    "Damage\xe2\x81\xa7");
		test_render_both(s.cf, s.cat, n, &dirty);
		assert_string_equal(dirty.subject, out.subject);
		assert_string_equal(dirty.text, out.text);
		assert_string_equal(dirty.html, out.html);
		assert_string_equal(dirty.sms, out.sms);
		free(what);
		render_out_clear(&out);
		render_out_clear(&dirty);
		notice_free(n);
	}
	free(today);
	free(planned);
	test_render_set_close(&s);
}

/*
 * Return the 8 characters of s before at, or fewer at its start; the
 * string is allocated.
 */
static char *
test_render_before(const char *s, const char *at)
{
	const char	*p = at;
	int		 n;

	for (n = 0; n < 8 && p > s; n++) {
		do
			p--;
		while (p > s && ((unsigned char)*p & 0xc0) == 0x80);
	}
	return xstrndup(p, at - p);
}

/* Check that part says when the work is planned, and without it does not. */
static void
test_render_says_date(const char *what, const char *with,
    const char *without, const char *date)
{
	const char	*at;
	char		*before;

	if ((at = strstr(with, date)) == NULL)
		fail_msg("%s: no \"%s\" in:\n%s", what, date, with);
	before = test_render_before(with, at);
	if (strstr(without, before) != NULL)
		fail_msg("%s: \"%s\" without a date:\n%s", what, before,
		    without);
	free(before);
	assert_null(strstr(without, date));
}

/* Check that a sample event with one field gives no notice, and why. */
static void
test_render_no_sample(const struct config *cf, const char *field,
    const char *why)
{
	struct sample	*ev = sample_new();
	char		*cause = NULL;

	assert_int_equal(sample_field(ev, field), 0);
	assert_null(sample_notice(cf, ev, NULL, &cause));
	assert_non_null(strstr(cause, why));
	free(cause);
	sample_free(ev);
}

/*
 * A sample event (sample.h) gives the notice the policy decides for it,
 * whatever its age, or the one notice=NAME forces, for a resident of the
 * locale asked for; an event that is not valid, or gives no notice, says
 * why.
 */
static void
test_render_sample_event(void **state)
{
	struct test_render_set	 s;
	struct sample		*ev;
	struct notice		*n;
	char			*cause = NULL;

	(void)state;
	test_render_set_open(&s);
	ev = sample_new();
	assert_int_equal(sample_field(ev, "status"), -1);
	assert_int_equal(sample_field(ev, "=closed"), -1);
	n = sample_notice(s.cf, ev, NULL, &cause);
	assert_non_null(n);
	assert_int_equal(n->notice, VOCAB_NOTICE_COMPLETED);
	assert_string_equal(n->sr, "2026-000101");
	assert_string_equal(n->division, "TW");
	assert_string_equal(n->to[0].locale, "en");
	assert_string_equal(n->to[0].address, "resident@example.org");
	notice_free(n);
	sample_free(ev);

	/* However old the event, a preview shows its notice. */
	assert_true(s.cf->delivery_max_event_age_hours > 0);
	ev = sample_new();
	assert_int_equal(sample_field(ev, "ts=2020-01-01T00:00:00Z"), 0);
	n = sample_notice(s.cf, ev, NULL, &cause);
	assert_non_null(n);
	assert_int_equal(n->notice, VOCAB_NOTICE_COMPLETED);
	notice_free(n);
	sample_free(ev);

	ev = sample_new();
	assert_int_equal(sample_field(ev, "notice=assigned"), 0);
	assert_int_equal(sample_field(ev, "sr=2026-000202"), 0);
	n = sample_notice(s.cf, ev, "fr", &cause);
	assert_non_null(n);
	assert_int_equal(n->notice, VOCAB_NOTICE_ASSIGNED);
	assert_string_equal(n->sr, "2026-000202");
	assert_string_equal(n->to[0].locale, "fr");
	notice_free(n);
	assert_int_equal(sample_field(ev, "notice=bogus"), 0);
	assert_null(sample_notice(s.cf, ev, "fr", &cause));
	assert_non_null(strstr(cause, "unknown notice \"bogus\""));
	free(cause);
	cause = NULL;
	sample_free(ev);

	test_render_no_sample(s.cf, "status=bogus", "unknown status");
	test_render_no_sample(s.cf, "status=on_hold", "gives no notice");
	test_render_set_close(&s);
}

/*
 * A transferred notice says when the division that has the request now
 * plans the work, in every locale, and nothing of it when it does not.
 */
static void
test_render_transferred_date(void **state)
{
	struct test_render_set	 s;
	struct render_out	 with, without;
	struct notice		*n;
	const char		*locale;
	char			*what, *date;
	size_t			 i;

	(void)state;
	test_render_set_open(&s);
	for (i = 0; i < catalog_nlocales(s.cat); i++) {
		locale = catalog_locale(s.cat, i);
		n = test_render_sample(VOCAB_NOTICE_TRANSFERRED, locale);
		test_render_both(s.cf, s.cat, n, &with);
		free(n->scheduled_for);
		n->scheduled_for = NULL;
		test_render_both(s.cf, s.cat, n, &without);
		date = datefmt_date(locale, 1772668800, "UTC", NULL);
		assert_non_null(date);
		what = xasprintf("%s text", locale);
		test_render_says_date(what, with.text, without.text, date);
		free(what);
		what = xasprintf("%s html", locale);
		test_render_says_date(what, with.html, without.html, date);
		free(what);
		what = xasprintf("%s sms", locale);
		test_render_says_date(what, with.sms, without.sms, date);
		free(what);
		assert_null(strstr(with.subject, date));
		assert_true(with.sms_fixed_segments <=
		    (size_t)s.cf->sms_max_segments);
		free(date);
		render_out_clear(&with);
		render_out_clear(&without);
		notice_free(n);
	}
	test_render_set_close(&s);
}

/* Render a received notice with a standard, in a locale, both parts. */
static void
test_render_standard_one(struct test_render_set *s, const char *locale,
    const char *days, const char *target, const char *text, const char *sms)
{
	struct render_out	 out;
	struct notice		*n;
	const char		*h;
	char			*cause = NULL;

	n = test_render_sample(VOCAB_NOTICE_RECEIVED, locale);
	if (days != NULL) {
		n->standard_days = xstrdup(days);
		n->standard_target = xstrdup(target);
		/* The end of Monday 2026-03-16 in Toronto. */
		n->standard_due = xstrdup("1773720000000");
	}
	if (render_notice(s->cf, s->cat, n, 0, RENDER_EMAIL, NOW, &out,
	    &cause) != 0)
		fail_msg("%s", cause);
	h = strrchr(text, '\n') != NULL ? strrchr(text, '\n') + 1 : text;
	if (strstr(out.text, text) == NULL || strstr(out.html, h) == NULL)
		fail_msg("%s: no \"%s\" in:\n%s\n%s", locale, text, out.text,
		    out.html);
	if (days == NULL && strstr(out.text, "2026-03-16") != NULL)
		fail_msg("%s: a standard without one", locale);
	render_out_clear(&out);
	n->to[0].channel = EVENT_CHANNEL_SMS;
	if (render_notice(s->cf, s->cat, n, 0, RENDER_SMS, NOW, &out,
	    &cause) != 0)
		fail_msg("%s", cause);
	if (strstr(out.sms, sms) == NULL)
		fail_msg("%s: no \"%s\" in:\n%s", locale, sms, out.sms);
	assert_true(out.sms_info.segments <= 3);
	assert_int_equal(out.sms_cut.fixed, 0);
	render_out_clear(&out);
	notice_free(n);
}

/*
 * The received message says when to expect action, in each shipped
 * locale: the standard's days in the locale's digits and its last
 * business day; a response target as a response; 0 days as the day
 * alone; without a standard, the message as before.
 */
static void
test_render_standard(void **state)
{
	struct test_render_set	s;

	(void)state;
	test_render_set_open(&s);
	test_render_standard_one(&s, "en", "5", "completion",
	    "Toronto Water usually completes the work on requests like yours "
	    "within 5 business days. Expect the work to be done by March 16, "
	    "2026.", "We received your request 2026-000101. Expect the work "
	    "done by March 16, 2026. Questions?");
	test_render_standard_one(&s, "en", "1", "response",
	    "usually responds to requests like yours within 1 business day. "
	    "Expect a response by March 16, 2026.",
	    "Expect a response by March 16, 2026.");
	test_render_standard_one(&s, "en", "0", "completion",
	    "news.\n\nExpect the work to be done by March 16, 2026.",
	    "Expect the work done by March 16, 2026.");
	test_render_standard_one(&s, "en", NULL, NULL,
	    "news.\n\nA note from Toronto Water", "We will send you updates.");
	test_render_standard_one(&s, "fr", "5", "completion",
	    "La division Eau Toronto termine habituellement les travaux pour "
	    "les demandes comme la v\xc3\xb4tre dans un d\xc3\xa9lai de 5 jours "
	    "ouvrables. Les travaux devraient \xc3\xaatre termin\xc3\xa9s "
	    "d'ici le 16 mars 2026.",
	    "Travaux pr\xc3\xa9vus d'ici le 16 mars 2026.");
	test_render_standard_one(&s, "es", "2", "response",
	    "suele responder a solicitudes como la suya en un plazo de 2 "
	    "d\xc3\xad" "as h\xc3\xa1" "biles. Espere una respuesta a m\xc3\xa1s tardar "
	    "el 16 de marzo de 2026.",
	    "Respuesta prevista para el 16 de marzo de 2026.");
	test_render_standard_one(&s, "pt", "5", "completion",
	    "costuma concluir o trabalho de pedidos como o seu em at\xc3\xa9 5 "
	    "dias \xc3\xbateis. O trabalho deve estar conclu\xc3\xad" "do at\xc3\xa9 16 "
	    "de mar\xc3\xa7o de 2026.",
	    "Prazo do trabalho: 16 de mar\xc3\xa7o de 2026.");
	/* ۵ روز کاری ... ۲۵ اسفند ۱۴۰۴, the date isolated. */
	test_render_standard_one(&s, "fa", "5", "completion",
	    "\xdb\xb5 \xd8\xb1\xd9\x88\xd8\xb2 \xda\xa9\xd8\xa7\xd8\xb1\xdb\x8c",
	    "\xe2\x81\xa8\xdb\xb2\xdb\xb5 \xd8\xa7\xd8\xb3\xd9\x81\xd9\x86\xd8"
	    "\xaf \xdb\xb1\xdb\xb4\xdb\xb0\xdb\xb4\xe2\x81\xa9");
	/* 通常在5个工作日内 ... 2026年3月16日 */
	test_render_standard_one(&s, "zh-Hans", "5", "completion",
	    "\xe9\x80\x9a\xe5\xb8\xb8\xe5\x9c\xa8" "5"
	    "\xe4\xb8\xaa\xe5\xb7\xa5\xe4\xbd\x9c\xe6\x97\xa5\xe5\x86\x85",
	    "2026\xe5\xb9\xb4" "3\xe6\x9c\x88" "16\xe6\x97\xa5");
	test_render_set_close(&s);
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
		cmocka_unit_test(test_render_without_links),
		cmocka_unit_test(test_render_resident),
		cmocka_unit_test(test_render_standard),
		cmocka_unit_test(test_render_feedback),
		cmocka_unit_test(test_render_rtl_isolates),
		cmocka_unit_test(test_render_transferred_date),
		cmocka_unit_test(test_render_sample_event),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
