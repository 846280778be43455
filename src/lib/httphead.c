/*
 * httphead.c - checking a request head as a client sends it
 *
 * Only what libmicrohttpd must not see is checked here: a NUL byte, which
 * it would take as the end of the line, and a Content-Length it would
 * refuse, for which its 0.9.75 (Debian 12) queues its own 400 or 413 and
 * then sends the header block of that answer twice. The request line and
 * the other headers are libmicrohttpd's to read and judge.
 */
#include "build.h"

#include <string.h>
#include <strings.h>

#include "httphead.h"
#include "httpreq.h"

/*
 * Return the end of the line that starts at p (at its LF; a CR before
 * it belongs to the line's end too), or NULL if it has none before end.
 */
static const char *
httphead_line(const char *p, const char *end, size_t *len)
{
	const char	*lf;

	if ((lf = memchr(p, '\n', end - p)) == NULL)
		return NULL;
	*len = lf - p;
	if (*len > 0 && p[*len - 1] == '\r')
		(*len)--;
	return lf;
}

/*
 * Check one Content-Length value v[0..len) (spaces and tabs before it
 * skipped): digits only, the same in every such header (*seen holds the
 * first, or -1), at most HTTPREQ_BODY_MAX. Returns 0, 400 or 413.
 */
static int
httphead_length(const char *v, size_t len, long long *seen, const char **why)
{
	long long	n = 0;
	size_t		i;

	while (len > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	if (len == 0) {
		*why = "an empty Content-Length";
		return 400;
	}
	for (i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9') {
			*why = "a Content-Length that is not a number";
			return 400;
		}
		if (n <= HTTPREQ_BODY_MAX)
			n = n * 10 + (v[i] - '0');
	}
	if (*seen >= 0 && *seen != n) {
		*why = "two Content-Length headers that differ";
		return 400;
	}
	*seen = n;
	if (n > HTTPREQ_BODY_MAX) {
		*why = "a request body too large";
		return 413;
	}
	return 0;
}

/* Check the head at the start of buf[0..len) (see httphead.h). */
int
httphead_check(const char *buf, size_t len, size_t *headlen,
    const char **why)
{
	static const char	 cl[] = "Content-Length";
	const char		*p = buf, *end = buf + len, *lf, *colon;
	long long		 seen = -1;
	size_t			 n, name;
	int			 line = 0, folding = 0, rc = 0;

	*why = NULL;
	for (; (lf = httphead_line(p, end, &n)) != NULL; p = lf + 1) {
		if (n == 0 && line == 0)
			continue;	/* empty lines before the request */
		if (n == 0) {
			*headlen = lf + 1 - buf;
			return rc != 0 ? rc : 200;
		}
		if (rc == 0 && memchr(p, '\0', n) != NULL) {
			*why = "a NUL byte in the request head";
			rc = 400;	/* libmicrohttpd would read up to it */
		}
		if (line++ == 0 || rc != 0)
			continue;	/* the request line: libmicrohttpd's */
		if (*p == ' ' || *p == '\t') {
			if (folding) {
				*why = "a Content-Length folded over lines";
				rc = 400;
			}
			continue;
		}
		folding = 0;
		if ((colon = memchr(p, ':', n)) == NULL)
			continue;	/* libmicrohttpd answers 400 */
		for (name = colon - p; name > 0 && (p[name - 1] == ' ' ||
		    p[name - 1] == '\t'); name--)
			continue;
		if (name != sizeof cl - 1 || strncasecmp(p, cl, name) != 0)
			continue;
		folding = 1;
		rc = httphead_length(colon + 1, p + n - colon - 1, &seen,
		    why);
	}
	if (len >= HTTPHEAD_MAX) {
		*why = "a request head too large";
		return 431;
	}
	*why = NULL;	/* known once the head is whole */
	return 0;
}
