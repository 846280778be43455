/*
 * verp.c - an envelope sender that names its message: VERP with a token
 *
 * verp.h gives the format. The token is compared in constant time and
 * in any case (a mail server may fold the case of an address); the id
 * is taken as it comes.
 */
#include "build.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "digest.h"
#include "verp.h"
#include "xmalloc.h"

/* What stands for the message in a pattern. */
#define VERP_MARK	"{id}"

/* Return 1 if c may be in an id (before its '/' are made '.'). */
static int
verp_id_char(int c)
{
	return isalnum(c) || c == '-' || c == '/';
}

/* How many octets of {id} text the pattern's local part leaves. */
int
verp_room(const char *pattern)
{
	const char	*mark, *at;

	if ((mark = strstr(pattern, VERP_MARK)) == NULL ||
	    strstr(mark + 1, VERP_MARK) != NULL ||
	    (at = strrchr(pattern, '@')) == NULL || at < mark)
		return -1;
	return VERP_LOCAL_MAX - (int)(at - pattern - strlen(VERP_MARK));
}

/* Write the token of a message. */
void
verp_token(const void *key, size_t keylen, const char *id,
    char out[VERP_TOKEN_LEN + 1])
{
	char	*text, mac[DIGEST_HEX_LEN + 1];

	text = xasprintf("closeloop-bounce:%s", id);
	digest_hmac(key, keylen, text, mac);
	memcpy(out, mac, VERP_TOKEN_LEN);
	out[VERP_TOKEN_LEN] = '\0';
	free(text);
}

/* Return the envelope sender of a message, or NULL. */
char *
verp_address(const char *pattern, const void *key, size_t keylen,
    const char *id)
{
	const char	*mark = strstr(pattern, VERP_MARK), *p;
	char		 token[VERP_TOKEN_LEN + 1], *out, *o;
	int		 room = verp_room(pattern);

	if (room < 0 || *id == '\0' ||
	    (int)strlen(id) + 1 + VERP_TOKEN_LEN > room)
		return NULL;
	for (p = id; *p != '\0'; p++)
		if (!verp_id_char((unsigned char)*p))
			return NULL;
	verp_token(key, keylen, id, token);
	out = xasprintf("%.*s%s.%s%s", (int)(mark - pattern), pattern, id,
	    token, mark + strlen(VERP_MARK));
	for (o = out + (mark - pattern); o < out + (mark - pattern) +
	    strlen(id); o++)
		if (*o == '/')
			*o = '.';
	return out;
}

/*
 * Cut the {id} text out of s: between the pattern's local part before
 * and after "{id}", when s is a whole address; s less whichever of them
 * it has, when it is not. Returns it (the caller frees it), or NULL.
 */
static char *
verp_text(const char *pattern, const char *s)
{
	const char	*mark = strstr(pattern, VERP_MARK);
	const char	*at = strrchr(pattern, '@'), *sat;
	size_t		 pre = mark - pattern, len;
	size_t		 post = at - mark - strlen(VERP_MARK);

	if ((sat = strrchr(s, '@')) != NULL) {
		len = sat - s;
		if (len < pre + post || strncasecmp(s, pattern, pre) != 0 ||
		    strncasecmp(sat - post, mark + strlen(VERP_MARK), post) != 0)
			return NULL;
		return xstrndup(s + pre, len - pre - post);
	}
	len = strlen(s);
	if (len >= pre && strncasecmp(s, pattern, pre) == 0) {
		s += pre;
		len -= pre;
	}
	if (post > 0 && len >= post &&
	    strncasecmp(s + len - post, mark + strlen(VERP_MARK), post) == 0)
		len -= post;
	return xstrndup(s, len);
}

/* Find the message an address or an extension names. */
enum verp_check
verp_parse(const char *pattern, const void *key, size_t keylen,
    const char *s, char **id, const char **why)
{
	char		*text, *dot, *p, want[VERP_TOKEN_LEN + 1];
	size_t		 i, parts = 1;
	enum verp_check	 rc = VERP_NOT_OURS;

	*id = NULL;
	if (verp_room(pattern) < 0 || (text = verp_text(pattern, s)) == NULL) {
		*why = "not an address of email.bounce_address";
		return VERP_NOT_OURS;
	}
	*why = "not a message's id and token";
	if ((dot = strrchr(text, '.')) == NULL || dot == text ||
	    strlen(dot + 1) != VERP_TOKEN_LEN)
		goto fail;
	for (i = 1; i <= VERP_TOKEN_LEN; i++) {
		if (!isxdigit((unsigned char)dot[i]))
			goto fail;
		dot[i] = (char)tolower((unsigned char)dot[i]);
	}
	*dot = '\0';
	for (p = text; *p != '\0'; p++) {
		if (*p == '.') {
			if (p == text || p[1] == '.' || p[1] == '\0')
				goto fail;
			*p = '/';
			parts++;
		} else if (!verp_id_char((unsigned char)*p) || *p == '/')
			goto fail;
	}
	if (parts < 3)
		goto fail;
	verp_token(key, keylen, text, want);
	if (!digest_equal(want, dot + 1)) {
		*why = "the token does not match the id: a forged or damaged "
		    "address";
		rc = VERP_FORGED;
		goto fail;
	}
	*id = text;
	*why = NULL;
	return VERP_GOOD;
fail:
	free(text);
	return rc;
}
