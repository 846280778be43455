/*
 * reportlist.c - "closeloop report --list": the SRs behind a count
 *
 * A count in the rollups says how many; the trail says which. Each entry
 * of the stream of every SR in the time asked is turned back into a
 * decision and given to rollup_counters(), the function that counted it,
 * so the list and the count agree while the trail keeps the entries
 * (audit.retain_days).
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
#include "redis.h"
#include "reportlist.h"
#include "rollup.h"
#include "vocab.h"
#include "xmalloc.h"

/* What is asked for, and what was found. */
struct reportlist {
	const struct config	*cf;
	const char		*division;
	const char		*ward;
	const char		*service;
	const char		*kind;
	int			 json;
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
	char			*c[ROLLUP_PER_DECISION];
	size_t			 n, i;
	int			 hit = 0;

	if (kind == NULL)
		return 0;
	d = decision_add(&dl, decision_kind_parse(kind),
	    redis_reply_field(fields, "rule"), vocab_notice_parse(notice !=
	    NULL ? notice : ""), redis_reply_field(fields, "division"), NULL,
	    "%s", "");
	decision_set(d, "channel", redis_reply_field(fields, "channel"));
	n = rollup_counters(d, c);
	for (i = 0; i < n; i++) {
		hit |= strcmp(c[i], rl->kind) == 0;
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

/* Print one entry if it is one asked for. */
static int
reportlist_entry(const char *id, const struct redis_reply *fields, void *arg)
{
	struct reportlist	*rl = arg;
	const char		*sr = redis_reply_field(fields, "sr");
	const char		*at = redis_reply_field(fields, "at");
	const char		*rule = redis_reply_field(fields, "rule");
	const char		*detail = redis_reply_field(fields, "detail");
	char			 when[32], *json;

	if (sr == NULL || !reportlist_is(rl->division,
	    redis_reply_field(fields, "division"), 1) ||
	    !reportlist_is(rl->ward, redis_reply_field(fields, "ward"), 0) ||
	    !reportlist_is(rl->service, redis_reply_field(fields, "service"),
	    1) || !reportlist_counts(rl, fields))
		return 0;
	rl->entries++;
	reportlist_sr(rl, sr);
	if (rl->json) {
		json = audit_json(id, fields);
		printf("%s\n", json);
		free(json);
		return 0;
	}
	datefmt_local(rl->cf->templates_timezone, at != NULL ?
	    strtoll(at, NULL, 10) : 0, when, sizeof when);
	printf("%s  %-16s %-6s %s%s%s%s  %s\n", when, sr,
	    redis_reply_field(fields, "division"),
	    redis_reply_field(fields, "decision"), rule != NULL ? " [" : "",
	    rule != NULL ? rule : "", rule != NULL ? "]" : "",
	    detail != NULL ? detail : "");
	return 0;
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

	if (!rollup_counter_known(kind)) {
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
	rl.json = json;
	if (audit_scan(r, cf, NULL, since, until, reportlist_entry, &rl,
	    cause) != 0)
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
