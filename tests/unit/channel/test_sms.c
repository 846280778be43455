/*
 * test_sms.c - unit tests for sending SMS through Kannel and a Twilio-like API
 *
 * The Kannel tests run the real Kannel on loopback: bearerbox with a fake
 * SMSC, smsbox with the sendsms service, and Kannel's fakesmsc playing
 * the phone network. fakesmsc logs each message it receives as
 *   Got message N: <FROM TO text TEXT>         GSM-7 text, as UTF-8
 *   Got message N: <FROM TO ucs-2 %60%A8v...>  UCS-2: UTF-16BE, URL-escaped
 * and the tests decode that log independently of sms.c (iconv).
 *
 * The Twilio-like tests run tests/harness/gateway.py (found through
 * $top_srcdir), which records the messages it accepted in messages.jsonl
 * and misbehaves on demand through its control file.
 */
#include "build.h"

#include <iconv.h>
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
#include <jansson.h>

#include "clock.h"
#include "sms.h"
#include "smsdialect.h"
#include "testproc.h"
#include "xmalloc.h"

#define BEARERBOX	"/usr/sbin/bearerbox"
#define SMSBOX		"/usr/sbin/smsbox"
#define FAKESMSC	"/usr/lib/kannel/test/fakesmsc"
#define PYTHON		"/usr/bin/python3"
#define OPENSSL		"/usr/bin/openssl"
#define ACCOUNT		"AC0123456789abcdef0123456789abcdef"
#define TOKEN		"secret-auth-token"
#define BULK		20

/* The Kannel processes and the gateway.py server, with their files. */
static struct {
	char	*dir, *url, *log;
	pid_t	 pid[3];
} kannel;
static struct {
	char	*dir, *url, *control, *tls_url;
	pid_t	 pid, tls_pid;
} gw;

/* Sleep for ms milliseconds. */
static void
test_sms_sleep(int ms)
{
	struct timespec	ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Return the contents of a file (allocated), or NULL if it is missing. */
static char *
test_sms_slurp(const char *path)
{
	FILE	*f;
	char	*buf = NULL;
	size_t	 len = 0, n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	do {
		buf = xreallocarray(buf, len + 4096 + 1, 1);
		n = fread(buf + len, 1, 4096, f);
		len += n;
	} while (n > 0);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

/* Write a file whole, through a new inode, so readers see the change. */
static void
test_sms_write(const char *path, const char *text)
{
	char	*tmp = xasprintf("%s.tmp", path);
	FILE	*f = fopen(tmp, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(rename(tmp, path), 0);
	free(tmp);
}

/* Wait up to 15 s for a file to contain every one of two strings. */
static int
test_sms_wait_file(const char *path, const char *a, const char *b)
{
	char	*text;
	int	 i, found = 0;

	for (i = 0; i < 750 && !found; i++) {
		if (i > 0)
			test_sms_sleep(20);
		text = test_sms_slurp(path);
		found = text != NULL && strstr(text, a) != NULL &&
		    (b == NULL || strstr(text, b) != NULL);
		free(text);
	}
	return found ? 0 : -1;
}

/* Count the messages done; check each has its reply. */
static void
test_sms_done(struct channel_msg *m, void *arg)
{
	size_t	*count = arg;

	assert_non_null(m->result.reply);
	(*count)++;
}

/* Submit n messages to s at once and wait for them all; return the ms. */
static int64_t
test_sms_send_on(struct sms *s, struct channel_msg *m, size_t n)
{
	size_t	 i, count = 0;
	int64_t	 start = clock_ms();

	for (i = 0; i < n; i++)
		sms_submit(s, &m[i], test_sms_done, &count);
	assert_int_equal(sms_active(s), n);
	while (sms_active(s) > 0 && clock_ms() - start < 60000)
		sms_run(s, 1000);
	assert_int_equal(count, n);
	assert_int_equal(sms_active(s), 0);
	return clock_ms() - start;
}

/* Make a sender, send n messages through it and free it; return the ms. */
static int64_t
test_sms_send(const struct sms_options *o, struct channel_msg *m, size_t n)
{
	struct sms	*s;
	char		*cause = NULL;
	int64_t		 ms;

	if ((s = sms_new(o, &cause)) == NULL)
		fail_msg("sms_new: %s", cause);
	ms = test_sms_send_on(s, m, n);
	sms_free(s);
	return ms;
}

/* Decode fakesmsc's URL-escaped UTF-16BE into UTF-8 (allocated). */
static char *
test_sms_ucs2(const char *esc)
{
	char	*raw, *out, *in, *outp;
	size_t	 n = 0, inleft, outleft;
	iconv_t	 cd;
	unsigned int c;

	raw = xmalloc(strlen(esc) + 1);
	for (; *esc != '\0'; esc++) {
		if (*esc == '%' && sscanf(esc + 1, "%2x", &c) == 1) {
			raw[n++] = (char)c;
			esc += 2;
		} else
			raw[n++] = *esc == '+' ? ' ' : *esc;
	}
	out = xcalloc(1, n * 2 + 1);
	cd = iconv_open("UTF-8", "UTF-16BE");
	assert_true(cd != (iconv_t)-1);
	in = raw;
	inleft = n;
	outp = out;
	outleft = n * 2;
	assert_true(iconv(cd, &in, &inleft, &outp, &outleft) != (size_t)-1);
	iconv_close(cd);
	free(raw);
	return out;
}

/*
 * Wait up to 10 s for fakesmsc to get a message for to, and return how
 * many it got; *type and *text (allocated) are those of the last one.
 */
static int
test_sms_received(const char *to, char **type, char **text)
{
	char	*log, *line, *next, *f[3], *p;
	int	 i, j, count = 0;

	*type = *text = NULL;
	for (i = 0; i < 500 && count == 0; i++) {
		if (i > 0)
			test_sms_sleep(20);
		if ((log = test_sms_slurp(kannel.log)) == NULL)
			continue;
		for (line = log; line != NULL; line = next) {
			if ((next = strchr(line, '\n')) != NULL)
				*next++ = '\0';
			if (strstr(line, "Got message ") == NULL ||
			    (p = strstr(line, ": <")) == NULL ||
			    line[strlen(line) - 1] != '>')
				continue;
			line[strlen(line) - 1] = '\0';
			for (p += 3, j = 0; j < 3 && p != NULL; j++)
				f[j] = strsep(&p, " ");
			if (p == NULL || strcmp(f[1], to) != 0)
				continue;
			count++;
			free(*type);
			free(*text);
			*type = xstrdup(f[2]);
			*text = strcmp(f[2], "ucs-2") == 0 ?
			    test_sms_ucs2(p) : xstrdup(p);
		}
		free(log);
	}
	return count;
}

/* The options for the Kannel under test. */
static struct sms_options
test_sms_kannel_options(void)
{
	struct sms_options	o = { 0 };

	o.profile = "kannel";
	o.url = kannel.url;
	o.from = "311";
	o.user = "closeloop";
	o.password = "kannel-pass";
	o.allow_http_loopback = 1;
	o.timeout_ms = 10000;
	return o;
}

/* Start bearerbox, smsbox and fakesmsc, and wait until they are linked. */
static int
test_sms_kannel_setup(void **state)
{
	char	*conf, *log, *text, sp[4][8];
	int	 port[4], i, j;

	(void)state;
	testproc_need(BEARERBOX, "kannel");
	testproc_need(SMSBOX, "kannel");
	testproc_need(FAKESMSC, "kannel-extras");
	kannel.dir = testproc_mkdtemp("sms-kannel");
	for (i = 0; i < 4; i++) {
		do {
			port[i] = testproc_free_port();
			for (j = 0; j < i && port[j] != port[i]; j++)
				;
		} while (j < i);
	}
	for (i = 0; i < 4; i++)
		snprintf(sp[i], sizeof sp[i], "%d", port[i]);
	conf = xasprintf("%s/kannel.conf", kannel.dir);
	text = xasprintf("group = core\nadmin-port = %d\n"
	    "admin-interface = 127.0.0.1\nadmin-password = admin-pass\n"
	    "smsbox-port = %d\nsmsbox-interface = 127.0.0.1\n"
	    "box-allow-ip = 127.0.0.1\nlog-file = \"%s/bearerbox.log\"\n"
	    "log-level = 1\n\n"
	    "group = smsc\nsmsc = fake\nsmsc-id = fake\nport = %d\n"
	    "our-host = 127.0.0.1\nconnect-allow-ip = 127.0.0.1\n\n"
	    "group = smsbox\nbearerbox-host = 127.0.0.1\nbearerbox-port = %d\n"
	    "sendsms-port = %d\nsendsms-interface = 127.0.0.1\n"
	    "log-file = \"%s/smsbox.log\"\nlog-level = 1\n\n"
	    "group = sendsms-user\nusername = closeloop\n"
	    "password = kannel-pass\nmax-messages = 10\n"
	    "concatenation = true\n", port[0], port[1], kannel.dir, port[2],
	    port[1], port[3], kannel.dir);
	test_sms_write(conf, text);
	free(text);
	log = xasprintf("%s/bearerbox.log", kannel.dir);
	kannel.log = xasprintf("%s/fakesmsc.log", kannel.dir);
	kannel.url = xasprintf("http://127.0.0.1:%d/cgi-bin/sendsms", port[3]);
	{
		const char *bb[] = { BEARERBOX, "-v", "1", conf, NULL };
		const char *sb[] = { SMSBOX, "-v", "1", conf, NULL };
		const char *fk[] = { FAKESMSC, "-H", "127.0.0.1", "-r", sp[2],
		    "-i", "0.1", "-m", "0", "123 456 text nop", NULL };

		kannel.pid[0] = testproc_spawn(bb, NULL);
		assert_int_equal(testproc_wait_port(kannel.pid[0], port[1],
		    10000), 0);
		kannel.pid[1] = testproc_spawn(sb, NULL);
		assert_int_equal(testproc_wait_port(kannel.pid[1], port[3],
		    10000), 0);
		kannel.pid[2] = testproc_spawn(fk, kannel.log);
	}
	assert_int_equal(test_sms_wait_file(log, "Client connected from <",
	    "Fakesmsc client connected"), 0);
	free(log);
	free(conf);
	return 0;
}

/* Stop Kannel and remove its directory. */
static int
test_sms_kannel_teardown(void **state)
{
	int	i;

	(void)state;
	for (i = 2; i >= 0; i--)
		testproc_stop(kannel.pid[i]);
	testproc_rmdir(kannel.dir);
	free(kannel.dir);
	free(kannel.url);
	free(kannel.log);
	return 0;
}

/* Send one text through Kannel; check how fakesmsc got it. */
static void
test_sms_kannel_one(const char *to, const char *text, const char *type)
{
	struct sms_options	 o = test_sms_kannel_options();
	struct channel_msg	 m = { .id = "n-1", .to = to, .data = text };
	char			*got_type, *got;

	test_sms_send(&o, &m, 1);
	assert_int_equal(m.result.status, SEND_OK);
	assert_string_equal(m.result.reply,
	    "HTTP 202: 0: Accepted for delivery");
	assert_null(m.result.provider_id);
	assert_true(m.result.latency_ms >= 0 && m.result.latency_ms < 10000);
	assert_int_equal(test_sms_received(to, &got_type, &got), 1);
	assert_string_equal(got_type, type);
	assert_string_equal(got, text);
	free(got_type);
	free(got);
	channel_result_clear(&m.result);
}

/* English and French (é, à are GSM-7) arrive as GSM-7 text, intact. */
static void
test_sms_kannel_gsm7(void **state)
{
	(void)state;
	test_sms_kannel_one("+15550101",
	    "Your request SR-1042 is closed. Thank you!", "text");
	test_sms_kannel_one("+15550102",
	    "Votre demande SR-1043 a été fermée : réparé à 14h.", "text");
}

/* Chinese and Persian arrive as UCS-2 and decode to the same UTF-8. */
static void
test_sms_kannel_ucs2(void **state)
{
	(void)state;
	test_sms_kannel_one("+15550103", "您的服务请求 SR-1044 已完成。",
	    "ucs-2");
	test_sms_kannel_one("+15550104",
	    "درخواست شما SR-1045 انجام شد.", "ucs-2");
}

/* A wrong password is a temporary failure, and is never echoed. */
static void
test_sms_kannel_bad_password(void **state)
{
	struct sms_options	o = test_sms_kannel_options();
	struct channel_msg	m = { .id = "n-2", .to = "+15550105",
	    .data = "hello" };

	(void)state;
	o.password = "wrong-pass";
	test_sms_send(&o, &m, 1);
	assert_int_equal(m.result.status, SEND_TEMPFAIL);
	assert_non_null(strstr(m.result.reply, "HTTP 403"));
	assert_null(strstr(m.result.reply, "wrong-pass"));
	channel_result_clear(&m.result);
}

/* Twenty messages submitted at once all arrive, each once. */
static void
test_sms_kannel_bulk(void **state)
{
	struct sms_options	 o = test_sms_kannel_options();
	struct channel_msg	 m[BULK];
	char			 to[BULK][16], text[BULK][32], *type, *got;
	int			 i;

	(void)state;
	memset(m, 0, sizeof m);
	for (i = 0; i < BULK; i++) {
		snprintf(to[i], sizeof to[i], "+155502%02d", i);
		snprintf(text[i], sizeof text[i], "Notice %d of %d", i, BULK);
		m[i].id = "bulk";
		m[i].to = to[i];
		m[i].data = text[i];
	}
	test_sms_send(&o, m, BULK);
	for (i = 0; i < BULK; i++) {
		assert_int_equal(m[i].result.status, SEND_OK);
		assert_int_equal(test_sms_received(to[i], &type, &got), 1);
		assert_string_equal(got, text[i]);
		free(type);
		free(got);
		channel_result_clear(&m[i].result);
	}
}

/* The options for gateway.py. */
static struct sms_options
test_sms_twilio_options(void)
{
	struct sms_options	o = { 0 };

	o.profile = "twilio";
	o.url = gw.url;
	o.from = "+15550199";
	o.user = ACCOUNT;
	o.password = TOKEN;
	o.allow_http_loopback = 1;
	o.timeout_ms = 5000;
	return o;
}

/* Start gateway.py twice: plain http, and https with a localhost cert. */
static int
test_sms_gateway_setup(void **state)
{
	const char	*top = getenv("top_srcdir");
	char		*script, *cmd, *cert, *key, *tls, *log, ps[2][8];
	int		 port[2];

	(void)state;
	testproc_need(PYTHON, "python3");
	testproc_need(OPENSSL, "openssl");
	script = xasprintf("%s/tests/harness/gateway.py", top != NULL ? top : ".");
	if (access(script, R_OK) != 0)
		fail_msg("cannot read %s (set top_srcdir)", script);
	gw.dir = testproc_mkdtemp("sms-gateway");
	gw.control = xasprintf("%s/control", gw.dir);
	cert = xasprintf("%s/cert.pem", gw.dir);
	key = xasprintf("%s/key.pem", gw.dir);
	tls = xasprintf("%s/tls", gw.dir);
	log = xasprintf("%s/gateway.log", gw.dir);
	cmd = xasprintf("%s req -x509 -newkey ec -pkeyopt "
	    "ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost "
	    "-addext subjectAltName=DNS:localhost -keyout %s -out %s "
	    "2>/dev/null && mkdir %s", OPENSSL, key, cert, tls);
	assert_int_equal(system(cmd), 0);
	port[0] = testproc_free_port();
	while ((port[1] = testproc_free_port()) == port[0])
		;
	snprintf(ps[0], sizeof ps[0], "%d", port[0]);
	snprintf(ps[1], sizeof ps[1], "%d", port[1]);
	{
		const char *plain[] = { PYTHON, script, "--port", ps[0],
		    "--dir", gw.dir, "--account", ACCOUNT, "--token", TOKEN,
		    "--control", gw.control, NULL };
		const char *https[] = { PYTHON, script, "--port", ps[1],
		    "--dir", tls, "--account", ACCOUNT, "--token", TOKEN,
		    "--tls-cert", cert, "--tls-key", key, NULL };

		gw.pid = testproc_spawn(plain, log);
		gw.tls_pid = testproc_spawn(https, log);
	}
	assert_int_equal(testproc_wait_port(gw.pid, port[0], 10000), 0);
	assert_int_equal(testproc_wait_port(gw.tls_pid, port[1], 10000), 0);
	gw.url = xasprintf("http://127.0.0.1:%d/2010-04-01/Accounts/%s/"
	    "Messages.json", port[0], ACCOUNT);
	gw.tls_url = xasprintf("https://localhost:%d/2010-04-01/Accounts/%s/"
	    "Messages.json", port[1], ACCOUNT);
	free(script);
	free(cmd);
	free(cert);
	free(key);
	free(tls);
	free(log);
	return 0;
}

/* Stop gateway.py and remove its directory. */
static int
test_sms_gateway_teardown(void **state)
{
	(void)state;
	testproc_stop(gw.pid);
	testproc_stop(gw.tls_pid);
	testproc_rmdir(gw.dir);
	free(gw.dir);
	free(gw.url);
	free(gw.tls_url);
	free(gw.control);
	return 0;
}

/*
 * Count the records of gateway.py's file name with the given token; if
 * last is not NULL, it gets the last one (the caller decrefs it).
 */
static int
test_sms_records(const char *name, const char *token, json_t **last)
{
	char		*path, *text, *line, *next;
	const char	*t;
	json_t		*j;
	int		 count = 0;

	if (last != NULL)
		*last = NULL;
	path = xasprintf("%s/%s", gw.dir, name);
	text = test_sms_slurp(path);
	for (line = text; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		assert_non_null(j = json_loads(line, 0, NULL));
		t = json_string_value(json_object_get(j, "token"));
		if (t == NULL || strcmp(t, token) != 0) {
			json_decref(j);
			continue;
		}
		count++;
		if (last != NULL) {
			json_decref(*last);
			*last = j;
		} else
			json_decref(j);
	}
	free(text);
	free(path);
	return count;
}

/* Return a string field of a record. */
static const char *
test_sms_field(json_t *j, const char *name)
{
	return json_string_value(json_object_get(j, name));
}

/* A message is accepted: its sid is the one the gateway recorded. */
static void
test_sms_twilio_ok(void **state)
{
	struct sms_options	 o = test_sms_twilio_options();
	struct channel_msg	 m = { .id = "n-ok", .to = "+15550301",
	    .data = "Réparé ✓ 您的请求已关闭 & done=1" };
	json_t			*r;

	(void)state;
	m.receipt_url = "https://example.org/sms/status?x=1&y=2";
	test_sms_send(&o, &m, 1);
	assert_int_equal(m.result.status, SEND_OK);
	assert_non_null(m.result.provider_id);
	assert_int_equal(strlen(m.result.provider_id), 34);
	assert_int_equal(strncmp(m.result.reply, "HTTP 201: SM", 12), 0);
	assert_int_equal(test_sms_records("messages.jsonl", "n-ok", &r), 1);
	assert_string_equal(test_sms_field(r, "sid"), m.result.provider_id);
	assert_string_equal(test_sms_field(r, "to"), m.to);
	assert_string_equal(test_sms_field(r, "from"), o.from);
	assert_string_equal(test_sms_field(r, "body"), m.data);
	assert_string_equal(test_sms_field(r, "status_callback"),
	    m.receipt_url);
	json_decref(r);
	channel_result_clear(&m.result);
}

/* The same id sent twice is one message at the gateway, with one sid. */
static void
test_sms_twilio_idempotent(void **state)
{
	struct sms_options	 o = test_sms_twilio_options();
	struct channel_msg	 m = { .id = "n-twice", .to = "+15550302",
	    .data = "Twice" };
	char			*sid;

	(void)state;
	test_sms_send(&o, &m, 1);
	assert_int_equal(m.result.status, SEND_OK);
	sid = xstrdup(m.result.provider_id);
	test_sms_send(&o, &m, 1);
	assert_int_equal(m.result.status, SEND_OK);
	assert_string_equal(m.result.provider_id, sid);
	assert_int_equal(test_sms_records("messages.jsonl", "n-twice", NULL),
	    1);
	assert_int_equal(test_sms_records("repeats.jsonl", "n-twice", NULL), 1);
	free(sid);
	channel_result_clear(&m.result);
}

/* Send one message after writing control (if not NULL) to the file. */
static void
test_sms_twilio_control(const char *control, const char *id,
    enum send_status status, int64_t retry_after, const char *reply)
{
	struct sms_options	o = test_sms_twilio_options();
	struct channel_msg	m = { .id = id, .to = "+15550303",
	    .data = "Hello" };

	if (control != NULL)
		test_sms_write(gw.control, control);
	test_sms_send(&o, &m, 1);
	assert_int_equal(m.result.status, status);
	assert_int_equal(m.result.retry_after, retry_after);
	if (strstr(m.result.reply, reply) == NULL)
		fail_msg("reply \"%s\" lacks \"%s\"", m.result.reply, reply);
	channel_result_clear(&m.result);
}

/* 429 and 500 are temporary, 400 permanent; a rule is used up. */
static void
test_sms_twilio_errors(void **state)
{
	(void)state;
	test_sms_twilio_control("429 1 7\n", "n-429", SEND_TEMPFAIL, 7,
	    "HTTP 429: 20429 Too Many Requests");
	test_sms_twilio_control(NULL, "n-429", SEND_OK, 0, "HTTP 201");
	test_sms_twilio_control("429 1 7\n", "n-429", SEND_TEMPFAIL, 7,
	    "HTTP 429");
	test_sms_twilio_control("500 1\n", "n-500", SEND_TEMPFAIL, 0,
	    "HTTP 500");
	test_sms_twilio_control("400 1\n", "n-400", SEND_PERMFAIL, 0,
	    "HTTP 400: 21211");
	assert_int_equal(test_sms_records("messages.jsonl", "n-400", NULL), 0);
}

/*
 * A gateway's error echoing the recipient's number ("The 'To' number
 * +15550303 is not a valid phone number.") keeps it masked in the reply.
 */
static void
test_sms_twilio_masked(void **state)
{
	struct sms_options	o = test_sms_twilio_options();
	struct channel_msg	m = { .id = "n-400-masked",
	    .to = "+14165550101", .data = "Hello" };

	(void)state;
	test_sms_write(gw.control, "400 1\n");
	test_sms_send(&o, &m, 1);
	assert_int_equal(m.result.status, SEND_PERMFAIL);
	assert_string_equal(m.result.reply, "HTTP 400: 21211 The 'To' number "
	    "+1416***0101 is not a valid phone number.");
	channel_result_clear(&m.result);
}

/* A gateway that does not answer in time is a quick temporary failure. */
static void
test_sms_twilio_timeout(void **state)
{
	struct sms_options	o = test_sms_twilio_options();
	struct channel_msg	m = { .id = "n-hang", .to = "+15550304",
	    .data = "Hi" };
	int64_t			ms;

	(void)state;
	o.timeout_ms = 1500;
	test_sms_write(gw.control, "hang 1 10\n");
	ms = test_sms_send(&o, &m, 1);
	assert_int_equal(m.result.status, SEND_TEMPFAIL);
	assert_non_null(strstr(m.result.reply, "timed out"));
	assert_true(ms >= 1400 && ms < 3000);
	assert_true(m.result.latency_ms >= 1400 && m.result.latency_ms < 3000);
	channel_result_clear(&m.result);
}

/* A wrong token (401) and no server at all are temporary failures. */
static void
test_sms_twilio_refused(void **state)
{
	struct sms_options	 o = test_sms_twilio_options();
	struct channel_msg	 m = { .id = "n-401", .to = "+15550305",
	    .data = "Hi" };
	char			*url;

	(void)state;
	o.password = "wrong-token";
	test_sms_send(&o, &m, 1);
	assert_int_equal(m.result.status, SEND_TEMPFAIL);
	assert_non_null(strstr(m.result.reply, "HTTP 401"));
	assert_null(strstr(m.result.reply, "wrong-token"));

	url = xasprintf("http://127.0.0.1:%d/2010-04-01/Accounts/%s/"
	    "Messages.json", testproc_free_port(), ACCOUNT);
	o = test_sms_twilio_options();
	o.url = url;
	assert_true(test_sms_send(&o, &m, 1) < 3000);
	assert_int_equal(m.result.status, SEND_TEMPFAIL);
	assert_non_null(strstr(m.result.reply, "onnect"));
	free(url);
	channel_result_clear(&m.result);
}

/* Fetch the peer (client address and port) of a request by its token. */
static char *
test_sms_peer(const char *token)
{
	json_t	*r;
	char	*peer;

	assert_int_equal(test_sms_records("requests.jsonl", token, &r), 1);
	peer = xstrdup(test_sms_field(r, "peer"));
	json_decref(r);
	return peer;
}

/* Messages sent one after another share one kept-alive connection. */
static void
test_sms_twilio_keepalive(void **state)
{
	struct sms_options	 o = test_sms_twilio_options();
	struct channel_msg	 m[3] = {
	    { .id = "ka-0", .to = "+15550306", .data = "A" },
	    { .id = "ka-1", .to = "+15550306", .data = "B" },
	    { .id = "ka-2", .to = "+15550306", .data = "C" } };
	struct sms		*s;
	char			*peer[3];
	int			 i;

	(void)state;
	o.max_connections = 1;
	assert_non_null(s = sms_new(&o, NULL));
	for (i = 0; i < 3; i++) {
		test_sms_send_on(s, &m[i], 1);
		assert_int_equal(m[i].result.status, SEND_OK);
		channel_result_clear(&m[i].result);
		peer[i] = test_sms_peer(m[i].id);
	}
	sms_free(s);
	assert_string_equal(peer[0], peer[1]);
	assert_string_equal(peer[1], peer[2]);
	for (i = 0; i < 3; i++)
		free(peer[i]);
}

/* No more than max_connections requests are in flight at once. */
static void
test_sms_twilio_limit(void **state)
{
	struct sms_options	 o = test_sms_twilio_options();
	struct channel_msg	 m[6];
	char			 id[6][8], *peer[6];
	int			 i, j, distinct = 0;

	(void)state;
	memset(m, 0, sizeof m);
	for (i = 0; i < 6; i++) {
		snprintf(id[i], sizeof id[i], "lim-%d", i);
		m[i].id = id[i];
		m[i].to = "+15550307";
		m[i].data = "Limited";
	}
	o.max_connections = 2;
	test_sms_write(gw.control, "hang 6 0.5\n");
	assert_true(test_sms_send(&o, m, 6) >= 1450);
	for (i = 0; i < 6; i++) {
		assert_int_equal(m[i].result.status, SEND_OK);
		channel_result_clear(&m[i].result);
		peer[i] = test_sms_peer(id[i]);
		for (j = 0; j < i && strcmp(peer[j], peer[i]) != 0; j++)
			;
		distinct += j == i;
	}
	assert_true(distinct >= 1 && distinct <= 2);
	for (i = 0; i < 6; i++)
		free(peer[i]);
}

/* The certificate and the host name are verified; ca_file is trusted. */
static void
test_sms_twilio_tls(void **state)
{
	struct sms_options	 o = test_sms_twilio_options();
	struct channel_msg	 m = { .id = "n-tls", .to = "+15550308",
	    .data = "Hi" };
	char			*ca, *url;

	(void)state;
	ca = xasprintf("%s/cert.pem", gw.dir);
	o.url = gw.tls_url;
	o.allow_http_loopback = 0;
	test_sms_send(&o, &m, 1);
	assert_int_equal(m.result.status, SEND_TEMPFAIL);
	assert_non_null(strstr(m.result.reply, "certificate"));

	o.ca_file = ca;
	test_sms_send(&o, &m, 1);
	assert_int_equal(m.result.status, SEND_OK);
	assert_non_null(m.result.provider_id);

	url = xstrdup(gw.tls_url);
	memcpy(strstr(url, "localhost"), "127.0.0.1", 9);
	o.url = url;
	test_sms_send(&o, &m, 1);
	assert_int_equal(m.result.status, SEND_TEMPFAIL);
	assert_non_null(strstr(m.result.reply, "127.0.0.1"));
	free(url);
	free(ca);
	channel_result_clear(&m.result);
}

/* A message that cannot be sent fails at once, without a request. */
static void
test_sms_twilio_invalid(void **state)
{
	struct sms_options	o = test_sms_twilio_options();
	struct channel_msg	m[3] = {
	    { .id = "n-bad", .to = "+15550309", .data = "caf\xe9" },
	    { .id = "n-bad", .to = "", .data = "Hi" },
	    { .id = "n-bad\r\nX: y", .to = "+15550309", .data = "Hi" } };
	int			i;

	(void)state;
	assert_true(test_sms_send(&o, m, 3) < 500);
	for (i = 0; i < 3; i++) {
		assert_int_equal(m[i].result.status, SEND_PERMFAIL);
		channel_result_clear(&m[i].result);
	}
	assert_int_equal(test_sms_records("requests.jsonl", "n-bad", NULL), 0);
}

/* A gateway that echoes the URL does not get the password into a reply. */
static void
test_sms_password_echoed(void **state)
{
	struct sms_options	 o = test_sms_twilio_options();
	struct channel_msg	 m = { .id = "n-echo", .to = "+15550310",
	    .data = "Hi" };
	char			*url;

	(void)state;
	url = xasprintf("%.*s/cgi-bin/sendsms",
	    (int)(strchr(gw.url + 7, '/') - gw.url), gw.url);
	o.profile = "kannel";
	o.url = url;
	o.password = "pass word+secret";
	test_sms_send(&o, &m, 1);
	assert_int_equal(m.result.status, SEND_PERMFAIL);
	if (strstr(m.result.reply, "/cgi-bin/sendsms?username=") == NULL ||
	    strstr(m.result.reply, "&password=***&from=") == NULL ||
	    strstr(m.result.reply, "pass%20word%2Bsecret") != NULL)
		fail_msg("reply: %s", m.result.reply);
	free(url);
	channel_result_clear(&m.result);
}

/* Only https, or http to loopback when allowed, and no credentials. */
static void
test_sms_url(void **state)
{
	static const struct {
		const char	*url;
		int		 allow, ok;
	} t[] = {
		{ "https://api.twilio.com/2010-04-01/Accounts/AC1/"
		  "Messages.json", 0, 1 },
		{ "https://sms.example.org:8443/cgi-bin/sendsms", 0, 1 },
		{ "HTTPS://sms.example.org/x", 0, 1 },
		{ "http://127.0.0.1:13013/cgi-bin/sendsms", 1, 1 },
		{ "http://127.0.0.1:13013/cgi-bin/sendsms", 0, 0 },
		{ "http://127.8.9.10/x", 1, 1 },
		{ "http://localhost:13013/x", 1, 1 },
		{ "http://[::1]:13013/x", 1, 1 },
		{ "http://example.org/cgi-bin/sendsms", 1, 0 },
		{ "http://example.org/cgi-bin/sendsms", 0, 0 },
		{ "http://128.0.0.1/x", 1, 0 },
		{ "http://127.0.0.1.example.org/x", 1, 0 },
		{ "http://[::2]/x", 1, 0 },
		{ "ftp://127.0.0.1/x", 1, 0 },
		{ "file:///etc/passwd", 1, 0 },
		{ "https://user:pass@sms.example.org/x", 0, 0 },
		{ "http://user:pass@127.0.0.1/x", 1, 0 },
		{ "https://user@sms.example.org/x", 0, 0 },
		{ "sms.example.org/x", 0, 0 },
		{ "https://", 0, 0 },
		{ "", 0, 0 },
		{ NULL, 1, 0 },
	};
	size_t	 i;
	char	*cause;
	int	 rc;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		cause = NULL;
		rc = sms_url_ok(t[i].url, t[i].allow, &cause);
		if (rc != (t[i].ok ? 0 : -1))
			fail_msg("%s (allow %d): %d", t[i].url, t[i].allow, rc);
		assert_true(t[i].ok ? cause == NULL : cause != NULL);
		if (t[i].url != NULL && cause != NULL && *t[i].url != '\0')
			assert_null(strstr(cause, t[i].url));
		free(cause);
	}
	assert_int_equal(sms_url_ok("ftp://x/", 0, NULL), -1);
}

/* smsdialect_reply reads the answers: outcome, sid and reply line. */
static void
test_sms_reply(void **state)
{
	static const struct {
		const char		*profile;
		long			 code;
		const char		*body;
		size_t			 len;	/* 0: strlen() */
		enum send_status	 st;
		const char		*sid, *reply;
	} t[] = {
		{ "kannel", 202, "0: Accepted for delivery", 0, SEND_OK,
		  NULL, "HTTP 202: 0: Accepted for delivery" },
		{ "kannel", 202, "3: Queued for later delivery\n", 0,
		  SEND_OK, NULL, "HTTP 202: 3: Queued for later delivery" },
		{ "kannel", 403, "Authorization failed for sendsms", 0,
		  SEND_TEMPFAIL, NULL,
		  "HTTP 403: Authorization failed for sendsms" },
		{ "kannel", 400, "bad\r\nsecond", 0, SEND_PERMFAIL, NULL,
		  "HTTP 400: bad" },
		{ "kannel", 503, "cut\0after", 9, SEND_TEMPFAIL, NULL,
		  "HTTP 503: cut" },
		{ "kannel", 201, "{\"sid\": \"SM1\"}", 0, SEND_OK, NULL,
		  "HTTP 201: {\"sid\": \"SM1\"}" },
		{ "twilio", 201, "{\"sid\": \"SM1\", \"status\": "
		  "\"queued\"}", 0, SEND_OK, "SM1", "HTTP 201: SM1 queued" },
		{ "twilio", 201, "{\"sid\": \"SM 1\"}", 0, SEND_OK, NULL,
		  "HTTP 201: {\"sid\": \"SM 1\"}" },
		{ "twilio", 429, "{\"code\": 20429, \"message\": \"Too Many "
		  "Requests\"}", 0, SEND_TEMPFAIL, NULL,
		  "HTTP 429: 20429 Too Many Requests" },
		{ "twilio", 400, "{\"message\": \"no\"}", 0, SEND_PERMFAIL,
		  NULL, "HTTP 400: 0 no" },
		{ "twilio", 302, "[1]", 0, SEND_TEMPFAIL, NULL,
		  "HTTP 302: [1]" },
		{ "twilio", 500, NULL, 0, SEND_TEMPFAIL, NULL, "HTTP 500: " },
	};
	size_t	 i;
	char	*sid, *reply;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		assert_int_equal(smsdialect_reply(sms_dialect(
		    t[i].profile), t[i].code, t[i].body, t[i].len != 0 ||
		    t[i].body == NULL ? t[i].len : strlen(t[i].body), &sid,
		    &reply), t[i].st);
		assert_string_equal(reply, t[i].reply);
		if (t[i].sid != NULL)
			assert_string_equal(sid, t[i].sid);
		else
			assert_null(sid);
		free(sid);
		free(reply);
	}
}

/* sms_new refuses unusable options and says why. */
static void
test_sms_new_errors(void **state)
{
	struct sms_options	 o = { 0 }, bad;
	struct sms		*s;
	char			*cause;

	(void)state;
	o.profile = "twilio";
	o.url = "https://sms.example.org/x";
	o.from = "+15550199";
	o.user = ACCOUNT;
	o.password = TOKEN;
	assert_non_null(s = sms_new(&o, NULL));
	sms_free(s);
	sms_free(NULL);

	bad = o;
	bad.from = NULL;
	assert_null(sms_new(&bad, &cause));
	assert_non_null(strstr(cause, "from"));
	free(cause);
	bad = o;
	bad.password = "";
	assert_null(sms_new(&bad, &cause));
	assert_non_null(strstr(cause, "password"));
	free(cause);
	bad = o;
	bad.url = "http://sms.example.org/x";
	bad.allow_http_loopback = 1;
	assert_null(sms_new(&bad, &cause));
	assert_non_null(strstr(cause, "https"));
	free(cause);
	bad = o;
	bad.ca_file = "/nonexistent/ca.pem";
	assert_null(sms_new(&bad, &cause));
	assert_non_null(strstr(cause, "/nonexistent/ca.pem"));
	free(cause);
}

/* Wake the sender given after 200 ms. */
static void *
test_sms_waker(void *arg)
{
	test_sms_sleep(200);
	sms_wakeup(arg);
	return NULL;
}

/* An idle sms_run() waits its time, unless another thread wakes it. */
static void
test_sms_wakeup(void **state)
{
	struct sms_options	 o = { 0 };
	struct sms		*s;
	pthread_t		 t;
	int64_t			 start, ms;

	(void)state;
	o.profile = "kannel";
	o.url = "https://sms.example.org/cgi-bin/sendsms";
	o.from = "311";
	o.user = "closeloop";
	o.password = "kannel-pass";
	assert_non_null(s = sms_new(&o, NULL));
	start = clock_ms();
	sms_run(s, 300);
	assert_true(clock_ms() - start >= 250);
	assert_int_equal(pthread_create(&t, NULL, test_sms_waker, s), 0);
	start = clock_ms();
	sms_run(s, 10000);
	ms = clock_ms() - start;
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_true(ms >= 150 && ms < 2000);
	assert_int_equal(sms_active(s), 0);	/* woken, nothing reported */
	sms_free(s);
}

/* Run the tests: the URL checks, gateway.py, then Kannel. */
int
main(void)
{
	const struct CMUnitTest plain[] = {
		cmocka_unit_test(test_sms_url),
		cmocka_unit_test(test_sms_new_errors),
		cmocka_unit_test(test_sms_reply),
		cmocka_unit_test(test_sms_wakeup),
	};
	const struct CMUnitTest twilio[] = {
		cmocka_unit_test(test_sms_twilio_ok),
		cmocka_unit_test(test_sms_twilio_idempotent),
		cmocka_unit_test(test_sms_twilio_errors),
		cmocka_unit_test(test_sms_twilio_masked),
		cmocka_unit_test(test_sms_twilio_timeout),
		cmocka_unit_test(test_sms_twilio_refused),
		cmocka_unit_test(test_sms_twilio_keepalive),
		cmocka_unit_test(test_sms_twilio_limit),
		cmocka_unit_test(test_sms_twilio_tls),
		cmocka_unit_test(test_sms_twilio_invalid),
		cmocka_unit_test(test_sms_password_echoed),
	};
	const struct CMUnitTest kannel_tests[] = {
		cmocka_unit_test(test_sms_kannel_gsm7),
		cmocka_unit_test(test_sms_kannel_ucs2),
		cmocka_unit_test(test_sms_kannel_bad_password),
		cmocka_unit_test(test_sms_kannel_bulk),
	};
	int	failed;

	failed = cmocka_run_group_tests_name("sms_url", plain, NULL, NULL);
	failed += cmocka_run_group_tests_name("sms_twilio", twilio,
	    test_sms_gateway_setup, test_sms_gateway_teardown);
	failed += cmocka_run_group_tests_name("sms_kannel", kannel_tests,
	    test_sms_kannel_setup, test_sms_kannel_teardown);
	return failed != 0;
}
