/*
 * dashdata.h - the dashboard's figures, added up from the daily rollups
 *
 * The dashboard (dashpage.h) shows, for a period and the divisions a
 * user chose, what the daily rollups count (rollup.h): nothing else is
 * read, never the trail, so a year costs a few hundred HGETALLs per
 * division, pipelined. The figures are added up in rolluptab tables
 * (rolluptab.h) as "closeloop report" adds them up, so the two agree:
 *
 *   tab, row (DIV, "", NULL)      each division's counts over the period
 *   tab, row ("", "", NULL)       the chosen divisions' counts together
 *   tab, row ("", "YYYY-MM", NULL) the chosen divisions' received, told
 *                                 and held in each month of the trend:
 *                                 the 13 months ending with the period's
 *   services, row ("", "", TYPE)  received, told and held per service
 *                                 type over the period, and the answers
 *                                 not fixed and partly (none with a ward
 *                                 or service filter: the counts by
 *                                 service type are the division's)
 *
 * With a ward (or service type) filter every figure is that ward's, read
 * from the ward (or service) hashes; the lag is then not known, as only
 * the division's own hash keeps it.
 */
#ifndef DASHDATA_H
#define DASHDATA_H

#include <stddef.h>

#include "datefmt.h"
#include "rolluptab.h"

struct config;
struct redis;
struct session;

/* Months in the trend. */
#define DASHDATA_MONTHS	13

/* The longest ward or service type taken from a form. */
#define DASHDATA_FILTER_MAX	200

/* What is asked for and what was read. */
struct dashdata {
	const struct config	*cf;
	char			 from[DATEFMT_DAY_LEN + 1];	/* asked */
	char			 to[DATEFMT_DAY_LEN + 1];	/* asked */
	char			 until[DATEFMT_DAY_LEN + 1];	/* to + 1 */
	char			 first[DATEFMT_DAY_LEN + 1];	/* counted
							   from: from, or
							   the first kept */
	int			 clipped;	/* first is later than from */
	char			*division;	/* the one chosen, or NULL:
						   all of divs */
	char			*ward;		/* NULL: none */
	char			*service;	/* NULL: none */
	char			**divs;		/* what the user sees, sorted */
	size_t			 ndivs;
	int			 compare;	/* each of divs is shown */
	char			 months[DASHDATA_MONTHS][8];	/* YYYY-MM,
							   oldest first */
	struct rolluptab	 tab;
	struct rolluptab	 services;
	int			 by_service;	/* services was read */
};

/* Make an empty one for configuration cf. */
struct dashdata *dashdata_new(const struct config *cf);

/* Free it; NULL is a no-op. */
void dashdata_free(struct dashdata *d);

/*
 * Set the period from the form's from and to (YYYY-MM-DD; NULL or empty:
 * the last 30 days to today), the ward and the service type (NULL or
 * empty: none; trimmed). Returns 0, or -1 with *why, a static sentence
 * for the user.
 */
int dashdata_ask(struct dashdata *d, const char *from, const char *to,
    const char *ward, const char *service, const char **why);

/*
 * Fold the pending counts into the daily hashes (rollupfold.h), then set
 * the divisions who sees: a division user's own, anyone else's every
 * division counted or configured; and whether they compare divisions
 * (311's view: every role but a division user with one division).
 * Returns 0, or -1 with *cause.
 */
int dashdata_divisions(struct dashdata *d, struct redis *r,
    const struct session *who, char **cause);

/*
 * Choose division code (any case) of those the user sees; NULL or empty
 * chooses them all (the one, if the user sees one). Returns 0, or -1 if
 * the user does not see it.
 */
int dashdata_choose(struct dashdata *d, const char *code);

/*
 * Read the figures: the chosen divisions' over the period and the
 * trend's months, each division's over the period if compare is set.
 * Returns 0, or -1 with *cause.
 */
int dashdata_read(struct dashdata *d, struct redis *r, char **cause);

/*
 * The rows of the period and the trend, all made by dashdata_read(): the
 * pointers the three functions below return stay valid while d lives.
 */

/* Return the chosen divisions' row over the period (never NULL). */
struct rolluptab_row *dashdata_total(struct dashdata *d);

/* Return the row over the period of division, one of divs. */
struct rolluptab_row *dashdata_division(struct dashdata *d,
    const char *division);

/* Return the trend's row of month i (never NULL). */
struct rolluptab_row *dashdata_month(struct dashdata *d, int i);

/*
 * Set *out to the top n service types by events received (an array the
 * caller frees, its rows the table's) and return how many there are.
 */
size_t dashdata_top(struct dashdata *d, size_t n,
    const struct rolluptab_row ***out);

#endif
