/*
 * digest.h - content hashes and keyed tokens (the one user of libcrypto)
 *
 * The audit trail keeps the SHA-256 of what a resident received, so a
 * division can show that the message in the record is the message that
 * was sent; receipts from the SMS gateway carry an HMAC-SHA-256 token of
 * the notification id, so a receipt cannot be forged for another one.
 * Digests are written as 64 lower-case hex digits.
 */
#ifndef DIGEST_H
#define DIGEST_H

#include <stddef.h>

#define DIGEST_HEX_LEN	64

/* Write the SHA-256 of data (len bytes) into out, NUL-terminated. */
void digest_sha256(const void *data, size_t len, char out[DIGEST_HEX_LEN + 1]);

#define DIGEST_SHA1_HEX_LEN	40

/*
 * Write the SHA-1 of data (len bytes) into out as 40 hex digits,
 * NUL-terminated: not for security, but to name a key the same way a
 * Redis script does (redis.sha1hex()).
 */
void digest_sha1(const void *data, size_t len,
    char out[DIGEST_SHA1_HEX_LEN + 1]);

/*
 * Write the HMAC-SHA-256 of the NUL-terminated text under key (keylen
 * bytes) into out, NUL-terminated.
 */
void digest_hmac(const void *key, size_t keylen, const char *text,
    char out[DIGEST_HEX_LEN + 1]);

/*
 * Return 1 if the strings a and b are equal, comparing in a time that
 * depends only on their lengths (for secrets and tokens); 0 otherwise.
 * NULL equals nothing.
 */
int digest_equal(const char *a, const char *b);

/*
 * Fill buf with n random bytes from the system's generator (OpenSSL's,
 * seeded by the kernel). Returns 0, or -1 if it has none to give.
 */
int digest_random(void *buf, size_t n);

/*
 * Write n random bytes as 2n lower-case hex digits into out (2n + 1
 * bytes), for session ids and tokens. Returns 0, or -1.
 */
int digest_random_hex(char *out, size_t n);

#endif
