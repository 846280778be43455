/*
 * json.c - JSON objects, built and read (the one user of jansson)
 *
 * A struct json is a jansson object. Members are dumped in insertion
 * order (JSON_PRESERVE_ORDER) and compactly, so one object is one line.
 * jansson accepts only valid UTF-8 in strings; a value that is not (the
 * daemon never writes one, but a record may have been damaged) is copied
 * with each bad byte replaced by U+FFFD rather than dropped.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "json.h"
#include "log.h"
#include "syntax.h"
#include "xmalloc.h"

struct json {
	json_t	*o;
};

/* Return a new empty object. */
struct json *
json_new(void)
{
	struct json	*j;

	j = xcalloc(1, sizeof *j);
	if ((j->o = json_object()) == NULL) {
		log_err("out of memory");
		abort();
	}
	return j;
}

/* Parse text as a JSON object. */
struct json *
json_parse(const char *text, size_t len, char **cause)
{
	struct json	*j;
	json_error_t	 err;
	json_t		*o;

	if ((o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err)) ==
	    NULL) {
		if (cause != NULL)
			*cause = xasprintf("JSON: %s at line %d, column %d",
			    err.text, err.line, err.column);
		return NULL;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		if (cause != NULL)
			*cause = xstrdup("JSON: not an object");
		return NULL;
	}
	j = xcalloc(1, sizeof *j);
	j->o = o;
	return j;
}

/* Free an object. */
void
json_free(struct json *j)
{
	if (j == NULL)
		return;
	json_decref(j->o);
	free(j);
}

/* Return a string value for v, replacing invalid UTF-8 with U+FFFD. */
static json_t *
json_string_of(const char *v)
{
	const char	*s = v;
	json_t		*js;
	char		*copy, *p;
	size_t		 n, left = strlen(v);

	if ((js = json_string(v)) != NULL)
		return js;
	p = copy = xmalloc(3 * strlen(v) + 1);
	while (*s != '\0') {
		if ((n = syntax_utf8_seq(s, left)) == 0) {
			memcpy(p, "\xef\xbf\xbd", 3);
			p += 3;
			s++;
			left--;
			continue;
		}
		memcpy(p, s, n);
		p += n;
		s += n;
		left -= n;
	}
	*p = '\0';
	js = json_string(copy);
	free(copy);
	return js;
}

/* Set a string member. */
void
json_set(struct json *j, const char *key, const char *value)
{
	json_t	*v;

	if (value == NULL || *value == '\0')
		return;
	if ((v = json_string_of(value)) != NULL)
		json_object_set_new(j->o, key, v);
}

/* Set an integer member. */
void
json_set_int(struct json *j, const char *key, long long value)
{
	json_object_set_new(j->o, key, json_integer(value));
}

/* Set an array member of the words of a string. */
void
json_set_words(struct json *j, const char *key, const char *words)
{
	json_t		*a;
	const char	*p, *end;
	char		*w;

	if (words == NULL || (a = json_array()) == NULL)
		return;
	for (p = words; *p != '\0'; p = end) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		if ((end = strchr(p, ' ')) == NULL)
			end = p + strlen(p);
		w = xstrndup(p, (size_t)(end - p));
		json_array_append_new(a, json_string_of(w));
		free(w);
	}
	json_object_set_new(j->o, key, a);
}

/* Set a member to an array of strings. */
void
json_set_strings(struct json *j, const char *key, const char *const *v,
    size_t n)
{
	json_t	*a;
	size_t	 i;

	if ((a = json_array()) == NULL)
		return;
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string_of(v[i]));
	json_object_set_new(j->o, key, a);
}

/* Set a member to true or false. */
void
json_set_bool(struct json *j, const char *key, int value)
{
	json_object_set_new(j->o, key, json_boolean(value));
}

/* Return a string member. */
const char *
json_get(const struct json *j, const char *key)
{
	return json_string_value(json_object_get(j->o, key));
}

/* Read an integer member. */
int
json_get_int(const struct json *j, const char *key, long long *value)
{
	json_t	*v = json_object_get(j->o, key);

	if (!json_is_integer(v))
		return -1;
	*value = (long long)json_integer_value(v);
	return 0;
}

/* Dump an object as one line. */
char *
json_dump(const struct json *j)
{
	char	*s, *copy;

	s = json_dumps(j->o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (s == NULL)
		return xstrdup("{}");
	copy = xstrdup(s);
	free(s);
	return copy;
}

/* Write an object as one line. */
void
json_print(const struct json *j, FILE *f)
{
	char	*line;

	line = json_dump(j);
	fprintf(f, "%s\n", line);
	free(line);
}
