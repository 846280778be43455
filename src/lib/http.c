/*
 * http.c - a small HTTP listener on top of libmicrohttpd
 *
 * The listener has one thread of its own, which runs an epoll loop over
 * the listening socket, the connections whose request head has not come
 * in yet, and libmicrohttpd's own epoll descriptor (libmicrohttpd runs
 * in "external" mode, from this loop, with MHD_run()). Every callback
 * below, the handler's included, runs in that thread, one at a time.
 *
 * A connection goes through three hands:
 *
 *   head        accepted here, within the limits below; its bytes are
 *               peeked at (MSG_PEEK), not read, until they hold a whole
 *               request head (the request line and headers, up to the
 *               empty line), which must come within HTTP_HEAD_SECONDS of
 *               the accept and within HTTPHEAD_MAX bytes (else 408 or
 *               431). A head whose Content-Length is malformed (400) or
 *               over HTTPREQ_BODY_MAX (413) is answered here too;
 *   MHD         a whole head is handed to libmicrohttpd
 *               (MHD_add_connection()), which reads the request from
 *               the start and answers it; the whole exchange must end
 *               within HTTP_REQUEST_SECONDS of the accept, or the socket
 *               is shut down (shutdown(2)), which libmicrohttpd sees at
 *               once and closes the connection;
 *   linger      after an answer of the head stage: the rest of what the
 *               client sends is read and dropped for up to
 *               HTTP_LINGER_MS, so that closing does not reset the
 *               connection before the client has read the answer.
 *
 * Each connection carries one request: every answer says "Connection:
 * close". So every request goes through the head stage and its deadline,
 * and libmicrohttpd never parses a Content-Length it would refuse: its
 * 0.9.75 (Debian 12) queues its own 400 or 413 for one and then sends
 * the header block of that answer twice.
 *
 * Limits, for a listener that answers one request at a time in a few
 * milliseconds (Redis on the same network) and must keep answering
 * /healthz and take a resident's STOP while a client holds connections
 * open on purpose (slowloris):
 *
 *   HTTP_PER_ADDRESS   connections from one client address at once (32):
 *                      far more than a gateway or proxy needs to keep
 *                      one serial listener busy, yet eight addresses are
 *                      needed to fill HTTP_CONNECTIONS;
 *   HTTP_CONNECTIONS   connections at once in all (256): each is a file
 *                      descriptor, and closeloopd runs under systemd's
 *                      default soft limit of 1024, of which the delivery
 *                      clients may take about 670 (sms.connections and
 *                      email.sessions at their maxima, 256 and 64, twice
 *                      over while a SIGHUP swaps them, and Redis);
 *   HTTP_LOCAL_SPARE   places beyond HTTP_CONNECTIONS for clients at
 *                      127.0.0.1 or ::1 (8), so that the machine's own
 *                      health check still gets in when other clients
 *                      fill the rest (the per-address limit still
 *                      applies to it).
 *
 * A connection over a limit is closed at once. How many were refused,
 * and how many were cut off for being too slow, is logged at most once a
 * minute.
 *
 * libmicrohttpd calls back three times per request: the URI log once the
 * request line is read (the request object is made here, with the raw
 * URI and the client's address); access once the headers are read (the
 * method is checked, the headers copied), once per piece of body (kept
 * up to HTTPREQ_BODY_MAX; a chunked body past it is read on and dropped),
 * then once more at the end, when the handler is called (or 413); and
 * completed, however the request ended, which frees the request object.
 * The request object, and the decoding of query strings and forms, is
 * httpreq.c's. libmicrohttpd's own messages go to log_warn().
 */
#include "build.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "http.h"
#include "httphead.h"
#include "httpreply.h"
#include "httpreq.h"
#include "log.h"
#include "clock.h"
#include "xmalloc.h"

#define HTTP_PER_ADDRESS	32	/* connections from one address */
#define HTTP_CONNECTIONS	256	/* connections in all */
#define HTTP_LOCAL_SPARE	8	/* more for loopback clients */
#define HTTP_SLOTS		(HTTP_CONNECTIONS + HTTP_LOCAL_SPARE)
#define HTTP_HEAD_SECONDS	5	/* accept to the end of the head */
#define HTTP_REQUEST_SECONDS	10	/* accept to the end of the answer */
#define HTTP_LINGER_MS		1000	/* draining after our own answer */
#define HTTP_SUMMARY_MS		60000	/* between logs of what was refused */
#define HTTP_PAUSE_MS		100	/* no accept, out of descriptors */
#define HTTP_EVENTS		64	/* epoll events taken at once */

/* The epoll tags of the loop's own descriptors; a connection's is its slot. */
#define HTTP_TAG_LISTEN		((uint64_t)HTTP_SLOTS)
#define HTTP_TAG_WAKE		((uint64_t)HTTP_SLOTS + 1)
#define HTTP_TAG_MHD		((uint64_t)HTTP_SLOTS + 2)

/* Where a connection is (see the top). */
enum http_stage {
	HTTP_FREE,
	HTTP_HEAD,
	HTTP_MHD,
	HTTP_LINGER
};

/* One connection, from the accept until it is closed. */
struct http_conn {
	enum http_stage		 stage;
	int			 fd;
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	int64_t			 accepted;	/* ms, monotonic */
	int64_t			 deadline;	/* ms, monotonic */
	int			 cut;		/* MHD: shut down already */
};

struct http {
	struct MHD_Daemon	*daemon;
	http_handler		 handler;
	void			*arg;
	int			 lfd;		/* listening */
	int			 epfd;
	int			 wake[2];	/* http_free() -> the loop */
	pthread_t		 thread;
	int			 running;	/* thread started */
	struct http_conn	 conns[HTTP_SLOTS];
	size_t			 nconns;	/* not free */
	char			*peek;		/* HTTPHEAD_MAX bytes */
	uint64_t		 refused;	/* since the last summary */
	uint64_t		 slow;
	int64_t			 summary_at;	/* 0: nothing to say */
	int64_t			 paused_until;	/* 0: accepting */
	int64_t			 paused_logged;
	pthread_mutex_t		 lock;		/* guards the two below */
	int			 starting;
	char			*startmsg;	/* last one while starting */
};

/* Pass a libmicrohttpd message to the log, or keep it while starting. */
static void __attribute__((format(printf, 2, 0)))
http_log(void *cls, const char *fmt, va_list ap)
{
	struct http	*h = cls;
	char		 buf[512], *clean;

	vsnprintf(buf, sizeof buf, fmt, ap);
	clean = log_clean(buf, strcspn(buf, "\r\n"), 400);
	pthread_mutex_lock(&h->lock);
	if (h->starting) {
		free(h->startmsg);
		h->startmsg = clean;
		clean = NULL;
	}
	pthread_mutex_unlock(&h->lock);
	if (clean != NULL) {
		log_warn("http: %s", clean);
		free(clean);
	}
}

/* Write the numeric text of an address into buf. */
static void
http_addr_text(const struct sockaddr *sa, char *buf, size_t size)
{
	if (sa == NULL || getnameinfo(sa, sa->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in),
	    buf, size, NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(buf, size, "unknown");
}

/* Make the request object once the request line is read. */
static void *
http_uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo	*ci;
	char				 peer[INET6_ADDRSTRLEN];

	(void)cls;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	http_addr_text(ci != NULL ? ci->client_addr : NULL, peer, sizeof peer);
	return httpreq_new(NULL, uri, peer);
}

/* Free the request object when its connection is done with it. */
static void
http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	httpreq_free(*con_cls);
	*con_cls = NULL;
}

/* Copy one of libmicrohttpd's headers into the request. */
static enum MHD_Result
http_copy_header(void *cls, enum MHD_ValueKind kind, const char *name,
    const char *value)
{
	(void)kind;
	httpreq_add_header(cls, name, value != NULL ? value : "");
	return MHD_YES;
}

/* Take one call for a request from libmicrohttpd (see the top). */
static enum MHD_Result
http_access(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct http		*h = cls;
	struct httpreq		*req = *con_cls;
	struct http_response	 resp;

	(void)version;
	if (req == NULL)	/* no URI log call: not expected */
		*con_cls = req = http_uri_log(h, url, conn);
	if (httpreq_method(req) == NULL) {	/* headers just read */
		httpreq_set_method(req, method);
		if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
		    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0 &&
		    strcmp(method, MHD_HTTP_METHOD_POST) != 0)
			return httpreply_error(conn, 405, "method not allowed");
		MHD_get_connection_values(conn, MHD_HEADER_KIND,
		    http_copy_header, req);
		return MHD_YES;
	}

	if (*upload_size != 0) {	/* a piece of body */
		httpreq_add_body(req, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}

	if (httpreq_too_large(req))
		return httpreply_error(conn, 413, "request body too large");
	if (httpreq_prepare(req) != 0)
		return httpreply_error(conn, 400, "NUL byte in request");

	memset(&resp, 0, sizeof resp);
	h->handler(req, &resp, h->arg);
	if (resp.status < 200 || resp.status > 599) {
		log_warn("http: handler gave status %d for %s", resp.status,
		    httpreq_method(req));
		free(resp.body);
		return httpreply_error(conn, 500, "internal error");
	}
	return httpreply_queue(conn, resp.status, resp.content_type, resp.body,
	    resp.header_name, resp.header_value);
}

/* Return 1 if ss is the machine itself: 127.0.0.1 or ::1 (see the top). */
static int
http_local(const struct sockaddr_storage *ss)
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
http_same_host(const struct sockaddr_storage *a,
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
http_note(struct http *h, uint64_t *counter)
{
	(*counter)++;
	if (h->summary_at == 0)
		h->summary_at = clock_ms() + HTTP_SUMMARY_MS;
}

/* Log what was refused since the last summary, if it is time. */
static void
http_summary(struct http *h, int64_t now)
{
	if (h->summary_at == 0 || now < h->summary_at)
		return;
	log_warn("http: in the last minute, %llu connection%s refused (over "
	    "%d from one address or %d in all) and %llu cut off for sending "
	    "too slowly", (unsigned long long)h->refused,
	    h->refused == 1 ? "" : "s", HTTP_PER_ADDRESS, HTTP_CONNECTIONS,
	    (unsigned long long)h->slow);
	h->refused = h->slow = 0;
	h->summary_at = 0;
}

/* Free a connection's slot (its socket is closed, or libmicrohttpd's). */
static void
http_release(struct http *h, struct http_conn *c)
{
	c->stage = HTTP_FREE;
	c->fd = -1;
	h->nconns--;
}

/* Close a connection of ours (head or linger) and free its slot. */
static void
http_close(struct http *h, struct http_conn *c)
{
	epoll_ctl(h->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	http_release(h, c);
}

/*
 * Answer a connection at the head stage ourselves, with status, its
 * reason phrase and text, and let it linger.
 */
static void
http_answer_head(struct http *h, struct http_conn *c, int status,
    const char *text)
{
	struct epoll_event	 ev;
	char			*out;
	ssize_t			 n;

	out = httpreply_raw(status, text);
	n = send(c->fd, out, strlen(out), MSG_NOSIGNAL | MSG_DONTWAIT);
	free(out);
	if (n < 0 || shutdown(c->fd, SHUT_WR) != 0) {
		http_close(h, c);
		return;
	}
	c->stage = HTTP_LINGER;
	c->deadline = clock_ms() + HTTP_LINGER_MS;
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLIN | EPOLLRDHUP;
	ev.data.u64 = (uint64_t)(c - h->conns);
	if (epoll_ctl(h->epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0)
		http_close(h, c);
}

/* Hand a connection with a whole head to libmicrohttpd. */
static void
http_hand_over(struct http *h, struct http_conn *c)
{
	int	fd = c->fd;

	epoll_ctl(h->epfd, EPOLL_CTL_DEL, fd, NULL);
	c->stage = HTTP_MHD;
	c->cut = 0;
	c->deadline = c->accepted + HTTP_REQUEST_SECONDS * 1000;
	if (MHD_add_connection(h->daemon, fd, (struct sockaddr *)&c->addr,
	    c->addrlen) != MHD_YES && c->stage == HTTP_MHD && c->fd == fd)
		http_release(h, c);	/* libmicrohttpd closed it */
}

/* Look at what a connection at the head stage has sent so far. */
static void
http_head(struct http *h, struct http_conn *c, uint32_t events)
{
	const char	*why;
	char		 peer[INET6_ADDRSTRLEN];
	size_t		 headlen;
	ssize_t		 n;
	int		 rc;

	n = recv(c->fd, h->peek, HTTPHEAD_MAX, MSG_PEEK | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno ==
	    EINTR))
		return;
	if (n <= 0) {
		http_close(h, c);	/* gone before its request */
		return;
	}
	rc = httphead_check(h->peek, (size_t)n, &headlen, &why);
	if (rc == 200)
		http_hand_over(h, c);
	else if (rc == 0 && (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
		http_close(h, c);	/* it stopped half way */
	else if (rc != 0) {
		http_addr_text((struct sockaddr *)&c->addr, peer, sizeof peer);
		log_warn("http: %s sent %s; answered %d", peer, why, rc);
		http_answer_head(h, c, rc, why);
	}
}

/* Read and drop what a lingering connection sends. */
static void
http_linger(struct http *h, struct http_conn *c)
{
	ssize_t	n;

	while ((n = recv(c->fd, h->peek, HTTPHEAD_MAX, MSG_DONTWAIT)) > 0)
		continue;
	if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR))
		http_close(h, c);
}

/* Take a new connection if it fits the limits (see the top). */
static void
http_admit(struct http *h, int fd, const struct sockaddr_storage *ss,
    socklen_t len)
{
	struct epoll_event	 ev;
	struct http_conn	*c = NULL;
	size_t			 i, same = 0;
	int			 local = http_local(ss);

	for (i = 0; i < HTTP_SLOTS; i++) {
		if (h->conns[i].stage == HTTP_FREE) {
			if (c == NULL)
				c = &h->conns[i];
		} else if (http_same_host(&h->conns[i].addr, ss))
			same++;
	}
	if (c == NULL || same >= HTTP_PER_ADDRESS ||
	    (h->nconns >= HTTP_CONNECTIONS && !local)) {
		close(fd);
		http_note(h, &h->refused);
		return;
	}
	memset(c, 0, sizeof *c);
	c->fd = fd;
	memcpy(&c->addr, ss, len);
	c->addrlen = len;
	c->accepted = clock_ms();
	c->deadline = c->accepted + HTTP_HEAD_SECONDS * 1000;
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
	ev.data.u64 = (uint64_t)(c - h->conns);
	if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		close(fd);
		c->fd = -1;
		return;
	}
	c->stage = HTTP_HEAD;
	h->nconns++;
}

/* Add fd to the loop's epoll set under tag. Returns 0, or -1. */
static int
http_watch(struct http *h, int fd, uint64_t tag)
{
	struct epoll_event	ev;

	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLIN;
	ev.data.u64 = tag;
	return epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev);
}

/*
 * Accept the connections waiting on the listening socket. Out of file
 * descriptors, the socket is left alone for HTTP_PAUSE_MS (it would
 * stay readable, and the loop spin), and that is logged at most once per
 * HTTP_SUMMARY_MS.
 */
static void
http_accept(struct http *h)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	int64_t			now;
	int			fd, i;

	for (i = 0; i < HTTP_EVENTS; i++) {
		len = sizeof ss;
		fd = accept4(h->lfd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd != -1) {
			http_admit(h, fd, &ss, len);
			continue;
		}
		if (errno != EMFILE && errno != ENFILE)
			return;
		now = clock_ms();
		if (h->paused_logged == 0 ||
		    now - h->paused_logged >= HTTP_SUMMARY_MS) {
			log_warn("http: cannot accept connections for now: "
			    "%s", strerror(errno));
			h->paused_logged = now;
		}
		epoll_ctl(h->epfd, EPOLL_CTL_DEL, h->lfd, NULL);
		h->paused_until = now + HTTP_PAUSE_MS;
		return;
	}
}

/* Take the listening socket back after a pause, if it is time. */
static void
http_resume(struct http *h, int64_t now)
{
	if (h->paused_until == 0 || now < h->paused_until)
		return;
	if (http_watch(h, h->lfd, HTTP_TAG_LISTEN) == 0)
		h->paused_until = 0;
	else
		h->paused_until = now + HTTP_PAUSE_MS;
}

/* Act on the deadlines that have passed (see the top). */
static void
http_deadlines(struct http *h, int64_t now)
{
	struct http_conn	*c;
	size_t			 i;

	for (i = 0; i < HTTP_SLOTS; i++) {
		c = &h->conns[i];
		if (c->stage == HTTP_FREE || now < c->deadline)
			continue;
		if (c->stage == HTTP_HEAD) {
			http_note(h, &h->slow);
			http_answer_head(h, c, 408, "the request head did "
			    "not come in time");
		} else if (c->stage == HTTP_LINGER)
			http_close(h, c);
		else if (!c->cut) {
			/*
			 * libmicrohttpd still has the socket open (it says
			 * when it closes it, in this thread): no other
			 * descriptor can have taken its number.
			 */
			http_note(h, &h->slow);
			shutdown(c->fd, SHUT_RDWR);
			c->cut = 1;
		}
	}
}

/* Return how long the loop may wait, in ms. */
static int
http_timeout(struct http *h, int64_t now)
{
	MHD_UNSIGNED_LONG_LONG	 mhd;
	int64_t			 next = now + HTTP_SUMMARY_MS;
	size_t			 i;

	if (MHD_get_timeout(h->daemon, &mhd) == MHD_YES &&
	    mhd < (MHD_UNSIGNED_LONG_LONG)HTTP_SUMMARY_MS)
		next = now + (int64_t)mhd;
	if (h->summary_at != 0 && h->summary_at < next)
		next = h->summary_at;
	if (h->paused_until != 0 && h->paused_until < next)
		next = h->paused_until;
	for (i = 0; i < HTTP_SLOTS; i++) {
		if (h->conns[i].stage != HTTP_FREE && !h->conns[i].cut &&
		    h->conns[i].deadline < next)
			next = h->conns[i].deadline;
	}
	return next <= now ? 0 : (int)(next - now);
}

/* Learn when libmicrohttpd takes over a connection and when it closes it. */
static void
http_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	struct http			*h = cls;
	struct http_conn		*c = NULL;
	const union MHD_ConnectionInfo	*ci;
	size_t				 i;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(conn,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		for (i = 0; ci != NULL && i < HTTP_SLOTS && c == NULL; i++) {
			if (h->conns[i].stage == HTTP_MHD &&
			    h->conns[i].fd == ci->connect_fd)
				c = &h->conns[i];
		}
		*socket_context = c;
		return;
	}
	if ((c = *socket_context) != NULL && c->stage == HTTP_MHD)
		http_release(h, c);	/* libmicrohttpd closes the socket */
	*socket_context = NULL;
}

/*
 * Run the listener until http_free() says to stop. SIGPIPE is blocked in
 * this thread: a client or Redis gone while it writes is an error to
 * handle, not the end of the process.
 */
static void *
http_loop(void *arg)
{
	struct http		*h = arg;
	struct epoll_event	 evs[HTTP_EVENTS];
	struct http_conn	*c;
	sigset_t		 pipe;
	uint64_t		 tag;
	char			 buf[16];
	int			 i, n, stop = 0;

	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, NULL);
	while (!stop) {
		n = epoll_wait(h->epfd, evs, HTTP_EVENTS,
		    http_timeout(h, clock_ms()));
		for (i = 0; i < n; i++) {
			tag = evs[i].data.u64;
			if (tag == HTTP_TAG_LISTEN)
				http_accept(h);
			else if (tag == HTTP_TAG_WAKE)
				stop = read(h->wake[0], buf, sizeof buf) >= 0;
			else if (tag < HTTP_SLOTS) {
				c = &h->conns[tag];
				if (c->stage == HTTP_HEAD)
					http_head(h, c, evs[i].events);
				else if (c->stage == HTTP_LINGER)
					http_linger(h, c);
			}
		}
		MHD_run(h->daemon);
		http_deadlines(h, clock_ms());
		http_summary(h, clock_ms());
		http_resume(h, clock_ms());
	}
	return NULL;
}

/*
 * Turn "HOST:PORT", "[IPV6]:PORT" or "PORT" into a socket address.
 * Returns NULL, or what is wrong with it (a static string).
 */
static const char *
http_parse_listen(const char *listen, struct sockaddr_storage *ss)
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

/* Check listen text as http_new() reads it. */
int
http_listen_check(const char *listen, char **cause)
{
	struct sockaddr_storage	 ss;
	const char		*why;

	if ((why = http_parse_listen(listen, &ss)) == NULL)
		return 0;
	if (cause != NULL)
		*cause = xstrdup(why);
	return -1;
}

/*
 * Open the listening socket on ss. Returns it, or -1 with *why set to an
 * allocated message.
 */
static int
http_socket(const struct sockaddr_storage *ss, char **why)
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

/* Start the listener's daemon, socket and thread. Returns 0, or -1. */
static int
http_start(struct http *h, const struct sockaddr_storage *ss, char **why)
{
	const union MHD_DaemonInfo	*di;

	if ((h->lfd = http_socket(ss, why)) == -1)
		return -1;
	h->daemon = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
	    MHD_USE_NO_LISTEN_SOCKET, 0, NULL, NULL, http_access, h,
	    MHD_OPTION_EXTERNAL_LOGGER, http_log, h,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_SLOTS,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)HTTP_PER_ADDRESS,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_REQUEST_SECONDS,
	    MHD_OPTION_URI_LOG_CALLBACK, http_uri_log, h,
	    MHD_OPTION_NOTIFY_COMPLETED, http_completed, h,
	    MHD_OPTION_NOTIFY_CONNECTION, http_notify, h,
	    MHD_OPTION_SIGPIPE_HANDLED_BY_APP, (unsigned int)1,
	    MHD_OPTION_END);
	pthread_mutex_lock(&h->lock);
	h->starting = 0;	/* startmsg is ours from here on */
	pthread_mutex_unlock(&h->lock);
	if (h->daemon == NULL) {
		*why = xstrdup(h->startmsg != NULL ? h->startmsg :
		    "cannot start the listener");
		return -1;
	}
	if (h->startmsg != NULL)
		log_warn("http: %s", h->startmsg);
	di = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_EPOLL_FD);
	if (di == NULL || (h->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    pipe2(h->wake, O_CLOEXEC | O_NONBLOCK) != 0 ||
	    http_watch(h, h->lfd, HTTP_TAG_LISTEN) != 0 ||
	    http_watch(h, h->wake[0], HTTP_TAG_WAKE) != 0 ||
	    http_watch(h, di->epoll_fd, HTTP_TAG_MHD) != 0 ||
	    pthread_create(&h->thread, NULL, http_loop, h) != 0) {
		*why = xasprintf("cannot start the listener: %s",
		    strerror(errno));
		return -1;
	}
	h->running = 1;
	return 0;
}

/* Start listening on listen. */
struct http *
http_new(const char *listen, http_handler handler, void *arg, char **cause)
{
	struct sockaddr_storage	 ss;
	struct http		*h;
	const char		*bad;
	char			*why = NULL, *msg;
	size_t			 i;

	if ((bad = http_parse_listen(listen, &ss)) != NULL) {
		msg = xasprintf("listen address \"%s\": %s", listen, bad);
		goto fail;
	}
	h = xcalloc(1, sizeof *h);
	h->handler = handler;
	h->arg = arg;
	h->lfd = h->epfd = h->wake[0] = h->wake[1] = -1;
	for (i = 0; i < HTTP_SLOTS; i++)
		h->conns[i].fd = -1;
	h->peek = xmalloc(HTTPHEAD_MAX);
	pthread_mutex_init(&h->lock, NULL);
	h->starting = 1;
	if (http_start(h, &ss, &why) == 0)
		return h;
	msg = xasprintf("listen address \"%s\": %s", listen, why);
	free(why);
	http_free(h);

fail:
	if (cause != NULL)
		*cause = msg;
	else
		free(msg);
	return NULL;
}

/* Stop the listener and free it. */
void
http_free(struct http *h)
{
	size_t	i;

	if (h == NULL)
		return;
	if (h->running) {
		if (write(h->wake[1], "x", 1) != 1)
			log_err("http: cannot stop the listener: %s",
			    strerror(errno));
		pthread_join(h->thread, NULL);
	}
	if (h->daemon != NULL)
		MHD_stop_daemon(h->daemon);	/* closes its connections */
	for (i = 0; i < HTTP_SLOTS; i++) {
		if (h->conns[i].stage == HTTP_HEAD ||
		    h->conns[i].stage == HTTP_LINGER)
			close(h->conns[i].fd);
	}
	if (h->lfd != -1)
		close(h->lfd);
	if (h->epfd != -1)
		close(h->epfd);
	if (h->wake[0] != -1) {
		close(h->wake[0]);
		close(h->wake[1]);
	}
	pthread_mutex_destroy(&h->lock);
	free(h->startmsg);
	free(h->peek);
	free(h);
}

/* Return the bound port. */
int
http_port(const struct http *h)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof ss;

	if (getsockname(h->lfd, (struct sockaddr *)&ss, &len) != 0)
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

