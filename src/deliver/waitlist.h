/*
 * waitlist.h - what waits, one entry at a time, read for operators
 *
 * backlog.h counts what waits; this lists it: the SRs whose pending
 * notice waits for its window (commit.h's due set: a held closure, a
 * burst being coalesced), the notifications in the channels' due sets
 * (retry.h) with why each waits, and the claims under way (the lease
 * set). closeloop queue prints the lists and the console's Operations
 * page shows them. Each set is read by score in pages of
 * WAITLIST_PAGE with ZRANGE ... WITHSCORES, what each entry shows
 * pipelined, and a list stops at its limit, counting what it leaves
 * out. Contacts are masked (event_mask_contact()). Nothing is written.
 *
 * Why a notification waits: the record's "wait" field when closeloopd
 * wrote one as it put the notification back with a later due time
 * (retry, quiet_hours, paused, rate); else inferred: one due now is
 * "due", or "paused" if its channel is (PREFIXpause:email or
 * PREFIXpause:sms exists); one tried before waits for a "retry"; an SMS
 * due exactly at the end of sms.quiet_hours for "quiet_hours"; anything
 * else waits for "later".
 */
#ifndef WAITLIST_H
#define WAITLIST_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct redis;

/* How many members of a sorted set are read at a time. */
#define WAITLIST_PAGE	1000

/* Room for waitlist_span()'s and waitlist_relative()'s text. */
#define WAITLIST_SPAN_LEN	32

/* Which list. */
enum waitlist_kind {
	WAITLIST_HELD = 1,	/* an SR's pending notice */
	WAITLIST_WAITING,	/* a notification in a channel's due set */
	WAITLIST_CLAIM		/* a notification being sent */
};

/* One entry of a list. */
struct waitlist_item {
	enum waitlist_kind	 kind;
	char			*id;	/* the notification; for held, the SR */
	char			*sr;
	char			*notice;	/* its name; for held the one
						   it would send, else "closure
						   held" or "update coalesced" */
	char			*locale;	/* NULL if none */
	int			 channel;	/* EVENT_CHANNEL_*; 0 for held */
	char			*to;		/* masked; NULL if unknown */
	const char		*reason;	/* why it waits (static): settle
						   or coalesce for held, see
						   above for waiting; NULL for
						   a claim */
	int64_t			 at;		/* ms: when it is due; for a
						   claim, its lease's end */
	char			*events;	/* held: the ids of the events
						   behind it, by spaces; NULL */
	char			*owner;		/* a claim's consumer */
	int64_t			 claimed;	/* a claim's start, ms; 0 */
	long long		 attempts;
};

/* A list: its first entries, by time, and how many more there are. */
struct waitlist {
	struct waitlist_item	*item;
	size_t			 n;
	long long		 more;	/* entries past the limit */
};

/* Which entries a list keeps. */
struct waitlist_filter {
	const char	*sr;		/* NULL: every SR */
	int		 channels;	/* EVENT_CHANNEL_* bits; held: the SRs
					   with an active contact on one */
	size_t		 limit;		/* most entries; 0: all */
};

/*
 * Read the list of kind at now (ms) into a new *out, earliest first:
 * the entries f keeps, at most f->limit of them, and the count of the
 * rest. Returns 0, or -1 with *cause set (the caller frees it). Free
 * the list with waitlist_free().
 */
int waitlist_read(struct redis *r, const struct config *cf,
    enum waitlist_kind kind, const struct waitlist_filter *f, int64_t now,
    struct waitlist **out, char **cause);

/* Free a list; NULL is a no-op. */
void waitlist_free(struct waitlist *wl);

/*
 * Return 1 if channel (EVENT_CHANNEL_*) is paused - its key
 * PREFIXpause:CHANNEL exists -, 0 if not, -1 if Redis did not say.
 */
int waitlist_paused(struct redis *r, const struct config *cf, int channel);

/*
 * Return why a notification due at due (ms) waits at now, from its
 * record's wait field (NULL if none), its attempts so far, whether it
 * is an SMS due exactly at the end of sms.quiet_hours (quiet_end) and
 * whether its channel is paused: "due", "paused", "retry",
 * "quiet_hours", "rate" or "later". The string is static.
 */
const char *waitlist_reason(const char *wait, long long attempts,
    int quiet_end, int paused, int64_t due, int64_t now);

/*
 * Write a length of time (ms) in the two largest units that fit, for a
 * person: "45s", "5m", "1h 25m", "2d 3h".
 */
void waitlist_span(int64_t ms, char buf[WAITLIST_SPAN_LEN]);

/*
 * Write when at (ms) is as seen from now: "in 5m", "5m ago", or "now"
 * within a second.
 */
void waitlist_relative(int64_t at, int64_t now,
    char buf[WAITLIST_SPAN_LEN]);

#endif
