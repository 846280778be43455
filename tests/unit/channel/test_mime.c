/*
 * test_mime.c - unit tests for building the message of an email notice
 *
 * Every message built here is checked the way a mail server would see
 * it (only ASCII, CRLF line endings, no line over 998 octets, no lone
 * "." line, a final CRLF) and then read back the way a mail reader would:
 * headers unfolded, RFC 2047 encoded-words and the quoted-printable or
 * base64 bodies decoded by the small decoders below, written from the
 * RFCs and independent of mime.c. What comes back must be what went in.
 */
#include "build.h"

#include <iconv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mime.h"
#include "xmalloc.h"

#define NITEMS(a) (sizeof (a) / sizeof (a)[0])

/* 2026-11-22 14:05:09 UTC, a Sunday. */
#define TEST_MIME_DATE	INT64_C(1795356309)

/* The parts of a message as a reader decodes them. */
struct test_mime_part {
	char	*type;		/* the Content-Type value, unfolded */
	char	*encoding;	/* the Content-Transfer-Encoding value */
	char	*body;		/* decoded */
	size_t	 len;
};

/* Fill m with a plain, valid notice. */
static void
test_mime_msg(struct mime_msg *m)
{
	memset(m, 0, sizeof *m);
	m->from_name = "City of Toronto";
	m->from_addr = "notices@toronto.example.org";
	m->to_addr = "resident@example.com";
	m->subject = "Your request 8812 is closed";
	m->text = "Hello,\n\nYour request 8812 is closed.\n";
	m->html = "<p>Hello,</p>\n<p>Your request 8812 is closed.</p>\n";
	m->message_id = "<8812.1795356309@closeloop.example.org>";
	m->list_unsubscribe = "https://closeloop.example.org/u?t=8812abc";
	m->language = "en-CA";
	m->date = TEST_MIME_DATE;
}

/* Tell whether n bytes of s are valid UTF-8, as iconv sees them. */
static int
test_mime_utf8(const char *s, size_t n)
{
	iconv_t	 cd;
	char	*in = (char *)(uintptr_t)s, *buf, *out;
	size_t	 left = n, room = n * 4 + 4;
	int	 ok;

	cd = iconv_open("UTF-32LE", "UTF-8");
	assert_true(cd != (iconv_t)-1);
	buf = out = xmalloc(room);
	ok = iconv(cd, &in, &left, &out, &room) != (size_t)-1 && left == 0;
	free(buf);
	iconv_close(cd);
	return ok;
}

/*
 * Check what a mail server checks: only ASCII other than NUL, every line
 * ending in CRLF and at most 998 octets, no line that is a lone ".", and
 * a final CRLF.
 */
static void
test_mime_wire(const char *msg, size_t len)
{
	size_t	i, start = 0;

	assert_int_equal(strlen(msg), len);
	assert_true(len >= 2 && msg[len - 2] == '\r' && msg[len - 1] == '\n');
	for (i = 0; i < len; i++) {
		assert_true(msg[i] > 0 && (unsigned char)msg[i] < 0x80);
		if (msg[i] == '\r')
			assert_int_equal(msg[i + 1], '\n');
		if (msg[i] != '\n')
			continue;
		assert_true(i > 0 && msg[i - 1] == '\r');
		assert_true(i - 1 - start <= 998);
		assert_false(i - 1 - start == 1 && msg[start] == '.');
		start = i + 1;
	}
}

/* Build m, check it on the wire and return it; the caller frees it. */
static char *
test_mime_build(const struct mime_msg *m)
{
	char	*out = NULL, *cause = NULL;
	size_t	 len = 0;

	if (mime_build(m, &out, &len, &cause) != 0)
		fail_msg("mime_build: %s", cause);
	test_mime_wire(out, len);
	return out;
}

/* Build m, expecting it refused with a cause that starts with want. */
static void
test_mime_refused(const struct mime_msg *m, const char *want)
{
	char	*out = (char *)"untouched", *cause = NULL;
	size_t	 len = 0;

	assert_int_equal(mime_build(m, &out, &len, &cause), -1);
	assert_non_null(cause);
	if (strncmp(cause, want, strlen(want)) != 0)
		fail_msg("cause \"%s\", wanted \"%s...\"", cause, want);
	assert_string_equal(out, "untouched");
	free(cause);
}

/*
 * Return the raw value of the header name in the header section of msg
 * (the folding CRLFs kept), or NULL if it is not there.
 */
static char *
test_mime_raw_header(const char *msg, const char *name)
{
	const char	*p = msg, *end;
	size_t		 n = strlen(name);

	while (strncmp(p, "\r\n", 2) != 0) {
		for (end = strstr(p, "\r\n"); end[2] == ' ' ||
		    end[2] == '\t'; end = strstr(end + 2, "\r\n"))
			;
		if (strncmp(p, name, n) == 0 && p[n] == ':' && p[n + 1] == ' ')
			return xstrndup(p + n + 2, end - p - n - 2);
		p = end + 2;
	}
	return NULL;
}

/* Return s without its folding CRLFs; the string is allocated. */
static char *
test_mime_unfold(const char *s)
{
	char	*out = xstrdup(s), *p;

	while ((p = strstr(out, "\r\n")) != NULL) {
		assert_true(p[2] == ' ' || p[2] == '\t');
		memmove(p, p + 2, strlen(p + 2) + 1);
	}
	return out;
}

/* Return the unfolded value of a header; fail if it is missing. */
static char *
test_mime_header(const char *msg, const char *name)
{
	char	*raw, *v;

	if ((raw = test_mime_raw_header(msg, name)) == NULL)
		fail_msg("no %s header", name);
	v = test_mime_unfold(raw);
	free(raw);
	return v;
}

/* Return the value of hex digit c, failing on anything else. */
static int
test_mime_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	fail_msg("bad hex digit 0x%02x", (unsigned char)c);
	return 0;
}

/* Decode n bytes of base64, ignoring CR and LF; the caller frees it. */
static char *
test_mime_unbase64(const char *s, size_t n, size_t *outlen)
{
	static const char	 abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	char			*out = xmalloc(n + 1), *p;
	uint32_t		 v = 0;
	size_t			 i, bits = 0, o = 0, col = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '\r' || s[i] == '\n') {
			assert_true(col <= 76);
			col = 0;
			continue;
		}
		col++;
		if (s[i] == '=')
			continue;
		if ((p = strchr(abc, s[i])) == NULL || s[i] == '\0')
			fail_msg("bad base64 0x%02x", (unsigned char)s[i]);
		v = (v << 6) | (uint32_t)(p - abc);
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[o++] = (char)(v >> bits);
		}
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

/*
 * Decode n bytes of quoted-printable, checking that no line is longer
 * than 76 octets or ends in white space; the caller frees it.
 */
static char *
test_mime_unqp(const char *s, size_t n, size_t *outlen)
{
	char	*out = xmalloc(n + 1);
	size_t	 i, o = 0, col = 0;

	for (i = 0; i < n; i++, col++) {
		if (s[i] == '\r') {
			assert_int_equal(s[i + 1], '\n');
			assert_true(col <= 76);
			assert_true(col == 0 || (s[i - 1] != ' ' &&
			    s[i - 1] != '\t'));
			out[o++] = '\r';
			out[o++] = '\n';
			i++;
			col = (size_t)-1;
		} else if (s[i] == '=' && s[i + 1] == '\r') {
			assert_int_equal(s[i + 2], '\n');
			assert_true(col + 1 <= 76);
			i += 2;
			col = (size_t)-1;
		} else if (s[i] == '=') {
			assert_true(i + 2 < n);
			out[o++] = (char)(test_mime_hex(s[i + 1]) * 16 +
			    test_mime_hex(s[i + 2]));
			i += 2;
			col += 2;
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

/* Decode one encoded-word's text, checking that it is whole UTF-8. */
static void
test_mime_word(const char *w, size_t n, char **out, size_t *o)
{
	const char	*q;
	char		*text, *dec;
	size_t		 tlen, dlen, i;

	assert_true(n <= 75);
	assert_true(strncasecmp(w, "=?UTF-8?", 8) == 0);
	q = w + 8;
	text = xstrndup(q + 2, n - 8 - 2 - 2);
	tlen = strlen(text);
	if (q[0] == 'B' || q[0] == 'b')
		dec = test_mime_unbase64(text, tlen, &dlen);
	else {
		for (i = 0; i < tlen; i++) {
			if (text[i] == '_')
				text[i] = ' ';
		}
		dec = test_mime_unqp(text, tlen, &dlen);
	}
	/* A word never holds part of a character. */
	assert_true(test_mime_utf8(dec, dlen));
	*out = xreallocarray(*out, *o + dlen + 1, 1);
	memcpy(*out + *o, dec, dlen);
	*o += dlen;
	free(text);
	free(dec);
}

/*
 * Decode an unfolded unstructured value: encoded-words decoded, the
 * white space between two of them dropped, the rest kept as it is.
 */
static char *
test_mime_unwords(const char *v)
{
	const char	*p = v, *ws, *end;
	char		*out = xstrdup("");
	size_t		 o = 0;
	int		 prev = 0;

	while (*p != '\0') {
		ws = p;
		while (*p == ' ' || *p == '\t')
			p++;
		end = p;
		while (*end != '\0' && *end != ' ' && *end != '\t')
			end++;
		if (end - p > 4 && strncmp(p, "=?", 2) == 0 &&
		    strncmp(end - 2, "?=", 2) == 0) {
			if (!prev) {
				out = xreallocarray(out, o + (p - ws) + 1, 1);
				memcpy(out + o, ws, p - ws);
				o += p - ws;
			}
			test_mime_word(p, end - p, &out, &o);
			prev = 1;
		} else {
			out = xreallocarray(out, o + (end - ws) + 1, 1);
			memcpy(out + o, ws, end - ws);
			o += end - ws;
			prev = 0;
		}
		out[o] = '\0';
		p = end;
	}
	return out;
}

/* Return the decoded value of an unstructured header. */
static char *
test_mime_subject(const char *msg)
{
	char	*v, *d;

	v = test_mime_header(msg, "Subject");
	d = test_mime_unwords(v);
	free(v);
	return d;
}

/* Decode a part: its headers, then its body by its encoding. */
static void
test_mime_part(const char *s, size_t n, struct test_mime_part *part)
{
	const char	*body;
	char		*head;

	body = strstr(s, "\r\n\r\n");
	assert_true(body != NULL && body < s + n);
	head = xstrndup(s, body + 2 - s);
	body += 4;
	part->type = test_mime_header(head, "Content-Type");
	part->encoding = test_mime_header(head, "Content-Transfer-Encoding");
	if (strcmp(part->encoding, "base64") == 0)
		part->body = test_mime_unbase64(body, s + n - body, &part->len);
	else if (strcmp(part->encoding, "quoted-printable") == 0)
		part->body = test_mime_unqp(body, s + n - body, &part->len);
	else
		fail_msg("encoding %s", part->encoding);
	free(head);
}

/* Free what a part holds. */
static void
test_mime_part_free(struct test_mime_part *part)
{
	free(part->type);
	free(part->encoding);
	free(part->body);
}

/*
 * Split a multipart/alternative message into its two parts, checking
 * that the boundary is on no line but the delimiters. Returns the
 * boundary; the caller frees it.
 */
static char *
test_mime_parts(const char *msg, struct test_mime_part parts[2])
{
	const char	*p, *start, *next;
	char		*type, *b, *delim, *close;
	size_t		 i, count = 0;

	type = test_mime_header(msg, "Content-Type");
	if ((p = strstr(type, "boundary=\"")) == NULL)
		fail_msg("no boundary in %s", type);
	assert_true(strncmp(type, "multipart/alternative;", 22) == 0);
	b = xstrndup(p + 10, strcspn(p + 10, "\""));
	assert_non_null(strstr(b, "=_"));
	free(type);

	/* Once in the header and on the three delimiter lines, no more. */
	for (p = msg; (p = strstr(p, b)) != NULL; p++)
		count++;
	assert_int_equal(count, 4);

	delim = xasprintf("\r\n--%s\r\n", b);
	close = xasprintf("\r\n--%s--\r\n", b);
	start = strstr(msg, "\r\n\r\n") + 2;
	for (i = 0; i < 2; i++) {
		assert_true(strncmp(start, delim, strlen(delim)) == 0);
		start += strlen(delim);
		next = strstr(start, i == 0 ? delim : close);
		assert_non_null(next);
		test_mime_part(start, next - start, &parts[i]);
		start = next;
	}
	assert_string_equal(start, close);
	free(delim);
	free(close);
	return b;
}

/* Build m and check that both parts decode to want_text and want_html. */
static void
test_mime_bodies(const struct mime_msg *m, const char *want_text,
    const char *want_html)
{
	struct test_mime_part	 parts[2];
	char			*msg, *b;

	msg = test_mime_build(m);
	b = test_mime_parts(msg, parts);
	assert_string_equal(parts[0].type, "text/plain; charset=UTF-8");
	assert_string_equal(parts[1].type, "text/html; charset=UTF-8");
	assert_int_equal(parts[0].len, strlen(want_text));
	assert_memory_equal(parts[0].body, want_text, parts[0].len);
	assert_int_equal(parts[1].len, strlen(want_html));
	assert_memory_equal(parts[1].body, want_html, parts[1].len);
	test_mime_part_free(&parts[0]);
	test_mime_part_free(&parts[1]);
	free(b);
	free(msg);
}

/* Return s repeated n times; the string is allocated. */
static char *
test_mime_repeat(const char *s, size_t n)
{
	size_t	 len = strlen(s), i;
	char	*out = xmalloc(len * n + 1);

	for (i = 0; i < n; i++)
		memcpy(out + i * len, s, len);
	out[len * n] = '\0';
	return out;
}

/* Every header is there, as a reader expects it. */
static void
test_mime_headers(void **state)
{
	static const struct {
		const char	*name;
		const char	*value;
	} want[] = {
		{ "Date", "Sun, 22 Nov 2026 14:05:09 +0000" },
		{ "From", "City of Toronto <notices@toronto.example.org>" },
		{ "To", "resident@example.com" },
		{ "Subject", "Your request 8812 is closed" },
		{ "Message-ID", "<8812.1795356309@closeloop.example.org>" },
		{ "MIME-Version", "1.0" },
		{ "Content-Language", "en-CA" },
		{ "Auto-Submitted", "auto-generated" },
		{ "List-Unsubscribe",
		  "<https://closeloop.example.org/u?t=8812abc>" },
		{ "List-Unsubscribe-Post", "List-Unsubscribe=One-Click" }
	};
	struct mime_msg	 m;
	char		*msg, *v;
	size_t		 i;

	(void)state;
	test_mime_msg(&m);
	msg = test_mime_build(&m);
	assert_true(strncmp(msg, "Date: ", 6) == 0);
	for (i = 0; i < NITEMS(want); i++) {
		v = test_mime_header(msg, want[i].name);
		assert_string_equal(v, want[i].value);
		free(v);
	}
	free(msg);

	/* Without the optional fields their headers are not there. */
	m.from_name = NULL;
	m.list_unsubscribe = NULL;
	m.language = NULL;
	msg = test_mime_build(&m);
	v = test_mime_header(msg, "From");
	assert_string_equal(v, "notices@toronto.example.org");
	free(v);
	assert_null(test_mime_raw_header(msg, "Content-Language"));
	assert_null(test_mime_raw_header(msg, "List-Unsubscribe"));
	assert_null(test_mime_raw_header(msg, "List-Unsubscribe-Post"));
	free(msg);
}

/* Dates are RFC 5322 dates in UTC, to the last second of year 9999. */
static void
test_mime_dates(void **state)
{
	static const struct {
		int64_t		 when;
		const char	*date;
	} cases[] = {
		{ 0, "Thu, 01 Jan 1970 00:00:00 +0000" },
		{ 951782400, "Tue, 29 Feb 2000 00:00:00 +0000" },
		{ 4107542400, "Mon, 01 Mar 2100 00:00:00 +0000" },
		{ INT64_C(253402300799), "Fri, 31 Dec 9999 23:59:59 +0000" }
	};
	struct mime_msg	 m;
	char		*msg, *v;
	size_t		 i;

	(void)state;
	test_mime_msg(&m);
	for (i = 0; i < NITEMS(cases); i++) {
		m.date = cases[i].when;
		msg = test_mime_build(&m);
		v = test_mime_header(msg, "Date");
		assert_string_equal(v, cases[i].date);
		free(v);
		free(msg);
	}
	m.date = -1;
	test_mime_refused(&m, "date: ");
	m.date = INT64_C(253402300800);
	test_mime_refused(&m, "date: ");
}

/* Check that subject comes back from the message, folded within 76. */
static void
test_mime_subject_trip(const char *subject, int encoded)
{
	struct mime_msg	 m;
	char		*msg, *raw, *line, *d;
	size_t		 col;

	test_mime_msg(&m);
	m.subject = subject;
	msg = test_mime_build(&m);
	raw = test_mime_raw_header(msg, "Subject");
	assert_non_null(raw);
	assert_int_equal(strstr(raw, "=?UTF-8?B?") != NULL, encoded);
	col = strlen("Subject: ");
	for (line = raw; line != NULL; col = 0) {
		assert_true(col + strcspn(line, "\r") <= 76);
		if ((line = strstr(line, "\r\n")) != NULL)
			line += 2;
	}
	d = test_mime_subject(msg);
	assert_string_equal(d, subject);
	free(d);
	free(raw);
	free(msg);
}

/* French and Chinese subjects are encoded-words that decode back. */
static void
test_mime_subject_utf8(void **state)
{
	char	*long_zh;

	(void)state;
	test_mime_subject_trip("Demande 8812 : fermée", 1);
	test_mime_subject_trip("Votre demande 8812 est fermée : les travaux "
	    "à l'intersection de la rue Sainte-Catherine et du boulevard "
	    "Saint-Laurent sont terminés. Merci de votre patience.", 1);
	test_mime_subject_trip("您的服务请求 8812 已完成", 1);
	/* Three- and four-byte characters on every word boundary. */
	long_zh = test_mime_repeat("道路坑洼已修复🚧", 12);
	test_mime_subject_trip(long_zh, 1);
	free(long_zh);
	long_zh = test_mime_repeat("é", 100);
	test_mime_subject_trip(long_zh, 1);
	free(long_zh);
}

/*
 * A long French subject is cut between encoded-words after a space, so
 * that a reader that wrongly keeps the white space between two words
 * shows two spaces rather than a word cut in two.
 */
static void
test_mime_subject_cuts(void **state)
{
	struct mime_msg	 m;
	char		*msg, *raw, *line, *next, *d;
	size_t		 words = 0;

	(void)state;
	test_mime_msg(&m);
	m.subject = "Votre demande 8812 est fermée : les travaux à "
	    "l'intersection de la rue Sainte-Catherine sont terminés.";
	msg = test_mime_build(&m);
	raw = test_mime_raw_header(msg, "Subject");
	for (line = raw; (next = strstr(line, "\r\n")) != NULL;
	    line = next + 2) {
		*next = '\0';
		d = test_mime_unwords(line + strspn(line, " "));
		assert_true(strlen(d) > 0 && d[strlen(d) - 1] == ' ');
		free(d);
		words++;
	}
	assert_true(words >= 2);
	free(raw);
	free(msg);
}

/* ASCII subjects stay readable, folded at spaces, unless they cannot. */
static void
test_mime_subject_ascii(void **state)
{
	char	*word;

	(void)state;
	test_mime_subject_trip("", 0);
	test_mime_subject_trip("Closed", 0);
	test_mime_subject_trip("Your request 8812 (Road Pothole / Road Damage) "
	    "was closed by Transportation Services after the crew repaired "
	    "the road; thank you for letting us know", 0);
	/* What a reader would take for an encoded-word is encoded. */
	test_mime_subject_trip("=?UTF-8?B?SGk=?=", 1);
	/* White space a fold would lose or a reader would trim. */
	test_mime_subject_trip(" leading", 1);
	test_mime_subject_trip("trailing ", 1);
	test_mime_subject_trip("two  spaces", 1);
	test_mime_subject_trip("a\ttab", 1);
	test_mime_subject_trip("bell \x07 and del \x7f", 1);
	/* A word too long for a line. */
	word = test_mime_repeat("x", 100);
	test_mime_subject_trip(word, 1);
	free(word);
}

/* mime_encode_words() keeps every line, the first too, within 76. */
static void
test_mime_encode_words(void **state)
{
	static const char	*values[] = { "Réparé", "8812 closed",
	    ("道路坑洼已修复🚧道路坑洼已修复🚧"
	    "道路坑洼已修复🚧道路坑洼已修复"),
	    "Votre demande est fermée : les travaux sont terminés" };
	char			*v, *d, *u, *line;
	size_t			 i, name_len, col;

	(void)state;
	v = mime_encode_words("8812 closed", 9);
	assert_string_equal(v, "8812 closed");
	free(v);
	assert_null(mime_encode_words("a\r\nBcc: x@example.org", 9));
	assert_null(mime_encode_words("caf\xe9", 9));

	for (i = 0; i < NITEMS(values); i++) {
		for (name_len = 0; name_len <= 76; name_len++) {
			v = mime_encode_words(values[i], name_len);
			assert_non_null(v);
			for (line = v, col = name_len; line != NULL; col = 0) {
				assert_true(col + strcspn(line, "\r") <= 76);
				if ((line = strstr(line, "\r\n")) != NULL) {
					line += 2;
					assert_true(*line == ' ');
				}
			}
			/* A reader drops the space that starts a value. */
			u = test_mime_unfold(v);
			d = test_mime_unwords(u + strspn(u, " "));
			assert_string_equal(d, values[i]);
			free(d);
			free(u);
			free(v);
		}
	}
}

/* Display names: as they are, quoted, or encoded; always decodable. */
static void
test_mime_from(void **state)
{
	static const struct {
		const char	*name;
		const char	*from;	/* the header, or NULL if encoded */
	} cases[] = {
		{ "311 Toronto", "311 Toronto <n@example.org>" },
		{ "Toronto, City of", "\"Toronto, City of\" <n@example.org>" },
		{ "Dr. \"Roads\" \\ Co", "\"Dr. \\\"Roads\\\" \\\\ Co\" "
		  "<n@example.org>" },
		{ "Ville de Montréal", NULL },
		{ "=?UTF-8?B?SGk=?=", NULL },
		{ " Padded ", NULL },
		{ "Transportation Services, Road Operations, City of Toronto "
		  "(East District)", NULL },
		{ "Ville de Montréal — Services aux résidents et aux "
		  "entreprises", NULL }
	};
	struct mime_msg	 m;
	char		*msg, *v, *d, *want;
	size_t		 i;

	(void)state;
	test_mime_msg(&m);
	m.from_addr = "n@example.org";
	for (i = 0; i < NITEMS(cases); i++) {
		m.from_name = cases[i].name;
		msg = test_mime_build(&m);
		v = test_mime_header(msg, "From");
		if (cases[i].from != NULL)
			assert_string_equal(v, cases[i].from);
		else {
			assert_true(strncmp(v, "=?UTF-8?B?", 10) == 0);
			d = test_mime_unwords(v);
			want = xasprintf("%s <n@example.org>", cases[i].name);
			assert_string_equal(d, want);
			free(want);
			free(d);
		}
		free(v);
		free(msg);
	}
}

/* A long address goes on a line of its own after an encoded name. */
static void
test_mime_from_long(void **state)
{
	struct mime_msg	 m;
	char		*msg, *raw, *addr;

	(void)state;
	test_mime_msg(&m);
	addr = xasprintf("%s@example.org", "notices.transportation.services."
	    "road-operations.east-district");
	m.from_addr = addr;
	m.from_name = "Ville de Montréal";
	msg = test_mime_build(&m);
	raw = test_mime_raw_header(msg, "From");
	assert_non_null(strstr(raw, "?=\r\n <notices."));
	free(raw);
	free(msg);
	free(addr);
}

/* LF, CR and CRLF, mixed, all come out as CRLF in both parts. */
static void
test_mime_line_endings(void **state)
{
	struct mime_msg	m;

	(void)state;
	test_mime_msg(&m);
	m.text = "one\ntwo\r\nthree\rfour\r\n\rfive\r\r\nsix\n\n";
	m.html = "<p>\r\n\r\n\n\r</p>";
	test_mime_bodies(&m,
	    "one\r\ntwo\r\nthree\r\nfour\r\n\r\nfive\r\n\r\nsix\r\n\r\n",
	    "<p>\r\n\r\n\r\n\r\n</p>");
	m.text = "";
	m.html = "\n";
	test_mime_bodies(&m, "", "\r\n");
}

/* Long lines are folded with soft breaks and come back whole. */
static void
test_mime_long_lines(void **state)
{
	struct mime_msg		 m;
	struct test_mime_part	 part;
	char			*text, *html, *msg;
	const char		*p;
	size_t			 soft = 0;

	(void)state;
	test_mime_msg(&m);
	text = test_mime_repeat("closed ", 5000 / 7 + 1);
	text[5000] = '\0';
	html = test_mime_repeat("a=b\t", 1250);
	m.text = text;
	m.html = html;
	test_mime_bodies(&m, text, html);

	/* 5,000 octets on one line take at least 66 more lines of 76. */
	m.html = NULL;
	msg = test_mime_build(&m);
	test_mime_part(msg, strlen(msg), &part);
	assert_string_equal(part.encoding, "quoted-printable");
	/* The message's last CRLF ends the text's only line. */
	assert_int_equal(part.len, 5002);
	assert_memory_equal(part.body, text, 5000);
	assert_memory_equal(part.body + 5000, "\r\n", 2);
	for (p = strstr(msg, "\r\n\r\n"); (p = strstr(p, "=\r\n")) != NULL;
	    p++)
		soft++;
	assert_true(soft >= 66);
	test_mime_part_free(&part);
	free(msg);
	free(text);
	free(html);
}

/* Text that is mostly not ASCII goes base64, in lines of 76. */
static void
test_mime_base64(void **state)
{
	struct mime_msg		 m;
	struct test_mime_part	 parts[2];
	char			*zh, *want, *msg, *b;

	(void)state;
	test_mime_msg(&m);
	zh = test_mime_repeat("您的服务请求已完成。\n", 300);
	want = test_mime_repeat("您的服务请求已完成。\r\n", 300);
	m.text = zh;
	m.html = "<p>Réparé</p>";
	test_mime_bodies(&m, want, "<p>Réparé</p>");
	msg = test_mime_build(&m);
	b = test_mime_parts(msg, parts);
	assert_string_equal(parts[0].encoding, "base64");
	assert_string_equal(parts[1].encoding, "quoted-printable");
	test_mime_part_free(&parts[0]);
	test_mime_part_free(&parts[1]);
	free(b);
	free(msg);
	free(want);
	free(zh);
}

/* No line on the wire is a lone "."; dots and "From " come back. */
static void
test_mime_dots(void **state)
{
	struct mime_msg	 m;
	char		*line, *text, *want, *msg;
	size_t		 n;

	(void)state;
	test_mime_msg(&m);
	m.text = ".\n..\n.a\nFrom here\n.\r\n.";
	m.html = ".";
	test_mime_bodies(&m, ".\r\n..\r\n.a\r\nFrom here\r\n.\r\n.", ".");
	msg = test_mime_build(&m);
	assert_non_null(strstr(msg, "\r\n=2E\r\n"));
	free(msg);

	/* Dots where a soft line break may fall. */
	for (n = 70; n <= 80; n++) {
		line = test_mime_repeat("a", n);
		text = xasprintf("%s.\n%s..\n%s=.", line, line, line);
		want = xasprintf("%s.\r\n%s..\r\n%s=.", line, line, line);
		m.text = text;
		test_mime_bodies(&m, want, ".");
		free(want);
		free(text);
		free(line);
	}
}

/* Trailing white space is encoded, "=" and control characters too. */
static void
test_mime_white_space(void **state)
{
	struct mime_msg	 m;
	char		*msg;

	(void)state;
	test_mime_msg(&m);
	m.text = "a \nb\t\nc  \n \n\t\x01\x1b[0m=\x7f";
	m.html = "trailing \t";
	test_mime_bodies(&m, "a \r\nb\t\r\nc  \r\n \r\n\t\x01\x1b[0m=\x7f",
	    "trailing \t");
	msg = test_mime_build(&m);
	assert_non_null(strstr(msg, "\r\na=20\r\nb=09\r\nc =20\r\n=20\r\n"
	    "\t=01=1B[0m=3D=7F\r\n"));
	free(msg);
}

/* A line break in any header field is refused, naming the field. */
static void
test_mime_injection(void **state)
{
	static const char	*breaks[] = {
	    "\r\nBcc: victim@example.org", "\nBcc: victim@example.org",
	    "\rBcc: victim@example.org", "\r\n" };
	static const char	*fields[] = { "from_name", "from_addr",
	    "to_addr", "subject", "message_id", "list_unsubscribe",
	    "language" };
	struct mime_msg		 m;
	const char		**f[NITEMS(fields)];
	char			*v, *want;
	size_t			 i, j;

	(void)state;
	for (i = 0; i < NITEMS(fields); i++) {
		for (j = 0; j < NITEMS(breaks); j++) {
			test_mime_msg(&m);
			f[0] = &m.from_name;
			f[1] = &m.from_addr;
			f[2] = &m.to_addr;
			f[3] = &m.subject;
			f[4] = &m.message_id;
			f[5] = &m.list_unsubscribe;
			f[6] = &m.language;
			v = xasprintf("%s%s", *f[i], breaks[j]);
			*f[i] = v;
			want = xasprintf("%s: contains a line break",
			    fields[i]);
			test_mime_refused(&m, want);
			free(want);
			free(v);
		}
	}

	/* A header injected into the subject, and the check on its own. */
	test_mime_msg(&m);
	m.subject = "Subject\r\nBcc: x@y";
	test_mime_refused(&m, "subject: contains a line break");
	assert_int_equal(mime_header_ok("Subject\r\nBcc: x@y", NULL), -1);
	assert_int_equal(mime_header_ok("Réparé, 道路", NULL), 0);
}

/* A NUL is refused where a length lets one through. */
static void
test_mime_nul(void **state)
{
	struct mime_msg	 m;
	const char	*why = NULL;

	(void)state;
	assert_int_equal(mime_value_ok("ab\0Bcc: x@y", 11, &why), -1);
	assert_string_equal(why, "contains a NUL byte");
	assert_int_equal(mime_value_ok("ab\0Bcc: x@y", 2, NULL), 0);

	test_mime_msg(&m);
	m.text = "visible\0hidden";
	m.text_len = 14;
	test_mime_refused(&m, "text: contains a NUL byte");
	test_mime_msg(&m);
	m.html = "<p>\0</p>";
	m.html_len = 8;
	test_mime_refused(&m, "html: contains a NUL byte");

	/* A length that stops before the end is honoured. */
	test_mime_msg(&m);
	m.text = "visible, and not this";
	m.text_len = 7;
	test_mime_bodies(&m, "visible", "<p>Hello,</p>\r\n"
	    "<p>Your request 8812 is closed.</p>\r\n");
}

/* Invalid UTF-8 is refused in every field that takes UTF-8. */
static void
test_mime_bad_utf8(void **state)
{
	static const char	*bad[] = {
	    "caf\xe9",			/* Latin-1 */
	    "\xc0\xaf",			/* overlong "/" */
	    "\xe0\x80\xaf",		/* overlong, three bytes */
	    "\xed\xa0\x80",		/* a UTF-16 surrogate */
	    "\xf4\x90\x80\x80",		/* above U+10FFFF */
	    "\xf5\x80\x80\x80",
	    "\xe2\x82",			/* cut short */
	    "\x80",			/* a lone continuation byte */
	    "\xff\xfe" };
	struct mime_msg		 m;
	size_t			 i;
	const char		*why;

	(void)state;
	for (i = 0; i < NITEMS(bad); i++) {
		assert_int_equal(mime_header_ok(bad[i], &why), -1);
		assert_string_equal(why, "is not valid UTF-8");
		test_mime_msg(&m);
		m.subject = bad[i];
		test_mime_refused(&m, "subject: is not valid UTF-8");
		test_mime_msg(&m);
		m.from_name = bad[i];
		test_mime_refused(&m, "from_name: is not valid UTF-8");
		test_mime_msg(&m);
		m.text = bad[i];
		test_mime_refused(&m, "text: is not valid UTF-8");
		test_mime_msg(&m);
		m.html = bad[i];
		test_mime_refused(&m, "html: is not valid UTF-8");
	}
	/* The edges of what is valid. */
	assert_int_equal(mime_header_ok("\xf4\x8f\xbf\xbf \xef\xbf\xbf "
	    "\xc2\x80 \xe0\xa0\x80 \xf0\x90\x80\x80", NULL), 0);
}

/* Addresses are plain local@domain, nothing a parser could misread. */
static void
test_mime_addresses(void **state)
{
	static const char	*bad[] = { "", "resident", "@example.com",
	    "resident@", "res ident@example.com", "<resident@example.com>",
	    "\"resident\"@example.com", "a@example.com,b@example.com",
	    "a@@example.com", "a@b@example.com", "rés@example.com",
	    ".a@example.com", "a.@example.com", "a..b@example.com",
	    "a@example..com", "a@example.com.", "a@[127.0.0.1]",
	    "a@exa_mple.com", "Resident <a@example.com>", "a(b)@example.com",
	    "a@example.com;", "a\t@example.com" };
	static const char	*good[] = { "a@b",
	    "first.last+sr-8812@example.com",
	    "o'neil@sub.example.co.uk", "x_y=z!#$%&*/?^`{|}~@x-y.example" };
	struct mime_msg		 m;
	char			*msg, *v, *local;
	size_t			 i;

	(void)state;
	for (i = 0; i < NITEMS(bad); i++) {
		test_mime_msg(&m);
		m.to_addr = bad[i];
		test_mime_refused(&m, "to_addr: is not a plain address");
		test_mime_msg(&m);
		m.from_addr = bad[i];
		test_mime_refused(&m, "from_addr: is not a plain address");
	}
	for (i = 0; i < NITEMS(good); i++) {
		test_mime_msg(&m);
		m.to_addr = good[i];
		msg = test_mime_build(&m);
		v = test_mime_header(msg, "To");
		assert_string_equal(v, good[i]);
		free(v);
		free(msg);
	}
	/* RFC 5321 lengths: 64 for the local part, 254 in all. */
	local = test_mime_repeat("a", 65);
	v = xasprintf("%s@example.com", local);
	test_mime_msg(&m);
	m.to_addr = v;
	test_mime_refused(&m, "to_addr: ");
	free(v);
	free(local);
}

/* Missing fields, and the ids, URLs and tags that are not what they say. */
static void
test_mime_other_fields(void **state)
{
	static const struct {
		size_t		 field;
		const char	*value;
		const char	*cause;
	} cases[] = {
		{ 0, "8812@closeloop.example.org", "message_id: is not" },
		{ 0, "<8812>", "message_id: is not" },
		{ 0, "<88 12@closeloop.example.org>", "message_id: is not" },
		{ 0, "<8812@closeloop.example.org> x", "message_id: is not" },
		{ 0, "<<8812@closeloop.example.org>>", "message_id: is not" },
		{ 0, "<a@b@c>", "message_id: is not" },
		{ 1, "http://closeloop.example.org/u", "list_unsubscribe: " },
		{ 1, "mailto:u@example.org", "list_unsubscribe: " },
		{ 1, "https://", "list_unsubscribe: " },
		{ 1, "https://x.example/a b", "list_unsubscribe: " },
		{ 1, "https://x.example/a>,<mailto:x@y", "list_unsubscribe: " },
		{ 1, "https://x.example/é", "list_unsubscribe: " },
		{ 2, "fr CA", "language: is not a BCP 47 tag" },
		{ 2, "fr_CA", "language: is not a BCP 47 tag" },
		{ 2, "fr-", "language: is not a BCP 47 tag" },
		{ 2, "-fr", "language: is not a BCP 47 tag" },
		{ 2, "fr--CA", "language: is not a BCP 47 tag" },
		{ 2, "", "language: is not a BCP 47 tag" },
		{ 2, "fr;q=1", "language: is not a BCP 47 tag" }
	};
	struct mime_msg	 m;
	size_t		 i;

	(void)state;
	for (i = 0; i < NITEMS(cases); i++) {
		test_mime_msg(&m);
		if (cases[i].field == 0)
			m.message_id = cases[i].value;
		else if (cases[i].field == 1)
			m.list_unsubscribe = cases[i].value;
		else
			m.language = cases[i].value;
		test_mime_refused(&m, cases[i].cause);
	}
	test_mime_msg(&m);
	m.subject = NULL;
	test_mime_refused(&m, "subject: is missing");
	test_mime_msg(&m);
	m.text = NULL;
	test_mime_refused(&m, "text: is missing");
	test_mime_msg(&m);
	m.to_addr = NULL;
	test_mime_refused(&m, "to_addr: is missing");
	test_mime_msg(&m);
	m.message_id = NULL;
	test_mime_refused(&m, "message_id: is missing");
	test_mime_msg(&m);
	m.from_addr = NULL;
	test_mime_refused(&m, "from_addr: is missing");
}

/* Text that looks like the boundary cannot end a part early. */
static void
test_mime_boundary(void **state)
{
	struct mime_msg		 m;
	struct test_mime_part	 parts[2];
	char			*msg, *b, *text, *want;

	(void)state;
	test_mime_msg(&m);
	msg = test_mime_build(&m);
	b = test_mime_parts(msg, parts);
	test_mime_part_free(&parts[0]);
	test_mime_part_free(&parts[1]);
	free(msg);

	/* The boundary of that message, in the text of the next one. */
	text = xasprintf("--%s\n--%s--\n=_\n--=_closeloop_\n", b, b);
	want = xasprintf("--%s\r\n--%s--\r\n=_\r\n--=_closeloop_\r\n", b, b);
	m.text = text;
	m.html = text;
	test_mime_bodies(&m, want, want);
	free(want);
	free(text);
	free(b);
}

/*
 * A boundary given builds the message mime_boundary() would have, and
 * another message laid out with it; one it could not make is refused.
 */
static void
test_mime_given_boundary(void **state)
{
	struct mime_msg	 m;
	char		*a, *b, *c, bound[MIME_BOUNDARY_SIZE];
	char		 other[MIME_BOUNDARY_SIZE];

	(void)state;
	test_mime_msg(&m);
	mime_boundary(&m, bound);
	assert_int_equal(strncmp(bound, "=_closeloop_", 12), 0);
	assert_int_equal(strlen(bound), 28);
	a = test_mime_build(&m);
	assert_non_null(strstr(a, bound));
	m.boundary = bound;
	b = test_mime_build(&m);
	assert_string_equal(a, b);
	m.boundary = NULL;
	m.text = "Another text.\n";
	mime_boundary(&m, other);
	assert_string_not_equal(bound, other);
	m.boundary = bound;
	c = test_mime_build(&m);
	assert_non_null(strstr(c, bound));
	assert_null(strstr(c, other));
	m.boundary = "=_closeloop_0123";
	test_mime_refused(&m, "boundary: is not one mime_boundary() makes");
	m.boundary = "=_closeloop_0123456789abcdef\r\nX: y";
	test_mime_refused(&m, "boundary: is not one mime_boundary() makes");
	free(c);
	free(b);
	free(a);
}

/* The same notice builds to the same bytes; another one does not. */
static void
test_mime_deterministic(void **state)
{
	struct mime_msg	 m;
	char		*a, *b, *c, *d;
	size_t		 alen, blen;

	(void)state;
	test_mime_msg(&m);
	assert_int_equal(mime_build(&m, &a, &alen, NULL), 0);
	assert_int_equal(mime_build(&m, &b, &blen, NULL), 0);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	m.date++;
	c = test_mime_build(&m);
	assert_string_not_equal(a, c);
	m.date--;
	m.text = "Hello.\n";
	d = test_mime_build(&m);
	/* Another text, another boundary. */
	assert_string_not_equal(strstr(a, "boundary="), strstr(d, "boundary="));
	free(a);
	free(b);
	free(c);
	free(d);
}

/* Without html the message is a single text/plain part. */
static void
test_mime_single_part(void **state)
{
	struct mime_msg		 m;
	struct test_mime_part	 part;
	char			*msg;

	(void)state;
	test_mime_msg(&m);
	m.html = NULL;
	m.text = "Réparé.\n.\nMerci";
	msg = test_mime_build(&m);
	assert_null(strstr(msg, "multipart"));
	assert_null(strstr(msg, "boundary"));
	test_mime_part(msg, strlen(msg), &part);
	assert_string_equal(part.type, "text/plain; charset=UTF-8");
	assert_string_equal(part.encoding, "quoted-printable");
	/* The message's last CRLF ends the last line of the text. */
	assert_string_equal(part.body, "Réparé.\r\n.\r\nMerci\r\n");
	test_mime_part_free(&part);
	free(msg);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_mime_headers),
		cmocka_unit_test(test_mime_dates),
		cmocka_unit_test(test_mime_subject_utf8),
		cmocka_unit_test(test_mime_subject_cuts),
		cmocka_unit_test(test_mime_subject_ascii),
		cmocka_unit_test(test_mime_encode_words),
		cmocka_unit_test(test_mime_from),
		cmocka_unit_test(test_mime_from_long),
		cmocka_unit_test(test_mime_line_endings),
		cmocka_unit_test(test_mime_long_lines),
		cmocka_unit_test(test_mime_base64),
		cmocka_unit_test(test_mime_dots),
		cmocka_unit_test(test_mime_white_space),
		cmocka_unit_test(test_mime_injection),
		cmocka_unit_test(test_mime_nul),
		cmocka_unit_test(test_mime_bad_utf8),
		cmocka_unit_test(test_mime_addresses),
		cmocka_unit_test(test_mime_other_fields),
		cmocka_unit_test(test_mime_boundary),
		cmocka_unit_test(test_mime_given_boundary),
		cmocka_unit_test(test_mime_deterministic),
		cmocka_unit_test(test_mime_single_part)
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
