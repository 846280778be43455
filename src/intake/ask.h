/*
 * ask.h - the questions that fall due: asked, not asked, or closed
 *
 * Once a second closeloopd takes the questions whose time has come from
 * the due set (question.h) and acts on each in one transaction, WATCHing
 * its record and its SR's state: a waiting question is asked - the
 * feedback notice queued in the outbox as notification "SR/SEQ/Nq", its
 * record marked asked, its due entry moved to answer_by, for an SMS the
 * phone's latest question set to it, and the decision asked recorded -
 * or not asked, with its rule (question.h); an asked one whose
 * answer_by has passed is closed, recorded unanswered if it was not
 * answered. Should another closeloopd act on the same question, or the
 * SR change, at the same moment, EXEC finds it and the step is done
 * again on what that one wrote, so that a question is asked once.
 */
#ifndef ASK_H
#define ASK_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct redis;

/*
 * Act on the questions due at now (ms), at most max. A question whose
 * step Redis refuses is left as it is, logged. Sets *asked to how many
 * were asked (their notifications wait in the outbox). Returns how many
 * questions were acted on, or -1 with *cause if Redis failed (the
 * connection must then be dropped).
 */
int ask_run(const struct config *cf, struct redis *r, int64_t now,
    size_t max, size_t *asked, char **cause);

/*
 * Set *at to when the next question falls due (wall ms; 0 if none).
 * Returns 0, or -1 with *cause if Redis failed.
 */
int ask_next_due(const struct config *cf, struct redis *r, int64_t *at,
    char **cause);

#endif
