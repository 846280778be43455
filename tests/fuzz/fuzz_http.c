/*
 * fuzz_http.c - a fuzz target for the requests of /receipt, /inbound and
 * /unsubscribe
 *
 * LLVMFuzzerTestOneInput() reads the input as the bytes a client sends
 * the listener. httphead_check() judges them first, as the listener does
 * before it hands a connection to libmicrohttpd. A complete head that it
 * lets through is split as libmicrohttpd reads one - the request line
 * (METHOD TARGET VERSION, after any empty lines) and "name: value"
 * header lines, a line that starts with a space or has no colon ending
 * the test, as libmicrohttpd would answer it itself - with the rest of
 * the input as the body, cut at the Content-Length if there is one. For
 * GET, HEAD and POST, the request is made with httpreq_new() and
 * prepared as the listener prepares it, and handed to each of
 * receipt_handle(), inbound_handle() and unsubscribe_handle() in turn,
 * under a configuration with all three keys set and Redis on a unix
 * socket that does not exist: every path that needs Redis ends there,
 * with the handler's 503.
 *
 * Checks: httphead_check() says 0 (more to come), 200 or a status of
 * its own with a reason, a head length that ends on a line feed, 431 only
 * for HTTPHEAD_MAX bytes or more, and says the same of the head alone;
 * httpreq_prepare() refuses a request only for a NUL byte in it
 * (%00, or a raw one in the body); each handler answers with a status it
 * can give without Redis (a receipt is never recorded, a STOP never
 * taken), a body of UTF-8, a content type and extra header of its own,
 * and leaves no Redis connection behind; and what they log, at debug
 * level, is lines of UTF-8 with a priority prefix and no control
 * character, that hold none of the three keys nor the sender's number
 * whole.
 *
 * Built with clang -fsanitize=fuzzer (make fuzz), libFuzzer drives it.
 * Built without, main() feeds it the seed corpus in tests/fuzz/http -
 * the requests of Kannel, of a Twilio-style gateway and of a mail
 * provider, with valid tokens under the keys below - and reproducible
 * mutations of them (fuzzdrive.c).
 */
#include "build.h"

#include <sys/stat.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "catalog.h"
#include "config.h"
#include "fixture.h"
#include "fuzzdrive.h"
#include "http.h"
#include "httphead.h"
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
#define FUZZ_HTTP_LOG_MAX	65536

/* Where sanitizers report while stderr is being captured. */
void	__sanitizer_set_report_fd(void *) __attribute__((weak));

/* What the target keeps from one input to the next. */
static struct {
	struct config	*cf;
	struct catalog	*cat;
	int		 err;		/* the real stderr */
	FILE		*log;		/* where stderr goes meanwhile */
} fuzz_http;

/* Report what is wrong, with stderr put back, and abort. */
static void __attribute__((noreturn, format(printf, 1, 2)))
fuzz_http_fail(const char *fmt, ...)
{
	va_list	ap;

	fflush(stderr);
	dup2(fuzz_http.err, STDERR_FILENO);
	fprintf(stderr, "fuzz_http: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

/* Write key to the file name in fx, mode 0600 as a secret file's is. */
static void
fuzz_http_key(const struct fixture *fx, const char *name, const char *key)
{
	char	*path;

	fixture_write(fx, name, key);
	path = xasprintf("%s/%s", fx->dir, name);
	if (chmod(path, 0600) != 0)
		fuzz_http_fail("cannot chmod %s", path);
	free(path);
}

/* Free what the target kept (at exit, for leak checkers). */
static void
fuzz_http_cleanup(void)
{
	catalog_free(fuzz_http.cat);
	config_free(fuzz_http.cf);
	if (fuzz_http.log != NULL)
		fclose(fuzz_http.log);
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
	fuzz_http_key(&fx, "dlr.key", FUZZ_HTTP_DLR_KEY "\n");
	fuzz_http_key(&fx, "inbound.key", FUZZ_HTTP_INBOUND_KEY "\n");
	fuzz_http_key(&fx, "unsub.key", FUZZ_HTTP_UNSUB_KEY "\n");
	text = xasprintf("redis = { url = \"unix://%s/none/redis.sock\"; };\n"
	    "templates = {\n\tdir = \"%s\";\n"
	    "\tunsubscribe_url = \"https://311.example.org/unsubscribe\";\n"
	    "\tunsubscribe_secret_file = \"%s/unsub.key\";\n};\n"
	    "sms = {\n\tdlr_url = \"http://127.0.0.1:9311/receipt\";\n"
	    "\tdlr_secret_file = \"%s/dlr.key\";\n"
	    "\tinbound_secret_file = \"%s/inbound.key\";\n};\n", fx.dir,
	    FUZZ_HTTP_TEMPLATES, fx.dir, fx.dir, fx.dir);
	fixture_write(&fx, "closeloopd.conf", text);
	conf = xasprintf("%s/closeloopd.conf", fx.dir);
	if ((fuzz_http.cf = config_load(conf, &cause)) == NULL)
		fuzz_http_fail("configuration: %s", cause);
	fuzz_http.cat = catalog_load(fuzz_http.cf->templates_dir, "en",
	    &cause);
	if (fuzz_http.cat == NULL)
		fuzz_http_fail("templates: %s", cause);
	fixture_cleanup(&fx);
	free(text);
	free(conf);
	if ((fuzz_http.err = dup(STDERR_FILENO)) == -1 ||
	    (fuzz_http.log = tmpfile()) == NULL)
		fuzz_http_fail("cannot capture stderr");
	if (__sanitizer_set_report_fd != NULL)
		__sanitizer_set_report_fd((void *)(intptr_t)fuzz_http.err);
	log_set_level(LOG_LEVEL_DEBUG);
	atexit(fuzz_http_cleanup);
}

/* Check what httphead_check() says of data[0..size). */
static int
fuzz_http_head(const uint8_t *data, size_t size, size_t *headlen)
{
	const char	*p = (const char *)data, *why, *why2;
	size_t		 again;
	int		 rc, rc2;

	*headlen = 0;
	rc = httphead_check(p, size, headlen, &why);
	if (rc != 0 && rc != 200 && rc != 400 && rc != 413 && rc != 431)
		fuzz_http_fail("the head check said %d", rc);
	if ((rc == 0 || rc == 200) != (why == NULL))
		fuzz_http_fail("the head check said %d, with%s a reason", rc,
		    why == NULL ? "out" : "");
	if ((rc == 431 && size < HTTPHEAD_MAX) ||
	    (rc == 0 && size >= HTTPHEAD_MAX))
		fuzz_http_fail("the head check said %d of %zu bytes", rc,
		    size);
	if (rc == 0 || rc == 431)
		return rc;
	if (*headlen == 0 || *headlen > size || p[*headlen - 1] != '\n')
		fuzz_http_fail("a head of %zu bytes out of %zu", *headlen,
		    size);
	rc2 = httphead_check(p, *headlen, &again, &why2);
	if (rc2 != rc || again != *headlen)
		fuzz_http_fail("the head alone: %d and %zu, not %d and %zu",
		    rc2, again, rc, *headlen);
	return rc;
}

/*
 * Make the request that libmicrohttpd would read from head[0..len) and
 * body[0..blen): NULL if it would not call the listener with one.
 */
static struct httpreq *
fuzz_http_request(const char *head, size_t len, const char *body,
    size_t blen)
{
	struct httpreq		*req = NULL;
	const char		*p = head, *end = head + len, *lf, *colon;
	char			*line, *target, *version, *name, *value;
	size_t			 n, cl = blen;

	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	for (; p < end && (lf = memchr(p, '\n', end - p)) != NULL;
	    p = lf + 1) {
		n = lf - p;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0)
			break;
		line = xstrndup(p, n);
		if (req == NULL) {
			if ((target = strchr(line, ' ')) == NULL ||
			    (version = strchr(target + 1, ' ')) == NULL) {
				free(line);
				return NULL;
			}
			*target++ = *version++ = '\0';
			if ((strcmp(line, "GET") != 0 &&
			    strcmp(line, "HEAD") != 0 &&
			    strcmp(line, "POST") != 0) ||
			    strncmp(version, "HTTP/1.", 7) != 0) {
				free(line);
				return NULL;
			}
			req = httpreq_new(line, target, "192.0.2.7");
			free(line);
			continue;
		}
		if (*line == ' ' || *line == '\t' ||
		    (colon = strchr(line, ':')) == NULL) {
			free(line);
			httpreq_free(req);
			return NULL;
		}
		name = xstrndup(line, colon - line);
		for (value = (char *)colon + 1; *value == ' ' ||
		    *value == '\t'; value++)
			continue;
		if (strcasecmp(name, "Content-Length") == 0)
			cl = strtoul(value, NULL, 10);
		httpreq_add_header(req, name, value);
		free(name);
		free(line);
	}
	if (req != NULL)
		httpreq_add_body(req, body, cl < blen ? cl : blen);
	return req;
}

/* Return 1 if s[0..len) holds "%00" or, if raw is set, a NUL byte. */
static int
fuzz_http_has_nul(const char *s, size_t len, int raw)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (raw && s[i] == '\0')
			return 1;
		if (s[i] == '%' && len - i >= 3 && s[i + 1] == '0' &&
		    s[i + 2] == '0')
			return 1;
	}
	return 0;
}

/* Check one handler's answer: status one of allowed (0-terminated). */
static void
fuzz_http_answer(const char *who, const struct http_response *resp,
    const int *allowed, struct redis *r)
{
	const char	*why;
	size_t		 bad;
	int		 i;

	for (i = 0; allowed[i] != 0 && allowed[i] != resp->status; i++)
		continue;
	if (allowed[i] == 0)
		fuzz_http_fail("%s answered %d", who, resp->status);
	if (r != NULL)
		fuzz_http_fail("%s kept a Redis connection", who);
	if (resp->body == NULL || syntax_utf8(resp->body,
	    strlen(resp->body), &bad, &why) != 0)
		fuzz_http_fail("%s answered a body that is not UTF-8", who);
	if (resp->content_type != NULL &&
	    strcmp(resp->content_type, "text/html; charset=utf-8") != 0 &&
	    strcmp(resp->content_type, "application/xml; charset=utf-8") != 0)
		fuzz_http_fail("%s answered type %s", who,
		    resp->content_type);
	if (resp->nheaders > 1 || (resp->nheaders == 1 &&
	    (strcmp(resp->headers[0].name, "X-Kannel-Coding") != 0 ||
	    strcmp(resp->headers[0].value, "2") != 0)))
		fuzz_http_fail("%s answered an extra header", who);
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
	static char	 buf[FUZZ_HTTP_LOG_MAX + 1];
	const char	*keys[] = { FUZZ_HTTP_DLR_KEY, FUZZ_HTTP_INBOUND_KEY,
	    FUZZ_HTTP_UNSUB_KEY };
	const char	*line, *eol, *why;
	size_t		 i, bad;
	ssize_t		 n;
	int		 fd = fileno(fuzz_http.log);

	dup2(fuzz_http.err, STDERR_FILENO);
	n = pread(fd, buf, FUZZ_HTTP_LOG_MAX, 0);
	if (n < 0 || ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
		fuzz_http_fail("cannot read the log back");
	buf[n] = '\0';
	if (memchr(buf, '\0', (size_t)n) != NULL)
		fuzz_http_fail("a NUL byte logged");
	for (line = buf; line < buf + n; line = eol + 1) {
		if ((eol = strchr(line, '\n')) == NULL)
			fuzz_http_fail("a line without its end: %s", line);
		if (line[0] != '<' || line[1] < '3' || line[1] > '7' ||
		    line[2] != '>')
			fuzz_http_fail("a line without its priority: %.80s",
			    line);
		for (i = 0; line + i < eol; i++) {
			if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f ||
			    ((unsigned char)line[i] == 0xc2 &&
			    (unsigned char)line[i + 1] < 0xa0 &&
			    (unsigned char)line[i + 1] >= 0x80))
				fuzz_http_fail("a control character logged: "
				    "%.80s", line);
		}
		if (syntax_utf8(line, eol - line, &bad, &why) != 0)
			fuzz_http_fail("a line that is not UTF-8: %.80s", line);
	}
	for (i = 0; req != NULL && i < sizeof keys / sizeof keys[0]; i++) {
		if (strstr(buf, keys[i]) != NULL &&
		    fuzz_http_secret(req, text, keys[i]))
			fuzz_http_fail("a key logged: %s", buf);
	}
	if (number != NULL && strstr(buf, number) != NULL)
		fuzz_http_fail("the number %s logged whole: %s", number, buf);
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
 * Feed one request to the three handlers and check what they do; text
 * is the input, decoded.
 */
static void
fuzz_http_handlers(struct httpreq *req, const char *text)
{
	static const int	 receipt[] = { 400, 403, 410, 503, 0 };
	static const int	 inbound[] = { 200, 400, 403, 503, 0 };
	static const int	 unsub[] = { 200, 400, 403, 503, 0 };
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

	number = fuzz_http_number(req);
	fuzz_http_logged(req, text, number);
	free(number);
}

/* Judge one input (see the top). */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct httpreq		*req;
	const char		*p = (const char *)data;
	size_t			 headlen, blen, i;
	char			*raw, *text;

	fuzz_http_init();
	if (fuzz_http_head(data, size, &headlen) != 200)
		return 0;
	blen = size - headlen;
	/* The whole input decoded, NUL bytes as spaces, for the key check. */
	raw = xmalloc(size + 1);
	for (i = 0; i < size; i++)
		raw[i] = p[i] != '\0' ? p[i] : ' ';
	raw[size] = '\0';
	if ((text = httpreq_decode(raw, size, 1)) == NULL)
		text = xstrdup(raw);	/* a %00 */
	else if (strlen(text) > size)
		fuzz_http_fail("decoded longer than the text");
	free(raw);

	dup2(fileno(fuzz_http.log), STDERR_FILENO);
	if ((req = fuzz_http_request(p, headlen, p + headlen, blen)) == NULL)
		fuzz_http_logged(NULL, text, NULL);
	else if (httpreq_prepare(req) != 0) {
		if (!fuzz_http_has_nul(p, headlen, 0) &&
		    !fuzz_http_has_nul(p + headlen, blen, 1))
			fuzz_http_fail("a request refused without a NUL");
		fuzz_http_logged(NULL, text, NULL);
	} else
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
		FUZZDRIVE_PIECE("99999999999999999999"),
	};

	return fuzzdrive_main(argc, argv, "fuzz_http", "tests/fuzz/http",
	    pieces, sizeof pieces / sizeof pieces[0]);
}
#endif
