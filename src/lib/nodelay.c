/*
 * nodelay.c - send small segments at once on connections made by a library
 *
 * libesmtp makes its own socket and keeps Nagle's algorithm on. It writes
 * a message through a 2,048-byte buffer, so the end of the data is a
 * second small write behind the first: Nagle holds it until the server
 * acknowledges the first, and the server delays that acknowledgement
 * (up to 40 ms on Linux) because it has nothing to say before the end of
 * the data. Every message then costs a delayed ACK, capping a session at
 * about 25 messages a second whatever the machines can do.
 *
 * libesmtp does not hand out its socket. When a session has connected
 * (its SMTP_EV_CONNECT event), the socket its watch found (sockwatch.h)
 * gets TCP_NODELAY; if the watch found none, the process's descriptors
 * are listed from /proc/self/fd (sockwatch_each()) and every TCP socket
 * connected to the SMTP server's port without TCP_NODELAY gets it. A
 * socket of another session to the same server gets it too, which is
 * what it wants anyway; no other connection of closeloopd goes to that
 * port.
 */
#include "build.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "nodelay.h"
#include "sockwatch.h"

/* Set TCP_NODELAY on fd if it is off; returns 1 if it set it. */
static int
nodelay_set(int fd)
{
	int		 on = 0;
	socklen_t	 len = sizeof on;

	if (getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &len) != 0 || on)
		return 0;
	on = 1;
	return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) == 0;
}

/* Set TCP_NODELAY on one socket connected to the port; count it. */
static void
nodelay_one(int fd, const struct stat *sb, void *arg)
{
	int	*n = arg;

	(void)sb;
	*n += nodelay_set(fd);
}

/* Set TCP_NODELAY on fd, a TCP socket; returns 1 if it set it, or -1. */
int
nodelay_fd(int fd)
{
	return fd == -1 ? -1 : nodelay_set(fd);
}

/* Set TCP_NODELAY on the sockets connected to port. */
int
nodelay_peer_port(int port)
{
	int	n = 0;

	if (sockwatch_each(port, nodelay_one, &n) == -1)
		return -1;
	return n;
}
