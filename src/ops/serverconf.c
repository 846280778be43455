/*
 * serverconf.c - what SIGHUP swaps into closeloopd's main loop
 *
 * A new generation (configuration and template set, reload.h) is read
 * whole and checked before anything changes; then delivery, the
 * listener, the audit.file writer and the loop itself take it, and the
 * loop connects again under the new settings.
 */
#include "build.h"

#include <stdlib.h>

#include "auditfile.h"
#include "backoff.h"
#include "catalog.h"
#include "clock.h"
#include "config.h"
#include "deliver.h"
#include "generation.h"
#include "listener.h"
#include "log.h"
#include "metrics.h"
#include "redis.h"
#include "reload.h"
#include "sdnotify.h"
#include "serverint.h"
#include "stream.h"
#include "wakeread.h"
#include "xmalloc.h"

/* Give /metrics the divisions that have series of their own. */
void
serverconf_divisions(const struct config *cf)
{
	const char	**codes;
	size_t		  i;

	codes = xcalloc(cf->ndivisions + 1, sizeof *codes);
	for (i = 0; i < cf->ndivisions; i++)
		codes[i] = cf->divisions[i].code;
	metrics_divisions(codes, cf->ndivisions);
	free(codes);
}

/*
 * Start, reopen (for SIGHUP) or stop the audit.file writer to match the
 * configuration in use.
 */
static void
serverconf_auditfile(struct server *sv)
{
	char	*cause = NULL;

	if (sv->cf->audit_file == NULL) {
		auditfile_stop(sv->auditfile, clock_ms() + 1000);
		sv->auditfile = NULL;
	} else if (sv->auditfile != NULL)
		auditfile_swap(sv->auditfile, sv->gen);
	else if ((sv->auditfile = auditfile_start(sv->gen, &cause)) == NULL) {
		log_err("audit.file: %s; the audit trail stays in Redis until "
		    "it can be written", cause);
		free(cause);
	}
}

/*
 * Read the configuration and template set again on SIGHUP and swap them
 * in if both are valid; otherwise keep serving with the old ones.
 */
void
serverconf_reconfigure(struct server *sv)
{
	struct generation	*gen;
	struct config		*cf;
	struct catalog		*cat;

	if ((gen = reload_read(sv->cf->path, sv->dry_run)) == NULL)
		return;
	cf = gen->cf;
	cat = gen->cat;
	generation_drop(sv->gen);
	sv->gen = gen;
	sv->cat = cat;
	sv->cf = cf;
	deliver_swap(sv->deliver, sv->gen);
	listener_swap(sv->listener, sv->gen);
	serverconf_divisions(cf);
	serverconf_auditfile(sv);
	log_notice("templates %s loaded, version %s", catalog_dir(cat),
	    catalog_version(cat));
	log_set_level(cf->log_level);
	stream_free(sv->s);
	sv->s = stream_new(cf);
	backoff_init(&sv->bo, 100, cf->redis_retry_max_ms);
	serverlink_drop(sv);
	log_notice("configuration reloaded");
	sdnotify_send("READY=1");
}
