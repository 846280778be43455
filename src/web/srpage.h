/*
 * srpage.h - an SR's timeline: what the CRM sent, what closeloop decided,
 * and each message exactly as the resident received it
 *
 * GET /sr/NUMBER. The work orders from the SR's state; then the trail,
 * oldest first: each event the CRM sent (division, status, reason, note,
 * photos), each decision with its rule in plain words (wording.h), and
 * each message sent (srmsg.h) with its check mark. ?images=ID shows the
 * remote images of that one email.
 *
 * A division user sees an SR only if one of their divisions has worked
 * on it (a work order of the state, or a division named by an entry of
 * the trail); any other SR is the same 404 as one that does not exist.
 */
#ifndef SRPAGE_H
#define SRPAGE_H

struct session;
struct srstate;
struct webreq;

/* GET /sr/NUMBER. */
void srpage_show(struct webreq *q);

/* Return the console's path of SR sr's timeline; the caller frees it. */
char *srpage_link(const char *sr);

/*
 * Read SR sr's state (q's Redis connection must be open): 0 with *out
 * (NULL if there is none; free it with srstate_free()), or -1 after
 * answering 503.
 */
int srpage_state(struct webreq *q, const char *sr, struct srstate **out);

/* Return 1 if who may see the SR whose state is st by its work orders. */
int srpage_sees_state(const struct session *who, const struct srstate *st);

/*
 * Return 1 if the request's user may see SR sr (by its state or its
 * trail), 0 if not (or it does not exist), -1 after answering 503.
 */
int srpage_visible(struct webreq *q, const char *sr);

#endif
