/*
 * dashfig.h - the figures of a period the dashboard shows, by kind
 *
 * The page (dashview.h) and its CSV (dashcsv.h) show the same figures,
 * in the same order: this list. Each is a rollup counter (rollup.h).
 */
#ifndef DASHFIG_H
#define DASHFIG_H

#include <stddef.h>

/* A figure of the period, as the page shows it and the CSV gives it. */
struct dashfig {
	const char	*section;	/* "told", "held", "flags", "failed",
					   "asked", "answers", "unanswered"
					   or "lag" */
	char		*counter;	/* its rollup counter: "told",
					   "held:explicit_transfer", ... */
	char		*label;		/* in words */
	int		 listed;	/* its SRs are on the list page */
};

/*
 * Set *out to the figures of the period by kind, in the order shown
 * (events received aside), and return how many; free them with
 * dashfig_free().
 */
size_t dashfig_list(struct dashfig **out);

/* Free the figures. */
void dashfig_free(struct dashfig *f, size_t n);

#endif
