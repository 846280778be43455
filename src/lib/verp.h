/*
 * verp.h - an envelope sender that names its message: VERP with a token
 *
 * A bounce report goes to a message's envelope sender. With one sender
 * per message (variable envelope return path), the address a report
 * comes back to says which message bounced, whatever the report looks
 * like inside. The sender is made from a pattern, an address with one
 * "{id}" in its local part ("bounces+{id}@city.example"), where {id}
 * becomes
 *
 *     ID.TOKEN
 *
 * ID is the message's id with each '/' made '.' (closeloop's "SR/SEQ/I"
 * reads "SR.SEQ.I"; an id holds letters, digits, '-' and '/' only), and
 * TOKEN the first VERP_TOKEN_LEN lower-case hex digits of the
 * HMAC-SHA-256, under a key of the city's, of "closeloop-bounce:" and the
 * id: so that nobody who has not seen the message can make an address
 * that names it, and a forged report is told from a true one. The local
 * part stays a dot-atom of at most 64 octets (RFC 5321), so it passes
 * every mail server unquoted; a message whose id would make it longer
 * has no address of its own (verp_address() returns NULL).
 */
#ifndef VERP_H
#define VERP_H

#include <stddef.h>

/* The hex digits of a token: 80 bits. */
#define VERP_TOKEN_LEN	20

/* The longest local part of an address (RFC 5321, 4.5.3.1.1). */
#define VERP_LOCAL_MAX	64

/* What verp_parse() found. */
enum verp_check {
	VERP_GOOD,	/* a message's address, its token right */
	VERP_NOT_OURS,	/* not an address the pattern makes */
	VERP_FORGED	/* the shape of one, but the token is wrong */
};

/*
 * Return how many octets of {id} text (ID, '.' and TOKEN) the local part
 * of pattern leaves room for, or -1 if pattern is not an address with
 * exactly one "{id}", in its local part.
 */
int verp_room(const char *pattern);

/* Write the token of message id under key (keylen bytes). */
void verp_token(const void *key, size_t keylen, const char *id,
    char out[VERP_TOKEN_LEN + 1]);

/*
 * Return the envelope sender of message id: pattern with "{id}"
 * replaced; NULL if id holds something other than letters, digits, '-'
 * and '/', or the local part would pass VERP_LOCAL_MAX octets. The
 * caller frees it.
 */
char *verp_address(const char *pattern, const void *key, size_t keylen,
    const char *id);

/*
 * Find the message that s names: an address the pattern made (its
 * domain is not compared: a relay may rewrite it), or the {id} text
 * alone, as a mail server's pipe gives the address extension. On
 * VERP_GOOD *id is the message's id (the caller frees it); otherwise
 * *id is NULL and *why (static) says what is wrong.
 */
enum verp_check verp_parse(const char *pattern, const void *key,
    size_t keylen, const char *s, char **id, const char **why);

#endif
