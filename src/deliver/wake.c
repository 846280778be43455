/*
 * wake.c - the wake-up stream: how one process tells the daemons that
 * something may be due sooner than they think
 *
 * wake.h gives the stream and its entries. An entry carries no work,
 * only a reason to look again: a reader that misses one (the stream was
 * trimmed past it) loses nothing a look at the due sets does not find.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "redis.h"
#include "txn.h"
#include "wake.h"
#include "xmalloc.h"

/* Return the key of the stream. */
char *
wake_key(const struct config *cf)
{
	return xasprintf("%swake", cf->redis_prefix);
}

/* Fill argv with the XADD of an entry; returns the count. */
static int
wake_argv(const char **argv, const char *key, const char *what,
    const char *from)
{
	argv[0] = "XADD";
	argv[1] = key;
	argv[2] = "MAXLEN";
	argv[3] = "~";
	argv[4] = WAKE_MAXLEN;
	argv[5] = "*";
	argv[6] = "what";
	argv[7] = what;
	argv[8] = "from";
	argv[9] = from;
	return 10;
}

/* Queue an entry in a transaction. */
void
wake_queue(struct txn *tx, const struct config *cf, const char *what,
    const char *from)
{
	const char	*argv[10];
	char		*key;

	key = wake_key(cf);
	txn_queue(tx, wake_argv(argv, key, what, from), argv);
	free(key);
}

/* Add an entry now. */
int
wake_add(struct redis *r, const struct config *cf, const char *what,
    const char *from, char **cause)
{
	struct redis_reply	*reply;
	const char		*argv[10];
	char			*key;
	int			 rc = 0;

	key = wake_key(cf);
	reply = redis_command_argv(r, cause, wake_argv(argv, key, what, from),
	    argv, NULL);
	if (reply == NULL)
		rc = -1;
	else if (reply->type == REDIS_TYPE_ERROR) {
		if (cause != NULL)
			*cause = xasprintf("XADD %s: %s", key, reply->str);
		rc = -1;
	}
	redis_reply_free(reply);
	free(key);
	return rc;
}

/* Send the blocking read of the entries after last. */
int
wake_send_read(struct redis *r, const struct config *cf, const char *last,
    char **cause)
{
	const char	*argv[8];
	char		*key;
	int		 rc;

	key = wake_key(cf);
	argv[0] = "XREAD";
	argv[1] = "COUNT";
	argv[2] = "100";
	argv[3] = "BLOCK";
	argv[4] = "0";
	argv[5] = "STREAMS";
	argv[6] = key;
	argv[7] = last;
	rc = redis_send_argv(r, cause, 8, argv, NULL);
	free(key);
	return rc;
}

/* Fold one entry's fields into news, unless it is the reader's own. */
static void
wake_entry(const struct redis_reply *fields, const char *self,
    struct wake_news *news)
{
	const char	*what, *from;

	if (fields->type != REDIS_TYPE_ARRAY)
		return;
	what = redis_reply_field(fields, "what");
	from = redis_reply_field(fields, "from");
	/* A daemon's own reads tell it nothing. */
	if (what == NULL || (strcmp(what, "intake") == 0 && from != NULL &&
	    strcmp(from, self) == 0))
		return;
	if (strcmp(what, "outbox") == 0)
		news->outbox = 1;
	else if (strcmp(what, "pause") == 0)
		news->pause = 1;
	else if (strcmp(what, "request") == 0)
		news->request = 1;
	else if (strcmp(what, "intake") == 0)
		news->intake = 1;
	news->n++;
}

/* Read the reply to a blocking read of the stream. */
int
wake_parse(const struct redis_reply *reply, const char *self,
    struct wake_news *news, char *last, size_t size, char **cause)
{
	const struct redis_reply	*entries, *e;
	size_t				 i;

	memset(news, 0, sizeof *news);
	if (reply->type == REDIS_TYPE_NIL)
		return 0;
	if (reply->type != REDIS_TYPE_ARRAY || reply->elements != 1 ||
	    reply->element[0]->type != REDIS_TYPE_ARRAY ||
	    reply->element[0]->elements != 2 ||
	    reply->element[0]->element[1]->type != REDIS_TYPE_ARRAY) {
		if (cause != NULL)
			*cause = xasprintf("the wake-up stream: %s",
			    reply->str != NULL ? reply->str :
			    "unexpected reply to XREAD");
		return -1;
	}
	entries = reply->element[0]->element[1];
	for (i = 0; i < entries->elements; i++) {
		e = entries->element[i];
		if (e->type != REDIS_TYPE_ARRAY || e->elements != 2 ||
		    e->element[0]->str == NULL)
			continue;
		snprintf(last, size, "%s", e->element[0]->str);
		wake_entry(e->element[1], self, news);
	}
	return (int)news->n;
}
