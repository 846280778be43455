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
 * libesmtp does not hand out its socket, so when a session has connected
 * (its SMTP_EV_CONNECT event) the process's descriptors are listed from
 * /proc/self/fd and every TCP socket connected to the SMTP server's port
 * without TCP_NODELAY gets it. A socket of another session to the same
 * server gets it too, which is what it wants anyway; no other connection
 * of closeloopd goes to that port.
 */
#include "build.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <dirent.h>
#include <stdlib.h>

#include "nodelay.h"

/* Return the peer's port of a connected TCP socket, or -1. */
static int
nodelay_port_of(int fd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;
	int			 type;
	socklen_t		 tlen = sizeof type;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) != 0 ||
	    type != SOCK_STREAM)
		return -1;
	if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -1;
}

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

/* Set TCP_NODELAY on the sockets connected to port. */
int
nodelay_peer_port(int port)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 sb;
	char		*end;
	long		 fd;
	int		 n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		fd = strtol(de->d_name, &end, 10);
		if (end == de->d_name || *end != '\0' || fd == dirfd(d))
			continue;
		if (fstat((int)fd, &sb) != 0 || !S_ISSOCK(sb.st_mode))
			continue;
		if (nodelay_port_of((int)fd) == port)
			n += nodelay_set((int)fd);
	}
	closedir(d);
	return n;
}
