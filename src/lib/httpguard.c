/*
 * httpguard.c - the HTTP listener's connections, held to limits and
 * deadlines
 *
 * A connection goes through three hands:
 *
 *   head        admitted here, within the limits below; its bytes are
 *               peeked at (MSG_PEEK), not read, until they hold a whole
 *               request head (the request line and headers, up to the
 *               empty line), which must come within
 *               HTTPGUARD_HEAD_SECONDS of the accept and within
 *               HTTPHEAD_MAX bytes (else 408 or 431). A head whose
 *               Content-Length is malformed (400) or over
 *               HTTPREQ_BODY_MAX (413) is answered here too (httphead.c);
 *   MHD         a whole head is handed to libmicrohttpd
 *               (MHD_add_connection()), which reads the request from
 *               the start and answers it; the whole exchange must end
 *               within HTTPGUARD_REQUEST_SECONDS of the accept, or the
 *               socket is shut down (shutdown(2)), which libmicrohttpd
 *               sees at once and closes the connection;
 *   linger      after an answer of the head stage: the rest of what the
 *               client sends is read and dropped for up to
 *               HTTPGUARD_LINGER_MS, so that closing does not reset the
 *               connection before the client has read the answer.
 *
 * Each connection carries one request: every answer says "Connection:
 * close". So every request goes through the head stage and its deadline.
 *
 * Limits, for a listener that answers one request at a time in a few
 * milliseconds (Redis on the same network) and must keep answering
 * /healthz and take a resident's STOP while a client holds connections
 * open on purpose (slowloris):
 *
 *   HTTPGUARD_PER_ADDRESS  connections from one client address at once
 *                      (32): far more than a gateway or proxy needs to
 *                      keep one serial listener busy, yet eight addresses
 *                      are needed to fill HTTPGUARD_CONNECTIONS;
 *   HTTPGUARD_CONNECTIONS  connections at once in all (256): each is a
 *                      file descriptor, and closeloopd runs under
 *                      systemd's default soft limit of 1024, of which the
 *                      delivery clients may take about 670
 *                      (sms.connections and email.sessions at their
 *                      maxima, 256 and 64, twice over while a SIGHUP
 *                      swaps them, and Redis);
 *   HTTPGUARD_LOCAL_SPARE  places beyond HTTPGUARD_CONNECTIONS for
 *                      clients at 127.0.0.1 or ::1 (8), so that the
 *                      machine's own health check still gets in when
 *                      other clients fill the rest (the per-address limit
 *                      still applies to it).
 *
 * A connection over a limit is closed at once. How many were refused,
 * and how many were cut off for being too slow, is logged at most once a
 * minute.
 */
#include "build.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "clock.h"
#include "httpguard.h"
#include "httphead.h"
#include "httpreply.h"
#include "log.h"
#include "xmalloc.h"

#define HTTPGUARD_LINGER_MS	1000	/* draining after our own answer */
#define HTTPGUARD_SUMMARY_MS	60000	/* between logs of what was refused */

/* Where a connection is (see the top). */
enum httpguard_stage {
	HTTPGUARD_FREE,
	HTTPGUARD_HEAD,
	HTTPGUARD_MHD,
	HTTPGUARD_LINGER
};

/* One connection, from the accept until it is closed. */
struct httpguard_conn {
	enum httpguard_stage	 stage;
	int			 fd;
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	int64_t			 accepted;	/* ms, monotonic */
	int64_t			 deadline;	/* ms, monotonic */
	int			 cut;		/* MHD: shut down already */
};

struct httpguard {
	struct MHD_Daemon	*daemon;
	int			 epfd;		/* the listener's */
	struct httpguard_conn	 conns[HTTPGUARD_SLOTS];
	size_t			 nconns;	/* not free */
	char			*peek;		/* HTTPHEAD_MAX bytes */
	uint64_t		 refused;	/* since the last summary */
	uint64_t		 slow;
	int64_t			 summary_at;	/* 0: nothing to say */
};

/* Make a guard for a listener's connections. */
struct httpguard *
httpguard_new(struct MHD_Daemon *daemon, int epfd)
{
	struct httpguard	*g;
	size_t			 i;

	g = xcalloc(1, sizeof *g);
	g->daemon = daemon;
	g->epfd = epfd;
	for (i = 0; i < HTTPGUARD_SLOTS; i++)
		g->conns[i].fd = -1;
	g->peek = xmalloc(HTTPHEAD_MAX);
	return g;
}

/* Close the connections of ours and free the guard. */
void
httpguard_free(struct httpguard *g)
{
	size_t	i;

	if (g == NULL)
		return;
	for (i = 0; i < HTTPGUARD_SLOTS; i++) {
		if (g->conns[i].stage == HTTPGUARD_HEAD ||
		    g->conns[i].stage == HTTPGUARD_LINGER)
			close(g->conns[i].fd);
	}
	free(g->peek);
	free(g);
}

/* Write the numeric text of an address into buf. */
void
httpguard_addr_text(const struct sockaddr *sa, char *buf, size_t size)
{
	if (sa == NULL || getnameinfo(sa, sa->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in),
	    buf, size, NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(buf, size, "unknown");
}

/* Return 1 if ss is the machine itself: 127.0.0.1 or ::1 (see the top). */
static int
httpguard_local(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*sin6 =
	    (const struct sockaddr_in6 *)ss;
	const uint8_t			*a = sin6->sin6_addr.s6_addr;

	if (ss->ss_family == AF_INET)
		return ntohl(sin->sin_addr.s_addr) == INADDR_LOOPBACK;
	if (ss->ss_family != AF_INET6)
		return 0;
	return IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr) ||
	    (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr) && a[12] == 127 &&
	    a[13] == 0 && a[14] == 0 && a[15] == 1);
}

/* Return 1 if two client addresses are the same host. */
static int
httpguard_same_host(const struct sockaddr_storage *a,
    const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		    ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
	    &((const struct sockaddr_in6 *)b)->sin6_addr,
	    sizeof(struct in6_addr)) == 0;
}

/* Note something for the next summary of what was refused. */
static void
httpguard_note(struct httpguard *g, uint64_t *counter)
{
	(*counter)++;
	if (g->summary_at == 0)
		g->summary_at = clock_ms() + HTTPGUARD_SUMMARY_MS;
}

/* Log what was refused since the last summary, if it is time. */
void
httpguard_summary(struct httpguard *g, int64_t now)
{
	if (g->summary_at == 0 || now < g->summary_at)
		return;
	log_warn("http: in the last minute, %llu connection%s refused (over "
	    "%d from one address or %d in all) and %llu cut off for sending "
	    "too slowly", (unsigned long long)g->refused,
	    g->refused == 1 ? "" : "s", HTTPGUARD_PER_ADDRESS,
	    HTTPGUARD_CONNECTIONS, (unsigned long long)g->slow);
	g->refused = g->slow = 0;
	g->summary_at = 0;
}

/* Free a connection's slot (its socket is closed, or libmicrohttpd's). */
static void
httpguard_release(struct httpguard *g, struct httpguard_conn *c)
{
	c->stage = HTTPGUARD_FREE;
	c->fd = -1;
	g->nconns--;
}

/* Return the connection libmicrohttpd has taken with socket fd, or NULL. */
struct httpguard_conn *
httpguard_started(struct httpguard *g, int fd)
{
	size_t	i;

	for (i = 0; i < HTTPGUARD_SLOTS; i++) {
		if (g->conns[i].stage == HTTPGUARD_MHD && g->conns[i].fd == fd)
			return &g->conns[i];
	}
	return NULL;
}

/* Free the slot of a connection libmicrohttpd has closed. */
void
httpguard_closed(struct httpguard *g, struct httpguard_conn *c)
{
	if (c != NULL && c->stage == HTTPGUARD_MHD)
		httpguard_release(g, c);	/* its socket is closed */
}

/* Close a connection of ours (head or linger) and free its slot. */
static void
httpguard_close(struct httpguard *g, struct httpguard_conn *c)
{
	epoll_ctl(g->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	httpguard_release(g, c);
}

/*
 * Answer a connection at the head stage ourselves, with status, its
 * reason phrase and text, and let it linger.
 */
static void
httpguard_answer(struct httpguard *g, struct httpguard_conn *c,
    int status, const char *text)
{
	struct epoll_event	 ev;
	char			*out;
	ssize_t			 n;

	out = httpreply_raw(status, text);
	n = send(c->fd, out, strlen(out), MSG_NOSIGNAL | MSG_DONTWAIT);
	free(out);
	if (n < 0 || shutdown(c->fd, SHUT_WR) != 0) {
		httpguard_close(g, c);
		return;
	}
	c->stage = HTTPGUARD_LINGER;
	c->deadline = clock_ms() + HTTPGUARD_LINGER_MS;
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLIN | EPOLLRDHUP;
	ev.data.u64 = (uint64_t)(c - g->conns);
	if (epoll_ctl(g->epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0)
		httpguard_close(g, c);
}

/* Hand a connection with a whole head to libmicrohttpd. */
static void
httpguard_hand_over(struct httpguard *g, struct httpguard_conn *c)
{
	int	fd = c->fd;

	epoll_ctl(g->epfd, EPOLL_CTL_DEL, fd, NULL);
	c->stage = HTTPGUARD_MHD;
	c->cut = 0;
	c->deadline = c->accepted + HTTPGUARD_REQUEST_SECONDS * 1000;
	if (MHD_add_connection(g->daemon, fd, (struct sockaddr *)&c->addr,
	    c->addrlen) != MHD_YES && c->stage == HTTPGUARD_MHD && c->fd == fd)
		httpguard_release(g, c);	/* libmicrohttpd closed it */
}

/* Look at what a connection at the head stage has sent so far. */
static void
httpguard_head(struct httpguard *g, struct httpguard_conn *c,
    uint32_t events)
{
	const char	*why;
	char		 peer[INET6_ADDRSTRLEN];
	size_t		 headlen;
	ssize_t		 n;
	int		 rc;

	n = recv(c->fd, g->peek, HTTPHEAD_MAX, MSG_PEEK | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno ==
	    EINTR))
		return;
	if (n <= 0) {
		httpguard_close(g, c);	/* gone before its request */
		return;
	}
	rc = httphead_check(g->peek, (size_t)n, &headlen, &why);
	if (rc == 200)
		httpguard_hand_over(g, c);
	else if (rc == 0 && (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
		httpguard_close(g, c);	/* it stopped half way */
	else if (rc != 0) {
		httpguard_addr_text((struct sockaddr *)&c->addr, peer,
		    sizeof peer);
		log_warn("http: %s sent %s; answered %d", peer, why, rc);
		httpguard_answer(g, c, rc, why);
	}
}

/* Read and drop what a lingering connection sends. */
static void
httpguard_linger(struct httpguard *g, struct httpguard_conn *c)
{
	ssize_t	n;

	while ((n = recv(c->fd, g->peek, HTTPHEAD_MAX, MSG_DONTWAIT)) > 0)
		continue;
	if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR))
		httpguard_close(g, c);
}

/* Act on events on a connection of ours. */
void
httpguard_event(struct httpguard *g, uint64_t slot, uint32_t events)
{
	struct httpguard_conn	*c = &g->conns[slot];

	if (c->stage == HTTPGUARD_HEAD)
		httpguard_head(g, c, events);
	else if (c->stage == HTTPGUARD_LINGER)
		httpguard_linger(g, c);
}

/* Take a new connection if it fits the limits (see the top). */
void
httpguard_admit(struct httpguard *g, int fd,
    const struct sockaddr_storage *ss, socklen_t len)
{
	struct epoll_event	 ev;
	struct httpguard_conn	*c = NULL;
	size_t			 i, same = 0;
	int			 local = httpguard_local(ss);

	for (i = 0; i < HTTPGUARD_SLOTS; i++) {
		if (g->conns[i].stage == HTTPGUARD_FREE) {
			if (c == NULL)
				c = &g->conns[i];
		} else if (httpguard_same_host(&g->conns[i].addr, ss))
			same++;
	}
	if (c == NULL || same >= HTTPGUARD_PER_ADDRESS ||
	    (g->nconns >= HTTPGUARD_CONNECTIONS && !local)) {
		close(fd);
		httpguard_note(g, &g->refused);
		return;
	}
	memset(c, 0, sizeof *c);
	c->fd = fd;
	memcpy(&c->addr, ss, len);
	c->addrlen = len;
	c->accepted = clock_ms();
	c->deadline = c->accepted + HTTPGUARD_HEAD_SECONDS * 1000;
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
	ev.data.u64 = (uint64_t)(c - g->conns);
	if (epoll_ctl(g->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		close(fd);
		c->fd = -1;
		return;
	}
	c->stage = HTTPGUARD_HEAD;
	g->nconns++;
}

/* Act on the deadlines that have passed (see the top). */
void
httpguard_deadlines(struct httpguard *g, int64_t now)
{
	struct httpguard_conn	*c;
	size_t			 i;

	for (i = 0; i < HTTPGUARD_SLOTS; i++) {
		c = &g->conns[i];
		if (c->stage == HTTPGUARD_FREE || now < c->deadline)
			continue;
		if (c->stage == HTTPGUARD_HEAD) {
			httpguard_note(g, &g->slow);
			httpguard_answer(g, c, 408, "the request head did "
			    "not come in time");
		} else if (c->stage == HTTPGUARD_LINGER)
			httpguard_close(g, c);
		else if (!c->cut) {
			/*
			 * libmicrohttpd still has the socket open (it says
			 * when it closes it, in this thread): no other
			 * descriptor can have taken its number.
			 */
			httpguard_note(g, &g->slow);
			shutdown(c->fd, SHUT_RDWR);
			c->cut = 1;
		}
	}
}

/* Return the sooner of next and the guard's next deadline or summary. */
int64_t
httpguard_next(const struct httpguard *g, int64_t next)
{
	size_t	i;

	if (g->summary_at != 0 && g->summary_at < next)
		next = g->summary_at;
	for (i = 0; i < HTTPGUARD_SLOTS; i++) {
		if (g->conns[i].stage != HTTPGUARD_FREE && !g->conns[i].cut &&
		    g->conns[i].deadline < next)
			next = g->conns[i].deadline;
	}
	return next;
}
