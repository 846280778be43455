/*
 * msgpage.c - serving a kept email's HTML part and its whole copy
 *
 * msgpage.h says what is served and how it is fenced in.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "http.h"
#include "httpreq.h"
#include "keep.h"
#include "mimeread.h"
#include "msgpage.h"
#include "srpage.h"
#include "syntax.h"
#include "webreq.h"
#include "xmalloc.h"

/* Answer an email's HTML under the frame's policy. */
void
msgpage_frame(struct webreq *q, char *html, size_t len, int images)
{
	char	*csp;

	csp = xasprintf("default-src 'none'; style-src 'unsafe-inline'; "
	    "img-src data:%s; frame-ancestors 'self'; base-uri 'none'; "
	    "form-action 'none'; sandbox", images ? " https:" : "");
	q->resp->status = 200;
	q->resp->content_type = "text/html; charset=utf-8";
	q->resp->body = html;
	q->resp->body_len = len;
	httpresp_header(q->resp, "Content-Security-Policy", csp);
	httpresp_header(q->resp, "X-Frame-Options", "SAMEORIGIN");
	httpresp_header(q->resp, "Referrer-Policy", "no-referrer");
	free(csp);
}

/* Answer the HTML part of k under the frame's policy. */
static void
msgpage_html(struct webreq *q, const struct keep *k)
{
	const char	*images = httpreq_arg(q->req, "images");
	char		*part;
	size_t		 len;

	if ((part = mimeread_part(k->body, k->len, "html", &len)) == NULL) {
		webreq_not_found(q);
		return;
	}
	msgpage_frame(q, part, len, images != NULL &&
	    strcmp(images, "1") == 0);
}

/* Answer the kept copy whole, as a file to save. */
static void
msgpage_eml(struct webreq *q, const struct keep *k)
{
	q->resp->status = 200;
	q->resp->content_type = "message/rfc822";
	q->resp->body = xmalloc(k->len + 1);
	memcpy(q->resp->body, k->body, k->len);
	q->resp->body[k->len] = '\0';
	q->resp->body_len = k->len;
	httpresp_header(q->resp, "Content-Disposition",
	    "attachment; filename=\"message.eml\"");
	httpresp_header(q->resp, "Content-Security-Policy",
	    "default-src 'none'; sandbox");
}

/* GET /message/ID/html or /message/ID/eml. */
void
msgpage_show(struct webreq *q)
{
	const char	*slash, *what, *why;
	struct keep	*k = NULL;
	char		*id = NULL, *sr = NULL, *cause = NULL;
	int		 rc;

	if ((slash = strrchr(q->rest, '/')) == NULL)
		goto notfound;
	what = slash + 1;
	if (strcmp(what, "html") != 0 && strcmp(what, "eml") != 0)
		goto notfound;
	id = xstrndup(q->rest, (size_t)(slash - q->rest));
	sr = xstrndup(id, strcspn(id, "/"));
	if (syntax_sr(sr, &why) != 0 || strchr(id, '/') == NULL)
		goto notfound;
	if ((rc = srpage_visible(q, sr)) < 0)
		goto out;
	if (rc == 0)
		goto notfound;
	if ((rc = keep_read(q->w->r, q->cf, id, &k, &cause)) < 0) {
		webreq_redis_failed(q, cause);
		goto out;
	}
	if (rc == 0 || strcmp(k->format, "eml") != 0)
		goto notfound;
	if (strcmp(what, "html") == 0)
		msgpage_html(q, k);
	else
		msgpage_eml(q, k);
	goto out;
notfound:
	webreq_not_found(q);
out:
	keep_free(k);
	free(id);
	free(sr);
}
