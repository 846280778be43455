/*
 * session.h - who is signed in to the console, kept in Redis
 *
 * A session is made at sign-in and named by 32 random bytes (64 hex
 * digits), the cookie's value. Redis keeps it under the SHA-256 of that
 * name, so the keys in Redis (a dump, a replica) open no session. Each
 * use pushes its end web.session_idle_minutes away, and none lives over
 * web.session_max_hours from its start. Each session has a CSRF token of
 * its own, which every form the console serves carries.
 *
 * Keys (PREFIX is redis.prefix, HASH the SHA-256 of the session id):
 *   PREFIXweb:session:HASH   hash: user, role, divisions, csrf, created
 *   PREFIXweb:sessions:USER  set of the HASHes of USER's sessions, so a
 *                            new password or a deleted account ends them
 */
#ifndef SESSION_H
#define SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "role.h"

struct config;
struct redis;

/* Hex digits of a session id and of a CSRF token. */
#define SESSION_ID_LEN		64
#define SESSION_CSRF_LEN	64

struct session {
	char		*user;
	enum role	 role;
	char		**divisions;
	size_t		 ndivisions;
	char		 csrf[SESSION_CSRF_LEN + 1];
	int64_t		 created;	/* ms */
	int		 sso;		/* vouched for by the proxy */
};

/*
 * Start a session for user with role and divisions, writing its id into
 * id. Returns 0, or -1 with *cause set.
 */
int session_new(struct redis *r, const struct config *cf, const char *user,
    enum role role, char *const *divisions, size_t ndivisions,
    char id[SESSION_ID_LEN + 1], char **cause);

/*
 * Find the session named id and push its idle end on. Returns 0 with a
 * new session in *out (NULL if there is none, or it is over; free it with
 * session_free()), or -1 with *cause set if Redis failed.
 */
int session_get(struct redis *r, const struct config *cf, const char *id,
    struct session **out, char **cause);

/* End the session named id. Returns 0, or -1 with *cause set. */
int session_end(struct redis *r, const struct config *cf, const char *id,
    char **cause);

/* End every session of user. Returns 0, or -1 with *cause set. */
int session_end_user(struct redis *r, const struct config *cf,
    const char *user, char **cause);

/* Return 1 if the session may see division code's SRs and counts. */
int session_sees(const struct session *s, const char *division);

/*
 * Split "TS,WATER" into a new array of codes in *out, *n of them; the
 * caller frees them (session_divisions_free()).
 */
void session_divisions(const char *list, char ***out, size_t *n);

/* Return the codes joined with commas, "TS,WATER"; the caller frees it. */
char *session_divisions_join(char *const *list, size_t n);

/* Free an array made by session_divisions(). */
void session_divisions_free(char **list, size_t n);

/* Free a session; NULL is a no-op. */
void session_free(struct session *s);

#endif
