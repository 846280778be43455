/*
 * queue.h - "closeloop queue": what waits in the outbox, and why
 */
#ifndef QUEUE_H
#define QUEUE_H

struct config;

/*
 * Run "closeloop queue [--held] [--waiting] [--claims] [--channel
 * email|sms] [--sr SR] [--limit N] [--json]" (argv[0] is the command's
 * name): without a list named, the totals - per channel what is due now
 * and what waits, when the next falls due, in local time; the held
 * notices; claims; dead letters; the events stream's length - then the
 * three lists (waitlist.h); with some named, those only. --json: JSON
 * Lines, the totals first. Returns an exit status (sysexits.h).
 */
int queue_run(const struct config *cf, int argc, char **argv);

#endif
