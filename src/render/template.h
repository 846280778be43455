/*
 * template.h - Mustache templates, compiled once and rendered many times
 *
 * The engine implements the Mustache spec's core: interpolation ({{x}}
 * escaped, {{{x}}} and {{& x}} raw), dotted names, the implicit iterator
 * {{.}}, sections, inverted sections, comments, partials (with the
 * indentation of a standalone partial tag), set delimiters and the
 * standalone-line rules. Lambdas and inheritance are not supported.
 *
 * Escaping depends on where the result goes (enum template_escape). In
 * every mode, values lose C0 and C1 control characters (except newlines,
 * and tabs in HTML), the bidi controls (embeddings, overrides, isolates,
 * LRM, RLM and ALM), and invalid UTF-8 (replaced by U+FFFD); the line and
 * paragraph separators U+2028 and U+2029 become newlines. Text from the
 * CRM cannot restyle or reorder what the resident reads, nor close an
 * isolate that the template opened; the template's own text is kept as
 * it is.
 */
#ifndef TEMPLATE_H
#define TEMPLATE_H

#include <stddef.h>

struct view;
struct template;

enum template_escape {
	TEMPLATE_HTML,	/* {{x}} is HTML-escaped; {{{x}}} is not */
	TEMPLATE_TEXT	/* plain text and SMS: no HTML escaping */
};

/* How a template uses a name, for template_walk(). */
enum template_use {
	TEMPLATE_USE_VAR,	/* {{x}}, {{{x}}}, {{& x}} */
	TEMPLATE_USE_SECTION,	/* {{#x}} */
	TEMPLATE_USE_INVERTED,	/* {{^x}} */
	TEMPLATE_USE_PARTIAL,	/* {{> x}} */
	TEMPLATE_USE_END,	/* {{/x}}: the end of a section or inverted
				   section, at the position of its start */
	TEMPLATE_USE_TEXT	/* text of the template itself: the "name" is
				   the text, as rendered (standalone lines
				   trimmed) */
};

/*
 * Finds a partial by name for rendering; NULL if there is none. It may
 * set *before and *after to text written as they are (not escaped)
 * around the partial's output, e.g. markers; both start NULL.
 */
typedef const struct template *(*template_lookup)(void *arg,
    const char *name, const char **before, const char **after);

/*
 * Compile the source src (len bytes) of a template called name (for
 * messages, e.g. "templates/fr/completed.txt.mustache"). Returns the
 * template (free it with template_free()), or NULL with *cause set to
 * "NAME:LINE:COLUMN: what is wrong" (the caller frees it).
 */
struct template *template_compile(const char *name, const char *src,
    size_t len, char **cause);

/* Free a template; NULL is a no-op. */
void template_free(struct template *t);

/* Return the template's name. The string belongs to the template. */
const char *template_name(const struct template *t);

/*
 * Render t with the data v (the root context). Partials are found with
 * lookup(arg, name); lookup may be NULL. Partials nest at most 32 deep,
 * and a rendering stops after a million nodes or 4 MiB of output, so a
 * template that includes itself twice cannot run away. The result is
 * allocated; the caller frees it.
 */
char *template_render(const struct template *t, const struct view *v,
    enum template_escape esc, template_lookup lookup, void *arg);

/*
 * Call cb for every name t uses, in order, with how it uses it and the
 * line and column of its tag, and for every text between tags: the
 * template in the order of its source. A dotted name is given whole
 * ("a.b"). The strings belong to the template.
 */
void template_walk(const struct template *t,
    void (*cb)(void *arg, enum template_use use, const char *name,
    unsigned int line, unsigned int col), void *arg);

/*
 * Append value to the growing string *buf (*len bytes so far, *cap
 * allocated), cleaned and escaped as esc says; raw skips the HTML
 * escaping but not the cleaning.
 */
void template_escape(char **buf, size_t *len, size_t *cap, const char *value,
    enum template_escape esc, int raw);

#endif
