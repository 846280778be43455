/*
 * dead.c - "closeloop dead" and "closeloop queue": the outbox for ops
 *
 * The dead-letter stream (redis.dead_stream) holds two kinds of entries:
 * events that could not be accepted (the event's fields, error and
 * source_id) and notifications given up (kind=notification, id, sr,
 * channel, masked recipient, state, error). "dead list" prints both;
 * "dead retry" puts a notification back in its due set with a fresh
 * retry budget - its attempts counted on, the retry recorded in the SR's
 * trail as retried_by_operator with who ran it (SUDO_USER, else USER) -
 * or an event back into the events stream, byte for byte (after, say, a
 * division was added to the configuration), and removes the entry.
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
#include "config.h"
#include "datefmt.h"
#include "dead.h"
#include "decision.h"
#include "event.h"
#include "json.h"
#include "operator.h"
#include "outbox.h"
#include "redis.h"
#include "rollup.h"
#include "redisconn.h"
#include "retry.h"
#include "txn.h"
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
	printf("%s %s event SR %s (%s): %s\n", id, when, dead_value(f, "sr"),
	    dead_value(f, "type"), dead_value(f, "error"));
}

/* Connect for a command, or say why not. */
static struct redis *
dead_connect(const struct config *cf, const char *what)
{
	struct redis	*r;
	char		*cause = NULL;

	if ((r = redisconn_open(cf, &cause)) == NULL) {
		fprintf(stderr, "closeloop %s: %s\n", what, cause);
		free(cause);
	}
	return r;
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
	txn_queue(&tx, 3, argv);
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

/* Retry the dead letters named by stream entry id or notification id. */
static int
dead_retry(const struct config *cf, struct redis *r, int argc, char **argv)
{
	struct redis_reply	*reply, *e, *f;
	const char		*kind, *id;
	size_t			 i;
	int			 k, found, bad = 0;

	if ((reply = backlog_dead(r, cf, 0, NULL)) == NULL) {
		fprintf(stderr, "closeloop dead retry: cannot read %s\n",
		    cf->redis_dead_stream);
		return EX_UNAVAILABLE;
	}
	for (k = 0; k < argc; k++) {
		found = 0;
		for (i = 0; i < reply->elements; i++) {
			e = reply->element[i];
			if (e->elements != 2)
				continue;
			f = e->element[1];
			kind = redis_reply_field(f, "kind");
			id = redis_reply_field(f, "id");
			if (strcmp(e->element[0]->str, argv[k]) != 0 &&
			    (id == NULL || strcmp(id, argv[k]) != 0))
				continue;
			found = 1;
			if (kind != NULL && strcmp(kind, "notification") == 0)
				bad |= dead_retry_notification(cf, r,
				    e->element[0]->str, id,
				    redis_reply_field(f, "channel"));
			else
				bad |= dead_retry_event(cf, r,
				    e->element[0]->str, f);
		}
		if (!found) {
			fprintf(stderr, "closeloop dead retry: %s: no such "
			    "dead letter (see closeloop dead list)\n", argv[k]);
			bad = -1;
		}
	}
	redis_reply_free(reply);
	return bad ? EX_DATAERR : 0;
}

/* Say what is wrong with a command line, then how to use it. */
static int
dead_usage(const char *command, const char *why, const char *usage)
{
	fprintf(stderr, "closeloop %s: %s\nusage: closeloop %s\n", command,
	    why, usage);
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
	const char	*usage = "dead list [--json] | dead retry ID...";
	struct redis	*r;
	int		 ch, rc, json = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch != 'j')
			return dead_usage("dead", "unknown option", usage);
		json = 1;
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return dead_usage("dead", "list or retry?", usage);
	if (strcmp(argv[0], "list") == 0 && argc != 1)
		return dead_usage("dead", "list takes no operand", usage);
	if (strcmp(argv[0], "retry") == 0 && (argc < 2 || json))
		return dead_usage("dead", json ? "retry has no --json" :
		    "retry which? (an entry id or a notification id)", usage);
	if (strcmp(argv[0], "list") != 0 && strcmp(argv[0], "retry") != 0)
		return dead_usage("dead", "list or retry?", usage);
	if ((r = dead_connect(cf, "dead")) == NULL)
		return EX_UNAVAILABLE;
	if (strcmp(argv[0], "list") == 0)
		rc = dead_list(cf, r, json);
	else
		rc = dead_retry(cf, r, argc - 1, argv + 1);
	redis_free(r);
	return rc;
}

/* Print a channel's line of "closeloop queue". */
static void
dead_queue_line(const struct config *cf, const char *name,
    const struct backlog_wait *w, long long now)
{
	char	when[32];

	printf("%-6s %8lld due now, %8lld waiting", name, w->due, w->later);
	if (w->next != 0) {
		datefmt_local(cf->templates_timezone, w->next, when,
		    sizeof when);
		printf(" (next at %s, in %llds)", when,
		    (w->next - now + 999) / 1000);
	}
	printf("\n");
}

/* Put a channel's counts into a JSON object. */
static void
dead_queue_json(struct json *j, const char *name, const struct backlog_wait *w)
{
	char	key[32], when[CLOCK_RFC3339_LEN];

	snprintf(key, sizeof key, "%s_due", name);
	json_set_int(j, key, w->due);
	snprintf(key, sizeof key, "%s_waiting", name);
	json_set_int(j, key, w->later);
	if (w->next != 0) {
		clock_rfc3339(w->next, when);
		snprintf(key, sizeof key, "%s_next_at", name);
		json_set(j, key, when);
	}
}

/* Run "closeloop queue". */
int
dead_queue(const struct config *cf, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct backlog_wait	 w[2];
	struct redis		*r;
	struct json		*j;
	char			*key;
	long long		 now = (long long)clock_now(), claims, dead;
	long long		 events;
	int			 ch, json = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch != 'j')
			return dead_usage("queue", "unknown option",
			    "queue [--json]");
		json = 1;
	}
	if (optind != argc)
		return dead_usage("queue", "takes no operand", "queue [--json]");
	if ((r = dead_connect(cf, "queue")) == NULL)
		return EX_UNAVAILABLE;
	backlog_channel(r, cf, EVENT_CHANNEL_EMAIL, now, &w[0]);
	backlog_channel(r, cf, EVENT_CHANNEL_SMS, now, &w[1]);
	key = retry_lease_key(cf);
	claims = backlog_count(r, "ZCARD %s", key);
	free(key);
	dead = backlog_count(r, "XLEN %s", cf->redis_dead_stream);
	events = backlog_count(r, "XLEN %s", cf->redis_stream);
	redis_free(r);
	if (json) {
		j = json_new();
		dead_queue_json(j, "email", &w[0]);
		dead_queue_json(j, "sms", &w[1]);
		json_set_int(j, "claims", claims);
		json_set_int(j, "dead_letters", dead);
		json_set_int(j, "events", events);
		json_set(j, "stream", cf->redis_stream);
		json_print(j, stdout);
		json_free(j);
		return 0;
	}
	printf("outbox (notifications by channel):\n");
	dead_queue_line(cf, "email", &w[0], now);
	dead_queue_line(cf, "sms", &w[1], now);
	printf("%-6s %8lld being sent\n", "claims", claims);
	printf("%-6s %8lld dead letters (closeloop dead list)\n", "dead", dead);
	printf("%-6s %8lld entries in %s\n", "events", events,
	    cf->redis_stream);
	return 0;
}
