/*
 * sdnotify.c - tell systemd how the daemon is doing (Type=notify)
 *
 * The protocol: one datagram of newline-separated VAR=VALUE lines sent to
 * the AF_UNIX socket whose path is in $NOTIFY_SOCKET; a leading '@' names
 * a socket in the abstract namespace. The watchdog is armed by
 * WatchdogSec= in the unit, which sets $WATCHDOG_USEC (and $WATCHDOG_PID)
 * for the main process; the main loop's turns keep it fed.
 */
#include "build.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "metrics.h"
#include "sdnotify.h"
#include "xmalloc.h"

/* Send a state to the service manager, if any. */
int
sdnotify_send(const char *fmt, ...)
{
	struct sockaddr_un	 sun;
	const char		*path;
	char			*msg;
	va_list			 ap;
	socklen_t		 len;
	int			 fd, rc;

	path = getenv("NOTIFY_SOCKET");
	if (path == NULL || *path == '\0')
		return 0;
	if ((path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof sun.sun_path)
		return -1;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0';
	len = offsetof(struct sockaddr_un, sun_path) + strlen(path);

	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	rc = sendto(fd, msg, strlen(msg), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, len) == -1 ? -1 : 1;
	free(msg);
	close(fd);
	return rc;
}

/* Return the watchdog's ping interval in ms, or 0. */
int64_t
sdnotify_watchdog_ms(void)
{
	const char	*usec, *pid;
	long long	 v;

	if ((usec = getenv("WATCHDOG_USEC")) == NULL)
		return 0;
	pid = getenv("WATCHDOG_PID");
	if (pid != NULL && strtoll(pid, NULL, 10) != (long long)getpid())
		return 0;
	v = strtoll(usec, NULL, 10);
	if (v <= 0)
		return 0;
	return v / 2000 > 0 ? v / 2000 : 1;
}

/* Feed the watchdog and refresh the status line when due. */
void
sdnotify_tick(int64_t now, const char *waiting)
{
	static int64_t		 next;
	struct metrics_totals	 t;
	const char		*feed;
	int64_t			 every;

	if (now < next)
		return;
	every = sdnotify_watchdog_ms();
	feed = every > 0 ? "WATCHDOG=1\n" : "";
	if (every == 0 || every > SDNOTIFY_STATUS_MS)
		every = SDNOTIFY_STATUS_MS;
	next = now + every;
	if (waiting != NULL) {
		sdnotify_send("%sSTATUS=waiting for redis: %s", feed, waiting);
		return;
	}
	metrics_totals(&t);
	sdnotify_send("%sSTATUS=consumed %llu, queued %llu, held %llu, "
	    "sent %llu", feed, (unsigned long long)t.consumed,
	    (unsigned long long)t.queued, (unsigned long long)t.held,
	    (unsigned long long)t.sent);
}
