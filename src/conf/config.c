/*
 * config.c - closeloopd's configuration: its defaults and its life
 *
 * A struct config starts from the built-in defaults; config_load() has
 * the file read over them (confload.c and the other files of src/conf,
 * which share confint.h) and hands the caller the result, or every
 * problem found. config_prefix() and config_rehearsal() move the keys
 * of a configuration just loaded under another prefix, for closeloop
 * --prefix and --dry-run and closeloopd --dry-run.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "confint.h"
#include "division.h"
#include "feedback.h"
#include "log.h"
#include "redisurl.h"
#include "secret.h"
#include "vocab.h"
#include "xmalloc.h"

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
	cf->policy_overdue_notice = 1;
	feedback_init(&cf->feedback);
	cf->feedback.ask = 1;
	cf->feedback.ask_after = 3 * 86400;
	cf->feedback_answer_days = 30;
	cf->templates_dir = xstrdup(CONFIG_TEMPLATES_DIR);
	cf->templates_default_locale = xstrdup("en");
	cf->templates_timezone = xstrdup("America/Toronto");
	cf->templates_city = xstrdup("City of Toronto");
	cf->templates_unsubscribe_days = 90;
	cf->web_listen = xstrdup(CONFIG_WEB_LISTEN);
	cf->web_pages_dir = xstrdup(CONFIG_PAGES_DIR);
	cf->web_chartjs = xstrdup(CONFIG_CHARTJS);
	cf->web_session_idle_minutes = 30;
	cf->web_session_max_hours = 12;
	cf->web_cookie_secure = 1;
	cf->web_signin_limit = 5;
	cf->web_signin_window_minutes = 15;
	cf->sms_max_segments = 3;
	cf->sms_max_per_second = 10;
	cf->sms_quiet_start = -1;
	cf->sms_quiet_end = -1;
	cf->sms_connections = 8;
	cf->sms_timeout_seconds = 30;
	cf->sms_dlr_mask = 31;
	cf->sms_dlr_max_age_days = 30;
	cf->audit_retain_days = 90;
	cf->audit_rollup_days = 400;
	cf->audit_fsync = 1;
	cf->audit_keep_messages = 1;
	cf->outbound_enabled = 1;
	cf->outbound_maxlen = 1000000;
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
	cf->delivery_max_per_contact_per_hour = 6;
	cf->delivery_max_event_age_hours = 72;
	cf->delivery_breaker_window = 500;
	cf->delivery_breaker_percent = 10;
	cf->log_level = LOG_LEVEL_INFO;
	cf->shutdown_timeout = 30;
}

/* Read and validate the file at path, or take the defaults. */
/* Read a file, or the defaults, for reader. */
static struct config *
config_open(const char *path, enum config_reader reader, char **cause)
{
	struct config	*cf;

	cf = xcalloc(1, sizeof *cf);
	cf->path = xstrdup(path != NULL ? path : CONFIG_BUILTIN);
	cf->reader = reader;
	config_defaults(cf);
	if (confload_read(cf, path, cause) != 0) {
		config_free(cf);
		return NULL;
	}
	return cf;
}

/* Read and validate a configuration file for closeloopd or closeloop. */
struct config *
config_load(const char *path, char **cause)
{
	return config_open(path, CONFIG_DAEMON, cause);
}

/* Read and validate a configuration file for closeloop bounce. */
struct config *
config_load_bounce(const char *path, char **cause)
{
	return config_open(path, CONFIG_BOUNCE, cause);
}

/* Read and validate a configuration file for closeloop-web. */
struct config *
config_load_web(const char *path, char **cause)
{
	struct config	*cf;

	if ((cf = config_open(path, CONFIG_WEB, cause)) == NULL)
		return NULL;
	if (cf->web_redis_username != NULL) {
		free(cf->redis_username);
		cf->redis_username = xstrdup(cf->web_redis_username);
	}
	if (cf->web_redis_password_file != NULL) {
		secret_free(cf->redis_password);
		cf->redis_password = cf->web_redis_password;
		cf->web_redis_password = NULL;
	}
	return cf;
}

/* Free a config. */
void
config_free(struct config *cf)
{
	size_t	i;

	if (cf == NULL)
		return;
	division_free(cf->divisions, cf->ndivisions);
	standard_free(cf->standards, cf->nstandards);
	free(cf->policy_holidays);
	feedback_clear(&cf->feedback);
	free(cf->feedback_answer_url);
	free(cf->feedback_answer_secret_file);
	secret_free(cf->feedback_answer_secret);
	confweb_free(cf);
	for (i = 0; i < cf->templates_nphoto_hosts; i++)
		free(cf->templates_photo_hosts[i]);
	free(cf->templates_photo_hosts);
	free(cf->templates_dir);
	free(cf->templates_default_locale);
	free(cf->templates_status_url);
	free(cf->templates_unsubscribe_url);
	free(cf->templates_unsubscribe_secret_file);
	secret_free(cf->templates_unsubscribe_secret);
	free(cf->templates_resident_url);
	free(cf->templates_resident_secret_file);
	secret_free(cf->templates_resident_secret);
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
	free(cf->email_bounce_address);
	free(cf->email_bounce_secret_file);
	secret_free(cf->email_bounce_secret);
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
	free(cf->audit_lookup_secret_file);
	secret_free(cf->audit_lookup_secret);
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
	free(cf->outbound_stream);
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
	if (cf->outbound_derived) {
		free(cf->outbound_stream);
		cf->outbound_stream = xasprintf("%soutbound", prefix);
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
	if (!cf->outbound_derived) {
		old = cf->outbound_stream;
		cf->outbound_stream = xasprintf("%s%s", old,
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

