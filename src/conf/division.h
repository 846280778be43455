/*
 * division.h - the city's divisions: display names and status maps
 *
 * A division (Toronto Water, Transportation Services, ...) is known by the
 * code the CRM sends ("TW", "TS"). The configuration gives each its names
 * per locale, for messages to residents, and optionally a status_map that
 * turns the division's own status codes into the event vocabulary, and
 * whether and when its residents are asked if the work fixed the
 * problem (feedback.h).
 */
#ifndef DIVISION_H
#define DIVISION_H

#include <stddef.h>

#include "feedback.h"
#include "vocab.h"

/* One status_map entry: the division's code onto the vocabulary. */
struct division_status {
	char			*code;
	enum vocab_status	 status;
	enum vocab_reason	 reason;	/* VOCAB_REASON_NONE if not set */
};

/* The division's display name in one locale. */
struct division_name {
	char	*locale;
	char	*name;
};

/* A standard note from the division's list, with its text per locale. */
struct division_note {
	char			*code;
	struct division_name	*texts;
	size_t			 ntexts;
};

struct division {
	char			*code;
	struct division_name	*names;
	size_t			 nnames;
	struct division_note	*notes;
	size_t			 nnotes;
	struct division_status	*map;
	size_t			 nmap;
	unsigned int		 notify_on;	/* 1 << vocab_notice; 0:
						   policy.notify_on */
	struct feedback		 feedback;	/* its own; -1: feedback's */
};

/*
 * Append a division with the given code to the array *list of *n
 * divisions and return it. The array is reallocated: pointers to its
 * elements taken before are no longer valid.
 */
struct division *division_add(struct division **list, size_t *n,
    const char *code);

/* Add a display name in a locale (copied). */
void division_add_name(struct division *dv, const char *locale,
    const char *name);

/* Add a status_map entry (the code is copied). */
void division_add_status(struct division *dv, const char *code,
    enum vocab_status status, enum vocab_reason reason);

/*
 * Add the text of standard note code in a locale (both copied), adding
 * the note if it is new.
 */
void division_add_note(struct division *dv, const char *code,
    const char *locale, const char *text);

/*
 * Return the text of standard note code in a locale, falling back along
 * the BCP 47 chain; NULL if the division has no such note in that
 * language. The string belongs to the division.
 */
const char *division_note(const struct division *dv, const char *code,
    const char *locale);

/* Return 1 if code is in the division's list of standard notes. */
int division_has_note(const struct division *dv, const char *code);

/*
 * Find the text for a locale in a list of n texts per locale, falling
 * back along the BCP 47 chain ("fr-CA", then "fr"); NULL if none.
 */
const char *division_lookup(const struct division_name *list, size_t n,
    const char *locale);

/* Free an array of n divisions and everything in them; NULL is a no-op. */
void division_free(struct division *list, size_t n);

/* Find a division by code; NULL if the array has none with that code. */
const struct division *division_find(const struct division *list, size_t n,
    const char *code);

/*
 * Map one of the division's own status codes. Returns 0 and sets *status
 * and *reason, or -1 if its status_map has no such code.
 */
int division_map(const struct division *dv, const char *code,
    enum vocab_status *status, enum vocab_reason *reason);

/*
 * Return the division's name in a locale, falling back along the BCP 47
 * chain ("fr-CA", then "fr"); NULL if it has none in that language. The
 * string belongs to the division.
 */
const char *division_name(const struct division *dv, const char *locale);

#endif
