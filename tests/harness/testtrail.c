/*
 * testtrail.c - the last entries of the trails, read back
 *
 * Streams are read with XREVRANGE COUNT 1 and XLEN, by words
 * (redis_command_argv()), so keys need no quoting.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audit.h"
#include "operator.h"
#include "redis.h"
#include "testtrail.h"
#include "xmalloc.h"

/* Return a field of a stream's last entry. */
char *
testtrail_field(struct redis *r, const char *key, const char *field)
{
	struct redis_reply	*reply;
	const char		*argv[6] = { "XREVRANGE", key, "+", "-",
				    "COUNT", "1" };
	const char		*v;
	char			*cause = NULL, *out = NULL;

	if ((reply = redis_command_argv(r, &cause, 6, argv, NULL)) == NULL)
		fail_msg("XREVRANGE %s: %s", key, cause);
	assert_int_equal(reply->type, REDIS_TYPE_ARRAY);
	if (reply->elements == 1 && reply->element[0]->elements == 2 &&
	    (v = redis_reply_field(reply->element[0]->element[1], field)) !=
	    NULL)
		out = xstrdup(v);
	redis_reply_free(reply);
	return out;
}

/* Return the id of a stream's i-th entry. */
char *
testtrail_entry(struct redis *r, const char *key, size_t i)
{
	struct redis_reply	*reply;
	const char		*argv[4] = { "XRANGE", key, "-", "+" };
	char			*cause = NULL, *id;

	if ((reply = redis_command_argv(r, &cause, 4, argv, NULL)) == NULL)
		fail_msg("XRANGE %s: %s", key, cause);
	assert_int_equal(reply->type, REDIS_TYPE_ARRAY);
	if (i >= reply->elements)
		fail_msg("%s has %zu entries, not %zu", key, reply->elements,
		    i + 1);
	id = xstrdup(reply->element[i]->element[0]->str);
	redis_reply_free(reply);
	return id;
}

/* Return how many entries a stream holds. */
long long
testtrail_len(struct redis *r, const char *key)
{
	struct redis_reply	*reply;
	const char		*argv[2] = { "XLEN", key };
	char			*cause = NULL;
	long long		 n;

	if ((reply = redis_command_argv(r, &cause, 2, argv, NULL)) == NULL)
		fail_msg("XLEN %s: %s", key, cause);
	assert_int_equal(reply->type, REDIS_TYPE_INTEGER);
	n = reply->integer;
	redis_reply_free(reply);
	return n;
}

/* Assert a field of a stream's last entry. */
static void
testtrail_is(struct redis *r, char *key, const char *field, const char *want)
{
	char	*v = testtrail_field(r, key, field);

	if (v == NULL)
		fail_msg("%s: the last entry has no %s (want \"%s\")", key,
		    field, want);
	if (strcmp(v, want) != 0)
		fail_msg("%s: the last entry's %s is \"%s\", not \"%s\"", key,
		    field, v, want);
	free(v);
	free(key);
}

/* Assert that the detail of a stream's last entry has part; frees key. */
static void
testtrail_has(struct redis *r, char *key, const char *part)
{
	char	*v = testtrail_field(r, key, "detail");

	if (v == NULL)
		fail_msg("%s: the last entry has no detail", key);
	if (strstr(v, part) == NULL)
		fail_msg("%s: \"%s\" does not say \"%s\"", key, v, part);
	free(v);
	free(key);
}

/* Assert a field of the last entry of an SR's trail. */
void
testtrail_sr_is(struct redis *r, const struct config *cf, const char *sr,
    const char *field, const char *want)
{
	testtrail_is(r, audit_sr_key(cf, sr), field, want);
}

/* Assert a field of the last entry of the operators' record. */
void
testtrail_ops_is(struct redis *r, const struct config *cf, const char *field,
    const char *want)
{
	testtrail_is(r, operator_stream(cf), field, want);
}

/* Assert what the last entry of an SR's trail says. */
void
testtrail_sr_has(struct redis *r, const struct config *cf, const char *sr,
    const char *part)
{
	testtrail_has(r, audit_sr_key(cf, sr), part);
}

/* Assert what the last line of the operators' record says. */
void
testtrail_ops_has(struct redis *r, const struct config *cf, const char *part)
{
	testtrail_has(r, operator_stream(cf), part);
}

/* Count an SR's trail. */
long long
testtrail_sr_len(struct redis *r, const struct config *cf, const char *sr)
{
	char		*key = audit_sr_key(cf, sr);
	long long	 n = testtrail_len(r, key);

	free(key);
	return n;
}

/* Count the operators' record. */
long long
testtrail_ops_len(struct redis *r, const struct config *cf)
{
	char		*key = operator_stream(cf);
	long long	 n = testtrail_len(r, key);

	free(key);
	return n;
}
