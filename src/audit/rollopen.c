/*
 * rollopen.c - the SRs past their service standard, work still open
 *
 * rollopen.h says what they are. The flag's sets give the SRs; their
 * states, read pipelined (srlist.h), say which are still past their
 * division's standard; an SR whose state is gone is no longer open.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "rollcount.h"
#include "rolllist.h"
#include "rollopen.h"
#include "srlist.h"
#include "srstate.h"
#include "xmalloc.h"

/* Return 1 if counter's SRs can be listed. */
int
rollopen_listed(const char *counter)
{
	return strcmp(counter, ROLLOPEN_COUNTER) == 0 ||
	    rollcount_listed(counter);
}

/* Order SR numbers as rolllist_srs() does. */
static int
rollopen_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Set *out to the SRs of counter, the open ones' from their states. */
int
rollopen_srs(struct redis *r, const struct config *cf,
    const char *division, const char *first, const char *last,
    const char *counter, const char *ward, const char *service, char ***out,
    size_t *n, char **cause)
{
	struct srlist	 *l = NULL;
	char		**srs, **open;
	size_t		  nsrs, i, k = 0;
	int		  rc;

	if (strcmp(counter, ROLLOPEN_COUNTER) != 0)
		return rolllist_srs(r, cf, division, first, last, counter,
		    ward, service, out, n, cause);
	if (rolllist_srs(r, cf, division, first, last, ROLLOPEN_FLAG, ward,
	    service, &srs, &nsrs, cause) != 0)
		return -1;
	rc = srlist_read(r, cf, srs, nsrs, 0, NULL, &l, cause);
	for (i = 0; i < nsrs; i++)
		free(srs[i]);
	free(srs);
	if (rc != 0)
		return -1;
	open = xcalloc(l->n + 1, sizeof *open);
	for (i = 0; i < l->n; i++) {
		if (srstate_std_overdue(l->items[i].st, division))
			open[k++] = xstrdup(l->items[i].st->sr);
	}
	srlist_free(l);
	qsort(open, k, sizeof *open, rollopen_cmp);
	*out = open;
	*n = k;
	return 0;
}

/* Count the SRs still past their standard with work open. */
int
rollopen_count(struct redis *r, const struct config *cf,
    const char *division, const char *first, const char *last,
    const char *ward, const char *service, size_t *n, char **cause)
{
	char	**srs;
	size_t	  i;

	if (rollopen_srs(r, cf, division, first, last, ROLLOPEN_COUNTER,
	    ward, service, &srs, n, cause) != 0)
		return -1;
	for (i = 0; i < *n; i++)
		free(srs[i]);
	free(srs);
	return 0;
}
