/*
 * probe.h - can a TCP server be reached, within a time limit?
 */
#ifndef PROBE_H
#define PROBE_H

/*
 * Open a TCP connection to host:port (every address the name has, in
 * turn) and close it again, waiting timeout_ms at most in all. Returns 0
 * if one accepted, or -1 with *cause saying why not (the caller frees).
 */
int probe_connect(const char *host, const char *port, long timeout_ms,
    char **cause);

#endif
