/*
 * confcheck.c - the checks of settings against each other, once read
 *
 * After the file is walked, the settings that depend on each other are
 * checked together (a gateway needs its URL, sentinels a master name,
 * an SMTP user a password, the link to a resident's page its key), and
 * what is derived from them is filled in: the streams named after the
 * prefix, the parts of email.smtp and email.from, the quiet hours in
 * minutes. The secrets the settings name are read here too (secret.h).
 * Every problem goes to the list of confproblem.c, at the line of the
 * setting it is about.
 */
#include "build.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "confint.h"
#include "datefmt.h"
#include "http.h"
#include "redisurl.h"
#include "secret.h"
#include "sms.h"
#include "syntax.h"
#include "verp.h"
#include "xmalloc.h"

/* The secrets closeloop-web may hold (config_load_web()). */
static const char *const confcheck_web_secrets[] = {
	"web.redis_password_file",
	"audit.lookup_secret_file",
	"templates.resident_secret_file",
	"redis.sentinel_password_file"
};

/* The secrets closeloop bounce may hold (config_load_bounce()). */
static const char *const confcheck_bounce_secrets[] = {
	"redis.password_file",
	"redis.sentinel_password_file",
	"email.bounce_secret_file"
};

/* Return 1 if the configuration's reader may hold secret name. */
static int
confcheck_may_hold(const struct confproblems *pr, const char *name)
{
	const char *const	*list = confcheck_web_secrets;
	size_t			 i, n = sizeof confcheck_web_secrets /
				    sizeof confcheck_web_secrets[0];

	if (pr->reader == CONFIG_DAEMON)
		return 1;
	if (pr->reader == CONFIG_BOUNCE) {
		list = confcheck_bounce_secrets;
		n = sizeof confcheck_bounce_secrets /
		    sizeof confcheck_bounce_secrets[0];
	}
	for (i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return 1;
	return 0;
}

/* Read the secret that setting name (a file name) points to. */
char *
confcheck_secret(struct confproblems *pr, config_t *lc, const char *name,
    const char *path)
{
	char	*what, *secret, *cause = NULL;

	if (path == NULL || !confcheck_may_hold(pr, name))
		return NULL;
	what = xasprintf("%s: %s", pr->file, name);
	if ((secret = secret_read(path, what, &cause)) == NULL) {
		confproblem_add(pr, config_lookup(lc, name), "%s: %s", name,
		    cause);
		free(cause);
	}
	free(what);
	return secret;
}

/* Check a URL pattern: https, with "{sr}" and "{token}" as need says. */
void
confcheck_url(struct confproblems *pr, config_t *lc, const char *name,
    const char *v, int need)
{
	if (v == NULL)
		return;
	if (strncasecmp(v, "https://", 8) != 0) {
		confproblem_add(pr, config_lookup(lc, name), "%s: must be an "
		    "https URL (got \"%s\")", name, v);
		return;
	}
	if ((need & CONFCHECK_SR) && strstr(v, "{sr}") == NULL)
		confproblem_add(pr, config_lookup(lc, name), "%s: must contain "
		    "{sr}, where the SR number goes (got \"%s\")", name, v);
	if ((need & CONFCHECK_TOKEN) && strstr(v, "{token}") == NULL)
		confproblem_add(pr, config_lookup(lc, name), "%s: must contain "
		    "{token}, where the page's token goes (got \"%s\")", name,
		    v);
}

/*
 * Check the one-click unsubscribe settings: the key, and room in a
 * List-Unsubscribe header (CONFIG_LIST_URL_MAX octets) for the URL with
 * the longest SR number and the parameters added to it.
 */
static void
confcheck_unsubscribe(struct config *cf, struct confproblems *pr,
    config_t *lc)
{
	const char	*url = cf->templates_unsubscribe_url, *p;
	size_t		 len;

	cf->templates_unsubscribe_secret = confcheck_secret(pr, lc,
	    "templates.unsubscribe_secret_file",
	    cf->templates_unsubscribe_secret_file);
	if (cf->templates_unsubscribe_secret_file == NULL)
		return;
	if (url == NULL) {
		confproblem_add(pr, config_lookup(lc,
		    "templates.unsubscribe_secret_file"),
		    "templates.unsubscribe_secret_file: needs "
		    "templates.unsubscribe_url, where the links point");
		return;
	}
	len = strlen(url) + CONFIG_UNSUBSCRIBE_PARAMS;
	for (p = url; (p = strstr(p, "{sr}")) != NULL; p += 4)
		len += 64 - 4;
	if (len > CONFIG_LIST_URL_MAX)
		confproblem_add(pr,
		    config_lookup(lc, "templates.unsubscribe_url"),
		    "templates.unsubscribe_url: too long for a one-click link: "
		    "with an SR number of 64 characters and the %d characters "
		    "of its parameters it would take %zu (at most %d)",
		    CONFIG_UNSUBSCRIBE_PARAMS, len, CONFIG_LIST_URL_MAX);
}

/*
 * Check the link to the resident's own page: its pattern and its key
 * are set together or not at all.
 */
static void
confcheck_resident(struct config *cf, struct confproblems *pr,
    config_t *lc)
{
	confcheck_url(pr, lc, "templates.resident_url",
	    cf->templates_resident_url, CONFCHECK_SR | CONFCHECK_TOKEN);
	cf->templates_resident_secret = confcheck_secret(pr, lc,
	    "templates.resident_secret_file",
	    cf->templates_resident_secret_file);
	if (cf->templates_resident_url != NULL &&
	    cf->templates_resident_secret_file == NULL)
		confproblem_add(pr, config_lookup(lc, "templates.resident_url"),
		    "templates.resident_url: needs "
		    "templates.resident_secret_file, the key of its tokens "
		    "(set both or neither)");
	else if (cf->templates_resident_url == NULL &&
	    cf->templates_resident_secret_file != NULL)
		confproblem_add(pr,
		    config_lookup(lc, "templates.resident_secret_file"),
		    "templates.resident_secret_file: needs "
		    "templates.resident_url, where the links point "
		    "(set both or neither)");
}

/* Check the template settings against each other and ICU. */
static void
confcheck_templates(struct config *cf, struct confproblems *pr,
    config_t *lc)
{
	const char	*why;
	char		 canon[64], *cause = NULL;

	if (syntax_locale(cf->templates_default_locale, canon, sizeof canon,
	    &why) != 0)
		confproblem_add(pr,
		    config_lookup(lc, "templates.default_locale"),
		    "templates.default_locale: %s (got \"%s\")", why,
		    cf->templates_default_locale);
	else {
		free(cf->templates_default_locale);
		cf->templates_default_locale = xstrdup(canon);
	}
	if (datefmt_parse_tz(cf->templates_timezone, &cause) != 0) {
		confproblem_add(pr, config_lookup(lc, "templates.timezone"),
		    "templates.timezone: %s", cause);
		free(cause);
	}
	confcheck_url(pr, lc, "templates.status_url",
	    cf->templates_status_url, CONFCHECK_SR);
	confcheck_url(pr, lc, "templates.unsubscribe_url",
	    cf->templates_unsubscribe_url,
	    cf->templates_unsubscribe_secret_file == NULL ? CONFCHECK_SR : 0);
	confcheck_unsubscribe(cf, pr, lc);
	confcheck_resident(cf, pr, lc);
}

/* Split email.from into a display name and an address. */
static int
confcheck_from(struct config *cf, const char **why)
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

/*
 * Check the envelope sender that names each message (verp.h): an
 * address with one {id} in its local part, room there for the id of a
 * notification, and its key; the two are set together or not at all.
 */
static void
confcheck_bounce(struct config *cf, struct confproblems *pr, config_t *lc)
{
	const char	*v = cf->email_bounce_address, *why = NULL;
	char		*sample;
	int		 room;

	cf->email_bounce_secret = confcheck_secret(pr, lc,
	    "email.bounce_secret_file", cf->email_bounce_secret_file);
	if ((v == NULL) != (cf->email_bounce_secret_file == NULL))
		confproblem_add(pr, config_lookup(lc, v != NULL ?
		    "email.bounce_address" : "email.bounce_secret_file"),
		    "email.bounce_address and email.bounce_secret_file, the "
		    "key of its tokens, go together (set both or neither)");
	if (v == NULL)
		return;
	if ((room = verp_room(v)) < 0) {
		confproblem_add(pr, config_lookup(lc, "email.bounce_address"),
		    "email.bounce_address: must be an address with one {id} "
		    "in its local part, as \"bounces+{id}@city.example\" "
		    "(got \"%s\")", v);
		return;
	}
	if (room < CONFIG_BOUNCE_ID_MIN + 1 + VERP_TOKEN_LEN) {
		confproblem_add(pr, config_lookup(lc, "email.bounce_address"),
		    "email.bounce_address: its local part leaves room for "
		    "notification ids of %d characters; it needs %d (a local "
		    "part holds at most %d, and {id} takes the id, a '.' and a "
		    "token of %d)", room - 1 - VERP_TOKEN_LEN,
		    CONFIG_BOUNCE_ID_MIN, VERP_LOCAL_MAX, VERP_TOKEN_LEN);
		return;
	}
	sample = verp_address(v, "k", 1, "1/1/0");
	if (sample == NULL || syntax_email(sample, &why) != 0)
		confproblem_add(pr, config_lookup(lc, "email.bounce_address"),
		    "email.bounce_address: %s once {id} is filled in (got "
		    "\"%s\")", why != NULL ? why : "not an address", v);
	free(sample);
}

/* Check the settings of delivery by email. */
static void
confcheck_email(struct config *cf, struct confproblems *pr,
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
		confproblem_add(pr, config_lookup(lc, "email.starttls"),
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
			confproblem_add(pr, config_lookup(lc, "email.smtp"),
			    "email.smtp: must be smtp://HOST:PORT, without "
			    "credentials (they go in email.username and "
			    "email.password_file)");
		else if (!ok)
			confproblem_add(pr, config_lookup(lc, "email.smtp"),
			    "email.smtp: must be smtp://HOST:PORT (got \"%s\")",
			    cf->email_smtp);
		else {
			cf->email_host = xstrndup(host, colon - host);
			cf->email_port = xstrdup(colon + 1);
		}
		if (cf->email_from == NULL)
			confproblem_add(pr, config_lookup(lc, "email"),
			    "email.from: must be set when email.smtp is");
	}
	if (cf->email_from != NULL && confcheck_from(cf, &why) != 0)
		confproblem_add(pr, config_lookup(lc, "email.from"),
		    "email.from: %s (got \"%s\")", why, cf->email_from);
	cf->email_password = confcheck_secret(pr, lc, "email.password_file",
	    cf->email_password_file);
	if ((cf->email_username == NULL) != (cf->email_password_file == NULL))
		confproblem_add(pr, config_lookup(lc, "email"),
		    "email.username and email.password_file go together");
	if (cf->email_username != NULL && cf->email_host != NULL &&
	    cf->email_starttls == CONFIG_TLS_OFF &&
	    strcmp(cf->email_host, "127.0.0.1") != 0 &&
	    strcmp(cf->email_host, "localhost") != 0)
		confproblem_add(pr, config_lookup(lc, "email.starttls"),
		    "email.starttls: \"off\" would send the SMTP password in "
		    "clear to %s; use required (or a loopback server)",
		    cf->email_host);
	confcheck_bounce(cf, pr, lc);
}

/* Parse "HH:MM" into minutes since midnight; -1 if it is not that. */
static int
confcheck_clock(const char *s, size_t len)
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
confcheck_sms(struct config *cf, struct confproblems *pr,
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
		confproblem_add(pr, config_lookup(lc, "sms.gateway"),
		    "sms.gateway: must be kannel or twilio (got \"%s\")", gw);
	if (gw != NULL && (cf->sms_url == NULL || cf->sms_from == NULL))
		confproblem_add(pr, config_lookup(lc, "sms.gateway"),
		    "sms.gateway: needs sms.url and sms.from");
	if (cf->sms_url != NULL && sms_url_ok(cf->sms_url,
	    cf->sms_allow_http_loopback, &cause) != 0) {
		/* A URL with credentials in it is not repeated. */
		if (strchr(cf->sms_url, '@') != NULL)
			confproblem_add(pr, config_lookup(lc, "sms.url"),
			    "sms.url: %s", cause);
		else
			confproblem_add(pr, config_lookup(lc, "sms.url"),
			    "sms.url: %s (got \"%s\")", cause, cf->sms_url);
		free(cause);
	}
	if (cf->sms_from != NULL && syntax_phone(cf->sms_from, &why) != 0 &&
	    strspn(cf->sms_from, "0123456789") != strlen(cf->sms_from))
		confproblem_add(pr, config_lookup(lc, "sms.from"),
		    "sms.from: must be an E.164 number or a short code "
		    "(got \"%s\")", cf->sms_from);
	cf->sms_password = confcheck_secret(pr, lc, "sms.password_file",
	    cf->sms_password_file);
	if (cf->sms_dlr_url != NULL &&
	    strncmp(cf->sms_dlr_url, "http://", 7) != 0 &&
	    strncmp(cf->sms_dlr_url, "https://", 8) != 0)
		confproblem_add(pr, config_lookup(lc, "sms.dlr_url"),
		    "sms.dlr_url: must be an http or https URL, where the "
		    "gateway reaches closeloopd's listener (got \"%s\")",
		    cf->sms_dlr_url);
	if (cf->sms_dlr_url != NULL && cf->sms_dlr_secret_file == NULL)
		confproblem_add(pr, config_lookup(lc, "sms.dlr_url"),
		    "sms.dlr_url: needs sms.dlr_secret_file, the key that "
		    "signs each receipt's URL");
	cf->sms_dlr_secret = confcheck_secret(pr, lc, "sms.dlr_secret_file",
	    cf->sms_dlr_secret_file);
	cf->sms_inbound_secret = confcheck_secret(pr, lc,
	    "sms.inbound_secret_file", cf->sms_inbound_secret_file);
	if (q != NULL && *q != '\0') {
		dash = strchr(q, '-');
		if (dash == NULL ||
		    (cf->sms_quiet_start = confcheck_clock(q, dash - q)) < 0 ||
		    (cf->sms_quiet_end = confcheck_clock(dash + 1,
		    strlen(dash + 1))) < 0 ||
		    cf->sms_quiet_start == cf->sms_quiet_end) {
			cf->sms_quiet_start = cf->sms_quiet_end = -1;
			confproblem_add(pr,
			    config_lookup(lc, "sms.quiet_hours"),
			    "sms.quiet_hours: must be \"HH:MM-HH:MM\", two "
			    "different times (got \"%s\")", q);
		}
	}
}

/* Check the sentinel settings against each other. */
static void
confcheck_sentinels(struct config *cf, struct confproblems *pr,
    config_t *lc)
{
	const char	*name = cf->redis_master_name;

	if (cf->redis_nsentinels != 0 &&
	    config_lookup(lc, "redis.master_name") == NULL)
		confproblem_add(pr, config_lookup(lc, "redis.sentinels"),
		    "redis.sentinels: needs redis.master_name, the name the "
		    "sentinels know the master by");
	if (name != NULL && config_lookup(lc, "redis.sentinels") == NULL)
		confproblem_add(pr, config_lookup(lc, "redis.master_name"),
		    "redis.master_name: needs redis.sentinels");
	if (name != NULL && strspn(name, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:") != strlen(name))
		confproblem_add(pr, config_lookup(lc, "redis.master_name"),
		    "redis.master_name: must be letters, digits, '.', '-', "
		    "'_' and ':' (got \"%s\")", name);
	if (cf->redis_sentinel_password_file != NULL &&
	    config_lookup(lc, "redis.sentinels") == NULL)
		confproblem_add(pr, config_lookup(lc,
		    "redis.sentinel_password_file"),
		    "redis.sentinel_password_file: needs redis.sentinels");
	cf->redis_sentinel_password = confcheck_secret(pr, lc,
	    "redis.sentinel_password_file", cf->redis_sentinel_password_file);
}

/* Check and derive the settings that depend on each other. */
void
confcheck_all(struct config *cf, struct confproblems *pr, config_t *lc)
{
	const config_setting_t	*s;
	const char		*why = NULL;
	char			*cause;

	s = config_lookup(lc, "redis.url");
	if (redisurl_parse(cf->redis_url, &cf->redis_addr, &why) != 0 &&
	    strchr(cf->redis_url, '@') != NULL)
		confproblem_add(pr, s, "redis.url: %s", why);
	else if (why != NULL)
		confproblem_add(pr, s, "redis.url: %s (got \"%s\")", why,
		    cf->redis_url);
	if (cf->redis_stream == NULL)
		cf->redis_stream = xasprintf("%sevents", cf->redis_prefix);
	if (cf->redis_dead_stream == NULL) {
		cf->redis_dead_stream = xasprintf("%sdead", cf->redis_prefix);
		cf->redis_dead_derived = 1;
	}
	if (strcmp(cf->redis_stream, cf->redis_dead_stream) == 0)
		confproblem_add(pr, config_lookup(lc, "redis.dead_stream"),
		    "redis.dead_stream: must differ from redis.stream");
	if (cf->outbound_stream == NULL) {
		cf->outbound_stream = xasprintf("%soutbound",
		    cf->redis_prefix);
		cf->outbound_derived = 1;
	}
	if (strcmp(cf->outbound_stream, cf->redis_stream) == 0 ||
	    strcmp(cf->outbound_stream, cf->redis_dead_stream) == 0)
		confproblem_add(pr, config_lookup(lc, "outbound.stream"),
		    "outbound.stream: must differ from redis.stream and "
		    "redis.dead_stream");
	cf->redis_password = confcheck_secret(pr, lc, "redis.password_file",
	    cf->redis_password_file);
	cf->audit_lookup_secret = confcheck_secret(pr, lc,
	    "audit.lookup_secret_file", cf->audit_lookup_secret_file);
	if (config_lookup(lc, "http.listen") != NULL)
		cf->http_listen_default = 0;
	if (cf->http_listen != NULL && *cf->http_listen == '\0') {
		free(cf->http_listen);	/* "": no listener */
		cf->http_listen = NULL;
	}
	if (cf->http_listen != NULL &&
	    http_listen_check(cf->http_listen, &cause) != 0) {
		confproblem_add(pr, config_lookup(lc, "http.listen"),
		    "http.listen: %s (got \"%s\")", cause, cf->http_listen);
		free(cause);
	}
	confcheck_sentinels(cf, pr, lc);
	confcheck_templates(cf, pr, lc);
	confcheck_email(cf, pr, lc);
	confcheck_sms(cf, pr, lc);
	if (cf->retry_max_seconds < cf->retry_initial_seconds)
		confproblem_add(pr, config_lookup(lc, "retry.max_seconds"),
		    "retry.max_seconds: must be at least retry.initial_seconds "
		    "(%lld)", (long long)cf->retry_initial_seconds);
	if (cf->redis_username != NULL && cf->redis_password_file == NULL)
		confproblem_add(pr, config_lookup(lc, "redis.username"),
		    "redis.username: needs redis.password_file");
}
