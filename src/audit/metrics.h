/*
 * metrics.h - what this closeloopd process has done, counted for /metrics
 *
 * The counters belong to the process: every thread adds to them (the
 * main loop as events are handled, the delivery workers as messages go
 * out, the listener as receipts come in) and /metrics prints them in the
 * Prometheus text format. They count only what Redis has committed, so
 * a transaction that lost a race is not counted twice. What is shared by
 * every instance (outbox depths, consumer lag) is read from Redis at
 * scrape time instead (health.h).
 *
 * Counters printed:
 *   closeloop_events_total{type}                 status, subscribe,
 *       unsubscribe; duplicate (dropped), invalid (dead-lettered)
 *   closeloop_decisions_total{kind,rule}         every audited decision
 *   closeloop_misleading_closures_total{division,rule}  the closures held
 *       back as misleading (decision_misleading()), per division: each
 *       configured division (metrics_divisions()), or "other"
 *   closeloop_notifications_total{channel,outcome}
 *       sent, retried, failed, dead, deferred, dry_run, unsubscribed,
 *       delivered, undelivered
 *   closeloop_receipts_total{result}             SMS delivery receipts:
 *       recorded, ignored (after the final one), expired (refused)
 *   closeloop_send_seconds{channel}              histogram: how long the
 *       server took to take each message (email: the first of a session
 *       includes connecting and TLS)
 *   closeloop_start_time_seconds                 when the process started
 */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>
#include <stdint.h>

struct decision_list;

/* What the main loop reports to systemd (STATUS=). */
struct metrics_totals {
	uint64_t	consumed;	/* events handled, of any type */
	uint64_t	queued;		/* notices queued for delivery */
	uint64_t	held;		/* closures held for the window */
	uint64_t	sent;		/* notifications sent */
};

/* Note the start of the process (for closeloop_start_time_seconds). */
void metrics_start(int64_t now_ms);

/* Count an event of type ("status", ..., "duplicate", "invalid"). */
void metrics_event(const char *type);

/* Count a delivery receipt by its result ("recorded", ...). */
void metrics_receipt(const char *result);

/* Count the decisions of dl, committed to Redis. */
void metrics_decisions(const struct decision_list *dl);

/*
 * Set the divisions that have their own misleading_closures series (the
 * n codes, copied; at most METRICS_DIVISIONS_MAX); any other is counted
 * as "other". Call at start and on each reload.
 */
#define METRICS_DIVISIONS_MAX	64
void metrics_divisions(const char *const *codes, size_t n);

/* Count a message the channel's server took seconds to take. */
void metrics_send_time(const char *channel, double seconds);

/* Note that the main loop has just gone round, at now (ms). */
void metrics_beat(int64_t now_ms);

/*
 * Note that the main loop got something done at now (ms): handled
 * entries, released notices, or went to wait (for entries, for Redis,
 * for delivery to catch up). A loop that goes round without either is
 * spinning.
 */
void metrics_progress(int64_t now_ms);

/*
 * Note whether the main loop is blocked until an entry, a wake-up or the
 * next thing due comes, however long that is: an idle loop does not turn,
 * and is not stuck.
 */
void metrics_waiting(int waiting);

/* Note that intake handled an entry (accepted, duplicate or dead). */
void metrics_handled(int64_t now_ms);

/* Note whether intake stops reading because the outbox is full. */
void metrics_paused(int paused);

/* How the main loop has been going (ms since the epoch; 0: never). */
struct metrics_loop {
	int64_t	started;	/* metrics_start() */
	int64_t	beat;		/* last turn */
	int64_t	progress;	/* last turn that got something done */
	int64_t	handled;	/* last entry handled */
	int	paused;		/* outbox full: not reading */
	int	waiting;	/* blocked until something happens */
};

/* Fill l with how the main loop has been going. */
void metrics_loop(struct metrics_loop *l);

/* Fill t with the totals so far. */
void metrics_totals(struct metrics_totals *t);

/*
 * Append the counters in the Prometheus text format to the buffer *buf
 * (length *len, allocated size *cap; all three may start at NULL/0),
 * which the caller frees.
 */
void metrics_write(char **buf, size_t *len, size_t *cap);

/* Append printf-formatted text to the buffer, as metrics_write() does. */
void metrics_printf(char **buf, size_t *len, size_t *cap, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

/* Set every counter back to zero (for tests). */
void metrics_reset(void);

#endif
