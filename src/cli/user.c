/*
 * user.c - "closeloop user": add, change, delete and list console accounts
 *
 * For the 311 operations team setting up the console's local accounts
 * (account.h); users of the city's single sign-on need none. The
 * password never appears on the command line, in the log or in Redis:
 * only its Argon2id hash is kept.
 */
#include "build.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <termios.h>
#include <unistd.h>

#include "account.h"
#include "clock.h"
#include "config.h"
#include "division.h"
#include "json.h"
#include "password.h"
#include "redis.h"
#include "redisconn.h"
#include "user.h"
#include "xmalloc.h"

#define USER_LINE_MAX	(PASSWORD_MAX + 2)

/* Read one line from f into a new string, without its newline. */
static char *
user_line(FILE *f)
{
	char	 buf[USER_LINE_MAX];
	size_t	 len;

	if (fgets(buf, sizeof buf, f) == NULL)
		return NULL;
	len = strcspn(buf, "\r\n");
	buf[len] = '\0';
	return xstrdup(buf);
}

/* Ask for a line on the terminal without echo. */
static char *
user_ask(const char *prompt)
{
	struct termios	 old, quiet;
	char		*line;

	fprintf(stderr, "%s", prompt);
	if (tcgetattr(STDIN_FILENO, &old) != 0)
		return user_line(stdin);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	line = user_line(stdin);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fprintf(stderr, "\n");
	return line;
}

/* Read the password: from file, the terminal (twice), or stdin. */
static char *
user_password(const char *file)
{
	FILE	*f;
	char	*a, *b;

	if (file != NULL) {
		if ((f = fopen(file, "r")) == NULL) {
			fprintf(stderr, "closeloop user: %s: %s\n", file,
			    strerror(errno));
			return NULL;
		}
		a = user_line(f);
		fclose(f);
		if (a == NULL)
			fprintf(stderr, "closeloop user: %s: empty\n", file);
		return a;
	}
	if (!isatty(STDIN_FILENO)) {
		if ((a = user_line(stdin)) == NULL)
			fprintf(stderr, "closeloop user: no password on "
			    "standard input\n");
		return a;
	}
	a = user_ask("Password: ");
	b = user_ask("Again: ");
	if (a == NULL || b == NULL || strcmp(a, b) != 0) {
		fprintf(stderr, "closeloop user: the passwords differ\n");
		free(a);
		free(b);
		return NULL;
	}
	free(b);
	return a;
}

/* Print the usage of the command. */
static void
user_usage(void)
{
	fprintf(stderr, "usage: closeloop user add NAME --role ROLE "
	    "[--division CODE]... [--password-file FILE]\n"
	    "       closeloop user passwd NAME [--password-file FILE]\n"
	    "       closeloop user del NAME\n"
	    "       closeloop user list [--json]\n");
}

/* Print the accounts. */
static int
user_list(struct redis *r, const struct config *cf, int json)
{
	struct account	**list;
	struct json	 *j;
	char		 *cause = NULL, when[CLOCK_RFC3339_LEN];
	size_t		  i, n, k;

	if (account_list(r, cf, &list, &n, &cause) != 0) {
		fprintf(stderr, "closeloop user: %s\n", cause);
		free(cause);
		return EX_UNAVAILABLE;
	}
	for (i = 0; i < n; i++) {
		clock_rfc3339(list[i]->changed, when);
		if (json) {
			j = json_new();
			json_set(j, "name", list[i]->name);
			json_set(j, "role", role_name(list[i]->role));
			json_set_strings(j, "divisions",
			    (const char **)list[i]->divisions,
			    list[i]->ndivisions);
			json_set(j, "password_set", when);
			json_print(j, stdout);
			json_free(j);
		} else {
			printf("%-24s %-9s", list[i]->name,
			    role_name(list[i]->role));
			for (k = 0; k < list[i]->ndivisions; k++)
				printf("%s%s", k == 0 ? " " : ",",
				    list[i]->divisions[k]);
			printf("  (password set %s)\n", when);
		}
		account_free(list[i]);
	}
	free(list);
	if (!json)
		printf("(%zu account%s)\n", n, n == 1 ? "" : "s");
	return 0;
}

/* Check the options of "add" against the configuration. */
static int
user_check_add(const struct config *cf, const struct account *a)
{
	size_t	 i;

	if (a->role == ROLE_NONE) {
		fprintf(stderr, "closeloop user: --role must be " ROLE_NAMES
		    "\n");
		return -1;
	}
	if ((a->role == ROLE_DIVISION) != (a->ndivisions > 0)) {
		fprintf(stderr, "closeloop user: %s\n", a->role ==
		    ROLE_DIVISION ? "the division role needs --division" :
		    "only the division role takes --division");
		return -1;
	}
	for (i = 0; i < a->ndivisions; i++)
		if (division_find(cf->divisions, cf->ndivisions,
		    a->divisions[i]) == NULL) {
			fprintf(stderr, "closeloop user: no division \"%s\" "
			    "in %s\n", a->divisions[i], cf->path);
			return -1;
		}
	return 0;
}

/* Run "closeloop user". */
int
user_run(const struct config *cf, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "division", required_argument, NULL, 'd' },
		{ "password-file", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct account	 a;
	struct redis	*r = NULL;
	const char	*verb, *file = NULL, *role = NULL;
	char		*password = NULL, *cause = NULL;
	int		 ch, json = 0, rc = EX_DATAERR;

	memset(&a, 0, sizeof a);
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			role = optarg;
			break;
		case 'd':
			a.divisions = xreallocarray(a.divisions,
			    a.ndivisions + 1, sizeof *a.divisions);
			a.divisions[a.ndivisions++] = optarg;
			break;
		case 'p':
			file = optarg;
			break;
		case 'j':
			json = 1;
			break;
		default:
			user_usage();
			free(a.divisions);
			return EX_USAGE;
		}
	}
	verb = optind < argc ? argv[optind] : "";
	if (strcmp(verb, "list") == 0 ? optind + 1 != argc :
	    optind + 2 != argc || (strcmp(verb, "add") != 0 &&
	    strcmp(verb, "passwd") != 0 && strcmp(verb, "del") != 0) ||
	    ((role != NULL || a.ndivisions > 0) && strcmp(verb, "add") != 0)) {
		user_usage();
		free(a.divisions);
		return EX_USAGE;
	}
	a.name = optind + 1 < argc ? argv[optind + 1] : NULL;
	a.role = role_parse(role);
	if (strcmp(verb, "add") == 0 && user_check_add(cf, &a) != 0)
		goto out;
	if ((strcmp(verb, "add") == 0 || strcmp(verb, "passwd") == 0) &&
	    (password = user_password(file)) == NULL)
		goto out;
	if ((r = redisconn_open(cf, &cause)) == NULL) {
		rc = EX_UNAVAILABLE;
		goto out;
	}
	if (strcmp(verb, "list") == 0)
		rc = user_list(r, cf, json);
	else if ((strcmp(verb, "add") == 0 ? account_add(r, cf, &a,
	    password, &cause) : strcmp(verb, "passwd") == 0 ?
	    account_passwd(r, cf, a.name, password, &cause) :
	    account_del(r, cf, a.name, &cause)) == 0) {
		printf("closeloop user: %s %s\n", a.name, strcmp(verb,
		    "add") == 0 ? "added" : strcmp(verb, "passwd") == 0 ?
		    "has a new password; its sessions are ended" :
		    "deleted; its sessions are ended");
		rc = 0;
	}
out:
	if (cause != NULL)
		fprintf(stderr, "closeloop user: %s\n", cause);
	free(cause);
	if (password != NULL) {
		memset(password, 0, strlen(password));
		free(password);
	}
	free(a.divisions);
	redis_free(r);
	return rc;
}
