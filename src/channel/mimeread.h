/*
 * mimeread.h - reading back a kept email: its headers and its parts
 *
 * Enough of MIME to show the messages mime.h builds: headers unfolded
 * and their RFC 2047 encoded-words decoded, a multipart/alternative of
 * a text/plain and a text/html part (or a text/plain body alone), each
 * quoted-printable or base64. And enough to take apart a report that
 * comes back (dsn.h): lines ended by CRLF or LF alone, a header's
 * parameters, the parts of any multipart body, each part's content
 * decoded.
 */
#ifndef MIMEREAD_H
#define MIMEREAD_H

#include <stddef.h>

/*
 * Return the value of the header name in the len bytes of msg, unfolded,
 * its encoded-words decoded to UTF-8; NULL if it has none. The caller
 * frees it.
 */
char *mimeread_header(const char *msg, size_t len, const char *name);

/*
 * Return the offset in msg (len bytes) of its body: past the empty line,
 * CRLF or LF, that ends its header section; len if it has none.
 */
size_t mimeread_body(const char *msg, size_t len);

/*
 * Return parameter name of a header value (the boundary of
 * "multipart/report; boundary=\"x\""), unquoted; NULL if it has none.
 * The caller frees it.
 */
char *mimeread_param(const char *value, const char *name);

/* One part of a multipart body: where it starts in the message. */
struct mimeread_span {
	const char	*p;
	size_t		 len;
};

/*
 * Write into out (room for max) the parts of multipart msg, each its
 * header and body as they are between two delimiter lines; return how
 * many. 0 if msg is not multipart or has no boundary. A body that ends
 * without its closing delimiter ends its last part.
 */
size_t mimeread_parts(const char *msg, size_t len, struct mimeread_span *out,
    size_t max);

/*
 * Return the body of the entity s (n bytes: header, empty line, body)
 * decoded as its Content-Transfer-Encoding says (base64,
 * quoted-printable, or as it is), NUL-terminated, with its length in
 * *outlen. The caller frees it.
 */
char *mimeread_content(const char *s, size_t n, size_t *outlen);

/*
 * Return the text/SUBTYPE part of msg ("plain" or "html"), decoded,
 * NUL-terminated, with its length in *outlen; NULL if it has none (or
 * it cannot be decoded). The caller frees it.
 */
char *mimeread_part(const char *msg, size_t len, const char *subtype,
    size_t *outlen);

#endif
