/*
 * suppress.c - email addresses closeloop no longer sends to
 *
 * suppress.h gives the keys. An address is added in the transaction of
 * the outcome that proved it bad, so the list never misses a bounce
 * that the trail shows.
 */
#include "build.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "digest.h"
#include "event.h"
#include "operator.h"
#include "redis.h"
#include "suppress.h"
#include "txn.h"
#include "xmalloc.h"

/* Write the HASH of an address. */
void
suppress_hash(const char *address, char out[DIGEST_SHA1_HEX_LEN + 1])
{
	char	*lower;
	size_t	 i, len = strlen(address);

	lower = xstrdup(address);
	for (i = 0; i < len; i++)
		lower[i] = (char)tolower((unsigned char)lower[i]);
	digest_sha1(lower, len, out);
	free(lower);
}

/* Queue the suppression of an address. */
void
suppress_queue(struct txn *tx, const struct config *cf, const char *address,
    const char *reason, const char *reply, const char *sr, const char *id,
    const char *by, int64_t now)
{
	const char	*argv[18];
	char		*key, *set, *masked, hash[DIGEST_SHA1_HEX_LEN + 1];
	char		 at[32];

	suppress_hash(address, hash);
	key = xasprintf("%ssuppressed:email:%s", cf->redis_prefix, hash);
	set = xasprintf("%ssuppressed:email", cf->redis_prefix);
	masked = event_mask_contact(EVENT_CHANNEL_EMAIL, address);
	snprintf(at, sizeof at, "%lld", (long long)now);
	argv[0] = "HSET";
	argv[1] = key;
	argv[2] = "to";
	argv[3] = masked;
	argv[4] = "reason";
	argv[5] = reason;
	argv[6] = "reply";
	argv[7] = reply != NULL ? reply : "";
	argv[8] = "at";
	argv[9] = at;
	argv[10] = "sr";
	argv[11] = sr != NULL ? sr : "";
	argv[12] = "notification";
	argv[13] = id != NULL ? id : "";
	argv[14] = "by";
	argv[15] = by;
	txn_queue(tx, 16, argv);
	argv[0] = "ZADD";
	argv[1] = set;
	argv[2] = at;
	argv[3] = hash;
	txn_queue(tx, 4, argv);
	free(masked);
	free(set);
	free(key);
}

/* Copy a field of a listed entry, or "". */
static char *
suppress_field(const struct redis_reply *f, const char *name)
{
	const char	*v = redis_reply_field(f, name);

	return xstrdup(v != NULL ? v : "");
}

/* Set *cause to what Redis answered about key instead of the list. */
static void
suppress_refused(const char *key, const struct redis_reply *reply,
    char **cause)
{
	if (cause != NULL)
		*cause = xasprintf("%s: %s", key, reply->str != NULL ?
		    reply->str : "unexpected reply");
}

/* List the suppressed addresses. */
long long
suppress_list(struct redis *r, const struct config *cf, size_t max,
    struct suppress_entry **list, size_t *n, char **cause)
{
	struct redis_reply	*ids = NULL, *f;
	struct suppress_entry	*e;
	char			*set, stop[32];
	long long		 total = -1;
	size_t			 i;

	*list = NULL;
	*n = 0;
	set = xasprintf("%ssuppressed:email", cf->redis_prefix);
	snprintf(stop, sizeof stop, "%lld", max > 0 ? (long long)max - 1 :
	    -1LL);
	if ((f = redis_command(r, cause, "ZCARD %s", set)) == NULL)
		goto fail;
	if (f->type != REDIS_TYPE_INTEGER) {
		suppress_refused(set, f, cause);
		redis_reply_free(f);
		goto fail;
	}
	total = f->integer;
	redis_reply_free(f);
	ids = redis_command(r, cause, "ZREVRANGE %s 0 %s WITHSCORES", set,
	    stop);
	if (ids == NULL || ids->type != REDIS_TYPE_ARRAY) {
		if (ids != NULL)
			suppress_refused(set, ids, cause);
		total = -1;
		goto fail;
	}
	*list = xcalloc(ids->elements / 2 + 1, sizeof **list);
	for (i = 0; i + 1 < ids->elements; i += 2) {
		f = redis_command(r, cause, "HGETALL %ssuppressed:email:%s",
		    cf->redis_prefix, ids->element[i]->str);
		if (f == NULL) {
			total = -1;
			goto fail;
		}
		e = &(*list)[(*n)++];
		snprintf(e->hash, sizeof e->hash, "%s", ids->element[i]->str);
		e->to = suppress_field(f, "to");
		e->reason = suppress_field(f, "reason");
		e->reply = suppress_field(f, "reply");
		e->sr = suppress_field(f, "sr");
		e->notification = suppress_field(f, "notification");
		e->by = suppress_field(f, "by");
		e->at = strtoll(ids->element[i + 1]->str, NULL, 10);
		redis_reply_free(f);
	}
fail:
	redis_reply_free(ids);
	free(set);
	if (total < 0) {
		suppress_list_free(*list, *n);
		*list = NULL;
		*n = 0;
	}
	return total;
}

/* Free a list. */
void
suppress_list_free(struct suppress_entry *list, size_t n)
{
	size_t	i;

	for (i = 0; list != NULL && i < n; i++) {
		free(list[i].to);
		free(list[i].reason);
		free(list[i].reply);
		free(list[i].sr);
		free(list[i].notification);
		free(list[i].by);
	}
	free(list);
}

/* Return 1 if s is a HASH as listed: 40 lower-case hex digits. */
static int
suppress_is_hash(const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++) {
		if (!isdigit((unsigned char)s[i]) && (s[i] < 'a' || s[i] > 'f'))
			return 0;
	}
	return i == DIGEST_SHA1_HEX_LEN;
}

/* Let an address off the list. */
int
suppress_clear(struct redis *r, const struct config *cf,
    const char *address_or_hash, const char *by, int64_t now, char **cause)
{
	struct redis_reply	*reply;
	struct txn		 tx;
	const char		*argv[3];
	char			*key, *set, *detail;
	char			 hash[DIGEST_SHA1_HEX_LEN + 1];
	int			 was, rc = -1;

	if (suppress_is_hash(address_or_hash))
		snprintf(hash, sizeof hash, "%s", address_or_hash);
	else
		suppress_hash(address_or_hash, hash);
	key = xasprintf("%ssuppressed:email:%s", cf->redis_prefix, hash);
	set = xasprintf("%ssuppressed:email", cf->redis_prefix);
	if ((reply = redis_command(r, cause, "EXISTS %s", key)) == NULL)
		goto fail;
	was = reply->type == REDIS_TYPE_INTEGER && reply->integer == 1;
	redis_reply_free(reply);
	detail = xasprintf("email address %s let off the suppression list%s",
	    hash, was ? "" : " (it was not on it)");
	txn_begin(&tx, r);
	argv[0] = "DEL";
	argv[1] = key;
	txn_queue(&tx, 2, argv);
	argv[0] = "ZREM";
	argv[1] = set;
	argv[2] = hash;
	txn_queue(&tx, 3, argv);
	operator_queue(&tx, cf, "unsuppress", by, detail, now);
	free(detail);
	if (txn_exec(&tx, "(suppression list)", cause) != 1)
		goto fail;
	rc = was;
fail:
	free(set);
	free(key);
	return rc;
}
