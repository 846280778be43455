/*
 * view.c - the data a template is rendered with
 *
 * Maps are small (a notice has a few dozen keys), so they are arrays
 * searched in order; setting a key again replaces its value in place.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "view.h"
#include "xmalloc.h"

/* Make a value of a type. */
static struct view *
view_new(enum view_type type)
{
	struct view	*v;

	v = xcalloc(1, sizeof *v);
	v->type = type;
	return v;
}

/* Make a null. */
struct view *
view_null(void)
{
	return view_new(VIEW_NULL);
}

/* Make a boolean. */
struct view *
view_bool(int b)
{
	struct view	*v = view_new(VIEW_BOOL);

	v->boolean = b != 0;
	return v;
}

/* Make a string. */
struct view *
view_string(const char *s)
{
	struct view	*v = view_new(VIEW_STRING);

	v->string = xstrdup(s);
	return v;
}

/* Make an empty list. */
struct view *
view_list(void)
{
	return view_new(VIEW_LIST);
}

/* Make an empty map. */
struct view *
view_map(void)
{
	return view_new(VIEW_MAP);
}

/* Free a value and everything in it. */
void
view_free(struct view *v)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++) {
		view_free(v->items[i]);
		if (v->keys != NULL)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->string);
	free(v);
}

/* Append an item to a list. */
struct view *
view_append(struct view *list, struct view *item)
{
	list->items = xreallocarray(list->items, list->n + 1,
	    sizeof *list->items);
	list->items[list->n++] = item;
	return item;
}

/* Set key in a map. */
struct view *
view_set(struct view *map, const char *key, struct view *value)
{
	size_t	i;

	for (i = 0; i < map->n; i++) {
		if (strcmp(map->keys[i], key) == 0) {
			view_free(map->items[i]);
			map->items[i] = value;
			return value;
		}
	}
	map->items = xreallocarray(map->items, map->n + 1, sizeof *map->items);
	map->keys = xreallocarray(map->keys, map->n + 1, sizeof *map->keys);
	map->keys[map->n] = xstrdup(key);
	map->items[map->n++] = value;
	return value;
}

/* Set key to a copy of s, unless s is NULL. */
void
view_set_string(struct view *map, const char *key, const char *s)
{
	if (s != NULL)
		view_set(map, key, view_string(s));
}

/* Return the value of key in a map. */
const struct view *
view_get(const struct view *v, const char *key)
{
	size_t	i;

	if (v == NULL || v->type != VIEW_MAP)
		return NULL;
	for (i = 0; i < v->n; i++) {
		if (strcmp(v->keys[i], key) == 0)
			return v->items[i];
	}
	return NULL;
}

/* Return 1 unless v is NULL, null, false or an empty list. */
int
view_truthy(const struct view *v)
{
	if (v == NULL)
		return 0;
	switch (v->type) {
	case VIEW_NULL:
		return 0;
	case VIEW_BOOL:
		return v->boolean;
	case VIEW_LIST:
		return v->n != 0;
	default:
		return 1;
	}
}
