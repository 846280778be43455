/*
 * generation.h - a configuration and template set in use, shared by threads
 *
 * closeloopd's main thread and its delivery workers read the same
 * configuration and template set. SIGHUP makes a new generation; the old
 * one is freed when the last thread that holds it lets go, so a worker in
 * the middle of a batch finishes it with the settings it started with.
 */
#ifndef GENERATION_H
#define GENERATION_H

struct catalog;
struct config;

struct generation {
	struct config	*cf;
	struct catalog	*cat;
	int		 refs;
};

/*
 * Make a generation of cf and cat, which it now owns, held once (free it
 * with generation_drop()).
 */
struct generation *generation_new(struct config *cf, struct catalog *cat);

/* Hold g once more; returns g. */
struct generation *generation_hold(struct generation *g);

/* Let go of g; the last to let go frees it. NULL is a no-op. */
void generation_drop(struct generation *g);

#endif
