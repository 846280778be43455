/*
 * signals.h - closeloopd's signals: noted by their handlers, let in only
 * while the main loop waits
 *
 * SIGTERM and SIGINT ask the daemon to stop, SIGHUP to reload its
 * configuration. The three are blocked except inside signals_wait(), so
 * they reach their handlers, which only note them, while the loop is
 * waiting; the wait returns at once and the loop acts on what was noted.
 * SIGPIPE is ignored: a peer gone while written to is an error of the
 * write, not the end of the process.
 */
#ifndef SIGNALS_H
#define SIGNALS_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Install the handlers and block the three signals in the calling thread
 * (threads started after it inherit the block). Call it once, before the
 * loop and before starting other threads.
 */
void signals_init(void);

/*
 * Wait up to ms (none if negative) for fd to be readable, or only for a
 * signal if fd is -1, with the signals let in. Returns 1 if fd is
 * readable, 0 on timeout, -1 if a signal arrived (or the wait failed).
 */
int signals_wait(int fd, int64_t ms);

/*
 * Wait up to ms (no limit if negative) for any of the n descriptors in
 * pfd to be ready for their events (a negative fd is left out), or for a
 * signal, with the signals let in; revents says which. Returns 1 if one
 * is ready, 0 on timeout, -1 if a signal arrived (or the wait failed).
 */
int signals_wait_any(struct pollfd *pfd, size_t n, int64_t ms);

/* Return the signal that asked to stop (SIGTERM or SIGINT), or 0. */
int signals_quit(void);

/* Return 1 if SIGHUP came since the last call, else 0. */
int signals_reload(void);

/*
 * Return 1 if SIGTERM or SIGINT has been sent but not let in yet (it is
 * pending while blocked), else 0.
 */
int signals_stop_pending(void);

#endif
