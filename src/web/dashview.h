/*
 * dashview.h - the dashboard's figures as the page's view
 *
 * Turns what dashdata.h read into the data of pages/dashboard.mustache:
 * each figure with its counter (the cell's data-counter), the held,
 * flagged and failed ones with a link to the list of their SRs, the
 * tables the charts are drawn from, and the comparison of divisions.
 *
 * A link to the list page is
 *   /list?division=D&since=FROM&until=UNTIL&counter=COUNTER
 * with &ward=W or &service=S when the figures are filtered. FROM is the
 * period's first day and UNTIL the day after its last (YYYY-MM-DD, local
 * days in templates.timezone; the times FROM <= t < UNTIL, as "closeloop
 * report --since FROM --until UNTIL"); division is left out when the
 * figures are of every division the user sees.
 */
#ifndef DASHVIEW_H
#define DASHVIEW_H

struct dashdata;
struct view;

/* Add the form's values and the divisions to choose from to v. */
void dashview_form(struct view *v, const struct dashdata *d);

/* Add the figures of d (read) to v. */
void dashview_figures(struct view *v, struct dashdata *d);

/*
 * Return the query string (without "?") that asks for what d was asked,
 * with division code instead (NULL: every division); the caller frees it.
 */
char *dashview_query(const struct dashdata *d, const char *code);

#endif
