/*
 * httpguard.h - the HTTP listener's connections, held to limits and
 * deadlines
 *
 * The listener (http.c) accepts each connection and gives it to its
 * guard, which keeps it until it is closed: it refuses a connection over
 * the limits below, waits for the whole request head, hands the
 * connection to libmicrohttpd, cuts off an exchange that takes too long,
 * and answers a head that is bad or too slow itself. Everything runs in
 * the listener's thread, on the listener's epoll set, in which a
 * connection's tag is its slot, below HTTPGUARD_SLOTS. httpguard.c says
 * why the limits are what they are.
 */
#ifndef HTTPGUARD_H
#define HTTPGUARD_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

#define HTTPGUARD_PER_ADDRESS	32	/* connections from one address */
#define HTTPGUARD_CONNECTIONS	256	/* connections in all */
#define HTTPGUARD_LOCAL_SPARE	8	/* more for loopback clients */
#define HTTPGUARD_SLOTS \
	(HTTPGUARD_CONNECTIONS + HTTPGUARD_LOCAL_SPARE)
#define HTTPGUARD_HEAD_SECONDS	5	/* accept to the end of the head */
#define HTTPGUARD_REQUEST_SECONDS 10	/* accept to the end of the answer */

struct httpguard;
struct httpguard_conn;

/*
 * Make a guard for the connections of a listener whose libmicrohttpd is
 * daemon (started with MHD_USE_NO_LISTEN_SOCKET) and whose epoll set is
 * epfd. Free it with httpguard_free() after MHD_stop_daemon().
 */
struct httpguard *httpguard_new(struct MHD_Daemon *daemon, int epfd);

/*
 * Close the connections libmicrohttpd does not have and free g; NULL is a
 * no-op.
 */
void httpguard_free(struct httpguard *g);

/*
 * Take the connection fd just accepted from ss (len bytes of it): close
 * it at once if it is over the limits, else wait for its request head.
 */
void httpguard_admit(struct httpguard *g, int fd,
    const struct sockaddr_storage *ss, socklen_t len);

/* Act on events (epoll's) on the connection in slot (its tag). */
void httpguard_event(struct httpguard *g, uint64_t slot, uint32_t events);

/*
 * Act on the deadlines that have passed at now (monotonic ms): answer a
 * head that did not come in time with 408, cut off an exchange with
 * libmicrohttpd that did not end in time, close a lingering connection.
 */
void httpguard_deadlines(struct httpguard *g, int64_t now);

/*
 * Log how many connections were refused and cut off since the last such
 * log, if one is due at now; at most once a minute.
 */
void httpguard_summary(struct httpguard *g, int64_t now);

/* Return the sooner of next and g's next deadline or log (monotonic ms). */
int64_t httpguard_next(const struct httpguard *g, int64_t next);

/*
 * libmicrohttpd has taken the connection whose socket is fd: return it
 * (for httpguard_closed()), or NULL if it is not one of g's.
 */
struct httpguard_conn *httpguard_started(struct httpguard *g, int fd);

/* libmicrohttpd has closed connection c (NULL is a no-op). */
void httpguard_closed(struct httpguard *g, struct httpguard_conn *c);

/* Write the numeric text of address sa (or "unknown") into buf. */
void httpguard_addr_text(const struct sockaddr *sa, char *buf,
    size_t size);

#endif
