/*
 * find.c - "closeloop find": a resident's SRs, from their address or number
 *
 * For division staff on the phone with a resident who gives an email
 * address or a phone number, not an SR number. The contact's set of SRs
 * is named by a keyed hash of it (lookup.h); each SR in it is read from
 * its state, which must still exist and still have the contact (a set
 * outlives an SR it shares with a longer-lived one). An SR is a line:
 * the time of its last change in templates.timezone, the SR, the
 * division and status of the work order that owns it (or closed last),
 * the ward if the state has one, the service. --json prints one object
 * per SR. The contact itself is never printed nor logged.
 */
#include "build.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <sys/types.h>

#include "clock.h"
#include "config.h"
#include "datefmt.h"
#include "event.h"
#include "find.h"
#include "json.h"
#include "lookup.h"
#include "redis.h"
#include "redisconn.h"
#include "srstate.h"
#include "xmalloc.h"

/* One SR found, and what its state says. */
struct find_sr {
	struct srstate		*st;
	const struct srstate_wo	*wo;	/* the owner, or closed last */
	char			*ward;	/* NULL if the state has none */
	int64_t			 changed;	/* ms */
};

/* Return the time of the last change the state records, in ms. */
static int64_t
find_changed(const struct srstate *st)
{
	int64_t	t = 0;
	size_t	i;

	for (i = 0; i < st->nwo; i++) {
		if (st->wo[i].ts > t)
			t = st->wo[i].ts;
	}
	for (i = 0; i < st->ncontact; i++) {
		if (st->contact[i].ts > t)
			t = st->contact[i].ts;
	}
	return t;
}

/*
 * Read one SR's state from its HGETALL reply into f. Returns 1 if it
 * exists and has the contact, 0 if not (expired, or the contact gone).
 */
static int
find_read(struct find_sr *f, const char *sr, const struct redis_reply *reply,
    int channel, const char *contact)
{
	const char	*ward;
	char		**fields, *warning = NULL;
	size_t		  i;

	if (reply->type != REDIS_TYPE_ARRAY || reply->elements == 0)
		return 0;
	fields = xcalloc(reply->elements + 1, sizeof *fields);
	for (i = 0; i < reply->elements; i++)
		fields[i] = reply->element[i]->str != NULL ?
		    reply->element[i]->str : (char *)"";
	f->st = srstate_new(sr);
	/* A damaged field is skipped; what remains is still shown. */
	srstate_decode(f->st, fields, reply->elements / 2, &warning);
	free(warning);
	free(fields);
	if (!lookup_has(f->st, channel, contact)) {
		srstate_free(f->st);
		f->st = NULL;
		return 0;
	}
	if ((f->wo = srstate_wo_owner(f->st)) == NULL)
		f->wo = srstate_wo_last_closed(f->st, NULL);
	ward = redis_reply_field(reply, "ward");
	f->ward = ward != NULL && *ward != '\0' ? xstrdup(ward) : NULL;
	f->changed = find_changed(f->st);
	return 1;
}

/*
 * Read the states of the n SRs in sr, pipelined, into found (room for
 * n), the SRs that still have the contact. Returns how many, or -1 with
 * *cause.
 */
static ssize_t
find_states(struct redis *r, const struct config *cf, char **sr, size_t n,
    int channel, const char *contact, struct find_sr *found, char **cause)
{
	struct redis_reply	*reply;
	const char		*argv[2];
	char			*key;
	size_t			 i, nfound = 0;
	int			 failed = 0;

	for (i = 0; i < n; i++) {
		key = srstate_key(cf, sr[i]);
		argv[0] = "HGETALL";
		argv[1] = key;
		redis_pipe_argv(r, 2, argv, NULL);
		free(key);
	}
	for (i = 0; i < n; i++) {
		if ((reply = redis_pipe_reply(r, cause)) == NULL)
			return -1;
		if (reply->type == REDIS_TYPE_ERROR && !failed) {
			*cause = xasprintf("reading SR %s: %s", sr[i],
			    reply->str);
			failed = 1;
		} else if (!failed && find_read(&found[nfound], sr[i], reply,
		    channel, contact))
			nfound++;
		redis_reply_free(reply);
	}
	return failed ? -1 : (ssize_t)nfound;
}

/* Order SRs by their last change, newest first, then by number. */
static int
find_cmp(const void *a, const void *b)
{
	const struct find_sr	*x = a, *y = b;

	if (x->changed != y->changed)
		return x->changed > y->changed ? -1 : 1;
	return strcmp(y->st->sr, x->st->sr);
}

/* Print one SR as a line for a person, or as a JSON object. */
static void
find_print(const struct config *cf, const struct find_sr *f, int json)
{
	const struct srstate_wo	*wo = f->wo;
	struct json		*j;
	char			 when[CLOCK_RFC3339_LEN], *status;

	if (json) {
		j = json_new();
		json_set(j, "sr", f->st->sr);
		if (wo != NULL) {
			json_set(j, "division", wo->division);
			json_set(j, "status", vocab_status_name(wo->status));
			json_set(j, "reason", vocab_reason_name(wo->reason));
		}
		json_set(j, "service", f->st->service);
		json_set(j, "ward", f->ward);
		if (f->changed != 0) {
			clock_rfc3339(f->changed, when);
			json_set(j, "changed", when);
		}
		json_print(j, stdout);
		json_free(j);
		return;
	}
	if (f->changed != 0)
		datefmt_local(cf->templates_timezone, f->changed, when,
		    sizeof when);
	else
		snprintf(when, sizeof when, "%-19s", "-");
	status = wo == NULL ? xstrdup("-") : xasprintf("%s%s%s",
	    vocab_status_name(wo->status), wo->reason != VOCAB_REASON_NONE ?
	    "/" : "", vocab_reason_name(wo->reason));
	printf("%s  %-12s %-8s %-18s %s%s%s%s\n", when, f->st->sr,
	    wo != NULL ? wo->division : "-", status,
	    f->ward != NULL ? "ward " : "", f->ward != NULL ? f->ward : "",
	    f->ward != NULL ? "  " : "",
	    f->st->service != NULL ? f->st->service : "-");
	free(status);
}

/* Print the usage of the command. */
static void
find_usage(void)
{
	fprintf(stderr, "usage: closeloop find [--json] --email ADDRESS\n"
	    "       closeloop find [--json] --phone NUMBER\n");
}

/* Find and print the SRs of one contact; returns an exit status. */
static int
find_contact(const struct config *cf, int channel, const char *contact,
    int json)
{
	struct find_sr	*found = NULL;
	struct redis	*r = NULL;
	char		**sr = NULL, *cause = NULL;
	size_t		  i, n = 0;
	ssize_t		  nfound = 0;
	const char	 *what = channel == EVENT_CHANNEL_EMAIL ? "address" :
			    "number";
	int		  rc = EX_UNAVAILABLE;

	if ((r = redisconn_open(cf, &cause)) == NULL ||
	    lookup_members(r, cf, channel, contact, &sr, &n, &cause) != 0)
		goto fail;
	found = xcalloc(n + 1, sizeof *found);
	if ((nfound = find_states(r, cf, sr, n, channel, contact, found,
	    &cause)) < 0)
		goto fail;
	qsort(found, nfound, sizeof *found, find_cmp);
	for (i = 0; i < (size_t)nfound; i++)
		find_print(cf, &found[i], json);
	if (nfound > 0 && !json)
		printf("(%zd SR%s; times in %s)\n", nfound,
		    nfound == 1 ? "" : "s", cf->templates_timezone);
	else if (nfound == 0 && !json)
		printf("no SR found for that %s (only the whole %s finds "
		    "one; SRs whose state has expired are not listed)\n",
		    what, what);
	rc = nfound > 0 ? 0 : 1;
fail:
	if (cause != NULL)
		fprintf(stderr, "closeloop find: %s\n", cause);
	for (i = 0; found != NULL && i < n; i++) {
		srstate_free(found[i].st);
		free(found[i].ward);
	}
	free(found);
	for (i = 0; i < n; i++)
		free(sr[i]);
	free(sr);
	free(cause);
	redis_free(r);
	return rc;
}

/* Run "closeloop find". */
int
find_run(const struct config *cf, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "email", required_argument, NULL, 'e' },
		{ "phone", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*typed = NULL, *why = NULL;
	char		*contact;
	int		 ch, json = 0, channel = 0, given = 0, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'e':
		case 'p':
			channel = ch == 'e' ? EVENT_CHANNEL_EMAIL :
			    EVENT_CHANNEL_SMS;
			typed = optarg;
			given++;
			break;
		default:
			find_usage();
			return EX_USAGE;
		}
	}
	if (given != 1 || optind != argc) {
		fprintf(stderr, "closeloop find: give one --email or one "
		    "--phone, and nothing else\n");
		find_usage();
		return EX_USAGE;
	}
	if (cf->audit_lookup_secret == NULL) {
		fprintf(stderr, "closeloop find: the look-up is not "
		    "configured: set audit.lookup_secret_file in %s; closeloopd "
		    "then indexes each SR as it changes\n", cf->path);
		return EX_CONFIG;
	}
	if ((contact = lookup_contact(channel, typed, &why)) == NULL) {
		fprintf(stderr, "closeloop find: %s: %s\n", channel ==
		    EVENT_CHANNEL_EMAIL ? "--email" : "--phone", why);
		return EX_DATAERR;
	}
	rc = find_contact(cf, channel, contact, json);
	free(contact);
	return rc;
}
