/*
 * config.h - closeloopd's configuration, read with libconfig and validated
 *
 * config_load() reads a file into a new struct config, checking every
 * setting: unknown names, wrong types, values out of range and missing
 * required values are all reported, each with the file, the line and the
 * setting's full name. Secrets are read from the files the configuration
 * names; they never appear in messages. A struct config is immutable once
 * loaded: SIGHUP builds a new one and swaps it in.
 */
#ifndef CONFIG_H_CLOSELOOP
#define CONFIG_H_CLOSELOOP

#include <stddef.h>
#include <stdint.h>

#include "division.h"
#include "log.h"
#include "redisurl.h"
#include "role.h"
#include "standard.h"
#include "vocab.h"

#ifndef CONFIG_DEFAULT_PATH
#define CONFIG_DEFAULT_PATH "/etc/closeloop/closeloopd.conf"
#endif
#define CONFIG_HTTP_LISTEN "127.0.0.1:9311"
#define CONFIG_WEB_LISTEN "127.0.0.1:9312"
#ifndef CONFIG_PAGES_DIR
#define CONFIG_PAGES_DIR "/usr/share/closeloop/web"
#endif
#define CONFIG_CHARTJS "/usr/share/javascript/chart.js/chart.min.js"
#ifndef CONFIG_TEMPLATES_DIR
#define CONFIG_TEMPLATES_DIR "/usr/share/closeloop/templates"
#endif

/* email.starttls */
#define CONFIG_TLS_REQUIRED		0
#define CONFIG_TLS_OPPORTUNISTIC	1
#define CONFIG_TLS_OFF			2

/* The most sentinels redis.sentinels may list. */
#define CONFIG_SENTINELS_MAX	16
/*
 * The longest List-Unsubscribe URL (mime.h), and the most characters the
 * one-click parameters add to templates.unsubscribe_url:
 * "?sr=" 64 "&c=" 16 "&exp=" 11 "&token=" 64.
 */
#define CONFIG_LIST_URL_MAX		900

/*
 * The room email.bounce_address must leave in its local part for a
 * notification's id ("SR/SEQ/I"): an SR number of 12 characters, and
 * the rest (verp.h).
 */
#define CONFIG_BOUNCE_ID_MIN		18
#define CONFIG_UNSUBSCRIBE_PARAMS	174

/* sms.gateway */
#define CONFIG_SMS_NONE		0
#define CONFIG_SMS_KANNEL	1
#define CONFIG_SMS_TWILIO	2

/* One entry of web.groups: a group of the city's proxy, as a role. */
struct config_group {
	char			*group;
	enum role		 role;
	char			**divisions;	/* codes; division role */
	size_t			 ndivisions;
};

/* Who reads the configuration: which secrets it may hold. */
enum config_reader {
	CONFIG_DAEMON,	/* closeloopd and closeloop: every secret */
	CONFIG_WEB,	/* closeloop-web: its own only (config_load_web()) */
	CONFIG_BOUNCE	/* closeloop bounce: Redis's and the bounce key
			   (config_load_bounce()) */
};

struct config {
	char			*path;
	enum config_reader	 reader;

	/* redis */
	char			*redis_url;
	struct redisurl		 redis_addr;	/* parsed from redis_url */
	char			*redis_username;
	char			*redis_password_file;
	char			*redis_password;	/* from the file; secret */
	char			*redis_prefix;
	char			*redis_stream;
	char			*redis_dead_stream;
	int			 redis_dead_derived; /* prefix + "dead" */
	char			*redis_group;
	char			*redis_consumer;
	int64_t			 redis_claim_idle_ms;
	int64_t			 redis_max_deliveries;
	int64_t			 redis_connect_timeout_ms;
	int64_t			 redis_retry_max_ms;
	struct redisurl		*redis_sentinels;	/* host, port */
	size_t			 redis_nsentinels;	/* 0: none */
	char			*redis_master_name;
	char			*redis_sentinel_password_file;
	char			*redis_sentinel_password; /* secret */

	/* events */
	int64_t			 events_batch;
	int64_t			 events_dedupe_seconds;
	int64_t			 events_history_max;
	int64_t			 events_history_days;

	/* policy */
	int64_t			 policy_settle_seconds;
	int64_t			 policy_coalesce_seconds;
	int64_t			 policy_retain_days;
	unsigned int		 policy_notify_on; /* 1 << vocab_notice */
	int			 policy_follow_duplicates;
	int			 policy_overdue_notice;
	int32_t			*policy_holidays;	/* days (bizday.h),
							   sorted */
	size_t			 policy_nholidays;

	/* feedback: residents asked whether the work fixed the problem */
	struct feedback		 feedback;	/* ask, ask_after, services */
	int64_t			 feedback_answer_days;
	char			*feedback_answer_url;
	char			*feedback_answer_secret_file;
	char			*feedback_answer_secret;	/* secret */

	/* templates */
	char			*templates_dir;
	char			*templates_default_locale;
	char			**templates_photo_hosts;
	size_t			 templates_nphoto_hosts;
	char			*templates_status_url;	/* "{sr}" is the SR */
	char			*templates_unsubscribe_url;
	char			*templates_unsubscribe_secret_file;
	char			*templates_unsubscribe_secret;	/* secret */
	int64_t			 templates_unsubscribe_days;
	char			*templates_resident_url; /* "{sr}", "{token}" */
	char			*templates_resident_secret_file;
	char			*templates_resident_secret;	/* secret */
	char			*templates_timezone;
	char			*templates_city;	/* default locale's */
	struct division_name	*templates_city_names;	/* per locale */
	size_t			 templates_ncity_names;

	/* email: delivery over SMTP */
	char			*email_smtp;	/* smtp://host:port */
	char			*email_host;	/* parsed from email_smtp */
	char			*email_port;
	char			*email_starttls_name;
	int			 email_starttls; /* CONFIG_TLS_* */
	char			*email_ca_file;
	char			*email_from;	/* "Name <addr>" or "addr" */
	char			*email_from_name; /* parsed; may be NULL */
	char			*email_from_addr;
	char			*email_username;
	char			*email_password_file;
	char			*email_password;	/* secret */
	char			*email_helo;
	int64_t			 email_sessions;
	int64_t			 email_messages_per_session;
	int64_t			 email_timeout_seconds;
	char			*email_bounce_address;	/* "...{id}@..." */
	char			*email_bounce_secret_file;
	char			*email_bounce_secret;	/* secret */

	/* sms */
	int64_t			 sms_max_segments;
	char			*sms_gateway;	/* "kannel" or "twilio" */
	int			 sms_profile;	/* CONFIG_SMS_* */
	char			*sms_url;
	char			*sms_from;
	char			*sms_username;
	char			*sms_password_file;
	char			*sms_password;	/* secret */
	char			*sms_ca_file;
	int			 sms_allow_http_loopback;
	int64_t			 sms_max_per_second;
	char			*sms_quiet_hours;	/* "HH:MM-HH:MM" */
	int			 sms_quiet_start;	/* minutes; -1: none */
	int			 sms_quiet_end;
	int64_t			 sms_connections;
	int64_t			 sms_timeout_seconds;
	char			*sms_dlr_url;
	int64_t			 sms_dlr_mask;
	char			*sms_dlr_secret_file;
	char			*sms_dlr_secret;	/* secret */
	int64_t			 sms_dlr_max_age_days;
	char			*sms_inbound_secret_file;
	char			*sms_inbound_secret;	/* secret */

	/* audit */
	int64_t			 audit_retain_days;
	int64_t			 audit_rollup_days;
	char			*audit_file;
	int			 audit_fsync;
	int			 audit_keep_messages;
	char			*audit_lookup_secret_file;
	char			*audit_lookup_secret;	/* secret */

	/* outbound: the write-back to the CRM (outbound.h) */
	int			 outbound_enabled;
	char			*outbound_stream;
	int			 outbound_derived; /* prefix + "outbound" */
	int64_t			 outbound_maxlen;

	/* http */
	char			*http_listen;	/* NULL: no listener */
	int			 http_listen_default; /* not set in the file */
	int64_t			 http_health_max_lag;
	int64_t			 http_health_max_delay_seconds;

	/* web: closeloop-web */
	char			*web_listen;
	char			*web_pages_dir;
	char			*web_chartjs;	/* Chart.js, the system's copy */
	char			*web_redis_username;
	char			*web_redis_password_file;
	char			*web_redis_password;	/* secret */
	int64_t			 web_session_idle_minutes;
	int64_t			 web_session_max_hours;
	int			 web_cookie_secure;
	int64_t			 web_signin_limit;	/* failures allowed */
	int64_t			 web_signin_window_minutes;
	char			**web_trusted_proxies;	/* addresses */
	size_t			 web_ntrusted_proxies;
	struct config_group	*web_groups;
	size_t			 web_ngroups;

	/* retry */
	int64_t			 retry_initial_seconds;
	int64_t			 retry_max_seconds;
	int64_t			 retry_email_max_age_hours;
	int64_t			 retry_sms_max_age_hours;

	/* delivery */
	int			 delivery_fallback;
	int64_t			 delivery_outbox_max;
	int64_t			 delivery_lease_seconds;
	int64_t			 delivery_max_per_contact_per_hour;
	int64_t			 delivery_max_event_age_hours;
	int64_t			 delivery_breaker_window;
	int64_t			 delivery_breaker_percent;

	/* log */
	enum log_level		 log_level;

	int64_t			 shutdown_timeout;

	struct division		*divisions;
	size_t			 ndivisions;
	struct standard		*standards;	/* divisions.*.standards */
	size_t			 nstandards;
};

/* What a configuration made of the built-in defaults is called. */
#define CONFIG_BUILTIN	"(built-in defaults)"

/*
 * Read and validate the file at path, or take the built-in defaults if
 * path is NULL. On success returns a new config (free it with
 * config_free()). On failure returns NULL and, if cause is not NULL,
 * sets *cause to every problem found, one per line, each in the form
 * "FILE:LINE: SETTING: what is wrong"; the caller frees *cause.
 */
struct config *config_load(const char *path, char **cause);

/*
 * Read a file as config_load() does, for closeloop-web: of the secrets
 * the file names it reads only those closeloop-web may hold (its own
 * Redis password, the look-up key, the resident links' key and the
 * sentinels' password); the others' files are not opened. The Redis
 * login becomes web.redis_username and web.redis_password_file's, when
 * set.
 */
struct config *config_load_web(const char *path, char **cause);

/*
 * Read a file as config_load() does, for closeloop bounce, which a mail
 * server runs on what it received: of the secrets the file names it
 * reads only the Redis passwords (redis.password_file,
 * redis.sentinel_password_file) and email.bounce_secret_file, so that
 * the user the mail server runs it as needs no other.
 */
struct config *config_load_bounce(const char *path, char **cause);

/* Free a config; NULL is a no-op. */
void config_free(struct config *cf);

/* What a rehearsal adds to redis.prefix (before its ':') and the group. */
#define CONFIG_REHEARSAL	"-dryrun"

/*
 * Use prefix in place of redis.prefix: every key closeloop writes moves
 * under it, and the dead-letter stream with them unless the file named
 * it; redis.stream, the CRM's, stays.
 */
void config_prefix(struct config *cf, const char *prefix);

/*
 * Make cf a rehearsal's (closeloopd --dry-run): its keys under the
 * prefix with CONFIG_REHEARSAL added ("closeloop-dryrun:"), the dead
 * letters and the outbound entries there too (or in redis.dead_stream
 * and outbound.stream with CONFIG_REHEARSAL added), the events stream
 * read in a consumer group of its own (redis.group with
 * CONFIG_REHEARSAL added), no audit.file and no
 * listener - so it can run beside the real daemon and touches nothing
 * of it. Returns the prefix it took (belonging to cf).
 */
const char *config_rehearsal(struct config *cf);

#endif
