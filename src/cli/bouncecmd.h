/*
 * bouncecmd.h - "closeloop bounce": a report that came back, recorded
 */
#ifndef BOUNCECMD_H
#define BOUNCECMD_H

struct config;

/*
 * Run "closeloop bounce [ADDRESS|EXTENSION] < MESSAGE", argv[0] being
 * "bounce"; cf read with config_load_bounce(). Returns the exit status:
 * 0, or EX_TEMPFAIL when the mail server should try again (bouncecmd.c
 * says which).
 */
int bouncecmd_run(const struct config *cf, int argc, char **argv);

#endif
