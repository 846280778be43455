/*
 * role.h - what a user of the console may see and do
 *
 * Four roles, named in the configuration (web.groups), on local accounts
 * (closeloop user) and in sessions:
 *   division  the SRs one of the user's divisions has touched, and those
 *             divisions' dashboards
 *   ops       everything, and the operations page
 *   comms     the templates and their previews
 *   auditor   reads everything, acts on nothing
 */
#ifndef ROLE_H
#define ROLE_H

enum role {
	ROLE_NONE,
	ROLE_DIVISION,
	ROLE_OPS,
	ROLE_COMMS,
	ROLE_AUDITOR
};

/* Return the role called name, or ROLE_NONE if there is none. */
enum role role_parse(const char *name);

/* Return the name of a role ("" for ROLE_NONE); static. */
const char *role_name(enum role r);

/* The roles' names for messages: "division, ops, comms or auditor". */
#define ROLE_NAMES	"division, ops, comms or auditor"

#endif
