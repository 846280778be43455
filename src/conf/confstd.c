/*
 * confstd.c - the service standards of closeloopd.conf, and the holidays
 *
 * A division's standards are a list, one group per service type, each
 *   { service = "Road Pothole / Road Damage"; days = 5;
 *     target = "completion"; }
 * and one without service for every other type; they are added to the
 * configuration's standards (standard.h). policy.holidays is an array
 * of dates, "YYYY-MM-DD", kept as sorted day numbers (bizday.h), which
 * business days skip. Each entry is checked on its own, so that every
 * bad one is reported with its line.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bizday.h"
#include "config.h"
#include "confint.h"
#include "standard.h"
#include "syntax.h"
#include "xmalloc.h"

/* The longest service type a standard names, as the event contract's. */
#define CONFSTD_SERVICE_MAX	200

/* What one standard entry of the file says, as read. */
struct confstd_entry {
	const char		*service;
	int			 days;	/* -1: not given */
	enum standard_target	 target;
	int			 bad;
};

/* Read one member of a standard entry into e. */
static void
confstd_member(struct confstd_entry *e, struct confproblems *pr,
    const config_setting_t *m, const char *where)
{
	const char	*mname = config_setting_name(m), *v;
	int		 type = config_setting_type(m);

	if (strcmp(mname, "days") == 0) {
		if ((type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) ||
		    config_setting_get_int64(m) < 0 ||
		    config_setting_get_int64(m) > BIZDAY_MAX) {
			confproblem_add(pr, m, "%s.days: must be a number of "
			    "business days from 0 to %d", where, BIZDAY_MAX);
			e->bad = 1;
		} else
			e->days = (int)config_setting_get_int64(m);
		return;
	}
	if (strcmp(mname, "service") != 0 && strcmp(mname, "target") != 0) {
		confproblem_add(pr, m, "%s.%s: unknown setting (use service, "
		    "days and target)", where, mname);
		e->bad = 1;
		return;
	}
	v = type == CONFIG_TYPE_STRING ? config_setting_get_string(m) : NULL;
	if (strcmp(mname, "target") == 0) {
		if (standard_target_parse(v, &e->target) != 0) {
			confproblem_add(pr, m, "%s.target: must be "
			    "\"completion\" or \"response\"", where);
			e->bad = 1;
		}
		return;
	}
	if (v == NULL || *v == '\0' || strlen(v) > CONFSTD_SERVICE_MAX ||
	    syntax_text(v, 0, NULL) != 0) {
		confproblem_add(pr, m, "%s.service: must be a service type "
		    "of 1 to %d characters, without control characters", where,
		    CONFSTD_SERVICE_MAX);
		e->bad = 1;
		return;
	}
	e->service = v;
}

/* Check one standard entry of a division and add it to cf. */
static void
confstd_one(struct config *cf, struct confproblems *pr,
    const config_setting_t *s, const char *where, const char *division)
{
	struct confstd_entry	 e;
	const struct standard	*other;
	size_t			 i;
	int			 j;

	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		confproblem_add(pr, s, "%s: each entry must be a group "
		    "{ days = ...; target = \"...\"; } (got %s)", where,
		    confproblem_type(s));
		return;
	}
	memset(&e, 0, sizeof e);
	e.days = -1;
	for (j = 0; j < config_setting_length(s); j++)
		confstd_member(&e, pr, config_setting_get_elem(s, j), where);
	if (e.days < 0 && !e.bad) {
		confproblem_add(pr, s, "%s.days: missing (required)", where);
		return;
	}
	if (e.bad)
		return;
	for (i = 0; i < cf->nstandards; i++) {
		other = &cf->standards[i];
		if (strcmp(other->division, division) != 0 ||
		    (other->service == NULL) != (e.service == NULL) ||
		    (e.service != NULL &&
		    strcasecmp(other->service, e.service) != 0))
			continue;
		if (e.service != NULL)
			confproblem_add(pr, s, "%s.service: \"%s\" has a "
			    "standard already", where, e.service);
		else
			confproblem_add(pr, s, "%s: a standard without "
			    "service is given already (one serves every other "
			    "service type)", where);
		return;
	}
	standard_add(&cf->standards, &cf->nstandards, division, e.service,
	    e.days, e.target);
}

/* Check a division's standards and add them to cf. */
void
confstd_division(struct config *cf, struct confproblems *pr,
    const config_setting_t *m, const char *name, const char *division)
{
	char	*where;
	int	 i;

	if (config_setting_type(m) != CONFIG_TYPE_LIST) {
		confproblem_add(pr, m, "%s: must be a list ( { service = "
		    "\"...\"; days = ...; target = \"...\"; }, ... ) (got %s)",
		    name, confproblem_type(m));
		return;
	}
	for (i = 0; i < config_setting_length(m); i++) {
		where = xasprintf("%s[%d]", name, i);
		confstd_one(cf, pr, config_setting_get_elem(m, i), where,
		    division);
		free(where);
	}
}

/* Order day numbers for qsort(). */
static int
confstd_cmp(const void *a, const void *b)
{
	int32_t	x = *(const int32_t *)a, y = *(const int32_t *)b;

	return x < y ? -1 : x > y;
}

/* Read policy.holidays into cf's sorted days. */
void
confstd_holidays(struct config *cf, struct confproblems *pr,
    const config_setting_t *s, const char *name)
{
	const config_setting_t	*e;
	const char		*v;
	int32_t			 day;
	size_t			 k;
	int			 i;

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST) {
		confproblem_add(pr, s, "%s: must be an array of dates "
		    "[\"2026-12-25\", ...] (got %s)", name,
		    confproblem_type(s));
		return;
	}
	free(cf->policy_holidays);
	cf->policy_holidays = NULL;
	cf->policy_nholidays = 0;
	for (i = 0; i < config_setting_length(s); i++) {
		e = config_setting_get_elem(s, i);
		v = config_setting_get_string(e);
		if (bizday_parse(v, &day) != 0) {
			confproblem_add(pr, e, "%s: \"%s\" is not a date "
			    "YYYY-MM-DD (from 1970)", name, v != NULL ? v : "");
			continue;
		}
		for (k = 0; k < cf->policy_nholidays; k++) {
			if (cf->policy_holidays[k] == day)
				break;
		}
		if (k < cf->policy_nholidays) {
			confproblem_add(pr, e, "%s: \"%s\" is listed twice",
			    name, v);
			continue;
		}
		cf->policy_holidays = xreallocarray(cf->policy_holidays,
		    cf->policy_nholidays + 1, sizeof *cf->policy_holidays);
		cf->policy_holidays[cf->policy_nholidays++] = day;
	}
	if (cf->policy_nholidays > 1)
		qsort(cf->policy_holidays, cf->policy_nholidays,
		    sizeof *cf->policy_holidays, confstd_cmp);
}
