/*
 * sockwatch.c - a deadline on each step of a connection a library keeps
 *
 * libesmtp connects, reads and writes on a socket it does not hand out,
 * and bounds each read and each write, not a step: a server that sends a
 * line a second keeps one reply going for ever. A struct sockwatch finds
 * that socket when the library says it has connected, and a thread of its
 * own shuts the socket down (shutdown(2), both ways) once a step has gone
 * on longer than the time it was given: the library's read or write then
 * fails at once and it ends the session as after a lost connection. The
 * library's thread says when each step starts (sockwatch_step()) and
 * when nothing is awaited from the peer (sockwatch_rest()).
 *
 * Finding the socket: a new descriptor takes the lowest number free, so
 * the number that is lowest free when the watch is made, before the
 * library connects, is where its socket should be when it says it has
 * connected - a socket connected to the server's port there is taken
 * without listing anything. Several threads connect to the same server
 * at once, so the span between the two belongs to one watch at a time, a
 * lock for the whole process: no other watched connection can appear in
 * it. If another thread opened a descriptor meanwhile, the process's
 * sockets are listed (/proc/self/fd) and the library's is the TCP socket
 * connected to the server's port that no other watch holds (the sockets
 * watches hold are known by their inodes); if there is not exactly one,
 * nothing is shut down: the session keeps only the library's own
 * timeouts.
 *
 * The watch keeps a duplicate of the socket (F_DUPFD_CLOEXEC) and checks
 * that it is the same inode, so that what it shuts down is that socket
 * even after the library has closed its own descriptor, never another one
 * that reused the number; the duplicate is closed when the library
 * disconnects, under the same mutex as the shutdown.
 *
 * A step only moves the deadline; the thread is woken by it only when it
 * waits with no deadline at all. A thread waiting for an older deadline
 * wakes then, finds the step ended or the deadline moved on, and waits
 * again: so a session of many short steps wakes the thread about once a
 * step_ms, not at each command, which saved two context switches per
 * SMTP command.
 */
#include "build.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "sockwatch.h"
#include "xmalloc.h"

/* A socket, known by its inode. */
struct sockwatch_id {
	dev_t	dev;
	ino_t	ino;
};

struct sockwatch {
	int			 port;
	long			 step_ms;
	int			 locked;	/* holds sockwatch_lock */
	int			 guess;		/* lowest free, or -1 */
	struct sockwatch_id	 id;		/* of the socket, once found */

	pthread_t		 thread;
	int			 running;	/* thread started */
	pthread_mutex_t		 mtx;
	pthread_cond_t		 cond;

	/* Under mtx. */
	int			 fd;		/* the duplicate, or -1 */
	int			 armed;		/* a step is running */
	int			 idle;		/* the thread waits untimed */
	int64_t			 deadline;	/* its end, monotonic ms */
	int			 expired;
	int			 stop;
	char			 step[32];
};

/* Candidates for the library's socket, while they are looked for. */
struct sockwatch_find {
	int			 fd;
	struct sockwatch_id	 id;
	int			 n;
};

/* Held from sockwatch_new() to sockwatch_connected(). */
static pthread_mutex_t sockwatch_lock = PTHREAD_MUTEX_INITIALIZER;

/* The sockets the watches hold, under their own lock. */
static pthread_mutex_t		 sockwatch_held_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sockwatch_id	*sockwatch_held;
static size_t			 sockwatch_nheld;

/* Return the peer's port of a connected TCP socket, or -1. */
static int
sockwatch_port_of(int fd)
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

/* Call fn for the sockets of this process connected to port (-1: all). */
int
sockwatch_each(int port, void (*fn)(int, const struct stat *, void *),
    void *arg)
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
		if (port != -1 && sockwatch_port_of((int)fd) != port)
			continue;
		fn((int)fd, &sb, arg);
		n++;
	}
	closedir(d);
	return n;
}

/* Return the lowest descriptor number free now, or -1. */
static int
sockwatch_lowest(void)
{
	int	fd;

	if ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) != -1)
		close(fd);
	return fd;
}

/* Return where the watches hold socket id, or -1; sockwatch_held_lock held. */
static ssize_t
sockwatch_held_at(const struct sockwatch_id *id)
{
	size_t	i;

	for (i = 0; i < sockwatch_nheld; i++) {
		if (sockwatch_held[i].dev == id->dev &&
		    sockwatch_held[i].ino == id->ino)
			return (ssize_t)i;
	}
	return -1;
}

/* Say that w holds its socket, or (held 0) no longer does. */
static void
sockwatch_hold(struct sockwatch *w, int held)
{
	ssize_t	i;

	pthread_mutex_lock(&sockwatch_held_lock);
	if (held) {
		sockwatch_held = xreallocarray(sockwatch_held,
		    sockwatch_nheld + 1, sizeof *sockwatch_held);
		sockwatch_held[sockwatch_nheld++] = w->id;
	} else if ((i = sockwatch_held_at(&w->id)) != -1)
		sockwatch_held[i] = sockwatch_held[--sockwatch_nheld];
	pthread_mutex_unlock(&sockwatch_held_lock);
}

/* Keep a socket connected to the port that no watch holds. */
static void
sockwatch_candidate(int fd, const struct stat *sb, void *arg)
{
	struct sockwatch_find	*f = arg;
	struct sockwatch_id	 id;

	id.dev = sb->st_dev;
	id.ino = sb->st_ino;
	pthread_mutex_lock(&sockwatch_held_lock);
	if (sockwatch_held_at(&id) == -1) {
		f->fd = fd;
		f->id = id;
		f->n++;
	}
	pthread_mutex_unlock(&sockwatch_held_lock);
}

/* Return a duplicate of the library's socket, or -1 if not told apart. */
static int
sockwatch_find(struct sockwatch *w)
{
	struct sockwatch_find	f;
	struct stat		sb;
	int			fd;

	memset(&f, 0, sizeof f);
	if (w->guess != -1 && fstat(w->guess, &sb) == 0 &&
	    S_ISSOCK(sb.st_mode) && sockwatch_port_of(w->guess) == w->port) {
		f.fd = w->guess;
		f.id.dev = sb.st_dev;
		f.id.ino = sb.st_ino;
	} else if (sockwatch_each(w->port, sockwatch_candidate, &f) == -1 ||
	    f.n != 1)
		return -1;
	if ((fd = fcntl(f.fd, F_DUPFD_CLOEXEC, 3)) == -1)
		return -1;
	if (fstat(fd, &sb) != 0 || sb.st_dev != f.id.dev ||
	    sb.st_ino != f.id.ino) {
		close(fd);
		return -1;
	}
	w->id = f.id;
	sockwatch_hold(w, 1);
	return fd;
}

/* The watchdog: shut the socket down when a step runs out of time. */
static void *
sockwatch_main(void *arg)
{
	struct sockwatch	*w = arg;
	struct timespec		 ts;

	pthread_mutex_lock(&w->mtx);
	while (!w->stop) {
		if (!w->armed || w->fd == -1) {
			w->idle = 1;
			pthread_cond_wait(&w->cond, &w->mtx);
			w->idle = 0;
			continue;
		}
		if (clock_ms() >= w->deadline) {
			(void)shutdown(w->fd, SHUT_RDWR);
			w->expired = 1;
			w->armed = 0;
			continue;
		}
		clock_split(w->deadline, &ts);
		pthread_cond_timedwait(&w->cond, &w->mtx, &ts);
	}
	pthread_mutex_unlock(&w->mtx);
	return NULL;
}

/* Start the watchdog thread, with every signal blocked in it. */
static int
sockwatch_start(struct sockwatch *w)
{
	sigset_t	all, old;
	int		rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&w->thread, NULL, sockwatch_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return -1;
	(void)pthread_setname_np(w->thread, "sockwatch");
	w->running = 1;
	return 0;
}

/* Take the process's watch lock, waiting at most w's step time. */
static int
sockwatch_lock_take(struct sockwatch *w, char **cause)
{
	struct timespec	ts;

	clock_split(clock_ms() + w->step_ms, &ts);
	if (pthread_mutex_clocklock(&sockwatch_lock, CLOCK_MONOTONIC,
	    &ts) != 0) {
		if (cause != NULL) {
			*cause = xasprintf("another connection to port %d has "
			    "been under way for %ld s", w->port,
			    w->step_ms / 1000);
		}
		return -1;
	}
	w->locked = 1;
	return 0;
}

/* Make a watch, once no other watch is between new and connected. */
struct sockwatch *
sockwatch_new(int port, long step_ms, char **cause)
{
	struct sockwatch	*w;
	pthread_condattr_t	 attr;

	w = xcalloc(1, sizeof *w);
	w->port = port;
	w->step_ms = step_ms;
	w->fd = -1;
	pthread_mutex_init(&w->mtx, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &attr);
	pthread_condattr_destroy(&attr);
	if (sockwatch_lock_take(w, cause) != 0) {
		sockwatch_free(w);
		return NULL;
	}
	w->guess = sockwatch_lowest();
	return w;
}

/* Make w ready for the library's next connection, as sockwatch_new(). */
int
sockwatch_again(struct sockwatch *w, char **cause)
{
	sockwatch_end(w);
	if (sockwatch_lock_take(w, cause) != 0)
		return -1;
	pthread_mutex_lock(&w->mtx);
	w->expired = 0;
	w->step[0] = '\0';
	pthread_mutex_unlock(&w->mtx);
	w->guess = sockwatch_lowest();
	return 0;
}

/* Find the library's socket and start the first step. */
int
sockwatch_connected(struct sockwatch *w, const char *step)
{
	int	fd;

	fd = sockwatch_find(w);
	if (w->locked) {
		w->locked = 0;
		pthread_mutex_unlock(&sockwatch_lock);
	}
	if (fd == -1)
		return -1;
	if (!w->running && sockwatch_start(w) != 0) {
		close(fd);
		sockwatch_hold(w, 0);
		return -1;
	}
	pthread_mutex_lock(&w->mtx);
	w->fd = fd;
	if (w->expired)
		(void)shutdown(w->fd, SHUT_RDWR);
	pthread_mutex_unlock(&w->mtx);
	sockwatch_step(w, step);
	return 0;
}

/* Start a step: move the deadline, waking the thread only if idle. */
void
sockwatch_step(struct sockwatch *w, const char *step)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mtx);
	if (!w->expired) {
		w->armed = 1;
		w->deadline = clock_ms() + w->step_ms;
		snprintf(w->step, sizeof w->step, "%s", step);
		if (w->idle)
			pthread_cond_signal(&w->cond);
	}
	pthread_mutex_unlock(&w->mtx);
}

/* End the step: nothing is awaited. */
void
sockwatch_rest(struct sockwatch *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mtx);
	w->armed = 0;
	pthread_mutex_unlock(&w->mtx);
}

/* Say whether a step ran out of time, and which. */
int
sockwatch_expired(struct sockwatch *w, char *buf, size_t size)
{
	int	expired;

	if (w == NULL)
		return 0;
	pthread_mutex_lock(&w->mtx);
	if ((expired = w->expired) && size > 0)
		snprintf(buf, size, "%s", w->step);
	pthread_mutex_unlock(&w->mtx);
	return expired;
}

/* Close w's duplicate of the socket, no longer hold it, end the step. */
static void
sockwatch_close(struct sockwatch *w)
{
	pthread_mutex_lock(&w->mtx);
	if (w->fd != -1) {
		close(w->fd);
		w->fd = -1;
		sockwatch_hold(w, 0);
	}
	w->armed = 0;
	pthread_mutex_unlock(&w->mtx);
}

/* Forget the socket; guess again where the next connection's will be. */
void
sockwatch_disconnected(struct sockwatch *w)
{
	if (w == NULL)
		return;
	sockwatch_close(w);
	if (!w->locked && pthread_mutex_trylock(&sockwatch_lock) == 0)
		w->locked = 1;
	w->guess = sockwatch_lowest();
}

/* Return the duplicate of the library's socket w holds, or -1. */
int
sockwatch_fd(struct sockwatch *w)
{
	int	fd;

	if (w == NULL)
		return -1;
	pthread_mutex_lock(&w->mtx);
	fd = w->fd;
	pthread_mutex_unlock(&w->mtx);
	return fd;
}

/* Let go of the connection: its duplicate, its step, the lock. */
void
sockwatch_end(struct sockwatch *w)
{
	if (w == NULL)
		return;
	sockwatch_close(w);
	if (w->locked) {
		w->locked = 0;
		pthread_mutex_unlock(&sockwatch_lock);
	}
}

/* Stop the watchdog and free w. */
void
sockwatch_free(struct sockwatch *w)
{
	if (w == NULL)
		return;
	if (w->running) {
		pthread_mutex_lock(&w->mtx);
		w->stop = 1;
		pthread_cond_signal(&w->cond);
		pthread_mutex_unlock(&w->mtx);
		pthread_join(w->thread, NULL);
	}
	sockwatch_end(w);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->mtx);
	free(w);
}
