/*
 * fuzzdrive.c - running a fuzz target without libFuzzer
 *
 * Each round picks a seed and applies one to eight mutations to a copy:
 * a byte set to a pseudo-random value, the input cut at a pseudo-random
 * length, or one of the target's pieces appended. The generator is a
 * linear congruential one with a fixed start, so every run of the suite
 * tries the same inputs. Seeds are read up to FUZZDRIVE_MAX bytes.
 */
#include "build.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzdrive.h"
#include "xmalloc.h"

#define FUZZDRIVE_MAX		65536
#define FUZZDRIVE_MUTATIONS	8

/* Read a file of the corpus; NULL if it cannot be read. */
static char *
fuzzdrive_read(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	buf = xmalloc(FUZZDRIVE_MAX);
	*len = fread(buf, 1, FUZZDRIVE_MAX, f);
	fclose(f);
	return buf;
}

/* Feed the corpus and its mutations to the target. */
int
fuzzdrive_main(int argc, char **argv, const char *name, const char *dir,
    const struct fuzzdrive_piece *pieces, size_t npieces)
{
	DIR		*d;
	struct dirent	*de;
	char		**seeds = NULL, *path, *buf, *m;
	size_t		*lens = NULL, nseeds = 0, len, mlen, k, i, longest = 0;
	uint32_t	 r = 8812;
	long		 rounds, n;

	if (argc > 1)
		dir = argv[1];
	rounds = argc > 2 ? strtol(argv[2], NULL, 10) : 20000;
	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "%s: no corpus in %s\n", name, dir);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if ((buf = fuzzdrive_read(path, &len)) != NULL) {
			seeds = xreallocarray(seeds, nseeds + 1, sizeof *seeds);
			lens = xreallocarray(lens, nseeds + 1, sizeof *lens);
			seeds[nseeds] = buf;
			lens[nseeds++] = len;
			LLVMFuzzerTestOneInput((uint8_t *)buf, len);
		}
		free(path);
	}
	closedir(d);
	if (nseeds == 0) {
		fprintf(stderr, "%s: no seed in %s\n", name, dir);
		return 1;
	}
	for (k = 0; k < npieces; k++) {
		if (pieces[k].len > longest)
			longest = pieces[k].len;
	}
	m = xmalloc(FUZZDRIVE_MAX + FUZZDRIVE_MUTATIONS * longest);
	for (n = 0; n < rounds; n++) {
		r = r * 1103515245 + 12345;
		i = (r >> 8) % nseeds;
		memcpy(m, seeds[i], mlen = lens[i]);
		for (k = 0; k < 1 + (r >> 4) % FUZZDRIVE_MUTATIONS; k++) {
			r = r * 1103515245 + 12345;
			if ((r >> 16) % 3 == 0 && mlen > 0)
				m[(r >> 3) % mlen] = (char)(r >> 11);
			else if ((r >> 16) % 3 == 1 && mlen > 0)
				mlen = (r >> 3) % mlen;
			else if (npieces > 0) {
				i = (r >> 5) % npieces;
				memcpy(m + mlen, pieces[i].bytes,
				    pieces[i].len);
				mlen += pieces[i].len;
			}
		}
		LLVMFuzzerTestOneInput((uint8_t *)m, mlen);
	}
	printf("%s: %zu seeds, %ld mutations, no finding\n", name, nseeds,
	    rounds);
	free(m);
	for (i = 0; i < nseeds; i++)
		free(seeds[i]);
	free(seeds);
	free(lens);
	return 0;
}
