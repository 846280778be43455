/*
 * rollcount.h - the counters each decision adds to
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
 *                            past_standard, sms_shortened, ...)
 *   sent:email, sent:sms     messages a server took
 *   delivered                SMS the gateway says reached the phone
 *   failed, failed:KIND      failed, dead, undelivered or (hard) bounced
 *                            messages
 *   complained               emails their readers reported as spam
 *   std:TARGET               service standards measured, TARGET response
 *                            or completion (decision measured)
 *   std:TARGET:met, std:TARGET:missed
 *                            of those, met or not as closeloop decided
 *   std:TARGET:as_closed     of those, met as the CRM closed the SR (any
 *                            closure within the standard)
 *   asked                    "did we fix it?" questions sent (asked)
 *   answered, answer:ANSWER  residents' answers, ANSWER fixed, not_fixed
 *                            or partly (answered), the last of each
 *                            resident's: one replaced is taken back off
 *                            the day it was given
 *   unanswered               questions with no answer in
 *                            feedback.answer_days (unanswered)
 * rollup.h keeps them by day, and the lag histogram beside them.
 */
#ifndef ROLLCOUNT_H
#define ROLLCOUNT_H

#include <stddef.h>

struct decision;

/* The most counters one decision adds to. */
#define ROLLCOUNT_MAX	4

/*
 * Write the names of the counters decision d adds to (the lag aside)
 * into c, which has room for ROLLCOUNT_MAX, and return how many. The
 * caller frees each.
 */
size_t rollcount_counters(const struct decision *d, char **c);

/*
 * Return 1 if name is the name of a counter rollcount_counters() writes
 * ("held", "held:RULE", "flag:RULE", "std:completion:met", ...), else 0.
 */
int rollcount_known(const char *name);

/*
 * Return 1 if name is a counter whose SRs are kept in a set as well
 * ("held", "held:RULE", "flag:RULE", "failed", "failed:KIND", and the
 * service standards' "std:TARGET...", "answer:not_fixed",
 * "answer:partly", "complained"), else 0: the others (received, told, suppressed,
 * sent, delivered, asked, ...) count too many SRs to list.
 */
int rollcount_listed(const char *name);

#endif
