/*
 * template.c - Mustache templates, compiled once and rendered many times
 *
 * Compiling (tmplparse.c) turns the source into a tree of nodes;
 * rendering walks the tree with a stack of contexts, the innermost last.
 *
 * A partial's indentation is applied to each line of the partial's own
 * text as it is rendered (not to the lines of values it interpolates),
 * which is what the spec asks of a standalone partial tag.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "tmplparse.h"
#include "view.h"
#include "xmalloc.h"

#define TEMPLATE_DEPTH_MAX	32
/* Most nodes one rendering visits, and most bytes it writes. */
#define TEMPLATE_STEPS_MAX	1000000
#define TEMPLATE_OUTPUT_MAX	(4 * 1024 * 1024)

struct template {
	char			*name;
	struct template_node	 root;
};

/* A growing output string. */
struct template_out {
	char	*buf;
	size_t	 len;
	size_t	 cap;
};

/* The state of a rendering. */
struct template_render {
	struct template_out	 out;
	const struct view	**stack;
	size_t			 nstack;
	enum template_escape	 esc;
	template_lookup		 lookup;
	void			*arg;
	const char		*indent;
	int			 bol;
	int			 depth;
	size_t			 steps;
};

/* Append len bytes to an output string. */
static void
template_put(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*buf = xreallocarray(*buf, *cap, 1);
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
}

/* Free the contents of a node and its children. */
static void
template_node_clear(struct template_node *n)
{
	size_t	i;

	for (i = 0; i < n->nchild; i++)
		template_node_clear(&n->child[i]);
	free(n->child);
	for (i = 0; i < n->npath; i++)
		free(n->path[i]);
	free(n->path);
	free(n->text);
	free(n->indent);
}

/* Compile a template. */
struct template *
template_compile(const char *name, const char *src, size_t len, char **cause)
{
	struct template	*t;
	char		*why = NULL;

	t = xcalloc(1, sizeof *t);
	t->name = xstrdup(name);
	if (tmplparse_parse(name, src, len, &t->root, &why) != 0) {
		template_free(t);
		if (cause != NULL)
			*cause = why;
		else
			free(why);
		return NULL;
	}
	return t;
}

/* Free a template. */
void
template_free(struct template *t)
{
	if (t == NULL)
		return;
	template_node_clear(&t->root);
	free(t->name);
	free(t);
}

/* Return the template's name. */
const char *
template_name(const struct template *t)
{
	return t->name;
}

/* Return the length of the UTF-8 sequence at s (n bytes left), 0 if bad. */
static size_t
template_utf8(const unsigned char *s, size_t n)
{
	size_t		len, i;
	unsigned int	c;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	c = s[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (len == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	return len;
}

/*
 * Return 1 if the character at s (len bytes) must not reach a resident:
 * controls, and the bidi controls that could reorder what the template
 * around the value says.
 */
static int
template_unwanted(const unsigned char *s, size_t len, enum template_escape esc)
{
	if (len == 1)
		return (s[0] < 0x20 && s[0] != '\n' &&
		    !(s[0] == '\t' && esc == TEMPLATE_HTML)) || s[0] == 0x7f;
	if (len == 2)
		return (s[0] == 0xc2 && s[1] < 0xa0) ||	/* C1 controls */
		    (s[0] == 0xd8 && s[1] == 0x9c);	/* U+061C ALM */
	if (len != 3 || s[0] != 0xe2)
		return 0;
	/* U+200E, U+200F: LRM, RLM; U+202A to U+202E: embeddings, overrides. */
	if (s[1] == 0x80)
		return s[2] == 0x8e || s[2] == 0x8f ||
		    (s[2] >= 0xaa && s[2] <= 0xae);
	/* U+2066 to U+2069: isolates and their end. */
	return s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9;
}

/* Return 1 if the character at s (len bytes) is U+2028 or U+2029. */
static int
template_separator(const unsigned char *s, size_t len)
{
	return len == 3 && s[0] == 0xe2 && s[1] == 0x80 &&
	    (s[2] == 0xa8 || s[2] == 0xa9);
}

/* Append a value, cleaned and escaped. */
void
template_escape(char **buf, size_t *len, size_t *cap, const char *value,
    enum template_escape esc, int raw)
{
	const unsigned char	*s = (const unsigned char *)value;
	size_t			 n = strlen(value), k;
	const char		*rep;

	while (n > 0) {
		k = template_utf8(s, n);
		if (k == 0) {
			template_put(buf, len, cap, "\xef\xbf\xbd", 3);
			s++;
			n--;
			continue;
		}
		rep = NULL;
		if (esc == TEMPLATE_HTML && !raw) {
			switch (*s) {
			case '&':
				rep = "&amp;";
				break;
			case '<':
				rep = "&lt;";
				break;
			case '>':
				rep = "&gt;";
				break;
			case '"':
				rep = "&quot;";
				break;
			case '\'':
				rep = "&#39;";
				break;
			}
		}
		if (rep == NULL && template_separator(s, k))
			rep = "\n";
		if (rep != NULL)
			template_put(buf, len, cap, rep, strlen(rep));
		else if (!template_unwanted(s, k, esc))
			template_put(buf, len, cap, (const char *)s, k);
		s += k;
		n -= k;
	}
}

/* Emit text of the template itself, indenting each of its lines. */
static void
template_emit_text(struct template_render *r, const char *s, size_t n)
{
	const char	*nl;
	size_t		 k;

	while (n > 0) {
		if (r->bol && *r->indent != '\0')
			template_put(&r->out.buf, &r->out.len, &r->out.cap,
			    r->indent, strlen(r->indent));
		r->bol = 0;
		nl = memchr(s, '\n', n);
		k = nl != NULL ? (size_t)(nl - s) + 1 : n;
		template_put(&r->out.buf, &r->out.len, &r->out.cap, s, k);
		if (nl != NULL)
			r->bol = 1;
		s += k;
		n -= k;
	}
}

/* Emit an interpolated value. */
static void
template_emit_value(struct template_render *r, const struct view *v, int raw)
{
	const char	*s;

	if (v == NULL)
		return;
	switch (v->type) {
	case VIEW_STRING:
		s = v->string;
		break;
	case VIEW_BOOL:
		s = v->boolean ? "true" : "false";
		break;
	default:
		return;
	}
	if (r->bol && *r->indent != '\0')
		template_put(&r->out.buf, &r->out.len, &r->out.cap, r->indent,
		    strlen(r->indent));
	r->bol = 0;
	template_escape(&r->out.buf, &r->out.len, &r->out.cap, s, r->esc, raw);
}

/* Resolve a name in the context stack; NULL if it is not there. */
static const struct view *
template_resolve(const struct template_render *r,
    const struct template_node *n)
{
	const struct view	*v = NULL;
	size_t			 i;

	if (r->nstack == 0)
		return NULL;
	if (n->npath == 0)
		return r->stack[r->nstack - 1];
	for (i = r->nstack; i > 0; i--) {
		if ((v = view_get(r->stack[i - 1], n->path[0])) != NULL)
			break;
	}
	for (i = 1; v != NULL && i < n->npath; i++)
		v = view_get(v, n->path[i]);
	return v;
}

/* Push a context. */
static void
template_push(struct template_render *r, const struct view *v)
{
	r->stack = xreallocarray(r->stack, r->nstack + 1, sizeof *r->stack);
	r->stack[r->nstack++] = v;
}

static void template_render_nodes(struct template_render *,
    const struct template_node *);

/* Render a partial with the indentation of its tag. */
static void
template_render_partial(struct template_render *r,
    const struct template_node *n)
{
	const struct template	*t;
	const char		*outer = r->indent, *before = NULL;
	const char		*after = NULL;
	char			*indent;

	if (r->lookup == NULL || r->depth >= TEMPLATE_DEPTH_MAX ||
	    (t = r->lookup(r->arg, n->text, &before, &after)) == NULL)
		return;
	if (before != NULL)
		template_put(&r->out.buf, &r->out.len, &r->out.cap, before,
		    strlen(before));
	indent = xasprintf("%s%s", n->indent != NULL ? outer : "",
	    n->indent != NULL ? n->indent : "");
	r->indent = indent;
	if (n->indent != NULL)
		r->bol = 1;
	r->depth++;
	template_render_nodes(r, &t->root);
	r->depth--;
	r->indent = outer;
	free(indent);
	if (after != NULL)
		template_put(&r->out.buf, &r->out.len, &r->out.cap, after,
		    strlen(after));
}

/* Render a section or an inverted section. */
static void
template_render_section(struct template_render *r,
    const struct template_node *n)
{
	const struct view	*v = template_resolve(r, n);
	size_t			 i;

	if (n->kind == TEMPLATE_INVERTED) {
		if (!view_truthy(v))
			template_render_nodes(r, n);
		return;
	}
	if (!view_truthy(v))
		return;
	if (v->type == VIEW_LIST) {
		for (i = 0; i < v->n; i++) {
			template_push(r, v->items[i]);
			template_render_nodes(r, n);
			r->nstack--;
		}
		return;
	}
	template_push(r, v);
	template_render_nodes(r, n);
	r->nstack--;
}

/* Render the children of a node. */
static void
template_render_nodes(struct template_render *r,
    const struct template_node *parent)
{
	const struct template_node	*n;
	size_t				 i;

	for (i = 0; i < parent->nchild; i++) {
		n = &parent->child[i];
		if (++r->steps > TEMPLATE_STEPS_MAX ||
		    r->out.len > TEMPLATE_OUTPUT_MAX)
			return;
		switch (n->kind) {
		case TEMPLATE_TEXT_NODE:
			template_emit_text(r, n->text, n->len);
			break;
		case TEMPLATE_VAR:
		case TEMPLATE_RAW:
			template_emit_value(r, template_resolve(r, n),
			    n->kind == TEMPLATE_RAW);
			break;
		case TEMPLATE_SECTION:
		case TEMPLATE_INVERTED:
			template_render_section(r, n);
			break;
		case TEMPLATE_PARTIAL:
			template_render_partial(r, n);
			break;
		}
	}
}

/* Render a template with data. */
char *
template_render(const struct template *t, const struct view *v,
    enum template_escape esc, template_lookup lookup, void *arg)
{
	struct template_render	r;

	memset(&r, 0, sizeof r);
	r.esc = esc;
	r.lookup = lookup;
	r.arg = arg;
	r.indent = "";
	template_put(&r.out.buf, &r.out.len, &r.out.cap, "", 0);
	if (v != NULL)
		template_push(&r, v);
	template_render_nodes(&r, &t->root);
	free(r.stack);
	return r.out.buf;
}

/* Walk the names under a node. */
static void
template_walk_nodes(const struct template_node *parent,
    void (*cb)(void *, enum template_use, const char *, unsigned int,
    unsigned int), void *arg)
{
	const struct template_node	*n;
	size_t				 i;

	for (i = 0; i < parent->nchild; i++) {
		n = &parent->child[i];
		switch (n->kind) {
		case TEMPLATE_TEXT_NODE:
			cb(arg, TEMPLATE_USE_TEXT, n->text, n->line, n->col);
			break;
		case TEMPLATE_VAR:
		case TEMPLATE_RAW:
			cb(arg, TEMPLATE_USE_VAR, n->text, n->line, n->col);
			break;
		case TEMPLATE_SECTION:
		case TEMPLATE_INVERTED:
			cb(arg, n->kind == TEMPLATE_SECTION ?
			    TEMPLATE_USE_SECTION : TEMPLATE_USE_INVERTED,
			    n->text, n->line, n->col);
			template_walk_nodes(n, cb, arg);
			cb(arg, TEMPLATE_USE_END, n->text, n->line, n->col);
			break;
		case TEMPLATE_PARTIAL:
			cb(arg, TEMPLATE_USE_PARTIAL, n->text, n->line,
			    n->col);
			break;
		}
	}
}

/* Call cb for every name a template uses. */
void
template_walk(const struct template *t,
    void (*cb)(void *arg, enum template_use use, const char *name,
    unsigned int line, unsigned int col), void *arg)
{
	template_walk_nodes(&t->root, cb, arg);
}
