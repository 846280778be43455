/*
 * steer.h - an operator's hand on the outbox: send now, send again
 *
 * "closeloop send-now" takes waiting notifications out of their wait
 * (quiet hours, a retry's backoff, the contact's hourly limit): each is
 * made due at once, and the delivery workers take it as any other - the
 * contact's hourly limit and a channel's pause still apply. "closeloop
 * resend" queues a notification that went out as a new notification,
 * NOTIFICATION + "r" + a count, whose record says resend_of; it is
 * rendered again with the template set in use, or, with same content,
 * with the set and the time of the first message (render_at,
 * same_version), and refused if that set is no longer the one in use.
 * Both write a decision in the SR's trail (retried, rule
 * sent_now_by_operator or resent_by_operator, with the operator) and a
 * line in the operators' record (operator.h), in the transaction that
 * makes the change. closeloopd carries out the same actions for the
 * console (opsreq.h).
 */
#ifndef STEER_H
#define STEER_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct redis;

/* Which waiting notifications to send now: any one of the three. */
struct steer_pick {
	const char *const	*ids;		/* notification ids */
	size_t			 nids;
	const char		*sr;		/* every one of an SR */
	const char		*reason;	/* every one waiting for it:
						   quiet_hours, retry, rate */
};

/* What became of one notification picked. */
enum steer_result {
	STEER_MOVED,		/* due now */
	STEER_DUE,		/* it was due already (or the channel is
				   paused: closeloop resume) */
	STEER_NOT_WAITING,	/* not in a due set: sent, sending, gone */
	STEER_FAILED		/* Redis failed or the record changed */
};

/* Called for each notification picked, with its SR and the result. */
typedef void steer_say_fn(const char *id, const char *sr,
    enum steer_result result, const char *detail, void *arg);

/*
 * Make due now the notifications pick names, as by, calling say for
 * each. Returns how many were moved, or -1 with *cause if they could not
 * be looked for (Redis failed, an unknown reason).
 */
long steer_send_now(struct redis *r, const struct config *cf,
    const struct steer_pick *pick, const char *by, int64_t now,
    steer_say_fn *say, void *arg, char **cause);

/*
 * Queue notification id again as a new one, as by; with same_content,
 * only if the template set in use, version, is the one it was sent
 * with. Returns 0 and sets *newid (the caller frees it), or -1 with
 * *cause.
 */
int steer_resend(struct redis *r, const struct config *cf, const char *id,
    const char *version, int same_content, const char *by, int64_t now,
    char **newid, char **cause);

/* Return the name of a result ("moved", ...). The string is static. */
const char *steer_result_name(enum steer_result result);

#endif
