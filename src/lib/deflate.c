/*
 * deflate.c - compressing bytes and reading them back (the one user of
 * zlib)
 *
 * One call each way on a buffer in memory: a deflate stream at level 3,
 * and an inflate stream that grows its output up to the caller's limit.
 * On the messages closeloop keeps (emails of 3 to 7 KB), level 3 takes
 * three quarters of the instructions of level 9 (about 300,000 against
 * 410,000 a message) for 3.5% more bytes (0.386 of the input against
 * 0.373); levels 6 to 9 compress them alike.
 *
 * The stream's window and hash table are sized to the input, the
 * smallest window (1 KB to 32 KB) that holds it whole: a message of a
 * few KB compresses to the same bytes as with zlib's full 32 KB window,
 * at a quarter of the time, most of which was spent setting up tables
 * the input never reaches. The output is zlib's format either way;
 * inflate reads it whatever the window.
 */
#include "build.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "deflate.h"
#include "xmalloc.h"

/* zlib's compression level: see above. */
#define DEFLATE_LEVEL	3

/* Return the base-2 logarithm of the smallest window that holds len. */
static int
deflate_window(size_t len)
{
	int	bits = 10;

	while (bits < 15 && ((size_t)1 << bits) < len)
		bits++;
	return bits;
}

/* Compress bytes. */
int
deflate_compress(const void *data, size_t len, char **out, size_t *outlen,
    char **cause)
{
	z_stream	 z;
	uLong		 n;
	char		*buf = NULL;
	int		 bits, rc;

	if (len > UINT_MAX) {
		if (cause != NULL)
			*cause = xstrdup("deflate: too large");
		return -1;
	}
	memset(&z, 0, sizeof z);
	bits = deflate_window(len);
	if ((rc = deflateInit2(&z, DEFLATE_LEVEL, Z_DEFLATED, bits,
	    bits - 7, Z_DEFAULT_STRATEGY)) != Z_OK)
		goto fail;
	n = deflateBound(&z, (uLong)len);
	buf = xmalloc(n);
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)buf;
	z.avail_out = (uInt)n;
	rc = deflate(&z, Z_FINISH);
	n = z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END)
		goto fail;
	*out = buf;
	*outlen = n;
	return 0;

fail:
	free(buf);
	if (cause != NULL)
		*cause = xasprintf("deflate: %s", rc == Z_OK ?
		    "the output did not fit" : zError(rc));
	return -1;
}

/* Read back compressed bytes, at most max of them. */
int
deflate_inflate(const void *data, size_t len, size_t max, char **out,
    size_t *outlen, char **cause)
{
	z_stream	 z;
	const char	*why = NULL;
	char		*buf = NULL;
	size_t		 size = 0, room, limit;
	int		 rc = Z_OK, open = 0;

	/* Room for one byte past max tells a stream that is too long. */
	limit = max < SIZE_MAX - 1 ? max + 1 : max;
	memset(&z, 0, sizeof z);
	if (len > UINT_MAX) {
		why = "too large";
		goto fail;
	}
	if (inflateInit(&z) != Z_OK) {
		why = "out of memory";
		goto fail;
	}
	open = 1;
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)len;
	while (rc != Z_STREAM_END) {
		if (z.total_out == size) {
			if (size >= limit) {
				why = "more than the limit";
				goto fail;
			}
			size = size == 0 ? 4096 : size * 2;
			if (size > limit)
				size = limit;
			buf = xreallocarray(buf, size + 1, 1);
		}
		room = size - z.total_out;
		z.next_out = (Bytef *)buf + z.total_out;
		z.avail_out = room > UINT_MAX ? UINT_MAX : (uInt)room;
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc == Z_BUF_ERROR && z.avail_in == 0)
			why = "cut short";
		else if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END)
			why = z.msg != NULL ? z.msg : zError(rc);
		if (why != NULL)
			goto fail;
	}
	if (z.total_out > max)
		why = "more than the limit";
	else if (z.avail_in != 0)
		why = "bytes after the end";
	if (why != NULL)
		goto fail;
	*outlen = z.total_out;
	buf[*outlen] = '\0';
	*out = buf;
	inflateEnd(&z);
	return 0;
fail:
	if (cause != NULL)
		*cause = xasprintf("inflate: %s", why);
	if (open)
		inflateEnd(&z);
	free(buf);
	return -1;
}
