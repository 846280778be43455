/*
 * testproc.h - starting and stopping the real servers a unit test needs
 *
 * A test that talks to a real peer (an SMTP server, an SMS gateway)
 * starts it as a child process in a temporary directory, waits until it
 * accepts connections on a loopback port, and stops it by PID. A program
 * that is not installed skips the test (exit 77), except in CI
 * (CI=true), where it fails.
 */
#ifndef TESTPROC_H
#define TESTPROC_H

#include <stddef.h>
#include <sys/types.h>

/* Leave the test program because why: exit 77, or 1 in CI. */
void testproc_missing(const char *why) __attribute__((noreturn));

/* Check that path is an executable file, from the Debian package pkg. */
void testproc_need(const char *path, const char *pkg);

/* Make a new temporary directory; the caller frees the name. */
char *testproc_mkdtemp(const char *name);

/* Remove a directory made by testproc_mkdtemp() and all in it. */
void testproc_rmdir(const char *dir);

/* Return a loopback TCP port that was free a moment ago. */
int testproc_free_port(void);

/*
 * Start argv[0] (a path) with argv, its output appended to the file log
 * (or discarded if NULL). Returns the PID; exits the program on failure.
 */
pid_t testproc_spawn(const char *const argv[], const char *log);

/*
 * Wait until 127.0.0.1:port accepts a connection. Returns 0, or -1 after
 * timeout_ms or if pid exited first (then its log says why).
 */
int testproc_wait_port(pid_t pid, int port, int timeout_ms);

/* Stop a child: SIGTERM, then SIGKILL after 5 s; reap it. 0 is a no-op. */
void testproc_stop(pid_t pid);

#endif
