/*
 * sentinel.c - finding the Redis master through Redis Sentinel
 *
 * Each connection asks the sentinels of redis.sentinels in turn, always
 * in the order of the configuration, with
 *
 *	SENTINEL get-master-addr-by-name NAME	->	[ IP, PORT ]
 *
 * and stops at the first that names an address where a master answers:
 * the server there must say "master" to ROLE after the login. During a
 * failover a sentinel may still name the old master, which the sentinels
 * turn into a replica once they reach it again: that server answers
 * "slave" and is passed over, as is one that cannot be reached. Each
 * address is tried once per connection, however many sentinels name it.
 *
 * A failover reaches closeloop as a lost connection: the old master
 * closes its clients when it becomes a replica, or answers READONLY,
 * which redis.c takes for a lost connection. The callers connect again
 * with their usual backoff, which comes back here and finds the new
 * master.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "redis.h"
#include "redisurl.h"
#include "sentinel.h"
#include "xmalloc.h"

/* The addresses tried during one connection, and what each gave. */
struct sentinel_tried {
	char	*addr[CONFIG_SENTINELS_MAX];
	char	*why[CONFIG_SENTINELS_MAX];	/* NULL: not a failure */
	size_t	 n;
};

/* Return host and port as text, "[::1]:26379" or "h:26379"; freed by caller. */
static char *
sentinel_addr(const char *host, int port)
{
	if (strchr(host, ':') != NULL)
		return xasprintf("[%s]:%d", host, port);
	return xasprintf("%s:%d", host, port);
}

/*
 * Ask the sentinel s where the master is. Returns 0 with *host (which the
 * caller frees) and *port set, or -1 with *why set.
 */
static int
sentinel_ask(const struct config *cf, const struct redisurl *s, char **host,
    int *port, char **why)
{
	struct redis		*r;
	struct redis_reply	*reply = NULL;
	char			*label;
	int			 rc = -1;

	label = sentinel_addr(s->host, s->port);
	r = redis_open("sentinel", s->host, s->port, NULL,
	    cf->redis_connect_timeout_ms, why);
	if (r == NULL || redis_login(r, NULL, cf->redis_sentinel_password, 0,
	    why) != 0)
		goto out;
	reply = redis_command(r, why, "SENTINEL get-master-addr-by-name %s",
	    cf->redis_master_name);
	if (reply == NULL)
		goto out;
	if (reply->type == REDIS_TYPE_NIL || (reply->type ==
	    REDIS_TYPE_ARRAY && reply->elements == 0))
		*why = xasprintf("sentinel %s: does not know a master named "
		    "\"%s\"", label, cf->redis_master_name);
	else if (reply->type == REDIS_TYPE_ERROR)
		*why = xasprintf("sentinel %s: SENTINEL "
		    "get-master-addr-by-name: %s", label, reply->str);
	else if (reply->type != REDIS_TYPE_ARRAY || reply->elements != 2 ||
	    reply->element[0]->type != REDIS_TYPE_STRING ||
	    reply->element[1]->type != REDIS_TYPE_STRING ||
	    (*port = atoi(reply->element[1]->str)) <= 0 || *port > 65535)
		*why = xasprintf("sentinel %s: unexpected answer to SENTINEL "
		    "get-master-addr-by-name", label);
	else {
		*host = xstrdup(reply->element[0]->str);
		rc = 0;
	}
out:
	redis_reply_free(reply);
	redis_free(r);
	free(label);
	return rc;
}

/*
 * Connect to the master a sentinel named, log in and check its ROLE.
 * Returns the connection, or NULL with *why set.
 */
static struct redis *
sentinel_master(const struct config *cf, const char *host, int port,
    char **why)
{
	struct redis		*r;
	struct redis_reply	*reply = NULL;
	const char		*role;

	r = redis_open("master", host, port, NULL,
	    cf->redis_connect_timeout_ms, why);
	if (r == NULL || redis_login(r, cf->redis_username, cf->redis_password,
	    cf->redis_addr.db, why) != 0)
		goto fail;
	if ((reply = redis_command(r, why, "ROLE")) == NULL)
		goto fail;
	if (reply->type == REDIS_TYPE_ERROR) {
		*why = xasprintf("master %s: ROLE: %s (an ACL user needs "
		    "+role)", redis_where(r), reply->str);
		goto fail;
	}
	if (reply->type != REDIS_TYPE_ARRAY || reply->elements == 0 ||
	    reply->element[0]->type != REDIS_TYPE_STRING) {
		*why = xasprintf("master %s: unexpected answer to ROLE",
		    redis_where(r));
		goto fail;
	}
	role = reply->element[0]->str;
	if (strcmp(role, "master") != 0) {
		*why = xasprintf("master %s: is a %s (ROLE %s), not the master",
		    redis_where(r), strcmp(role, "slave") == 0 ? "replica" :
		    role, role);
		goto fail;
	}
	redis_reply_free(reply);
	return r;

fail:
	redis_reply_free(reply);
	redis_free(r);
	return NULL;
}

/* Return the failure an address gave earlier in t, or NULL if not tried. */
static const char *
sentinel_seen(const struct sentinel_tried *t, const char *addr)
{
	size_t	i;

	for (i = 0; i < t->n; i++) {
		if (strcmp(t->addr[i], addr) == 0)
			return t->why[i];
	}
	return NULL;
}

/* Find the master through the sentinels and connect to it. */
struct redis *
sentinel_connect(const struct config *cf, char **cause)
{
	struct sentinel_tried	 t;
	const struct redisurl	*s;
	struct redis		*r = NULL;
	char			*host, *addr, *saddr, *why, *list = NULL;
	char			*old, *where;
	const char		*earlier;
	size_t			 i;
	int			 port;

	memset(&t, 0, sizeof t);
	for (i = 0; i < cf->redis_nsentinels && r == NULL; i++) {
		s = &cf->redis_sentinels[i];
		host = why = NULL;
		if (sentinel_ask(cf, s, &host, &port, &why) == 0) {
			addr = sentinel_addr(host, port);
			saddr = sentinel_addr(s->host, s->port);
			if ((earlier = sentinel_seen(&t, addr)) != NULL)
				why = xasprintf("sentinel %s: %s", saddr,
				    earlier);
			else if ((r = sentinel_master(cf, host, port,
			    &old)) == NULL) {
				why = xasprintf("sentinel %s: %s", saddr, old);
				t.addr[t.n] = xstrdup(addr);
				t.why[t.n++] = old;
			} else {
				where = xasprintf("master %s at %s (via "
				    "sentinel %s)", cf->redis_master_name,
				    addr, saddr);
				redis_describe(r, where);
				free(where);
			}
			free(saddr);
			free(addr);
			free(host);
		}
		if (why != NULL) {
			old = list;
			list = old == NULL ? why : xasprintf("%s; %s", old,
			    why);
			if (old != NULL) {
				free(old);
				free(why);
			}
		}
	}
	for (i = 0; i < t.n; i++) {
		free(t.addr[i]);
		free(t.why[i]);
	}
	if (r == NULL && cause != NULL)
		*cause = xasprintf("redis master %s: no sentinel named a "
		    "usable master: %s", cf->redis_master_name,
		    list != NULL ? list : "none asked");
	free(list);
	return r;
}
