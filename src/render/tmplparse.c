/*
 * tmplparse.c - compiling a Mustache template into a tree of nodes
 *
 * Three passes over the source. The scanner cuts it into text and tags,
 * following set-delimiter tags as it goes; a tag other than a comment
 * whose content holds a line break, the opening delimiter or the closing
 * delimiter's first character was left open ("{{sr} is done. {{date}}")
 * and is refused as not closed, at its start. The standalone pass finds
 * the tags (sections, inverted sections, closings, comments, partials,
 * set delimiters) that are alone on their line and trims that line's
 * whitespace and line ending from the texts around them; for a partial
 * the trimmed whitespace becomes its indentation. The builder then nests
 * sections into a tree of nodes, checking that each closing tag matches.
 * Positions in messages are lines and columns counted in characters.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "tmplparse.h"
#include "xmalloc.h"

#define TMPLPARSE_DELIM_MAX	16

/* A token of the scanner: text, or a tag with its sigil. */
struct tmplparse_token {
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
struct tmplparse {
	const char		*name;
	const char		*src;
	size_t			 len;
	struct tmplparse_token	*tok;
	size_t			 ntok;
	char			*cause;
	const char		*at;		/* where line and col are */
	unsigned int		 line;
	unsigned int		 col;
};

/*
 * Return the line and column of a position in the source, counting on
 * from the last position asked for when it is not behind it.
 */
static void
tmplparse_where(struct tmplparse *p, const char *at,
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
tmplparse_error_at(struct tmplparse *p, unsigned int line,
    unsigned int col, const char *what, const char *detail)
{
	if (p->cause != NULL)
		return;
	p->cause = xasprintf("%s:%u:%u: %s%s", p->name, line, col, what,
	    detail != NULL ? detail : "");
}

/* Set the cause of a failure at a position, unless one is set. */
static void
tmplparse_error(struct tmplparse *p, const char *at, const char *what,
    const char *detail)
{
	unsigned int	line, col;

	tmplparse_where(p, at, &line, &col);
	tmplparse_error_at(p, line, col, what, detail);
}

/* Find needle (of length n) in the source from s; NULL if absent. */
static const char *
tmplparse_find(const struct tmplparse *p, const char *s,
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
static struct tmplparse_token *
tmplparse_token(struct tmplparse *p, int tag, const char *at,
    const char *start, size_t len)
{
	struct tmplparse_token	*t;

	p->tok = xreallocarray(p->tok, p->ntok + 1, sizeof *p->tok);
	t = &p->tok[p->ntok++];
	memset(t, 0, sizeof *t);
	t->tag = tag;
	t->start = start;
	t->len = len;
	tmplparse_where(p, at, &t->line, &t->col);
	return t;
}

/* Return 1 for the whitespace allowed around a name or a standalone tag. */
static int
tmplparse_space(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Read one delimiter, after blanks, from s (n bytes) at *i into out;
 * 0 on success.
 */
static int
tmplparse_word(const char *s, size_t n, size_t *i, char *out)
{
	size_t	start;

	while (*i < n && tmplparse_space(s[*i]))
		(*i)++;
	start = *i;
	while (*i < n && !tmplparse_space(s[*i]) && s[*i] != '=')
		(*i)++;
	if (*i == start || *i - start >= TMPLPARSE_DELIM_MAX)
		return -1;
	memcpy(out, s + start, *i - start);
	out[*i - start] = '\0';
	return 0;
}

/* Read new delimiters from "=OPEN CLOSE=" content; 0 on success. */
static int
tmplparse_delimiters(const char *s, size_t n, char *open, char *close)
{
	size_t	i = 0;

	if (tmplparse_word(s, n, &i, open) != 0 ||
	    tmplparse_word(s, n, &i, close) != 0)
		return -1;
	while (i < n && tmplparse_space(s[i]))
		i++;
	return i == n ? 0 : -1;
}

/*
 * Return 1 if the content of a tag (n bytes at s) shows that the tag was
 * left open and its closing delimiter belongs to a later tag: it holds a
 * line break, the opening delimiter, or the first character of the
 * closing one ("{{sr} is done. {{date}}").
 */
static int
tmplparse_runs_on(const char *s, size_t n, const char *open,
    const char *close)
{
	size_t	olen = strlen(open), i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n' || s[i] == '\r' || s[i] == close[0] ||
		    (i + olen <= n && memcmp(s + i, open, olen) == 0))
			return 1;
	}
	return 0;
}

/* Cut the source into text and tags; 0 on success. */
static int
tmplparse_scan(struct tmplparse *p)
{
	char		 open[TMPLPARSE_DELIM_MAX] = "{{";
	char		 close[TMPLPARSE_DELIM_MAX + 1] = "}}";
	char		 end[TMPLPARSE_DELIM_MAX + 1];
	const char	*s = p->src, *o, *c, *name;
	size_t		 olen, clen, n;
	int		 sigil;

	for (;;) {
		olen = strlen(open);
		clen = strlen(close);
		o = tmplparse_find(p, s, open, olen);
		if (o == NULL) {
			if (s < p->src + p->len)
				tmplparse_token(p, 0, s, s, p->src + p->len - s);
			return 0;
		}
		if (o > s)
			tmplparse_token(p, 0, s, s, o - s);
		name = o + olen;
		sigil = name < p->src + p->len ? *name : 0;
		if (strchr("#^/!>&{=", sigil) == NULL || sigil == 0)
			sigil = 'v';
		else
			name++;
		if (sigil == '{' || sigil == '=') {
			end[0] = sigil == '{' ? '}' : '=';
			memcpy(end + 1, close, clen + 1);
			c = tmplparse_find(p, name, end, clen + 1);
		} else
			c = tmplparse_find(p, name, close, clen);
		if (c == NULL || (sigil != '!' && sigil != '=' &&
		    tmplparse_runs_on(name, c - name, open, close))) {
			tmplparse_error(p, o, "tag is not closed: no ", close);
			return -1;
		}
		s = c + clen + (sigil == '{' || sigil == '=');
		if (sigil == '=') {
			if (tmplparse_delimiters(name, c - name, open,
			    close) != 0) {
				tmplparse_error(p, o, "bad set-delimiter tag", NULL);
				return -1;
			}
			tmplparse_token(p, '=', o, name, 0);
			continue;
		}
		n = c - name;
		while (n > 0 && tmplparse_space(*name)) {
			name++;
			n--;
		}
		while (n > 0 && tmplparse_space(name[n - 1]))
			n--;
		if (sigil != '!' && n == 0) {
			tmplparse_error(p, o, "tag has no name", NULL);
			return -1;
		}
		tmplparse_token(p, sigil == '{' ? '&' : sigil, o, name, n);
	}
}

/* Find standalone tags and trim their lines from the texts around. */
static void
tmplparse_standalone(struct tmplparse *p)
{
	struct tmplparse_token	*t, *prev, *next;
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
				ok &= tmplparse_space(prev->start[after]);
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
				ok &= tmplparse_space(next->start[k]) ||
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

/* Add a child node made from a token. */
static struct template_node *
tmplparse_node_add(struct template_node *parent, enum template_kind kind,
    const struct tmplparse_token *t)
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
tmplparse_build(struct tmplparse *p, struct template_node *root)
{
	struct template_node	**open;
	struct template_node	 *top;
	struct tmplparse_token	 *t;
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
				tmplparse_node_add(top, TEMPLATE_TEXT_NODE, t);
			break;
		case 'v':
			tmplparse_node_add(top, TEMPLATE_VAR, t);
			break;
		case '&':
			tmplparse_node_add(top, TEMPLATE_RAW, t);
			break;
		case '>':
			tmplparse_node_add(top, TEMPLATE_PARTIAL, t);
			break;
		case '#':
		case '^':
			open[nopen++] = tmplparse_node_add(top, t->tag == '#' ?
			    TEMPLATE_SECTION : TEMPLATE_INVERTED, t);
			break;
		case '/':
			name = xstrndup(t->start, t->len);
			if (nopen == 1)
				tmplparse_error_at(p, t->line, t->col, "closing "
				    "tag without a section: ", name);
			else if (strcmp(top->text, name) != 0)
				tmplparse_error_at(p, t->line, t->col, "closing "
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

/* Compile source into the children of root. */
int
tmplparse_parse(const char *name, const char *src, size_t len,
    struct template_node *root, char **cause)
{
	struct tmplparse	 p;
	const char		*nul;
	size_t			 i;

	memset(&p, 0, sizeof p);
	p.name = name;
	p.src = src;
	p.len = len;
	nul = memchr(src, '\0', len);
	if (nul != NULL)
		tmplparse_error(&p, nul, "contains a NUL byte", NULL);
	else if (tmplparse_scan(&p) == 0) {
		tmplparse_standalone(&p);
		tmplparse_build(&p, root);
	}
	for (i = 0; i < p.ntok; i++)
		free(p.tok[i].indent);
	free(p.tok);
	if (p.cause != NULL) {
		*cause = p.cause;
		return -1;
	}
	return 0;
}
