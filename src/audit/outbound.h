/*
 * outbound.h - the write-back to the CRM: what residents were told
 *
 * The CRM tells closeloop what happened to an SR (the events stream);
 * closeloop tells the CRM, per SR, what residents were told and what
 * became of it: a notice decided, a message sent, delivered or not,
 * failed, given up, held back or not sent, a contact unsubscribed. Each
 * is one entry in one Redis stream, written by audit_queue() in the
 * transaction of the decision it reports, so that the CRM never learns
 * of something that was not recorded, nor misses something that was.
 * The CRM reads the stream in a consumer group of its own. The contract
 * (version OUTBOUND_VERSION) is in docs/events.md.
 *
 * Key: outbound.stream (default PREFIXoutbound), capped at about
 * outbound.maxlen entries (XADD ... MAXLEN ~); none is written when
 * outbound.enabled is false.
 *
 * An entry's fields: v, type, sr, at (RFC 3339, UTC, with ms), then
 * where the decision has them: notice, division, rule, event_ids (by
 * spaces), notice_id and recipients (queued), notification, channel,
 * locale, to (masked), template_version, content_sha256 and reply (the
 * server's or the gateway's words, contacts masked).
 *
 * Which decisions make an entry, and of which type, is one table in
 * outbound.c (a kind, a rule or any, a type): a new kind of decision the
 * CRM should hear of is one line there, a new field one line in the
 * table of fields.
 */
#ifndef OUTBOUND_H
#define OUTBOUND_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct decision;
struct decision_list;
struct txn;

/* The version of the outbound contract, the entries' v. */
#define OUTBOUND_VERSION	"1"

/*
 * Return the type of the n-th entry (from 0) that decision d makes in
 * the outbound stream ("queued", "sent", ...; static), or NULL past the
 * last one: most decisions make none or one.
 */
const char *outbound_type(const struct decision *d, size_t n);

/*
 * Queue into tx the outbound entries of the decisions of dl about SR sr,
 * made at now (ms since the epoch); nothing if outbound.enabled is
 * false. audit_queue() calls it for every decision it writes.
 */
void outbound_queue(struct txn *tx, const struct config *cf, const char *sr,
    const struct decision_list *dl, int64_t now);

#endif
