/*
 * page.c - the console's page templates, compiled and rendered
 *
 * A set holds every template of the pages directory by its name (the
 * file name without ".mustache") and the static files beside them. The
 * layout finds the page's body as the partial "body"; any other partial
 * name is another template of the set (a shared piece).
 */
#include "build.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "log.h"
#include "page.h"
#include "template.h"
#include "view.h"
#include "xmalloc.h"

#define PAGE_FILE_MAX	(1024 * 1024)	/* a template or a static file */

/* One template or static file of the set. */
struct page_entry {
	char			*name;
	struct template		*t;	/* NULL: a static file */
	char			*data;
	size_t			 len;
};

struct page {
	struct page_entry	*list;
	size_t			 n;
};

/* What the layout renders around. */
struct page_frame {
	const struct page	*p;
	const struct template	*body;
};

/* The static files served beside the templates. */
static const char *const page_statics[] = { "console.css", "charts.js" };

/* Read the file path into a new buffer. Returns it, or NULL with *cause. */
static char *
page_slurp(const char *path, size_t *len, char **cause)
{
	struct stat	 sb;
	FILE		*f;
	char		*buf;

	if ((f = fopen(path, "r")) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &sb) != 0 || sb.st_size > PAGE_FILE_MAX) {
		*cause = xasprintf("%s: not a file of at most %d bytes", path,
		    PAGE_FILE_MAX);
		fclose(f);
		return NULL;
	}
	buf = xmalloc((size_t)sb.st_size + 1);
	*len = fread(buf, 1, (size_t)sb.st_size, f);
	buf[*len] = '\0';
	if (ferror(f)) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Add the file name of dir to the set, as a template if it is one. */
static int
page_add(struct page *p, const char *dir, const char *name, int tmpl,
    char **cause)
{
	struct page_entry	 e;
	char			*path;

	memset(&e, 0, sizeof e);
	path = xasprintf("%s/%s", dir, name);
	e.data = page_slurp(path, &e.len, cause);
	free(path);
	if (e.data == NULL)
		return -1;
	if (tmpl) {
		e.name = xstrndup(name, strlen(name) - strlen(".mustache"));
		path = xasprintf("%s/%s", dir, name);
		e.t = template_compile(path, e.data, e.len, cause);
		free(path);
		free(e.data);
		e.data = NULL;
		if (e.t == NULL) {
			free(e.name);
			return -1;
		}
	} else
		e.name = xstrdup(name);
	p->list = xreallocarray(p->list, p->n + 1, sizeof *p->list);
	p->list[p->n++] = e;
	return 0;
}

/* Return the entry name of the set, or NULL. */
static const struct page_entry *
page_find(const struct page *p, const char *name, int tmpl)
{
	size_t	 i;

	for (i = 0; i < p->n; i++)
		if ((p->list[i].t != NULL) == tmpl &&
		    strcmp(p->list[i].name, name) == 0)
			return &p->list[i];
	return NULL;
}

/* Load and compile a directory's templates and static files. */
struct page *
page_load(const char *dir, char **cause)
{
	struct page	*p;
	struct dirent	*de;
	DIR		*d;
	size_t		 i, len;

	if ((d = opendir(dir)) == NULL) {
		*cause = xasprintf("%s: %s", dir, strerror(errno));
		return NULL;
	}
	p = xcalloc(1, sizeof *p);
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= strlen(".mustache") || strcmp(de->d_name + len -
		    strlen(".mustache"), ".mustache") != 0)
			continue;
		if (page_add(p, dir, de->d_name, 1, cause) != 0)
			goto fail;
	}
	for (i = 0; i < sizeof page_statics / sizeof page_statics[0]; i++)
		if (page_add(p, dir, page_statics[i], 0, cause) != 0)
			goto fail;
	if (page_find(p, "layout", 1) == NULL) {
		*cause = xasprintf("%s: no layout.mustache", dir);
		goto fail;
	}
	closedir(d);
	return p;
fail:
	closedir(d);
	page_free(p);
	return NULL;
}

/* Free a page set. */
void
page_free(struct page *p)
{
	size_t	 i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++) {
		free(p->list[i].name);
		template_free(p->list[i].t);
		free(p->list[i].data);
	}
	free(p->list);
	free(p);
}

/* Return a static file of the set. */
const char *
page_static(const struct page *p, const char *name, size_t *len)
{
	const struct page_entry	*e = page_find(p, name, 0);

	if (e == NULL)
		return NULL;
	*len = e->len;
	return e->data;
}

/* Find a partial for the layout: the body, or another template. */
static const struct template *
page_partial(void *arg, const char *name, const char **before,
    const char **after)
{
	const struct page_frame	*f = arg;
	const struct page_entry	*e;

	(void)before;
	(void)after;
	if (strcmp(name, "body") == 0)
		return f->body;
	e = page_find(f->p, name, 1);
	return e != NULL ? e->t : NULL;
}

/* Add the console's security headers. */
void
page_headers(struct http_response *resp)
{
	httpresp_header(resp, "Content-Security-Policy", "default-src 'none'; "
	    "script-src 'self'; style-src 'self'; img-src 'self' data:; "
	    "frame-src 'self'; form-action 'self'; frame-ancestors 'none'; "
	    "base-uri 'none'");
	httpresp_header(resp, "X-Frame-Options", "DENY");
	httpresp_header(resp, "Referrer-Policy", "same-origin");
	httpresp_header(resp, "Permissions-Policy", "camera=(), microphone=(), "
	    "geolocation=(), interest-cohort=()");
	httpresp_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
}

/* Render a page inside the layout. */
void
page_render(const struct page *p, const char *name, struct view *v,
    struct http_response *resp)
{
	const struct page_entry	*layout, *body;
	struct page_frame	 f;

	layout = page_find(p, "layout", 1);
	body = page_find(p, name, 1);
	if (layout == NULL || body == NULL) {
		log_warn("web: no page template %s", name);
		view_free(v);
		resp->status = 500;
		resp->body = xstrdup("internal error: a page is missing\n");
		return;
	}
	f.p = p;
	f.body = body->t;
	free(resp->body);
	resp->body = template_render(layout->t, v, TEMPLATE_HTML,
	    page_partial, &f);
	view_free(v);
	if (resp->status == 0)
		resp->status = 200;
	resp->content_type = "text/html; charset=utf-8";
	page_headers(resp);
}
