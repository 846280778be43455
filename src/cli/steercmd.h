/*
 * steercmd.h - "closeloop send-now" and "closeloop resend"
 */
#ifndef STEERCMD_H
#define STEERCMD_H

struct config;

/*
 * Run "closeloop send-now [--json] ID... | --sr SR | --reason REASON".
 * Returns an exit status.
 */
int steercmd_send_now(const struct config *cf, int argc, char **argv);

/*
 * Run "closeloop resend [--json] [--same-content] NOTIFICATION".
 * Returns an exit status.
 */
int steercmd_resend(const struct config *cf, int argc, char **argv);

#endif
