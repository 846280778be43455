/*
 * fuzzlog.c - what a fuzz target's code logs, caught and checked
 *
 * stderr is the log (log.h); while an input runs it is a temporary file,
 * emptied each time it is read back. At most FUZZLOG_MAX bytes are read
 * back, more than any one input makes the code under test log.
 */
#include "build.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzzlog.h"
#include "log.h"
#include "syntax.h"

#define FUZZLOG_MAX	65536

/* Where sanitizers report while stderr is being caught. */
void	__sanitizer_set_report_fd(void *) __attribute__((weak));

/* The target's name, the real stderr and the file that stands in for it. */
static struct {
	const char	*name;
	int		 err;
	FILE		*log;
} fuzzlog = { "fuzz", -1, NULL };

/* Start catching. */
void
fuzzlog_start(const char *name)
{
	fuzzlog.name = name;
	if ((fuzzlog.err = dup(STDERR_FILENO)) == -1 ||
	    (fuzzlog.log = tmpfile()) == NULL)
		fuzzlog_fail("cannot catch stderr");
	if (__sanitizer_set_report_fd != NULL)
		__sanitizer_set_report_fd((void *)(intptr_t)fuzzlog.err);
	log_set_level(LOG_LEVEL_DEBUG);
}

/* Send stderr to the file. */
void
fuzzlog_catch(void)
{
	fflush(stderr);
	dup2(fileno(fuzzlog.log), STDERR_FILENO);
}

/* Check one line of the log, line[0..eol). */
static void
fuzzlog_line(const char *line, const char *eol)
{
	const char	*why;
	size_t		 i, bad;

	if (line[0] != '<' || line[1] < '3' || line[1] > '7' || line[2] != '>')
		fuzzlog_fail("a line without its priority: %.80s", line);
	for (i = 0; line + i < eol; i++) {
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f ||
		    ((unsigned char)line[i] == 0xc2 &&
		    (unsigned char)line[i + 1] < 0xa0 &&
		    (unsigned char)line[i + 1] >= 0x80))
			fuzzlog_fail("a control character logged: %.80s",
			    line);
	}
	if (syntax_utf8(line, eol - line, &bad, &why) != 0)
		fuzzlog_fail("a line that is not UTF-8: %.80s", line);
}

/* Put stderr back and return what was logged, checked. */
const char *
fuzzlog_read(void)
{
	static char	 buf[FUZZLOG_MAX + 1];
	const char	*line, *eol;
	ssize_t		 n;
	int		 fd = fileno(fuzzlog.log);

	fflush(stderr);
	dup2(fuzzlog.err, STDERR_FILENO);
	n = pread(fd, buf, FUZZLOG_MAX, 0);
	if (n < 0 || ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
		fuzzlog_fail("cannot read the log back");
	buf[n] = '\0';
	if (memchr(buf, '\0', (size_t)n) != NULL)
		fuzzlog_fail("a NUL byte logged");
	for (line = buf; line < buf + n; line = eol + 1) {
		if ((eol = strchr(line, '\n')) == NULL)
			fuzzlog_fail("a line without its end: %s", line);
		fuzzlog_line(line, eol);
	}
	return buf;
}

/* Stop catching. */
void
fuzzlog_stop(void)
{
	if (fuzzlog.log != NULL)
		fclose(fuzzlog.log);
	fuzzlog.log = NULL;
	if (fuzzlog.err != -1)
		close(fuzzlog.err);
	fuzzlog.err = -1;
}

/* Report what is wrong, with stderr put back, and abort. */
void
fuzzlog_fail(const char *fmt, ...)
{
	va_list	ap;

	fflush(stderr);
	if (fuzzlog.err != -1)
		dup2(fuzzlog.err, STDERR_FILENO);
	fprintf(stderr, "%s: ", fuzzlog.name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}
