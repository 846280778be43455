/*
 * cliredis.c - a closeloop command's connection to Redis
 *
 * Every command that reads or writes closeloopd's keys connects the same
 * way and says the same when it cannot.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>

#include "cliredis.h"
#include "config.h"
#include "redis.h"
#include "redisconn.h"

/* Connect for a command, or say why not. */
struct redis *
cliredis_open(const struct config *cf, const char *command)
{
	struct redis	*r;
	char		*cause = NULL;

	if ((r = redisconn_open(cf, &cause)) == NULL) {
		fprintf(stderr, "closeloop %s: %s\n", command, cause);
		free(cause);
	}
	return r;
}
