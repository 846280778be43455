/*
 * opsform.h - an action on the Operations page, asked of closeloopd
 *
 * POST /operations, for the ops role only: the form's action (pause,
 * resume, send-now, resend, dead-drop, unsuppress, test-send) and its
 * fields (opsact.h) are checked - a known action, no field over
 * OPSREQ_FIELD_MAX bytes or holding a control character - and published
 * as an operator request (opsreq.h) with the user and their address;
 * the console itself changes nothing closeloopd keeps. The request is
 * recorded in the console's record (webaudit.h, "request-ACTION") and
 * the browser is sent back to the page, which shows what came of it.
 */
#ifndef OPSFORM_H
#define OPSFORM_H

struct webreq;

/* POST /operations. */
void opsform_post(struct webreq *q);

#endif
