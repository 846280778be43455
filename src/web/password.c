/*
 * password.c - Argon2id hashes of the console's passwords
 *
 * libargon2's encoded form carries its own parameters and salt, so a
 * later change of cost still checks the hashes made before it.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include <argon2.h>

#include "digest.h"
#include "password.h"
#include "xmalloc.h"

#define PASSWORD_T	2		/* passes */
#define PASSWORD_M	19456		/* KiB */
#define PASSWORD_P	1		/* lanes */
#define PASSWORD_SALT	16
#define PASSWORD_HASH	32

/* Return the encoded hash of password. */
char *
password_hash(const char *password, char **cause)
{
	unsigned char	 salt[PASSWORD_SALT];
	size_t		 len = strlen(password), enclen;
	char		*enc;
	int		 rc;

	if (len < PASSWORD_MIN || len > PASSWORD_MAX) {
		if (cause != NULL)
			*cause = xasprintf("a password must have %d to %d "
			    "characters", PASSWORD_MIN, PASSWORD_MAX);
		return NULL;
	}
	if (digest_random(salt, sizeof salt) != 0) {
		if (cause != NULL)
			*cause = xstrdup("no random bytes for a salt");
		return NULL;
	}
	enclen = argon2_encodedlen(PASSWORD_T, PASSWORD_M, PASSWORD_P,
	    PASSWORD_SALT, PASSWORD_HASH, Argon2_id);
	enc = xmalloc(enclen);
	rc = argon2id_hash_encoded(PASSWORD_T, PASSWORD_M, PASSWORD_P,
	    password, len, salt, sizeof salt, PASSWORD_HASH, enc, enclen);
	if (rc != ARGON2_OK) {
		if (cause != NULL)
			*cause = xasprintf("argon2: %s",
			    argon2_error_message(rc));
		free(enc);
		return NULL;
	}
	return enc;
}

/* Return 1 if password matches the encoded hash. */
int
password_check(const char *encoded, const char *password)
{
	static char	*dummy;
	size_t		 len = strlen(password);

	if (len > PASSWORD_MAX)
		return 0;
	if (encoded == NULL) {
		/* The same work for a name that has no account. */
		if (dummy == NULL)
			dummy = password_hash("closeloop-no-such-account",
			    NULL);
		if (dummy != NULL)
			(void)argon2id_verify(dummy, password, len);
		return 0;
	}
	return argon2id_verify(encoded, password, len) == ARGON2_OK;
}
