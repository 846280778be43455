/*
 * metrics.c - what this closeloopd process has done, counted for /metrics
 *
 * One set of counters per process, under one mutex: they are added to a
 * few times per event or message, far from any hot loop, and read once
 * per scrape. Decisions are counted by kind and rule as they occur (a
 * few dozen pairs in practice, at most METRICS_PAIRS_MAX; beyond that
 * the rule is counted as "other"). A decision that names a channel is
 * also what became of a notification on that channel.
 */
#include "build.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decision.h"
#include "metrics.h"
#include "xmalloc.h"

#define METRICS_PAIRS_MAX	128

/* The channels, the outcomes of a notification, the events' types. */
static const char *const metrics_channels[] = { "email", "sms" };
#define METRICS_NCHANNEL	2
static const enum decision_kind metrics_outcomes[] = {
	DECISION_SENT, DECISION_RETRIED, DECISION_FAILED, DECISION_DEAD,
	DECISION_DEFERRED, DECISION_DRY_RUN, DECISION_UNSUBSCRIBED,
	DECISION_DELIVERED, DECISION_UNDELIVERED
};
#define METRICS_NOUTCOME	\
	(sizeof metrics_outcomes / sizeof metrics_outcomes[0])
static const char *const metrics_types[] = {
	"status", "subscribe", "unsubscribe", "duplicate", "invalid"
};
#define METRICS_NTYPE	(sizeof metrics_types / sizeof metrics_types[0])
static const char *const metrics_receipts[] = {
	"recorded", "ignored", "expired"
};
#define METRICS_NRECEIPT \
	(sizeof metrics_receipts / sizeof metrics_receipts[0])

/* Upper bounds of the latency buckets, in seconds; +Inf is implied. */
static const double metrics_bounds[] = {
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
};
#define METRICS_NBOUND	(sizeof metrics_bounds / sizeof metrics_bounds[0])

struct metrics_pair {
	enum decision_kind	 kind;
	const char		*rule;	/* static; "" if none */
	uint64_t		 n;
};

struct metrics_histogram {
	uint64_t	bucket[METRICS_NBOUND];	/* not cumulative */
	uint64_t	count;
	double		sum;
};

static pthread_mutex_t		 metrics_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t			 metrics_started;
static int64_t			 metrics_beat_ms;
static int64_t			 metrics_progress_ms;
static int64_t			 metrics_handled_ms;
static int			 metrics_paused_now;
static int			 metrics_waiting_now;
static uint64_t			 metrics_events[METRICS_NTYPE];
static uint64_t			 metrics_receipt_n[METRICS_NRECEIPT];
static struct metrics_pair	 metrics_pairs[METRICS_PAIRS_MAX];
static size_t			 metrics_npairs;
static uint64_t			 metrics_notes[METRICS_NCHANNEL][METRICS_NOUTCOME];
static struct metrics_histogram	 metrics_send[METRICS_NCHANNEL];

/*
 * Misleading closures held back, by division and rule: the divisions
 * configured now, those configured before that have counts, "other".
 */
struct metrics_division {
	char		*code;	/* "other" is the last slot's */
	int		 configured;
	uint64_t	 n[DECISION_MISLEADING_RULES];
};
static struct metrics_division	 metrics_division_list[METRICS_DIVISIONS_MAX + 1];
static size_t			 metrics_ndivisions;

/* Return the index of a channel's name, or -1. */
static int
metrics_channel(const char *name)
{
	size_t	i;

	for (i = 0; name != NULL && i < METRICS_NCHANNEL; i++) {
		if (strcmp(metrics_channels[i], name) == 0)
			return (int)i;
	}
	return -1;
}

/* Note when the process started. */
void
metrics_start(int64_t now_ms)
{
	pthread_mutex_lock(&metrics_lock);
	metrics_started = now_ms;
	pthread_mutex_unlock(&metrics_lock);
}

/* Add one to the counter of name among names[0..n), if it is one. */
static void
metrics_bump(const char *const *names, uint64_t *counts, size_t n,
    const char *name)
{
	size_t	i;

	pthread_mutex_lock(&metrics_lock);
	for (i = 0; i < n; i++) {
		if (strcmp(names[i], name) == 0) {
			counts[i]++;
			break;
		}
	}
	pthread_mutex_unlock(&metrics_lock);
}

/* Count one event by its type. */
void
metrics_event(const char *type)
{
	metrics_bump(metrics_types, metrics_events, METRICS_NTYPE, type);
}

/* Count one delivery receipt by its result. */
void
metrics_receipt(const char *result)
{
	metrics_bump(metrics_receipts, metrics_receipt_n, METRICS_NRECEIPT,
	    result);
}

/* Count one decision of kind under rule; the lock is held. */
static void
metrics_pair_add(enum decision_kind kind, const char *rule)
{
	struct metrics_pair	*p;
	size_t			 i;

	if (rule == NULL)
		rule = "";
	for (i = 0; i < metrics_npairs; i++) {
		p = &metrics_pairs[i];
		if (p->kind == kind && strcmp(p->rule, rule) == 0) {
			p->n++;
			return;
		}
	}
	if (metrics_npairs == METRICS_PAIRS_MAX - 1)
		rule = "other";	/* the last slot takes every new pair */
	if (metrics_npairs == METRICS_PAIRS_MAX) {
		metrics_pairs[METRICS_PAIRS_MAX - 1].n++;
		return;
	}
	p = &metrics_pairs[metrics_npairs++];
	p->kind = kind;
	p->rule = rule;
	p->n = 1;
}

/* Set the divisions that have their own series. */
void
metrics_divisions(const char *const *codes, size_t n)
{
	struct metrics_division	*md;
	size_t			 i, k;

	pthread_mutex_lock(&metrics_lock);
	for (k = 0; k < metrics_ndivisions; k++)
		metrics_division_list[k].configured = 0;
	for (i = 0; i < n; i++) {
		for (k = 0; k < metrics_ndivisions; k++) {
			if (strcmp(metrics_division_list[k].code, codes[i]) == 0)
				break;
		}
		if (k == metrics_ndivisions) {
			if (k == METRICS_DIVISIONS_MAX)
				continue;	/* counted as "other" */
			md = &metrics_division_list[metrics_ndivisions++];
			md->code = xstrdup(codes[i]);
		}
		metrics_division_list[k].configured = 1;
	}
	pthread_mutex_unlock(&metrics_lock);
}

/*
 * Count a misleading closure held back under rule r (decision.h); the
 * lock is held.
 */
static void
metrics_misleading(const struct decision *d, int r)
{
	struct metrics_division	*md = NULL;
	size_t			 i;

	for (i = 0; d->division != NULL && i < metrics_ndivisions; i++) {
		if (metrics_division_list[i].configured &&
		    strcmp(metrics_division_list[i].code, d->division) == 0)
			md = &metrics_division_list[i];
	}
	if (md == NULL)
		md = &metrics_division_list[METRICS_DIVISIONS_MAX];
	md->n[r]++;
}

/* Count committed decisions, and the notifications' outcomes among them. */
void
metrics_decisions(const struct decision_list *dl)
{
	const struct decision	*d;
	size_t			 i, k;
	int			 c, r;

	pthread_mutex_lock(&metrics_lock);
	for (i = 0; i < dl->n; i++) {
		d = &dl->list[i];
		metrics_pair_add(d->kind, d->rule);
		if ((r = decision_misleading(d->kind, d->rule)) >= 0)
			metrics_misleading(d, r);
		if ((c = metrics_channel(decision_get(d, "channel"))) < 0)
			continue;
		for (k = 0; k < METRICS_NOUTCOME; k++) {
			if (metrics_outcomes[k] == d->kind)
				metrics_notes[c][k]++;
		}
	}
	pthread_mutex_unlock(&metrics_lock);
}

/* Add one message's time to its channel's histogram. */
void
metrics_send_time(const char *channel, double seconds)
{
	struct metrics_histogram	*h;
	size_t				 i;
	int				 c;

	if ((c = metrics_channel(channel)) < 0)
		return;
	if (seconds < 0)
		seconds = 0;
	pthread_mutex_lock(&metrics_lock);
	h = &metrics_send[c];
	for (i = 0; i < METRICS_NBOUND; i++) {
		if (seconds <= metrics_bounds[i]) {
			h->bucket[i]++;
			break;
		}
	}
	h->count++;
	h->sum += seconds;
	pthread_mutex_unlock(&metrics_lock);
}

/* Note a turn of the main loop. */
void
metrics_beat(int64_t now_ms)
{
	pthread_mutex_lock(&metrics_lock);
	metrics_beat_ms = now_ms;
	pthread_mutex_unlock(&metrics_lock);
}

/* Note whether the main loop is blocked until something happens. */
void
metrics_waiting(int waiting)
{
	pthread_mutex_lock(&metrics_lock);
	metrics_waiting_now = waiting;
	pthread_mutex_unlock(&metrics_lock);
}

/* Note a turn of the main loop that got something done. */
void
metrics_progress(int64_t now_ms)
{
	pthread_mutex_lock(&metrics_lock);
	metrics_progress_ms = now_ms;
	pthread_mutex_unlock(&metrics_lock);
}

/* Note that intake handled an entry. */
void
metrics_handled(int64_t now_ms)
{
	pthread_mutex_lock(&metrics_lock);
	metrics_handled_ms = metrics_progress_ms = now_ms;
	pthread_mutex_unlock(&metrics_lock);
}

/* Note whether intake is paused by a full outbox. */
void
metrics_paused(int paused)
{
	pthread_mutex_lock(&metrics_lock);
	metrics_paused_now = paused;
	pthread_mutex_unlock(&metrics_lock);
}

/* Fill in how the main loop has been going. */
void
metrics_loop(struct metrics_loop *l)
{
	pthread_mutex_lock(&metrics_lock);
	l->started = metrics_started;
	l->beat = metrics_beat_ms;
	l->progress = metrics_progress_ms;
	l->handled = metrics_handled_ms;
	l->paused = metrics_paused_now;
	l->waiting = metrics_waiting_now;
	pthread_mutex_unlock(&metrics_lock);
}

/* Return the count of decisions of a kind, any rule; the lock is held. */
static uint64_t
metrics_kind_total(enum decision_kind kind)
{
	uint64_t	n = 0;
	size_t		i;

	for (i = 0; i < metrics_npairs; i++) {
		if (metrics_pairs[i].kind == kind)
			n += metrics_pairs[i].n;
	}
	return n;
}

/* Fill in the totals for systemd's status line. */
void
metrics_totals(struct metrics_totals *t)
{
	pthread_mutex_lock(&metrics_lock);
	t->consumed = metrics_events[0] + metrics_events[1] +
	    metrics_events[2];
	t->queued = metrics_kind_total(DECISION_QUEUED);
	t->held = metrics_kind_total(DECISION_HELD);
	t->sent = metrics_kind_total(DECISION_SENT);
	pthread_mutex_unlock(&metrics_lock);
}

/* Append formatted text to a growing buffer. */
void
metrics_printf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*buf == NULL ? NULL : *buf + *len,
		    *cap - *len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (*len + (size_t)n < *cap)
			break;
		*cap = (*len + (size_t)n + 1) * 2;
		*buf = xreallocarray(*buf, *cap, 1);
	}
	*len += (size_t)n;
}

/* Write one channel's histogram; the lock is held. */
static void
metrics_write_histogram(char **buf, size_t *len, size_t *cap, int c)
{
	const struct metrics_histogram	*h = &metrics_send[c];
	uint64_t			 cum = 0;
	size_t				 i;

	for (i = 0; i < METRICS_NBOUND; i++) {
		cum += h->bucket[i];
		metrics_printf(buf, len, cap, "closeloop_send_seconds_bucket"
		    "{channel=\"%s\",le=\"%g\"} %llu\n", metrics_channels[c],
		    metrics_bounds[i], (unsigned long long)cum);
	}
	metrics_printf(buf, len, cap, "closeloop_send_seconds_bucket"
	    "{channel=\"%s\",le=\"+Inf\"} %llu\n", metrics_channels[c],
	    (unsigned long long)h->count);
	metrics_printf(buf, len, cap, "closeloop_send_seconds_sum"
	    "{channel=\"%s\"} %.6f\n", metrics_channels[c], h->sum);
	metrics_printf(buf, len, cap, "closeloop_send_seconds_count"
	    "{channel=\"%s\"} %llu\n", metrics_channels[c],
	    (unsigned long long)h->count);
}

/*
 * Write the misleading closures held back: a series for each configured
 * division and rule (0 included), those of divisions configured before
 * that have counts, and "other"; the lock is held.
 */
static void
metrics_write_misleading(char **buf, size_t *len, size_t *cap)
{
	const struct metrics_division	*md;
	size_t				 i, r;
	uint64_t			 any;

	metrics_printf(buf, len, cap,
	    "# HELP closeloop_misleading_closures_total Closures held back "
	    "as misleading, by division and rule.\n"
	    "# TYPE closeloop_misleading_closures_total counter\n");
	for (i = 0; i <= METRICS_DIVISIONS_MAX; i++) {
		if (i == metrics_ndivisions)
			i = METRICS_DIVISIONS_MAX;
		md = &metrics_division_list[i];
		for (r = any = 0; r < DECISION_MISLEADING_RULES; r++)
			any |= md->n[r];
		if (i < METRICS_DIVISIONS_MAX && !md->configured && any == 0)
			continue;
		for (r = 0; r < DECISION_MISLEADING_RULES; r++)
			metrics_printf(buf, len, cap,
			    "closeloop_misleading_closures_total{division="
			    "\"%s\",rule=\"%s\"} %llu\n", i ==
			    METRICS_DIVISIONS_MAX ? "other" : md->code,
			    decision_misleading_rule((int)r),
			    (unsigned long long)md->n[r]);
	}
}

/*
 * Write the counters counts[0..n), labelled names[0..n): each line is
 * series (a metric's name and its label's, "name{label"), ="NAME"} and
 * the count. The lock is held.
 */
static void
metrics_write_counts(char **buf, size_t *len, size_t *cap,
    const char *series, const char *const *names, const uint64_t *counts,
    size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		metrics_printf(buf, len, cap, "%s=\"%s\"} %llu\n", series,
		    names[i], (unsigned long long)counts[i]);
}

/* Write every counter in the Prometheus text format. */
void
metrics_write(char **buf, size_t *len, size_t *cap)
{
	size_t	i, k;
	int	c;

	pthread_mutex_lock(&metrics_lock);
	metrics_printf(buf, len, cap,
	    "# HELP closeloop_start_time_seconds When this closeloopd "
	    "started, in seconds since the epoch.\n"
	    "# TYPE closeloop_start_time_seconds gauge\n"
	    "closeloop_start_time_seconds %.3f\n"
	    "# HELP closeloop_events_total Events read from the stream, by "
	    "type; duplicate: dropped, invalid: dead-lettered.\n"
	    "# TYPE closeloop_events_total counter\n",
	    (double)metrics_started / 1000);
	metrics_write_counts(buf, len, cap, "closeloop_events_total{type",
	    metrics_types, metrics_events, METRICS_NTYPE);
	metrics_printf(buf, len, cap,
	    "# HELP closeloop_decisions_total Decisions recorded in the "
	    "audit trail, by kind and rule.\n"
	    "# TYPE closeloop_decisions_total counter\n");
	for (i = 0; i < metrics_npairs; i++)
		metrics_printf(buf, len, cap, "closeloop_decisions_total"
		    "{kind=\"%s\",rule=\"%s\"} %llu\n",
		    decision_kind_name(metrics_pairs[i].kind),
		    metrics_pairs[i].rule,
		    (unsigned long long)metrics_pairs[i].n);
	metrics_write_misleading(buf, len, cap);
	metrics_printf(buf, len, cap,
	    "# HELP closeloop_notifications_total What became of "
	    "notifications, by channel and outcome.\n"
	    "# TYPE closeloop_notifications_total counter\n");
	for (c = 0; c < METRICS_NCHANNEL; c++) {
		for (k = 0; k < METRICS_NOUTCOME; k++)
			metrics_printf(buf, len, cap,
			    "closeloop_notifications_total{channel=\"%s\","
			    "outcome=\"%s\"} %llu\n", metrics_channels[c],
			    decision_kind_name(metrics_outcomes[k]),
			    (unsigned long long)metrics_notes[c][k]);
	}
	metrics_printf(buf, len, cap,
	    "# HELP closeloop_receipts_total SMS delivery receipts, by "
	    "result; ignored: after the final one, expired: refused.\n"
	    "# TYPE closeloop_receipts_total counter\n");
	metrics_write_counts(buf, len, cap, "closeloop_receipts_total{result",
	    metrics_receipts, metrics_receipt_n, METRICS_NRECEIPT);
	metrics_printf(buf, len, cap,
	    "# HELP closeloop_send_seconds How long the server took to "
	    "take each message.\n"
	    "# TYPE closeloop_send_seconds histogram\n");
	for (c = 0; c < METRICS_NCHANNEL; c++)
		metrics_write_histogram(buf, len, cap, c);
	pthread_mutex_unlock(&metrics_lock);
}

/* Set every counter back to zero. */
void
metrics_reset(void)
{
	size_t	i;

	pthread_mutex_lock(&metrics_lock);
	metrics_started = 0;
	metrics_beat_ms = 0;
	metrics_progress_ms = 0;
	metrics_handled_ms = 0;
	metrics_paused_now = 0;
	memset(metrics_events, 0, sizeof metrics_events);
	memset(metrics_receipt_n, 0, sizeof metrics_receipt_n);
	memset(metrics_pairs, 0, sizeof metrics_pairs);
	metrics_npairs = 0;
	memset(metrics_notes, 0, sizeof metrics_notes);
	memset(metrics_send, 0, sizeof metrics_send);
	for (i = 0; i < metrics_ndivisions; i++)
		free(metrics_division_list[i].code);
	memset(metrics_division_list, 0, sizeof metrics_division_list);
	metrics_ndivisions = 0;
	pthread_mutex_unlock(&metrics_lock);
}
