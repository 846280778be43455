/*
 * testlisten.c - closeloopd's listener, a private Redis and the pipeline
 */
#include "build.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "catalog.h"
#include "clock.h"
#include "config.h"
#include "event.h"
#include "eventparse.h"
#include "generation.h"
#include "listener.h"
#include "log.h"
#include "redis.h"
#include "redisconn.h"
#include "srstate.h"
#include "store.h"
#include "testlisten.h"
#include "testredis.h"
#include "testserver.h"
#include "xmalloc.h"

#define TESTLISTEN_STREAM	"closeloop:events"

/* Start the listener on a configuration of the shipped templates. */
void
testlisten_open(struct testlisten *t, struct testserver *ts,
    const char *templates, const char *extra)
{
	struct generation	*g;
	struct catalog		*cat;
	const char		*top = getenv("top_srcdir");
	char			*text, *cause = NULL;

	memset(t, 0, sizeof *t);
	t->ts = ts;
	strcpy(t->last, "0-0");
	/* The events' ts is a fixed day (testlisten_xadd()): no age limit. */
	text = xasprintf("policy = { settle_seconds = 0; coalesce_seconds = "
	    "0; };\nhttp = { listen = \"127.0.0.1:0\"; };\ntemplates = { dir = "
	    "\"%s/templates\"; %s };\ndelivery = { max_event_age_hours = 0; "
	    "};\n%s\n", top != NULL ? top : ".",
	    templates != NULL ? templates : "", extra != NULL ? extra : "");
	t->cf = testserver_config(ts, NULL, text);
	free(text);
	t->r = testredis_open(t->cf);
	cat = catalog_load(t->cf->templates_dir,
	    t->cf->templates_default_locale, &cause);
	if (cat == NULL)
		fail_msg("catalog_load: %s", cause);
	g = generation_new(t->cf, cat);
	if ((t->l = listener_start(g, &cause)) == NULL)
		fail_msg("listener_start: %s", cause);
	generation_drop(g);
	t->port = listener_port(t->l);
}

/* Stop the listener and free everything. */
void
testlisten_close(struct testlisten *t)
{
	redis_free(t->r);
	listener_stop(t->l);	/* frees the configuration with it */
	memset(t, 0, sizeof *t);
}

/* Run a test program's tests against its own server. */
int
testlisten_run(struct testserver *ts, const char *name,
    const struct CMUnitTest *tests, size_t n)
{
	log_set_level(LOG_LEVEL_ERR);
	return testredis_run(ts, name, tests, n);
}

/* Write a file into the server's directory. */
char *
testlisten_file(struct testserver *ts, const char *name, const char *text)
{
	char	*path, *line;
	int	 fd;

	path = xasprintf("%s/%s", ts->dir, name);
	line = xasprintf("%s\n", text);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, line, strlen(line)), (ssize_t)strlen(line));
	close(fd);
	free(line);
	return path;
}

/* Publish an event. */
void
testlisten_xadd(struct testlisten *t, ...)
{
	struct redis_reply	*reply;
	const char		*argv[80], *arg;
	char			*own[80], eid[32];
	size_t			 n = 3, nown = 0, i;
	int			 has_ts = 0, has_id = 0;
	va_list			 ap;

	argv[0] = "XADD";
	argv[1] = TESTLISTEN_STREAM;
	argv[2] = "*";
	va_start(ap, t);
	while ((arg = va_arg(ap, const char *)) != NULL && n < 70) {
		own[nown] = xstrndup(arg, strcspn(arg, "="));
		has_ts |= strcmp(own[nown], "ts") == 0;
		has_id |= strcmp(own[nown], "event_id") == 0;
		argv[n++] = own[nown++];
		argv[n++] = strchr(arg, '=') + 1;
	}
	va_end(ap);
	argv[n++] = "v";
	argv[n++] = "1";
	if (!has_ts) {
		argv[n++] = "ts";
		argv[n++] = "2026-03-03T10:00:00Z";
	}
	snprintf(eid, sizeof eid, "t%d-e%d", (int)getpid(), ++t->n);
	if (!has_id) {
		argv[n++] = "event_id";
		argv[n++] = eid;
	}
	reply = redis_command_argv(t->r, NULL, (int)n, argv, NULL);
	assert_non_null(reply);
	assert_int_equal(reply->type, REDIS_TYPE_STRING);
	redis_reply_free(reply);
	for (i = 0; i < nown; i++)
		free(own[i]);
}

/* Return the entries of the stream after an id. */
struct redis_reply *
testlisten_after(struct testlisten *t, const char *id)
{
	struct redis_reply	*reply;

	reply = testlisten_cmd(t, "XRANGE %s (%s +", TESTLISTEN_STREAM, id);
	assert_int_equal(reply->type, REDIS_TYPE_ARRAY);
	return reply;
}

/* Return the ID of the stream's last entry. */
void
testlisten_last_id(struct testlisten *t, char id[64])
{
	struct redis_reply	*reply;

	reply = testlisten_cmd(t, "XREVRANGE %s + - COUNT 1",
	    TESTLISTEN_STREAM);
	snprintf(id, 64, "%s", reply->elements > 0 ?
	    reply->element[0]->element[0]->str : "0-0");
	redis_reply_free(reply);
}

/* Apply the events published since the last call. */
int
testlisten_drain(struct testlisten *t)
{
	struct redis_reply	*reply, *e, *f;
	struct event		*ev;
	char			**fields, *cause = NULL;
	size_t			 *lens, i, k;
	int			  n = 0, rc;

	reply = testlisten_after(t, t->last);
	for (i = 0; i < reply->elements; i++) {
		e = reply->element[i];
		f = e->element[1];
		fields = xcalloc(f->elements + 1, sizeof *fields);
		lens = xcalloc(f->elements + 1, sizeof *lens);
		for (k = 0; k < f->elements; k++) {
			fields[k] = f->element[k]->str;
			lens[k] = f->element[k]->len;
		}
		ev = eventparse_parse(t->cf, e->element[0]->str, fields, lens,
		    f->elements / 2, &cause);
		if (ev == NULL)
			fail_msg("event %s: %s", e->element[0]->str, cause);
		rc = store_event(t->cf, t->r, TESTLISTEN_STREAM, ev,
		    clock_now(), &cause);
		if (rc < 0)
			fail_msg("store_event: %s", cause);
		n += rc;
		event_free(ev);
		free(lens);
		free(fields);
		snprintf(t->last, sizeof t->last, "%s", e->element[0]->str);
	}
	redis_reply_free(reply);
	return n;
}

/* Run a command. */
struct redis_reply *
testlisten_cmd(struct testlisten *t, const char *fmt, ...)
{
	struct redis_reply	*reply;
	char			*cmd, *cause = NULL;
	va_list			 ap;

	const char		*argv[16];
	char			*copy, *word, *save = NULL;
	int			 argc = 0;

	va_start(ap, fmt);
	cmd = xvasprintf(fmt, ap);
	va_end(ap);
	/* Words are separated by single spaces; none holds one. */
	copy = xstrdup(cmd);
	for (word = strtok_r(copy, " ", &save); word != NULL && argc < 16;
	    word = strtok_r(NULL, " ", &save))
		argv[argc++] = word;
	reply = redis_command_argv(t->r, &cause, argc, argv, NULL);
	if (reply == NULL)
		fail_msg("%s: %s", cmd, cause);
	free(copy);
	free(cmd);
	return reply;
}

/* Run a command whose reply is an integer. */
long long
testlisten_int(struct testlisten *t, const char *fmt, ...)
{
	struct redis_reply	*reply;
	char			*cmd;
	long long		 v;
	va_list			 ap;

	va_start(ap, fmt);
	cmd = xvasprintf(fmt, ap);
	va_end(ap);
	reply = testlisten_cmd(t, "%s", cmd);
	if (reply->type != REDIS_TYPE_INTEGER)
		fail_msg("%s: not an integer", cmd);
	v = reply->integer;
	redis_reply_free(reply);
	free(cmd);
	return v;
}

/* Return a field of a hash. */
char *
testlisten_hget(struct testlisten *t, const char *key, const char *field)
{
	return testredis_hget(t->r, key, field);
}

/* Return a contact's field in an SR's state. */
char *
testlisten_contact(struct testlisten *t, const char *sr, const char *channel,
    const char *address)
{
	char	*key, *field, *v;

	key = srstate_key(t->cf, sr);
	field = xasprintf("c:%s:%s", channel, address);
	v = testlisten_hget(t, key, field);
	free(field);
	free(key);
	return v;
}

/* Return a field of an SR's last audit entry with a decision. */
char *
testlisten_audit(struct testlisten *t, const char *sr, const char *decision,
    const char *name)
{
	struct redis_reply	*reply, *f;
	const char		*d, *v;
	char			*out = NULL;
	size_t			 i;

	reply = testlisten_cmd(t, "XREVRANGE closeloop:sr:{%s}:audit + -", sr);
	for (i = 0; i < reply->elements && out == NULL; i++) {
		f = reply->element[i]->element[1];
		d = redis_reply_field(f, "decision");
		if (d != NULL && strcmp(d, decision) == 0 &&
		    (v = redis_reply_field(f, name)) != NULL)
			out = xstrdup(v);
	}
	redis_reply_free(reply);
	return out;
}
