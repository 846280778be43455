/*
 * template.c - Mustache templates, compiled once and rendered many times
 *
 * Compiling is three passes over the source. The scanner cuts it into
 * text and tags, following set-delimiter tags as it goes. The standalone
 * pass finds the tags (sections, inverted sections, closings, comments,
 * partials, set delimiters) that are alone on their line and trims that
 * line's whitespace and line ending from the texts around them; for a
 * partial the trimmed whitespace becomes its indentation. The builder
 * then nests sections into a tree of nodes, checking that each closing
 * tag matches. Rendering walks the tree with a stack of contexts.
 *
 * A partial's indentation is applied to each line of the partial's own
 * text as it is rendered (not to the lines of values it interpolates),
 * which is what the spec asks of a standalone partial tag.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "view.h"
#include "xmalloc.h"

#define TEMPLATE_DELIM_MAX	16
#define TEMPLATE_DEPTH_MAX	32
/* Most nodes one rendering visits, and most bytes it writes. */
#define TEMPLATE_STEPS_MAX	1000000
#define TEMPLATE_OUTPUT_MAX	(4 * 1024 * 1024)

enum template_kind {
	TEMPLATE_TEXT_NODE,
	TEMPLATE_VAR,
	TEMPLATE_RAW,
	TEMPLATE_SECTION,
	TEMPLATE_INVERTED,
	TEMPLATE_PARTIAL
};

/* One node of a compiled template. */
struct template_node {
	enum template_kind	 kind;
	char			*text;		/* text, or the name */
	size_t			 len;
	char			**path;		/* the name cut at dots */
	size_t			 npath;		/* 0 for "." */
	char			*indent;	/* of a standalone partial */
	struct template_node	*child;
	size_t			 nchild;
	unsigned int		 line;
	unsigned int		 col;
};

struct template {
	char			*name;
	struct template_node	 root;
};

/* A token of the scanner: text, or a tag with its sigil. */
struct template_token {
	int		 tag;		/* 0 for text; else the sigil or 'v' */
	const char	*start;		/* text, or the name */
	size_t		 len;
	size_t		 trim_start;	/* text: bytes cut from the front */
	size_t		 trim_end;	/* text: bytes cut from the back */
	int		 standalone;
	char		*indent;
	unsigned int	 line;
	unsigned int	 col;
};

/* The state of a compilation. */
struct template_parse {
	const char		*name;
	const char		*src;
	size_t			 len;
	struct template_token	*tok;
	size_t			 ntok;
	char			*cause;
	const char		*at;		/* where line and col are */
	unsigned int		 line;
	unsigned int		 col;
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

/*
 * Return the line and column of a position in the source, counting on
 * from the last position asked for when it is not behind it.
 */
static void
template_where(struct template_parse *p, const char *at,
    unsigned int *line, unsigned int *col)
{
	const char	*s;

	if (p->at == NULL || at < p->at) {
		p->at = p->src;
		p->line = 1;
		p->col = 1;
	}
	for (s = p->at; s < at; s++) {
		if (*s == '\n') {
			p->line++;
			p->col = 1;
		} else if (((unsigned char)*s & 0xc0) != 0x80)
			p->col++;
	}
	p->at = at;
	*line = p->line;
	*col = p->col;
}

/* Set the cause of a failure at a line and column, unless one is set. */
static void
template_error_at(struct template_parse *p, unsigned int line,
    unsigned int col, const char *what, const char *detail)
{
	if (p->cause != NULL)
		return;
	p->cause = xasprintf("%s:%u:%u: %s%s", p->name, line, col, what,
	    detail != NULL ? detail : "");
}

/* Set the cause of a failure at a position, unless one is set. */
static void
template_error(struct template_parse *p, const char *at, const char *what,
    const char *detail)
{
	unsigned int	line, col;

	template_where(p, at, &line, &col);
	template_error_at(p, line, col, what, detail);
}

/* Find needle (of length n) in the source from s; NULL if absent. */
static const char *
template_find(const struct template_parse *p, const char *s,
    const char *needle, size_t n)
{
	const char	*end = p->src + p->len;

	for (; s + n <= end; s++) {
		if (memcmp(s, needle, n) == 0)
			return s;
	}
	return NULL;
}

/* Add a token found at position at. */
static struct template_token *
template_token(struct template_parse *p, int tag, const char *at,
    const char *start, size_t len)
{
	struct template_token	*t;

	p->tok = xreallocarray(p->tok, p->ntok + 1, sizeof *p->tok);
	t = &p->tok[p->ntok++];
	memset(t, 0, sizeof *t);
	t->tag = tag;
	t->start = start;
	t->len = len;
	template_where(p, at, &t->line, &t->col);
	return t;
}

/* Return 1 for the whitespace allowed around a name or a standalone tag. */
static int
template_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Read new delimiters from "=OPEN CLOSE=" content; 0 on success. */
static int
template_delimiters(const char *s, size_t n, char *open, char *close)
{
	size_t	i = 0, a, b;

	while (i < n && template_space(s[i]))
		i++;
	a = i;
	while (i < n && !template_space(s[i]) && s[i] != '=')
		i++;
	if (i == a || i - a >= TEMPLATE_DELIM_MAX)
		return -1;
	memcpy(open, s + a, i - a);
	open[i - a] = '\0';
	while (i < n && template_space(s[i]))
		i++;
	b = i;
	while (i < n && !template_space(s[i]) && s[i] != '=')
		i++;
	if (i == b || i - b >= TEMPLATE_DELIM_MAX)
		return -1;
	memcpy(close, s + b, i - b);
	close[i - b] = '\0';
	while (i < n && template_space(s[i]))
		i++;
	return i == n ? 0 : -1;
}

/* Cut the source into text and tags; 0 on success. */
static int
template_scan(struct template_parse *p)
{
	char		 open[TEMPLATE_DELIM_MAX] = "{{";
	char		 close[TEMPLATE_DELIM_MAX + 1] = "}}";
	char		 end[TEMPLATE_DELIM_MAX + 1];
	const char	*s = p->src, *o, *c, *name;
	size_t		 olen, clen, n;
	int		 sigil;

	for (;;) {
		olen = strlen(open);
		clen = strlen(close);
		o = template_find(p, s, open, olen);
		if (o == NULL) {
			if (s < p->src + p->len)
				template_token(p, 0, s, s, p->src + p->len - s);
			return 0;
		}
		if (o > s)
			template_token(p, 0, s, s, o - s);
		name = o + olen;
		sigil = name < p->src + p->len ? *name : 0;
		if (strchr("#^/!>&{=", sigil) == NULL || sigil == 0)
			sigil = 'v';
		else
			name++;
		if (sigil == '{' || sigil == '=') {
			end[0] = sigil == '{' ? '}' : '=';
			memcpy(end + 1, close, clen + 1);
			c = template_find(p, name, end, clen + 1);
		} else
			c = template_find(p, name, close, clen);
		if (c == NULL) {
			template_error(p, o, "tag is not closed: no ", close);
			return -1;
		}
		s = c + clen + (sigil == '{' || sigil == '=');
		if (sigil == '=') {
			if (template_delimiters(name, c - name, open,
			    close) != 0) {
				template_error(p, o, "bad set-delimiter tag", NULL);
				return -1;
			}
			template_token(p, '=', o, name, 0);
			continue;
		}
		n = c - name;
		while (n > 0 && template_space(*name)) {
			name++;
			n--;
		}
		while (n > 0 && template_space(name[n - 1]))
			n--;
		if (sigil != '!' && n == 0) {
			template_error(p, o, "tag has no name", NULL);
			return -1;
		}
		template_token(p, sigil == '{' ? '&' : sigil, o, name, n);
	}
}

/* Find standalone tags and trim their lines from the texts around. */
static void
template_standalone(struct template_parse *p)
{
	struct template_token	*t, *prev, *next;
	const char		*nl;
	size_t			 i, k, after;
	int			 ok;

	for (i = 0; i < p->ntok; i++) {
		t = &p->tok[i];
		if (t->tag == 0 || t->tag == 'v' || t->tag == '&')
			continue;
		prev = i > 0 ? &p->tok[i - 1] : NULL;
		next = i + 1 < p->ntok ? &p->tok[i + 1] : NULL;
		/* Before: only blanks since the line began. */
		after = 0;
		if (prev != NULL) {
			if (prev->tag != 0)
				continue;
			for (k = prev->len; k > 0 &&
			    prev->start[k - 1] != '\n'; k--)
				;
			if (k == 0 && i - 1 != 0)
				continue;
			for (after = k, ok = 1; after < prev->len; after++)
				ok &= template_space(prev->start[after]);
			if (!ok)
				continue;
		}
		/* After: only blanks until the line ends. */
		if (next != NULL) {
			if (next->tag != 0)
				continue;
			nl = memchr(next->start, '\n', next->len);
			if (nl == NULL && i + 1 != p->ntok - 1)
				continue;
			for (k = 0, ok = 1; k < (nl != NULL ? (size_t)(nl -
			    next->start) : next->len); k++)
				ok &= template_space(next->start[k]) ||
				    (next->start[k] == '\r' && nl != NULL &&
				    next->start + k + 1 == nl);
			if (!ok)
				continue;
		}
		t->standalone = 1;
		if (prev != NULL) {
			for (k = prev->len; k > 0 &&
			    prev->start[k - 1] != '\n'; k--)
				;
			if (t->tag == '>')
				t->indent = xstrndup(prev->start + k,
				    prev->len - k);
			prev->trim_end = prev->len - k;
		}
		if (next != NULL) {
			nl = memchr(next->start, '\n', next->len);
			next->trim_start = nl != NULL ?
			    (size_t)(nl - next->start) + 1 : next->len;
		}
	}
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

/* Add a child node made from a token. */
static struct template_node *
template_node_add(struct template_node *parent, enum template_kind kind,
    const struct template_token *t)
{
	struct template_node	*n;
	const char		*s, *dot;
	size_t			 start, len;

	parent->child = xreallocarray(parent->child, parent->nchild + 1,
	    sizeof *parent->child);
	n = &parent->child[parent->nchild++];
	memset(n, 0, sizeof *n);
	n->kind = kind;
	n->line = t->line;
	n->col = t->col;
	if (kind == TEMPLATE_TEXT_NODE) {
		start = t->trim_start;
		len = t->len - t->trim_start;
		if (t->trim_end <= len)
			len -= t->trim_end;
		else
			len = 0;
		n->text = xmalloc(len + 1);
		memcpy(n->text, t->start + start, len);
		n->text[len] = '\0';
		n->len = len;
		return n;
	}
	n->text = xstrndup(t->start, t->len);
	n->len = t->len;
	if (t->indent != NULL)
		n->indent = xstrdup(t->indent);
	if (strcmp(n->text, ".") == 0)
		return n;
	for (s = n->text; s != NULL; s = dot != NULL ? dot + 1 : NULL) {
		dot = strchr(s, '.');
		n->path = xreallocarray(n->path, n->npath + 1,
		    sizeof *n->path);
		n->path[n->npath++] = dot != NULL ? xstrndup(s, dot - s) :
		    xstrdup(s);
	}
	return n;
}

/* Nest the tokens into a tree under root; 0 on success. */
static int
template_build(struct template_parse *p, struct template_node *root)
{
	struct template_node	**open;
	struct template_node	 *top;
	struct template_token	 *t;
	char			 *name;
	size_t			  i, nopen = 0;
	int			  rc = -1;

	open = xcalloc(p->ntok + 1, sizeof *open);
	open[nopen++] = root;
	for (i = 0; i < p->ntok; i++) {
		t = &p->tok[i];
		top = open[nopen - 1];
		switch (t->tag) {
		case 0:
			if (t->trim_start + t->trim_end < t->len)
				template_node_add(top, TEMPLATE_TEXT_NODE, t);
			break;
		case 'v':
			template_node_add(top, TEMPLATE_VAR, t);
			break;
		case '&':
			template_node_add(top, TEMPLATE_RAW, t);
			break;
		case '>':
			template_node_add(top, TEMPLATE_PARTIAL, t);
			break;
		case '#':
		case '^':
			open[nopen++] = template_node_add(top, t->tag == '#' ?
			    TEMPLATE_SECTION : TEMPLATE_INVERTED, t);
			break;
		case '/':
			name = xstrndup(t->start, t->len);
			if (nopen == 1)
				template_error_at(p, t->line, t->col, "closing "
				    "tag without a section: ", name);
			else if (strcmp(top->text, name) != 0)
				template_error_at(p, t->line, t->col, "closing "
				    "tag does not match the open section ",
				    top->text);
			free(name);
			if (p->cause != NULL)
				goto out;
			nopen--;
			break;
		}
	}
	if (nopen > 1) {
		top = open[nopen - 1];
		p->cause = xasprintf("%s:%u:%u: section %s is not closed",
		    p->name, top->line, top->col, top->text);
		goto out;
	}
	rc = 0;
out:
	free(open);
	return rc;
}

/* Compile a template. */
struct template *
template_compile(const char *name, const char *src, size_t len, char **cause)
{
	struct template_parse	 p;
	struct template		*t;
	const char		*nul;
	size_t			 i;

	memset(&p, 0, sizeof p);
	p.name = name;
	p.src = src;
	p.len = len;
	t = xcalloc(1, sizeof *t);
	t->name = xstrdup(name);
	nul = memchr(src, '\0', len);
	if (nul != NULL)
		template_error(&p, nul, "contains a NUL byte", NULL);
	else if (template_scan(&p) == 0) {
		template_standalone(&p);
		template_build(&p, &t->root);
	}
	for (i = 0; i < p.ntok; i++)
		free(p.tok[i].indent);
	free(p.tok);
	if (p.cause != NULL) {
		template_free(t);
		if (cause != NULL)
			*cause = p.cause;
		else
			free(p.cause);
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

/* Return 1 if the character at s (len bytes) must not reach a resident. */
static int
template_unwanted(const unsigned char *s, size_t len, enum template_escape esc)
{
	if (len == 1)
		return (s[0] < 0x20 && s[0] != '\n' &&
		    !(s[0] == '\t' && esc == TEMPLATE_HTML)) || s[0] == 0x7f;
	if (len == 2)
		return s[0] == 0xc2 && s[1] < 0xa0;	/* C1 controls */
	/* U+202A to U+202E: bidi embeddings and overrides. */
	return len == 3 && s[0] == 0xe2 && s[1] == 0x80 && s[2] >= 0xaa &&
	    s[2] <= 0xae;
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
