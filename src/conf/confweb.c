/*
 * confweb.c - the web group of the configuration: closeloop-web's settings
 *
 * Most of web's settings are plain (confkey.c's table). Two are lists:
 * web.trusted_proxies, the addresses whose X-Remote-User and
 * X-Remote-Groups headers closeloop-web believes, and web.groups, which
 * turns a group of the city's identity provider into a role:
 *
 *   web = {
 *     trusted_proxies = [ "127.0.0.1", "::1" ];
 *     groups = (
 *       { group = "311-roads"; role = "division"; divisions = [ "TS" ]; },
 *       { group = "311-ops"; role = "ops"; }
 *     );
 *   };
 */
#include "build.h"

#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "confint.h"
#include "division.h"
#include "http.h"
#include "secret.h"
#include "xmalloc.h"

/* Return 1 if v is a numeric IPv4 or IPv6 address. */
static int
confweb_address(const char *v)
{
	unsigned char	 buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, v, buf) == 1 ||
	    inet_pton(AF_INET6, v, buf) == 1;
}

/*
 * Read an array of strings into *list (*n of them): addresses if
 * addresses is set (confweb_address()), else division codes (not
 * empty); what says what an entry must be, for a problem.
 */
static void
confweb_strings(struct confproblems *pr, const config_setting_t *s,
    const char *name, const char *what, int addresses,
    char ***list, size_t *n)
{
	const config_setting_t	*e;
	const char		*v;
	int			 i;

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST) {
		confproblem_add(pr, s, "%s: must be an array of strings, "
		    "each a %s (got %s)", name, what, confproblem_type(s));
		return;
	}
	for (i = 0; i < config_setting_length(s); i++) {
		e = config_setting_get_elem(s, i);
		if ((v = config_setting_get_string(e)) == NULL || *v == '\0' ||
		    (addresses && !confweb_address(v))) {
			confproblem_add(pr, e, "%s: \"%s\" is not a %s", name,
			    v != NULL ? v : "", what);
			continue;
		}
		*list = xreallocarray(*list, *n + 1, sizeof **list);
		(*list)[(*n)++] = xstrdup(v);
	}
}

/* Read web.trusted_proxies. */
void
confweb_proxies(struct config *cf, struct confproblems *pr,
    const config_setting_t *s, const char *name)
{
	confweb_strings(pr, s, name, "numeric IPv4 or IPv6 address", 1,
	    &cf->web_trusted_proxies,
	    &cf->web_ntrusted_proxies);
}

/* Read one entry of web.groups; returns 0, or -1 after adding a problem. */
static int
confweb_group(struct config_group *g, struct confproblems *pr,
    const config_setting_t *e, const char *name)
{
	const config_setting_t	*s;
	const char		*v;

	if (config_setting_type(e) != CONFIG_TYPE_GROUP) {
		confproblem_add(pr, e, "%s: each entry must be a group { group "
		    "= \"NAME\"; role = \"ROLE\"; } (got %s)", name,
		    confproblem_type(e));
		return -1;
	}
	if (config_setting_lookup_string(e, "group", &v) != CONFIG_TRUE ||
	    *v == '\0') {
		confproblem_add(pr, e, "%s.group: missing, or not a string",
		    name);
		return -1;
	}
	if (strpbrk(v, ",;") != NULL) {
		confproblem_add(pr, e, "%s.group: \"%s\" holds a ',' or ';', "
		    "which part the groups of X-Remote-Groups: it can never "
		    "match", name, v);
		return -1;
	}
	g->group = xstrdup(v);
	if (config_setting_lookup_string(e, "role", &v) != CONFIG_TRUE ||
	    (g->role = role_parse(v)) == ROLE_NONE) {
		confproblem_add(pr, e, "%s.role: must be " ROLE_NAMES
		    " (group \"%s\")", name, g->group);
		return -1;
	}
	if ((s = config_setting_get_member(e, "divisions")) != NULL)
		confweb_strings(pr, s, "web.groups.divisions", "division code",
		    0, &g->divisions, &g->ndivisions);
	if ((g->role == ROLE_DIVISION) != (g->ndivisions > 0)) {
		confproblem_add(pr, e, "%s.divisions: %s (group \"%s\")", name,
		    g->role == ROLE_DIVISION ? "the division role needs its "
		    "divisions" : "only the division role takes divisions",
		    g->group);
		return -1;
	}
	return 0;
}

/* Free one entry of web.groups. */
static void
confweb_group_clear(struct config_group *g)
{
	size_t	 i;

	free(g->group);
	for (i = 0; i < g->ndivisions; i++)
		free(g->divisions[i]);
	free(g->divisions);
	memset(g, 0, sizeof *g);
}

/* Read web.groups. */
void
confweb_groups(struct config *cf, struct confproblems *pr,
    const config_setting_t *s, const char *name)
{
	struct config_group	 g;
	int			 i;

	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		confproblem_add(pr, s, "%s: must be a list ( { group = ...; "
		    "role = ...; }, ... ) (got %s)", name, confproblem_type(s));
		return;
	}
	for (i = 0; i < config_setting_length(s); i++) {
		memset(&g, 0, sizeof g);
		if (confweb_group(&g, pr, config_setting_get_elem(s, i),
		    name) != 0) {
			confweb_group_clear(&g);
			continue;
		}
		cf->web_groups = xreallocarray(cf->web_groups,
		    cf->web_ngroups + 1, sizeof *cf->web_groups);
		cf->web_groups[cf->web_ngroups++] = g;
	}
}

/*
 * Return the divisions of the entry of web.groups for group, for a
 * problem's line; web.groups itself if there is none.
 */
static const config_setting_t *
confweb_group_divisions(config_t *lc, const char *group)
{
	const config_setting_t	*s, *e, *d;
	const char		*v;
	int			 i;

	s = config_lookup(lc, "web.groups");
	for (i = 0; s != NULL && i < config_setting_length(s); i++) {
		e = config_setting_get_elem(s, i);
		if (config_setting_lookup_string(e, "group", &v) ==
		    CONFIG_TRUE && strcmp(v, group) == 0 &&
		    (d = config_setting_get_member(e, "divisions")) != NULL)
			return d;
	}
	return s;
}

/* Check the web settings once the whole file is read. */
void
confweb_check(struct config *cf, struct confproblems *pr, config_t *lc)
{
	char	*cause;
	size_t	 i, j;

	if (cf->web_listen != NULL && *cf->web_listen == '\0') {
		free(cf->web_listen);	/* "": no listener */
		cf->web_listen = NULL;
	}
	if (cf->web_listen != NULL && http_listen_check(cf->web_listen, &cause) != 0) {
		confproblem_add(pr, config_lookup(lc, "web.listen"),
		    "web.listen: %s (got \"%s\")", cause, cf->web_listen);
		free(cause);
	}
	for (i = 0; i < cf->web_ngroups; i++)
		for (j = 0; j < cf->web_groups[i].ndivisions; j++)
			if (division_find(cf->divisions, cf->ndivisions,
			    cf->web_groups[i].divisions[j]) == NULL)
				confproblem_add(pr, confweb_group_divisions(lc,
				    cf->web_groups[i].group), "web.groups: "
				    "group \"%s\": no division \"%s\" in "
				    "divisions",
				    cf->web_groups[i].group,
				    cf->web_groups[i].divisions[j]);
	cf->web_redis_password = confcheck_secret(pr, lc,
	    "web.redis_password_file", cf->web_redis_password_file);
}

/* Free what the web settings hold. */
void
confweb_free(struct config *cf)
{
	size_t	 i;

	free(cf->web_listen);
	free(cf->web_pages_dir);
	free(cf->web_chartjs);
	free(cf->web_redis_username);
	free(cf->web_redis_password_file);
	secret_free(cf->web_redis_password);
	for (i = 0; i < cf->web_ntrusted_proxies; i++)
		free(cf->web_trusted_proxies[i]);
	free(cf->web_trusted_proxies);
	for (i = 0; i < cf->web_ngroups; i++)
		confweb_group_clear(&cf->web_groups[i]);
	free(cf->web_groups);
}
