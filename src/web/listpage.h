/*
 * listpage.h - the SRs behind a count: by division, ward, service,
 * decision and dates
 *
 * GET /list?counter=COUNTER&division=D&since=DAY&until=DAY[&ward=W]
 * [&service=S] lists the SRs a count of the dashboard counted: misleading
 * closures held back (held, held:RULE), data flagged for the division
 * (flag:RULE), failed messages (failed, failed:KIND). The SRs come from
 * the rollups' sets (rolllist.h), never from a scan of the trail; each is
 * shown with its state's division, status, ward and service when the
 * state is still kept. Without a counter the page is the form. A
 * division user sees only their divisions: naming another is a 404.
 * The counts of the last second, not yet folded by closeloopd, may be
 * missing from the list.
 */
#ifndef LISTPAGE_H
#define LISTPAGE_H

struct webreq;

/* GET /list. */
void listpage_show(struct webreq *q);

#endif
