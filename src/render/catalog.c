/*
 * catalog.c - a set of message templates on disk, compiled
 *
 * The set is a flat array of entries (locale, "NAME.PART", template),
 * small enough (a few hundred) to search in order. Its version is a
 * 64-bit FNV-1a hash over every file's relative path and content, in
 * sorted order, written in hex: the same files give the same version on
 * every machine.
 *
 * A file's line endings are made LF before it is compiled: a template
 * saved with Windows (CRLF) or old Mac (CR) line endings renders as the
 * same file saved with LF, so no carriage return reaches a subject, a
 * text or an SMS, and positions in messages keep their lines.
 */
#include "build.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "catalog.h"
#include "fnv.h"
#include "syntax.h"
#include "template.h"
#include "xmalloc.h"

#define CATALOG_SUFFIX		".mustache"
#define CATALOG_FILE_MAX	(1024 * 1024)

/* One compiled file. */
struct catalog_entry {
	char		*locale;
	char		*key;		/* "completed.txt", "_footer.html" */
	struct template	*template;
};

struct catalog {
	char			*dir;
	char			*default_locale;
	struct catalog_entry	*entries;
	size_t			 n;
	char			**locales;
	size_t			 nlocales;
	char			 version[17];
};

/* Compare two strings for qsort. */
static int
catalog_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* List the names in a directory, sorted; NULL with *why on failure. */
static char **
catalog_list(const char *dir, size_t *n, const char **why)
{
	DIR		*d;
	struct dirent	*de;
	char		**names = NULL;

	*n = 0;
	if ((d = opendir(dir)) == NULL) {
		*why = strerror(errno);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = xreallocarray(names, *n + 1, sizeof *names);
		names[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*n > 0)
		qsort(names, *n, sizeof *names, catalog_cmp);
	return names;
}

/* Free a list of names. */
static void
catalog_list_free(char **names, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Read a whole file; NULL with *why on failure. */
static char *
catalog_read(const char *path, size_t *len, const char **why)
{
	struct stat	 sb;
	FILE		*f;
	char		*buf;

	if ((f = fopen(path, "r")) == NULL) {
		*why = strerror(errno);
		return NULL;
	}
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > CATALOG_FILE_MAX) {
		fclose(f);
		*why = "not a regular file of at most 1 MiB";
		return NULL;
	}
	buf = xmalloc((size_t)sb.st_size + 1);
	*len = fread(buf, 1, (size_t)sb.st_size, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/*
 * Turn the line endings of a file's text (len bytes) into LF, in place:
 * CRLF, and a CR alone, become LF. Returns the new length.
 */
static size_t
catalog_newlines(char *s, size_t len)
{
	size_t	i, o = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '\r') {
			if (i + 1 < len && s[i + 1] == '\n')
				continue;
			s[o++] = '\n';
		} else
			s[o++] = s[i];
	}
	s[o] = '\0';
	return o;
}

/* Append a problem to the text of problems. */
static void
catalog_problem(char **problems, const char *text)
{
	char	*old = *problems;

	*problems = old == NULL ? xstrdup(text) : xasprintf("%s\n%s", old,
	    text);
	free(old);
}

/* Load one locale's directory into the set. */
static void
catalog_load_locale(struct catalog *c, const char *locale, uint64_t *h,
    char **problems)
{
	struct catalog_entry	*e;
	struct template		*t;
	const char		*why;
	char			**names, *dir, *path, *src, *msg, *cause;
	size_t			  n, i, len, slen = strlen(CATALOG_SUFFIX);

	dir = xasprintf("%s/%s", c->dir, locale);
	if ((names = catalog_list(dir, &n, &why)) == NULL) {
		msg = xasprintf("%s: %s", dir, why);
		catalog_problem(problems, msg);
		free(msg);
		free(dir);
		return;
	}
	for (i = 0; i < n; i++) {
		len = strlen(names[i]);
		if (len <= slen || strcmp(names[i] + len - slen,
		    CATALOG_SUFFIX) != 0 || strchr(names[i], '.') ==
		    names[i] + len - slen)
			continue;
		path = xasprintf("%s/%s", dir, names[i]);
		if ((src = catalog_read(path, &len, &why)) == NULL) {
			msg = xasprintf("%s: %s", path, why);
			catalog_problem(problems, msg);
			free(msg);
			free(path);
			continue;
		}
		*h = fnv_add(*h, locale, strlen(locale) + 1);
		*h = fnv_add(*h, names[i], strlen(names[i]) + 1);
		*h = fnv_add(*h, src, len);
		len = catalog_newlines(src, len);
		cause = NULL;
		if ((t = template_compile(path, src, len, &cause)) == NULL) {
			catalog_problem(problems, cause);
			free(cause);
		} else {
			c->entries = xreallocarray(c->entries, c->n + 1,
			    sizeof *c->entries);
			e = &c->entries[c->n++];
			e->locale = xstrdup(locale);
			e->key = xstrndup(names[i], strlen(names[i]) - slen);
			e->template = t;
		}
		free(src);
		free(path);
	}
	catalog_list_free(names, n);
	free(dir);
}

/* Load and compile a template set. */
struct catalog *
catalog_load(const char *dir, const char *default_locale, char **cause)
{
	struct catalog	*c;
	struct stat	 sb;
	const char	*why;
	char		**names, *problems = NULL, *path, *msg, canon[64];
	uint64_t	  h = FNV_INIT;
	size_t		  n, i;

	c = xcalloc(1, sizeof *c);
	c->dir = xstrdup(dir);
	c->default_locale = xstrdup(default_locale);
	if ((names = catalog_list(dir, &n, &why)) == NULL) {
		msg = xasprintf("%s: %s", dir, why);
		catalog_problem(&problems, msg);
		free(msg);
		goto out;
	}
	for (i = 0; i < n; i++) {
		path = xasprintf("%s/%s", dir, names[i]);
		if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
			free(path);
			continue;
		}
		free(path);
		if (syntax_locale(names[i], canon, sizeof canon, &why) != 0 ||
		    strcmp(canon, names[i]) != 0) {
			msg = xasprintf("%s/%s: not a locale directory (a BCP "
			    "47 tag in canonical case, such as en, fr-CA or "
			    "zh-Hans)", dir, names[i]);
			catalog_problem(&problems, msg);
			free(msg);
			continue;
		}
		c->locales = xreallocarray(c->locales, c->nlocales + 1,
		    sizeof *c->locales);
		c->locales[c->nlocales++] = xstrdup(names[i]);
		catalog_load_locale(c, names[i], &h, &problems);
	}
	catalog_list_free(names, n);
	if (problems == NULL && c->n == 0)
		catalog_problem(&problems, "no templates found");
out:
	if (problems != NULL) {
		if (cause != NULL)
			*cause = problems;
		else
			free(problems);
		catalog_free(c);
		return NULL;
	}
	snprintf(c->version, sizeof c->version, "%016llx",
	    (unsigned long long)h);
	return c;
}

/* Free a set. */
void
catalog_free(struct catalog *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->entries[i].locale);
		free(c->entries[i].key);
		template_free(c->entries[i].template);
	}
	free(c->entries);
	for (i = 0; i < c->nlocales; i++)
		free(c->locales[i]);
	free(c->locales);
	free(c->dir);
	free(c->default_locale);
	free(c);
}

/* Find NAME.PART in exactly one locale. */
static const struct catalog_entry *
catalog_exact(const struct catalog *c, const char *locale, const char *key)
{
	size_t	i;

	for (i = 0; i < c->n; i++) {
		if (strcmp(c->entries[i].key, key) == 0 &&
		    strcasecmp(c->entries[i].locale, locale) == 0)
			return &c->entries[i];
	}
	return NULL;
}

/* Find a template along a locale's fallback chain. */
const struct template *
catalog_find(const struct catalog *c, const char *locale, const char *name,
    const char *part, const char **found_locale)
{
	const struct catalog_entry	*e = NULL;
	char				*key, *tag, *dash;

	key = xasprintf("%s.%s", name, part);
	tag = xstrdup(locale != NULL ? locale : c->default_locale);
	for (;;) {
		if ((e = catalog_exact(c, tag, key)) != NULL)
			break;
		if ((dash = strrchr(tag, '-')) == NULL)
			break;
		*dash = '\0';
	}
	if (e == NULL)
		e = catalog_exact(c, c->default_locale, key);
	free(tag);
	free(key);
	if (e == NULL)
		return NULL;
	if (found_locale != NULL)
		*found_locale = e->locale;
	return e->template;
}

/* Return the set's version. */
const char *
catalog_version(const struct catalog *c)
{
	return c->version;
}

/* Return the set's directory. */
const char *
catalog_dir(const struct catalog *c)
{
	return c->dir;
}

/* Return how many locales the set has. */
size_t
catalog_nlocales(const struct catalog *c)
{
	return c->nlocales;
}

/* Return the i-th locale. */
const char *
catalog_locale(const struct catalog *c, size_t i)
{
	return c->locales[i];
}

/* Return how many files the set has. */
size_t
catalog_nentries(const struct catalog *c)
{
	return c->n;
}

/* Return the i-th file of the set. */
const struct template *
catalog_entry(const struct catalog *c, size_t i, const char **locale,
    const char **key)
{
	*locale = c->entries[i].locale;
	*key = c->entries[i].key;
	return c->entries[i].template;
}
