/*
 * history.c - "closeloop history": what a resident was told, and why
 *
 * For division staff checking what a resident saw. The timeline of one
 * SR comes from its audit stream; a query over every SR (--since) from
 * the stream of all entries (audit.h). In the text form each entry is a
 * line - local time, what happened, the notice, then the rule and the
 * sentence recorded with it - and a message that went out is followed
 * by what the resident read: its subject, or the SMS itself. The JSON
 * form is the entries as they are kept, one object per line.
 */
#include "build.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "audit.h"
#include "clock.h"
#include "config.h"
#include "datefmt.h"
#include "decision.h"
#include "history.h"
#include "redis.h"
#include "redisconn.h"
#include "syntax.h"
#include "xmalloc.h"

/* What to print, and what has been. */
struct history {
	const struct config	*cf;
	int			 json;
	int			 across;	/* --since: every SR */
	char			*decisions;	/* ",k1,k2," or NULL */
	const char		*division;
	size_t			 shown;
};

/* Return the value of a field of an entry, or "". */
static const char *
history_field(const struct redis_reply *fields, const char *name)
{
	const char	*v = redis_reply_field(fields, name);

	return v != NULL ? v : "";
}

/* Return 1 if an entry passes the --decision and --division filters. */
static int
history_wanted(const struct history *h, const struct redis_reply *fields)
{
	const char	*v;
	char		*k;
	int		 ok = 1;

	if (h->decisions != NULL) {
		k = xasprintf(",%s,", history_field(fields, "decision"));
		ok = strstr(h->decisions, k) != NULL;
		free(k);
	}
	if (ok && h->division != NULL) {
		v = history_field(fields, "division");
		ok = strcasecmp(v, h->division) == 0;
	}
	return ok;
}

/*
 * Print text, indented: the first line of an email's (whose whole text
 * --json gives), shortened to fit; an SMS whole, as the phone showed it.
 */
static void
history_quote(const char *label, const char *text, int whole)
{
	size_t	n = strcspn(text, "\r\n");

	if (whole) {
		printf("%21s%s: %s\n", "", label, text);
		return;
	}
	if (n > 160)
		n = 160;
	printf("%21s%s: %.*s%s\n", "", label, (int)n, text,
	    text[n] != '\0' ? " ..." : "");
}

/* Print one entry as a line (or two) for a person. */
static void
history_line(const struct history *h, const struct redis_reply *fields)
{
	const char	*rule = history_field(fields, "rule");
	const char	*decision = history_field(fields, "decision");
	const char	*v;
	char		 when[32];

	datefmt_local(h->cf->templates_timezone,
	    strtoll(history_field(fields, "at"), NULL, 10), when, sizeof when);
	printf("%s  ", when);
	if (h->across)
		printf("%-10s ", history_field(fields, "sr"));
	printf("%-12s %-12s %s%s%s%s\n", decision,
	    *(v = history_field(fields, "notice")) != '\0' ? v : "-",
	    *rule != '\0' ? "[" : "", rule, *rule != '\0' ? "] " : "",
	    history_field(fields, "detail"));
	/* What the resident answered, in their own words. */
	if (strcmp(decision, "answered") == 0 &&
	    *(v = history_field(fields, "comment")) != '\0')
		history_quote("comment", v, 0);
	if (strcmp(decision, "sent") != 0 && strcmp(decision, "dry_run") != 0)
		return;
	if (*(v = history_field(fields, "subject")) != '\0')
		history_quote("subject", v, 0);
	if (*(v = history_field(fields, "sms")) != '\0')
		history_quote("text", v, 1);
}

/* Print one entry if it passes the filters. */
static int
history_entry(const char *id, const struct redis_reply *fields, void *arg)
{
	struct history	*h = arg;
	char		*line;

	(void)id;
	if (!history_wanted(h, fields))
		return 0;
	h->shown++;
	if (!h->json) {
		history_line(h, fields);
		return 0;
	}
	line = audit_json(NULL, fields);
	printf("%s\n", line);
	free(line);
	return 0;
}

/* Turn "a,b" into ",a,b," after checking every kind. */
static char *
history_kinds(const char *list)
{
	char	*copy, *k, *p, *out;

	copy = xstrdup(list);
	for (p = copy; (k = strsep(&p, ",")) != NULL; ) {
		if (decision_kind_parse(k) == 0) {
			fprintf(stderr, "closeloop history: --decision: "
			    "\"%s\" is not a decision (sent, held, "
			    "suppressed, coalesced, deferred, retried, "
			    "failed, dead, flagged, ...)\n", k);
			free(copy);
			return NULL;
		}
	}
	free(copy);
	out = xasprintf(",%s,", list);
	return out;
}

/* Parse a time option; returns 0 or -1 after saying why. */
static int
history_when(const struct config *cf, const char *opt, const char *s,
    int64_t *ms)
{
	char	*cause = NULL;

	if (datefmt_parse_when(s, cf->templates_timezone, clock_now(), ms,
	    &cause) == 0)
		return 0;
	fprintf(stderr, "closeloop history: %s: %s\n", opt, cause);
	free(cause);
	return -1;
}

/* Run "closeloop history". */
int
history_run(const struct config *cf, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "decision", required_argument, NULL, 'd' },
		{ "division", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 }
	};
	struct history	 h;
	struct redis	*r = NULL;
	const char	*sr = NULL, *why;
	char		*cause = NULL;
	int64_t		 since = 0, until = 0;
	int		 ch, rc = EX_USAGE;

	memset(&h, 0, sizeof h);
	h.cf = cf;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			h.json = 1;
			break;
		case 's':
			if (history_when(cf, "--since", optarg, &since) != 0)
				goto fail_data;
			h.across = 1;
			break;
		case 'u':
			if (history_when(cf, "--until", optarg, &until) != 0)
				goto fail_data;
			break;
		case 'd':
			free(h.decisions);
			if ((h.decisions = history_kinds(optarg)) == NULL)
				goto fail_data;
			break;
		case 'D':
			h.division = optarg;
			break;
		default:
			goto fail;
		}
	}
	if (optind < argc)
		sr = argv[optind++];
	if (optind != argc)
		fprintf(stderr, "closeloop history: unexpected \"%s\" after "
		    "the SR\n", argv[optind]);
	else if (sr == NULL && !h.across)
		fprintf(stderr, "closeloop history: give an SR, or --since "
		    "for every SR\n");
	else if (sr != NULL && h.across)
		fprintf(stderr, "closeloop history: an SR and --since do not "
		    "go together\n");
	else if (until != 0 && since > until)
		fprintf(stderr, "closeloop history: --since is later than "
		    "--until\n");
	if (optind != argc || (sr == NULL) == !h.across ||
	    (until != 0 && since > until)) {
		fprintf(stderr, "usage: closeloop history [--json] SR\n"
		    "       closeloop history [--json] --since WHEN "
		    "[--until WHEN] [--decision K[,K...]] [--division CODE]\n");
		goto fail;
	}
	if (sr != NULL && syntax_sr(sr, &why) != 0) {
		fprintf(stderr, "closeloop history: SR \"%s\": %s\n", sr, why);
		goto fail_data;
	}
	if ((r = redisconn_open(cf, &cause)) == NULL ||
	    audit_scan(r, cf, sr, since, until, history_entry, &h,
	    &cause) != 0) {
		fprintf(stderr, "closeloop history: %s\n", cause);
		rc = EX_UNAVAILABLE;
		goto fail;
	}
	if (h.shown > 0 && !h.json)
		printf("(%zu entr%s; times in %s)\n", h.shown,
		    h.shown == 1 ? "y" : "ies", cf->templates_timezone);
	if (h.shown == 0 && !h.json && sr != NULL)
		printf("SR %s: nothing recorded (unknown SR, or its records "
		    "expired after audit.retain_days)\n", sr);
	else if (h.shown == 0 && !h.json)
		printf("nothing recorded in that time\n");
	rc = 0;
	goto fail;
fail_data:
	rc = EX_DATAERR;
fail:
	free(cause);
	redis_free(r);
	free(h.decisions);
	return rc;
}
