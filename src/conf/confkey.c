/*
 * confkey.c - the settings of closeloopd.conf that closeloopd knows
 *
 * Every setting other than the free-form divisions is in confkey_table:
 * its full name, how it is read, its range and where its value goes in
 * struct config. A group is in the table too, so that a group the table
 * does not know is reported as unknown like any other setting. The
 * defaults are config.c's (config_defaults()); closeloopd.conf(5) and
 * etc/closeloopd.conf document every entry (tests/it/docs.sh checks).
 */
#include "build.h"

#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "confint.h"
#include "xmalloc.h"

/* Where field f is in struct config. */
#define CONFKEY_AT(f) offsetof(struct config, f)

/* Every setting and group closeloopd knows, outside the divisions. */
static const struct confkey confkey_table[] = {
	{ "redis", CONFKEY_GROUP, 0, 0, 0 },
	{ "redis.url", CONFKEY_STRING, 1, 1024, CONFKEY_AT(redis_url) },
	{ "redis.username", CONFKEY_STRING, 1, 256,
	    CONFKEY_AT(redis_username) },
	{ "redis.password_file", CONFKEY_STRING, 1, PATH_MAX,
	    CONFKEY_AT(redis_password_file) },
	{ "redis.prefix", CONFKEY_STRING, 0, 64, CONFKEY_AT(redis_prefix) },
	{ "redis.stream", CONFKEY_STRING, 1, 256, CONFKEY_AT(redis_stream) },
	{ "redis.dead_stream", CONFKEY_STRING, 1, 256,
	    CONFKEY_AT(redis_dead_stream) },
	{ "redis.group", CONFKEY_STRING, 1, 256, CONFKEY_AT(redis_group) },
	{ "redis.consumer", CONFKEY_STRING, 1, 256,
	    CONFKEY_AT(redis_consumer) },
	{ "redis.claim_idle_ms", CONFKEY_INT, 100, 86400000,
	    CONFKEY_AT(redis_claim_idle_ms) },
	{ "redis.max_deliveries", CONFKEY_INT, 1, 1000,
	    CONFKEY_AT(redis_max_deliveries) },
	{ "redis.connect_timeout_ms", CONFKEY_INT, 100, 60000,
	    CONFKEY_AT(redis_connect_timeout_ms) },
	{ "redis.retry_max_ms", CONFKEY_INT, 100, 300000,
	    CONFKEY_AT(redis_retry_max_ms) },
	{ "redis.sentinels", CONFKEY_SENTINELS, 1, CONFIG_SENTINELS_MAX,
	    CONFKEY_AT(redis_sentinels) },
	{ "redis.master_name", CONFKEY_STRING, 1, 128,
	    CONFKEY_AT(redis_master_name) },
	{ "redis.sentinel_password_file", CONFKEY_STRING, 1, PATH_MAX,
	    CONFKEY_AT(redis_sentinel_password_file) },
	{ "events", CONFKEY_GROUP, 0, 0, 0 },
	{ "events.batch", CONFKEY_INT, 1, 10000, CONFKEY_AT(events_batch) },
	{ "events.dedupe_seconds", CONFKEY_INT, 60, 31536000,
	    CONFKEY_AT(events_dedupe_seconds) },
	{ "events.history_max", CONFKEY_INT, 10, 100000,
	    CONFKEY_AT(events_history_max) },
	{ "events.history_days", CONFKEY_INT, 1, 3650,
	    CONFKEY_AT(events_history_days) },
	{ "policy", CONFKEY_GROUP, 0, 0, 0 },
	{ "policy.settle_seconds", CONFKEY_INT, 0, 86400,
	    CONFKEY_AT(policy_settle_seconds) },
	{ "policy.coalesce_seconds", CONFKEY_INT, 0, 86400,
	    CONFKEY_AT(policy_coalesce_seconds) },
	{ "policy.retain_days", CONFKEY_INT, 1, 3650,
	    CONFKEY_AT(policy_retain_days) },
	{ "policy.notify_on", CONFKEY_NOTICES, 0, 0,
	    CONFKEY_AT(policy_notify_on) },
	{ "policy.follow_duplicates", CONFKEY_BOOL, 0, 0,
	    CONFKEY_AT(policy_follow_duplicates) },
	{ "policy.overdue_notice", CONFKEY_BOOL, 0, 0,
	    CONFKEY_AT(policy_overdue_notice) },
	{ "policy.holidays", CONFKEY_HOLIDAYS, 0, 0,
	    CONFKEY_AT(policy_holidays) },
	{ "feedback", CONFKEY_GROUP, 0, 0, 0 },
	{ "feedback.ask", CONFKEY_BOOL, 0, 0, CONFKEY_AT(feedback.ask) },
	{ "feedback.ask_after", CONFKEY_DURATION, 0, 0,
	    CONFKEY_AT(feedback.ask_after) },
	{ "feedback.services", CONFKEY_FEEDBACK, 0, 0, CONFKEY_AT(feedback) },
	{ "feedback.answer_days", CONFKEY_INT, 1, 365,
	    CONFKEY_AT(feedback_answer_days) },
	{ "feedback.answer_url", CONFKEY_STRING, 9, 1024,
	    CONFKEY_AT(feedback_answer_url) },
	{ "feedback.answer_secret_file", CONFKEY_STRING, 1, PATH_MAX,
	    CONFKEY_AT(feedback_answer_secret_file) },
	{ "templates", CONFKEY_GROUP, 0, 0, 0 },
	{ "templates.dir", CONFKEY_STRING, 1, PATH_MAX,
	    CONFKEY_AT(templates_dir) },
	{ "templates.default_locale", CONFKEY_STRING, 2, 35,
	    CONFKEY_AT(templates_default_locale) },
	{ "templates.photo_hosts", CONFKEY_HOSTS, 0, 0,
	    CONFKEY_AT(templates_photo_hosts) },
	{ "templates.status_url", CONFKEY_STRING, 9, 1024,
	    CONFKEY_AT(templates_status_url) },
	{ "templates.unsubscribe_url", CONFKEY_STRING, 9, 1024,
	    CONFKEY_AT(templates_unsubscribe_url) },
	{ "templates.unsubscribe_secret_file", CONFKEY_STRING, 1, PATH_MAX,
	    CONFKEY_AT(templates_unsubscribe_secret_file) },
	{ "templates.unsubscribe_days", CONFKEY_INT, 1, 3650,
	    CONFKEY_AT(templates_unsubscribe_days) },
	{ "templates.resident_url", CONFKEY_STRING, 9, 1024,
	    CONFKEY_AT(templates_resident_url) },
	{ "templates.resident_secret_file", CONFKEY_STRING, 1, PATH_MAX,
	    CONFKEY_AT(templates_resident_secret_file) },
	{ "templates.timezone", CONFKEY_STRING, 1, 64,
	    CONFKEY_AT(templates_timezone) },
	{ "templates.city", CONFKEY_CITY, 1, 200, CONFKEY_AT(templates_city) },
	{ "sms", CONFKEY_GROUP, 0, 0, 0 },
	{ "sms.max_segments", CONFKEY_INT, 1, 10,
	    CONFKEY_AT(sms_max_segments) },
	{ "sms.gateway", CONFKEY_STRING, 1, 16, CONFKEY_AT(sms_gateway) },
	{ "sms.url", CONFKEY_STRING, 8, 1024, CONFKEY_AT(sms_url) },
	{ "sms.from", CONFKEY_STRING, 1, 32, CONFKEY_AT(sms_from) },
	{ "sms.username", CONFKEY_STRING, 1, 256, CONFKEY_AT(sms_username) },
	{ "sms.password_file", CONFKEY_STRING, 1, PATH_MAX,
	    CONFKEY_AT(sms_password_file) },
	{ "sms.ca_file", CONFKEY_STRING, 1, PATH_MAX, CONFKEY_AT(sms_ca_file) },
	{ "sms.allow_http_loopback", CONFKEY_BOOL, 0, 0,
	    CONFKEY_AT(sms_allow_http_loopback) },
	{ "sms.max_per_second", CONFKEY_INT, 1, 10000,
	    CONFKEY_AT(sms_max_per_second) },
	{ "sms.quiet_hours", CONFKEY_STRING, 0, 11,
	    CONFKEY_AT(sms_quiet_hours) },
	{ "sms.connections", CONFKEY_INT, 1, 256, CONFKEY_AT(sms_connections) },
	{ "sms.timeout_seconds", CONFKEY_INT, 1, 600,
	    CONFKEY_AT(sms_timeout_seconds) },
	{ "sms.dlr_url", CONFKEY_STRING, 8, 1024, CONFKEY_AT(sms_dlr_url) },
	{ "sms.dlr_mask", CONFKEY_INT, 0, 31, CONFKEY_AT(sms_dlr_mask) },
	{ "sms.dlr_secret_file", CONFKEY_STRING, 1, PATH_MAX,
	    CONFKEY_AT(sms_dlr_secret_file) },
	{ "sms.dlr_max_age_days", CONFKEY_INT, 1, 365,
	    CONFKEY_AT(sms_dlr_max_age_days) },
	{ "sms.inbound_secret_file", CONFKEY_STRING, 1, PATH_MAX,
	    CONFKEY_AT(sms_inbound_secret_file) },
	{ "audit", CONFKEY_GROUP, 0, 0, 0 },
	{ "audit.retain_days", CONFKEY_INT, 1, 3650,
	    CONFKEY_AT(audit_retain_days) },
	{ "audit.rollup_days", CONFKEY_INT, 1, 3650,
	    CONFKEY_AT(audit_rollup_days) },
	{ "audit.file", CONFKEY_STRING, 1, PATH_MAX, CONFKEY_AT(audit_file) },
	{ "audit.fsync", CONFKEY_BOOL, 0, 0, CONFKEY_AT(audit_fsync) },
	{ "audit.keep_messages", CONFKEY_BOOL, 0, 0,
	    CONFKEY_AT(audit_keep_messages) },
	{ "audit.lookup_secret_file", CONFKEY_STRING, 1, PATH_MAX,
	    CONFKEY_AT(audit_lookup_secret_file) },
	{ "outbound", CONFKEY_GROUP, 0, 0, 0 },
	{ "outbound.enabled", CONFKEY_BOOL, 0, 0,
	    CONFKEY_AT(outbound_enabled) },
	{ "outbound.stream", CONFKEY_STRING, 1, 256,
	    CONFKEY_AT(outbound_stream) },
	{ "outbound.maxlen", CONFKEY_INT, 1000, 1000000000,
	    CONFKEY_AT(outbound_maxlen) },
	{ "http", CONFKEY_GROUP, 0, 0, 0 },
	{ "http.listen", CONFKEY_STRING, 0, 128, CONFKEY_AT(http_listen) },
	{ "http.health_max_lag", CONFKEY_INT, 0, 1000000000,
	    CONFKEY_AT(http_health_max_lag) },
	{ "http.health_max_delay_seconds", CONFKEY_INT, 1, 604800,
	    CONFKEY_AT(http_health_max_delay_seconds) },
	{ "email", CONFKEY_GROUP, 0, 0, 0 },
	{ "email.smtp", CONFKEY_STRING, 8, 1024, CONFKEY_AT(email_smtp) },
	{ "email.starttls", CONFKEY_STRING, 2, 16,
	    CONFKEY_AT(email_starttls_name) },
	{ "email.ca_file", CONFKEY_STRING, 1, PATH_MAX,
	    CONFKEY_AT(email_ca_file) },
	{ "email.from", CONFKEY_STRING, 3, 512, CONFKEY_AT(email_from) },
	{ "email.username", CONFKEY_STRING, 1, 256,
	    CONFKEY_AT(email_username) },
	{ "email.password_file", CONFKEY_STRING, 1, PATH_MAX,
	    CONFKEY_AT(email_password_file) },
	{ "email.helo", CONFKEY_STRING, 1, 255, CONFKEY_AT(email_helo) },
	{ "email.sessions", CONFKEY_INT, 1, 64, CONFKEY_AT(email_sessions) },
	{ "email.messages_per_session", CONFKEY_INT, 1, 1000,
	    CONFKEY_AT(email_messages_per_session) },
	{ "email.timeout_seconds", CONFKEY_INT, 1, 600,
	    CONFKEY_AT(email_timeout_seconds) },
	{ "email.bounce_address", CONFKEY_STRING, 8, 254,
	    CONFKEY_AT(email_bounce_address) },
	{ "email.bounce_secret_file", CONFKEY_STRING, 1, PATH_MAX,
	    CONFKEY_AT(email_bounce_secret_file) },
	{ "web", CONFKEY_GROUP, 0, 0, 0 },
	{ "web.listen", CONFKEY_STRING, 0, 300, CONFKEY_AT(web_listen) },
	{ "web.pages_dir", CONFKEY_STRING, 1, PATH_MAX,
	    CONFKEY_AT(web_pages_dir) },
	{ "web.chartjs", CONFKEY_STRING, 1, PATH_MAX,
	    CONFKEY_AT(web_chartjs) },
	{ "web.redis_username", CONFKEY_STRING, 1, 256,
	    CONFKEY_AT(web_redis_username) },
	{ "web.redis_password_file", CONFKEY_STRING, 1, PATH_MAX,
	    CONFKEY_AT(web_redis_password_file) },
	{ "web.session_idle_minutes", CONFKEY_INT, 1, 1440,
	    CONFKEY_AT(web_session_idle_minutes) },
	{ "web.session_max_hours", CONFKEY_INT, 1, 168,
	    CONFKEY_AT(web_session_max_hours) },
	{ "web.cookie_secure", CONFKEY_BOOL, 0, 0,
	    CONFKEY_AT(web_cookie_secure) },
	{ "web.signin_limit", CONFKEY_INT, 1, 1000,
	    CONFKEY_AT(web_signin_limit) },
	{ "web.signin_window_minutes", CONFKEY_INT, 1, 1440,
	    CONFKEY_AT(web_signin_window_minutes) },
	{ "web.trusted_proxies", CONFKEY_PROXIES, 0, 0,
	    CONFKEY_AT(web_trusted_proxies) },
	{ "web.groups", CONFKEY_GROUPS, 0, 0, CONFKEY_AT(web_groups) },
	{ "retry", CONFKEY_GROUP, 0, 0, 0 },
	{ "retry.initial_seconds", CONFKEY_INT, 1, 86400,
	    CONFKEY_AT(retry_initial_seconds) },
	{ "retry.max_seconds", CONFKEY_INT, 1, 86400,
	    CONFKEY_AT(retry_max_seconds) },
	{ "retry.email_max_age_hours", CONFKEY_INT, 1, 720,
	    CONFKEY_AT(retry_email_max_age_hours) },
	{ "retry.sms_max_age_hours", CONFKEY_INT, 1, 720,
	    CONFKEY_AT(retry_sms_max_age_hours) },
	{ "delivery", CONFKEY_GROUP, 0, 0, 0 },
	{ "delivery.fallback", CONFKEY_BOOL, 0, 0,
	    CONFKEY_AT(delivery_fallback) },
	{ "delivery.outbox_max", CONFKEY_INT, 1, 100000000,
	    CONFKEY_AT(delivery_outbox_max) },
	{ "delivery.lease_seconds", CONFKEY_INT, 5, 86400,
	    CONFKEY_AT(delivery_lease_seconds) },
	{ "delivery.max_per_contact_per_hour", CONFKEY_INT, 0, 1000,
	    CONFKEY_AT(delivery_max_per_contact_per_hour) },
	{ "delivery.max_event_age_hours", CONFKEY_INT, 0, 8760,
	    CONFKEY_AT(delivery_max_event_age_hours) },
	{ "delivery.breaker_window", CONFKEY_INT, 0, 100000,
	    CONFKEY_AT(delivery_breaker_window) },
	{ "delivery.breaker_percent", CONFKEY_INT, 1, 100,
	    CONFKEY_AT(delivery_breaker_percent) },
	{ "log", CONFKEY_GROUP, 0, 0, 0 },
	{ "log.level", CONFKEY_LEVEL, 0, 0, CONFKEY_AT(log_level) },
	{ "shutdown_timeout", CONFKEY_INT, 1, 3600,
	    CONFKEY_AT(shutdown_timeout) },
	{ "divisions", CONFKEY_GROUP, 0, 0, 0 },
};

#define CONFKEY_N (sizeof confkey_table / sizeof confkey_table[0])

/* Find a key by full name. */
const struct confkey *
confkey_find(const char *name)
{
	size_t	i;

	for (i = 0; i < CONFKEY_N; i++) {
		if (strcmp(confkey_table[i].name, name) == 0)
			return &confkey_table[i];
	}
	return NULL;
}

/* Build the full dotted name of a setting, e.g. "redis.url". */
char *
confkey_name(const config_setting_t *s)
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
