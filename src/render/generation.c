/*
 * generation.c - a configuration and template set in use, shared by threads
 *
 * A count of holders under one lock: holding and dropping are rare (once
 * per batch of deliveries), so one mutex for every generation is enough.
 */
#include "build.h"

#include <pthread.h>
#include <stdlib.h>

#include "catalog.h"
#include "config.h"
#include "generation.h"
#include "xmalloc.h"

static pthread_mutex_t generation_lock = PTHREAD_MUTEX_INITIALIZER;

/* Make a generation, held once. */
struct generation *
generation_new(struct config *cf, struct catalog *cat)
{
	struct generation	*g;

	g = xcalloc(1, sizeof *g);
	g->cf = cf;
	g->cat = cat;
	g->refs = 1;
	return g;
}

/* Hold a generation once more. */
struct generation *
generation_hold(struct generation *g)
{
	pthread_mutex_lock(&generation_lock);
	g->refs++;
	pthread_mutex_unlock(&generation_lock);
	return g;
}

/* Let go of a generation; free it with the last holder. */
void
generation_drop(struct generation *g)
{
	int	last;

	if (g == NULL)
		return;
	pthread_mutex_lock(&generation_lock);
	last = --g->refs == 0;
	pthread_mutex_unlock(&generation_lock);
	if (!last)
		return;
	catalog_free(g->cat);
	config_free(g->cf);
	free(g);
}
