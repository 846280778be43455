/*
 * mimeread.h - reading back a kept email: its headers and its parts
 *
 * Enough of MIME to show the messages mime.h builds: headers unfolded
 * and their RFC 2047 encoded-words decoded, a multipart/alternative of
 * a text/plain and a text/html part (or a text/plain body alone), each
 * quoted-printable or base64.
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
 * Return the text/SUBTYPE part of msg ("plain" or "html"), decoded,
 * NUL-terminated, with its length in *outlen; NULL if it has none (or
 * it cannot be decoded). The caller frees it.
 */
char *mimeread_part(const char *msg, size_t len, const char *subtype,
    size_t *outlen);

#endif
