/*
 * opsform.c - an action on the Operations page, asked of closeloopd
 *
 * opsform.h says what is checked and published.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "httpreq.h"
#include "opsact.h"
#include "opsform.h"
#include "opsreq.h"
#include "redis.h"
#include "session.h"
#include "syntax.h"
#include "webaudit.h"
#include "webreq.h"
#include "xmalloc.h"

/* The fields an action may carry, besides action itself. */
static const char *const opsform_fields[] = {
	"channel", "until", "note", "ids", "sr", "reason", "id",
	"same_content", "address", "notice", "locale", "to"
};

#define OPSFORM_NFIELDS	\
	(sizeof opsform_fields / sizeof opsform_fields[0])

/* POST /operations. */
void
opsform_post(struct webreq *q)
{
	const char	*argv[2 * OPSFORM_NFIELDS + 8], *action, *v, *why;
	char		*id = NULL, *cause = NULL, *what, *path;
	size_t		 i, k = 0;

	action = httpreq_arg(q->req, "action");
	if (action == NULL || !opsact_known(action)) {
		webreq_error(q, 400, "Unknown action", "The form asked for "
		    "nothing the Operations page offers.");
		return;
	}
	argv[k++] = "action";
	argv[k++] = action;
	argv[k++] = "by";
	argv[k++] = q->who->user;
	argv[k++] = "peer";
	argv[k++] = q->peer;
	for (i = 0; i < OPSFORM_NFIELDS; i++) {
		if ((v = httpreq_arg(q->req, opsform_fields[i])) == NULL ||
		    *v == '\0')
			continue;
		if (strlen(v) > OPSREQ_FIELD_MAX ||
		    syntax_text(v, 0, &why) != 0) {
			what = xasprintf("The field %s is not one the action "
			    "takes: %s.", opsform_fields[i], strlen(v) >
			    OPSREQ_FIELD_MAX ? "too long" : why);
			webreq_error(q, 400, "Not sent", what);
			free(what);
			return;
		}
		argv[k++] = opsform_fields[i];
		argv[k++] = v;
	}
	argv[k] = NULL;
	if (webreq_redis(q) == NULL)
		return;
	if (opsreq_publish(q->w->r, q->cf, argv, &id, &cause) != 0) {
		webreq_redis_failed(q, cause);
		return;
	}
	what = xasprintf("request-%s", action);
	webaudit_note(q, what, q->who->user);
	free(what);
	path = xasprintf("/operations?request=%s#request", id);
	webreq_redirect(q, path);
	free(path);
	free(id);
}
