/*
 * emlfile.h - an email written to a file, for a mail client or a browser
 */
#ifndef EMLFILE_H
#define EMLFILE_H

#include <stddef.h>

/*
 * Write the email msg (len bytes of RFC 5322, as sent) to files: whole
 * to eml, for a mail client to open, and its HTML part, decoded, to
 * html, for a browser; either may be NULL. cmd names the command in
 * what is said on stderr ("show"). Returns 0, EX_CANTCREAT if a file
 * cannot be written, or 1 if html is asked of a message without an
 * HTML part.
 */
int emlfile_write(const char *cmd, const char *msg, size_t len,
    const char *eml, const char *html);

#endif
