/*
 * render.c - a notice turned into what one resident receives
 *
 * The data a template sees (docs/templates.md lists it): sr, service,
 * notice, city, division, from_division, date, scheduled_for, note,
 * standard_note, photos (a list of {url, number}), has_photos, photo,
 * status_url, duplicate_of, duplicate_url, unsubscribe_url, partial,
 * correction, and of the service standard standard_by (its last business
 * day), standard_days (in the locale's digits; missing for 0),
 * standard_one_day and standard_response. status_url is the link to the
 * resident's own page about the SR when templates.resident_url is set,
 * else the city's status page (link.h); duplicate_url is always the
 * city's status page of the original. An email's unsubscribe_url is its
 * recipient's own link when one-click unsubscribe is set up
 * (unsubscribe.h); the email of a feedback notice has fixed_url,
 * not_fixed_url and partly_url, its answer links (link.h), when they are
 * set up. The replies to a
 * resident's text message (stop, start, help) see city alone; the
 * thanks for an answer (thanks) city and the answer: fixed, not_fixed,
 * partly, and comment for a comment alone.
 *
 * An SMS is rendered with its shortenable pieces marked by characters of
 * the Private Use Area: the output of the "note" partial, the photo link
 * and the status link. The marked text is then cut into parts for
 * segment_fit(), which drops and shortens them by its fixed rule. Those
 * marker characters are removed from every value first, so text from
 * the CRM cannot fake one.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog.h"
#include "config.h"
#include "datefmt.h"
#include "division.h"
#include "event.h"
#include "link.h"
#include "notice.h"
#include "question.h"
#include "render.h"
#include "syntax.h"
#include "template.h"
#include "view.h"
#include "xmalloc.h"

/* Markers (U+E000 to U+E005): note, photo and link, start and end. */
#define RENDER_NOTE_START	"\xee\x80\x80"
#define RENDER_NOTE_END		"\xee\x80\x81"
#define RENDER_PHOTO_START	"\xee\x80\x82"
#define RENDER_PHOTO_END	"\xee\x80\x83"
#define RENDER_LINK_START	"\xee\x80\x84"
#define RENDER_LINK_END		"\xee\x80\x85"

/* What the partial lookup needs. */
struct render_lookup {
	const struct catalog	*cat;
	const char		*locale;
	const char		*part;
	int			 sms;
};

/* Return 1 if s starts with one of the markers. */
static int
render_is_marker(const char *s)
{
	return (unsigned char)s[0] == 0xee && (unsigned char)s[1] == 0x80 &&
	    (unsigned char)s[2] >= 0x80 && (unsigned char)s[2] <= 0x85;
}

/* Copy a value without marker characters; NULL stays NULL. */
static char *
render_clean(const char *s)
{
	char	*out, *o;

	if (s == NULL)
		return NULL;
	out = o = xmalloc(strlen(s) + 1);
	while (*s != '\0') {
		if (render_is_marker(s)) {
			s += 3;
			continue;
		}
		*o++ = *s++;
	}
	*o = '\0';
	return out;
}

/* Set a cleaned string value in a map, unless it is NULL. */
static void
render_set(struct view *v, const char *key, const char *s)
{
	char	*clean = render_clean(s);

	view_set_string(v, key, clean);
	free(clean);
}

/* Return a division's name in a locale, else the default, else its code. */
const char *
render_division(const struct config *cf, const char *code, const char *locale)
{
	const struct division	*dv;
	const char		*name = NULL;

	if (code == NULL)
		return NULL;
	dv = division_find(cf->divisions, cf->ndivisions, code);
	if (dv != NULL && (name = division_name(dv, locale)) == NULL)
		name = division_name(dv, cf->templates_default_locale);
	return name != NULL ? name : code;
}

/* Set the photos the templates may show, counting those left out. */
static void
render_photos(const struct config *cf, struct view *v, const char *photos,
    int sms, size_t *dropped)
{
	struct view	*list, *item;
	char		*copy, *url, *save = NULL, num[16], *marked;
	size_t		 n = 0;

	list = view_set(v, "photos", view_list());
	if (photos != NULL) {
		copy = xstrdup(photos);
		for (url = strtok_r(copy, " ", &save); url != NULL;
		    url = strtok_r(NULL, " ", &save)) {
			if (render_is_marker(url) ||
			    !syntax_https_host(url, cf->templates_photo_hosts,
			    cf->templates_nphoto_hosts)) {
				(*dropped)++;
				continue;
			}
			item = view_append(list, view_map());
			render_set(item, "url", url);
			snprintf(num, sizeof num, "%zu", ++n);
			view_set_string(item, "number", num);
			if (n > 1)
				continue;
			marked = sms ? xasprintf("%s%s%s", RENDER_PHOTO_START,
			    url, RENDER_PHOTO_END) : xstrdup(url);
			view_set_string(v, "photo", marked);
			free(marked);
		}
		free(copy);
	}
	view_set(v, "has_photos", view_bool(n > 0));
}

/* Return a date or date-time written for a locale, or NULL. */
char *
render_when(const struct config *cf, const char *value, const char *locale)
{
	const char	*why;
	char		*text;
	int64_t		 when;
	int		 has_time;

	if (value == NULL || syntax_date_or_time(value, &when, &has_time,
	    &why) != 0)
		return NULL;
	/* A date alone is a calendar day: format it as one, in UTC. */
	text = has_time ? datefmt_datetime(locale, when,
	    cf->templates_timezone, NULL) : datefmt_date(locale, when, "UTC",
	    NULL);
	return text != NULL ? text : xstrdup(value);
}

/* Set a date or date-time for the resident's locale. */
static void
render_date(const struct config *cf, struct view *v, const char *key,
    const char *value, const char *locale)
{
	char	*text;

	if ((text = render_when(cf, value, locale)) == NULL)
		return;
	view_set_string(v, key, text);
	free(text);
}

/* Return a division's standard note in a locale, else the default's. */
const char *
render_standard_note(const struct config *cf, const char *division,
    const char *code, const char *locale)
{
	const struct division	*dv;
	const char		*note;

	if (division == NULL || code == NULL || (dv = division_find(
	    cf->divisions, cf->ndivisions, division)) == NULL)
		return NULL;
	if ((note = division_note(dv, code, locale)) == NULL)
		note = division_note(dv, code, cf->templates_default_locale);
	return note;
}

/* Return the city's name in a locale, else the default locale's. */
const char *
render_city(const struct config *cf, const char *locale)
{
	const char	*city;

	city = division_lookup(cf->templates_city_names,
	    cf->templates_ncity_names, locale);
	if (city == NULL)
		city = division_lookup(cf->templates_city_names,
		    cf->templates_ncity_names, cf->templates_default_locale);
	return city != NULL ? city : cf->templates_city;
}

/* Set what the templates say of the service standard, if one runs. */
static void
render_standard(const struct config *cf, struct view *v,
    const struct notice *n, const char *locale)
{
	long long	 due, days;
	char		*s, *end;

	if (n->standard_due == NULL || n->standard_days == NULL ||
	    (due = strtoll(n->standard_due, &end, 10)) <= 0 || *end != '\0' ||
	    (days = strtoll(n->standard_days, &end, 10)) < 0 || *end != '\0')
		return;
	/* It ends at local midnight: the day before is the last one. */
	if ((s = datefmt_date(locale, (due - 1) / 1000,
	    cf->templates_timezone, NULL)) == NULL)
		return;
	view_set_string(v, "standard_by", s);
	free(s);
	if (days > 0 && (s = datefmt_count(locale, days, NULL)) != NULL) {
		view_set_string(v, "standard_days", s);
		free(s);
	}
	view_set(v, "standard_one_day", view_bool(days == 1));
	view_set(v, "standard_response", view_bool(n->standard_target !=
	    NULL && strcmp(n->standard_target, "response") == 0));
}

/* The names of the answers' links, in the order of render_out's. */
static const char *const render_answer_vars[RENDER_ANSWERS] = {
	"fixed_url", "not_fixed_url", "partly_url"
};

/*
 * Build the data the templates of a notice see; unsub is the
 * unsubscribe link (or NULL), answers the answer links (or NULL).
 */
static struct view *
render_view(const struct config *cf, const struct notice *n,
    const char *locale, int sms, int64_t now, const char *unsub,
    char *const *answers, size_t *photos_dropped)
{
	struct view	*v;
	char		*s, *marked;
	size_t		 i;

	v = view_map();
	render_set(v, "sr", n->sr);
	render_set(v, "service", n->service);
	view_set_string(v, "notice", vocab_notice_name(n->notice));
	render_set(v, "city", render_city(cf, locale));
	render_set(v, "division", render_division(cf, n->division, locale));
	render_set(v, "from_division", render_division(cf, n->from_division,
	    locale));
	if ((s = datefmt_date(locale, now, cf->templates_timezone,
	    NULL)) != NULL)
		view_set_string(v, "date", s);
	free(s);
	render_date(cf, v, "scheduled_for", n->scheduled_for, locale);
	render_set(v, "note", n->note);
	render_set(v, "standard_note", render_standard_note(cf, n->division,
	    n->note_code, locale));
	render_photos(cf, v, n->photos, sms, photos_dropped);
	if ((s = link_status(cf, n->sr)) != NULL) {
		marked = sms ? xasprintf("%s%s%s", RENDER_LINK_START, s,
		    RENDER_LINK_END) : xstrdup(s);
		view_set_string(v, "status_url", marked);
		free(marked);
		free(s);
	}
	if (cf->templates_status_url != NULL && n->duplicate_of != NULL) {
		s = link_url(cf->templates_status_url, n->duplicate_of);
		view_set_string(v, "duplicate_url", s);
		free(s);
	}
	render_set(v, "duplicate_of", n->duplicate_of);
	view_set_string(v, "unsubscribe_url", unsub);
	for (i = 0; answers != NULL && i < RENDER_ANSWERS; i++)
		view_set_string(v, render_answer_vars[i], answers[i]);
	view_set(v, "partial", view_bool(n->partial));
	view_set(v, "correction", view_bool(n->correction));
	render_standard(cf, v, n, locale);
	return v;
}

/* Find a partial, marking the SMS's note as shortenable. */
static const struct template *
render_partial(void *arg, const char *name, const char **before,
    const char **after)
{
	struct render_lookup	*l = arg;
	const struct template	*t;
	char			*key;

	key = xasprintf("_%s", name);
	t = catalog_find(l->cat, l->locale, key, l->part, NULL);
	free(key);
	if (t != NULL && l->sms && strcmp(name, "note") == 0) {
		*before = RENDER_NOTE_START;
		*after = RENDER_NOTE_END;
	}
	return t;
}

/* Render one part of a notice; NULL with *cause if it has no template. */
static char *
render_part(const struct catalog *cat, const char *locale, const char *name,
    const char *part, const struct view *v, char **cause)
{
	struct render_lookup	 l;
	const struct template	*t;

	t = catalog_find(cat, locale, name, part, NULL);
	if (t == NULL) {
		if (cause != NULL)
			*cause = xasprintf("no template %s.%s for locale %s in "
			    "%s (nor in its fallbacks)", name, part, locale,
			    catalog_dir(cat));
		return NULL;
	}
	l.cat = cat;
	l.locale = locale;
	l.part = part;
	l.sms = strcmp(part, "sms") == 0;
	return template_render(t, v, strcmp(part, "html") == 0 ?
	    TEMPLATE_HTML : TEMPLATE_TEXT, render_partial, &l);
}

/* Make a subject one line: line breaks and tabs become spaces, trimmed. */
static void
render_one_line(char *s)
{
	char	*o = s, *start = s;

	for (; *s != '\0'; s++) {
		if (*s == '\r' || *s == '\n' || *s == '\t')
			*s = ' ';
		if (*s == ' ' && (o == start || o[-1] == ' '))
			continue;
		*o++ = *s;
	}
	while (o > start && o[-1] == ' ')
		o--;
	*o = '\0';
}

/* Trim white space from both ends of a part, in place. */
static char *
render_trim(char *s)
{
	char	*end;

	while (*s == ' ' || *s == '\n' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\n' ||
	    end[-1] == '\t'))
		*--end = '\0';
	return s;
}

/*
 * Cut a marked SMS into parts and fit it into max segments, saying in
 * *cut what was left out. Each part is trimmed; segment_fit() joins
 * those it keeps with single spaces. Also counts the segments of the
 * fixed text and links alone.
 */
static char *
render_sms_fit(const char *marked, int max, struct segment_info *info,
    struct segment_cut *cut, size_t *fixed_segments)
{
	struct segment_part	*parts;
	struct segment_info	 all;
	char			*copy, *s, *start, *out, *fixed;
	size_t			 n = 0, i;
	enum segment_role	 role = SEGMENT_FIXED;

	copy = xstrdup(marked);
	parts = xcalloc(strlen(marked) / 3 + 2, sizeof *parts);
	for (s = start = copy; *s != '\0';) {
		if (!render_is_marker(s)) {
			s++;
			continue;
		}
		*s = '\0';
		parts[n].text = render_trim(start);
		parts[n++].role = role;
		switch ((unsigned char)s[2]) {
		case 0x80:
			role = SEGMENT_NOTE;
			break;
		case 0x82:
			role = SEGMENT_PHOTO;
			break;
		case 0x84:
			role = SEGMENT_LINK;
			break;
		default:
			role = SEGMENT_FIXED;
			break;
		}
		s += 3;
		start = s;
	}
	parts[n].text = render_trim(start);
	parts[n++].role = role;
	out = segment_fit(parts, n, max, info, cut);
	/* What must fit whatever the note: the text and the link. */
	for (i = 0; i < n; i++) {
		if (parts[i].role == SEGMENT_NOTE ||
		    parts[i].role == SEGMENT_PHOTO)
			parts[i].text = NULL;
	}
	fixed = segment_fit(parts, n, 1000, &all, NULL);
	*fixed_segments = all.segments;
	free(fixed);
	free(parts);
	free(copy);
	return out;
}

/* Render a notice for one recipient. */
int
render_notice(const struct config *cf, const struct catalog *cat,
    const struct notice *n, size_t i, int parts, int64_t now,
    struct render_out *out, char **cause)
{
	const char	*locale, *name = vocab_notice_name(n->notice);
	struct view	*v;
	char		*marked, *text, *unsub;

	memset(out, 0, sizeof *out);
	locale = i < n->nto && n->to[i].locale != NULL ? n->to[i].locale :
	    cf->templates_default_locale;
	out->locale = xstrdup(locale);
	if (parts & RENDER_EMAIL) {
		out->unsubscribe_url = i < n->nto &&
		    n->to[i].channel == EVENT_CHANNEL_EMAIL ?
		    link_unsubscribe(cf, n->sr, n->to[i].address, now) :
		    cf->templates_unsubscribe_url != NULL ?
		    link_url(cf->templates_unsubscribe_url, n->sr) : NULL;
		if (n->notice == VOCAB_NOTICE_FEEDBACK && n->question != NULL &&
		    n->answer_by != NULL)
			link_answers(cf, n->question, strtoll(n->answer_by,
			    NULL, 10) / 1000, out->answer_url);
		v = render_view(cf, n, locale, 0, now, out->unsubscribe_url,
		    out->answer_url, &out->photos_dropped);
		out->subject = render_part(cat, locale, name, "subject", v,
		    cause);
		if (out->subject != NULL)
			out->text = render_part(cat, locale, name, "txt", v,
			    cause);
		if (out->text != NULL)
			out->html = render_part(cat, locale, name, "html", v,
			    cause);
		view_free(v);
		if (out->html == NULL)
			goto fail;
		render_one_line(out->subject);
	}
	if (parts & RENDER_SMS) {
		out->photos_dropped = 0;
		unsub = cf->templates_unsubscribe_url != NULL ?
		    link_url(cf->templates_unsubscribe_url, n->sr) : NULL;
		v = render_view(cf, n, locale, 1, now, unsub, NULL,
		    &out->photos_dropped);
		free(unsub);
		text = render_part(cat, locale, name, "sms", v, cause);
		view_free(v);
		if (text == NULL)
			goto fail;
		marked = segment_smart(text);
		free(text);
		out->sms = marked == NULL ? NULL : render_sms_fit(marked,
		    (int)cf->sms_max_segments, &out->sms_info, &out->sms_cut,
		    &out->sms_fixed_segments);
		free(marked);
		if (out->sms == NULL) {
			if (cause != NULL)
				*cause = xasprintf("%s.sms: cannot be fitted "
				    "into %lld segments", name,
				    (long long)cf->sms_max_segments);
			goto fail;
		}
	}
	return 0;

fail:
	render_out_clear(out);
	return -1;
}

/*
 * Render reply NAME.sms for locale with the data v (freed), trimmed, as
 * render_reply() says.
 */
static char *
render_sms_reply(const struct catalog *cat, const char *locale,
    const char *name, struct view *v, struct segment_info *info,
    char **cause)
{
	char	*text, *smart, *trimmed;

	text = render_part(cat, locale, name, "sms", v, cause);
	view_free(v);
	if (text == NULL)
		return NULL;
	if ((smart = segment_smart(text)) == NULL) {
		if (cause != NULL)
			*cause = xasprintf("%s.sms: not valid UTF-8", name);
		free(text);
		return NULL;
	}
	free(text);
	trimmed = xstrdup(render_trim(smart));
	free(smart);
	if (info != NULL && segment_count(trimmed, info) != 0) {
		if (cause != NULL)
			*cause = xasprintf("%s.sms: not valid UTF-8", name);
		free(trimmed);
		return NULL;
	}
	return trimmed;
}

/* Render the reply to a resident's text message. */
char *
render_reply(const struct config *cf, const struct catalog *cat,
    const char *locale, const char *name, struct segment_info *info,
    char **cause)
{
	struct view	*v;

	v = view_map();
	render_set(v, "city", render_city(cf, locale));
	return render_sms_reply(cat, locale, name, v, info, cause);
}

/* Render the thanks for an answer. */
char *
render_thanks(const struct config *cf, const struct catalog *cat,
    const char *locale, const char *answer, int comment,
    struct segment_info *info, char **cause)
{
	struct view	*v;
	int		 a;

	v = view_map();
	render_set(v, "city", render_city(cf, locale));
	for (a = QUESTION_FIXED; a <= QUESTION_PARTLY; a++)
		view_set(v, question_answer_name(a), view_bool(answer != NULL &&
		    strcmp(answer, question_answer_name(a)) == 0));
	view_set(v, "comment", view_bool(comment));
	return render_sms_reply(cat, locale, "thanks", v, info, cause);
}

/* Free what a render_out holds. */
void
render_out_clear(struct render_out *out)
{
	size_t	i;

	free(out->subject);
	free(out->text);
	free(out->html);
	free(out->sms);
	free(out->locale);
	free(out->unsubscribe_url);
	for (i = 0; i < RENDER_ANSWERS; i++)
		free(out->answer_url[i]);
	memset(out, 0, sizeof *out);
}
