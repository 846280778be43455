/*
 * redisurl.c - the address of a Redis server, written as a URL
 *
 * Two forms: "redis://HOST[:PORT][/DB]" (an IPv6 address in brackets) and
 * "unix:///PATH[?db=DB]". A URL must not carry a user or a password:
 * secrets come from files, and a URL ends up in logs. A sentinel's
 * address is the host part alone, with its port: "HOST:PORT" or
 * "[IPV6]:PORT".
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "redisurl.h"
#include "xmalloc.h"

/* Parse a decimal number of at most max from s[0..len); -1 if not one. */
static long
redisurl_number(const char *s, size_t len, long max)
{
	long	v = 0;
	size_t	i;

	if (len == 0 || len > 9)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v > max ? -1 : v;
}

/*
 * Parse HOST[:PORT] or [IPV6][:PORT] from p[0..end) into u's host and
 * port; *had_port says whether a port was given. Returns 0, or -1 with
 * *why set.
 */
static int
redisurl_host(const char *p, const char *end, struct redisurl *u,
    int *had_port, const char **why)
{
	const char	*colon, *q;
	long		 v;

	if (*p == '[') {
		q = memchr(p, ']', end - p);
		if (q == NULL || q == p + 1) {
			*why = "has an unterminated IPv6 address";
			return -1;
		}
		u->host = xstrndup(p + 1, q - p - 1);
		colon = q + 1 < end && q[1] == ':' ? q + 1 : NULL;
		if (q + 1 != end && colon == NULL) {
			*why = "has text after the IPv6 address";
			return -1;
		}
	} else {
		colon = memchr(p, ':', end - p);
		q = colon != NULL ? colon : end;
		if (q == p) {
			*why = "has no host";
			return -1;
		}
		u->host = xstrndup(p, q - p);
		if (strspn(u->host, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") !=
		    strlen(u->host)) {
			*why = "has a host name with characters other than "
			    "letters, digits, '-' and '.'";
			return -1;
		}
	}
	*had_port = colon != NULL;
	if (colon != NULL) {
		v = redisurl_number(colon + 1, end - colon - 1, 65535);
		if (v <= 0) {
			*why = "has a port that is not a number from 1 to "
			    "65535";
			return -1;
		}
		u->port = (int)v;
	}
	return 0;
}

/* Parse a Redis URL into u. */
int
redisurl_parse(const char *url, struct redisurl *u, const char **why)
{
	const char	*p, *end, *slash, *q;
	long		 v;
	int		 had_port;

	redisurl_clear(u);

	if (strncmp(url, "unix://", 7) == 0) {
		p = url + 7;
		if (*p != '/') {
			*why = "a unix socket URL needs an absolute path "
			    "(unix:///run/redis/redis.sock)";
			goto fail;
		}
		q = strchr(p, '?');
		end = q != NULL ? q : p + strlen(p);
		if (q != NULL) {
			if (strncmp(q, "?db=", 4) != 0 ||
			    (v = redisurl_number(q + 4, strlen(q + 4), 15)) < 0) {
				*why = "the only query allowed is ?db=N with N "
				    "from 0 to 15";
				goto fail;
			}
			u->db = (int)v;
		}
		u->socket = xstrndup(p, end - p);
		return 0;
	}
	if (strncmp(url, "redis://", 8) != 0) {
		*why = "must start with redis:// or unix://";
		goto fail;
	}
	p = url + 8;
	if (strchr(p, '?') != NULL) {
		*why = "a query is allowed only on a unix:// URL (give the "
		    "database as redis://host:port/db)";
		goto fail;
	}
	slash = strchr(p, '/');
	end = slash != NULL ? slash : p + strlen(p);
	if (memchr(p, '@', end - p) != NULL) {
		*why = "must not contain a user or password (use "
		    "redis.username and redis.password_file)";
		goto fail;
	}
	if (redisurl_host(p, end, u, &had_port, why) != 0)
		goto fail;
	if (slash != NULL && slash[1] != '\0') {
		v = redisurl_number(slash + 1, strlen(slash + 1), 15);
		if (v < 0) {
			*why = "has a database that is not a number from 0 "
			    "to 15";
			goto fail;
		}
		u->db = (int)v;
	}
	return 0;

fail:
	redisurl_clear(u);
	return -1;
}

/* Parse the address of a sentinel, HOST:PORT or [IPV6]:PORT, into u. */
int
redisurl_hostport(const char *s, struct redisurl *u, const char **why)
{
	int	had_port;

	redisurl_clear(u);
	if (strchr(s, '/') != NULL || strchr(s, '@') != NULL ||
	    strchr(s, '?') != NULL) {
		*why = "must be HOST:PORT or [IPV6]:PORT, not a URL";
		goto fail;
	}
	if (redisurl_host(s, s + strlen(s), u, &had_port, why) != 0)
		goto fail;
	if (!had_port) {
		*why = "needs a port (HOST:PORT or [IPV6]:PORT)";
		goto fail;
	}
	return 0;

fail:
	redisurl_clear(u);
	return -1;
}

/* Free what a parse put in u and reset it to the defaults. */
void
redisurl_clear(struct redisurl *u)
{
	free(u->host);
	free(u->socket);
	u->host = u->socket = NULL;
	u->port = 6379;
	u->db = 0;
}
