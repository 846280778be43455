/*
 * rolllist.c - the SRs behind a daily count, from the rollups' sets
 *
 * rollup.c queues the SR of each decision a listed counter counts, and
 * rollupfold.c adds it into the set of its division, day and counter. A
 * member is "SR TAB WARD TAB SERVICE", so a reader filters by ward or
 * service type from the members alone. rolllist_srs() pipelines one
 * SMEMBERS per division and day, keeps the members that match, and
 * sorts their SRs, once each.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "datefmt.h"
#include "redis.h"
#include "rollcount.h"
#include "rolllist.h"
#include "rollup.h"
#include "xmalloc.h"

/* The SRs found so far. */
struct rolllist {
	const char	 *ward;
	const char	 *service;
	char		**srs;
	size_t		  n;
};

/* Return the key of a division's day's set of SRs of one counter. */
char *
rolllist_key(const struct config *cf, const char *division, const char *day,
    const char *counter)
{
	return xasprintf("%sroll:%s:%s:sr:%s", cf->redis_prefix, division, day,
	    counter);
}

/* Keep the SR of a member if its ward and service are those asked. */
static void
rolllist_member(struct rolllist *l, const char *member)
{
	const char	*ward, *service;
	size_t		 wlen;

	if ((ward = strchr(member, '\t')) == NULL ||
	    (service = strchr(ward + 1, '\t')) == NULL)
		return;
	ward++;
	wlen = (size_t)(service - ward);
	service++;
	if (l->ward != NULL && (strlen(l->ward) != wlen ||
	    strncmp(l->ward, ward, wlen) != 0))
		return;
	if (l->service != NULL && strcasecmp(l->service, service) != 0)
		return;
	l->srs = xreallocarray(l->srs, l->n + 1, sizeof *l->srs);
	l->srs[l->n++] = xstrndup(member, (size_t)(ward - 1 - member));
}

/* Compare two strings for qsort(). */
static int
rolllist_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort the SRs found, keep each once, and end the list with NULL. */
static void
rolllist_unique(struct rolllist *l)
{
	size_t	i, k = 0;

	if (l->n > 1)
		qsort(l->srs, l->n, sizeof *l->srs, rolllist_cmp);
	for (i = 0; i < l->n; i++) {
		if (k > 0 && strcmp(l->srs[k - 1], l->srs[i]) == 0)
			free(l->srs[i]);
		else
			l->srs[k++] = l->srs[i];
	}
	l->srs = xreallocarray(l->srs, k + 1, sizeof *l->srs);
	l->srs[k] = NULL;
	l->n = k;
}

/* Queue one SMEMBERS per division and day; returns how many. */
static size_t
rolllist_ask(struct redis *r, const struct config *cf, char **divs,
    size_t ndivs, const char *first, const char *last, const char *counter)
{
	char		(*days)[DATEFMT_DAY_LEN + 1] = NULL, *key;
	const char	*argv[2];
	size_t		 ndays, i, j;

	ndays = rollup_days(first, last, &days);
	for (i = 0; i < ndivs; i++) {
		for (j = 0; j < ndays; j++) {
			key = rolllist_key(cf, divs[i], days[j], counter);
			argv[0] = "SMEMBERS";
			argv[1] = key;
			redis_pipe_argv(r, 2, argv, NULL);
			free(key);
		}
	}
	free(days);
	return ndivs * ndays;
}

/* List the SRs counted by a counter over some days. */
int
rolllist_srs(struct redis *r, const struct config *cf,
    const char *division, const char *first, const char *last,
    const char *counter, const char *ward, const char *service, char ***out,
    size_t *n, char **cause)
{
	struct rolllist		 l;
	struct redis_reply	*reply;
	char			**divs = NULL;
	size_t			  ndivs = 0, nasked, i, j, k = 0;
	int			  rc = 0;

	memset(&l, 0, sizeof l);
	l.ward = ward;
	l.service = service;
	if (!rollcount_listed(counter)) {
		*cause = xasprintf("%s: no list of SRs is kept for this count",
		    counter);
		return -1;
	}
	if (rollup_divisions(r, cf, &divs, &ndivs, cause) != 0)
		return -1;
	for (i = 0; i < ndivs; i++) {
		if (division == NULL || strcasecmp(divs[i], division) == 0)
			divs[k++] = divs[i];
		else
			free(divs[i]);
	}
	ndivs = k;
	nasked = rolllist_ask(r, cf, divs, ndivs, first, last, counter);
	for (i = 0; i < nasked; i++) {
		if ((reply = redis_pipe_reply(r, cause)) == NULL) {
			rc = -1;
			break;
		}
		if (reply->type == REDIS_TYPE_ERROR && rc == 0) {
			*cause = xasprintf("SMEMBERS: %s", reply->str);
			rc = -1;
		} else if (rc == 0 && reply->type == REDIS_TYPE_ARRAY) {
			for (j = 0; j < reply->elements; j++) {
				if (reply->element[j]->str != NULL)
					rolllist_member(&l,
					    reply->element[j]->str);
			}
		}
		redis_reply_free(reply);
	}
	for (i = 0; i < ndivs; i++)
		free(divs[i]);
	free(divs);
	rolllist_unique(&l);
	if (rc != 0) {
		for (i = 0; i < l.n; i++)
			free(l.srs[i]);
		free(l.srs);
		return -1;
	}
	*out = l.srs;
	*n = l.n;
	return 0;
}
