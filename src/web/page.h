/*
 * page.h - the console's pages: Mustache templates rendered on the server
 *
 * The page templates are the files NAME.mustache of web.pages_dir
 * (installed in CONFIG_PAGES_DIR, src/web/pages in the source tree),
 * compiled once at start and at each reload with closeloop's own
 * Mustache engine (template.h). Every page is layout.mustache around the
 * page's own template, which it includes as the partial {{> body}}. The
 * same directory holds the style sheet console.css and the charts'
 * script charts.js, served as they are under /static/.
 *
 * Every HTML answer carries the console's security headers: a
 * Content-Security-Policy that allows only the console's own scripts,
 * styles and images (no inline script, no framing by others),
 * X-Frame-Options, Referrer-Policy same-origin (no address of the
 * console's goes to another site; the console's own forms keep their
 * Origin header, which browsers make "null" under no-referrer) and
 * Permissions-Policy.
 */
#ifndef PAGE_H
#define PAGE_H

#include <stddef.h>

struct http_response;
struct view;

/* The compiled page set. */
struct page;

/*
 * Load and compile every template of directory dir. Returns the set (free
 * it with page_free()), or NULL with *cause set: the file and line of a
 * template that does not compile, or a missing layout.mustache.
 */
struct page *page_load(const char *dir, char **cause);

/* Free a page set; NULL is a no-op. */
void page_free(struct page *p);

/*
 * Return the static file name (console.css, charts.js) of the set, its
 * length in *len, or NULL if there is none. It belongs to the set.
 */
const char *page_static(const struct page *p, const char *name, size_t *len);

/*
 * Render page name inside the layout with the data v (a map, consumed)
 * into resp: status (200 unless already set), HTML type, security
 * headers. A page the set lacks is a 500 with a line in the log.
 */
void page_render(const struct page *p, const char *name, struct view *v,
    struct http_response *resp);

/* Add the console's security headers (page.h) to resp. */
void page_headers(struct http_response *resp);

#endif
