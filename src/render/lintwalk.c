/*
 * lintwalk.c - lint's checks of a template's own text
 *
 * A template is read as template_walk() gives it, text and tags in
 * order. Every name it uses must be one a notice provides (a reply to a
 * resident's keyword knows city alone, the thanks for an answer city and
 * the answer), and every partial it includes
 * must exist for its part. Two warnings come from the text around the
 * values:
 *  - a heading over a value that may be missing - a label ending with a
 *    colon followed by the value alone on the rest of its line ("See your
 *    request online:" and {{status_url}}), or in HTML an attribute the
 *    value fills (<a href="{{status_url}}">) - must be inside the value's
 *    section, or it shows over nothing;
 *  - in a right-to-left locale (fa, ar, he, ur, ...), a request number,
 *    link or date must sit in an isolate the template opens just before
 *    it and closes just after it (U+2066 or U+2068 ... U+2069, or in HTML
 *    <bdi> or an element with dir="ltr", or an attribute), or the
 *    resident may read it in another order.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "lintreport.h"
#include "lintwalk.h"
#include "template.h"
#include "xmalloc.h"

/* What lint knows of a value (struct lintwalk_var). */
#define LINT_OPTIONAL	0x1	/* may be missing: a heading over it may not */
#define LINT_ISOLATE	0x2	/* a number, link or date: isolated in
				   right-to-left text */

/* The names a template may use. */
static const struct lintwalk_var {
	const char	*name;
	int		 flags;
} lintwalk_vars[] = {
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
	{ "fixed_url", LINT_OPTIONAL|LINT_ISOLATE },
	{ "not_fixed_url", LINT_OPTIONAL|LINT_ISOLATE },
	{ "partly_url", LINT_OPTIONAL|LINT_ISOLATE },
	{ "partial", 0 },
	{ "correction", 0 },
	{ "standard_by", LINT_OPTIONAL|LINT_ISOLATE },
	{ "standard_days", LINT_OPTIONAL },
	{ "standard_one_day", 0 },
	{ "standard_response", 0 },
	{ "url", LINT_ISOLATE },
	{ "number", 0 },
	{ ".", 0 }
};

/*
 * The languages and scripts written right to left (the language or the
 * script subtag of a locale); a Latin or Cyrillic script subtag says
 * otherwise.
 */
static const char *lintwalk_languages[] = {
	"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ji", "ks", "ps", "sd",
	"ug", "ur", "yi"
};
static const char *lintwalk_scripts[] = {
	"Adlm", "Arab", "Hebr", "Nkoo", "Rohg", "Syrc", "Thaa"
};

/* Characters in UTF-8. */
#define LINT_LRI	"\xe2\x81\xa6"	/* U+2066 left-to-right isolate */
#define LINT_FSI	"\xe2\x81\xa8"	/* U+2068 first strong isolate */
#define LINT_PDI	"\xe2\x81\xa9"	/* U+2069 pop directional isolate */

/* The state of a walk through one template. */
struct lintwalk {
	struct lintreport	*report;
	const struct catalog	*cat;
	const char		*locale;	/* of the template walked */
	const char		*part;
	const char		*file;
	int			 reply;		/* a keyword's reply */
	int			 html;
	int			 rtl;		/* right-to-left locale */
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

/* Return what lint knows of a name, or NULL if templates may not use it. */
static const struct lintwalk_var *
lintwalk_var(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof lintwalk_vars / sizeof lintwalk_vars[0];
	    i++) {
		if (strcmp(lintwalk_vars[i].name, name) == 0)
			return &lintwalk_vars[i];
	}
	return NULL;
}

/* Return 1 if a locale is written right to left. */
static int
lintwalk_rtl(const char *locale)
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
		for (i = 0; i < sizeof lintwalk_scripts /
		    sizeof lintwalk_scripts[0]; i++) {
			if (strncmp(sub + 1, lintwalk_scripts[i], 4) == 0)
				return 1;
		}
	}
	for (i = 0; i < sizeof lintwalk_languages /
	    sizeof lintwalk_languages[0]; i++) {
		len = strlen(lintwalk_languages[i]);
		if (strncmp(locale, lintwalk_languages[i], len) == 0 &&
		    (locale[len] == '\0' || locale[len] == '-'))
			return 1;
	}
	return 0;
}

/* Return 1 if the text s (len bytes) ends with the string end. */
static int
lintwalk_ends(const char *s, size_t len, const char *end)
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
lintwalk_heading(const char *s, int html)
{
	static const char	*skip[] = { " ", "\t", "\n", "\r",
	    "\xc2\xa0", "\xe2\x80\xaf", "\xe2\x80\x8e", "\xe2\x80\x8f",
	    LINT_LRI, "\xe2\x81\xa7", LINT_FSI };
	const char		*lt;
	size_t			 len = strlen(s), i, before;

	if (html && (lintwalk_ends(s, len, "=\"") ||
	    lintwalk_ends(s, len, "='")))
		return 2;
	do {
		before = len;
		for (i = 0; i < sizeof skip / sizeof skip[0]; i++) {
			if (lintwalk_ends(s, len, skip[i]))
				len -= strlen(skip[i]);
		}
		if (html && len > 0 && s[len - 1] == '>' &&
		    (lt = memrchr(s, '<', len)) != NULL)
			len = lt - s;
	} while (len != before);
	return lintwalk_ends(s, len, ":") ||
	    lintwalk_ends(s, len, "\xef\xbc\x9a");
}

/* Return 1 if the text before a value leaves it in an HTML tag. */
static int
lintwalk_in_tag(const char *s)
{
	const char	*lt = strrchr(s, '<');

	return lt != NULL && strchr(lt, '>') == NULL;
}

/*
 * Return 1 if the text before a value opens an isolate around it: LRI or
 * FSI, or in HTML an element <bdi> or with dir="ltr" or dir="auto".
 */
static int
lintwalk_opens_isolate(const char *s, int html)
{
	const char	*lt;
	size_t		 len = strlen(s);

	if (lintwalk_ends(s, len, LINT_LRI) ||
	    lintwalk_ends(s, len, LINT_FSI))
		return 1;
	if (!html || !lintwalk_ends(s, len, ">") || (lt = strrchr(s, '<')) ==
	    NULL || lt[1] == '/')
		return 0;
	return ((strncmp(lt, "<bdi", 4) == 0 && (lt[4] == '>' ||
	    lt[4] == ' ')) || strstr(lt, " dir=\"ltr\"") != NULL ||
	    strstr(lt, " dir=\"auto\"") != NULL);
}

/* Report a value left out of an isolate in right-to-left text. */
static void
lintwalk_not_isolated(struct lintwalk *l, const char *name,
    unsigned int line, unsigned int col)
{
	lintreport_warning(l->report, "%s:%u:%u: {{%s}} is not isolated in "
	    "right-to-left text: write U+2066 {{%s}} U+2069 (U+2068 for a "
	    "date)%s", l->file, line, col, name, name, l->html ? ", or <span "
	    "dir=\"ltr\">...</span> (<bdi> for a date)" : "");
}

/* Check that the isolate a value waits for ends after it, with text s. */
static void
lintwalk_isolate_end(struct lintwalk *l, const char *s)
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
		lintwalk_not_isolated(l, l->isolated, l->isoline, l->isocol);
	l->isolated = NULL;
}

/* Report a heading shown over an empty value. */
static void
lintwalk_dangles(struct lintwalk *l, const char *name, unsigned int line,
    unsigned int col)
{
	lintreport_warning(l->report, "%s:%u:%u: the heading of {{%s}} shows "
	    "when %s is empty: put it inside {{#%s}}...{{/%s}}", l->file, line,
	    col, name, name, name, name);
}

/*
 * Given the text after a value that follows a heading (NULL at the end
 * of the template), report the heading if the value was the rest of its
 * line: past blanks, isolates' ends and closing tags, the line ends.
 */
static void
lintwalk_heading_end(struct lintwalk *l, const char *s)
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
		lintwalk_dangles(l, l->dangling, l->dline, l->dcol);
	l->dangling = NULL;
}

/* Return 1 if the text before a value is inside the value's section. */
static int
lintwalk_guarded(const struct lintwalk *l, const char *name)
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
lintwalk_value(struct lintwalk *l, const struct lintwalk_var *var,
    unsigned int line, unsigned int col)
{
	int	heading = 0;

	if ((var->flags & LINT_OPTIONAL) && l->text != NULL &&
	    !lintwalk_guarded(l, var->name))
		heading = lintwalk_heading(l->text, l->html);
	if (heading == 2)
		lintwalk_dangles(l, var->name, line, col);
	else if (heading == 1) {
		/* Only if nothing follows it on its line. */
		l->dangling = var->name;
		l->dline = line;
		l->dcol = col;
	}
	if (!l->rtl || !(var->flags & LINT_ISOLATE))
		return;
	if (l->text != NULL && l->html && lintwalk_in_tag(l->text))
		l->isoattr = 1;
	else if (l->text != NULL && lintwalk_opens_isolate(l->text, l->html))
		l->isoattr = 0;
	else {
		lintwalk_not_isolated(l, var->name, line, col);
		return;
	}
	l->isolated = var->name;
	l->isoline = line;
	l->isocol = col;
}

/* Return 1 if the thanks for an answer may use name. */
static int
lintwalk_thanks_name(const char *name)
{
	static const char *const names[] = {
		"city", "fixed", "not_fixed", "partly", "comment"
	};
	size_t	i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(name, names[i]) == 0)
			return 1;
	}
	return 0;
}

/* Check one name a template uses, or one text between its tags. */
static void
lintwalk_name(void *arg, enum template_use use, const char *name,
    unsigned int line, unsigned int col)
{
	struct lintwalk			*l = arg;
	const struct lintwalk_var	*var;
	char				*key;

	if (use != TEMPLATE_USE_TEXT && use != TEMPLATE_USE_END)
		l->dangling = NULL;
	switch (use) {
	case TEMPLATE_USE_TEXT:
		lintwalk_heading_end(l, name);
		lintwalk_isolate_end(l, name);
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
		lintwalk_isolate_end(l, NULL);
		l->open = xreallocarray(l->open, l->nopen + 1,
		    sizeof *l->open);
		l->open[l->nopen++] = name;
		break;
	case TEMPLATE_USE_PARTIAL:
		lintwalk_isolate_end(l, NULL);
		l->text = NULL;
		key = xasprintf("_%s", name);
		if (catalog_find(l->cat, l->locale, key, l->part, NULL) == NULL)
			lintreport_error(l->report, "%s:%u:%u: no partial "
			    "%s for %s (no file %s.%s.mustache)", l->file, line,
			    col, name, l->part, key, l->part);
		free(key);
		return;
	case TEMPLATE_USE_VAR:
		lintwalk_isolate_end(l, NULL);
		break;
	}
	if (l->reply == LINTWALK_REPLY) {
		if (strcmp(name, "city") != 0)
			lintreport_error(l->report, "%s:%u:%u: unknown "
			    "variable %s (a reply knows city alone)", l->file,
			    line, col, name);
		return;
	}
	if (l->reply == LINTWALK_THANKS) {
		if (!lintwalk_thanks_name(name))
			lintreport_error(l->report, "%s:%u:%u: unknown "
			    "variable %s (the thanks for an answer knows city, "
			    "fixed, not_fixed, partly and comment)", l->file,
			    line, col, name);
		return;
	}
	if ((var = lintwalk_var(name)) == NULL) {
		lintreport_error(l->report, "%s:%u:%u: unknown variable %s",
		    l->file, line, col, name);
		return;
	}
	if (use == TEMPLATE_USE_VAR) {
		lintwalk_value(l, var, line, col);
		l->text = NULL;
	}
}

/* Walk one template of a set and report what its text gets wrong. */
void
lintwalk_template(struct lintreport *r, const struct catalog *cat,
    const struct template *t, const char *locale, const char *key,
    int reply)
{
	struct lintwalk	 l;
	const char	*dot = strrchr(key, '.');

	memset(&l, 0, sizeof l);
	l.report = r;
	l.cat = cat;
	l.locale = locale;
	l.part = dot != NULL ? dot + 1 : "";
	l.file = template_name(t);
	l.html = strcmp(l.part, "html") == 0;
	l.rtl = lintwalk_rtl(locale);
	l.reply = reply;
	template_walk(t, lintwalk_name, &l);
	lintwalk_heading_end(&l, NULL);
	lintwalk_isolate_end(&l, NULL);
	free(l.open);
}
