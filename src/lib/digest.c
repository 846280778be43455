/*
 * digest.c - content hashes and keyed tokens (the one user of libcrypto)
 *
 * SHA-256 for the content hash of a delivered message, HMAC-SHA-256 for
 * tokens that tie a callback URL to one notification, and a comparison
 * that does not leak, through its timing, how much of a secret matched.
 */
#include "build.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "digest.h"
#include "log.h"

/* Write n bytes as lower-case hex into out, NUL-terminated. */
static void
digest_hex(const unsigned char *md, size_t n, char *out)
{
	static const char	hex[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[2 * n] = '\0';
}

/* Write the SHA-256 of data. */
void
digest_sha256(const void *data, size_t len, char out[DIGEST_HEX_LEN + 1])
{
	unsigned char	md[SHA256_DIGEST_LENGTH];

	SHA256(len > 0 ? data : (const void *)"", len, md);
	digest_hex(md, sizeof md, out);
}

/* Write the SHA-1 of data, the hash Redis's scripts can also compute. */
void
digest_sha1(const void *data, size_t len, char out[DIGEST_SHA1_HEX_LEN + 1])
{
	unsigned char	md[SHA_DIGEST_LENGTH];

	SHA1(len > 0 ? data : (const void *)"", len, md);
	digest_hex(md, sizeof md, out);
}

/* Write the HMAC-SHA-256 of text under key. */
void
digest_hmac(const void *key, size_t keylen, const char *text,
    char out[DIGEST_HEX_LEN + 1])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0;

	if (HMAC(EVP_sha256(), keylen > 0 ? key : (const void *)"",
	    (int)keylen, (const unsigned char *)text, strlen(text), md,
	    &mdlen) == NULL) {
		log_err("HMAC-SHA-256 is not available");
		abort();
	}
	digest_hex(md, mdlen, out);
}

/* Compare two strings in a time that depends only on their lengths. */
int
digest_equal(const char *a, const char *b)
{
	size_t	la, lb;

	if (a == NULL || b == NULL)
		return 0;
	la = strlen(a);
	lb = strlen(b);
	if (la != lb)
		return 0;
	return CRYPTO_memcmp(a, b, la) == 0;
}

/* Fill buf with n random bytes. */
int
digest_random(void *buf, size_t n)
{
	if (n > INT_MAX || RAND_bytes(buf, (int)n) != 1)
		return -1;
	return 0;
}

/* Write n random bytes as hex into out. */
int
digest_random_hex(char *out, size_t n)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 b[64];
	size_t			 i;

	if (n > sizeof b || digest_random(b, n) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[2 * n] = '\0';
	return 0;
}
