/*
 * test_receipt.c - unit tests for SMS delivery receipts (receipt.c)
 *
 * Runs against a private redis-server and a real HTTP listener on a
 * loopback port whose handler answers every request with
 * receipt_handle(), as closeloopd's listener does for /receipt. Each test
 * queues a notice for an email and an SMS recipient, so the record of
 * notification 2026-7/3/1 exists, then sends the raw requests a Kannel or
 * Twilio gateway would send and reads back the record and both audit
 * streams as an operator would.
 */
#include "build.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "config.h"
#include "digest.h"
#include "event.h"
#include "http.h"
#include "httpreq.h"
#include "log.h"
#include "metrics.h"
#include "notice.h"
#include "outbox.h"
#include "receipt.h"
#include "redis.h"
#include "redisconn.h"
#include "store.h"
#include "testhttp.h"
#include "testlog.h"
#include "testnotice.h"
#include "testprom.h"
#include "testredis.h"
#include "testserver.h"
#include "txn.h"
#include "xmalloc.h"

#define KEY	"kannel-dlr-key-5b1e"
#define SMSID	"2026-7/3/1"
#define SRAUDIT	"closeloop:sr:{2026-7}:audit"
#define ALL	"closeloop:audit"

static struct testserver ts;

/* One test's configuration, connections and listener. */
struct test_receipt {
	pthread_mutex_t	 lock;
	struct config	*cf;		/* under lock: the handler's */
	struct redis	*hr;		/* the handler's connection */
	struct redis	*r;		/* the test's own */
	struct http	*h;
	int		 calls;		/* under lock */
};

/* Answer /receipt with receipt_handle(), as closeloopd's listener does. */
static void
test_receipt_handler(const struct httpreq *req,
    struct http_response *resp, void *arg)
{
	struct test_receipt	*t = arg;

	pthread_mutex_lock(&t->lock);
	t->calls++;
	if (strcmp(httpreq_path(req), "/receipt") == 0)
		receipt_handle(t->cf, &t->hr, req, resp);
	else {
		resp->status = 404;
		resp->body = xstrdup("not found\n");
	}
	pthread_mutex_unlock(&t->lock);
}

/* Write the key into the server's directory and load a configuration. */
static struct config *
test_receipt_config(const char *dlr_url)
{
	struct config	*cf;
	char		*path, *extra;
	int		 fd;

	path = xasprintf("%s/dlr.key", ts.dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, KEY "\n", strlen(KEY) + 1),
	    (ssize_t)strlen(KEY) + 1);
	close(fd);
	extra = xasprintf("sms = { dlr_url = \"%s\"; dlr_secret_file = "
	    "\"%s\"; };", dlr_url, path);
	cf = testserver_config(&ts, NULL, extra);
	free(extra);
	free(path);
	assert_non_null(cf->sms_dlr_secret);
	assert_string_equal(cf->sms_dlr_secret, KEY);
	return cf;
}

/*
 * Connect to the server, empty it and queue a notice to an email and an
 * SMS contact; the caller frees the connection.
 */
static struct redis *
test_receipt_connect(const struct config *cf)
{
	struct redis	*r;
	struct notice	*n;

	r = testredis_open(cf);
	n = testnotice_new();
	testnotice_queue(r, cf, n, clock_now());
	notice_free(n);
	return r;
}

/* Load the configuration, queue the notice and start the listener. */
static void
test_receipt_open(struct test_receipt *t)
{
	char	*cause = NULL;

	memset(t, 0, sizeof *t);
	pthread_mutex_init(&t->lock, NULL);
	t->cf = test_receipt_config("http://127.0.0.1:9/receipt");
	t->r = test_receipt_connect(t->cf);
	t->h = http_new("127.0.0.1:0", test_receipt_handler, t, &cause);
	if (t->h == NULL)
		fail_msg("http_new: %s", cause);
}

/* Stop the listener and free what test_receipt_open() made. */
static void
test_receipt_close(struct test_receipt *t)
{
	http_free(t->h);
	redis_free(t->hr);
	redis_free(t->r);
	config_free(t->cf);
	pthread_mutex_destroy(&t->lock);
}

/* Return how many requests the handler was given. */
static int
test_receipt_calls(struct test_receipt *t)
{
	int	n;

	pthread_mutex_lock(&t->lock);
	n = t->calls;
	pthread_mutex_unlock(&t->lock);
	return n;
}

/* GET target with extra header lines (or NULL); return the status. */
static int
test_receipt_get(struct test_receipt *t, const char *target,
    const char *headers)
{
	struct testhttp_answer	a;

	a = testhttp_get(http_port(t->h), target, headers);
	free(a.raw);
	return a.status;
}

/* POST a form to target as Twilio does; return the status. */
static int
test_receipt_post(struct test_receipt *t, const char *target,
    const char *form)
{
	struct testhttp_answer	a;

	a = testhttp_post(http_port(t->h), target, form, NULL);
	free(a.raw);
	return a.status;
}

/* Return "/receipt?id=ID&token=HMAC" plus more (allocated). */
static char *
test_receipt_target(const char *id, const char *more)
{
	char	token[DIGEST_HEX_LEN + 1];

	digest_hmac(KEY, strlen(KEY), id, token);
	return xasprintf("/receipt?id=%s&token=%s%s", id, token, more);
}

/*
 * Return "/receipt?id=ID&exp=EXP&token=HMAC" plus more (allocated): the
 * URL of a message sent by this version.
 */
static char *
test_receipt_target_exp(const char *id, long long exp, const char *more)
{
	char	token[DIGEST_HEX_LEN + 1], *text, *target;

	text = xasprintf("closeloop-receipt:%s:%lld", id, exp);
	digest_hmac(KEY, strlen(KEY), text, token);
	target = xasprintf("/receipt?id=%s&exp=%lld&token=%s%s", id, exp,
	    token, more);
	free(text);
	return target;
}

/* GET the receipt URL of id with more arguments; return the status. */
static int
test_receipt_kannel(struct test_receipt *t, const char *id, const char *more)
{
	char	*target;
	int	 status;

	target = test_receipt_target(id, more);
	status = test_receipt_get(t, target, NULL);
	free(target);
	return status;
}

/* Assert a field of the SMS notification's record; NULL: absent. */
static void
test_receipt_field_is(struct test_receipt *t, const char *field,
    const char *want)
{
	char	*v = testnotice_field(t->r, t->cf, SMSID, field);

	if (want == NULL)
		assert_null(v);
	else {
		assert_non_null(v);
		assert_string_equal(v, want);
	}
	free(v);
}

/* Return the length of a stream. */
static long long
test_receipt_xlen(struct test_receipt *t, const char *key)
{
	struct redis_reply	*reply;
	long long		 n;

	reply = redis_command(t->r, NULL, "XLEN %s", key);
	assert_non_null(reply);
	assert_int_equal(reply->type, REDIS_TYPE_INTEGER);
	n = reply->integer;
	redis_reply_free(reply);
	return n;
}

/*
 * Assert the last entry of stream key says decision, with the masked
 * number and never the whole one; return its reply field (allocated).
 */
static char *
test_receipt_audit(struct test_receipt *t, const char *key,
    const char *decision, const char *receipt)
{
	struct redis_reply	*reply, *f;
	const char		*v;
	char			*reply_field;
	size_t			 i;

	reply = redis_command(t->r, NULL, "XREVRANGE %s + - COUNT 1", key);
	assert_non_null(reply);
	assert_int_equal(reply->elements, 1);
	f = reply->element[0]->element[1];
	assert_string_equal(redis_reply_field(f, "sr"), "2026-7");
	assert_string_equal(redis_reply_field(f, "decision"), decision);
	assert_string_equal(redis_reply_field(f, "channel"), "sms");
	assert_string_equal(redis_reply_field(f, "to"), "+1416***0100");
	assert_string_equal(redis_reply_field(f, "notification"), SMSID);
	assert_string_equal(redis_reply_field(f, "receipt"), receipt);
	assert_string_equal(redis_reply_field(f, "notice"), "completed");
	assert_string_equal(redis_reply_field(f, "events"), "e1 e2");
	assert_non_null(strstr(redis_reply_field(f, "detail"),
	    "+1416***0100"));
	for (i = 0; i < f->elements; i++)
		assert_null(strstr(f->element[i]->str, "5550100"));
	v = redis_reply_field(f, "reply");
	reply_field = v != NULL ? xstrdup(v) : NULL;
	redis_reply_free(reply);
	return reply_field;
}

/* Assert how many entries both audit streams hold. */
static void
test_receipt_audited(struct test_receipt *t, long long n)
{
	assert_int_equal(test_receipt_xlen(t, SRAUDIT), n);
	assert_int_equal(test_receipt_xlen(t, ALL), n);
}

/*
 * The URL carries the id, its expiry (sms.dlr_max_age_days after the
 * sending) and the HMAC of both, which differs per id and per expiry.
 */
static void
test_url(void **state)
{
	struct config	*cf;
	char		*url, *other, *want, *text, token[DIGEST_HEX_LEN + 1];
	const char	*p;
	long long	 now = 1790000000, exp = now + 30 * 86400;

	(void)state;
	cf = test_receipt_config("http://127.0.0.1:9/receipt");
	url = receipt_url(cf, SMSID, now);
	text = xasprintf("closeloop-receipt:" SMSID ":%lld", exp);
	digest_hmac(KEY, strlen(KEY), text, token);
	free(text);
	want = xasprintf("http://127.0.0.1:9/receipt?id=" SMSID "&exp=%lld"
	    "&token=%s", exp, token);
	assert_string_equal(url, want);
	p = strstr(url, "token=") + 6;
	assert_int_equal(strlen(p), 64);
	assert_int_equal(strspn(p, "0123456789abcdef"), 64);
	other = receipt_url(cf, "2026-7/3/0", now);
	assert_string_not_equal(strstr(other, "token="), strstr(url, "token="));
	free(other);
	other = receipt_url(cf, SMSID, now + 1);
	assert_string_not_equal(strstr(other, "token="), strstr(url, "token="));
	free(other);
	free(want);
	free(url);
	config_free(cf);

	/* A dlr_url with a query of its own gets "&". */
	cf = test_receipt_config("https://sms.example.org/dlr?src=kannel");
	url = receipt_url(cf, SMSID, now);
	want = xasprintf("https://sms.example.org/dlr?src=kannel&id=" SMSID
	    "&exp=%lld&token=%s", exp, token);
	assert_string_equal(url, want);
	free(want);
	free(url);
	config_free(cf);
}

/*
 * A receipt after its URL's expiry is refused with 410 and not recorded;
 * the expiry cannot be moved without the key; a URL of an earlier
 * version (no expiry) works for sms.dlr_max_age_days after the sending.
 */
static void
test_expiry(void **state)
{
	struct test_receipt	 t;
	struct testhttp_answer	 a;
	struct redis_reply	*reply;
	char			*target, *key, *forged, *buf = NULL;
	long long		 now = clock_now() / 1000;
	size_t			 len = 0, cap = 0;

	(void)state;
	metrics_reset();
	test_receipt_open(&t);
	/* Expired a second ago. */
	target = test_receipt_target_exp(SMSID, now - 1, "&status=1");
	a = testhttp_get(http_port(t.h), target, NULL);
	assert_int_equal(a.status, 410);
	assert_non_null(strstr(a.body, "expired"));
	free(a.raw);
	/* The same expiry moved on by hand: the token no longer fits. */
	forged = xstrdup(target);
	memcpy(strstr(forged, "&exp=") + 5, "9", 1);
	assert_int_equal(test_receipt_get(&t, forged, NULL), 403);
	free(forged);
	free(target);
	test_receipt_field_is(&t, "receipt", NULL);
	test_receipt_audited(&t, 0);
	/* Not expired yet, or with the key itself: recorded. */
	target = test_receipt_target_exp(SMSID, now + 60, "&status=8");
	assert_int_equal(test_receipt_get(&t, target, NULL), 200);
	free(target);
	test_receipt_field_is(&t, "receipt", "submitted");
	assert_int_equal(test_receipt_get(&t, "/receipt?id=" SMSID "&exp=1"
	    "&status=1", "X-Closeloop-Secret: " KEY "\r\n"), 410);
	/* A malformed expiry. */
	target = test_receipt_target_exp(SMSID, now + 60, "&status=1");
	memcpy(strstr(target, "&exp=") + 5, "x", 1);
	assert_int_equal(test_receipt_get(&t, target, NULL), 400);
	free(target);
	test_receipt_field_is(&t, "receipt", "submitted");

	/* A URL without expiry, for a message sent 31 days ago, or made. */
	key = outbox_key(t.cf, SMSID);
	reply = redis_command(t.r, NULL, "HSET %s sent_at %lld", key,
	    (now - 31 * 86400) * 1000);
	redis_reply_free(reply);
	assert_int_equal(test_receipt_kannel(&t, SMSID, "&status=1"), 410);
	reply = redis_command(t.r, NULL, "HDEL %s sent_at", key);
	redis_reply_free(reply);
	assert_int_equal(test_receipt_kannel(&t, SMSID, "&status=1"), 200);
	assert_int_equal(test_receipt_kannel(&t, SMSID, "&status=2"), 200);
	reply = redis_command(t.r, NULL, "HSET %s created %lld", key,
	    (now - 31 * 86400) * 1000);
	redis_reply_free(reply);
	assert_int_equal(test_receipt_kannel(&t, SMSID, "&status=2"), 410);
	free(key);
	test_receipt_field_is(&t, "receipt", "delivered");
	test_receipt_field_is(&t, "receipts_ignored", "1");
	test_receipt_audited(&t, 1);
	test_receipt_close(&t);
	metrics_write(&buf, &len, &cap);
	assert_true(testprom_value(buf,
	    "closeloop_receipts_total{result=\"expired\"}") == 4);
	free(buf);
}

/* Kannel's "delivered" is recorded and audited once, masked. */
static void
test_kannel_delivered(void **state)
{
	struct test_receipt	 t;
	char			*url, *v;
	long long		 at, now;

	(void)state;
	test_receipt_open(&t);
	test_receipt_audited(&t, 0);
	/* The URL the gateway was given works as it is. */
	url = receipt_url(t.cf, SMSID, clock_now() / 1000);
	v = xasprintf("%s&status=1&answer=ACK%%2F",
	    url + strlen("http://127.0.0.1:9"));
	now = clock_now();
	assert_int_equal(test_receipt_get(&t, v, NULL), 200);
	free(v);
	free(url);
	test_receipt_field_is(&t, "receipt", "delivered");
	test_receipt_field_is(&t, "receipt_detail", "ACK/");
	test_receipt_field_is(&t, "state", "queued");
	v = testnotice_field(t.r, t.cf, SMSID, "receipt_at");
	assert_non_null(v);
	at = strtoll(v, NULL, 10);
	assert_true(at >= now && at <= clock_now());
	free(v);
	test_receipt_audited(&t, 1);
	free(test_receipt_audit(&t, SRAUDIT, "delivered", "delivered"));
	v = test_receipt_audit(&t, ALL, "delivered", "delivered");
	assert_string_equal(v, "ACK/");
	free(v);
	/* The email's record is untouched. */
	v = testnotice_field(t.r, t.cf, "2026-7/3/0", "receipt");
	assert_null(v);

	/* The gateway repeating itself changes nothing. */
	assert_int_equal(test_receipt_kannel(&t, SMSID,
	    "&status=1&answer=ACK%2F"), 200);
	test_receipt_audited(&t, 1);
	v = testnotice_field(t.r, t.cf, SMSID, "receipt_at");
	assert_int_equal(strtoll(v, NULL, 10), at);
	free(v);
	test_receipt_close(&t);
}

/* Write state=sent on the SMS's record 150 ms from now, from a thread. */
static void *
test_receipt_sent_later(void *arg)
{
	struct test_receipt	*t = arg;
	struct redis		*r;
	char			*cause = NULL, *key;

	usleep(150 * 1000);
	r = redisconn_open(t->cf, &cause);
	assert_non_null(r);
	key = outbox_key(t->cf, SMSID);
	redis_reply_free(redis_command(r, &cause, "HSET %s state sent "
	    "content_sha256 abc123", key));
	free(key);
	redis_free(r);
	return NULL;
}

/*
 * A receipt that comes while closeloopd is still writing the gateway's
 * answer (the record says "sending") waits for it, so that its trail
 * entry comes after the "sent" one and carries what it wrote.
 */
static void
test_before_sent(void **state)
{
	struct test_receipt	 t;
	struct redis_reply	*reply;
	pthread_t		 th;
	char			*key, *cause = NULL;
	int64_t			 t0;

	(void)state;
	test_receipt_open(&t);
	key = outbox_key(t.cf, SMSID);
	redis_reply_free(redis_command(t.r, &cause, "HSET %s state sending",
	    key));
	free(key);
	assert_int_equal(pthread_create(&th, NULL, test_receipt_sent_later,
	    &t), 0);
	t0 = clock_ms();
	assert_int_equal(test_receipt_kannel(&t, SMSID,
	    "&status=1&answer=ACK"), 200);
	assert_true(clock_ms() - t0 >= 100);
	pthread_join(th, NULL);
	test_receipt_field_is(&t, "receipt", "delivered");
	test_receipt_field_is(&t, "state", "sent");
	free(test_receipt_audit(&t, ALL, "delivered", "delivered"));
	reply = redis_command(t.r, &cause, "XREVRANGE closeloop:outbound + - "
	    "COUNT 1");
	assert_non_null(reply);
	assert_int_equal(reply->elements, 1);
	assert_string_equal(redis_reply_field(reply->element[0]->element[1],
	    "type"), "delivered");
	assert_string_equal(redis_reply_field(reply->element[0]->element[1],
	    "content_sha256"), "abc123");
	redis_reply_free(reply);
	test_receipt_close(&t);
}

/* Kannel's final failures are audited as undelivered. */
static void
test_kannel_undelivered(void **state)
{
	static const struct {
		const char	*more, *receipt, *detail;
	} cases[] = {
		{ "&status=2", "undelivered",
		    "the phone could not be reached" },
		{ "&status=16&answer=NACK%2F0x0b", "rejected", "NACK/0x0b" },
	};
	struct test_receipt	 t;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		test_receipt_open(&t);
		assert_int_equal(test_receipt_kannel(&t, SMSID, cases[i].more),
		    200);
		test_receipt_field_is(&t, "receipt", cases[i].receipt);
		test_receipt_field_is(&t, "receipt_detail", cases[i].detail);
		test_receipt_audited(&t, 1);
		free(test_receipt_audit(&t, SRAUDIT, "undelivered",
		    cases[i].receipt));
		free(test_receipt_audit(&t, ALL, "undelivered",
		    cases[i].receipt));
		test_receipt_close(&t);
	}
}

/* Interim reports go to the record only and never undo a final one. */
static void
test_kannel_interim(void **state)
{
	struct test_receipt	t;

	(void)state;
	test_receipt_open(&t);
	assert_int_equal(test_receipt_kannel(&t, SMSID, "&status=8"), 200);
	test_receipt_field_is(&t, "receipt", "submitted");
	test_receipt_audited(&t, 0);
	assert_int_equal(test_receipt_kannel(&t, SMSID, "&status=4"), 200);
	test_receipt_field_is(&t, "receipt", "buffered");
	test_receipt_field_is(&t, "receipt_detail",
	    "waiting at the SMS centre");
	test_receipt_audited(&t, 0);
	assert_int_equal(test_receipt_kannel(&t, SMSID, "&status=1"), 200);
	test_receipt_field_is(&t, "receipt", "delivered");
	test_receipt_audited(&t, 1);
	/* A late interim report arrives after the final one. */
	assert_int_equal(test_receipt_kannel(&t, SMSID, "&status=8"), 200);
	test_receipt_field_is(&t, "receipt", "delivered");
	test_receipt_field_is(&t, "receipt_detail", "delivered to the phone");
	test_receipt_audited(&t, 1);
	test_receipt_close(&t);
}

/*
 * The first final report is final: later ones, whatever they say, are
 * counted in receipts_ignored and neither change the record nor add to
 * the audit trail.
 */
static void
test_final_is_final(void **state)
{
	static const char	*later[] = { "&status=2", "&status=16",
	    "&status=1", "&status=8&answer=late", "&status=2&answer=NACK" };
	struct test_receipt	 t;
	char			*target, *n, *buf = NULL;
	size_t			 i, len = 0, cap = 0;

	(void)state;
	metrics_reset();
	test_receipt_open(&t);
	/* An interim report repeated before the final one is not counted. */
	assert_int_equal(test_receipt_kannel(&t, SMSID, "&status=8"), 200);
	assert_int_equal(test_receipt_kannel(&t, SMSID, "&status=8"), 200);
	test_receipt_field_is(&t, "receipts_ignored", NULL);
	assert_int_equal(test_receipt_kannel(&t, SMSID,
	    "&status=1&answer=ACK"), 200);
	test_receipt_audited(&t, 1);
	for (i = 0; i < sizeof later / sizeof later[0]; i++) {
		assert_int_equal(test_receipt_kannel(&t, SMSID, later[i]),
		    200);
		n = xasprintf("%zu", i + 1);
		test_receipt_field_is(&t, "receipts_ignored", n);
		free(n);
	}
	target = test_receipt_target(SMSID, "");
	assert_int_equal(test_receipt_post(&t, target,
	    "MessageStatus=failed&ErrorCode=30003"), 200);
	free(target);
	test_receipt_field_is(&t, "receipts_ignored", "6");
	test_receipt_field_is(&t, "receipt", "delivered");
	test_receipt_field_is(&t, "receipt_detail", "ACK");
	test_receipt_audited(&t, 1);
	free(test_receipt_audit(&t, SRAUDIT, "delivered", "delivered"));
	test_receipt_close(&t);
	/* "submitted" and "delivered" recorded, six ignored. */
	metrics_write(&buf, &len, &cap);
	assert_true(testprom_value(buf,
	    "closeloop_receipts_total{result=\"recorded\"}") == 2);
	assert_true(testprom_value(buf,
	    "closeloop_receipts_total{result=\"ignored\"}") == 6);
	free(buf);

	/* A failure first: a "delivered" after it does not undo it. */
	test_receipt_open(&t);
	assert_int_equal(test_receipt_kannel(&t, SMSID, "&status=16"), 200);
	assert_int_equal(test_receipt_kannel(&t, SMSID, "&status=1"), 200);
	test_receipt_field_is(&t, "receipt", "rejected");
	test_receipt_field_is(&t, "receipts_ignored", "1");
	test_receipt_audited(&t, 1);
	free(test_receipt_audit(&t, ALL, "undelivered", "rejected"));
	test_receipt_close(&t);
}

/*
 * The gateway's answer is kept to 200 bytes, cut at a character, without
 * control characters, however long it was.
 */
static void
test_answer_bounded(void **state)
{
	struct test_receipt	 t;
	char			*target, *form, *big, *want, *v;
	size_t			 i;

	(void)state;
	test_receipt_open(&t);
	/* An LF, 198 x, an "e" acute across bytes 200 and 201, 15 KB more. */
	big = xmalloc(15 * 1024 + 1);
	memset(big, 'x', 15 * 1024);
	big[15 * 1024] = '\0';
	memcpy(big, "%0a", 3);
	memcpy(big + 3 + 198, "%C3%A9", 6);
	want = xmalloc(200 + 3 + 1);
	memset(want, 'x', 199);
	want[0] = '?';
	memcpy(want + 199, "...", 4);
	form = xasprintf("status=2&answer=%s", big);
	target = test_receipt_target(SMSID, "");
	assert_int_equal(test_receipt_post(&t, target, form), 200);
	free(form);
	test_receipt_field_is(&t, "receipt_detail", want);
	v = test_receipt_audit(&t, ALL, "undelivered", "undelivered");
	assert_non_null(v);
	assert_string_equal(v, want);
	free(v);
	free(want);
	/* Replayed, it adds nothing. */
	for (i = 0; i < 5; i++) {
		form = xasprintf("status=%s&answer=%s", i % 2 ? "1" : "16",
		    big);
		assert_int_equal(test_receipt_post(&t, target, form), 200);
		free(form);
	}
	test_receipt_audited(&t, 1);
	test_receipt_field_is(&t, "receipts_ignored", "5");
	free(target);
	free(big);
	test_receipt_close(&t);
}

/* Twilio's StatusCallback: a form POST, the token in the URL. */
static void
test_twilio(void **state)
{
	struct test_receipt	 t;
	char			*target, *v;

	(void)state;
	test_receipt_open(&t);
	target = test_receipt_target(SMSID, "");
	assert_int_equal(test_receipt_post(&t, target,
	    "MessageStatus=sent&MessageSid=SM0123456789abcdef"), 200);
	test_receipt_field_is(&t, "receipt", "sent");
	test_receipt_audited(&t, 0);
	assert_int_equal(test_receipt_post(&t, target,
	    "MessageStatus=delivered&MessageSid=SM0123456789abcdef"), 200);
	test_receipt_field_is(&t, "receipt", "delivered");
	test_receipt_audited(&t, 1);
	v = test_receipt_audit(&t, SRAUDIT, "delivered", "delivered");
	assert_null(v);
	test_receipt_close(&t);

	test_receipt_open(&t);
	assert_int_equal(test_receipt_post(&t, target, "SmsStatus=failed&"
	    "MessageStatus=failed&ErrorCode=30003&MessageSid=SM01"), 200);
	test_receipt_field_is(&t, "receipt", "failed");
	test_receipt_field_is(&t, "receipt_detail", "30003");
	test_receipt_audited(&t, 1);
	v = test_receipt_audit(&t, ALL, "undelivered", "failed");
	assert_non_null(v);
	assert_string_equal(v, "30003");
	free(v);
	free(target);
	test_receipt_close(&t);
}

/* Without the token or the key nothing is written; the key will do. */
static void
test_authentic(void **state)
{
	struct test_receipt	 t;
	char			*target;

	(void)state;
	test_receipt_open(&t);
	/* Another notification's token, a made-up one, none at all. */
	target = test_receipt_target("2026-7/3/0", "&status=1");
	memcpy(target + strlen("/receipt?id=2026-7/3/"), "1", 1);
	assert_int_equal(test_receipt_get(&t, target, NULL), 403);
	free(target);
	assert_int_equal(test_receipt_get(&t, "/receipt?id=" SMSID "&token="
	    "00000000000000000000000000000000000000000000000000000000000000"
	    "00&status=1", NULL), 403);
	assert_int_equal(test_receipt_get(&t, "/receipt?id=" SMSID
	    "&status=1", NULL), 403);
	assert_int_equal(test_receipt_get(&t, "/receipt?id=" SMSID
	    "&status=1", "X-Closeloop-Secret: not-the-key\r\n"), 403);
	test_receipt_field_is(&t, "receipt", NULL);
	test_receipt_audited(&t, 0);

	/* A valid token, but for the email notification: not an SMS. */
	target = test_receipt_target("2026-7/3/0", "&status=1");
	assert_int_equal(test_receipt_get(&t, target, NULL), 404);
	free(target);
	test_receipt_audited(&t, 0);

	/* A proxy that sends the key itself instead of the token. */
	assert_int_equal(test_receipt_get(&t, "/receipt?id=" SMSID
	    "&status=1", "X-Closeloop-Secret: " KEY "\r\n"), 200);
	test_receipt_field_is(&t, "receipt", "delivered");
	test_receipt_audited(&t, 1);
	test_receipt_close(&t);
}

/* Unknown notifications, bad ids and unknown reports are refused. */
static void
test_refused(void **state)
{
	static const char	*bad_ids[] = { "../x", "a b", "a+b", "2026-7",
	    "2026-7/3", "2026-7/3/1/2", "2026_7/3/1", "" };
	struct test_receipt	 t;
	struct redis_reply	*reply;
	char			*target, *esc;
	size_t			 i;

	(void)state;
	test_receipt_open(&t);
	assert_int_equal(test_receipt_kannel(&t, "2026-7/9/0", "&status=1"),
	    404);
	reply = redis_command(t.r, NULL, "EXISTS closeloop:sr:{2026-7}:n:9/0");
	assert_int_equal(reply->integer, 0);
	redis_reply_free(reply);
	for (i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
		esc = strcmp(bad_ids[i], "a b") == 0 ? xstrdup("a%20b") :
		    xstrdup(bad_ids[i]);
		target = test_receipt_target(esc, "&status=1");
		assert_int_equal(test_receipt_get(&t, target, NULL), 400);
		free(target);
		free(esc);
	}
	assert_int_equal(test_receipt_get(&t, "/receipt?status=1", NULL), 400);
	assert_int_equal(test_receipt_kannel(&t, SMSID, "&status=3"), 400);
	assert_int_equal(test_receipt_kannel(&t, SMSID, "&status=delivered"),
	    400);
	assert_int_equal(test_receipt_kannel(&t, SMSID, ""), 400);
	assert_int_equal(test_receipt_kannel(&t, SMSID, "&answer=ACK"), 400);
	target = test_receipt_target(SMSID, "");
	assert_int_equal(test_receipt_post(&t, target,
	    "MessageStatus=bogus"), 400);
	free(target);
	test_receipt_field_is(&t, "receipt", NULL);
	test_receipt_audited(&t, 0);
	test_receipt_close(&t);
}

/*
 * A status made up of CR, LF, a priority prefix and an escape sequence
 * is logged inside one warning line, cleaned and bounded, and nothing
 * is recorded.
 */
static void
test_log_injection(void **state)
{
	static const char	*prefix = "<4>receipt for " SMSID
	    ": unknown status \"";
	struct test_receipt	 t;
	const char		*line, *eol;
	struct testlog		 log;
	char			*target, *out, *more;
	size_t			 i, n = 0;

	(void)state;
	test_receipt_open(&t);
	log_set_level(LOG_LEVEL_INFO);
	testlog_start(&log);
	assert_int_equal(test_receipt_kannel(&t, SMSID, "&status=%0d%0a%3C3%3E"
	    "FAKE%20LOG%20LINE%1b[2J"), 400);
	target = test_receipt_target(SMSID, "");
	assert_int_equal(test_receipt_post(&t, target, "MessageStatus=%0a"
	    "%3C3%3Eforged%C2%9B%7f"), 400);
	free(target);
	/* 61 bytes: 40 would cut an "é" in two. */
	more = xstrdup("&status=a");
	for (i = 0; i < 30; i++) {
		target = xasprintf("%s%%C3%%A9", more);
		free(more);
		more = target;
	}
	assert_int_equal(test_receipt_kannel(&t, SMSID, more), 400);
	free(more);
	out = testlog_stop(&log);
	log_set_level(LOG_LEVEL_ERR);

	for (line = out; *line != '\0'; line = eol + 1, n++) {
		eol = strchr(line, '\n');
		assert_non_null(eol);
		if (strncmp(line, prefix, strlen(prefix)) != 0)
			fail_msg("not one warning about the status: %s", line);
		for (i = 0; line + i < eol; i++)
			assert_true((unsigned char)line[i] >= 0x20 &&
			    line[i] != 0x7f);
	}
	assert_int_equal(n, 3);
	assert_non_null(strstr(out, "\"?" "?<3>FAKE LOG LINE?[2J\"; ignored\n"));
	assert_non_null(strstr(out, "\"?<3>forged??\"; ignored\n"));
	assert_non_null(strstr(out, "\"a\xc3\xa9\xc3\xa9"));
	assert_non_null(strstr(out, "\xc3\xa9...\"; ignored\n"));
	assert_null(strstr(out, "\\x"));
	free(out);
	test_receipt_field_is(&t, "receipt", NULL);
	test_receipt_audited(&t, 0);
	test_receipt_close(&t);
}

/* With Redis gone the gateway is told to try again; later it succeeds. */
static void
test_redis_down(void **state)
{
	struct test_receipt	 t;
	struct config		*cf;

	(void)state;
	test_receipt_open(&t);
	assert_int_equal(test_receipt_kannel(&t, SMSID, "&status=8"), 200);
	assert_non_null(t.hr);
	redis_free(t.r);
	t.r = NULL;
	testserver_stop(&ts);
	assert_int_equal(test_receipt_kannel(&t, SMSID, "&status=1"), 503);
	assert_int_equal(test_receipt_kannel(&t, SMSID, "&status=1"), 503);
	assert_int_equal(test_receipt_calls(&t), 2 + 1);

	/* A new server: the handler connects again by itself. */
	testserver_start(&ts, 0, NULL);
	cf = test_receipt_config("http://127.0.0.1:9/receipt");
	t.r = test_receipt_connect(cf);
	pthread_mutex_lock(&t.lock);
	config_free(t.cf);
	t.cf = cf;
	pthread_mutex_unlock(&t.lock);
	assert_int_equal(test_receipt_kannel(&t, SMSID, "&status=1"), 200);
	test_receipt_field_is(&t, "receipt", "delivered");
	test_receipt_audited(&t, 1);
	test_receipt_close(&t);
}

/* Start the server, run the tests, stop it. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_kannel_delivered),
		cmocka_unit_test(test_before_sent),
		cmocka_unit_test(test_kannel_undelivered),
		cmocka_unit_test(test_kannel_interim),
		cmocka_unit_test(test_final_is_final),
		cmocka_unit_test(test_answer_bounded),
		cmocka_unit_test(test_twilio),
		cmocka_unit_test(test_authentic),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_log_injection),
		cmocka_unit_test(test_redis_down),
	};

	log_set_level(LOG_LEVEL_ERR);
	return testredis_run(&ts, "receipt", tests,
	    sizeof tests / sizeof tests[0]);
}
