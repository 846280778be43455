/*
 * view.h - the data a template is rendered with
 *
 * A view is a tree of values, as Mustache sees them: null, booleans,
 * strings (numbers are kept as their text), lists and maps. A map owns
 * its values, a list its items; freeing the root frees the tree.
 */
#ifndef VIEW_H
#define VIEW_H

#include <stddef.h>

enum view_type {
	VIEW_NULL,
	VIEW_BOOL,
	VIEW_STRING,
	VIEW_LIST,
	VIEW_MAP
};

struct view {
	enum view_type	  type;
	int		  boolean;	/* VIEW_BOOL */
	char		 *string;	/* VIEW_STRING */
	struct view	**items;	/* VIEW_LIST and VIEW_MAP values */
	char		**keys;		/* VIEW_MAP keys */
	size_t		  n;
};

/* Make a value. Each is freed with view_free() by whoever owns it. */
struct view *view_null(void);
struct view *view_bool(int b);
struct view *view_string(const char *s);	/* s is copied */
struct view *view_list(void);
struct view *view_map(void);

/* Free a value and everything in it; NULL is a no-op. */
void view_free(struct view *v);

/* Append an item to a list, which takes it over. Returns the item. */
struct view *view_append(struct view *list, struct view *item);

/*
 * Set key in a map (the key is copied; the map takes the value over,
 * freeing any value the key had). Returns the value.
 */
struct view *view_set(struct view *map, const char *key, struct view *value);

/* Set key to a copy of s, unless s is NULL. */
void view_set_string(struct view *map, const char *key, const char *s);

/* Return the value of key in a map, or NULL (also if v is not a map). */
const struct view *view_get(const struct view *v, const char *key);

/* Return 1 unless v is NULL, null, false or an empty list. */
int view_truthy(const struct view *v);

#endif
