/*
 * closeloop.c - the operator tool: command line and dispatch
 *
 * closeloop [-c FILE] COMMAND [ARGS]
 * Each command lives in its own module; this file only finds the
 * configuration and calls it.
 */
#include "build.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "config.h"
#include "emit.h"
#include "history.h"
#include "dead.h"
#include "lint.h"
#include "preview.h"
#include "report.h"

/* Print how to use the program. */
static void
closeloop_usage(FILE *f)
{
	fprintf(f, "usage: closeloop [-c FILE] COMMAND [ARGS]\n"
	    "  -c, --config FILE   closeloopd's configuration (default %s)\n"
	    "commands:\n"
	    "  emit [--force] FIELD=VALUE ...\n"
	    "        publish one event to the events stream (v defaults to 1,\n"
	    "        ts to now); it is validated first unless --force\n"
	    "  history [--json] SR\n"
	    "        an SR's timeline: what the CRM sent, what residents were\n"
	    "        told (or why not), by which channel, and if it arrived\n"
	    "  history [--json] --since WHEN [--until WHEN]\n"
	    "          [--decision K[,K...]] [--division CODE]\n"
	    "        the same across every SR (WHEN: 2026-11-01, 7d, 24h)\n"
	    "  report --since WHEN [--until WHEN] [--json]\n"
	    "        per division: notices, failures, misleading closures\n"
	    "        held back, closures without a note, unlinked duplicates\n"
	    "  render [--locale L] [--channel email|sms] [--templates DIR]\n"
	    "         [-f FILE] [FIELD=VALUE ...]\n"
	    "        print what a resident would receive for an event\n"
	    "  lint [DIR]\n"
	    "        check a template set (default templates.dir)\n"
	    "  queue\n"
	    "        how many notifications wait, by channel; claims; dead "
	    "letters\n"
	    "  dead list | dead retry ID...\n"
	    "        list the dead letters; queue some again (by entry id or\n"
	    "        notification id)\n",
	    CONFIG_DEFAULT_PATH);
}

/* Parse the command line and run a command. */
int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct config	*cf;
	const char	*path = CONFIG_DEFAULT_PATH, *command;
	char		*cause = NULL;
	int		 ch, rc, force = 0;

	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt_long(argc, argv, "+c:Vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'V':
			printf("closeloop %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			closeloop_usage(stdout);
			return 0;
		default:
			closeloop_usage(stderr);
			return EX_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		closeloop_usage(stderr);
		return EX_USAGE;
	}
	if (strcmp(argv[0], "emit") != 0 && strcmp(argv[0], "history") != 0 &&
	    strcmp(argv[0], "report") != 0 &&
	    strcmp(argv[0], "render") != 0 && strcmp(argv[0], "lint") != 0 &&
	    strcmp(argv[0], "queue") != 0 && strcmp(argv[0], "dead") != 0) {
		fprintf(stderr, "closeloop: unknown command \"%s\"\n", argv[0]);
		closeloop_usage(stderr);
		return EX_USAGE;
	}
	command = argv[0];
	argc--;
	argv++;
	if (strcmp(command, "emit") == 0 && argc > 0 &&
	    strcmp(argv[0], "--force") == 0) {
		force = 1;
		argc--;
		argv++;
	}
	if ((argc < 1 && strcmp(command, "render") != 0 &&
	    strcmp(command, "lint") != 0 && strcmp(command, "queue") != 0) ||
	    (strcmp(command, "queue") == 0 && argc != 0) ||
	    (strcmp(command, "lint") == 0 && argc > 1)) {
		closeloop_usage(stderr);
		return EX_USAGE;
	}
	if ((cf = config_load(path, &cause)) == NULL) {
		fprintf(stderr, "%s\n%s: configuration is not valid\n", cause,
		    path);
		free(cause);
		return EX_CONFIG;
	}
	/* history and report parse options: argv[-1] is their name. */
	if (strcmp(command, "history") == 0)
		rc = history_run(cf, argc + 1, argv - 1);
	else if (strcmp(command, "report") == 0)
		rc = report_run(cf, argc + 1, argv - 1);
	else if (strcmp(command, "render") == 0)
		rc = preview_run(cf, argc, argv);
	else if (strcmp(command, "queue") == 0)
		rc = dead_queue(cf);
	else if (strcmp(command, "dead") == 0)
		rc = dead_run(cf, argc, argv);
	else if (strcmp(command, "lint") == 0)
		rc = lint_run(cf, argc > 0 ? argv[0] : NULL);
	else
		rc = emit_run(cf, argc, argv, force);
	config_free(cf);
	return rc;
}
