/*
 * steercmd.c - "closeloop send-now" and "closeloop resend"
 *
 * The commands of steer.h: each prints a line per notification, for a
 * person or as JSON, and records who ran it (SUDO_USER, else USER) in
 * the SR's trail and the operators' record.
 */
#include "build.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "catalog.h"
#include "clock.h"
#include "cliredis.h"
#include "config.h"
#include "json.h"
#include "operator.h"
#include "redis.h"
#include "steer.h"
#include "steercmd.h"
#include "xmalloc.h"

/* What send-now has said so far. */
struct steercmd_out {
	int	json;
	long	seen;
};

/* Say what is wrong with a command line; return EX_USAGE. */
static int
steercmd_usage(const char *command, const char *why, const char *usage)
{
	fprintf(stderr, "closeloop %s: %s\nusage: closeloop %s\n", command,
	    why, usage);
	return EX_USAGE;
}

/* Print what became of one notification picked by send-now. */
static void
steercmd_say(const char *id, const char *sr, enum steer_result result,
    const char *detail, void *arg)
{
	struct steercmd_out	*o = arg;
	struct json		*j;

	o->seen++;
	if (!o->json) {
		printf("%s: %s\n", id, result != STEER_MOVED ? detail :
		    strstr(detail, "quiet_hours are in force") != NULL ?
		    strstr(detail, "but ") + 4 : "goes now");
		return;
	}
	j = json_new();
	json_set(j, "id", id);
	json_set(j, "sr", sr);
	json_set(j, "result", steer_result_name(result));
	json_set(j, "detail", detail);
	json_print(j, stdout);
	json_free(j);
}

/* Run "closeloop send-now". */
int
steercmd_send_now(const struct config *cf, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "sr", required_argument, NULL, 's' },
		{ "reason", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	const char		*usage = "send-now [--json] ID... | "
				    "--sr SR | --reason quiet_hours|retry|rate";
	struct steer_pick	 pick;
	struct steercmd_out	 o = { 0, 0 };
	struct redis		*r;
	char			*by, *cause = NULL;
	long			 moved;
	int			 ch;

	memset(&pick, 0, sizeof pick);
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == 'j')
			o.json = 1;
		else if (ch == 's')
			pick.sr = optarg;
		else if (ch == 'r')
			pick.reason = optarg;
		else
			return steercmd_usage("send-now", "unknown option",
			    usage);
	}
	pick.ids = (const char *const *)(argv + optind);
	pick.nids = (size_t)(argc - optind);
	if ((pick.nids > 0) + (pick.sr != NULL) + (pick.reason != NULL) != 1)
		return steercmd_usage("send-now", "name notifications, or one "
		    "SR, or one reason", usage);
	if ((r = cliredis_open(cf, "send-now")) == NULL)
		return EX_UNAVAILABLE;
	by = operator_name();
	moved = steer_send_now(r, cf, &pick, by, clock_now(), steercmd_say,
	    &o, &cause);
	free(by);
	redis_free(r);
	if (moved < 0) {
		fprintf(stderr, "closeloop send-now: %s\n", cause);
		free(cause);
		return EX_UNAVAILABLE;
	}
	if (!o.json)
		printf("%ld notification%s made due now%s\n", moved,
		    moved == 1 ? "" : "s", o.seen == 0 ? " (none waits so)" :
		    "");
	return pick.nids > 0 && moved < (long)pick.nids ? EX_DATAERR : 0;
}

/* Run "closeloop resend". */
int
steercmd_resend(const struct config *cf, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "same-content", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*usage = "resend [--json] [--same-content] "
			    "NOTIFICATION";
	struct catalog	*cat = NULL;
	struct redis	*r;
	struct json	*j;
	char		*by, *cause = NULL, *newid = NULL;
	int		 ch, json = 0, same = 0, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == 'j')
			json = 1;
		else if (ch == 's')
			same = 1;
		else
			return steercmd_usage("resend", "unknown option",
			    usage);
	}
	if (argc - optind != 1)
		return steercmd_usage("resend", "which notification? (an id "
		    "SR/SEQ/I from closeloop history --json)", usage);
	if (same && (cat = catalog_load(cf->templates_dir,
	    cf->templates_default_locale, &cause)) == NULL) {
		fprintf(stderr, "%s\ncloseloop resend: the templates in %s are "
		    "not valid\n", cause, cf->templates_dir);
		free(cause);
		return EX_CONFIG;
	}
	if ((r = cliredis_open(cf, "resend")) == NULL) {
		catalog_free(cat);
		return EX_UNAVAILABLE;
	}
	by = operator_name();
	rc = steer_resend(r, cf, argv[optind], cat != NULL ?
	    catalog_version(cat) : NULL, same, by, clock_now(), &newid,
	    &cause);
	free(by);
	redis_free(r);
	catalog_free(cat);
	if (rc != 0) {
		fprintf(stderr, "closeloop resend: %s\n", cause);
		free(cause);
		return EX_DATAERR;
	}
	if (json) {
		j = json_new();
		json_set(j, "id", newid);
		json_set(j, "resend_of", argv[optind]);
		json_set_bool(j, "same_content", same);
		json_print(j, stdout);
		json_free(j);
	} else
		printf("%s: queued again as %s\n", argv[optind], newid);
	free(newid);
	return 0;
}
