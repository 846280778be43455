/*
 * backlog.c - what waits in the outbox and the dead letters, read for
 * operators
 *
 * A due set's members are due now if their score is at most now: they
 * are counted, and the first is the oldest; the rest wait, and the
 * first of those is the next. Each count is its own command, so that
 * one that fails leaves the others' figures.
 */
#include "build.h"

#include <stdlib.h>
#include <time.h>

#include "backlog.h"
#include "config.h"
#include "redis.h"
#include "rediszset.h"
#include "retry.h"
#include "xmalloc.h"

/* Return the score of the first member of a WITHSCORES reply, or 0. */
static int64_t
backlog_first(const struct redis_reply *reply)
{
	int64_t	at;

	if (reply == NULL || reply->type != REDIS_TYPE_ARRAY ||
	    reply->elements != 2 ||
	    rediszset_score(reply->element[1]->str, &at) != 0)
		return 0;
	return at;
}

/* Read what waits on one channel's due set. */
void
backlog_channel(struct redis *r, const struct config *cf, int channel,
    int64_t now, struct backlog_wait *w)
{
	struct redis_reply	*reply;
	char			*key;
	long long		 t = (long long)now;

	key = retry_queue_key(cf, channel);
	reply = redis_command(r, NULL, "ZCOUNT %s -inf %lld", key, t);
	w->due = reply != NULL && reply->type == REDIS_TYPE_INTEGER ?
	    reply->integer : -1;
	redis_reply_free(reply);
	reply = redis_command(r, NULL, "ZCOUNT %s (%lld +inf", key, t);
	w->later = reply != NULL && reply->type == REDIS_TYPE_INTEGER ?
	    reply->integer : -1;
	redis_reply_free(reply);
	reply = redis_command(r, NULL, "ZRANGEBYSCORE %s (%lld +inf "
	    "WITHSCORES LIMIT 0 1", key, t);
	w->next = backlog_first(reply);
	redis_reply_free(reply);
	w->oldest = 0;
	if (w->due > 0) {
		reply = redis_command(r, NULL, "ZRANGEBYSCORE %s -inf %lld "
		    "WITHSCORES LIMIT 0 1", key, t);
		w->oldest = backlog_first(reply);
		redis_reply_free(reply);
	}
	free(key);
}

/* Return the integer reply of a command, or -1. */
long long
backlog_count(struct redis *r, const char *fmt, const char *key)
{
	struct redis_reply	*reply;
	long long		 n;

	reply = redis_command(r, NULL, fmt, key);
	n = reply != NULL && reply->type == REDIS_TYPE_INTEGER ?
	    reply->integer : -1;
	redis_reply_free(reply);
	return n;
}

/* Read the first entries of the dead-letter stream. */
struct redis_reply *
backlog_dead(struct redis *r, const struct config *cf, size_t max,
    char **cause)
{
	struct redis_reply	*reply;

	if (max == 0)
		reply = redis_command(r, cause, "XRANGE %s - +",
		    cf->redis_dead_stream);
	else
		reply = redis_command(r, cause, "XRANGE %s - + COUNT %lld",
		    cf->redis_dead_stream, (long long)max);
	if (reply != NULL && reply->type != REDIS_TYPE_ARRAY) {
		if (cause != NULL)
			*cause = xstrdup(reply->type == REDIS_TYPE_ERROR ?
			    reply->str : "XRANGE answered no list");
		redis_reply_free(reply);
		return NULL;
	}
	return reply;
}

/* Return the time of a stream entry, in ms. */
int64_t
backlog_entry_ms(const char *id)
{
	return (int64_t)strtoll(id, NULL, 10);
}

/* Format the time of a stream entry id into buf. */
void
backlog_when(const char *id, char buf[32])
{
	struct tm	tm;
	time_t		t = (time_t)(backlog_entry_ms(id) / 1000);

	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
