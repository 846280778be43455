/*
 * reload.h - reading closeloopd's configuration and templates again
 *
 * On SIGHUP the daemon reads its configuration file again and loads the
 * template set it names, checked as at start. Only if both are valid are
 * they swapped in (server.c); otherwise the daemon goes on with the ones
 * it has.
 */
#ifndef RELOAD_H
#define RELOAD_H

struct generation;

/*
 * Tell systemd the daemon is reloading, then read the configuration file
 * path again (as a rehearsal's, config_rehearsal(), if dry_run is set)
 * and load and check its template set. Returns a generation of both,
 * held once, for the caller to swap in and then tell systemd READY=1.
 * Returns NULL if either is not valid: then why has been logged, a line
 * of the log for each line of it, and systemd told READY=1.
 */
struct generation *reload_read(const char *path, int dry_run);

#endif
