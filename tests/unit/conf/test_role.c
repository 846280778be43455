/*
 * test_role.c - unit tests for the console's roles and settings (role.c,
 * confweb.c)
 *
 * A role's name reads back as the role, and nothing else is a role.
 * config_load_web() reads the web group - its plain settings, the
 * trusted proxies and the groups as roles - takes closeloop-web's own
 * Redis login, and opens only the secrets closeloop-web may hold: a
 * configuration whose email.password_file does not exist loads for the
 * console and fails for the daemon. Each mistake in web.groups and
 * web.trusted_proxies is named with its file and line.
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
#include "role.h"
#include "xmalloc.h"

/* The divisions every configuration below has. */
#define DIVISIONS "divisions = { TS = { name = { en = \"Transportation " \
	"Services\"; }; }; TW = { name = { en = \"Toronto Water\"; }; }; };\n"

/* A role's name reads back as the role; nothing else is one. */
static void
test_role_names(void **state)
{
	static const enum role	 roles[] = { ROLE_DIVISION, ROLE_OPS,
	    ROLE_COMMS, ROLE_AUDITOR };
	static const char *const names[] = { "division", "ops", "comms",
	    "auditor" };
	static const char *const not[] = { "", "none", "Ops", "OPS", "op",
	    "opss", "ops ", " ops", "admin", "root", "division,ops" };
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof roles / sizeof roles[0]; i++) {
		assert_string_equal(role_name(roles[i]), names[i]);
		assert_int_equal(role_parse(names[i]), roles[i]);
		assert_int_equal(role_parse(role_name(roles[i])), roles[i]);
		/* The messages name every role. */
		assert_non_null(strstr(ROLE_NAMES, names[i]));
	}
	for (i = 0; i < sizeof not / sizeof not[0]; i++)
		assert_int_equal(role_parse(not[i]), ROLE_NONE);
	assert_int_equal(role_parse(NULL), ROLE_NONE);
	assert_string_equal(role_name(ROLE_NONE), "");
	assert_int_equal(role_parse(role_name(ROLE_NONE)), ROLE_NONE);
	assert_string_equal(role_name((enum role)99), "");
}

/*
 * Write text (with @DIR replaced by the directory) as closeloopd.conf in
 * fx, with the secrets' files web.pw and daemon.pw, and return its path
 * (allocated).
 */
static char *
test_role_write(struct fixture *fx, const char *text)
{
	char	*path, *out, *at;
	size_t	 len;
	FILE	*f;

	fixture_open(fx);
	fixture_write(fx, "web.pw", "web-s3cret\n");
	fixture_write(fx, "daemon.pw", "daemon-s3cret\n");
	path = xasprintf("%s/web.pw", fx->dir);
	assert_int_equal(chmod(path, 0600), 0);
	free(path);
	path = xasprintf("%s/daemon.pw", fx->dir);
	assert_int_equal(chmod(path, 0600), 0);
	free(path);
	if ((f = open_memstream(&out, &len)) == NULL)
		fail_msg("open_memstream");
	for (; (at = strstr(text, "@DIR")) != NULL; text = at + 4) {
		fwrite(text, 1, (size_t)(at - text), f);
		fputs(fx->dir, f);
	}
	fputs(text, f);
	fclose(f);
	fixture_write(fx, "closeloopd.conf", out);
	free(out);
	return xasprintf("%s/closeloopd.conf", fx->dir);
}

/* The defaults of the web group. */
static void
test_role_defaults(void **state)
{
	struct config	*cf;
	char		*cause = NULL;

	(void)state;
	cf = config_load(NULL, &cause);
	assert_non_null(cf);
	assert_string_equal(cf->web_listen, "127.0.0.1:9312");
	assert_int_equal(cf->web_session_idle_minutes, 30);
	assert_int_equal(cf->web_session_max_hours, 12);
	assert_int_equal(cf->web_cookie_secure, 1);
	assert_int_equal(cf->web_signin_limit, 5);
	assert_int_equal(cf->web_signin_window_minutes, 15);
	assert_int_equal(cf->web_ntrusted_proxies, 0);
	assert_int_equal(cf->web_ngroups, 0);
	config_free(cf);
}

/* config_load_web() reads every web setting. */
static void
test_role_web(void **state)
{
	struct fixture	 fx;
	struct config	*cf;
	char		*path, *cause = NULL;

	(void)state;
	path = test_role_write(&fx,
	    "redis = { url = \"unix:///run/redis.sock\"; username = "
	    "\"closeloopd\"; password_file = \"@DIR/daemon.pw\"; };\n"
	    "web = {\n"
	    "\tlisten = \"127.0.0.1:0\";\n"
	    "\tpages_dir = \"@DIR/pages\";\n"
	    "\tsession_idle_minutes = 7;\n"
	    "\tsession_max_hours = 3;\n"
	    "\tcookie_secure = false;\n"
	    "\tsignin_limit = 9;\n"
	    "\tsignin_window_minutes = 11;\n"
	    "\tredis_username = \"closeloop-web\";\n"
	    "\tredis_password_file = \"@DIR/web.pw\";\n"
	    "\ttrusted_proxies = [ \"127.0.0.1\", \"::1\" ];\n"
	    "\tgroups = (\n"
	    "\t\t{ group = \"311-roads\"; role = \"division\"; "
	    "divisions = [ \"TS\", \"TW\" ]; },\n"
	    "\t\t{ group = \"311-ops\"; role = \"ops\"; },\n"
	    "\t\t{ group = \"CN=311 Comms\"; role = \"comms\"; },\n"
	    "\t\t{ group = \"311-audit\"; role = \"auditor\"; }\n"
	    "\t);\n"
	    "};\n" DIVISIONS);
	if ((cf = config_load_web(path, &cause)) == NULL)
		fail_msg("config_load_web: %s", cause);
	assert_string_equal(cf->web_listen, "127.0.0.1:0");
	assert_non_null(strstr(cf->web_pages_dir, "/pages"));
	assert_int_equal(cf->web_session_idle_minutes, 7);
	assert_int_equal(cf->web_session_max_hours, 3);
	assert_int_equal(cf->web_cookie_secure, 0);
	assert_int_equal(cf->web_signin_limit, 9);
	assert_int_equal(cf->web_signin_window_minutes, 11);
	assert_int_equal(cf->web_ntrusted_proxies, 2);
	assert_string_equal(cf->web_trusted_proxies[0], "127.0.0.1");
	assert_string_equal(cf->web_trusted_proxies[1], "::1");
	assert_int_equal(cf->web_ngroups, 4);
	assert_string_equal(cf->web_groups[0].group, "311-roads");
	assert_int_equal(cf->web_groups[0].role, ROLE_DIVISION);
	assert_int_equal(cf->web_groups[0].ndivisions, 2);
	assert_string_equal(cf->web_groups[0].divisions[0], "TS");
	assert_string_equal(cf->web_groups[0].divisions[1], "TW");
	assert_int_equal(cf->web_groups[1].role, ROLE_OPS);
	assert_int_equal(cf->web_groups[1].ndivisions, 0);
	assert_string_equal(cf->web_groups[2].group, "CN=311 Comms");
	assert_int_equal(cf->web_groups[2].role, ROLE_COMMS);
	assert_int_equal(cf->web_groups[3].role, ROLE_AUDITOR);
	/* closeloop-web logs in to Redis as itself. */
	assert_string_equal(cf->redis_username, "closeloop-web");
	assert_string_equal(cf->redis_password, "web-s3cret");
	config_free(cf);
	/* The daemon keeps its own login. */
	if ((cf = config_load(path, &cause)) == NULL)
		fail_msg("config_load: %s", cause);
	assert_string_equal(cf->redis_username, "closeloopd");
	assert_string_equal(cf->redis_password, "daemon-s3cret");
	assert_int_equal(cf->web_ngroups, 4);
	config_free(cf);
	free(path);
	fixture_cleanup(&fx);
}

/* closeloop-web opens only its own secrets. */
static void
test_role_secrets(void **state)
{
	struct fixture	 fx;
	struct config	*cf;
	char		*path, *cause = NULL;

	(void)state;
	/* The mail server's password is not the console's to read. */
	path = test_role_write(&fx,
	    "email = { smtp = \"smtp://mail.example.org:587\"; from = "
	    "\"closeloop@example.org\"; username = \"closeloop\"; "
	    "password_file = \"@DIR/missing.pw\"; };\n" DIVISIONS);
	cf = config_load_web(path, &cause);
	if (cf == NULL)
		fail_msg("config_load_web: %s", cause);
	assert_null(cf->email_password);
	config_free(cf);
	assert_null(config_load(path, &cause));
	assert_non_null(strstr(cause, "closeloopd.conf:1: email.password_file: "
	    "cannot read "));
	assert_non_null(strstr(cause, "missing.pw"));
	free(cause);
	cause = NULL;
	free(path);
	fixture_cleanup(&fx);

	/* The look-up key is the console's: a missing one fails it too. */
	path = test_role_write(&fx,
	    "audit = { lookup_secret_file = \"@DIR/missing.key\"; };\n");
	assert_null(config_load_web(path, &cause));
	assert_non_null(strstr(cause, "closeloopd.conf:1: "
	    "audit.lookup_secret_file: cannot read "));
	free(cause);
	free(path);
	fixture_cleanup(&fx);
}

/* Load text that must fail for the console; check its one problem. */
static void
test_role_bad(const char *text, const char *want)
{
	struct fixture	 fx;
	char		*path, *cause = NULL, *full;

	path = test_role_write(&fx, text);
	assert_null(config_load_web(path, &cause));
	assert_non_null(cause);
	full = xasprintf("%s:%s", path, want);
	if (strcmp(cause, full) != 0)
		fail_msg("got \"%s\", want \"%s\"", cause, full);
	free(full);
	free(cause);
	free(path);
	fixture_cleanup(&fx);
}

/* Each mistake in web.groups is named with its file and line. */
static void
test_role_groups_bad(void **state)
{
	(void)state;
	test_role_bad("web = {\n\tgroups = (\n"
	    "\t\t{ group = \"311-ops\"; role = \"ops\"; },\n"
	    "\t\t{ group = \"311-x\"; role = \"admin\"; }\n"
	    "\t);\n};\n" DIVISIONS,
	    "4: web.groups.role: must be division, ops, comms or auditor "
	    "(group \"311-x\")");
	test_role_bad("web = {\n\tgroups = (\n"
	    "\t\t{ group = \"311-x\"; }\n"
	    "\t);\n};\n" DIVISIONS,
	    "3: web.groups.role: must be division, ops, comms or auditor "
	    "(group \"311-x\")");
	test_role_bad("web = {\n\tgroups = (\n"
	    "\t\t{ group = \"311-roads\"; role = \"division\"; }\n"
	    "\t);\n};\n" DIVISIONS,
	    "3: web.groups.divisions: the division role needs its divisions "
	    "(group \"311-roads\")");
	test_role_bad("web = {\n\tgroups = (\n"
	    "\t\t{ group = \"311-roads\"; role = \"division\"; "
	    "divisions = [ ]; }\n"
	    "\t);\n};\n" DIVISIONS,
	    "3: web.groups.divisions: the division role needs its divisions "
	    "(group \"311-roads\")");
	test_role_bad("web = {\n\tgroups = (\n"
	    "\t\t{ group = \"311-ops\"; role = \"ops\"; "
	    "divisions = [ \"TS\" ]; }\n"
	    "\t);\n};\n" DIVISIONS,
	    "3: web.groups.divisions: only the division role takes "
	    "divisions (group \"311-ops\")");
	test_role_bad("web = {\n\tgroups = (\n"
	    "\t\t{ group = \"\"; role = \"ops\"; }\n"
	    "\t);\n};\n" DIVISIONS,
	    "3: web.groups.group: missing, or not a string");
	test_role_bad("web = {\n\tgroups = (\n"
	    "\t\t{ group = \"CN=311 Ops,OU=Groups\"; role = \"ops\"; }\n"
	    "\t);\n};\n" DIVISIONS,
	    "3: web.groups.group: \"CN=311 Ops,OU=Groups\" holds a ',' or "
	    "';', which part the groups of X-Remote-Groups: it can never "
	    "match");
	test_role_bad("web = {\n\tgroups = (\n"
	    "\t\t{ group = \"311;ops\"; role = \"ops\"; }\n"
	    "\t);\n};\n" DIVISIONS,
	    "3: web.groups.group: \"311;ops\" holds a ',' or ';', which part "
	    "the groups of X-Remote-Groups: it can never match");
	test_role_bad("web = {\n\tgroups = [ \"311-ops\" ];\n};\n" DIVISIONS,
	    "2: web.groups: must be a list ( { group = ...; role = ...; }, "
	    "... ) (got an array)");
	test_role_bad("web = {\n\tgroups = (\n"
	    "\t\t{ group = \"311-ops\"; role = \"ops\"; "
	    "divisions = \"TS\"; }\n"
	    "\t);\n};\n" DIVISIONS,
	    "3: web.groups.divisions: must be an array of strings, each a "
	    "division code (got a string)");
	/* A division the configuration does not have, on its line. */
	test_role_bad("web = {\n\tgroups = (\n"
	    "\t\t{ group = \"311-ops\"; role = \"ops\"; },\n"
	    "\t\t{ group = \"311-water\"; role = \"division\";\n"
	    "\t\t    divisions = [ \"TW\" ]; },\n"
	    "\t\t{ group = \"311-roads\"; role = \"division\";\n"
	    "\t\t    divisions = [ \"TS\", \"SWMS\" ]; }\n"
	    "\t);\n};\n" DIVISIONS,
	    "7: web.groups: group \"311-roads\": no division \"SWMS\" in "
	    "divisions");
	/* Codes are matched exactly, as the events carry them. */
	test_role_bad("web = {\n\tgroups = (\n"
	    "\t\t{ group = \"311-roads\"; role = \"division\"; "
	    "divisions = [ \"ts\" ]; }\n"
	    "\t);\n};\n" DIVISIONS,
	    "3: web.groups: group \"311-roads\": no division \"ts\" in "
	    "divisions");
}

/* web.trusted_proxies takes numeric addresses only. */
static void
test_role_proxies_bad(void **state)
{
	(void)state;
	test_role_bad("web = {\n\ttrusted_proxies = [ \"127.0.0.1\",\n"
	    "\t    \"proxy.example.org\" ];\n};\n",
	    "3: web.trusted_proxies: \"proxy.example.org\" is not a numeric "
	    "IPv4 or IPv6 address");
	test_role_bad("web = {\n\ttrusted_proxies = [ \"localhost\" ];\n};\n",
	    "2: web.trusted_proxies: \"localhost\" is not a numeric IPv4 or "
	    "IPv6 address");
	test_role_bad("web = {\n\ttrusted_proxies = [ \"10.0.0.0/8\" ];\n};\n",
	    "2: web.trusted_proxies: \"10.0.0.0/8\" is not a numeric IPv4 or "
	    "IPv6 address");
	test_role_bad("web = {\n\ttrusted_proxies = [ \"unix\" ];\n};\n",
	    "2: web.trusted_proxies: \"unix\" is not a numeric IPv4 or IPv6 "
	    "address");
	test_role_bad("web = {\n\ttrusted_proxies = [ \"\" ];\n};\n",
	    "2: web.trusted_proxies: \"\" is not a numeric IPv4 or IPv6 "
	    "address");
	test_role_bad("web = {\n\ttrusted_proxies = \"127.0.0.1\";\n};\n",
	    "2: web.trusted_proxies: must be an array of strings, each a "
	    "numeric IPv4 or IPv6 address (got a string)");

}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_names),
		cmocka_unit_test(test_role_defaults),
		cmocka_unit_test(test_role_web),
		cmocka_unit_test(test_role_secrets),
		cmocka_unit_test(test_role_groups_bad),
		cmocka_unit_test(test_role_proxies_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
