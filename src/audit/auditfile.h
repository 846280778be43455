/*
 * auditfile.h - the audit trail appended to a JSON Lines file
 *
 * For records retention beyond audit.retain_days, closeloopd appends
 * every audit entry (audit.h) to audit.file, one JSON object per line, in
 * the order of the stream of every SR. A thread of its own reads that
 * stream from a cursor kept in Redis (PREFIXaudit:file:CONSUMER, the last
 * entry written and synced), so a restart continues where the file
 * stopped and several daemons each keep a whole file. Nothing is dropped:
 * a write that fails (a full disk, a file that cannot be opened) is
 * undone, reported, and tried again every few seconds until it succeeds.
 * A crash between a write and the cursor's update can repeat lines; each
 * line's "id" (the stream entry id) tells repeats apart.
 *
 * SIGHUP reopens the file (for logrotate's create or move schedules).
 */
#ifndef AUDITFILE_H
#define AUDITFILE_H

#include <stdint.h>

struct auditfile;
struct generation;

/*
 * Start appending to g->cf->audit_file, holding g. Returns the writer,
 * or NULL with *cause if the file cannot be opened for appending.
 */
struct auditfile *auditfile_start(struct generation *g, char **cause);

/* Use generation g from now on and reopen the file (its audit.file). */
void auditfile_swap(struct auditfile *af, struct generation *g);

/*
 * Write what is left in the stream until deadline_ms (monotonic, as
 * deliver_stop()), trying again every second after a failure, then stop
 * and free the writer. NULL is a no-op.
 */
void auditfile_stop(struct auditfile *af, int64_t deadline_ms);

#endif
