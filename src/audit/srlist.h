/*
 * srlist.h - SRs read from their states, for a list a person reads
 *
 * A look-up by contact (lookup.h) or a count's list of SRs gives SR
 * numbers; a person wants each SR's division, status, ward, service and
 * the time of its last change. srlist reads the states, pipelined, keeps
 * those that still exist (and, for a contact, still have it: a look-up
 * set outlives an SR it shares with a longer-lived one), and orders them
 * newest first.
 */
#ifndef SRLIST_H
#define SRLIST_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct redis;
struct redis_reply;
struct srstate;
struct srstate_wo;

/* One SR found, and what its state says. */
struct srlist_item {
	struct srstate		*st;
	const struct srstate_wo	*wo;	/* the owner, or closed last; or
					   NULL */
	char			*ward;	/* NULL if the state has none */
	int64_t			 changed;	/* ms; 0 if unknown */
};

struct srlist {
	struct srlist_item	*items;
	size_t			 n;
};

/*
 * Read the states of the n SRs in sr into a new list in *out, newest
 * first: those that exist and, if contact is not NULL, still have the
 * contact on channel. Returns 0, or -1 with *cause set (the caller frees
 * it). Free the list with srlist_free().
 */
int srlist_read(struct redis *r, const struct config *cf, char *const *sr,
    size_t n, int channel, const char *contact, struct srlist **out,
    char **cause);

/*
 * Find a contact's SRs (lookup.h) and read them as srlist_read() does.
 * Returns 0, or -1 with *cause set.
 */
int srlist_contact(struct redis *r, const struct config *cf, int channel,
    const char *contact, struct srlist **out, char **cause);

/*
 * Make a new state of SR sr from the reply to HGETALL of its key, or
 * NULL if the reply holds none. A damaged field is skipped; what remains
 * is kept. The caller frees it with srstate_free().
 */
struct srstate *srlist_decode(const char *sr, const struct redis_reply *reply);

/* Free a list; NULL is a no-op. */
void srlist_free(struct srlist *l);

#endif
