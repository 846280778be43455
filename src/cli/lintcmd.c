/*
 * lintcmd.c - "closeloop lint": check a template set before it serves
 *
 * For template editors: the set in a directory (templates.dir by
 * default) is loaded and checked as closeloopd would (lint.h), and every
 * problem is printed on its own line, "error: " or "warning: " first,
 * then a summary: the templates, the locales, the version and the
 * counts. --json gives the same as one object, for a script or an editor.
 * The exit status is 1 if the set has an error, so that a checkout can
 * refuse a set that closeloopd would refuse.
 */
#include "build.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "catalog.h"
#include "config.h"
#include "json.h"
#include "lint.h"
#include "lintcmd.h"
#include "lintreport.h"
#include "xmalloc.h"

/* Print a lint run as one JSON object. */
static void
lintcmd_print_json(const char *dir, const struct catalog *cat, char *text,
    const char *load)
{
	struct json	 *j;
	const char	**errors, **warnings;
	size_t		  nerrors, nwarnings;

	lintreport_split(text, &errors, &nerrors, &warnings, &nwarnings);
	j = json_new();
	json_set(j, "dir", dir);
	if (cat != NULL) {
		json_set(j, "version", catalog_version(cat));
		json_set_int(j, "templates", (long long)catalog_nentries(cat));
		json_set_int(j, "locales", (long long)catalog_nlocales(cat));
	}
	json_set_bool(j, "loads", cat != NULL);
	if (load != NULL) {
		errors = xreallocarray(errors, nerrors + 1, sizeof *errors);
		errors[nerrors++] = load;
	}
	json_set_strings(j, "errors", errors, nerrors);
	json_set_strings(j, "warnings", warnings, nwarnings);
	json_print(j, stdout);
	json_free(j);
	free(errors);
	free(warnings);
}

/*
 * Load the set in dir (templates.dir if NULL), check it and print the
 * problems and a summary, or with json one object. Returns the exit
 * status: 0, or 1 on any error.
 */
static int
lintcmd_check(const struct config *cf, const char *dir, int json)
{
	struct catalog	*cat;
	FILE		*f;
	char		*cause = NULL, *text = NULL, none[1] = "";
	size_t		 len = 0;
	int		 errors, warnings = 0;

	if (dir == NULL)
		dir = cf->templates_dir;
	if ((cat = catalog_load(dir, cf->templates_default_locale,
	    &cause)) == NULL) {
		if (json)
			lintcmd_print_json(dir, NULL, none, cause);
		else
			printf("error: %s\n%s: the template set does not "
			    "load\n", cause, dir);
		free(cause);
		return 1;
	}
	if ((f = open_memstream(&text, &len)) == NULL)
		abort();
	errors = lint_set(cf, cat, f, &warnings);
	fclose(f);
	if (json)
		lintcmd_print_json(dir, cat, text, NULL);
	else
		printf("%s%s: %zu templates in %zu locales, version %s: %d "
		    "error%s, %d warning%s\n", text, dir,
		    catalog_nentries(cat), catalog_nlocales(cat),
		    catalog_version(cat), errors, errors == 1 ? "" : "s",
		    warnings, warnings == 1 ? "" : "s");
	free(text);
	catalog_free(cat);
	return errors > 0 ? 1 : 0;
}

/* Run "closeloop lint" from its command line. */
int
lintcmd_run(const struct config *cf, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	int	ch, json = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch != 'j')
			goto usage;
		json = 1;
	}
	if (argc - optind > 1) {
		fprintf(stderr, "closeloop lint: one template directory at "
		    "most (got \"%s\" and \"%s\")\n", argv[optind],
		    argv[optind + 1]);
		goto usage;
	}
	return lintcmd_check(cf, optind < argc ? argv[optind] : NULL, json);
usage:
	fprintf(stderr, "usage: closeloop lint [--json] [DIR]\n");
	return EX_USAGE;
}
