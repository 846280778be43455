/*
 * audit.c - the audit trail: every decision about an SR, kept and read
 *
 * Writing: a step's decisions are queued into the step's transaction
 * (txn.h), so the trail never says more or less than what was done; so
 * are their daily counts (rollup.h) and what the CRM is told of them
 * (outbound.h). The SR's stream is capped by count and expires as a
 * whole; the stream of every SR is trimmed by time (XADD ... MINID ~),
 * which keeps it at audit.retain_days without a separate sweep. Reading
 * pages through a stream with XRANGE, 500 entries at a time, so a long
 * range never needs one huge reply. Keys and fields are listed in
 * audit.h.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "clock.h"
#include "config.h"
#include "decision.h"
#include "json.h"
#include "metrics.h"
#include "outbound.h"
#include "redis.h"
#include "rollup.h"
#include "txn.h"
#include "xmalloc.h"

/* Entries read per XRANGE. */
#define AUDIT_PAGE	500

/* The JSON members that come first, in this order. */
static const char *audit_first[] = {
	"ts", "sr", "decision", "notice", "rule", "division", "channel",
	"to", "locale", "event_ids"
};

/* Return the key of an SR's audit stream. */
char *
audit_sr_key(const struct config *cf, const char *sr)
{
	return xasprintf("%ssr:{%s}:audit", cf->redis_prefix, sr);
}

/* Return the key of the stream of every SR's entries. */
char *
audit_all_key(const struct config *cf)
{
	return xasprintf("%saudit", cf->redis_prefix);
}

/*
 * Once tx has ended, count what it audited if it committed (metrics.h),
 * and free the list.
 */
static void
audit_committed(void *arg, int committed)
{
	struct decision_list	*audited = arg;

	if (committed)
		metrics_decisions(audited);
	decision_clear(audited);
	free(audited);
}

/* Queue the decisions into both streams, with retention and counters. */
void
audit_queue(struct txn *tx, const struct config *cf, const char *sr,
    const struct decision_list *dl, int64_t now)
{
	const char		*argv[8 + DECISION_FIELDS_MAX];
	struct decision_list	*audited;
	struct decision		*d;
	char			*key, *all, *stats, *counter;
	char			 max[32], at[32], rbuf[32], ttl[32], minid[40];
	size_t			 i, n;
	int64_t			 retain = (int64_t)cf->audit_retain_days * 86400;

	if (dl->n == 0)
		return;
	if ((audited = txn_hook_arg(tx, audit_committed)) == NULL) {
		audited = xcalloc(1, sizeof *audited);
		txn_hook(tx, audit_committed, audited);
	}
	for (i = 0; i < dl->n; i++) {
		d = decision_add(audited, dl->list[i].kind,
		    dl->list[i].rule, VOCAB_NOTICE_NONE, dl->list[i].division,
		    NULL, "%s", "");
		decision_set(d, "channel", decision_get(&dl->list[i],
		    "channel"));
	}
	key = audit_sr_key(cf, sr);
	all = audit_all_key(cf);
	stats = xasprintf("%sstats", cf->redis_prefix);
	snprintf(max, sizeof max, "%lld", (long long)cf->events_history_max);
	snprintf(ttl, sizeof ttl, "%lld", (long long)retain);
	snprintf(minid, sizeof minid, "%lld-0",
	    (long long)(now > retain * 1000 ? now - retain * 1000 : 0));
	for (i = 0; i < dl->n; i++) {
		argv[0] = "XADD";
		argv[1] = key;
		argv[2] = "MAXLEN";
		argv[3] = "~";
		argv[4] = max;
		argv[5] = "*";
		argv[6] = "sr";
		argv[7] = sr;
		n = decision_fields(&dl->list[i], now, at, rbuf, argv + 8);
		txn_queue(tx, 8 + n, argv);
		argv[1] = all;
		argv[2] = "MINID";
		argv[4] = minid;
		txn_queue(tx, 8 + n, argv);
		counter = xasprintf("decision:%s",
		    decision_kind_name(dl->list[i].kind));
		argv[0] = "HINCRBY";
		argv[1] = stats;
		argv[2] = counter;
		argv[3] = "1";
		txn_queue(tx, 4, argv);
		free(counter);
	}
	argv[0] = "EXPIRE";
	argv[1] = key;
	argv[2] = ttl;
	txn_queue(tx, 3, argv);
	rollup_queue(tx, cf, sr, dl, now);
	outbound_queue(tx, cf, sr, dl, now);
	free(stats);
	free(all);
	free(key);
}

/* Read a stream's entries in pages. */
int
audit_scan(struct redis *r, const struct config *cf, const char *sr,
    int64_t since, int64_t until, audit_fn fn, void *arg, char **cause)
{
	struct redis_reply	*reply, *e;
	char			*key, *start, end[32], count[16];
	size_t			 i;
	int			 rc = 0, stop = 0;

	key = sr != NULL ? audit_sr_key(cf, sr) : audit_all_key(cf);
	start = since > 0 ? xasprintf("%lld", (long long)since) :
	    xstrdup("-");
	if (until > 0)
		snprintf(end, sizeof end, "%lld", (long long)until);
	else
		snprintf(end, sizeof end, "+");
	snprintf(count, sizeof count, "%d", AUDIT_PAGE);
	while (!stop) {
		reply = redis_command(r, cause, "XRANGE %s %s %s COUNT %s",
		    key, start, end, count);
		if (reply == NULL || reply->type != REDIS_TYPE_ARRAY) {
			if (reply != NULL && cause != NULL)
				*cause = xasprintf("XRANGE %s: %s", key,
				    reply->str != NULL ? reply->str :
				    "unexpected reply");
			redis_reply_free(reply);
			rc = -1;
			break;
		}
		for (i = 0; i < reply->elements && !stop; i++) {
			e = reply->element[i];
			if (e->type != REDIS_TYPE_ARRAY || e->elements != 2 ||
			    e->element[0]->str == NULL ||
			    e->element[1]->type != REDIS_TYPE_ARRAY)
				continue;
			stop = fn(e->element[0]->str, e->element[1], arg) != 0;
			free(start);
			start = xasprintf("(%s", e->element[0]->str);
		}
		if (reply->elements < AUDIT_PAGE)
			stop = 1;
		redis_reply_free(reply);
	}
	free(start);
	free(key);
	return rc;
}

/* Set member name of j from the entry's field of the same meaning. */
static void
audit_json_member(struct json *j, const char *name, const char *v)
{
	char	ts[CLOCK_RFC3339_LEN];

	if (strcmp(name, "at") == 0 || strcmp(name, "ts") == 0) {
		clock_rfc3339(strtoll(v, NULL, 10), ts);
		json_set(j, "ts", ts);
	} else if (strcmp(name, "events") == 0 ||
	    strcmp(name, "event_ids") == 0)
		json_set_words(j, "event_ids", v);
	else if (strcmp(name, "recipients") == 0 ||
	    strcmp(name, "attempt") == 0)
		json_set_int(j, name, strtoll(v, NULL, 10));
	else
		json_set(j, name, v);
}

/* Return the entry field that becomes JSON member name. */
static const char *
audit_json_source(const struct redis_reply *fields, const char *name)
{
	if (strcmp(name, "ts") == 0)
		return redis_reply_field(fields, "at");
	if (strcmp(name, "event_ids") == 0)
		return redis_reply_field(fields, "events");
	return redis_reply_field(fields, name);
}

/* Return 1 if an entry field was written among the first members. */
static int
audit_json_first(const char *field)
{
	size_t	i;

	if (strcmp(field, "at") == 0 || strcmp(field, "events") == 0)
		return 1;
	for (i = 0; i < sizeof audit_first / sizeof audit_first[0]; i++) {
		if (strcmp(audit_first[i], field) == 0)
			return 1;
	}
	return 0;
}

/* Return an entry as one line of JSON. */
char *
audit_json(const char *id, const struct redis_reply *fields)
{
	struct json		*j;
	const char		*v;
	char			*line;
	struct redis_reply	*name, *value;
	size_t			 i;

	j = json_new();
	json_set(j, "id", id);
	for (i = 0; i < sizeof audit_first / sizeof audit_first[0]; i++) {
		if ((v = audit_json_source(fields, audit_first[i])) != NULL)
			audit_json_member(j, audit_first[i], v);
	}
	for (i = 0; i + 1 < fields->elements; i += 2) {
		name = fields->element[i];
		value = fields->element[i + 1];
		if (name->str == NULL || value->str == NULL ||
		    audit_json_first(name->str))
			continue;
		audit_json_member(j, name->str, value->str);
	}
	line = json_dump(j);
	json_free(j);
	return line;
}
