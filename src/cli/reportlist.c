/*
 * reportlist.c - "closeloop report --list": the SRs behind a count
 *
 * A count in the rollups says how many; the trail says which. Each entry
 * is turned back into a decision and given to rollcount_counters(), the
 * function that counted it, so the list and the count agree. For the
 * counts whose SRs the rollups keep in sets (rollcount_listed():
 * held, flag, failed), the sets of the days asked name the SRs
 * (rolllist.h) and only those SRs' own streams are read, over the whole
 * days, their entries printed in time order; an SR listed with no entry
 * left in its stream is printed as such, so the list reaches back
 * audit.rollup_days. For the other counts the stream of every entry in
 * the time asked is read, while the trail keeps it (audit.retain_days).
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "audit.h"
#include "config.h"
#include "datefmt.h"
#include "decision.h"
#include "json.h"
#include "redis.h"
#include "reportlist.h"
#include "rollcount.h"
#include "rollopen.h"
#include "rollup.h"
#include "vocab.h"
#include "xmalloc.h"

/* One line of output kept to be printed in time order. */
struct reportlist_line {
	int64_t		 at;
	size_t		 seq;
	char		*text;
};

/* What is asked for, and what was found. */
struct reportlist {
	const struct config	*cf;
	const char		*division;
	const char		*ward;
	const char		*service;
	const char		*kind;
	const char		*match;		/* the counter of the entries
						   printed: kind's, or the
						   flag of the open ones */
	int			 json;
	int			 keep;		/* keep lines, not print */
	int64_t			 since;		/* the time printed */
	int64_t			 until;
	int			 found;		/* the SR read has an entry */
	struct reportlist_line	*lines;
	size_t			 nlines;
	size_t			 entries;
	char			**srs;
	size_t			 nsrs;
};

/* Return 1 if a value matches what was asked (NULL asks nothing). */
static int
reportlist_is(const char *asked, const char *v, int anycase)
{
	if (asked == NULL)
		return 1;
	if (v == NULL)
		return 0;
	return anycase ? strcasecmp(asked, v) == 0 : strcmp(asked, v) == 0;
}

/* Return 1 if the entry adds to the counter asked for. */
static int
reportlist_counts(const struct reportlist *rl,
    const struct redis_reply *fields)
{
	struct decision_list	 dl = { NULL, 0 };
	struct decision		*d;
	const char		*kind = redis_reply_field(fields, "decision");
	const char		*notice = redis_reply_field(fields, "notice");
	char			*c[ROLLCOUNT_MAX];
	size_t			 n, i;
	int			 hit = 0;

	if (kind == NULL)
		return 0;
	d = decision_add(&dl, decision_kind_parse(kind),
	    redis_reply_field(fields, "rule"), vocab_notice_parse(notice !=
	    NULL ? notice : ""), redis_reply_field(fields, "division"), NULL,
	    "%s", "");
	decision_set(d, "channel", redis_reply_field(fields, "channel"));
	n = rollcount_counters(d, c);
	for (i = 0; i < n; i++) {
		hit |= strcmp(c[i], rl->match) == 0;
		free(c[i]);
	}
	decision_clear(&dl);
	return hit;
}

/* Note an SR, once. */
static void
reportlist_sr(struct reportlist *rl, const char *sr)
{
	size_t	i;

	for (i = 0; i < rl->nsrs; i++) {
		if (strcmp(rl->srs[i], sr) == 0)
			return;
	}
	rl->srs = xreallocarray(rl->srs, rl->nsrs + 1, sizeof *rl->srs);
	rl->srs[rl->nsrs++] = xstrdup(sr);
}

/* Print a line, or keep it to print in time order; text is consumed. */
static void
reportlist_out(struct reportlist *rl, int64_t at, char *text)
{
	if (!rl->keep) {
		printf("%s\n", text);
		free(text);
		return;
	}
	rl->lines = xreallocarray(rl->lines, rl->nlines + 1,
	    sizeof *rl->lines);
	rl->lines[rl->nlines].at = at;
	rl->lines[rl->nlines].seq = rl->nlines;
	rl->lines[rl->nlines++].text = text;
}

/* Print one entry if it is one asked for. */
static int
reportlist_entry(const char *id, const struct redis_reply *fields, void *arg)
{
	struct reportlist	*rl = arg;
	const char		*sr = redis_reply_field(fields, "sr");
	const char		*at = redis_reply_field(fields, "at");
	const char		*rule = redis_reply_field(fields, "rule");
	const char		*detail = redis_reply_field(fields, "detail");
	char			 when[32];
	int64_t			 ms = at != NULL ? strtoll(at, NULL, 10) : 0;

	if (sr == NULL || !reportlist_is(rl->division,
	    redis_reply_field(fields, "division"), 1) ||
	    !reportlist_is(rl->ward, redis_reply_field(fields, "ward"), 0) ||
	    !reportlist_is(rl->service, redis_reply_field(fields, "service"),
	    1) || !reportlist_counts(rl, fields))
		return 0;
	rl->found = 1;
	if (rl->keep && (ms < rl->since || ms >= rl->until))
		return 0;	/* of a day asked, not of the time */
	rl->entries++;
	reportlist_sr(rl, sr);
	if (rl->json) {
		reportlist_out(rl, ms, audit_json(id, fields));
		return 0;
	}
	datefmt_local(rl->cf->templates_timezone, ms, when, sizeof when);
	reportlist_out(rl, ms, xasprintf("%s  %-16s %-6s %s%s%s%s  %s", when,
	    sr, redis_reply_field(fields, "division"),
	    redis_reply_field(fields, "decision"), rule != NULL ? " [" : "",
	    rule != NULL ? rule : "", rule != NULL ? "]" : "",
	    detail != NULL ? detail : ""));
	return 0;
}

/* Note an SR the rollups list but whose entries the trail has lost. */
static void
reportlist_gone(struct reportlist *rl, const char *sr, const char *division)
{
	struct json	*j;

	reportlist_sr(rl, sr);
	if (!rl->json) {
		reportlist_out(rl, INT64_MAX, xasprintf("%-19s  %-16s %-6s %s  "
		    "no longer in the trail (audit.retain_days)", "-", sr,
		    division, rl->kind));
		return;
	}
	j = json_new();
	json_set(j, "sr", sr);
	json_set(j, "division", division);
	json_set(j, "count", rl->kind);
	json_set_bool(j, "in_trail", 0);
	reportlist_out(rl, INT64_MAX, json_dump(j));
	json_free(j);
}

/* Read the SRs of one division the rollups list, over whole days. */
static int
reportlist_division(struct redis *r, struct reportlist *rl,
    const char *division, const char *first, const char *last, int64_t from,
    int64_t to, char **cause)
{
	const char	*asked = rl->division;
	char		**srs = NULL;
	size_t		  n = 0, i;
	int		  rc = 0;

	if (rollopen_srs(r, rl->cf, division, first, last, rl->kind,
	    rl->ward, rl->service, &srs, &n, cause) != 0)
		return -1;
	rl->division = division;
	for (i = 0; rc == 0 && i < n; i++) {
		rl->found = 0;
		rc = audit_scan(r, rl->cf, srs[i], from, to - 1,
		    reportlist_entry, rl, cause);
		if (rc == 0 && !rl->found)
			reportlist_gone(rl, srs[i], division);
	}
	rl->division = asked;
	for (i = 0; i < n; i++)
		free(srs[i]);
	free(srs);
	return rc;
}

/* Compare two lines by time, then by the order they came in. */
static int
reportlist_cmp(const void *a, const void *b)
{
	const struct reportlist_line	*x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Print the entries of the SRs the rollups list for the count. */
static int
reportlist_sets(struct redis *r, struct reportlist *rl, char **cause)
{
	const char	*tz = rl->cf->templates_timezone;
	char		 first[DATEFMT_DAY_LEN + 1], last[DATEFMT_DAY_LEN + 1];
	char		 next[DATEFMT_DAY_LEN + 1], **divs = NULL;
	int64_t		 from, to;
	size_t		 ndivs = 0, i;
	int		 rc = 0;

	rl->keep = 1;
	datefmt_day(tz, rl->since, first);
	datefmt_day(tz, rl->until > rl->since ? rl->until - 1 : rl->until,
	    last);
	if (rollup_next_day(last, next) != 0 ||
	    datefmt_parse_when(first, tz, 0, &from, cause) != 0 ||
	    datefmt_parse_when(next, tz, 0, &to, cause) != 0 ||
	    rollup_divisions(r, rl->cf, &divs, &ndivs, cause) != 0)
		return -1;
	for (i = 0; i < ndivs; i++) {
		if (rc == 0 && (rl->division == NULL ||
		    strcasecmp(divs[i], rl->division) == 0))
			rc = reportlist_division(r, rl, divs[i], first, last,
			    from, to, cause);
		free(divs[i]);
	}
	free(divs);
	if (rl->nlines > 1)
		qsort(rl->lines, rl->nlines, sizeof *rl->lines,
		    reportlist_cmp);
	for (i = 0; i < rl->nlines; i++) {
		if (rc == 0)
			printf("%s\n", rl->lines[i].text);
		free(rl->lines[i].text);
	}
	free(rl->lines);
	return rc;
}

/* Run "closeloop report --list". */
int
reportlist_run(struct redis *r, const struct config *cf, int64_t since,
    int64_t until, const char *division, const char *ward,
    const char *service, const char *kind, int json, char **cause)
{
	struct reportlist	rl;
	size_t			i;
	int			rc = 0;

	if (!rollcount_known(kind) && !rollopen_listed(kind)) {
		fprintf(stderr, "closeloop report: --list %s: not a count; "
		    "give one such as held, held:explicit_transfer, "
		    "flag:no_note, told:completed, failed or received\n",
		    kind);
		return EX_USAGE;
	}
	memset(&rl, 0, sizeof rl);
	rl.cf = cf;
	rl.division = division;
	rl.ward = ward;
	rl.service = service;
	rl.kind = kind;
	rl.match = strcmp(kind, ROLLOPEN_COUNTER) == 0 ? ROLLOPEN_FLAG : kind;
	rl.json = json;
	rl.since = since;
	rl.until = until;
	if ((rollopen_listed(kind) ? reportlist_sets(r, &rl, cause) :
	    audit_scan(r, cf, NULL, since, until, reportlist_entry, &rl,
	    cause)) != 0)
		rc = EX_UNAVAILABLE;
	else if (!json)
		printf("%zu entr%s, %zu SR%s\n", rl.entries,
		    rl.entries == 1 ? "y" : "ies", rl.nsrs,
		    rl.nsrs == 1 ? "" : "s");
	for (i = 0; i < rl.nsrs; i++)
		free(rl.srs[i]);
	free(rl.srs);
	return rc;
}
