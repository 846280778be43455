/*
 * standard.h - service standards: the time a division commits to
 *
 * A division commits, per service type, to respond to a request or to
 * complete it within a number of business days (bizday.h counts them).
 * The configuration lists the standards per division
 * (divisions.CODE.standards), each for one service type or, without
 * one, for every type the division has no standard of its own for.
 * Whether a standard is a response or a completion target matters: a
 * response target is met by the first action on the request, a
 * completion target only by the work done (docs/policy.md).
 */
#ifndef STANDARD_H
#define STANDARD_H

#include <stddef.h>

/* What a standard commits to. */
enum standard_target {
	STANDARD_COMPLETION = 0,	/* the work done */
	STANDARD_RESPONSE		/* a first action on the request */
};

/* One standard of a division, for one service type or for the rest. */
struct standard {
	char			*division;	/* code */
	char			*service;	/* NULL: every other type */
	int			 days;		/* business days */
	enum standard_target	 target;
};

/*
 * Append a standard to the array *list of *n standards (the strings are
 * copied; service may be NULL) and return it. The array is reallocated:
 * pointers into it taken before are no longer valid.
 */
struct standard *standard_add(struct standard **list, size_t *n,
    const char *division, const char *service, int days,
    enum standard_target target);

/*
 * Return the standard of division for service type service (compared
 * without regard to ASCII case), else the division's standard for every
 * other type, else NULL; service may be NULL.
 */
const struct standard *standard_find(const struct standard *list, size_t n,
    const char *division, const char *service);

/* Return the name of a target: "completion" or "response". Static. */
const char *standard_target_name(enum standard_target target);

/* Read a target's name into *target; 0, or -1 if it is not one. */
int standard_target_parse(const char *name, enum standard_target *target);

/* Free an array of n standards; NULL is a no-op. */
void standard_free(struct standard *list, size_t n);

#endif
