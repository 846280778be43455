/*
 * test_auditfile.c - unit tests for the JSON Lines audit file (auditfile.c)
 *
 * Runs against a private redis-server: decisions are written the way a
 * step writes them (decision_add(), audit_queue() in a transaction), the
 * writer thread appends them to audit.file, and the file is read back
 * with jansson as a records officer would read it: one object per line,
 * every entry of the stream of every SR exactly once and in its order,
 * never half a line - across a restart, a full disk, a write cut short,
 * a rotation and a stop.
 */
#include "build.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "audit.h"
#include "auditfile.h"
#include "config.h"
#include "decision.h"
#include "generation.h"
#include "log.h"
#include "clock.h"
#include "redis.h"
#include "redisconn.h"
#include "store.h"
#include "testredis.h"
#include "testserver.h"
#include "txn.h"
#include "xmalloc.h"

/* How long to wait for the writer thread (ms). */
#define WAIT_MS		15000
#define CURSOR		"closeloop:audit:file:cl-test"

/* A text with what JSON must escape, and more than ASCII. */
#define TEXT		"Ville de Toronto : demande 2026-7 \"réglée\".\n" \
			"Réponse : STOP\\ARRÊT"

static struct testserver ts;

/* One test's generation and connection. */
struct test_af {
	struct generation	*g;
	struct redis		*r;
	char			*path;
};

/* An entry of the stream of every SR, as Redis holds it. */
struct test_af_entry {
	char	*id;
	char	*sr;
	char	*decision;
	int64_t	 at;
};

/* Load a configuration with audit.file at path (allocated). */
static struct config *
test_af_config(const char *path)
{
	struct config	*cf;
	char		*extra;

	extra = xasprintf("audit = { file = \"%s\"; };", path);
	cf = testserver_config(&ts, "consumer = \"cl-test\";", extra);
	free(extra);
	return cf;
}

/* Empty the server and make a generation writing to file name. */
static void
test_af_open(struct test_af *t, const char *name)
{
	t->path = xasprintf("%s/%s", ts.dir, name);
	unlink(t->path);
	t->g = generation_new(test_af_config(t->path), NULL);
	t->r = testredis_open(t->g->cf);
}

/* Free what test_af_open() made. */
static void
test_af_close(struct test_af *t)
{
	redis_free(t->r);
	generation_drop(t->g);
	free(t->path);
}

/* Start the writer, failing the test if it cannot. */
static struct auditfile *
test_af_start(struct test_af *t)
{
	struct auditfile	*af;
	char			*cause = NULL;

	if ((af = auditfile_start(t->g, &cause)) == NULL)
		fail_msg("auditfile_start: %s", cause);
	return af;
}

/* Write n decisions about sr in one transaction, as a step does. */
static void
test_af_write(struct test_af *t, const char *sr, size_t n)
{
	struct decision_list	 dl = { NULL, 0 };
	struct decision		*d;
	struct txn		 tx;
	char			*cause = NULL;
	size_t			 i;

	for (i = 0; i < n; i++) {
		if (i % 2 == 0) {
			d = decision_add(&dl, DECISION_QUEUED, NULL,
			    VOCAB_NOTICE_COMPLETED, "TS", "e1 e2", "completed "
			    "queued as %s/3 for 2 contacts", sr);
			d->recipients = 2;
			continue;
		}
		d = decision_add(&dl, DECISION_SENT, NULL,
		    VOCAB_NOTICE_COMPLETED, "TS", "e1 e2",
		    "sms to +1416***0100 accepted");
		decision_set(d, "channel", "sms");
		decision_set(d, "to", "+1416***0100");
		decision_set(d, "locale", "fr");
		decision_set(d, "sms", TEXT);
	}
	txn_begin(&tx, t->r);
	audit_queue(&tx, t->g->cf, sr, &dl, clock_now());
	assert_int_equal(txn_exec(&tx, sr, &cause), 1);
	decision_clear(&dl);
}

/* Read the stream of every SR; returns the entries, sets *n. */
static struct test_af_entry *
test_af_entries(struct test_af *t, size_t *n)
{
	struct test_af_entry	*e;
	struct redis_reply	*reply, *f;
	size_t			 i;

	reply = redis_command(t->r, NULL, "XRANGE closeloop:audit - +");
	assert_non_null(reply);
	assert_int_equal(reply->type, REDIS_TYPE_ARRAY);
	*n = reply->elements;
	e = xcalloc(*n + 1, sizeof *e);
	for (i = 0; i < *n; i++) {
		f = reply->element[i]->element[1];
		e[i].id = xstrdup(reply->element[i]->element[0]->str);
		e[i].sr = xstrdup(redis_reply_field(f, "sr"));
		e[i].decision = xstrdup(redis_reply_field(f, "decision"));
		e[i].at = strtoll(redis_reply_field(f, "at"), NULL, 10);
	}
	redis_reply_free(reply);
	return e;
}

/* Free entries. */
static void
test_af_entries_free(struct test_af_entry *e, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(e[i].id);
		free(e[i].sr);
		free(e[i].decision);
	}
	free(e);
}

/* Return the file's contents (allocated; "" if missing), *len set. */
static char *
test_af_slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf;
	long	 size;

	*len = 0;
	if ((f = fopen(path, "r")) == NULL)
		return xstrdup("");
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	rewind(f);
	buf = xmalloc((size_t)size + 1);
	*len = fread(buf, 1, (size_t)size, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* Return how many complete lines the file holds. */
static size_t
test_af_count(const char *path)
{
	char	*buf, *p;
	size_t	 len, n = 0;

	buf = test_af_slurp(path, &len);
	for (p = buf; (p = memchr(p, '\n', len - (p - buf))) != NULL; p++)
		n++;
	free(buf);
	return n;
}

/* Wait up to WAIT_MS for the file to hold want lines; return how many. */
static size_t
test_af_wait(const char *path, size_t want)
{
	size_t	n = 0;
	int	i;

	for (i = 0; i < WAIT_MS / 20; i++) {
		if ((n = test_af_count(path)) >= want)
			break;
		usleep(20000);
	}
	return n;
}

/* Return the cursor (allocated), or NULL if there is none. */
static char *
test_af_cursor(struct test_af *t)
{
	struct redis_reply	*reply;
	char			*v;

	reply = redis_command(t->r, NULL, "GET " CURSOR);
	assert_non_null(reply);
	v = reply->type == REDIS_TYPE_STRING ? xstrdup(reply->str) : NULL;
	redis_reply_free(reply);
	return v;
}

/* Wait up to WAIT_MS for the cursor to reach id. */
static void
test_af_wait_cursor(struct test_af *t, const char *id)
{
	char	*v = NULL;
	int	 i;

	for (i = 0; i < WAIT_MS / 20; i++) {
		free(v);
		if ((v = test_af_cursor(t)) != NULL && strcmp(v, id) == 0)
			break;
		usleep(20000);
	}
	assert_non_null(v);
	assert_string_equal(v, id);
	free(v);
}

/* Assert the ts member is ISO 8601 in UTC with ms and says at. */
static void
test_af_ts(const char *stamp, int64_t at)
{
	static const char	*shape = "dddd-dd-ddTdd:dd:dd.dddZ";
	char			 want[32];
	size_t			 i;

	assert_int_equal(strlen(stamp), strlen(shape));
	for (i = 0; shape[i] != '\0'; i++) {
		if (shape[i] == 'd')
			assert_true(stamp[i] >= '0' && stamp[i] <= '9');
		else
			assert_int_equal(stamp[i], shape[i]);
	}
	clock_rfc3339(at, want);
	assert_string_equal(stamp, want);
}

/* Assert one line of the file is entry e, as JSON. */
static void
test_af_line(const char *line, size_t len, const struct test_af_entry *e)
{
	json_t		*o, *ids;
	json_error_t	 err;

	o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err);
	if (o == NULL)
		fail_msg("not JSON: %.*s: %s", (int)len, line, err.text);
	assert_true(json_is_object(o));
	assert_string_equal(json_string_value(json_object_get(o, "id")), e->id);
	assert_string_equal(json_string_value(json_object_get(o, "sr")), e->sr);
	assert_string_equal(json_string_value(json_object_get(o, "decision")),
	    e->decision);
	test_af_ts(json_string_value(json_object_get(o, "ts")), e->at);
	assert_string_equal(json_string_value(json_object_get(o, "notice")),
	    "completed");
	ids = json_object_get(o, "event_ids");
	assert_true(json_is_array(ids));
	assert_int_equal(json_array_size(ids), 2);
	assert_string_equal(json_string_value(json_array_get(ids, 1)), "e2");
	assert_null(json_object_get(o, "events"));
	assert_null(json_object_get(o, "at"));
	if (strcmp(e->decision, "queued") == 0)
		assert_int_equal(json_integer_value(json_object_get(o,
		    "recipients")), 2);
	else {
		assert_string_equal(json_string_value(json_object_get(o,
		    "sms")), TEXT);
		assert_string_equal(json_string_value(json_object_get(o,
		    "to")), "+1416***0100");
	}
	json_decref(o);
}

/*
 * Assert the file holds exactly entries e[from..from+n), one whole line
 * each, in order.
 */
static void
test_af_check(const char *path, const struct test_af_entry *e, size_t from,
    size_t n)
{
	char	*buf, *p, *nl;
	size_t	 len, i = 0;

	buf = test_af_slurp(path, &len);
	if (len > 0)
		assert_int_equal(buf[len - 1], '\n');
	for (p = buf; p < buf + len; p = nl + 1) {
		nl = memchr(p, '\n', len - (p - buf));
		assert_non_null(nl);
		assert_true(i < n);
		test_af_line(p, nl - p, &e[from + i]);
		i++;
	}
	assert_int_equal(i, n);
	free(buf);
}

/*
 * Wait until the file holds the trail's entries, want of them, and the
 * cursor is at the last; check the file against the trail.
 */
static void
test_af_caught_up(struct test_af *t, size_t want)
{
	struct test_af_entry	*e;
	size_t			 n;

	e = test_af_entries(t, &n);
	assert_int_equal(n, want);
	assert_int_equal(test_af_wait(t->path, want), want);
	test_af_wait_cursor(t, e[want - 1].id);
	test_af_check(t->path, e, 0, want);
	test_af_entries_free(e, n);
}

/* Every entry is one JSON line, in stream order; the cursor follows. */
static void
test_lines(void **state)
{
	struct test_af		 t;
	struct auditfile	*af;
	struct test_af_entry	*e;
	size_t			 n;

	(void)state;
	test_af_open(&t, "lines.jsonl");
	af = test_af_start(&t);
	test_af_write(&t, "2026-7", 2);
	test_af_write(&t, "2026-8", 1);
	test_af_write(&t, "2026-7", 2);
	e = test_af_entries(&t, &n);
	assert_int_equal(n, 5);
	assert_int_equal(test_af_wait(t.path, 5), 5);
	test_af_wait_cursor(&t, e[4].id);
	test_af_check(t.path, e, 0, 5);
	auditfile_stop(af, clock_ms() + WAIT_MS);
	test_af_check(t.path, e, 0, 5);
	test_af_entries_free(e, n);
	test_af_close(&t);
}

/* A restart continues after the cursor: nothing twice, nothing lost. */
static void
test_restart(void **state)
{
	struct test_af		 t;
	struct auditfile	*af;

	(void)state;
	test_af_open(&t, "restart.jsonl");
	af = test_af_start(&t);
	test_af_write(&t, "2026-7", 3);
	assert_int_equal(test_af_wait(t.path, 3), 3);
	auditfile_stop(af, clock_ms() + WAIT_MS);
	/* Written while closeloopd was down. */
	test_af_write(&t, "2026-8", 2);
	af = test_af_start(&t);
	test_af_write(&t, "2026-7", 1);
	test_af_caught_up(&t, 6);
	auditfile_stop(af, clock_ms() + WAIT_MS);
	test_af_close(&t);
}

/*
 * A writer killed in the middle of its write leaves half a line and its
 * cursor where it was: the next start cuts the half line off and writes
 * its entries again, whole.
 */
static void
test_torn(void **state)
{
	struct test_af		 t;
	struct auditfile	*af;
	FILE			*f;

	(void)state;
	test_af_open(&t, "torn.jsonl");
	af = test_af_start(&t);
	test_af_write(&t, "2026-7", 2);
	assert_int_equal(test_af_wait(t.path, 2), 2);
	auditfile_stop(af, clock_ms() + WAIT_MS);
	test_af_write(&t, "2026-8", 2);
	f = fopen(t.path, "a");
	assert_non_null(f);
	fputs("{\"id\":\"1-0\",\"sr\":\"2026-8\",\"kin", f);
	fclose(f);
	af = test_af_start(&t);
	test_af_caught_up(&t, 4);
	auditfile_stop(af, clock_ms() + WAIT_MS);
	test_af_close(&t);
}

/*
 * Give the disk room again: the file, a link to /dev/full, is replaced by
 * an empty regular file.
 */
static void
test_af_room(struct test_af *t)
{
	int	fd;

	assert_int_equal(unlink(t->path), 0);
	fd = open(t->path, O_WRONLY | O_CREAT | O_EXCL, 0640);
	assert_true(fd >= 0);
	close(fd);
}

/* A full disk holds entries back until it has room; none is lost. */
static void
test_full(void **state)
{
	struct test_af		 t;
	struct auditfile	*af;
	struct test_af_entry	*e;
	char			*v;
	size_t			 n;

	(void)state;
	test_af_open(&t, "full.jsonl");
	assert_int_equal(symlink("/dev/full", t.path), 0);
	af = test_af_start(&t);
	test_af_write(&t, "2026-7", 3);
	sleep(1);
	v = test_af_cursor(&t);
	assert_null(v);
	/* The disk has room again (the file is a regular one). */
	test_af_room(&t);
	test_af_write(&t, "2026-8", 1);
	e = test_af_entries(&t, &n);
	assert_int_equal(test_af_wait(t.path, 4), 4);
	test_af_wait_cursor(&t, e[3].id);
	test_af_check(t.path, e, 0, 4);
	test_af_entries_free(e, n);
	test_af_write(&t, "2026-8", 1);
	e = test_af_entries(&t, &n);
	assert_int_equal(test_af_wait(t.path, 5), 5);
	test_af_wait_cursor(&t, e[4].id);
	test_af_check(t.path, e, 0, 5);
	auditfile_stop(af, clock_ms() + WAIT_MS);
	test_af_entries_free(e, n);
	test_af_close(&t);
}

/* Return the CPU time this program has used, in ms. */
static int64_t
test_af_cpu(void)
{
	struct rusage	ru;

	assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
	return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

/*
 * A stop while the disk is full tries until the deadline without
 * spinning, and leaves the entries for the next start.
 */
static void
test_stop_full(void **state)
{
	struct test_af		 t;
	struct auditfile	*af;
	struct test_af_entry	*e;
	char			*v;
	size_t			 n;
	int64_t			 started, took, cpu;

	(void)state;
	test_af_open(&t, "stopfull.jsonl");
	assert_int_equal(symlink("/dev/full", t.path), 0);
	af = test_af_start(&t);
	test_af_write(&t, "2026-7", 2);
	cpu = test_af_cpu();
	started = clock_ms();
	auditfile_stop(af, started + 2000);
	took = clock_ms() - started;
	cpu = test_af_cpu() - cpu;
	assert_true(took >= 1500 && took < 4000);
	v = test_af_cursor(&t);
	assert_null(v);

	/* Room again: the next start writes them, once each. */
	test_af_room(&t);
	af = test_af_start(&t);
	e = test_af_entries(&t, &n);
	assert_int_equal(test_af_wait(t.path, 2), 2);
	test_af_wait_cursor(&t, e[1].id);
	auditfile_stop(af, clock_ms() + WAIT_MS);
	test_af_check(t.path, e, 0, 2);
	test_af_entries_free(e, n);
	test_af_close(&t);
	/* Waiting for the deadline is not retrying as fast as it can. */
	if (cpu > took / 4)
		fail_msg("the stop used %lld ms of CPU in %lld ms",
		    (long long)cpu, (long long)took);
}

/* A write cut short part way is cut back: never half a line. */
static void
test_partial(void **state)
{
	struct test_af		 t;
	struct auditfile	*af;
	struct test_af_entry	*e;
	struct rlimit		 rl, limited;
	struct stat		 sb;
	off_t			 size;
	size_t			 n;
	int			 i, grown = 0;

	(void)state;
	test_af_open(&t, "partial.jsonl");
	af = test_af_start(&t);
	/* Enough already written that this program's own logs fit. */
	test_af_write(&t, "2026-7", 400);
	assert_int_equal(test_af_wait(t.path, 400), 400);
	e = test_af_entries(&t, &n);
	test_af_wait_cursor(&t, e[399].id);
	test_af_entries_free(e, n);
	assert_int_equal(stat(t.path, &sb), 0);
	size = sb.st_size;

	/* The file may grow by 100 bytes only: a write stops part way. */
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &rl), 0);
	limited = rl;
	limited.rlim_cur = (rlim_t)size + 100;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &limited), 0);
	test_af_write(&t, "2026-8", 3);
	for (i = 0; i < 20; i++) {
		usleep(50000);
		if (stat(t.path, &sb) != 0 || sb.st_size != size)
			grown = 1;
	}
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(grown, 0);

	test_af_caught_up(&t, 403);
	auditfile_stop(af, clock_ms() + WAIT_MS);
	test_af_close(&t);
}

/* After a rotation new entries go to a new file; the old keeps its own. */
static void
test_rotate(void **state)
{
	struct test_af		 t;
	struct auditfile	*af;
	struct test_af_entry	*e;
	struct generation	*g;
	char			*old;
	size_t			 n;

	(void)state;
	test_af_open(&t, "rotate.jsonl");
	old = xasprintf("%s.1", t.path);
	af = test_af_start(&t);
	test_af_write(&t, "2026-7", 2);
	assert_int_equal(test_af_wait(t.path, 2), 2);
	e = test_af_entries(&t, &n);
	test_af_wait_cursor(&t, e[1].id);
	test_af_entries_free(e, n);

	/* logrotate moves the file, then closeloopd gets SIGHUP. */
	assert_int_equal(rename(t.path, old), 0);
	g = generation_new(test_af_config(t.path), NULL);
	auditfile_swap(af, g);
	generation_drop(g);
	test_af_write(&t, "2026-8", 3);
	e = test_af_entries(&t, &n);
	assert_int_equal(n, 5);
	test_af_wait_cursor(&t, e[4].id);
	if (test_af_count(old) != 2)
		fail_msg("%zu of the entries written after the swap went to "
		    "the renamed file", test_af_count(old) - 2);
	test_af_check(old, e, 0, 2);
	test_af_check(t.path, e, 2, 3);
	auditfile_stop(af, clock_ms() + WAIT_MS);
	test_af_check(old, e, 0, 2);
	test_af_check(t.path, e, 2, 3);
	test_af_entries_free(e, n);
	free(old);
	test_af_close(&t);
}

/*
 * Check what a stop left: the stream holds want entries, the file each of
 * them once, and the cursor names the last.
 */
static void
test_af_stopped(struct test_af *t, size_t want)
{
	struct test_af_entry	*e;
	char			*v;
	size_t			 n;

	e = test_af_entries(t, &n);
	assert_int_equal(n, want);
	assert_int_equal(test_af_count(t->path), want);
	test_af_check(t->path, e, 0, want);
	v = test_af_cursor(t);
	assert_non_null(v);
	assert_string_equal(v, e[want - 1].id);
	free(v);
	test_af_entries_free(e, n);
}

/*
 * A stop that comes while the writer waits to try again after a failure
 * (the disk had room again meanwhile) writes what is left before it
 * returns, without waiting out the pause.
 */
static void
test_stop_retrying(void **state)
{
	struct test_af		 t;
	struct auditfile	*af;
	int64_t			 started;

	(void)state;
	test_af_open(&t, "stopretry.jsonl");
	assert_int_equal(symlink("/dev/full", t.path), 0);
	af = test_af_start(&t);
	test_af_write(&t, "2026-7", 3);
	sleep(1);
	assert_null(test_af_cursor(&t));
	test_af_room(&t);
	started = clock_ms();
	auditfile_stop(af, started + WAIT_MS);
	assert_true(clock_ms() - started < 3000);
	test_af_stopped(&t, 3);
	test_af_close(&t);
}

/* A stop writes what is left, batch after batch, before it returns. */
static void
test_stop(void **state)
{
	struct test_af		 t;
	struct auditfile	*af;
	int64_t			 started;

	(void)state;
	test_af_open(&t, "stop.jsonl");
	af = test_af_start(&t);
	test_af_write(&t, "2026-7", 2500);
	auditfile_stop(af, clock_ms() + WAIT_MS);
	test_af_stopped(&t, 2500);

	/* A deadline already past does not keep the daemon waiting. */
	af = test_af_start(&t);
	started = clock_ms();
	auditfile_stop(af, 0);
	assert_true(clock_ms() - started < 3000);
	test_af_close(&t);
}

/* A file that cannot be opened is refused at once, naming the path. */
static void
test_missing_dir(void **state)
{
	struct test_af		 t;
	struct generation	*g;
	char			*path, *cause = NULL;

	(void)state;
	test_af_open(&t, "unused.jsonl");
	path = xasprintf("%s/no-such-dir/audit.jsonl", ts.dir);
	g = generation_new(test_af_config(path), NULL);
	assert_null(auditfile_start(g, &cause));
	assert_non_null(cause);
	assert_non_null(strstr(cause, path));
	assert_non_null(strstr(cause, "No such file or directory"));
	free(cause);
	generation_drop(g);
	free(path);
	test_af_close(&t);
}

/* Start the server, run the tests, stop it. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_torn),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_stop_full),
		cmocka_unit_test(test_stop_retrying),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_missing_dir),
		/* Last: a writer left running by a failure here harms none. */
		cmocka_unit_test(test_rotate),
	};

	log_set_level(LOG_LEVEL_ERR);
	return testredis_run(&ts, "auditfile", tests,
	    sizeof tests / sizeof tests[0]);
}
