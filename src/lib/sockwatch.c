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
 * Finding the socket: the process's sockets (/proc/self/fd) are listed
 * when the watch is made, before the library connects, and again when it
 * says it has connected; its socket is the TCP socket connected to the
 * server's port that was not there the first time, if there is exactly
 * one (a socket is known by its inode). Several threads connect to the
 * same server at once, so the span between the two lists belongs to one
 * watch at a time, a lock for the whole process: no other watched
 * connection can appear in it. A connection of another kind to the same
 * port made meanwhile leaves two candidates, and then nothing is shut
 * down: the session keeps only the library's own timeouts.
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
	struct sockwatch_id	*before;	/* sockets at the last list */
	size_t			 nbefore;

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
	struct sockwatch	*w;
	int			 fd;
	struct sockwatch_id	 id;
	int			 n;
};

/* Held from sockwatch_new() to sockwatch_connected(). */
static pthread_mutex_t sockwatch_lock = PTHREAD_MUTEX_INITIALIZER;

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

/* Note one socket of the list taken before the library connects. */
static void
sockwatch_note(int fd, const struct stat *sb, void *arg)
{
	struct sockwatch	*w = arg;

	(void)fd;
	w->before = xreallocarray(w->before, w->nbefore + 1,
	    sizeof *w->before);
	w->before[w->nbefore].dev = sb->st_dev;
	w->before[w->nbefore].ino = sb->st_ino;
	w->nbefore++;
}

/* List the sockets there are before the library connects. */
static void
sockwatch_list(struct sockwatch *w)
{
	free(w->before);
	w->before = NULL;
	w->nbefore = 0;
	(void)sockwatch_each(-1, sockwatch_note, w);
}

/* Keep a socket connected to the port that was not in the list. */
static void
sockwatch_candidate(int fd, const struct stat *sb, void *arg)
{
	struct sockwatch_find	*f = arg;
	size_t			 i;

	for (i = 0; i < f->w->nbefore; i++) {
		if (f->w->before[i].dev == sb->st_dev &&
		    f->w->before[i].ino == sb->st_ino)
			return;
	}
	f->fd = fd;
	f->id.dev = sb->st_dev;
	f->id.ino = sb->st_ino;
	f->n++;
}

/* Return a duplicate of the library's socket, or -1 if not told apart. */
static int
sockwatch_find(struct sockwatch *w)
{
	struct sockwatch_find	f;
	struct stat		sb;
	int			fd;

	memset(&f, 0, sizeof f);
	f.w = w;
	if (sockwatch_each(w->port, sockwatch_candidate, &f) == -1 ||
	    f.n != 1)
		return -1;
	if ((fd = fcntl(f.fd, F_DUPFD_CLOEXEC, 3)) == -1)
		return -1;
	if (fstat(fd, &sb) != 0 || sb.st_dev != f.id.dev ||
	    sb.st_ino != f.id.ino) {
		close(fd);
		return -1;
	}
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

/* Make a watch, once no other watch is between new and connected. */
struct sockwatch *
sockwatch_new(int port, long step_ms, char **cause)
{
	struct sockwatch	*w;
	pthread_condattr_t	 attr;
	struct timespec		 ts;
	int			 rc;

	clock_split(clock_ms() + step_ms, &ts);
	rc = pthread_mutex_clocklock(&sockwatch_lock, CLOCK_MONOTONIC, &ts);
	if (rc != 0) {
		if (cause != NULL) {
			*cause = xasprintf("another connection to port %d has "
			    "been under way for %ld s", port, step_ms / 1000);
		}
		return NULL;
	}
	w = xcalloc(1, sizeof *w);
	w->port = port;
	w->step_ms = step_ms;
	w->locked = 1;
	w->fd = -1;
	pthread_mutex_init(&w->mtx, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &attr);
	pthread_condattr_destroy(&attr);
	sockwatch_list(w);
	return w;
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

/* Forget the socket; list the sockets again for the next connection. */
void
sockwatch_disconnected(struct sockwatch *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mtx);
	if (w->fd != -1)
		close(w->fd);
	w->fd = -1;
	w->armed = 0;
	pthread_mutex_unlock(&w->mtx);
	if (!w->locked && pthread_mutex_trylock(&sockwatch_lock) == 0)
		w->locked = 1;
	sockwatch_list(w);
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
	if (w->fd != -1)
		close(w->fd);
	if (w->locked)
		pthread_mutex_unlock(&sockwatch_lock);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->mtx);
	free(w->before);
	free(w);
}
