/*
 * confdiv.c - the divisions of closeloopd.conf, and lists of notices
 *
 * The divisions group is free-form: one group per division code, each
 * with its names per locale, its status_map, its notify_on, its notes,
 * its service standards (read by confstd.c) and its feedback
 * (conffeedback.c). Each is checked and added to the configuration's
 * divisions (division.h).
 * A list of notices, as policy.notify_on and a division's notify_on, is
 * read into a mask of the vocabulary's notices (vocab.h).
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "confint.h"
#include "division.h"
#include "syntax.h"
#include "vocab.h"
#include "xmalloc.h"

/*
 * Read a list of notice names, ["completed", "transferred", ...], into a
 * mask of 1 << vocab_notice. Returns 0, or -1 after adding a problem.
 */
int
confdiv_notices(struct confproblems *pr, const config_setting_t *s,
    const char *name, unsigned int *mask)
{
	const config_setting_t	*e;
	const char		*v;
	enum vocab_notice	 notice;
	unsigned int		 m = 0;
	int			 i, bad = 0;

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST) {
		confproblem_add(pr, s, "%s: must be an array of notices "
		    "[\"completed\", ...] (got %s)", name, confproblem_type(s));
		return -1;
	}
	for (i = 0; i < config_setting_length(s); i++) {
		e = config_setting_get_elem(s, i);
		v = config_setting_get_string(e);
		if (v == NULL || (notice = vocab_notice_parse(v)) ==
		    VOCAB_NOTICE_NONE || notice == VOCAB_NOTICE_FEEDBACK) {
			confproblem_add(pr, e, "%s: unknown notice \"%s\" "
			    "(use %s)", name, v != NULL ? v : "",
			    vocab_notice_list());
			bad = 1;
			continue;
		}
		m |= 1u << notice;
	}
	if (bad)
		return -1;
	if (m == 0) {
		confproblem_add(pr, s, "%s: must name at least one notice",
		    name);
		return -1;
	}
	*mask = m;
	return 0;
}

/* Check one status_map entry of a division and append it to dv. */
static void
confdiv_status(struct division *dv, struct confproblems *pr,
    const config_setting_t *e, const char *where)
{
	const char		 *code = NULL, *status = NULL, *reason = NULL;
	const config_setting_t	 *m;
	const char		 *mname;
	int			  i, n, wrong = 0;

	if (config_setting_type(e) != CONFIG_TYPE_GROUP) {
		confproblem_add(pr, e, "%s: each entry must be a group "
		    "{ code = \"...\"; status = \"...\"; } (got %s)", where,
		    confproblem_type(e));
		return;
	}
	n = config_setting_length(e);
	for (i = 0; i < n; i++) {
		m = config_setting_get_elem(e, i);
		mname = config_setting_name(m);
		if (strcmp(mname, "code") != 0 && strcmp(mname, "status") != 0
		    && strcmp(mname, "reason") != 0) {
			confproblem_add(pr, m, "%s.%s: unknown setting (use "
			    "code, status and reason)", where, mname);
			continue;
		}
		if (config_setting_type(m) != CONFIG_TYPE_STRING) {
			confproblem_add(pr, m, "%s.%s: must be a string (got "
			    "%s)", where, mname, confproblem_type(m));
			wrong = 1;
			continue;
		}
		if (strcmp(mname, "code") == 0)
			code = config_setting_get_string(m);
		else if (strcmp(mname, "status") == 0)
			status = config_setting_get_string(m);
		else
			reason = config_setting_get_string(m);
	}
	if (wrong)
		return;
	if (code == NULL || *code == '\0')
		confproblem_add(pr, e, "%s.code: missing (required)", where);
	if (status == NULL)
		confproblem_add(pr, e, "%s.status: missing (required)", where);
	else if (vocab_status_parse(status) == VOCAB_STATUS_NONE)
		confproblem_add(pr, e, "%s.status: unknown status \"%s\" (use "
		    "one of %s)", where, status, vocab_status_list());
	if (reason != NULL && vocab_reason_parse(reason) == VOCAB_REASON_NONE)
		confproblem_add(pr, e, "%s.reason: unknown reason \"%s\" (use "
		    "one of %s)", where, reason, vocab_reason_list());
	if (code == NULL || *code == '\0' || status == NULL ||
	    vocab_status_parse(status) == VOCAB_STATUS_NONE ||
	    (reason != NULL && vocab_reason_parse(reason) == VOCAB_REASON_NONE))
		return;
	division_add_status(dv, code, vocab_status_parse(status),
	    vocab_reason_parse(reason));
}

/* Check a division's names, locale = "name", and add them to dv. */
static void
confdiv_names(struct division *dv, struct confproblems *pr,
    const config_setting_t *m, const char *name)
{
	const config_setting_t	*e;
	const char		*v;
	int			 j;

	if (config_setting_type(m) != CONFIG_TYPE_GROUP) {
		confproblem_add(pr, m, "%s: must be a group of locale = "
		    "\"name\" (got %s)", name, confproblem_type(m));
		return;
	}
	for (j = 0; j < config_setting_length(m); j++) {
		e = config_setting_get_elem(m, j);
		v = config_setting_get_string(e);
		if (v == NULL || *v == '\0')
			confproblem_add(pr, e, "%s.%s: must be a non-empty "
			    "string", name, config_setting_name(e));
		else if (syntax_text(v, 0, NULL) != 0)
			confproblem_add(pr, e, "%s.%s: contains a control "
			    "character", name, config_setting_name(e));
		else
			division_add_name(dv, config_setting_name(e), v);
	}
}

/* Check a division's status_map list and add its entries to dv. */
static void
confdiv_map(struct division *dv, struct confproblems *pr,
    const config_setting_t *m, const char *name)
{
	char	*where;
	int	 j;

	if (config_setting_type(m) != CONFIG_TYPE_LIST) {
		confproblem_add(pr, m, "%s: must be a list ( { code = ...; "
		    "status = ...; }, ... ) (got %s)", name,
		    confproblem_type(m));
		return;
	}
	for (j = 0; j < config_setting_length(m); j++) {
		where = xasprintf("%s[%d]", name, j);
		confdiv_status(dv, pr, config_setting_get_elem(m, j),
		    where);
		free(where);
	}
}

/*
 * Check a division's notes, CODE = { locale = "text"; ... }, and add
 * them to dv.
 */
static void
confdiv_notes(struct division *dv, struct confproblems *pr,
    const config_setting_t *m, const char *name)
{
	const config_setting_t	*note, *e;
	const char		*v;
	int			 i, j;

	if (config_setting_type(m) != CONFIG_TYPE_GROUP) {
		confproblem_add(pr, m, "%s: must be a group of CODE = { locale "
		    "= \"text\"; } (got %s)", name, confproblem_type(m));
		return;
	}
	for (i = 0; i < config_setting_length(m); i++) {
		note = config_setting_get_elem(m, i);
		if (config_setting_type(note) != CONFIG_TYPE_GROUP) {
			confproblem_add(pr, note, "%s.%s: must be a group of "
			    "locale = \"text\" (got %s)", name,
			    config_setting_name(note), confproblem_type(note));
			continue;
		}
		for (j = 0; j < config_setting_length(note); j++) {
			e = config_setting_get_elem(note, j);
			v = config_setting_get_string(e);
			if (v == NULL || *v == '\0')
				confproblem_add(pr, e, "%s.%s.%s: must be a "
				    "non-empty string", name,
				    config_setting_name(note),
				    config_setting_name(e));
			else
				division_add_note(dv, config_setting_name(note),
				    config_setting_name(e), v);
		}
	}
}

/* Check one division group and append it to cf. */
static void
confdiv_one(struct config *cf, struct confproblems *pr,
    const config_setting_t *d)
{
	struct division		*dv;
	const config_setting_t	*m;
	char			*name;
	int			 i;

	if (config_setting_type(d) != CONFIG_TYPE_GROUP) {
		name = confkey_name(d);
		confproblem_add(pr, d, "%s: must be a group { name = { ... }; "
		    "} (got %s)", name, confproblem_type(d));
		free(name);
		return;
	}
	dv = division_add(&cf->divisions, &cf->ndivisions,
	    config_setting_name(d));
	for (i = 0; i < config_setting_length(d); i++) {
		m = config_setting_get_elem(d, i);
		name = confkey_name(m);
		if (strcmp(config_setting_name(m), "name") == 0)
			confdiv_names(dv, pr, m, name);
		else if (strcmp(config_setting_name(m), "status_map") == 0)
			confdiv_map(dv, pr, m, name);
		else if (strcmp(config_setting_name(m), "notify_on") == 0)
			confdiv_notices(pr, m, name, &dv->notify_on);
		else if (strcmp(config_setting_name(m), "notes") == 0)
			confdiv_notes(dv, pr, m, name);
		else if (strcmp(config_setting_name(m), "standards") == 0)
			confstd_division(cf, pr, m, name,
			    config_setting_name(d));
		else if (strcmp(config_setting_name(m), "feedback") == 0)
			conffeedback_division(pr, m, name, &dv->feedback);
		else
			confproblem_add(pr, m, "%s: unknown setting (a "
			    "division has name, status_map, notify_on, notes, "
			    "standards and feedback)", name);
		free(name);
	}
}

/* Check every division in the divisions group. */
void
confdiv_read(struct config *cf, struct confproblems *pr,
    const config_setting_t *group)
{
	int	i;

	for (i = 0; i < config_setting_length(group); i++)
		confdiv_one(cf, pr, config_setting_get_elem(group, i));
}
