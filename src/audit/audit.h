/*
 * audit.h - the audit trail: every decision about an SR, kept and read
 *
 * Each decision (decision.h) is one entry in two Redis streams, written
 * in the transaction that made it: the SR's own stream, which answers
 * "closeloop history SR", and one stream of every SR in time order,
 * which answers "closeloop history --since" and "closeloop report" and
 * feeds the JSON Lines file (auditfile.h). Both keep audit.retain_days.
 *
 * Keys (PREFIX is redis.prefix):
 *   PREFIXsr:{SR}:audit   stream of the SR's entries, capped at
 *                         events.history_max, expiring audit.retain_days
 *                         after its last entry
 *   PREFIXaudit           stream of every entry, each with its sr,
 *                         trimmed to audit.retain_days
 *   PREFIXstats           hash; decision:KIND counts every entry
 *
 * An entry's fields: at (ms since the epoch), sr, decision, rule,
 * notice, division, events (ids, by spaces), detail (a sentence, with
 * contacts masked), recipients (queued); and where they apply: notice_id
 * (queued: "SR/SEQ"), channel, to (masked), locale, notification
 * ("SR/SEQ/I"), attempt, template_version, subject, text, sms (the
 * rendered content), content_sha256 (of the message as sent: the whole
 * email, or the SMS text, in UTF-8), kept_sha256 and redacted (the copy
 * of the message kept, keep.h: the SHA-256 of the kept bytes, and the
 * spans where they differ from the message sent, "OFFSET+LEN:SHA256" by
 * spaces, the hash being of the bytes sent there), reply (the server's),
 * provider_id, receipt (the gateway's delivery report), dsn_status,
 * diagnostic, reporter and feedback_type (a bounce or abuse report,
 * bounce.h), and for received events status, reason, work_order,
 * transfer_to, duplicate_of, scheduled_for, note, note_code, photos; for
 * a service standard (measured, flagged past_standard) standard_days,
 * standard_target, met and met_as_closed (yes or no).
 *
 * As JSON (audit_json()), "at" becomes "ts" (ISO 8601, UTC, with ms)
 * and "events" becomes the array "event_ids"; recipients and attempt are
 * numbers; the other fields keep their names.
 */
#ifndef AUDIT_H
#define AUDIT_H

#include <stdint.h>

struct config;
struct decision_list;
struct redis;
struct redis_reply;
struct txn;

/* Return the key of SR sr's audit stream; the caller frees it. */
char *audit_sr_key(const struct config *cf, const char *sr);

/* Return the key of the stream of every SR's entries; caller frees. */
char *audit_all_key(const struct config *cf);

/*
 * Queue into tx the decisions of dl about SR sr, stamped now (ms): both
 * streams, their retention and the counters, the daily counts
 * (rollup.h) and the entries of the outbound stream to the CRM
 * (outbound.h); tx counts them in metrics.h once it commits.
 */
void audit_queue(struct txn *tx, const struct config *cf, const char *sr,
    const struct decision_list *dl, int64_t now);

/*
 * Called by audit_scan() for each entry, with its stream id and fields
 * (a flat array of names and values). A non-zero return stops the scan.
 */
typedef int (*audit_fn)(const char *id, const struct redis_reply *fields,
    void *arg);

/*
 * Read entries in stream order: of SR sr, or of every SR if sr is NULL;
 * from since to until (ms since the epoch, 0 for no bound). Returns 0,
 * or -1 with *cause.
 */
int audit_scan(struct redis *r, const struct config *cf, const char *sr,
    int64_t since, int64_t until, audit_fn fn, void *arg, char **cause);

/*
 * Return an entry's fields as one line of JSON, without a newline (with
 * "id" set to id if it is not NULL). The caller frees it.
 */
char *audit_json(const char *id, const struct redis_reply *fields);

#endif
