/*
 * mime.h - building the RFC 5322 message of an email notice
 *
 * mail.c hands the message to libesmtp, which sends the bytes as they
 * are: it neither fixes line endings nor encodes header values. So the
 * message built here is complete and safe on the wire as it stands: only
 * ASCII, every line ends in CRLF and is at most 998 octets (76 in the
 * bodies and encoded headers), no line is a lone ".", and the whole
 * ends in CRLF. Everything a resident's data can reach is either
 * checked (addresses, ids, URLs) or encoded (names, subject, bodies).
 */
#ifndef MIME_H
#define MIME_H

#include <stddef.h>
#include <stdint.h>

/* One notice by email. Nothing here is kept by mime_build(). */
struct mime_msg {
	const char	*from_name;	/* display name, UTF-8, or NULL */
	const char	*from_addr;	/* addr-spec, ASCII */
	const char	*to_addr;	/* addr-spec, ASCII */
	const char	*subject;	/* UTF-8, one line */
	const char	*text;		/* UTF-8 text/plain body; lines
					   end in LF, CRLF or CR */
	size_t		 text_len;	/* its bytes; 0 means strlen() */
	const char	*html;		/* UTF-8 text/html body, or
					   NULL for text/plain only */
	size_t		 html_len;	/* its bytes; 0 means strlen() */
	const char	*message_id;	/* "<left@right>", with brackets */
	/*
	 * An https URL, or NULL. Adds List-Unsubscribe: <URL> and, for a
	 * one-click unsubscribe (RFC 8058), List-Unsubscribe-Post.
	 */
	const char	*list_unsubscribe;
	const char	*language;	/* BCP 47 tag for Content-
					   Language, or NULL */
	int64_t		 date;		/* seconds since the epoch, for the
					   Date header (UTC, +0000) */
	/*
	 * The MIME boundary, or NULL for the one mime_boundary() derives
	 * from the fields: to build a second message laid out as the first
	 * (the kept copy of a message, its secrets blanked). It must be
	 * what mime_boundary() gives for some message.
	 */
	const char	*boundary;
};

/* Room for a boundary, with its NUL. */
#define MIME_BOUNDARY_SIZE	40

/*
 * Build the message m describes. Returns 0 and sets *out to the message
 * (NUL-terminated; the caller frees it) and *len to its length in bytes.
 * On a field that cannot be sent returns -1 and, if cause is not NULL,
 * sets *cause to a message that starts with the field's name, such as
 * "subject: contains a line break"; the caller frees *cause.
 *
 * Refused: a CR, LF or NUL in any header field, invalid UTF-8 anywhere,
 * a NUL in a body (seen only through text_len or html_len), an address
 * that is not a plain local@domain, a message_id that is not <left@right>,
 * a list_unsubscribe that is not an https URL of at most 900 octets, a
 * language that is not a BCP 47 tag, and a date outside the years 1970
 * to 9999.
 *
 * Bodies: every line ending becomes CRLF. A body goes quoted-printable,
 * or base64 when more than a third of its bytes are not ASCII (there
 * quoted-printable would more than double its size). The message is the
 * same, byte for byte, for the same m: the MIME boundary is derived from
 * a hash of the fields and contains "=_", which neither encoding can
 * produce.
 */
int mime_build(const struct mime_msg *m, char **out, size_t *len,
    char **cause);

/*
 * Write into out the boundary mime_build() uses for m: m->boundary if
 * set, else "=_closeloop_" and an FNV-1a hash of every field.
 */
void mime_boundary(const struct mime_msg *m, char out[MIME_BOUNDARY_SIZE]);

/*
 * Check that the NUL-terminated v may be a header value: no CR or LF and
 * valid UTF-8. Returns 0, or -1 and, if why is not NULL, sets *why to a
 * static string saying what is wrong ("contains a line break").
 */
int mime_header_ok(const char *v, const char **why);

/*
 * Like mime_header_ok() for len bytes of v, which may hold a NUL: for a
 * value that came from somewhere a NUL can be ("contains a NUL byte").
 */
int mime_value_ok(const char *v, size_t len, const char **why);

/*
 * Return the UTF-8 value of an unstructured header (Subject) as it goes
 * on the wire after "Subject: ", whose length (with the space) is
 * name_len. A value of printable ASCII words that fold into lines of at
 * most 76 octets stays as it is, folded at spaces. Anything else (not
 * ASCII, a control character, "=?", leading, trailing or doubled spaces,
 * a word too long to fold) becomes RFC 2047 encoded-words in UTF-8 and
 * B encoding, at most 75 octets each and on lines of at most 76, never
 * splitting a character between two words. Continuation lines start with
 * one space and every line but the last ends in CRLF. Returns NULL if
 * utf8 fails mime_header_ok(). The string is allocated; the caller frees
 * it.
 */
char *mime_encode_words(const char *utf8, size_t name_len);

#endif
