/*
 * fuzz_http.c - a fuzz target for the requests of /receipt, /inbound,
 * /unsubscribe and /answer
 *
 * LLVMFuzzerTestOneInput() reads the input as the bytes a client sends
 * the listener, and makes of it the request the listener would hand its
 * handler (fuzzreq.h, with its checks of what the listener's parts say).
 * The request is handed to each of receipt_handle(), inbound_handle(),
 * unsubscribe_handle() and answerpage_handle() in turn, under a
 * configuration with all four keys set and Redis on a unix socket that
 * does not exist: every path that needs Redis ends there, with the
 * handler's 503.
 *
 * Checks: each handler answers with a status it can give without Redis
 * (a receipt is never recorded, a STOP never taken), a body of UTF-8, a
 * content type and extra headers of its own, and leaves no Redis
 * connection behind; and what they log, at debug level, is lines of
 * UTF-8 with a priority prefix and no control character (fuzzlog.h),
 * that hold none of the four keys nor the sender's number whole.
 *
 * Built with clang -fsanitize=fuzzer (make fuzz), libFuzzer drives it.
 * Built without, main() feeds it the seed corpus in tests/fuzz/http -
 * the requests of Kannel, of a Twilio-style gateway, of a mail provider
 * and of a resident's browser, with valid tokens under the keys below
 * (an answer link's, of question 2026-000101/4/0 until 1999999999) -
 * and reproducible
 * mutations of them (fuzzdrive.c).
 */
#include "build.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "config.h"
#include "fixture.h"
#include "fuzzdrive.h"
#include "fuzzlog.h"
#include "fuzzreq.h"
#include "answerpage.h"
#include "http.h"
#include "httpreq.h"
#include "inbound.h"
#include "log.h"
#include "receipt.h"
#include "redis.h"
#include "syntax.h"
#include "unsubscribe.h"
#include "xmalloc.h"

#ifndef FUZZ_HTTP_TEMPLATES
#define FUZZ_HTTP_TEMPLATES	"templates"
#endif
#define FUZZ_HTTP_DLR_KEY	"fuzz-dlr-key-3c1d"
#define FUZZ_HTTP_INBOUND_KEY	"fuzz-inbound-key-77a0"
#define FUZZ_HTTP_UNSUB_KEY	"fuzz-unsub-key-e5b2"
#define FUZZ_HTTP_ANSWER_KEY	"fuzz-answer-key-4d21"

/* What the target keeps from one input to the next. */
static struct {
	struct config	*cf;
	struct catalog	*cat;
} fuzz_http;

/* Free what the target kept (at exit, for leak checkers). */
static void
fuzz_http_cleanup(void)
{
	catalog_free(fuzz_http.cat);
	config_free(fuzz_http.cf);
	fuzzlog_stop();
}

/*
 * Load the configuration and templates once; the files written for them
 * are removed at once, so that an input that aborts leaves nothing.
 */
static void
fuzz_http_init(void)
{
	struct fixture	 fx;
	char		*conf, *text, *cause = NULL;

	if (fuzz_http.cf != NULL)
		return;
	fixture_open(&fx);
	fixture_secret(&fx, "dlr.key", FUZZ_HTTP_DLR_KEY "\n");
	fixture_secret(&fx, "inbound.key", FUZZ_HTTP_INBOUND_KEY "\n");
	fixture_secret(&fx, "unsub.key", FUZZ_HTTP_UNSUB_KEY "\n");
	fixture_secret(&fx, "answer.key", FUZZ_HTTP_ANSWER_KEY "\n");
	text = xasprintf("redis = { url = \"unix://%s/none/redis.sock\"; };\n"
	    "templates = {\n\tdir = \"%s\";\n"
	    "\tunsubscribe_url = \"https://311.example.org/unsubscribe\";\n"
	    "\tunsubscribe_secret_file = \"%s/unsub.key\";\n};\n"
	    "sms = {\n\tdlr_url = \"http://127.0.0.1:9311/receipt\";\n"
	    "\tdlr_secret_file = \"%s/dlr.key\";\n"
	    "\tinbound_secret_file = \"%s/inbound.key\";\n};\n"
	    "feedback = {\n\tanswer_url = \"https://311.example.org/answer\";\n"
	    "\tanswer_secret_file = \"%s/answer.key\";\n};\n", fx.dir,
	    FUZZ_HTTP_TEMPLATES, fx.dir, fx.dir, fx.dir, fx.dir);
	fixture_write(&fx, "closeloopd.conf", text);
	conf = xasprintf("%s/closeloopd.conf", fx.dir);
	if ((fuzz_http.cf = config_load(conf, &cause)) == NULL)
		fuzzlog_fail("configuration: %s", cause);
	fuzz_http.cat = catalog_load(fuzz_http.cf->templates_dir, "en",
	    &cause);
	if (fuzz_http.cat == NULL)
		fuzzlog_fail("templates: %s", cause);
	fixture_cleanup(&fx);
	free(text);
	free(conf);
	fuzzlog_start("fuzz_http");
	atexit(fuzz_http_cleanup);
}

/* Return 1 if header i of resp is one a page of /answer sends. */
static int
fuzz_http_page_header(const struct http_response *resp, size_t i)
{
	return strcmp(resp->headers[i].name, "Cache-Control") == 0 ||
	    strcmp(resp->headers[i].name, "Referrer-Policy") == 0 ||
	    strcmp(resp->headers[i].name, "Content-Security-Policy") == 0;
}

/* Check one handler's answer: status one of allowed (0-terminated). */
static void
fuzz_http_answer(const char *who, const struct http_response *resp,
    const int *allowed, struct redis *r)
{
	const char	*why;
	size_t		 bad, h;
	int		 i;

	for (i = 0; allowed[i] != 0 && allowed[i] != resp->status; i++)
		continue;
	if (allowed[i] == 0)
		fuzzlog_fail("%s answered %d", who, resp->status);
	if (r != NULL)
		fuzzlog_fail("%s kept a Redis connection", who);
	if (resp->body == NULL || syntax_utf8(resp->body,
	    strlen(resp->body), &bad, &why) != 0)
		fuzzlog_fail("%s answered a body that is not UTF-8", who);
	if (resp->content_type != NULL &&
	    strcmp(resp->content_type, "text/html; charset=utf-8") != 0 &&
	    strcmp(resp->content_type, "application/xml; charset=utf-8") != 0)
		fuzzlog_fail("%s answered type %s", who,
		    resp->content_type);
	if (strcmp(who, "/answer") == 0) {
		for (h = 0; h < resp->nheaders; h++)
			if (!fuzz_http_page_header(resp, h))
				fuzzlog_fail("%s answered header %s", who,
				    resp->headers[h].name);
	} else if (resp->nheaders > 1 || (resp->nheaders == 1 &&
	    (strcmp(resp->headers[0].name, "X-Kannel-Coding") != 0 ||
	    strcmp(resp->headers[0].value, "2") != 0)))
		fuzzlog_fail("%s answered an extra header", who);
}

/* Count the times key occurs in s. */
static size_t
fuzz_http_count(const char *s, const char *key)
{
	size_t	n = 0;

	while ((s = strstr(s, key)) != NULL) {
		n++;
		s++;
	}
	return n;
}

/*
 * Return 1 if the request carries key only where a key goes (the token
 * argument, the X-Closeloop-Secret header), so that the key in a log
 * line is a leak; 0 if it carries it elsewhere too (in an id, say),
 * where a log line may rightly quote it. text is the input, decoded.
 */
static int
fuzz_http_secret(const struct httpreq *req, const char *text,
    const char *key)
{
	const char	*token = httpreq_arg(req, "token");
	const char	*header = httpreq_header(req, "X-Closeloop-Secret");
	size_t		 n = fuzz_http_count(text, key);

	if (token != NULL && strcmp(token, key) == 0)
		n--;
	if (header != NULL && strcmp(header, key) == 0 && n > 0)
		n--;
	return n == 0;
}

/*
 * Check what was logged: lines of UTF-8 with a priority prefix, no
 * control character, no key that req (NULL: none) carries only where a
 * key goes (text is the input, decoded) and not the whole of number (if
 * not NULL).
 */
static void
fuzz_http_logged(const struct httpreq *req, const char *text,
    const char *number)
{
	const char	*keys[] = { FUZZ_HTTP_DLR_KEY, FUZZ_HTTP_INBOUND_KEY,
	    FUZZ_HTTP_UNSUB_KEY, FUZZ_HTTP_ANSWER_KEY };
	const char	*buf = fuzzlog_read();
	size_t		 i;

	for (i = 0; req != NULL && i < sizeof keys / sizeof keys[0]; i++) {
		if (strstr(buf, keys[i]) != NULL &&
		    fuzz_http_secret(req, text, keys[i]))
			fuzzlog_fail("a key logged: %s", buf);
	}
	if (number != NULL && strstr(buf, number) != NULL)
		fuzzlog_fail("the number %s logged whole: %s", number, buf);
}

/*
 * Return the digits of the sender's number if it is long enough to be
 * masked in a log (allocated), or NULL.
 */
static char *
fuzz_http_number(const struct httpreq *req)
{
	const char	*from = httpreq_arg(req, "From");
	size_t		 n;

	if (from == NULL)
		from = httpreq_arg(req, "from");
	if (from == NULL)
		return NULL;
	from += strspn(from, "+0");
	n = strspn(from, "0123456789");
	return n >= 8 ? xstrndup(from, n) : NULL;
}

/*
 * Feed one request to the four handlers and check what they do; text
 * is the input, decoded.
 */
static void
fuzz_http_handlers(struct httpreq *req, const char *text)
{
	static const int	 receipt[] = { 400, 403, 410, 503, 0 };
	static const int	 inbound[] = { 200, 400, 403, 503, 0 };
	static const int	 unsub[] = { 200, 400, 403, 503, 0 };
	static const int	 answer[] = { 400, 403, 503, 0 };
	struct http_response	 resp;
	struct redis		*r = NULL;
	char			*number;

	memset(&resp, 0, sizeof resp);
	receipt_handle(fuzz_http.cf, &r, req, &resp);
	fuzz_http_answer("/receipt", &resp, receipt, r);
	httpresp_clear(&resp);

	memset(&resp, 0, sizeof resp);
	inbound_handle(fuzz_http.cf, fuzz_http.cat, &r, req, &resp);
	fuzz_http_answer("/inbound", &resp, inbound, r);
	httpresp_clear(&resp);

	memset(&resp, 0, sizeof resp);
	unsubscribe_handle(fuzz_http.cf, &r, req, &resp);
	fuzz_http_answer("/unsubscribe", &resp, unsub, r);
	httpresp_clear(&resp);

	memset(&resp, 0, sizeof resp);
	answerpage_handle(fuzz_http.cf, &r, req, &resp);
	fuzz_http_answer("/answer", &resp, answer, r);
	httpresp_clear(&resp);

	number = fuzz_http_number(req);
	fuzz_http_logged(req, text, number);
	free(number);
}

/* Judge one input (see the top). */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct httpreq	*req;
	char		*text;

	fuzz_http_init();
	text = fuzzreq_text(data, size);
	fuzzlog_catch();
	if ((req = fuzzreq_read(data, size, "192.0.2.7")) == NULL)
		fuzz_http_logged(NULL, text, NULL);
	else
		fuzz_http_handlers(req, text);
	httpreq_free(req);
	free(text);
	return 0;
}

#ifndef FUZZ_LIBFUZZER
/* Feed the corpus and its mutations to the target. */
int
main(int argc, char **argv)
{
	static const struct fuzzdrive_piece	 pieces[] = {
		FUZZDRIVE_PIECE("\0"), FUZZDRIVE_PIECE("\r\n"),
		FUZZDRIVE_PIECE("\n"), FUZZDRIVE_PIECE("\r\n\r\n"),
		FUZZDRIVE_PIECE("%00"), FUZZDRIVE_PIECE("%0d%0a"),
		FUZZDRIVE_PIECE("%1b[2J"), FUZZDRIVE_PIECE("%C2%9B"),
		FUZZDRIVE_PIECE("%C3%A9"), FUZZDRIVE_PIECE("%E2%80"),
		FUZZDRIVE_PIECE("&status=1"), FUZZDRIVE_PIECE("&status=16"),
		FUZZDRIVE_PIECE("&exp=1"), FUZZDRIVE_PIECE("&text=STOP"),
		FUZZDRIVE_PIECE("&text=HELP"), FUZZDRIVE_PIECE("&answer="),
		FUZZDRIVE_PIECE("&token=" FUZZ_HTTP_INBOUND_KEY),
		FUZZDRIVE_PIECE("&from=%2B14165550100"),
		FUZZDRIVE_PIECE("Content-Length: 12abc\r\n"),
		FUZZDRIVE_PIECE("X-Closeloop-Secret: " FUZZ_HTTP_DLR_KEY
		    "\r\n"),
		FUZZDRIVE_PIECE("&List-Unsubscribe=One-Click"),
		FUZZDRIVE_PIECE("&answer=not_fixed"),
		FUZZDRIVE_PIECE("&comment=%E6%B2%A1%E6%9C%89"),
		FUZZDRIVE_PIECE("99999999999999999999"),
	};

	return fuzzdrive_main(argc, argv, "fuzz_http", "tests/fuzz/http",
	    pieces, sizeof pieces / sizeof pieces[0]);
}
#endif
