/*
 * nodelay.h - send small segments at once on connections made by a library
 */
#ifndef NODELAY_H
#define NODELAY_H

/*
 * Set TCP_NODELAY on every TCP socket of this process that is connected
 * to port on the peer and does not have it yet. Returns how many sockets
 * it set, or -1 if the process's descriptors could not be listed.
 */
int nodelay_peer_port(int port);

/*
 * Set TCP_NODELAY on fd if it does not have it yet. Returns 1 if it set
 * it, 0 if not, -1 if fd is -1 (no socket: then nodelay_peer_port()).
 */
int nodelay_fd(int fd);

#endif
