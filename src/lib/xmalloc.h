/*
 * xmalloc.h - allocation that never returns NULL
 *
 * Every function here aborts the program with a message when memory is
 * exhausted: closeloopd cannot do anything useful without memory, and a
 * restart by systemd is the right recovery. Everything returned is
 * allocated; the caller frees it with free().
 */
#ifndef XMALLOC_H
#define XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

/* Allocate size bytes (at least one). */
void *xmalloc(size_t size);

/* Allocate nmemb zeroed elements of size bytes. */
void *xcalloc(size_t nmemb, size_t size);

/* Resize ptr to nmemb elements of size bytes, checking for overflow. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);

/* Copy a NUL-terminated string. */
char *xstrdup(const char *s);

/* Copy at most n bytes of s and terminate the copy. */
char *xstrndup(const char *s, size_t n);

/* Format into a new string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Format into a new string from a va_list. */
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
