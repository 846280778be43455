/*
 * find.c - "closeloop find": a resident's SRs, from their address or number
 *
 * For division staff on the phone with a resident who gives an email
 * address or a phone number, not an SR number. The contact's set of SRs
 * is named by a keyed hash of it (lookup.h); each SR in it is read from
 * its state (srlist.h), which must still exist and still have the
 * contact. An SR is a line:
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
#include "srlist.h"
#include "srstate.h"
#include "xmalloc.h"

/* Print one SR as a line for a person, or as a JSON object. */
static void
find_print(const struct config *cf, const struct srlist_item *f, int json)
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
	struct srlist	*l = NULL;
	struct redis	*r = NULL;
	char		*cause = NULL;
	size_t		 i;
	const char	*what = channel == EVENT_CHANNEL_EMAIL ? "address" :
			    "number";
	int		 rc = EX_UNAVAILABLE;

	if ((r = redisconn_open(cf, &cause)) == NULL ||
	    srlist_contact(r, cf, channel, contact, &l, &cause) != 0)
		goto fail;
	for (i = 0; i < l->n; i++)
		find_print(cf, &l->items[i], json);
	if (l->n > 0 && !json)
		printf("(%zu SR%s; times in %s)\n", l->n,
		    l->n == 1 ? "" : "s", cf->templates_timezone);
	else if (l->n == 0 && !json)
		printf("no SR found for that %s (only the whole %s finds "
		    "one; SRs whose state has expired are not listed)\n",
		    what, what);
	rc = l->n > 0 ? 0 : 1;
fail:
	if (cause != NULL)
		fprintf(stderr, "closeloop find: %s\n", cause);
	srlist_free(l);
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
