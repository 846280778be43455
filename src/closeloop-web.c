/*
 * closeloop-web.c - the console's daemon: command line, start-up and loop
 *
 * closeloop-web [-c FILE] [--check-config]
 * Serves the console (web.h) on web.listen until SIGTERM, in the
 * foreground, logging to stderr, as systemd expects. It reads the same
 * configuration file as closeloopd, but only its own secrets
 * (config_load_web()). SIGHUP reads the file and the page templates
 * again and swaps them in if both are valid; a new web.listen needs a
 * restart. Exit codes come from <sysexits.h>: 78 (EX_CONFIG) for a bad
 * configuration or page set.
 */
#include "build.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "config.h"
#include "http.h"
#include "log.h"
#include "page.h"
#include "sdnotify.h"
#include "signals.h"
#include "web.h"

/* Print how to use the program. */
static void
closeloopweb_usage(FILE *f)
{
	fprintf(f, "usage: closeloop-web [-c FILE] [--check-config]\n"
	    "  -c, --config FILE   configuration (default %s)\n"
	    "  -t, --check-config  validate the configuration and the page "
	    "templates, and exit\n"
	    "  -V, --version       print the version and exit\n",
	    CONFIG_DEFAULT_PATH);
}

/*
 * Load the configuration and the page set. Returns 0, or -1 after
 * logging why (to stderr if check is set).
 */
static int
closeloopweb_load(const char *path, int check, struct config **cf,
    struct page **pages)
{
	char	*cause = NULL;

	*pages = NULL;
	if ((*cf = config_load_web(path, &cause)) == NULL) {
		if (check)
			fprintf(stderr, "%s\n", cause);
		else
			log_err("%s", cause);
		free(cause);
		return -1;
	}
	if ((*pages = page_load((*cf)->web_pages_dir, &cause)) == NULL) {
		if (check)
			fprintf(stderr, "%s: web.pages_dir: %s\n", path, cause);
		else
			log_err("%s: web.pages_dir: %s", path, cause);
		free(cause);
		config_free(*cf);
		*cf = NULL;
		return -1;
	}
	return 0;
}

/* Read the configuration again and swap it in if it is valid. */
static void
closeloopweb_reload(struct web *w, const char *path)
{
	struct config	*cf;
	struct page	*pages;

	log_notice("reloading %s", path);
	if (closeloopweb_load(path, 0, &cf, &pages) != 0) {
		log_err("reload failed: the running configuration stays");
		return;
	}
	log_set_level(cf->log_level);
	web_swap(w, cf, pages);
	log_notice("reloaded %s (a new web.listen takes a restart)", path);
}

/* Serve until asked to stop. */
static int
closeloopweb_serve(struct config *cf, struct page *pages, const char *path)
{
	struct web	*w;
	struct http	*h;
	char		*cause = NULL, *listen;
	int		 sig;

	if (cf->web_listen == NULL) {
		log_err("%s: web.listen is empty: closeloop-web has nowhere "
		    "to listen", path);
		config_free(cf);
		page_free(pages);
		return EX_CONFIG;
	}
	listen = cf->web_listen;
	if ((w = web_new(cf, pages, &cause)) == NULL) {
		log_err("%s", cause);
		free(cause);
		config_free(cf);
		page_free(pages);
		return EX_OSERR;
	}
	signals_init();
	if ((h = http_new(listen, web_handle, w, &cause)) == NULL) {
		log_err("web.listen: %s", cause);
		free(cause);
		web_free(w);
		return EX_CONFIG;
	}
	log_notice("closeloop-web %s listening on %s (port %d)",
	    PACKAGE_VERSION, listen, http_port(h));
	sdnotify_send("READY=1\nSTATUS=serving the console");
	for (;;) {
		/* A signal ends the wait; a negative wait would not wait. */
		(void)signals_wait(-1, 3600000);
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
	struct config	*cf;
	struct page	*pages;
	const char	*path = CONFIG_DEFAULT_PATH;
	int		 ch, check = 0;

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
	if (closeloopweb_load(path, check, &cf, &pages) != 0) {
		fprintf(stderr, "%s: configuration is not valid\n", path);
		return EX_CONFIG;
	}
	if (check) {
		printf("%s: configuration is valid for closeloop-web\n", path);
		printf("%s: page templates are valid\n", cf->web_pages_dir);
		page_free(pages);
		config_free(cf);
		return 0;
	}
	log_set_level(cf->log_level);
	return closeloopweb_serve(cf, pages, path);
}
