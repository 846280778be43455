/*
 * closeloop-web.c - the console's daemon: command line, start-up and loop
 *
 * closeloop-web [-c FILE] [--check-config]
 * Serves the console (web.h) on web.listen until SIGTERM, in the
 * foreground, logging to stderr, as systemd expects. It reads the same
 * configuration file as closeloopd, but only its own secrets
 * (config_load_web()). The message templates of templates.dir are
 * loaded and checked as closeloopd loads them (lint_load()), for the
 * Templates page: a set that closeloopd would refuse, closeloop-web
 * refuses too. SIGHUP reads the file, the page templates and the
 * message templates again and swaps them in if all are valid; a new
 * web.listen needs a restart. Exit codes come from <sysexits.h>: 78
 * (EX_CONFIG) for a bad configuration, page set or template set.
 */
#include "build.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "catalog.h"
#include "config.h"
#include "lint.h"
#include "http.h"
#include "log.h"
#include "page.h"
#include "sdnotify.h"
#include "signals.h"
#include "web.h"
#include "xmalloc.h"

/* Print how to use the program. */
static void
closeloopweb_usage(FILE *f)
{
	fprintf(f, "usage: closeloop-web [-c FILE] [--check-config]\n"
	    "  -c, --config FILE   configuration (default %s)\n"
	    "  -t, --check-config  validate the configuration, the page "
	    "templates and\n"
	    "                      the message templates, and exit\n"
	    "  -V, --version       print the version and exit\n",
	    CONFIG_DEFAULT_PATH);
}

/* What a start or a reload loads. */
struct closeloopweb_set {
	struct config	*cf;
	struct page	*pages;
	struct catalog	*cat;
	char		*lint;		/* the template set's warnings */
};

/* Free what a set holds and empty it. */
static void
closeloopweb_clear(struct closeloopweb_set *set)
{
	page_free(set->pages);
	catalog_free(set->cat);
	free(set->lint);
	config_free(set->cf);
	memset(set, 0, sizeof *set);
}

/* Log why a load failed (msg, freed here), or say it on stderr. */
static void
closeloopweb_failed(int check, char *msg)
{
	if (check)
		fprintf(stderr, "%s\n", msg);
	else
		log_err("%s", msg);
	free(msg);
}

/*
 * Load the configuration, the page set and the template set. Returns 0,
 * or -1 after logging why (to stderr if check is set).
 */
static int
closeloopweb_load(const char *path, int check, struct closeloopweb_set *set)
{
	char	*cause = NULL;

	memset(set, 0, sizeof *set);
	if ((set->cf = config_load_web(path, &cause)) == NULL) {
		closeloopweb_failed(check, cause);
		return -1;
	}
	if ((set->pages = page_load(set->cf->web_pages_dir, &cause)) == NULL) {
		closeloopweb_failed(check, xasprintf("%s: web.pages_dir: %s",
		    path, cause));
		goto fail;
	}
	if ((set->cat = lint_load_warnings(set->cf, &set->lint,
	    &cause)) == NULL) {
		closeloopweb_failed(check, xasprintf("%s\n%s: templates.dir "
		    "is not valid", cause, path));
		goto fail;
	}
	return 0;
fail:
	free(cause);
	closeloopweb_clear(set);
	return -1;
}

/* Read the configuration again and swap it in if it is valid. */
static void
closeloopweb_reload(struct web *w, const char *path)
{
	struct closeloopweb_set	 set;
	const char		*version;

	log_notice("reloading %s", path);
	if (closeloopweb_load(path, 0, &set) != 0) {
		log_err("reload failed: the running configuration stays");
		return;
	}
	log_set_level(set.cf->log_level);
	version = catalog_version(set.cat);	/* the set lives on in w */
	web_swap(w, set.cf, set.pages, set.cat, set.lint);
	log_notice("reloaded %s, templates version %s (a new web.listen takes "
	    "a restart)", path, version);
}

/* Serve until asked to stop. */
static int
closeloopweb_serve(struct closeloopweb_set *set, const char *path)
{
	struct web	*w;
	struct http	*h;
	char		*cause = NULL, *listen;
	const char	*version = catalog_version(set->cat);
	int		 sig;

	if (set->cf->web_listen == NULL) {
		log_err("%s: web.listen is empty: closeloop-web has nowhere "
		    "to listen", path);
		closeloopweb_clear(set);
		return EX_CONFIG;
	}
	listen = set->cf->web_listen;
	if ((w = web_new(set->cf, set->pages, set->cat, set->lint,
	    &cause)) == NULL) {
		log_err("%s", cause);
		free(cause);
		closeloopweb_clear(set);
		return EX_OSERR;
	}
	memset(set, 0, sizeof *set);
	signals_init();
	if ((h = http_new(listen, web_handle, w, &cause)) == NULL) {
		log_err("web.listen: %s", cause);
		free(cause);
		web_free(w);
		return EX_CONFIG;
	}
	log_notice("closeloop-web %s listening on %s (port %d), templates "
	    "version %s", PACKAGE_VERSION, listen, http_port(h), version);
	sdnotify_send("READY=1\nSTATUS=serving the console");
	for (;;) {
		/* Only a signal ends the wait: an idle console sleeps. */
		(void)signals_wait_any(NULL, 0, -1);
		if ((sig = signals_quit()) != 0)
			break;
		if (signals_reload())
			closeloopweb_reload(w, path);
	}
	log_notice("closeloop-web stopping (signal %d)", sig);
	sdnotify_send("STOPPING=1");
	http_free(h);
	web_free(w);
	return 0;
}

/* Parse the command line, load the configuration and serve. */
int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct closeloopweb_set	 set;
	const char		*path = CONFIG_DEFAULT_PATH;
	int			 ch, check = 0;

	while ((ch = getopt_long(argc, argv, "c:tVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 't':
			check = 1;
			break;
		case 'V':
			printf("closeloop-web %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			closeloopweb_usage(stdout);
			return 0;
		default:
			closeloopweb_usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "closeloop-web: unexpected \"%s\"\n",
		    argv[optind]);
		closeloopweb_usage(stderr);
		return EX_USAGE;
	}
	if (closeloopweb_load(path, check, &set) != 0) {
		fprintf(stderr, "%s: configuration is not valid\n", path);
		return EX_CONFIG;
	}
	if (check) {
		printf("%s: configuration is valid for closeloop-web\n", path);
		printf("%s: page templates are valid\n", set.cf->web_pages_dir);
		printf("%s: templates are valid (version %s)\n",
		    set.cf->templates_dir, catalog_version(set.cat));
		closeloopweb_clear(&set);
		return 0;
	}
	log_set_level(set.cf->log_level);
	return closeloopweb_serve(&set, path);
}
