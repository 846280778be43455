/*
 * chores.h - what closeloopd does beside the events, when there is
 * something to do
 *
 * The main loop (server.c) folds the steps' daily counts into their
 * hashes (rollupfold.h) after it or a worker wrote some, carries out the
 * console's operator requests (opsreq.h) when the wake-up stream says
 * one was queued, and acts on the questions whose time has come: "is it
 * fixed?" asked, or closed when no answer came (ask.h). Each is done at
 * most once a second, and none is looked at while nothing calls for it:
 * an idle daemon does not wake for its chores.
 */
#ifndef CHORES_H
#define CHORES_H

#include <stddef.h>
#include <stdint.h>

struct catalog;
struct config;
struct redis;

/* What calls for the chores; all zeros: look at everything once. */
struct chores {
	int	 fold;		/* counts were written since the last fold */
	int	 requests;	/* operator requests may be waiting */
	int	 ask_known;	/* ask_at was read */
	int64_t	 ask_at;	/* the next question due, wall ms; 0: none */
	int64_t	 last;		/* when they last ran, monotonic ms */
};

/* Note that counts were written (steps, outcomes, answers). */
void chores_fold(struct chores *c);

/* Note that an operator request may be waiting. */
void chores_requests(struct chores *c);

/* Note that questions may have been scheduled: read their due set again. */
void chores_questions(struct chores *c);

/*
 * Return in how many ms the chores are due (0: now), or -1 if nothing
 * calls for them.
 */
int64_t chores_due_in(const struct chores *c);

/*
 * Do the chores that are due through r under cf, with the template set
 * cat. Sets *queued to how many notifications they queued for delivery
 * (the questions asked: the workers should look). A failure of the daily
 * counts is logged and the rest goes on. Returns 0, or -1 with *cause if
 * Redis failed (the connection must then be dropped; everything is
 * looked at again once it is back).
 */
int chores_run(struct chores *c, struct redis *r, const struct config *cf,
    const struct catalog *cat, size_t *queued, char **cause);

#endif
