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
 * lone "." line, a final CRLF. Any break of that aborts. The subject also
 * goes through mime_encode_words() with every first-line offset.
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
#include "xmalloc.h"

#define FUZZ_NFIELDS	9

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

/* Check mime_encode_words() on value after every first-line offset. */
static void
fuzz_mime_words(const char *value)
{
	char	*w, *p;
	size_t	 name_len, col;

	for (name_len = 0; name_len <= 76; name_len += 7) {
		if ((w = mime_encode_words(value, name_len)) == NULL) {
			if (mime_header_ok(value, NULL) == 0)
				fuzz_mime_fail("a valid value refused", value,
				    strlen(value));
			return;
		}
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

	if (mime_build(&m, &out, &len, &cause) == 0) {
		fuzz_mime_check(out, len, 76);
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
