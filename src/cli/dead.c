/*
 * dead.c - "closeloop dead": the dead letters, for ops
 *
 * The dead-letter stream (redis.dead_stream) holds three kinds of
 * entries: events that could not be accepted (the event's fields, error
 * and source_id), notifications given up (kind=notification, id, sr,
 * channel, masked recipient, state, error) and bounce or abuse reports
 * that could not be recorded (kind=bounce, type, error, and what is
 * known: id, sr, status, the masked From, subject, the address it came
 * to; bouncecmd.c). "dead list" prints them all;
 * "dead retry" puts a notification back in its due set with a fresh
 * retry budget - its attempts counted on, the retry recorded in the SR's
 * trail as retried_by_operator with who ran it (SUDO_USER, else USER) -
 * or an event back into the events stream, byte for byte (after, say, a
 * division was added to the configuration), and removes the entry; a
 * report is not retried (the mail server handed it over once: there is
 * nothing to send again), only dropped.
 * "dead drop" removes entries for good: a notification's drop is
 * recorded in the SR's trail (suppressed, dropped_by_operator, with who
 * ran it) in the transaction that removes it, an event's in the log.
 */
#include "build.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "audit.h"
#include "backlog.h"
#include "clock.h"
#include "cliredis.h"
#include "config.h"
#include "dead.h"
#include "deadletter.h"
#include "decision.h"
#include "event.h"
#include "json.h"
#include "operator.h"
#include "outbox.h"
#include "redis.h"
#include "rollup.h"
#include "retry.h"
#include "txn.h"
#include "wake.h"
#include "vocab.h"
#include "xmalloc.h"

/* Return the value of a field of an entry, or "?". */
static const char *
dead_value(const struct redis_reply *fields, const char *name)
{
	const char	*v = redis_reply_field(fields, name);

	return v != NULL ? v : "?";
}

/* Print one dead-letter entry. */
static void
dead_print(const char *id, const struct redis_reply *f)
{
	const char	*kind = redis_reply_field(f, "kind");
	char		 when[32];

	backlog_when(id, when);
	if (kind != NULL && strcmp(kind, "notification") == 0) {
		printf("%s %s notification %s (%s to %s): %s: %s\n", id, when,
		    dead_value(f, "id"), dead_value(f, "channel"),
		    dead_value(f, "to"), dead_value(f, "state"),
		    dead_value(f, "error"));
		return;
	}
	if (kind != NULL && strcmp(kind, "bounce") == 0) {
		printf("%s %s %s report to %s: %s\n", id, when,
		    dead_value(f, "type"), dead_value(f, "to"),
		    dead_value(f, "error"));
		return;
	}
	printf("%s %s event SR %s (%s): %s\n", id, when, dead_value(f, "sr"),
	    dead_value(f, "type"), dead_value(f, "error"));
}

/* Print one dead-letter entry as a line of JSON: its id, time, fields. */
static void
dead_print_json(const char *id, const struct redis_reply *f)
{
	struct json	*j;
	char		when[32];
	size_t		 i;

	backlog_when(id, when);
	j = json_new();
	json_set(j, "id", id);
	json_set(j, "at", when);
	json_set(j, "kind", redis_reply_field(f, "kind") != NULL ?
	    redis_reply_field(f, "kind") : "event");
	for (i = 0; i + 1 < f->elements; i += 2) {
		if (f->element[i]->str == NULL ||
		    strcmp(f->element[i]->str, "kind") == 0)
			continue;
		json_set(j, f->element[i]->str, f->element[i + 1]->str);
	}
	json_print(j, stdout);
	json_free(j);
}

/* Print the dead-letter stream, for a person or as JSON Lines. */
static int
dead_list(const struct config *cf, struct redis *r, int json)
{
	struct redis_reply	*reply;
	char			*cause = NULL;
	size_t			 i;

	if ((reply = backlog_dead(r, cf, 0, &cause)) == NULL) {
		fprintf(stderr, "closeloop dead list: %s\n", cause);
		free(cause);
		return EX_UNAVAILABLE;
	}
	if (reply->elements == 0 && !json)
		printf("no dead letters\n");
	for (i = 0; i < reply->elements; i++) {
		if (reply->element[i]->elements != 2)
			continue;
		if (json)
			dead_print_json(reply->element[i]->element[0]->str,
			    reply->element[i]->element[1]);
		else
			dead_print(reply->element[i]->element[0]->str,
			    reply->element[i]->element[1]);
	}
	redis_reply_free(reply);
	return 0;
}

/*
 * Take a notification's failure back off the counts of the day it failed
 * and its SR off the day's failure sets (rollup.h), in the transaction
 * that queues it again: if it goes out now it counts as sent, not as
 * failed.
 */
static void
dead_undo(struct txn *tx, const struct config *cf, const struct redis_reply *f)
{
	struct decision_list	 dl = { NULL, 0 };
	struct decision		*d;
	const char		*state = redis_reply_field(f, "state");
	const char		*at = redis_reply_field(f, "failed_at");
	long long		 when;

	if (state == NULL || at == NULL || (when = strtoll(at, NULL, 10)) <= 0 ||
	    (strcmp(state, "failed") != 0 && strcmp(state, "dead") != 0))
		return;
	d = decision_add(&dl, decision_kind_parse(state), NULL,
	    VOCAB_NOTICE_NONE, redis_reply_field(f, "division"), NULL, "%s",
	    "");
	decision_set(d, "ward", redis_reply_field(f, "ward"));
	decision_set(d, "service", redis_reply_field(f, "service"));
	rollup_undo(tx, cf, redis_reply_field(f, "sr"), &dl, when);
	decision_clear(&dl);
}

/*
 * Queue a dead notification again, with a fresh retry budget and its
 * attempts counted on, and say so in the SR's trail, with who did it.
 */
static int
dead_retry_notification(const struct config *cf, struct redis *r,
    const char *entry, const char *id, const char *channel)
{
	struct decision_list	 dl = { NULL, 0 };
	struct decision		*d;
	struct redis_reply	*f;
	struct txn		 tx;
	const char		*argv[10], *sr, *to, *nt, *att;
	char			*key, *qkey, *user, *masked, *cause = NULL;
	char			 now[32], next[32];
	int			 rc = -1, ch;

	ch = channel != NULL && strcmp(channel, "sms") == 0 ?
	    EVENT_CHANNEL_SMS : EVENT_CHANNEL_EMAIL;
	key = outbox_key(cf, id);
	qkey = retry_queue_key(cf, ch);
	user = operator_name();
	snprintf(now, sizeof now, "%lld", (long long)clock_now());
	f = redis_command(r, &cause, "HGETALL %s", key);
	if (f == NULL || f->type != REDIS_TYPE_ARRAY || f->elements == 0 ||
	    (sr = redis_reply_field(f, "sr")) == NULL) {
		fprintf(stderr, "closeloop dead retry: %s: %s\n", id,
		    f == NULL ? cause : f->type == REDIS_TYPE_ERROR ? f->str :
		    "its record has expired; it cannot be sent again");
		goto out;
	}
	to = redis_reply_field(f, "to");
	nt = redis_reply_field(f, "notice");
	att = redis_reply_field(f, "attempts");
	snprintf(next, sizeof next, "%lld",
	    (att != NULL ? strtoll(att, NULL, 10) : 0) + 1);
	masked = event_mask_contact(ch, to != NULL ? to : "");
	d = decision_add(&dl, DECISION_RETRIED, "retried_by_operator",
	    vocab_notice_parse(nt != NULL ? nt : ""),
	    redis_reply_field(f, "division"), redis_reply_field(f, "events"),
	    "%s to %s queued again by %s (closeloop dead retry); attempt %s "
	    "is next", event_channel_name(ch), masked, user, next);
	decision_set(d, "channel", event_channel_name(ch));
	decision_set(d, "to", masked);
	decision_set(d, "notification", id);
	decision_set(d, "operator", user);
	decision_tag(&dl, 0, redis_reply_field(f, "ward"),
	    redis_reply_field(f, "service"));
	free(masked);

	txn_begin(&tx, r);
	argv[0] = "HSET";
	argv[1] = key;
	argv[2] = "state";
	argv[3] = "queued";
	argv[4] = "retried_at";
	argv[5] = now;
	argv[6] = "retried_by";
	argv[7] = user;
	txn_queue(&tx, 8, argv);
	argv[0] = "HDEL";
	argv[2] = "next_at";
	argv[3] = "wait";
	txn_queue(&tx, 4, argv);
	argv[0] = "PERSIST";
	txn_queue(&tx, 2, argv);
	argv[0] = "ZADD";
	argv[1] = qkey;
	argv[2] = now;
	argv[3] = id;
	txn_queue(&tx, 4, argv);
	argv[0] = "XDEL";
	argv[1] = cf->redis_dead_stream;
	argv[2] = entry;
	txn_queue(&tx, 3, argv);
	dead_undo(&tx, cf, f);
	wake_queue(&tx, cf, "outbox", "cli");
	audit_queue(&tx, cf, sr, &dl, clock_now());
	if (txn_exec(&tx, sr, &cause) != 1) {
		fprintf(stderr, "closeloop dead retry: %s: %s\n", id,
		    cause != NULL ? cause : "the record changed meanwhile");
		goto out;
	}
	printf("%s: notification %s queued again (attempt %s next)\n", entry,
	    id, next);
	rc = 0;
out:
	decision_clear(&dl);
	redis_reply_free(f);
	free(cause);
	free(user);
	free(key);
	free(qkey);
	return rc;
}

/* Return 1 if a reply string is exactly name (binary safe). */
static int
dead_named(const struct redis_reply *el, const char *name)
{
	return el->len == strlen(name) && memcmp(el->str, name, el->len) == 0;
}

/*
 * Put a dead event back into the events stream, its fields byte for
 * byte (a name or value may hold any byte, NUL included).
 */
static int
dead_retry_event(const struct config *cf, struct redis *r, const char *entry,
    const struct redis_reply *f)
{
	struct redis_reply	*reply;
	const char		**argv;
	size_t			 *lens, i, n = 0;
	char			*cause = NULL;
	int			 rc = -1;

	argv = xcalloc(f->elements + 3, sizeof *argv);
	lens = xcalloc(f->elements + 3, sizeof *lens);
	argv[n] = "XADD";
	lens[n++] = 4;
	argv[n] = cf->redis_stream;
	lens[n++] = strlen(cf->redis_stream);
	argv[n] = "*";
	lens[n++] = 1;
	for (i = 0; i + 1 < f->elements; i += 2) {
		if (dead_named(f->element[i], "error") ||
		    dead_named(f->element[i], "source_id") ||
		    dead_named(f->element[i], "truncated"))
			continue;
		argv[n] = f->element[i]->str;
		lens[n++] = f->element[i]->len;
		argv[n] = f->element[i + 1]->str;
		lens[n++] = f->element[i + 1]->len;
	}
	if (redis_reply_field(f, "truncated") != NULL) {
		fprintf(stderr, "closeloop dead retry: %s: only part of the "
		    "entry was kept (%s); not sent again\n", entry,
		    redis_reply_field(f, "truncated"));
		goto out;
	}
	reply = redis_command_argv(r, &cause, (int)n, argv, lens);
	if (reply != NULL && reply->type == REDIS_TYPE_STRING) {
		printf("%s: event put back into %s as %s\n", entry,
		    cf->redis_stream, reply->str);
		redis_reply_free(redis_command(r, NULL, "XDEL %s %s",
		    cf->redis_dead_stream, entry));
		rc = 0;
	} else
		fprintf(stderr, "closeloop dead retry: %s: %s\n", entry,
		    reply == NULL ? cause : reply->str);
	redis_reply_free(reply);
out:
	free(cause);
	free(argv);
	free(lens);
	return rc;
}

/* Retry one dead letter: a notification, or an event. */
static int
dead_retry_one(const struct config *cf, struct redis *r, const char *entry,
    const struct redis_reply *f, void *arg)
{
	const char	*kind = redis_reply_field(f, "kind");

	(void)arg;
	if (kind != NULL && strcmp(kind, "notification") == 0)
		return dead_retry_notification(cf, r, entry,
		    redis_reply_field(f, "id"), redis_reply_field(f, "channel"));
	if (kind != NULL && strcmp(kind, "bounce") == 0) {
		fprintf(stderr, "closeloop dead retry: %s: a report that came "
		    "back is not sent again; drop it (closeloop dead drop)\n",
		    entry);
		return -1;
	}
	return dead_retry_event(cf, r, entry, f);
}

/* Say that a dead letter was dropped, for a person or as JSON. */
static void
dead_dropped(const char *entry, const char *kind, const char *id,
    const char *sr, const char *user, int json)
{
	struct json	*j;

	if (!json) {
		printf("%s: %s %s%sdropped by %s\n", entry, kind,
		    id != NULL ? id : "", id != NULL ? " " : "", user);
		return;
	}
	j = json_new();
	json_set(j, "entry", entry);
	json_set(j, "kind", kind);
	json_set(j, "id", id);
	json_set(j, "sr", sr);
	json_set(j, "operator", user);
	json_print(j, stdout);
	json_free(j);
}

/* Drop one dead letter: a notification, or an event. */
static int
dead_drop_one(const struct config *cf, struct redis *r, const char *entry,
    const struct redis_reply *f, void *arg)
{
	const char	*kind = redis_reply_field(f, "kind");
	char		*user, *cause = NULL;
	int		 rc, notification;

	notification = kind != NULL && strcmp(kind, "notification") == 0;
	user = operator_name();
	rc = deadletter_drop(r, cf, entry, f, user, "closeloop dead drop",
	    &cause);
	if (rc == 0)
		dead_dropped(entry, notification ? "notification" :
		    kind != NULL && strcmp(kind, "bounce") == 0 ? "bounce" :
		    "event",
		    notification ? redis_reply_field(f, "id") : NULL,
		    redis_reply_field(f, "sr"), user, *(int *)arg);
	else {
		fprintf(stderr, "closeloop dead drop: %s: %s\n", entry, cause);
		free(cause);
	}
	free(user);
	return rc;
}

/*
 * Do what fn does to the dead letters named by stream entry id or
 * notification id; say which match nothing.
 */
static int
dead_each(const struct config *cf, struct redis *r, const char *what,
    int argc, char **argv, int json, deadletter_fn *fn)
{
	char	*cause = NULL;
	int	 k, n, failed, bad = 0;

	for (k = 0; k < argc; k++) {
		n = deadletter_each(r, cf, argv[k], fn, &json, &failed,
		    &cause);
		if (n < 0) {
			fprintf(stderr, "closeloop dead %s: cannot read %s: "
			    "%s\n", what, cf->redis_dead_stream, cause);
			free(cause);
			return EX_UNAVAILABLE;
		}
		if (n == 0)
			fprintf(stderr, "closeloop dead %s: %s: no such "
			    "dead letter (see closeloop dead list)\n", what,
			    argv[k]);
		if (n == 0 || failed)
			bad = 1;
	}
	return bad ? EX_DATAERR : 0;
}

/* Say what is wrong with the command line, then how to use it. */
static int
dead_usage(const char *why)
{
	fprintf(stderr, "closeloop dead: %s\nusage: closeloop dead list "
	    "[--json] | dead retry ID... | dead drop [--json] ID...\n", why);
	return EX_USAGE;
}

/* Run "closeloop dead". */
int
dead_run(const struct config *cf, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct redis	*r;
	int		 ch, rc, json = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch != 'j')
			return dead_usage("unknown option");
		json = 1;
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || (strcmp(argv[0], "list") != 0 &&
	    strcmp(argv[0], "retry") != 0 && strcmp(argv[0], "drop") != 0))
		return dead_usage("list, retry or drop?");
	if (strcmp(argv[0], "list") == 0 && argc != 1)
		return dead_usage("list takes no operand");
	if (strcmp(argv[0], "retry") == 0 && json)
		return dead_usage("retry has no --json");
	if (strcmp(argv[0], "list") != 0 && argc < 2)
		return dead_usage(strcmp(argv[0], "retry") == 0 ? "retry "
		    "which? (an entry id or a notification id)" : "drop "
		    "which? (an entry id or a notification id)");
	if ((r = cliredis_open(cf, "dead")) == NULL)
		return EX_UNAVAILABLE;
	if (strcmp(argv[0], "list") == 0)
		rc = dead_list(cf, r, json);
	else if (strcmp(argv[0], "retry") == 0)
		rc = dead_each(cf, r, "retry", argc - 1, argv + 1, 0,
		    dead_retry_one);
	else
		rc = dead_each(cf, r, "drop", argc - 1, argv + 1, json,
		    dead_drop_one);
	redis_free(r);
	return rc;
}
