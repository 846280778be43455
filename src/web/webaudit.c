/*
 * webaudit.c - the console's record of sign-ins and refusals
 *
 * webaudit.h gives the stream, which is the operators' record
 * (operator.h): its key, its cap and the longest name are that one's.
 * The user name is a staff account, not a resident's contact: it is
 * written as it is, cleaned of control characters for the log.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "log.h"
#include "operator.h"
#include "redis.h"
#include "webreq.h"
#include "webaudit.h"
#include "xmalloc.h"

/* Record a sign-in event. */
void
webaudit_note(struct webreq *q, const char *what, const char *user)
{
	struct redis		*r = q->w->r;
	struct redis_reply	*rep;
	char			*clean, *key, *cause = NULL, at[32];

	clean = log_clean(user != NULL ? user : "-", strlen(user != NULL ?
	    user : "-"), OPERATOR_MAX);
	log_info("web: %s user %s from %s", what, clean, q->peer);
	snprintf(at, sizeof at, "%lld", (long long)clock_now());
	if (r != NULL) {
		key = operator_stream(q->cf);
		rep = redis_command(r, &cause, "XADD %s MAXLEN ~ "
		    OPERATOR_STREAM_MAXLEN " * what %s user %s peer %s at %s",
		    key, what, clean, q->peer, at);
		free(key);
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
