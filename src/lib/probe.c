/*
 * probe.c - can a TCP server be reached, within a time limit?
 *
 * libesmtp connects with a blocking connect(2) and no time limit, so a
 * host that drops connection attempts would hold a mail worker until the
 * kernel gives up, minutes later. Before each SMTP session the worker
 * probes the server with a non-blocking connect bounded by
 * email.timeout_seconds; only a server that answered gets the session.
 */
#include "build.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "probe.h"
#include "xmalloc.h"

/* Try one address until deadline; 0 if it accepted, else an errno. */
static int
probe_one(const struct addrinfo *ai, int64_t deadline)
{
	struct pollfd	pfd;
	socklen_t	len = sizeof pfd.revents;
	int		fd, err = 0, rc;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd == -1)
		return errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		goto done;
	if (errno != EINPROGRESS) {
		err = errno;
		goto done;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	do {
		rc = poll(&pfd, 1, (int)(deadline - clock_ms() > 0 ?
		    deadline - clock_ms() : 0));
	} while (rc == -1 && errno == EINTR);
	if (rc == 0)
		err = ETIMEDOUT;
	else if (rc == -1)
		err = errno;
	else {
		len = sizeof err;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
			err = errno;
	}
done:
	close(fd);
	return err;
}

/* Probe a TCP server. */
int
probe_connect(const char *host, const char *port, long timeout_ms,
    char **cause)
{
	struct addrinfo	 hints, *res, *ai;
	int64_t		 deadline = clock_ms() + timeout_ms;
	int		 rc, err = ETIMEDOUT;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		if (cause != NULL)
			*cause = xasprintf("connect to %s:%s: %s", host, port,
			    gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL && clock_ms() < deadline;
	    ai = ai->ai_next) {
		if ((err = probe_one(ai, deadline)) == 0)
			break;
	}
	freeaddrinfo(res);
	if (err == 0)
		return 0;
	if (cause != NULL && err == ETIMEDOUT)
		*cause = xasprintf("connect to %s:%s: no answer within %ld s",
		    host, port, (timeout_ms + 999) / 1000);
	else if (cause != NULL)
		*cause = xasprintf("connect to %s:%s: %s", host, port,
		    strerror(err));
	return -1;
}
