/*
 * mimeread.c - reading back a kept email: its headers and its parts
 *
 * "closeloop show" prints what a resident received from the kept copy
 * of the message, which is in the shape mime.c builds: CRLF line
 * endings, a header section ended by an empty line, one boundary. The
 * decoders are lenient (a stray character is skipped): they serve a
 * person reading a message whose bytes are proven by their hash. The
 * functions that take a report apart (mimeread_body(), _param(),
 * _parts(), _content()) read mail from anywhere: they take CRLF or LF
 * alone, never read past the length they are given, and find nothing
 * rather than guess.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mimeread.h"
#include "xmalloc.h"

/* Return the value of a hex digit, or -1. */
static int
mimeread_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Return the value of a base64 character, or -1. */
static int
mimeread_b64(int c)
{
	static const char	 alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char		*p;

	if (c == '\0' || (p = strchr(alphabet, c)) == NULL)
		return -1;
	return (int)(p - alphabet);
}

/* Decode n bytes of base64 into out (room for n); returns its length. */
static size_t
mimeread_unbase64(const char *s, size_t n, char *out)
{
	size_t		 i, o = 0;
	unsigned int	 acc = 0;
	int		 v, bits = 0;

	for (i = 0; i < n && s[i] != '='; i++) {
		if ((v = mimeread_b64((unsigned char)s[i])) < 0)
			continue;
		acc = (acc << 6) | (unsigned int)v;
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	return o;
}

/* Decode n bytes of quoted-printable into out; returns its length. */
static size_t
mimeread_unqp(const char *s, size_t n, char *out)
{
	size_t	i, o = 0;
	int	hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] != '=') {
			out[o++] = s[i];
			continue;
		}
		if (i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n')
			i += 2;		/* a soft line break */
		else if (i + 1 < n && s[i + 1] == '\n')
			i += 1;
		else if (i + 2 < n && (hi = mimeread_hex(s[i + 1])) >= 0 &&
		    (lo = mimeread_hex(s[i + 2])) >= 0) {
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			out[o++] = s[i];
	}
	return o;
}

/*
 * Return where the header section of msg ends: the start of its empty
 * line (CRLF, or LF alone), or len.
 */
static size_t
mimeread_head_end(const char *msg, size_t len)
{
	const char	*p = msg, *end = msg + len, *nl;

	if (len > 0 && (msg[0] == '\n' || (msg[0] == '\r' && len > 1 &&
	    msg[1] == '\n')))
		return 0;
	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if ((nl + 1 < end && nl[1] == '\n') ||
		    (nl + 2 < end && nl[1] == '\r' && nl[2] == '\n'))
			return (size_t)(nl + 1 - msg);
		p = nl + 1;
	}
	return len;
}

/* Return the offset of a message's body. */
size_t
mimeread_body(const char *msg, size_t len)
{
	size_t	h = mimeread_head_end(msg, len);

	if (h < len && msg[h] == '\r')
		h++;
	return h < len ? h + 1 : len;
}

/*
 * Return the raw value of header name in the head (hlen bytes), unfolded;
 * NULL if there is none.
 */
static char *
mimeread_raw(const char *head, size_t hlen, const char *name)
{
	size_t	 nlen = strlen(name), i = 0, j, o = 0;
	char	*v;

	while (i < hlen) {
		if (hlen - i > nlen && strncasecmp(head + i, name, nlen) == 0 &&
		    head[i + nlen] == ':')
			break;
		while (i < hlen && head[i] != '\n')
			i++;
		i++;
	}
	if (i >= hlen)
		return NULL;
	i += nlen + 1;
	while (i < hlen && head[i] == ' ')
		i++;
	v = xmalloc(hlen - i + 1);
	for (j = i; j < hlen; j++) {
		if (head[j] == '\r')
			continue;
		if (head[j] == '\n') {
			if (j + 1 >= hlen || (head[j + 1] != ' ' &&
			    head[j + 1] != '\t'))
				break;
			continue;
		}
		v[o++] = head[j];
	}
	v[o] = '\0';
	return v;
}

/* Decode the encoded-words of a header value (UTF-8, B or Q). */
static char *
mimeread_words(const char *v)
{
	const char	*p = v, *w, *q, *end;
	char		*out, *o;
	int		 last_word = 0;

	out = o = xmalloc(strlen(v) + 1);
	while (*p != '\0') {
		if (strncmp(p, "=?", 2) == 0 && (q = strchr(p + 2, '?')) !=
		    NULL && (q[1] == 'B' || q[1] == 'b' || q[1] == 'Q' ||
		    q[1] == 'q') && q[2] == '?' && (end = strstr(q + 3,
		    "?=")) != NULL) {
			w = q + 3;
			if (q[1] == 'B' || q[1] == 'b')
				o += mimeread_unbase64(w, (size_t)(end - w), o);
			else {
				for (; w < end; w++) {
					if (*w == '_')
						*o++ = ' ';
					else if (*w == '=' && w + 2 < end &&
					    mimeread_hex(w[1]) >= 0 &&
					    mimeread_hex(w[2]) >= 0) {
						*o++ = (char)(mimeread_hex(w[1])
						    << 4 | mimeread_hex(w[2]));
						w += 2;
					} else
						*o++ = *w;
				}
			}
			p = end + 2;
			last_word = 1;
			continue;
		}
		/* White space between two encoded-words is not text. */
		if (last_word && *p == ' ' && p[strspn(p, " ")] == '=' &&
		    p[strspn(p, " ") + 1] == '?') {
			p += strspn(p, " ");
			continue;
		}
		last_word = 0;
		*o++ = *p++;
	}
	*o = '\0';
	return out;
}

/* Return a header's value, decoded. */
char *
mimeread_header(const char *msg, size_t len, const char *name)
{
	char	*raw, *v;

	if ((raw = mimeread_raw(msg, mimeread_head_end(msg, len), name)) ==
	    NULL)
		return NULL;
	v = mimeread_words(raw);
	free(raw);
	return v;
}

/* Return a parameter of a header value, unquoted. */
char *
mimeread_param(const char *value, const char *name)
{
	const char	*p = value, *v;
	size_t		 nlen = strlen(name), n;
	char		*out, *o;

	while ((p = strchr(p, ';')) != NULL) {
		p += 1 + strspn(p + 1, " \t");
		if (strncasecmp(p, name, nlen) != 0 ||
		    p[nlen + strspn(p + nlen, " \t")] != '=')
			continue;
		v = p + nlen + strspn(p + nlen, " \t") + 1;
		v += strspn(v, " \t");
		if (*v != '"') {
			n = strcspn(v, "; \t");
			return n > 0 ? xstrndup(v, n) : NULL;
		}
		out = o = xmalloc(strlen(v));
		for (v++; *v != '\0' && *v != '"'; v++) {
			if (*v == '\\' && v[1] != '\0')
				v++;
			*o++ = *v;
		}
		*o = '\0';
		if (*v != '"' || o == out) {
			free(out);
			return NULL;
		}
		return out;
	}
	return NULL;
}

/*
 * Return 1 if the line at p (to end) is a delimiter of boundary dash
 * ("--" and the boundary), setting *last if it is the closing one.
 */
static int
mimeread_delimiter(const char *p, const char *end, const char *dash,
    size_t dlen, int *last)
{
	if ((size_t)(end - p) < dlen || memcmp(p, dash, dlen) != 0)
		return 0;
	p += dlen;
	*last = end - p >= 2 && p[0] == '-' && p[1] == '-';
	if (*last)
		p += 2;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p == end || *p == '\r' || *p == '\n';
}

/* Split a multipart message into its parts. */
size_t
mimeread_parts(const char *msg, size_t len, struct mimeread_span *out,
    size_t max)
{
	const char	*p, *eol, *end = msg + len, *start = NULL, *pe;
	char		*type, *bnd = NULL, *dash;
	size_t		 n = 0, dlen;
	int		 last = 0;

	type = mimeread_raw(msg, mimeread_head_end(msg, len), "Content-Type");
	if (type == NULL || strncasecmp(type, "multipart/", 10) != 0 ||
	    (bnd = mimeread_param(type, "boundary")) == NULL) {
		free(type);
		return 0;
	}
	dash = xasprintf("--%s", bnd);
	dlen = strlen(dash);
	for (p = msg + mimeread_body(msg, len); p < end && !last && n < max;
	    p = eol != NULL ? eol + 1 : end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!mimeread_delimiter(p, eol != NULL ? eol : end, dash, dlen,
		    &last))
			continue;
		if (start != NULL) {
			/* The line break before a delimiter is its own. */
			pe = p > start && p[-1] == '\n' ? p - 1 : p;
			pe = pe > start && pe[-1] == '\r' ? pe - 1 : pe;
			out[n].p = start;
			out[n++].len = (size_t)(pe - start);
		}
		start = eol != NULL ? eol + 1 : end;
	}
	if (start != NULL && !last && n < max) {
		out[n].p = start;
		out[n++].len = (size_t)(end - start);
	}
	free(dash);
	free(bnd);
	free(type);
	return n;
}

/* Decode the body of an entity as its transfer encoding says. */
char *
mimeread_content(const char *s, size_t n, size_t *outlen)
{
	size_t	 b = mimeread_body(s, n);
	char	*cte, *out;

	cte = mimeread_raw(s, mimeread_head_end(s, n),
	    "Content-Transfer-Encoding");
	out = xmalloc(n - b + 1);
	if (cte != NULL && strcasecmp(cte, "base64") == 0)
		*outlen = mimeread_unbase64(s + b, n - b, out);
	else if (cte != NULL && strcasecmp(cte, "quoted-printable") == 0)
		*outlen = mimeread_unqp(s + b, n - b, out);
	else {
		memcpy(out, s + b, n - b);
		*outlen = n - b;
	}
	out[*outlen] = '\0';
	free(cte);
	return out;
}

/*
 * Decode the body of one entity (headers, empty line, body: n bytes at
 * s) if it is text/SUBTYPE; NULL if it is not.
 */
static char *
mimeread_entity(const char *s, size_t n, const char *subtype,
    size_t *outlen)
{
	char	*type, *want, *out = NULL;

	type = mimeread_raw(s, mimeread_head_end(s, n), "Content-Type");
	want = xasprintf("text/%s", subtype);
	if (type != NULL && strncasecmp(type, want, strlen(want)) == 0 &&
	    (type[strlen(want)] == ';' || type[strlen(want)] == '\0'))
		out = mimeread_content(s, n, outlen);
	free(want);
	free(type);
	return out;
}

/* Return the text/SUBTYPE part of a message, decoded. */
char *
mimeread_part(const char *msg, size_t len, const char *subtype,
    size_t *outlen)
{
	const char	*p, *next, *end = msg + len;
	char		*type, *bnd, *delim, *out = NULL;
	size_t		 h = mimeread_head_end(msg, len), dlen;

	type = mimeread_raw(msg, h, "Content-Type");
	if (type == NULL || strncasecmp(type, "multipart/", 10) != 0 ||
	    (bnd = strstr(type, "boundary=\"")) == NULL) {
		free(type);
		return mimeread_entity(msg, len, subtype, outlen);
	}
	bnd += strlen("boundary=\"");
	delim = xasprintf("\r\n--%.*s", (int)strcspn(bnd, "\""), bnd);
	dlen = strlen(delim);
	p = memmem(msg + h - 2, len - (h - 2), delim, dlen);
	while (p != NULL && out == NULL) {
		p += dlen;
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			break;		/* the closing delimiter */
		p += strspn(p, "\r\n") > 2 ? 2 : strspn(p, "\r\n");
		next = memmem(p, (size_t)(end - p), delim, dlen);
		/* The part's body ends in CRLF, which is the delimiter's. */
		out = mimeread_entity(p, (size_t)((next != NULL ? next :
		    end) - p), subtype, outlen);
		p = next;
	}
	free(delim);
	free(type);
	return out;
}
