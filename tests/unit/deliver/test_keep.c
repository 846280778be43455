/*
 * test_keep.c - unit tests for the messages kept as sent (keep.c)
 *
 * The kept copy of an email has the length of the message sent and
 * differs from it only in the recorded spans, whose hashes are those of
 * the bytes sent there: in a header, in a quoted-printable body where a
 * soft line break falls inside the token, and in a base64 body. The
 * record is written and read back through a private redis-server, and a
 * record whose body changed does not read back.
 */
#include "build.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "deflate.h"
#include "digest.h"
#include "keep.h"
#include "mime.h"
#include "redis.h"
#include "testredis.h"
#include "testserver.h"
#include "txn.h"
#include "xmalloc.h"

static struct testserver ts;

#define TOKEN	"0123456789abcdef0123456789abcdef" \
		"fedcba9876543210fedcba9876543210"
#define URL	"https://city.example/u?sr=1&c=00&exp=9&token=" TOKEN

/* Fill m with a notice whose link carries TOKEN. */
static void
test_keep_msg(struct mime_msg *m, const char *text, const char *html)
{
	memset(m, 0, sizeof *m);
	m->from_addr = "noreply@city.example";
	m->to_addr = "resident@example.org";
	m->subject = "Your service request";
	m->text = text;
	m->html = html;
	m->message_id = "<1.1.0@city.example>";
	m->list_unsubscribe = URL;
	m->language = "en";
	m->date = 1780000000;
}

/*
 * Build m, keep it with TOKEN blanked, and check what every kept copy
 * must be: as long as the message, without the token, equal to it
 * outside the spans, the spans' hashes those of the bytes sent, each
 * span blank in the copy. Returns the copy; *sent is the message.
 */
static struct keep *
test_keep_check(const struct mime_msg *m, char **sent, size_t *len)
{
	const char	*secrets[] = { TOKEN, NULL, "" };
	struct keep	*k;
	char		*cause = NULL, sha[DIGEST_HEX_LEN + 1], *back;
	size_t		 i, at = 0, blen;

	assert_int_equal(mime_build(m, sent, len, &cause), 0);
	k = keep_mail(m, *sent, *len, secrets, 3, &cause);
	if (k == NULL)
		fail_msg("keep_mail: %s", cause);
	assert_string_equal(k->format, "eml");
	assert_int_equal(k->len, *len);
	assert_null(memmem(k->body, k->len, TOKEN, 64));
	digest_sha256(*sent, *len, sha);
	assert_string_equal(k->content_sha256, sha);
	digest_sha256(k->body, k->len, sha);
	assert_string_equal(k->sha256, sha);
	for (i = 0; i < k->nspans; i++) {
		assert_true(k->spans[i].off >= at);
		assert_memory_equal(k->body + at, *sent + at,
		    k->spans[i].off - at);
		digest_sha256(*sent + k->spans[i].off, k->spans[i].len, sha);
		assert_string_equal(k->spans[i].sha256, sha);
		assert_true(keep_span_blank(k->body + k->spans[i].off,
		    k->spans[i].len));
		assert_false(keep_span_blank(*sent + k->spans[i].off,
		    k->spans[i].len) && memmem(*sent + k->spans[i].off,
		    k->spans[i].len, "XXXX", 4) != NULL);
		at = k->spans[i].off + k->spans[i].len;
	}
	assert_memory_equal(k->body + at, *sent + at, *len - at);
	assert_int_equal(deflate_inflate(k->z, k->zlen, KEEP_MAX, &back,
	    &blen, &cause), 0);
	assert_int_equal(blen, k->len);
	assert_memory_equal(back, k->body, blen);
	free(back);
	return k;
}

/*
 * Quoted-printable bodies: the header's span, and a soft line break
 * inside the token in the text, which stays one span with it.
 */
static void
test_keep_qp(void **state)
{
	struct mime_msg	 m;
	struct keep	*k;
	char		*sent, *text, *html, *s;
	size_t		 len, i, soft = 0;

	(void)state;
	/* 40 characters, then the URL: the 76-octet line ends in it. */
	text = xasprintf("Your request is closed. Unsubscribe at: %s\n"
	    "Thank you.\n", URL);
	html = xasprintf("<p>Closed.</p><p><a href=\"%s\">unsubscribe</a>"
	    "</p>\n", URL);
	test_keep_msg(&m, text, html);
	k = test_keep_check(&m, &sent, &len);
	assert_int_equal(k->nspans, 3);
	assert_non_null(strstr(sent, "List-Unsubscribe: <"));
	assert_true(strncmp(sent + k->spans[0].off, TOKEN, 64) == 0);
	assert_int_equal(k->spans[0].len, 64);
	for (i = 1; i < 3; i++) {
		if (memmem(sent + k->spans[i].off, k->spans[i].len, "=\r\n",
		    3) != NULL)
			soft++;
	}
	assert_true(soft >= 1);		/* the break fell inside a token */
	s = xasprintf("%zu+64:%s ", k->spans[0].off, k->spans[0].sha256);
	assert_int_equal(strncmp(k->redacted, s, strlen(s)), 0);
	free(s);
	keep_free(k);
	free(sent);
	free(html);
	free(text);
}

/* Bodies mostly not ASCII go base64; the token's runs are spans there. */
static void
test_keep_base64(void **state)
{
	struct mime_msg	 m;
	struct keep	*k;
	char		*sent, *text, *html;
	size_t		 len;

	(void)state;
	text = xasprintf("您的服务请求已处理完毕。感谢您的耐心等待。我们已修复"
	    "路灯。如需退订，请访问：%s\n谢谢。城市服务中心。您的服务请求已处"
	    "理完毕。感谢您的耐心等待。我们已修复路灯。\n", URL);
	html = xasprintf("<p>您的服务请求已处理完毕。感谢您的耐心等待。我们已"
	    "修复路灯。城市服务中心。您的服务请求已处理完毕。</p><a href=\"%s"
	    "\">退订</a>\n", URL);
	test_keep_msg(&m, text, html);
	m.language = "zh";
	k = test_keep_check(&m, &sent, &len);
	assert_non_null(strstr(sent, "Content-Transfer-Encoding: base64"));
	assert_null(strstr(sent, "quoted-printable"));
	assert_int_equal(k->nspans, 3);
	/* Each base64 span covers the token's 64 bytes, at least. */
	assert_true(k->spans[1].len >= 64 * 4 / 3);
	assert_true(k->spans[2].len >= 64 * 4 / 3);
	keep_free(k);
	free(sent);
	free(html);
	free(text);
}

/* Nothing secret: the copy is the message, with no spans. */
static void
test_keep_plain(void **state)
{
	struct mime_msg	 m;
	struct keep	*k;
	char		*sent;
	size_t		 len;

	(void)state;
	test_keep_msg(&m, "Closed.\n", NULL);
	m.list_unsubscribe = NULL;
	k = test_keep_check(&m, &sent, &len);
	assert_int_equal(k->nspans, 0);
	assert_string_equal(k->redacted, "");
	assert_string_equal(k->sha256, k->content_sha256);
	assert_memory_equal(k->body, sent, len);
	keep_free(k);
	free(sent);
}

/* A secret the filler cannot blank where it is (an address): refused. */
static void
test_keep_refused(void **state)
{
	const char	*secrets[] = { "resident" };
	struct mime_msg	 m;
	char		*sent, *cause = NULL;
	size_t		 len;

	(void)state;
	test_keep_msg(&m, "Closed, resident.\n", NULL);
	assert_int_equal(mime_build(&m, &sent, &len, &cause), 0);
	assert_null(keep_mail(&m, sent, len, secrets, 1, &cause));
	assert_string_equal(cause, "a secret is still in the copy with its "
	    "secrets blanked");
	free(cause);
	free(sent);
}

/* Spans parse as written; anything else is refused. */
static void
test_keep_spans(void **state)
{
	struct keep_span	*sp;
	char			*s, *cause = NULL;
	size_t			 n;

	(void)state;
	s = xasprintf("12+64:%s 300+90:%s", TOKEN, TOKEN);
	assert_int_equal(keep_spans_parse(s, &sp, &n, &cause), 0);
	assert_int_equal(n, 2);
	assert_int_equal(sp[0].off, 12);
	assert_int_equal(sp[0].len, 64);
	assert_int_equal(sp[1].off, 300);
	assert_string_equal(sp[1].sha256, TOKEN);
	free(sp);
	free(s);
	assert_int_equal(keep_spans_parse("", &sp, &n, &cause), 0);
	assert_int_equal(n, 0);
	assert_int_equal(keep_spans_parse("12+64:abc", &sp, &n, &cause), -1);
	free(cause);
	cause = NULL;
	s = xasprintf("-1+64:%s", TOKEN);
	assert_int_equal(keep_spans_parse(s, &sp, &n, &cause), -1);
	free(cause);
	free(s);
	assert_true(keep_span_blank("XXXX=\r\nXX", 9));
	assert_false(keep_span_blank("=\r\n", 3));
	assert_false(keep_span_blank("ab<cd", 5));
}

/*
 * The record: written in a transaction with its fields and expiry,
 * read back as kept; an SMS kept as it is; a body that changed, or is
 * not there, does not read back.
 */
static void
test_keep_record(void **state)
{
	struct config	*cf;
	struct redis	*r;
	struct mime_msg	 m;
	struct keep	*k, *back, *sms;
	struct txn	 tx;
	char		*sent, *text, *cause = NULL, *v;
	size_t		 len;

	(void)state;
	cf = testserver_config(&ts, NULL, "audit = { retain_days = 7; };");
	r = testredis_open(cf);
	text = xasprintf("Unsubscribe: %s\n", URL);
	test_keep_msg(&m, text, NULL);
	k = test_keep_check(&m, &sent, &len);
	sms = keep_sms("Your request 1 is closed.", &cause);
	assert_non_null(sms);
	assert_string_equal(sms->sha256, sms->content_sha256);
	txn_begin(&tx, r);
	keep_queue(&tx, cf, "1/1/0", "email", k, 1780000000123LL);
	keep_queue(&tx, cf, "1/2/0", "sms", sms, 1780000000456LL);
	assert_int_equal(txn_exec(&tx, "1", &cause), 1);
	assert_int_equal(testredis_int(r, "TTL closeloop:msg:1/1/0"),
	    7 * 86400);
	v = testredis_hget(r, "closeloop:msg:1/1/0", "format");
	assert_string_equal(v, "eml");
	free(v);
	v = testredis_hget(r, "closeloop:msg:1/1/0", "redacted");
	assert_string_equal(v, k->redacted);
	free(v);

	assert_int_equal(keep_read(r, cf, "1/1/0", &back, &cause), 1);
	assert_string_equal(back->format, "eml");
	assert_string_equal(back->channel, "email");
	assert_int_equal(back->at, 1780000000123LL);
	assert_int_equal(back->len, k->len);
	assert_memory_equal(back->body, k->body, k->len);
	assert_string_equal(back->sha256, k->sha256);
	assert_string_equal(back->content_sha256, k->content_sha256);
	assert_int_equal(back->nspans, k->nspans);
	assert_int_equal(back->spans[0].off, k->spans[0].off);
	keep_free(back);
	assert_int_equal(keep_read(r, cf, "1/2/0", &back, &cause), 1);
	assert_string_equal(back->format, "sms");
	assert_string_equal(back->body, "Your request 1 is closed.");
	keep_free(back);

	assert_int_equal(keep_read(r, cf, "1/3/0", &back, &cause), 0);
	assert_null(back);
	assert_int_equal(testredis_int(r, "HSET closeloop:msg:1/1/0 body x"),
	    0);
	assert_int_equal(keep_read(r, cf, "1/1/0", &back, &cause), -1);
	assert_non_null(strstr(cause, "the kept message of 1/1/0: inflate"));
	free(cause);

	keep_free(sms);
	keep_free(k);
	free(sent);
	free(text);
	redis_free(r);
	config_free(cf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keep_qp),
		cmocka_unit_test(test_keep_base64),
		cmocka_unit_test(test_keep_plain),
		cmocka_unit_test(test_keep_refused),
		cmocka_unit_test(test_keep_spans),
		cmocka_unit_test(test_keep_record),
	};

	signal(SIGPIPE, SIG_IGN);
	return testredis_run(&ts, "keep", tests,
	    sizeof tests / sizeof tests[0]);
}
