/*
 * preview.h - "closeloop render": what a resident would receive
 */
#ifndef PREVIEW_H
#define PREVIEW_H

struct config;

/*
 * Run "closeloop render [--locale L] [--channel email|sms] [--templates
 * DIR] [-f FILE] [FIELD=VALUE ...]" with the arguments after "render".
 * Prints the rendered notice. Returns an exit status (0, EX_USAGE,
 * EX_DATAERR for a bad event, EX_CONFIG for a template set that does
 * not load).
 */
int preview_run(const struct config *cf, int argc, char **argv);

#endif
