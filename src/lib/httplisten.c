/*
 * httplisten.c - the HTTP listener's socket: where it listens, and
 * opening it there
 *
 * Only numeric addresses are taken, and "localhost" as 127.0.0.1: no
 * name is looked up. The socket is opened with SO_REUSEADDR, so that it
 * can take the address of a listener that has just closed.
 */
#include "build.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "httplisten.h"
#include "xmalloc.h"

/*
 * Turn "HOST:PORT", "[IPV6]:PORT" or "PORT" into a socket address.
 * Returns NULL, or what is wrong with it (a static string).
 */
const char *
httplisten_parse(const char *listen, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	const char		*end, *port, *addr, *why = NULL;
	char			*host = NULL;
	unsigned long		 n;
	int			 v6 = listen[0] == '[';

	memset(ss, 0, sizeof *ss);
	if (v6 && ((end = strchr(listen, ']')) == NULL || end[1] != ':'))
		return "expected [IPV6]:PORT";
	if (v6) {
		host = xstrndup(listen + 1, end - listen - 1);
		port = end + 2;
	} else if ((end = strrchr(listen, ':')) != NULL) {
		host = xstrndup(listen, end - listen);
		port = end + 1;
	} else
		port = listen;
	addr = host != NULL ? host : "127.0.0.1";
	if (!v6 && strcmp(addr, "localhost") == 0)
		addr = "127.0.0.1";

	n = strtoul(port, NULL, 10);
	if (*port == '\0' || strspn(port, "0123456789") != strlen(port))
		why = "the port is not a number";
	else if (strlen(port) > 5 || n > 65535)
		why = "the port is out of range (0-65535)";
	else if (v6 && inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)n);
	} else if (!v6 && inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)n);
	} else if (v6)
		why = "not a numeric IPv6 address";
	else if (strchr(addr, ':') != NULL)
		why = "an IPv6 address goes in brackets";
	else
		why = "not a numeric IPv4 address or localhost";
	free(host);
	return why;
}

/*
 * Open the listening socket on ss. Returns it, or -1 with *why set to an
 * allocated message.
 */
int
httplisten_open(const struct sockaddr_storage *ss, char **why)
{
	const char	*what = "cannot make a socket";
	int		 fd, on = 1;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		goto fail;
	what = "cannot listen";
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
	    (ss->ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof on) != 0))
		goto fail;
	what = "cannot bind";
	if (bind(fd, (const struct sockaddr *)ss, ss->ss_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in)) != 0)
		goto fail;
	what = "cannot listen";
	if (listen(fd, SOMAXCONN) != 0)
		goto fail;
	return fd;
fail:
	*why = xasprintf("%s: %s", what, strerror(errno));
	if (fd != -1)
		close(fd);
	return -1;
}

/* Return the port a socket is bound to. */
int
httplisten_port(int fd)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}
