/*
 * fuzz_mime.c - a fuzz target for building email messages
 *
 * LLVMFuzzerTestOneInput() splits the input on NUL bytes into the fields
 * of a notice, in this order: from_name, from_addr, to_addr, subject,
 * text, html, message_id, list_unsubscribe, language. A field the input
 * does not reach keeps a valid default; an empty optional field is NULL.
 * The date comes from a hash of the input. If mime_build() accepts the
 * notice, the message must be fit for the wire: only ASCII without NUL,
 * every line ending in CRLF and at most 998 octets (76 in the body), no
 * lone "." line, a final CRLF. Its header must hold exactly the fields
 * mime.h lists, in order, so that nothing in a value can add one; To,
 * Message-ID, Content-Language and List-Unsubscribe must be the values
 * given; Subject and the name in From, unfolded and decoded as a reader
 * does (RFC 2047 encoded-words of whole UTF-8 characters, at most 75
 * octets each, or a quoted-string), must give back the values given. If
 * mime_build() refuses, a header value must have been unfit
 * (mime_header_ok()) or some other check failed, and the cause must name
 * the field. Any break of that aborts. The subject also goes through
 * mime_encode_words() with every first-line offset: lines of at most 76
 * octets that decode to the subject, or NULL exactly when
 * mime_header_ok() refuses it.
 *
 * Built with clang -fsanitize=fuzzer, libFuzzer drives it. Built without
 * (and FUZZ_LIBFUZZER undefined), main() below feeds it the seed corpus
 * in tests/fuzz/mime and pseudo-random mutations of it, reproducibly
 * (fuzzdrive.c).
 */
#include "build.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzdrive.h"
#include "mime.h"
#include "syntax.h"
#include "xmalloc.h"

#define FUZZ_NFIELDS	9
#define FUZZ_HEADERS	16

/* Report what is wrong with a built message and abort. */
static void __attribute__((noreturn))
fuzz_mime_fail(const char *what, const char *msg, size_t len)
{
	fprintf(stderr, "fuzz_mime: %s in:\n", what);
	fwrite(msg, 1, len, stderr);
	abort();
}

/* Abort unless msg is fit for the wire; body lines at most body_max. */
static void
fuzz_mime_check(const char *msg, size_t len, size_t body_max)
{
	size_t	i, start = 0, max = 998;

	if (strlen(msg) != len)
		fuzz_mime_fail("a NUL byte or a wrong length", msg, len);
	if (len < 2 || msg[len - 2] != '\r' || msg[len - 1] != '\n')
		fuzz_mime_fail("no final CRLF", msg, len);
	for (i = 0; i < len; i++) {
		if ((unsigned char)msg[i] >= 0x80)
			fuzz_mime_fail("a byte that is not ASCII", msg, len);
		if (msg[i] == '\r' && msg[i + 1] != '\n')
			fuzz_mime_fail("a bare CR", msg, len);
		if (msg[i] != '\n')
			continue;
		if (i == 0 || msg[i - 1] != '\r')
			fuzz_mime_fail("a bare LF", msg, len);
		if (i - 1 - start > max)
			fuzz_mime_fail("a line too long", msg, len);
		if (i - 1 - start == 1 && msg[start] == '.')
			fuzz_mime_fail("a lone \".\" line", msg, len);
		/* The body starts after the first empty line. */
		if (i - 1 == start)
			max = body_max;
		start = i + 1;
	}
}

/* Decode n octets of base64 into out; returns their length or -1. */
static long
fuzz_mime_unbase64(const char *s, size_t n, char *out)
{
	static const char	 abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char		*c;
	uint32_t		 v = 0;
	size_t			 i, pad = 0;
	long			 o = 0;

	if (n % 4 != 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] == '=' && i + 2 >= n &&
		    (i + 1 == n || s[i + 1] == '='))
			pad++;
		else if (pad > 0 || s[i] == '\0' ||
		    (c = strchr(abc, s[i])) == NULL)
			return -1;
		v = v << 6 | (s[i] == '=' ? 0 : (uint32_t)(c - abc));
		if (i % 4 == 3) {
			out[o++] = (char)(v >> 16);
			out[o++] = (char)(v >> 8);
			out[o++] = (char)v;
			v = 0;
		}
	}
	return o - (long)pad;
}

/*
 * Decode an unfolded unstructured value as a reader does, past the
 * white space that may lead it: plain text, or encoded-words of at most
 * 75 octets separated by spaces, each holding whole UTF-8 characters.
 * Returns the text (allocated), or NULL.
 */
static char *
fuzz_mime_decode(const char *v)
{
	const char	*p, *end, *why;
	char		*out;
	size_t		 o = 0, bad;
	long		 n;

	v += strspn(v, " ");
	if (strncmp(v, "=?", 2) != 0)
		return xstrdup(v);
	out = xmalloc(strlen(v) + 1);
	for (p = v; *p != '\0'; p = end) {
		if (p != v && *p++ != ' ')
			goto fail;
		end = p + strcspn(p, " ");
		if (end - p < 12 || end - p > 75 ||
		    strncmp(p, "=?UTF-8?B?", 10) != 0 ||
		    strncmp(end - 2, "?=", 2) != 0 ||
		    (n = fuzz_mime_unbase64(p + 10, end - p - 12,
		    out + o)) <= 0 ||
		    syntax_utf8(out + o, (size_t)n, &bad, &why) != 0)
			goto fail;
		o += (size_t)n;
	}
	out[o] = '\0';
	return out;

fail:
	free(out);
	return NULL;
}

/* Return a header value without its folding (CRLF); allocated. */
static char *
fuzz_mime_unfold(const char *v, size_t len)
{
	char	*out = xmalloc(len + 1);
	size_t	 i, o = 0;

	for (i = 0; i < len; i++) {
		if (v[i] == '\r' && i + 1 < len && v[i + 1] == '\n')
			i++;
		else
			out[o++] = v[i];
	}
	out[o] = '\0';
	return out;
}

/* Abort unless the unfolded value decodes to want. */
static void
fuzz_mime_same(const char *what, const char *value, const char *want)
{
	char	*got = fuzz_mime_decode(value);

	if (got == NULL || strcmp(got, want) != 0)
		fuzz_mime_fail(what, value, strlen(value));
	free(got);
}

/* Abort unless the From value shows the name and the address given. */
static void
fuzz_mime_from(const struct mime_msg *m, const char *v)
{
	char	*tail, *phrase, *p, *q;
	size_t	 n;

	if (m->from_name == NULL) {
		if (strcmp(v, m->from_addr) != 0)
			fuzz_mime_fail("From is not the address", v, strlen(v));
		return;
	}
	tail = xasprintf(" <%s>", m->from_addr);
	n = strlen(v) - strlen(tail);
	if (strlen(v) < strlen(tail) || strcmp(v + n, tail) != 0)
		fuzz_mime_fail("From does not end in the address", v,
		    strlen(v));
	phrase = xstrndup(v, n);
	if (phrase[0] == '"') {
		/* A quoted-string: drop the quotes and the escapes. */
		if (n < 2 || phrase[n - 1] != '"')
			fuzz_mime_fail("From has a broken quote", v, strlen(v));
		for (p = q = phrase + 1; p < phrase + n - 1; p++) {
			if (*p == '\\' && p + 1 < phrase + n - 1)
				p++;
			else if (*p == '"' || *p == '\\')
				fuzz_mime_fail("From has a bare quote", v,
				    strlen(v));
			*q++ = *p;
		}
		*q = '\0';
		if (strcmp(phrase + 1, m->from_name) != 0)
			fuzz_mime_fail("From shows another name", v, strlen(v));
	} else
		fuzz_mime_same("From shows another name", phrase,
		    m->from_name);
	free(phrase);
	free(tail);
}

/*
 * Abort unless the header of the message holds exactly the fields
 * mime.h lists, in order, with the values m gave.
 */
static void
fuzz_mime_header(const struct mime_msg *m, const char *msg)
{
	const char	*want[FUZZ_HEADERS], *line, *next, *colon, *stop;
	char		*name, *value;
	size_t		 nwant = 0, n = 0;

	want[nwant++] = "Date";
	want[nwant++] = "From";
	want[nwant++] = "To";
	want[nwant++] = "Subject";
	want[nwant++] = "Message-ID";
	want[nwant++] = "MIME-Version";
	if (m->language != NULL)
		want[nwant++] = "Content-Language";
	want[nwant++] = "Auto-Submitted";
	if (m->list_unsubscribe != NULL) {
		want[nwant++] = "List-Unsubscribe";
		want[nwant++] = "List-Unsubscribe-Post";
	}
	want[nwant++] = "Content-Type";
	if (m->html == NULL)
		want[nwant++] = "Content-Transfer-Encoding";

	stop = strstr(msg, "\r\n\r\n") + 2;
	for (line = msg; line < stop; line = next) {
		/* A field: its first line and the lines that fold it. */
		next = line;
		do
			next = strstr(next, "\r\n") + 2;
		while (next < stop && (*next == ' ' || *next == '\t'));
		if ((colon = strchr(line, ':')) == NULL || colon >= next ||
		    colon[1] != ' ' || n >= nwant)
			fuzz_mime_fail("a header line that is no field", msg,
			    strlen(msg));
		name = xstrndup(line, colon - line);
		value = fuzz_mime_unfold(colon + 2, next - 2 - (colon + 2));
		if (strcmp(name, want[n++]) != 0)
			fuzz_mime_fail("a header field out of place", msg,
			    strlen(msg));
		if (strcmp(name, "From") == 0)
			fuzz_mime_from(m, value);
		else if (strcmp(name, "Subject") == 0)
			fuzz_mime_same("Subject is not the subject", value,
			    m->subject);
		else if ((strcmp(name, "To") == 0 &&
		    strcmp(value, m->to_addr) != 0) ||
		    (strcmp(name, "Message-ID") == 0 &&
		    strcmp(value, m->message_id) != 0) ||
		    (strcmp(name, "Content-Language") == 0 &&
		    strcmp(value, m->language) != 0) ||
		    (strcmp(name, "List-Unsubscribe") == 0 &&
		    (value[0] != '<' || strncmp(value + 1,
		    m->list_unsubscribe, strlen(value) - 2) != 0 ||
		    strlen(value) != strlen(m->list_unsubscribe) + 2)))
			fuzz_mime_fail("a header field with another value",
			    value, strlen(value));
		free(name);
		free(value);
	}
	if (n != nwant)
		fuzz_mime_fail("a header field missing", msg, strlen(msg));
}

/* Check mime_encode_words() on value after every first-line offset. */
static void
fuzz_mime_words(const char *value)
{
	char	*w, *p, *flat;
	size_t	 name_len, col;

	for (name_len = 0; name_len <= 76; name_len += 7) {
		if ((w = mime_encode_words(value, name_len)) == NULL) {
			if (mime_header_ok(value, NULL) == 0)
				fuzz_mime_fail("a valid value refused", value,
				    strlen(value));
			return;
		}
		if (mime_header_ok(value, NULL) != 0)
			fuzz_mime_fail("an unfit value encoded", value,
			    strlen(value));
		for (p = w, col = name_len; *p != '\0'; p++, col++) {
			if ((unsigned char)*p >= 0x80 || *p == '\n' ||
			    (*p == '\r' && (p[1] != '\n' || p[2] != ' ')))
				fuzz_mime_fail("a bad header byte", w,
				    strlen(w));
			if (*p == '\r') {
				p++;
				col = (size_t)-1;
			} else if (col >= 76)
				fuzz_mime_fail("a header line too long", w,
				    strlen(w));
		}
		flat = fuzz_mime_unfold(w, strlen(w));
		fuzz_mime_same("encoded-words that are not the value", flat,
		    value);
		free(flat);
		free(w);
	}
}

/* Build a notice from one input and check what comes out. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char	*defaults[FUZZ_NFIELDS] = { "City of Toronto",
	    "notices@toronto.example.org", "resident@example.com",
	    "Your request 8812 is closed", "Hello,\nit is closed.\n",
	    "<p>Hello,</p>", "<8812.1@closeloop.example.org>",
	    "https://closeloop.example.org/u?t=1", "en-CA" };
	const char		*f[FUZZ_NFIELDS];
	struct mime_msg		 m;
	char			*buf, *p, *end, *out = NULL, *cause = NULL;
	size_t			 i, len;
	uint64_t		 h = UINT64_C(0xcbf29ce484222325);
	int			 unfit;

	buf = xmalloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * UINT64_C(0x100000001b3);

	memcpy(f, defaults, sizeof f);
	end = buf + size;
	for (i = 0, p = buf; i < FUZZ_NFIELDS && p <= end; i++) {
		f[i] = p;
		p += strlen(p) + 1;
	}
	memset(&m, 0, sizeof m);
	m.from_name = *f[0] != '\0' ? f[0] : NULL;
	m.from_addr = f[1];
	m.to_addr = f[2];
	m.subject = f[3];
	m.text = f[4];
	m.html = *f[5] != '\0' ? f[5] : NULL;
	m.message_id = f[6];
	m.list_unsubscribe = *f[7] != '\0' ? f[7] : NULL;
	m.language = *f[8] != '\0' ? f[8] : NULL;
	/* Mostly in range, now and then a second outside it. */
	m.date = (int64_t)(h % UINT64_C(253402300801)) - (h % 97 == 0);

	unfit = (m.from_name != NULL && mime_header_ok(m.from_name, NULL)) ||
	    mime_header_ok(m.from_addr, NULL) || mime_header_ok(m.to_addr,
	    NULL) || mime_header_ok(m.subject, NULL) ||
	    mime_header_ok(m.message_id, NULL) || (m.list_unsubscribe != NULL &&
	    mime_header_ok(m.list_unsubscribe, NULL)) || (m.language != NULL &&
	    mime_header_ok(m.language, NULL));
	if (mime_build(&m, &out, &len, &cause) == 0) {
		if (unfit)
			fuzz_mime_fail("an unfit header value accepted", out,
			    len);
		fuzz_mime_check(out, len, 76);
		fuzz_mime_header(&m, out);
		free(out);
	} else if (cause == NULL || strchr(cause, ':') == NULL)
		fuzz_mime_fail("a refusal without a cause", "", 0);
	free(cause);
	fuzz_mime_words(f[3]);
	free(buf);
	return 0;
}

#ifndef FUZZ_LIBFUZZER
/* Feed the corpus and its mutations to the target. */
int
main(int argc, char **argv)
{
	static const struct fuzzdrive_piece	 pieces[] = {
		FUZZDRIVE_PIECE("\r\n"), FUZZDRIVE_PIECE("\n"),
		FUZZDRIVE_PIECE("\r"), FUZZDRIVE_PIECE("."),
		FUZZDRIVE_PIECE("="), FUZZDRIVE_PIECE("=?"),
		FUZZDRIVE_PIECE(" "), FUZZDRIVE_PIECE("\t"),
		FUZZDRIVE_PIECE("\xc3\xa9"), FUZZDRIVE_PIECE("\xe2\x80"),
		FUZZDRIVE_PIECE("\xe9\x81\x93"),
		FUZZDRIVE_PIECE("\xf0\x9f\x9a\xa7"),
		FUZZDRIVE_PIECE("@"), FUZZDRIVE_PIECE("<"),
		FUZZDRIVE_PIECE(">"), FUZZDRIVE_PIECE("\""),
		FUZZDRIVE_PIECE(","), FUZZDRIVE_PIECE("--=_closeloop_"),
		FUZZDRIVE_PIECE("From "),
	};

	return fuzzdrive_main(argc, argv, "fuzz_mime", "tests/fuzz/mime",
	    pieces, sizeof pieces / sizeof pieces[0]);
}
#endif
