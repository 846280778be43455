/*
 * operator.c - who steered closeloop, and the record of it
 *
 * operator.h gives the stream and its fields.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "operator.h"
#include "txn.h"
#include "xmalloc.h"

static const char *operator_from = "cli";

/* Return the key of the operators' record. */
char *
operator_stream(const struct config *cf)
{
	return xasprintf("%sweb:audit", cf->redis_prefix);
}

/* Return who runs this program. */
char *
operator_name(void)
{
	const char	*names[] = { "SUDO_USER", "USER", "LOGNAME" }, *v;
	size_t		 i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if ((v = getenv(names[i])) != NULL && *v != '\0')
			return log_clean(v, strlen(v), OPERATOR_MAX);
	}
	return xstrdup("unknown");
}

/* Say where this process's actions come from. */
void
operator_set_via(const char *via)
{
	operator_from = via;
}

/* Return where this process's actions come from. */
const char *
operator_via(void)
{
	return operator_from;
}

/* Queue the record of an action. */
void
operator_queue(struct txn *tx, const struct config *cf, const char *what,
    const char *user, const char *detail, int64_t now)
{
	const char	*argv[16];
	char		*key, at[32];

	key = operator_stream(cf);
	snprintf(at, sizeof at, "%lld", (long long)now);
	argv[0] = "XADD";
	argv[1] = key;
	argv[2] = "MAXLEN";
	argv[3] = "~";
	argv[4] = OPERATOR_STREAM_MAXLEN;
	argv[5] = "*";
	argv[6] = "what";
	argv[7] = what;
	argv[8] = "user";
	argv[9] = user;
	argv[10] = "peer";
	argv[11] = operator_from;
	argv[12] = "at";
	argv[13] = at;
	argv[14] = "detail";
	argv[15] = detail;
	txn_queue(tx, 16, argv);
	free(key);
}
