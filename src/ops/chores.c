/*
 * chores.c - what closeloopd does beside the events, when there is
 * something to do
 *
 * The chores are short, bounded by a page each (ROLLUPFOLD_MAX counts,
 * events.batch questions): what is left waits for the next second. The
 * questions' due set is read after each run, and whenever the loop says
 * questions may have been scheduled, so the loop knows when to wake for
 * the next one; a question that stays due (a step that failed) is tried
 * again a second later.
 */
#include "build.h"

#include <stdlib.h>

#include "ask.h"
#include "chores.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "opsreq.h"
#include "redis.h"
#include "rollupfold.h"

/* Shortest time between two runs, ms. */
#define CHORES_EVERY_MS	1000

/* Note that counts were written. */
void
chores_fold(struct chores *c)
{
	c->fold = 1;
}

/* Note that an operator request may be waiting. */
void
chores_requests(struct chores *c)
{
	c->requests = 1;
}

/* Note that questions may have been scheduled. */
void
chores_questions(struct chores *c)
{
	c->ask_known = 0;
}

/* Return in how many ms the chores are due, or -1 if not at all. */
int64_t
chores_due_in(const struct chores *c)
{
	int64_t	in = -1, wait, ask;

	if (c->fold || c->requests || !c->ask_known)
		in = 0;
	else if (c->ask_at != 0) {
		ask = c->ask_at - clock_now();
		in = ask > 0 ? ask : 0;
	}
	if (in < 0)
		return -1;
	wait = c->last != 0 ? c->last + CHORES_EVERY_MS - clock_ms() : 0;
	return in > wait ? in : wait > 0 ? wait : 0;
}

/* Read when the next question is due. */
static int
chores_ask_at(struct chores *c, struct redis *r, const struct config *cf,
    char **cause)
{
	if (ask_next_due(cf, r, &c->ask_at, cause) != 0)
		return -1;
	c->ask_known = 1;
	return 0;
}

/* Do the chores that are due. */
int
chores_run(struct chores *c, struct redis *r, const struct config *cf,
    const struct catalog *cat, size_t *queued, char **cause)
{
	char		*why = NULL;
	long long	 folded;
	int		 n;

	*queued = 0;
	c->last = clock_ms();
	/* The steps' daily counts go into their hashes. */
	if (c->fold) {
		folded = rollupfold_run(r, cf, ROLLUPFOLD_MAX, &why);
		if (folded < 0 || why != NULL) {
			log_warn("daily counts: %s", why);
			free(why);
		}
		c->fold = folded >= ROLLUPFOLD_MAX;	/* more wait */
	}
	/* The console's operator requests are carried out. */
	if (c->requests) {
		if ((n = opsreq_run(r, cf, cat, cause)) < 0)
			return -1;
		c->requests = n > 0;	/* some were: look once more */
		if (n > 0)
			c->fold = 1;
	}
	/* The questions due are asked, or closed. */
	if (!c->ask_known && chores_ask_at(c, r, cf, cause) != 0)
		return -1;
	if (c->ask_at != 0 && c->ask_at <= clock_now()) {
		if (ask_run(cf, r, clock_now(), (size_t)cf->events_batch,
		    queued, cause) < 0)
			return -1;
		c->fold = 1;
		if (chores_ask_at(c, r, cf, cause) != 0)
			return -1;
	}
	return 0;
}
