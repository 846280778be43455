/*
 * optout.c - a phone's opt-out from SMS, and the SRs it follows
 *
 * A STOP or a START is one optimistic transaction, as a step on an SR
 * is (store.c): WATCH the opt-out and the index, read them and the
 * phone's contact in each SR's state (srstate.c decodes it), then write
 * the opt-out and publish the events in one MULTI/EXEC, tried again if
 * another closeloopd changed either key in between. The SRs' states are
 * not written here: the events change them, through the pipeline, like
 * the CRM's own. Keys and event ids are described in optout.h.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "digest.h"
#include "event.h"
#include "log.h"
#include "optout.h"
#include "redis.h"
#include "srhash.h"
#include "srstate.h"
#include "txn.h"
#include "xmalloc.h"

/* How often a STOP or START is tried while other daemons change it. */
#define OPTOUT_ATTEMPTS	50

/* What one STOP or START read, under WATCH. */
struct optout_load {
	int64_t		  at;		/* the opt-out's, 0 if none */
	char		**sr;		/* the index */
	struct srstate	**st;		/* each SR's contact, or NULL */
	size_t		  nsr;
};

/* Write the SHA-256 of a phone number in hex. */
void
optout_hash(const char *phone, char hex[DIGEST_HEX_LEN + 1])
{
	digest_sha256(phone, strlen(phone), hex);
}

/* Return the key of a phone's opt-out. */
char *
optout_key(const struct config *cf, const char *phone)
{
	char	hex[DIGEST_HEX_LEN + 1];

	optout_hash(phone, hex);
	return xasprintf("%soptout:sms:%s", cf->redis_prefix, hex);
}

/* Return the key of a phone's index of SRs. */
char *
optout_index_key(const struct config *cf, const char *phone)
{
	char	hex[DIGEST_HEX_LEN + 1];

	optout_hash(phone, hex);
	return xasprintf("%sphone:%s", cf->redis_prefix, hex);
}

/* Queue an SR's entry in a phone's index and the index's expiry. */
void
optout_index(struct txn *tx, const struct config *cf, const char *sr,
    const char *phone, long long ttl)
{
	char	*key;

	key = optout_index_key(cf, phone);
	txn_set_add(tx, key, sr, ttl);
	free(key);
}

/* Find which phones have opted out. */
int
optout_check(struct redis *r, const struct config *cf,
    const char *const *phones, size_t n, int *opted, char **cause)
{
	struct redis_reply	*reply;
	const char		*argv[2];
	char			*key;
	size_t			 i;
	int			 rc = 0;

	for (i = 0; i < n; i++) {
		key = optout_key(cf, phones[i]);
		argv[0] = "EXISTS";
		argv[1] = key;
		redis_pipe_argv(r, 2, argv, NULL);
		free(key);
	}
	for (i = 0; i < n; i++) {
		if ((reply = redis_pipe_reply(r, cause)) == NULL)
			return -1;
		opted[i] = reply->type == REDIS_TYPE_INTEGER &&
		    reply->integer > 0;
		if (reply->type == REDIS_TYPE_ERROR && rc == 0) {
			if (cause != NULL)
				*cause = xasprintf("checking SMS opt-outs: %s",
				    reply->str);
			rc = -1;
		}
		redis_reply_free(reply);
	}
	return rc;
}

/* Free what a load holds. */
static void
optout_load_clear(struct optout_load *ld)
{
	size_t	i;

	for (i = 0; i < ld->nsr; i++) {
		free(ld->sr[i]);
		srstate_free(ld->st[i]);
	}
	free(ld->sr);
	free(ld->st);
	memset(ld, 0, sizeof *ld);
}

/* Order SR numbers, for events published in a stable order. */
static int
optout_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read the phone's contact in each SR of the index, pipelined. */
static int
optout_contacts(struct redis *r, const struct config *cf,
    struct optout_load *ld, const char *field, char **cause)
{
	struct redis_reply	*reply;
	const char		*argv[3];
	char			*key, *fields[2], *warning = NULL;
	size_t			 i;
	int			 rc = 0;

	for (i = 0; i < ld->nsr; i++) {
		key = srstate_key(cf, ld->sr[i]);
		argv[0] = "HGET";
		argv[1] = key;
		argv[2] = field;
		redis_pipe_argv(r, 3, argv, NULL);
		free(key);
	}
	for (i = 0; i < ld->nsr; i++) {
		if ((reply = redis_pipe_reply(r, cause)) == NULL)
			return -1;
		if (reply->type == REDIS_TYPE_STRING) {
			fields[0] = (char *)field;
			fields[1] = reply->str;
			ld->st[i] = srstate_new(ld->sr[i]);
			if (srhash_decode(ld->st[i], fields, 1,
			    &warning) != 0 || ld->st[i]->ncontact != 1) {
				log_warn("%s", warning != NULL ? warning :
				    "a damaged contact");
				free(warning);
				warning = NULL;
				srstate_free(ld->st[i]);
				ld->st[i] = NULL;
			}
		} else if (reply->type == REDIS_TYPE_ERROR && rc == 0) {
			if (cause != NULL)
				*cause = xasprintf("reading SR %s: %s",
				    ld->sr[i], reply->str);
			rc = -1;
		}
		redis_reply_free(reply);
	}
	return rc;
}

/*
 * WATCH the phone's opt-out and index and read them, with the phone's
 * contact in each SR. Returns 0, or -1 with *cause.
 */
static int
optout_load(struct redis *r, const struct config *cf, const char *phone,
    struct optout_load *ld, char **cause)
{
	struct redis_reply	*reply[3] = { NULL, NULL, NULL };
	const char		*argv[3], *at;
	char			*okey, *ikey, *field;
	size_t			 i;
	int			 rc = -1;

	memset(ld, 0, sizeof *ld);
	okey = optout_key(cf, phone);
	ikey = optout_index_key(cf, phone);
	field = xasprintf("c:sms:%s", phone);
	argv[0] = "WATCH";
	argv[1] = okey;
	argv[2] = ikey;
	redis_pipe_argv(r, 3, argv, NULL);
	argv[0] = "HGETALL";
	redis_pipe_argv(r, 2, argv, NULL);
	argv[0] = "SMEMBERS";
	argv[1] = ikey;
	redis_pipe_argv(r, 2, argv, NULL);
	for (i = 0; i < 3; i++) {
		if ((reply[i] = redis_pipe_reply(r, cause)) == NULL)
			goto fail;
		if (reply[i]->type == REDIS_TYPE_ERROR) {
			if (cause != NULL)
				*cause = xasprintf("reading the SMS opt-out: "
				    "%s", reply[i]->str);
			goto fail;
		}
	}
	if ((at = redis_reply_field(reply[1], "at")) != NULL)
		ld->at = strtoll(at, NULL, 10);
	ld->nsr = reply[2]->elements;
	ld->sr = xcalloc(ld->nsr + 1, sizeof *ld->sr);
	ld->st = xcalloc(ld->nsr + 1, sizeof *ld->st);
	for (i = 0; i < ld->nsr; i++)
		ld->sr[i] = xstrdup(reply[2]->element[i]->str != NULL ?
		    reply[2]->element[i]->str : "");
	if (ld->nsr > 1)
		qsort(ld->sr, ld->nsr, sizeof *ld->sr, optout_cmp);
	rc = optout_contacts(r, cf, ld, field, cause);
fail:
	for (i = 0; i < 3; i++)
		redis_reply_free(reply[i]);
	free(field);
	free(ikey);
	free(okey);
	return rc;
}

/* Write the XADD of an event a resident's own choice publishes. */
int
optout_event(const struct config *cf, const char **argv, char *buf,
    const char *type, const char *id, const char *sr, int64_t now,
    const char *field, const char *address, const char *via)
{
	const char	*args[OPTOUT_EVENT_ARGC] = { "XADD", cf->redis_stream,
	    "*", "v", "1", "type", type, "event_id", id, "sr", sr, "ts", buf,
	    field, address, "x_closeloop_via", via };

	clock_rfc3339(now, buf);
	memcpy(argv, args, sizeof args);
	return OPTOUT_EVENT_ARGC;
}

/*
 * Queue the XADD of an event about contact c of SR sr: an unsubscribe,
 * or a subscribe with the contact's locale and fallback address.
 */
static void
optout_publish(struct txn *tx, const struct config *cf, const char *phone,
    const struct srstate_contact *c, const char *sr, int subscribe,
    int64_t now)
{
	const char	*argv[OPTOUT_EVENT_ARGC + 6];
	char		 hex[DIGEST_HEX_LEN + 1], ts[CLOCK_RFC3339_LEN], *id;
	int		 k;

	optout_hash(phone, hex);
	id = xasprintf("%s-sms-%.16s-%lld-%s", subscribe ? "start" : "stop",
	    hex, (long long)c->ts, sr);
	k = optout_event(cf, argv, ts, subscribe ? "subscribe" :
	    "unsubscribe", id, sr, now, "phone", phone, subscribe ?
	    "sms_start" : "sms_stop");
	if (subscribe) {
		argv[k++] = "channels";
		argv[k++] = "sms";
		if (c->locale != NULL) {
			argv[k++] = "locale";
			argv[k++] = c->locale;
		}
		if (c->alt != NULL) {	/* the fallback, as before */
			argv[k++] = "email";
			argv[k++] = c->alt;
		}
	}
	txn_queue(tx, k, argv);
	free(id);
}

/* Add an SR an event went out for to the result. */
static void
optout_note(struct optout_result *res, const char *sr)
{
	res->sr = xreallocarray(res->sr, res->nsr + 1, sizeof *res->sr);
	res->sr[res->nsr++] = xstrdup(sr);
}

/* Set the result's locale to the first contact's that has one. */
static void
optout_locale(struct optout_result *res, const struct optout_load *ld)
{
	size_t	i;

	for (i = 0; i < ld->nsr && res->locale == NULL; i++) {
		if (ld->st[i] != NULL && ld->st[i]->contact[0].locale != NULL)
			res->locale = xstrdup(ld->st[i]->contact[0].locale);
	}
}

/*
 * One attempt at a STOP (start 0) or a START (start 1). Returns 1 if
 * written, 0 if a watched key changed, -1 with *cause.
 */
static int
optout_try(struct redis *r, const struct config *cf, const char *phone,
    const char *keyword, int start, int64_t now, struct optout_result *res,
    char **cause)
{
	struct optout_load		 ld;
	struct txn			 tx;
	const struct srstate_contact	*c;
	struct redis_reply		*reply;
	const char			*argv[6];
	char				*okey, at[32];
	size_t				 i;
	int				 rc;

	optout_result_clear(res);
	if (optout_load(r, cf, phone, &ld, cause) != 0) {
		optout_load_clear(&ld);
		return -1;
	}
	optout_locale(res, &ld);
	if (start && ld.at == 0) {	/* not opted out: nothing to do */
		optout_load_clear(&ld);
		argv[0] = "UNWATCH";
		reply = redis_command_argv(r, cause, 1, argv, NULL);
		redis_reply_free(reply);
		return reply != NULL ? 1 : -1;
	}
	okey = optout_key(cf, phone);
	txn_begin(&tx, r);
	if (start) {
		argv[0] = "DEL";
		argv[1] = okey;
		txn_queue(&tx, 2, argv);
	} else if (ld.at == 0) {
		snprintf(at, sizeof at, "%lld", (long long)now);
		argv[0] = "HSET";
		argv[1] = okey;
		argv[2] = "at";
		argv[3] = at;
		argv[4] = "keyword";
		argv[5] = keyword;
		txn_queue(&tx, 6, argv);
	}
	res->changed = start || ld.at == 0;
	for (i = 0; i < ld.nsr; i++) {
		if (ld.st[i] == NULL)
			continue;
		c = &ld.st[i]->contact[0];
		/* START brings back what the STOP (or later) turned off. */
		if (start ? c->active || c->ts < ld.at / 1000 * 1000 :
		    !c->active)
			continue;
		optout_publish(&tx, cf, phone, c, ld.sr[i], start, now);
		optout_note(res, ld.sr[i]);
	}
	rc = txn_exec(&tx, "-", cause);
	free(okey);
	optout_load_clear(&ld);
	return rc;
}

/* Run a STOP or a START until it is written. */
static int
optout_run(struct redis *r, const struct config *cf, const char *phone,
    const char *keyword, int start, int64_t now, struct optout_result *res,
    char **cause)
{
	int	attempt, rc = -1;

	memset(res, 0, sizeof *res);
	for (attempt = 0; attempt < OPTOUT_ATTEMPTS; attempt++) {
		if ((rc = optout_try(r, cf, phone, keyword, start, now, res,
		    cause)) != 0)
			break;
	}
	if (rc == 0 && cause != NULL)
		*cause = xasprintf("the SMS opt-out was changed by other "
		    "closeloopd processes %d times in a row", OPTOUT_ATTEMPTS);
	if (rc != 1)
		optout_result_clear(res);
	return rc == 1 ? 0 : -1;
}

/* Handle a STOP. */
int
optout_stop(struct redis *r, const struct config *cf, const char *phone,
    const char *keyword, int64_t now, struct optout_result *res,
    char **cause)
{
	return optout_run(r, cf, phone, keyword, 0, now, res, cause);
}

/* Handle a START. */
int
optout_start(struct redis *r, const struct config *cf, const char *phone,
    int64_t now, struct optout_result *res, char **cause)
{
	return optout_run(r, cf, phone, NULL, 1, now, res, cause);
}

/* Free what a result holds. */
void
optout_result_clear(struct optout_result *res)
{
	size_t	i;

	for (i = 0; i < res->nsr; i++)
		free(res->sr[i]);
	free(res->sr);
	free(res->locale);
	memset(res, 0, sizeof *res);
}
