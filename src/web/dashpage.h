/*
 * dashpage.h - the division dashboard: a period's figures, from the rollups
 *
 * GET /dashboard shows, for a period (from and to, YYYY-MM-DD, both days
 * included; the last 30 days to today unless given), one division or
 * every division the user sees (division; empty: all), and optionally a
 * ward or a service type (ward, service): the events received, the
 * notices told by kind, the misleading closures held back by rule, the
 * closures without a note, the unknown note codes, the duplicates
 * without a link, the SMS shortened, the failures by kind, the time from
 * the CRM's closure to the resident's message (median and 90th
 * percentile, as the bounds of the buckets kept), the top 10 service
 * types, a trend of the 13 months ending with the period's and, for
 * 311's own view (ops and auditors, and division users with several
 * divisions), the divisions side by side. Only the daily rollups are
 * read (dashdata.h); the held, flagged and failed counts link to the
 * list of their SRs (dashview.h). A division user sees only their own
 * divisions: another in the query is a 404.
 *
 * GET /dashboard.csv with the same query gives the same figures as CSV
 * (dashcsv.h), as a file to save.
 */
#ifndef DASHPAGE_H
#define DASHPAGE_H

struct webreq;

/* GET /dashboard. */
void dashpage_show(struct webreq *q);

/* GET /dashboard.csv. */
void dashpage_csv(struct webreq *q);

#endif
