/*
 * preview.h - "closeloop render": what a resident would receive
 */
#ifndef PREVIEW_H
#define PREVIEW_H

struct config;

/*
 * Run "closeloop render [--locale L] [--channel email|sms] [--templates
 * DIR] [-f FILE] [--send-to ADDRESS|NUMBER] [--html FILE] [--eml FILE]
 * [FIELD=VALUE ...]" with the arguments after "render". Prints the
 * rendered notice; writes the email to --html and --eml; with --send-to,
 * sends it as a test (trysend.h). Returns an exit status (0, EX_USAGE,
 * EX_DATAERR for a bad event or address or a test the server refused,
 * EX_TEMPFAIL for a test that failed for now, EX_CONFIG for a template
 * set that does not load or has errors, or a channel not set up,
 * EX_CANTCREAT for a file that cannot be written).
 */
int preview_run(const struct config *cf, int argc, char **argv);

#endif
