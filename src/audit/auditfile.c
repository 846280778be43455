/*
 * auditfile.c - the audit trail appended to a JSON Lines file
 *
 * The writer's loop: read up to 1,000 entries after the cursor (XREAD,
 * blocking until some come, or until a stop or a reopen says so through
 * a pipe: an idle writer does not wake), turn each into one line
 * (audit_json()), append them with one write(2) to the end of the file,
 * fdatasync it (audit.fsync), then move the cursor. If any of that fails part way,
 * the file is cut back to where it was, so it never holds half a line,
 * and the same entries are tried again five seconds later (once a stop
 * is asked for, a second later, until the stop's deadline). The first
 * failure and then one a minute are logged as errors, and the recovery
 * once. When the cursor is older than the oldest entry Redis still has
 * (the file fell behind by more than audit.retain_days), the gap is
 * logged as an error.
 */
#include "build.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "auditfile.h"
#include "config.h"
#include "generation.h"
#include "log.h"
#include "clock.h"
#include "redis.h"
#include "redisconn.h"
#include "xmalloc.h"

/* Entries read and written at once. */
#define AUDITFILE_BATCH		1000
/* How long to wait after a failure, and between reports of one (ms). */
#define AUDITFILE_RETRY_MS	5000
#define AUDITFILE_REPORT_MS	60000
/* How long to wait after a failure once stopping (ms). */
#define AUDITFILE_STOP_RETRY_MS	1000

struct auditfile {
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	struct generation	*gen;		/* under lock */
	int			 reopen;	/* under lock */
	int			 stopping;	/* under lock */
	int64_t			 deadline;	/* under lock, monotonic ms */

	int			 wake[2];	/* a pipe: stop or reopen */

	/* The writer thread's own. */
	struct redis		*r;
	int			 fd;
	char			 cursor[64];	/* "" until read from Redis */
	int64_t			 failing;	/* since (ms), or 0 */
	int64_t			 reported;	/* last report (ms) */
};

/* Return the key of this daemon's cursor; the caller frees it. */
static char *
auditfile_cursor_key(const struct config *cf)
{
	return xasprintf("%saudit:file:%s", cf->redis_prefix,
	    cf->redis_consumer);
}

/* Close the file. */
static void
auditfile_close(struct auditfile *af)
{
	if (af->fd != -1)
		close(af->fd);
	af->fd = -1;
}

/*
 * Cut off a last line left half written: a writer killed in the middle
 * of its write(2) (the kernel stops a write to a file between pages for
 * SIGKILL) leaves one, and its entries come again, since its cursor was
 * not moved. Returns 0, or -1 with errno.
 */
static int
auditfile_mend(int fd, const char *path)
{
	struct stat	sb;
	char		buf[4096];
	off_t		end, at;
	ssize_t		n, i;

	if (fstat(fd, &sb) != 0)
		return -1;
	if (!S_ISREG(sb.st_mode) || (end = sb.st_size) == 0)
		return 0;	/* a pipe, a device: nothing to mend */
	for (at = end; at > 0; at -= n) {
		n = at < (off_t)sizeof buf ? (ssize_t)at : (ssize_t)sizeof buf;
		if (pread(fd, buf, (size_t)n, at - n) != n)
			return -1;
		for (i = n; i > 0; i--) {
			if (buf[i - 1] != '\n')
				continue;
			if (at - n + i == end)
				return 0;	/* whole lines */
			log_warn("audit.file %s: cut off %lld bytes of a line "
			    "a stopped writer left half written; its entries "
			    "are written again", path,
			    (long long)(end - (at - n + i)));
			return ftruncate(fd, at - n + i);
		}
	}
	log_warn("audit.file %s: cut off %lld bytes of a line a stopped "
	    "writer left half written", path, (long long)end);
	return ftruncate(fd, 0);
}

/* Open the file for appending, if it is not open. */
static int
auditfile_open(struct auditfile *af, const char *path, char **cause)
{
	if (af->fd != -1)
		return 0;
	af->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (af->fd == -1 || auditfile_mend(af->fd, path) != 0) {
		*cause = xasprintf("cannot open %s: %s", path,
		    strerror(errno));
		auditfile_close(af);
		return -1;
	}
	return 0;
}

/*
 * Append len bytes of buf to the file and sync it; on failure cut the
 * file back, close it and set *cause. Returns 0 or -1.
 */
static int
auditfile_append(struct auditfile *af, const struct config *cf,
    const char *buf, size_t len, char **cause)
{
	off_t	 off;
	ssize_t	 n;
	size_t	 done = 0;
	int	 saved;

	if (auditfile_open(af, cf->audit_file, cause) != 0)
		return -1;
	off = lseek(af->fd, 0, SEEK_END);
	while (done < len) {
		n = write(af->fd, buf + done, len - done);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0)
			errno = ENOSPC;
		if (n <= 0)
			goto fail;
		done += (size_t)n;
	}
	if (cf->audit_fsync && fdatasync(af->fd) != 0 && errno != EINVAL)
		goto fail;
	return 0;
fail:
	saved = errno;
	if (off != (off_t)-1 && ftruncate(af->fd, off) != 0)
		log_debug("audit.file: cannot cut %s back: %s", cf->audit_file,
		    strerror(errno));
	auditfile_close(af);
	*cause = xasprintf("cannot write %s: %s", cf->audit_file,
	    strerror(saved));
	return -1;
}

/* Return the ms part of a stream id. */
static int64_t
auditfile_id_ms(const char *id)
{
	return strtoll(id, NULL, 10);
}

/* Read the cursor, and say if entries after it are gone already. */
static int
auditfile_cursor(struct auditfile *af, const struct config *cf,
    char **cause)
{
	struct redis_reply	*reply, *first;
	char			*key, *all;

	key = auditfile_cursor_key(cf);
	reply = redis_command(af->r, cause, "GET %s", key);
	free(key);
	if (reply == NULL)
		return -1;
	snprintf(af->cursor, sizeof af->cursor, "%s",
	    reply->type == REDIS_TYPE_STRING ? reply->str : "0-0");
	redis_reply_free(reply);
	all = audit_all_key(cf);
	reply = redis_command(af->r, cause, "XRANGE %s - + COUNT 1", all);
	free(all);
	if (reply == NULL)
		return -1;
	if (reply->type == REDIS_TYPE_ARRAY && reply->elements == 1 &&
	    strcmp(af->cursor, "0-0") != 0) {
		first = reply->element[0]->element[0];
		if (first->str != NULL && auditfile_id_ms(first->str) >
		    auditfile_id_ms(af->cursor) + 1)
			log_err("audit.file %s: entries after %s expired from "
			    "Redis (audit.retain_days) before they were "
			    "written; the file resumes at %s", cf->audit_file,
			    af->cursor, first->str);
	}
	redis_reply_free(reply);
	return 0;
}

/*
 * Read the entries after the cursor: at once, or (block) with a read
 * that waits however long it takes, beside the pipe by which a stop or a
 * reopen ends the wait - the connection, its read still under way, is
 * then dropped (af->r NULL) and NULL returned without a cause.
 */
static struct redis_reply *
auditfile_fetch(struct auditfile *af, const struct config *cf, int block,
    char **cause)
{
	struct redis_reply	*reply = NULL;
	struct pollfd		 pfd[2];
	const char		*argv[8];
	char			*all, count[16], drain[16];
	int			 argc = 0, rc = 0;

	all = audit_all_key(cf);
	snprintf(count, sizeof count, "%d", AUDITFILE_BATCH);
	argv[argc++] = "XREAD";
	argv[argc++] = "COUNT";
	argv[argc++] = count;
	if (block) {
		argv[argc++] = "BLOCK";
		argv[argc++] = "0";
	}
	argv[argc++] = "STREAMS";
	argv[argc++] = all;
	argv[argc++] = af->cursor;
	if (!block) {
		reply = redis_command_argv(af->r, cause, argc, argv, NULL);
		free(all);
		return reply;
	}
	rc = redis_send_argv(af->r, cause, argc, argv, NULL);
	free(all);
	pfd[0].fd = redis_fd(af->r);
	pfd[1].fd = af->wake[0];
	pfd[0].events = pfd[1].events = POLLIN;
	while (rc == 0) {
		if (poll(pfd, 2, -1) == -1)
			continue;	/* a signal: every one is blocked here */
		if (pfd[1].revents != 0) {
			while (read(af->wake[0], drain, sizeof drain) > 0)
				;
			redis_free(af->r);
			af->r = NULL;
			return NULL;
		}
		rc = redis_receive(af->r, &reply, cause);
	}
	return rc > 0 ? reply : NULL;
}

/*
 * Read the entries after the cursor into one buffer of lines, setting
 * *last to the last id. Returns how many (0 if none came within block
 * ms; block 0 does not wait), or -1 with *cause.
 */
static int
auditfile_read(struct auditfile *af, const struct config *cf, int block,
    char **buf, size_t *len, char *last, size_t lastsize, char **cause)
{
	struct redis_reply	*reply, *entries, *e;
	char			*line;
	size_t			 i, n = 0, size = 0;

	*buf = NULL;
	*len = 0;
	if ((reply = auditfile_fetch(af, cf, 0, cause)) == NULL)
		return -1;
	if (block && reply->type == REDIS_TYPE_NIL) {
		/* Nothing yet: wait however long, unless told to stop. */
		redis_reply_free(reply);
		if ((reply = auditfile_fetch(af, cf, 1, cause)) == NULL)
			return af->r != NULL ? -1 : 0;
	}
	if (reply->type != REDIS_TYPE_ARRAY || reply->elements != 1) {
		redis_reply_free(reply);
		return 0;
	}
	entries = reply->element[0]->elements == 2 ?
	    reply->element[0]->element[1] : NULL;
	for (i = 0; entries != NULL && i < entries->elements; i++) {
		e = entries->element[i];
		if (e->elements != 2 || e->element[0]->str == NULL)
			continue;
		snprintf(last, lastsize, "%s", e->element[0]->str);
		if (e->element[1]->type != REDIS_TYPE_ARRAY)
			continue;
		line = audit_json(e->element[0]->str, e->element[1]);
		n = strlen(line);
		if (*len + n + 1 > size) {
			size = 2 * (*len + n + 1);
			*buf = xreallocarray(*buf, size, 1);
		}
		memcpy(*buf + *len, line, n);
		(*buf)[*len + n] = '\n';
		*len += n + 1;
		free(line);
	}
	n = entries != NULL ? entries->elements : 0;
	redis_reply_free(reply);
	return (int)n;
}

/* Report a failure: the first, then one a minute. */
static void
auditfile_failed(struct auditfile *af, const struct config *cf,
    const char *cause)
{
	int64_t	now = clock_now();
	char	after[80] = "";

	if (af->failing == 0)
		af->failing = now;
	if (af->reported != 0 && now - af->reported < AUDITFILE_REPORT_MS)
		return;
	af->reported = now;
	/* The cursor is "" until it could be read from Redis. */
	if (af->cursor[0] != '\0')
		snprintf(after, sizeof after, " (after %s)", af->cursor);
	log_err("audit.file %s: %s; the entries not written yet%s wait in "
	    "Redis and are tried again every %d s", cf->audit_file, cause,
	    after, AUDITFILE_RETRY_MS / 1000);
}

/*
 * Wait up to ms for a stop or a reopen; once stopping, a second at most
 * and no later than the deadline.
 */
static void
auditfile_pause(struct auditfile *af, int64_t ms)
{
	struct timespec	ts;
	int64_t		left;

	pthread_mutex_lock(&af->lock);
	if (af->stopping) {
		left = af->deadline - clock_ms();
		if (ms > AUDITFILE_STOP_RETRY_MS)
			ms = AUDITFILE_STOP_RETRY_MS;
		if (left < ms)
			ms = left > 0 ? left : 0;
	}
	clock_after(CLOCK_REALTIME, ms, &ts);
	if (ms > 0 && !af->reopen)
		pthread_cond_timedwait(&af->cond, &af->lock, &ts);
	pthread_mutex_unlock(&af->lock);
}

/* Close the file if a reopen was asked for (SIGHUP), so the next write
 * opens the configured path afresh. */
static void
auditfile_reopen(struct auditfile *af)
{
	pthread_mutex_lock(&af->lock);
	if (af->reopen) {
		auditfile_close(af);
		af->reopen = 0;
	}
	pthread_mutex_unlock(&af->lock);
}

/*
 * Do one round: connect, read, write, move the cursor. Returns 1 if
 * there may be more to write, 0 if caught up, -1 after a failure.
 */
static int
auditfile_round(struct auditfile *af, const struct config *cf, int stopping)
{
	struct redis_reply	*reply;
	char			*buf = NULL, *key, *cause = NULL, last[64] = "";
	size_t			 len;
	int			 n, reopen;

	if (af->r == NULL && (af->r = redisconn_open(cf, &cause)) == NULL)
		goto fail;
	if (af->cursor[0] == '\0' && auditfile_cursor(af, cf, &cause) != 0)
		goto drop;
	n = auditfile_read(af, cf, !stopping, &buf, &len, last,
	    sizeof last, &cause);
	if (n < 0)
		goto drop;
	if (n == 0) {
		free(buf);
		return 0;
	}
	/*
	 * A SIGHUP may have come while the read was blocked: read again
	 * under the new generation, into the file it names.
	 */
	pthread_mutex_lock(&af->lock);
	reopen = af->reopen;
	pthread_mutex_unlock(&af->lock);
	if (reopen) {
		free(buf);
		return 1;
	}
	if (auditfile_append(af, cf, buf, len, &cause) != 0) {
		free(buf);
		goto fail;
	}
	free(buf);
	key = auditfile_cursor_key(cf);
	reply = redis_command(af->r, &cause, "SET %s %s", key, last);
	free(key);
	if (reply != NULL && reply->type == REDIS_TYPE_ERROR) {
		cause = xasprintf("cannot move the cursor: %s", reply->str);
		redis_reply_free(reply);
		goto drop;
	}
	if (reply == NULL)
		goto drop;
	redis_reply_free(reply);
	snprintf(af->cursor, sizeof af->cursor, "%s", last);
	if (af->failing != 0) {
		log_notice("audit.file %s: written again after %lld s",
		    cf->audit_file,
		    (long long)((clock_now() - af->failing) / 1000));
		af->failing = af->reported = 0;
	}
	return 1;
drop:
	auditfile_failed(af, cf, cause != NULL ? cause : "failed");
	redis_free(af->r);
	af->r = NULL;
	af->cursor[0] = '\0';
	free(cause);
	return -1;
fail:
	auditfile_failed(af, cf, cause != NULL ? cause : "failed");
	free(cause);
	return -1;
}

/* The writer thread. */
static void *
auditfile_main(void *arg)
{
	struct auditfile	*af = arg;
	struct generation	*g;
	int			 stopping, rc;
	int64_t			 deadline;

	for (;;) {
		auditfile_reopen(af);
		pthread_mutex_lock(&af->lock);
		stopping = af->stopping;
		deadline = af->deadline;
		g = generation_hold(af->gen);
		pthread_mutex_unlock(&af->lock);
		if (stopping && clock_ms() >= deadline) {
			generation_drop(g);
			break;
		}
		rc = auditfile_round(af, g->cf, stopping);
		generation_drop(g);
		if (rc == 0 && stopping)
			break;
		if (rc < 0)
			auditfile_pause(af, AUDITFILE_RETRY_MS);
	}
	return NULL;
}

/* Start appending to the file. */
struct auditfile *
auditfile_start(struct generation *g, char **cause)
{
	struct auditfile	*af;

	af = xcalloc(1, sizeof *af);
	af->fd = -1;
	if (auditfile_open(af, g->cf->audit_file, cause) != 0) {
		free(af);
		return NULL;
	}
	if (pipe2(af->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
		*cause = xasprintf("cannot start the audit.file writer: %s",
		    strerror(errno));
		auditfile_close(af);
		free(af);
		return NULL;
	}
	pthread_mutex_init(&af->lock, NULL);
	pthread_cond_init(&af->cond, NULL);
	af->gen = generation_hold(g);
	if (pthread_create(&af->thread, NULL, auditfile_main, af) != 0) {
		*cause = xasprintf("cannot start the audit.file writer: %s",
		    strerror(errno));
		auditfile_close(af);
		generation_drop(af->gen);
		pthread_cond_destroy(&af->cond);
		pthread_mutex_destroy(&af->lock);
		close(af->wake[0]);
		close(af->wake[1]);
		free(af);
		return NULL;
	}
	(void)pthread_setname_np(af->thread, "auditfile");
	return af;
}

/* End the writer's wait for entries, if it is in one. */
static void
auditfile_wake(struct auditfile *af)
{
	if (write(af->wake[1], "w", 1) == -1)
		return;	/* full: a wake-up is pending already */
}

/* Use a new generation and reopen the file. */
void
auditfile_swap(struct auditfile *af, struct generation *g)
{
	struct generation	*old;

	if (af == NULL)
		return;
	pthread_mutex_lock(&af->lock);
	old = af->gen;
	af->gen = generation_hold(g);
	af->reopen = 1;
	pthread_cond_signal(&af->cond);
	pthread_mutex_unlock(&af->lock);
	auditfile_wake(af);
	generation_drop(old);
}

/* Write what is left, then stop and free the writer. */
void
auditfile_stop(struct auditfile *af, int64_t deadline_ms)
{
	if (af == NULL)
		return;
	pthread_mutex_lock(&af->lock);
	af->stopping = 1;
	af->deadline = deadline_ms;
	pthread_cond_signal(&af->cond);
	pthread_mutex_unlock(&af->lock);
	auditfile_wake(af);
	pthread_join(af->thread, NULL);
	close(af->wake[0]);
	close(af->wake[1]);
	auditfile_close(af);
	redis_free(af->r);
	generation_drop(af->gen);
	pthread_cond_destroy(&af->cond);
	pthread_mutex_destroy(&af->lock);
	free(af);
}
