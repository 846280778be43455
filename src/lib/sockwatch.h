/*
 * sockwatch.h - a deadline on each step of a connection a library keeps
 */
#ifndef SOCKWATCH_H
#define SOCKWATCH_H

#include <stddef.h>
#include <sys/stat.h>

struct sockwatch;

/*
 * Call fn(fd, sb, arg) for each socket of this process that is a TCP
 * socket connected to peer port port, or for every socket if port is -1;
 * sb is the socket's fstat(2). Returns how many there were, or -1 if the
 * process's descriptors (/proc/self/fd) cannot be listed.
 */
int sockwatch_each(int port, void (*fn)(int, const struct stat *, void *),
    void *arg);

/*
 * Make a watch for a connection a library is about to make to port, each
 * of whose steps may last step_ms. Until sockwatch_connected() (or
 * sockwatch_free()) no other watch of the process can be made, so call it
 * just before the library connects, in the thread that runs the library;
 * it waits at most step_ms for another watch's connect to be over, then
 * returns NULL with *cause saying so (allocated; the caller frees it;
 * cause may be NULL). Free the watch with sockwatch_free().
 */
struct sockwatch *sockwatch_new(int port, long step_ms, char **cause);

/*
 * Make w ready for the library's next connection, as sockwatch_new() made
 * it for the first, keeping its thread: the last connection's is let go
 * (sockwatch_end()). Returns 0, or -1 with *cause as sockwatch_new().
 */
int sockwatch_again(struct sockwatch *w, char **cause);

/*
 * Let go of the connection: forget its socket and step, and let the next
 * watch be made. The watch keeps its thread for sockwatch_again().
 */
void sockwatch_end(struct sockwatch *w);

/*
 * The library has connected (call it in its thread, from its connect
 * event): find its socket, the one TCP socket connected to port that was
 * not there when the watch was made or last disconnected, keep a
 * duplicate of it, let the next watch be made, and start step (a name,
 * copied). Returns 0, or -1 if there was not exactly one such socket:
 * then no deadline is kept for this connection.
 */
int sockwatch_connected(struct sockwatch *w, const char *step);

/*
 * A step starts now (a name, copied): unless the next sockwatch_step() or
 * sockwatch_rest() comes within step_ms, the socket is shut down (both
 * ways, shutdown(2)), so that the library's read or write fails at once.
 * After that the watch is expired and sockwatch_step() does nothing.
 * w may be NULL.
 */
void sockwatch_step(struct sockwatch *w, const char *step);

/* The step is over and nothing is awaited from the peer; w may be NULL. */
void sockwatch_rest(struct sockwatch *w);

/*
 * Return 1 if a step ran out of time and the socket was shut down, with
 * the step's name copied to buf (size bytes), else 0. w may be NULL.
 */
int sockwatch_expired(struct sockwatch *w, char *buf, size_t size);

/*
 * The library has closed its connection (its disconnect event): forget
 * the socket, so that another connection of the same session is found
 * anew by sockwatch_connected().
 */
void sockwatch_disconnected(struct sockwatch *w);

/*
 * Return w's duplicate of the library's socket once sockwatch_connected()
 * found it, or -1. w keeps it: the caller may set options on it (the
 * socket is the library's), not close it.
 */
int sockwatch_fd(struct sockwatch *w);

/* Stop watching, close the duplicate and free w; NULL is a no-op. */
void sockwatch_free(struct sockwatch *w);

#endif
