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

/*
 * Return h with the n bytes at p mixed in eight at a time, each eight a
 * little-endian 64-bit number, and the last n % 8 as fnv_add() mixes
 * them: the same on every machine, not FNV-1a's value, and cheaper on
 * long input.
 */
uint64_t fnv_add_words(uint64_t h, const void *p, size_t n);

#endif
