/*
 * tmplpage.c - the Templates page: every notice as residents would get it
 *
 * tmplpage.h says what is shown. Each notice is made from a sample
 * event of its own (notice=NAME) and rendered for a resident of the
 * locale asked for, against a copy of the configuration without the
 * resident page's key. The lint warnings were kept when the set was
 * loaded (struct web); a line concerns a locale if it starts with the
 * locale ("fr: ...") or with a file of its directory ("DIR/fr/...").
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "catalog.h"
#include "config.h"
#include "http.h"
#include "httpreq.h"
#include "msgpage.h"
#include "notice.h"
#include "render.h"
#include "sample.h"
#include "segment.h"
#include "syntax.h"
#include "template.h"
#include "tmplpage.h"
#include "view.h"
#include "vocab.h"
#include "webreq.h"
#include "xmalloc.h"

/* How many of the characters that make an SMS UCS-2 are named. */
#define TMPLPAGE_UCS2_SHOWN	5

/* The parts of a notice, each its own template, and the key of its lang. */
static const struct {
	const char	*part;
	const char	*lang;
} tmplpage_parts[] = {
	{ "subject", "subject_lang" }, { "txt", "text_lang" },
	{ "html", "html_lang" }, { "sms", "sms_lang" }
};

/*
 * Render notice kind for a resident of locale into *out, as closeloop
 * render would. Returns 0, or -1 with *cause.
 */
static int
tmplpage_render(const struct webreq *q, const char *locale,
    enum vocab_notice kind, int parts, struct render_out *out, char **cause)
{
	struct config	 cf = *q->cf;
	struct sample	*s;
	struct notice	*n;
	char		*force;
	int		 rc = -1;

	cf.templates_resident_secret = NULL;	/* no real token shown */
	s = sample_new();
	force = xasprintf("notice=%s", vocab_notice_name(kind));
	(void)sample_field(s, force);
	free(force);
	if ((n = sample_notice(&cf, s, locale, cause)) != NULL)
		rc = render_notice(&cf, q->w->cat, n, 0, parts, time(NULL),
		    out, cause);
	notice_free(n);
	sample_free(s);
	return rc;
}

/*
 * Read the locale and notice asked for into canon and *kind (NONE: all).
 * Returns 0, or -1 if either is not valid.
 */
static int
tmplpage_args(const struct webreq *q, const char *locale, const char *notice,
    char *canon, size_t size, enum vocab_notice *kind)
{
	const char	*why;

	*kind = VOCAB_NOTICE_NONE;
	if (locale == NULL || *locale == '\0')
		locale = q->cf->templates_default_locale;
	if (syntax_locale(locale, canon, size, &why) != 0)
		return -1;
	if (notice != NULL && *notice != '\0' &&
	    (*kind = vocab_notice_parse(notice)) == VOCAB_NOTICE_NONE)
		return -1;
	return 0;
}

/*
 * Add to e the template of each part of notice name for locale: its file
 * (from the set's directory on) and the locale it came from. Returns the
 * parts that came from another locale, as words ("subject, sms from
 * en"), or NULL if none did; the caller frees it.
 */
static char *
tmplpage_sources(const struct webreq *q, struct view *e, const char *locale,
    const char *name)
{
	const struct template	*t;
	const char		*found, *file, *dir = catalog_dir(q->w->cat);
	struct view		*list, *p;
	char			*from = NULL, *more;
	size_t			 i, len = strlen(dir);

	list = view_set(e, "sources", view_list());
	for (i = 0; i < sizeof tmplpage_parts / sizeof tmplpage_parts[0];
	    i++) {
		p = view_append(list, view_map());
		view_set_string(p, "part", tmplpage_parts[i].part);
		if ((t = catalog_find(q->w->cat, locale, name,
		    tmplpage_parts[i].part, &found)) == NULL)
			continue;
		file = template_name(t);
		if (strncmp(file, dir, len) == 0 && file[len] == '/')
			file += len + 1;
		view_set_string(p, "file", file);
		view_set_string(p, "from", found);
		view_set_string(e, tmplpage_parts[i].lang, found);
		if (strcasecmp(found, locale) == 0)
			continue;
		view_set(p, "fallback", view_bool(1));
		more = xasprintf("%s%s%s from %s", from != NULL ? from : "",
		    from != NULL ? "; " : "", tmplpage_parts[i].part, found);
		free(from);
		from = more;
	}
	return from;
}

/* Add what the SMS of out is to e: segments, encoding, why UCS-2, cuts. */
static void
tmplpage_sms(const struct webreq *q, struct view *e,
    const struct render_out *out)
{
	char	*why, *cut, buf[64];
	int	 gsm7 = out->sms_info.encoding == SEGMENT_GSM7;

	view_set_string(e, "sms", out->sms);
	snprintf(buf, sizeof buf, "%zu", out->sms_info.segments);
	view_set_string(e, "segments", buf);
	view_set(e, "one_segment", view_bool(out->sms_info.segments == 1));
	view_set_string(e, "encoding", gsm7 ? "GSM-7" : "UCS-2");
	snprintf(buf, sizeof buf, "%zu %s", out->sms_info.units, gsm7 ?
	    "septets" : "UTF-16 units");
	view_set_string(e, "units", buf);
	if (!gsm7 && (why = segment_describe_ucs2(out->sms,
	    TMPLPAGE_UCS2_SHOWN)) != NULL) {
		view_set_string(e, "ucs2_why", why);
		free(why);
	}
	if ((cut = segment_cut_describe(&out->sms_cut)) != NULL) {
		snprintf(buf, sizeof buf, "%lld",
		    (long long)q->cf->sms_max_segments);
		view_set_string(e, "max_segments", buf);
		view_set_string(e, "cut", cut);
		free(cut);
	}
}

/*
 * Render notice kind for locale into a new map: for the list (whole 0)
 * or whole. Returns the map.
 */
static struct view *
tmplpage_notice(const struct webreq *q, const char *locale,
    enum vocab_notice kind, int whole)
{
	struct render_out	 out;
	struct view		*e = view_map();
	const char		*name = vocab_notice_name(kind);
	char			*cause = NULL, *from, *link;

	view_set_string(e, "notice", name);
	view_set_string(e, "locale", locale);
	link = xasprintf("/templates?locale=%s&notice=%s", locale, name);
	view_set_string(e, "link", link);
	free(link);
	link = xasprintf("/template/%s/%s/html", locale, name);
	view_set_string(e, "frame_src", link);
	free(link);
	if ((from = tmplpage_sources(q, e, locale, name)) != NULL) {
		view_set_string(e, "from_other", from);
		free(from);
	}
	if (tmplpage_render(q, locale, kind, RENDER_EMAIL | RENDER_SMS, &out,
	    &cause) != 0) {
		view_set_string(e, "error", cause != NULL ? cause :
		    "it does not render");
		free(cause);
		return e;
	}
	view_set_string(e, "subject", out.subject);
	tmplpage_sms(q, e, &out);
	if (whole) {
		view_set_string(e, "text", out.text);
		if (out.photos_dropped > 0)
			view_set(e, "photos_dropped", view_bool(1));
	}
	render_out_clear(&out);
	return e;
}

/*
 * Add the lint warnings that concern locale to v, each split into where
 * (a file and line, or the locale) and what.
 */
static void
tmplpage_lint(const struct webreq *q, struct view *v, const char *locale)
{
	const char	*dir = catalog_dir(q->w->cat), *p, *end, *what;
	struct view	*list, *e;
	char		*line, *where;
	size_t		 dlen = strlen(dir), llen = strlen(locale), n = 0;
	size_t		 total = 0;

	list = view_set(v, "lint", view_list());
	for (p = q->w->lint != NULL ? q->w->lint : ""; *p != '\0'; p = end) {
		end = p + strcspn(p, "\n");
		line = xstrndup(p, (size_t)(end - p));
		if (*end == '\n')
			end++;
		where = line + (strncmp(line, "warning: ", 9) == 0 ? 9 : 0);
		if (*where != '\0')
			total++;
		if (strncmp(where, dir, dlen) == 0 && where[dlen] == '/')
			where += dlen + 1;
		if ((what = strstr(where, ": ")) == NULL ||
		    strncasecmp(where, locale, llen) != 0 ||
		    (where[llen] != ':' && where[llen] != '/')) {
			free(line);
			continue;
		}
		e = view_append(list, view_map());
		line[what - line] = '\0';
		view_set_string(e, "where", where);
		view_set_string(e, "what", what + 2);
		free(line);
		n++;
	}
	view_set(v, "has_lint", view_bool(n > 0));
	line = xasprintf("%zu", total);
	view_set_string(v, "lint_total", line);
	free(line);
}

/* Add the form's choices to v: the set's locales, and every notice. */
static void
tmplpage_choices(const struct webreq *q, struct view *v, const char *locale,
    enum vocab_notice kind)
{
	struct view	*list, *e;
	size_t		 i;
	int		 k, listed = 0;

	list = view_set(v, "locales", view_list());
	for (i = 0; i < catalog_nlocales(q->w->cat); i++) {
		e = view_append(list, view_map());
		view_set_string(e, "code", catalog_locale(q->w->cat, i));
		if (strcasecmp(catalog_locale(q->w->cat, i), locale) == 0) {
			view_set(e, "selected", view_bool(1));
			listed = 1;
		}
	}
	if (!listed) {
		e = view_append(list, view_map());
		view_set_string(e, "code", locale);
		view_set(e, "selected", view_bool(1));
		view_set(v, "not_in_set", view_bool(1));
	}
	list = view_set(v, "notices", view_list());
	for (k = 1; k < VOCAB_NOTICE_COUNT; k++) {
		e = view_append(list, view_map());
		view_set_string(e, "name", vocab_notice_name(k));
		if ((int)kind == k)
			view_set(e, "selected", view_bool(1));
	}
}

/* GET /templates. */
void
tmplpage_show(struct webreq *q)
{
	struct view		*v, *rows;
	enum vocab_notice	 kind;
	char			 locale[64];
	int			 k;

	v = view_map();
	if (tmplpage_args(q, httpreq_arg(q->req, "locale"),
	    httpreq_arg(q->req, "notice"), locale, sizeof locale,
	    &kind) != 0) {
		view_set_string(v, "error", "There is no such locale or "
		    "notice. Choose one from the lists.");
		q->resp->status = 400;
		(void)tmplpage_args(q, NULL, NULL, locale, sizeof locale,
		    &kind);
	}
	view_set_string(v, "locale", locale);
	view_set_string(v, "default_locale", q->cf->templates_default_locale);
	view_set_string(v, "dir", catalog_dir(q->w->cat));
	view_set_string(v, "version", catalog_version(q->w->cat));
	tmplpage_choices(q, v, locale, kind);
	if (kind != VOCAB_NOTICE_NONE)
		view_set(v, "one", tmplpage_notice(q, locale, kind, 1));
	else {
		view_set(v, "has_rows", view_bool(1));
		rows = view_set(v, "rows", view_list());
		for (k = 1; k < VOCAB_NOTICE_COUNT; k++)
			view_append(rows, tmplpage_notice(q, locale, k, 0));
	}
	tmplpage_lint(q, v, locale);
	webreq_page(q, "templates", "Templates", v);
}

/* GET /template/LOCALE/NOTICE/html. */
void
tmplpage_frame(struct webreq *q)
{
	struct render_out	 out;
	enum vocab_notice	 kind;
	const char		*first, *second;
	char			*want, *notice, *cause = NULL, locale[64];
	int			 bad;

	if ((first = strchr(q->rest, '/')) == NULL || first == q->rest ||
	    (second = strchr(first + 1, '/')) == NULL ||
	    strcmp(second, "/html") != 0) {
		webreq_not_found(q);
		return;
	}
	want = xstrndup(q->rest, (size_t)(first - q->rest));
	notice = xstrndup(first + 1, (size_t)(second - first - 1));
	bad = tmplpage_args(q, want, notice, locale, sizeof locale,
	    &kind) != 0 || kind == VOCAB_NOTICE_NONE;
	free(want);
	free(notice);
	if (bad || tmplpage_render(q, locale, kind, RENDER_EMAIL, &out,
	    &cause) != 0) {
		free(cause);
		webreq_not_found(q);
		return;
	}
	msgpage_frame(q, out.html, strlen(out.html), 0);
	out.html = NULL;
	render_out_clear(&out);
}
