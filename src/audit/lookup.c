/*
 * lookup.c - a resident's SRs, found from a contact through keyed names
 *
 * The name of a contact's set is a keyed hash of the contact with the
 * kind of contact in front, so an address and a number can never share
 * a set, and an address is folded to lower case first, so that the
 * case a resident or an agent typed it in does not matter. The SR's
 * transaction adds it to its contacts' sets (commit.c); closeloop find
 * reads one. Keys are listed in lookup.h.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "digest.h"
#include "event.h"
#include "lookup.h"
#include "redis.h"
#include "srstate.h"
#include "syntax.h"
#include "txn.h"
#include "xmalloc.h"

/* Most names one SR's contacts make: each contact and its fallback. */
#define LOOKUP_NAMES_MAX	(2 * SRSTATE_CONTACT_MAX)

/* Write the name of a contact under key. */
void
lookup_hash(const char *key, int channel, const char *address,
    char hex[DIGEST_HEX_LEN + 1])
{
	char	*text, *p;

	if (channel == EVENT_CHANNEL_EMAIL) {
		text = xasprintf("email:%s", address);
		for (p = text; *p != '\0'; p++) {
			if (*p >= 'A' && *p <= 'Z')	/* ASCII, whatever the locale */
				*p += 'a' - 'A';
		}
	} else
		text = xasprintf("phone:%s", address);
	digest_hmac(key, strlen(key), text, hex);
	free(text);
}

/* Return the key of a contact's set, or NULL without a lookup key. */
char *
lookup_key(const struct config *cf, int channel, const char *address)
{
	char	hex[DIGEST_HEX_LEN + 1];

	if (cf->audit_lookup_secret == NULL)
		return NULL;
	lookup_hash(cf->audit_lookup_secret, channel, address, hex);
	return xasprintf("%sfind:%s", cf->redis_prefix, hex);
}

/* Queue the SR into the set of each of its contacts, each set once. */
void
lookup_index(struct txn *tx, const struct config *cf,
    const struct srstate *st, long long ttl)
{
	const struct srstate_contact	*c;
	char				*key[LOOKUP_NAMES_MAX];
	size_t				 i, j, n = 0;
	int				 other;

	if (cf->audit_lookup_secret == NULL)
		return;
	for (i = 0; i < st->ncontact && n + 2 <= LOOKUP_NAMES_MAX; i++) {
		c = &st->contact[i];
		key[n++] = lookup_key(cf, c->channel, c->address);
		other = c->channel == EVENT_CHANNEL_EMAIL ?
		    EVENT_CHANNEL_SMS : EVENT_CHANNEL_EMAIL;
		if (c->alt != NULL)
			key[n++] = lookup_key(cf, other, c->alt);
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < i && strcmp(key[j], key[i]) != 0; j++)
			continue;
		if (j == i)
			txn_set_add(tx, key[i], st->sr, ttl);
	}
	for (i = 0; i < n; i++)
		free(key[i]);
}

/* Return 1 if two contacts on one channel are the same. */
static int
lookup_same(int channel, const char *a, const char *b)
{
	if (channel == EVENT_CHANNEL_EMAIL)
		return strcasecmp(a, b) == 0;
	return strcmp(a, b) == 0;
}

/* Return 1 if a state has the contact, as a subscriber or fallback. */
int
lookup_has(const struct srstate *st, int channel, const char *address)
{
	const struct srstate_contact	*c;
	size_t				 i;

	for (i = 0; i < st->ncontact; i++) {
		c = &st->contact[i];
		if (c->channel == channel) {
			if (lookup_same(channel, c->address, address))
				return 1;
		} else if (c->alt != NULL &&
		    lookup_same(channel, c->alt, address))
			return 1;
	}
	return 0;
}

/* Turn what a person typed into a contact, or say why not. */
char *
lookup_contact(int channel, const char *typed, const char **why)
{
	char	*s, *p, *q;

	s = xstrdup(typed);
	if (channel == EVENT_CHANNEL_SMS) {
		for (p = q = s; *p != '\0'; p++) {
			if (strchr(" -.()", *p) == NULL)
				*q++ = *p;
		}
		*q = '\0';
		if (syntax_phone(s, why) == 0)
			return s;
	} else if (syntax_email(s, why) == 0)
		return s;
	free(s);
	return NULL;
}

/* Read the SRs in a contact's set. */
int
lookup_members(struct redis *r, const struct config *cf, int channel,
    const char *address, char ***sr, size_t *n, char **cause)
{
	struct redis_reply	*reply;
	char			*key;
	size_t			 i;

	*sr = NULL;
	*n = 0;
	if ((key = lookup_key(cf, channel, address)) == NULL) {
		if (cause != NULL)
			*cause = xstrdup("audit.lookup_secret_file is not set");
		return -1;
	}
	reply = redis_command(r, cause, "SMEMBERS %s", key);
	free(key);
	if (reply == NULL)
		return -1;
	if (reply->type != REDIS_TYPE_ARRAY) {
		if (cause != NULL)
			*cause = xasprintf("reading the SRs of a contact: %s",
			    reply->type == REDIS_TYPE_ERROR ? reply->str :
			    "not a set");
		redis_reply_free(reply);
		return -1;
	}
	*sr = xcalloc(reply->elements + 1, sizeof **sr);
	for (i = 0; i < reply->elements; i++) {
		if (reply->element[i]->type == REDIS_TYPE_STRING)
			(*sr)[(*n)++] = xstrdup(reply->element[i]->str);
	}
	redis_reply_free(reply);
	return 0;
}
