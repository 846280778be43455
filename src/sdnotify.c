/*
 * sdnotify.c - tell systemd how the daemon is doing (Type=notify)
 *
 * The protocol: one datagram of newline-separated VAR=VALUE lines sent to
 * the AF_UNIX socket whose path is in $NOTIFY_SOCKET; a leading '@' names
 * a socket in the abstract namespace.
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
