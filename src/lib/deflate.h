/*
 * deflate.h - compressing bytes and reading them back (the one user of
 * zlib)
 *
 * The zlib format (RFC 1950): a deflate stream with an Adler-32 check, so
 * damage to what is read back is noticed rather than returned. Reading
 * back stops at a size given by the caller, so that a damaged or hostile
 * input cannot make it allocate without end.
 */
#ifndef DEFLATE_H
#define DEFLATE_H

#include <stddef.h>

/*
 * Compress len bytes of data. Returns 0 and sets *out (allocated; the
 * caller frees it) and *outlen, or -1 with *cause if zlib fails.
 */
int deflate_compress(const void *data, size_t len, char **out,
    size_t *outlen, char **cause);

/*
 * Read back len bytes of data made by deflate_compress(): at most max
 * bytes. Returns 0 and sets *out (allocated and NUL-terminated after its
 * *outlen bytes; the caller frees it), or -1 with *cause if data is not
 * a whole zlib stream, fails its check or holds more than max bytes.
 */
int deflate_inflate(const void *data, size_t len, size_t max, char **out,
    size_t *outlen, char **cause);

#endif
