/*
 * serverint.h - the state of closeloopd's main loop, shared by its files
 *
 * server.c runs the loop; serverlink.c keeps its connections to Redis
 * and serverconf.c swaps in what SIGHUP read. Nothing outside these
 * three includes this header.
 */
#ifndef SERVERINT_H
#define SERVERINT_H

#include <stdint.h>

#include "backoff.h"
#include "chores.h"
#include "intake.h"

struct auditfile;
struct catalog;
struct config;
struct deliver;
struct generation;
struct listener;
struct redis;
struct stream;
struct wakeread;

enum server_link {
	SERVER_LINK_UNKNOWN,
	SERVER_LINK_UP,
	SERVER_LINK_DOWN
};

struct server {
	struct generation	*gen;	/* cf and cat, shared with delivery */
	struct config		*cf;
	struct catalog		*cat;	/* the template set in use */
	struct deliver		*deliver;
	struct listener		*listener;	/* http.listen, or NULL */
	struct auditfile	*auditfile;	/* audit.file, or NULL */
	int64_t			 next_depth;	/* when to look at the outbox */
	int			 full;		/* outbox_max reached */
	int64_t			 watchdog_ms;	/* feed it this often; 0: none */
	struct redis		*r;	/* commands: never blocks */
	struct redis		*rr;	/* the events read, which blocks */
	struct wakeread		*wake;
	struct chores		 chores;
	struct stream		*s;
	struct backoff		 bo;
	enum server_link	 link;
	char			*last_cause;
	unsigned long		 attempts;
	int			 reading;	/* on rr */
	int64_t			 next_claim;	/* monotonic ms; 0: none */
	int64_t			 next_intake_wake; /* monotonic ms */
	int64_t			 next_due;	/* wall ms; 0: none */
	struct backoff		 release_bo;	/* after a refused release */
	int64_t			 release_after;	/* monotonic ms; 0: now */
	int			 caught_up;	/* last read was not full */
	int64_t			 quit_deadline;
	int			 dry_run;	/* a rehearsal */
	struct intake_counts	 counts;
};

/* Close the loop's three connections; the loop connects again. */
void serverlink_drop(struct server *sv);

/*
 * Drop the Redis connections after a failure (cause is taken over and
 * freed). The change from reachable to unreachable is logged once; later
 * attempts that fail differently are logged at debug level only.
 */
void serverlink_lost(struct server *sv, char *cause);

/*
 * Connect to Redis - the commands' connection, the events read's and the
 * wake-up read's - and set up the group; 0 on success, else -1 (logged
 * by serverlink_lost()).
 */
int serverlink_connect(struct server *sv);

/* Give /metrics the divisions that have series of their own. */
void serverconf_divisions(const struct config *cf);

/*
 * Read the configuration and template set again on SIGHUP and swap them
 * in if both are valid; otherwise keep serving with the old ones.
 */
void serverconf_reconfigure(struct server *sv);

#endif
