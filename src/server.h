/*
 * server.h - closeloopd's main loop: intake, signals, reconnection
 */
#ifndef SERVER_H
#define SERVER_H

struct config;

/*
 * Run the daemon with configuration cf (the server takes it over and
 * frees it) until SIGTERM or SIGINT. SIGHUP reloads cf->path and swaps
 * the new configuration in only if it is valid. Returns the process's exit
 * status: 0 after an orderly shutdown.
 */
int server_run(struct config *cf);

#endif
