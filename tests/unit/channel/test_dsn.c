/*
 * test_dsn.c - unit tests for reading the reports that come back
 * (dsn.c, and the parts of mimeread.c it reads them with)
 *
 * A hard bounce as Postfix writes it (LF line endings), a delay, a
 * failure after temporary errors, a bounce with CRLF, an unquoted
 * boundary and a base64 status part, an abuse report (ARF) and one that
 * is no complaint; what is no report, a success report, a report without
 * its second part, a cut one; values cleaned and cut.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dsn.h"
#include "mimeread.h"
#include "xmalloc.h"

/* A bounce as Postfix sends it to the envelope sender. */
#define POSTFIX_HEAD \
	"Return-Path: <>\n" \
	"Delivered-To: bounces+8812.1.0.0123456789abcdef0123@city.example\n" \
	"From: MAILER-DAEMON@relay.city.example (Mail Delivery System)\n" \
	"Subject: Undelivered Mail Returned to Sender\n" \
	"To: bounces+8812.1.0.0123456789abcdef0123@city.example\n" \
	"Auto-Submitted: auto-replied\n" \
	"MIME-Version: 1.0\n" \
	"Content-Type: multipart/report; report-type=delivery-status;\n" \
	"\tboundary=\"B1.1700000000/relay.city.example\"\n" \
	"Content-Transfer-Encoding: 8bit\n" \
	"Message-Id: <20261122.B1@relay.city.example>\n" \
	"\n" \
	"This is a MIME-encapsulated message.\n" \
	"\n" \
	"--B1.1700000000/relay.city.example\n" \
	"Content-Description: Notification\n" \
	"Content-Type: text/plain; charset=us-ascii\n" \
	"\n" \
	"I'm sorry to have to inform you that your message could not\n" \
	"be delivered to one or more recipients.\n" \
	"\n" \
	"--B1.1700000000/relay.city.example\n" \
	"Content-Description: Delivery report\n" \
	"Content-Type: message/delivery-status\n" \
	"\n" \
	"Reporting-MTA: dns; relay.city.example\n" \
	"X-Postfix-Queue-ID: 4B1\n" \
	"Arrival-Date: Sun, 22 Nov 2026 09:57:56 -0500 (EST)\n" \
	"\n"

#define POSTFIX_TAIL \
	"--B1.1700000000/relay.city.example\n" \
	"Content-Description: Undelivered Message Headers\n" \
	"Content-Type: text/rfc822-headers\n" \
	"\n" \
	"Return-Path: <bounces+8812.1.0.0123456789abcdef0123@city.example>\n" \
	"From: City of Toronto 311 <311@city.example>\n" \
	"To: resident@example.com\n" \
	"Message-ID: <8812.1.0@city.example>\n" \
	"\n" \
	"--B1.1700000000/relay.city.example--\n"

static const char hard[] = POSTFIX_HEAD
	"Final-Recipient: rfc822; resident@example.com\n"
	"Original-Recipient: rfc822;resident@example.com\n"
	"Action: failed\n"
	"Status: 5.1.1\n"
	"Remote-MTA: dns; mx.example.com\n"
	"Diagnostic-Code: smtp; 550 5.1.1 <resident@example.com>: Recipient\n"
	"    address rejected: User unknown\n"
	"\n"
	POSTFIX_TAIL;

/* Two recipients: one delivered, one delayed; the delayed one counts. */
static const char delayed[] = POSTFIX_HEAD
	"Final-Recipient: rfc822; other@example.com\n"
	"Action: delivered\n"
	"Status: 2.0.0\n"
	"\n"
	"Final-Recipient: rfc822; resident@example.com\n"
	"Action: Delayed\n"
	"Status: 4.2.2\n"
	"Diagnostic-Code: smtp; 452 4.2.2 Mailbox full\n"
	"Will-Retry-Until: Fri, 27 Nov 2026 09:57:56 -0500\n"
	"\n"
	POSTFIX_TAIL;

static const char expired[] = POSTFIX_HEAD
	"Final-Recipient: rfc822; resident@example.com\n"
	"Action: failed\n"
	"Status: 4.4.1\n"
	"Diagnostic-Code: X-Postfix; connect to mx.example.com: Connection\n"
	"    timed out\n"
	"\n"
	POSTFIX_TAIL;

static const char success[] = POSTFIX_HEAD
	"Final-Recipient: rfc822; resident@example.com\n"
	"Action: delivered\n"
	"Status: 2.0.0\n"
	"\n"
	POSTFIX_TAIL;

/* CRLF, an unquoted boundary, the status part in base64, no third part. */
static const char crlf[] =
	"From: postmaster@mx.example.com\r\n"
	"Content-Type: multipart/report; boundary=b-42;\r\n"
	" report-type=\"delivery-status\"\r\n"
	"\r\n"
	"--b-42\r\n"
	"Content-Type: text/plain\r\n"
	"\r\n"
	"Delivery has failed.\r\n"
	"--b-42\r\n"
	"Content-Type: message/delivery-status\r\n"
	"Content-Transfer-Encoding: base64\r\n"
	"\r\n"
	/* "Reporting-MTA: dns;mx.example.com\r\n\r\nFinal-Recipient: "
	   "rfc822;resident@example.com\r\nAction: failed\r\nStatus: "
	   "5.2.1\r\n" */
	"UmVwb3J0aW5nLU1UQTogZG5zO214LmV4YW1wbGUuY29tDQoNCkZpbmFsLVJlY2lw\r\n"
	"aWVudDogcmZjODIyO3Jlc2lkZW50QGV4YW1wbGUuY29tDQpBY3Rpb246IGZhaWxl\r\n"
	"ZA0KU3RhdHVzOiA1LjIuMQ0K\r\n"
	"--b-42--\r\n";

/* An abuse report (ARF) from a mailbox provider's feedback loop. */
static const char arf[] =
	"From: <abuse@mailbox.example>\n"
	"To: <fbl@city.example>\n"
	"Subject: FW: Your request 8812\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/report; report-type=feedback-report;\n"
	"     boundary=\"part1_13d.2e68ed54_boundary\"\n"
	"\n"
	"--part1_13d.2e68ed54_boundary\n"
	"Content-Type: text/plain; charset=\"US-ASCII\"\n"
	"Content-Transfer-Encoding: 7bit\n"
	"\n"
	"This is an email abuse report for an email message received from\n"
	"IP 192.0.2.1 on Sun, 22 Nov 2026 10:00:00 EST.\n"
	"\n"
	"--part1_13d.2e68ed54_boundary\n"
	"Content-Type: message/feedback-report\n"
	"\n"
	"Feedback-Type: abuse\n"
	"User-Agent: SomeGenerator/1.0\n"
	"Version: 1\n"
	"Original-Mail-From: <bounces+8812.1.0.0123456789abcdef0123"
	"@city.example>\n"
	"Original-Rcpt-To: <resident@mailbox.example>\n"
	"Arrival-Date: Sun, 22 Nov 2026 10:00:00 EST\n"
	"Source-IP: 192.0.2.1\n"
	"\n"
	"--part1_13d.2e68ed54_boundary\n"
	"Content-Type: message/rfc822\n"
	"Content-Disposition: inline\n"
	"\n"
	"From: City of Toronto 311 <311@city.example>\n"
	"To: resident@mailbox.example\n"
	"Subject: Your request 8812\n"
	"Message-ID: <8812.1.0@city.example>\n"
	"\n"
	"Your request is closed.\n"
	"--part1_13d.2e68ed54_boundary--\n";

/* Parse text; returns what dsn_parse() did, with d filled. */
static int
test_dsn_read(const char *text, struct dsn *d, const char **why)
{
	*why = NULL;
	return dsn_parse(text, strlen(text), d, why);
}

/* A hard bounce as Postfix sends it. */
static void
test_dsn_hard(void **state)
{
	struct dsn	 d;
	const char	*why;

	(void)state;
	assert_int_equal(test_dsn_read(hard, &d, &why), 0);
	assert_null(why);
	assert_int_equal(d.kind, DSN_BOUNCE);
	assert_true(d.hard);
	assert_string_equal(d.action, "failed");
	assert_string_equal(d.status, "5.1.1");
	assert_string_equal(d.diagnostic, "550 5.1.1 <resident@example.com>: "
	    "Recipient address rejected: User unknown");
	assert_string_equal(d.recipient, "resident@example.com");
	assert_string_equal(d.reporter, "relay.city.example");
	assert_string_equal(d.message_id, "<8812.1.0@city.example>");
	assert_string_equal(d.original_from,
	    "bounces+8812.1.0.0123456789abcdef0123@city.example");
	assert_null(d.feedback_type);
	dsn_clear(&d);
	assert_null(d.status);
	dsn_clear(&d);
}

/* A delay, and a failure after temporary errors: soft, both. */
static void
test_dsn_soft(void **state)
{
	struct dsn	 d;
	const char	*why;

	(void)state;
	assert_int_equal(test_dsn_read(delayed, &d, &why), 0);
	assert_int_equal(d.kind, DSN_BOUNCE);
	assert_false(d.hard);
	assert_string_equal(d.action, "delayed");
	assert_string_equal(d.status, "4.2.2");
	assert_string_equal(d.diagnostic, "452 4.2.2 Mailbox full");
	assert_string_equal(d.recipient, "resident@example.com");
	dsn_clear(&d);

	assert_int_equal(test_dsn_read(expired, &d, &why), 0);
	assert_int_equal(d.kind, DSN_BOUNCE);
	assert_false(d.hard);
	assert_string_equal(d.action, "failed");
	assert_string_equal(d.status, "4.4.1");
	dsn_clear(&d);
}

/* CRLF, an unquoted boundary, a base64 status part, no third part. */
static void
test_dsn_crlf(void **state)
{
	struct dsn	 d;
	const char	*why;

	(void)state;
	assert_int_equal(test_dsn_read(crlf, &d, &why), 0);
	assert_int_equal(d.kind, DSN_BOUNCE);
	assert_true(d.hard);
	assert_string_equal(d.status, "5.2.1");
	assert_string_equal(d.recipient, "resident@example.com");
	assert_string_equal(d.reporter, "mx.example.com");
	assert_null(d.diagnostic);
	assert_null(d.message_id);
	assert_null(d.original_from);
	dsn_clear(&d);
}

/* An abuse report is a complaint; another feedback type is not. */
static void
test_dsn_arf(void **state)
{
	struct dsn	 d;
	const char	*why;
	char		*other, *p;

	(void)state;
	assert_int_equal(test_dsn_read(arf, &d, &why), 0);
	assert_int_equal(d.kind, DSN_COMPLAINT);
	assert_string_equal(d.feedback_type, "abuse");
	assert_string_equal(d.reporter, "SomeGenerator/1.0");
	assert_string_equal(d.original_from,
	    "bounces+8812.1.0.0123456789abcdef0123@city.example");
	assert_string_equal(d.recipient, "resident@mailbox.example");
	assert_string_equal(d.message_id, "<8812.1.0@city.example>");
	assert_null(d.status);
	dsn_clear(&d);

	other = xstrdup(arf);
	p = strstr(other, "Feedback-Type: abuse");
	memcpy(p, "Feedback-Type: virus", 20);
	assert_int_equal(test_dsn_read(other, &d, &why), -1);
	assert_int_equal(d.kind, DSN_NONE);
	assert_non_null(strstr(why, "no complaint"));
	assert_string_equal(d.feedback_type, "virus");
	dsn_clear(&d);
	free(other);
}

/*
 * The copy of the message may carry a Return-Path: the report's own
 * Original-Mail-From wins, and without one the copy's is taken.
 */
static void
test_dsn_arf_return_path(void **state)
{
	static const char	 rp[] =
	    "Return-Path: <bounces+9999.2.0.fedcba9876543210fedc@city.example>\n";
	struct dsn		 d;
	const char		*why;
	char			*with, *without, *p;
	size_t			 at;

	(void)state;
	p = strstr(arf, "From: City of Toronto 311");
	assert_non_null(p);
	at = (size_t)(p - arf);
	with = xasprintf("%.*s%s%s", (int)at, arf, rp, arf + at);
	assert_int_equal(test_dsn_read(with, &d, &why), 0);
	assert_string_equal(d.original_from,
	    "bounces+8812.1.0.0123456789abcdef0123@city.example");
	dsn_clear(&d);
	without = xstrdup(with);
	p = strstr(without, "Original-Mail-From:");
	memcpy(p, "X-Original-Mail-Fro", 19);
	assert_int_equal(test_dsn_read(without, &d, &why), 0);
	assert_string_equal(d.original_from,
	    "bounces+9999.2.0.fedcba9876543210fedc@city.example");
	dsn_clear(&d);
	free(without);
	free(with);
}

/* What is not a failure report is none, and says why. */
static void
test_dsn_none(void **state)
{
	static const struct {
		const char	*text;
		const char	*why;
	} cases[] = {
		{ "", "not a report" },
		{ "Subject: hello\n\nJust mail.\n", "not a report" },
		{ "Content-Type: multipart/mixed; boundary=x\n\n--x\n\nhi\n"
		  "--x--\n", "not a report" },
		{ "Content-Type: multipart/reportage; boundary=x\n\n",
		  "not a report" },
		{ "Content-Type: multipart/report; report-type=disposition-"
		  "notification; boundary=x\n\n--x\n\nread\n--x--\n",
		  "neither" },
		{ "Content-Type: multipart/report; report-type=delivery-status;"
		  " boundary=x\n\n--x\nContent-Type: text/plain\n\nfailed\n"
		  "--x--\n", "neither" },
		{ "Content-Type: multipart/report; report-type=delivery-status;"
		  " boundary=x\n\n--x\nContent-Type: message/delivery-status"
		  "\n\nReporting-MTA: dns; a.example\n\n--x--\n",
		  "names no recipient" },
		{ "Content-Type: multipart/report; report-type=delivery-status"
		  "\n\n", "neither" },
	};
	struct dsn	 d;
	const char	*why;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (test_dsn_read(cases[i].text, &d, &why) != -1 ||
		    d.kind != DSN_NONE || why == NULL ||
		    strstr(why, cases[i].why) == NULL)
			fail_msg("case %zu: %s", i, why != NULL ? why : "taken");
		dsn_clear(&d);
	}
	assert_int_equal(test_dsn_read(success, &d, &why), -1);
	assert_non_null(strstr(why, "no failure"));
	assert_string_equal(d.action, "delivered");
	dsn_clear(&d);
}

/* A report cut anywhere is read without a fault, as far as it goes. */
static void
test_dsn_cut(void **state)
{
	struct dsn	 d;
	const char	*why;
	size_t		 n, len = strlen(hard);
	int		 rc;

	(void)state;
	for (n = 0; n <= len; n++) {
		rc = dsn_parse(hard, n, &d, &why);
		assert_true(rc == 0 ? d.kind == DSN_BOUNCE : d.kind == DSN_NONE);
		dsn_clear(&d);
	}
	/* Cut after the status part, it still says what failed. */
	assert_int_equal(dsn_parse(hard, strstr(hard, "--B1.1700000000/relay"
	    ".city.example\nContent-Description: Undelivered") - hard, &d,
	    &why), 0);
	assert_string_equal(d.status, "5.1.1");
	assert_null(d.message_id);
	dsn_clear(&d);
}

/* Values are cleaned of control characters and cut. */
static void
test_dsn_clean(void **state)
{
	struct dsn	 d;
	const char	*why;
	char		*text, *long_diag;

	(void)state;
	long_diag = xmalloc(2001);
	memset(long_diag, 'x', 2000);
	long_diag[2000] = '\0';
	text = xasprintf("Content-Type: multipart/report; report-type="
	    "delivery-status; boundary=x\n\n--x\nContent-Type: message/"
	    "delivery-status\n\nReporting-MTA: dns; a\033[31m.example\n\n"
	    "Action: failed\nStatus: 5.1.1000\nDiagnostic-Code: smtp; %s\n"
	    "\n--x--\n", long_diag);
	assert_int_equal(test_dsn_read(text, &d, &why), 0);
	assert_null(strchr(d.reporter, '\033'));
	assert_true(strlen(d.diagnostic) <= DSN_VALUE_MAX + 3);
	/* A status that is not x.y.z is not kept; no status is hard. */
	assert_null(d.status);
	assert_true(d.hard);
	dsn_clear(&d);
	free(text);
	free(long_diag);
}

/* The parts of a multipart body, and a header's parameters. */
static void
test_dsn_mimeread(void **state)
{
	static const char	 m[] = "Content-Type: multipart/mixed; "
	    "boundary=\"a b\"\r\n\r\npreamble\r\n--a b\r\n\r\none\r\n"
	    "--a bc\r\n--a b  \r\nX: 1\r\n\r\ntwo\r\n--a b--\r\nepilogue\r\n";
	struct mimeread_span	 s[4];
	char			*v;

	(void)state;
	assert_int_equal(mimeread_parts(m, strlen(m), s, 4), 2);
	assert_int_equal(s[0].len, strlen("\r\none\r\n--a bc"));
	assert_memory_equal(s[0].p, "\r\none\r\n--a bc", s[0].len);
	assert_memory_equal(s[1].p, "X: 1\r\n\r\ntwo", s[1].len);
	assert_int_equal(mimeread_parts(m, strlen(m), s, 1), 1);
	assert_int_equal(mimeread_parts("Subject: x\n\nbody", 16, s, 4), 0);
	v = mimeread_param("multipart/report; report-type=\"delivery-status\""
	    "; boundary=\"x\\\"y\"", "boundary");
	assert_string_equal(v, "x\"y");
	free(v);
	v = mimeread_param("a/b;boundary = c ;x=y", "BOUNDARY");
	assert_string_equal(v, "c");
	free(v);
	assert_null(mimeread_param("a/b; boundaryx=c", "boundary"));
	assert_null(mimeread_param("a/b; boundary=\"\"", "boundary"));
	assert_null(mimeread_param("a/b; boundary=\"open", "boundary"));
	assert_int_equal(mimeread_body("A: 1\nB: 2\n\nbody", 15), 11);
	assert_int_equal(mimeread_body("A: 1\r\n\r\nbody", 12), 8);
	assert_int_equal(mimeread_body("\nbody", 5), 1);
	assert_int_equal(mimeread_body("A: 1", 4), 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dsn_hard),
		cmocka_unit_test(test_dsn_soft),
		cmocka_unit_test(test_dsn_crlf),
		cmocka_unit_test(test_dsn_arf),
		cmocka_unit_test(test_dsn_arf_return_path),
		cmocka_unit_test(test_dsn_none),
		cmocka_unit_test(test_dsn_cut),
		cmocka_unit_test(test_dsn_clean),
		cmocka_unit_test(test_dsn_mimeread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
