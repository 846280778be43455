/*
 * conffeedback.c - the feedback settings of closeloopd.conf
 *
 * The feedback group says whether residents are asked if the work fixed
 * the problem, how long after the completion, and where their answers
 * go (feedback.h says which setting wins):
 *   feedback.ask, feedback.ask_after    for everyone
 *   feedback.services                   per service type, a list of
 *                                       { service; ask; ask_after; }
 *   feedback.answer_days                how long an answer is taken
 *   feedback.answer_url, answer_secret_file
 *                                       the email's answer links and
 *                                       their key
 * and each division may have a group of its own, divisions.CODE.feedback
 * = { ask; ask_after; services; }. A duration is a whole number and its
 * unit: "3d", "36h", "90m", "45s".
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "confint.h"
#include "feedback.h"
#include "syntax.h"
#include "xmalloc.h"

/* Read a duration into *seconds. */
void
conffeedback_duration(struct confproblems *pr, const config_setting_t *s,
    const char *name, int64_t *seconds)
{
	const char	*v = config_setting_get_string(s);

	if (config_setting_type(s) != CONFIG_TYPE_STRING ||
	    feedback_duration(v, seconds) != 0)
		confproblem_add(pr, s, "%s: must be a duration, a whole number "
		    "and its unit d, h, m or s (\"3d\", \"36h\"), at most "
		    "365d (got %s%s%s)", name, v != NULL ? "\"" : "",
		    v != NULL ? v : confproblem_type(s), v != NULL ? "\"" : "");
}

/* Read a boolean member into *ask; 0, or -1 after adding a problem. */
static int
conffeedback_bool(struct confproblems *pr, const config_setting_t *m,
    const char *name, int *ask)
{
	if (config_setting_type(m) != CONFIG_TYPE_BOOL) {
		confproblem_add(pr, m, "%s: must be true or false (got %s)",
		    name, confproblem_type(m));
		return -1;
	}
	*ask = config_setting_get_bool(m);
	return 0;
}

/* Read one entry of a services list into fb. */
static void
conffeedback_service(struct confproblems *pr, const config_setting_t *e,
    const char *where, struct feedback *fb)
{
	const config_setting_t	*m;
	struct feedback_service	*fs;
	const char		*service = NULL, *mname;
	char			*name;
	int			 i, ask = -1;
	int64_t			 after = -1;

	if (config_setting_type(e) != CONFIG_TYPE_GROUP) {
		confproblem_add(pr, e, "%s: each entry must be a group "
		    "{ service = \"...\"; ask_after = \"3d\"; } (got %s)",
		    where, confproblem_type(e));
		return;
	}
	for (i = 0; i < config_setting_length(e); i++) {
		m = config_setting_get_elem(e, i);
		mname = config_setting_name(m);
		name = xasprintf("%s.%s", where, mname);
		if (strcmp(mname, "service") == 0) {
			service = config_setting_get_string(m);
			if (service == NULL || *service == '\0' ||
			    syntax_text(service, 0, NULL) != 0) {
				confproblem_add(pr, m, "%s: must be a "
				    "service type, a non-empty string without "
				    "control characters", name);
				service = NULL;
			}
		} else if (strcmp(mname, "ask") == 0)
			conffeedback_bool(pr, m, name, &ask);
		else if (strcmp(mname, "ask_after") == 0)
			conffeedback_duration(pr, m, name, &after);
		else
			confproblem_add(pr, m, "%s: unknown setting (use "
			    "service, ask and ask_after)", name);
		free(name);
	}
	if (service == NULL) {
		if (config_setting_get_member(e, "service") == NULL)
			confproblem_add(pr, e, "%s.service: missing "
			    "(required)", where);
		return;
	}
	if (feedback_find(fb, service) != NULL) {
		confproblem_add(pr, e, "%s: service type \"%s\" is listed "
		    "twice", where, service);
		return;
	}
	fs = feedback_add_service(fb, service);
	fs->ask = ask;
	fs->ask_after = after;
}

/* Read a list of service types' settings into fb. */
void
conffeedback_services(struct confproblems *pr, const config_setting_t *s,
    const char *name, struct feedback *fb)
{
	char	*where;
	int	 i;

	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		confproblem_add(pr, s, "%s: must be a list ( { service = "
		    "\"...\"; ask_after = \"3d\"; }, ... ) (got %s)", name,
		    confproblem_type(s));
		return;
	}
	for (i = 0; i < config_setting_length(s); i++) {
		where = xasprintf("%s[%d]", name, i);
		conffeedback_service(pr, config_setting_get_elem(s, i), where,
		    fb);
		free(where);
	}
}

/* Read a division's feedback group into fb. */
void
conffeedback_division(struct confproblems *pr, const config_setting_t *s,
    const char *name, struct feedback *fb)
{
	const config_setting_t	*m;
	const char		*mname;
	char			*full;
	int			 i;

	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		confproblem_add(pr, s, "%s: must be a group { ask = true; "
		    "ask_after = \"3d\"; } (got %s)", name,
		    confproblem_type(s));
		return;
	}
	for (i = 0; i < config_setting_length(s); i++) {
		m = config_setting_get_elem(s, i);
		mname = config_setting_name(m);
		full = xasprintf("%s.%s", name, mname);
		if (strcmp(mname, "ask") == 0)
			conffeedback_bool(pr, m, full, &fb->ask);
		else if (strcmp(mname, "ask_after") == 0)
			conffeedback_duration(pr, m, full, &fb->ask_after);
		else if (strcmp(mname, "services") == 0)
			conffeedback_services(pr, m, full, fb);
		else
			confproblem_add(pr, m, "%s: unknown setting (use ask, "
			    "ask_after and services)", full);
		free(full);
	}
}

/* Check the feedback settings against the rest, once read. */
void
conffeedback_check(struct config *cf, struct confproblems *pr, config_t *lc)
{
	confcheck_url(pr, lc, "feedback.answer_url", cf->feedback_answer_url,
	    0);
	if (cf->feedback_answer_url != NULL &&
	    strchr(cf->feedback_answer_url, '#') != NULL)
		confproblem_add(pr, config_lookup(lc, "feedback.answer_url"),
		    "feedback.answer_url: must not have a fragment (#): the "
		    "answer's parameters are added to its query");
	cf->feedback_answer_secret = confcheck_secret(pr, lc,
	    "feedback.answer_secret_file", cf->feedback_answer_secret_file);
	if (cf->feedback_answer_url != NULL &&
	    cf->feedback_answer_secret_file == NULL)
		confproblem_add(pr, config_lookup(lc, "feedback.answer_url"),
		    "feedback.answer_url: needs feedback.answer_secret_file, "
		    "the key of its tokens (set both or neither)");
	else if (cf->feedback_answer_url == NULL &&
	    cf->feedback_answer_secret_file != NULL)
		confproblem_add(pr,
		    config_lookup(lc, "feedback.answer_secret_file"),
		    "feedback.answer_secret_file: needs feedback.answer_url, "
		    "where the links point (set both or neither)");
}
