/*
 * testlog.h - what closeloop logs, captured for a test to read
 *
 * log.c writes each line to stderr with one write(2). testlog_start()
 * points stderr at a temporary file; testlog_stop() puts stderr back and
 * returns everything written to it meanwhile, by any thread.
 */
#ifndef TESTLOG_H
#define TESTLOG_H

#include <stdio.h>

/* A capture under way. */
struct testlog {
	FILE	*f;		/* where stderr goes meanwhile */
	int	 saved;		/* the real stderr */
};

/* Send stderr to a new temporary file. */
void testlog_start(struct testlog *l);

/*
 * Put stderr back and return what was written to it (allocated; the
 * caller frees it).
 */
char *testlog_stop(struct testlog *l);

#endif
