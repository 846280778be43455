/*
 * standard.c - service standards: the time a division commits to
 *
 * The standards are few (a division has a handful of service types with
 * a standard of their own), kept in one array the configuration owns and
 * searched in order.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "standard.h"
#include "xmalloc.h"

/* Append a standard. */
struct standard *
standard_add(struct standard **list, size_t *n, const char *division,
    const char *service, int days, enum standard_target target)
{
	struct standard	*s;

	*list = xreallocarray(*list, *n + 1, sizeof **list);
	s = &(*list)[(*n)++];
	s->division = xstrdup(division);
	s->service = service != NULL ? xstrdup(service) : NULL;
	s->days = days;
	s->target = target;
	return s;
}

/* Find the standard of a division for a service type, or its default. */
const struct standard *
standard_find(const struct standard *list, size_t n, const char *division,
    const char *service)
{
	const struct standard	*any = NULL;
	size_t			 i;

	if (division == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (strcmp(list[i].division, division) != 0)
			continue;
		if (list[i].service == NULL)
			any = &list[i];
		else if (service != NULL &&
		    strcasecmp(list[i].service, service) == 0)
			return &list[i];
	}
	return any;
}

/* Return the name of a target. */
const char *
standard_target_name(enum standard_target target)
{
	return target == STANDARD_RESPONSE ? "response" : "completion";
}

/* Read a target's name. */
int
standard_target_parse(const char *name, enum standard_target *target)
{
	if (name == NULL)
		return -1;
	if (strcmp(name, "completion") == 0)
		*target = STANDARD_COMPLETION;
	else if (strcmp(name, "response") == 0)
		*target = STANDARD_RESPONSE;
	else
		return -1;
	return 0;
}

/* Free an array of standards. */
void
standard_free(struct standard *list, size_t n)
{
	size_t	i;

	if (list == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(list[i].division);
		free(list[i].service);
	}
	free(list);
}
