/*
 * lint.c - "closeloop lint": check a template set before it serves
 *
 * The set is loaded as closeloopd loads it (a Mustache syntax error
 * stops here, with its file, line and column). Then every template's
 * names are checked against the data a notice provides, every partial
 * it includes must exist, and every notice is rendered in every locale
 * of the set for email and for SMS with sample data (a 500-character
 * note, photos, a scheduled date): an SMS whose text and link alone take
 * more than sms.max_segments, a link that is not https, an empty subject
 * are errors. A notice that a locale lacks and takes from a fallback is
 * a warning. The replies to a resident's text message (stop.sms,
 * start.sms, help.sms) may use city alone; each locale must have them
 * (or take them from a fallback, a warning), and a reply longer than one
 * segment is a warning, since it is sent whole.
 *
 * Three warnings come from reading the templates themselves, as
 * template_walk() gives them, text and tags in order:
 *  - a heading over a value that may be missing - a label ending with a
 *    colon followed by the value alone on the rest of its line ("See your
 *    request online:" and {{status_url}}), or in HTML an attribute the
 *    value fills (<a href="{{status_url}}">) - must be inside the value's
 *    section, or it shows over nothing;
 *  - in a right-to-left locale (fa, ar, he, ur, ...), a request number,
 *    link or date must sit in an isolate the template opens just before
 *    it and closes just after it (U+2066 or U+2068 ... U+2069, or in HTML
 *    <bdi> or an element with dir="ltr", or an attribute), or the
 *    resident may read it in another order;
 *  - every configured division needs a name in each locale of the set.
 */
#include "build.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "catalog.h"
#include "config.h"
#include "division.h"
#include "event.h"
#include "json.h"
#include "lint.h"
#include "notice.h"
#include "render.h"
#include "template.h"
#include "xmalloc.h"

/* What lint knows of a value (struct lint_var). */
#define LINT_OPTIONAL	0x1	/* may be missing: a heading over it may not */
#define LINT_ISOLATE	0x2	/* a number, link or date: isolated in
				   right-to-left text */

/* The names a template may use. */
static const struct lint_var {
	const char	*name;
	int		 flags;
} lint_vars[] = {
	{ "sr", LINT_ISOLATE },
	{ "service", LINT_OPTIONAL },
	{ "notice", 0 },
	{ "city", 0 },
	{ "division", LINT_OPTIONAL },
	{ "from_division", LINT_OPTIONAL },
	{ "date", LINT_ISOLATE },
	{ "scheduled_for", LINT_OPTIONAL|LINT_ISOLATE },
	{ "note", LINT_OPTIONAL },
	{ "standard_note", LINT_OPTIONAL },
	{ "photos", 0 },
	{ "has_photos", 0 },
	{ "photo", LINT_OPTIONAL|LINT_ISOLATE },
	{ "status_url", LINT_OPTIONAL|LINT_ISOLATE },
	{ "duplicate_of", LINT_OPTIONAL|LINT_ISOLATE },
	{ "duplicate_url", LINT_OPTIONAL|LINT_ISOLATE },
	{ "unsubscribe_url", LINT_OPTIONAL|LINT_ISOLATE },
	{ "partial", 0 },
	{ "correction", 0 },
	{ "url", LINT_ISOLATE },
	{ "number", 0 },
	{ ".", 0 }
};

/*
 * The languages and scripts written right to left (the language or the
 * script subtag of a locale); a Latin or Cyrillic script subtag says
 * otherwise.
 */
static const char *lint_rtl_languages[] = {
	"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ji", "ks", "ps", "sd",
	"ug", "ur", "yi"
};
static const char *lint_rtl_scripts[] = {
	"Adlm", "Arab", "Hebr", "Nkoo", "Rohg", "Syrc", "Thaa"
};

/* Characters in UTF-8. */
#define LINT_LRI	"\xe2\x81\xa6"	/* U+2066 left-to-right isolate */
#define LINT_FSI	"\xe2\x81\xa8"	/* U+2068 first strong isolate */
#define LINT_PDI	"\xe2\x81\xa9"	/* U+2069 pop directional isolate */

static const char *lint_parts[] = { "subject", "txt", "html", "sms" };

/* The replies to residents' keywords (inbound.h), all SMS. */
static const char *lint_replies[] = { "stop", "start", "help" };

/* The state of a run. */
struct lint {
	const struct config	*cf;
	const struct catalog	*cat;
	const char		*locale;	/* of the template walked */
	const char		*part;
	const char		*file;
	int			 reply;		/* a keyword's reply */
	int			 html;
	int			 rtl;		/* right-to-left locale */
	FILE			*out;
	int			 errors;
	int			 warnings;

	/* Walking one template. */
	const char		*text;		/* just before, or NULL */
	size_t			 textdepth;	/* sections open around it */
	const char		**open;		/* the sections open */
	size_t			 nopen;
	const char		*dangling;	/* a value after a heading,
						   alone on its line? */
	unsigned int		 dline;
	unsigned int		 dcol;
	const char		*isolated;	/* a value whose isolate must
						   end after it */
	int			 isoattr;	/* in an attribute value */
	unsigned int		 isoline;
	unsigned int		 isocol;
};

/* Write one line of the report: what ("error", "warning"), then the text. */
static void __attribute__((format(printf, 3, 0)))
lint_vreport(struct lint *l, const char *what, const char *fmt, va_list ap)
{
	if (l->out == NULL)
		return;		/* counted only */
	fprintf(l->out, "%s: ", what);
	vfprintf(l->out, fmt, ap);
	fprintf(l->out, "\n");
}

/* Report an error. */
static void __attribute__((format(printf, 2, 3)))
lint_error(struct lint *l, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	lint_vreport(l, "error", fmt, ap);
	va_end(ap);
	l->errors++;
}

/* Report a warning. */
static void __attribute__((format(printf, 2, 3)))
lint_warning(struct lint *l, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	lint_vreport(l, "warning", fmt, ap);
	va_end(ap);
	l->warnings++;
}

/* Return what lint knows of a name, or NULL if templates may not use it. */
static const struct lint_var *
lint_var(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof lint_vars / sizeof lint_vars[0]; i++) {
		if (strcmp(lint_vars[i].name, name) == 0)
			return &lint_vars[i];
	}
	return NULL;
}

/* Return 1 if a locale is written right to left. */
static int
lint_rtl(const char *locale)
{
	const char	*sub;
	size_t		 i, len;

	for (sub = strchr(locale, '-'); sub != NULL;
	    sub = strchr(sub + 1, '-')) {
		len = strcspn(sub + 1, "-");
		if (len != 4)
			continue;
		if (strncmp(sub + 1, "Latn", 4) == 0 ||
		    strncmp(sub + 1, "Cyrl", 4) == 0)
			return 0;
		for (i = 0; i < sizeof lint_rtl_scripts /
		    sizeof lint_rtl_scripts[0]; i++) {
			if (strncmp(sub + 1, lint_rtl_scripts[i], 4) == 0)
				return 1;
		}
	}
	for (i = 0; i < sizeof lint_rtl_languages /
	    sizeof lint_rtl_languages[0]; i++) {
		len = strlen(lint_rtl_languages[i]);
		if (strncmp(locale, lint_rtl_languages[i], len) == 0 &&
		    (locale[len] == '\0' || locale[len] == '-'))
			return 1;
	}
	return 0;
}

/* Return 1 if the text s (len bytes) ends with the string end. */
static int
lint_ends(const char *s, size_t len, const char *end)
{
	size_t	n = strlen(end);

	return len >= n && memcmp(s + len - n, end, n) == 0;
}

/*
 * Return 1 if the text before a value ends in a heading for it: a label
 * ending with a colon (then blanks, line breaks, isolates, marks and, in
 * HTML, tags); 2 if, in HTML, it opens an attribute (href="...") that
 * the value fills, so that the element around it is its heading.
 */
static int
lint_heading(const char *s, int html)
{
	static const char	*skip[] = { " ", "\t", "\n", "\r",
	    "\xc2\xa0", "\xe2\x80\xaf", "\xe2\x80\x8e", "\xe2\x80\x8f",
	    LINT_LRI, "\xe2\x81\xa7", LINT_FSI };
	const char		*lt;
	size_t			 len = strlen(s), i, before;

	if (html && (lint_ends(s, len, "=\"") || lint_ends(s, len, "='")))
		return 2;
	do {
		before = len;
		for (i = 0; i < sizeof skip / sizeof skip[0]; i++) {
			if (lint_ends(s, len, skip[i]))
				len -= strlen(skip[i]);
		}
		if (html && len > 0 && s[len - 1] == '>' &&
		    (lt = memrchr(s, '<', len)) != NULL)
			len = lt - s;
	} while (len != before);
	return lint_ends(s, len, ":") || lint_ends(s, len, "\xef\xbc\x9a");
}

/* Return 1 if the text before a value leaves it in an HTML tag. */
static int
lint_in_tag(const char *s)
{
	const char	*lt = strrchr(s, '<');

	return lt != NULL && strchr(lt, '>') == NULL;
}

/*
 * Return 1 if the text before a value opens an isolate around it: LRI or
 * FSI, or in HTML an element <bdi> or with dir="ltr" or dir="auto".
 */
static int
lint_opens_isolate(const char *s, int html)
{
	const char	*lt;
	size_t		 len = strlen(s);

	if (lint_ends(s, len, LINT_LRI) || lint_ends(s, len, LINT_FSI))
		return 1;
	if (!html || !lint_ends(s, len, ">") || (lt = strrchr(s, '<')) ==
	    NULL || lt[1] == '/')
		return 0;
	return ((strncmp(lt, "<bdi", 4) == 0 && (lt[4] == '>' ||
	    lt[4] == ' ')) || strstr(lt, " dir=\"ltr\"") != NULL ||
	    strstr(lt, " dir=\"auto\"") != NULL);
}

/* Report a value left out of an isolate in right-to-left text. */
static void
lint_not_isolated(struct lint *l, const char *name, unsigned int line,
    unsigned int col)
{
	lint_warning(l, "%s:%u:%u: {{%s}} is not isolated in right-to-left "
	    "text: write U+2066 {{%s}} U+2069 (U+2068 for a date)%s", l->file,
	    line, col, name, name, l->html ? ", or <span dir=\"ltr\">...</span> "
	    "(<bdi> for a date)" : "");
}

/* Check that the isolate a value waits for ends after it, with text s. */
static void
lint_isolate_end(struct lint *l, const char *s)
{
	int	ok;

	if (l->isolated == NULL)
		return;
	if (l->isoattr)
		ok = s != NULL && (*s == '"' || *s == '\'');
	else {
		/* A blank may end a link inside its isolate. */
		if (s != NULL)
			s += strspn(s, " ");
		ok = s != NULL && (strncmp(s, LINT_PDI, 3) == 0 ||
		    (l->html && strncmp(s, "</", 2) == 0));
	}
	if (!ok)
		lint_not_isolated(l, l->isolated, l->isoline, l->isocol);
	l->isolated = NULL;
}

/* Report a heading shown over an empty value. */
static void
lint_dangles(struct lint *l, const char *name, unsigned int line,
    unsigned int col)
{
	lint_warning(l, "%s:%u:%u: the heading of {{%s}} shows when %s is "
	    "empty: put it inside {{#%s}}...{{/%s}}", l->file, line, col, name,
	    name, name, name);
}

/*
 * Given the text after a value that follows a heading (NULL at the end
 * of the template), report the heading if the value was the rest of its
 * line: past blanks, isolates' ends and closing tags, the line ends.
 */
static void
lint_heading_end(struct lint *l, const char *s)
{
	if (l->dangling == NULL)
		return;
	while (s != NULL) {
		if (*s == ' ' || *s == '\t')
			s++;
		else if (strncmp(s, LINT_PDI, 3) == 0)
			s += 3;
		else if (l->html && strncmp(s, "</", 2) == 0 &&
		    strchr(s, '>') != NULL)
			s = strchr(s, '>') + 1;
		else
			break;
	}
	if (s == NULL || *s == '\0' || *s == '\n' || *s == '\r')
		lint_dangles(l, l->dangling, l->dline, l->dcol);
	l->dangling = NULL;
}

/* Return 1 if the text before a value is inside the value's section. */
static int
lint_guarded(const struct lint *l, const char *name)
{
	size_t	i;

	for (i = 0; i < l->textdepth; i++) {
		if (strcmp(l->open[i], name) == 0)
			return 1;
	}
	return 0;
}

/* Check a value a template interpolates, after the text before it. */
static void
lint_value(struct lint *l, const struct lint_var *var, unsigned int line,
    unsigned int col)
{
	int	heading = 0;

	if ((var->flags & LINT_OPTIONAL) && l->text != NULL &&
	    !lint_guarded(l, var->name))
		heading = lint_heading(l->text, l->html);
	if (heading == 2)
		lint_dangles(l, var->name, line, col);
	else if (heading == 1) {
		/* Only if nothing follows it on its line. */
		l->dangling = var->name;
		l->dline = line;
		l->dcol = col;
	}
	if (!l->rtl || !(var->flags & LINT_ISOLATE))
		return;
	if (l->text != NULL && l->html && lint_in_tag(l->text))
		l->isoattr = 1;
	else if (l->text != NULL && lint_opens_isolate(l->text, l->html))
		l->isoattr = 0;
	else {
		lint_not_isolated(l, var->name, line, col);
		return;
	}
	l->isolated = var->name;
	l->isoline = line;
	l->isocol = col;
}

/* Check one name a template uses, or one text between its tags. */
static void
lint_name(void *arg, enum template_use use, const char *name,
    unsigned int line, unsigned int col)
{
	struct lint		*l = arg;
	const struct lint_var	*var;
	char			*key;

	if (use != TEMPLATE_USE_TEXT && use != TEMPLATE_USE_END)
		l->dangling = NULL;
	switch (use) {
	case TEMPLATE_USE_TEXT:
		lint_heading_end(l, name);
		lint_isolate_end(l, name);
		l->text = name;
		l->textdepth = l->nopen;
		return;
	case TEMPLATE_USE_END:
		if (l->nopen > 0)
			l->nopen--;
		if (l->textdepth > l->nopen)
			l->textdepth = l->nopen;
		return;
	case TEMPLATE_USE_SECTION:
	case TEMPLATE_USE_INVERTED:
		lint_isolate_end(l, NULL);
		l->open = xreallocarray(l->open, l->nopen + 1,
		    sizeof *l->open);
		l->open[l->nopen++] = name;
		break;
	case TEMPLATE_USE_PARTIAL:
		lint_isolate_end(l, NULL);
		l->text = NULL;
		key = xasprintf("_%s", name);
		if (catalog_find(l->cat, l->locale, key, l->part, NULL) == NULL)
			lint_error(l, "%s:%u:%u: no partial %s for %s (no file "
			    "%s.%s.mustache)", l->file, line, col, name, l->part,
			    key, l->part);
		free(key);
		return;
	case TEMPLATE_USE_VAR:
		lint_isolate_end(l, NULL);
		break;
	}
	if (l->reply) {
		if (strcmp(name, "city") != 0)
			lint_error(l, "%s:%u:%u: unknown variable %s (a reply "
			    "knows city alone)", l->file, line, col, name);
		return;
	}
	if ((var = lint_var(name)) == NULL) {
		lint_error(l, "%s:%u:%u: unknown variable %s", l->file, line,
		    col, name);
		return;
	}
	if (use == TEMPLATE_USE_VAR) {
		lint_value(l, var, line, col);
		l->text = NULL;
	}
}

/* Check the names used by every template of the set. */
static void
lint_templates(struct lint *l)
{
	const struct template	*t;
	const char		*locale, *key, *dot;
	size_t			 i, k;

	for (i = 0; i < catalog_nentries(l->cat); i++) {
		t = catalog_entry(l->cat, i, &locale, &key);
		dot = strrchr(key, '.');
		l->locale = locale;
		l->part = dot != NULL ? dot + 1 : "";
		l->file = template_name(t);
		l->html = strcmp(l->part, "html") == 0;
		l->rtl = lint_rtl(locale);
		l->text = NULL;
		l->nopen = l->textdepth = 0;
		l->isolated = l->dangling = NULL;
		l->reply = 0;
		for (k = 0; k < sizeof lint_replies / sizeof lint_replies[0];
		    k++) {
			if (strncmp(key, lint_replies[k],
			    strlen(lint_replies[k])) == 0 &&
			    key[strlen(lint_replies[k])] == '.')
				l->reply = 1;
		}
		template_walk(t, lint_name, l);
		lint_heading_end(l, NULL);
		lint_isolate_end(l, NULL);
	}
	free(l->open);
	l->open = NULL;
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
	struct render_out	 out;
	struct notice		*n;
	const char		*name = vocab_notice_name(kind), *found;
	char			*cause = NULL;
	size_t			 p;

	for (p = 0; p < sizeof lint_parts / sizeof lint_parts[0]; p++) {
		if (catalog_find(l->cat, locale, name, lint_parts[p],
		    &found) == NULL)
			lint_error(l, "%s: no template %s.%s (nor in a fallback "
			    "locale)", locale, name, lint_parts[p]);
		else if (strcmp(found, locale) != 0)
			lint_warning(l, "%s: no %s.%s; %s's is used", locale,
			    name, lint_parts[p], found);
	}
	n = lint_sample(l->cf, kind);
	n->to[0].locale = xstrdup(locale);
	if (render_notice(l->cf, l->cat, n, 0, RENDER_EMAIL | RENDER_SMS,
	    time(NULL), &out, &cause) != 0) {
		if (cause != NULL && strncmp(cause, "no template", 11) != 0)
			lint_error(l, "%s: %s: %s", locale, name, cause);
		free(cause);
		notice_free(n);
		return;
	}
	if (*out.subject == '\0')
		lint_error(l, "%s: %s.subject renders empty", locale, name);
	if (lint_plain_http(out.text) || lint_plain_http(out.html) ||
	    lint_plain_http(out.sms))
		lint_error(l, "%s: %s links to an http:// address; use https",
		    locale, name);
	if (out.sms_fixed_segments > (size_t)l->cf->sms_max_segments)
		lint_error(l, "%s: %s.sms: its text and link alone take %zu "
		    "segments (sms.max_segments is %lld)", locale, name,
		    out.sms_fixed_segments, (long long)l->cf->sms_max_segments);
	render_out_clear(&out);
	notice_free(n);
}

/* Render the replies to residents' keywords in one locale and check them. */
static void
lint_reply(struct lint *l, const char *locale)
{
	struct segment_info	 info;
	const char		*found;
	char			*text, *cause = NULL;
	size_t			 i;

	for (i = 0; i < sizeof lint_replies / sizeof lint_replies[0]; i++) {
		if (catalog_find(l->cat, locale, lint_replies[i], "sms",
		    &found) == NULL) {
			lint_error(l, "%s: no template %s.sms (nor in a fallback "
			    "locale): the reply to a resident's %s",
			    locale, lint_replies[i], lint_replies[i]);
			continue;
		}
		if (strcmp(found, locale) != 0)
			lint_warning(l, "%s: no %s.sms; %s's is used", locale,
			    lint_replies[i], found);
		if ((text = render_reply(l->cf, l->cat, locale, lint_replies[i],
		    &info, &cause)) == NULL) {
			lint_error(l, "%s: %s", locale, cause);
			free(cause);
			continue;
		}
		if (*text == '\0')
			lint_error(l, "%s: %s.sms renders empty", locale,
			    lint_replies[i]);
		if (lint_plain_http(text))
			lint_error(l, "%s: %s.sms links to an http:// address; "
			    "use https", locale, lint_replies[i]);
		if (info.segments > 1)
			lint_warning(l, "%s: %s.sms takes %zu segments (%zu "
			    "%s); a reply is sent whole, so one is best",
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
		lint_warning(l, "%s: division %s has no name in this language "
		    "(divisions.%s.name.%s); residents read \"%s\"", locale,
		    dv->code, dv->code, locale, name != NULL ? name : dv->code);
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
	l.out = out;
	lint_templates(&l);
	for (i = 0; i < catalog_nlocales(cat); i++) {
		for (k = 1; k < VOCAB_NOTICE_COUNT; k++)
			lint_render(&l, catalog_locale(cat, i), k);
		lint_reply(&l, catalog_locale(cat, i));
		lint_divisions(&l, catalog_locale(cat, i));
	}
	if (warnings != NULL)
		*warnings = l.warnings;
	return l.errors;
}

/*
 * Split what lint_set() wrote (one problem a line, "error: " or
 * "warning: " first) into the problems of each kind, in place.
 */
static void
lint_split(char *text, const char ***errors, size_t *nerrors,
    const char ***warnings, size_t *nwarnings)
{
	char	*line, *save = NULL;

	*errors = *warnings = NULL;
	*nerrors = *nwarnings = 0;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "error: ", 7) == 0) {
			*errors = xreallocarray(*errors, *nerrors + 1,
			    sizeof **errors);
			(*errors)[(*nerrors)++] = line + 7;
		} else if (strncmp(line, "warning: ", 9) == 0) {
			*warnings = xreallocarray(*warnings, *nwarnings + 1,
			    sizeof **warnings);
			(*warnings)[(*nwarnings)++] = line + 9;
		}
	}
}

/* Print a lint run as one JSON object. */
static void
lint_print_json(const char *dir, const struct catalog *cat, char *text,
    const char *load)
{
	struct json	 *j;
	const char	**errors, **warnings;
	size_t		  nerrors, nwarnings;

	lint_split(text, &errors, &nerrors, &warnings, &nwarnings);
	j = json_new();
	json_set(j, "dir", dir);
	if (cat != NULL) {
		json_set(j, "version", catalog_version(cat));
		json_set_int(j, "templates", (long long)catalog_nentries(cat));
		json_set_int(j, "locales", (long long)catalog_nlocales(cat));
	}
	json_set_bool(j, "loads", cat != NULL);
	if (load != NULL) {
		errors = xreallocarray(errors, nerrors + 1, sizeof *errors);
		errors[nerrors++] = load;
	}
	json_set_strings(j, "errors", errors, nerrors);
	json_set_strings(j, "warnings", warnings, nwarnings);
	json_print(j, stdout);
	json_free(j);
	free(errors);
	free(warnings);
}

/* Run "closeloop lint". */
int
lint_run(const struct config *cf, const char *dir, int json)
{
	struct catalog	*cat;
	FILE		*f;
	char		*cause = NULL, *text = NULL, none[1] = "";
	size_t		 len = 0;
	int		 errors, warnings = 0;

	if (dir == NULL)
		dir = cf->templates_dir;
	if ((cat = catalog_load(dir, cf->templates_default_locale,
	    &cause)) == NULL) {
		if (json)
			lint_print_json(dir, NULL, none, cause);
		else
			printf("error: %s\n%s: the template set does not "
			    "load\n", cause, dir);
		free(cause);
		return 1;
	}
	if ((f = open_memstream(&text, &len)) == NULL)
		abort();
	errors = lint_set(cf, cat, f, &warnings);
	fclose(f);
	if (json)
		lint_print_json(dir, cat, text, NULL);
	else
		printf("%s%s: %zu templates in %zu locales, version %s: %d "
		    "error%s, %d warning%s\n", text, dir,
		    catalog_nentries(cat), catalog_nlocales(cat),
		    catalog_version(cat), errors, errors == 1 ? "" : "s",
		    warnings, warnings == 1 ? "" : "s");
	free(text);
	catalog_free(cat);
	return errors > 0 ? 1 : 0;
}

/* Run "closeloop lint" from its command line. */
int
lint_command(const struct config *cf, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	int	ch, json = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch != 'j')
			goto usage;
		json = 1;
	}
	if (argc - optind > 1) {
		fprintf(stderr, "closeloop lint: one template directory at "
		    "most (got \"%s\" and \"%s\")\n", argv[optind],
		    argv[optind + 1]);
		goto usage;
	}
	return lint_run(cf, optind < argc ? argv[optind] : NULL, json);
usage:
	fprintf(stderr, "usage: closeloop lint [--json] [DIR]\n");
	return EX_USAGE;
}

/* Load templates.dir and check it; the set only if it has no error. */
struct catalog *
lint_load(const struct config *cf, char **cause)
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
