/*
 * test_link.c - unit tests for the links a message carries (link.c)
 *
 * The resident page's token is checked against a value computed apart
 * from closeloop, so that closeloop-web, or a city's own site, can make
 * and check it from the format link.h gives. The checks of a token that
 * is wrong, for another SR, or of the wrong length, all say no. The
 * links are made from a configuration loaded from a file, the key read
 * as closeloopd reads it (here as a credential). The one-click unsubscribe
 * link is tested with the listener that checks it (test_unsubscribe).
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "fixture.h"
#include "link.h"
#include "xmalloc.h"

#define KEY	"res1dent-k3y"
#define SR	"2026-000101"

/*
 * The token of SR under KEY, computed with
 *   printf 'closeloop-resident:2026-000101' |
 *       openssl dgst -sha256 -hmac 'res1dent-k3y'
 * which prints 8686ecbbecf3b84baf8a7472cc711895e95976c837f2c87fb97e1c965978e85c;
 * the token is its first 32 hex digits.
 */
#define TOKEN	"8686ecbbecf3b84baf8a7472cc711895"

/*
 * The token of 2026-000102 under KEY, computed the same way
 * (6d71b3813b2cc308767a76a7d685146d293313329ba862dd2daee17e8e7101a6).
 */
#define TOKEN_102	"6d71b3813b2cc308767a76a7d685146d"

/*
 * Load a configuration with the templates settings given; the key is the
 * credential "resident.key" (a name without a slash), in the fixture.
 */
static struct config *
test_link_config(struct fixture *fx, const char *templates)
{
	struct config	*cf;
	char		*text, *path, *cause = NULL;

	fixture_open(fx);
	fixture_write(fx, "resident.key", KEY "\n");
	path = xasprintf("%s/resident.key", fx->dir);
	chmod(path, 0600);
	free(path);
	setenv("CREDENTIALS_DIRECTORY", fx->dir, 1);
	text = xasprintf("templates = { %s };\n", templates);
	fixture_write(fx, "closeloopd.conf", text);
	free(text);
	path = xasprintf("%s/closeloopd.conf", fx->dir);
	if ((cf = config_load(path, &cause)) == NULL)
		fail_msg("%s", cause);
	free(path);
	return cf;
}

/* The token is the one computed with openssl, for each SR its own. */
static void
test_link_resident_token(void **state)
{
	char	token[LINK_RESIDENT_LEN + 1];

	(void)state;
	link_resident_token(KEY, SR, token);
	assert_string_equal(token, TOKEN);
	link_resident_token(KEY, "2026-000102", token);
	assert_string_equal(token, TOKEN_102);
	link_resident_token("another-k3y", SR, token);
	assert_string_not_equal(token, TOKEN);
}

/* Only the right token for the SR under the key passes. */
static void
test_link_resident_check(void **state)
{
	(void)state;
	assert_int_equal(link_resident_check(KEY, SR, TOKEN), 1);
	assert_int_equal(link_resident_check(KEY, "2026-000102", TOKEN_102),
	    1);
	/* Another SR's token, or another key's. */
	assert_int_equal(link_resident_check(KEY, SR, TOKEN_102), 0);
	assert_int_equal(link_resident_check(KEY, "2026-000102", TOKEN), 0);
	assert_int_equal(link_resident_check("another-k3y", SR, TOKEN), 0);
	/* One wrong digit, at the start and at the end. */
	assert_int_equal(link_resident_check(KEY, SR,
	    "9686ecbbecf3b84baf8a7472cc711895"), 0);
	assert_int_equal(link_resident_check(KEY, SR,
	    "8686ecbbecf3b84baf8a7472cc711896"), 0);
	/* The wrong length: short, long, the whole HMAC, nothing. */
	assert_int_equal(link_resident_check(KEY, SR,
	    "8686ecbbecf3b84baf8a7472cc71189"), 0);
	assert_int_equal(link_resident_check(KEY, SR,
	    "8686ecbbecf3b84baf8a7472cc711895e"), 0);
	assert_int_equal(link_resident_check(KEY, SR,
	    "8686ecbbecf3b84baf8a7472cc711895e95976c837f2c87fb97e1c965978e85c"),
	    0);
	assert_int_equal(link_resident_check(KEY, SR, ""), 0);
	/* Upper case is not the token. */
	assert_int_equal(link_resident_check(KEY, SR,
	    "8686ECBBECF3B84BAF8A7472CC711895"), 0);
	/* NULL anywhere. */
	assert_int_equal(link_resident_check(KEY, SR, NULL), 0);
	assert_int_equal(link_resident_check(KEY, NULL, TOKEN), 0);
	assert_int_equal(link_resident_check(NULL, SR, TOKEN), 0);
}

/* The link fills in every {sr} and {token}; it is the status link. */
static void
test_link_resident_url(void **state)
{
	struct fixture	 fx;
	struct config	*cf;
	char		*url;

	(void)state;
	cf = test_link_config(&fx, "status_url = "
	    "\"https://311.example.org/sr/{sr}\"; resident_url = "
	    "\"https://311.example.ca/updates/{sr}/{token}?again={sr}\"; "
	    "resident_secret_file = \"resident.key\";");
	assert_string_equal(cf->templates_resident_secret, KEY);
	url = link_resident(cf, SR);
	assert_string_equal(url, "https://311.example.ca/updates/" SR "/"
	    TOKEN "?again=" SR);
	free(url);
	url = link_status(cf, SR);
	assert_string_equal(url, "https://311.example.ca/updates/" SR "/"
	    TOKEN "?again=" SR);
	free(url);
	config_free(cf);
	fixture_cleanup(&fx);
}

/* Without the resident's page, the status link is the city's page. */
static void
test_link_status_without(void **state)
{
	struct fixture	 fx;
	struct config	*cf;
	char		*url;

	(void)state;
	cf = test_link_config(&fx, "status_url = "
	    "\"https://311.example.org/sr/{sr}\";");
	assert_null(link_resident(cf, SR));
	url = link_status(cf, SR);
	assert_string_equal(url, "https://311.example.org/sr/" SR);
	free(url);
	config_free(cf);
	fixture_cleanup(&fx);
	cf = test_link_config(&fx, "");
	assert_null(link_resident(cf, SR));
	assert_null(link_status(cf, SR));
	config_free(cf);
	fixture_cleanup(&fx);
}

/*
 * The resident's link is no secret of the message: redacting the
 * one-click unsubscribe link leaves it whole, even when its token is a
 * "token=" of its query.
 */
static void
test_link_resident_not_redacted(void **state)
{
	struct fixture	 fx;
	struct config	*cf;
	char		*page, *unsub, *text, *out, *secret;

	(void)state;
	cf = test_link_config(&fx, "resident_url = "
	    "\"https://311.example.ca/updates?sr={sr}&token={token}\"; "
	    "resident_secret_file = \"resident.key\"; unsubscribe_url = "
	    "\"https://311.example.org/stop\"; "
	    "unsubscribe_secret_file = \"resident.key\";");
	page = link_status(cf, SR);
	assert_string_equal(page, "https://311.example.ca/updates?sr=" SR
	    "&token=" TOKEN);
	unsub = link_unsubscribe(cf, SR, "ana@example.org", 1772550000);
	text = xasprintf("See %s\nStop: %s\n", page, unsub);
	out = link_redact(text, unsub);
	assert_non_null(strstr(out, page));
	assert_non_null(strstr(out, "token=" LINK_REDACTED));
	secret = link_secret(unsub);
	assert_null(strstr(page, secret));
	free(secret);
	free(out);
	free(text);
	free(unsub);
	free(page);
	config_free(cf);
	fixture_cleanup(&fx);
}

/*
 * The answer links of question 2026-000101/4/0 until 1799000000 under
 * KEY:
 *   printf 'closeloop-answer:2026-000101/4/0:1799000000' |
 *       openssl dgst -sha256 -hmac KEY
 */
#define TOKEN_ANSWER	"cd08af4a0a424e2943a9fe49f24e564d7f6c22e86fdc" \
	"96fc1a23bd8aaf81971e"

/*
 * The answer links: each answer's link with the question's token,
 * checked in constant time; another question, another time, a token cut
 * or changed are refused; without the settings there are no links.
 */
static void
test_link_answers(void **state)
{
	struct fixture	 fx;
	struct config	*cf;
	char		*url, tok[DIGEST_HEX_LEN + 1];

	(void)state;
	/* The feedback group, after the templates group it closes. */
	cf = test_link_config(&fx, "}; feedback = { answer_url = "
	    "\"https://311.example.org/answer?lang=x\"; answer_secret_file = "
	    "\"resident.key\";");
	link_answer_token(cf, "2026-000101/4/0", 1799000000LL, tok);
	assert_string_equal(tok, TOKEN_ANSWER);
	url = link_answer(cf, "2026-000101/4/0", "not_fixed", 1799000000LL);
	assert_string_equal(url, "https://311.example.org/answer?lang=x&q="
	    "2026-000101/4/0&a=not_fixed&exp=1799000000&token=" TOKEN_ANSWER);
	free(url);
	assert_int_equal(link_answer_check(cf, "2026-000101/4/0",
	    1799000000LL, TOKEN_ANSWER), 1);
	assert_int_equal(link_answer_check(cf, "2026-000101/4/1",
	    1799000000LL, TOKEN_ANSWER), 0);
	assert_int_equal(link_answer_check(cf, "2026-000101/4/0",
	    1799000001LL, TOKEN_ANSWER), 0);
	tok[DIGEST_HEX_LEN - 1] = tok[DIGEST_HEX_LEN - 1] == '0' ? '1' : '0';
	assert_int_equal(link_answer_check(cf, "2026-000101/4/0",
	    1799000000LL, tok), 0);
	tok[10] = '\0';
	assert_int_equal(link_answer_check(cf, "2026-000101/4/0",
	    1799000000LL, tok), 0);
	assert_int_equal(link_answer_check(cf, "2026-000101/4/0",
	    1799000000LL, NULL), 0);
	config_free(cf);
	fixture_cleanup(&fx);
	cf = test_link_config(&fx, "");
	assert_null(link_answer(cf, "2026-000101/4/0", "fixed", 1799000000LL));
	assert_int_equal(link_answer_check(cf, "2026-000101/4/0",
	    1799000000LL, TOKEN_ANSWER), 0);
	config_free(cf);
	fixture_cleanup(&fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_resident_token),
		cmocka_unit_test(test_link_resident_check),
		cmocka_unit_test(test_link_resident_url),
		cmocka_unit_test(test_link_status_without),
		cmocka_unit_test(test_link_resident_not_redacted),
		cmocka_unit_test(test_link_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
