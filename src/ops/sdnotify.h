/*
 * sdnotify.h - tell systemd how the daemon is doing (Type=notify)
 *
 * Speaks the documented sd_notify datagram protocol on the socket named by
 * $NOTIFY_SOCKET; does nothing when the daemon does not run under systemd.
 */
#ifndef SDNOTIFY_H
#define SDNOTIFY_H

#include <stdint.h>

/*
 * Send a state, e.g. "READY=1" or "STATUS=consuming closeloop:events".
 * Returns 1 if sent, 0 if there is no service manager, -1 on error.
 */
int sdnotify_send(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Return how often the watchdog wants WATCHDOG=1, in ms (half of
 * $WATCHDOG_USEC), or 0 when there is no watchdog for this process
 * ($WATCHDOG_PID, if set, names another).
 */
int64_t sdnotify_watchdog_ms(void);

/*
 * Called by the main loop at each turn, at now (ms): when due, sends
 * WATCHDOG=1 (if there is a watchdog) and refreshes STATUS= with the
 * totals of metrics.h ("consumed N, queued M, held K, sent S"), or with
 * "waiting for redis: WAITING" if waiting is not NULL. Due at the
 * watchdog's pace, and at least every SDNOTIFY_STATUS_MS.
 */
void sdnotify_tick(int64_t now, const char *waiting);

#define SDNOTIFY_STATUS_MS	5000

#endif
