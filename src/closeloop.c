/*
 * closeloop.c - the operator tool: command line and dispatch
 *
 * closeloop [-c FILE] [--prefix PREFIX | --dry-run] COMMAND [ARGS]
 * Each command lives in its own module and parses its own options and
 * operands, in any order (history SR --json works as --json SR does);
 * this file only finds the configuration and calls it. render and lint
 * also run where there is no configuration file at the default path - a
 * template editor's checkout - on the built-in defaults. bounce, which
 * the mail server runs, reads only the secrets it needs
 * (config_load_bounce()), and a configuration it cannot read makes the
 * mail server keep the report and try again (EX_TEMPFAIL).
 */
#include "build.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "bouncecmd.h"
#include "config.h"
#include "emit.h"
#include "find.h"
#include "history.h"
#include "dead.h"
#include "lintcmd.h"
#include "pausecmd.h"
#include "preview.h"
#include "queue.h"
#include "report.h"
#include "show.h"
#include "steercmd.h"
#include "suppressed.h"
#include "user.h"

/* A command: how it is called, and whether it needs a configuration. */
struct closeloop_command {
	const char	*name;
	int		(*run)(const struct config *, int, char **);
	int		 loose;	/* may run on the built-in defaults */
};

static const struct closeloop_command closeloop_commands[] = {
	{ "emit", emit_run, 0 },
	{ "history", history_run, 0 },
	{ "show", show_run, 0 },
	{ "find", find_run, 0 },
	{ "report", report_run, 0 },
	{ "render", preview_run, 1 },
	{ "lint", lintcmd_run, 1 },
	{ "queue", queue_run, 0 },
	{ "dead", dead_run, 0 },
	{ "pause", pausecmd_pause, 0 },
	{ "resume", pausecmd_resume, 0 },
	{ "send-now", steercmd_send_now, 0 },
	{ "resend", steercmd_resend, 0 },
	{ "suppressed", suppressed_run, 0 },
	{ "bounce", bouncecmd_run, 0 },
	{ "user", user_run, 0 },
};

/* Print how to use the program. */
static void
closeloop_usage(FILE *f)
{
	fprintf(f, "usage: closeloop [-c FILE] [--prefix PREFIX | --dry-run] "
	    "COMMAND [ARGS]\n"
	    "  -c, --config FILE   closeloopd's configuration (default %s)\n"
	    "  --prefix PREFIX     look at the keys under PREFIX, not "
	    "redis.prefix\n"
	    "  --dry-run           look at what closeloopd --dry-run "
	    "recorded\n"
	    "commands (options and operands in any order):\n"
	    "  emit [--force] FIELD=VALUE ...\n"
	    "        publish one event to the events stream (v defaults to 1,\n"
	    "        ts to now); it is validated first unless --force\n"
	    "  history [--json] SR\n"
	    "        an SR's timeline: what the CRM sent, what residents were\n"
	    "        told (or why not), by which channel, and if it arrived\n"
	    "  history [--json] --since WHEN [--until WHEN]\n"
	    "          [--decision K[,K...]] [--division CODE]\n"
	    "        the same across every SR (WHEN: 2026-11-01, 7d, 24h)\n"
	    "  find [--json] --email ADDRESS | --phone NUMBER\n"
	    "        a resident's SRs, newest first, from the whole address\n"
	    "        or number (needs audit.lookup_secret_file)\n"
	    "  show NOTIFICATION [--text | --html FILE | --eml FILE]\n"
	    "        a message as it was sent (id SR/SEQ/I, from history\n"
	    "        --json), and whether its hash checks against the trail\n"
	    "  report --since WHEN [--until WHEN] [--division CODE]\n"
	    "         [--ward W | --service TYPE | --top N]\n"
	    "         [--by day|week|month] [--json | --csv] [--list KIND]\n"
	    "        per division: notices, failures, misleading closures\n"
	    "        held back, closures without a note, unlinked duplicates;\n"
	    "        --list KIND: the SRs behind one count\n"
	    "  render [--locale L] [--channel email|sms] [--templates DIR]\n"
	    "         [-f FILE] [--html FILE] [--eml FILE]\n"
	    "         [--send-to ADDRESS|NUMBER] [FIELD=VALUE ...]\n"
	    "        print what a resident would receive for an event; write\n"
	    "        the email for a browser or a mail client; --send-to: send\n"
	    "        it for real, marked as a test, recorded in the test trail\n"
	    "  lint [--json] [DIR]\n"
	    "        check a template set (default templates.dir)\n"
	    "  queue [--held] [--waiting] [--claims] [--channel email|sms]\n"
	    "        [--sr SR] [--limit N] [--json]\n"
	    "        what waits: totals by channel, then the held notices,\n"
	    "        the notifications waiting (and why) and the claims;\n"
	    "        --held, --waiting, --claims: those lists only\n"
	    "  dead list [--json] | dead retry ID... | dead drop [--json] "
	    "ID...\n"
	    "        list the dead letters; queue some again, or drop them\n"
	    "        (by entry id or notification id)\n"
	    "  pause [email|sms [--until TIME] [--note TEXT]] [--json]\n"
	    "        stop a channel for every closeloopd (nothing is lost),\n"
	    "        or say which are paused; resume email|sms starts it\n"
	    "  send-now [--json] ID... | --sr SR | --reason REASON\n"
	    "        take waiting notifications out of their wait\n"
	    "        (REASON: quiet_hours, retry, rate)\n"
	    "  resend [--json] [--same-content] NOTIFICATION\n"
	    "        send a message that went out again, as a new one\n"
	    "  suppressed list [--json] [--limit N] | clear ADDRESS|HASH...\n"
	    "        the email addresses that bounced, no longer mailed\n"
	    "  bounce [ADDRESS|EXTENSION] < MESSAGE\n"
	    "        record a bounce or abuse report that came back to\n"
	    "        email.bounce_address (run by the mail server)\n"
	    "render and lint run on the built-in defaults where the default\n"
	    "configuration file does not exist.\n",
	    CONFIG_DEFAULT_PATH);
}

/* Find a command by name; NULL if there is none. */
static const struct closeloop_command *
closeloop_find(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof closeloop_commands /
	    sizeof closeloop_commands[0]; i++) {
		if (strcmp(closeloop_commands[i].name, name) == 0)
			return &closeloop_commands[i];
	}
	return NULL;
}

/*
 * Load the configuration at path; for a command that may, the built-in
 * defaults when path is the default and no file is there. Returns it,
 * or NULL after saying why.
 */
static struct config *
closeloop_config(const struct closeloop_command *c, const char *path,
    int given)
{
	struct config	*cf;
	struct stat	 sb;
	char		*cause = NULL;

	if (c->loose && !given && stat(path, &sb) != 0 && errno == ENOENT) {
		fprintf(stderr, "closeloop %s: no %s; using the built-in "
		    "defaults\n", c->name, path);
		path = NULL;
	}
	cf = c->run == bouncecmd_run ? config_load_bounce(path, &cause) :
	    config_load(path, &cause);
	if (cf == NULL) {
		fprintf(stderr, "%s\n%s: configuration is not valid\n", cause,
		    path);
		free(cause);
	}
	return cf;
}

/* Parse the command line and run a command. */
int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct closeloop_command	*c;
	struct config			*cf;
	const char			*path = CONFIG_DEFAULT_PATH;
	const char			*prefix = NULL;
	int				 ch, rc, given = 0, rehearsal = 0;

	signal(SIGPIPE, SIG_IGN);
	/* "+": the options after the command are the command's. */
	while ((ch = getopt_long(argc, argv, "+c:Vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			given = 1;
			break;
		case 'p':
			prefix = optarg;
			break;
		case 'n':
			rehearsal = 1;
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
		fprintf(stderr, "closeloop: no command given\n");
		closeloop_usage(stderr);
		return EX_USAGE;
	}
	if ((c = closeloop_find(argv[0])) == NULL) {
		fprintf(stderr, "closeloop: unknown command \"%s\"\n", argv[0]);
		closeloop_usage(stderr);
		return EX_USAGE;
	}
	if (prefix != NULL && rehearsal) {
		fprintf(stderr, "closeloop: --prefix and --dry-run do not go "
		    "together\n");
		return EX_USAGE;
	}
	if ((cf = closeloop_config(c, path, given)) == NULL)
		return c->run == bouncecmd_run ? EX_TEMPFAIL : EX_CONFIG;
	if (prefix != NULL)
		config_prefix(cf, prefix);
	if (rehearsal)
		config_rehearsal(cf);
	/* Each command parses its own options: argv[0] is its name. */
	rc = c->run(cf, argc, argv);
	config_free(cf);
	return rc;
}
