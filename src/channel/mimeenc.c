/*
 * mimeenc.c - the encodings of an email message, into a growing buffer
 *
 * Bodies go base64 (lines of 76) or quoted-printable, where "=" is "=3D",
 * "=XX" or a soft line break: neither can produce "=_", which the MIME
 * boundary of mime.c holds. A header value that printable ASCII words
 * cannot carry becomes encoded-words, =?UTF-8?B?...?=, each holding whole
 * characters and ending, where one is near, after a space.
 */
#include "build.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mimeenc.h"
#include "syntax.h"
#include "xmalloc.h"

/* Make room in b for n more bytes and the NUL. */
static void
mimeenc_room(struct mimeenc_buf *b, size_t n)
{
	while (b->len + n + 1 > b->size) {
		b->size = b->size == 0 ? 1024 : b->size * 2;
		b->p = xreallocarray(b->p, 1, b->size);
	}
}

/* Append n bytes of s to b. */
void
mimeenc_add(struct mimeenc_buf *b, const char *s, size_t n)
{
	mimeenc_room(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Append the byte c to b. */
void
mimeenc_putc(struct mimeenc_buf *b, char c)
{
	if (b->len + 2 > b->size) {
		mimeenc_add(b, &c, 1);
		return;
	}
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

/* Append the NUL-terminated s to b. */
void
mimeenc_puts(struct mimeenc_buf *b, const char *s)
{
	mimeenc_add(b, s, strlen(s));
}

/* Append a formatted string to b. */
void
mimeenc_printf(struct mimeenc_buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	mimeenc_puts(b, s);
	free(s);
}

/* Append the base64 of n bytes of s to b, on one line. */
void
mimeenc_base64(struct mimeenc_buf *b, const unsigned char *s, size_t n)
{
	static const char	 abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	char			 q[4];
	uint32_t		 v;
	size_t			 i;

	for (i = 0; i < n; i += 3) {
		v = (uint32_t)s[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		q[0] = abc[v >> 18];
		q[1] = abc[(v >> 12) & 0x3f];
		q[2] = i + 1 < n ? abc[(v >> 6) & 0x3f] : '=';
		q[3] = i + 2 < n ? abc[v & 0x3f] : '=';
		mimeenc_add(b, q, 4);
	}
}

/* Append the base64 of n bytes of s to b in lines ending in CRLF. */
void
mimeenc_base64_lines(struct mimeenc_buf *b, const unsigned char *s,
    size_t n)
{
	struct mimeenc_buf	 e = { NULL, 0, 0 };
	size_t			 i;

	mimeenc_base64(&e, s, n);
	for (i = 0; i < e.len; i += MIMEENC_LINE) {
		mimeenc_add(b, e.p + i, e.len - i < MIMEENC_LINE ?
		    e.len - i : MIMEENC_LINE);
		mimeenc_puts(b, "\r\n");
	}
	free(e.p);
}

/*
 * Append the quoted-printable of the CRLF text s[0..n) to b. Room for
 * the worst case of a line (every byte "=XX", a soft break every 25
 * bytes) is made before it, and the line written straight into b.
 */
void
mimeenc_qp(struct mimeenc_buf *b, const unsigned char *s, size_t n)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 i = 0, end, col, w;
	char			*o;
	int			 enc, last;

	for (;;) {
		/* In CRLF text every CR starts a line break. */
		for (end = i; end < n && s[end] != '\r'; end++)
			;
		mimeenc_room(b, (end - i) * 3 + ((end - i) / 24 + 1) * 3 + 2);
		o = b->p + b->len;
		for (col = 0; i < end; i++) {
			last = i + 1 == end;
			enc = s[i] < '!' || s[i] > '~' || s[i] == '=';
			if ((s[i] == ' ' || s[i] == '\t') && !last)
				enc = 0;
			w = (enc || (s[i] == '.' && col == 0)) ? 3 : 1;
			if (col + w + !last > MIMEENC_LINE) {
				memcpy(o, "=\r\n", 3);
				o += 3;
				col = 0;
			}
			/* No line may be a lone ".": encode a leading one. */
			if (enc || (s[i] == '.' && col == 0)) {
				w = 3;
				o[0] = '=';
				o[1] = hex[s[i] >> 4];
				o[2] = hex[s[i] & 0xf];
				o += 3;
			} else {
				w = 1;
				*o++ = (char)s[i];
			}
			col += w;
		}
		memcpy(o, "\r\n", 3);
		b->len = (size_t)(o + 2 - b->p);
		if (end >= n)
			break;
		i = end + 2;
	}
}

/* Tell whether s can go in an unstructured header as it is. */
int
mimeenc_plain_ok(const char *s, size_t col)
{
	size_t	i, word = 0, n = strlen(s);

	if (n > 0 && (s[0] == ' ' || s[n - 1] == ' '))
		return 0;
	for (i = 0; i <= n; i++) {
		if (s[i] == ' ' || s[i] == '\0') {
			if (col + word > MIMEENC_LINE || (i > 0 && word == 0))
				return 0;
			col = 1;
			word = 0;
		} else if (s[i] < ' ' || s[i] > '~' ||
		    (s[i] == '=' && s[i + 1] == '?'))
			return 0;
		else
			word++;
	}
	return 1;
}

/* Append s, folded at spaces, to a header whose line has col octets. */
static void
mimeenc_folded(struct mimeenc_buf *b, const char *s, size_t col)
{
	size_t	n = strlen(s), i = 0, k;

	for (k = 0; k <= n; k++) {
		if (s[k] != ' ' && s[k] != '\0')
			continue;
		if (i > 0 && col + (k - i) + 1 > MIMEENC_LINE) {
			mimeenc_puts(b, "\r\n");
			col = 0;
		}
		if (i > 0) {
			mimeenc_puts(b, " ");
			col++;
		}
		mimeenc_add(b, s + i, k - i);
		col += k - i;
		i = k + 1;
	}
}

/*
 * Append s to b as the value of a header whose first line has col
 * octets already: plain and folded at spaces if it can be and force is
 * not set, else as encoded-words.
 */
void
mimeenc_words(struct mimeenc_buf *b, const char *s, size_t col, int force)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 n = strlen(s), i = 0, k, w, room, take;

	if (!force && mimeenc_plain_ok(s, col)) {
		mimeenc_folded(b, s, col);
		return;
	}
	while (i < n) {
		/* Room for the base64 of how many bytes on this line. */
		room = MIMEENC_LINE - (col < MIMEENC_LINE ? col :
		    MIMEENC_LINE);
		if (room > MIMEENC_WORD)
			room = MIMEENC_WORD;
		take = room > 12 ? (room - 12) / 4 * 3 : 0;
		for (k = i; k < n && k - i + (w = syntax_utf8_seq(
		    (const char *)u + k, n - k)) <= take; k += w)
			;
		if (k == i) {
			/* Not even one character fits: start a new line. */
			mimeenc_puts(b, "\r\n ");
			col = 1;
			continue;
		}
		/*
		 * End the word after a space if one is in its second half:
		 * a reader that wrongly keeps the folding white space
		 * between words then shows two spaces, not a split word.
		 */
		for (w = k; k < n && w > i + (k - i) / 2; w--) {
			if (s[w - 1] == ' ') {
				k = w;
				break;
			}
		}
		mimeenc_puts(b, "=?UTF-8?B?");
		mimeenc_base64(b, u + i, k - i);
		mimeenc_puts(b, "?=");
		if (k < n)
			mimeenc_puts(b, "\r\n ");
		col = 1;
		i = k;
	}
}
