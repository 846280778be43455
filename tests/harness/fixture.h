/*
 * fixture.h - small template sets written to a temporary directory
 *
 * The template, render and lint tests build the sets they need file by
 * file, so each test shows exactly what the set holds; they and fuzz_http
 * write their configurations (and secrets' files) there too.
 */
#ifndef FIXTURE_H
#define FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xmalloc.h"

/* A temporary directory; fixture_cleanup() removes it. */
struct fixture {
	char	dir[64];
};

/* Make a new temporary directory. */
static inline void
fixture_open(struct fixture *fx)
{
	snprintf(fx->dir, sizeof fx->dir, "/tmp/closeloop-fixture.XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		abort();
}

/* Write a file at a path relative to the directory, making its parent. */
static inline void
fixture_write(const struct fixture *fx, const char *rel, const char *text)
{
	char	*path, *slash;
	FILE	*f;

	path = xasprintf("%s/%s", fx->dir, rel);
	slash = strrchr(path, '/');
	*slash = '\0';
	mkdir(path, 0755);
	*slash = '/';
	if ((f = fopen(path, "w")) == NULL)
		abort();
	fputs(text, f);
	fclose(f);
	free(path);
}

/* Write a secret's file as fixture_write() does, with mode 0600. */
static inline void
fixture_secret(const struct fixture *fx, const char *rel, const char *text)
{
	char	*path;

	fixture_write(fx, rel, text);
	path = xasprintf("%s/%s", fx->dir, rel);
	if (chmod(path, 0600) != 0)
		abort();
	free(path);
}

/* Remove the directory and everything in it. */
static inline void
fixture_cleanup(struct fixture *fx)
{
	char	*cmd;

	cmd = xasprintf("rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		abort();
	free(cmd);
}

#endif
