/*
 * division.c - the city's divisions: display names and status maps
 *
 * Divisions are few (a dozen or so in a city) and are looked up by a
 * linear search over an array that the configuration owns.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "division.h"
#include "xmalloc.h"

/* Append a division with the given code and return it. */
struct division *
division_add(struct division **list, size_t *n, const char *code)
{
	struct division	*dv;

	*list = xreallocarray(*list, *n + 1, sizeof **list);
	dv = &(*list)[(*n)++];
	memset(dv, 0, sizeof *dv);
	dv->code = xstrdup(code);
	feedback_init(&dv->feedback);
	return dv;
}

/* Add a display name in a locale. */
void
division_add_name(struct division *dv, const char *locale, const char *name)
{
	dv->names = xreallocarray(dv->names, dv->nnames + 1,
	    sizeof *dv->names);
	dv->names[dv->nnames].locale = xstrdup(locale);
	dv->names[dv->nnames].name = xstrdup(name);
	dv->nnames++;
}

/* Add a status_map entry. */
void
division_add_status(struct division *dv, const char *code,
    enum vocab_status status, enum vocab_reason reason)
{
	dv->map = xreallocarray(dv->map, dv->nmap + 1, sizeof *dv->map);
	dv->map[dv->nmap].code = xstrdup(code);
	dv->map[dv->nmap].status = status;
	dv->map[dv->nmap].reason = reason;
	dv->nmap++;
}

/* Free an array of divisions and everything in them. */
void
division_free(struct division *list, size_t n)
{
	size_t	i, j, k;

	if (list == NULL)
		return;
	for (i = 0; i < n; i++) {
		for (j = 0; j < list[i].nnames; j++) {
			free(list[i].names[j].locale);
			free(list[i].names[j].name);
		}
		free(list[i].names);
		for (j = 0; j < list[i].nmap; j++)
			free(list[i].map[j].code);
		free(list[i].map);
		for (j = 0; j < list[i].nnotes; j++) {
			for (k = 0; k < list[i].notes[j].ntexts; k++) {
				free(list[i].notes[j].texts[k].locale);
				free(list[i].notes[j].texts[k].name);
			}
			free(list[i].notes[j].texts);
			free(list[i].notes[j].code);
		}
		free(list[i].notes);
		feedback_clear(&list[i].feedback);
		free(list[i].code);
	}
	free(list);
}

/* Find a division by code. */
const struct division *
division_find(const struct division *list, size_t n, const char *code)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (strcmp(list[i].code, code) == 0)
			return &list[i];
	}
	return NULL;
}

/* Map one of the division's own status codes. */
int
division_map(const struct division *dv, const char *code,
    enum vocab_status *status, enum vocab_reason *reason)
{
	size_t	i;

	for (i = 0; i < dv->nmap; i++) {
		if (strcmp(dv->map[i].code, code) == 0) {
			*status = dv->map[i].status;
			*reason = dv->map[i].reason;
			return 0;
		}
	}
	return -1;
}

/* Find the text for a locale in a list, along the BCP 47 chain. */
const char *
division_lookup(const struct division_name *list, size_t n,
    const char *locale)
{
	size_t	len, i;

	len = strlen(locale);
	while (len > 0) {
		for (i = 0; i < n; i++) {
			if (strlen(list[i].locale) == len &&
			    strncasecmp(list[i].locale, locale, len) == 0)
				return list[i].name;
		}
		while (len > 0 && locale[len - 1] != '-')
			len--;
		if (len > 0)
			len--;
	}
	return NULL;
}

/* Add the text of a standard note in a locale. */
void
division_add_note(struct division *dv, const char *code, const char *locale,
    const char *text)
{
	struct division_note	*note = NULL;
	size_t			 i;

	for (i = 0; i < dv->nnotes; i++) {
		if (strcmp(dv->notes[i].code, code) == 0)
			note = &dv->notes[i];
	}
	if (note == NULL) {
		dv->notes = xreallocarray(dv->notes, dv->nnotes + 1,
		    sizeof *dv->notes);
		note = &dv->notes[dv->nnotes++];
		memset(note, 0, sizeof *note);
		note->code = xstrdup(code);
	}
	note->texts = xreallocarray(note->texts, note->ntexts + 1,
	    sizeof *note->texts);
	note->texts[note->ntexts].locale = xstrdup(locale);
	note->texts[note->ntexts++].name = xstrdup(text);
}

/* Return the text of a standard note in a locale. */
const char *
division_note(const struct division *dv, const char *code,
    const char *locale)
{
	size_t	i;

	for (i = 0; i < dv->nnotes; i++) {
		if (strcmp(dv->notes[i].code, code) == 0)
			return division_lookup(dv->notes[i].texts,
			    dv->notes[i].ntexts, locale);
	}
	return NULL;
}

/* Return 1 if code is one of the division's standard notes. */
int
division_has_note(const struct division *dv, const char *code)
{
	size_t	i;

	for (i = 0; i < dv->nnotes; i++) {
		if (strcmp(dv->notes[i].code, code) == 0)
			return 1;
	}
	return 0;
}

/* Return the division's name in a locale, falling back along the chain. */
const char *
division_name(const struct division *dv, const char *locale)
{
	return division_lookup(dv->names, dv->nnames, locale);
}
