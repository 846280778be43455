/*
 * fnv.c - the 64-bit FNV-1a hash
 *
 * A fast hash that is the same on every machine: the version of a
 * template set (catalog.c), the MIME boundary of a message (mime.c) and
 * the table of notifications in a report (report.c). Each byte is XORed
 * into the hash, which is then multiplied by the FNV prime 2^40 + 2^8 +
 * 0xb3. fnv_add_words() does the same with eight bytes at a time, read
 * as a little-endian number whatever the machine: not FNV-1a's value,
 * an eighth of its multiplications, for bodies of several KB.
 */
#include "build.h"

#include <endian.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fnv.h"

/* The 64-bit FNV prime. */
#define FNV_PRIME	UINT64_C(0x100000001b3)

/* Mix n bytes into the hash. */
uint64_t
fnv_add(uint64_t h, const void *p, size_t n)
{
	const unsigned char	*u = p;
	size_t			 i;

	for (i = 0; i < n; i++) {
		h ^= u[i];
		h *= FNV_PRIME;
	}
	return h;
}

/* Mix n bytes into the hash eight at a time, the last few one by one. */
uint64_t
fnv_add_words(uint64_t h, const void *p, size_t n)
{
	const unsigned char	*u = p;
	uint64_t		 w;
	size_t			 i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, u + i, sizeof w);
		h ^= le64toh(w);
		h *= FNV_PRIME;
	}
	return i < n ? fnv_add(h, u + i, n - i) : h;
}
