/*
 * emit.c - "closeloop emit": publish one event to the events stream
 *
 * For integrators trying the event contract: the same validation that
 * closeloopd applies runs first, so a mistake is explained at once rather
 * than found later in the dead-letter stream. --force skips it, to see
 * what closeloopd does with a bad entry.
 */
#include "build.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "config.h"
#include "emit.h"
#include "event.h"
#include "eventparse.h"
#include "redis.h"
#include "redisconn.h"
#include "xmalloc.h"

/* Return 1 if a field name is among the first n of names. */
static int
emit_has(char **names, size_t n, const char *name)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (strcmp(names[2 * i], name) == 0)
			return 1;
	}
	return 0;
}

/* Publish one event. */
int
emit_run(const struct config *cf, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	struct redis		 *r = NULL;
	struct redis_reply	 *reply = NULL;
	struct event		 *ev;
	char			**fields, *eq, *cause = NULL, now[32];
	const char		**args;
	size_t			 *lens, *arglens;
	size_t			  n = 0, i;
	time_t			  t;
	int			  ch, force = 0, rc = EX_UNAVAILABLE;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch != 'f') {
			fprintf(stderr, "usage: closeloop emit [--force] "
			    "FIELD=VALUE ...\n");
			return EX_USAGE;
		}
		force = 1;
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		fprintf(stderr, "closeloop emit: no FIELD=VALUE given\n"
		    "usage: closeloop emit [--force] FIELD=VALUE ...\n");
		return EX_USAGE;
	}
	fields = xcalloc(2 * (argc + 2), sizeof *fields);
	lens = xcalloc(2 * (argc + 2), sizeof *lens);
	for (i = 0; i < (size_t)argc; i++) {
		if ((eq = strchr(argv[i], '=')) == NULL || eq == argv[i]) {
			fprintf(stderr, "closeloop emit: \"%s\" is not "
			    "FIELD=VALUE\n", argv[i]);
			rc = EX_USAGE;
			goto out;
		}
		fields[2 * n] = xstrndup(argv[i], eq - argv[i]);
		fields[2 * n + 1] = xstrdup(eq + 1);
		n++;
	}
	if (!emit_has(fields, n, "v")) {
		fields[2 * n] = xstrdup("v");
		fields[2 * n + 1] = xstrdup("1");
		n++;
	}
	if (!emit_has(fields, n, "ts")) {
		t = time(NULL);
		strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
		fields[2 * n] = xstrdup("ts");
		fields[2 * n + 1] = xstrdup(now);
		n++;
	}
	for (i = 0; i < 2 * n; i++)
		lens[i] = strlen(fields[i]);

	if (!force) {
		ev = eventparse_parse(cf, "0-0", fields, lens, n, &cause);
		if (ev == NULL) {
			fprintf(stderr, "closeloop emit: not sent: %s\n", cause);
			rc = EX_DATAERR;
			goto out;
		}
		event_free(ev);
	}

	if ((r = redisconn_open(cf, &cause)) == NULL) {
		fprintf(stderr, "closeloop emit: %s\n", cause);
		goto out;
	}
	args = xcalloc(2 * n + 3, sizeof *args);
	arglens = xcalloc(2 * n + 3, sizeof *arglens);
	args[0] = "XADD";
	args[1] = cf->redis_stream;
	args[2] = "*";
	for (i = 0; i < 3; i++)
		arglens[i] = strlen(args[i]);
	for (i = 0; i < 2 * n; i++) {
		args[3 + i] = fields[i];
		arglens[3 + i] = lens[i];
	}
	reply = redis_command_argv(r, &cause, (int)(2 * n + 3), args, arglens);
	free(args);
	free(arglens);
	if (reply == NULL) {
		fprintf(stderr, "closeloop emit: %s\n", cause);
		goto out;
	}
	if (reply->type != REDIS_TYPE_STRING) {
		fprintf(stderr, "closeloop emit: XADD: %s\n",
		    reply->str != NULL ? reply->str : "unexpected reply");
		goto out;
	}
	printf("%s\n", reply->str);
	rc = 0;

out:
	redis_reply_free(reply);
	redis_free(r);
	for (i = 0; i < 2 * n; i++)
		free(fields[i]);
	free(fields);
	free(lens);
	free(cause);
	return rc;
}
