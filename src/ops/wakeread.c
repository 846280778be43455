/*
 * wakeread.c - the main loop's read of the wake-up stream
 *
 * wakeread.h says how the loop uses it.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "redis.h"
#include "redisconn.h"
#include "wake.h"
#include "wakeread.h"
#include "xmalloc.h"

struct wakeread {
	struct redis	*r;
	int		 reading;	/* a read was sent, its reply not taken */
	char		 last[64];	/* the last id read; "$" at first */
};

/* Make a reader. */
struct wakeread *
wakeread_new(void)
{
	struct wakeread	*w;

	w = xcalloc(1, sizeof *w);
	snprintf(w->last, sizeof w->last, "$");
	return w;
}

/* Free a reader. */
void
wakeread_free(struct wakeread *w)
{
	if (w == NULL)
		return;
	redis_free(w->r);
	free(w);
}

/* Drop the connection. */
void
wakeread_drop(struct wakeread *w)
{
	redis_free(w->r);
	w->r = NULL;
	w->reading = 0;
}

/*
 * Start from the stream's last entry as it is now ("0-0" if it has
 * none), so that an entry added after this returns, and before it does
 * not, whatever the order in which Redis serves the connections.
 */
static int
wakeread_start(struct wakeread *w, const struct config *cf, char **cause)
{
	struct redis_reply	*reply;
	char			*key;

	key = wake_key(cf);
	reply = redis_command(w->r, cause, "XREVRANGE %s + - COUNT 1", key);
	free(key);
	if (reply == NULL)
		return -1;
	snprintf(w->last, sizeof w->last, "0-0");
	if (reply->type == REDIS_TYPE_ARRAY && reply->elements == 1 &&
	    reply->element[0]->elements == 2 &&
	    reply->element[0]->element[0]->str != NULL)
		snprintf(w->last, sizeof w->last, "%s",
		    reply->element[0]->element[0]->str);
	redis_reply_free(reply);
	return 0;
}

/* Make sure a blocking read is under way. */
int
wakeread_send(struct wakeread *w, const struct config *cf, char **cause)
{
	if (w->reading)
		return 0;
	if (w->r == NULL && (w->r = redisconn_open(cf, cause)) == NULL)
		return -1;
	if ((strcmp(w->last, "$") == 0 && wakeread_start(w, cf, cause) != 0) ||
	    wake_send_read(w->r, cf, w->last, cause) != 0) {
		wakeread_drop(w);
		return -1;
	}
	w->reading = 1;
	return 0;
}

/* Return the descriptor to poll. */
int
wakeread_fd(const struct wakeread *w)
{
	return w->reading ? redis_fd(w->r) : -1;
}

/* Take the reply that arrived. */
int
wakeread_take(struct wakeread *w, const char *self, struct wake_news *news,
    char **cause)
{
	struct redis_reply	*reply = NULL;
	int			 rc;

	memset(news, 0, sizeof *news);
	if (!w->reading)
		return 0;
	if ((rc = redis_receive(w->r, &reply, cause)) <= 0) {
		if (rc < 0)
			wakeread_drop(w);
		return rc;
	}
	w->reading = 0;
	rc = wake_parse(reply, self, news, w->last, sizeof w->last, cause);
	redis_reply_free(reply);
	if (rc < 0)
		wakeread_drop(w);
	return rc;
}
