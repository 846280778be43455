/*
 * account.c - the console's local accounts in Redis
 *
 * account.h gives the keys. A password is never stored nor logged, only
 * its Argon2id hash; a wrong name and a wrong password take as long and
 * look the same to whoever signs in.
 */
#include "build.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "clock.h"
#include "config.h"
#include "password.h"
#include "redis.h"
#include "session.h"
#include "xmalloc.h"

#define ACCOUNT_NAME_MAX	64

/* Free an account. */
void
account_free(struct account *a)
{
	if (a == NULL)
		return;
	free(a->name);
	session_divisions_free(a->divisions, a->ndivisions);
	free(a);
}

/* Return 1 if name is a valid account name. */
int
account_name_ok(const char *name)
{
	const char	*p;

	if (name == NULL || *name == '\0' || strlen(name) > ACCOUNT_NAME_MAX)
		return 0;
	for (p = name; *p != '\0'; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) &&
		    strchr("._-@", *p) == NULL)
			return 0;
	return 1;
}

/* Return the key of account name. */
char *
account_key(const struct config *cf, const char *name)
{
	return xasprintf("%sweb:user:%s", cf->redis_prefix, name);
}

/* Add an account. */
int
account_add(struct redis *r, const struct config *cf, const struct account *a,
    const char *password, char **cause)
{
	struct redis_reply	*rep;
	char			*key = NULL, *hash = NULL, *divs = NULL;
	char			 now[32];
	int			 rc = -1;

	if (!account_name_ok(a->name)) {
		*cause = xasprintf("\"%s\" is not a valid name (1 to %d of "
		    "a-z, 0-9, '.', '_', '-' and '@')", a->name,
		    ACCOUNT_NAME_MAX);
		return -1;
	}
	if ((hash = password_hash(password, cause)) == NULL)
		return -1;
	key = account_key(cf, a->name);
	divs = session_divisions_join(a->divisions, a->ndivisions);
	snprintf(now, sizeof now, "%lld", (long long)clock_now());
	rep = redis_command(r, cause, "HSETNX %s hash %s", key, hash);
	if (rep == NULL)
		goto fail;
	if (rep->type != REDIS_TYPE_INTEGER || rep->integer != 1) {
		*cause = xasprintf("there is already an account \"%s\"",
		    a->name);
		redis_reply_free(rep);
		goto fail;
	}
	redis_reply_free(rep);
	if (redis_done(redis_command(r, cause, "HSET %s role %s divisions %s "
	    "created %s changed %s", key, role_name(a->role), divs, now, now),
	    cause) != 0 ||
	    redis_done(redis_command(r, cause, "SADD %sweb:users %s",
	    cf->redis_prefix, a->name), cause) != 0)
		goto fail;
	rc = 0;
fail:
	free(key);
	free(divs);
	free(hash);
	return rc;
}

/* Return 1 if account name exists, 0 if not, -1 if Redis failed. */
static int
account_exists(struct redis *r, const struct config *cf, const char *name,
    char **cause)
{
	struct redis_reply	*rep;
	char			*key = account_key(cf, name);
	int			 rc;

	rep = redis_command(r, cause, "EXISTS %s", key);
	free(key);
	if (rep == NULL)
		return -1;
	rc = rep->type == REDIS_TYPE_INTEGER && rep->integer == 1;
	redis_reply_free(rep);
	if (!rc)
		*cause = xasprintf("there is no account \"%s\"", name);
	return rc;
}

/* Set an account's password and end its sessions. */
int
account_passwd(struct redis *r, const struct config *cf, const char *name,
    const char *password, char **cause)
{
	char	*key, *hash;
	char	 now[32];
	int	 rc;

	if (account_exists(r, cf, name, cause) != 1)
		return -1;
	if ((hash = password_hash(password, cause)) == NULL)
		return -1;
	key = account_key(cf, name);
	snprintf(now, sizeof now, "%lld", (long long)clock_now());
	rc = redis_done(redis_command(r, cause, "HSET %s hash %s changed %s",
	    key, hash, now), cause);
	free(key);
	free(hash);
	if (rc == 0)
		rc = session_end_user(r, cf, name, cause);
	return rc;
}

/* Delete an account and end its sessions. */
int
account_del(struct redis *r, const struct config *cf, const char *name,
    char **cause)
{
	char	*key;
	int	 rc;

	if (account_exists(r, cf, name, cause) != 1)
		return -1;
	key = account_key(cf, name);
	rc = redis_done(redis_command(r, cause, "DEL %s", key), cause);
	free(key);
	if (rc == 0)
		rc = redis_done(redis_command(r, cause, "SREM %sweb:users %s",
		    cf->redis_prefix, name), cause);
	if (rc == 0)
		rc = session_end_user(r, cf, name, cause);
	return rc;
}

/* Read an account's fields from an HGETALL reply. */
static struct account *
account_read(const char *name, const struct redis_reply *rep)
{
	struct account	*a;
	const char	*v;

	a = xcalloc(1, sizeof *a);
	a->name = xstrdup(name);
	a->role = role_parse(redis_reply_field(rep, "role"));
	session_divisions(redis_reply_field(rep, "divisions"), &a->divisions,
	    &a->ndivisions);
	if ((v = redis_reply_field(rep, "created")) != NULL)
		a->created = strtoll(v, NULL, 10);
	if ((v = redis_reply_field(rep, "changed")) != NULL)
		a->changed = strtoll(v, NULL, 10);
	return a;
}

/* Read an account. */
int
account_get(struct redis *r, const struct config *cf, const char *name,
    struct account **out, char **hash, char **cause)
{
	struct redis_reply	*rep;
	const char		*h;
	char			*key;

	*out = NULL;
	if (hash != NULL)
		*hash = NULL;
	if (!account_name_ok(name))
		return 0;
	key = account_key(cf, name);
	rep = redis_command(r, cause, "HGETALL %s", key);
	free(key);
	if (rep == NULL)
		return -1;
	if (rep->type == REDIS_TYPE_ARRAY && rep->elements > 0 &&
	    (h = redis_reply_field(rep, "hash")) != NULL) {
		*out = account_read(name, rep);
		if (hash != NULL)
			*hash = xstrdup(h);
	}
	redis_reply_free(rep);
	return 0;
}

/* Order accounts by name. */
static int
account_cmp(const void *a, const void *b)
{
	const struct account *const	*x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/* Read every account. */
int
account_list(struct redis *r, const struct config *cf, struct account ***out,
    size_t *n, char **cause)
{
	struct redis_reply	*rep;
	struct account		*a;
	size_t			 i;

	*out = NULL;
	*n = 0;
	rep = redis_command(r, cause, "SMEMBERS %sweb:users",
	    cf->redis_prefix);
	if (rep == NULL)
		return -1;
	for (i = 0; rep->type == REDIS_TYPE_ARRAY && i < rep->elements; i++) {
		if (account_get(r, cf, rep->element[i]->str, &a, NULL,
		    cause) != 0) {
			redis_reply_free(rep);
			return -1;
		}
		if (a == NULL)
			continue;
		*out = xreallocarray(*out, *n + 1, sizeof **out);
		(*out)[(*n)++] = a;
	}
	redis_reply_free(rep);
	if (*n > 1)
		qsort(*out, *n, sizeof **out, account_cmp);
	return 0;
}

/* Check a name and password. */
int
account_check(struct redis *r, const struct config *cf, const char *name,
    const char *password, struct account **out, char **cause)
{
	struct account	*a;
	char		*hash;

	*out = NULL;
	if (account_get(r, cf, name, &a, &hash, cause) != 0)
		return -1;
	if (!password_check(hash, password) || a == NULL) {
		account_free(a);
		free(hash);
		return 0;
	}
	free(hash);
	*out = a;
	return 1;
}
