/*
 * operator.c - who runs a command, as a record names them
 *
 * The names are read from the environment in the order sudo and a login
 * set them: sudo keeps USER as the target user (root) and says who ran
 * it in SUDO_USER.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "operator.h"
#include "xmalloc.h"

/* Return who runs this process, made safe to record. */
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
