/*
 * server.h - closeloopd's main loop: intake, signals, reconnection
 */
#ifndef SERVER_H
#define SERVER_H

struct catalog;
struct config;

/*
 * Run the daemon with configuration cf and template set cat (the server
 * takes both over and frees them) until SIGTERM or SIGINT. SIGHUP
 * reloads cf->path and its template set and swaps them in only if both
 * are valid. The delivery workers (deliver.h) run beside the loop;
 * dry_run renders and records notifications but sends none. SIGTERM
 * stops reading, lets the workers finish what they are sending (for
 * shutdown_timeout seconds at most) and returns the process's exit
 * status: 0 after an orderly shutdown.
 */
int server_run(struct config *cf, struct catalog *cat, int dry_run);

#endif
