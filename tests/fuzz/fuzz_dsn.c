/*
 * fuzz_dsn.c - a fuzz target for reading the reports that come back
 *
 * LLVMFuzzerTestOneInput() hands the input, as a buffer of exactly its
 * length (so that a read past it is caught), to dsn_parse(): a report
 * from anywhere on the Internet. Whatever it is, dsn_parse() must
 * return 0 exactly when it found a bounce or a complaint, say why when
 * it did not, and keep only values fit to record: valid UTF-8 without a
 * control character, at most DSN_VALUE_MAX bytes and the "..." of a
 * cut; a status that is a status code; a bounce's action "failed" or
 * "delayed", a hard bounce a failure; a complaint's type abuse or
 * fraud. Any break of that aborts.
 *
 * Built with clang -fsanitize=fuzzer, libFuzzer drives it. Built without
 * (and FUZZ_LIBFUZZER undefined), main() below feeds it the seed corpus
 * in tests/fuzz/dsn and pseudo-random mutations of it, reproducibly
 * (fuzzdrive.c).
 */
#include "build.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsn.h"
#include "fuzzdrive.h"
#include "syntax.h"
#include "xmalloc.h"

/* Report what is wrong with a value and abort. */
static void __attribute__((noreturn))
fuzz_dsn_fail(const char *what, const char *v)
{
	fprintf(stderr, "fuzz_dsn: %s: \"%s\"\n", what, v != NULL ? v : "");
	abort();
}

/* Abort unless a kept value is fit to record. */
static void
fuzz_dsn_value(const char *name, const char *v)
{
	const char	*p, *why;
	size_t		 len, bad;

	if (v == NULL)
		return;
	len = strlen(v);
	if (len == 0 || len > DSN_VALUE_MAX + 3)
		fuzz_dsn_fail(name, v);
	if (syntax_utf8(v, len, &bad, &why) != 0)
		fuzz_dsn_fail(name, v);
	for (p = v; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			fuzz_dsn_fail(name, v);
}

/* Abort unless s is a status code: [245].D{1,3}.D{1,3}. */
static void
fuzz_dsn_status(const char *s)
{
	size_t	n;
	int	i;

	if (s == NULL)
		return;
	if (*s != '2' && *s != '4' && *s != '5')
		fuzz_dsn_fail("status", s);
	s++;
	for (i = 0; i < 2; i++) {
		n = strspn(s + 1, "0123456789");
		if (*s != '.' || n < 1 || n > 3)
			fuzz_dsn_fail("status", s);
		s += 1 + n;
	}
	if (*s != '\0')
		fuzz_dsn_fail("status", s);
}

/* Read one input as a report and check what comes out. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dsn	 d;
	const char	*why = NULL;
	char		*buf;
	int		 rc;

	buf = xmalloc(size > 0 ? size : 1);
	memcpy(buf, data, size);
	rc = dsn_parse(buf, size, &d, &why);
	if ((rc == 0) != (d.kind != DSN_NONE))
		fuzz_dsn_fail("the result and the kind disagree", why);
	if (rc != 0 && why == NULL)
		fuzz_dsn_fail("no reason given", NULL);
	fuzz_dsn_value("action", d.action);
	fuzz_dsn_value("status", d.status);
	fuzz_dsn_value("diagnostic", d.diagnostic);
	fuzz_dsn_value("recipient", d.recipient);
	fuzz_dsn_value("reporter", d.reporter);
	fuzz_dsn_value("feedback_type", d.feedback_type);
	fuzz_dsn_value("original_from", d.original_from);
	fuzz_dsn_value("message_id", d.message_id);
	fuzz_dsn_status(d.status);
	if (d.kind == DSN_BOUNCE && (d.action == NULL ||
	    (strcmp(d.action, "failed") != 0 &&
	    strcmp(d.action, "delayed") != 0)))
		fuzz_dsn_fail("a bounce of another action", d.action);
	if (d.hard && (d.kind != DSN_BOUNCE ||
	    strcmp(d.action, "failed") != 0 ||
	    (d.status != NULL && d.status[0] != '5')))
		fuzz_dsn_fail("a hard bounce that did not fail for good",
		    d.status);
	if (d.kind == DSN_COMPLAINT && (d.feedback_type == NULL ||
	    (strcmp(d.feedback_type, "abuse") != 0 &&
	    strcmp(d.feedback_type, "fraud") != 0)))
		fuzz_dsn_fail("a complaint of another type", d.feedback_type);
	dsn_clear(&d);
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
		FUZZDRIVE_PIECE("\n\n"), FUZZDRIVE_PIECE("\r\n\r\n"),
		FUZZDRIVE_PIECE("\0"), FUZZDRIVE_PIECE(" "),
		FUZZDRIVE_PIECE("\t"), FUZZDRIVE_PIECE(";"),
		FUZZDRIVE_PIECE("\""), FUZZDRIVE_PIECE("\\"),
		FUZZDRIVE_PIECE("--x"), FUZZDRIVE_PIECE("--x--"),
		FUZZDRIVE_PIECE("\n--x\n"),
		FUZZDRIVE_PIECE("Content-Type: multipart/report; "
		    "report-type=delivery-status; boundary=x\n\n"),
		FUZZDRIVE_PIECE("Content-Type: message/delivery-status\n\n"),
		FUZZDRIVE_PIECE("Content-Type: message/feedback-report\n\n"),
		FUZZDRIVE_PIECE("Content-Type: message/rfc822\n\n"),
		FUZZDRIVE_PIECE("Content-Transfer-Encoding: base64\n"),
		FUZZDRIVE_PIECE("Content-Transfer-Encoding: quoted-printable\n"),
		FUZZDRIVE_PIECE("Action: failed\n"),
		FUZZDRIVE_PIECE("Status: 5.1.1\n"),
		FUZZDRIVE_PIECE("Diagnostic-Code: smtp; 550 "),
		FUZZDRIVE_PIECE("Feedback-Type: abuse\n"),
		FUZZDRIVE_PIECE("=?UTF-8?B?"), FUZZDRIVE_PIECE("?="),
		FUZZDRIVE_PIECE("=0D=0A"), FUZZDRIVE_PIECE("=\n"),
		FUZZDRIVE_PIECE("\xc3\xa9"), FUZZDRIVE_PIECE("\xe2\x80"),
		FUZZDRIVE_PIECE("\x1b[31m"), FUZZDRIVE_PIECE("<"),
		FUZZDRIVE_PIECE(">"),
	};

	return fuzzdrive_main(argc, argv, "fuzz_dsn", "tests/fuzz/dsn",
	    pieces, sizeof pieces / sizeof pieces[0]);
}
#endif
