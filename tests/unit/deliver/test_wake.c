/*
 * test_wake.c - unit tests for the wake-up stream (wake.c) and the main
 * loop's read of it (wakeread.c)
 *
 * Runs against a private redis-server. A reader blocks as closeloopd's
 * loop does, on a connection of its own; entries are added from another
 * connection - alone, and in a transaction - and what the reader makes
 * of them is checked: which reasons to look again, its own intake left
 * out, nothing read twice, nothing lost while its connection was down.
 */
#include "build.h"

#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "redis.h"
#include "testredis.h"
#include "testserver.h"
#include "txn.h"
#include "wake.h"
#include "wakeread.h"

static struct testserver ts;

/* Wait up to 5 s for the reader's reply; take it into news. */
static int
test_wake_take(struct wakeread *w, const char *self, struct wake_news *news)
{
	struct pollfd	 pfd;
	char		*cause = NULL;
	int		 rc;

	pfd.fd = wakeread_fd(w);
	pfd.events = POLLIN;
	assert_true(pfd.fd >= 0);
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	/* Until the reply is whole: the read is then no longer under way. */
	while ((rc = wakeread_take(w, self, news, &cause)) == 0 &&
	    wakeread_fd(w) != -1)
		(void)poll(&pfd, 1, 100);
	if (rc < 0)
		fail_msg("wakeread_take: %s", cause);
	return rc;
}

/* Return 1 if the reader's reply came within ms. */
static int
test_wake_came(struct wakeread *w, int ms)
{
	struct pollfd	pfd;

	pfd.fd = wakeread_fd(w);
	pfd.events = POLLIN;
	return poll(&pfd, 1, ms) == 1;
}

/*
 * A reader sees only what is added after it starts; each entry says why
 * to look again, and another daemon's intake counts where its own does
 * not.
 */
static void
test_wake_read(void **state)
{
	struct config		*cf;
	struct redis		*r;
	struct wakeread		*w;
	struct wake_news	 news;
	char			*cause = NULL;

	(void)state;
	cf = testserver_config(&ts, NULL, NULL);
	r = testredis_open(cf);
	assert_int_equal(wake_add(r, cf, "outbox", "cli", &cause), 0);
	w = wakeread_new();
	assert_int_equal(wakeread_send(w, cf, &cause), 0);
	assert_false(test_wake_came(w, 200));	/* the old one is not read */

	assert_int_equal(wake_add(r, cf, "request", "console", &cause), 0);
	assert_int_equal(test_wake_take(w, "me", &news), 1);
	assert_true(news.request);
	assert_false(news.outbox || news.pause || news.intake);

	/* Its own intake is left out, not even counted; another's is not. */
	assert_int_equal(wake_add(r, cf, "intake", "me", &cause), 0);
	assert_int_equal(wake_add(r, cf, "pause", "cli", &cause), 0);
	assert_int_equal(wakeread_send(w, cf, &cause), 0);
	assert_int_equal(test_wake_take(w, "me", &news), 1);
	assert_true(news.pause);
	assert_false(news.intake);
	assert_int_equal(wake_add(r, cf, "intake", "other", &cause), 0);
	assert_int_equal(wakeread_send(w, cf, &cause), 0);
	assert_int_equal(test_wake_take(w, "me", &news), 1);
	assert_true(news.intake);

	assert_int_equal(wake_add(r, cf, "intake", "me", &cause), 0);
	assert_int_equal(wakeread_send(w, cf, &cause), 0);
	assert_int_equal(test_wake_take(w, "me", &news), 0);
	assert_int_equal(wakeread_fd(w), -1);

	/* Nothing new: the reader blocks. */
	assert_int_equal(wakeread_send(w, cf, &cause), 0);
	assert_false(test_wake_came(w, 200));
	wakeread_free(w);
	redis_free(r);
	config_free(cf);
}

/*
 * An entry queued in a transaction lands with it; a reader whose
 * connection was dropped reads, once connected again, what was added
 * meanwhile, from where it left off.
 */
static void
test_wake_txn_and_drop(void **state)
{
	struct config		*cf;
	struct redis		*r;
	struct wakeread		*w;
	struct wake_news	 news;
	struct txn		 tx;
	const char		*argv[3];
	char			*cause = NULL;

	(void)state;
	cf = testserver_config(&ts, NULL, NULL);
	r = testredis_open(cf);
	w = wakeread_new();
	assert_int_equal(wakeread_send(w, cf, &cause), 0);
	txn_begin(&tx, r);
	argv[0] = "SET";
	argv[1] = "closeloop:x";
	argv[2] = "1";
	txn_queue(&tx, 3, argv);
	wake_queue(&tx, cf, "outbox", "cli");
	assert_int_equal(txn_exec(&tx, "1", &cause), 1);
	assert_int_equal(test_wake_take(w, "me", &news), 1);
	assert_true(news.outbox);

	wakeread_drop(w);
	assert_int_equal(wakeread_fd(w), -1);
	assert_int_equal(wake_add(r, cf, "pause", "cli", &cause), 0);
	assert_int_equal(wakeread_send(w, cf, &cause), 0);
	assert_int_equal(test_wake_take(w, "me", &news), 1);
	assert_true(news.pause);
	assert_false(news.outbox);	/* not read twice */
	wakeread_free(w);
	redis_free(r);
	config_free(cf);
}

/* The stream stays short however many entries are added. */
static void
test_wake_capped(void **state)
{
	struct config	*cf;
	struct redis	*r;
	char		*cause = NULL;
	int		 i;

	(void)state;
	cf = testserver_config(&ts, NULL, NULL);
	r = testredis_open(cf);
	for (i = 0; i < 3000; i++)
		assert_int_equal(wake_add(r, cf, "outbox", "cli", &cause), 0);
	assert_true(testredis_int(r, "XLEN closeloop:wake") < 2000);
	redis_free(r);
	config_free(cf);
}

/* A reply that is not a stream read is refused, with a cause. */
static void
test_wake_parse_bad(void **state)
{
	struct redis_reply	 reply;
	struct wake_news	 news;
	char			*cause = NULL, last[64] = "$";

	(void)state;
	memset(&reply, 0, sizeof reply);
	reply.type = REDIS_TYPE_ERROR;
	reply.str = (char *)"WRONGTYPE not a stream";
	assert_int_equal(wake_parse(&reply, "me", &news, last, sizeof last,
	    &cause), -1);
	assert_non_null(strstr(cause, "WRONGTYPE"));
	free(cause);
	assert_string_equal(last, "$");
	reply.type = REDIS_TYPE_NIL;
	reply.str = NULL;
	assert_int_equal(wake_parse(&reply, "me", &news, last, sizeof last,
	    NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wake_read),
		cmocka_unit_test(test_wake_txn_and_drop),
		cmocka_unit_test(test_wake_capped),
		cmocka_unit_test(test_wake_parse_bad),
	};

	signal(SIGPIPE, SIG_IGN);
	return testredis_run(&ts, "wake", tests,
	    sizeof tests / sizeof tests[0]);
}
