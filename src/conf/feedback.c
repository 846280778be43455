/*
 * feedback.c - when residents are asked whether it was fixed
 *
 * The settings are few (a handful of service types per division at
 * most) and are looked up by a linear search. feedback.h says which
 * setting wins.
 */
#include "build.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "feedback.h"
#include "xmalloc.h"

/* Set fb to nothing set. */
void
feedback_init(struct feedback *fb)
{
	memset(fb, 0, sizeof *fb);
	fb->ask = -1;
	fb->ask_after = -1;
}

/* Add a service type's entry, or return the one it has. */
struct feedback_service *
feedback_add_service(struct feedback *fb, const char *service)
{
	struct feedback_service	*e;
	size_t			 i;

	for (i = 0; i < fb->nservices; i++) {
		if (strcasecmp(fb->services[i].service, service) == 0)
			return &fb->services[i];
	}
	fb->services = xreallocarray(fb->services, fb->nservices + 1,
	    sizeof *fb->services);
	e = &fb->services[fb->nservices++];
	e->service = xstrdup(service);
	e->ask = -1;
	e->ask_after = -1;
	return e;
}

/* Return the entry of a service type, or NULL. */
const struct feedback_service *
feedback_find(const struct feedback *fb, const char *service)
{
	size_t	i;

	for (i = 0; fb != NULL && service != NULL && i < fb->nservices; i++) {
		if (strcasecmp(fb->services[i].service, service) == 0)
			return &fb->services[i];
	}
	return NULL;
}

/* Decide whether a resident is asked, and when. */
int
feedback_when(const struct feedback *all, const struct feedback *div,
    const char *service, int64_t *after)
{
	const struct feedback_service	*ds, *gs;
	int				 ask = all->ask;
	int64_t				 when = all->ask_after;

	ds = feedback_find(div, service);
	gs = feedback_find(all, service);
	/* From the least specific to the most: the last set wins. */
	if (gs != NULL && gs->ask >= 0)
		ask = gs->ask;
	if (gs != NULL && gs->ask_after >= 0)
		when = gs->ask_after;
	if (div != NULL && div->ask >= 0)
		ask = div->ask;
	if (div != NULL && div->ask_after >= 0)
		when = div->ask_after;
	if (ds != NULL && ds->ask >= 0)
		ask = ds->ask;
	if (ds != NULL && ds->ask_after >= 0)
		when = ds->ask_after;
	*after = when >= 0 ? when : 0;
	return ask > 0;
}

/* Read a duration with its unit. */
int
feedback_duration(const char *s, int64_t *seconds)
{
	char		*end;
	long long	 n, unit;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || end[0] == '\0' || end[1] != '\0')
		return -1;
	switch (*end) {
	case 'd':
		unit = 86400;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'm':
		unit = 60;
		break;
	case 's':
		unit = 1;
		break;
	default:
		return -1;
	}
	if (n > FEEDBACK_AFTER_MAX / unit)
		return -1;
	*seconds = n * unit;
	return 0;
}

/* Free what the settings hold. */
void
feedback_clear(struct feedback *fb)
{
	size_t	i;

	for (i = 0; i < fb->nservices; i++)
		free(fb->services[i].service);
	free(fb->services);
	feedback_init(fb);
}
