/*
 * dashcsv.h - the dashboard's figures as CSV, for spreadsheets
 *
 * GET /dashboard.csv with the dashboard's query gives the figures the
 * page shows, one a line, under the header
 *
 *   section,division,group,name,value
 *
 * division is the chosen division's code, or "all" for every division
 * the user sees; group is empty but for the trend's month (YYYY-MM) and
 * a service type. The sections, in order:
 *
 *   period    name from, to (as asked), first (the first day counted:
 *             later than from when the rollups no longer keep the days
 *             before it); value a day, YYYY-MM-DD
 *   figure    name a rollup counter (received, told, told:NOTICE, held,
 *             held:RULE, flag:RULE, failed, failed:KIND, lag:BUCKET),
 *             value its sum over the period (no lag:BUCKET with a ward
 *             or service type filter)
 *   lag       name median, p90: the bucket (rollup.h: minutes, or
 *             "more") that half, or nine in ten, of the messages of
 *             closures came within; empty if none was counted
 *   service   group a service type, name rank, received, told, held:
 *             the top 10 by events received (none with a filter)
 *   month     group YYYY-MM, name received, told, held: the 13 months
 *             ending with the period's last day's
 *   division  division each one the user sees (311's view only), name
 *             received, told, held, flag:no_note, failed, lag_median
 *
 * A text field (a division, a service type) that a spreadsheet would
 * take for a formula (starting with =, +, -, @) is written after a "'".
 */
#ifndef DASHCSV_H
#define DASHCSV_H

struct dashdata;

/* Return the CSV of the figures of d (read); the caller frees it. */
char *dashcsv_make(struct dashdata *d);

#endif
