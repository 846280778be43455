/*
 * password.h - the console's passwords, hashed with Argon2id
 *
 * The one user of libargon2. A password is kept only as its encoded
 * Argon2id hash ("$argon2id$v=19$m=19456,t=2,p=1$SALT$HASH"), with a
 * random salt of 16 bytes; the cost (19 MiB, 2 passes, 1 lane) is the
 * OWASP's least for Argon2id, so that a sign-in takes a few tens of
 * milliseconds and the console's memory stays small.
 */
#ifndef PASSWORD_H
#define PASSWORD_H

/* The shortest and longest passwords taken, in bytes. */
#define PASSWORD_MIN	12
#define PASSWORD_MAX	1024

/*
 * Return the encoded hash of password, or NULL with *cause set (the
 * password too short or too long, or no randomness); the caller frees
 * both.
 */
char *password_hash(const char *password, char **cause);

/*
 * Return 1 if password matches the encoded hash, 0 if not (or if encoded
 * is NULL: the work of a check is done all the same, so that an unknown
 * name takes as long as a wrong password).
 */
int password_check(const char *encoded, const char *password);

#endif
