/*
 * fuzz_sms.c - a fuzz target for reading the SMS gateway's answers
 *
 * LLVMFuzzerTestOneInput() reads the input as one HTTP answer: the first
 * line names the gateway (a line starting with 'k' is Kannel, any other
 * the Twilio-like API) and, after it, the status code in decimal (at most
 * three digits; none reads as 0); the rest of the input is the body, NUL
 * bytes and all. smsdialect_reply() reads it as smsxfer.c does once
 * libcurl has the answer, and the reply then goes through
 * channel_result() as every outcome does.
 *
 * Checks: the outcome is the one the code stands for (smsdialect.h); the
 * reply starts with "HTTP N: " and, for Kannel or an answer that is not
 * a JSON object, goes on with the first line of the body exactly; a sid
 * comes only with a message the Twilio-like gateway sent, as 1 to 64
 * printable ASCII characters, is the JSON's "sid" and follows "HTTP N: ";
 * an error's reply carries the JSON's "message"; the reply kept is one
 * line of UTF-8 without control characters, at most FUZZ_SMS_REPLY_MAX
 * bytes.
 *
 * Built with clang -fsanitize=fuzzer (make fuzz), libFuzzer drives it.
 * Built without, main() feeds it the seed corpus in tests/fuzz/sms, the
 * real answers of Kannel and of tests/harness/gateway.py, and reproducible
 * mutations of them (fuzzdrive.c).
 */
#include "build.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "channel.h"
#include "fuzzdrive.h"
#include "sms.h"
#include "smsdialect.h"
#include "twilio.h"
#include "xmalloc.h"

#define FUZZ_SMS_REPLY_MAX	(512 + 3)	/* and "..." */

/* Report what is wrong with the reply to one answer and abort. */
static void __attribute__((noreturn))
fuzz_sms_fail(const char *what, long code, const char *reply)
{
	fprintf(stderr, "fuzz_sms: %s (HTTP %ld): %s\n", what, code,
	    reply != NULL ? reply : "(none)");
	abort();
}

/* Return the outcome an HTTP status code stands for (smsdialect.h). */
static enum send_status
fuzz_sms_outcome(long code)
{
	if (code >= 200 && code <= 299)
		return SEND_OK;
	if (code >= 400 && code <= 499 && code != 401 && code != 403 &&
	    code != 407 && code != 408 && code != 429)
		return SEND_PERMFAIL;
	return SEND_TEMPFAIL;
}

/* Tell whether s is 1 to 64 printable ASCII characters without spaces. */
static int
fuzz_sms_sid_ok(const char *s)
{
	size_t	n = strlen(s), i;

	for (i = 0; i < n; i++) {
		if (s[i] < '!' || s[i] > '~')
			return 0;
	}
	return n >= 1 && n <= 64;
}

/* Check the reply as channel_result() keeps it: one clean line. */
static void
fuzz_sms_kept(long code, enum send_status st, const char *reply)
{
	struct send_result	 r;
	const unsigned char	*u;
	json_t			*utf8;

	memset(&r, 0, sizeof r);
	channel_result(&r, st, "%s", reply);
	if (strlen(r.reply) > FUZZ_SMS_REPLY_MAX || strncmp(r.reply,
	    "HTTP ", 5) != 0)
		fuzz_sms_fail("a reply kept too long or cut wrong", code,
		    r.reply);
	for (u = (const unsigned char *)r.reply; *u != '\0'; u++) {
		if (*u < 0x20 || *u == 0x7f)
			fuzz_sms_fail("a control character kept", code, reply);
	}
	if ((utf8 = json_string(r.reply)) == NULL)
		fuzz_sms_fail("a reply kept that is not UTF-8", code, reply);
	json_decref(utf8);
	channel_result_clear(&r);
}

/* Read one answer and check what is made of it. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*in = (const char *)data, *nl;
	char			*body = NULL, *sid, *reply, *head, *line;
	const struct smsdialect	*profile;
	enum send_status	 st;
	json_t			*j;
	const char		*jsid, *jmsg;
	size_t			 len = 0, i, first, digits = 0;
	long			 code = 0;
	int			 own;

	if ((nl = memchr(in, '\n', size)) == NULL)
		nl = in + size;
	profile = sms_dialect(size > 0 && in[0] == 'k' ? "kannel" :
	    "twilio");
	for (i = 0; i < (size_t)(nl - in) && (in[i] < '0' || in[i] > '9');
	    i++)
		/* nothing */;
	for (; i < (size_t)(nl - in) && in[i] >= '0' && in[i] <= '9' &&
	    digits++ < 3; i++)
		code = code * 10 + in[i] - '0';
	/* A body of its own size, NUL-terminated as smsxfer.c keeps it. */
	if (nl < in + size) {
		len = size - (size_t)(nl + 1 - in);
		body = xmalloc(len + 1);
		memcpy(body, nl + 1, len);
		body[len] = '\0';
	}

	st = smsdialect_reply(profile, code, body, len, &sid, &reply);
	if (st != fuzz_sms_outcome(code))
		fuzz_sms_fail("the wrong outcome", code, reply);
	head = xasprintf("HTTP %ld: ", code);
	if (reply == NULL || strncmp(reply, head, strlen(head)) != 0)
		fuzz_sms_fail("a reply without its status", code, reply);
	for (first = 0; first < len && body[first] != '\0' &&
	    body[first] != '\r' && body[first] != '\n'; first++)
		/* nothing */;
	line = xasprintf("%s%.*s", head, (int)first, first > 0 ? body : "");

	j = profile == &twilio_dialect && len > 0 ? json_loadb(body, len,
	    JSON_REJECT_DUPLICATES, NULL) : NULL;
	if (j != NULL && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	jsid = json_string_value(json_object_get(j, "sid"));
	jmsg = json_string_value(json_object_get(j, "message"));
	own = j != NULL && ((st == SEND_OK && jsid != NULL &&
	    fuzz_sms_sid_ok(jsid)) || (st != SEND_OK && jmsg != NULL));
	if (!own && strcmp(reply, line) != 0)
		fuzz_sms_fail("a reply that is not the first line", code,
		    reply);
	if (sid != NULL && (j == NULL || st != SEND_OK ||
	    !fuzz_sms_sid_ok(sid) || jsid == NULL || strcmp(sid, jsid) != 0 ||
	    strncmp(reply + strlen(head), sid, strlen(sid)) != 0))
		fuzz_sms_fail("a sid that is not the gateway's", code, sid);
	if (sid == NULL && own && st == SEND_OK)
		fuzz_sms_fail("the gateway's sid lost", code, reply);
	if (own && st != SEND_OK && strstr(reply, jmsg) == NULL)
		fuzz_sms_fail("the gateway's message lost", code, reply);
	fuzz_sms_kept(code, st, reply);

	json_decref(j);
	free(line);
	free(head);
	free(sid);
	free(reply);
	free(body);
	return 0;
}

#ifndef FUZZ_LIBFUZZER
/* Feed the corpus and its mutations to the target. */
int
main(int argc, char **argv)
{
	static const struct fuzzdrive_piece	 pieces[] = {
		FUZZDRIVE_PIECE("\0"), FUZZDRIVE_PIECE("\r\n"),
		FUZZDRIVE_PIECE("\n"), FUZZDRIVE_PIECE("\""),
		FUZZDRIVE_PIECE("{\"sid\": \"SM1\"}"),
		FUZZDRIVE_PIECE("{\"message\": \"m\", \"code\": 1}"),
		FUZZDRIVE_PIECE("\\u0000"), FUZZDRIVE_PIECE("\\n"),
		FUZZDRIVE_PIECE("\\ud83d"), FUZZDRIVE_PIECE("\\u00e9"),
		FUZZDRIVE_PIECE("\xc3\xa9"), FUZZDRIVE_PIECE("\xe2\x80"),
		FUZZDRIVE_PIECE("\x1b["), FUZZDRIVE_PIECE("}"),
		FUZZDRIVE_PIECE("99999999999999999999"),
	};

	return fuzzdrive_main(argc, argv, "fuzz_sms", "tests/fuzz/sms",
	    pieces, sizeof pieces / sizeof pieces[0]);
}
#endif
