/*
 * closeloopd.c - the closeloop daemon: command line and start-up
 *
 * closeloopd [-c FILE] [--check-config]
 * Runs in the foreground, as systemd expects, logging to stderr. Exit
 * codes come from <sysexits.h>: 78 (EX_CONFIG) for a bad configuration,
 * so that the unit can say RestartPreventExitStatus=78.
 */
#include "build.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "catalog.h"
#include "config.h"
#include "lint.h"
#include "log.h"
#include "server.h"

/* Print how to use the program. */
static void
closeloopd_usage(FILE *f)
{
	fprintf(f, "usage: closeloopd [-c FILE] [--check-config] [--dry-run]\n"
	    "  -c, --config FILE   configuration (default %s)\n"
	    "  -t, --check-config  validate the configuration and exit\n"
	    "  -n, --dry-run       render and record notifications, send "
	    "none\n"
	    "  -V, --version       print the version and exit\n",
	    CONFIG_DEFAULT_PATH);
}

/* Parse the command line, load the configuration and run the server. */
int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 't' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct config	*cf;
	struct catalog	*cat;
	const char	*path = CONFIG_DEFAULT_PATH;
	char		*cause = NULL;
	int		 ch, check = 0, dry_run = 0;

	while ((ch = getopt_long(argc, argv, "c:ntVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
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
		closeloopd_usage(stderr);
		return EX_USAGE;
	}

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
