/*
 * report.c - "closeloop report": counts per division, for divisions
 *
 * One pass over the stream of every SR's audit entries (audit.h) in the
 * time asked for, counting per division. "Misleading closures held
 * back" are the closures a resident would otherwise have been told as
 * completed: closed because another division took the SR
 * (explicit_transfer), closed and then worked on by another division
 * (implicit_transfer), closed while other work orders stayed open
 * (partial_work_order), and closed with a reason that says the work was
 * not done (closed_not_done). "Closures without a note" are those
 * flagged no_note: no note and no note_code the division lists (an
 * unknown note_code is also counted on its own).
 */
#include "build.h"

#include <getopt.h>
#include <stdint.h>
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
#include "division.h"
#include "fnv.h"
#include "json.h"
#include "redis.h"
#include "redisconn.h"
#include "report.h"
#include "vocab.h"
#include "xmalloc.h"

/* What one division's entries add up to. */
struct report_row {
	char		*division;
	long long	 received;
	long long	 notices[VOCAB_NOTICE_COUNT];
	long long	 told;
	long long	 sent_email;
	long long	 sent_sms;
	long long	 delivered;
	long long	 failed;	/* failed, dead and undelivered */
	long long	 misleading;
	long long	 no_note;
	long long	 no_link;
	long long	 unknown_code;	/* note_code not in the list */
	long long	 shortened;	/* SMS shortened to fit */
	long long	 suppressed;	/* every suppression */
};

/* What became of one notification: its last outcome counts. */
struct report_note {
	char		*id;		/* NULL: a free slot */
	size_t		 row;		/* its division's row */
	int		 sms;
	int		 sent;		/* a server took it, once or more */
	int		 final;		/* its last outcome: a decision kind */
};

/* The rows, in the order divisions first appear; the notifications. */
struct report {
	struct report_row	*rows;
	size_t			 n;
	struct report_note	*notes;	/* open addressing, by id */
	size_t			 nnotes;
	size_t			 cap;	/* a power of two, or 0 */
};

/* Return the row of a division, adding it if new. */
static struct report_row *
report_row(struct report *rp, const char *division)
{
	size_t	i;

	for (i = 0; i < rp->n; i++) {
		if (strcmp(rp->rows[i].division, division) == 0)
			return &rp->rows[i];
	}
	rp->rows = xreallocarray(rp->rows, rp->n + 1, sizeof *rp->rows);
	memset(&rp->rows[rp->n], 0, sizeof rp->rows[rp->n]);
	rp->rows[rp->n].division = xstrdup(division);
	return &rp->rows[rp->n++];
}

/* Return the hash of a notification id. */
static size_t
report_hash(const char *id)
{
	return (size_t)fnv_add(FNV_INIT, id, strlen(id));
}

/* Return the slot of notification id, adding it if new. */
static struct report_note *
report_note(struct report *rp, const char *id)
{
	struct report_note	*old = rp->notes, *nt;
	size_t			 oldcap = rp->cap, i, k;

	if (2 * (rp->nnotes + 1) > rp->cap) {
		rp->cap = oldcap == 0 ? 1024 : 2 * oldcap;
		rp->notes = xcalloc(rp->cap, sizeof *rp->notes);
		for (i = 0; i < oldcap; i++) {
			if (old[i].id == NULL)
				continue;
			k = report_hash(old[i].id) & (rp->cap - 1);
			while (rp->notes[k].id != NULL)
				k = (k + 1) & (rp->cap - 1);
			rp->notes[k] = old[i];
		}
		free(old);
	}
	k = report_hash(id) & (rp->cap - 1);
	for (nt = &rp->notes[k]; nt->id != NULL; nt = &rp->notes[k]) {
		if (strcmp(nt->id, id) == 0)
			return nt;
		k = (k + 1) & (rp->cap - 1);
	}
	nt->id = xstrdup(id);
	rp->nnotes++;
	return nt;
}

/*
 * Count what became of each notification by its last outcome: sent if a
 * server ever took it, delivered or failed as it ended - so one retried
 * by an operator and then sent is not counted as a failure, and one whose
 * receipt raced ahead of the record of its send still counts delivered.
 */
static void
report_notes(struct report *rp)
{
	struct report_note	*nt;
	struct report_row	*row;
	size_t			 i;

	for (i = 0; i < rp->cap; i++) {
		nt = &rp->notes[i];
		if (nt->id == NULL)
			continue;
		row = &rp->rows[nt->row];
		if (nt->sent && nt->sms)
			row->sent_sms++;
		else if (nt->sent)
			row->sent_email++;
		if (nt->final == DECISION_DELIVERED)
			row->delivered++;
		else if (nt->final == DECISION_FAILED ||
		    nt->final == DECISION_DEAD ||
		    nt->final == DECISION_UNDELIVERED)
			row->failed++;
	}
}

/* Count one entry. */
static int
report_entry(const char *id, const struct redis_reply *fields, void *arg)
{
	struct report		*rp = arg;
	struct report_row	*row;
	struct report_note	*note;
	const char		*d, *rule, *division, *channel, *nid;
	enum vocab_notice	 nt;
	enum decision_kind	 kind;

	(void)id;
	d = redis_reply_field(fields, "decision");
	division = redis_reply_field(fields, "division");
	rule = redis_reply_field(fields, "rule");
	channel = redis_reply_field(fields, "channel");
	/* Subscriptions belong to no division. */
	if (d == NULL || division == NULL)
		return 0;
	row = report_row(rp, division);
	if (rule == NULL)
		rule = "";
	kind = decision_kind_parse(d);
	nid = redis_reply_field(fields, "notification");
	if (nid != NULL && (kind == DECISION_SENT || kind == DECISION_FAILED ||
	    kind == DECISION_DEAD || kind == DECISION_DELIVERED ||
	    kind == DECISION_UNDELIVERED)) {
		note = report_note(rp, nid);
		note->row = (size_t)(row - rp->rows);
		note->sms = channel != NULL && strcmp(channel, "sms") == 0;
		note->sent |= kind == DECISION_SENT;
		/*
		 * A gateway's receipt can be recorded before the worker
		 * records the send it reports on: a send never undoes it.
		 */
		if (kind != DECISION_SENT ||
		    (note->final != DECISION_DELIVERED &&
		    note->final != DECISION_UNDELIVERED))
			note->final = kind;
	} else if (strcmp(d, "received") == 0)
		row->received++;
	else if (strcmp(d, "queued") == 0) {
		nt = vocab_notice_parse(redis_reply_field(fields, "notice") !=
		    NULL ? redis_reply_field(fields, "notice") : "");
		row->notices[nt]++;
		row->told++;
	} else if (strcmp(d, "sent") == 0) {
		if (channel != NULL && strcmp(channel, "sms") == 0)
			row->sent_sms++;
		else
			row->sent_email++;
	} else if (strcmp(d, "delivered") == 0)
		row->delivered++;
	else if (strcmp(d, "failed") == 0 || strcmp(d, "dead") == 0 ||
	    strcmp(d, "undelivered") == 0)
		row->failed++;
	if (strcmp(d, "suppressed") == 0)
		row->suppressed++;
	if (decision_misleading(kind, rule) >= 0)
		row->misleading++;
	if (strcmp(d, "flagged") == 0 && strcmp(rule, "no_note") == 0)
		row->no_note++;
	if (strcmp(d, "flagged") == 0 &&
	    strcmp(rule, "duplicate_without_link") == 0)
		row->no_link++;
	if (strcmp(d, "flagged") == 0 && strcmp(rule, "sms_shortened") == 0)
		row->shortened++;
	if (strcmp(d, "flagged") == 0 &&
	    strcmp(rule, "unknown_note_code") == 0)
		row->unknown_code++;
	return 0;
}

/* Print one division's row for a person. */
static void
report_print(const struct config *cf, const struct report_row *row)
{
	const struct division	*dv;
	const char		*name = NULL;
	int			 k, first = 1;

	dv = division_find(cf->divisions, cf->ndivisions, row->division);
	if (dv != NULL)
		name = division_name(dv, cf->templates_default_locale);
	printf("\n%s%s%s\n", row->division, name != NULL ? "  " : "",
	    name != NULL ? name : "");
	printf("  %-34s %lld\n", "events received from the CRM",
	    row->received);
	printf("  %-34s %lld", "notices told to residents", row->told);
	for (k = 1; k < VOCAB_NOTICE_COUNT; k++) {
		if (row->notices[k] == 0)
			continue;
		printf("%s%s %lld", first ? "  (" : ", ",
		    vocab_notice_name((enum vocab_notice)k), row->notices[k]);
		first = 0;
	}
	printf("%s\n", first ? "" : ")");
	printf("  %-34s %lld  (email %lld, sms %lld; %lld confirmed on the "
	    "phone)\n", "messages sent", row->sent_email + row->sent_sms,
	    row->sent_email, row->sent_sms, row->delivered);
	printf("  %-34s %lld\n", "messages that failed", row->failed);
	printf("  %-34s %lld\n", "misleading closures held back",
	    row->misleading);
	printf("  %-34s %lld\n", "notices suppressed (every rule)",
	    row->suppressed);
	printf("  %-34s %lld\n", "closures without a note", row->no_note);
	printf("  %-34s %lld\n", "note codes not in the list",
	    row->unknown_code);
	printf("  %-34s %lld\n", "duplicates closed without a link",
	    row->no_link);
	printf("  %-34s %lld\n", "SMS shortened to fit", row->shortened);
}

/* Print one division's row as a JSON object. */
static void
report_json(const struct report_row *row, const char *since,
    const char *until)
{
	struct json	*j;
	char		key[64];
	int		 k;

	j = json_new();
	json_set(j, "division", row->division);
	json_set(j, "since", since);
	json_set(j, "until", until);
	json_set_int(j, "received", row->received);
	json_set_int(j, "notices", row->told);
	for (k = 1; k < VOCAB_NOTICE_COUNT; k++) {
		snprintf(key, sizeof key, "notices_%s",
		    vocab_notice_name((enum vocab_notice)k));
		json_set_int(j, key, row->notices[k]);
	}
	json_set_int(j, "sent_email", row->sent_email);
	json_set_int(j, "sent_sms", row->sent_sms);
	json_set_int(j, "delivered", row->delivered);
	json_set_int(j, "failed", row->failed);
	json_set_int(j, "misleading_closures_suppressed", row->misleading);
	json_set_int(j, "suppressed", row->suppressed);
	json_set_int(j, "closures_without_note", row->no_note);
	json_set_int(j, "unknown_note_codes", row->unknown_code);
	json_set_int(j, "duplicates_without_link", row->no_link);
	json_set_int(j, "sms_shortened", row->shortened);
	json_print(j, stdout);
	json_free(j);
}

/* Run "closeloop report". */
int
report_run(const struct config *cf, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "division", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 }
	};
	struct report	 rp = { NULL, 0, NULL, 0, 0 };
	struct redis	*r = NULL;
	const char	*since_s = NULL, *until_s = NULL, *division = NULL;
	char		*cause = NULL, from[32], to[32], iso_from[CLOCK_RFC3339_LEN];
	char		 iso_to[CLOCK_RFC3339_LEN];
	int64_t		 since = 0, until = 0;
	int		 ch, json = 0, rc = EX_USAGE;
	size_t		 i, shown = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == 'j')
			json = 1;
		else if (ch == 's')
			since_s = optarg;
		else if (ch == 'u')
			until_s = optarg;
		else if (ch == 'D')
			division = optarg;
		else
			goto usage;
	}
	if (optind != argc) {
		fprintf(stderr, "closeloop report: unexpected \"%s\"\n",
		    argv[optind]);
		goto usage;
	}
	if (since_s == NULL) {
		fprintf(stderr, "closeloop report: --since is required\n");
		goto usage;
	}
	if (datefmt_parse_when(since_s, cf->templates_timezone, clock_now(),
	    &since, &cause) != 0 || (until_s != NULL &&
	    datefmt_parse_when(until_s, cf->templates_timezone, clock_now(),
	    &until, &cause) != 0)) {
		fprintf(stderr, "closeloop report: %s\n", cause);
		rc = EX_DATAERR;
		goto fail;
	}
	if (until != 0 && since > until) {
		fprintf(stderr, "closeloop report: --since (%s) is later than "
		    "--until (%s)\n", since_s, until_s);
		goto usage;
	}
	if ((r = redisconn_open(cf, &cause)) == NULL ||
	    audit_scan(r, cf, NULL, since, until, report_entry, &rp,
	    &cause) != 0) {
		fprintf(stderr, "closeloop report: %s\n", cause);
		rc = EX_UNAVAILABLE;
		goto fail;
	}
	report_notes(&rp);
	if (until == 0)
		until = clock_now();
	clock_rfc3339(since, iso_from);
	clock_rfc3339(until, iso_to);
	if (!json) {
		datefmt_local(cf->templates_timezone, since, from, sizeof from);
		datefmt_local(cf->templates_timezone, until, to, sizeof to);
		printf("closeloop report, %s to %s (%s)\n", from, to,
		    cf->templates_timezone);
		if (rp.n == 0)
			printf("\nnothing recorded in that time\n");
	}
	for (i = 0; i < rp.n; i++) {
		if (division != NULL &&
		    strcasecmp(rp.rows[i].division, division) != 0)
			continue;
		shown++;
		if (json)
			report_json(&rp.rows[i], iso_from, iso_to);
		else
			report_print(cf, &rp.rows[i]);
	}
	if (!json && division != NULL && shown == 0 && rp.n > 0)
		printf("\nnothing recorded for division %s in that time\n",
		    division);
	rc = 0;
	goto fail;
usage:
	fprintf(stderr, "usage: closeloop report --since WHEN [--until WHEN] "
	    "[--division CODE] [--json]\n");
fail:
	for (i = 0; i < rp.n; i++)
		free(rp.rows[i].division);
	free(rp.rows);
	for (i = 0; i < rp.cap; i++)
		free(rp.notes[i].id);
	free(rp.notes);
	free(cause);
	redis_free(r);
	return rc;
}
