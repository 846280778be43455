/*
 * queue.c - "closeloop queue": what waits in the outbox, and why
 *
 * Without a selector it prints the totals - per channel what is due now
 * and what waits for later, the held notices, the claims, the dead
 * letters, the events stream - then the three lists; with --held,
 * --waiting or --claims, those lists only. The lists are waitlist.h's:
 * the SRs whose notice waits for its window, the notifications in the
 * due sets with why each waits, the claims under way; --channel and
 * --sr filter them and --limit (100; 0 for all) cuts them, saying how
 * many more there are. Times are local (templates.timezone), with how
 * far off they are; contacts are masked. --json prints JSON Lines: the
 * totals (kind "totals", with the keys they always had), then one
 * object per entry.
 */
#include "build.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "backlog.h"
#include "clock.h"
#include "cliredis.h"
#include "config.h"
#include "datefmt.h"
#include "event.h"
#include "json.h"
#include "queue.h"
#include "redis.h"
#include "retry.h"
#include "syntax.h"
#include "waitlist.h"
#include "xmalloc.h"

/* The lists, by the order they are printed in. */
#define QUEUE_LISTS	3

static const struct {
	enum waitlist_kind	 kind;
	const char		*name;		/* option, JSON key */
	const char		*title;
} queue_lists[QUEUE_LISTS] = {
	{ WAITLIST_HELD, "held", "held notices (SRs whose next notice "
	    "waits for its window)" },
	{ WAITLIST_WAITING, "waiting", "waiting notifications" },
	{ WAITLIST_CLAIM, "claims", "claims (notifications being sent)" }
};

/* The totals: what "closeloop queue" always printed, and the held. */
struct queue_totals {
	struct backlog_wait	 w[2];		/* email, sms */
	int			 paused[2];
	long long		 held, claims, dead, events;
};

/* A table: rows of cells, printed with its columns aligned. */
struct queue_table {
	char	**cell;
	size_t	  ncol;
	size_t	  nrow;
};

static const char *queue_usage_text = "queue [--held] [--waiting] "
    "[--claims] [--channel email|sms] [--sr SR] [--limit N] [--json]";

/* Say what is wrong with the command line, then how to use it. */
static int
queue_usage(const char *why)
{
	fprintf(stderr, "closeloop queue: %s\nusage: closeloop %s\n", why,
	    queue_usage_text);
	return EX_USAGE;
}

/* Add a row of t->ncol cells (NULL shows as "-") to t. */
static void
queue_row(struct queue_table *t, ...)
{
	const char	*v;
	va_list		 ap;
	size_t		 i;

	t->cell = xreallocarray(t->cell, (t->nrow + 1) * t->ncol,
	    sizeof *t->cell);
	va_start(ap, t);
	for (i = 0; i < t->ncol; i++) {
		v = va_arg(ap, const char *);
		t->cell[t->nrow * t->ncol + i] = xstrdup(v != NULL && *v !=
		    '\0' ? v : "-");
	}
	va_end(ap);
	t->nrow++;
}

/* Print a table, indented, its columns aligned; free its cells. */
static void
queue_table_print(struct queue_table *t)
{
	size_t	*width, r, c, len;

	width = xcalloc(t->ncol, sizeof *width);
	for (r = 0; r < t->nrow; r++) {
		for (c = 0; c < t->ncol; c++) {
			len = strlen(t->cell[r * t->ncol + c]);
			if (len > width[c])
				width[c] = len;
		}
	}
	for (r = 0; r < t->nrow; r++) {
		for (c = 0; c < t->ncol; c++) {
			if (c + 1 < t->ncol)
				printf("  %-*s", (int)width[c],
				    t->cell[r * t->ncol + c]);
			else
				printf("  %s\n", t->cell[r * t->ncol + c]);
			free(t->cell[r * t->ncol + c]);
		}
	}
	free(t->cell);
	free(width);
}

/* Write a time (ms) as local time and how far it is from now. */
static void
queue_when(const struct config *cf, int64_t at, int64_t now, char *buf,
    size_t size)
{
	char	local[32], rel[WAITLIST_SPAN_LEN];

	if (at <= 0) {
		snprintf(buf, size, "-");
		return;
	}
	datefmt_local(cf->templates_timezone, at, local, sizeof local);
	waitlist_relative(at, now, rel);
	snprintf(buf, size, "%s (%s)", local, rel);
}

/* Print a list for a person. */
static void
queue_print_list(const struct config *cf, int which,
    const struct waitlist *wl, int64_t now)
{
	struct queue_table	 t;
	struct waitlist_item	*it;
	char			 due[80], claimed[80];
	size_t			 i;

	printf("%s: %lld\n", queue_lists[which].title,
	    (long long)wl->n + wl->more);
	memset(&t, 0, sizeof t);
	t.ncol = which == 0 ? 4 : which == 1 ? 8 : 7;
	if (which == 0)
		queue_row(&t, "SR", "NOTICE", "REASON", "DUE");
	else if (which == 1)
		queue_row(&t, "ID", "SR", "NOTICE", "LOCALE", "CHANNEL", "TO",
		    "REASON", "DUE");
	else
		queue_row(&t, "ID", "SR", "CHANNEL", "TO", "OWNER",
		    "CLAIMED", "LEASE ENDS");
	for (i = 0; i < wl->n; i++) {
		it = &wl->item[i];
		queue_when(cf, it->at, now, due, sizeof due);
		if (which == 0)
			queue_row(&t, it->sr, it->notice, it->reason, due);
		else if (which == 1)
			queue_row(&t, it->id, it->sr, it->notice, it->locale,
			    event_channel_name(it->channel), it->to,
			    it->reason, due);
		else {
			queue_when(cf, it->claimed, now, claimed,
			    sizeof claimed);
			queue_row(&t, it->id, it->sr, it->channel != 0 ?
			    event_channel_name(it->channel) : NULL, it->to,
			    it->owner, claimed, due);
		}
	}
	if (wl->n > 0)
		queue_table_print(&t);
	else {
		for (i = 0; i < t.ncol; i++)
			free(t.cell[i]);
		free(t.cell);
		printf("  none\n");
	}
	if (wl->more > 0)
		printf("  ... and %lld more (--limit 0 lists them all)\n",
		    wl->more);
}

/* Set key_at (UTC) and key_local (local time) of j to a time. */
static void
queue_json_time(const struct config *cf, struct json *j, const char *key,
    int64_t at)
{
	char	name[32], when[CLOCK_RFC3339_LEN];

	if (at <= 0)
		return;
	clock_rfc3339(at, when);
	snprintf(name, sizeof name, "%s_at", key);
	json_set(j, name, when);
	datefmt_local(cf->templates_timezone, at, when, sizeof when);
	snprintf(name, sizeof name, "%s_local", key);
	json_set(j, name, when);
}

/* Print a list as JSON Lines, an object per entry. */
static void
queue_json_list(const struct config *cf, const struct waitlist *wl)
{
	static const char *const kinds[] = { "", "held", "waiting", "claim" };
	struct waitlist_item	*it;
	struct json		*j;
	size_t			 i;

	for (i = 0; i < wl->n; i++) {
		it = &wl->item[i];
		j = json_new();
		json_set(j, "kind", kinds[it->kind]);
		if (it->kind != WAITLIST_HELD)
			json_set(j, "id", it->id);
		json_set(j, "sr", it->sr);
		json_set(j, "notice", it->notice);
		json_set(j, "locale", it->locale);
		if (it->channel != 0)
			json_set(j, "channel", event_channel_name(it->channel));
		json_set(j, "to", it->to);
		json_set(j, "reason", it->reason);
		if (it->events != NULL)
			json_set_words(j, "event_ids", it->events);
		if (it->kind != WAITLIST_HELD)
			json_set_int(j, "attempts", it->attempts);
		json_set(j, "owner", it->owner);
		queue_json_time(cf, j, "claimed", it->claimed);
		queue_json_time(cf, j, it->kind == WAITLIST_CLAIM ?
		    "lease_end" : "due", it->at);
		json_print(j, stdout);
		json_free(j);
	}
}

/* Read the totals. */
static void
queue_totals_read(struct redis *r, const struct config *cf, int64_t now,
    struct queue_totals *t)
{
	const int	 channels[2] = { EVENT_CHANNEL_EMAIL, EVENT_CHANNEL_SMS };
	char		*key;
	int		 i;

	for (i = 0; i < 2; i++) {
		backlog_channel(r, cf, channels[i], now, &t->w[i]);
		t->paused[i] = waitlist_paused(r, cf, channels[i]) == 1;
	}
	key = retry_lease_key(cf);
	t->claims = backlog_count(r, "ZCARD %s", key);
	free(key);
	key = xasprintf("%sdue", cf->redis_prefix);
	t->held = backlog_count(r, "ZCARD %s", key);
	free(key);
	t->dead = backlog_count(r, "XLEN %s", cf->redis_dead_stream);
	t->events = backlog_count(r, "XLEN %s", cf->redis_stream);
}

/* Print a channel's line of the totals. */
static void
queue_line(const struct config *cf, const char *name,
    const struct backlog_wait *w, int paused, int64_t now)
{
	char	when[32], rel[WAITLIST_SPAN_LEN];

	printf("%-6s %8lld due now, %8lld waiting", name, w->due, w->later);
	if (w->next != 0) {
		datefmt_local(cf->templates_timezone, w->next, when,
		    sizeof when);
		waitlist_relative(w->next, now, rel);
		printf(" (next at %s, %s)", when, rel);
	}
	printf("%s\n", paused ? " - paused" : "");
}

/* Print the totals for a person. */
static void
queue_totals_print(const struct config *cf, const struct queue_totals *t,
    int64_t now)
{
	printf("outbox (notifications by channel):\n");
	queue_line(cf, "email", &t->w[0], t->paused[0], now);
	queue_line(cf, "sms", &t->w[1], t->paused[1], now);
	printf("%-6s %8lld notices held for their window\n", "held",
	    t->held);
	printf("%-6s %8lld being sent\n", "claims", t->claims);
	printf("%-6s %8lld dead letters (closeloop dead list)\n", "dead",
	    t->dead);
	printf("%-6s %8lld entries in %s\n", "events", t->events,
	    cf->redis_stream);
}

/* Put a channel's figures into the totals' JSON object. */
static void
queue_json_channel(struct json *j, const char *name,
    const struct backlog_wait *w, int paused)
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
	snprintf(key, sizeof key, "%s_paused", name);
	json_set_bool(j, key, paused);
}

/* Print the totals as one JSON object, with how many each list left out. */
static void
queue_totals_json(const struct config *cf, const struct queue_totals *t,
    struct waitlist *const *wl)
{
	struct json	*j;
	char		 key[32];
	int		 i;

	j = json_new();
	json_set(j, "kind", "totals");
	queue_json_channel(j, "email", &t->w[0], t->paused[0]);
	queue_json_channel(j, "sms", &t->w[1], t->paused[1]);
	json_set_int(j, "held", t->held);
	json_set_int(j, "claims", t->claims);
	json_set_int(j, "dead_letters", t->dead);
	json_set_int(j, "events", t->events);
	json_set(j, "stream", cf->redis_stream);
	for (i = 0; i < QUEUE_LISTS; i++) {
		if (wl[i] == NULL)
			continue;
		snprintf(key, sizeof key, "%s_more", queue_lists[i].name);
		json_set_int(j, key, wl[i]->more);
	}
	json_print(j, stdout);
	json_free(j);
}

/*
 * Parse the command line into the lists asked for (bits by
 * queue_lists' order; 0: all, with the totals), the filter and json.
 * Returns 0, or an exit status after saying what is wrong.
 */
static int
queue_parse(int argc, char **argv, int *lists, struct waitlist_filter *f,
    int *json)
{
	static const struct option longopts[] = {
		{ "held", no_argument, NULL, 'H' },
		{ "waiting", no_argument, NULL, 'W' },
		{ "claims", no_argument, NULL, 'C' },
		{ "channel", required_argument, NULL, 'c' },
		{ "sr", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*why;
	char		*end;
	long long	 n;
	int		 ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'H':
		case 'W':
		case 'C':
			*lists |= 1 << (ch == 'H' ? 0 : ch == 'W' ? 1 : 2);
			break;
		case 'c':
			if (strcmp(optarg, "email") == 0)
				f->channels = EVENT_CHANNEL_EMAIL;
			else if (strcmp(optarg, "sms") == 0)
				f->channels = EVENT_CHANNEL_SMS;
			else
				return queue_usage("--channel: email or sms");
			break;
		case 's':
			if (syntax_sr(optarg, &why) != 0)
				return queue_usage("--sr: not an SR number");
			f->sr = optarg;
			break;
		case 'l':
			n = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || n < 0)
				return queue_usage("--limit: a number, 0 for "
				    "all");
			f->limit = (size_t)n;
			break;
		case 'j':
			*json = 1;
			break;
		default:
			return queue_usage("unknown option");
		}
	}
	if (optind != argc)
		return queue_usage("takes no operand");
	return 0;
}

/* Run "closeloop queue". */
int
queue_run(const struct config *cf, int argc, char **argv)
{
	struct waitlist_filter	 f = { NULL, 0, 100 };
	struct waitlist		*wl[QUEUE_LISTS] = { NULL, NULL, NULL };
	struct queue_totals	 t;
	struct redis		*r;
	char			*cause = NULL;
	int64_t			 now = clock_now();
	int			 i, rc, lists = 0, json = 0, printed;

	if ((rc = queue_parse(argc, argv, &lists, &f, &json)) != 0)
		return rc;
	if ((r = cliredis_open(cf, "queue")) == NULL)
		return EX_UNAVAILABLE;
	memset(&t, 0, sizeof t);
	if (lists == 0 || json)
		queue_totals_read(r, cf, now, &t);
	for (i = 0; i < QUEUE_LISTS; i++) {
		if ((lists == 0 || (lists & 1 << i)) &&
		    waitlist_read(r, cf, queue_lists[i].kind, &f, now, &wl[i],
		    &cause) != 0) {
			fprintf(stderr, "closeloop queue: %s\n", cause);
			free(cause);
			rc = EX_UNAVAILABLE;
			break;
		}
	}
	redis_free(r);
	if (rc == 0 && json)
		queue_totals_json(cf, &t, wl);
	else if (rc == 0 && lists == 0)
		queue_totals_print(cf, &t, now);
	printed = lists == 0;
	for (i = 0; rc == 0 && i < QUEUE_LISTS; i++) {
		if (wl[i] == NULL)
			continue;
		if (json)
			queue_json_list(cf, wl[i]);
		else {
			if (printed++ > 0)
				printf("\n");
			queue_print_list(cf, i, wl[i], now);
		}
	}
	for (i = 0; i < QUEUE_LISTS; i++)
		waitlist_free(wl[i]);
	return rc;
}
