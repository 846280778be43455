/*
 * serverlink.c - closeloopd's main loop's connections to Redis
 *
 * Three: one for commands, which never blocks; one for the blocking read
 * of the events stream; one for the blocking read of the wake-up stream
 * (wakeread.h). They are made and dropped together: a failure of any is
 * a failure of Redis, retried by the loop with capped exponential
 * backoff, and each change between reachable and unreachable is logged
 * once, not each attempt. Once connected again, the loop looks at
 * everything once: what fell due while away, the chores, the claims.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "backoff.h"
#include "chores.h"
#include "clock.h"
#include "config.h"
#include "deliver.h"
#include "log.h"
#include "opsreq.h"
#include "redis.h"
#include "redisconn.h"
#include "sdnotify.h"
#include "serverint.h"
#include "stream.h"
#include "wakeread.h"
#include "xmalloc.h"

/* Close the three connections; the loop connects again. */
void
serverlink_drop(struct server *sv)
{
	redis_free(sv->r);
	sv->r = NULL;
	redis_free(sv->rr);
	sv->rr = NULL;
	sv->reading = 0;
	wakeread_drop(sv->wake);
}

/*
 * Drop the Redis connection after a failure. The change from reachable to
 * unreachable is logged once; later attempts that fail differently are
 * logged at debug level only.
 */
void
serverlink_lost(struct server *sv, char *cause)
{
	const char	*why = cause != NULL ? cause : "unknown error";

	if (sv->link != SERVER_LINK_DOWN) {
		log_err("redis unavailable: %s; retrying in the background",
		    why);
		sdnotify_send("STATUS=waiting for redis: %s", why);
	} else if (sv->last_cause == NULL || strcmp(sv->last_cause, why) != 0)
		log_debug("redis still unavailable: %s", why);
	free(sv->last_cause);
	sv->last_cause = xstrdup(why);
	free(cause);
	sv->link = SERVER_LINK_DOWN;
	serverlink_drop(sv);
}

/* Connect to Redis and set up the group; 0 on success. */
int
serverlink_connect(struct server *sv)
{
	char	*cause = NULL;

	sv->attempts++;
	sv->r = redisconn_open(sv->cf, &cause);
	if (sv->r == NULL || stream_setup(sv->s, sv->r, &cause) != 0 ||
	    opsreq_setup(sv->r, sv->cf, &cause) != 0 ||
	    (sv->rr = redisconn_open(sv->cf, &cause)) == NULL ||
	    wakeread_send(sv->wake, sv->cf, &cause) != 0) {
		serverlink_lost(sv, cause);
		return -1;
	}
	if (sv->link == SERVER_LINK_DOWN)
		log_notice("redis %s reachable again after %lu attempts",
		    redis_where(sv->r), sv->attempts);
	else
		log_info("connected to redis %s", redis_where(sv->r));
	log_info("reading %s as consumer %s of group %s", sv->cf->redis_stream,
	    sv->cf->redis_consumer, sv->cf->redis_group);
	sdnotify_send("STATUS=reading %s", sv->cf->redis_stream);
	sv->link = SERVER_LINK_UP;
	sv->attempts = 0;
	free(sv->last_cause);
	sv->last_cause = NULL;
	backoff_reset(&sv->bo);
	sv->next_claim = clock_ms();
	sv->next_due = 1;	/* release what fell due while away, */
	sv->caught_up = 0;	/* once what arrived meanwhile is read */
	/* Whatever was said while away: look at everything once. */
	memset(&sv->chores, 0, sizeof sv->chores);
	chores_fold(&sv->chores);
	chores_requests(&sv->chores);
	deliver_kick(sv->deliver);
	return 0;
}
