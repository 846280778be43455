/*
 * fuzz_template.c - a fuzz target for compiling and rendering templates
 *
 * LLVMFuzzerTestOneInput() compiles the input as a template and, if it
 * compiles, renders it in both modes with nested data and a partial
 * lookup that returns the template itself (so recursion is exercised).
 * Built with clang -fsanitize=fuzzer (make fuzz), libFuzzer drives it.
 * Built without (make check), main() below feeds it the seed corpus in
 * tests/fuzz/ and a fixed number of pseudo-random mutations of it, so
 * every run of the suite fuzzes briefly and reproducibly.
 */
#include "build.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "view.h"
#include "xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Return the template itself as every partial. */
static const struct template *
fuzz_lookup(void *arg, const char *name, const char **before,
    const char **after)
{
	(void)name;
	(void)before;
	(void)after;
	return arg;
}

/* Build the data every input is rendered with. */
static struct view *
fuzz_view(void)
{
	struct view	*v, *list, *item;

	v = view_map();
	view_set_string(v, "sr", "8812");
	view_set_string(v, "note", "<b>&\"'\xe2\x80\xae\x01\n");
	view_set(v, "partial", view_bool(1));
	view_set(v, "none", view_null());
	list = view_set(v, "photos", view_list());
	item = view_append(list, view_map());
	view_set_string(item, "url", "https://p.example.org/1.jpg");
	view_append(list, view_string("x"));
	view_set(view_set(v, "a", view_map()), "b", view_map());
	return v;
}

/* Compile and render one input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct template	*t;
	struct view	*v;
	char		*out, *cause = NULL;

	t = template_compile("fuzz", (const char *)data, size, &cause);
	if (t == NULL) {
		free(cause);
		return 0;
	}
	v = fuzz_view();
	out = template_render(t, v, TEMPLATE_HTML, fuzz_lookup, t);
	free(out);
	out = template_render(t, v, TEMPLATE_TEXT, fuzz_lookup, t);
	free(out);
	view_free(v);
	template_free(t);
	return 0;
}

#ifndef FUZZ_LIBFUZZER
/* Read a file of the corpus; NULL if it cannot be read. */
static char *
fuzz_read(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	buf = xmalloc(65536);
	*len = fread(buf, 1, 65536, f);
	fclose(f);
	return buf;
}

/* Feed the corpus and its mutations to the target. */
int
main(int argc, char **argv)
{
	static const char	 pieces[][8] = { "{{", "}}", "{{{", "}}}",
	    "{{#", "{{/", "{{^", "{{>", "{{!", "{{=", "=}}", "{{&", ".",
	    "\n", "  ", "a", "photos", "}", "{", "\r\n", "\xe2\x80" };
	const char		*dir = argc > 1 ? argv[1] : "tests/fuzz";
	int			 rounds = argc > 2 ? atoi(argv[2]) : 20000;
	DIR			*d;
	struct dirent		*de;
	char			**seeds = NULL, *path, *buf, *m;
	size_t			*lens = NULL, nseeds = 0, len, mlen, k, i;
	unsigned int		 r = 12345;
	int			 n;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "fuzz_template: no corpus in %s\n", dir);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if ((buf = fuzz_read(path, &len)) != NULL) {
			seeds = xreallocarray(seeds, nseeds + 1, sizeof *seeds);
			lens = xreallocarray(lens, nseeds + 1, sizeof *lens);
			seeds[nseeds] = buf;
			lens[nseeds++] = len;
			LLVMFuzzerTestOneInput((uint8_t *)buf, len);
		}
		free(path);
	}
	closedir(d);
	if (nseeds == 0)
		return 1;
	m = xmalloc(65536 + 64 * 8);
	for (n = 0; n < rounds; n++) {
		r = r * 1103515245 + 12345;
		i = (r >> 8) % nseeds;
		mlen = lens[i] < 65536 ? lens[i] : 65536;
		memcpy(m, seeds[i], mlen);
		for (k = 0; k < 1 + (r >> 4) % 8; k++) {
			r = r * 1103515245 + 12345;
			switch ((r >> 16) % 3) {
			case 0:
				if (mlen > 0)
					m[(r >> 3) % mlen] = (char)(r >> 11);
				break;
			case 1:
				if (mlen > 0)
					mlen = (r >> 3) % mlen;
				break;
			default:
				len = strlen(pieces[(r >> 5) %
				    (sizeof pieces / sizeof pieces[0])]);
				memcpy(m + mlen, pieces[(r >> 5) %
				    (sizeof pieces / sizeof pieces[0])], len);
				mlen += len;
				break;
			}
		}
		LLVMFuzzerTestOneInput((uint8_t *)m, mlen);
	}
	printf("fuzz_template: %zu seeds, %d mutations, no crash\n", nseeds,
	    rounds);
	free(m);
	for (i = 0; i < nseeds; i++)
		free(seeds[i]);
	free(seeds);
	free(lens);
	return 0;
}
#endif
