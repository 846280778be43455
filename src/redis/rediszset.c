/*
 * rediszset.c - sorted sets scored by time: the due sets, the leases
 *
 * closeloop keeps what falls due later (held notices, notifications to
 * send or retry, leases, questions) in sorted sets scored by the time in
 * ms. These read them: a score into ms, the members due now, and the
 * time of the first.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>

#include "redis.h"
#include "rediszset.h"
#include "xmalloc.h"

/* Read a sorted set's score into milliseconds. */
int
rediszset_score(const char *s, int64_t *ms)
{
	char	*end;
	double	 v;
	int64_t	 t;

	if (s == NULL || *s == '\0')
		return -1;
	v = strtod(s, &end);
	/* v != v: not a number. The bounds keep the cast defined. */
	if (*end != '\0' || v != v || v < -9.2e18 || v > 9.2e18)
		return -1;
	t = (int64_t)v;
	if ((double)t > v)
		t--;
	*ms = t;
	return 0;
}

/* Return the members of a sorted set due at now. */
struct redis_reply *
rediszset_due(struct redis *r, const char *key, int64_t now, size_t max,
    const char *what, char **cause)
{
	struct redis_reply	*reply;
	char			 nowbuf[32], maxbuf[32];

	snprintf(nowbuf, sizeof nowbuf, "%lld", (long long)now);
	snprintf(maxbuf, sizeof maxbuf, "%zu", max);
	reply = redis_command(r, cause, "ZRANGEBYSCORE %s -inf %s LIMIT 0 %s",
	    key, nowbuf, maxbuf);
	if (reply != NULL && reply->type != REDIS_TYPE_ARRAY) {
		if (cause != NULL)
			*cause = xasprintf("reading %s: %s", what,
			    reply->str != NULL ? reply->str :
			    "unexpected reply");
		redis_reply_free(reply);
		return NULL;
	}
	return reply;
}

/* Learn when the first member of a sorted set is due. */
int
rediszset_head(struct redis *r, const char *key, int64_t *at, char **cause)
{
	struct redis_reply	*reply;

	*at = 0;
	reply = redis_command(r, cause, "ZRANGE %s 0 0 WITHSCORES", key);
	if (reply == NULL)
		return -1;
	if (reply->type == REDIS_TYPE_ARRAY && reply->elements == 2 &&
	    rediszset_score(reply->element[1]->str, at) != 0)
		*at = 0;
	redis_reply_free(reply);
	return 0;
}
