/*
 * fnv.c - the 64-bit FNV-1a hash
 *
 * A fast hash that is the same on every machine: the version of a
 * template set (catalog.c), the MIME boundary of a message (mime.c) and
 * the table of notifications in a report (report.c). Each byte is XORed
 * into the hash, which is then multiplied by the FNV prime 2^40 + 2^8 +
 * 0xb3.
 */
#include "build.h"

#include <stddef.h>
#include <stdint.h>

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
