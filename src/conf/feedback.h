/*
 * feedback.h - when residents are asked whether it was fixed
 *
 * Once a "completed" notice has gone out, closeloopd asks the resident
 * once whether the problem is fixed (docs/policy.md, "Did we fix it?").
 * Whether to ask, and how long after the completion, is set for
 * everyone (feedback.ask, feedback.ask_after), per service type
 * (feedback.services), per division (divisions.CODE.feedback) and per
 * division and service type (divisions.CODE.feedback.services). The
 * most specific setting wins: the division's own entry for the service
 * type, then the division, then the service type's entry, then the
 * global setting. A service type is matched whole, case not counting.
 */
#ifndef FEEDBACK_H
#define FEEDBACK_H

#include <stddef.h>
#include <stdint.h>

/* The longest ask_after: a year, in seconds. */
#define FEEDBACK_AFTER_MAX	(365LL * 86400)

/* One service type's settings; -1 where it sets nothing. */
struct feedback_service {
	char	*service;
	int	 ask;		/* 1, 0, or -1 */
	int64_t	 ask_after;	/* seconds, or -1 */
};

/* The settings of feedback, or of a division's feedback group. */
struct feedback {
	int			 ask;		/* 1, 0, or -1 (a division's
						   that sets nothing) */
	int64_t			 ask_after;	/* seconds, or -1 */
	struct feedback_service	*services;
	size_t			 nservices;
};

/* Set fb to nothing set: ask and ask_after -1, no service types. */
void feedback_init(struct feedback *fb);

/*
 * Add service type service (copied) to fb, with nothing set, and return
 * it; or the entry it has already for that service type. The array is
 * reallocated: earlier pointers into it are invalid.
 */
struct feedback_service *feedback_add_service(struct feedback *fb,
    const char *service);

/* Return fb's entry for service type service (NULL: none), or NULL. */
const struct feedback_service *feedback_find(const struct feedback *fb,
    const char *service);

/*
 * Decide whether a resident of a completion by a division of settings
 * div (NULL: none) about service type service (NULL: unknown) is asked,
 * under the global settings all: returns 1 and sets *after to how many
 * seconds after the completion went out, or 0 if they are not asked.
 */
int feedback_when(const struct feedback *all, const struct feedback *div,
    const char *service, int64_t *after);

/*
 * Read a duration: a whole number and its unit, "3d", "36h", "90m" or
 * "45s", at most FEEDBACK_AFTER_MAX. Returns 0 and sets *seconds, or -1.
 */
int feedback_duration(const char *s, int64_t *seconds);

/* Free what fb holds and set it to nothing set. */
void feedback_clear(struct feedback *fb);

#endif
