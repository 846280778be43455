/*
 * role.c - the names of the console's roles
 *
 * role.h says what each role may see; this file only maps the names the
 * configuration and the accounts use onto the enum and back.
 */
#include "build.h"

#include <stddef.h>
#include <string.h>

#include "role.h"

/* The roles' names, in the enum's order. */
static const char *const role_names[] = {
	"", "division", "ops", "comms", "auditor"
};

/* Return the role called name. */
enum role
role_parse(const char *name)
{
	size_t	 i;

	if (name == NULL)
		return ROLE_NONE;
	for (i = 1; i < sizeof role_names / sizeof role_names[0]; i++)
		if (strcmp(name, role_names[i]) == 0)
			return (enum role)i;
	return ROLE_NONE;
}

/* Return the name of a role. */
const char *
role_name(enum role r)
{
	if ((size_t)r >= sizeof role_names / sizeof role_names[0])
		return "";
	return role_names[r];
}
