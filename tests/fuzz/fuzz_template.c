/*
 * fuzz_template.c - a fuzz target for compiling and rendering templates
 *
 * LLVMFuzzerTestOneInput() compiles the input as a template and, if it
 * compiles, renders it in both modes with nested data and a partial
 * lookup that returns the template itself (so recursion is exercised).
 * Built with clang -fsanitize=fuzzer (make fuzz), libFuzzer drives it.
 * Built without (make check), main() below feeds it the seed corpus in
 * tests/fuzz/template and a fixed number of pseudo-random mutations of it
 * (fuzzdrive.c), so every run of the suite fuzzes briefly and
 * reproducibly.
 */
#include "build.h"

#include <stdint.h>
#include <stdlib.h>

#include "fuzzdrive.h"
#include "template.h"
#include "view.h"

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
/* Feed the corpus and its mutations to the target. */
int
main(int argc, char **argv)
{
	static const struct fuzzdrive_piece	 pieces[] = {
		FUZZDRIVE_PIECE("{{"), FUZZDRIVE_PIECE("}}"),
		FUZZDRIVE_PIECE("{{{"), FUZZDRIVE_PIECE("}}}"),
		FUZZDRIVE_PIECE("{{#"), FUZZDRIVE_PIECE("{{/"),
		FUZZDRIVE_PIECE("{{^"), FUZZDRIVE_PIECE("{{>"),
		FUZZDRIVE_PIECE("{{!"), FUZZDRIVE_PIECE("{{="),
		FUZZDRIVE_PIECE("=}}"), FUZZDRIVE_PIECE("{{&"),
		FUZZDRIVE_PIECE("."), FUZZDRIVE_PIECE("\n"),
		FUZZDRIVE_PIECE("  "), FUZZDRIVE_PIECE("a"),
		FUZZDRIVE_PIECE("photos"), FUZZDRIVE_PIECE("}"),
		FUZZDRIVE_PIECE("{"), FUZZDRIVE_PIECE("\r\n"),
		FUZZDRIVE_PIECE("\xe2\x80"),
	};

	return fuzzdrive_main(argc, argv, "fuzz_template",
	    "tests/fuzz/template", pieces, sizeof pieces / sizeof pieces[0]);
}
#endif
