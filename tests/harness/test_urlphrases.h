/*
 * test_urlphrases.h - the phrases redisurl_parse() gives, for the tests
 * that expect them (test_redisurl.c, test_config.c)
 */
#ifndef TEST_URLPHRASES_H
#define TEST_URLPHRASES_H

#define URL_SCHEME "must start with redis:// or unix://"
#define URL_USER "must not contain a user or password (use " \
	"redis.username and redis.password_file)"
#define URL_UNIX "a unix socket URL needs an absolute path " \
	"(unix:///run/redis/redis.sock)"
#define URL_QUERY "the only query allowed is ?db=N with N from 0 to 15"
#define URL_HOST "has no host"
#define URL_QUERY_TCP "a query is allowed only on a unix:// URL (give the " \
	"database as redis://host:port/db)"
#define URL_HOSTCHARS "has a host name with characters other than " \
	"letters, digits, '-' and '.'"
#define URL_PORT "has a port that is not a number from 1 to 65535"
#define URL_DB "has a database that is not a number from 0 to 15"
#define URL_IPV6 "has an unterminated IPv6 address"
#define URL_AFTER "has text after the IPv6 address"

#endif
