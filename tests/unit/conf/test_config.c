/*
 * test_config.c - unit tests for configuration loading (config.c)
 *
 * Each row of the load tables is the text of a configuration file, which
 * is written into a fresh temporary directory and loaded with
 * config_load(). A good row lists the fields of struct config it expects
 * to differ from the defaults, every other field must have its default; a
 * bad row gives the exact text of the cause. In texts and expected values
 * "@FILE" stands for the configuration file's path, "@DIR" for the
 * temporary directory and "@HOST" for the host name. A row with a secret
 * also writes it to @DIR/secret (mode 0600), for redis.password_file.
 * The check of a file its mode makes unreadable runs as nobody:nogroup in
 * a child process when the tests run as root; if it cannot run, the
 * program exits 77 (skip), or 1 in CI (CI=true).
 */
#include "build.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bizday.h"
#include "config.h"
#include "log.h"
#include "testskip.h"
#include "vocab.h"
#include "xmalloc.h"

#define NITEMS(a) (sizeof (a) / sizeof (a)[0])

#define A8 "aaaaaaaa"
#define A16 A8 A8
#define A32 A16 A16
#define A64 A32 A32
#define A65 A64 "a"
#define A256 A64 A64 A64 A64
#define A257 A256 "a"

#include "test_urlphrases.h"

#define LEVELS "(use debug, info, notice, warning or error)"
#define STATUSES "(use one of received, assigned, scheduled, " \
	"in_progress, on_hold, transferred, closed, cancelled, reopened)"
#define REASONS "(use one of completed, no_action_required, duplicate, " \
	"transferred, scheduled, assigned, referred_external)"
#define ENTRY_GROUP "each entry must be a group " \
	"{ code = \"...\"; status = \"...\"; }"
#define DIVISION_GROUP "must be a group { name = { ... }; }"
#define DIVISION_UNKNOWN "unknown setting (a division has name, " \
	"status_map, notify_on, notes, standards and feedback)"
#define STANDARD_LIST "must be a list ( { service = \"...\"; days = ...; " \
	"target = \"...\"; }, ... )"
#define STANDARD_DAYS "must be a number of business days from 0 to 1000"
#define DURATION "must be a duration, a whole number and its unit d, h, " \
	"m or s (\"3d\", \"36h\"), at most 365d"
#define NAME_GROUP "must be a group of locale = \"name\""
#define NAME_EMPTY "must be a non-empty string"
#define MAP_LIST "must be a list ( { code = ...; status = ...; }, ... )"
#define ENTRY_UNKNOWN "unknown setting (use code, status and reason)"

/* How a field of struct config is turned into text for comparison. */
enum test_config_kind {
	TEST_CONFIG_STRING,
	TEST_CONFIG_INT,
	TEST_CONFIG_INT64,
	TEST_CONFIG_LEVEL,
	TEST_CONFIG_NOTICES,
	TEST_CONFIG_DIVISIONS,
	TEST_CONFIG_SENTINELS,
	TEST_CONFIG_HOLIDAYS,
	TEST_CONFIG_STANDARDS,
	TEST_CONFIG_FEEDBACK
};

/* A field of struct config and its default, as text (NULL for none). */
struct test_config_field {
	const char		*name;
	enum test_config_kind	 kind;
	size_t			 offset;
	const char		*dflt;
};

#define AT(f) offsetof(struct config, f)

static const struct test_config_field test_config_fields[] = {
	{ "path", TEST_CONFIG_STRING, AT(path), "@FILE" },
	{ "redis_url", TEST_CONFIG_STRING, AT(redis_url),
	    "redis://127.0.0.1:6379/0" },
	{ "redis_addr.host", TEST_CONFIG_STRING, AT(redis_addr.host), "127.0.0.1" },
	{ "redis_addr.port", TEST_CONFIG_INT, AT(redis_addr.port), "6379" },
	{ "redis_addr.socket", TEST_CONFIG_STRING, AT(redis_addr.socket), NULL },
	{ "redis_addr.db", TEST_CONFIG_INT, AT(redis_addr.db), "0" },
	{ "redis_username", TEST_CONFIG_STRING, AT(redis_username), NULL },
	{ "redis_password_file", TEST_CONFIG_STRING,
	    AT(redis_password_file), NULL },
	{ "redis_password", TEST_CONFIG_STRING, AT(redis_password), NULL },
	{ "redis_prefix", TEST_CONFIG_STRING, AT(redis_prefix),
	    "closeloop:" },
	{ "redis_stream", TEST_CONFIG_STRING, AT(redis_stream),
	    "closeloop:events" },
	{ "redis_dead_stream", TEST_CONFIG_STRING, AT(redis_dead_stream),
	    "closeloop:dead" },
	{ "redis_group", TEST_CONFIG_STRING, AT(redis_group), "closeloopd" },
	{ "redis_consumer", TEST_CONFIG_STRING, AT(redis_consumer), "@HOST" },
	{ "redis_claim_idle_ms", TEST_CONFIG_INT64, AT(redis_claim_idle_ms),
	    "60000" },
	{ "redis_max_deliveries", TEST_CONFIG_INT64,
	    AT(redis_max_deliveries), "5" },
	{ "redis_connect_timeout_ms", TEST_CONFIG_INT64,
	    AT(redis_connect_timeout_ms), "2000" },
	{ "redis_retry_max_ms", TEST_CONFIG_INT64, AT(redis_retry_max_ms),
	    "30000" },
	{ "redis_sentinels", TEST_CONFIG_SENTINELS, 0, NULL },
	{ "redis_master_name", TEST_CONFIG_STRING, AT(redis_master_name),
	    NULL },
	{ "redis_sentinel_password_file", TEST_CONFIG_STRING,
	    AT(redis_sentinel_password_file), NULL },
	{ "redis_sentinel_password", TEST_CONFIG_STRING,
	    AT(redis_sentinel_password), NULL },
	{ "events_batch", TEST_CONFIG_INT64, AT(events_batch), "100" },
	{ "events_dedupe_seconds", TEST_CONFIG_INT64,
	    AT(events_dedupe_seconds), "604800" },
	{ "events_history_max", TEST_CONFIG_INT64, AT(events_history_max),
	    "1000" },
	{ "events_history_days", TEST_CONFIG_INT64, AT(events_history_days),
	    "400" },
	{ "policy_settle_seconds", TEST_CONFIG_INT64,
	    AT(policy_settle_seconds), "900" },
	{ "policy_coalesce_seconds", TEST_CONFIG_INT64,
	    AT(policy_coalesce_seconds), "60" },
	{ "policy_retain_days", TEST_CONFIG_INT64, AT(policy_retain_days),
	    "30" },
	{ "policy_notify_on", TEST_CONFIG_NOTICES, AT(policy_notify_on),
	    "all" },
	{ "policy_follow_duplicates", TEST_CONFIG_INT,
	    AT(policy_follow_duplicates), "1" },
	{ "policy_overdue_notice", TEST_CONFIG_INT,
	    AT(policy_overdue_notice), "1" },
	{ "policy_holidays", TEST_CONFIG_HOLIDAYS, 0, "" },
	{ "feedback", TEST_CONFIG_FEEDBACK, AT(feedback), "ask 259200" },
	{ "feedback_answer_days", TEST_CONFIG_INT64,
	    AT(feedback_answer_days), "30" },
	{ "feedback_answer_url", TEST_CONFIG_STRING, AT(feedback_answer_url),
	    NULL },
	{ "feedback_answer_secret_file", TEST_CONFIG_STRING,
	    AT(feedback_answer_secret_file), NULL },
	{ "feedback_answer_secret", TEST_CONFIG_STRING,
	    AT(feedback_answer_secret), NULL },
	{ "templates_dir", TEST_CONFIG_STRING, AT(templates_dir),
	    CONFIG_TEMPLATES_DIR },
	{ "templates_default_locale", TEST_CONFIG_STRING,
	    AT(templates_default_locale), "en" },
	{ "templates_status_url", TEST_CONFIG_STRING,
	    AT(templates_status_url), NULL },
	{ "templates_unsubscribe_url", TEST_CONFIG_STRING,
	    AT(templates_unsubscribe_url), NULL },
	{ "templates_timezone", TEST_CONFIG_STRING, AT(templates_timezone),
	    "America/Toronto" },
	{ "templates_city", TEST_CONFIG_STRING, AT(templates_city),
	    "City of Toronto" },
	{ "templates_unsubscribe_secret_file", TEST_CONFIG_STRING,
	    AT(templates_unsubscribe_secret_file), NULL },
	{ "templates_unsubscribe_secret", TEST_CONFIG_STRING,
	    AT(templates_unsubscribe_secret), NULL },
	{ "templates_unsubscribe_days", TEST_CONFIG_INT64,
	    AT(templates_unsubscribe_days), "90" },
	{ "templates_resident_url", TEST_CONFIG_STRING,
	    AT(templates_resident_url), NULL },
	{ "templates_resident_secret_file", TEST_CONFIG_STRING,
	    AT(templates_resident_secret_file), NULL },
	{ "templates_resident_secret", TEST_CONFIG_STRING,
	    AT(templates_resident_secret), NULL },
	{ "sms_max_segments", TEST_CONFIG_INT64, AT(sms_max_segments), "3" },
	{ "sms_gateway", TEST_CONFIG_STRING, AT(sms_gateway), NULL },
	{ "sms_profile", TEST_CONFIG_INT, AT(sms_profile), "0" },
	{ "sms_url", TEST_CONFIG_STRING, AT(sms_url), NULL },
	{ "sms_from", TEST_CONFIG_STRING, AT(sms_from), NULL },
	{ "sms_username", TEST_CONFIG_STRING, AT(sms_username), NULL },
	{ "sms_password_file", TEST_CONFIG_STRING, AT(sms_password_file),
	    NULL },
	{ "sms_password", TEST_CONFIG_STRING, AT(sms_password), NULL },
	{ "sms_ca_file", TEST_CONFIG_STRING, AT(sms_ca_file), NULL },
	{ "sms_allow_http_loopback", TEST_CONFIG_INT,
	    AT(sms_allow_http_loopback), "0" },
	{ "sms_max_per_second", TEST_CONFIG_INT64, AT(sms_max_per_second),
	    "10" },
	{ "sms_quiet_hours", TEST_CONFIG_STRING, AT(sms_quiet_hours), NULL },
	{ "sms_quiet_start", TEST_CONFIG_INT, AT(sms_quiet_start), "-1" },
	{ "sms_quiet_end", TEST_CONFIG_INT, AT(sms_quiet_end), "-1" },
	{ "sms_connections", TEST_CONFIG_INT64, AT(sms_connections), "8" },
	{ "sms_timeout_seconds", TEST_CONFIG_INT64, AT(sms_timeout_seconds),
	    "30" },
	{ "sms_dlr_url", TEST_CONFIG_STRING, AT(sms_dlr_url), NULL },
	{ "sms_dlr_mask", TEST_CONFIG_INT64, AT(sms_dlr_mask), "31" },
	{ "sms_dlr_secret_file", TEST_CONFIG_STRING, AT(sms_dlr_secret_file),
	    NULL },
	{ "sms_dlr_secret", TEST_CONFIG_STRING, AT(sms_dlr_secret), NULL },
	{ "sms_dlr_max_age_days", TEST_CONFIG_INT64,
	    AT(sms_dlr_max_age_days), "30" },
	{ "sms_inbound_secret_file", TEST_CONFIG_STRING,
	    AT(sms_inbound_secret_file), NULL },
	{ "sms_inbound_secret", TEST_CONFIG_STRING, AT(sms_inbound_secret),
	    NULL },
	{ "audit_retain_days", TEST_CONFIG_INT64, AT(audit_retain_days),
	    "90" },
	{ "audit_file", TEST_CONFIG_STRING, AT(audit_file), NULL },
	{ "audit_fsync", TEST_CONFIG_INT, AT(audit_fsync), "1" },
	{ "audit_lookup_secret_file", TEST_CONFIG_STRING,
	    AT(audit_lookup_secret_file), NULL },
	{ "audit_lookup_secret", TEST_CONFIG_STRING, AT(audit_lookup_secret),
	    NULL },
	{ "outbound_enabled", TEST_CONFIG_INT, AT(outbound_enabled), "1" },
	{ "outbound_stream", TEST_CONFIG_STRING, AT(outbound_stream),
	    "closeloop:outbound" },
	{ "outbound_derived", TEST_CONFIG_INT, AT(outbound_derived), "1" },
	{ "outbound_maxlen", TEST_CONFIG_INT64, AT(outbound_maxlen),
	    "1000000" },
	{ "http_listen", TEST_CONFIG_STRING, AT(http_listen),
	    "127.0.0.1:9311" },
	{ "http_listen_default", TEST_CONFIG_INT, AT(http_listen_default),
	    "1" },
	{ "http_health_max_lag", TEST_CONFIG_INT64, AT(http_health_max_lag),
	    "1000" },
	{ "http_health_max_delay_seconds", TEST_CONFIG_INT64,
	    AT(http_health_max_delay_seconds), "300" },
	{ "email_smtp", TEST_CONFIG_STRING, AT(email_smtp), NULL },
	{ "email_host", TEST_CONFIG_STRING, AT(email_host), NULL },
	{ "email_port", TEST_CONFIG_STRING, AT(email_port), NULL },
	{ "email_starttls", TEST_CONFIG_INT, AT(email_starttls), "0" },
	{ "email_ca_file", TEST_CONFIG_STRING, AT(email_ca_file), NULL },
	{ "email_from", TEST_CONFIG_STRING, AT(email_from), NULL },
	{ "email_from_name", TEST_CONFIG_STRING, AT(email_from_name), NULL },
	{ "email_from_addr", TEST_CONFIG_STRING, AT(email_from_addr), NULL },
	{ "email_username", TEST_CONFIG_STRING, AT(email_username), NULL },
	{ "email_password_file", TEST_CONFIG_STRING, AT(email_password_file),
	    NULL },
	{ "email_password", TEST_CONFIG_STRING, AT(email_password), NULL },
	{ "email_helo", TEST_CONFIG_STRING, AT(email_helo), NULL },
	{ "email_sessions", TEST_CONFIG_INT64, AT(email_sessions), "4" },
	{ "email_messages_per_session", TEST_CONFIG_INT64,
	    AT(email_messages_per_session), "50" },
	{ "email_timeout_seconds", TEST_CONFIG_INT64,
	    AT(email_timeout_seconds), "60" },
	{ "email_bounce_address", TEST_CONFIG_STRING,
	    AT(email_bounce_address), NULL },
	{ "email_bounce_secret_file", TEST_CONFIG_STRING,
	    AT(email_bounce_secret_file), NULL },
	{ "email_bounce_secret", TEST_CONFIG_STRING, AT(email_bounce_secret),
	    NULL },
	{ "retry_initial_seconds", TEST_CONFIG_INT64,
	    AT(retry_initial_seconds), "60" },
	{ "retry_max_seconds", TEST_CONFIG_INT64, AT(retry_max_seconds),
	    "3600" },
	{ "retry_email_max_age_hours", TEST_CONFIG_INT64,
	    AT(retry_email_max_age_hours), "120" },
	{ "retry_sms_max_age_hours", TEST_CONFIG_INT64,
	    AT(retry_sms_max_age_hours), "24" },
	{ "delivery_fallback", TEST_CONFIG_INT, AT(delivery_fallback), "1" },
	{ "delivery_outbox_max", TEST_CONFIG_INT64, AT(delivery_outbox_max),
	    "100000" },
	{ "delivery_lease_seconds", TEST_CONFIG_INT64,
	    AT(delivery_lease_seconds), "600" },
	{ "delivery_max_per_contact_per_hour", TEST_CONFIG_INT64,
	    AT(delivery_max_per_contact_per_hour), "6" },
	{ "delivery_max_event_age_hours", TEST_CONFIG_INT64,
	    AT(delivery_max_event_age_hours), "72" },
	{ "delivery_breaker_window", TEST_CONFIG_INT64,
	    AT(delivery_breaker_window), "500" },
	{ "delivery_breaker_percent", TEST_CONFIG_INT64,
	    AT(delivery_breaker_percent), "10" },
	{ "log_level", TEST_CONFIG_LEVEL, AT(log_level), "info" },
	{ "shutdown_timeout", TEST_CONFIG_INT64, AT(shutdown_timeout), "30" },
	{ "divisions", TEST_CONFIG_DIVISIONS, 0, "" },
	{ "standards", TEST_CONFIG_STANDARDS, 0, "" },
};

/* An expected value of one field. */
struct test_config_value {
	const char	*field;
	const char	*value;
};

#define TEST_CONFIG_NVALUES 24

struct test_config_good {
	const char			*text;
	const char			*secret;
	struct test_config_value	 values[TEST_CONFIG_NVALUES];
};

static const struct test_config_good test_config_goods[] = {
	/* Nothing set: every default. */
	{ "", NULL, { { NULL, NULL } } },
	{ "# a comment\n// another\n/* and a block */\n", NULL,
	    { { NULL, NULL } } },
	{ "redis = { };\nevents = { };\nlog = { };\ndivisions = { };\n",
	    NULL, { { NULL, NULL } } },

	/* Every setting away from its default. */
	{ "redis = {\n"
	  "\turl = \"redis://redis.example.org:6380/4\";\n"
	  "\tusername = \"closeloop\";\n"
	  "\tpassword_file = \"@DIR/secret\";\n"
	  "\tprefix = \"cl:\";\n"
	  "\tstream = \"in\";\n"
	  "\tdead_stream = \"out\";\n"
	  "\tgroup = \"grp\";\n"
	  "\tconsumer = \"c1\";\n"
	  "\tclaim_idle_ms = 5000;\n"
	  "\tmax_deliveries = 3;\n"
	  "\tconnect_timeout_ms = 500;\n"
	  "\tretry_max_ms = 10000;\n"
	  "};\n"
	  "events = {\n"
	  "\tbatch = 50;\n"
	  "\tdedupe_seconds = 3600;\n"
	  "\thistory_max = 200;\n"
	  "\thistory_days = 30;\n"
	  "};\n"
	  "log = { level = \"debug\"; };\n"
	  "shutdown_timeout = 10;\n",
	    "s3cret\n",
	    { { "redis_url", "redis://redis.example.org:6380/4" },
	      { "redis_addr.host", "redis.example.org" },
	      { "redis_addr.port", "6380" },
	      { "redis_addr.db", "4" },
	      { "redis_username", "closeloop" },
	      { "redis_password_file", "@DIR/secret" },
	      { "redis_password", "s3cret" },
	      { "redis_prefix", "cl:" },
	      { "redis_stream", "in" },
	      { "redis_dead_stream", "out" },
	      { "outbound_stream", "cl:outbound" },
	      { "redis_group", "grp" },
	      { "redis_consumer", "c1" },
	      { "redis_claim_idle_ms", "5000" },
	      { "redis_max_deliveries", "3" },
	      { "redis_connect_timeout_ms", "500" },
	      { "redis_retry_max_ms", "10000" },
	      { "events_batch", "50" },
	      { "events_dedupe_seconds", "3600" },
	      { "events_history_max", "200" },
	      { "events_history_days", "30" },
	      { "log_level", "debug" },
	      { "shutdown_timeout", "10" } } },

	/* The prefix makes the default stream names. */
	{ "redis = { prefix = \"cl:\"; };\n", NULL,
	    { { "redis_prefix", "cl:" },
	      { "redis_stream", "cl:events" },
	      { "redis_dead_stream", "cl:dead" },
	      { "outbound_stream", "cl:outbound" } } },
	{ "redis = { prefix = \"\"; };\n", NULL,
	    { { "redis_prefix", "" },
	      { "redis_stream", "events" },
	      { "redis_dead_stream", "dead" },
	      { "outbound_stream", "outbound" } } },
	{ "redis = { prefix = \"cl:\"; stream = \"in\"; };\n", NULL,
	    { { "redis_prefix", "cl:" },
	      { "redis_stream", "in" },
	      { "redis_dead_stream", "cl:dead" },
	      { "outbound_stream", "cl:outbound" } } },
	{ "redis = { dead_stream = \"graveyard\"; };\n", NULL,
	    { { "redis_dead_stream", "graveyard" } } },
	/* The write-back to the CRM: its own stream, or none. */
	{ "outbound = {\n"
	  "\tenabled = false;\n"
	  "\tstream = \"crm:told\";\n"
	  "\tmaxlen = 5000;\n"
	  "};\n", NULL,
	    { { "outbound_enabled", "0" },
	      { "outbound_stream", "crm:told" },
	      { "outbound_derived", "0" },
	      { "outbound_maxlen", "5000" } } },
	{ "redis = { prefix = \"cl:\"; };\n"
	  "outbound = { stream = \"crm:told\"; };\n", NULL,
	    { { "redis_prefix", "cl:" },
	      { "redis_stream", "cl:events" },
	      { "redis_dead_stream", "cl:dead" },
	      { "outbound_stream", "crm:told" },
	      { "outbound_derived", "0" } } },
	{ "outbound = { maxlen = 1000000000; };\n", NULL,
	    { { "outbound_maxlen", "1000000000" } } },
	{ "redis = { prefix = \"" A64 "\"; };\n", NULL,
	    { { "redis_prefix", A64 },
	      { "redis_stream", A64 "events" },
	      { "redis_dead_stream", A64 "dead" },
	      { "outbound_stream", A64 "outbound" } } },

	/* redis.url forms. */
	{ "redis = { url = \"unix:///run/redis/redis.sock?db=3\"; };\n", NULL,
	    { { "redis_url", "unix:///run/redis/redis.sock?db=3" },
	      { "redis_addr.host", NULL },
	      { "redis_addr.socket", "/run/redis/redis.sock" },
	      { "redis_addr.db", "3" } } },
	{ "redis = { url = \"unix:///run/redis/redis.sock\"; };\n", NULL,
	    { { "redis_url", "unix:///run/redis/redis.sock" },
	      { "redis_addr.host", NULL },
	      { "redis_addr.socket", "/run/redis/redis.sock" } } },
	{ "redis = { url = \"redis://[::1]:6380/2\"; };\n", NULL,
	    { { "redis_url", "redis://[::1]:6380/2" },
	      { "redis_addr.host", "::1" },
	      { "redis_addr.port", "6380" },
	      { "redis_addr.db", "2" } } },
	{ "redis = { url = \"redis://localhost\"; };\n", NULL,
	    { { "redis_url", "redis://localhost" },
	      { "redis_addr.host", "localhost" } } },

	/* Sentinels: host names, IPv4 and IPv6 addresses, with a port. */
	{ "redis = {\n"
	  "\tsentinels = ( \"10.0.0.5:26379\", \"[::1]:26380\",\n"
	  "\t    \"sentinel-3.example.org:26381\" );\n"
	  "\tmaster_name = \"mymaster\";\n"
	  "};\n", NULL,
	    { { "redis_sentinels", "10.0.0.5:26379 [::1]:26380 "
		"sentinel-3.example.org:26381" },
	      { "redis_master_name", "mymaster" } } },
	{ "redis = {\n"
	  "\turl = \"redis://127.0.0.1/3\";\n"
	  "\tsentinels = [ \"h:1\" ];\n"
	  "\tmaster_name = \"closeloop-prod.1_a:b\";\n"
	  "\tsentinel_password_file = \"@DIR/secret\";\n"
	  "};\n", "s3ntinel\n",
	    { { "redis_url", "redis://127.0.0.1/3" },
	      { "redis_addr.db", "3" },
	      { "redis_sentinels", "h:1" },
	      { "redis_master_name", "closeloop-prod.1_a:b" },
	      { "redis_sentinel_password_file", "@DIR/secret" },
	      { "redis_sentinel_password", "s3ntinel" } } },

	/* The password is the first line of the file, without its ending. */
	{ "redis = { password_file = \"@DIR/secret\"; };\n", "s3cret",
	    { { "redis_password_file", "@DIR/secret" },
	      { "redis_password", "s3cret" } } },
	{ "redis = { password_file = \"@DIR/secret\"; };\n",
	    "s3cret\r\nsecond line\n",
	    { { "redis_password_file", "@DIR/secret" },
	      { "redis_password", "s3cret" } } },
	{ "redis = { password_file = \"@DIR/secret\"; };\n",
	    " with spaces \n",
	    { { "redis_password_file", "@DIR/secret" },
	      { "redis_password", " with spaces " } } },
	{ "redis = {\n"
	  "\tusername = \"closeloop\";\n"
	  "\tpassword_file = \"@DIR/secret\";\n"
	  "};\n",
	    "s3cret\n",
	    { { "redis_username", "closeloop" },
	      { "redis_password_file", "@DIR/secret" },
	      { "redis_password", "s3cret" } } },

	/* Every log level. */
	{ "log = { level = \"debug\"; };\n", NULL,
	    { { "log_level", "debug" } } },
	{ "log = { level = \"info\"; };\n", NULL,
	    { { "log_level", "info" } } },
	{ "log = { level = \"notice\"; };\n", NULL,
	    { { "log_level", "notice" } } },
	{ "log = { level = \"warning\"; };\n", NULL,
	    { { "log_level", "warning" } } },
	{ "log = { level = \"error\"; };\n", NULL,
	    { { "log_level", "error" } } },

	/* Integers at the bottom and the top of their ranges. */
	{ "redis = {\n"
	  "\tclaim_idle_ms = 100;\n"
	  "\tmax_deliveries = 1;\n"
	  "\tconnect_timeout_ms = 100;\n"
	  "\tretry_max_ms = 100;\n"
	  "};\n"
	  "events = {\n"
	  "\tbatch = 1;\n"
	  "\tdedupe_seconds = 60;\n"
	  "\thistory_max = 10;\n"
	  "\thistory_days = 1;\n"
	  "};\n"
	  "shutdown_timeout = 1;\n",
	    NULL,
	    { { "redis_claim_idle_ms", "100" },
	      { "redis_max_deliveries", "1" },
	      { "redis_connect_timeout_ms", "100" },
	      { "redis_retry_max_ms", "100" },
	      { "events_batch", "1" },
	      { "events_dedupe_seconds", "60" },
	      { "events_history_max", "10" },
	      { "events_history_days", "1" },
	      { "shutdown_timeout", "1" } } },
	{ "redis = {\n"
	  "\tclaim_idle_ms = 86400000;\n"
	  "\tmax_deliveries = 1000;\n"
	  "\tconnect_timeout_ms = 60000;\n"
	  "\tretry_max_ms = 300000;\n"
	  "};\n"
	  "events = {\n"
	  "\tbatch = 10000;\n"
	  "\tdedupe_seconds = 31536000;\n"
	  "\thistory_max = 100000;\n"
	  "\thistory_days = 3650;\n"
	  "};\n"
	  "shutdown_timeout = 3600;\n",
	    NULL,
	    { { "redis_claim_idle_ms", "86400000" },
	      { "redis_max_deliveries", "1000" },
	      { "redis_connect_timeout_ms", "60000" },
	      { "redis_retry_max_ms", "300000" },
	      { "events_batch", "10000" },
	      { "events_dedupe_seconds", "31536000" },
	      { "events_history_max", "100000" },
	      { "events_history_days", "3650" },
	      { "shutdown_timeout", "3600" } } },

	/* The policy. */
	{ "policy = {\n"
	  "\tsettle_seconds = 0;\n"
	  "\tcoalesce_seconds = 86400;\n"
	  "\tretain_days = 1;\n"
	  "\tnotify_on = [ \"transferred\", \"completed\" ];\n"
	  "\tfollow_duplicates = false;\n"
	  "};\n", NULL,
	    { { "policy_settle_seconds", "0" },
	      { "policy_coalesce_seconds", "86400" },
	      { "policy_retain_days", "1" },
	      { "policy_notify_on", "transferred,completed" },
	      { "policy_follow_duplicates", "0" } } },
	{ "policy = { notify_on = ( \"received\", \"received\" ); };\n", NULL,
	    { { "policy_notify_on", "received" } } },
	{ "divisions = { SWMS = { notify_on = [ \"completed\", "
	  "\"no_action\" ]; }; };\n", NULL,
	    { { "divisions", "SWMS{}<completed,no_action>" } } },

	/* Service standards, holidays, the overdue notice. */
	{ "policy = {\n"
	  "\toverdue_notice = false;\n"
	  "\tholidays = [ \"2026-12-25\", \"2026-07-01\", \"2027-01-01\" ];\n"
	  "};\n"
	  "divisions = {\n"
	  "\tTS = { standards = (\n"
	  "\t\t{ service = \"Road Pothole / Road Damage\"; days = 5; },\n"
	  "\t\t{ days = 10; target = \"response\"; },\n"
	  "\t\t{ service = \"Sidewalk Snow Clearing\"; days = 0;\n"
	  "\t\t    target = \"completion\"; }\n"
	  "\t); };\n"
	  "\tTW = { standards = ( { days = 1000; target = \"response\"; } ); };\n"
	  "\tSWMS = { standards = ( ); };\n"
	  "};\n", NULL,
	    { { "policy_overdue_notice", "0" },
	      { "policy_holidays", "2026-07-01 2026-12-25 2027-01-01" },
	      { "divisions", "TS{} TW{} SWMS{}" },
	      { "standards", "TS/Road Pothole / Road Damage=5c TS/*=10r "
		"TS/Sidewalk Snow Clearing=0c TW/*=1000r" } } },
	{ "policy = { holidays = [ ]; };\n", NULL, { { NULL, NULL } } },
	/* Asking residents whether it was fixed. */
	{ "feedback = {\n"
	  "\task = false;\n"
	  "\task_after = \"36h\";\n"
	  "\tanswer_days = 14;\n"
	  "\tanswer_url = \"https://311.example.org/answer\";\n"
	  "\tanswer_secret_file = \"@DIR/secret\";\n"
	  "\tservices = (\n"
	  "\t\t{ service = \"Road Pothole\"; ask = true; },\n"
	  "\t\t{ service = \"Graffiti\"; ask_after = \"90m\"; }\n"
	  "\t);\n"
	  "};\n", "answer key\n",
	    { { "feedback", "no 129600 [Road Pothole:ask,-] "
		"[Graffiti:-,5400]" },
	      { "feedback_answer_days", "14" },
	      { "feedback_answer_url", "https://311.example.org/answer" },
	      { "feedback_answer_secret_file", "@DIR/secret" },
	      { "feedback_answer_secret", "answer key" } } },
	{ "feedback = { ask_after = \"0s\"; services = ( ); };\n", NULL,
	    { { "feedback", "ask 0" } } },
	{ "feedback = { ask_after = \"365d\"; };\n", NULL,
	    { { "feedback", "ask 31536000" } } },
	{ "divisions = {\n"
	  "\tTW = { feedback = { ask = false; }; };\n"
	  "\tTS = { feedback = { ask_after = \"5d\"; services = (\n"
	  "\t\t{ service = \"Road Pothole\"; ask_after = \"2m\"; "
	  "ask = true; }\n"
	  "\t); }; };\n"
	  "\tUF = { feedback = { }; };\n"
	  "};\n", NULL,
	    { { "divisions", "TW{}(no -) TS{}(- 432000 [Road Pothole:ask,"
		"120]) UF{}" } } },

	/* Templates and SMS. */
	{ "templates = {\n"
	  "\tdir = \"/srv/templates\";\n"
	  "\tdefault_locale = \"fr-ca\";\n"
	  "\tphoto_hosts = [ \"Photos.Example.org\", \"cdn.example.net\" ];\n"
	  "\tstatus_url = \"https://311.example.org/sr/{sr}\";\n"
	  "\tunsubscribe_url = \"https://311.example.org/stop/{sr}\";\n"
	  "\ttimezone = \"America/Vancouver\";\n"
	  "\tcity = \"Ville de Montr\xc3\xa9" "al\";\n"
	  "};\n"
	  "sms = { max_segments = 5; };\n", NULL,
	    { { "templates_dir", "/srv/templates" },
	      { "templates_default_locale", "fr-CA" },
	      { "templates_status_url", "https://311.example.org/sr/{sr}" },
	      { "templates_unsubscribe_url",
		"https://311.example.org/stop/{sr}" },
	      { "templates_timezone", "America/Vancouver" },
	      { "templates_city", "Ville de Montr\xc3\xa9" "al" },
	      { "sms_max_segments", "5" } } },

	/* Other integer notations libconfig accepts. */
	{ "events = { history_max = 5000L; batch = 0x20; };\n", NULL,
	    { { "events_history_max", "5000" },
	      { "events_batch", "32" } } },

	/* Strings: the longest allowed, and UTF-8. */
	{ "redis = { group = \"" A256 "\"; };\n", NULL,
	    { { "redis_group", A256 } } },
	{ "redis = { consumer = \"cl\xc3\xb4ture-1\"; };\n", NULL,
	    { { "redis_consumer", "cl\xc3\xb4ture-1" } } },

	/* Divisions with names and status maps. */
	{ "divisions = {\n"
	  "\tTS = {\n"
	  "\t\tname = {\n"
	  "\t\t\ten = \"Transportation Services\";\n"
	  "\t\t\tfr = \"Services des transports\";\n"
	  "\t\t};\n"
	  "\t};\n"
	  "\tTW = {\n"
	  "\t\tname = { en = \"Toronto Water\"; };\n"
	  "\t\tstatus_map = (\n"
	  "\t\t\t{ code = \"WO-COMP\"; status = \"closed\";\n"
	  "\t\t\t    reason = \"completed\"; },\n"
	  "\t\t\t{ status = \"scheduled\"; code = \"WO-SCHED\"; }\n"
	  "\t\t);\n"
	  "\t};\n"
	  "\tUF = { };\n"
	  "\tMLS = { name = { }; status_map = ( ); };\n"
	  "};\n",
	    NULL,
	    { { "divisions", "TS{en=Transportation Services,"
		"fr=Services des transports} "
		"TW{en=Toronto Water}[WO-COMP=closed/completed,"
		"WO-SCHED=scheduled] UF{} MLS{}" } } },
	{ "divisions = { SWMS = { name = { fr = \"Services de gestion des "
	  "d\xc3\xa9" "chets solides\"; }; }; };\n", NULL,
	    { { "divisions", "SWMS{fr=Services de gestion des d\xc3\xa9"
		"chets solides}" } } },

	/* Delivery: email, SMS, retry, the outbox. */
	{ "email = {\n"
	  "\tsmtp = \"smtp://mail.example.org:587\";\n"
	  "\tstarttls = \"opportunistic\";\n"
	  "\tfrom = \"Ville de Montr\xc3\xa9" "al 311 <311@montreal.example>\";\n"
	  "\tusername = \"cl\";\n"
	  "\tpassword_file = \"@DIR/secret\";\n"
	  "\tsessions = 8;\n"
	  "};\n"
	  "retry = { initial_seconds = 30; max_seconds = 600; "
	  "sms_max_age_hours = 6; };\n"
	  "delivery = { fallback = false; outbox_max = 500; };\n", "pw",
	    { { "email_smtp", "smtp://mail.example.org:587" },
	      { "email_host", "mail.example.org" },
	      { "email_port", "587" },
	      { "email_starttls", "1" },
	      { "email_from", "Ville de Montr\xc3\xa9" "al 311 "
		"<311@montreal.example>" },
	      { "email_from_name", "Ville de Montr\xc3\xa9" "al 311" },
	      { "email_from_addr", "311@montreal.example" },
	      { "email_username", "cl" },
	      { "email_password_file", "@DIR/secret" },
	      { "email_password", "pw" },
	      { "email_sessions", "8" },
	      { "retry_initial_seconds", "30" },
	      { "retry_max_seconds", "600" },
	      { "retry_sms_max_age_hours", "6" },
	      { "delivery_fallback", "0" },
	      { "delivery_outbox_max", "500" } } },
	{ "email = { from = \"311@toronto.example\"; };\n"
	  "sms = {\n"
	  "\tgateway = \"twilio\";\n"
	  "\turl = \"http://127.0.0.1:8080/Messages.json\";\n"
	  "\tallow_http_loopback = true;\n"
	  "\tfrom = \"+14165550311\";\n"
	  "\tquiet_hours = \"21:30-07:45\";\n"
	  "};\n", NULL,
	    { { "email_from", "311@toronto.example" },
	      { "email_from_addr", "311@toronto.example" },
	      { "sms_gateway", "twilio" },
	      { "sms_profile", "2" },
	      { "sms_url", "http://127.0.0.1:8080/Messages.json" },
	      { "sms_allow_http_loopback", "1" },
	      { "sms_from", "+14165550311" },
	      { "sms_quiet_hours", "21:30-07:45" },
	      { "sms_quiet_start", "1290" },
	      { "sms_quiet_end", "465" } } },
	{ "sms = {\n"
	  "\tdlr_url = \"http://127.0.0.1:9311/receipt\";\n"
	  "\tdlr_secret_file = \"@DIR/secret\";\n"
	  "\tdlr_mask = 3;\n"
	  "};\n"
	  "audit = {\n"
	  "\tretain_days = 400;\n"
	  "\tfile = \"/var/lib/closeloop/audit.jsonl\";\n"
	  "\tfsync = false;\n"
	  "};\n"
	  "http = {\n\tlisten = \"[::1]:9311\";\n"
	  "\thealth_max_lag = 0;\n\thealth_max_delay_seconds = 60;\n};\n",
	  "k3y",
	    { { "sms_dlr_url", "http://127.0.0.1:9311/receipt" },
	      { "sms_dlr_secret_file", "@DIR/secret" },
	      { "sms_dlr_secret", "k3y" },
	      { "sms_dlr_mask", "3" },
	      { "audit_retain_days", "400" },
	      { "audit_file", "/var/lib/closeloop/audit.jsonl" },
	      { "audit_fsync", "0" },
	      { "http_listen", "[::1]:9311" },
	      { "http_listen_default", "0" },
	      { "http_health_max_lag", "0" },
	      { "http_health_max_delay_seconds", "60" } } },
	/* An empty http.listen: no listener at all. */
	{ "http = { listen = \"\"; };\n", NULL,
	    { { "http_listen", NULL },
	      { "http_listen_default", "0" } } },
	{ "sms = { dlr_max_age_days = 1; };\n", NULL,
	    { { "sms_dlr_max_age_days", "1" } } },
	{ "sms = { dlr_max_age_days = 365; };\n", NULL,
	    { { "sms_dlr_max_age_days", "365" } } },
	{ "sms = { inbound_secret_file = \"@DIR/secret\"; };\n", "1nb0und",
	    { { "sms_inbound_secret_file", "@DIR/secret" },
	      { "sms_inbound_secret", "1nb0und" } } },
	{ "audit = { lookup_secret_file = \"@DIR/secret\"; };\n", "l00kup",
	    { { "audit_lookup_secret_file", "@DIR/secret" },
	      { "audit_lookup_secret", "l00kup" } } },
	/* The envelope sender that names each message, and its key. */
	{ "email = {\n"
	  "\tbounce_address = \"bounces+{id}@city.example\";\n"
	  "\tbounce_secret_file = \"@DIR/secret\";\n"
	  "};\n", "b0unce",
	    { { "email_bounce_address", "bounces+{id}@city.example" },
	      { "email_bounce_secret_file", "@DIR/secret" },
	      { "email_bounce_secret", "b0unce" } } },
	{ "email = {\n"
	  "\tbounce_address = \"{id}-ret@mail.city.example\";\n"
	  "\tbounce_secret_file = \"@DIR/secret\";\n"
	  "};\n", "k",
	    { { "email_bounce_address", "{id}-ret@mail.city.example" },
	      { "email_bounce_secret_file", "@DIR/secret" },
	      { "email_bounce_secret", "k" } } },
	/* One-click unsubscribe: the URL needs no {sr}, the SR is in it. */
	{ "templates = {\n"
	  "\tunsubscribe_url = \"https://311.example.org/unsubscribe\";\n"
	  "\tunsubscribe_secret_file = \"@DIR/secret\";\n"
	  "\tunsubscribe_days = 30;\n"
	  "};\n", "unsub-k3y",
	    { { "templates_unsubscribe_url",
		"https://311.example.org/unsubscribe" },
	      { "templates_unsubscribe_secret_file", "@DIR/secret" },
	      { "templates_unsubscribe_secret", "unsub-k3y" },
	      { "templates_unsubscribe_days", "30" } } },
	{ "templates = {\n"
	  "\tunsubscribe_url = \"https://311.example.org/stop/{sr}\";\n"
	  "\tunsubscribe_secret_file = \"@DIR/secret\";\n"
	  "\tunsubscribe_days = 3650;\n"
	  "};\n", "k",
	    { { "templates_unsubscribe_url",
		"https://311.example.org/stop/{sr}" },
	      { "templates_unsubscribe_secret_file", "@DIR/secret" },
	      { "templates_unsubscribe_secret", "k" },
	      { "templates_unsubscribe_days", "3650" } } },
	/* The resident's page: the pattern and its key, together. */
	{ "templates = {\n"
	  "\tresident_url = \"https://311.example.ca/updates/{sr}/{token}\";\n"
	  "\tresident_secret_file = \"@DIR/secret\";\n"
	  "};\n", "res1dent-k3y\n",
	    { { "templates_resident_url",
		"https://311.example.ca/updates/{sr}/{token}" },
	      { "templates_resident_secret_file", "@DIR/secret" },
	      { "templates_resident_secret", "res1dent-k3y" } } },
	{ "templates = {\n"
	  "\tstatus_url = \"https://311.example.org/sr/{sr}\";\n"
	  "\tresident_url = \"https://311.example.ca/r?t={token}&sr={sr}\";\n"
	  "\tresident_secret_file = \"@DIR/secret\";\n"
	  "};\n", "k",
	    { { "templates_status_url", "https://311.example.org/sr/{sr}" },
	      { "templates_resident_url",
		"https://311.example.ca/r?t={token}&sr={sr}" },
	      { "templates_resident_secret_file", "@DIR/secret" },
	      { "templates_resident_secret", "k" } } },
};

struct test_config_bad {
	const char	*text;		/* NULL: no file at all */
	const char	*secret;
	const char	*cause;
};

static const struct test_config_bad test_config_bads[] = {
	/* Syntax errors, in libconfig's words. */
	{ "redis = { url = ; };\n", NULL,
	    "@FILE:1: syntax error: libconfig cannot read this (a string "
	    "without its double quotes? a setting without its ';', a group "
	    "without its '}'?)" },
	{ "redis = {\n\turl = \"redis://h\";\n", NULL,
	    "@FILE:3: syntax error: libconfig cannot read this (a string "
	    "without its double quotes? a setting without its ';', a group "
	    "without its '}'?)" },
	{ "redis.url = \"redis://h\";\n", NULL,
	    "@FILE:1: syntax error: libconfig cannot read this (a string "
	    "without its double quotes? a setting without its ';', a group "
	    "without its '}'?)" },
	{ "shutdown_timeout = 1;\nshutdown_timeout = 2;\n", NULL,
	    "@FILE:2: syntax error: duplicate setting name" },
	{ "@include \"@DIR/nope.conf\"\n", NULL,
	    "@FILE:1: syntax error: cannot open include file" },

	/* No file. */
	{ NULL, NULL,
	    "@FILE: cannot read the file: No such file or directory" },

	/* Unknown settings. */
	{ "colour = \"blue\";\n", NULL, "@FILE:1: colour: unknown setting" },
	{ "redis = {\n\turl = \"redis://h\";\n\thost = \"h\";\n};\n", NULL,
	    "@FILE:3: redis.host: unknown setting" },
	{ "events = { size = 1; };\n", NULL,
	    "@FILE:1: events.size: unknown setting" },
	{ "log = {\n\tlevel = \"info\";\n\tfile = \"/var/log/x\";\n};\n", NULL,
	    "@FILE:3: log.file: unknown setting" },

	/* Templates. */
	{ "templates = { status_url = \"http://311.example.org/{sr}\"; };\n",
	    NULL, "@FILE:1: templates.status_url: must be an https URL (got "
	    "\"http://311.example.org/{sr}\")" },
	{ "templates = { unsubscribe_url = \"https://311.example.org/\"; };\n",
	    NULL, "@FILE:1: templates.unsubscribe_url: must contain {sr}, "
	    "where the SR number goes (got \"https://311.example.org/\")" },
	{ "templates = { photo_hosts = [ \"photos.example.org/x\" ]; };\n",
	    NULL, "@FILE:1: templates.photo_hosts: \"photos.example.org/x\" "
	    "is not a host name (letters, digits, '-' and '.')" },
	{ "templates = { default_locale = \"en_US\"; };\n", NULL,
	    "@FILE:1: templates.default_locale: must contain only letters, "
	    "digits and '-' (got \"en_US\")" },
	{ "sms = { max_segments = 11; };\n", NULL,
	    "@FILE:1: sms.max_segments: must be between 1 and 10 (got 11)" },
	{ "divisions = {\n\tTW = { notes = { VALVE = { en = \"\"; }; }; };\n"
	  "};\n", NULL,
	    "@FILE:2: divisions.TW.notes.VALVE.en: must be a non-empty string" },

	/* The policy. */
	{ "policy = { notify_on = [ \"received\", \"fixed\" ]; };\n", NULL,
	    "@FILE:1: policy.notify_on: unknown notice \"fixed\" (use "
	    "received, assigned, scheduled, in_progress, transferred, "
	    "completed, no_action, duplicate, cancelled, reopened, "
	    "referred_external, overdue)" },
	{ "policy = { notify_on = [ \"feedback\" ]; };\n", NULL,
	    "@FILE:1: policy.notify_on: unknown notice \"feedback\" (use "
	    "received, assigned, scheduled, in_progress, transferred, "
	    "completed, no_action, duplicate, cancelled, reopened, "
	    "referred_external, overdue)" },
	{ "policy = { notify_on = [ ]; };\n", NULL,
	    "@FILE:1: policy.notify_on: must name at least one notice" },
	{ "policy = { notify_on = \"completed\"; };\n", NULL,
	    "@FILE:1: policy.notify_on: must be an array of notices "
	    "[\"completed\", ...] (got a string)" },
	{ "policy = { follow_duplicates = 1; };\n", NULL,
	    "@FILE:1: policy.follow_duplicates: must be true or false (got an "
	    "integer)" },
	{ "policy = { settle_seconds = -1; };\n", NULL,
	    "@FILE:1: policy.settle_seconds: must be between 0 and 86400 (got "
	    "-1)" },
	{ "policy = { retain_days = 0; };\n", NULL,
	    "@FILE:1: policy.retain_days: must be between 1 and 3650 (got 0)" },

	/* Asking residents whether it was fixed. */
	{ "feedback = { ask_after = 3; };\n", NULL,
	    "@FILE:1: feedback.ask_after: " DURATION " (got an integer)" },
	{ "feedback = { ask_after = \"3 days\"; };\n", NULL,
	    "@FILE:1: feedback.ask_after: " DURATION " (got \"3 days\")" },
	{ "feedback = { ask_after = \"d\"; };\n", NULL,
	    "@FILE:1: feedback.ask_after: " DURATION " (got \"d\")" },
	{ "feedback = { ask_after = \"366d\"; };\n", NULL,
	    "@FILE:1: feedback.ask_after: " DURATION " (got \"366d\")" },
	{ "feedback = { ask_after = \"-1d\"; };\n", NULL,
	    "@FILE:1: feedback.ask_after: " DURATION " (got \"-1d\")" },
	{ "feedback = { answer_days = 0; };\n", NULL,
	    "@FILE:1: feedback.answer_days: must be between 1 and 365 (got "
	    "0)" },
	{ "feedback = { answer_url = \"http://311.example.org/a\"; };\n",
	    NULL, "@FILE:1: feedback.answer_url: must be an https URL (got "
	    "\"http://311.example.org/a\")\n"
	    "@FILE:1: feedback.answer_url: needs "
	    "feedback.answer_secret_file, the key of its tokens (set both or "
	    "neither)" },
	{ "feedback = { answer_secret_file = \"@DIR/secret\"; };\n", "k\n",
	    "@FILE:1: feedback.answer_secret_file: needs "
	    "feedback.answer_url, where the links point (set both or "
	    "neither)" },
	{ "feedback = { services = ( { ask = 1; },\n"
	  "\t{ service = \"Graffiti\"; colour = 2; },\n"
	  "\t{ service = \"graffiti\"; },\n"
	  "\t\"Litter\" ); };\n", NULL,
	    "@FILE:1: feedback.services[0].ask: must be true or false (got "
	    "an integer)\n"
	    "@FILE:1: feedback.services[0].service: missing (required)\n"
	    "@FILE:2: feedback.services[1].colour: unknown setting (use "
	    "service, ask and ask_after)\n"
	    "@FILE:3: feedback.services[2]: service type \"graffiti\" is "
	    "listed twice\n"
	    "@FILE:4: feedback.services[3]: each entry must be a group "
	    "{ service = \"...\"; ask_after = \"3d\"; } (got a string)" },
	{ "feedback = { services = { }; };\n", NULL,
	    "@FILE:1: feedback.services: must be a list ( { service = "
	    "\"...\"; ask_after = \"3d\"; }, ... ) (got a group)" },
	{ "divisions = {\n\tTW = { feedback = { ask_after = \"4w\"; "
	  "when = 1; }; };\n\tTS = { feedback = true; };\n};\n", NULL,
	    "@FILE:2: divisions.TW.feedback.ask_after: " DURATION " (got "
	    "\"4w\")\n"
	    "@FILE:2: divisions.TW.feedback.when: unknown setting (use ask, "
	    "ask_after and services)\n"
	    "@FILE:3: divisions.TS.feedback: must be a group { ask = true; "
	    "ask_after = \"3d\"; } (got a boolean)" },
	{ "divisions = {\n\tTW = { notify_on = [ \"done\" ]; };\n};\n", NULL,
	    "@FILE:2: divisions.TW.notify_on: unknown notice \"done\" (use "
	    "received, assigned, scheduled, in_progress, transferred, "
	    "completed, no_action, duplicate, cancelled, reopened, "
	    "referred_external, overdue)" },

	/* Wrong types. */
	{ "events = { batch = \"100\"; };\n", NULL,
	    "@FILE:1: events.batch: must be an integer (got a string)" },
	{ "events = { batch = 1.5; };\n", NULL,
	    "@FILE:1: events.batch: must be an integer (got a number with a "
	    "fraction)" },
	{ "events = { batch = true; };\n", NULL,
	    "@FILE:1: events.batch: must be an integer (got a boolean)" },
	{ "events = { batch = [ 1 ]; };\n", NULL,
	    "@FILE:1: events.batch: must be an integer (got an array)" },
	{ "events = { batch = { }; };\n", NULL,
	    "@FILE:1: events.batch: must be an integer (got a group)" },
	{ "shutdown_timeout = \"30\";\n", NULL,
	    "@FILE:1: shutdown_timeout: must be an integer (got a string)" },
	{ "redis = { group = 5; };\n", NULL,
	    "@FILE:1: redis.group: must be a string (got an integer)" },
	{ "redis = { url = 5L; };\n", NULL,
	    "@FILE:1: redis.url: must be a string (got an integer)" },
	{ "redis = { consumer = ( \"a\" ); };\n", NULL,
	    "@FILE:1: redis.consumer: must be a string (got a list)" },
	{ "log = { level = 7; };\n", NULL,
	    "@FILE:1: log.level: must be a string (got an integer)" },
	{ "redis = \"redis://h\";\n", NULL,
	    "@FILE:1: redis: must be a group { ... } (got a string)" },
	{ "events = 100;\n", NULL,
	    "@FILE:1: events: must be a group { ... } (got an integer)" },
	{ "log = ( );\n", NULL,
	    "@FILE:1: log: must be a group { ... } (got a list)" },
	{ "policy = { holidays = \"2026-12-25\"; };\n", NULL,
	    "@FILE:1: policy.holidays: must be an array of dates "
	    "[\"2026-12-25\", ...] (got a string)" },
	{ "policy = {\n\tholidays = [ \"2026-12-25\", \"2026-02-29\",\n"
	  "\t    \"1969-12-31\", \"Christmas\", \"2026-12-25\" ];\n};\n", NULL,
	    "@FILE:2: policy.holidays: \"2026-02-29\" is not a date "
	    "YYYY-MM-DD (from 1970)\n"
	    "@FILE:3: policy.holidays: \"1969-12-31\" is not a date "
	    "YYYY-MM-DD (from 1970)\n"
	    "@FILE:3: policy.holidays: \"Christmas\" is not a date "
	    "YYYY-MM-DD (from 1970)\n"
	    "@FILE:3: policy.holidays: \"2026-12-25\" is listed twice" },
	{ "policy = { overdue_notice = 1; };\n", NULL,
	    "@FILE:1: policy.overdue_notice: must be true or false "
	    "(got an integer)" },
	{ "divisions = { TS = { standards = { days = 5; }; }; };\n", NULL,
	    "@FILE:1: divisions.TS.standards: " STANDARD_LIST
	    " (got a group)" },
	{ "divisions = {\n\tTS = { standards = (\n"
	  "\t\t5,\n"
	  "\t\t{ service = \"Pothole\"; },\n"
	  "\t\t{ days = -1; },\n"
	  "\t\t{ days = 1001; target = \"response\"; },\n"
	  "\t\t{ days = \"5\"; },\n"
	  "\t\t{ days = 5; target = \"completed\"; },\n"
	  "\t\t{ days = 5; service = \"\"; },\n"
	  "\t\t{ days = 5; colour = \"red\"; }\n"
	  "\t); };\n};\n", NULL,
	    "@FILE:3: divisions.TS.standards[0]: each entry must be a group "
	    "{ days = ...; target = \"...\"; } (got an integer)\n"
	    "@FILE:4: divisions.TS.standards[1].days: missing (required)\n"
	    "@FILE:5: divisions.TS.standards[2].days: " STANDARD_DAYS "\n"
	    "@FILE:6: divisions.TS.standards[3].days: " STANDARD_DAYS "\n"
	    "@FILE:7: divisions.TS.standards[4].days: " STANDARD_DAYS "\n"
	    "@FILE:8: divisions.TS.standards[5].target: must be "
	    "\"completion\" or \"response\"\n"
	    "@FILE:9: divisions.TS.standards[6].service: must be a service "
	    "type of 1 to 200 characters, without control characters\n"
	    "@FILE:10: divisions.TS.standards[7].colour: unknown setting (use "
	    "service, days and target)" },
	{ "divisions = {\n\tTS = { standards = (\n"
	  "\t\t{ service = \"Pothole\"; days = 5; },\n"
	  "\t\t{ days = 5; },\n"
	  "\t\t{ service = \"POTHOLE\"; days = 2; },\n"
	  "\t\t{ days = 3; }\n"
	  "\t); };\n"
	  "\tTW = { standards = ( { service = \"Pothole\"; days = 1; } ); };\n"
	  "};\n", NULL,
	    "@FILE:5: divisions.TS.standards[2].service: \"POTHOLE\" has a "
	    "standard already\n"
	    "@FILE:6: divisions.TS.standards[3]: a standard without service "
	    "is given already (one serves every other service type)" },
	{ "divisions = [ ];\n", NULL,
	    "@FILE:1: divisions: must be a group { ... } (got an array)" },

	/* Out of range. */
	{ "redis = { claim_idle_ms = 99; };\n", NULL,
	    "@FILE:1: redis.claim_idle_ms: must be between 100 and 86400000 "
	    "(got 99)" },
	{ "redis = { claim_idle_ms = 86400001; };\n", NULL,
	    "@FILE:1: redis.claim_idle_ms: must be between 100 and 86400000 "
	    "(got 86400001)" },
	{ "redis = { claim_idle_ms = 99999999999L; };\n", NULL,
	    "@FILE:1: redis.claim_idle_ms: must be between 100 and 86400000 "
	    "(got 99999999999)" },
	{ "redis = { max_deliveries = 0; };\n", NULL,
	    "@FILE:1: redis.max_deliveries: must be between 1 and 1000 "
	    "(got 0)" },
	{ "redis = { max_deliveries = 1001; };\n", NULL,
	    "@FILE:1: redis.max_deliveries: must be between 1 and 1000 "
	    "(got 1001)" },
	{ "redis = { connect_timeout_ms = 99; };\n", NULL,
	    "@FILE:1: redis.connect_timeout_ms: must be between 100 and 60000 "
	    "(got 99)" },
	{ "redis = { retry_max_ms = 300001; };\n", NULL,
	    "@FILE:1: redis.retry_max_ms: must be between 100 and 300000 "
	    "(got 300001)" },
	{ "events = { batch = 10001; };\n", NULL,
	    "@FILE:1: events.batch: must be between 1 and 10000 (got 10001)" },
	{ "events = { dedupe_seconds = 59; };\n", NULL,
	    "@FILE:1: events.dedupe_seconds: must be between 60 and 31536000 "
	    "(got 59)" },
	{ "events = { history_max = 9; };\n", NULL,
	    "@FILE:1: events.history_max: must be between 10 and 100000 "
	    "(got 9)" },
	{ "events = { history_days = 3651; };\n", NULL,
	    "@FILE:1: events.history_days: must be between 1 and 3650 "
	    "(got 3651)" },
	{ "shutdown_timeout = -1;\n", NULL,
	    "@FILE:1: shutdown_timeout: must be between 1 and 3600 (got -1)" },
	{ "shutdown_timeout = 3601;\n", NULL,
	    "@FILE:1: shutdown_timeout: must be between 1 and 3600 "
	    "(got 3601)" },

	/* Bad strings. */
	{ "redis = { url = \"\"; };\n", NULL,
	    "@FILE:1: redis.url: must not be empty" },
	{ "redis = { group = \"\"; };\n", NULL,
	    "@FILE:1: redis.group: must not be empty" },
	{ "redis = { stream = \"\"; };\n", NULL,
	    "@FILE:1: redis.stream: must not be empty" },
	{ "redis = { group = \"" A257 "\"; };\n", NULL,
	    "@FILE:1: redis.group: is longer than 256 characters" },
	{ "redis = { prefix = \"" A65 "\"; };\n", NULL,
	    "@FILE:1: redis.prefix: is longer than 64 characters" },
	{ "redis = { consumer = \"a\\tb\"; };\n", NULL,
	    "@FILE:1: redis.consumer: contains a control character" },
	{ "redis = { group = \"a\\x01\"; };\n", NULL,
	    "@FILE:1: redis.group: contains a control character" },
	{ "redis = { prefix = \"cl\x7f:\"; };\n", NULL,
	    "@FILE:1: redis.prefix: contains a control character" },
	{ "redis = { url = \"redis://h\\n\"; };\n", NULL,
	    "@FILE:1: redis.url: contains a control character" },

	/* Log levels. */
	{ "log = { level = \"verbose\"; };\n", NULL,
	    "@FILE:1: log.level: unknown level \"verbose\" " LEVELS },
	{ "log = { level = \"INFO\"; };\n", NULL,
	    "@FILE:1: log.level: unknown level \"INFO\" " LEVELS },
	{ "log = { level = \"\"; };\n", NULL,
	    "@FILE:1: log.level: unknown level \"\" " LEVELS },

	/* redis.url, one row per phrase. */
	{ "redis = {\n\turl = \"127.0.0.1:6379\";\n};\n", NULL,
	    "@FILE:2: redis.url: " URL_SCHEME " (got \"127.0.0.1:6379\")" },
	{ "redis = { url = \"redis://closeloop@h\"; };\n", NULL,
	    "@FILE:1: redis.url: " URL_USER },
	{ "redis = { url = \"unix://run/redis.sock\"; };\n", NULL,
	    "@FILE:1: redis.url: " URL_UNIX
	    " (got \"unix://run/redis.sock\")" },
	{ "redis = { url = \"unix:///r.sock?db=16\"; };\n", NULL,
	    "@FILE:1: redis.url: " URL_QUERY
	    " (got \"unix:///r.sock?db=16\")" },
	{ "redis = { url = \"redis://:6379\"; };\n", NULL,
	    "@FILE:1: redis.url: " URL_HOST " (got \"redis://:6379\")" },
	{ "redis = { url = \"redis://h:0\"; };\n", NULL,
	    "@FILE:1: redis.url: " URL_PORT " (got \"redis://h:0\")" },
	{ "redis = { url = \"redis://h:70000\"; };\n", NULL,
	    "@FILE:1: redis.url: " URL_PORT " (got \"redis://h:70000\")" },
	{ "redis = { url = \"redis://h:abc\"; };\n", NULL,
	    "@FILE:1: redis.url: " URL_PORT " (got \"redis://h:abc\")" },
	{ "redis = { url = \"redis://h/16\"; };\n", NULL,
	    "@FILE:1: redis.url: " URL_DB " (got \"redis://h/16\")" },
	{ "redis = { url = \"redis://[::1:6379\"; };\n", NULL,
	    "@FILE:1: redis.url: " URL_IPV6 " (got \"redis://[::1:6379\")" },
	{ "redis = { url = \"redis://[::1]6379\"; };\n", NULL,
	    "@FILE:1: redis.url: " URL_AFTER " (got \"redis://[::1]6379\")" },
	{ "redis = { url = \"redis://:hunter2@h:6379/0\"; };\n", NULL,
	    "@FILE:1: redis.url: " URL_USER },

	/* The two streams must differ. */
	{ "redis = {\n"
	  "\tstream = \"s\";\n"
	  "\tdead_stream = \"s\";\n"
	  "};\n", NULL,
	    "@FILE:3: redis.dead_stream: must differ from redis.stream" },
	{ "redis = {\n\tdead_stream = \"closeloop:events\";\n};\n", NULL,
	    "@FILE:2: redis.dead_stream: must differ from redis.stream" },
	/* dead_stream is not in the file, so there is no line to give. */
	{ "redis = {\n\tstream = \"closeloop:dead\";\n};\n", NULL,
	    "@FILE: redis.dead_stream: must differ from redis.stream" },
	{ "redis = { prefix = \"x\"; stream = \"xdead\"; };\n", NULL,
	    "@FILE: redis.dead_stream: must differ from redis.stream" },
	{ "outbound = {\n\tstream = \"closeloop:events\";\n};\n", NULL,
	    "@FILE:2: outbound.stream: must differ from redis.stream and "
	    "redis.dead_stream" },
	{ "outbound = { stream = \"closeloop:dead\"; };\n", NULL,
	    "@FILE:1: outbound.stream: must differ from redis.stream and "
	    "redis.dead_stream" },
	/* outbound.stream is not in the file: no line to give. */
	{ "redis = { stream = \"closeloop:outbound\"; };\n", NULL,
	    "@FILE: outbound.stream: must differ from redis.stream and "
	    "redis.dead_stream" },
	{ "outbound = { maxlen = 999; };\n", NULL,
	    "@FILE:1: outbound.maxlen: must be between 1000 and 1000000000 "
	    "(got 999)" },
	{ "outbound = { enabled = 1; };\n", NULL,
	    "@FILE:1: outbound.enabled: must be true or false (got an "
	    "integer)" },

	/* Secrets. */
	{ "redis = {\n\tpassword_file = \"@DIR/nope\";\n};\n", NULL,
	    "@FILE:2: redis.password_file: cannot read @DIR/nope: "
	    "No such file or directory" },
	{ "redis = { password_file = \"@DIR/secret\"; };\n", "",
	    "@FILE:1: redis.password_file: cannot read @DIR/secret: "
	    "the file is empty" },
	{ "redis = { password_file = \"@DIR/secret\"; };\n", "\nsecond\n",
	    "@FILE:1: redis.password_file: cannot read @DIR/secret: "
	    "the first line is empty" },
	{ "redis = { password_file = \"@DIR/secret\"; };\n", "\r\n",
	    "@FILE:1: redis.password_file: cannot read @DIR/secret: "
	    "the first line is empty" },
	{ "redis = { password_file = \"\"; };\n", NULL,
	    "@FILE:1: redis.password_file: must not be empty" },
	{ "redis = { password_file = \"@DIR\"; };\n", NULL,
	    "@FILE:1: redis.password_file: cannot read @DIR: "
	    "Is a directory" },
	{ "redis = {\n\tusername = \"closeloop\";\n};\n", NULL,
	    "@FILE:2: redis.username: needs redis.password_file" },
	{ "redis = {\n"
	  "\tusername = \"closeloop\";\n"
	  "\tpassword_file = \"@DIR/nope\";\n"
	  "};\n", NULL,
	    "@FILE:3: redis.password_file: cannot read @DIR/nope: "
	    "No such file or directory" },

	/* Sentinels. */
	{ "redis = {\n"
	  "\tsentinels = \"h:26379\";\n"
	  "\tmaster_name = \"m\";\n"
	  "};\n", NULL,
	    "@FILE:2: redis.sentinels: must be a list of sentinels ( "
	    "\"HOST:PORT\", ... ) (got a string)" },
	{ "redis = { sentinels = ( ); master_name = \"m\"; };\n", NULL,
	    "@FILE:1: redis.sentinels: must list 1 to 16 sentinels (got 0)" },
	{ "redis = {\n\tsentinels = ( \"h:1\", \"h:2\", \"h:3\", \"h:4\", "
	  "\"h:5\", \"h:6\", \"h:7\", \"h:8\", \"h:9\", \"h:10\", \"h:11\", "
	  "\"h:12\", \"h:13\", \"h:14\", \"h:15\", \"h:16\", \"h:17\" );\n"
	  "\tmaster_name = \"m\";\n};\n", NULL,
	    "@FILE:2: redis.sentinels: must list 1 to 16 sentinels (got 17)" },
	{ "redis = {\n"
	  "\tsentinels = ( \"h:26379\",\n"
	  "\t    \"h\" );\n"
	  "\tmaster_name = \"m\";\n"
	  "};\n", NULL,
	    "@FILE:3: redis.sentinels: \"h\" needs a port (HOST:PORT or "
	    "[IPV6]:PORT)" },
	{ "redis = { sentinels = ( 26379 ); master_name = \"m\"; };\n", NULL,
	    "@FILE:1: redis.sentinels: each sentinel must be a string "
	    "\"HOST:PORT\" (got an integer)" },
	{ "redis = {\n"
	  "\tsentinels = ( \"redis://h:26379\" );\n"
	  "\tmaster_name = \"m\";\n"
	  "};\n", NULL,
	    "@FILE:2: redis.sentinels: \"redis://h:26379\" must be HOST:PORT "
	    "or [IPV6]:PORT, not a URL" },
	{ "redis = { sentinels = ( \"h:0\" ); master_name = \"m\"; };\n",
	    NULL, "@FILE:1: redis.sentinels: \"h:0\" " URL_PORT },
	{ "redis = { sentinels = ( \"[::1:1\" ); master_name = \"m\"; };\n",
	    NULL, "@FILE:1: redis.sentinels: \"[::1:1\" " URL_IPV6 },
	{ "redis = { sentinels = ( \":26379\" ); master_name = \"m\"; };\n",
	    NULL, "@FILE:1: redis.sentinels: \":26379\" " URL_HOST },
	{ "redis = { sentinels = ( \"h_1:2\" ); master_name = \"m\"; };\n",
	    NULL, "@FILE:1: redis.sentinels: \"h_1:2\" " URL_HOSTCHARS },
	{ "redis = {\n"
	  "\tsentinels = ( \"h:26379\", \"h:26380\",\n"
	  "\t    \"h:26379\" );\n"
	  "\tmaster_name = \"m\";\n"
	  "};\n", NULL,
	    "@FILE:3: redis.sentinels: \"h:26379\" is listed twice" },
	{ "redis = {\n\tsentinels = ( \"h:26379\" );\n};\n", NULL,
	    "@FILE:2: redis.sentinels: needs redis.master_name, the name the "
	    "sentinels know the master by" },
	{ "redis = {\n\tmaster_name = \"mymaster\";\n};\n", NULL,
	    "@FILE:2: redis.master_name: needs redis.sentinels" },
	{ "redis = {\n"
	  "\tsentinels = ( \"h:26379\" );\n"
	  "\tmaster_name = \"my master\";\n"
	  "};\n", NULL,
	    "@FILE:3: redis.master_name: must be letters, digits, '.', '-', "
	    "'_' and ':' (got \"my master\")" },
	{ "redis = { sentinels = ( \"h:26379\" ); master_name = \"\"; };\n",
	    NULL, "@FILE:1: redis.master_name: must not be empty" },
	{ "redis = {\n\tsentinel_password_file = \"@DIR/secret\";\n};\n",
	    "s3ntinel\n",
	    "@FILE:2: redis.sentinel_password_file: needs redis.sentinels" },
	{ "redis = {\n"
	  "\tsentinels = ( \"h:26379\" );\n"
	  "\tmaster_name = \"m\";\n"
	  "\tsentinel_password_file = \"@DIR/nope\";\n"
	  "};\n", NULL,
	    "@FILE:4: redis.sentinel_password_file: cannot read @DIR/nope: "
	    "No such file or directory" },

	/* Divisions. */
	{ "divisions = {\n\tTS = \"Transportation Services\";\n};\n", NULL,
	    "@FILE:2: divisions.TS: " DIVISION_GROUP " (got a string)" },
	{ "divisions = { TS = ( ); };\n", NULL,
	    "@FILE:1: divisions.TS: " DIVISION_GROUP " (got a list)" },
	{ "divisions = {\n"
	  "\tTS = {\n"
	  "\t\tname = { en = \"Transportation Services\"; };\n"
	  "\t\tcolour = \"red\";\n"
	  "\t};\n"
	  "};\n", NULL,
	    "@FILE:4: divisions.TS.colour: " DIVISION_UNKNOWN },
	{ "divisions = { TS = { names = { en = \"x\"; }; }; };\n", NULL,
	    "@FILE:1: divisions.TS.names: " DIVISION_UNKNOWN },
	{ "divisions = {\n"
	  "\tTS = {\n"
	  "\t\tname = \"Transportation Services\";\n"
	  "\t};\n"
	  "};\n", NULL,
	    "@FILE:3: divisions.TS.name: " NAME_GROUP " (got a string)" },
	{ "divisions = { TS = { name = ( \"x\" ); }; };\n", NULL,
	    "@FILE:1: divisions.TS.name: " NAME_GROUP " (got a list)" },
	{ "divisions = {\n"
	  "\tTS = {\n"
	  "\t\tname = {\n"
	  "\t\t\ten = \"Transportation Services\";\n"
	  "\t\t\tfr = \"\";\n"
	  "\t\t};\n"
	  "\t};\n"
	  "};\n", NULL,
	    "@FILE:5: divisions.TS.name.fr: " NAME_EMPTY },
	{ "divisions = { TS = { name = { en = 5; }; }; };\n", NULL,
	    "@FILE:1: divisions.TS.name.en: " NAME_EMPTY },
	{ "divisions = { TS = { name = { en = { }; }; }; };\n", NULL,
	    "@FILE:1: divisions.TS.name.en: " NAME_EMPTY },
	{ "divisions = { TS = { name = { en = \"a\\nb\"; }; }; };\n", NULL,
	    "@FILE:1: divisions.TS.name.en: contains a control character" },
	{ "divisions = {\n"
	  "\tTW = {\n"
	  "\t\tstatus_map = { code = \"A\"; status = \"closed\"; };\n"
	  "\t};\n"
	  "};\n", NULL,
	    "@FILE:3: divisions.TW.status_map: " MAP_LIST " (got a group)" },
	{ "divisions = { TW = { status_map = \"A=closed\"; }; };\n", NULL,
	    "@FILE:1: divisions.TW.status_map: " MAP_LIST " (got a string)" },
	{ "divisions = { TW = { status_map = [ \"A\" ]; }; };\n", NULL,
	    "@FILE:1: divisions.TW.status_map: " MAP_LIST " (got an array)" },
	{ "divisions = {\n"
	  "\tTW = {\n"
	  "\t\tstatus_map = (\n"
	  "\t\t\t{ code = \"A\"; status = \"closed\"; },\n"
	  "\t\t\t\"B\",\n"
	  "\t\t\t{ code = \"C\"; status = \"closed\"; }\n"
	  "\t\t);\n"
	  "\t};\n"
	  "};\n", NULL,
	    "@FILE:5: divisions.TW.status_map[1]: " ENTRY_GROUP
	    " (got a string)" },
	{ "divisions = { TW = { status_map = ( ( ) ); }; };\n", NULL,
	    "@FILE:1: divisions.TW.status_map[0]: " ENTRY_GROUP
	    " (got a list)" },
	{ "divisions = {\n"
	  "\tTW = {\n"
	  "\t\tstatus_map = (\n"
	  "\t\t\t{ status = \"closed\"; }\n"
	  "\t\t);\n"
	  "\t};\n"
	  "};\n", NULL,
	    "@FILE:4: divisions.TW.status_map[0].code: missing (required)" },
	{ "divisions = { TW = { status_map = ( { code = \"\"; "
	  "status = \"closed\"; } ); }; };\n", NULL,
	    "@FILE:1: divisions.TW.status_map[0].code: missing (required)" },
	{ "divisions = {\n"
	  "\tTW = {\n"
	  "\t\tstatus_map = (\n"
	  "\t\t\t{ code = \"A\"; status = \"closed\"; },\n"
	  "\t\t\t{ code = \"B\"; reason = \"completed\"; }\n"
	  "\t\t);\n"
	  "\t};\n"
	  "};\n", NULL,
	    "@FILE:5: divisions.TW.status_map[1].status: missing (required)" },
	{ "divisions = { TW = { status_map = ( { code = \"A\"; } ); }; };\n",
	    NULL,
	    "@FILE:1: divisions.TW.status_map[0].status: missing (required)" },
	{ "divisions = { TW = { status_map = ( { code = \"A\"; "
	  "status = \"done\"; } ); }; };\n", NULL,
	    "@FILE:1: divisions.TW.status_map[0].status: unknown status "
	    "\"done\" " STATUSES },
	{ "divisions = { TW = { status_map = ( { code = \"A\"; "
	  "status = \"closed\"; reason = \"fixed\"; } ); }; };\n", NULL,
	    "@FILE:1: divisions.TW.status_map[0].reason: unknown reason "
	    "\"fixed\" " REASONS },
	{ "divisions = {\n"
	  "\tTW = {\n"
	  "\t\tstatus_map = (\n"
	  "\t\t\t{\n"
	  "\t\t\t\tcode = \"A\";\n"
	  "\t\t\t\tstatus = \"closed\";\n"
	  "\t\t\t\tnote = \"x\";\n"
	  "\t\t\t}\n"
	  "\t\t);\n"
	  "\t};\n"
	  "};\n", NULL,
	    "@FILE:7: divisions.TW.status_map[0].note: " ENTRY_UNKNOWN },
	{ "divisions = { TW = { status_map = ( { code = \"A\"; "
	  "status = 3; } ); }; };\n", NULL,
	    "@FILE:1: divisions.TW.status_map[0].status: must be a string "
	    "(got an integer)" },
	{ "divisions = { TW = { status_map = ( { code = 5; "
	  "status = \"closed\"; } ); }; };\n", NULL,
	    "@FILE:1: divisions.TW.status_map[0].code: must be a string "
	    "(got an integer)" },

	/* Several problems: all of them, one per line, in file order. */
	{ "colour = \"blue\";\n"
	  "redis = {\n"
	  "\tmax_deliveries = 0;\n"
	  "\tgroup = \"\";\n"
	  "\tport = 6379;\n"
	  "};\n"
	  "events = { batch = \"many\"; };\n"
	  "log = { level = \"loud\"; };\n"
	  "divisions = {\n"
	  "\tTS = {\n"
	  "\t\tname = { en = \"\"; };\n"
	  "\t\tstatus_map = (\n"
	  "\t\t\t{ code = \"X\"; status = \"done\"; }\n"
	  "\t\t);\n"
	  "\t};\n"
	  "\tTW = 1;\n"
	  "};\n"
	  "shutdown_timeout = 0;\n", NULL,
	    "@FILE:1: colour: unknown setting\n"
	    "@FILE:3: redis.max_deliveries: must be between 1 and 1000 "
	    "(got 0)\n"
	    "@FILE:4: redis.group: must not be empty\n"
	    "@FILE:5: redis.port: unknown setting\n"
	    "@FILE:7: events.batch: must be an integer (got a string)\n"
	    "@FILE:8: log.level: unknown level \"loud\" " LEVELS "\n"
	    "@FILE:11: divisions.TS.name.en: " NAME_EMPTY "\n"
	    "@FILE:13: divisions.TS.status_map[0].status: unknown status "
	    "\"done\" " STATUSES "\n"
	    "@FILE:16: divisions.TW: " DIVISION_GROUP " (got an integer)\n"
	    "@FILE:18: shutdown_timeout: must be between 1 and 3600 (got 0)" },
	{ "redis = {\n"
	  "\turl = \"redis://h/16\";\n"
	  "\tstream = \"s\";\n"
	  "\tdead_stream = \"s\";\n"
	  "\tpassword_file = \"@DIR/nope\";\n"
	  "};\n", NULL,
	    "@FILE:2: redis.url: " URL_DB " (got \"redis://h/16\")\n"
	    "@FILE:4: redis.dead_stream: must differ from redis.stream\n"
	    "@FILE:5: redis.password_file: cannot read @DIR/nope: "
	    "No such file or directory" },
	{ "redis = {\n"
	  "\turl = \"redis://h:0\";\n"
	  "\thost = \"h\";\n"
	  "};\n", NULL,
	    "@FILE:2: redis.url: " URL_PORT " (got \"redis://h:0\")\n"
	    "@FILE:3: redis.host: unknown setting" },

	/* Delivery. */
	{ "email = { starttls = \"maybe\"; };\n", NULL,
	    "@FILE:1: email.starttls: must be required, opportunistic or off "
	    "(got \"maybe\")" },
	{ "email = { smtp = \"mail.example.org:25\"; from = \"a@b.org\"; };\n",
	    NULL, "@FILE:1: email.smtp: must be smtp://HOST:PORT (got "
	    "\"mail.example.org:25\")" },
	{ "email = { smtp = \"smtp://mail.example.org:25\"; };\n", NULL,
	    "@FILE:1: email.from: must be set when email.smtp is" },
	{ "email = { from = \"311 <not an address>\"; };\n", NULL,
	    "@FILE:1: email.from: has no '@' (got \"311 <not an address>\")" },
	{ "email = {\n"
	  "\tsmtp = \"smtp://mail.example.org:25\";\n"
	  "\tstarttls = \"off\";\n"
	  "\tfrom = \"a@b.org\";\n"
	  "\tusername = \"u\";\n"
	  "\tpassword_file = \"@DIR/secret\";\n"
	  "};\n", "pw",
	    "@FILE:3: email.starttls: \"off\" would send the SMTP password "
	    "in clear to mail.example.org; use required (or a loopback "
	    "server)" },
	{ "sms = { gateway = \"nexmo\"; url = \"https://x.example/\"; "
	  "from = \"311\"; };\n", NULL,
	    "@FILE:1: sms.gateway: must be kannel or twilio (got \"nexmo\")" },
	{ "sms = { gateway = \"kannel\"; };\n", NULL,
	    "@FILE:1: sms.gateway: needs sms.url and sms.from" },
	{ "sms = { url = \"http://sms.example.org/send\"; "
	  "allow_http_loopback = true; };\n", NULL,
	    "@FILE:1: sms.url: the gateway URL must be https (plain http only "
	    "to a loopback address) (got \"http://sms.example.org/send\")" },
	{ "sms = { url = \"https://u:p@sms.example.org/send\"; };\n", NULL,
	    "@FILE:1: sms.url: the gateway URL holds a user name or password: "
	    "put credentials in the password file" },
	{ "sms = { from = \"call us\"; };\n", NULL,
	    "@FILE:1: sms.from: must be an E.164 number or a short code (got "
	    "\"call us\")" },
	{ "sms = { quiet_hours = \"9pm-8am\"; };\n", NULL,
	    "@FILE:1: sms.quiet_hours: must be \"HH:MM-HH:MM\", two different "
	    "times (got \"9pm-8am\")" },
	{ "sms = { quiet_hours = \"24:00-08:00\"; };\n", NULL,
	    "@FILE:1: sms.quiet_hours: must be \"HH:MM-HH:MM\", two different "
	    "times (got \"24:00-08:00\")" },
	{ "retry = { initial_seconds = 600; max_seconds = 60; };\n", NULL,
	    "@FILE:1: retry.max_seconds: must be at least "
	    "retry.initial_seconds (600)" },
	{ "delivery = { lease_seconds = 1; };\n", NULL,
	    "@FILE:1: delivery.lease_seconds: must be between 5 and 86400 "
	    "(got 1)" },
	{ "sms = { dlr_url = \"http://127.0.0.1:9311/receipt\"; };\n", NULL,
	    "@FILE:1: sms.dlr_url: needs sms.dlr_secret_file, the key that "
	    "signs each receipt's URL" },
	{ "sms = { dlr_url = \"ftp://x.example/r\"; "
	  "dlr_secret_file = \"@DIR/secret\"; };\n", "k",
	    "@FILE:1: sms.dlr_url: must be an http or https URL, where the "
	    "gateway reaches closeloopd's listener (got \"ftp://x.example/r\")" },
	{ "sms = {\n\tdlr_url = \"http://127.0.0.1/r\";\n"
	  "\tdlr_secret_file = \"@DIR/nope\";\n};\n", NULL,
	    "@FILE:3: sms.dlr_secret_file: cannot read @DIR/nope: No such "
	    "file or directory" },
	{ "sms = { inbound_secret_file = \"@DIR/nope\"; };\n", NULL,
	    "@FILE:1: sms.inbound_secret_file: cannot read @DIR/nope: No such "
	    "file or directory" },
	{ "sms = { inbound_secret_file = \"@DIR/secret\"; };\n", "\n",
	    "@FILE:1: sms.inbound_secret_file: cannot read @DIR/secret: the "
	    "first line is empty" },
	{ "audit = {\n\tlookup_secret_file = \"@DIR/nope\";\n};\n", NULL,
	    "@FILE:2: audit.lookup_secret_file: cannot read @DIR/nope: No such "
	    "file or directory" },
	{ "email = { bounce_address = \"bounces+{id}@city.example\"; };\n",
	    NULL, "@FILE:1: email.bounce_address and "
	    "email.bounce_secret_file, the key of its tokens, go together "
	    "(set both or neither)" },
	{ "email = {\n\tbounce_secret_file = \"@DIR/secret\";\n};\n", "k",
	    "@FILE:2: email.bounce_address and email.bounce_secret_file, the "
	    "key of its tokens, go together (set both or neither)" },
	{ "email = {\n"
	  "\tbounce_address = \"bounces+{id}@city.example\";\n"
	  "\tbounce_secret_file = \"@DIR/nope\";\n};\n", NULL,
	    "@FILE:3: email.bounce_secret_file: cannot read @DIR/nope: No such "
	    "file or directory" },
	{ "email = {\n"
	  "\tbounce_address = \"bounces@city.example\";\n"
	  "\tbounce_secret_file = \"@DIR/secret\";\n};\n", "k",
	    "@FILE:2: email.bounce_address: must be an address with one {id} "
	    "in its local part, as \"bounces+{id}@city.example\" (got "
	    "\"bounces@city.example\")" },
	{ "email = {\n"
	  "\tbounce_address = \"b+{id}@{id}.example\";\n"
	  "\tbounce_secret_file = \"@DIR/secret\";\n};\n", "k",
	    "@FILE:2: email.bounce_address: must be an address with one {id} "
	    "in its local part, as \"bounces+{id}@city.example\" (got "
	    "\"b+{id}@{id}.example\")" },
	{ "email = {\n"
	  "\tbounce_address = \"bounces@{id}.example\";\n"
	  "\tbounce_secret_file = \"@DIR/secret\";\n};\n", "k",
	    "@FILE:2: email.bounce_address: must be an address with one {id} "
	    "in its local part, as \"bounces+{id}@city.example\" (got "
	    "\"bounces@{id}.example\")" },
	{ "email = {\n"
	  "\tbounce_address = \"bounce s+{id}@city.example\";\n"
	  "\tbounce_secret_file = \"@DIR/secret\";\n};\n", "k",
	    "@FILE:2: email.bounce_address: local part contains a character "
	    "that is not allowed once {id} is filled in (got \"bounce "
	    "s+{id}@city.example\")" },
	{ "email = {\n"
	  "\tbounce_address = \"bounces+{id}@city\";\n"
	  "\tbounce_secret_file = \"@DIR/secret\";\n};\n", "k",
	    "@FILE:2: email.bounce_address: domain must contain a '.' once "
	    "{id} is filled in (got \"bounces+{id}@city\")" },
	{ "email = {\n"
	  "\tbounce_address = \"toronto-311-service-request-"
	  "bounces+{id}@city.example\";\n"
	  "\tbounce_secret_file = \"@DIR/secret\";\n};\n", "k",
	    "@FILE:2: email.bounce_address: its local part leaves room for "
	    "notification ids of 7 characters; it needs 18 (a local part "
	    "holds at most 64, and {id} takes the id, a '.' and a token of "
	    "20)" },
	{ "templates = { unsubscribe_secret_file = \"@DIR/secret\"; };\n",
	    "k", "@FILE:1: templates.unsubscribe_secret_file: needs "
	    "templates.unsubscribe_url, where the links point" },
	{ "templates = {\n"
	  "\tunsubscribe_url = \"https://311.example.org/\";\n"
	  "\tunsubscribe_secret_file = \"@DIR/nope\";\n};\n", NULL,
	    "@FILE:3: templates.unsubscribe_secret_file: cannot read "
	    "@DIR/nope: No such file or directory" },
	{ "templates = {\n"
	  "\tunsubscribe_url = \"https://311.example.org/" A256 A256 A256
	  "{sr}\";\n"
	  "\tunsubscribe_secret_file = \"@DIR/secret\";\n};\n", "k",
	    "@FILE:2: templates.unsubscribe_url: too long for a one-click "
	    "link: with an SR number of 64 characters and the 174 characters "
	    "of its parameters it would take 1030 (at most 900)" },
	{ "templates = {\n"
	  "\tresident_url = \"http://311.example.ca/u/{sr}/{token}\";\n"
	  "\tresident_secret_file = \"@DIR/secret\";\n};\n", "k",
	    "@FILE:2: templates.resident_url: must be an https URL (got "
	    "\"http://311.example.ca/u/{sr}/{token}\")" },
	{ "templates = {\n"
	  "\tresident_url = \"https://311.example.ca/u/{token}\";\n"
	  "\tresident_secret_file = \"@DIR/secret\";\n};\n", "k",
	    "@FILE:2: templates.resident_url: must contain {sr}, where the "
	    "SR number goes (got \"https://311.example.ca/u/{token}\")" },
	{ "templates = {\n"
	  "\tresident_url = \"https://311.example.ca/u/{sr}\";\n"
	  "\tresident_secret_file = \"@DIR/secret\";\n};\n", "k",
	    "@FILE:2: templates.resident_url: must contain {token}, where the "
	    "page's token goes (got \"https://311.example.ca/u/{sr}\")" },
	{ "templates = {\n"
	  "\tresident_url = \"https://311.example.ca/u\";\n"
	  "\tresident_secret_file = \"@DIR/secret\";\n};\n", "k",
	    "@FILE:2: templates.resident_url: must contain {sr}, where the "
	    "SR number goes (got \"https://311.example.ca/u\")\n"
	    "@FILE:2: templates.resident_url: must contain {token}, where the "
	    "page's token goes (got \"https://311.example.ca/u\")" },
	{ "templates = {\n"
	  "\tresident_url = \"https://311.example.ca/u/{sr}/{token}\";\n"
	  "};\n", NULL,
	    "@FILE:2: templates.resident_url: needs "
	    "templates.resident_secret_file, the key of its tokens (set both "
	    "or neither)" },
	{ "templates = {\n"
	  "\tstatus_url = \"https://311.example.org/sr/{sr}\";\n"
	  "\tresident_secret_file = \"@DIR/secret\";\n};\n", "k",
	    "@FILE:3: templates.resident_secret_file: needs "
	    "templates.resident_url, where the links point (set both or "
	    "neither)" },
	{ "templates = {\n"
	  "\tresident_url = \"https://311.example.ca/u/{sr}/{token}\";\n"
	  "\tresident_secret_file = \"@DIR/nope\";\n};\n", NULL,
	    "@FILE:3: templates.resident_secret_file: cannot read "
	    "@DIR/nope: No such file or directory" },
	{ "templates = {\n"
	  "\tresident_url = \"https://311.example.ca/u/{sr}/{token}\";\n"
	  "\tresident_secret_file = \"@DIR/secret\";\n};\n", "\n",
	    "@FILE:3: templates.resident_secret_file: cannot read @DIR/secret: "
	    "the first line is empty" },
	{ "templates = { unsubscribe_days = 0; };\n", NULL,
	    "@FILE:1: templates.unsubscribe_days: must be between 1 and 3650 "
	    "(got 0)" },
	{ "templates = { unsubscribe_days = 3651; };\n", NULL,
	    "@FILE:1: templates.unsubscribe_days: must be between 1 and 3650 "
	    "(got 3651)" },
	{ "sms = { dlr_max_age_days = 0; };\n", NULL,
	    "@FILE:1: sms.dlr_max_age_days: must be between 1 and 365 "
	    "(got 0)" },
	{ "sms = { dlr_max_age_days = 366; };\n", NULL,
	    "@FILE:1: sms.dlr_max_age_days: must be between 1 and 365 "
	    "(got 366)" },
	{ "audit = { retain_days = 0; };\n", NULL,
	    "@FILE:1: audit.retain_days: must be between 1 and 3650 (got 0)" },
	{ "http = { listen = 9311; };\n", NULL,
	    "@FILE:1: http.listen: must be a string (got an integer)" },
	/* What the listener could not use, found before it starts. */
	{ "http = { listen = \"[::1]:99999\"; };\n", NULL,
	    "@FILE:1: http.listen: the port is out of range (0-65535) (got "
	    "\"[::1]:99999\")" },
	{ "http = {\n\tlisten = \"localhost:http\";\n};\n", NULL,
	    "@FILE:2: http.listen: the port is not a number (got "
	    "\"localhost:http\")" },
	{ "http = { listen = \"::1:9311\"; };\n", NULL,
	    "@FILE:1: http.listen: an IPv6 address goes in brackets (got "
	    "\"::1:9311\")" },
	{ "http = { health_max_lag = -1; };\n", NULL,
	    "@FILE:1: http.health_max_lag: must be between 0 and 1000000000 "
	    "(got -1)" },
	{ "http = {\n\thealth_max_delay_seconds = 0;\n};\n", NULL,
	    "@FILE:2: http.health_max_delay_seconds: must be between 1 and "
	    "604800 (got 0)" },
};


/* The temporary directory of one row and the paths in it. */
struct test_config_tmp {
	char	*dir;
	char	*file;
	char	*secret;
	char	 host[256];
};

/* Make a fresh temporary directory for one row. */
static void
test_config_tmp_open(struct test_config_tmp *t)
{
	const char	*tmpdir;

	memset(t, 0, sizeof *t);
	if ((tmpdir = getenv("TMPDIR")) == NULL || *tmpdir == '\0')
		tmpdir = "/tmp";
	t->dir = xasprintf("%s/test_config.XXXXXX", tmpdir);
	if (mkdtemp(t->dir) == NULL)
		fail_msg("mkdtemp %s: %s", t->dir, strerror(errno));
	t->file = xasprintf("%s/closeloopd.conf", t->dir);
	t->secret = xasprintf("%s/secret", t->dir);
	if (gethostname(t->host, sizeof t->host) != 0)
		fail_msg("gethostname: %s", strerror(errno));
	t->host[sizeof t->host - 1] = '\0';
}

/* Remove the temporary directory of a row and everything in it. */
static void
test_config_tmp_close(struct test_config_tmp *t)
{
	if (unlink(t->file) != 0 && errno != ENOENT)
		assert_int_equal(rmdir(t->file), 0);
	if (unlink(t->secret) != 0)
		assert_int_equal(errno, ENOENT);
	assert_int_equal(rmdir(t->dir), 0);
	free(t->dir);
	free(t->file);
	free(t->secret);
}

/* Replace @FILE, @DIR and @HOST in s; the result is allocated. */
static char *
test_config_expand(const char *s, const struct test_config_tmp *t)
{
	FILE	*f;
	char	*out;
	size_t	 len;

	if (s == NULL)
		return NULL;
	if ((f = open_memstream(&out, &len)) == NULL)
		fail_msg("open_memstream: %s", strerror(errno));
	while (*s != '\0') {
		if (strncmp(s, "@FILE", 5) == 0) {
			fputs(t->file, f);
			s += 5;
		} else if (strncmp(s, "@DIR", 4) == 0) {
			fputs(t->dir, f);
			s += 4;
		} else if (strncmp(s, "@HOST", 5) == 0) {
			fputs(t->host, f);
			s += 5;
		} else
			fputc(*s++, f);
	}
	fclose(f);
	return out;
}

/* Write text to path with the given mode, replacing any file there. */
static void
test_config_write(const char *path, const char *text, mode_t mode)
{
	size_t	len = strlen(text);
	ssize_t	n;
	int	fd;

	fd = open(path, O_WRONLY|O_CREAT|O_TRUNC, mode);
	if (fd == -1)
		fail_msg("open %s: %s", path, strerror(errno));
	n = write(fd, text, len);
	if (n < 0 || (size_t)n != len)
		fail_msg("write %s: %s", path, strerror(errno));
	assert_int_equal(close(fd), 0);
}

/* Write a row's configuration text (expanded) and its secret, if any. */
static void
test_config_prepare(const struct test_config_tmp *t, const char *text,
    const char *secret)
{
	char	*expanded;

	if (text != NULL) {
		expanded = test_config_expand(text, t);
		test_config_write(t->file, expanded, 0644);
		free(expanded);
	}
	if (secret != NULL)
		test_config_write(t->secret, secret, 0600);
}

/* Describe a mask of notices as names joined by ","; allocated. */
static char *
test_config_notices(unsigned int mask)
{
	char	*out, *old;
	int	 i;

	if (mask == VOCAB_NOTICE_ALL)
		return xstrdup("all");
	out = xstrdup("");
	for (i = 1; i < VOCAB_NOTICE_COUNT; i++) {
		if ((mask & (1u << i)) == 0)
			continue;
		old = out;
		out = xasprintf("%s%s%s", old, *old != '\0' ? "," : "",
		    vocab_notice_name(i));
		free(old);
	}
	return out;
}

/*
 * Describe feedback settings: "ask" or "no" (or "-" if not set), then
 * ask_after in seconds (or "-"), then each service type as
 * "[SERVICE:ask|no|-,SECONDS|-]"; the result is allocated.
 */
static char *
test_config_feedback(const struct feedback *fb)
{
	FILE	*f;
	char	*out;
	size_t	 len, i;

	if ((f = open_memstream(&out, &len)) == NULL)
		fail_msg("open_memstream: %s", strerror(errno));
	fprintf(f, "%s ", fb->ask < 0 ? "-" : fb->ask ? "ask" : "no");
	if (fb->ask_after < 0)
		fputc('-', f);
	else
		fprintf(f, "%lld", (long long)fb->ask_after);
	for (i = 0; i < fb->nservices; i++) {
		fprintf(f, " [%s:%s,", fb->services[i].service,
		    fb->services[i].ask < 0 ? "-" : fb->services[i].ask ?
		    "ask" : "no");
		if (fb->services[i].ask_after < 0)
			fputs("-]", f);
		else
			fprintf(f, "%lld]",
			    (long long)fb->services[i].ask_after);
	}
	fclose(f);
	return out;
}

/* Describe the divisions of cf in one line; the result is allocated. */
static char *
test_config_divisions(const struct config *cf)
{
	const struct division	*dv;
	FILE				*f;
	char				*out, *notices;
	size_t				 len, i, j;

	if ((f = open_memstream(&out, &len)) == NULL)
		fail_msg("open_memstream: %s", strerror(errno));
	for (i = 0; i < cf->ndivisions; i++) {
		dv = &cf->divisions[i];
		fprintf(f, "%s%s{", i > 0 ? " " : "", dv->code);
		for (j = 0; j < dv->nnames; j++)
			fprintf(f, "%s%s=%s", j > 0 ? "," : "",
			    dv->names[j].locale, dv->names[j].name);
		fputc('}', f);
		for (j = 0; j < dv->nmap; j++) {
			fprintf(f, "%s%s=%s", j > 0 ? "," : "[",
			    dv->map[j].code,
			    vocab_status_name(dv->map[j].status));
			if (dv->map[j].reason != VOCAB_REASON_NONE)
				fprintf(f, "/%s",
				    vocab_reason_name(dv->map[j].reason));
		}
		if (dv->nmap > 0)
			fputc(']', f);
		if (dv->notify_on != 0) {
			notices = test_config_notices(dv->notify_on);
			fprintf(f, "<%s>", notices);
			free(notices);
		}
		if (dv->feedback.ask >= 0 || dv->feedback.ask_after >= 0 ||
		    dv->feedback.nservices > 0) {
			notices = test_config_feedback(&dv->feedback);
			fprintf(f, "(%s)", notices);
			free(notices);
		}
	}
	fclose(f);
	return out;
}

/*
 * Return the sentinels as "host:port [v6]:port ...", or NULL if there are
 * none; the result is allocated.
 */
static char *
test_config_sentinels(const struct config *cf)
{
	const struct redisurl	*u;
	char			*out = NULL, *old;
	size_t			 i;

	for (i = 0; i < cf->redis_nsentinels; i++) {
		u = &cf->redis_sentinels[i];
		old = out;
		out = xasprintf(strchr(u->host, ':') != NULL ? "%s%s[%s]:%d" :
		    "%s%s%s:%d", old != NULL ? old : "", old != NULL ? " " : "",
		    u->host, u->port);
		free(old);
	}
	return out;
}

/* Describe the holidays of cf as dates joined by spaces; allocated. */
static char *
test_config_holidays(const struct config *cf)
{
	char	*out, *old, day[BIZDAY_LEN + 1];
	size_t	 i;

	out = xstrdup("");
	for (i = 0; i < cf->policy_nholidays; i++) {
		bizday_format(cf->policy_holidays[i], day);
		old = out;
		out = xasprintf("%s%s%s", old, i > 0 ? " " : "", day);
		free(old);
	}
	return out;
}

/*
 * Describe the standards of cf as DIV/SERVICE=DAYS and c or r, joined
 * by spaces, "*" for the service of a division's default; allocated.
 */
static char *
test_config_standards(const struct config *cf)
{
	const struct standard	*st;
	char			*out, *old;
	size_t			 i;

	out = xstrdup("");
	for (i = 0; i < cf->nstandards; i++) {
		st = &cf->standards[i];
		old = out;
		out = xasprintf("%s%s%s/%s=%d%c", old, i > 0 ? " " : "",
		    st->division, st->service != NULL ? st->service : "*",
		    st->days, st->target == STANDARD_RESPONSE ? 'r' : 'c');
		free(old);
	}
	return out;
}

/* Return field fd of cf as text, or NULL; the result is allocated. */
static char *
test_config_dump(const struct config *cf, const struct test_config_field *fd)
{
	const char	*p = (const char *)cf + fd->offset;
	const char	*s;

	switch (fd->kind) {
	case TEST_CONFIG_STRING:
		memcpy(&s, p, sizeof s);
		return s != NULL ? xstrdup(s) : NULL;
	case TEST_CONFIG_INT:
		return xasprintf("%d", *(const int *)p);
	case TEST_CONFIG_INT64:
		return xasprintf("%lld", (long long)*(const int64_t *)p);
	case TEST_CONFIG_LEVEL:
		return xstrdup(log_level_name(cf->log_level));
	case TEST_CONFIG_NOTICES:
		return test_config_notices(*(const unsigned int *)p);
	case TEST_CONFIG_DIVISIONS:
		return test_config_divisions(cf);
	case TEST_CONFIG_SENTINELS:
		return test_config_sentinels(cf);
	case TEST_CONFIG_HOLIDAYS:
		return test_config_holidays(cf);
	case TEST_CONFIG_STANDARDS:
		return test_config_standards(cf);
	case TEST_CONFIG_FEEDBACK:
		return test_config_feedback((const struct feedback *)p);
	}
	return NULL;
}

/* Check every field of cf against values, or the default if not listed. */
static void
test_config_check(const struct config *cf,
    const struct test_config_value *values, const struct test_config_tmp *t,
    size_t row)
{
	const struct test_config_field	*fd;
	const struct test_config_value	*v;
	char				*want, *got;
	size_t				 i, j;

	for (j = 0; j < TEST_CONFIG_NVALUES && values[j].field != NULL; j++) {
		for (i = 0; i < NITEMS(test_config_fields); i++) {
			if (strcmp(test_config_fields[i].name,
			    values[j].field) == 0)
				break;
		}
		if (i == NITEMS(test_config_fields))
			fail_msg("row %zu: no field %s", row, values[j].field);
	}
	for (i = 0; i < NITEMS(test_config_fields); i++) {
		fd = &test_config_fields[i];
		v = NULL;
		for (j = 0; j < TEST_CONFIG_NVALUES &&
		    values[j].field != NULL; j++) {
			if (strcmp(values[j].field, fd->name) == 0) {
				v = &values[j];
				break;
			}
		}
		want = test_config_expand(v != NULL ? v->value : fd->dflt, t);
		got = test_config_dump(cf, fd);
		if (want == NULL || got == NULL) {
			if (want != got)
				fail_msg("row %zu: %s is %s%s%s, expected "
				    "%s%s%s", row, fd->name,
				    got ? "\"" : "", got ? got : "NULL",
				    got ? "\"" : "", want ? "\"" : "",
				    want ? want : "NULL", want ? "\"" : "");
		} else if (strcmp(want, got) != 0)
			fail_msg("row %zu: %s is \"%s\", expected \"%s\"", row,
			    fd->name, got, want);
		free(want);
		free(got);
	}
}

/* Load a row's file; fail unless it loads with no cause. */
static struct config *
test_config_load_good(const char *path, size_t row)
{
	struct config	*cf;
	char		*cause = NULL;

	cf = config_load(path, &cause);
	if (cf == NULL)
		fail_msg("row %zu: rejected:\n%s", row, cause);
	assert_null(cause);
	return cf;
}

/* Load a row's file; fail unless it is rejected with exactly want. */
static void
test_config_load_bad(const struct test_config_tmp *t, const char *want,
    size_t row)
{
	struct config	*cf;
	char		*cause = NULL, *expanded;

	cf = config_load(t->file, &cause);
	if (cf != NULL) {
		config_free(cf);
		fail_msg("row %zu: accepted", row);
	}
	assert_non_null(cause);
	expanded = test_config_expand(want, t);
	if (strcmp(cause, expanded) != 0)
		fail_msg("row %zu: the cause is\n%s\nexpected\n%s", row, cause,
		    expanded);
	free(expanded);
	free(cause);

	/* Without a place for the cause, it fails just the same. */
	assert_null(config_load(t->file, NULL));
}

/* Check that every good file loads with the expected fields. */
static void
test_config_load_goods(void **state)
{
	const struct test_config_good	*g;
	struct test_config_tmp		 t;
	struct config			*cf;
	size_t				 i;

	(void)state;
	for (i = 0; i < NITEMS(test_config_goods); i++) {
		g = &test_config_goods[i];
		test_config_tmp_open(&t);
		test_config_prepare(&t, g->text, g->secret);
		cf = test_config_load_good(t.file, i);
		test_config_check(cf, g->values, &t, i);
		config_free(cf);
		test_config_tmp_close(&t);
	}
}

/* Check that every bad file is rejected with its exact cause. */
static void
test_config_load_bads(void **state)
{
	const struct test_config_bad	*b;
	struct test_config_tmp		 t;
	size_t				 i;

	(void)state;
	for (i = 0; i < NITEMS(test_config_bads); i++) {
		b = &test_config_bads[i];
		test_config_tmp_open(&t);
		test_config_prepare(&t, b->text, b->secret);
		test_config_load_bad(&t, b->cause, i);
		test_config_tmp_close(&t);
	}
}

/* Who reads a file whose mode stops its reader. */
struct test_config_reader {
	int	as_root;	/* become uid:gid (nobody:nogroup) first */
	uid_t	uid;
	gid_t	gid;
};

/*
 * Find who reads a file its mode makes unreadable: this user, or as root
 * (whom no file mode stops) nobody:nogroup. Skips the test if there is
 * no such user or group; call it before making anything to remove.
 */
static void
test_config_reader(struct test_config_reader *r)
{
	struct passwd	*pw;
	struct group	*gr;

	memset(r, 0, sizeof *r);
	if (geteuid() != 0)
		return;
	pw = getpwnam("nobody");
	gr = getgrnam("nogroup");
	if (pw == NULL || gr == NULL)
		testskip("running as root, and no user nobody or group "
		    "nogroup to read the file as");
	r->as_root = 1;
	r->uid = pw->pw_uid;
	r->gid = gr->gr_gid;
}

/*
 * Load path as r's user: as root, in a child process that becomes
 * nobody:nogroup first. Returns the cause of the failure (allocated), or
 * NULL if the file loaded.
 */
static char *
test_config_load_unprivileged(const struct test_config_reader *r,
    const char *path)
{
	struct config	*cf;
	char		*cause = NULL, buf[1024];
	size_t		 len = 0;
	ssize_t		 n;
	pid_t		 pid;
	int		 fds[2], status;

	if (!r->as_root) {
		cf = config_load(path, &cause);
		config_free(cf);
		return cause;
	}
	assert_int_equal(pipe(fds), 0);
	if ((pid = fork()) == -1)
		fail_msg("fork: %s", strerror(errno));
	if (pid == 0) {
		close(fds[0]);
		if (setgroups(0, NULL) != 0 || setgid(r->gid) != 0 ||
		    setuid(r->uid) != 0 || geteuid() == 0) {
			dprintf(fds[1], "cannot become nobody: %s",
			    strerror(errno));
			_exit(1);
		}
		cf = config_load(path, &cause);
		if (cause != NULL)
			dprintf(fds[1], "%s", cause);
		config_free(cf);
		free(cause);
		_exit(0);
	}
	close(fds[1]);
	while (len < sizeof buf - 1 &&
	    (n = read(fds[0], buf + len, sizeof buf - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("the unprivileged child failed: %s", buf);
	return len > 0 ? xstrdup(buf) : NULL;
}

/*
 * Check a file that exists but cannot be read, by a user whose reads
 * its mode stops (nobody, when the tests run as root).
 */
static void
test_config_unreadable(void **state)
{
	struct test_config_tmp		 t;
	struct test_config_reader	 r;
	char				*cause, *want;

	(void)state;
	test_config_reader(&r);
	test_config_tmp_open(&t);
	/* Only the file's mode may stop the reader, not its directory's. */
	assert_int_equal(chmod(t.dir, 0711), 0);
	test_config_write(t.file, "shutdown_timeout = 30;\n", 0644);
	cause = test_config_load_unprivileged(&r, t.file);
	if (cause != NULL)
		fail_msg("a readable file is refused: %s", cause);
	assert_int_equal(chmod(t.file, 0000), 0);
	if (!r.as_root && access(t.file, R_OK) == 0) {
		test_config_tmp_close(&t);
		testskip("this user reads a file of mode 0000");
	}
	cause = test_config_load_unprivileged(&r, t.file);
	want = test_config_expand("@FILE: cannot read the file: "
	    "Permission denied", &t);
	assert_non_null(cause);
	assert_string_equal(cause, want);
	free(cause);
	free(want);
	test_config_tmp_close(&t);

	test_config_tmp_open(&t);
	assert_int_equal(mkdir(t.file, 0755), 0);
	test_config_load_bad(&t, "@FILE: cannot read the file: "
	    "Is a directory", 0);
	test_config_tmp_close(&t);
}

/*
 * A secret file named without a slash is a systemd credential, read
 * from $CREDENTIALS_DIRECTORY; without that directory it is refused.
 */
static void
test_config_credentials(void **state)
{
	static const char	 text[] =
	    "redis = { password_file = \"secret\"; };\n"
	    "email = {\n\tsmtp = \"smtp://127.0.0.1:25\";\n"
	    "\tfrom = \"311 <updates@example.org>\";\n"
	    "\tusername = \"closeloop\";\n"
	    "\tpassword_file = \"secret\";\n};\n";
	struct test_config_tmp	 t;
	struct config		*cf;

	(void)state;
	test_config_tmp_open(&t);
	test_config_prepare(&t, text, "s3cret");
	assert_int_equal(setenv("CREDENTIALS_DIRECTORY", t.dir, 1), 0);
	cf = test_config_load_good(t.file, 0);
	assert_string_equal(cf->redis_password, "s3cret");
	assert_string_equal(cf->email_password, "s3cret");
	assert_string_equal(cf->redis_password_file, "secret");
	config_free(cf);

	assert_int_equal(unsetenv("CREDENTIALS_DIRECTORY"), 0);
	test_config_load_bad(&t, "@FILE:1: redis.password_file: cannot read "
	    "secret: a name without a slash is a systemd credential, but "
	    "$CREDENTIALS_DIRECTORY is not set (LoadCredential= in the unit "
	    "sets it)\n"
	    "@FILE:6: email.password_file: cannot read secret: a name "
	    "without a slash is a systemd credential, but "
	    "$CREDENTIALS_DIRECTORY is not set (LoadCredential= in the unit "
	    "sets it)", 1);

	assert_int_equal(setenv("CREDENTIALS_DIRECTORY", "/nonexistent", 1),
	    0);
	test_config_load_bad(&t, "@FILE:1: redis.password_file: cannot read "
	    "/nonexistent/secret: No such file or directory\n"
	    "@FILE:6: email.password_file: cannot read /nonexistent/secret: "
	    "No such file or directory", 2);
	assert_int_equal(unsetenv("CREDENTIALS_DIRECTORY"), 0);
	test_config_tmp_close(&t);
}

/*
 * closeloop bounce reads only the secrets it needs (Redis's and the
 * bounce key): the others' files are not opened, so that the mail
 * server's user needs no other.
 */
static void
test_config_bounce_reader(void **state)
{
	static const char	 text[] =
	    "redis = { password_file = \"@DIR/secret\"; };\n"
	    "email = {\n\tsmtp = \"smtp://127.0.0.1:25\";\n"
	    "\tfrom = \"311 <updates@example.org>\";\n"
	    "\tusername = \"closeloop\";\n"
	    "\tpassword_file = \"@DIR/nope\";\n"
	    "\tbounce_address = \"bounces+{id}@example.org\";\n"
	    "\tbounce_secret_file = \"@DIR/secret\";\n};\n"
	    "sms = { dlr_secret_file = \"@DIR/nope\"; };\n";
	struct test_config_tmp	 t;
	struct config		*cf;
	char			*cause = NULL;

	(void)state;
	test_config_tmp_open(&t);
	test_config_prepare(&t, text, "s3cret");
	if ((cf = config_load_bounce(t.file, &cause)) == NULL)
		fail_msg("config_load_bounce: %s", cause);
	assert_string_equal(cf->redis_password, "s3cret");
	assert_string_equal(cf->email_bounce_secret, "s3cret");
	assert_null(cf->email_password);
	assert_null(cf->sms_dlr_secret);
	config_free(cf);
	/* closeloopd reads them all, and finds what is missing. */
	assert_null(config_load(t.file, &cause));
	assert_non_null(strstr(cause, "email.password_file: cannot read"));
	assert_non_null(strstr(cause, "sms.dlr_secret_file: cannot read"));
	free(cause);
	test_config_tmp_close(&t);
}

/* A service type's standard, else the division's default, else none. */
static void
test_config_standard_lookup(void **state)
{
	static const char		 text[] =
	    "divisions = {\n"
	    "\tTS = { standards = (\n"
	    "\t\t{ service = \"Road Pothole\"; days = 5; },\n"
	    "\t\t{ days = 10; target = \"response\"; }\n"
	    "\t); };\n"
	    "\tTW = { standards = ( { service = \"Water Main\"; days = 2; } ); };\n"
	    "};\n";
	const struct standard		*st;
	struct test_config_tmp		 t;
	struct config			*cf;
	enum standard_target		 target;

	(void)state;
	test_config_tmp_open(&t);
	test_config_prepare(&t, text, NULL);
	cf = test_config_load_good(t.file, 0);
	st = standard_find(cf->standards, cf->nstandards, "TS",
	    "road POTHOLE");
	assert_non_null(st);
	assert_int_equal(st->days, 5);
	assert_int_equal(st->target, STANDARD_COMPLETION);
	st = standard_find(cf->standards, cf->nstandards, "TS", "Graffiti");
	assert_non_null(st);
	assert_int_equal(st->days, 10);
	assert_string_equal(standard_target_name(st->target), "response");
	st = standard_find(cf->standards, cf->nstandards, "TS", NULL);
	assert_non_null(st);
	assert_int_equal(st->days, 10);
	assert_null(standard_find(cf->standards, cf->nstandards, "TW",
	    "Graffiti"));
	assert_null(standard_find(cf->standards, cf->nstandards, "TW", NULL));
	assert_null(standard_find(cf->standards, cf->nstandards, "ts",
	    "Road Pothole"));
	assert_null(standard_find(cf->standards, cf->nstandards, NULL,
	    "Road Pothole"));
	assert_int_equal(standard_target_parse("response", &target), 0);
	assert_int_equal(target, STANDARD_RESPONSE);
	assert_int_equal(standard_target_parse("Response", &target), -1);
	assert_int_equal(standard_target_parse(NULL, &target), -1);
	standard_free(NULL, 0);
	config_free(cf);
	test_config_tmp_close(&t);
}

/* Check the division look-ups, found and not found. */
static void
test_config_division_lookup(void **state)
{
	static const char		 text[] =
	    "divisions = {\n"
	    "\tTS = { name = { en = \"Transportation Services\"; }; };\n"
	    "\tTW = {\n"
	    "\t\tstatus_map = (\n"
	    "\t\t\t{ code = \"WO-COMP\"; status = \"closed\";"
	    " reason = \"completed\"; },\n"
	    "\t\t\t{ code = \"WO-SCHED\"; status = \"scheduled\"; },\n"
	    "\t\t\t{ code = \"closed\"; status = \"reopened\"; }\n"
	    "\t\t);\n"
	    "\t};\n"
	    "};\n";
	const struct division	*ts, *tw;
	struct test_config_tmp		 t;
	struct config			*cf;
	enum vocab_status		 status;
	enum vocab_reason		 reason;

	(void)state;
	test_config_tmp_open(&t);
	test_config_prepare(&t, text, NULL);
	cf = test_config_load_good(t.file, 0);

	ts = division_find(cf->divisions, cf->ndivisions, "TS");
	assert_non_null(ts);
	assert_string_equal(ts->code, "TS");
	assert_int_equal(ts->nnames, 1);
	tw = division_find(cf->divisions, cf->ndivisions, "TW");
	assert_non_null(tw);
	assert_string_equal(tw->code, "TW");
	assert_null(division_find(cf->divisions, cf->ndivisions, "tw"));
	assert_null(division_find(cf->divisions, cf->ndivisions, "SWMS"));
	assert_null(division_find(cf->divisions, cf->ndivisions, ""));

	status = VOCAB_STATUS_NONE;
	reason = VOCAB_REASON_NONE;
	assert_int_equal(division_map(tw, "WO-COMP", &status, &reason),
	    0);
	assert_int_equal(status, VOCAB_STATUS_CLOSED);
	assert_int_equal(reason, VOCAB_REASON_COMPLETED);
	reason = VOCAB_REASON_DUPLICATE;
	assert_int_equal(division_map(tw, "WO-SCHED", &status,
	    &reason), 0);
	assert_int_equal(status, VOCAB_STATUS_SCHEDULED);
	assert_int_equal(reason, VOCAB_REASON_NONE);
	assert_int_equal(division_map(tw, "closed", &status, &reason),
	    0);
	assert_int_equal(status, VOCAB_STATUS_REOPENED);

	/* Not found leaves the outputs alone. */
	status = VOCAB_STATUS_ON_HOLD;
	reason = VOCAB_REASON_DUPLICATE;
	assert_int_equal(division_map(tw, "wo-comp", &status, &reason),
	    -1);
	assert_int_equal(division_map(tw, "", &status, &reason), -1);
	assert_int_equal(division_map(ts, "WO-COMP", &status, &reason),
	    -1);
	assert_int_equal(status, VOCAB_STATUS_ON_HOLD);
	assert_int_equal(reason, VOCAB_REASON_DUPLICATE);
	config_free(cf);
	test_config_tmp_close(&t);

	/* A configuration without divisions finds none. */
	test_config_tmp_open(&t);
	test_config_prepare(&t, "", NULL);
	cf = test_config_load_good(t.file, 1);
	assert_null(division_find(cf->divisions, cf->ndivisions, "TS"));
	config_free(cf);
	test_config_tmp_close(&t);
}

/* Check that config_free(NULL) does nothing. */
static void
test_config_free_null(void **state)
{
	(void)state;
	config_free(NULL);
}

/*
 * A rehearsal moves the outbound stream with its keys, or names its own
 * beside the one the file named: the CRM never reads a rehearsal's.
 */
static void
test_config_rehearsal(void **state)
{
	struct test_config_tmp	 t;
	struct config		*cf;

	(void)state;
	cf = test_config_load_good(NULL, 0);
	config_rehearsal(cf);
	assert_string_equal(cf->outbound_stream,
	    "closeloop-dryrun:outbound");
	config_prefix(cf, "p:");
	assert_string_equal(cf->outbound_stream, "p:outbound");
	config_free(cf);
	test_config_tmp_open(&t);
	test_config_prepare(&t, "outbound = { stream = \"crm:told\"; };\n",
	    NULL);
	cf = test_config_load_good(t.file, 0);
	config_rehearsal(cf);
	assert_string_equal(cf->outbound_stream, "crm:told-dryrun");
	config_prefix(cf, "p:");
	assert_string_equal(cf->outbound_stream, "crm:told-dryrun");
	config_free(cf);
	test_config_tmp_close(&t);
}

/* Check that the sample etc/closeloopd.conf loads and documents it all. */
static void
test_config_sample(void **state)
{
	static const char	*settings[] = {
		"redis", "url", "username", "password_file", "prefix",
		"stream", "dead_stream", "group", "consumer", "claim_idle_ms",
		"max_deliveries", "connect_timeout_ms", "retry_max_ms",
		"sentinels", "master_name", "sentinel_password_file",
		"events", "batch", "dedupe_seconds", "history_max",
		"history_days", "log", "level", "shutdown_timeout",
		"divisions", "name", "status_map", "notify_on", "notes",
		"policy", "settle_seconds", "coalesce_seconds", "retain_days",
		"follow_duplicates", "overdue_notice", "holidays", "standards",
		"templates", "dir", "default_locale",
		"photo_hosts", "status_url", "unsubscribe_url", "timezone",
		"city", "sms", "max_segments", "outbound"
	};
	static const struct test_config_value values[] = {
		{ "divisions",
		    "TS{en=Transportation Services,"
		    "fr=Services des transports"
		    ",es=Servicios de Transporte"
		    ",pt=Servi\xc3\xa7os de Transporte"
		    ",fa=\xd8\xa7\xd8\xaf\xd8\xa7\xd8\xb1\xd9\x87 \xd8\xae\xd8"
		    "\xaf\xd9\x85\xd8\xa7\xd8\xaa \xd8\xad\xd9\x85\xd9\x84\xe2"
		    "\x80\x8c\xd9\x88\xd9\x86\xd9\x82\xd9\x84"
		    ",zh-Hans=\xe4\xba\xa4\xe9\x80\x9a\xe6\x9c\x8d\xe5\x8a\xa1"
		    "\xe5\xa4\x84"
		    "} TW{en=Toronto Water,fr=Eau Toronto"
		    ",es=Servicio de Agua de Toronto"
		    ",pt=Servi\xc3\xa7o de \xc3\x81gua de Toronto"
		    ",fa=\xd8\xa7\xd8\xaf\xd8\xa7\xd8\xb1\xd9\x87 \xd8\xa2\xd8"
		    "\xa8 \xd8\xaa\xd9\x88\xd8\xb1\xd9\x86\xd8\xaa\xd9\x88"
		    ",zh-Hans=\xe5\xa4\x9a\xe4\xbc\xa6\xe5\xa4\x9a\xe6\xb0\xb4"
		    "\xe5\x8a\xa1\xe5\xa4\x84"
		    "}["
		    "WO-OPEN=received,WO-ASSIGNED=assigned,"
		    "WO-SCHED=scheduled,WO-INPROG=in_progress,"
		    "WO-WAITPARTS=on_hold,WO-COMP=closed/completed,"
		    "WO-NOFIX=closed/no_action_required,"
		    "WO-DUP=closed/duplicate,WO-CANC=cancelled] "
		    "SWMS{en=Solid Waste Management Services,"
		    "fr=Services de gestion des d\xc3\xa9" "chets solides"
		    ",es=Servicios de Gesti\xc3\xb3n de Residuos S\xc3\xb3lidos"
		    ",pt=Servi\xc3\xa7os de Gest\xc3\xa3o de "
		    "Res\xc3\xad" "duos S\xc3\xb3lidos"
		    ",fa=\xd8\xa7\xd8\xaf\xd8\xa7\xd8\xb1\xd9\x87 \xd8\xae\xd8"
		    "\xaf\xd9\x85\xd8\xa7\xd8\xaa \xd9\x85\xd8\xaf\xdb\x8c\xd8"
		    "\xb1\xdb\x8c\xd8\xaa \xd9\xbe\xd8\xb3\xd9\x85\xd8\xa7\xd9"
		    "\x86\xd8\xaf"
		    ",zh-Hans=\xe5\x9b\xba\xe4\xbd\x93\xe5\xba\x9f\xe7\x89\xa9"
		    "\xe7\xae\xa1\xe7\x90\x86\xe6\x9c\x8d\xe5\x8a\xa1\xe5\xa4"
		    "\x84"
		    "}<scheduled,transferred,completed,no_action,duplicate,"
		    "cancelled,reopened,referred_external> "
		    "MLS{en=Municipal Licensing & Standards,"
		    "fr=Normes municipales et d\xc3\xa9livrance des permis"
		    ",es=Licencias y Normas Municipales"
		    ",pt=Licenciamento e Normas Municipais"
		    ",fa=\xd8\xa7\xd8\xaf\xd8\xa7\xd8\xb1\xd9\x87 \xd8\xb5\xd8"
		    "\xaf\xd9\x88\xd8\xb1 \xd9\x85\xd8\xac\xd9\x88\xd8\xb2 \xd9"
		    "\x88 \xd8\xb6\xd9\x88\xd8\xa7\xd8\xa8\xd8\xb7 \xd8\xb4\xd9"
		    "\x87\xd8\xb1\xdb\x8c"
		    ",zh-Hans=\xe5\xb8\x82\xe6\x94\xbf\xe6\x89\xa7\xe7\x85\xa7"
		    "\xe5\x8f\x8a\xe6\xa0\x87\xe5\x87\x86\xe5\xa4\x84"
		    "} UF{en=Urban Forestry,fr=Foresterie urbaine"
		    ",es=Silvicultura Urbana"
		    ",pt=Silvicultura Urbana"
		    ",fa=\xd8\xa7\xd8\xaf\xd8\xa7\xd8\xb1\xd9\x87 \xd8\xac\xd9"
		    "\x86\xda\xaf\xd9\x84\xd8\xaf\xd8\xa7\xd8\xb1\xdb\x8c \xd8"
		    "\xb4\xd9\x87\xd8\xb1\xdb\x8c"
		    ",zh-Hans=\xe5\x9f\x8e\xe5\xb8\x82\xe6\x9e\x97\xe4\xb8\x9a"
		    "\xe5\xa4\x84"
		    "}" },
		{ "standards", "TS/Road Pothole / Road Damage=5c TS/*=10r" },
		/* Links have no default: the sample sets Toronto's. */
		{ "templates_status_url", "https://www.toronto.ca/311/sr/{sr}" },
		{ "templates_unsubscribe_url",
		    "https://www.toronto.ca/311/stop/{sr}" },
		{ NULL, NULL }
	};
	struct test_config_value	 all[TEST_CONFIG_NVALUES];
	struct test_config_tmp		 t;
	struct config			*cf;
	const char			*srcdir;
	char				*text, *want, *line;
	size_t				 i, len;
	FILE				*f;
	int				 found;

	(void)state;
	if ((srcdir = getenv("top_srcdir")) == NULL || *srcdir == '\0')
		srcdir = ".";
	memset(&t, 0, sizeof t);
	t.file = xasprintf("%s/etc/closeloopd.conf", srcdir);
	t.dir = xstrdup(srcdir);
	if (gethostname(t.host, sizeof t.host) != 0)
		fail_msg("gethostname: %s", strerror(errno));
	t.host[sizeof t.host - 1] = '\0';

	/* Every value in the sample is the default, links aside. */
	cf = test_config_load_good(t.file, 0);
	memset(all, 0, sizeof all);
	memcpy(all, values, sizeof values);
	test_config_check(cf, all, &t, 0);
	config_free(cf);

	/* Every setting is there, set or commented out, as "name = ". */
	if ((f = fopen(t.file, "r")) == NULL)
		fail_msg("%s: %s", t.file, strerror(errno));
	for (i = 0; i < NITEMS(settings); i++) {
		rewind(f);
		want = xasprintf("%s = ", settings[i]);
		found = 0;
		text = NULL;
		len = 0;
		while (!found && getline(&text, &len, f) != -1) {
			line = text + strspn(text, "\t ");
			if (*line == '#')
				line++;
			found = strncmp(line, want, strlen(want)) == 0;
		}
		free(text);
		if (!found)
			fail_msg("%s: no line for %s", t.file, settings[i]);
		free(want);
	}
	fclose(f);
	free(t.file);
	free(t.dir);
}

/* Run the tests. */
int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_config_load_goods),
		cmocka_unit_test(test_config_load_bads),
		cmocka_unit_test(test_config_unreadable),
		cmocka_unit_test(test_config_credentials),
		cmocka_unit_test(test_config_bounce_reader),
		cmocka_unit_test(test_config_division_lookup),
		cmocka_unit_test(test_config_standard_lookup),
		cmocka_unit_test(test_config_free_null),
		cmocka_unit_test(test_config_rehearsal),
		cmocka_unit_test(test_config_sample),
	};

	return testskip_status(cmocka_run_group_tests(tests, NULL, NULL));
}
