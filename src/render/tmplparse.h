/*
 * tmplparse.h - compiling a Mustache template into a tree of nodes
 *
 * The tree is private to the template engine (template.c and
 * tmplparse.c); everyone else uses template.h.
 */
#ifndef TMPLPARSE_H
#define TMPLPARSE_H

#include <stddef.h>

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

/*
 * Compile len bytes of src, a template called name (for messages), into
 * the children of root. Returns 0, or -1 with *cause set to "NAME:LINE:
 * COLUMN: what is wrong" (the caller frees it); root may then hold part
 * of the tree, which the caller frees.
 */
int tmplparse_parse(const char *name, const char *src, size_t len,
    struct template_node *root, char **cause);

#endif
