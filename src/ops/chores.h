/*
 * chores.h - what closeloopd does once a second, beside the events
 *
 * Once a second the main loop (server.c) folds the steps' daily counts
 * into their hashes (rollupfold.h), carries out the console's operator
 * requests (opsreq.h), and acts on the questions whose time has come:
 * "is it fixed?" asked, or closed when no answer came (ask.h).
 */
#ifndef CHORES_H
#define CHORES_H

#include <stddef.h>

struct catalog;
struct config;
struct redis;

/*
 * Do the chores through r under cf, with the template set cat. Sets
 * *queued to how many notifications they queued for delivery (the
 * questions asked: the workers should look). A failure of the daily
 * counts is logged and the rest goes on. Returns 0, or -1 with *cause
 * if Redis failed (the connection must then be dropped).
 */
int chores_run(struct redis *r, const struct config *cf,
    const struct catalog *cat, size_t *queued, char **cause);

#endif
