/*
 * test_mail.c - unit tests for SMTP delivery (mail.c)
 *
 * Every test talks to a real server, tests/harness/smtpd.py (aiosmtpd),
 * which records each message it accepts (its bytes and a JSON line) and
 * each connection, and fails recipients on request by their local part.
 * The certificates come from tests/harness/testca.sh. What a test checks
 * is what the server saw, not only what mail_send() says.
 * TEST_MAIL_ONLY=PATTERN runs only the tests whose names match.
 */
#include "build.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "channel.h"
#include "mail.h"
#include "clock.h"
#include "testproc.h"
#include "xmalloc.h"

#define TEST_MAIL_MAX		8
#define TEST_MAIL_PYTHON	"/usr/bin/python3"
#define TEST_MAIL_OK		"resident@example.org"
#define TEST_MAIL(f)		cmocka_unit_test_teardown(f, test_mail_teardown)

/* A running tests/harness/smtpd.py. */
struct test_mail_srv {
	pid_t	 pid;
	char	 port[16];
	char	*dir;
};

static const char		*test_mail_top;		/* top_srcdir */
static char			*test_mail_ca;		/* made by testca.sh */
static struct test_mail_srv	 test_mail_running;	/* to stop if failed */

/* A batch of messages and what done() saw of it. */
struct test_mail_batch {
	struct channel_msg	 msg[TEST_MAIL_MAX];
	char			*text[TEST_MAIL_MAX];
	size_t			 n;
	size_t			 done;
	int			 seen[TEST_MAIL_MAX]; /* received by done() */
	const char		*dir;
};

/* Return the contents of a file and its length; NULL if it is missing. */
static char *
test_mail_slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf = NULL;
	size_t	 size = 0;

	*len = 0;
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	do {
		buf = xreallocarray(buf, size + 4097, 1);
		size += 4096;
		*len += fread(buf + *len, 1, size - *len, f);
	} while (*len == size);
	fclose(f);
	buf[*len] = '\0';
	return buf;
}

/* Return the text of the server's file name; "" if it is missing. */
static char *
test_mail_file(const char *dir, const char *name)
{
	char	*path, *text;
	size_t	 len;

	path = xasprintf("%s/%s", dir, name);
	text = test_mail_slurp(path, &len);
	free(path);
	return text != NULL ? text : xstrdup("");
}

/* Return how many lines the server's file name has. */
static int
test_mail_lines(const char *dir, const char *name)
{
	char	*text = test_mail_file(dir, name), *p;
	int	 n = 0;

	for (p = text; (p = strchr(p, '\n')) != NULL; p++)
		n++;
	free(text);
	return n;
}

/* Return how often needle occurs in the server's file name. */
static int
test_mail_count(const char *dir, const char *name, const char *needle)
{
	char	*text = test_mail_file(dir, name), *p;
	int	 n = 0;

	for (p = text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	free(text);
	return n;
}

/* Return the connections the server had, not counting the start probe. */
static int
test_mail_connections(const struct test_mail_srv *srv)
{
	return test_mail_lines(srv->dir, "connections.jsonl") - 1;
}

/*
 * Start smtpd.py: cert is NULL, "server" or "wrong"; auth is NULL or
 * "user:password", required unless it starts with '?'.
 */
static void
test_mail_start(struct test_mail_srv *srv, const char *cert, int require,
    const char *auth)
{
	const char	*argv[16];
	char		*arg[8], *log, *text;
	size_t		 len;
	int		 n = 0, a = 0, port;
	FILE		*f;

	srv->dir = testproc_mkdtemp("test_mail");
	port = testproc_free_port();
	snprintf(srv->port, sizeof srv->port, "%d", port);
	argv[n++] = TEST_MAIL_PYTHON;
	argv[n++] = arg[a++] = xasprintf("%s/tests/harness/smtpd.py", test_mail_top);
	argv[n++] = "--port";
	argv[n++] = srv->port;
	argv[n++] = "--dir";
	argv[n++] = srv->dir;
	argv[n++] = "--control";
	argv[n++] = arg[a++] = xasprintf("%s/control", srv->dir);
	if (cert != NULL) {
		argv[n++] = "--tls-cert";
		argv[n++] = arg[a++] = xasprintf("%s/%s.pem", test_mail_ca,
		    cert);
		argv[n++] = "--tls-key";
		argv[n++] = arg[a++] = xasprintf("%s/%s.key", test_mail_ca,
		    cert);
	}
	if (require)
		argv[n++] = "--require-tls";
	if (auth != NULL) {
		argv[n++] = "--auth-file";
		argv[n++] = arg[a++] = xasprintf("%s/auth", srv->dir);
		assert_non_null(f = fopen(arg[a - 1], "w"));
		fprintf(f, "%s\n", auth + (*auth == '?'));
		fclose(f);
		if (*auth == '?')
			argv[n++] = "--auth-optional";
	}
	argv[n] = NULL;
	log = xasprintf("%s/smtpd.log", srv->dir);
	srv->pid = testproc_spawn(argv, log);
	test_mail_running = *srv;
	if (testproc_wait_port(srv->pid, port, 15000) != 0) {
		text = test_mail_slurp(log, &len);
		fail_msg("smtpd.py did not start: %s", text ? text : "");
	}
	free(log);
	while (a > 0)
		free(arg[--a]);
}

/* Stop the server and remove its directory. */
static void
test_mail_stop(struct test_mail_srv *srv)
{
	testproc_stop(srv->pid);
	testproc_rmdir(srv->dir);
	free(srv->dir);
	memset(&test_mail_running, 0, sizeof test_mail_running);
}

/* After each test: stop the server a failed test left running. */
static int
test_mail_teardown(void **state)
{
	(void)state;
	if (test_mail_running.pid != 0)
		test_mail_stop(&test_mail_running);
	return 0;
}

/* Write the server's control file. */
static void
test_mail_control(struct test_mail_srv *srv, const char *what)
{
	char	*path = xasprintf("%s/control", srv->dir);
	FILE	*f;

	assert_non_null(f = fopen(path, "w"));
	fputs(what, f);
	fclose(f);
	free(path);
}

/* Return options for srv with the test CA. */
static struct mail_options
test_mail_options(const struct test_mail_srv *srv, enum mail_tls tls)
{
	static char		ca[1024];
	struct mail_options	o;

	snprintf(ca, sizeof ca, "%s/ca.pem", test_mail_ca);
	memset(&o, 0, sizeof o);
	o.host = "127.0.0.1";
	o.port = srv->port;
	o.tls = tls;
	o.ca_file = ca;
	o.helo = "closeloop.test";
	o.timeout_seconds = 10;
	return o;
}

/* Return a small complete message; tag makes its Message-ID unique. */
static char *
test_mail_text(const char *tag, size_t i)
{
	return xasprintf("Date: Mon, 3 Mar 2025 10:00:00 +0000\r\n"
	    "From: City Services <noreply@city.example>\r\n"
	    "To: <" TEST_MAIL_OK ">\r\n"
	    "Message-ID: <%s.%zu@closeloop.test>\r\n"
	    "Subject: Service request SR-%zu\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=us-ascii\r\n"
	    "\r\n"
	    "Your service request has been closed.\r\n", tag, i, i);
}

/* Add a message to b; text NULL means test_mail_text(tag). */
static struct channel_msg *
test_mail_add(struct test_mail_batch *b, const char *to, const char *tag,
    const char *text)
{
	struct channel_msg	*msg = &b->msg[b->n];

	assert_true(b->n < TEST_MAIL_MAX);
	b->text[b->n] = text != NULL ? xstrdup(text) :
	    test_mail_text(tag, b->n);
	msg->from = "noreply@city.example";
	msg->to = to;
	msg->data = b->text[b->n];
	msg->len = strlen(msg->data);
	msg->arg = b;
	b->n++;
	return msg;
}

/* Free what b holds and empty it. */
static void
test_mail_clear(struct test_mail_batch *b)
{
	size_t	i;

	for (i = 0; i < b->n; i++) {
		free(b->text[i]);
		channel_result_clear(&b->msg[i].result);
	}
	memset(b, 0, sizeof *b);
}

/* The done() callback: note how many messages the server had by then. */
static void
test_mail_done(struct channel_msg *msg, void *arg)
{
	struct test_mail_batch	*b = arg;
	size_t			 i = (size_t)(msg - b->msg);

	assert_ptr_equal(msg->arg, b);
	assert_true(i < b->n);
	assert_non_null(msg->result.reply);
	b->seen[i] = b->dir != NULL ?
	    test_mail_lines(b->dir, "received.jsonl") : 0;
	b->done++;
}

/* Send b with options o in one session; return how many were sent. */
static size_t
test_mail_run(const struct mail_options *o, struct test_mail_batch *b)
{
	struct mail	*m;
	char		*cause = NULL;
	size_t		 sent;

	m = mail_new(o, &cause);
	if (m == NULL)
		fail_msg("mail_new: %s", cause);
	b->done = 0;
	sent = mail_send(m, b->msg, b->n, test_mail_done, b);
	mail_free(m);
	assert_int_equal(b->done, b->n);
	return sent;
}

/* Assert message i's outcome and that its reply contains want. */
static void
test_mail_expect(struct test_mail_batch *b, size_t i, enum send_status st,
    const char *want)
{
	const char	*reply = b->msg[i].result.reply;

	if (b->msg[i].result.status != st || strstr(reply, want) == NULL)
		fail_msg("message %zu: %s \"%s\", wanted %s with \"%s\"", i,
		    channel_status_name(b->msg[i].result.status), reply,
		    channel_status_name(st), want);
}

/* Send one message with o and assert it ends as st with want. */
static void
test_mail_one(struct test_mail_srv *srv, const struct mail_options *o,
    enum send_status st, const char *want)
{
	struct test_mail_batch	b;
	size_t			sent;

	memset(&b, 0, sizeof b);
	b.dir = srv->dir;
	test_mail_add(&b, TEST_MAIL_OK, "one", NULL);
	sent = test_mail_run(o, &b);
	test_mail_expect(&b, 0, st, want);
	assert_int_equal(sent, st == SEND_OK);
	test_mail_clear(&b);
}

/* Three messages go in one connection, each recorded before the next. */
static void
test_mail_plain(void **state)
{
	struct test_mail_srv	 srv;
	struct test_mail_batch	 b;
	struct mail_options	 o;
	char			*name, *got;
	size_t			 i, len;

	(void)state;
	test_mail_start(&srv, NULL, 0, NULL);
	memset(&b, 0, sizeof b);
	b.dir = srv.dir;
	for (i = 0; i < 3; i++)
		test_mail_add(&b, TEST_MAIL_OK, "plain", NULL);
	o = test_mail_options(&srv, MAIL_TLS_OFF);
	assert_int_equal(test_mail_run(&o, &b), 3);
	for (i = 0; i < 3; i++) {
		test_mail_expect(&b, i, SEND_OK, "250 2.0.0 Ok: queued as ");
		assert_int_equal(b.seen[i], (int)i + 1);
		assert_true(b.msg[i].result.latency_ms >= 0);
		if (i > 0)
			assert_true(b.msg[i].result.latency_ms >=
			    b.msg[i - 1].result.latency_ms);
		name = xasprintf("%s/%zu.eml", srv.dir, i + 1);
		got = test_mail_slurp(name, &len);
		assert_non_null(got);
		assert_int_equal(len, b.msg[i].len);
		assert_memory_equal(got, b.msg[i].data, len);
		free(got);
		free(name);
	}
	assert_int_equal(test_mail_connections(&srv), 1);
	assert_int_equal(test_mail_count(srv.dir, "received.jsonl",
	    "\"mail_from\": \"noreply@city.example\", \"message_id\": "
	    "\"<plain.1@closeloop.test>\""), 1);
	assert_int_equal(test_mail_count(srv.dir, "received.jsonl",
	    "\"rcpt_tos\": [\"" TEST_MAIL_OK "\"]"), 3);
	assert_int_equal(test_mail_count(srv.dir, "received.jsonl",
	    "\"tls\": false"), 3);
	test_mail_clear(&b);
	test_mail_stop(&srv);
}

/*
 * What arrives is what was given: lines that need dot-stuffing, folded
 * and long lines. Messages libesmtp would change (it adds Date, From and
 * Message-Id when missing, drops repeated To and Return-Path, adds a
 * blank line) or that could inject commands are refused, unsent.
 */
static void
test_mail_bytes(void **state)
{
	static const char *bad[] = {
		"From: a@x\r\nMessage-ID: <1@x>\r\n\r\nno date\r\n",
		"Date: Mon, 3 Mar 2025 10:00:00 +0000\r\nFrom: a@x\r\n"
		    "Message-ID: <2@x>\r\nTo: b@y\r\nTo: c@y\r\n\r\nx\r\n",
		"Date: Mon, 3 Mar 2025 10:00:00 +0000\r\nFrom: a@x\r\n"
		    "Message-ID: <3@x>\r\nReturn-Path: <a@x>\r\n\r\nx\r\n",
		"Date: Mon, 3 Mar 2025 10:00:00 +0000\r\nFrom: a@x\r\n"
		    "Message-ID: <4@x>\r\nSubject: no body\r\n",
		"Date: Mon, 3 Mar 2025 10:00:00 +0000\r\nFrom: a@x\r\n"
		    "Message-ID: <5@x>\r\n\r\nbare\nLF\r\n",
	};
	struct test_mail_srv	 srv;
	struct test_mail_batch	 b;
	struct mail_options	 o;
	char			*good, *got, *name, line[1001];
	size_t			 i, len;

	(void)state;
	test_mail_start(&srv, NULL, 0, NULL);
	memset(&b, 0, sizeof b);
	memset(line, 'x', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	line[0] = '.';
	good = xasprintf("Date: Mon, 3 Mar 2025 10:00:00 +0000\r\n"
	    "From: a@x\r\nMessage-ID: <good@x>\r\nSubject: a folded\r\n"
	    " subject line\r\nX-Closeloop-SR: SR-1\r\n\r\n.\r\n..\r\n"
	    ".. two dots\r\n\r\n%.990s\r\n\r\n", line);
	test_mail_add(&b, TEST_MAIL_OK, NULL, good);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		test_mail_add(&b, TEST_MAIL_OK, NULL, bad[i]);
	test_mail_add(&b, "x@y>\r\nRCPT TO:<evil@example.net", "inject",
	    NULL);
	o = test_mail_options(&srv, MAIL_TLS_OFF);
	assert_int_equal(test_mail_run(&o, &b), 1);
	test_mail_expect(&b, 0, SEND_OK, "250 ");
	for (i = 1; i < b.n; i++)
		test_mail_expect(&b, i, SEND_PERMFAIL, "not sent: ");
	test_mail_expect(&b, 1, SEND_PERMFAIL, "Date");
	test_mail_expect(&b, 2, SEND_PERMFAIL, "To");
	test_mail_expect(&b, 3, SEND_PERMFAIL, "Return-Path");
	test_mail_expect(&b, 6, SEND_PERMFAIL, "recipient");
	assert_int_equal(test_mail_lines(srv.dir, "received.jsonl"), 1);
	name = xasprintf("%s/1.eml", srv.dir);
	got = test_mail_slurp(name, &len);
	assert_int_equal(len, strlen(good));
	assert_memory_equal(got, good, len);
	free(got);
	free(name);
	free(good);
	test_mail_clear(&b);
	test_mail_stop(&srv);
}

/* STARTTLS with the test CA, by IP address and by name (sent as SNI). */
static void
test_mail_starttls(void **state)
{
	struct test_mail_srv	srv;
	struct mail_options	o;

	(void)state;
	test_mail_start(&srv, "server", 1, NULL);
	o = test_mail_options(&srv, MAIL_TLS_REQUIRED);
	test_mail_one(&srv, &o, SEND_OK, "250 ");
	o.host = "localhost";
	test_mail_one(&srv, &o, SEND_OK, "250 ");
	assert_int_equal(test_mail_count(srv.dir, "received.jsonl",
	    "\"tls\": true"), 2);
	assert_int_equal(test_mail_count(srv.dir, "received.jsonl",
	    "\"sni\": null"), 1);
	assert_int_equal(test_mail_count(srv.dir, "received.jsonl",
	    "\"sni\": \"localhost\""), 1);
	assert_int_equal(test_mail_count(srv.dir, "received.jsonl",
	    "\"tls_version\": \"TLSv1.2\""), 2);
	o.tls = MAIL_TLS_OPPORTUNISTIC;
	test_mail_one(&srv, &o, SEND_OK, "250 ");
	assert_int_equal(test_mail_count(srv.dir, "received.jsonl",
	    "\"tls\": true"), 3);
	test_mail_stop(&srv);
}

/* No STARTTLS offered: required fails, opportunistic sends in clear. */
static void
test_mail_starttls_missing(void **state)
{
	struct test_mail_srv	srv;
	struct mail_options	o;

	(void)state;
	test_mail_start(&srv, NULL, 0, NULL);
	o = test_mail_options(&srv, MAIL_TLS_REQUIRED);
	test_mail_one(&srv, &o, SEND_TEMPFAIL, "STARTTLS required");
	assert_int_equal(test_mail_lines(srv.dir, "received.jsonl"), 0);
	o.tls = MAIL_TLS_OPPORTUNISTIC;
	test_mail_one(&srv, &o, SEND_OK, "250 ");
	assert_int_equal(test_mail_count(srv.dir, "received.jsonl",
	    "\"tls\": false"), 1);
	test_mail_stop(&srv);
}

/* A certificate from another CA, or for another host, is refused. */
static void
test_mail_bad_certificate(void **state)
{
	static const char	*hosts[] = { "127.0.0.1", "localhost" };
	struct test_mail_srv	 srv;
	struct mail_options	 o;
	char			*other;
	size_t			 i;

	(void)state;
	other = xasprintf("%s/other-ca.pem", test_mail_ca);
	test_mail_start(&srv, "server", 0, NULL);
	o = test_mail_options(&srv, MAIL_TLS_REQUIRED);
	o.ca_file = other;
	test_mail_one(&srv, &o, SEND_TEMPFAIL, "certificate");
	o.tls = MAIL_TLS_OPPORTUNISTIC;
	test_mail_one(&srv, &o, SEND_TEMPFAIL, "unable to get local issuer");
	o.ca_file = NULL;
	test_mail_one(&srv, &o, SEND_TEMPFAIL, "certificate");
	assert_int_equal(test_mail_lines(srv.dir, "received.jsonl"), 0);
	test_mail_stop(&srv);

	test_mail_start(&srv, "wrong", 0, NULL);
	o = test_mail_options(&srv, MAIL_TLS_REQUIRED);
	for (i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
		o.host = hosts[i];
		test_mail_one(&srv, &o, SEND_TEMPFAIL, "mismatch");
	}
	assert_int_equal(test_mail_lines(srv.dir, "received.jsonl"), 0);
	test_mail_stop(&srv);
	free(other);
}

/* AUTH over TLS: the right password sends, a wrong one sends nothing. */
static void
test_mail_auth(void **state)
{
	struct test_mail_srv	srv;
	struct mail_options	o;

	(void)state;
	test_mail_start(&srv, "server", 1, "closeloop:s3cret pass");
	o = test_mail_options(&srv, MAIL_TLS_REQUIRED);
	o.user = "closeloop";
	o.password = "s3cret pass";
	test_mail_one(&srv, &o, SEND_OK, "250 ");
	assert_int_equal(test_mail_count(srv.dir, "received.jsonl",
	    "\"auth\": \"closeloop\""), 1);
	o.password = "wrong";
	test_mail_one(&srv, &o, SEND_TEMPFAIL, "AUTH: 535 ");
	o.user = o.password = NULL;
	test_mail_one(&srv, &o, SEND_PERMFAIL, "MAIL FROM: 530 ");
	assert_int_equal(test_mail_lines(srv.dir, "received.jsonl"), 1);
	test_mail_stop(&srv);
}

/*
 * The password goes in clear only with TLS off, and only to loopback.
 * When AUTH fails nothing is sent, even to a server that would take mail
 * without AUTH.
 */
static void
test_mail_auth_clear(void **state)
{
	struct test_mail_srv	 srv;
	struct mail_options	 o;
	char			*cause = NULL;

	(void)state;
	test_mail_start(&srv, NULL, 0, "closeloop:s3cret");
	o = test_mail_options(&srv, MAIL_TLS_OPPORTUNISTIC);
	o.user = "closeloop";
	o.password = "s3cret";
	test_mail_one(&srv, &o, SEND_TEMPFAIL, "STARTTLS required");
	o.tls = MAIL_TLS_OFF;
	test_mail_one(&srv, &o, SEND_OK, "250 ");
	assert_int_equal(test_mail_count(srv.dir, "received.jsonl",
	    "\"auth\": \"closeloop\", \"file\": \"1.eml\""), 1);
	test_mail_stop(&srv);
	test_mail_start(&srv, NULL, 0, "?closeloop:s3cret");
	o.port = srv.port;
	test_mail_one(&srv, &o, SEND_OK, "250 ");
	o.password = "wrong";
	test_mail_one(&srv, &o, SEND_TEMPFAIL, "AUTH: 535 ");
	assert_int_equal(test_mail_count(srv.dir, "received.jsonl",
	    "\"auth\": \"closeloop\""), 1);
	assert_int_equal(test_mail_lines(srv.dir, "received.jsonl"), 1);
	test_mail_stop(&srv);
	o.host = "192.0.2.25";
	assert_null(mail_new(&o, &cause));
	assert_non_null(strstr(cause, "loopback"));
	free(cause);
}

/* Faults by recipient: each message has its own outcome. */
static void
test_mail_faults(void **state)
{
	struct test_mail_srv	srv;
	struct test_mail_batch	b;
	struct mail_options	o;

	(void)state;
	test_mail_start(&srv, NULL, 0, NULL);
	memset(&b, 0, sizeof b);
	b.dir = srv.dir;
	test_mail_add(&b, TEST_MAIL_OK, "fault", NULL);
	test_mail_add(&b, "t451-a@example.org", "fault", NULL);
	test_mail_add(&b, "p550-a@example.org", "fault", NULL);
	test_mail_add(&b, "d550-a@example.org", "fault", NULL);
	test_mail_add(&b, "d451-a@example.org", "fault", NULL);
	test_mail_add(&b, TEST_MAIL_OK, "fault", NULL);
	o = test_mail_options(&srv, MAIL_TLS_OFF);
	assert_int_equal(test_mail_run(&o, &b), 2);
	test_mail_expect(&b, 0, SEND_OK, "250 ");
	test_mail_expect(&b, 1, SEND_TEMPFAIL, "RCPT TO: 451 4.3.0");
	test_mail_expect(&b, 2, SEND_PERMFAIL,
	    "RCPT TO: 550 5.1.1 <p***@example.org>: No such user");
	test_mail_expect(&b, 3, SEND_PERMFAIL, "DATA: 550 5.7.1");
	test_mail_expect(&b, 4, SEND_TEMPFAIL, "DATA: 451 4.3.0");
	test_mail_expect(&b, 5, SEND_OK, "queued as 2");
	assert_int_equal(test_mail_lines(srv.dir, "received.jsonl"), 2);
	assert_int_equal(test_mail_connections(&srv), 1);
	test_mail_clear(&b);

	/* A 421 and a closed connection: the rest of the batch waits. */
	b.dir = srv.dir;
	test_mail_add(&b, TEST_MAIL_OK, "c421", NULL);
	test_mail_add(&b, "c421-a@example.org", "c421", NULL);
	test_mail_add(&b, TEST_MAIL_OK, "c421", NULL);
	test_mail_add(&b, TEST_MAIL_OK, "c421", NULL);
	assert_int_equal(test_mail_run(&o, &b), 1);
	test_mail_expect(&b, 1, SEND_TEMPFAIL, "RCPT TO: 421 4.3.2");
	test_mail_expect(&b, 2, SEND_TEMPFAIL, "421 4.3.2");
	test_mail_expect(&b, 3, SEND_TEMPFAIL, "421 4.3.2");
	assert_int_equal(test_mail_lines(srv.dir, "received.jsonl"), 3);
	test_mail_clear(&b);
	test_mail_stop(&srv);
}

/* flaky2: the same message fails twice, then goes. */
static void
test_mail_flaky(void **state)
{
	static const enum send_status	 want[] = { SEND_TEMPFAIL,
	    SEND_TEMPFAIL, SEND_OK };
	struct test_mail_srv		 srv;
	struct test_mail_batch		 b;
	struct mail_options		 o;
	size_t				 i;

	(void)state;
	test_mail_start(&srv, NULL, 0, NULL);
	o = test_mail_options(&srv, MAIL_TLS_OFF);
	for (i = 0; i < 3; i++) {
		memset(&b, 0, sizeof b);
		test_mail_add(&b, "flaky2-a@example.org", "flaky", NULL);
		test_mail_run(&o, &b);
		test_mail_expect(&b, 0, want[i], i < 2 ? "DATA: 451" : "250");
		test_mail_clear(&b);
	}
	assert_int_equal(test_mail_lines(srv.dir, "received.jsonl"), 1);
	test_mail_stop(&srv);
}

/* Return the seconds since t0. */
static double
test_mail_since(int64_t t0)
{
	return (double)(clock_ms() - t0) / 1000;
}

/* A 421 greeting, a silent server and no server are temporary. */
static void
test_mail_unavailable(void **state)
{
	struct test_mail_srv	srv;
	struct test_mail_batch	b;
	struct mail_options	o;
	int64_t			t0;
	double			secs;

	(void)state;
	test_mail_start(&srv, NULL, 0, NULL);
	o = test_mail_options(&srv, MAIL_TLS_OPPORTUNISTIC);
	memset(&b, 0, sizeof b);
	test_mail_add(&b, TEST_MAIL_OK, "unavail", NULL);
	test_mail_add(&b, TEST_MAIL_OK, "unavail", NULL);
	test_mail_control(&srv, "421\n");
	assert_int_equal(test_mail_run(&o, &b), 0);
	test_mail_expect(&b, 0, SEND_TEMPFAIL, "greeting: 421 4.3.2");
	test_mail_expect(&b, 1, SEND_TEMPFAIL, "greeting: 421 4.3.2");

	test_mail_control(&srv, "hang\n");
	o.timeout_seconds = 2;
	t0 = clock_ms();
	assert_int_equal(test_mail_run(&o, &b), 0);
	secs = test_mail_since(t0);
	assert_true(secs >= 1.9 && secs < 6);
	test_mail_expect(&b, 1, SEND_TEMPFAIL, "greeting: no complete reply within 2 s");
	assert_true(b.msg[1].result.latency_ms >= 1900);

	test_mail_control(&srv, "");
	assert_int_equal(test_mail_run(&o, &b), 2);
	assert_int_equal(test_mail_lines(srv.dir, "received.jsonl"), 2);
	assert_int_equal(test_mail_connections(&srv), 3);
	test_mail_stop(&srv);

	assert_int_equal(test_mail_run(&o, &b), 0);
	test_mail_expect(&b, 0, SEND_TEMPFAIL, "Connection refused");
	test_mail_clear(&b);
}

/*
 * A server that answers EHLO with a "250-" line every second, never
 * ending the reply, has the session ended timeout_seconds after EHLO
 * went: a temporary failure naming the step, not a session that lasts as
 * long as the server keeps talking.
 */
static void
test_mail_endless(void **state)
{
	struct test_mail_srv	srv;
	struct test_mail_batch	b;
	struct mail_options	o;
	int64_t			t0;
	double			secs;

	(void)state;
	test_mail_start(&srv, NULL, 0, NULL);
	o = test_mail_options(&srv, MAIL_TLS_OFF);
	o.helo = "forever.closeloop.test";
	o.timeout_seconds = 2;
	memset(&b, 0, sizeof b);
	test_mail_add(&b, TEST_MAIL_OK, "endless", NULL);
	test_mail_add(&b, TEST_MAIL_OK, "endless", NULL);
	t0 = clock_ms();
	assert_int_equal(test_mail_run(&o, &b), 0);
	secs = test_mail_since(t0);
	if (secs < 1.9 || secs > 4.5)
		fail_msg("the session took %.1f s, wanted about 2", secs);
	test_mail_expect(&b, 0, SEND_TEMPFAIL,
	    "EHLO: no complete reply within 2 s");
	test_mail_expect(&b, 1, SEND_TEMPFAIL,
	    "EHLO: no complete reply within 2 s");
	assert_true(b.msg[1].result.latency_ms >= 1900);
	assert_int_equal(test_mail_lines(srv.dir, "received.jsonl"), 0);
	test_mail_clear(&b);

	/* The same struct mail goes on with a server that answers. */
	o.helo = "closeloop.test";
	test_mail_add(&b, TEST_MAIL_OK, "endless-after", NULL);
	assert_int_equal(test_mail_run(&o, &b), 1);
	test_mail_clear(&b);
	test_mail_stop(&srv);
}

/* One session of a test thread: its options, batch and duration. */
struct test_mail_job {
	struct mail_options	 o;
	struct test_mail_batch	 b;
	size_t			 sent;
	double			 secs;
};

/* Run one job's session on its own struct mail. */
static void *
test_mail_job_run(void *arg)
{
	struct test_mail_job	*j = arg;
	int64_t			 t0;
	struct mail		*m;

	t0 = clock_ms();
	if ((m = mail_new(&j->o, NULL)) == NULL)
		return NULL;
	j->sent = mail_send(m, j->b.msg, j->b.n, NULL, NULL);
	mail_free(m);
	j->secs = test_mail_since(t0);
	return NULL;
}

/*
 * As many endless servers as sessions do not stop email: four sessions
 * to such a server and one to a server that answers slowly run at once,
 * on the same port. Each endless one ends on time, and ending it touches
 * no other session's connection: the slow message is sent, its reply
 * coming after the others were ended.
 */
static void
test_mail_endless_threads(void **state)
{
	struct test_mail_srv	srv;
	struct test_mail_job	job[5];
	pthread_t		t[5];
	size_t			i;

	(void)state;
	test_mail_start(&srv, NULL, 0, NULL);
	memset(job, 0, sizeof job);
	for (i = 0; i < 5; i++) {
		job[i].o = test_mail_options(&srv, MAIL_TLS_OFF);
		job[i].o.timeout_seconds = 2;
		if (i < 4) {
			job[i].o.helo = "forever.closeloop.test";
			test_mail_add(&job[i].b, TEST_MAIL_OK, "forever",
			    NULL);
		} else {
			job[i].o.timeout_seconds = 10;
			test_mail_add(&job[i].b, "slow4-a@example.org",
			    "slow", NULL);
		}
	}
	for (i = 0; i < 5; i++)
		assert_int_equal(pthread_create(&t[i], NULL,
		    test_mail_job_run, &job[i]), 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (i = 0; i < 4; i++) {
		test_mail_expect(&job[i].b, 0, SEND_TEMPFAIL,
		    "EHLO: no complete reply within 2 s");
		if (job[i].secs > 5)
			fail_msg("session %zu took %.1f s", i, job[i].secs);
		test_mail_clear(&job[i].b);
	}
	test_mail_expect(&job[4].b, 0, SEND_OK, "250 2.0.0 Ok: queued as 1");
	assert_int_equal(job[4].sent, 1);
	assert_true(job[4].secs >= 3.9);
	test_mail_clear(&job[4].b);
	assert_int_equal(test_mail_lines(srv.dir, "received.jsonl"), 1);
	test_mail_stop(&srv);
}

/* done() that takes longer than a step may: the caller's time. */
static void
test_mail_slow_done(struct channel_msg *msg, void *arg)
{
	test_mail_done(msg, arg);
	usleep(1500 * 1000);
}

/*
 * A server offering CHUNKING gets each message by BDAT, after which
 * libesmtp shows no more of the protocol: the steps still have their
 * deadline, and done() taking longer than a step is not counted against
 * the server. A reply to RCPT that never ends, for the second message,
 * ends the session on time.
 */
static void
test_mail_bdat(void **state)
{
	struct test_mail_srv	 srv;
	struct test_mail_batch	 b;
	struct mail_options	 o;
	struct mail		*m;
	int64_t			 t0;
	char			*name, *got;
	size_t			 i, len;
	double			 secs;

	(void)state;
	test_mail_start(&srv, NULL, 0, NULL);
	test_mail_control(&srv, "chunking\n");
	o = test_mail_options(&srv, MAIL_TLS_OFF);
	o.timeout_seconds = 1;
	memset(&b, 0, sizeof b);
	for (i = 0; i < 3; i++)
		test_mail_add(&b, TEST_MAIL_OK, "bdat", NULL);
	assert_non_null(m = mail_new(&o, NULL));
	assert_int_equal(mail_send(m, b.msg, b.n, test_mail_slow_done, &b), 3);
	assert_int_equal(b.done, 3);
	for (i = 0; i < 3; i++) {
		test_mail_expect(&b, i, SEND_OK, "250 2.0.0 Ok: queued as ");
		name = xasprintf("%s/%zu.eml", srv.dir, i + 1);
		assert_non_null(got = test_mail_slurp(name, &len));
		assert_int_equal(len, b.msg[i].len);
		assert_memory_equal(got, b.msg[i].data, len);
		free(got);
		free(name);
	}
	assert_int_equal(test_mail_count(srv.dir, "received.jsonl",
	    "\"bdat\": true"), 3);
	test_mail_clear(&b);

	mail_free(m);
	o.timeout_seconds = 2;
	assert_non_null(m = mail_new(&o, NULL));
	test_mail_add(&b, TEST_MAIL_OK, "bdat-endless", NULL);
	test_mail_add(&b, "endless-a@example.org", "bdat-endless", NULL);
	test_mail_add(&b, TEST_MAIL_OK, "bdat-endless", NULL);
	t0 = clock_ms();
	assert_int_equal(mail_send(m, b.msg, b.n, test_mail_done, &b), 1);
	secs = test_mail_since(t0);
	if (secs > 4.5)
		fail_msg("the session took %.1f s, wanted about 2", secs);
	test_mail_expect(&b, 0, SEND_OK, "250 2.0.0 Ok: queued as 4");
	test_mail_expect(&b, 1, SEND_TEMPFAIL,
	    "RCPT: no complete reply within 2 s");
	test_mail_expect(&b, 2, SEND_TEMPFAIL,
	    "RCPT: no complete reply within 2 s");
	mail_free(m);
	test_mail_clear(&b);
	test_mail_stop(&srv);
}

/*
 * A server that answers the DATA command itself with 250, in place of
 * 354, has taken no data: not sent, but a temporary failure saying so.
 */
static void
test_mail_data_250(void **state)
{
	struct test_mail_srv	srv;
	struct test_mail_batch	b;
	struct mail_options	o;

	(void)state;
	test_mail_start(&srv, NULL, 0, NULL);
	o = test_mail_options(&srv, MAIL_TLS_OFF);
	memset(&b, 0, sizeof b);
	b.dir = srv.dir;
	test_mail_add(&b, "data250-a@example.org", "data250", NULL);
	test_mail_add(&b, TEST_MAIL_OK, "data250", NULL);
	assert_int_equal(test_mail_run(&o, &b), 0);
	test_mail_expect(&b, 0, SEND_TEMPFAIL, "DATA: 250 2.0.0 Ok, but no "
	    "data taken (data250): an answer to DATA before any data");
	test_mail_expect(&b, 1, SEND_TEMPFAIL, "DATA: 250 2.0.0");
	assert_int_equal(test_mail_lines(srv.dir, "received.jsonl"), 0);
	test_mail_clear(&b);
	test_mail_stop(&srv);
}

/*
 * A reply echoing the recipient in another case, and another address,
 * keeps neither in the clear.
 */
static void
test_mail_masked(void **state)
{
	struct test_mail_srv	 srv;
	struct test_mail_batch	 b;
	struct mail_options	 o;
	const char		*reply;

	(void)state;
	test_mail_start(&srv, NULL, 0, NULL);
	o = test_mail_options(&srv, MAIL_TLS_OFF);
	memset(&b, 0, sizeof b);
	test_mail_add(&b, "u550-Res+X@example.org", "masked", NULL);
	assert_int_equal(test_mail_run(&o, &b), 0);
	test_mail_expect(&b, 0, SEND_PERMFAIL,
	    "RCPT TO: 550 5.1.1 <U***@EXAMPLE.ORG>: No such user here; ask "
	    "<P***@Closeloop-Test.example> (u550)");
	reply = b.msg[0].result.reply;
	assert_null(strstr(reply, "RES"));
	assert_null(strstr(reply, "ostmaster"));
	test_mail_clear(&b);
	test_mail_stop(&srv);
}

/* A sending thread: five sessions of five messages, its own struct mail. */
static void *
test_mail_thread(void *arg)
{
	struct mail_options	*o = arg;
	struct channel_msg	 msg[5];
	struct mail		*m;
	char			*text[5], tag[32];
	size_t			 i, j, sent = 0;

	snprintf(tag, sizeof tag, "thread%p", (void *)&msg);
	if ((m = mail_new(o, NULL)) == NULL)
		return NULL;
	for (i = 0; i < 5; i++) {
		memset(msg, 0, sizeof msg);
		for (j = 0; j < 5; j++) {
			text[j] = test_mail_text(tag, i * 5 + j);
			msg[j].from = "noreply@city.example";
			msg[j].to = TEST_MAIL_OK;
			msg[j].data = text[j];
			msg[j].len = strlen(text[j]);
		}
		sent += mail_send(m, msg, 5, NULL, NULL);
		for (j = 0; j < 5; j++) {
			channel_result_clear(&msg[j].result);
			free(text[j]);
		}
	}
	mail_free(m);
	return (void *)(uintptr_t)sent;
}

/* Four threads send 25 messages each over STARTTLS at the same time. */
static void
test_mail_threads(void **state)
{
	struct test_mail_srv	srv;
	struct mail_options	o;
	pthread_t		t[4];
	void			*sent;
	size_t			i, total = 0;

	(void)state;
	test_mail_start(&srv, "server", 1, NULL);
	o = test_mail_options(&srv, MAIL_TLS_REQUIRED);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, test_mail_thread,
		    &o), 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], &sent), 0);
		total += (size_t)(uintptr_t)sent;
	}
	assert_int_equal(total, 100);
	assert_int_equal(test_mail_lines(srv.dir, "received.jsonl"), 100);
	assert_int_equal(test_mail_count(srv.dir, "received.jsonl",
	    "\"tls\": true"), 100);
	assert_int_equal(test_mail_count(srv.dir, "received.jsonl",
	    ".24@closeloop.test>"), 4);
	assert_int_equal(test_mail_connections(&srv), 20);
	test_mail_stop(&srv);
}

/* What the sockets to the server looked like whenever done() ran. */
struct test_mail_socks {
	struct test_mail_batch	 b;
	int			 port;
	int			 nodelay;	/* sockets with TCP_NODELAY */
	int			 nagle;		/* sockets without */
};

/* done() that also looks at this process's sockets to the server. */
static void
test_mail_socks_done(struct channel_msg *msg, void *arg)
{
	struct test_mail_socks	*ts = arg;
	struct sockaddr_in	 sin;
	socklen_t		 len;
	int			 fd, on;

	test_mail_done(msg, &ts->b);
	for (fd = 0; fd < 1024; fd++) {
		len = sizeof sin;
		if (getpeername(fd, (struct sockaddr *)&sin, &len) == 0 &&
		    sin.sin_family == AF_INET &&
		    ntohs(sin.sin_port) == ts->port) {
			len = sizeof on;
			assert_int_equal(getsockopt(fd, IPPROTO_TCP,
			    TCP_NODELAY, &on, &len), 0);
			if (on)
				ts->nodelay++;
			else
				ts->nagle++;
		}
	}
}

/*
 * Each write of a session goes out at once: whenever a message's outcome
 * is told, the session's socket has TCP_NODELAY, with and without
 * STARTTLS, so the end of a message larger than libesmtp's 2 KB buffer
 * does not wait in the kernel for the server's ACK of the piece before.
 */
static void
test_mail_nodelay(void **state)
{
	static const char	*certs[] = { NULL, "server" };
	static const char	 line[] = "The crew replaced the drain cover "
	    "and cleared the basin.\r\n";
	struct test_mail_socks	 ts;
	struct test_mail_srv	 srv;
	struct mail_options	 o;
	struct mail		*m;
	char			*text, *body;
	size_t			 i, k;

	(void)state;
	body = xcalloc(200, sizeof line);
	for (i = 0; i < 200; i++)
		strcat(body, line);
	for (k = 0; k < 2; k++) {
		test_mail_start(&srv, certs[k], 0, NULL);
		memset(&ts, 0, sizeof ts);
		ts.port = atoi(srv.port);
		ts.b.dir = srv.dir;
		for (i = 0; i < 4; i++) {
			text = test_mail_text("nodelay", i);
			text = xreallocarray(text, strlen(text) +
			    strlen(body) + 1, 1);
			strcat(text, body);
			test_mail_add(&ts.b, TEST_MAIL_OK, NULL, text);
			free(text);
			assert_true(ts.b.msg[i].len > 3 * 2048);
		}
		o = test_mail_options(&srv, certs[k] == NULL ?
		    MAIL_TLS_OFF : MAIL_TLS_REQUIRED);
		assert_non_null(m = mail_new(&o, NULL));
		assert_int_equal(mail_send(m, ts.b.msg, ts.b.n,
		    test_mail_socks_done, &ts), 4);
		mail_free(m);
		assert_int_equal(ts.b.done, 4);
		assert_int_equal(ts.nagle, 0);
		assert_true(ts.nodelay >= 4);
		assert_int_equal(test_mail_lines(srv.dir, "received.jsonl"),
		    4);
		test_mail_clear(&ts.b);
		test_mail_stop(&srv);
	}
	free(body);
}

/* Bad options are refused with a reason; mail_free(NULL) does nothing. */
static void
test_mail_options_bad(void **state)
{
	struct mail_options	 o;
	char			*cause = NULL;

	(void)state;
	memset(&o, 0, sizeof o);
	o.host = "127.0.0.1";
	o.port = "25";
	o.ca_file = "/nonexistent/ca.pem";
	assert_null(mail_new(&o, &cause));
	assert_non_null(strstr(cause, "/nonexistent/ca.pem"));
	free(cause);
	o.ca_file = NULL;
	o.user = "closeloop";
	assert_null(mail_new(&o, &cause));
	assert_non_null(strstr(cause, "password"));
	free(cause);
	o.user = NULL;
	o.host = "::1";
	assert_null(mail_new(&o, NULL));
	o.host = "127.0.0.1";
	o.port = "smtp";
	assert_null(mail_new(&o, &cause));
	assert_non_null(strstr(cause, "port"));
	free(cause);
	o.port = "65536";
	assert_null(mail_new(&o, NULL));
	mail_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST_MAIL(test_mail_options_bad),
		TEST_MAIL(test_mail_plain),
		TEST_MAIL(test_mail_bytes),
		TEST_MAIL(test_mail_starttls),
		TEST_MAIL(test_mail_starttls_missing),
		TEST_MAIL(test_mail_bad_certificate),
		TEST_MAIL(test_mail_auth),
		TEST_MAIL(test_mail_auth_clear),
		TEST_MAIL(test_mail_faults),
		TEST_MAIL(test_mail_flaky),
		TEST_MAIL(test_mail_unavailable),
		TEST_MAIL(test_mail_endless),
		TEST_MAIL(test_mail_endless_threads),
		TEST_MAIL(test_mail_data_250),
		TEST_MAIL(test_mail_bdat),
		TEST_MAIL(test_mail_masked),
		TEST_MAIL(test_mail_threads),
		TEST_MAIL(test_mail_nodelay),
	};
	const char	*only;
	char		*cmd;
	int		 rc;

	if ((test_mail_top = getenv("top_srcdir")) == NULL ||
	    *test_mail_top == '\0')
		test_mail_top = ".";
	testproc_need(TEST_MAIL_PYTHON, "python3");
	if (system(TEST_MAIL_PYTHON " -c 'import aiosmtpd' 2>/dev/null") != 0)
		testproc_missing("python3 cannot import aiosmtpd (Debian "
		    "package python3-aiosmtpd)");
	testproc_need("/usr/bin/openssl", "openssl");
	test_mail_ca = testproc_mkdtemp("test_mail-ca");
	cmd = xasprintf("/bin/sh '%s/tests/harness/testca.sh' '%s'", test_mail_top,
	    test_mail_ca);
	if (system(cmd) != 0) {
		fprintf(stderr, "%s failed\n", cmd);
		return 1;
	}
	free(cmd);
	if ((only = getenv("TEST_MAIL_ONLY")) != NULL)
		cmocka_set_test_filter(only);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	testproc_rmdir(test_mail_ca);
	free(test_mail_ca);
	return rc;
}
