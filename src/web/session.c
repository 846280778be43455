/*
 * session.c - the console's sessions in Redis
 *
 * session.h gives the keys. The idle end is the key's expiry, pushed on
 * at each use; the absolute end is checked against the time the session
 * was made. The session's id never reaches Redis, the log or a URL: only
 * the cookie carries it.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "digest.h"
#include "redis.h"
#include "session.h"
#include "xmalloc.h"

/* Split a comma-separated list of division codes. */
void
session_divisions(const char *list, char ***out, size_t *n)
{
	const char	*p = list, *e;

	*out = NULL;
	*n = 0;
	while (p != NULL && *p != '\0') {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		if (e > p) {
			*out = xreallocarray(*out, *n + 1, sizeof **out);
			(*out)[(*n)++] = xstrndup(p, (size_t)(e - p));
		}
		p = *e == ',' ? e + 1 : e;
	}
}

/* Join division codes with commas. */
char *
session_divisions_join(char *const *list, size_t n)
{
	char	*s = xstrdup(""), *old;
	size_t	 i;

	for (i = 0; i < n; i++) {
		old = s;
		s = xasprintf("%s%s%s", old, i > 0 ? "," : "", list[i]);
		free(old);
	}
	return s;
}

/* Free an array of division codes. */
void
session_divisions_free(char **list, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

/* Return the key of the session named id; the caller frees it. */
static char *
session_key(const struct config *cf, const char *id)
{
	char	 hash[DIGEST_HEX_LEN + 1];

	digest_sha256(id, strlen(id), hash);
	return xasprintf("%sweb:session:%s", cf->redis_prefix, hash);
}

/* Return the key of user's set of sessions; the caller frees it. */
static char *
session_user_key(const struct config *cf, const char *user)
{
	return xasprintf("%sweb:sessions:%s", cf->redis_prefix, user);
}

/* Start a session. */
int
session_new(struct redis *r, const struct config *cf, const char *user,
    enum role role, char *const *divisions, size_t ndivisions,
    char id[SESSION_ID_LEN + 1], char **cause)
{
	char	 csrf[SESSION_CSRF_LEN + 1], now[32], idle[32], max[32];
	char	*key = NULL, *ukey = NULL, *divs;
	int	 rc = -1;

	divs = session_divisions_join(divisions, ndivisions);
	if (digest_random_hex(id, SESSION_ID_LEN / 2) != 0 ||
	    digest_random_hex(csrf, SESSION_CSRF_LEN / 2) != 0) {
		*cause = xstrdup("no random bytes for a session");
		goto fail;
	}
	key = session_key(cf, id);
	ukey = session_user_key(cf, user);
	snprintf(now, sizeof now, "%lld", (long long)clock_now());
	snprintf(idle, sizeof idle, "%lld",
	    (long long)cf->web_session_idle_minutes * 60);
	snprintf(max, sizeof max, "%lld",
	    (long long)cf->web_session_max_hours * 3600);
	if (redis_done(redis_command(r, cause, "HSET %s user %s role %s "
	    "divisions %s csrf %s created %s", key, user, role_name(role),
	    divs, csrf, now), cause) != 0 ||
	    redis_done(redis_command(r, cause, "EXPIRE %s %s", key, idle),
	    cause) != 0 ||
	    redis_done(redis_command(r, cause, "SADD %s %s", ukey,
	    key + strlen(key) - DIGEST_HEX_LEN), cause) != 0 ||
	    redis_done(redis_command(r, cause, "EXPIRE %s %s", ukey, max),
	    cause) != 0)
		goto fail;
	rc = 0;
fail:
	free(key);
	free(ukey);
	free(divs);
	return rc;
}

/* Read a session's fields from an HGETALL reply. */
static struct session *
session_read(const struct redis_reply *rep)
{
	struct session	*s;
	const char	*v;

	s = xcalloc(1, sizeof *s);
	v = redis_reply_field(rep, "user");
	s->user = xstrdup(v != NULL ? v : "");
	s->role = role_parse(redis_reply_field(rep, "role"));
	session_divisions(redis_reply_field(rep, "divisions"), &s->divisions,
	    &s->ndivisions);
	v = redis_reply_field(rep, "csrf");
	snprintf(s->csrf, sizeof s->csrf, "%s", v != NULL ? v : "");
	if ((v = redis_reply_field(rep, "created")) != NULL)
		s->created = strtoll(v, NULL, 10);
	return s;
}

/* Find a session and push its idle end on. */
int
session_get(struct redis *r, const struct config *cf, const char *id,
    struct session **out, char **cause)
{
	struct redis_reply	*rep;
	struct session		*s = NULL;
	char			*key;
	int			 rc = -1;

	*out = NULL;
	if (id == NULL || strlen(id) != SESSION_ID_LEN)
		return 0;
	key = session_key(cf, id);
	if ((rep = redis_command(r, cause, "HGETALL %s", key)) == NULL)
		goto fail;
	if (rep->type == REDIS_TYPE_ARRAY && rep->elements > 0)
		s = session_read(rep);
	redis_reply_free(rep);
	if (s != NULL && (s->role == ROLE_NONE || strlen(s->csrf) !=
	    SESSION_CSRF_LEN || s->created + cf->web_session_max_hours *
	    3600000 <= clock_now())) {
		session_free(s);	/* over, or damaged */
		s = NULL;
		if (redis_done(redis_command(r, cause, "DEL %s", key),
		    cause) != 0)
			goto fail;
	}
	if (s != NULL && redis_done(redis_command(r, cause, "EXPIRE %s %lld",
	    key, (long long)cf->web_session_idle_minutes * 60), cause) != 0)
		goto fail;
	*out = s;
	s = NULL;
	rc = 0;
fail:
	session_free(s);
	free(key);
	return rc;
}

/* End a session. */
int
session_end(struct redis *r, const struct config *cf, const char *id,
    char **cause)
{
	char	*key;
	int	 rc;

	if (id == NULL || strlen(id) != SESSION_ID_LEN)
		return 0;
	key = session_key(cf, id);
	rc = redis_done(redis_command(r, cause, "DEL %s", key), cause);
	free(key);
	return rc;
}

/* End every session of a user. */
int
session_end_user(struct redis *r, const struct config *cf, const char *user,
    char **cause)
{
	struct redis_reply	*rep;
	char			*ukey, *key;
	size_t			 i;
	int			 rc = -1;

	ukey = session_user_key(cf, user);
	if ((rep = redis_command(r, cause, "SMEMBERS %s", ukey)) == NULL)
		goto fail;
	for (i = 0; rep->type == REDIS_TYPE_ARRAY && i < rep->elements; i++) {
		key = xasprintf("%sweb:session:%s", cf->redis_prefix,
		    rep->element[i]->str);
		if (redis_done(redis_command(r, cause, "DEL %s", key),
		    cause) != 0) {
			free(key);
			redis_reply_free(rep);
			goto fail;
		}
		free(key);
	}
	redis_reply_free(rep);
	rc = redis_done(redis_command(r, cause, "DEL %s", ukey), cause);
fail:
	free(ukey);
	return rc;
}

/* Return 1 if the session may see a division's SRs and counts. */
int
session_sees(const struct session *s, const char *division)
{
	size_t	 i;

	if (s->role != ROLE_DIVISION)
		return 1;
	for (i = 0; division != NULL && i < s->ndivisions; i++)
		if (strcmp(s->divisions[i], division) == 0)
			return 1;
	return 0;
}

/* Free a session. */
void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	free(s->user);
	session_divisions_free(s->divisions, s->ndivisions);
	free(s);
}
