/*
 * opsctl.h - the Operations page's controls: the channels' pauses, the
 * actions offered to the ops role, and what came of them
 *
 * The page (opspage.h) shows, beside what waits:
 *  - each channel, sending or paused (by whom, why, until when; the
 *    breaker's pause told apart), with a form to pause or resume it;
 *  - the result of the request just made (?request=ID): waiting for
 *    closeloopd, done or failed, in words;
 *  - the forms of the actions (send now, resend, drop a dead letter, let
 *    an address off the suppression list, send a test of a template),
 *    for the ops role only: an auditor sees the page without them;
 *  - the suppression list's newest entries;
 *  - the last operator actions, from closeloop commands and from the
 *    console alike, with who did them.
 * Every form is a POST with the session's CSRF token (web.c), published
 * for closeloopd to carry out (opsform.h, opsreq.h).
 */
#ifndef OPSCTL_H
#define OPSCTL_H

struct view;
struct webreq;

/* How many suppressed addresses and operator actions are shown. */
#define OPSCTL_MAX	20

/* Add the controls to v. Returns 0, or -1 after answering 503. */
int opsctl_add(struct webreq *q, struct view *v);

#endif
