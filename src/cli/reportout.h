/*
 * reportout.h - printing "closeloop report": text, JSON or CSV
 */
#ifndef REPORTOUT_H
#define REPORTOUT_H

struct config;
struct rolluptab;

/* How to print a report, and what it covers. */
struct reportout {
	const struct config	*cf;
	char			 format;	/* 0 text, 'j' JSON, 'c' CSV */
	const char		*first;		/* the first day, YYYY-MM-DD */
	const char		*last;		/* the last day */
	char			 by;		/* 'd', 'w', 'm' or 0 */
	int			 top;		/* service types shown; 0 all */
	const char		*division;	/* as asked, or NULL */
	const char		*ward;		/* as asked, or NULL */
	const char		*service;	/* as asked, or NULL */
	const struct rolluptab	*services;	/* the divisions' counts by
						   service type, for the
						   text's answers; or NULL */
};

/*
 * Print the sorted rows of t to stdout. In JSON each row is an object on
 * a line of its own with "division", "period" (unless the whole time),
 * "ward" or "service" where asked, "since", "until" and one number per
 * column; CSV has a header line and the same columns. The columns are
 * received, notices, notices_KIND, sent_email, sent_sms, delivered,
 * failed (and by kind), misleading_closures_suppressed (and by rule),
 * suppressed, closures_without_note, closures_without_reason,
 * unknown_note_codes, duplicates_without_link, sms_shortened,
 * residents_asked, answers, answers_fixed, answers_not_fixed,
 * answers_partly, unanswered (residents asked "is it fixed?" and their
 * answers) and lag_BUCKET, the messages of closures by minutes from the
 * CRM's closure. The text gives the share of the answers that say fixed
 * (the resident-confirmed fix rate), and, for a division's block, its
 * service types answered not fixed or partly (from o->services).
 */
void reportout_print(const struct reportout *o, struct rolluptab *t);

#endif
