/*
 * rollup.h - daily counts per division, ward and service type
 *
 * Every decision that names a division is counted on the day it was made
 * (a local date in templates.timezone), in the transaction that records
 * it (audit_queue() calls rollup_queue()), so the counts agree with the
 * trail and outlive it: a year's report reads a few hundred hashes, not
 * millions of trail entries. A step's counts go in its transaction as one
 * record on the list PREFIXroll:pending; closeloopd folds the records
 * into the hashes once a second, and closeloop report before it reads
 * (rollupfold.h), each fold all or nothing.
 *
 * Keys (PREFIX is redis.prefix, DAY is YYYY-MM-DD):
 *   PREFIXroll:DIV:DAY          hash: COUNTER -> count
 *   PREFIXroll:DIV:DAY:ward     hash: WARD|COUNTER -> count
 *   PREFIXroll:DIV:DAY:service  hash: SERVICE|COUNTER -> count (split at
 *                               the last "|": a service may hold one)
 *   PREFIXroll:DIV:DAY:sr:COUNTER
 *                               set: the SRs counted, for the counters
 *                               rollcount_listed() names; each
 *                               member "SR\tWARD\tSERVICE" (WARD and
 *                               SERVICE empty where the decision has
 *                               none, tabs and line ends in them made
 *                               spaces), read by rolllist.h
 *   PREFIXroll:DIV:MONTH        hash: the division's counts of the
 *   PREFIXroll:DIV:MONTH:service month (YYYY-MM), and by service type:
 *                               the sums of its days' hashes, made by
 *                               the fold only if none of the days'
 *                               hashes was there before it (rollmonth.h
 *                               reads them)
 *   PREFIXroll:divisions        set: every division ever counted
 *   PREFIXroll:pending          list: the steps' counts not yet folded in,
 *                               one record each, a line per field:
 *                               "DIVISION\tDAY\tBY\tFIELD\tCOUNT", BY
 *                               "" (the division's hash), "w" or "s";
 *                               and a line per SR listed:
 *                               "DIVISION\tDAY\tl\tCOUNTER\tSR\tWARD\t
 *                               SERVICE\tSIGN", SIGN 1 (add) or -1
 *                               (remove)
 * The hashes and sets expire audit.rollup_days after their day, a
 * month's hashes audit.rollup_days after its last day. The sets' keys
 * end in ":sr:" and a counter's name, which is never empty, so none is
 * the ":ward" or ":service" hash of a day; a month's keys have YYYY-MM
 * where a day's have YYYY-MM-DD.
 *
 * A retried failure taken back (rollup_undo()) removes its SR from the
 * day's failure sets although the SR may have failed another time that
 * day and still count there: the operator's retry is taken as dealing
 * with the SR's failures of that day. The sets never list an SR that was
 * not counted; the count of a failure set may exceed its SRs.
 *
 * The counters (decision kinds and rules as in decision.h):
 *   received                 events from the CRM (decision received)
 *   told, told:NOTICE        notices handed over for delivery (queued)
 *   held, held:RULE          misleading closures held back
 *                            (decision_misleading())
 *   suppressed, suppressed:RULE
 *                            every notice not sent, by rule (but a dead
 *                            letter dropped, dropped_by_operator: it
 *                            counted as failed)
 *   flag:RULE                data flagged for the division (no_note,
 *                            unknown_note_code, duplicate_without_link,
 *                            sms_shortened, no_reason, ...)
 *   sent:email, sent:sms     messages a server took
 *   delivered                SMS the gateway says reached the phone
 *   failed, failed:KIND      failed, dead or undelivered messages
 *   asked                    residents asked "is it fixed?" (question.h)
 *   answered, answer:ANSWER  their answers, fixed, not_fixed or partly,
 *                            the last of each resident's: one replaced is
 *                            taken back off the day it was given
 *   unanswered               questions closed with no answer
 *   lag:BUCKET               (the division's hash only) messages telling
 *                            of a closure, by the time from the CRM's
 *                            closure to the message sent; BUCKET is the
 *                            bound in minutes it is under (1, 5, 15, 60,
 *                            240, 720, 1440, 2880, 10080) or "more"
 */
#ifndef ROLLUP_H
#define ROLLUP_H

#include <stdint.h>

#include "datefmt.h"

struct config;
struct decision_list;
struct redis;
struct txn;

/* Return the key of the list of counts waiting to be folded; caller frees. */
char *rollup_pending_key(const struct config *cf);

/* Which counts: the division's, by ward or by service type. */
enum rollup_by {
	ROLLUP_DIVISION,
	ROLLUP_WARD,
	ROLLUP_SERVICE
};

/* How many buckets the lag histogram has; the last is unbounded. */
#define ROLLUP_LAG_BUCKETS	10

/*
 * Return the name of lag bucket i ("1", "5", ... "more"), or NULL. The
 * string is static.
 */
const char *rollup_lag_name(int i);

/* Return the bucket of a lag of ms milliseconds. */
int rollup_lag_bucket(int64_t ms);

/*
 * Return the key of a division's counts of day (YYYY-MM-DD), by by; the
 * caller frees it.
 */
char *rollup_key(const struct config *cf, const char *division,
    const char *day, enum rollup_by by);

/*
 * Queue into tx the counts of the decisions of dl about SR sr made at now
 * (ms since the epoch), and sr into the sets of the counters listed.
 * Decisions without a division are not counted.
 */
void rollup_queue(struct txn *tx, const struct config *cf, const char *sr,
    const struct decision_list *dl, int64_t now);

/*
 * Queue into tx what takes the decisions of dl about SR sr, made at at
 * (ms since the epoch), back off the counts of their day and sr out of
 * their sets: a failure an operator sends again no longer counts as one.
 */
void rollup_undo(struct txn *tx, const struct config *cf, const char *sr,
    const struct decision_list *dl, int64_t at);

/*
 * Called by rollup_read() for each count: the division, the day, the
 * group (the ward or service type; NULL for the division's own counts),
 * the counter's name and its count. A non-zero return stops the read.
 */
typedef int (*rollup_fn)(const char *division, const char *day,
    const char *group, const char *counter, long long count, void *arg);

/*
 * Read the counts by by of the days from first to last (YYYY-MM-DD, both
 * included) of the given divisions, or of every division counted if
 * ndivisions is 0, in order of division then day. Returns 0, or -1 with
 * *cause (the caller frees it).
 */
int rollup_read(struct redis *r, const struct config *cf,
    const char *const *divisions, size_t ndivisions, const char *first,
    const char *last, enum rollup_by by, rollup_fn fn, void *arg,
    char **cause);

/*
 * What reads one division's counts by by of the days from first to last
 * for rollup_read_each(): 0, or -1 with *cause.
 */
typedef int (*rollup_one_fn)(struct redis *r, const struct config *cf,
    const char *division, const char *first, const char *last,
    enum rollup_by by, rollup_fn fn, void *arg, char **cause);

/*
 * Read as rollup_read() does, with one for each division in turn.
 */
int rollup_read_each(struct redis *r, const struct config *cf,
    const char *const *divisions, size_t ndivisions, const char *first,
    const char *last, enum rollup_by by, rollup_one_fn one, rollup_fn fn,
    void *arg, char **cause);

/*
 * Read the hashes keys (n of them, of counts by by) of a division with
 * one HGETALL each, pipelined, handing fn each count with days[i] as its
 * day. Returns 0, or -1 with *cause.
 */
int rollup_read_keys(struct redis *r, const char *division,
    const char *const *keys, const char *const *days, size_t n,
    enum rollup_by by, rollup_fn fn, void *arg, char **cause);

/*
 * Set *out to the divisions ever counted, sorted (a NULL-terminated
 * array; free each and the array) and *n to their number. Returns 0, or
 * -1 with *cause.
 */
int rollup_divisions(struct redis *r, const struct config *cf, char ***out,
    size_t *n, char **cause);

/*
 * Write the day after day (YYYY-MM-DD) into next. Returns 0, or -1 if
 * day is not a date.
 */
int rollup_next_day(const char *day, char next[DATEFMT_DAY_LEN + 1]);

/*
 * Set *days to the days (YYYY-MM-DD) from first to last, both included
 * (first alone if last is before it), and return how many; the caller
 * frees *days.
 */
size_t rollup_days(const char *first, const char *last,
    char (**days)[DATEFMT_DAY_LEN + 1]);

#endif
