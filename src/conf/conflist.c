/*
 * conflist.c - the settings that are lists: photo hosts, city, sentinels
 *
 * templates.photo_hosts is an array of host names, templates.city a name
 * or a group of names per locale, redis.sentinels a list of "HOST:PORT".
 * Each entry is checked on its own, so that every bad one is reported
 * with its line, and the good ones are stored in struct config.
 */
#include "build.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "confint.h"
#include "redisurl.h"
#include "syntax.h"
#include "xmalloc.h"

/*
 * Read an array of host names, ["photos.example.org", ...], into cf's
 * photo hosts (lower case). Adds a problem for a bad one.
 */
void
conflist_hosts(struct config *cf, struct confproblems *pr,
    const config_setting_t *s, const char *name)
{
	const config_setting_t	*e;
	const char		*v, *p;
	char			*host;
	int			 i;

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST) {
		confproblem_add(pr, s, "%s: must be an array of host names "
		    "[\"photos.example.org\", ...] (got %s)", name,
		    confproblem_type(s));
		return;
	}
	for (i = 0; i < config_setting_length(s); i++) {
		e = config_setting_get_elem(s, i);
		v = config_setting_get_string(e);
		for (p = v; p != NULL && *p != '\0' &&
		    (isalnum((unsigned char)*p) || *p == '-' || *p == '.'); p++)
			;
		if (v == NULL || *v == '\0' || *p != '\0' ||
		    strlen(v) > 253) {
			confproblem_add(pr, e, "%s: \"%s\" is not a host name "
			    "(letters, digits, '-' and '.')", name,
			    v != NULL ? v : "");
			continue;
		}
		host = xstrdup(v);
		for (p = host; *p != '\0'; p++)
			host[p - host] = (char)tolower((unsigned char)*p);
		cf->templates_photo_hosts = xreallocarray(
		    cf->templates_photo_hosts, cf->templates_nphoto_hosts + 1,
		    sizeof *cf->templates_photo_hosts);
		cf->templates_photo_hosts[cf->templates_nphoto_hosts++] = host;
	}
}

/*
 * Read the city's name: a string for every locale, or a group of
 * locale = "name".
 */
void
conflist_city(struct config *cf, struct confproblems *pr,
    const config_setting_t *s, const char *name)
{
	const config_setting_t	*e;
	const char		*v;
	int			 i;

	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		v = config_setting_get_string(s);
		if (*v == '\0' || syntax_text(v, 0, NULL) != 0) {
			confproblem_add(pr, s, "%s: must be a non-empty name "
			    "without control characters", name);
			return;
		}
		free(cf->templates_city);
		cf->templates_city = xstrdup(v);
		return;
	}
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		confproblem_add(pr, s, "%s: must be a string, or a group of "
		    "locale = \"name\" (got %s)", name, confproblem_type(s));
		return;
	}
	for (i = 0; i < config_setting_length(s); i++) {
		e = config_setting_get_elem(s, i);
		v = config_setting_get_string(e);
		if (v == NULL || *v == '\0' || syntax_text(v, 0, NULL) != 0) {
			confproblem_add(pr, e, "%s.%s: must be a non-empty "
			    "name without control characters", name,
			    config_setting_name(e));
			continue;
		}
		cf->templates_city_names = xreallocarray(
		    cf->templates_city_names, cf->templates_ncity_names + 1,
		    sizeof *cf->templates_city_names);
		cf->templates_city_names[cf->templates_ncity_names].locale =
		    xstrdup(config_setting_name(e));
		cf->templates_city_names[cf->templates_ncity_names++].name =
		    xstrdup(v);
	}
}

/*
 * Read the list of sentinels, ( "HOST:PORT", "[IPV6]:PORT", ... ), into
 * cf. Adds a problem for each bad or repeated entry.
 */
void
conflist_sentinels(struct config *cf, struct confproblems *pr,
    const config_setting_t *s, const char *name)
{
	const config_setting_t	*e;
	struct redisurl		 u;
	const char		*v, *why;
	size_t			 j;
	int			 i, n;

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST) {
		confproblem_add(pr, s, "%s: must be a list of sentinels ( "
		    "\"HOST:PORT\", ... ) (got %s)", name, confproblem_type(s));
		return;
	}
	n = config_setting_length(s);
	if (n == 0 || n > CONFIG_SENTINELS_MAX) {
		confproblem_add(pr, s, "%s: must list 1 to %d sentinels (got "
		    "%d)", name, CONFIG_SENTINELS_MAX, n);
		return;
	}
	cf->redis_sentinels = xcalloc(n, sizeof *cf->redis_sentinels);
	memset(&u, 0, sizeof u);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, i);
		if ((v = config_setting_get_string(e)) == NULL) {
			confproblem_add(pr, e, "%s: each sentinel must be a "
			    "string \"HOST:PORT\" (got %s)", name,
			    confproblem_type(e));
			continue;
		}
		if (redisurl_hostport(v, &u, &why) != 0) {
			confproblem_add(pr, e, "%s: \"%s\" %s", name, v, why);
			continue;
		}
		for (j = 0; j < cf->redis_nsentinels; j++) {
			if (strcmp(cf->redis_sentinels[j].host, u.host) == 0 &&
			    cf->redis_sentinels[j].port == u.port)
				break;
		}
		if (j < cf->redis_nsentinels) {
			confproblem_add(pr, e, "%s: \"%s\" is listed twice",
			    name, v);
			redisurl_clear(&u);
			continue;
		}
		cf->redis_sentinels[cf->redis_nsentinels++] = u;
		memset(&u, 0, sizeof u);
	}
}
