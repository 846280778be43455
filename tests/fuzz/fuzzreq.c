/*
 * fuzzreq.c - a request made from the bytes a client sends, as the
 * listener reads it
 *
 * fuzzreq.h says how the bytes are read. The split is libmicrohttpd's in
 * outline only: enough to make every request it would hand over, and
 * some it would refuse, which the handlers must take all the same.
 */
#include "build.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzzlog.h"
#include "fuzzreq.h"
#include "httphead.h"
#include "httpreq.h"
#include "xmalloc.h"

/* Check what httphead_check() says of data[0..size). */
static int
fuzzreq_head(const uint8_t *data, size_t size, size_t *headlen)
{
	const char	*p = (const char *)data, *why, *why2;
	size_t		 again;
	int		 rc, rc2;

	*headlen = 0;
	rc = httphead_check(p, size, headlen, &why);
	if (rc != 0 && rc != 200 && rc != 400 && rc != 413 && rc != 431)
		fuzzlog_fail("the head check said %d", rc);
	if ((rc == 0 || rc == 200) != (why == NULL))
		fuzzlog_fail("the head check said %d, with%s a reason", rc,
		    why == NULL ? "out" : "");
	if ((rc == 431 && size < HTTPHEAD_MAX) ||
	    (rc == 0 && size >= HTTPHEAD_MAX))
		fuzzlog_fail("the head check said %d of %zu bytes", rc, size);
	if (rc == 0 || rc == 431)
		return rc;
	if (*headlen == 0 || *headlen > size || p[*headlen - 1] != '\n')
		fuzzlog_fail("a head of %zu bytes out of %zu", *headlen, size);
	rc2 = httphead_check(p, *headlen, &again, &why2);
	if (rc2 != rc || again != *headlen)
		fuzzlog_fail("the head alone: %d and %zu, not %d and %zu",
		    rc2, again, rc, *headlen);
	return rc;
}

/*
 * Make a request from its request line; NULL if libmicrohttpd would not
 * read it as one, or the listener would answer 405.
 */
static struct httpreq *
fuzzreq_line(char *line, const char *peer)
{
	char	*target, *version;

	if ((target = strchr(line, ' ')) == NULL ||
	    (version = strchr(target + 1, ' ')) == NULL)
		return NULL;
	*target++ = *version++ = '\0';
	if ((strcmp(line, "GET") != 0 && strcmp(line, "HEAD") != 0 &&
	    strcmp(line, "POST") != 0) || strncmp(version, "HTTP/1.", 7) != 0)
		return NULL;
	return httpreq_new(line, target, peer);
}

/*
 * Make the request that libmicrohttpd would read from head[0..len) and
 * body[0..blen): NULL if it would not call the listener with one.
 */
static struct httpreq *
fuzzreq_split(const char *head, size_t len, const char *body, size_t blen,
    const char *peer)
{
	struct httpreq		*req = NULL;
	const char		*p = head, *end = head + len, *lf, *colon;
	char			*line, *name, *value;
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
			req = fuzzreq_line(line, peer);
			free(line);
			if (req == NULL)
				return NULL;
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
	if (req != NULL && httpreq_add_body(req, body, cl < blen ? cl :
	    blen) != 0) {
		httpreq_free(req);	/* the listener's 413 */
		return NULL;
	}
	return req;
}

/* Return 1 if s[0..len) holds "%00" or, if raw is set, a NUL byte. */
static int
fuzzreq_has_nul(const char *s, size_t len, int raw)
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

/* Make the request the listener would hand its handler. */
struct httpreq *
fuzzreq_read(const uint8_t *data, size_t size, const char *peer)
{
	struct httpreq	*req;
	const char	*p = (const char *)data;
	size_t		 headlen, blen;

	if (fuzzreq_head(data, size, &headlen) != 200)
		return NULL;
	blen = size - headlen;
	if ((req = fuzzreq_split(p, headlen, p + headlen, blen, peer)) == NULL)
		return NULL;
	if (httpreq_prepare(req) != 0) {
		if (!fuzzreq_has_nul(p, headlen, 0) &&
		    !fuzzreq_has_nul(p + headlen, blen, 1))
			fuzzlog_fail("a request refused without a NUL");
		httpreq_free(req);
		return NULL;
	}
	return req;
}

/* Return the input percent-decoded, NUL bytes as spaces. */
char *
fuzzreq_text(const uint8_t *data, size_t size)
{
	char	*raw, *text;
	size_t	 i;

	raw = xmalloc(size + 1);
	for (i = 0; i < size; i++)
		raw[i] = data[i] != '\0' ? (char)data[i] : ' ';
	raw[size] = '\0';
	if ((text = httpreq_decode(raw, size, 1)) == NULL)
		return raw;	/* a %00 */
	if (strlen(text) > size)
		fuzzlog_fail("decoded longer than the text");
	free(raw);
	return text;
}
