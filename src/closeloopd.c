/*
 * closeloopd.c - the closeloop daemon: command line and start-up
 *
 * closeloopd [-c FILE] [--check-config [--json]] [--dry-run]
 * Runs in the foreground, as systemd expects, logging to stderr. Exit
 * codes come from <sysexits.h>: 78 (EX_CONFIG) for a bad configuration,
 * so that the unit can say RestartPreventExitStatus=78.
 */
#include "build.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "catalog.h"
#include "config.h"
#include "json.h"
#include "lint.h"
#include "log.h"
#include "operator.h"
#include "server.h"
#include "xmalloc.h"

/* Print how to use the program. */
static void
closeloopd_usage(FILE *f)
{
	fprintf(f, "usage: closeloopd [-c FILE] [--check-config [--json]] "
	    "[--dry-run]\n"
	    "  -c, --config FILE   configuration (default %s)\n"
	    "  -t, --check-config  validate the configuration and exit\n"
	    "  -j, --json          with --check-config: the result as JSON\n"
	    "  -n, --dry-run       a rehearsal beside the real daemon: read "
	    "the events in\n"
	    "                      a group of its own, record under the "
	    "prefix with\n"
	    "                      \"" CONFIG_REHEARSAL "\" added, send "
	    "nothing\n"
	    "  -V, --version       print the version and exit\n",
	    CONFIG_DEFAULT_PATH);
}

/*
 * Split a text of problems, one a line, into an array of lines (in
 * place); the caller frees the array.
 */
static const char **
closeloopd_lines(char *text, size_t *n)
{
	const char	**lines = NULL;
	char		 *line, *save = NULL;

	*n = 0;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		lines = xreallocarray(lines, *n + 1, sizeof *lines);
		lines[(*n)++] = line;
	}
	return lines;
}

/*
 * Check the configuration and its template set and print the outcome as
 * one JSON object: config, valid, problems (the configuration's, one a
 * line), templates, templates_version, template_problems. Returns the
 * exit status: 0, or EX_CONFIG.
 */
static int
closeloopd_check_json(const char *path)
{
	struct config	 *cf;
	struct catalog	 *cat = NULL;
	struct json	 *j;
	const char	**lines = NULL;
	char		 *cause = NULL;
	size_t		  n = 0;
	int		  rc = EX_CONFIG;

	j = json_new();
	json_set(j, "config", path);
	if ((cf = config_load(path, &cause)) == NULL) {
		lines = closeloopd_lines(cause, &n);
		json_set_bool(j, "valid", 0);
		json_set_strings(j, "problems", lines, n);
		goto out;
	}
	json_set(j, "templates", cf->templates_dir);
	if ((cat = lint_load(cf, &cause)) == NULL) {
		lines = closeloopd_lines(cause, &n);
		json_set_bool(j, "valid", 0);
		json_set_strings(j, "problems", NULL, 0);
		json_set_strings(j, "template_problems", lines, n);
		goto out;
	}
	json_set_bool(j, "valid", 1);
	json_set_strings(j, "problems", NULL, 0);
	json_set(j, "templates_version", catalog_version(cat));
	json_set_strings(j, "template_problems", NULL, 0);
	rc = 0;
out:
	json_print(j, stdout);
	json_free(j);
	free(lines);
	free(cause);
	catalog_free(cat);
	config_free(cf);
	return rc;
}

/* Parse the command line, load the configuration and run the server. */
int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct config	*cf;
	struct catalog	*cat;
	const char	*path = CONFIG_DEFAULT_PATH;
	char		*cause = NULL;
	int		 ch, check = 0, dry_run = 0, json = 0;

	operator_set_via("closeloopd");
	while ((ch = getopt_long(argc, argv, "c:jntVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'n':
			dry_run = 1;
			break;
		case 't':
			check = 1;
			break;
		case 'V':
			printf("closeloopd %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			closeloopd_usage(stdout);
			return 0;
		default:
			closeloopd_usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "closeloopd: unexpected \"%s\"\n",
		    argv[optind]);
		closeloopd_usage(stderr);
		return EX_USAGE;
	}
	if (json && !check) {
		fprintf(stderr, "closeloopd: --json goes with --check-config\n");
		closeloopd_usage(stderr);
		return EX_USAGE;
	}
	if (json)
		return closeloopd_check_json(path);

	cf = config_load(path, &cause);
	if (cf == NULL) {
		if (check)
			fprintf(stderr, "%s\n", cause);
		else
			log_err("%s", cause);
		fprintf(stderr, "%s: configuration is not valid\n", path);
		free(cause);
		return EX_CONFIG;
	}
	if ((cat = lint_load(cf, &cause)) == NULL) {
		if (check)
			fprintf(stderr, "%s\n", cause);
		else
			log_err("%s", cause);
		fprintf(stderr, "%s: templates.dir %s is not valid\n", path,
		    cf->templates_dir);
		free(cause);
		config_free(cf);
		return EX_CONFIG;
	}
	if (dry_run)
		config_rehearsal(cf);
	if (check) {
		printf("%s: configuration is valid\n", path);
		printf("%s: templates are valid (version %s)\n",
		    cf->templates_dir, catalog_version(cat));
		catalog_free(cat);
		config_free(cf);
		return 0;
	}
	log_set_level(cf->log_level);
	log_notice("templates %s loaded, version %s", cf->templates_dir,
	    catalog_version(cat));
	return server_run(cf, cat, dry_run);
}
