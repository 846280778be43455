/*
 * sdnotify.h - tell systemd how the daemon is doing (Type=notify)
 *
 * Speaks the documented sd_notify datagram protocol on the socket named by
 * $NOTIFY_SOCKET; does nothing when the daemon does not run under systemd.
 */
#ifndef SDNOTIFY_H
#define SDNOTIFY_H

/*
 * Send a state, e.g. "READY=1" or "STATUS=consuming closeloop:events".
 * Returns 1 if sent, 0 if there is no service manager, -1 on error.
 */
int sdnotify_send(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
