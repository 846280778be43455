/*
 * pausecmd.h - "closeloop pause" and "closeloop resume"
 */
#ifndef PAUSECMD_H
#define PAUSECMD_H

struct config;

/*
 * Run "closeloop pause [CHANNEL [--until TIME] [--note TEXT]] [--json]":
 * pause a channel, or say which are paused. Returns an exit status.
 */
int pausecmd_pause(const struct config *cf, int argc, char **argv);

/* Run "closeloop resume CHANNEL [--json]". Returns an exit status. */
int pausecmd_resume(const struct config *cf, int argc, char **argv);

#endif
