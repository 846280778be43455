/*
 * reload.c - reading closeloopd's configuration and templates again
 *
 * What is wrong with a configuration or template set can take many
 * lines (each with its file and line number); each goes to the log as a
 * line of its own.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "generation.h"
#include "lint.h"
#include "log.h"
#include "reload.h"
#include "sdnotify.h"

/* Log each line of a multi-line message at error level. */
static void
reload_log_lines(const char *prefix, const char *text)
{
	const char	*p, *nl;

	for (p = text; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL) {
			log_err("%s%s", prefix, p);
			break;
		}
		log_err("%s%.*s", prefix, (int)(nl - p), p);
	}
}

/* Read the configuration and its template set again; NULL if not valid. */
struct generation *
reload_read(const char *path, int dry_run)
{
	struct config	*cf;
	struct catalog	*cat;
	char		*cause = NULL;

	sdnotify_send("RELOADING=1\nMONOTONIC_USEC=%lld",
	    (long long)clock_ms() * 1000);
	log_notice("SIGHUP: reloading %s", path);
	cf = config_load(path, &cause);
	if (cf == NULL) {
		reload_log_lines("reload failed, keeping the current "
		    "configuration: ", cause);
		free(cause);
		sdnotify_send("READY=1");
		return NULL;
	}
	if (dry_run)
		config_rehearsal(cf);
	if ((cat = lint_load(cf, &cause)) == NULL) {
		reload_log_lines("reload failed, keeping the current "
		    "configuration and templates: ", cause);
		free(cause);
		config_free(cf);
		sdnotify_send("READY=1");
		return NULL;
	}
	return generation_new(cf, cat);
}
