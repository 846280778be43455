/*
 * pause.h - a channel stopped by an operator or by its breaker
 *
 * While a channel is paused no worker of any closeloopd claims its
 * notifications: they stay in the channel's due set, nothing is lost,
 * and they go out once it is resumed. The pause lives in Redis, so every
 * instance sees it and it survives a restart. An operator pauses with
 * "closeloop pause", optionally until a time (the key then expires by
 * itself); the breaker (breaker.h) pauses a channel whose permanent
 * failures pass delivery.breaker_percent, until an operator resumes it.
 *
 * Key (PREFIX is redis.prefix):
 *   PREFIXpause:email, PREFIXpause:sms   hash: by (who paused it),
 *                          reason (operator | breaker), note, at (ms),
 *                          until (ms, 0: until resumed); expires at until
 * Each pause and resume is also added to PREFIXweb:audit (operator.h).
 */
#ifndef PAUSE_H
#define PAUSE_H

#include <stdint.h>

struct config;
struct redis;

/* A channel's pause, as read back. */
struct pause {
	int	 paused;
	char	*by;		/* who paused it */
	char	*reason;	/* "operator" or "breaker" */
	char	*note;		/* why, in words; or "" */
	int64_t	 at;		/* ms */
	int64_t	 until;		/* ms; 0: until resumed */
};

/* Return the key of channel's pause; the caller frees it. */
char *pause_key(const struct config *cf, int channel);

/*
 * Pause channel (EVENT_CHANNEL_*) from now until until (ms; 0: until
 * resumed), by who, for reason ("operator" or "breaker") and note. With
 * only_if_running set, a channel paused already is left as it is (the
 * breaker does not replace an operator's pause). Returns 1 if paused
 * now, 0 if it was paused already and left, -1 with *cause.
 */
int pause_set(struct redis *r, const struct config *cf, int channel,
    const char *by, const char *reason, const char *note, int64_t until,
    int64_t now, int only_if_running, char **cause);

/*
 * Resume channel, recording who did it. Returns 1 if it was paused, 0 if
 * it was not, -1 with *cause.
 */
int pause_clear(struct redis *r, const struct config *cf, int channel,
    const char *by, int64_t now, char **cause);

/*
 * Read channel's pause into *p (clear it with pause_free_fields()).
 * Returns 0, or -1 with *cause.
 */
int pause_read(struct redis *r, const struct config *cf, int channel,
    struct pause *p, char **cause);

/* Free the strings of a pause read back; NULL is a no-op. */
void pause_free_fields(struct pause *p);

/*
 * Parse an operator's TIME for --until: RFC 3339 ("2026-12-07T18:00:00Z",
 * or with an offset), a local "YYYY-MM-DD HH:MM" in templates.timezone,
 * or a span from now ("30m", "2h", "1d"). Returns the time in ms, or -1.
 */
int64_t pause_until_parse(const struct config *cf, const char *s,
    int64_t now);

#endif
