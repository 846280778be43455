/*
 * respage.c - the resident's page: the token, the language, the view
 *
 * respage.h says what the page shows and to whom. The token is checked
 * before Redis is asked anything. What was told is read by resptold.c;
 * here it is laid out: the facts the last messages gave (the division,
 * the date planned), every message in order, the notes and photos they
 * held (each once), and a duplicate's original.
 */
#include "build.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "datefmt.h"
#include "http.h"
#include "httpreq.h"
#include "link.h"
#include "notice.h"
#include "plainhtml.h"
#include "render.h"
#include "respage.h"
#include "resptold.h"
#include "respwords.h"
#include "srpage.h"
#include "srstate.h"
#include "syntax.h"
#include "view.h"
#include "vocab.h"
#include "webreq.h"
#include "xmalloc.h"

/* The language of one page. */
struct respage_lang {
	const struct respwords	*w;
	char			 locale[64];	/* BCP 47: the page's lang */
};

/* Add what the layout needs of a public page in lang l. */
static void
respage_frame(struct webreq *q, struct view *v, const struct respage_lang *l)
{
	view_set(v, "public", view_bool(1));
	view_set(v, "noindex", view_bool(1));
	view_set_string(v, "lang", l->locale);
	view_set_string(v, "dir", respwords_dir(l->locale));
	view_set_string(v, "skip", l->w->skip);
	httpresp_header(q->resp, "X-Robots-Tag", "noindex, nofollow");
}

/* Set l to the words of locale (else the default's, else English). */
static void
respage_lang_set(const struct config *cf, struct respage_lang *l,
    const char *locale)
{
	l->w = respwords_get(locale, cf->templates_default_locale);
	snprintf(l->locale, sizeof l->locale, "%s", locale != NULL &&
	    respwords_find(locale) == l->w ? locale : l->w->locale);
}

/* Answer the one 404 of the resident's page, whatever was wrong. */
static void
respage_not_found(struct webreq *q)
{
	struct respage_lang	 l;
	struct view		*v = view_map();

	respage_lang_set(q->cf, &l, q->cf->templates_default_locale);
	respage_frame(q, v, &l);
	view_set_string(v, "text", l.w->not_found);
	q->resp->status = 404;
	webreq_page(q, "error", l.w->not_found_title, v);
}

/* Return 1 if the template set has locale (a canonical BCP 47 tag). */
static int
respage_has_locale(const struct config *cf, const char *locale)
{
	struct stat	 sb;
	char		*path;
	int		 rc;

	if (respwords_find(locale) == NULL)
		return 0;
	if (cf->templates_dir == NULL)
		return 1;
	path = xasprintf("%s/%s", cf->templates_dir, locale);
	rc = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
	free(path);
	return rc;
}

/* Choose the page's language: ?lang, else the residents', else default. */
static void
respage_lang(struct webreq *q, const struct srstate *st,
    struct respage_lang *l)
{
	const char	*arg = httpreq_arg(q->req, "lang"), *why, *locale;
	char		 tag[64];
	size_t		 i;

	if (arg != NULL && syntax_locale(arg, tag, sizeof tag, &why) == 0 &&
	    respage_has_locale(q->cf, tag)) {
		respage_lang_set(q->cf, l, tag);
		return;
	}
	locale = q->cf->templates_default_locale;
	for (i = 0; st != NULL && i < st->ncontact; i++)
		if (st->contact[i].active) {
			if (st->contact[i].locale != NULL)
				locale = st->contact[i].locale;
			break;
		}
	respage_lang_set(q->cf, l, locale);
}

/* Set key in v to the date of when (ms) in the page's language. */
static void
respage_date(struct webreq *q, struct view *v, const char *key,
    const struct respage_lang *l, int64_t when)
{
	char	*date;

	date = datefmt_date(l->locale, when / 1000, q->cf->templates_timezone,
	    NULL);
	view_set_string(v, key, date);
	free(date);
}

/* Add a message told to the list. */
static void
respage_message(struct webreq *q, struct view *list,
    const struct respage_lang *l, const struct resptold_notice *n)
{
	struct view	*m = view_append(list, view_map());
	char		*html;

	respage_date(q, m, "when", l, n->at);
	view_set_string(m, "what", respwords_notice(l->w, n->notice));
	view_set_string(m, "how", n->sms ? l->w->by_sms : l->w->by_email);
	view_set_string(m, "lang", n->locale);
	view_set_string(m, "dir", respwords_dir(n->locale));
	if (n->subject != NULL) {
		html = plainhtml_text(n->subject);
		view_set_string(m, "subject_html", html);
		free(html);
	}
	if (n->text != NULL) {
		html = plainhtml_text(n->text);
		view_set_string(m, "text_html", html);
		free(html);
	}
}

/*
 * Add a note to the list, unless an earlier message told the same.
 * Returns 1 if it was added.
 */
static int
respage_note(struct webreq *q, struct view *list, const struct resptold *t,
    size_t i, const struct respage_lang *l, const char *text, int standard)
{
	const struct resptold_notice	*e;
	struct view			*m;
	size_t				 j;

	if (text == NULL)
		return 0;
	for (j = 0; j < i; j++) {
		e = &t->list[j];
		if ((standard ? e->standard_note : e->note) != NULL &&
		    strcmp(standard ? e->standard_note : e->note, text) == 0)
			return 0;
	}
	m = view_append(list, view_map());
	view_set_string(m, "text", text);
	view_set_string(m, "lang", t->list[i].locale);
	view_set_string(m, "dir", respwords_dir(t->list[i].locale));
	respage_date(q, m, "when", l, t->list[i].at);
	return 1;
}

/*
 * Add the photos of a message that no earlier one showed: *seen holds
 * those shown, each between spaces (the caller frees it); *k counts them.
 */
static void
respage_photos(struct view *list, const struct respage_lang *l,
    const char *photos, char **seen, size_t *k)
{
	struct view	*p;
	char		*copy, *url, *save = NULL, *s, *host;

	if (photos == NULL)
		return;
	copy = xstrdup(photos);
	for (url = strtok_r(copy, " ", &save); url != NULL;
	    url = strtok_r(NULL, " ", &save)) {
		s = xasprintf(" %s ", url);
		if (*seen != NULL && strstr(*seen, s) != NULL) {
			free(s);
			continue;
		}
		free(s);
		s = xasprintf("%s%s ", *seen != NULL ? *seen : " ", url);
		free(*seen);
		*seen = s;
		p = view_append(list, view_map());
		view_set_string(p, "url", url);
		s = xasprintf("%s %zu", l->w->photo, ++*k);
		view_set_string(p, "label", s);
		free(s);
		host = xstrndup(url + strlen("https://"),
		    strcspn(url + strlen("https://"), "/:?#"));
		view_set_string(p, "host", host);
		free(host);
	}
	free(copy);
}

/* Add the original of a duplicate: its last notice, name and date. */
static int
respage_original(struct webreq *q, struct view *v,
    const struct respage_lang *l, const char *orig)
{
	struct view	*o;
	char		*notice = NULL, *cause = NULL;
	int64_t		 at;
	int		 rc;

	if ((rc = resptold_last(q->w->r, q->cf, orig, &notice, &at,
	    &cause)) < 0) {
		webreq_redis_failed(q, cause);
		return -1;
	}
	o = view_set(v, "original", view_map());
	view_set_string(o, "sr", orig);
	if (rc == 1) {
		view_set_string(o, "news", respwords_notice(l->w, notice));
		respage_date(q, o, "when", l, at);
	} else
		view_set_string(o, "news", l->w->no_news);
	free(notice);
	return 0;
}

/* Add the words of the page's language. */
static void
respage_words(struct view *v, const struct respwords *w)
{
	view_set_string(v, "w_title", w->title);
	view_set_string(v, "w_handled", w->handled);
	view_set_string(v, "w_scheduled", w->scheduled);
	view_set_string(v, "w_told", w->told);
	view_set_string(v, "w_notes", w->notes);
	view_set_string(v, "w_photos", w->photos);
	view_set_string(v, "w_original", w->original);
	view_set_string(v, "w_original_sr", w->original_sr);
	view_set_string(v, "w_original_news", w->original_news);
	view_set_string(v, "w_about", w->about);
	view_set_string(v, "w_languages", w->languages);
}

/* Add the links to the page in the other languages of the set. */
static void
respage_languages(struct webreq *q, struct view *v,
    const struct respage_lang *l)
{
	const struct respwords	*w;
	struct view		*list, *e;
	char			*href;
	size_t			 i, n = 0;

	list = view_set(v, "languages", view_list());
	for (i = 0; i < respwords_count(); i++) {
		w = respwords_at(i);
		if (!respage_has_locale(q->cf, w->locale))
			continue;
		e = view_append(list, view_map());
		view_set_string(e, "name", w->self);
		view_set_string(e, "locale", w->locale);
		view_set_string(e, "dir", respwords_dir(w->locale));
		href = xasprintf("?lang=%s", w->locale);
		view_set_string(e, "href", href);
		free(href);
		view_set(e, "current", view_bool(w == l->w));
		n++;
	}
	view_set(v, "has_languages", view_bool(n > 1));
}

/*
 * Lay out what was told: the messages, the notes and photos they held,
 * and the facts of the last ones. Returns the original of a duplicate,
 * if the last word was that it is one.
 */
static const char *
respage_told(struct webreq *q, struct view *v, const struct resptold *t,
    const struct respage_lang *l)
{
	const struct resptold_notice	*n;
	struct view			*msgs, *notes, *photos;
	const char			*division = NULL, *sched = NULL;
	const char			*orig = NULL;
	char				*when, *seen = NULL;
	size_t				 i, k = 0, nnotes = 0;

	msgs = view_set(v, "told", view_list());
	notes = view_set(v, "notes", view_list());
	photos = view_set(v, "photos", view_list());
	for (i = 0; i < t->n; i++) {
		n = &t->list[i];
		respage_message(q, msgs, l, n);
		nnotes += respage_note(q, notes, t, i, l, n->standard_note, 1);
		nnotes += respage_note(q, notes, t, i, l, n->note, 0);
		respage_photos(photos, l, n->photos, &seen, &k);
		if (n->division != NULL)
			division = n->division;
		/* A date planned stands until the request closes or reopens. */
		if (n->scheduled_for != NULL)
			sched = n->scheduled_for;
		else if (notice_is_closure(vocab_notice_parse(n->notice)) ||
		    strcmp(n->notice, "reopened") == 0)
			sched = NULL;
		if (n->duplicate_of != NULL)
			orig = n->duplicate_of;
		else if (strcmp(n->notice, "reopened") == 0)
			orig = NULL;
	}
	free(seen);
	view_set(v, "has_notes", view_bool(nnotes > 0));
	view_set(v, "has_photos", view_bool(k > 0));
	view_set_string(v, "division", render_division(q->cf, division,
	    l->locale));
	if ((when = render_when(q->cf, sched, l->locale)) != NULL)
		view_set_string(v, "scheduled", when);
	view_set(v, "has_facts", view_bool(division != NULL || when != NULL));
	free(when);
	return orig;
}

/* GET /r/SR/TOKEN. */
void
respage_show(struct webreq *q)
{
	const char		*slash, *why, *orig;
	struct respage_lang	 l;
	struct srstate		*st = NULL;
	struct resptold		*t = NULL;
	struct view		*v;
	char			*sr, *title, *cause = NULL;

	if ((slash = strchr(q->rest, '/')) == NULL) {
		respage_not_found(q);
		return;
	}
	sr = xstrndup(q->rest, (size_t)(slash - q->rest));
	if (syntax_sr(sr, &why) != 0 || !link_resident_check(
	    q->cf->templates_resident_secret, sr, slash + 1)) {
		respage_not_found(q);
		goto out;
	}
	if (webreq_redis(q) == NULL || srpage_state(q, sr, &st) != 0)
		goto out;
	respage_lang(q, st, &l);
	if (resptold_read(q->w->r, q->cf, sr, l.locale, &t, &cause) != 0) {
		webreq_redis_failed(q, cause);
		goto out;
	}
	if (t->n == 0) {
		respage_not_found(q);
		goto out;
	}
	v = view_map();
	respage_frame(q, v, &l);
	respage_words(v, l.w);
	view_set_string(v, "sr", sr);
	view_set_string(v, "city", render_city(q->cf, l.locale));
	respage_languages(q, v, &l);
	if ((orig = respage_told(q, v, t, &l)) != NULL &&
	    respage_original(q, v, &l, orig) != 0) {
		view_free(v);
		goto out;
	}
	title = xasprintf("%s %s · %s", l.w->title, sr,
	    render_city(q->cf, l.locale));
	webreq_page(q, "resident", title, v);
	free(title);
out:
	resptold_free(t);
	srstate_free(st);
	free(sr);
}
