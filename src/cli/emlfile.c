/*
 * emlfile.c - an email written to a file, for a mail client or a browser
 *
 * closeloop show writes a kept message and closeloop render the message
 * it renders (or sent as a test): the .eml is the message byte for byte,
 * CRLF and all, as the SMTP server received it; the HTML part is read
 * back out of it (mimeread.h), so that what the browser shows is what
 * went, not a copy made before the message was built.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "emlfile.h"
#include "mimeread.h"

/* Write len bytes of p to the file path; returns 0 or -1 after saying. */
static int
emlfile_put(const char *cmd, const char *path, const char *p, size_t len)
{
	FILE	*f;

	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(p, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "closeloop %s: %s: cannot write it\n", cmd,
		    path);
		return -1;
	}
	return 0;
}

/* Write an email whole, and its HTML part, to the files asked for. */
int
emlfile_write(const char *cmd, const char *msg, size_t len, const char *eml,
    const char *html)
{
	char	*part;
	size_t	 n;
	int	 rc;

	if (eml != NULL && emlfile_put(cmd, eml, msg, len) != 0)
		return EX_CANTCREAT;
	if (html == NULL)
		return 0;
	if ((part = mimeread_part(msg, len, "html", &n)) == NULL) {
		fprintf(stderr, "closeloop %s: the message has no HTML part\n",
		    cmd);
		return 1;
	}
	rc = emlfile_put(cmd, html, part, n) == 0 ? 0 : EX_CANTCREAT;
	free(part);
	return rc;
}
