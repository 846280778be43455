/*
 * staticfile.c - the console's style sheet, scripts and health check
 *
 * The files are served from memory with an hour's caching; they change
 * only with a reload or an upgrade.
 */
#include "build.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "http.h"
#include "log.h"
#include "page.h"
#include "redis.h"
#include "staticfile.h"
#include "webreq.h"
#include "xmalloc.h"

#define STATICFILE_MAX	(4 * 1024 * 1024)

/* Read the system's Chart.js. */
void
staticfile_load(struct web *w)
{
	struct stat	 sb;
	FILE		*f;

	free(w->chartjs);
	w->chartjs = NULL;
	w->chartjs_len = 0;
	if ((f = fopen(w->cf->web_chartjs, "r")) == NULL) {
		log_warn("web: %s: %s; the charts are left out (their tables "
		    "stay)", w->cf->web_chartjs, strerror(errno));
		return;
	}
	if (fstat(fileno(f), &sb) == 0 && sb.st_size > 0 &&
	    sb.st_size <= STATICFILE_MAX) {
		w->chartjs = xmalloc((size_t)sb.st_size + 1);
		w->chartjs_len = fread(w->chartjs, 1, (size_t)sb.st_size, f);
		w->chartjs[w->chartjs_len] = '\0';
	}
	fclose(f);
}

/* GET /static/NAME. */
void
staticfile_serve(struct webreq *q)
{
	const char	*data = NULL, *type;
	size_t		 len = 0;

	if (strcmp(q->rest, "chart.js") == 0) {
		data = q->w->chartjs;
		len = q->w->chartjs_len;
	} else if (strcmp(q->rest, "console.css") == 0 ||
	    strcmp(q->rest, "charts.js") == 0)
		data = page_static(q->w->pages, q->rest, &len);
	if (data == NULL) {
		webreq_not_found(q);
		return;
	}
	type = strcmp(q->rest, "console.css") == 0 ? "text/css; charset=utf-8" :
	    "text/javascript; charset=utf-8";
	q->resp->status = 200;
	q->resp->content_type = type;
	q->resp->body = xmalloc(len + 1);
	memcpy(q->resp->body, data, len);
	q->resp->body[len] = '\0';
	q->resp->body_len = len;
	httpresp_header(q->resp, "Cache-Control", "public, max-age=3600");
}

/* GET /healthz. */
void
staticfile_health(struct webreq *q)
{
	struct redis		*r;
	struct redis_reply	*rep;
	char			*cause = NULL;

	if ((r = webreq_redis(q)) == NULL)
		return;
	if ((rep = redis_command(r, &cause, "PING")) == NULL) {
		webreq_redis_failed(q, cause);
		return;
	}
	redis_reply_free(rep);
	q->resp->status = 200;
	q->resp->body = xstrdup("ok\n");
}
