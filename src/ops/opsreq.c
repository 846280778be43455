/*
 * opsreq.c - operator requests from the console, carried out by
 * closeloopd
 *
 * opsreq.h gives the stream, its fields and the result. A request
 * published is announced on the wake-up stream (wake.h); closeloopd then
 * reads the requests stream with XREADGROUP, without blocking; each
 * request is acknowledged and deleted once its result is written, so a
 * request is carried out at most once (one that was being carried out
 * when closeloopd died stays pending and is not done twice).
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "log.h"
#include "opsact.h"
#include "opsreq.h"
#include "redis.h"
#include "wake.h"
#include "xmalloc.h"

/* How many requests one turn takes. */
#define OPSREQ_BATCH	"16"

/* Return the key of the requests stream; the caller frees it. */
static char *
opsreq_key(const struct config *cf)
{
	return xasprintf("%sweb:requests", cf->redis_prefix);
}

/* Return the key of a request's result. */
char *
opsreq_result_key(const struct config *cf, const char *id)
{
	return xasprintf("%sweb:request:%s", cf->redis_prefix, id);
}

/* Publish a request. */
static int
opsreq_publish_with_cause(struct redis *r, const struct config *cf,
    const char *const *fields, char **id, char **cause)
{
	struct redis_reply	*reply;
	const char		**argv;
	char			*key, at[32];
	size_t			 n, k = 0;
	int			 rc = -1;

	*id = NULL;
	for (n = 0; fields[n] != NULL; n++)
		;
	argv = xcalloc(n + 10, sizeof *argv);
	key = opsreq_key(cf);
	snprintf(at, sizeof at, "%lld", (long long)clock_now());
	argv[k++] = "XADD";
	argv[k++] = key;
	argv[k++] = "MAXLEN";
	argv[k++] = "~";
	argv[k++] = OPSREQ_MAXLEN;
	argv[k++] = "*";
	argv[k++] = "at";
	argv[k++] = at;
	for (n = 0; fields[n] != NULL && fields[n + 1] != NULL; n += 2) {
		argv[k++] = fields[n];
		argv[k++] = fields[n + 1];
	}
	reply = redis_command_argv(r, cause, (int)k, argv, NULL);
	if (reply != NULL && reply->type == REDIS_TYPE_STRING) {
		*id = xstrdup(reply->str);
		rc = 0;
	} else if (reply != NULL)
		*cause = xasprintf("publishing the request: %s",
		    reply->str != NULL ? reply->str : "unexpected reply");
	redis_reply_free(reply);
	free(key);
	free(argv);
	/* The daemons block until told: tell them. */
	if (rc == 0 && wake_add(r, cf, "request", "console", cause) != 0)
		rc = -1;
	return rc;
}

/* Publish a request; cause may be NULL. */
int
opsreq_publish(struct redis *r, const struct config *cf,
    const char *const *fields, char **id, char **cause)
{
	char	*ignored = NULL;
	int	 rc;

	rc = opsreq_publish_with_cause(r, cf, fields, id,
	    cause != NULL ? cause : &ignored);
	free(ignored);
	return rc;
}

/* Create the stream and the group. */
static int
opsreq_setup_with_cause(struct redis *r, const struct config *cf,
    char **cause)
{
	struct redis_reply	*reply;
	char			*key;
	int			 rc = 0;

	key = opsreq_key(cf);
	reply = redis_command(r, cause, "XGROUP CREATE %s %s 0 MKSTREAM", key,
	    cf->redis_group);
	if (reply == NULL)
		rc = -1;
	else if (reply->type == REDIS_TYPE_ERROR &&
	    !redis_reply_is_error(reply, "BUSYGROUP")) {
		*cause = xasprintf("%s: %s", key, reply->str);
		rc = -1;
	}
	redis_reply_free(reply);
	free(key);
	return rc;
}

/* Create the stream and the group; cause may be NULL. */
int
opsreq_setup(struct redis *r, const struct config *cf, char **cause)
{
	char	*ignored = NULL;
	int	 rc;

	rc = opsreq_setup_with_cause(r, cf, cause != NULL ? cause : &ignored);
	free(ignored);
	return rc;
}

/*
 * Carry out one request and write its result; acknowledge and delete it.
 * Returns 0, or -1 with *cause if Redis failed.
 */
static int
opsreq_one(struct redis *r, const struct config *cf, const struct catalog *cat,
    const char *key, const char *id, const struct redis_reply *f,
    char **cause)
{
	struct redis_reply	*reply;
	const char		*action, *by, *at, *argv[14];
	char			*result = NULL, *rkey, done[32], keep[32];
	int			 ok = 0, rc = -1;

	action = redis_reply_field(f, "action");
	by = redis_reply_field(f, "by");
	at = redis_reply_field(f, "at");
	if (action == NULL || by == NULL || *by == '\0')
		result = xstrdup("the request names no action or no user");
	else if (at == NULL || clock_now() - strtoll(at, NULL, 10) >
	    OPSREQ_STALE_MS)
		result = xasprintf("not carried out: it waited more than %d "
		    "minutes (closeloopd was not running); ask again",
		    OPSREQ_STALE_MS / 60000);
	else
		ok = opsact_do(r, cf, cat, f, by, &result) == 0;
	log_write(ok ? LOG_LEVEL_NOTICE : LOG_LEVEL_WARNING, "console "
	    "request %s (%s by %s): %s", id, action != NULL ? action : "?",
	    by != NULL ? by : "?", result);
	rkey = opsreq_result_key(cf, id);
	snprintf(done, sizeof done, "%lld", (long long)clock_now());
	snprintf(keep, sizeof keep, "%d", OPSREQ_KEEP_SECONDS);
	argv[0] = "HSET";
	argv[1] = rkey;
	argv[2] = "action";
	argv[3] = action != NULL ? action : "?";
	argv[4] = "by";
	argv[5] = by != NULL ? by : "?";
	argv[6] = "state";
	argv[7] = ok ? "done" : "failed";
	argv[8] = "result";
	argv[9] = result;
	argv[10] = "at";
	argv[11] = done;
	if ((reply = redis_command_argv(r, cause, 12, argv, NULL)) == NULL)
		goto out;
	redis_reply_free(reply);
	if ((reply = redis_command(r, cause, "EXPIRE %s %s", rkey, keep)) ==
	    NULL)
		goto out;
	redis_reply_free(reply);
	if ((reply = redis_command(r, cause, "XACK %s %s %s", key,
	    cf->redis_group, id)) == NULL)
		goto out;
	redis_reply_free(reply);
	if ((reply = redis_command(r, cause, "XDEL %s %s", key, id)) == NULL)
		goto out;
	redis_reply_free(reply);
	rc = 0;
out:
	free(rkey);
	free(result);
	return rc;
}

/* Carry out the requests waiting. */
static int
opsreq_run_with_cause(struct redis *r, const struct config *cf,
    const struct catalog *cat, char **cause)
{
	struct redis_reply	*reply, *entries, *e;
	char			*key;
	size_t			 i;
	int			 n = 0;

	key = opsreq_key(cf);
	reply = redis_command(r, cause, "XREADGROUP GROUP %s %s COUNT "
	    OPSREQ_BATCH " STREAMS %s >", cf->redis_group, cf->redis_consumer,
	    key);
	if (reply == NULL) {
		free(key);
		return -1;
	}
	if (redis_reply_is_error(reply, "NOGROUP")) {
		redis_reply_free(reply);
		n = opsreq_setup(r, cf, cause);
		free(key);
		return n;
	}
	if (reply->type == REDIS_TYPE_ARRAY && reply->elements == 1 &&
	    reply->element[0]->elements == 2) {
		entries = reply->element[0]->element[1];
		for (i = 0; i < entries->elements; i++) {
			e = entries->element[i];
			if (e->elements != 2 || e->element[0]->str == NULL)
				continue;
			if (opsreq_one(r, cf, cat, key, e->element[0]->str,
			    e->element[1], cause) != 0) {
				n = -1;
				break;
			}
			n++;
		}
	} else if (reply->type == REDIS_TYPE_ERROR) {
		*cause = xasprintf("%s: %s", key, reply->str);
		n = -1;
	}
	redis_reply_free(reply);
	free(key);
	return n;
}

/* Carry out the requests waiting; cause may be NULL. */
int
opsreq_run(struct redis *r, const struct config *cf,
    const struct catalog *cat, char **cause)
{
	char	*ignored = NULL;
	int	 rc;

	rc = opsreq_run_with_cause(r, cf, cat, cause != NULL ? cause :
	    &ignored);
	free(ignored);
	return rc;
}
