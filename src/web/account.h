/*
 * account.h - the console's local accounts, kept in Redis
 *
 * A local account is a name, a role (role.h), the divisions of a
 * division user, and the Argon2id hash of its password (password.h).
 * Accounts are made and changed with "closeloop user" and checked by
 * closeloop-web at sign-in. Users of the city's single sign-on have no
 * account here: the proxy vouches for them (proxy.h).
 *
 * Keys (PREFIX is redis.prefix):
 *   PREFIXweb:user:NAME   hash: role, divisions ("TS,WATER"), hash,
 *                         created, changed (ms since the epoch)
 *   PREFIXweb:users       set of the names
 * A name is 1 to 64 of a-z, 0-9, '.', '_', '-' and '@'.
 */
#ifndef ACCOUNT_H
#define ACCOUNT_H

#include <stddef.h>
#include <stdint.h>

#include "role.h"

struct config;
struct redis;

struct account {
	char		*name;
	enum role	 role;
	char		**divisions;
	size_t		 ndivisions;
	int64_t		 created;	/* ms */
	int64_t		 changed;	/* ms: the password last set */
};

/* Free an account; NULL is a no-op. */
void account_free(struct account *a);

/* Return 1 if name is a valid account name, else 0. */
int account_name_ok(const char *name);

/*
 * Add the account a (its name, role and divisions) with password. Returns
 * 0, or -1 with *cause set (the name taken or invalid, the password too
 * short, Redis failed); the caller frees *cause.
 */
int account_add(struct redis *r, const struct config *cf,
    const struct account *a, const char *password, char **cause);

/*
 * Set the password of account name, and end its sessions. Returns 0, or
 * -1 with *cause set.
 */
int account_passwd(struct redis *r, const struct config *cf,
    const char *name, const char *password, char **cause);

/* Delete account name, and end its sessions. Returns 0, or -1. */
int account_del(struct redis *r, const struct config *cf, const char *name,
    char **cause);

/*
 * Read account name into a new struct account in *out (NULL if there is
 * no such account), and its hash into *hash if hash is not NULL (the
 * caller frees both). Returns 0, or -1 with *cause set if Redis failed.
 */
int account_get(struct redis *r, const struct config *cf, const char *name,
    struct account **out, char **hash, char **cause);

/*
 * Read every account, sorted by name, into a new array *out of *n (free
 * each with account_free() and the array with free()). Returns 0, or -1.
 */
int account_list(struct redis *r, const struct config *cf,
    struct account ***out, size_t *n, char **cause);

/*
 * Check a name and password. Returns 1 and the account in *out if they
 * match, 0 if not (no such account or a wrong password; both take the
 * same time), -1 with *cause set if Redis failed.
 */
int account_check(struct redis *r, const struct config *cf,
    const char *name, const char *password, struct account **out,
    char **cause);

/* Return the key of account name; the caller frees it. */
char *account_key(const struct config *cf, const char *name);

#endif
