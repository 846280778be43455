/*
 * history.c - "closeloop history": what closeloop decided about an SR
 *
 * Reads the SR's audit stream (store.h) and prints one line per
 * decision, for the division staff who check what a resident was told,
 * and why or why not.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "config.h"
#include "history.h"
#include "redis.h"
#include "store.h"
#include "syntax.h"
#include "xmalloc.h"

/* Return the value of a field of an entry, or "-". */
static const char *
history_field(const struct redis_reply *fields, const char *name)
{
	const char	*v = redis_reply_field(fields, name);

	return v != NULL ? v : "-";
}

/* Print one audit entry as a line. */
static void
history_print(const struct redis_reply *fields)
{
	struct tm	tm;
	time_t		t;
	char		when[32];

	t = (time_t)(strtoll(history_field(fields, "at"), NULL, 10) / 1000);
	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("%s %-12s %-17s %-24s %-6s %s\n", when,
	    history_field(fields, "decision"), history_field(fields, "notice"),
	    history_field(fields, "rule"), history_field(fields, "division"),
	    history_field(fields, "detail"));
}

/* Print the decisions recorded about an SR. */
int
history_run(const struct config *cf, const char *sr)
{
	struct redis		*r;
	struct redis_reply	*reply;
	const char		*why;
	char			*key, *cause = NULL;
	size_t			 i;

	if (syntax_sr(sr, &why) != 0) {
		fprintf(stderr, "closeloop history: SR \"%s\": %s\n", sr, why);
		return EX_DATAERR;
	}
	if ((r = redis_connect(cf, &cause)) == NULL) {
		fprintf(stderr, "closeloop history: %s\n", cause);
		free(cause);
		return EX_UNAVAILABLE;
	}
	key = store_audit_key(cf, sr);
	reply = redis_command(r, &cause, "XRANGE %s - +", key);
	free(key);
	if (reply == NULL || reply->type != REDIS_TYPE_ARRAY) {
		fprintf(stderr, "closeloop history: %s\n", reply == NULL ?
		    cause : reply->str != NULL ? reply->str :
		    "unexpected reply");
		free(cause);
		redis_reply_free(reply);
		redis_free(r);
		return EX_UNAVAILABLE;
	}
	if (reply->elements == 0)
		printf("SR %s: no decisions recorded (unknown SR, or its "
		    "records expired)\n", sr);
	for (i = 0; i < reply->elements; i++) {
		if (reply->element[i]->elements == 2)
			history_print(reply->element[i]->element[1]);
	}
	redis_reply_free(reply);
	redis_free(r);
	return 0;
}
