/*
 * fnv.h - the 64-bit FNV-1a hash
 */
#ifndef FNV_H
#define FNV_H

#include <stddef.h>
#include <stdint.h>

/* The hash of nothing: where every hash starts. */
#define FNV_INIT	UINT64_C(0xcbf29ce484222325)

/*
 * Return h with the n bytes at p mixed in: the FNV-1a hash of what was
 * mixed into FNV_INIT so far, then p. Not for secrets or untrusted keys
 * an attacker could choose to collide (digest.h is).
 */
uint64_t fnv_add(uint64_t h, const void *p, size_t n);

#endif
