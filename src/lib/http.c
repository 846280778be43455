/*
 * http.c - a small HTTP listener on top of libmicrohttpd
 *
 * The listener has one thread of its own, which runs an epoll loop over
 * the listening socket, the connections whose request head has not come
 * in yet, and libmicrohttpd's own epoll descriptor (libmicrohttpd runs
 * in "external" mode, from this loop, with MHD_run()). Every callback
 * below, the handler's included, runs in that thread, one at a time.
 *
 * Each connection accepted here is handed to the guard (httpguard.c),
 * which holds it to the limits on connections from one client and in
 * all, waits for its whole request head, gives it to libmicrohttpd
 * (MHD_add_connection()) and cuts off an exchange that takes too long;
 * libmicrohttpd is told the same limits. When the process is out of file
 * descriptors, accepting pauses for a moment.
 *
 * libmicrohttpd calls back three times per request: the URI log once the
 * request line is read (the request object is made here, with the raw
 * URI and the client's address); access once the headers are read (the
 * method is checked, the headers copied), once per piece of body (kept
 * up to HTTPREQ_BODY_MAX; a chunked body past it is read on and dropped),
 * then once more at the end, when the handler is called (or 413); and
 * completed, however the request ended, which frees the request object.
 * The request object, and the decoding of query strings and forms, is
 * httpreq.c's; the answers are httpreply.c's. libmicrohttpd's own
 * messages go to log_warn().
 */
#include "build.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "http.h"
#include "httpguard.h"
#include "httplisten.h"
#include "httpreply.h"
#include "httpreq.h"
#include "log.h"
#include "clock.h"
#include "xmalloc.h"

#define HTTP_PAUSE_MS		100	/* no accept, out of descriptors */
#define HTTP_PAUSE_LOG_MS	60000	/* between logs of such a pause */
#define HTTP_WAIT_MS		60000	/* the longest timed wait */
#define HTTP_EVENTS		64	/* epoll events taken at once */

/* The epoll tags of the loop's own descriptors; a connection's is its slot. */
#define HTTP_TAG_LISTEN		((uint64_t)HTTPGUARD_SLOTS)
#define HTTP_TAG_WAKE		((uint64_t)HTTPGUARD_SLOTS + 1)
#define HTTP_TAG_MHD		((uint64_t)HTTPGUARD_SLOTS + 2)

struct http {
	struct MHD_Daemon	*daemon;
	http_handler		 handler;
	void			*arg;
	int			 lfd;		/* listening */
	int			 epfd;
	int			 wake[2];	/* http_free() -> the loop */
	pthread_t		 thread;
	int			 running;	/* thread started */
	struct httpguard	*guard;		/* the connections */
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

/* Make the request object once the request line is read. */
static void *
http_uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo	*ci;
	char				 peer[INET6_ADDRSTRLEN];

	(void)cls;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	httpguard_addr_text(ci != NULL ? ci->client_addr : NULL, peer,
	    sizeof peer);
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
		httpresp_clear(&resp);
		return httpreply_error(conn, 500, "internal error");
	}
	return httpreply_queue(conn, &resp);
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
 * HTTP_PAUSE_LOG_MS.
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
			httpguard_admit(h->guard, fd, &ss, len);
			continue;
		}
		if (errno != EMFILE && errno != ENFILE)
			return;
		now = clock_ms();
		if (h->paused_logged == 0 ||
		    now - h->paused_logged >= HTTP_PAUSE_LOG_MS) {
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

/* Return how long the loop may wait, in ms (-1: until an event). */
static int
http_timeout(struct http *h, int64_t now)
{
	MHD_UNSIGNED_LONG_LONG	 mhd;
	int64_t			 next = INT64_MAX;

	if (MHD_get_timeout(h->daemon, &mhd) == MHD_YES &&
	    mhd < (MHD_UNSIGNED_LONG_LONG)HTTP_WAIT_MS)
		next = now + (int64_t)mhd;
	next = httpguard_next(h->guard, next);
	if (h->paused_until != 0 && h->paused_until < next)
		next = h->paused_until;
	if (next == INT64_MAX)
		return -1;	/* nothing is due: no wake-up while idle */
	if (next - now > HTTP_WAIT_MS)
		next = now + HTTP_WAIT_MS;
	return next <= now ? 0 : (int)(next - now);
}

/* Learn when libmicrohttpd takes over a connection and when it closes it. */
static void
http_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	struct http			*h = cls;
	const union MHD_ConnectionInfo	*ci;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(conn,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		*socket_context = ci != NULL ?
		    httpguard_started(h->guard, ci->connect_fd) : NULL;
		return;
	}
	httpguard_closed(h->guard, *socket_context);
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
			else if (tag < HTTPGUARD_SLOTS)
				httpguard_event(h->guard, tag, evs[i].events);
		}
		MHD_run(h->daemon);
		httpguard_deadlines(h->guard, clock_ms());
		httpguard_summary(h->guard, clock_ms());
		http_resume(h, clock_ms());
	}
	return NULL;
}

/* Check listen text as http_new() reads it. */
int
http_listen_check(const char *listen, char **cause)
{
	struct sockaddr_storage	 ss;
	const char		*why;

	if ((why = httplisten_parse(listen, &ss)) == NULL)
		return 0;
	if (cause != NULL)
		*cause = xstrdup(why);
	return -1;
}

/* Start the listener's daemon, socket and thread. Returns 0, or -1. */
static int
http_start(struct http *h, const struct sockaddr_storage *ss, char **why)
{
	const union MHD_DaemonInfo	*di;

	if ((h->lfd = httplisten_open(ss, why)) == -1)
		return -1;
	h->daemon = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
	    MHD_USE_NO_LISTEN_SOCKET, 0, NULL, NULL, http_access, h,
	    MHD_OPTION_EXTERNAL_LOGGER, http_log, h,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTPGUARD_SLOTS,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned int)HTTPGUARD_PER_ADDRESS,
	    MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned int)HTTPGUARD_REQUEST_SECONDS,
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
	if (di == NULL || (h->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		goto fail;
	h->guard = httpguard_new(h->daemon, h->epfd);
	if (pipe2(h->wake, O_CLOEXEC | O_NONBLOCK) != 0 ||
	    http_watch(h, h->lfd, HTTP_TAG_LISTEN) != 0 ||
	    http_watch(h, h->wake[0], HTTP_TAG_WAKE) != 0 ||
	    http_watch(h, di->epoll_fd, HTTP_TAG_MHD) != 0 ||
	    pthread_create(&h->thread, NULL, http_loop, h) != 0)
		goto fail;
	(void)pthread_setname_np(h->thread, "http");
	h->running = 1;
	return 0;
fail:
	*why = xasprintf("cannot start the listener: %s", strerror(errno));
	return -1;
}

/* Start listening on listen. */
struct http *
http_new(const char *listen, http_handler handler, void *arg, char **cause)
{
	struct sockaddr_storage	 ss;
	struct http		*h;
	const char		*bad;
	char			*why = NULL, *msg;

	if ((bad = httplisten_parse(listen, &ss)) != NULL) {
		msg = xasprintf("listen address \"%s\": %s", listen, bad);
		goto fail;
	}
	h = xcalloc(1, sizeof *h);
	h->handler = handler;
	h->arg = arg;
	h->lfd = h->epfd = h->wake[0] = h->wake[1] = -1;
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
	httpguard_free(h->guard);	/* closes the others */
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
	free(h);
}

/* Return the bound port. */
int
http_port(const struct http *h)
{
	return httplisten_port(h->lfd);
}


