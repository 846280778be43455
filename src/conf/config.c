/*
 * config.c - closeloopd's configuration, read with libconfig and validated
 *
 * This is the only module that includes <libconfig.h>. Scalar settings are
 * described by the table config_keys: full name, kind, range and where the
 * value goes in struct config. Validation walks the file rather than the
 * table, so that a setting the table does not know is reported as unknown
 * with its line. The divisions group is free-form (one group per division
 * code) and is checked by config_divisions(). Problems are collected in a
 * list and reported together, so an operator fixes a file in one pass.
 */
#include "build.h"

#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "datefmt.h"
#include "division.h"
#include "http.h"
#include "redisurl.h"
#include "secret.h"
#include "sms.h"
#include "syntax.h"
#include "xmalloc.h"

enum config_kind {
	CONFIG_GROUP,
	CONFIG_STRING,
	CONFIG_INT,
	CONFIG_BOOL,
	CONFIG_NOTICES,
	CONFIG_HOSTS,
	CONFIG_CITY,
	CONFIG_LEVEL,
	CONFIG_SENTINELS
};

/* One known setting. */
struct config_key {
	const char		*name;
	enum config_kind	 kind;
	int64_t			 min;
	int64_t			 max;
	size_t			 offset;
};

#define CONFIG_AT(f) offsetof(struct config, f)

static const struct config_key config_keys[] = {
	{ "redis", CONFIG_GROUP, 0, 0, 0 },
	{ "redis.url", CONFIG_STRING, 1, 1024, CONFIG_AT(redis_url) },
	{ "redis.username", CONFIG_STRING, 1, 256, CONFIG_AT(redis_username) },
	{ "redis.password_file", CONFIG_STRING, 1, PATH_MAX,
	    CONFIG_AT(redis_password_file) },
	{ "redis.prefix", CONFIG_STRING, 0, 64, CONFIG_AT(redis_prefix) },
	{ "redis.stream", CONFIG_STRING, 1, 256, CONFIG_AT(redis_stream) },
	{ "redis.dead_stream", CONFIG_STRING, 1, 256,
	    CONFIG_AT(redis_dead_stream) },
	{ "redis.group", CONFIG_STRING, 1, 256, CONFIG_AT(redis_group) },
	{ "redis.consumer", CONFIG_STRING, 1, 256, CONFIG_AT(redis_consumer) },
	{ "redis.claim_idle_ms", CONFIG_INT, 100, 86400000,
	    CONFIG_AT(redis_claim_idle_ms) },
	{ "redis.max_deliveries", CONFIG_INT, 1, 1000,
	    CONFIG_AT(redis_max_deliveries) },
	{ "redis.connect_timeout_ms", CONFIG_INT, 100, 60000,
	    CONFIG_AT(redis_connect_timeout_ms) },
	{ "redis.retry_max_ms", CONFIG_INT, 100, 300000,
	    CONFIG_AT(redis_retry_max_ms) },
	{ "redis.sentinels", CONFIG_SENTINELS, 1, CONFIG_SENTINELS_MAX,
	    CONFIG_AT(redis_sentinels) },
	{ "redis.master_name", CONFIG_STRING, 1, 128,
	    CONFIG_AT(redis_master_name) },
	{ "redis.sentinel_password_file", CONFIG_STRING, 1, PATH_MAX,
	    CONFIG_AT(redis_sentinel_password_file) },
	{ "events", CONFIG_GROUP, 0, 0, 0 },
	{ "events.batch", CONFIG_INT, 1, 10000, CONFIG_AT(events_batch) },
	{ "events.dedupe_seconds", CONFIG_INT, 60, 31536000,
	    CONFIG_AT(events_dedupe_seconds) },
	{ "events.history_max", CONFIG_INT, 10, 100000,
	    CONFIG_AT(events_history_max) },
	{ "events.history_days", CONFIG_INT, 1, 3650,
	    CONFIG_AT(events_history_days) },
	{ "policy", CONFIG_GROUP, 0, 0, 0 },
	{ "policy.settle_seconds", CONFIG_INT, 0, 86400,
	    CONFIG_AT(policy_settle_seconds) },
	{ "policy.coalesce_seconds", CONFIG_INT, 0, 86400,
	    CONFIG_AT(policy_coalesce_seconds) },
	{ "policy.retain_days", CONFIG_INT, 1, 3650,
	    CONFIG_AT(policy_retain_days) },
	{ "policy.notify_on", CONFIG_NOTICES, 0, 0,
	    CONFIG_AT(policy_notify_on) },
	{ "policy.follow_duplicates", CONFIG_BOOL, 0, 0,
	    CONFIG_AT(policy_follow_duplicates) },
	{ "templates", CONFIG_GROUP, 0, 0, 0 },
	{ "templates.dir", CONFIG_STRING, 1, PATH_MAX, CONFIG_AT(templates_dir) },
	{ "templates.default_locale", CONFIG_STRING, 2, 35,
	    CONFIG_AT(templates_default_locale) },
	{ "templates.photo_hosts", CONFIG_HOSTS, 0, 0,
	    CONFIG_AT(templates_photo_hosts) },
	{ "templates.status_url", CONFIG_STRING, 9, 1024,
	    CONFIG_AT(templates_status_url) },
	{ "templates.unsubscribe_url", CONFIG_STRING, 9, 1024,
	    CONFIG_AT(templates_unsubscribe_url) },
	{ "templates.unsubscribe_secret_file", CONFIG_STRING, 1, PATH_MAX,
	    CONFIG_AT(templates_unsubscribe_secret_file) },
	{ "templates.unsubscribe_days", CONFIG_INT, 1, 3650,
	    CONFIG_AT(templates_unsubscribe_days) },
	{ "templates.timezone", CONFIG_STRING, 1, 64,
	    CONFIG_AT(templates_timezone) },
	{ "templates.city", CONFIG_CITY, 1, 200, CONFIG_AT(templates_city) },
	{ "sms", CONFIG_GROUP, 0, 0, 0 },
	{ "sms.max_segments", CONFIG_INT, 1, 10, CONFIG_AT(sms_max_segments) },
	{ "sms.gateway", CONFIG_STRING, 1, 16, CONFIG_AT(sms_gateway) },
	{ "sms.url", CONFIG_STRING, 8, 1024, CONFIG_AT(sms_url) },
	{ "sms.from", CONFIG_STRING, 1, 32, CONFIG_AT(sms_from) },
	{ "sms.username", CONFIG_STRING, 1, 256, CONFIG_AT(sms_username) },
	{ "sms.password_file", CONFIG_STRING, 1, PATH_MAX,
	    CONFIG_AT(sms_password_file) },
	{ "sms.ca_file", CONFIG_STRING, 1, PATH_MAX, CONFIG_AT(sms_ca_file) },
	{ "sms.allow_http_loopback", CONFIG_BOOL, 0, 0,
	    CONFIG_AT(sms_allow_http_loopback) },
	{ "sms.max_per_second", CONFIG_INT, 1, 10000,
	    CONFIG_AT(sms_max_per_second) },
	{ "sms.quiet_hours", CONFIG_STRING, 0, 11, CONFIG_AT(sms_quiet_hours) },
	{ "sms.connections", CONFIG_INT, 1, 256, CONFIG_AT(sms_connections) },
	{ "sms.timeout_seconds", CONFIG_INT, 1, 600,
	    CONFIG_AT(sms_timeout_seconds) },
	{ "sms.dlr_url", CONFIG_STRING, 8, 1024, CONFIG_AT(sms_dlr_url) },
	{ "sms.dlr_mask", CONFIG_INT, 0, 31, CONFIG_AT(sms_dlr_mask) },
	{ "sms.dlr_secret_file", CONFIG_STRING, 1, PATH_MAX,
	    CONFIG_AT(sms_dlr_secret_file) },
	{ "sms.dlr_max_age_days", CONFIG_INT, 1, 365,
	    CONFIG_AT(sms_dlr_max_age_days) },
	{ "sms.inbound_secret_file", CONFIG_STRING, 1, PATH_MAX,
	    CONFIG_AT(sms_inbound_secret_file) },
	{ "audit", CONFIG_GROUP, 0, 0, 0 },
	{ "audit.retain_days", CONFIG_INT, 1, 3650,
	    CONFIG_AT(audit_retain_days) },
	{ "audit.file", CONFIG_STRING, 1, PATH_MAX, CONFIG_AT(audit_file) },
	{ "audit.fsync", CONFIG_BOOL, 0, 0, CONFIG_AT(audit_fsync) },
	{ "http", CONFIG_GROUP, 0, 0, 0 },
	{ "http.listen", CONFIG_STRING, 0, 128, CONFIG_AT(http_listen) },
	{ "http.health_max_lag", CONFIG_INT, 0, 1000000000,
	    CONFIG_AT(http_health_max_lag) },
	{ "http.health_max_delay_seconds", CONFIG_INT, 1, 604800,
	    CONFIG_AT(http_health_max_delay_seconds) },
	{ "email", CONFIG_GROUP, 0, 0, 0 },
	{ "email.smtp", CONFIG_STRING, 8, 1024, CONFIG_AT(email_smtp) },
	{ "email.starttls", CONFIG_STRING, 2, 16,
	    CONFIG_AT(email_starttls_name) },
	{ "email.ca_file", CONFIG_STRING, 1, PATH_MAX,
	    CONFIG_AT(email_ca_file) },
	{ "email.from", CONFIG_STRING, 3, 512, CONFIG_AT(email_from) },
	{ "email.username", CONFIG_STRING, 1, 256, CONFIG_AT(email_username) },
	{ "email.password_file", CONFIG_STRING, 1, PATH_MAX,
	    CONFIG_AT(email_password_file) },
	{ "email.helo", CONFIG_STRING, 1, 255, CONFIG_AT(email_helo) },
	{ "email.sessions", CONFIG_INT, 1, 64, CONFIG_AT(email_sessions) },
	{ "email.messages_per_session", CONFIG_INT, 1, 1000,
	    CONFIG_AT(email_messages_per_session) },
	{ "email.timeout_seconds", CONFIG_INT, 1, 600,
	    CONFIG_AT(email_timeout_seconds) },
	{ "retry", CONFIG_GROUP, 0, 0, 0 },
	{ "retry.initial_seconds", CONFIG_INT, 1, 86400,
	    CONFIG_AT(retry_initial_seconds) },
	{ "retry.max_seconds", CONFIG_INT, 1, 86400,
	    CONFIG_AT(retry_max_seconds) },
	{ "retry.email_max_age_hours", CONFIG_INT, 1, 720,
	    CONFIG_AT(retry_email_max_age_hours) },
	{ "retry.sms_max_age_hours", CONFIG_INT, 1, 720,
	    CONFIG_AT(retry_sms_max_age_hours) },
	{ "delivery", CONFIG_GROUP, 0, 0, 0 },
	{ "delivery.fallback", CONFIG_BOOL, 0, 0,
	    CONFIG_AT(delivery_fallback) },
	{ "delivery.outbox_max", CONFIG_INT, 1, 100000000,
	    CONFIG_AT(delivery_outbox_max) },
	{ "delivery.lease_seconds", CONFIG_INT, 5, 86400,
	    CONFIG_AT(delivery_lease_seconds) },
	{ "log", CONFIG_GROUP, 0, 0, 0 },
	{ "log.level", CONFIG_LEVEL, 0, 0, CONFIG_AT(log_level) },
	{ "shutdown_timeout", CONFIG_INT, 1, 3600,
	    CONFIG_AT(shutdown_timeout) },
	{ "divisions", CONFIG_GROUP, 0, 0, 0 },
};

#define CONFIG_NKEYS (sizeof config_keys / sizeof config_keys[0])

/* One problem: its line (0 if unknown) and its text. */
struct config_problem {
	unsigned int	 line;
	char		*text;
};

/* The problems found while loading one file. */
struct config_problems {
	const char		*file;
	struct config_problem	*list;
	size_t			 count;
};

/* Add a problem about setting s (which may be NULL) to the list. */
static void __attribute__((format(printf, 3, 4)))
config_problem(struct config_problems *pr, const config_setting_t *s,
    const char *fmt, ...)
{
	struct config_problem	*p;
	va_list			 ap;
	char			*msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	pr->list = xreallocarray(pr->list, pr->count + 1, sizeof *pr->list);
	p = &pr->list[pr->count++];
	p->line = s != NULL ? config_setting_source_line(s) : 0;
	if (p->line != 0)
		p->text = xasprintf("%s:%u: %s", pr->file, p->line, msg);
	else
		p->text = xasprintf("%s: %s", pr->file, msg);
	free(msg);
}

/*
 * Join the problems into one text, one per line, in the order of their
 * lines in the file; those without a line come last. The text is
 * allocated; the caller frees it. The list is emptied.
 */
static char *
config_problems_text(struct config_problems *pr)
{
	struct config_problem	 p;
	char			*text = NULL, *old;
	size_t			 i, j;

	for (i = 1; i < pr->count; i++) {
		p = pr->list[i];
		for (j = i; j > 0 && (pr->list[j - 1].line == 0 ?
		    UINT_MAX : pr->list[j - 1].line) > (p.line == 0 ?
		    UINT_MAX : p.line); j--)
			pr->list[j] = pr->list[j - 1];
		pr->list[j] = p;
	}
	for (i = 0; i < pr->count; i++) {
		old = text;
		text = old == NULL ? xstrdup(pr->list[i].text) :
		    xasprintf("%s\n%s", old, pr->list[i].text);
		free(old);
		free(pr->list[i].text);
	}
	free(pr->list);
	pr->list = NULL;
	pr->count = 0;
	return text;
}

/* Build the full dotted name of a setting, e.g. "redis.url". */
static char *
config_full_name(const config_setting_t *s)
{
	const config_setting_t	*parent;
	char			*name, *full;

	if (config_setting_name(s) == NULL)
		return xstrdup("(list element)");
	name = xstrdup(config_setting_name(s));
	for (parent = config_setting_parent(s); parent != NULL &&
	    config_setting_name(parent) != NULL;
	    parent = config_setting_parent(parent)) {
		full = xasprintf("%s.%s", config_setting_name(parent), name);
		free(name);
		name = full;
	}
	return name;
}

/* Describe a libconfig type for a "wrong type" message. */
static const char *
config_type_name(const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_GROUP:
		return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a number with a fraction";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array";
	case CONFIG_TYPE_LIST:
		return "a list";
	}
	return "something else";
}

/* Find a key by full name. */
static const struct config_key *
config_key_find(const char *name)
{
	size_t	i;

	for (i = 0; i < CONFIG_NKEYS; i++) {
		if (strcmp(config_keys[i].name, name) == 0)
			return &config_keys[i];
	}
	return NULL;
}

/* Return 1 if a string has a control character. */
static int
config_has_control(const char *v)
{
	for (; *v != '\0'; v++) {
		if ((unsigned char)*v < 0x20 || *v == 0x7f)
			return 1;
	}
	return 0;
}

/* Check a string setting for length and control characters; 0 if good. */
static int
config_string_ok(struct config_problems *pr, const config_setting_t *s,
    const char *name, const char *v, const struct config_key *k)
{
	size_t	len;

	len = strlen(v);
	if ((int64_t)len < k->min) {
		config_problem(pr, s, "%s: must not be empty", name);
		return -1;
	}
	if ((int64_t)len > k->max) {
		config_problem(pr, s, "%s: is longer than %lld characters",
		    name, (long long)k->max);
		return -1;
	}
	if (config_has_control(v)) {
		config_problem(pr, s, "%s: contains a control character", name);
		return -1;
	}
	return 0;
}

/*
 * Read a list of notice names, ["completed", "transferred", ...], into a
 * mask of 1 << vocab_notice. Returns 0, or -1 after adding a problem.
 */
static int
config_notices(struct config_problems *pr, const config_setting_t *s,
    const char *name, unsigned int *mask)
{
	const config_setting_t	*e;
	const char		*v;
	enum vocab_notice	 notice;
	unsigned int		 m = 0;
	int			 i, bad = 0;

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST) {
		config_problem(pr, s, "%s: must be an array of notices "
		    "[\"completed\", ...] (got %s)", name, config_type_name(s));
		return -1;
	}
	for (i = 0; i < config_setting_length(s); i++) {
		e = config_setting_get_elem(s, i);
		v = config_setting_get_string(e);
		if (v == NULL || (notice = vocab_notice_parse(v)) ==
		    VOCAB_NOTICE_NONE) {
			config_problem(pr, e, "%s: unknown notice \"%s\" (use "
			    "%s)", name, v != NULL ? v : "", vocab_notice_list());
			bad = 1;
			continue;
		}
		m |= 1u << notice;
	}
	if (bad)
		return -1;
	if (m == 0) {
		config_problem(pr, s, "%s: must name at least one notice",
		    name);
		return -1;
	}
	*mask = m;
	return 0;
}

/*
 * Read an array of host names, ["photos.example.org", ...], into cf's
 * photo hosts (lower case). Adds a problem for a bad one.
 */
static void
config_hosts(struct config *cf, struct config_problems *pr,
    const config_setting_t *s, const char *name)
{
	const config_setting_t	*e;
	const char		*v, *p;
	char			*host;
	int			 i;

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST) {
		config_problem(pr, s, "%s: must be an array of host names "
		    "[\"photos.example.org\", ...] (got %s)", name,
		    config_type_name(s));
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
			config_problem(pr, e, "%s: \"%s\" is not a host name "
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
static void
config_city(struct config *cf, struct config_problems *pr,
    const config_setting_t *s, const char *name)
{
	const config_setting_t	*e;
	const char		*v;
	int			 i;

	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		v = config_setting_get_string(s);
		if (*v == '\0' || config_has_control(v)) {
			config_problem(pr, s, "%s: must be a non-empty name "
			    "without control characters", name);
			return;
		}
		free(cf->templates_city);
		cf->templates_city = xstrdup(v);
		return;
	}
	if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
		config_problem(pr, s, "%s: must be a string, or a group of "
		    "locale = \"name\" (got %s)", name, config_type_name(s));
		return;
	}
	for (i = 0; i < config_setting_length(s); i++) {
		e = config_setting_get_elem(s, i);
		v = config_setting_get_string(e);
		if (v == NULL || *v == '\0' || config_has_control(v)) {
			config_problem(pr, e, "%s.%s: must be a non-empty name "
			    "without control characters", name,
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
static void
config_sentinels(struct config *cf, struct config_problems *pr,
    const config_setting_t *s, const char *name)
{
	const config_setting_t	*e;
	struct redisurl		 u;
	const char		*v, *why;
	size_t			 j;
	int			 i, n;

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST) {
		config_problem(pr, s, "%s: must be a list of sentinels ( "
		    "\"HOST:PORT\", ... ) (got %s)", name, config_type_name(s));
		return;
	}
	n = config_setting_length(s);
	if (n == 0 || n > CONFIG_SENTINELS_MAX) {
		config_problem(pr, s, "%s: must list 1 to %d sentinels (got "
		    "%d)", name, CONFIG_SENTINELS_MAX, n);
		return;
	}
	cf->redis_sentinels = xcalloc(n, sizeof *cf->redis_sentinels);
	memset(&u, 0, sizeof u);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, i);
		if ((v = config_setting_get_string(e)) == NULL) {
			config_problem(pr, e, "%s: each sentinel must be a "
			    "string \"HOST:PORT\" (got %s)", name,
			    config_type_name(e));
			continue;
		}
		if (redisurl_hostport(v, &u, &why) != 0) {
			config_problem(pr, e, "%s: \"%s\" %s", name, v, why);
			continue;
		}
		for (j = 0; j < cf->redis_nsentinels; j++) {
			if (strcmp(cf->redis_sentinels[j].host, u.host) == 0 &&
			    cf->redis_sentinels[j].port == u.port)
				break;
		}
		if (j < cf->redis_nsentinels) {
			config_problem(pr, e, "%s: \"%s\" is listed twice",
			    name, v);
			redisurl_clear(&u);
			continue;
		}
		cf->redis_sentinels[cf->redis_nsentinels++] = u;
		memset(&u, 0, sizeof u);
	}
}

/* Store one scalar setting into cf after checking its type and range. */
static void
config_scalar(struct config *cf, struct config_problems *pr,
    const config_setting_t *s, const struct config_key *k, const char *name)
{
	char		**sp;
	long long	  v;
	const char	 *str;
	enum log_level	  level;
	int		  type;

	type = config_setting_type(s);
	switch (k->kind) {
	case CONFIG_GROUP:
		if (type != CONFIG_TYPE_GROUP)
			config_problem(pr, s, "%s: must be a group { ... } "
			    "(got %s)", name, config_type_name(s));
		break;
	case CONFIG_STRING:
		if (type != CONFIG_TYPE_STRING) {
			config_problem(pr, s, "%s: must be a string "
			    "(got %s)", name, config_type_name(s));
			break;
		}
		str = config_setting_get_string(s);
		if (config_string_ok(pr, s, name, str, k) != 0)
			break;
		sp = (char **)((char *)cf + k->offset);
		free(*sp);
		*sp = xstrdup(str);
		break;
	case CONFIG_INT:
		if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) {
			config_problem(pr, s, "%s: must be an integer "
			    "(got %s)", name, config_type_name(s));
			break;
		}
		v = config_setting_get_int64(s);
		if (v < k->min || v > k->max) {
			config_problem(pr, s, "%s: must be between %lld and "
			    "%lld (got %lld)", name, (long long)k->min,
			    (long long)k->max, v);
			break;
		}
		*(int64_t *)((char *)cf + k->offset) = v;
		break;
	case CONFIG_BOOL:
		if (type != CONFIG_TYPE_BOOL) {
			config_problem(pr, s, "%s: must be true or false "
			    "(got %s)", name, config_type_name(s));
			break;
		}
		*(int *)((char *)cf + k->offset) = config_setting_get_bool(s);
		break;
	case CONFIG_NOTICES:
		config_notices(pr, s, name,
		    (unsigned int *)((char *)cf + k->offset));
		break;
	case CONFIG_HOSTS:
		config_hosts(cf, pr, s, name);
		break;
	case CONFIG_CITY:
		config_city(cf, pr, s, name);
		break;
	case CONFIG_SENTINELS:
		config_sentinels(cf, pr, s, name);
		break;
	case CONFIG_LEVEL:
		if (type != CONFIG_TYPE_STRING) {
			config_problem(pr, s, "%s: must be a string "
			    "(got %s)", name, config_type_name(s));
			break;
		}
		str = config_setting_get_string(s);
		if (log_level_parse(str, &level) != 0) {
			config_problem(pr, s, "%s: unknown level \"%s\" "
			    "(use debug, info, notice, warning or error)",
			    name, str);
			break;
		}
		cf->log_level = level;
		break;
	}
}

/* Check one status_map entry of a division and append it to dv. */
static void
config_status_map_entry(struct division *dv, struct config_problems *pr,
    const config_setting_t *e, const char *where)
{
	const char		 *code = NULL, *status = NULL, *reason = NULL;
	const config_setting_t	 *m;
	const char		 *mname;
	int			  i, n, wrong = 0;

	if (config_setting_type(e) != CONFIG_TYPE_GROUP) {
		config_problem(pr, e, "%s: each entry must be a group "
		    "{ code = \"...\"; status = \"...\"; } (got %s)", where,
		    config_type_name(e));
		return;
	}
	n = config_setting_length(e);
	for (i = 0; i < n; i++) {
		m = config_setting_get_elem(e, i);
		mname = config_setting_name(m);
		if (strcmp(mname, "code") != 0 && strcmp(mname, "status") != 0
		    && strcmp(mname, "reason") != 0) {
			config_problem(pr, m, "%s.%s: unknown setting (use "
			    "code, status and reason)", where, mname);
			continue;
		}
		if (config_setting_type(m) != CONFIG_TYPE_STRING) {
			config_problem(pr, m, "%s.%s: must be a string (got "
			    "%s)", where, mname, config_type_name(m));
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
		config_problem(pr, e, "%s.code: missing (required)", where);
	if (status == NULL)
		config_problem(pr, e, "%s.status: missing (required)", where);
	else if (vocab_status_parse(status) == VOCAB_STATUS_NONE)
		config_problem(pr, e, "%s.status: unknown status \"%s\" (use "
		    "one of %s)", where, status, vocab_status_list());
	if (reason != NULL && vocab_reason_parse(reason) == VOCAB_REASON_NONE)
		config_problem(pr, e, "%s.reason: unknown reason \"%s\" (use "
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
config_division_names(struct division *dv, struct config_problems *pr,
    const config_setting_t *m, const char *name)
{
	const config_setting_t	*e;
	const char		*v;
	int			 j;

	if (config_setting_type(m) != CONFIG_TYPE_GROUP) {
		config_problem(pr, m, "%s: must be a group of locale = "
		    "\"name\" (got %s)", name, config_type_name(m));
		return;
	}
	for (j = 0; j < config_setting_length(m); j++) {
		e = config_setting_get_elem(m, j);
		v = config_setting_get_string(e);
		if (v == NULL || *v == '\0')
			config_problem(pr, e, "%s.%s: must be a non-empty "
			    "string", name, config_setting_name(e));
		else if (config_has_control(v))
			config_problem(pr, e, "%s.%s: contains a control "
			    "character", name, config_setting_name(e));
		else
			division_add_name(dv, config_setting_name(e), v);
	}
}

/* Check a division's status_map list and add its entries to dv. */
static void
config_division_map(struct division *dv, struct config_problems *pr,
    const config_setting_t *m, const char *name)
{
	char	*where;
	int	 j;

	if (config_setting_type(m) != CONFIG_TYPE_LIST) {
		config_problem(pr, m, "%s: must be a list ( { code = ...; "
		    "status = ...; }, ... ) (got %s)", name,
		    config_type_name(m));
		return;
	}
	for (j = 0; j < config_setting_length(m); j++) {
		where = xasprintf("%s[%d]", name, j);
		config_status_map_entry(dv, pr, config_setting_get_elem(m, j),
		    where);
		free(where);
	}
}

/*
 * Check a division's notes, CODE = { locale = "text"; ... }, and add
 * them to dv.
 */
static void
config_division_notes(struct division *dv, struct config_problems *pr,
    const config_setting_t *m, const char *name)
{
	const config_setting_t	*note, *e;
	const char		*v;
	int			 i, j;

	if (config_setting_type(m) != CONFIG_TYPE_GROUP) {
		config_problem(pr, m, "%s: must be a group of CODE = { locale "
		    "= \"text\"; } (got %s)", name, config_type_name(m));
		return;
	}
	for (i = 0; i < config_setting_length(m); i++) {
		note = config_setting_get_elem(m, i);
		if (config_setting_type(note) != CONFIG_TYPE_GROUP) {
			config_problem(pr, note, "%s.%s: must be a group of "
			    "locale = \"text\" (got %s)", name,
			    config_setting_name(note), config_type_name(note));
			continue;
		}
		for (j = 0; j < config_setting_length(note); j++) {
			e = config_setting_get_elem(note, j);
			v = config_setting_get_string(e);
			if (v == NULL || *v == '\0')
				config_problem(pr, e, "%s.%s.%s: must be a "
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
config_division(struct config *cf, struct config_problems *pr,
    const config_setting_t *d)
{
	struct division		*dv;
	const config_setting_t	*m;
	char			*name;
	int			 i;

	if (config_setting_type(d) != CONFIG_TYPE_GROUP) {
		name = config_full_name(d);
		config_problem(pr, d, "%s: must be a group { name = { ... }; "
		    "} (got %s)", name, config_type_name(d));
		free(name);
		return;
	}
	dv = division_add(&cf->divisions, &cf->ndivisions,
	    config_setting_name(d));
	for (i = 0; i < config_setting_length(d); i++) {
		m = config_setting_get_elem(d, i);
		name = config_full_name(m);
		if (strcmp(config_setting_name(m), "name") == 0)
			config_division_names(dv, pr, m, name);
		else if (strcmp(config_setting_name(m), "status_map") == 0)
			config_division_map(dv, pr, m, name);
		else if (strcmp(config_setting_name(m), "notify_on") == 0)
			config_notices(pr, m, name, &dv->notify_on);
		else if (strcmp(config_setting_name(m), "notes") == 0)
			config_division_notes(dv, pr, m, name);
		else
			config_problem(pr, m, "%s: unknown setting (a division "
			    "has name, status_map, notify_on and notes)", name);
		free(name);
	}
}

/* Check every division in the divisions group. */
static void
config_divisions(struct config *cf, struct config_problems *pr,
    const config_setting_t *group)
{
	int	i;

	for (i = 0; i < config_setting_length(group); i++)
		config_division(cf, pr, config_setting_get_elem(group, i));
}

/* Walk a group of the file, checking and storing each setting in it. */
static void
config_walk(struct config *cf, struct config_problems *pr,
    const config_setting_t *group)
{
	const config_setting_t	*s;
	const struct config_key	*k;
	char			*name;
	int			 i, n;

	n = config_setting_length(group);
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(group, i);
		name = config_full_name(s);
		if ((k = config_key_find(name)) == NULL)
			config_problem(pr, s, "%s: unknown setting", name);
		else
			config_scalar(cf, pr, s, k, name);
		if (k != NULL && k->kind == CONFIG_GROUP &&
		    config_setting_type(s) == CONFIG_TYPE_GROUP) {
			if (strcmp(name, "divisions") == 0)
				config_divisions(cf, pr, s);
			else
				config_walk(cf, pr, s);
		}
		free(name);
	}
}

/* Fill in the defaults that do not depend on other settings. */
static void
config_defaults(struct config *cf)
{
	char	host[256];

	cf->redis_url = xstrdup("redis://127.0.0.1:6379/0");
	cf->redis_prefix = xstrdup("closeloop:");
	cf->redis_group = xstrdup("closeloopd");
	if (gethostname(host, sizeof host) != 0 || *host == '\0')
		strcpy(host, "closeloopd");
	host[sizeof host - 1] = '\0';
	cf->redis_consumer = xstrdup(host);
	cf->redis_claim_idle_ms = 60000;
	cf->redis_max_deliveries = 5;
	cf->redis_connect_timeout_ms = 2000;
	cf->redis_retry_max_ms = 30000;
	cf->events_batch = 100;
	cf->events_dedupe_seconds = 7 * 86400;
	cf->events_history_max = 1000;
	cf->events_history_days = 400;
	cf->policy_settle_seconds = 900;
	cf->policy_coalesce_seconds = 60;
	cf->policy_retain_days = 30;
	cf->policy_notify_on = VOCAB_NOTICE_ALL;
	cf->policy_follow_duplicates = 1;
	cf->templates_dir = xstrdup(CONFIG_TEMPLATES_DIR);
	cf->templates_default_locale = xstrdup("en");
	cf->templates_timezone = xstrdup("America/Toronto");
	cf->templates_city = xstrdup("City of Toronto");
	cf->templates_unsubscribe_days = 90;
	cf->sms_max_segments = 3;
	cf->sms_max_per_second = 10;
	cf->sms_quiet_start = -1;
	cf->sms_quiet_end = -1;
	cf->sms_connections = 8;
	cf->sms_timeout_seconds = 30;
	cf->sms_dlr_mask = 31;
	cf->sms_dlr_max_age_days = 30;
	cf->audit_retain_days = 90;
	cf->audit_fsync = 1;
	cf->http_listen = xstrdup(CONFIG_HTTP_LISTEN);
	cf->http_listen_default = 1;
	cf->http_health_max_lag = 1000;
	cf->http_health_max_delay_seconds = 300;
	cf->email_sessions = 4;
	cf->email_messages_per_session = 50;
	cf->email_timeout_seconds = 60;
	cf->retry_initial_seconds = 60;
	cf->retry_max_seconds = 3600;
	cf->retry_email_max_age_hours = 120;
	cf->retry_sms_max_age_hours = 24;
	cf->delivery_fallback = 1;
	cf->delivery_outbox_max = 100000;
	cf->delivery_lease_seconds = 600;
	cf->log_level = LOG_LEVEL_INFO;
	cf->shutdown_timeout = 30;
}

/* Read the secret that setting name (a file name) points to. */
static char *
config_secret(struct config_problems *pr, config_t *lc, const char *name,
    const char *path)
{
	char	*what, *secret, *cause = NULL;

	if (path == NULL)
		return NULL;
	what = xasprintf("%s: %s", pr->file, name);
	if ((secret = secret_read(path, what, &cause)) == NULL) {
		config_problem(pr, config_lookup(lc, name), "%s: %s", name,
		    cause);
		free(cause);
	}
	free(what);
	return secret;
}

/* Check a URL pattern: https, with "{sr}" in it if need_sr is set. */
static void
config_url_pattern(struct config_problems *pr, config_t *lc, const char *name,
    const char *v, int need_sr)
{
	if (v == NULL)
		return;
	if (strncasecmp(v, "https://", 8) != 0)
		config_problem(pr, config_lookup(lc, name), "%s: must be an "
		    "https URL (got \"%s\")", name, v);
	else if (need_sr && strstr(v, "{sr}") == NULL)
		config_problem(pr, config_lookup(lc, name), "%s: must contain "
		    "{sr}, where the SR number goes (got \"%s\")", name, v);
}

/*
 * Check the one-click unsubscribe settings: the key, and room in a
 * List-Unsubscribe header (CONFIG_LIST_URL_MAX octets) for the URL with
 * the longest SR number and the parameters added to it.
 */
static void
config_finish_unsubscribe(struct config *cf, struct config_problems *pr,
    config_t *lc)
{
	const char	*url = cf->templates_unsubscribe_url, *p;
	size_t		 len;

	cf->templates_unsubscribe_secret = config_secret(pr, lc,
	    "templates.unsubscribe_secret_file",
	    cf->templates_unsubscribe_secret_file);
	if (cf->templates_unsubscribe_secret_file == NULL)
		return;
	if (url == NULL) {
		config_problem(pr, config_lookup(lc,
		    "templates.unsubscribe_secret_file"),
		    "templates.unsubscribe_secret_file: needs "
		    "templates.unsubscribe_url, where the links point");
		return;
	}
	len = strlen(url) + CONFIG_UNSUBSCRIBE_PARAMS;
	for (p = url; (p = strstr(p, "{sr}")) != NULL; p += 4)
		len += 64 - 4;
	if (len > CONFIG_LIST_URL_MAX)
		config_problem(pr, config_lookup(lc, "templates.unsubscribe_url"),
		    "templates.unsubscribe_url: too long for a one-click link: "
		    "with an SR number of 64 characters and the %d characters "
		    "of its parameters it would take %zu (at most %d)",
		    CONFIG_UNSUBSCRIBE_PARAMS, len, CONFIG_LIST_URL_MAX);
}

/* Check the template settings against each other and ICU. */
static void
config_finish_templates(struct config *cf, struct config_problems *pr,
    config_t *lc)
{
	const char	*why;
	char		 canon[64], *cause = NULL;

	if (syntax_locale(cf->templates_default_locale, canon, sizeof canon,
	    &why) != 0)
		config_problem(pr, config_lookup(lc, "templates.default_locale"),
		    "templates.default_locale: %s (got \"%s\")", why,
		    cf->templates_default_locale);
	else {
		free(cf->templates_default_locale);
		cf->templates_default_locale = xstrdup(canon);
	}
	if (datefmt_parse_tz(cf->templates_timezone, &cause) != 0) {
		config_problem(pr, config_lookup(lc, "templates.timezone"),
		    "templates.timezone: %s", cause);
		free(cause);
	}
	config_url_pattern(pr, lc, "templates.status_url",
	    cf->templates_status_url, 1);
	config_url_pattern(pr, lc, "templates.unsubscribe_url",
	    cf->templates_unsubscribe_url,
	    cf->templates_unsubscribe_secret_file == NULL);
	config_finish_unsubscribe(cf, pr, lc);
}

/* Split email.from into a display name and an address. */
static int
config_from(struct config *cf, const char **why)
{
	const char	*v = cf->email_from, *lt, *gt;
	size_t		 len;

	if ((lt = strchr(v, '<')) == NULL) {
		cf->email_from_addr = xstrdup(v);
	} else {
		if ((gt = strchr(lt, '>')) == NULL || gt[1] != '\0') {
			*why = "must be \"Name <address>\" or an address";
			return -1;
		}
		cf->email_from_addr = xstrndup(lt + 1, gt - lt - 1);
		len = lt - v;
		while (len > 0 && v[len - 1] == ' ')
			len--;
		if (len > 0 && v[0] == '"' && v[len - 1] == '"' && len >= 2)
			cf->email_from_name = xstrndup(v + 1, len - 2);
		else if (len > 0)
			cf->email_from_name = xstrndup(v, len);
	}
	if (syntax_email(cf->email_from_addr, why) != 0)
		return -1;
	return 0;
}

/* Check the settings of delivery by email. */
static void
config_finish_email(struct config *cf, struct config_problems *pr,
    config_t *lc)
{
	const char	*why = NULL, *tls = cf->email_starttls_name;
	const char	*host, *colon;
	int		 ok;

	if (tls == NULL || strcmp(tls, "required") == 0)
		cf->email_starttls = CONFIG_TLS_REQUIRED;
	else if (strcmp(tls, "opportunistic") == 0)
		cf->email_starttls = CONFIG_TLS_OPPORTUNISTIC;
	else if (strcmp(tls, "off") == 0)
		cf->email_starttls = CONFIG_TLS_OFF;
	else
		config_problem(pr, config_lookup(lc, "email.starttls"),
		    "email.starttls: must be required, opportunistic or off "
		    "(got \"%s\")", tls);
	if (cf->email_smtp != NULL) {
		host = cf->email_smtp + 7;
		colon = strrchr(host, ':');
		ok = strncmp(cf->email_smtp, "smtp://", 7) == 0 &&
		    colon != NULL && colon != host && colon[1] != '\0' &&
		    strspn(colon + 1, "0123456789") == strlen(colon + 1) &&
		    strchr(host, '/') == NULL && strchr(host, '@') == NULL;
		/* A URL with credentials in it is not repeated. */
		if (!ok && strchr(cf->email_smtp, '@') != NULL)
			config_problem(pr, config_lookup(lc, "email.smtp"),
			    "email.smtp: must be smtp://HOST:PORT, without "
			    "credentials (they go in email.username and "
			    "email.password_file)");
		else if (!ok)
			config_problem(pr, config_lookup(lc, "email.smtp"),
			    "email.smtp: must be smtp://HOST:PORT (got \"%s\")",
			    cf->email_smtp);
		else {
			cf->email_host = xstrndup(host, colon - host);
			cf->email_port = xstrdup(colon + 1);
		}
		if (cf->email_from == NULL)
			config_problem(pr, config_lookup(lc, "email"),
			    "email.from: must be set when email.smtp is");
	}
	if (cf->email_from != NULL && config_from(cf, &why) != 0)
		config_problem(pr, config_lookup(lc, "email.from"),
		    "email.from: %s (got \"%s\")", why, cf->email_from);
	cf->email_password = config_secret(pr, lc, "email.password_file",
	    cf->email_password_file);
	if ((cf->email_username == NULL) != (cf->email_password_file == NULL))
		config_problem(pr, config_lookup(lc, "email"), "email.username "
		    "and email.password_file go together");
	if (cf->email_username != NULL && cf->email_host != NULL &&
	    cf->email_starttls == CONFIG_TLS_OFF &&
	    strcmp(cf->email_host, "127.0.0.1") != 0 &&
	    strcmp(cf->email_host, "localhost") != 0)
		config_problem(pr, config_lookup(lc, "email.starttls"),
		    "email.starttls: \"off\" would send the SMTP password in "
		    "clear to %s; use required (or a loopback server)",
		    cf->email_host);
}

/* Parse "HH:MM" into minutes since midnight; -1 if it is not that. */
static int
config_clock(const char *s, size_t len)
{
	if (len != 5 || s[2] != ':' || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[3]) ||
	    !isdigit((unsigned char)s[4]))
		return -1;
	if ((s[0] - '0') * 10 + (s[1] - '0') > 23 ||
	    (s[3] - '0') * 10 + (s[4] - '0') > 59)
		return -1;
	return ((s[0] - '0') * 10 + (s[1] - '0')) * 60 +
	    (s[3] - '0') * 10 + (s[4] - '0');
}

/* Check the settings of delivery by SMS. */
static void
config_finish_sms(struct config *cf, struct config_problems *pr,
    config_t *lc)
{
	const char	*q = cf->sms_quiet_hours, *dash, *why;
	const char	*gw = cf->sms_gateway;
	char		*cause = NULL;

	if (gw == NULL)
		cf->sms_profile = CONFIG_SMS_NONE;
	else if (strcmp(gw, "kannel") == 0)
		cf->sms_profile = CONFIG_SMS_KANNEL;
	else if (strcmp(gw, "twilio") == 0)
		cf->sms_profile = CONFIG_SMS_TWILIO;
	else
		config_problem(pr, config_lookup(lc, "sms.gateway"),
		    "sms.gateway: must be kannel or twilio (got \"%s\")", gw);
	if (gw != NULL && (cf->sms_url == NULL || cf->sms_from == NULL))
		config_problem(pr, config_lookup(lc, "sms.gateway"),
		    "sms.gateway: needs sms.url and sms.from");
	if (cf->sms_url != NULL && sms_url_ok(cf->sms_url,
	    cf->sms_allow_http_loopback, &cause) != 0) {
		/* A URL with credentials in it is not repeated. */
		if (strchr(cf->sms_url, '@') != NULL)
			config_problem(pr, config_lookup(lc, "sms.url"),
			    "sms.url: %s", cause);
		else
			config_problem(pr, config_lookup(lc, "sms.url"),
			    "sms.url: %s (got \"%s\")", cause, cf->sms_url);
		free(cause);
	}
	if (cf->sms_from != NULL && syntax_phone(cf->sms_from, &why) != 0 &&
	    strspn(cf->sms_from, "0123456789") != strlen(cf->sms_from))
		config_problem(pr, config_lookup(lc, "sms.from"),
		    "sms.from: must be an E.164 number or a short code "
		    "(got \"%s\")", cf->sms_from);
	cf->sms_password = config_secret(pr, lc, "sms.password_file",
	    cf->sms_password_file);
	if (cf->sms_dlr_url != NULL &&
	    strncmp(cf->sms_dlr_url, "http://", 7) != 0 &&
	    strncmp(cf->sms_dlr_url, "https://", 8) != 0)
		config_problem(pr, config_lookup(lc, "sms.dlr_url"),
		    "sms.dlr_url: must be an http or https URL, where the "
		    "gateway reaches closeloopd's listener (got \"%s\")",
		    cf->sms_dlr_url);
	if (cf->sms_dlr_url != NULL && cf->sms_dlr_secret_file == NULL)
		config_problem(pr, config_lookup(lc, "sms.dlr_url"),
		    "sms.dlr_url: needs sms.dlr_secret_file, the key that "
		    "signs each receipt's URL");
	cf->sms_dlr_secret = config_secret(pr, lc, "sms.dlr_secret_file",
	    cf->sms_dlr_secret_file);
	cf->sms_inbound_secret = config_secret(pr, lc,
	    "sms.inbound_secret_file", cf->sms_inbound_secret_file);
	if (q != NULL && *q != '\0') {
		dash = strchr(q, '-');
		if (dash == NULL ||
		    (cf->sms_quiet_start = config_clock(q, dash - q)) < 0 ||
		    (cf->sms_quiet_end = config_clock(dash + 1,
		    strlen(dash + 1))) < 0 ||
		    cf->sms_quiet_start == cf->sms_quiet_end) {
			cf->sms_quiet_start = cf->sms_quiet_end = -1;
			config_problem(pr, config_lookup(lc, "sms.quiet_hours"),
			    "sms.quiet_hours: must be \"HH:MM-HH:MM\", two "
			    "different times (got \"%s\")", q);
		}
	}
}

/* Check the sentinel settings against each other. */
static void
config_finish_sentinels(struct config *cf, struct config_problems *pr,
    config_t *lc)
{
	const char	*name = cf->redis_master_name;

	if (cf->redis_nsentinels != 0 &&
	    config_lookup(lc, "redis.master_name") == NULL)
		config_problem(pr, config_lookup(lc, "redis.sentinels"),
		    "redis.sentinels: needs redis.master_name, the name the "
		    "sentinels know the master by");
	if (name != NULL && config_lookup(lc, "redis.sentinels") == NULL)
		config_problem(pr, config_lookup(lc, "redis.master_name"),
		    "redis.master_name: needs redis.sentinels");
	if (name != NULL && strspn(name, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:") != strlen(name))
		config_problem(pr, config_lookup(lc, "redis.master_name"),
		    "redis.master_name: must be letters, digits, '.', '-', "
		    "'_' and ':' (got \"%s\")", name);
	if (cf->redis_sentinel_password_file != NULL &&
	    config_lookup(lc, "redis.sentinels") == NULL)
		config_problem(pr, config_lookup(lc,
		    "redis.sentinel_password_file"),
		    "redis.sentinel_password_file: needs redis.sentinels");
	cf->redis_sentinel_password = config_secret(pr, lc,
	    "redis.sentinel_password_file", cf->redis_sentinel_password_file);
}

/* Check and derive the settings that depend on each other. */
static void
config_finish(struct config *cf, struct config_problems *pr, config_t *lc)
{
	const config_setting_t	*s;
	const char		*why = NULL;
	char			*cause;

	s = config_lookup(lc, "redis.url");
	if (redisurl_parse(cf->redis_url, &cf->redis_addr, &why) != 0 &&
	    strchr(cf->redis_url, '@') != NULL)
		config_problem(pr, s, "redis.url: %s", why);
	else if (why != NULL)
		config_problem(pr, s, "redis.url: %s (got \"%s\")", why,
		    cf->redis_url);
	if (cf->redis_stream == NULL)
		cf->redis_stream = xasprintf("%sevents", cf->redis_prefix);
	if (cf->redis_dead_stream == NULL) {
		cf->redis_dead_stream = xasprintf("%sdead", cf->redis_prefix);
		cf->redis_dead_derived = 1;
	}
	if (strcmp(cf->redis_stream, cf->redis_dead_stream) == 0)
		config_problem(pr, config_lookup(lc, "redis.dead_stream"),
		    "redis.dead_stream: must differ from redis.stream");
	cf->redis_password = config_secret(pr, lc, "redis.password_file",
	    cf->redis_password_file);
	if (config_lookup(lc, "http.listen") != NULL)
		cf->http_listen_default = 0;
	if (cf->http_listen != NULL && *cf->http_listen == '\0') {
		free(cf->http_listen);	/* "": no listener */
		cf->http_listen = NULL;
	}
	if (cf->http_listen != NULL &&
	    http_listen_check(cf->http_listen, &cause) != 0) {
		config_problem(pr, config_lookup(lc, "http.listen"),
		    "http.listen: %s (got \"%s\")", cause, cf->http_listen);
		free(cause);
	}
	config_finish_sentinels(cf, pr, lc);
	config_finish_templates(cf, pr, lc);
	config_finish_email(cf, pr, lc);
	config_finish_sms(cf, pr, lc);
	if (cf->retry_max_seconds < cf->retry_initial_seconds)
		config_problem(pr, config_lookup(lc, "retry.max_seconds"),
		    "retry.max_seconds: must be at least retry.initial_seconds "
		    "(%lld)", (long long)cf->retry_initial_seconds);
	if (cf->redis_username != NULL && cf->redis_password_file == NULL)
		config_problem(pr, config_lookup(lc, "redis.username"),
		    "redis.username: needs redis.password_file");
}

/* What libconfig's bare "syntax error" most often means. */
#define CONFIG_SYNTAX_HINT "libconfig cannot read this (a string without " \
	"its double quotes? a setting without its ';', a group without its " \
	"'}'?)"

/*
 * Say what libconfig found wrong with the file's syntax, where, and in
 * words an operator can act on: libconfig says only "syntax error" for
 * most mistakes, the commonest of which is a string without quotes.
 */
static char *
config_syntax_error(const config_t *lc, const char *path)
{
	const char	*what = config_error_text(lc);
	const char	*file = config_error_file(lc) != NULL ?
			    config_error_file(lc) : path;

	if (what != NULL && strcmp(what, "syntax error") == 0)
		return xasprintf("%s:%d: syntax error: %s", file,
		    config_error_line(lc), CONFIG_SYNTAX_HINT);
	return xasprintf("%s:%d: syntax error: %s", file,
	    config_error_line(lc), what != NULL ? what : "unknown");
}

/* Read and validate the file at path, or take the defaults. */
struct config *
config_load(const char *path, char **cause)
{
	struct config		*cf;
	struct config_problems	 pr;
	struct stat		 sb;
	config_t		 lc;
	char			*text = NULL;

	memset(&pr, 0, sizeof pr);
	pr.file = path != NULL ? path : CONFIG_BUILTIN;
	cf = xcalloc(1, sizeof *cf);
	cf->path = xstrdup(pr.file);
	config_defaults(cf);

	config_init(&lc);
	if (path == NULL)
		goto check;	/* the built-in defaults alone */
	if (stat(path, &sb) != 0) {
		config_problem(&pr, NULL, "cannot read the file: %s",
		    strerror(errno));
		goto fail;
	}
	if (!S_ISREG(sb.st_mode)) {
		config_problem(&pr, NULL, "cannot read the file: %s",
		    S_ISDIR(sb.st_mode) ? strerror(EISDIR) :
		    "not a regular file");
		goto fail;
	}
	errno = 0;
	if (config_read_file(&lc, path) != CONFIG_TRUE) {
		if (config_error_type(&lc) == CONFIG_ERR_FILE_IO)
			config_problem(&pr, NULL, "cannot read the file: %s",
			    errno != 0 ? strerror(errno) : "read error");
		else
			text = config_syntax_error(&lc, path);
		goto fail;
	}
check:
	config_walk(cf, &pr, config_root_setting(&lc));
	config_finish(cf, &pr, &lc);
	if (pr.count != 0)
		goto fail;
	config_destroy(&lc);
	return cf;

fail:
	if (text == NULL)
		text = config_problems_text(&pr);
	config_destroy(&lc);
	config_free(cf);
	if (cause != NULL)
		*cause = text;
	else
		free(text);
	return NULL;
}

/* Free a config. */
void
config_free(struct config *cf)
{
	size_t	i;

	if (cf == NULL)
		return;
	division_free(cf->divisions, cf->ndivisions);
	for (i = 0; i < cf->templates_nphoto_hosts; i++)
		free(cf->templates_photo_hosts[i]);
	free(cf->templates_photo_hosts);
	free(cf->templates_dir);
	free(cf->templates_default_locale);
	free(cf->templates_status_url);
	free(cf->templates_unsubscribe_url);
	free(cf->templates_unsubscribe_secret_file);
	secret_free(cf->templates_unsubscribe_secret);
	free(cf->templates_timezone);
	free(cf->templates_city);
	for (i = 0; i < cf->templates_ncity_names; i++) {
		free(cf->templates_city_names[i].locale);
		free(cf->templates_city_names[i].name);
	}
	free(cf->templates_city_names);
	secret_free(cf->redis_password);
	free(cf->redis_password_file);
	secret_free(cf->email_password);
	secret_free(cf->sms_password);
	free(cf->email_smtp);
	free(cf->email_host);
	free(cf->email_port);
	free(cf->email_starttls_name);
	free(cf->email_ca_file);
	free(cf->email_from);
	free(cf->email_from_name);
	free(cf->email_from_addr);
	free(cf->email_username);
	free(cf->email_password_file);
	free(cf->email_helo);
	free(cf->sms_gateway);
	free(cf->sms_url);
	free(cf->sms_from);
	free(cf->sms_username);
	free(cf->sms_password_file);
	free(cf->sms_ca_file);
	free(cf->sms_quiet_hours);
	free(cf->sms_dlr_url);
	free(cf->sms_dlr_secret_file);
	secret_free(cf->sms_dlr_secret);
	free(cf->sms_inbound_secret_file);
	secret_free(cf->sms_inbound_secret);
	free(cf->audit_file);
	free(cf->http_listen);
	free(cf->redis_username);
	free(cf->redis_url);
	redisurl_clear(&cf->redis_addr);
	for (i = 0; i < cf->redis_nsentinels; i++)
		redisurl_clear(&cf->redis_sentinels[i]);
	free(cf->redis_sentinels);
	free(cf->redis_master_name);
	free(cf->redis_sentinel_password_file);
	secret_free(cf->redis_sentinel_password);
	free(cf->redis_prefix);
	free(cf->redis_stream);
	free(cf->redis_dead_stream);
	free(cf->redis_group);
	free(cf->redis_consumer);
	free(cf->path);
	free(cf);
}

/* Use another prefix for closeloop's keys. */
void
config_prefix(struct config *cf, const char *prefix)
{
	free(cf->redis_prefix);
	cf->redis_prefix = xstrdup(prefix);
	if (cf->redis_dead_derived) {
		free(cf->redis_dead_stream);
		cf->redis_dead_stream = xasprintf("%sdead", prefix);
	}
}

/* Make a configuration a rehearsal's, beside the real daemon's. */
const char *
config_rehearsal(struct config *cf)
{
	char	*prefix, *old;
	size_t	 len = strlen(cf->redis_prefix);

	if (len > 0 && cf->redis_prefix[len - 1] == ':')
		prefix = xasprintf("%.*s%s:", (int)(len - 1), cf->redis_prefix,
		    CONFIG_REHEARSAL);
	else if (len > 0)
		prefix = xasprintf("%s%s:", cf->redis_prefix, CONFIG_REHEARSAL);
	else	/* no prefix: the rehearsal's own, without the dash */
		prefix = xasprintf("%s:", &CONFIG_REHEARSAL[1]);
	config_prefix(cf, prefix);
	free(prefix);
	if (!cf->redis_dead_derived) {
		old = cf->redis_dead_stream;
		cf->redis_dead_stream = xasprintf("%s%s", old,
		    CONFIG_REHEARSAL);
		free(old);
	}
	old = cf->redis_group;
	cf->redis_group = xasprintf("%s%s", old, CONFIG_REHEARSAL);
	free(old);
	free(cf->audit_file);
	cf->audit_file = NULL;
	free(cf->http_listen);
	cf->http_listen = NULL;
	return cf->redis_prefix;
}
