/*
 * chores.c - what closeloopd does once a second, beside the events
 *
 * The chores are short, bounded by a page each (ROLLUPFOLD_MAX counts,
 * events.batch questions): what is left waits for the next second.
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

/* Do the once-a-second chores. */
int
chores_run(struct redis *r, const struct config *cf,
    const struct catalog *cat, size_t *queued, char **cause)
{
	char	*why = NULL;

	*queued = 0;
	/* The steps' daily counts go into their hashes. */
	if (rollupfold_run(r, cf, ROLLUPFOLD_MAX, &why) < 0 || why != NULL) {
		log_warn("daily counts: %s", why);
		free(why);
	}
	/* The console's operator requests are carried out. */
	if (opsreq_run(r, cf, cat, cause) < 0)
		return -1;
	/* The questions due are asked, or closed. */
	if (ask_run(cf, r, clock_now(), (size_t)cf->events_batch, queued,
	    cause) < 0)
		return -1;
	return 0;
}
