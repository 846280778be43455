/*
 * fuzzlog.h - what a fuzz target's code logs, caught and checked
 *
 * The targets of the listener's handlers and of the console run the
 * code under test at debug level with stderr sent to a temporary file
 * (fuzzlog_catch()), read it back after each input (fuzzlog_read()) and
 * check it: lines of UTF-8 with a priority prefix, no control character,
 * no NUL byte. A target that finds something wrong reports it with
 * fuzzlog_fail(), which puts stderr back first; the sanitizers report to
 * the real stderr all along.
 */
#ifndef FUZZLOG_H
#define FUZZLOG_H

/*
 * Start catching for the target name (which prefixes fuzzlog_fail()'s
 * reports): keep the real stderr, log at debug level.
 */
void fuzzlog_start(const char *name);

/* Send stderr to the temporary file, until fuzzlog_read(). */
void fuzzlog_catch(void);

/*
 * Put stderr back and return what was logged since fuzzlog_catch(),
 * checked as the top says (a static buffer, valid until the next call).
 */
const char *fuzzlog_read(void);

/* Stop catching and free what fuzzlog_start() took. */
void fuzzlog_stop(void);

/* Report what is wrong, prefixed by the target's name, and abort. */
void fuzzlog_fail(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

#endif
