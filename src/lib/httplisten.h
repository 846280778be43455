/*
 * httplisten.h - the HTTP listener's socket: where it listens, and
 * opening it there
 */
#ifndef HTTPLISTEN_H
#define HTTPLISTEN_H

#include <sys/socket.h>

/*
 * Turn listen text into the socket address *ss: "HOST:PORT",
 * "[IPV6]:PORT" or "PORT" (on 127.0.0.1), where HOST is a numeric IPv4
 * or IPv6 address or "localhost" (127.0.0.1). Returns NULL, or what is
 * wrong with the text (a static string), e.g. "the port is out of range
 * (0-65535)".
 */
const char *httplisten_parse(const char *listen,
    struct sockaddr_storage *ss);

/*
 * Open a TCP socket listening on ss, non-blocking and close-on-exec (on
 * an IPv6 address for IPv6 only). Returns it, or -1 with *why set to an
 * allocated message saying which step failed and why.
 */
int httplisten_open(const struct sockaddr_storage *ss, char **why);

/* Return the port the socket fd is bound to, or 0 if it cannot tell. */
int httplisten_port(int fd);

#endif
