/*
 * webaudit.c - the console's record of sign-ins and refusals
 *
 * webaudit.h gives the stream. The user name is a staff account, not a
 * resident's contact: it is written as it is, cleaned of control
 * characters for the log.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "log.h"
#include "redis.h"
#include "webreq.h"
#include "webaudit.h"
#include "xmalloc.h"

#define WEBAUDIT_MAXLEN		"100000"
#define WEBAUDIT_USER_MAX	64

/* Record a sign-in event. */
void
webaudit_note(struct webreq *q, const char *what, const char *user)
{
	struct redis		*r = q->w->r;
	struct redis_reply	*rep;
	char			*clean, *cause = NULL, at[32];

	clean = log_clean(user != NULL ? user : "-", strlen(user != NULL ?
	    user : "-"), WEBAUDIT_USER_MAX);
	log_info("web: %s user %s from %s", what, clean, q->peer);
	snprintf(at, sizeof at, "%lld", (long long)clock_now());
	if (r != NULL) {
		rep = redis_command(r, &cause, "XADD %sweb:audit MAXLEN ~ "
		    WEBAUDIT_MAXLEN " * what %s user %s peer %s at %s",
		    q->cf->redis_prefix, what, clean, q->peer, at);
		if (rep == NULL) {
			log_warn("web: cannot record %s: %s", what, cause);
			free(cause);
			redis_free(q->w->r);
			q->w->r = NULL;
		} else if (rep->type == REDIS_TYPE_ERROR)
			log_warn("web: cannot record %s: %s", what, rep->str);
		redis_reply_free(rep);
	}
	free(clean);
}
