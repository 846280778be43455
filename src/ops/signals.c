/*
 * signals.c - closeloopd's signals: noted by their handlers, let in only
 * while the main loop waits
 *
 * The handlers only set flags. The signals are blocked everywhere but in
 * ppoll(2), which lets them in atomically with the wait: a signal sent
 * while the loop works stays pending until the next wait, which it ends
 * at once, so none is lost between a look at the flags and the wait.
 */
#include "build.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "signals.h"

static volatile sig_atomic_t	signals_quit_sig;
static volatile sig_atomic_t	signals_reload_sig;
static sigset_t			signals_waitmask;	/* inside ppoll */

/* Note a signal in a flag for the loop. */
static void
signals_note(int sig)
{
	if (sig == SIGHUP)
		signals_reload_sig = sig;
	else
		signals_quit_sig = sig;
}

/* Install the handlers and block the signals outside ppoll. */
void
signals_init(void)
{
	struct sigaction	sa;
	sigset_t		block;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = signals_note;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &signals_waitmask);
	sigdelset(&signals_waitmask, SIGTERM);
	sigdelset(&signals_waitmask, SIGINT);
	sigdelset(&signals_waitmask, SIGHUP);
}

/* Wait up to ms for fd or a signal, with the signals let in. */
int
signals_wait(int fd, int64_t ms)
{
	struct pollfd	pfd;
	struct timespec	ts;

	if (ms < 0)
		ms = 0;
	clock_split(ms, &ts);
	pfd.fd = fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	switch (ppoll(&pfd, fd >= 0 ? 1 : 0, &ts, &signals_waitmask)) {
	case -1:
		return -1;
	case 0:
		return 0;
	}
	return 1;
}

/* Wait up to ms (no limit if negative) for any of n fds or a signal. */
int
signals_wait_any(struct pollfd *pfd, size_t n, int64_t ms)
{
	struct timespec	ts;
	size_t		i;
	int		rc;

	for (i = 0; i < n; i++)
		pfd[i].revents = 0;
	if (ms >= 0)
		clock_split(ms, &ts);
	rc = ppoll(pfd, (nfds_t)n, ms >= 0 ? &ts : NULL, &signals_waitmask);
	return rc > 0 ? 1 : rc;
}

/* Return the signal that asked to stop, or 0. */
int
signals_quit(void)
{
	return signals_quit_sig;
}

/* Return 1 if SIGHUP was noted since the last call, and forget it. */
int
signals_reload(void)
{
	if (!signals_reload_sig)
		return 0;
	signals_reload_sig = 0;
	return 1;
}

/* Return 1 if SIGTERM or SIGINT is pending. */
int
signals_stop_pending(void)
{
	sigset_t	pending;

	if (sigpending(&pending) != 0)
		return 0;
	return sigismember(&pending, SIGTERM) ||
	    sigismember(&pending, SIGINT);
}
