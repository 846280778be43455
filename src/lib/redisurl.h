/*
 * redisurl.h - the address of a Redis server, written as a URL
 */
#ifndef REDISURL_H
#define REDISURL_H

/* A parsed URL: host and port for TCP, or a socket path; a database. */
struct redisurl {
	char	*host;		/* NULL for a unix socket */
	int	 port;		/* 6379 unless given */
	char	*socket;	/* NULL for TCP */
	int	 db;		/* 0 unless given */
};

/*
 * Parse "redis://HOST[:PORT][/DB]" or "unix:///PATH[?db=DB]" into u, whose
 * earlier contents are freed (start from a zeroed struct). Returns 0, or
 * -1 with *why set to a static phrase completing "redis.url: ..." and u
 * cleared. Free what u holds with redisurl_clear().
 */
int redisurl_parse(const char *url, struct redisurl *u, const char **why);

/*
 * Parse the address of a sentinel, "HOST:PORT" or "[IPV6]:PORT", into
 * u's host and port, as redisurl_parse() does (the port is required).
 * Returns 0, or -1 with *why set to a static phrase and u cleared.
 */
int redisurl_hostport(const char *s, struct redisurl *u, const char **why);

/* Free what u holds and reset it to the defaults (port 6379, db 0). */
void redisurl_clear(struct redisurl *u);

#endif
