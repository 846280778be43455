/*
 * confload.c - reading closeloopd.conf with libconfig
 *
 * The file is read with libconfig, and a syntax error is reported in
 * words an operator can act on. Then the file is walked rather than the
 * table of known settings (confkey.c), so that a setting the table does
 * not know is reported as unknown with its line. Each setting is checked
 * for its type and range and stored in struct config; the lists go to
 * conflist.c, the divisions to confdiv.c. Last, confcheck.c checks the
 * settings against each other (conffeedback.c and confweb.c, their
 * own). Problems are collected (confproblem.c)
 * and reported together.
 */
#include "build.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "confint.h"
#include "log.h"
#include "syntax.h"
#include "xmalloc.h"

/* Check a string setting for length and control characters; 0 if good. */
static int
confload_string(struct confproblems *pr, const config_setting_t *s,
    const char *name, const char *v, const struct confkey *k)
{
	size_t	len;

	len = strlen(v);
	if ((int64_t)len < k->min) {
		confproblem_add(pr, s, "%s: must not be empty", name);
		return -1;
	}
	if ((int64_t)len > k->max) {
		confproblem_add(pr, s, "%s: is longer than %lld characters",
		    name, (long long)k->max);
		return -1;
	}
	if (syntax_text(v, 0, NULL) != 0) {
		confproblem_add(pr, s, "%s: contains a control character",
		    name);
		return -1;
	}
	return 0;
}

/* Store one scalar setting into cf after checking its type and range. */
static void
confload_scalar(struct config *cf, struct confproblems *pr,
    const config_setting_t *s, const struct confkey *k, const char *name)
{
	char		**sp;
	long long	  v;
	const char	 *str;
	enum log_level	  level;
	int		  type;

	type = config_setting_type(s);
	switch (k->kind) {
	case CONFKEY_GROUP:
		if (type != CONFIG_TYPE_GROUP)
			confproblem_add(pr, s, "%s: must be a group { ... } "
			    "(got %s)", name, confproblem_type(s));
		break;
	case CONFKEY_STRING:
		if (type != CONFIG_TYPE_STRING) {
			confproblem_add(pr, s, "%s: must be a string "
			    "(got %s)", name, confproblem_type(s));
			break;
		}
		str = config_setting_get_string(s);
		if (confload_string(pr, s, name, str, k) != 0)
			break;
		sp = (char **)((char *)cf + k->offset);
		free(*sp);
		*sp = xstrdup(str);
		break;
	case CONFKEY_INT:
		if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) {
			confproblem_add(pr, s, "%s: must be an integer "
			    "(got %s)", name, confproblem_type(s));
			break;
		}
		v = config_setting_get_int64(s);
		if (v < k->min || v > k->max) {
			confproblem_add(pr, s, "%s: must be between %lld and "
			    "%lld (got %lld)", name, (long long)k->min,
			    (long long)k->max, v);
			break;
		}
		*(int64_t *)((char *)cf + k->offset) = v;
		break;
	case CONFKEY_BOOL:
		if (type != CONFIG_TYPE_BOOL) {
			confproblem_add(pr, s, "%s: must be true or false "
			    "(got %s)", name, confproblem_type(s));
			break;
		}
		*(int *)((char *)cf + k->offset) = config_setting_get_bool(s);
		break;
	case CONFKEY_NOTICES:
		confdiv_notices(pr, s, name,
		    (unsigned int *)((char *)cf + k->offset));
		break;
	case CONFKEY_HOSTS:
		conflist_hosts(cf, pr, s, name);
		break;
	case CONFKEY_HOLIDAYS:
		confstd_holidays(cf, pr, s, name);
		break;
	case CONFKEY_CITY:
		conflist_city(cf, pr, s, name);
		break;
	case CONFKEY_SENTINELS:
		conflist_sentinels(cf, pr, s, name);
		break;
	case CONFKEY_PROXIES:
		confweb_proxies(cf, pr, s, name);
		break;
	case CONFKEY_GROUPS:
		confweb_groups(cf, pr, s, name);
		break;
	case CONFKEY_DURATION:
		conffeedback_duration(pr, s, name,
		    (int64_t *)((char *)cf + k->offset));
		break;
	case CONFKEY_FEEDBACK:
		conffeedback_services(pr, s, name,
		    (struct feedback *)((char *)cf + k->offset));
		break;
	case CONFKEY_LEVEL:
		if (type != CONFIG_TYPE_STRING) {
			confproblem_add(pr, s, "%s: must be a string "
			    "(got %s)", name, confproblem_type(s));
			break;
		}
		str = config_setting_get_string(s);
		if (log_level_parse(str, &level) != 0) {
			confproblem_add(pr, s, "%s: unknown level \"%s\" "
			    "(use debug, info, notice, warning or error)",
			    name, str);
			break;
		}
		cf->log_level = level;
		break;
	}
}

/* Walk a group of the file, checking and storing each setting in it. */
static void
confload_walk(struct config *cf, struct confproblems *pr,
    const config_setting_t *group)
{
	const config_setting_t	*s;
	const struct confkey	*k;
	char			*name;
	int			 i, n;

	n = config_setting_length(group);
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(group, i);
		name = confkey_name(s);
		if ((k = confkey_find(name)) == NULL)
			confproblem_add(pr, s, "%s: unknown setting", name);
		else
			confload_scalar(cf, pr, s, k, name);
		if (k != NULL && k->kind == CONFKEY_GROUP &&
		    config_setting_type(s) == CONFIG_TYPE_GROUP) {
			if (strcmp(name, "divisions") == 0)
				confdiv_read(cf, pr, s);
			else
				confload_walk(cf, pr, s);
		}
		free(name);
	}
}

/* What libconfig's bare "syntax error" most often means. */
#define CONFLOAD_SYNTAX_HINT "libconfig cannot read this (a string without " \
	"its double quotes? a setting without its ';', a group without its " \
	"'}'?)"

/*
 * Say what libconfig found wrong with the file's syntax, where, and in
 * words an operator can act on: libconfig says only "syntax error" for
 * most mistakes, the commonest of which is a string without quotes.
 */
static char *
confload_syntax(const config_t *lc, const char *path)
{
	const char	*what = config_error_text(lc);
	const char	*file = config_error_file(lc) != NULL ?
			    config_error_file(lc) : path;

	if (what != NULL && strcmp(what, "syntax error") == 0)
		return xasprintf("%s:%d: syntax error: %s", file,
		    config_error_line(lc), CONFLOAD_SYNTAX_HINT);
	return xasprintf("%s:%d: syntax error: %s", file,
	    config_error_line(lc), what != NULL ? what : "unknown");
}

/* Read the file at path into cf, or check the defaults alone. */
int
confload_read(struct config *cf, const char *path, char **cause)
{
	struct confproblems	 pr;
	struct stat		 sb;
	config_t		 lc;
	char			*text = NULL;

	memset(&pr, 0, sizeof pr);
	pr.file = cf->path;
	pr.reader = cf->reader;
	config_init(&lc);
	if (path == NULL)
		goto check;	/* the built-in defaults alone */
	if (stat(path, &sb) != 0) {
		confproblem_add(&pr, NULL, "cannot read the file: %s",
		    strerror(errno));
		goto fail;
	}
	if (!S_ISREG(sb.st_mode)) {
		confproblem_add(&pr, NULL, "cannot read the file: %s",
		    S_ISDIR(sb.st_mode) ? strerror(EISDIR) :
		    "not a regular file");
		goto fail;
	}
	errno = 0;
	if (config_read_file(&lc, path) != CONFIG_TRUE) {
		if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
			confproblem_add(&pr, NULL, "cannot read the file: %s",
			    errno != 0 ? strerror(errno) : "read error");
		else
			text = confload_syntax(&lc, path);
		goto fail;
	}
check:
	confload_walk(cf, &pr, config_root_setting(&lc));
	confcheck_all(cf, &pr, &lc);
	conffeedback_check(cf, &pr, &lc);
	confweb_check(cf, &pr, &lc);
	if (pr.count != 0)
		goto fail;
	config_destroy(&lc);
	return 0;

fail:
	if (text == NULL)
		text = confproblem_text(&pr);
	config_destroy(&lc);
	if (cause != NULL)
		*cause = text;
	else
		free(text);
	return -1;
}
