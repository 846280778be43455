/*
 * test_txn.c - unit tests for the writes of one step (txn.c)
 *
 * Runs against a private redis-server, with a second connection playing
 * another closeloopd that changes the SR between WATCH and EXEC.
 */
#include "build.h"

#include <sys/socket.h>

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "commit.h"
#include "config.h"
#include "policy.h"
#include "redis.h"
#include "redisconn.h"
#include "srstate.h"
#include "testredis.h"
#include "testserver.h"
#include "txn.h"

static struct testserver ts;

/* Everything one test needs: two connections and a state to write. */
struct test_txn {
	struct config		*cf;
	struct redis		*r;
	struct redis		*other;
	struct srstate		*st;
	struct policy_result	 res;
};

/* Connect twice to an empty database; a state with a pending notice. */
static void
test_txn_open(struct test_txn *t)
{
	char	*cause = NULL;

	memset(t, 0, sizeof *t);
	t->cf = testserver_config(&ts, NULL, NULL);
	t->r = testredis_open(t->cf);
	t->other = redisconn_open(t->cf, &cause);
	assert_non_null(t->other);
	t->st = srstate_new("9");
	srstate_wo_add(t->st, "TW", "TW", 1000)->status =
	    VOCAB_STATUS_RECEIVED;
	t->st->due = 5000;
	decision_add(&t->res.decisions, DECISION_HELD, "settle",
	    VOCAB_NOTICE_NONE, "TW", "e1", "held");
}

/* Free what test_txn_open() made. */
static void
test_txn_close(struct test_txn *t)
{
	policy_result_clear(&t->res);
	srstate_free(t->st);
	redis_free(t->other);
	redis_free(t->r);
	config_free(t->cf);
}

/* Return an integer reply of a command on the other connection. */
static long long
test_txn_int(struct test_txn *t, const char *cmd)
{
	return testredis_int(t->other, cmd);
}

/*
 * Write the state and result as one step for SR 9 and check txn_exec()'s
 * answer; return whether the step was refused.  *cause is the caller's.
 */
static int
test_txn_step(struct test_txn *t, int want, char **cause)
{
	struct txn	 tx;

	txn_begin(&tx, t->r);
	commit_result(&tx, t->cf, t->st, &t->res, 7000);
	assert_int_equal(txn_exec(&tx, "9", cause), want);
	return (tx.refused);
}

/* Run a command on the other connection, whatever it answers. */
static void
test_txn_other(struct test_txn *t, const char *cmd)
{
	char	*cause = NULL;

	redis_reply_free(redis_command(t->other, &cause, cmd));
	free(cause);
}

/* A transaction nobody raced commits every write. */
static void
test_txn_commit(void **state)
{
	struct test_txn	 t;
	char		*cause = NULL;

	(void)state;
	test_txn_open(&t);
	redis_reply_free(redis_command(t.r, &cause,
	    "WATCH closeloop:sr:{9}:state"));
	test_txn_step(&t, 1, &cause);
	assert_null(cause);
	assert_int_equal(test_txn_int(&t, "HEXISTS closeloop:sr:{9}:state "
	    "wo:TW"), 1);
	assert_int_equal(test_txn_int(&t, "ZCOUNT closeloop:due 5000 5000"), 1);
	assert_int_equal(test_txn_int(&t, "XLEN closeloop:sr:{9}:audit"), 1);
	assert_int_equal(test_txn_int(&t, "HINCRBY closeloop:stats "
	    "decision:held 0"), 1);
	test_txn_close(&t);
}

/* Record a hook's calls: how many, and the last committed flag. */
static void
test_txn_hook(void *arg, int committed)
{
	int	*calls = arg;

	calls[0]++;
	calls[1] = committed;
}

/* Hooks run once as a transaction ends, told whether it committed. */
static void
test_txn_hooks(void **state)
{
	struct test_txn	 t;
	struct txn	 tx;
	char		*cause = NULL;
	int		 a[2] = { 0, -1 }, b[2] = { 0, -1 };

	(void)state;
	test_txn_open(&t);
	/* committed: both hooks, once each, with 1 */
	txn_begin(&tx, t.r);
	txn_hook(&tx, test_txn_hook, a);
	txn_hook(&tx, test_txn_hook, b);
	assert_ptr_equal(txn_hook_arg(&tx, test_txn_hook), a);
	commit_result(&tx, t.cf, t.st, &t.res, 7000);
	assert_int_equal(txn_exec(&tx, "9", &cause), 1);
	assert_int_equal(a[0], 1);
	assert_int_equal(a[1], 1);
	assert_int_equal(b[0], 1);
	assert_null(txn_hook_arg(&tx, test_txn_hook));
	/* lost a race: called with 0, nothing written */
	redis_reply_free(redis_command(t.r, &cause,
	    "WATCH closeloop:sr:{9}:state"));
	test_txn_other(&t, "HSET closeloop:sr:{9}:state x 1");
	txn_begin(&tx, t.r);
	txn_hook(&tx, test_txn_hook, a);
	commit_result(&tx, t.cf, t.st, &t.res, 7000);
	assert_int_equal(txn_exec(&tx, "9", &cause), 0);
	assert_int_equal(a[0], 2);
	assert_int_equal(a[1], 0);
	/* aborted unsent: called with 0 */
	txn_begin(&tx, t.r);
	txn_hook(&tx, test_txn_hook, b);
	txn_abort(&tx);
	assert_int_equal(b[0], 2);
	assert_int_equal(b[1], 0);
	assert_null(cause);
	test_txn_close(&t);
}

/*
 * A step sent with txn_send() is in Redis's hands before its reply is
 * read: another connection sees its writes, and txn_collect() then says
 * it committed. When the connection is lost between the two, the reply
 * is missing (-1, a cause), the writes stand, and the hooks run as not
 * committed - so the caller checks before writing it again.
 */
static void
test_txn_send_collect(void **state)
{
	struct test_txn	 t;
	struct txn	 tx;
	char		*cause = NULL;
	int		 i, calls[2] = { 0, -1 }, sv[2];

	(void)state;
	test_txn_open(&t);
	txn_begin(&tx, t.r);
	commit_result(&tx, t.cf, t.st, &t.res, 7000);
	assert_int_equal(txn_send(&tx, &cause), 0);
	for (i = 0; i < 200 && test_txn_int(&t,
	    "XLEN closeloop:sr:{9}:audit") == 0; i++)
		usleep(10 * 1000);
	assert_int_equal(test_txn_int(&t, "XLEN closeloop:sr:{9}:audit"), 1);
	assert_int_equal(txn_collect(&tx, "9", &cause), 1);
	assert_null(cause);

	/* Lost between: the write stands, the reply does not come. */
	txn_begin(&tx, t.r);
	commit_result(&tx, t.cf, t.st, &t.res, 8000);
	txn_hook(&tx, test_txn_hook, calls);
	assert_int_equal(txn_send(&tx, &cause), 0);
	for (i = 0; i < 200 && test_txn_int(&t,
	    "XLEN closeloop:sr:{9}:audit") < 2; i++)
		usleep(10 * 1000);
	/* The reply waits in the socket: put a dead one in its place. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[1]);
	assert_int_equal(dup2(sv[0], redis_fd(t.r)), redis_fd(t.r));
	close(sv[0]);
	assert_int_equal(txn_collect(&tx, "9", &cause), -1);
	assert_non_null(cause);
	free(cause);
	assert_int_equal(calls[0], 1);
	assert_int_equal(calls[1], 0);
	assert_int_equal(test_txn_int(&t, "XLEN closeloop:sr:{9}:audit"), 2);
	test_txn_close(&t);
}

/* Another process changed the SR after WATCH: nothing is written. */
static void
test_txn_conflict(void **state)
{
	struct test_txn	 t;
	char		*cause = NULL;

	(void)state;
	test_txn_open(&t);
	redis_reply_free(redis_command(t.r, &cause,
	    "WATCH closeloop:sr:{9}:state"));
	test_txn_other(&t, "HSET closeloop:sr:{9}:state seq 1");
	test_txn_step(&t, 0, &cause);
	assert_null(cause);
	assert_int_equal(test_txn_int(&t, "HEXISTS closeloop:sr:{9}:state "
	    "wo:TW"), 0);
	assert_int_equal(test_txn_int(&t, "EXISTS closeloop:due"), 0);
	assert_int_equal(test_txn_int(&t, "EXISTS closeloop:sr:{9}:audit"), 0);
	test_txn_close(&t);
}

/*
 * Return what the key that was moved aside from key holds (GET of a
 * string, HGET field of a hash), asserting there is exactly one.
 */
static char *
test_txn_moved(struct test_txn *t, const char *key, const char *field)
{
	struct redis_reply	*x, *v;
	char			*cause = NULL, *out;

	x = redis_command(t->other, &cause, "KEYS %s:damaged:*", key);
	assert_non_null(x);
	assert_int_equal(x->type, REDIS_TYPE_ARRAY);
	assert_int_equal(x->elements, 1);
	if (field == NULL)
		v = redis_command(t->other, &cause, "GET %s",
		    x->element[0]->str);
	else
		v = redis_command(t->other, &cause, "HGET %s %s",
		    x->element[0]->str, field);
	assert_non_null(v);
	assert_int_equal(v->type, REDIS_TYPE_STRING);
	out = strdup(v->str);
	redis_reply_free(v);
	redis_reply_free(x);
	return out;
}

/*
 * A key of the wrong type, damaged from outside, does not cost the step
 * anything: it is moved aside with what it held, and the step's writes
 * to it - all of them, its expiry too - are made on a new one.
 */
static void
test_txn_damaged(void **state)
{
	struct test_txn	 t;
	char		*cause = NULL, *v;

	(void)state;
	test_txn_open(&t);
	test_txn_other(&t, "SET closeloop:due not-a-sorted-set");
	test_txn_other(&t, "SET closeloop:sr:{9}:audit not-a-stream");
	assert_false(test_txn_step(&t, 1, &cause));
	assert_null(cause);
	assert_int_equal(test_txn_int(&t, "HEXISTS closeloop:sr:{9}:state "
	    "wo:TW"), 1);
	assert_int_equal(test_txn_int(&t, "ZCOUNT closeloop:due 5000 5000"), 1);
	assert_int_equal(test_txn_int(&t, "XLEN closeloop:sr:{9}:audit"), 1);
	assert_true(test_txn_int(&t, "TTL closeloop:sr:{9}:audit") > 0);
	assert_int_equal(test_txn_int(&t, "HINCRBY closeloop:stats "
	    "decision:held 0"), 1);
	v = test_txn_moved(&t, "closeloop:due", NULL);
	assert_string_equal(v, "not-a-sorted-set");
	free(v);
	v = test_txn_moved(&t, "closeloop:sr:{9}:audit", NULL);
	assert_string_equal(v, "not-a-stream");
	free(v);

	/* The same connection goes on. */
	assert_false(test_txn_step(&t, 1, &cause));
	assert_int_equal(test_txn_int(&t, "XLEN closeloop:sr:{9}:audit"), 2);
	test_txn_close(&t);
}

/*
 * A counter that holds no integer is moved aside with its hash, and the
 * step's counts start the new one; a state key of the wrong type is
 * simply replaced, as the step deletes it before writing it.
 */
static void
test_txn_damaged_counter(void **state)
{
	struct test_txn	 t;
	char		*cause = NULL, *v;

	(void)state;
	test_txn_open(&t);
	test_txn_other(&t, "HSET closeloop:stats decision:held lots");
	test_txn_step(&t, 1, &cause);
	assert_null(cause);
	assert_int_equal(test_txn_int(&t, "HINCRBY closeloop:stats "
	    "decision:held 0"), 1);
	assert_int_equal(test_txn_int(&t, "ZCOUNT closeloop:due 5000 5000"), 1);
	v = test_txn_moved(&t, "closeloop:stats", "decision:held");
	assert_string_equal(v, "lots");
	free(v);

	test_txn_other(&t, "SET closeloop:sr:{9}:state damaged");
	test_txn_step(&t, 1, &cause);
	assert_int_equal(test_txn_int(&t, "HEXISTS closeloop:sr:{9}:state "
	    "wo:TW"), 1);
	assert_int_equal(test_txn_int(&t, "EXISTS closeloop:sr:{9}:state:"
	    "damaged"), 0);
	test_txn_close(&t);
}

/* Queue one command given as words separated by spaces (none empty). */
static void
test_txn_words(struct txn *tx, const char *line)
{
	const char	*argv[32];
	char		*copy, *word, *last;
	int		 argc = 0;

	copy = strdup(line);
	assert_non_null(copy);
	for (word = strtok_r(copy, " ", &last); word != NULL;
	    word = strtok_r(NULL, " ", &last)) {
		assert_true(argc < 32);
		argv[argc++] = word;
	}
	txn_queue(tx, argc, argv);
	free(copy);
}

/*
 * A command Redis refuses as it is queued (a wrong number of arguments)
 * refuses the whole step: it is reported with its reason, nothing at all
 * is written, and the connection stays usable.
 */
static void
test_txn_refused(void **state)
{
	struct test_txn	 t;
	struct txn	 tx;
	char		*cause = NULL;

	(void)state;
	test_txn_open(&t);
	txn_begin(&tx, t.r);
	test_txn_words(&tx, "HSET first f 1");
	test_txn_words(&tx, "ZADD closeloop:due 5");
	assert_int_equal(txn_exec(&tx, "9", &cause), -1);
	assert_true(tx.refused);
	assert_non_null(strstr(cause, "SR 9: redis refused the step, which "
	    "wrote nothing: ERR wrong number of arguments"));
	free(cause);
	cause = NULL;
	assert_int_equal(test_txn_int(&t, "EXISTS first"), 0);

	assert_false(test_txn_step(&t, 1, &cause));
	assert_int_equal(test_txn_int(&t, "EXISTS closeloop:sr:{9}:state"), 1);
	test_txn_close(&t);
}

/*
 * HSETNEW (in any letters) writes a record whole when there is none, and
 * leaves one that is there as it is, even on a server that forgot its
 * scripts; a key of another type is moved aside and the record written.
 */
static void
test_txn_hsetnew(void **state)
{
	struct test_txn	 t;
	struct txn	 tx;
	char		*cause = NULL, *v;

	(void)state;
	test_txn_open(&t);
	test_txn_other(&t, "HSET kept state asked");
	test_txn_other(&t, "SCRIPT FLUSH");
	txn_begin(&tx, t.r);
	test_txn_words(&tx, "HSETNEW fresh state waiting due 5");
	test_txn_words(&tx, "hsetnew kept state waiting due 5");
	assert_int_equal(txn_exec(&tx, "9", &cause), 1);
	assert_int_equal(test_txn_int(&t, "HLEN fresh"), 2);
	assert_int_equal(test_txn_int(&t, "HSTRLEN fresh state"), 7);
	assert_int_equal(test_txn_int(&t, "HLEN kept"), 1);
	assert_int_equal(test_txn_int(&t, "HSTRLEN kept state"), 5);

	test_txn_other(&t, "SET text a-string");
	txn_begin(&tx, t.r);
	test_txn_words(&tx, "HSETNEW text state waiting");
	test_txn_words(&tx, "EXPIRE text 100");
	assert_int_equal(txn_exec(&tx, "9", &cause), 1);
	assert_int_equal(test_txn_int(&t, "HSTRLEN text state"), 7);
	assert_true(test_txn_int(&t, "TTL text") > 0);
	v = test_txn_moved(&t, "text", NULL);
	assert_string_equal(v, "a-string");
	free(v);
	test_txn_close(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_txn_commit),
		cmocka_unit_test(test_txn_send_collect),
		cmocka_unit_test(test_txn_conflict),
		cmocka_unit_test(test_txn_hooks),
		cmocka_unit_test(test_txn_damaged),
		cmocka_unit_test(test_txn_damaged_counter),
		cmocka_unit_test(test_txn_refused),
		cmocka_unit_test(test_txn_hsetnew),
	};

	signal(SIGPIPE, SIG_IGN);
	return testredis_run(&ts, "txn", tests,
	    sizeof tests / sizeof tests[0]);
}
