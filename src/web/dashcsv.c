/*
 * dashcsv.c - the dashboard's figures as CSV, for spreadsheets
 *
 * The lines are written to a memory stream in the order dashcsv.h lists
 * the sections; the figures are dashfig_list(), the same the page
 * shows, so the page and its CSV never differ.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashcsv.h"
#include "dashdata.h"
#include "dashfig.h"
#include "rollup.h"
#include "rolluptab.h"
#include "xmalloc.h"

/* The service types ranked, as on the page. */
#define DASHCSV_TOP	10

/* Write a text field: quoted if it must be, kept from being a formula. */
static void
dashcsv_field(FILE *f, const char *s)
{
	int	quote = strpbrk(s, ",\"\r\n") != NULL;

	if (quote)
		putc('"', f);
	if (strchr("=+-@\t\r", *s) != NULL && *s != '\0')
		putc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			putc('"', f);
		putc(*s, f);
	}
	if (quote)
		putc('"', f);
}

/* Write one line: section, division, group, name and a text value. */
static void
dashcsv_line(FILE *f, const char *section, const char *division,
    const char *group, const char *name, const char *value)
{
	fprintf(f, "%s,", section);
	dashcsv_field(f, division);
	putc(',', f);
	dashcsv_field(f, group != NULL ? group : "");
	putc(',', f);
	dashcsv_field(f, name);
	putc(',', f);
	dashcsv_field(f, value != NULL ? value : "");
	fputs("\r\n", f);
}

/* Write one line with a number. */
static void
dashcsv_number(FILE *f, const char *section, const char *division,
    const char *group, const char *name, long long n)
{
	char	buf[32];

	snprintf(buf, sizeof buf, "%lld", n);
	dashcsv_line(f, section, division, group, name, buf);
}

/* Write the received, told and held of a row. */
static void
dashcsv_three(FILE *f, const char *section, const char *division,
    const struct rolluptab_row *row)
{
	static const char *names[] = { "received", "told", "held" };
	size_t	i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		dashcsv_number(f, section, division, row->group != NULL ?
		    row->group : row->period, names[i], rolluptab_get(row,
		    names[i]));
}

/* Write the figures of the period. */
static void
dashcsv_figures(FILE *f, struct dashdata *d, const char *div)
{
	const struct rolluptab_row	*row = dashdata_total(d);
	struct dashfig		*fig;
	size_t				 n, i;
	int				 lag = d->ward == NULL &&
					    d->service == NULL;

	dashcsv_number(f, "figure", div, NULL, "received",
	    rolluptab_get(row, "received"));
	n = dashfig_list(&fig);
	for (i = 0; i < n; i++)
		if (lag || strcmp(fig[i].section, "lag") != 0)
			dashcsv_number(f, "figure", div, NULL, fig[i].counter,
			    rolluptab_get(row, fig[i].counter));
	dashfig_free(fig, n);
	if (!lag)
		return;
	dashcsv_line(f, "lag", div, NULL, "median",
	    rollup_lag_name(rolluptab_lag(row, 50)));
	dashcsv_line(f, "lag", div, NULL, "p90",
	    rollup_lag_name(rolluptab_lag(row, 90)));
}

/* Make the CSV. */
char *
dashcsv_make(struct dashdata *d)
{
	const struct rolluptab_row	**top, *row;
	const char			 *div = d->division != NULL ?
					     d->division : "all";
	FILE				 *f;
	char				 *out = NULL;
	size_t				  len = 0, n, i;

	if ((f = open_memstream(&out, &len)) == NULL)
		return NULL;
	fputs("section,division,group,name,value\r\n", f);
	dashcsv_line(f, "period", div, NULL, "from", d->from);
	dashcsv_line(f, "period", div, NULL, "to", d->to);
	dashcsv_line(f, "period", div, NULL, "first", d->first);
	dashcsv_figures(f, d, div);
	if (d->by_service) {
		n = dashdata_top(d, DASHCSV_TOP, &top);
		for (i = 0; i < n; i++) {
			dashcsv_number(f, "service", div, top[i]->group,
			    "rank", (long long)i + 1);
			dashcsv_three(f, "service", div, top[i]);
		}
		free(top);
	}
	for (i = 0; i < DASHDATA_MONTHS; i++)
		dashcsv_three(f, "month", div, dashdata_month(d, (int)i));
	for (i = 0; d->compare && i < d->ndivs; i++) {
		row = dashdata_division(d, d->divs[i]);
		dashcsv_three(f, "division", d->divs[i], row);
		dashcsv_number(f, "division", d->divs[i], NULL,
		    "flag:no_note", rolluptab_get(row, "flag:no_note"));
		dashcsv_number(f, "division", d->divs[i], NULL, "failed",
		    rolluptab_get(row, "failed"));
		if (d->ward == NULL && d->service == NULL)
			dashcsv_line(f, "division", d->divs[i], NULL,
			    "lag_median", rollup_lag_name(rolluptab_lag(row,
			    50)));
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}
