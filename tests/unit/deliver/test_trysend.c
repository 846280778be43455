/*
 * test_trysend.c - unit tests for the test send of a template
 * (trysend.c), with the channel options (chanopts.c) and the email's
 * layout (mailmsg.c) it shares with the delivery workers
 *
 * Runs against a private redis-server, tests/harness/smtpd.py (aiosmtpd,
 * in clear, no AUTH) and tests/harness/gateway.py (the Twilio-like
 * stand-in): what a test checks is what the servers received and what
 * the test trail holds, and that nothing else in Redis was written.
 * The parts of a message are read back as a mail client would, decoded
 * with CRLF line endings (mimeread.h).
 */
#include "build.h"

#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "catalog.h"
#include "channel.h"
#include "config.h"
#include "digest.h"
#include "event.h"
#include "mimeread.h"
#include "notice.h"
#include "optout.h"
#include "redis.h"
#include "testnotice.h"
#include "testproc.h"
#include "testredis.h"
#include "testserver.h"
#include "trysend.h"
#include "xmalloc.h"

#define TEST_TRYSEND_PYTHON	"/usr/bin/python3"
#define TEST_TRYSEND_TOKEN	"tok3n-s3cret"

/* A server the tests send to, started once. */
struct test_trysend_srv {
	pid_t	 pid;
	int	 port;
	char	*dir;
};

static struct testserver	 ts;
static const char		*top;
static struct test_trysend_srv	 smtp, gw;

/* One test's configuration, connection, template set and notice. */
struct test_trysend {
	struct config	*cf;
	struct redis	*r;
	struct catalog	*cat;
	struct notice	*n;
};

/* Return the contents of a file; "" if it is missing. */
static char *
test_trysend_slurp(const char *dir, const char *name, size_t *len)
{
	FILE	*f;
	char	*path, *buf = NULL;
	size_t	 size = 0, n = 0;

	path = xasprintf("%s/%s", dir, name);
	if ((f = fopen(path, "rb")) != NULL) {
		do {
			buf = xreallocarray(buf, size + 4097, 1);
			size += 4096;
			n += fread(buf + n, 1, size - n, f);
		} while (n == size);
		fclose(f);
	}
	free(path);
	if (buf == NULL)
		buf = xstrdup("");
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

/* Return how many lines a server's file has. */
static int
test_trysend_lines(const struct test_trysend_srv *srv, const char *name)
{
	char	*text = test_trysend_slurp(srv->dir, name, NULL), *p;
	int	 n = 0;

	for (p = text; (p = strchr(p, '\n')) != NULL; p++)
		n++;
	free(text);
	return n;
}

/* Start a server: argv without its port, which is added. */
static void
test_trysend_start(struct test_trysend_srv *srv, const char *script,
    const char *const *more)
{
	const char	*argv[16];
	char		*path, *log, port[16];
	size_t		 n = 0;

	srv->dir = testproc_mkdtemp("test_trysend");
	srv->port = testproc_free_port();
	snprintf(port, sizeof port, "%d", srv->port);
	path = xasprintf("%s/tests/harness/%s", top, script);
	argv[n++] = TEST_TRYSEND_PYTHON;
	argv[n++] = path;
	argv[n++] = "--port";
	argv[n++] = port;
	argv[n++] = "--dir";
	argv[n++] = srv->dir;
	while (*more != NULL)
		argv[n++] = *more++;
	argv[n] = NULL;
	log = xasprintf("%s/server.log", srv->dir);
	srv->pid = testproc_spawn(argv, log);
	if (testproc_wait_port(srv->pid, srv->port, 15000) != 0) {
		fprintf(stderr, "%s did not start: %s\n", script,
		    test_trysend_slurp(srv->dir, "server.log", NULL));
		exit(1);
	}
	free(log);
	free(path);
}

/* Stop a server and remove its directory. */
static void
test_trysend_stop(struct test_trysend_srv *srv)
{
	testproc_stop(srv->pid);
	testproc_rmdir(srv->dir);
	free(srv->dir);
}

/* Connect to an empty database; load the shipped set; make the notice. */
static void
test_trysend_open(struct test_trysend *t, const char *more)
{
	char	*extra, *cause = NULL;

	memset(t, 0, sizeof *t);
	extra = xasprintf("templates = { dir = \"%s/templates\"; status_url = "
	    "\"https://311.example.org/sr/{sr}\"; unsubscribe_url = "
	    "\"https://311.example.org/stop/{sr}\"; };\n"
	    "email = { smtp = \"smtp://127.0.0.1:%d\"; starttls = \"off\"; "
	    "from = \"Toronto 311 <311@example.org>\"; timeout_seconds = 5; "
	    "};\n%s\n", top, smtp.port, more != NULL ? more :
	    "");
	t->cf = testserver_config(&ts, NULL, extra);
	free(extra);
	t->r = testredis_open(t->cf);
	if ((t->cat = catalog_load(t->cf->templates_dir, "en", &cause)) ==
	    NULL)
		fail_msg("catalog_load: %s", cause);
	t->n = testnotice_new();
}

/* The sms group for the stand-in gateway. */
static char *
test_trysend_sms(void)
{
	return xasprintf("sms = { gateway = \"twilio\"; url = "
	    "\"http://127.0.0.1:%d/2010-04-01/Accounts/ACtest/Messages.json\"; "
	    "username = \"ACtest\"; password_file = \"%s/secret\"; from = "
	    "\"+14165550311\"; allow_http_loopback = true; timeout_seconds = "
	    "5; };", gw.port, gw.dir);
}

/* Free what test_trysend_open() made. */
static void
test_trysend_close(struct test_trysend *t)
{
	notice_free(t->n);
	catalog_free(t->cat);
	redis_free(t->r);
	config_free(t->cf);
}

/* Return the fields of the test trail's last entry; fails if empty. */
static struct redis_reply *
test_trysend_last(struct test_trysend *t)
{
	struct redis_reply	*rep, *fields;
	char			*cause = NULL, *key = trysend_trail_key(t->cf);

	rep = redis_command(t->r, &cause, "XREVRANGE %s + - COUNT 1", key);
	free(key);
	assert_non_null(rep);
	assert_int_equal(rep->type, REDIS_TYPE_ARRAY);
	assert_int_equal(rep->elements, 1);
	fields = rep->element[0]->element[1];
	rep->element[0]->element[1] = NULL;
	redis_reply_free(rep);
	return fields;
}

/* Assert a field of a trail entry has a value. */
static void
test_trysend_field_is(const struct redis_reply *f, const char *name,
    const char *want)
{
	const char	*v = redis_reply_field(f, name);

	if (v == NULL)
		fail_msg("the trail entry has no %s", name);
	assert_string_equal(v, want);
}

/* Assert that Redis holds the test trail and nothing else. */
static void
test_trysend_only_trail(struct test_trysend *t, long long keys)
{
	assert_int_equal(testredis_int(t->r, "DBSIZE"), keys);
	assert_int_equal(testredis_int(t->r, "EXISTS closeloop:test:trail"),
	    1);
	assert_int_equal(testredis_int(t->r, "EXISTS closeloop:audit"), 0);
}

/* Assert that header name of message m is want. */
static void
test_trysend_header_is(const struct trysend_msg *m, const char *name,
    const char *want)
{
	char	*v = mimeread_header(m->data, m->len, name);

	if (v == NULL)
		fail_msg("the message has no %s", name);
	assert_string_equal(v, want);
	free(v);
}

/* A test email is marked in its Subject and both bodies. */
static void
test_build_email(void **state)
{
	struct test_trysend	 t;
	struct trysend_msg	 m;
	char			*cause = NULL, *v, *want;
	char			 sha[DIGEST_HEX_LEN + 1];
	size_t			 n;

	(void)state;
	test_trysend_open(&t, NULL);
	assert_int_equal(trysend_build(t.cf, t.cat, t.n, EVENT_CHANNEL_EMAIL,
	    "ops@example.org", &m, &cause), 0);
	assert_non_null(m.line);
	want = xasprintf("This is a test of template completed (locale en, "
	    "template set %s): no resident was sent this message.",
	    catalog_version(t.cat));
	assert_string_equal(m.line, want);
	v = mimeread_header(m.data, m.len, "Subject");
	assert_non_null(v);
	assert_memory_equal(v, TRYSEND_SUBJECT, strlen(TRYSEND_SUBJECT));
	assert_non_null(strstr(v, "2026-7"));
	free(v);
	test_trysend_header_is(&m, "To", "ops@example.org");
	v = mimeread_header(m.data, m.len, "Message-ID");
	assert_memory_equal(v, "<test.", 6);
	assert_non_null(strstr(v, "@example.org>"));
	free(v);
	v = mimeread_part(m.data, m.len, "plain", &n);
	assert_memory_equal(v, want, strlen(want));
	assert_memory_equal(v + strlen(want), "\r\n\r\n", 4);
	free(v);
	v = mimeread_part(m.data, m.len, "html", &n);
	assert_non_null(strstr(v, "\">\r\n<p lang=\"en\" "));
	assert_true(strstr(v, want) < strstr(v, "Pothole filled."));
	assert_true(strstr(v, "<body") < strstr(v, want));
	free(v);
	digest_sha256(m.data, m.len, sha);
	assert_string_equal(m.sha256, sha);
	assert_string_equal(m.notice, "completed");
	assert_string_equal(m.locale, "en");
	free(want);
	trysend_msg_clear(&m);
	test_trysend_close(&t);
}

/* Without an address, the message is the recipient's own, unmarked. */
static void
test_build_as_sent(void **state)
{
	struct test_trysend	 t;
	struct trysend_msg	 m;
	char			*cause = NULL, *v;
	size_t			 n;

	(void)state;
	test_trysend_open(&t, NULL);
	assert_int_equal(trysend_build(t.cf, t.cat, t.n, EVENT_CHANNEL_EMAIL,
	    NULL, &m, &cause), 0);
	assert_null(m.line);
	test_trysend_header_is(&m, "Subject",
	    "The work on your request 2026-7 is done");
	test_trysend_header_is(&m, "To", "ana@example.org");
	test_trysend_header_is(&m, "Message-ID", "<2026-7.3.0@example.org>");
	v = mimeread_part(m.data, m.len, "html", &n);
	assert_null(strstr(v, "This is a test"));
	free(v);
	trysend_msg_clear(&m);
	test_trysend_close(&t);
}

/* A test SMS starts with "TEST: "; a bad address builds nothing. */
static void
test_build_sms_and_bad(void **state)
{
	struct test_trysend	 t;
	struct trysend_msg	 m;
	char			*cause = NULL;

	(void)state;
	test_trysend_open(&t, NULL);
	assert_int_equal(trysend_build(t.cf, t.cat, t.n, EVENT_CHANNEL_SMS,
	    "+14165550199", &m, &cause), 0);
	assert_memory_equal(m.data, TRYSEND_SMS, strlen(TRYSEND_SMS));
	assert_int_equal(m.len, strlen(m.data));
	assert_non_null(strstr(m.data, "2026-7"));
	trysend_msg_clear(&m);
	assert_int_equal(trysend_build(t.cf, t.cat, t.n, EVENT_CHANNEL_SMS,
	    "ops@example.org", &m, &cause), -1);
	assert_non_null(strstr(cause, "not a phone number"));
	free(cause);
	cause = NULL;
	assert_int_equal(trysend_build(t.cf, t.cat, t.n, EVENT_CHANNEL_EMAIL,
	    "ops at example.org", &m, &cause), -1);
	assert_non_null(strstr(cause, "not an email address"));
	free(cause);
	test_trysend_close(&t);
}

/* An HTML template without a <body> gets the line at its start. */
static void
test_build_no_body(void **state)
{
	static const char *const files[][2] = {
		{ "completed.subject.mustache", "Done {{sr}}" },
		{ "completed.txt.mustache", "Done." },
		{ "completed.html.mustache", "<p>Done.</p>" },
		{ "completed.sms.mustache", "Done." },
	};
	struct test_trysend	 t;
	struct trysend_msg	 m;
	struct catalog		*cat;
	char			*dir, *path, *cause = NULL, *v;
	size_t			 i, n;
	FILE			*f;

	(void)state;
	test_trysend_open(&t, NULL);
	dir = testproc_mkdtemp("test_trysend-set");
	path = xasprintf("%s/en", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	free(path);
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		path = xasprintf("%s/en/%s", dir, files[i][0]);
		assert_non_null(f = fopen(path, "w"));
		fputs(files[i][1], f);
		fclose(f);
		free(path);
	}
	if ((cat = catalog_load(dir, "en", &cause)) == NULL)
		fail_msg("catalog_load: %s", cause);
	assert_int_equal(trysend_build(t.cf, cat, t.n, EVENT_CHANNEL_EMAIL,
	    "ops@example.org", &m, &cause), 0);
	v = mimeread_part(m.data, m.len, "html", &n);
	assert_memory_equal(v, "<p lang=\"en\" ", 13);
	assert_non_null(strstr(v, "</p>\r\n<p>Done.</p>"));
	free(v);
	trysend_msg_clear(&m);
	catalog_free(cat);
	testproc_rmdir(dir);
	free(dir);
	test_trysend_close(&t);
}

/* A test email reaches the server once and only the test trail has it. */
static void
test_send_email(void **state)
{
	struct test_trysend	 t;
	struct trysend_result	 res;
	struct redis_reply	*f;
	char			*eml, *v, name[32];
	size_t			 len;
	int			 before = test_trysend_lines(&smtp,
				    "received.jsonl");

	(void)state;
	test_trysend_open(&t, NULL);
	assert_int_equal(trysend_send(t.r, t.cf, t.cat, t.n,
	    EVENT_CHANNEL_EMAIL, "ops@example.org", "alice", &res), SEND_OK);
	assert_memory_equal(res.reply, "250", 3);
	assert_string_equal(res.to, "o***@example.org");
	assert_non_null(res.trail_id);
	assert_null(res.trail_error);
	assert_int_equal(test_trysend_lines(&smtp, "received.jsonl"),
	    before + 1);
	snprintf(name, sizeof name, "%d.eml", before + 1);
	eml = test_trysend_slurp(smtp.dir, name, &len);
	v = mimeread_header(eml, len, "Subject");
	assert_memory_equal(v, TRYSEND_SUBJECT, strlen(TRYSEND_SUBJECT));
	free(v);
	free(eml);
	f = test_trysend_last(&t);
	test_trysend_field_is(f, "operator", "alice");
	test_trysend_field_is(f, "channel", "email");
	test_trysend_field_is(f, "to", "o***@example.org");
	test_trysend_field_is(f, "notice", "completed");
	test_trysend_field_is(f, "locale", "en");
	test_trysend_field_is(f, "template_version", catalog_version(t.cat));
	test_trysend_field_is(f, "sample_sr", "2026-7");
	test_trysend_field_is(f, "outcome", "sent");
	test_trysend_field_is(f, "reply", res.reply);
	assert_non_null(redis_reply_field(f, "at"));
	assert_int_equal(strlen(redis_reply_field(f, "content_sha256")),
	    DIGEST_HEX_LEN);
	redis_reply_free(f);
	test_trysend_only_trail(&t, 1);
	trysend_result_clear(&res);
	test_trysend_close(&t);
}

/* A 550 is a permanent failure, with the server's reply, recorded. */
static void
test_send_refused(void **state)
{
	struct test_trysend	 t;
	struct trysend_result	 res;
	struct redis_reply	*f;

	(void)state;
	test_trysend_open(&t, NULL);
	assert_int_equal(trysend_send(t.r, t.cf, t.cat, t.n,
	    EVENT_CHANNEL_EMAIL, "p550-ops@example.org", "alice", &res),
	    SEND_PERMFAIL);
	assert_non_null(strstr(res.reply, "550"));
	assert_null(strstr(res.reply, "p550-ops@example.org"));
	f = test_trysend_last(&t);
	test_trysend_field_is(f, "outcome", "permfail");
	test_trysend_field_is(f, "reply", res.reply);
	test_trysend_field_is(f, "to", "p***@example.org");
	redis_reply_free(f);
	test_trysend_only_trail(&t, 1);
	trysend_result_clear(&res);
	test_trysend_close(&t);
}

/* Without Redis the test is sent all the same, and says it is unrecorded. */
static void
test_send_no_redis(void **state)
{
	struct test_trysend	 t;
	struct trysend_result	 res;
	int			 before = test_trysend_lines(&smtp,
				    "received.jsonl");

	(void)state;
	test_trysend_open(&t, NULL);
	assert_int_equal(trysend_send(NULL, t.cf, t.cat, t.n,
	    EVENT_CHANNEL_EMAIL, "ops@example.org", "alice", &res), SEND_OK);
	assert_null(res.trail_id);
	assert_non_null(res.trail_error);
	assert_int_equal(test_trysend_lines(&smtp, "received.jsonl"),
	    before + 1);
	assert_int_equal(testredis_int(t.r, "DBSIZE"), 0);
	trysend_result_clear(&res);
	test_trysend_close(&t);
}

/* A test SMS goes through the gateway, marked; the token stays secret. */
static void
test_send_sms(void **state)
{
	struct test_trysend	 t;
	struct trysend_result	 res;
	struct redis_reply	*f;
	char			*sms, *text;
	size_t			 i;
	int			 before = test_trysend_lines(&gw,
				    "messages.jsonl");

	(void)state;
	sms = test_trysend_sms();
	test_trysend_open(&t, sms);
	free(sms);
	assert_int_equal(trysend_send(t.r, t.cf, t.cat, t.n, EVENT_CHANNEL_SMS,
	    "+14165550199", "bob", &res), SEND_OK);
	assert_memory_equal(res.reply, "HTTP 201", 8);
	assert_string_equal(res.to, "+1416***0199");
	assert_int_equal(test_trysend_lines(&gw, "messages.jsonl"), before + 1);
	text = test_trysend_slurp(gw.dir, "messages.jsonl", NULL);
	assert_non_null(strstr(text, "\"body\": \"TEST: "));
	assert_non_null(strstr(text, "\"token\": \"test."));
	free(text);
	f = test_trysend_last(&t);
	test_trysend_field_is(f, "channel", "sms");
	test_trysend_field_is(f, "to", "+1416***0199");
	test_trysend_field_is(f, "outcome", "sent");
	for (i = 0; i < f->elements; i++) {
		assert_null(strstr(f->element[i]->str, TEST_TRYSEND_TOKEN));
		assert_null(strstr(f->element[i]->str, "5550199"));
	}
	redis_reply_free(f);
	assert_null(strstr(res.reply, TEST_TRYSEND_TOKEN));
	test_trysend_only_trail(&t, 1);
	trysend_result_clear(&res);
	test_trysend_close(&t);
}

/* No SMS goes to a number that texted STOP; nor by a channel not set up. */
static void
test_send_refused_here(void **state)
{
	struct test_trysend	 t;
	struct trysend_result	 res;
	struct redis_reply	*rep;
	char			*sms, *key, *cause = NULL;
	int			 before = test_trysend_lines(&gw,
				    "messages.jsonl");

	(void)state;
	test_trysend_open(&t, NULL);
	assert_int_equal(trysend_ready(t.cf, EVENT_CHANNEL_SMS, &cause), -1);
	assert_non_null(strstr(cause, "sms.gateway"));
	free(cause);
	assert_int_equal(trysend_send(t.r, t.cf, t.cat, t.n, EVENT_CHANNEL_SMS,
	    "+14165550199", "bob", &res), SEND_PERMFAIL);
	assert_non_null(strstr(res.reply, "sms.gateway"));
	trysend_result_clear(&res);
	test_trysend_close(&t);

	sms = test_trysend_sms();
	test_trysend_open(&t, sms);
	free(sms);
	key = optout_key(t.cf, "+14165550199");
	rep = redis_command(t.r, &cause, "HSET %s at 1 keyword STOP", key);
	redis_reply_free(rep);
	free(key);
	assert_int_equal(trysend_send(t.r, t.cf, t.cat, t.n, EVENT_CHANNEL_SMS,
	    "+14165550199", "bob", &res), SEND_PERMFAIL);
	assert_non_null(strstr(res.reply, "STOP"));
	assert_int_equal(test_trysend_lines(&gw, "messages.jsonl"), before);
	trysend_result_clear(&res);
	test_trysend_close(&t);
}

/* The test trail is capped near TRYSEND_TRAIL_MAX entries. */
static void
test_trail_capped(void **state)
{
	struct test_trysend	 t;
	struct trysend_result	 res;
	struct redis_reply	*rep;
	char			*cause = NULL;
	long long		 n;

	(void)state;
	test_trysend_open(&t, NULL);
	rep = redis_command(t.r, &cause, "EVAL %s 1 closeloop:test:trail",
	    "for i = 1, 10300 do redis.call('XADD', KEYS[1], '*', 'x', i) end");
	assert_non_null(rep);
	assert_int_not_equal(rep->type, REDIS_TYPE_ERROR);
	redis_reply_free(rep);
	assert_int_equal(trysend_send(t.r, t.cf, t.cat, t.n,
	    EVENT_CHANNEL_EMAIL, "ops@example.org", "alice", &res), SEND_OK);
	n = testredis_int(t.r, "XLEN closeloop:test:trail");
	assert_true(n >= TRYSEND_TRAIL_MAX && n <= TRYSEND_TRAIL_MAX + 100);
	trysend_result_clear(&res);
	test_trysend_close(&t);
}

int
main(void)
{
	const char *const smtp_args[] = { NULL };
	const char *const gw_args[] = { "--account", "ACtest", "--token",
	    TEST_TRYSEND_TOKEN, NULL };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_email),
		cmocka_unit_test(test_build_as_sent),
		cmocka_unit_test(test_build_sms_and_bad),
		cmocka_unit_test(test_build_no_body),
		cmocka_unit_test(test_send_email),
		cmocka_unit_test(test_send_refused),
		cmocka_unit_test(test_send_no_redis),
		cmocka_unit_test(test_send_sms),
		cmocka_unit_test(test_send_refused_here),
		cmocka_unit_test(test_trail_capped),
	};
	char	*secret;
	FILE	*f;
	int	 rc;

	if ((top = getenv("top_srcdir")) == NULL || *top == '\0')
		top = ".";
	testproc_need(TEST_TRYSEND_PYTHON, "python3");
	if (system(TEST_TRYSEND_PYTHON " -c 'import aiosmtpd' 2>/dev/null") !=
	    0)
		testproc_missing("python3 cannot import aiosmtpd (Debian "
		    "package python3-aiosmtpd)");
	test_trysend_start(&smtp, "smtpd.py", smtp_args);
	test_trysend_start(&gw, "gateway.py", gw_args);
	secret = xasprintf("%s/secret", gw.dir);
	if ((f = fopen(secret, "w")) == NULL) {
		perror(secret);
		return 1;
	}
	fprintf(f, "%s\n", TEST_TRYSEND_TOKEN);
	fclose(f);
	chmod(secret, 0600);
	free(secret);
	rc = testredis_run(&ts, "trysend", tests,
	    sizeof tests / sizeof tests[0]);
	test_trysend_stop(&gw);
	test_trysend_stop(&smtp);
	return rc;
}
