/*
 * lint.c - checking a template set before it serves
 *
 * The set is loaded as closeloopd loads it (a Mustache syntax error
 * stops here, with its file, line and column). Then every template's own
 * text is read (lintwalk.c): the names it uses, the partials it includes,
 * its headings and, in right-to-left locales, its isolates. And every
 * notice is rendered in every locale of the set for email and for SMS
 * with sample data (a 500-character note, photos, a scheduled date): an
 * SMS whose text and link alone take more than sms.max_segments, a link
 * that is not https, an empty subject are errors, and so is a feedback
 * question's SMS that does not fit whole in one segment (it is answered
 * by a reply). A notice that a locale lacks and takes from a fallback is
 * a warning. The replies to a resident's text message (stop.sms,
 * start.sms, help.sms, and thanks.sms for an answer to the question)
 * may use city alone (thanks also the answer); each locale must have
 * them (or take them from a fallback, a warning), and a reply longer
 * than one segment is a warning, since it is sent whole. Every
 * configured division needs a name in each locale of the set, or
 * residents read another language's (a warning).
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "config.h"
#include "division.h"
#include "lint.h"
#include "lintreport.h"
#include "lintwalk.h"
#include "notice.h"
#include "render.h"
#include "template.h"
#include "xmalloc.h"

/* The parts of a notice, each its own template. */
static const char *lint_parts[] = { "subject", "txt", "html", "sms" };

/*
 * The replies to residents' keywords (inbound.h) and the thanks for an
 * answer to "is it fixed?" (question.h), all SMS.
 */
static const char *lint_replies[] = { "stop", "start", "help", "thanks" };

/* The state of a run. */
struct lint {
	const struct config	*cf;
	const struct catalog	*cat;
	struct lintreport	 report;
};

/*
 * Return LINTWALK_THANKS if a template's key is that of the thanks for
 * an answer, LINTWALK_REPLY if of another reply to a resident's text,
 * else 0.
 */
static int
lint_is_reply(const char *key)
{
	size_t	k, len;

	for (k = 0; k < sizeof lint_replies / sizeof lint_replies[0]; k++) {
		len = strlen(lint_replies[k]);
		if (strncmp(key, lint_replies[k], len) == 0 && key[len] == '.')
			return strcmp(lint_replies[k], "thanks") == 0 ?
			    LINTWALK_THANKS : LINTWALK_REPLY;
	}
	return 0;
}

/* Check the text of every template of the set. */
static void
lint_templates(struct lint *l)
{
	const struct template	*t;
	const char		*locale, *key;
	size_t			 i;

	for (i = 0; i < catalog_nentries(l->cat); i++) {
		t = catalog_entry(l->cat, i, &locale, &key);
		lintwalk_template(&l->report, l->cat, t, locale, key,
		    lint_is_reply(key));
	}
}

/* Build a notice with every field set, for rendering. */
static struct notice *
lint_sample(const struct config *cf, enum vocab_notice kind)
{
	struct notice	*n;
	char		*note;
	size_t		 i;

	n = xcalloc(1, sizeof *n);
	n->id = xstrdup("2026-000101/1");
	n->sr = xstrdup("2026-000101");
	n->notice = kind;
	n->division = xstrdup(cf->ndivisions > 0 ? cf->divisions[0].code :
	    "TS");
	n->from_division = xstrdup(cf->ndivisions > 1 ?
	    cf->divisions[1].code : "TW");
	n->service = xstrdup("Road Pothole / Road Damage");
	if (kind == VOCAB_NOTICE_FEEDBACK) {
		/* The question, as closeloopd asks it: no note, no photo. */
		n->question = xstrdup("2026-000101/1/0");
		n->answer_by = xasprintf("%lld", (long long)(time(NULL) +
		    cf->feedback_answer_days * 86400) * 1000);
		n->to = xcalloc(1, sizeof *n->to);
		n->nto = 1;
		n->to[0].address = xstrdup("resident@example.org");
		return n;
	}
	note = xmalloc(501);
	for (i = 0; i < 500; i++)
		note[i] = "We repaired the road. "[i % 22];
	note[500] = '\0';
	n->note = note;
	n->photos = xasprintf("https://%s/sr/2026-000101/1.jpg "
	    "https://%s/sr/2026-000101/2.jpg",
	    cf->templates_nphoto_hosts > 0 ? cf->templates_photo_hosts[0] :
	    "photos.example.org", cf->templates_nphoto_hosts > 0 ?
	    cf->templates_photo_hosts[0] : "photos.example.org");
	n->scheduled_for = xstrdup("2026-03-05");
	n->duplicate_of = xstrdup("2026-000099");
	/* 10 business days from 2026-03-03, ending with 2026-03-17. */
	n->standard_days = xstrdup("10");
	n->standard_target = xstrdup("completion");
	n->standard_due = xstrdup("1773806400000");
	n->partial = kind == VOCAB_NOTICE_IN_PROGRESS;
	n->correction = kind == VOCAB_NOTICE_REOPENED;
	n->to = xcalloc(1, sizeof *n->to);
	n->nto = 1;
	n->to[0].address = xstrdup("resident@example.org");
	return n;
}

/* Return 1 if a rendered text links somewhere without https. */
static int
lint_plain_http(const char *s)
{
	return s != NULL && (strstr(s, "http://") != NULL ||
	    strstr(s, "HTTP://") != NULL);
}

/* Render one notice in one locale and check what a resident would get. */
static void
lint_render(struct lint *l, const char *locale, enum vocab_notice kind)
{
	struct lintreport	*r = &l->report;
	struct render_out	 out;
	struct notice		*n;
	const char		*name = vocab_notice_name(kind), *found;
	char			*cause = NULL;
	size_t			 p;

	for (p = 0; p < sizeof lint_parts / sizeof lint_parts[0]; p++) {
		if (catalog_find(l->cat, locale, name, lint_parts[p],
		    &found) == NULL)
			lintreport_error(r, "%s: no template %s.%s (nor in a "
			    "fallback locale)", locale, name, lint_parts[p]);
		else if (strcmp(found, locale) != 0)
			lintreport_warning(r, "%s: no %s.%s; %s's is used",
			    locale, name, lint_parts[p], found);
	}
	n = lint_sample(l->cf, kind);
	n->to[0].locale = xstrdup(locale);
	if (render_notice(l->cf, l->cat, n, 0, RENDER_EMAIL | RENDER_SMS,
	    time(NULL), &out, &cause) != 0) {
		if (cause != NULL && strncmp(cause, "no template", 11) != 0)
			lintreport_error(r, "%s: %s: %s", locale, name, cause);
		free(cause);
		notice_free(n);
		return;
	}
	if (*out.subject == '\0')
		lintreport_error(r, "%s: %s.subject renders empty", locale,
		    name);
	if (lint_plain_http(out.text) || lint_plain_http(out.html) ||
	    lint_plain_http(out.sms))
		lintreport_error(r, "%s: %s links to an http:// address; use "
		    "https", locale, name);
	if (out.sms_fixed_segments > (size_t)l->cf->sms_max_segments)
		lintreport_error(r, "%s: %s.sms: its text and link alone take "
		    "%zu segments (sms.max_segments is %lld)", locale, name,
		    out.sms_fixed_segments, (long long)l->cf->sms_max_segments);
	/* The question is answered by a reply to it: one whole text. */
	else if (kind == VOCAB_NOTICE_FEEDBACK && (out.sms_info.segments > 1 ||
	    out.sms_cut.note_chars > 0 || out.sms_cut.link ||
	    out.sms_cut.fixed))
		lintreport_error(r, "%s: feedback.sms takes %zu segments (%zu "
		    "%s); the question must fit in one, whole", locale,
		    out.sms_info.segments, out.sms_info.units,
		    out.sms_info.encoding == SEGMENT_GSM7 ? "GSM-7 characters" :
		    "UCS-2 units");
	render_out_clear(&out);
	notice_free(n);
}

/*
 * Render the thanks for each answer, and for a comment, in one locale:
 * each is sent whole, so more than one segment is a warning.
 */
static void
lint_thanks(struct lint *l, const char *locale)
{
	static const char *const answers[] = {
		"fixed", "not_fixed", "partly"
	};
	struct segment_info	 info;
	char			*text, *cause = NULL;
	size_t			 i;
	int			 comment;

	for (i = 0; i < 2 * (sizeof answers / sizeof answers[0]); i++) {
		comment = i >= sizeof answers / sizeof answers[0];
		text = render_thanks(l->cf, l->cat, locale, answers[i %
		    (sizeof answers / sizeof answers[0])], comment, &info,
		    &cause);
		if (text == NULL) {
			lintreport_error(&l->report, "%s: %s", locale, cause);
			free(cause);
			return;
		}
		if (*text == '\0')
			lintreport_error(&l->report, "%s: thanks.sms renders "
			    "empty for %s", locale, answers[i % 3]);
		else if (info.segments > 1)
			lintreport_warning(&l->report, "%s: thanks.sms for "
			    "%s%s takes %zu segments (%zu %s); a reply is sent "
			    "whole, so one is best", locale, answers[i % 3],
			    comment ? " and a comment" : "", info.segments,
			    info.units, info.encoding == SEGMENT_GSM7 ?
			    "GSM-7 characters" : "UCS-2 units");
		free(text);
	}
}

/* Render the replies to residents' keywords in one locale and check them. */
static void
lint_reply(struct lint *l, const char *locale)
{
	struct lintreport	*r = &l->report;
	struct segment_info	 info;
	const char		*found;
	char			*text, *cause = NULL;
	size_t			 i;

	for (i = 0; i < sizeof lint_replies / sizeof lint_replies[0]; i++) {
		if (catalog_find(l->cat, locale, lint_replies[i], "sms",
		    &found) == NULL) {
			lintreport_error(r, "%s: no template %s.sms (nor in a "
			    "fallback locale): the reply to a resident's %s",
			    locale, lint_replies[i], lint_replies[i]);
			continue;
		}
		if (strcmp(found, locale) != 0)
			lintreport_warning(r, "%s: no %s.sms; %s's is used",
			    locale, lint_replies[i], found);
		if (strcmp(lint_replies[i], "thanks") == 0)
			lint_thanks(l, locale);
		if ((text = render_reply(l->cf, l->cat, locale, lint_replies[i],
		    &info, &cause)) == NULL) {
			lintreport_error(r, "%s: %s", locale, cause);
			free(cause);
			continue;
		}
		if (*text == '\0')
			lintreport_error(r, "%s: %s.sms renders empty", locale,
			    lint_replies[i]);
		if (lint_plain_http(text))
			lintreport_error(r, "%s: %s.sms links to an http:// "
			    "address; use https", locale, lint_replies[i]);
		if (info.segments > 1)
			lintreport_warning(r, "%s: %s.sms takes %zu segments "
			    "(%zu %s); a reply is sent whole, so one is best",
			    locale, lint_replies[i], info.segments, info.units,
			    info.encoding == SEGMENT_GSM7 ? "GSM-7 characters" :
			    "UCS-2 units");
		free(text);
	}
}

/*
 * Check that every division has a name in a locale of the set, so that
 * residents do not read another language's name in their message.
 */
static void
lint_divisions(struct lint *l, const char *locale)
{
	const struct division	*dv;
	const char		*name;
	size_t			 i;

	for (i = 0; i < l->cf->ndivisions; i++) {
		dv = &l->cf->divisions[i];
		if (division_name(dv, locale) != NULL)
			continue;
		name = division_name(dv, l->cf->templates_default_locale);
		lintreport_warning(&l->report, "%s: division %s has no name in "
		    "this language (divisions.%s.name.%s); residents read "
		    "\"%s\"", locale, dv->code, dv->code, locale,
		    name != NULL ? name : dv->code);
	}
}

/* Check a loaded template set. */
int
lint_set(const struct config *cf, const struct catalog *cat, FILE *out,
    int *warnings)
{
	struct lint	l;
	size_t		i;
	int		k;

	memset(&l, 0, sizeof l);
	l.cf = cf;
	l.cat = cat;
	l.report.out = out;
	lint_templates(&l);
	for (i = 0; i < catalog_nlocales(cat); i++) {
		for (k = 1; k < VOCAB_NOTICE_COUNT; k++)
			lint_render(&l, catalog_locale(cat, i), k);
		lint_reply(&l, catalog_locale(cat, i));
		lint_divisions(&l, catalog_locale(cat, i));
	}
	if (warnings != NULL)
		*warnings = l.report.warnings;
	return l.report.errors;
}

/* Load templates.dir and check it; the set only if it has no error. */
struct catalog *
lint_load(const struct config *cf, char **cause)
{
	return lint_load_warnings(cf, NULL, cause);
}

/* Load templates.dir and check it, keeping the warnings. */
struct catalog *
lint_load_warnings(const struct config *cf, char **warnings, char **cause)
{
	struct catalog	*cat;
	FILE		*f;
	char		*text = NULL, *load = NULL;
	size_t		 len = 0;
	int		 errors;

	if ((cat = catalog_load(cf->templates_dir,
	    cf->templates_default_locale, &load)) == NULL) {
		if (cause != NULL)
			*cause = xasprintf("%s\n%s: the template set does not "
			    "load", load, cf->templates_dir);
		free(load);
		return NULL;
	}
	if ((f = open_memstream(&text, &len)) == NULL)
		abort();
	errors = lint_set(cf, cat, f, NULL);
	fclose(f);
	if (errors == 0) {
		if (warnings != NULL)
			*warnings = text;
		else
			free(text);
		return cat;
	}
	while (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	if (cause != NULL)
		*cause = xasprintf("%s\n%s: the template set has %d error%s "
		    "(closeloop lint shows them)", text, cf->templates_dir,
		    errors, errors == 1 ? "" : "s");
	free(text);
	catalog_free(cat);
	return NULL;
}
