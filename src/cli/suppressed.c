/*
 * suppressed.c - "closeloop suppressed": the addresses closeloop no
 * longer mails
 *
 * "list" shows the suppression list (suppress.h), newest first: the
 * masked address, its HASH, why (hard_bounce, complaint), the server's
 * words, when (local time), and the SR and notification that found it.
 * "clear" lets addresses off it, by the whole address or the HASH, once
 * the resident has given a working one; who did it is recorded.
 */
#include "build.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "clock.h"
#include "cliredis.h"
#include "config.h"
#include "datefmt.h"
#include "json.h"
#include "log.h"
#include "operator.h"
#include "redis.h"
#include "suppress.h"
#include "suppressed.h"
#include "xmalloc.h"

#define SUPPRESSED_USAGE "suppressed list [--json] [--limit N] | " \
			 "suppressed clear ADDRESS|HASH..."

/* Say what is wrong with a command line; return EX_USAGE. */
static int
suppressed_usage(const char *why)
{
	fprintf(stderr, "closeloop suppressed: %s\nusage: closeloop "
	    SUPPRESSED_USAGE "\n", why);
	return EX_USAGE;
}

/* Print one entry, for a person or as a line of JSON. */
static void
suppressed_print(const struct config *cf, const struct suppress_entry *e,
    int json)
{
	struct json	*j;
	char		 when[32];

	if (!json) {
		datefmt_local(cf->templates_timezone, e->at, when, sizeof when);
		printf("%s %s %s (%s, SR %s, %s): %s\n", when, e->to, e->hash,
		    e->reason, e->sr, e->notification, e->reply);
		return;
	}
	j = json_new();
	clock_rfc3339(e->at, when);
	json_set(j, "at", when);
	json_set(j, "to", e->to);
	json_set(j, "hash", e->hash);
	json_set(j, "reason", e->reason);
	json_set(j, "reply", e->reply);
	json_set(j, "sr", e->sr);
	json_set(j, "notification", e->notification);
	json_set(j, "by", e->by);
	json_print(j, stdout);
	json_free(j);
}

/* List the suppressed addresses. */
static int
suppressed_list(const struct config *cf, struct redis *r, int json,
    long limit)
{
	struct suppress_entry	*list;
	char			*cause = NULL;
	long long		 total;
	size_t			 n, i;

	total = suppress_list(r, cf, (size_t)limit, &list, &n, &cause);
	if (total < 0) {
		fprintf(stderr, "closeloop suppressed list: %s\n", cause);
		free(cause);
		return EX_UNAVAILABLE;
	}
	for (i = 0; i < n; i++)
		suppressed_print(cf, &list[i], json);
	if (!json)
		printf("%lld address%s suppressed%s\n", total, total == 1 ? "" :
		    "es", (long long)n < total ? " (more with --limit 0)" : "");
	suppress_list_free(list, n);
	return 0;
}

/* Let addresses off the list. */
static int
suppressed_clear(const struct config *cf, struct redis *r, int argc,
    char **argv)
{
	char	*by, *cause = NULL, *masked;
	int	 i, rc, bad = 0;

	by = operator_name();
	for (i = 0; i < argc; i++) {
		rc = suppress_clear(r, cf, argv[i], by, clock_now(), &cause);
		if (rc < 0) {
			fprintf(stderr, "closeloop suppressed clear: %s\n",
			    cause);
			free(cause);
			cause = NULL;
			bad = 1;
		} else {
			/* Said back masked, as closeloop writes addresses. */
			masked = strchr(argv[i], '@') != NULL ?
			    log_mask_email(argv[i]) : xstrdup(argv[i]);
			printf("%s: %s\n", masked, rc == 1 ? "cleared: "
			    "closeloop mails it again" : "was not suppressed");
			free(masked);
		}
	}
	free(by);
	return bad ? EX_UNAVAILABLE : 0;
}

/* Run "closeloop suppressed". */
int
suppressed_run(const struct config *cf, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "limit", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	struct redis	*r;
	char		*end;
	long		 limit = 100;
	int		 ch, json = 0, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == 'j')
			json = 1;
		else if (ch == 'l') {
			limit = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || limit < 0)
				return suppressed_usage("--limit: a number, 0 "
				    "for all");
		} else
			return suppressed_usage("unknown option");
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || (strcmp(argv[0], "list") != 0 &&
	    strcmp(argv[0], "clear") != 0))
		return suppressed_usage("list or clear?");
	if (strcmp(argv[0], "list") == 0 && argc != 1)
		return suppressed_usage("list takes no operand");
	if (strcmp(argv[0], "clear") == 0 && argc < 2)
		return suppressed_usage("clear which address?");
	if ((r = cliredis_open(cf, "suppressed")) == NULL)
		return EX_UNAVAILABLE;
	if (strcmp(argv[0], "list") == 0)
		rc = suppressed_list(cf, r, json, limit);
	else
		rc = suppressed_clear(cf, r, argc - 1, argv + 1);
	redis_free(r);
	return rc;
}
