/*
 * cookie.c - reading and setting the console's two cookies
 *
 * The Cookie header is "NAME=VALUE; NAME=VALUE"; a value the console set
 * is hex digits, so nothing is decoded, and a cookie of the right name
 * with anything else in it is ignored.
 */
#include "build.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cookie.h"
#include "http.h"
#include "httpreq.h"
#include "xmalloc.h"

#define COOKIE_VALUE_MAX	128

/* Return the full name of cookie name under cf ("__Host-" or not). */
static char *
cookie_name(const struct config *cf, const char *name)
{
	return xasprintf("%s%s", cf->web_cookie_secure ? "__Host-" : "",
	    name);
}

/* Return 1 if the n bytes at v are hex digits, and not too many. */
static int
cookie_hex(const char *v, size_t n)
{
	size_t	 i;

	if (n == 0 || n > COOKIE_VALUE_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)v[i]))
			return 0;
	return 1;
}

/* Return the value of a cookie of the request. */
char *
cookie_get(const struct config *cf, const struct httpreq *req,
    const char *name)
{
	const char	*h = httpreq_header(req, "Cookie"), *p, *eq, *end;
	char		*full, *v = NULL;
	size_t		 len;

	if (h == NULL)
		return NULL;
	full = cookie_name(cf, name);
	len = strlen(full);
	for (p = h; *p != '\0'; p = *end == ';' ? end + 1 : end) {
		while (*p == ' ')
			p++;
		end = p + strcspn(p, ";");
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq == NULL || (size_t)(eq - p) != len ||
		    strncmp(p, full, len) != 0)
			continue;
		if (cookie_hex(eq + 1, (size_t)(end - eq - 1))) {
			v = xstrndup(eq + 1, (size_t)(end - eq - 1));
			break;
		}
	}
	free(full);
	return v;
}

/* Set or remove a cookie. */
void
cookie_set(const struct config *cf, struct http_response *resp,
    const char *name, const char *value)
{
	char	*full, *line;

	full = cookie_name(cf, name);
	line = xasprintf("%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", full,
	    value != NULL ? value : "", cf->web_cookie_secure ? "; Secure" : "",
	    value != NULL ? "" : "; Max-Age=0");
	httpresp_header(resp, "Set-Cookie", line);
	free(line);
	free(full);
}
