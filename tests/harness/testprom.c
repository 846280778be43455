/*
 * testprom.c - read samples out of the Prometheus text /metrics prints
 *
 * A sample is a line "NAME{LABELS} VALUE"; the key must match from the
 * start of a line up to the space before the value.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testprom.h"

/* Return the value of the sample named exactly key. */
double
testprom_value(const char *text, const char *key)
{
	const char	*p = text;
	size_t		 len = strlen(key);

	while ((p = strstr(p, key)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[len] == ' ')
			return strtod(p + len + 1, NULL);
		p += len;
	}
	fail_msg("no sample %s in:\n%s", key, text);
	return -1;
}
