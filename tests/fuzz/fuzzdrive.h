/*
 * fuzzdrive.h - running a fuzz target without libFuzzer
 *
 * A fuzz target (tests/fuzz/fuzz_*.c) defines LLVMFuzzerTestOneInput(). Built
 * with clang -fsanitize=fuzzer (make fuzz), libFuzzer drives it. Built
 * without (make check, FUZZ_LIBFUZZER undefined), its main() hands over
 * to fuzzdrive_main(), which feeds the target every file of a seed
 * corpus and then pseudo-random mutations of them: bytes changed, the
 * input cut short, pieces of the target's choosing appended. The same
 * arguments give the same inputs, so that a finding can be reproduced.
 */
#ifndef FUZZDRIVE_H
#define FUZZDRIVE_H

#include <stddef.h>
#include <stdint.h>

/* The fuzz target, defined by each tests/fuzz/fuzz_*.c. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Bytes a mutation may append, NUL bytes included. */
struct fuzzdrive_piece {
	const char	*bytes;
	size_t		 len;
};

/* A piece from a string literal. */
#define FUZZDRIVE_PIECE(lit)	{ (lit), sizeof (lit) - 1 }

/*
 * Run the target as the command line "PROGRAM [CORPUS [ROUNDS]]" asks:
 * the corpus directory (dir if not given) and the number of mutations
 * (20000 if not given). name prefixes the messages; pieces holds the
 * npieces pieces that a mutation may append. Prints a line of figures
 * and returns 0, or returns 1 if the corpus has no file.
 */
int fuzzdrive_main(int argc, char **argv, const char *name, const char *dir,
    const struct fuzzdrive_piece *pieces, size_t npieces);

#endif
