/*
 * test_event.c - unit tests for the event contract (event.c)
 *
 * Every field, every rejection, every message: one table of entries that
 * eventparse_parse() must accept, with the struct event each must give, and one
 * table of entries it must reject, each with the exact cause an integrator
 * will read in the dead-letter stream. Values too long to write out (the
 * limits of each field) are built at run time. The divisions' status maps
 * come from a small configuration file written to a temporary directory
 * and read with config_load(). Epoch seconds were computed independently
 * with date(1), for example `date -u -d 2026-03-03T14:05:00Z +%s`.
 */
#include "build.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "event.h"
#include "eventparse.h"
#include "vocab.h"
#include "xmalloc.h"

#define NITEMS(a) (sizeof (a) / sizeof (a)[0])

/* The most fields a table row holds, and the most an entry built holds. */
#define TEST_EVENT_ROW_FIELDS	24
#define TEST_EVENT_MAX_FIELDS	80

#define SOURCE_ID	"1772546700000-0"
#define TS		"2026-03-03T14:05:00Z"
#define TS_WHEN		1772546700

/* A field given by name and value; lengths only when they hold NUL bytes. */
#define F(n, v)		{ (n), 0, (v), 0 }
#define FB(n, v)	{ (n), sizeof (n) - 1, (v), sizeof (v) - 1 }

/* The fields every entry of a type needs. */
#define HEAD(t)		F("v", "1"), F("type", (t)), F("sr", "8812"), \
			F("ts", TS)
#define STATUS(d, s)	HEAD("status"), F("division", (d)), F("status", (s))
#define SUB		HEAD("subscribe")
#define UNSUB		HEAD("unsubscribe")

/* What most accepted events share. */
#define W_HEAD		.event_id = SOURCE_ID, .sr = "8812", .ts = TS, \
			.when = TS_WHEN
#define W_STATUS	.type = EVENT_STATUS, W_HEAD
#define W_SUB		.type = EVENT_SUBSCRIBE, W_HEAD
#define W_UNSUB		.type = EVENT_UNSUBSCRIBE, W_HEAD

#define A8	"aaaaaaaa"
#define A16	A8 A8
#define A32	A16 A16
#define A33	A32 "a"
#define A64	A32 A32
#define A65	A64 "a"
#define A128	A64 A64

/* Ten characters of one to four bytes: é € 😀 ñ 水 twice, 28 bytes. */
#define CH10	"\xc3\xa9" "\xe2\x82\xac" "\xf0\x9f\x98\x80" "\xc3\xb1" \
		"\xe6\xb0\xb4" "\xc3\xa9" "\xe2\x82\xac" "\xf0\x9f\x98\x80" \
		"\xc3\xb1" "\xe6\xb0\xb4"
#define CH100	CH10 CH10 CH10 CH10 CH10 CH10 CH10 CH10 CH10 CH10
#define CH1000	CH100 CH100 CH100 CH100 CH100 CH100 CH100 CH100 CH100 CH100
#define NOTE2000 CH1000 CH1000

/* A local part of 64 characters and a domain of 189: 254 in all. */
#define A57L	A32 A16 A8 "a"
#define A63L	A32 A16 A8 "aaaaaaa"
#define EMAIL254 A64 "@" A63L "." A63L "." A57L ".org"

#define PH(n)	"https://photos.example.org/sr8812/" #n ".jpg"

#define STATUSES "received, assigned, scheduled, in_progress, on_hold, " \
		"transferred, closed, cancelled, reopened"
#define REASONS	"completed, no_action_required, duplicate, transferred, " \
		"scheduled, assigned, referred_external"
#define SR_CHARS "must contain only letters, digits and '-'"
#define CODE_CHARS "must contain only letters, digits, '_', '.' and '-'"
#define EXT	"unknown field (extensions must start with x_)"
#define FORM_TIME \
	"is not an RFC 3339 date-time (such as 2026-03-03T14:05:00Z)"
#define FORM_DATE_OR_TIME \
	"is not a date (such as 2026-03-05) or an RFC 3339 date-time"
#define NO_ZONE "has no time zone (add Z or an offset such as -05:00)"
#define DAYS	"must be a whole number of business days from 0 to 1000"

/* The configuration the status_map tests read. */
static const char test_event_conf[] =
	"divisions = {\n"
	"\tTW = {\n"
	"\t\tname = { en = \"Toronto Water\"; fr = \"Eau Toronto\"; };\n"
	"\t\tstatus_map = (\n"
	"\t\t\t{ code = \"WO-DONE\"; status = \"closed\"; "
	"reason = \"completed\"; },\n"
	"\t\t\t{ code = \"WO-DUP\"; status = \"closed\"; "
	"reason = \"duplicate\"; },\n"
	"\t\t\t{ code = \"WO-HOLD\"; status = \"on_hold\"; }\n"
	"\t\t);\n"
	"\t};\n"
	"\tTS = { name = { en = \"Transportation Services\"; }; };\n"
	"};\n";

/* One field of a table row; a length of 0 means strlen(). */
struct test_event_field {
	const char	*name;
	size_t		 namelen;
	const char	*value;
	size_t		 valuelen;
};

/* The struct event an accepted entry must give; NULL strings are unset. */
struct test_event_want {
	enum event_type		 type;
	const char		*event_id;
	const char		*sr;
	const char		*ts;
	int64_t			 when;
	const char		*division;
	const char		*status_code;
	enum vocab_status	 status;
	enum vocab_reason	 reason;
	const char		*service;
	const char		*ward;
	const char		*work_order;
	const char		*transfer_to;
	const char		*duplicate_of;
	const char		*scheduled_for;
	int64_t			 scheduled_when;
	int			 scheduled_has_time;
	const char		*note;
	const char		*note_code;
	size_t			 nphotos;
	const char		*photos[EVENT_PHOTOS_MAX];
	const char		*photos_text;
	const char		*standard_days;
	int			 standard;
	const char		*email;
	const char		*phone;
	const char		*locale;
	int			 channels;
	int			 all;
};

/* An entry that must be accepted. */
struct test_event_good {
	int			 map;	/* parse with the configuration */
	struct test_event_field	 f[TEST_EVENT_ROW_FIELDS];
	struct test_event_want	 want;
};

/* An entry that must be rejected with exactly cause. */
struct test_event_bad {
	int			 map;	/* parse with the configuration */
	struct test_event_field	 f[TEST_EVENT_ROW_FIELDS];
	const char		*cause;
};

/* An entry built for eventparse_parse(), each name and value its own copy. */
struct test_event_entry {
	char	*fields[2 * TEST_EVENT_MAX_FIELDS];
	size_t	 lens[2 * TEST_EVENT_MAX_FIELDS];
	size_t	 n;
};

static const struct test_event_good test_event_goods[] = {
	/* Status events: the least, then each optional field. */
	{ 0, { STATUS("TW", "received") },
	    { W_STATUS, .division = "TW", .status_code = "received",
	    .status = VOCAB_STATUS_RECEIVED } },
	{ 0, { F("v", "1"), F("type", "status"), F("event_id", "crm-42:7"),
	    F("sr", "8812"), F("ts", TS), F("division", "TS"),
	    F("status", "assigned") },
	    { .type = EVENT_STATUS, .event_id = "crm-42:7", .sr = "8812",
	    .ts = TS, .when = TS_WHEN, .division = "TS",
	    .status_code = "assigned", .status = VOCAB_STATUS_ASSIGNED } },
	{ 0, { F("status", "in_progress"), F("division", "SWMS"),
	    F("ts", "2026-03-03T09:05:00.250-05:00"), F("sr", "SR-2026-8812"),
	    F("type", "status"), F("v", "1") },
	    { .type = EVENT_STATUS, .event_id = SOURCE_ID,
	    .sr = "SR-2026-8812", .ts = "2026-03-03T09:05:00.250-05:00",
	    .when = TS_WHEN, .division = "SWMS", .status_code = "in_progress",
	    .status = VOCAB_STATUS_IN_PROGRESS } },
	{ 0, { STATUS("TW", "closed"), F("reason", "completed") },
	    { W_STATUS, .division = "TW", .status_code = "closed",
	    .status = VOCAB_STATUS_CLOSED,
	    .reason = VOCAB_REASON_COMPLETED } },
	{ 0, { STATUS("TS", "closed") },
	    { W_STATUS, .division = "TS", .status_code = "closed",
	    .status = VOCAB_STATUS_CLOSED } },
	{ 0, { STATUS("TS", "received"),
	    F("service", "Road Pothole / Road Damage") },
	    { W_STATUS, .division = "TS", .status_code = "received",
	    .status = VOCAB_STATUS_RECEIVED,
	    .service = "Road Pothole / Road Damage" } },
	{ 0, { STATUS("TW", "assigned"), F("work_order", "WO 2026/00412") },
	    { W_STATUS, .division = "TW", .status_code = "assigned",
	    .status = VOCAB_STATUS_ASSIGNED, .work_order = "WO 2026/00412" } },
	{ 0, { STATUS("TS", "transferred"), F("transfer_to", "TW") },
	    { W_STATUS, .division = "TS", .status_code = "transferred",
	    .status = VOCAB_STATUS_TRANSFERRED, .transfer_to = "TW" } },
	{ 0, { STATUS("TS", "received"), F("ward", "W07") },
	    { W_STATUS, .division = "TS", .status_code = "received",
	    .status = VOCAB_STATUS_RECEIVED, .ward = "W07" } },
	{ 0, { STATUS("TS", "received"), F("ward", A32) },
	    { W_STATUS, .division = "TS", .status_code = "received",
	    .status = VOCAB_STATUS_RECEIVED, .ward = A32 } },
	{ 0, { STATUS("TW", "closed"), F("reason", "duplicate"),
	    F("duplicate_of", "8811") },
	    { W_STATUS, .division = "TW", .status_code = "closed",
	    .status = VOCAB_STATUS_CLOSED, .reason = VOCAB_REASON_DUPLICATE,
	    .duplicate_of = "8811" } },
	{ 0, { STATUS("TS", "closed"), F("reason", "scheduled"),
	    F("scheduled_for", "2026-03-05") },
	    { W_STATUS, .division = "TS", .status_code = "closed",
	    .status = VOCAB_STATUS_CLOSED, .reason = VOCAB_REASON_SCHEDULED,
	    .scheduled_for = "2026-03-05", .scheduled_when = 1772668800,
	    .scheduled_has_time = 0 } },
	{ 0, { STATUS("TS", "scheduled"),
	    F("scheduled_for", "2026-03-05T09:00:00-05:00") },
	    { W_STATUS, .division = "TS", .status_code = "scheduled",
	    .status = VOCAB_STATUS_SCHEDULED,
	    .scheduled_for = "2026-03-05T09:00:00-05:00",
	    .scheduled_when = 1772719200, .scheduled_has_time = 1 } },
	{ 0, { STATUS("TW", "closed"), F("reason", "completed"),
	    F("note", "Valve replaced.\r\nPlease run the tap\tfor a minute.") },
	    { W_STATUS, .division = "TW", .status_code = "closed",
	    .status = VOCAB_STATUS_CLOSED, .reason = VOCAB_REASON_COMPLETED,
	    .note = "Valve replaced.\r\nPlease run the tap\tfor a minute." } },
	{ 0, { STATUS("TW", "closed"), F("note", NOTE2000) },
	    { W_STATUS, .division = "TW", .status_code = "closed",
	    .status = VOCAB_STATUS_CLOSED, .note = NOTE2000 } },
	{ 0, { STATUS("TW", "closed"), F("note_code", "TW.VALVE_01") },
	    { W_STATUS, .division = "TW", .status_code = "closed",
	    .status = VOCAB_STATUS_CLOSED, .note_code = "TW.VALVE_01" } },
	{ 0, { STATUS("TS", "closed"), F("reason", "completed"),
	    F("photos", " " PH(1) "   " PH(2) " ") },
	    { W_STATUS, .division = "TS", .status_code = "closed",
	    .status = VOCAB_STATUS_CLOSED, .reason = VOCAB_REASON_COMPLETED,
	    .nphotos = 2, .photos = { PH(1), PH(2) },
	    .photos_text = PH(1) " " PH(2) } },
	{ 0, { STATUS("TS", "closed"),
	    F("photos", "HTTPS://[2001:db8::1]:8443/a.jpg?s=1#x") },
	    { W_STATUS, .division = "TS", .status_code = "closed",
	    .status = VOCAB_STATUS_CLOSED, .nphotos = 1,
	    .photos = { "HTTPS://[2001:db8::1]:8443/a.jpg?s=1#x" },
	    .photos_text = "HTTPS://[2001:db8::1]:8443/a.jpg?s=1#x" } },
	{ 0, { STATUS("TS", "closed"), F("photos", PH(1) " " PH(2) " " PH(3)
	    " " PH(4) " " PH(5) " " PH(6) " " PH(7) " " PH(8) " " PH(9) " "
	    PH(10)) },
	    { W_STATUS, .division = "TS", .status_code = "closed",
	    .status = VOCAB_STATUS_CLOSED, .nphotos = 10,
	    .photos = { PH(1), PH(2), PH(3), PH(4), PH(5), PH(6), PH(7), PH(8),
	    PH(9), PH(10) },
	    .photos_text = PH(1) " " PH(2) " " PH(3) " " PH(4) " " PH(5) " "
	    PH(6) " " PH(7) " " PH(8) " " PH(9) " " PH(10) } },
	{ 0, { STATUS("TS", "closed"), F("reason", "completed"),
	    F("event_id", "crm-9"), F("service", "Sidewalk Repair"),
	    F("work_order", "4471"), F("note", "Done."),
	    F("note_code", "TS-01"), F("photos", PH(1)),
	    F("scheduled_for", "2026-03-10") },
	    { .type = EVENT_STATUS, .event_id = "crm-9", .sr = "8812",
	    .ts = TS, .when = TS_WHEN, .division = "TS",
	    .status_code = "closed", .status = VOCAB_STATUS_CLOSED,
	    .reason = VOCAB_REASON_COMPLETED, .service = "Sidewalk Repair",
	    .work_order = "4471", .note = "Done.", .note_code = "TS-01",
	    .nphotos = 1, .photos = { PH(1) }, .photos_text = PH(1),
	    .scheduled_for = "2026-03-10", .scheduled_when = 1773100800 } },

	/* A service standard: 0 to 1000 business days. */
	{ 0, { STATUS("TS", "received"), F("standard_days", "5") },
	    { W_STATUS, .division = "TS", .status_code = "received",
	    .status = VOCAB_STATUS_RECEIVED, .standard_days = "5",
	    .standard = 5 } },
	{ 0, { STATUS("TS", "received"), F("standard_days", "0") },
	    { W_STATUS, .division = "TS", .status_code = "received",
	    .status = VOCAB_STATUS_RECEIVED, .standard_days = "0",
	    .standard = 0 } },
	{ 0, { STATUS("TS", "transferred"), F("transfer_to", "TW"),
	    F("standard_days", "1000") },
	    { W_STATUS, .division = "TS", .status_code = "transferred",
	    .status = VOCAB_STATUS_TRANSFERRED, .transfer_to = "TW",
	    .standard_days = "1000", .standard = 1000 } },

	/* Values at their limits. */
	{ 0, { F("v", "1"), F("type", "status"), F("event_id", A128),
	    F("sr", A64), F("ts", TS), F("division", A32),
	    F("status", "transferred"), F("transfer_to", A32),
	    F("note_code", A64), F("duplicate_of", A64) },
	    { .type = EVENT_STATUS, .event_id = A128, .sr = A64, .ts = TS,
	    .when = TS_WHEN, .division = A32, .status_code = "transferred",
	    .status = VOCAB_STATUS_TRANSFERRED, .transfer_to = A32,
	    .note_code = A64, .duplicate_of = A64 } },

	/* Extensions are ignored, even given twice; field order is free. */
	{ 0, { F("x_crm_user", "jdoe"), STATUS("TW", "received"),
	    F("x_priority", ""), F("x_crm_user", "asmith"),
	    F("x_" "\xc3\xa9t\xc3\xa9", "\xe6\xb0\xb4") },
	    { W_STATUS, .division = "TW", .status_code = "received",
	    .status = VOCAB_STATUS_RECEIVED } },

	/* status_map: a division's own codes. */
	{ 1, { STATUS("TW", "WO-DONE") },
	    { W_STATUS, .division = "TW", .status_code = "WO-DONE",
	    .status = VOCAB_STATUS_CLOSED,
	    .reason = VOCAB_REASON_COMPLETED } },
	{ 1, { STATUS("TW", "WO-DUP"), F("duplicate_of", "8811") },
	    { W_STATUS, .division = "TW", .status_code = "WO-DUP",
	    .status = VOCAB_STATUS_CLOSED, .reason = VOCAB_REASON_DUPLICATE,
	    .duplicate_of = "8811" } },
	{ 1, { STATUS("TW", "WO-HOLD") },
	    { W_STATUS, .division = "TW", .status_code = "WO-HOLD",
	    .status = VOCAB_STATUS_ON_HOLD } },
	{ 1, { STATUS("TW", "WO-HOLD"), F("reason", "scheduled") },
	    { W_STATUS, .division = "TW", .status_code = "WO-HOLD",
	    .status = VOCAB_STATUS_ON_HOLD,
	    .reason = VOCAB_REASON_SCHEDULED } },
	{ 1, { STATUS("TW", "WO-DONE"), F("reason", "no_action_required") },
	    { W_STATUS, .division = "TW", .status_code = "WO-DONE",
	    .status = VOCAB_STATUS_CLOSED,
	    .reason = VOCAB_REASON_NO_ACTION_REQUIRED } },
	{ 1, { STATUS("TW", "reopened") },
	    { W_STATUS, .division = "TW", .status_code = "reopened",
	    .status = VOCAB_STATUS_REOPENED } },
	{ 1, { STATUS("TS", "cancelled") },
	    { W_STATUS, .division = "TS", .status_code = "cancelled",
	    .status = VOCAB_STATUS_CANCELLED } },
	{ 1, { STATUS("MLS", "closed"), F("reason", "referred_external") },
	    { W_STATUS, .division = "MLS", .status_code = "closed",
	    .status = VOCAB_STATUS_CLOSED,
	    .reason = VOCAB_REASON_REFERRED_EXTERNAL } },

	/* Subscribe. */
	{ 0, { SUB, F("email", "alice@example.org") },
	    { W_SUB, .email = "alice@example.org",
	    .channels = EVENT_CHANNEL_EMAIL } },
	{ 0, { SUB, F("phone", "+14165550100") },
	    { W_SUB, .phone = "+14165550100", .channels = EVENT_CHANNEL_SMS } },
	{ 0, { SUB, F("email", "alice@example.org"),
	    F("phone", "+14165550100") },
	    { W_SUB, .email = "alice@example.org", .phone = "+14165550100",
	    .channels = EVENT_CHANNEL_EMAIL | EVENT_CHANNEL_SMS } },
	{ 0, { SUB, F("email", "alice@example.org"),
	    F("phone", "+14165550100"), F("channels", "email") },
	    { W_SUB, .email = "alice@example.org", .phone = "+14165550100",
	    .channels = EVENT_CHANNEL_EMAIL } },
	{ 0, { SUB, F("email", "alice@example.org"),
	    F("phone", "+14165550100"), F("channels", "sms") },
	    { W_SUB, .email = "alice@example.org", .phone = "+14165550100",
	    .channels = EVENT_CHANNEL_SMS } },
	{ 0, { SUB, F("email", "alice@example.org"),
	    F("phone", "+14165550100"), F("channels", "email,sms"),
	    F("locale", "fr-ca") },
	    { W_SUB, .email = "alice@example.org", .phone = "+14165550100",
	    .channels = EVENT_CHANNEL_EMAIL | EVENT_CHANNEL_SMS,
	    .locale = "fr-CA" } },
	{ 0, { SUB, F("email", "alice@example.org"),
	    F("phone", "+14165550100"), F("channels", "sms,email") },
	    { W_SUB, .email = "alice@example.org", .phone = "+14165550100",
	    .channels = EVENT_CHANNEL_EMAIL | EVENT_CHANNEL_SMS } },
	{ 0, { SUB, F("phone", "+14165550100"), F("locale", "ZH-hans-cn") },
	    { W_SUB, .phone = "+14165550100", .channels = EVENT_CHANNEL_SMS,
	    .locale = "zh-Hans-CN" } },
	{ 0, { SUB, F("email", "alice@example.org"), F("locale", "en") },
	    { W_SUB, .email = "alice@example.org",
	    .channels = EVENT_CHANNEL_EMAIL, .locale = "en" } },
	{ 0, { SUB, F("email", EMAIL254), F("phone", "+123456789012345"),
	    F("locale", "en-abcdefgh-abcdefgh-abcdefgh-abcde") },
	    { W_SUB, .email = EMAIL254, .phone = "+123456789012345",
	    .channels = EVENT_CHANNEL_EMAIL | EVENT_CHANNEL_SMS,
	    .locale = "en-abcdefgh-abcdefgh-abcdefgh-abcde" } },

	/* Unsubscribe. */
	{ 0, { UNSUB, F("email", "alice@example.org") },
	    { W_UNSUB, .email = "alice@example.org" } },
	{ 0, { UNSUB, F("phone", "+14165550100") },
	    { W_UNSUB, .phone = "+14165550100" } },
	{ 0, { UNSUB, F("all", "1") }, { W_UNSUB, .all = 1 } },
	{ 0, { UNSUB, F("all", "true") }, { W_UNSUB, .all = 1 } },
	{ 0, { UNSUB, F("all", "yes") }, { W_UNSUB, .all = 1 } },
	{ 0, { UNSUB, F("email", "alice@example.org"), F("all", "1") },
	    { W_UNSUB, .email = "alice@example.org", .all = 1 } },
	{ 0, { F("v", "1"), F("type", "unsubscribe"), F("event_id", "u-1"),
	    F("sr", "8812"), F("ts", TS), F("phone", "+14165550100"),
	    F("email", "alice@example.org") },
	    { .type = EVENT_UNSUBSCRIBE, .event_id = "u-1", .sr = "8812",
	    .ts = TS, .when = TS_WHEN, .email = "alice@example.org",
	    .phone = "+14165550100" } },
};

static const struct test_event_bad test_event_bads[] = {
	/* The entry as a whole, and field names. */
	{ 0, { { NULL, 0, NULL, 0 } }, "entry: has no fields" },
	{ 0, { STATUS("TW", "received"), F("priority", "high") },
	    "priority: " EXT },
	{ 0, { STATUS("TW", "received"), F("X_priority", "high") },
	    "X_priority: " EXT },
	{ 0, { STATUS("TW", "received"), F("x_", "high") }, "x_: " EXT },
	{ 0, { STATUS("TW", "received"), F("Status", "closed") },
	    "Status: " EXT },
	{ 0, { STATUS("TW", "received"), F("", "high") },
	    "entry: has a field with an empty name" },
	{ 0, { STATUS("TW", "received"), F(A32 "bbbbbbbbc", "1") },
	    A32 "bbbbbbbb...: " EXT },
	{ 0, { STATUS("TW", "received"), F("prio\nrity", "1") },
	    "prio?rity: " EXT },
	{ 0, { F("priority", "high") }, "priority: " EXT },
	{ 0, { STATUS("TW", "received"), F("sr", "8812") },
	    "sr: given more than once" },
	{ 0, { STATUS("TW", "received"), F("status", "closed") },
	    "status: given more than once" },
	{ 0, { STATUS("TW", "received"), FB("sr\0x", "8812") },
	    "field name \"sr?x\": contains a NUL byte" },
	{ 0, { STATUS("TW", "received"), F("service", "Road \xff Pothole") },
	    "service: is not valid UTF-8 at byte 5" },
	{ 0, { STATUS("TW", "received"), F("note", "caf\xc0\xa9") },
	    "note: is not valid UTF-8 at byte 3" },
	{ 0, { STATUS("TW", "received"), F("note", "\xed\xa0\x80") },
	    "note: is not valid UTF-8 at byte 0" },
	{ 0, { STATUS("TW", "received"), F("x_note", "ok \xe2\x82") },
	    "x_note: is not valid UTF-8 at byte 3" },
	{ 0, { F("v", "1"), F("type", "status"), FB("sr", "88\0" "12"),
	    F("ts", TS), F("division", "TW"), F("status", "received") },
	    "sr: contains a NUL byte at byte 2" },
	{ 0, { STATUS("TW", "closed"), FB("note", "Fixed.\0") },
	    "note: contains a NUL byte at byte 6" },

	/* v and type. */
	{ 0, { F("type", "status"), F("sr", "8812"), F("ts", TS),
	    F("division", "TW"), F("status", "received") },
	    "v: missing (required; the contract version, \"1\")" },
	{ 0, { F("v", "2"), F("type", "status"), F("sr", "8812"), F("ts", TS),
	    F("division", "TW"), F("status", "received") },
	    "v: unsupported version (this closeloopd reads version 1) "
	    "(got \"2\")" },
	{ 0, { F("v", "1.0"), F("type", "subscribe") },
	    "v: unsupported version (this closeloopd reads version 1) "
	    "(got \"1.0\")" },
	{ 0, { F("v", ""), F("type", "subscribe") },
	    "v: unsupported version (this closeloopd reads version 1) "
	    "(got \"\")" },
	{ 0, { F("v", "1"), F("sr", "8812"), F("ts", TS) },
	    "type: missing (required; status, subscribe or unsubscribe)" },
	{ 0, { HEAD("close"), F("division", "TW") },
	    "type: unknown type (use status, subscribe or unsubscribe) "
	    "(got \"close\")" },
	{ 0, { HEAD("Status"), F("division", "TW"), F("status", "closed") },
	    "type: unknown type (use status, subscribe or unsubscribe) "
	    "(got \"Status\")" },
	{ 0, { HEAD("") },
	    "type: unknown type (use status, subscribe or unsubscribe) "
	    "(got \"\")" },

	/* Required fields, for each type. */
	{ 0, { F("v", "1"), F("type", "status"), F("ts", TS),
	    F("division", "TW"), F("status", "received") },
	    "sr: missing (required in a status event)" },
	{ 0, { F("v", "1"), F("type", "status"), F("sr", "8812"),
	    F("division", "TW"), F("status", "received") },
	    "ts: missing (required in a status event)" },
	{ 0, { HEAD("status"), F("status", "received") },
	    "division: missing (required in a status event)" },
	{ 0, { HEAD("status"), F("division", "TW") },
	    "status: missing (required in a status event)" },
	{ 0, { F("v", "1"), F("type", "subscribe"), F("ts", TS),
	    F("email", "alice@example.org") },
	    "sr: missing (required in a subscribe event)" },
	{ 0, { F("v", "1"), F("type", "subscribe"), F("sr", "8812"),
	    F("email", "alice@example.org") },
	    "ts: missing (required in a subscribe event)" },
	{ 0, { F("v", "1"), F("type", "unsubscribe"), F("ts", TS),
	    F("all", "1") },
	    "sr: missing (required in an unsubscribe event)" },
	{ 0, { F("v", "1"), F("type", "unsubscribe"), F("sr", "8812"),
	    F("all", "1") },
	    "ts: missing (required in an unsubscribe event)" },

	/* Fields a type does not allow. */
	{ 0, { STATUS("TW", "received"), F("email", "alice@example.org") },
	    "email: not allowed in a status event" },
	{ 0, { STATUS("TW", "received"), F("phone", "+14165550100") },
	    "phone: not allowed in a status event" },
	{ 0, { STATUS("TW", "received"), F("locale", "fr-CA") },
	    "locale: not allowed in a status event" },
	{ 0, { STATUS("TW", "received"), F("channels", "email") },
	    "channels: not allowed in a status event" },
	{ 0, { STATUS("TW", "received"), F("all", "1") },
	    "all: not allowed in a status event" },
	{ 0, { SUB, F("division", "TW"), F("email", "alice@example.org") },
	    "division: not allowed in a subscribe event" },
	{ 0, { SUB, F("status", "closed"), F("email", "alice@example.org") },
	    "status: not allowed in a subscribe event" },
	{ 0, { SUB, F("email", "alice@example.org"), F("all", "1") },
	    "all: not allowed in a subscribe event" },
	{ 0, { SUB, F("email", "alice@example.org"), F("note", "hi") },
	    "note: not allowed in a subscribe event" },
	{ 0, { UNSUB, F("email", "alice@example.org"), F("locale", "en") },
	    "locale: not allowed in an unsubscribe event" },
	{ 0, { UNSUB, F("email", "alice@example.org"),
	    F("channels", "email") },
	    "channels: not allowed in an unsubscribe event" },
	{ 0, { UNSUB, F("all", "1"), F("reason", "completed") },
	    "reason: not allowed in an unsubscribe event" },

	/* Empty values. */
	{ 0, { F("v", "1"), F("type", "status"), F("sr", ""), F("ts", TS),
	    F("division", "TW"), F("status", "received") },
	    "sr: is empty" },
	{ 0, { STATUS("TW", "received"), F("event_id", "") },
	    "event_id: is empty" },
	{ 0, { HEAD("status"), F("division", ""), F("status", "received") },
	    "division: is empty" },
	{ 0, { STATUS("TW", "closed"), F("reason", "") }, "reason: is empty" },
	{ 0, { STATUS("TW", "closed"), F("note", "") }, "note: is empty" },
	{ 0, { STATUS("TW", "closed"), F("photos", "") }, "photos: is empty" },
	{ 0, { SUB, F("email", ""), F("phone", "+14165550100") },
	    "email: is empty" },
	{ 0, { UNSUB, F("all", "") }, "all: is empty" },

	/* event_id, sr and ts. */
	{ 0, { STATUS("TW", "received"), F("event_id", "crm 42") },
	    "event_id: must be printable ASCII without spaces "
	    "(got \"crm 42\")" },
	{ 0, { STATUS("TW", "received"), F("event_id", "crm\t42") },
	    "event_id: must be printable ASCII without spaces "
	    "(got \"crm?42\")" },
	{ 0, { STATUS("TW", "received"), F("event_id", "\xc3\xa9v-1") },
	    "event_id: must be printable ASCII without spaces "
	    "(got \"\xc3\xa9v-1\")" },
	{ 0, { F("v", "1"), F("type", "status"), F("sr", "SR 8812"),
	    F("ts", TS), F("division", "TW"), F("status", "received") },
	    "sr: " SR_CHARS " (got \"SR 8812\")" },
	{ 0, { F("v", "1"), F("type", "subscribe"), F("sr", "8812_1"),
	    F("ts", TS), F("email", "alice@example.org") },
	    "sr: " SR_CHARS " (got \"8812_1\")" },
	{ 0, { F("v", "1"), F("type", "status"), F("sr", A65), F("ts", TS),
	    F("division", "TW"), F("status", "received") },
	    "sr: is too long (65 characters; at most 64)" },
	{ 0, { F("v", "1"), F("type", "status"), F("sr", "8812"),
	    F("ts", "2026-03-03T14:05:00"), F("division", "TW"),
	    F("status", "received") },
	    "ts: " NO_ZONE " (got \"2026-03-03T14:05:00\")" },
	{ 0, { F("v", "1"), F("type", "status"), F("sr", "8812"),
	    F("ts", "2026-13-01T00:00:00Z"), F("division", "TW"),
	    F("status", "received") },
	    "ts: month is out of range (got \"2026-13-01T00:00:00Z\")" },
	{ 0, { F("v", "1"), F("type", "unsubscribe"), F("sr", "8812"),
	    F("ts", "yesterday"), F("all", "1") },
	    "ts: " FORM_TIME " (got \"yesterday\")" },
	{ 0, { F("v", "1"), F("type", "unsubscribe"), F("sr", "8812"),
	    F("ts", "2026-03-03"), F("all", "1") },
	    "ts: " FORM_TIME " (got \"2026-03-03\")" },

	/* The fields of a status event. */
	{ 0, { STATUS("T W", "received") },
	    "division: " CODE_CHARS " (got \"T W\")" },
	{ 0, { STATUS(A33, "received") },
	    "division: is too long (33 characters; at most 32)" },
	{ 0, { STATUS("TS", "done") },
	    "status: unknown status (use one of " STATUSES ") (got \"done\")" },
	{ 0, { STATUS("TS", "Closed") },
	    "status: unknown status (use one of " STATUSES ") "
	    "(got \"Closed\")" },
	{ 0, { STATUS("TW", "WO-DONE") },
	    "status: unknown status (use one of " STATUSES ") "
	    "(got \"WO-DONE\")" },
	{ 1, { STATUS("TS", "WO-DONE") },
	    "status: unknown status (use one of " STATUSES ") "
	    "(got \"WO-DONE\")" },
	{ 1, { STATUS("TW", "WO-LOST") },
	    "status: unknown status (use one of " STATUSES ", or a code in "
	    "the status_map of division TW) (got \"WO-LOST\")" },
	{ 1, { STATUS("TW", "wo-done") },
	    "status: unknown status (use one of " STATUSES ", or a code in "
	    "the status_map of division TW) (got \"wo-done\")" },
	{ 0, { STATUS("TW", "closed"), F("reason", "fixed") },
	    "reason: unknown reason (use one of " REASONS ") (got \"fixed\")" },
	{ 1, { STATUS("TW", "WO-DONE"), F("reason", "Completed") },
	    "reason: unknown reason (use one of " REASONS ") "
	    "(got \"Completed\")" },
	{ 0, { STATUS("TW", "received"), F("service", "Road\tPothole") },
	    "service: contains a control character (got \"Road?Pothole\")" },
	{ 0, { STATUS("TW", "received"), F("service", "Road\nPothole") },
	    "service: contains a control character (got \"Road?Pothole\")" },
	{ 0, { STATUS("TW", "assigned"), F("work_order", "WO\x7f" "1") },
	    "work_order: contains a control character (got \"WO?1\")" },
	{ 0, { STATUS("TS", "transferred"), F("transfer_to", "Toronto Water") },
	    "transfer_to: " CODE_CHARS " (got \"Toronto Water\")" },
	{ 0, { STATUS("TS", "transferred"), F("transfer_to", A33) },
	    "transfer_to: is too long (33 characters; at most 32)" },
	{ 0, { STATUS("TS", "received"), F("ward", "Ward 7") },
	    "ward: " CODE_CHARS " (got \"Ward 7\")" },
	{ 0, { STATUS("TS", "received"), F("ward", A33) },
	    "ward: is too long (33 characters; at most 32)" },
	{ 0, { SUB, F("email", "a@example.org"), F("ward", "7") },
	    "ward: not allowed in a subscribe event" },
	{ 0, { STATUS("TW", "closed"), F("duplicate_of", "SR#8811") },
	    "duplicate_of: " SR_CHARS " (got \"SR#8811\")" },
	{ 0, { STATUS("TW", "closed"), F("scheduled_for", "next week") },
	    "scheduled_for: " FORM_DATE_OR_TIME " (got \"next week\")" },
	{ 0, { STATUS("TW", "closed"), F("scheduled_for", "2026-02-30") },
	    "scheduled_for: day is out of range for the month "
	    "(got \"2026-02-30\")" },
	{ 0, { STATUS("TW", "closed"),
	    F("scheduled_for", "2026-03-05T09:00:00") },
	    "scheduled_for: " NO_ZONE " (got \"2026-03-05T09:00:00\")" },
	{ 0, { STATUS("TW", "closed"), F("note", NOTE2000 "x") },
	    "note: is too long (2001 characters; at most 2000)" },
	{ 0, { STATUS("TW", "closed"), F("note", NOTE2000 "\xc3\xa9") },
	    "note: is too long (2001 characters; at most 2000)" },
	{ 0, { STATUS("TW", "closed"), F("note", "Fixed \x1b[1mtoday") },
	    "note: contains a control character" },
	{ 0, { STATUS("TW", "closed"), F("note", "Fixed\x7f") },
	    "note: contains a control character" },
	{ 0, { STATUS("TW", "closed"), F("standard_days", "5d") },
	    "standard_days: " DAYS " (got \"5d\")" },
	{ 0, { STATUS("TW", "closed"), F("standard_days", "1001") },
	    "standard_days: " DAYS " (got \"1001\")" },
	{ 0, { STATUS("TW", "closed"), F("standard_days", "-1") },
	    "standard_days: " DAYS " (got \"-1\")" },
	{ 0, { STATUS("TW", "closed"), F("standard_days", "+5") },
	    "standard_days: " DAYS " (got \"+5\")" },
	{ 0, { STATUS("TW", "closed"), F("standard_days", " 5") },
	    "standard_days: " DAYS " (got \" 5\")" },
	{ 0, { STATUS("TW", "closed"), F("standard_days", "10000") },
	    "standard_days: is too long (5 characters; at most 4)" },
	{ 0, { SUB, F("email", "alice@example.org"),
	    F("standard_days", "5") },
	    "standard_days: not allowed in a subscribe event" },
	{ 0, { STATUS("TW", "closed"), F("note_code", "see note") },
	    "note_code: " CODE_CHARS " (got \"see note\")" },
	{ 0, { STATUS("TW", "closed"), F("note_code", A65) },
	    "note_code: is too long (65 characters; at most 64)" },
	{ 0, { STATUS("TW", "closed"),
	    F("photos", "http://photos.example.org/1.jpg") },
	    "photos: is not an https URL "
	    "(got \"http://photos.example.org/1.jpg\")" },
	{ 0, { STATUS("TW", "closed"), F("photos", PH(1) " ftp://x.org/2") },
	    "photos: is not an https URL (got \"ftp://x.org/2\")" },
	{ 0, { STATUS("TW", "closed"), F("photos", PH(1) " " PH(2) " " PH(3)
	    " " PH(4) " " PH(5) " " PH(6) " " PH(7) " " PH(8) " " PH(9) " "
	    PH(10) " " PH(11)) },
	    "photos: has more than 10 URLs" },
	{ 0, { STATUS("TW", "closed"),
	    F("photos", "https://crm:s3cret@photos.example.org/1.jpg") },
	    "photos: must not contain user information" },
	{ 0, { STATUS("TW", "closed"), F("photos", "    ") },
	    "photos: has no URL" },
	{ 0, { STATUS("TW", "closed"), F("photos", PH(1) "\t" PH(2)) },
	    "photos: contains whitespace or a control character "
	    "(got \"" PH(1) "?" PH(2) "\")" },
	{ 0, { STATUS("TW", "closed"), F("photos", "https://") },
	    "photos: has no host (got \"https://\")" },
	{ 0, { STATUS("TW", "closed"),
	    F("photos", "https://photos.example.org:0/1.jpg") },
	    "photos: port must be a number from 1 to 65535 "
	    "(got \"https://photos.example.org:0/1.jpg\")" },

	/* The fields of subscribe and unsubscribe events. */
	{ 0, { SUB, F("email", "alice.example.org") }, "email: has no '@'" },
	{ 0, { SUB, F("email", "alice@localhost") },
	    "email: domain must contain a '.'" },
	{ 0, { SUB, F("email", "alice..b@example.org") },
	    "email: local part must not begin or end with '.' or contain "
	    "'..'" },
	{ 0, { UNSUB, F("email", "a@b@example.org") },
	    "email: contains more than one '@'" },
	{ 0, { SUB, F("phone", "4165550100") },
	    "phone: must begin with '+' and the country code" },
	{ 0, { SUB, F("phone", "+1 416 555 0100") },
	    "phone: must contain only digits after the '+'" },
	{ 0, { SUB, F("phone", "+1234567") },
	    "phone: must have 8 to 15 digits" },
	{ 0, { UNSUB, F("phone", "+0123456789") },
	    "phone: country code must not begin with 0" },
	{ 0, { SUB, F("email", "alice@example.org"), F("locale", "f") },
	    "locale: language must be 2 or 3 letters (got \"f\")" },
	{ 0, { SUB, F("email", "alice@example.org"), F("locale", "en_US") },
	    "locale: must contain only letters, digits and '-' "
	    "(got \"en_US\")" },
	{ 0, { SUB, F("email", "alice@example.org"),
	    F("locale", "en-US-x-private") },
	    "locale: has a misplaced or malformed subtag "
	    "(got \"en-US-x-private\")" },
	{ 0, { SUB, F("email", "alice@example.org"), F("locale", "fr--CA") },
	    "locale: has an empty subtag (got \"fr--CA\")" },
	{ 0, { SUB, F("email", "alice@example.org"), F("channels", "fax") },
	    "channels: must be email, sms or email,sms (got \"fax\")" },
	{ 0, { SUB, F("email", "alice@example.org"),
	    F("channels", "email, sms") },
	    "channels: must be email, sms or email,sms (got \"email, sms\")" },
	{ 0, { SUB, F("email", "alice@example.org"), F("channels", "EMAIL") },
	    "channels: must be email, sms or email,sms (got \"EMAIL\")" },
	{ 0, { SUB, F("email", "alice@example.org"), F("channels", "sms") },
	    "channels: sms is asked for but no phone is given" },
	{ 0, { SUB, F("email", "alice@example.org"),
	    F("channels", "email,sms") },
	    "channels: sms is asked for but no phone is given" },
	{ 0, { SUB, F("phone", "+14165550100"), F("channels", "email") },
	    "channels: email is asked for but no email is given" },
	{ 0, { SUB }, "email: missing (a subscribe event needs email, phone "
	    "or both)" },
	{ 0, { SUB, F("locale", "fr-CA"), F("channels", "email,sms") },
	    "email: missing (a subscribe event needs email, phone or both)" },
	{ 0, { UNSUB }, "email: missing (an unsubscribe event needs email, "
	    "phone or all)" },
	{ 0, { UNSUB, F("all", "maybe") },
	    "all: must be 1, true or yes (got \"maybe\")" },
	{ 0, { UNSUB, F("email", "alice@example.org"), F("all", "0") },
	    "all: must be 1, true or yes (got \"0\")" },

	/* The first problem found is the one reported. */
	{ 0, { F("priority", "high"), F("v", "2") }, "priority: " EXT },
	{ 0, { F("v", "2"), F("type", "close") },
	    "v: unsupported version (this closeloopd reads version 1) "
	    "(got \"2\")" },
	{ 0, { F("v", "1"), F("type", "status"), F("sr", "SR 1"),
	    F("ts", "soon"), F("division", "TW"), F("status", "received") },
	    "sr: " SR_CHARS " (got \"SR 1\")" },
	{ 0, { F("v", "1"), F("type", "status"), F("email", "a@b.org") },
	    "sr: missing (required in a status event)" },
	{ 0, { STATUS("TW", "done"), F("reason", "fixed") },
	    "status: unknown status (use one of " STATUSES ") (got \"done\")" },
	/* Causes stay UTF-8: bad bytes become '?', cuts fall between characters. */
	{ 0, { STATUS("TW", "received"), F("st\xff" "atus", "1") },
	    "field name \"st?atus\": is not valid UTF-8" },
	{ 0, { STATUS("TW", "received"),
	    F("service", "\t" A64 A8 "aaaaaa" "\xc3\xa9" "tail") },
	    "service: contains a control character "
	    "(got \"?" A64 A8 "aaaaaa...\")" },
	{ 0, { STATUS("TW", "received"), F(A32 "aaaaaaa" "\xc3\xa9", "1") },
	    A32 "aaaaaaa...: " EXT },
};


/* Load the configuration with status maps into the group state. */
static int
test_event_setup(void **state)
{
	struct config	*cf;
	const char	*tmp;
	char		*dir, *path, *cause = NULL;
	FILE		*f;

	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	dir = xasprintf("%s/test_event.XXXXXX", tmp);
	if (mkdtemp(dir) == NULL) {
		free(dir);
		return -1;
	}
	path = xasprintf("%s/closeloopd.conf", dir);
	if ((f = fopen(path, "w")) == NULL) {
		rmdir(dir);
		free(path);
		free(dir);
		return -1;
	}
	fputs(test_event_conf, f);
	fclose(f);
	cf = config_load(path, &cause);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
	if (cf == NULL) {
		fprintf(stderr, "test_event: %s\n", cause);
		free(cause);
		return -1;
	}
	*state = cf;
	return 0;
}

/* Free the configuration. */
static int
test_event_teardown(void **state)
{
	config_free(*state);
	return 0;
}

/* Free the copies of an entry and empty it. */
static void
test_event_clear(struct test_event_entry *e)
{
	size_t	i;

	for (i = 0; i < 2 * e->n; i++)
		free(e->fields[i]);
	memset(e, 0, sizeof *e);
}

/* Copy len bytes into a buffer of exactly len + 1, NUL-terminated. */
static char *
test_event_copy(const char *s, size_t len)
{
	char	*p;

	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* Append a field to an entry; a length of 0 means strlen(). */
static void
test_event_add(struct test_event_entry *e, const char *name, size_t namelen,
    const char *value, size_t valuelen)
{
	if (e->n == TEST_EVENT_MAX_FIELDS)
		fail_msg("entry has more than %d fields",
		    TEST_EVENT_MAX_FIELDS);
	if (namelen == 0)
		namelen = strlen(name);
	if (valuelen == 0)
		valuelen = strlen(value);
	e->fields[2 * e->n] = test_event_copy(name, namelen);
	e->lens[2 * e->n] = namelen;
	e->fields[2 * e->n + 1] = test_event_copy(value, valuelen);
	e->lens[2 * e->n + 1] = valuelen;
	e->n++;
}

/* Build an entry from the fields of a table row. */
static void
test_event_build(struct test_event_entry *e, const struct test_event_field *f)
{
	size_t	i;

	memset(e, 0, sizeof *e);
	for (i = 0; i < TEST_EVENT_ROW_FIELDS && f[i].name != NULL; i++)
		test_event_add(e, f[i].name, f[i].namelen, f[i].value,
		    f[i].valuelen);
}

/* Parse an entry, with or without the configuration. */
static struct event *
test_event_parse(const struct config *cf, const struct test_event_entry *e,
    char **cause)
{
	return eventparse_parse(cf, SOURCE_ID, e->fields, e->lens, e->n, cause);
}

/* Check that a string field is as wanted; want NULL means unset. */
static void
test_event_str(size_t row, const char *field, const char *got,
    const char *want)
{
	if (want == NULL && got != NULL)
		fail_msg("row %zu: %s: want unset, got \"%s\"", row, field,
		    got);
	if (want != NULL && got == NULL)
		fail_msg("row %zu: %s: want \"%s\", got unset", row, field,
		    want);
	if (want != NULL && strcmp(got, want) != 0)
		fail_msg("row %zu: %s: want \"%s\", got \"%s\"", row, field,
		    want, got);
}

/* Check that a number field is as wanted. */
static void
test_event_num(size_t row, const char *field, int64_t got, int64_t want)
{
	if (got != want)
		fail_msg("row %zu: %s: want %lld, got %lld", row, field,
		    (long long)want, (long long)got);
}

/* Check every field of an accepted event against what is wanted. */
static void
test_event_check(size_t row, const struct event *ev,
    const struct test_event_want *w)
{
	size_t	i;

	test_event_str(row, "source_id", ev->source_id, SOURCE_ID);
	test_event_num(row, "type", ev->type, w->type);
	test_event_str(row, "event_id", ev->event_id, w->event_id);
	test_event_str(row, "sr", ev->sr, w->sr);
	test_event_str(row, "ts", ev->ts, w->ts);
	test_event_num(row, "when", ev->when, w->when);
	test_event_str(row, "division", ev->division, w->division);
	test_event_str(row, "status_code", ev->status_code, w->status_code);
	test_event_num(row, "status", ev->status, w->status);
	test_event_num(row, "reason", ev->reason, w->reason);
	test_event_str(row, "service", ev->service, w->service);
	test_event_str(row, "ward", ev->ward, w->ward);
	test_event_str(row, "work_order", ev->work_order, w->work_order);
	test_event_str(row, "transfer_to", ev->transfer_to, w->transfer_to);
	test_event_str(row, "duplicate_of", ev->duplicate_of, w->duplicate_of);
	test_event_str(row, "scheduled_for", ev->scheduled_for,
	    w->scheduled_for);
	test_event_num(row, "scheduled_when", ev->scheduled_when,
	    w->scheduled_when);
	test_event_num(row, "scheduled_has_time", ev->scheduled_has_time,
	    w->scheduled_has_time);
	test_event_str(row, "note", ev->note, w->note);
	test_event_str(row, "note_code", ev->note_code, w->note_code);
	test_event_num(row, "nphotos", (int64_t)ev->nphotos,
	    (int64_t)w->nphotos);
	for (i = 0; i < ev->nphotos; i++)
		test_event_str(row, "photos[]", ev->photos[i], w->photos[i]);
	if (ev->nphotos == 0 && ev->photos != NULL)
		fail_msg("row %zu: photos: set with no URL", row);
	test_event_str(row, "photos_text", ev->photos_text, w->photos_text);
	test_event_str(row, "standard_days", ev->standard_days,
	    w->standard_days);
	if (ev->standard_days != NULL)
		test_event_num(row, "standard", ev->standard, w->standard);
	test_event_str(row, "email", ev->email, w->email);
	test_event_str(row, "phone", ev->phone, w->phone);
	test_event_str(row, "locale", ev->locale, w->locale);
	test_event_num(row, "channels", ev->channels, w->channels);
	test_event_num(row, "all", ev->all, w->all);
}

/* Every entry of the accepted table gives the event it should. */
static void
test_event_good(void **state)
{
	const struct test_event_good	*g;
	struct test_event_entry		 e;
	struct event			*ev;
	char				*cause;
	size_t				 i;

	for (i = 0; i < NITEMS(test_event_goods); i++) {
		g = &test_event_goods[i];
		test_event_build(&e, g->f);
		cause = NULL;
		ev = test_event_parse(g->map ? *state : NULL, &e, &cause);
		if (ev == NULL)
			fail_msg("row %zu: rejected: %s", i, cause);
		assert_null(cause);
		test_event_check(i, ev, &g->want);
		event_free(ev);
		test_event_clear(&e);
	}
}

/* Every entry of the rejected table gives exactly its cause. */
static void
test_event_bad(void **state)
{
	const struct test_event_bad	*b;
	struct test_event_entry		 e;
	struct event			*ev;
	char				*cause;
	size_t				 i;

	for (i = 0; i < NITEMS(test_event_bads); i++) {
		b = &test_event_bads[i];
		test_event_build(&e, b->f);
		cause = NULL;
		ev = test_event_parse(b->map ? *state : NULL, &e, &cause);
		if (ev != NULL)
			fail_msg("row %zu: accepted; want \"%s\"", i, b->cause);
		if (cause == NULL)
			fail_msg("row %zu: rejected without a cause", i);
		if (strcmp(cause, b->cause) != 0)
			fail_msg("row %zu:\n want \"%s\"\n got  \"%s\"", i,
			    b->cause, cause);
		assert_string_equal(cause, b->cause);
		free(cause);
		test_event_clear(&e);
	}
}

/* A field name that is not UTF-8 is rejected, naming the field. */
static void
test_event_bad_name_utf8(void **state)
{
	static const char	 prefix[] = "field name \"";
	static const char	 suffix[] = "\": is not valid UTF-8";
	struct test_event_entry	 e;
	struct event		*ev;
	char			*cause = NULL;
	size_t			 len;

	memset(&e, 0, sizeof e);
	test_event_add(&e, "v", 0, "1", 0);
	test_event_add(&e, "st\xff" "atus", 0, "received", 0);
	ev = test_event_parse(*state, &e, &cause);
	assert_null(ev);
	assert_non_null(cause);
	len = strlen(cause);
	assert_true(len > sizeof prefix + sizeof suffix - 2);
	assert_memory_equal(cause, prefix, sizeof prefix - 1);
	assert_string_equal(cause + len - (sizeof suffix - 1), suffix);
	free(cause);
	test_event_clear(&e);
}

/* An entry may have at most EVENT_FIELDS_MAX fields, extensions included. */
static void
test_event_field_count(void **state)
{
	struct test_event_entry	 e;
	struct event		*ev;
	char			*cause = NULL, name[16];
	size_t			 i;

	(void)state;
	memset(&e, 0, sizeof e);
	test_event_add(&e, "v", 0, "1", 0);
	test_event_add(&e, "type", 0, "status", 0);
	test_event_add(&e, "sr", 0, "8812", 0);
	test_event_add(&e, "ts", 0, TS, 0);
	test_event_add(&e, "division", 0, "TW", 0);
	test_event_add(&e, "status", 0, "received", 0);
	for (i = e.n; i < EVENT_FIELDS_MAX; i++) {
		snprintf(name, sizeof name, "x_%zu", i);
		test_event_add(&e, name, 0, "1", 0);
	}
	assert_int_equal(e.n, 64);
	ev = test_event_parse(NULL, &e, &cause);
	if (ev == NULL)
		fail_msg("64 fields rejected: %s", cause);
	event_free(ev);

	test_event_add(&e, "x_last", 0, "1", 0);
	ev = test_event_parse(NULL, &e, &cause);
	assert_null(ev);
	assert_non_null(cause);
	assert_string_equal(cause, "entry: has 65 fields (at most 64)");
	free(cause);
	test_event_clear(&e);
}

/* One field's limit in characters, in an entry of a type that allows it. */
struct test_event_limit {
	const char	*name;
	const char	*type;
	size_t		 max;
};

/* The limits of event_fields_known[], written out independently. */
static const struct test_event_limit test_event_limits[] = {
	{ "v", "status", 8 },
	{ "type", "status", 16 },
	{ "event_id", "status", 128 },
	{ "sr", "status", 64 },
	{ "ts", "status", 64 },
	{ "division", "status", 32 },
	{ "status", "status", 64 },
	{ "reason", "status", 64 },
	{ "service", "status", 200 },
	{ "work_order", "status", 64 },
	{ "transfer_to", "status", 32 },
	{ "duplicate_of", "status", 64 },
	{ "scheduled_for", "status", 64 },
	{ "note", "status", 2000 },
	{ "note_code", "status", 64 },
	{ "photos", "status", 20490 },
	{ "standard_days", "status", 4 },
	{ "email", "subscribe", 254 },
	{ "phone", "subscribe", 16 },
	{ "locale", "subscribe", 35 },
	{ "channels", "subscribe", 16 },
	{ "all", "unsubscribe", 8 },
};

/* Build an entry of type with value as the field name, fields of type. */
static void
test_event_build_with(struct test_event_entry *e, const char *type,
    const char *name, const char *value)
{
	static const char	*base[] = {
		"v", "1", "type", NULL, "sr", "8812", "ts", TS,
		"division", "TW", "status", "received",
		"email", "alice@example.org", "all", "1"
	};
	size_t			 i;

	memset(e, 0, sizeof *e);
	for (i = 0; i < NITEMS(base); i += 2) {
		if (strcmp(base[i], name) == 0)
			continue;
		if (strcmp(type, "status") != 0 && (strcmp(base[i],
		    "division") == 0 || strcmp(base[i], "status") == 0))
			continue;
		if (strcmp(type, "status") == 0 && (strcmp(base[i],
		    "email") == 0 || strcmp(base[i], "all") == 0))
			continue;
		if (strcmp(type, "unsubscribe") != 0 &&
		    strcmp(base[i], "all") == 0)
			continue;
		test_event_add(e, base[i], 0,
		    base[i + 1] != NULL ? base[i + 1] : type, 0);
	}
	test_event_add(e, name, 0, value, 0);
}

/* Make a value of n copies of unit. */
static char *
test_event_repeat(const char *unit, size_t n)
{
	size_t	 len = strlen(unit), i;
	char	*s;

	s = xmalloc(n * len + 1);
	for (i = 0; i < n; i++)
		memcpy(s + i * len, unit, len);
	s[n * len] = '\0';
	return s;
}

/* Each field's value may be max characters long, not one more. */
static void
test_event_oversize(void **state)
{
	const struct test_event_limit	*l;
	struct test_event_entry		 e;
	struct event			*ev;
	char				*value, *cause, *want;
	size_t				 i;

	(void)state;
	for (i = 0; i < NITEMS(test_event_limits); i++) {
		l = &test_event_limits[i];

		value = test_event_repeat("a", l->max + 1);
		test_event_build_with(&e, l->type, l->name, value);
		cause = NULL;
		ev = test_event_parse(NULL, &e, &cause);
		assert_null(ev);
		want = xasprintf("%s: is too long (%zu characters; at most "
		    "%zu)", l->name, l->max + 1, l->max);
		if (cause == NULL || strcmp(cause, want) != 0)
			fail_msg("%s: want \"%s\", got \"%s\"", l->name, want,
			    cause != NULL ? cause : "(accepted)");
		free(want);
		free(cause);
		free(value);
		test_event_clear(&e);

		/* At the limit the length is fine, whatever else is not. */
		value = test_event_repeat("a", l->max);
		test_event_build_with(&e, l->type, l->name, value);
		cause = NULL;
		ev = test_event_parse(NULL, &e, &cause);
		if (ev == NULL && strstr(cause, "is too long") != NULL)
			fail_msg("%s: %zu characters: %s", l->name, l->max,
			    cause);
		event_free(ev);
		free(cause);
		free(value);
		test_event_clear(&e);
	}
}

/* Limits count characters, not bytes: 200 three-byte characters pass. */
static void
test_event_oversize_multibyte(void **state)
{
	struct test_event_entry	 e;
	struct event		*ev;
	char			*value, *cause = NULL;

	(void)state;
	value = test_event_repeat("\xe2\x82\xac", 200);
	test_event_build_with(&e, "status", "service", value);
	ev = test_event_parse(NULL, &e, &cause);
	if (ev == NULL)
		fail_msg("200 characters rejected: %s", cause);
	assert_int_equal(strlen(ev->service), 600);
	event_free(ev);
	free(value);
	test_event_clear(&e);

	value = test_event_repeat("\xe2\x82\xac", 201);
	test_event_build_with(&e, "status", "service", value);
	ev = test_event_parse(NULL, &e, &cause);
	assert_null(ev);
	assert_non_null(cause);
	assert_string_equal(cause,
	    "service: is too long (201 characters; at most 200)");
	free(cause);
	free(value);
	test_event_clear(&e);
}

/* Every status and reason of the vocabulary is accepted by name. */
static void
test_event_vocabulary(void **state)
{
	struct test_event_entry	 e;
	struct event		*ev;
	char			*cause = NULL;
	const char		*name;
	int			 i;

	for (i = VOCAB_STATUS_RECEIVED; i <= VOCAB_STATUS_REOPENED; i++) {
		name = vocab_status_name(i);
		test_event_build_with(&e, "status", "status", name);
		ev = test_event_parse(*state, &e, &cause);
		if (ev == NULL)
			fail_msg("status %s rejected: %s", name, cause);
		assert_int_equal(ev->status, i);
		assert_int_equal(ev->reason, VOCAB_REASON_NONE);
		event_free(ev);
		test_event_clear(&e);
	}
	for (i = VOCAB_REASON_COMPLETED; i <= VOCAB_REASON_REFERRED_EXTERNAL;
	    i++) {
		name = vocab_reason_name(i);
		test_event_build_with(&e, "status", "reason", name);
		ev = test_event_parse(*state, &e, &cause);
		if (ev == NULL)
			fail_msg("reason %s rejected: %s", name, cause);
		assert_int_equal(ev->status, VOCAB_STATUS_RECEIVED);
		assert_int_equal(ev->reason, i);
		event_free(ev);
		test_event_clear(&e);
	}
}

/* Tell whether a name of event_fields() is not a field of the contract. */
static int
test_event_not_contract(const char *name)
{
	return strcmp(name, "source_id") == 0 ||
	    strcmp(name, "status_code") == 0;
}

/*
 * The canonical fields of every accepted event parse again to the same
 * event. event_fields() also writes source_id and, for a mapped code,
 * status_code: these record where the event came from and are not fields
 * of the contract, so they are left out of the second entry.
 */
static void
test_event_round_trip(void **state)
{
	const struct test_event_good	*g;
	struct test_event_entry		 e;
	struct event			*ev, *ev2;
	const char			*out[2 * EVENT_FIELDS_MAX];
	const char			*out2[2 * EVENT_FIELDS_MAX];
	char				*cause = NULL;
	size_t				 i, j, k, n, n2, nsource;

	for (i = 0; i < NITEMS(test_event_goods); i++) {
		g = &test_event_goods[i];
		test_event_build(&e, g->f);
		ev = test_event_parse(g->map ? *state : NULL, &e, &cause);
		if (ev == NULL)
			fail_msg("row %zu: rejected: %s", i, cause);
		test_event_clear(&e);

		n = event_fields(ev, out, NITEMS(out));
		assert_true(n % 2 == 0);
		nsource = 0;
		for (j = 0; j < n; j += 2) {
			if (strcmp(out[j], "source_id") == 0) {
				assert_string_equal(out[j + 1], SOURCE_ID);
				nsource++;
			}
			if (strcmp(out[j], "status_code") == 0)
				assert_string_equal(out[j + 1],
				    g->want.status_code);
			if (!test_event_not_contract(out[j]))
				test_event_add(&e, out[j], 0, out[j + 1], 0);
		}
		assert_int_equal(nsource, 1);

		ev2 = test_event_parse(g->map ? *state : NULL, &e, &cause);
		if (ev2 == NULL)
			fail_msg("row %zu: canonical fields rejected: %s", i,
			    cause);
		test_event_clear(&e);

		n2 = event_fields(ev2, out2, NITEMS(out2));
		for (j = k = 0; j < n; j += 2) {
			if (strcmp(out[j], "status_code") == 0)
				continue;
			if (k >= n2)
				fail_msg("row %zu: %s lost", i, out[j]);
			assert_string_equal(out[j], out2[k]);
			assert_string_equal(out[j + 1], out2[k + 1]);
			k += 2;
		}
		assert_int_equal(k, n2);
		assert_int_equal(ev2->when, ev->when);
		assert_int_equal(ev2->scheduled_when, ev->scheduled_when);
		assert_int_equal(ev2->scheduled_has_time,
		    ev->scheduled_has_time);
		assert_int_equal(ev2->nphotos, ev->nphotos);
		assert_int_equal(ev2->channels, ev->channels);
		assert_int_equal(ev2->status, ev->status);
		assert_int_equal(ev2->reason, ev->reason);
		event_free(ev2);
		event_free(ev);
	}
}

/* event_fields() writes names in contract order and stops at max. */
static void
test_event_fields_order(void **state)
{
	static const char	*want[] = {
		"v", "1", "type", "status", "event_id", SOURCE_ID,
		"sr", "8812", "ts", TS, "source_id", SOURCE_ID,
		"division", "TW", "status", "closed", "status_code", "WO-DONE",
		"reason", "completed", "note", "Done."
	};
	struct test_event_entry	 e;
	struct event		*ev;
	const char		*out[2 * EVENT_FIELDS_MAX];
	char			*cause = NULL;
	size_t			 i, n;

	memset(&e, 0, sizeof e);
	test_event_add(&e, "note", 0, "Done.", 0);
	test_event_add(&e, "status", 0, "WO-DONE", 0);
	test_event_add(&e, "division", 0, "TW", 0);
	test_event_add(&e, "ts", 0, TS, 0);
	test_event_add(&e, "sr", 0, "8812", 0);
	test_event_add(&e, "type", 0, "status", 0);
	test_event_add(&e, "v", 0, "1", 0);
	ev = test_event_parse(*state, &e, &cause);
	if (ev == NULL)
		fail_msg("rejected: %s", cause);
	n = event_fields(ev, out, NITEMS(out));
	assert_int_equal(n, NITEMS(want));
	for (i = 0; i < n; i++)
		assert_string_equal(out[i], want[i]);

	/* Only whole pairs are written. */
	assert_int_equal(event_fields(ev, out, 5), 4);
	assert_int_equal(event_fields(ev, out, 0), 0);
	event_free(ev);
	test_event_clear(&e);
}

/* Parse the fields of a row into an event for the describe tests. */
static struct event *
test_event_row(const struct config *cf, const struct test_event_field *f)
{
	struct test_event_entry	 e;
	struct event		*ev;
	char			*cause = NULL;

	test_event_build(&e, f);
	ev = test_event_parse(cf, &e, &cause);
	if (ev == NULL)
		fail_msg("rejected: %s", cause);
	test_event_clear(&e);
	return ev;
}

/* event_describe() sums up an event and masks the contacts. */
static void
test_event_describe(void **state)
{
	static const struct {
		struct test_event_field	 f[TEST_EVENT_ROW_FIELDS];
		const char		*want;
	} rows[] = {
		{ { STATUS("TW", "received") },
		    "status SR 8812 received by TW" },
		{ { STATUS("TW", "WO-DONE") },
		    "status SR 8812 closed/completed by TW" },
		{ { STATUS("TS", "transferred"), F("transfer_to", "TW") },
		    "status SR 8812 transferred by TS to TW" },
		{ { SUB, F("email", "alice@example.org"),
		    F("phone", "+14165550100") },
		    "subscribe SR 8812 email a***@example.org phone "
		    "+1416***0100" },
		{ { SUB, F("phone", "+14165550100") },
		    "subscribe SR 8812 phone +1416***0100" },
		{ { UNSUB, F("email", "alice@example.org") },
		    "unsubscribe SR 8812 email a***@example.org" },
		{ { UNSUB, F("all", "yes") }, "unsubscribe SR 8812 all" },
	};
	struct event	*ev;
	char		*s;
	size_t		 i;

	for (i = 0; i < NITEMS(rows); i++) {
		ev = test_event_row(*state, rows[i].f);
		s = event_describe(ev);
		assert_string_equal(s, rows[i].want);
		assert_null(strstr(s, "alice"));
		assert_null(strstr(s, "5550100"));
		free(s);
		event_free(ev);
	}
}

/* Type names, and NULL handling of event_free() and the cause. */
static void
test_event_misc(void **state)
{
	struct test_event_entry	 e;

	(void)state;
	assert_string_equal(event_type_name(EVENT_STATUS), "status");
	assert_string_equal(event_type_name(EVENT_SUBSCRIBE), "subscribe");
	assert_string_equal(event_type_name(EVENT_UNSUBSCRIBE),
	    "unsubscribe");
	assert_string_equal(event_type_name((enum event_type)0), "unknown");

	event_free(NULL);

	/* A rejection with no cause asked for leaks nothing. */
	memset(&e, 0, sizeof e);
	test_event_add(&e, "v", 0, "1", 0);
	test_event_add(&e, "type", 0, "status", 0);
	test_event_add(&e, "sr", 0, "SR 1", 0);
	assert_null(eventparse_parse(NULL, SOURCE_ID, e.fields, e.lens, e.n,
	    NULL));
	test_event_clear(&e);
}

/* Run the tests. */
int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_event_good),
		cmocka_unit_test(test_event_bad),
		cmocka_unit_test(test_event_bad_name_utf8),
		cmocka_unit_test(test_event_field_count),
		cmocka_unit_test(test_event_oversize),
		cmocka_unit_test(test_event_oversize_multibyte),
		cmocka_unit_test(test_event_vocabulary),
		cmocka_unit_test(test_event_round_trip),
		cmocka_unit_test(test_event_fields_order),
		cmocka_unit_test(test_event_describe),
		cmocka_unit_test(test_event_misc),
	};

	return cmocka_run_group_tests(tests, test_event_setup,
	    test_event_teardown);
}
