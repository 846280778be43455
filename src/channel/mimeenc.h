/*
 * mimeenc.h - the encodings of an email message, into a growing buffer
 *
 * mime.c builds the message in a struct mimeenc_buf and encodes what a
 * resident's data can reach with these: base64 and quoted-printable for
 * the bodies (RFC 2045), encoded-words for header values (RFC 2047).
 * Every encoded line is at most MIMEENC_LINE octets.
 */
#ifndef MIMEENC_H
#define MIMEENC_H

#include <stddef.h>

#define MIMEENC_LINE	76	/* longest encoded line, RFC 2045 */
#define MIMEENC_WORD	75	/* longest encoded-word, RFC 2047 */

/*
 * A growing output buffer; { NULL, 0, 0 } is empty. Once anything is
 * appended, p is NUL-terminated; the caller frees p.
 */
struct mimeenc_buf {
	char	*p;
	size_t	 len;
	size_t	 size;
};

/* Append n bytes of s to b. */
void mimeenc_add(struct mimeenc_buf *b, const char *s, size_t n);

/* Append the byte c to b. */
void mimeenc_putc(struct mimeenc_buf *b, char c);

/* Append the NUL-terminated s to b. */
void mimeenc_puts(struct mimeenc_buf *b, const char *s);

/* Append a formatted string to b. */
void mimeenc_printf(struct mimeenc_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Append the base64 of n bytes of s to b, on one line. */
void mimeenc_base64(struct mimeenc_buf *b, const unsigned char *s,
    size_t n);

/* Append the base64 of n bytes of s to b in lines, each ending in CRLF. */
void mimeenc_base64_lines(struct mimeenc_buf *b, const unsigned char *s,
    size_t n);

/*
 * Append the quoted-printable of s[0..n), text whose line breaks are all
 * CRLF, to b: lines of at most MIMEENC_LINE octets with soft breaks, a
 * leading "." encoded (no line is a lone "."), ending in CRLF.
 */
void mimeenc_qp(struct mimeenc_buf *b, const unsigned char *s, size_t n);

/*
 * Tell whether the NUL-terminated s can go as it is in an unstructured
 * header whose first line has col octets already: printable ASCII words
 * separated by single spaces, none starting "=?", that fold at spaces
 * into lines of at most MIMEENC_LINE octets.
 */
int mimeenc_plain_ok(const char *s, size_t col);

/*
 * Append the UTF-8 s (valid, without CR or LF) to b as the value of a
 * header whose first line has col octets already: plain and folded at
 * spaces if mimeenc_plain_ok() and force is not set, else as encoded-
 * words in UTF-8 and B encoding, at most MIMEENC_WORD octets each, never
 * splitting a character. Continuation lines start with one space; every
 * line but the last ends in CRLF.
 */
void mimeenc_words(struct mimeenc_buf *b, const char *s, size_t col,
    int force);

#endif
