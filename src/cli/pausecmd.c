/*
 * pausecmd.c - "closeloop pause" and "closeloop resume"
 *
 * An operator stops a channel (a relay misbehaving, a template gone out
 * wrong) and starts it again; pause.h says how every closeloopd sees it.
 * Without a channel, "pause" says what is paused, by whom, why and until
 * when, in local time (templates.timezone).
 */
#include "build.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "clock.h"
#include "cliredis.h"
#include "config.h"
#include "datefmt.h"
#include "event.h"
#include "json.h"
#include "operator.h"
#include "pause.h"
#include "pausecmd.h"
#include "redis.h"
#include "xmalloc.h"

#define PAUSECMD_USAGE \
	"pause [email|sms [--until TIME] [--note TEXT]] [--json] | " \
	"resume email|sms [--json]"

/* Say what is wrong with a command line; return EX_USAGE. */
static int
pausecmd_usage(const char *command, const char *why)
{
	fprintf(stderr, "closeloop %s: %s\nusage: closeloop " PAUSECMD_USAGE
	    "\n", command, why);
	return EX_USAGE;
}

/* Return EVENT_CHANNEL_* for a channel's name, or -1. */
static int
pausecmd_channel(const char *name)
{
	if (strcmp(name, "email") == 0)
		return EVENT_CHANNEL_EMAIL;
	if (strcmp(name, "sms") == 0)
		return EVENT_CHANNEL_SMS;
	return -1;
}

/* Print one channel's pause, for a person or as a line of JSON. */
static void
pausecmd_print(const struct config *cf, int channel, const struct pause *p,
    int json)
{
	struct json	*j;
	char		 at[32], until[32];

	if (p->paused) {
		datefmt_local(cf->templates_timezone, p->at, at, sizeof at);
		if (p->until != 0)
			datefmt_local(cf->templates_timezone, p->until, until,
			    sizeof until);
	}
	if (!json) {
		if (!p->paused)
			printf("%-5s sending\n", event_channel_name(channel));
		else
			printf("%-5s paused by %s (%s) at %s, %s%s%s%s\n",
			    event_channel_name(channel), p->by, p->reason, at,
			    p->until != 0 ? "until " : "until resumed "
			    "(closeloop resume)", p->until != 0 ? until : "",
			    *p->note != '\0' ? ": " : "", p->note);
		return;
	}
	j = json_new();
	json_set(j, "channel", event_channel_name(channel));
	json_set_bool(j, "paused", p->paused);
	if (p->paused) {
		json_set(j, "by", p->by);
		json_set(j, "reason", p->reason);
		json_set(j, "note", p->note);
		clock_rfc3339(p->at, at);
		json_set(j, "at", at);
		if (p->until != 0) {
			clock_rfc3339(p->until, until);
			json_set(j, "until", until);
		}
	}
	json_print(j, stdout);
	json_free(j);
}

/* Say what is paused. */
static int
pausecmd_status(const struct config *cf, struct redis *r, int json)
{
	struct pause	 p;
	char		*cause = NULL;
	int		 c;

	for (c = EVENT_CHANNEL_EMAIL; c <= EVENT_CHANNEL_SMS; c++) {
		if (pause_read(r, cf, c, &p, &cause) != 0) {
			fprintf(stderr, "closeloop pause: %s\n", cause);
			free(cause);
			return EX_UNAVAILABLE;
		}
		pausecmd_print(cf, c, &p, json);
		pause_free_fields(&p);
	}
	return 0;
}

/* Run "closeloop pause". */
int
pausecmd_pause(const struct config *cf, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "until", required_argument, NULL, 'u' },
		{ "note", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct redis	*r;
	struct pause	 p;
	const char	*until_s = NULL, *note = "";
	char		*by, *cause = NULL;
	int64_t		 now = clock_now(), until = 0;
	int		 ch, json = 0, channel = -1, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == 'j')
			json = 1;
		else if (ch == 'u')
			until_s = optarg;
		else if (ch == 'n')
			note = optarg;
		else
			return pausecmd_usage("pause", "unknown option");
	}
	argc -= optind;
	argv += optind;
	if (argc > 1)
		return pausecmd_usage("pause", "one channel at a time");
	if (argc == 0 && (until_s != NULL || *note != '\0'))
		return pausecmd_usage("pause", "which channel?");
	if (argc == 1 && (channel = pausecmd_channel(argv[0])) < 0)
		return pausecmd_usage("pause", "the channel is email or sms");
	if (until_s != NULL &&
	    (until = pause_until_parse(cf, until_s, now)) < 0) {
		fprintf(stderr, "closeloop pause: --until %s: not a time to "
		    "come (2026-12-07T18:00, 2026-12-07T18:00:00Z, 30m, 2h, "
		    "1d)\n", until_s);
		return EX_USAGE;
	}
	if ((r = cliredis_open(cf, "pause")) == NULL)
		return EX_UNAVAILABLE;
	if (argc == 0) {
		rc = pausecmd_status(cf, r, json);
		redis_free(r);
		return rc;
	}
	by = operator_name();
	rc = pause_set(r, cf, channel, by, "operator", note, until, now, 0,
	    &cause);
	free(by);
	if (rc < 0) {
		fprintf(stderr, "closeloop pause: %s\n", cause);
		free(cause);
		redis_free(r);
		return EX_UNAVAILABLE;
	}
	if (pause_read(r, cf, channel, &p, NULL) == 0) {
		pausecmd_print(cf, channel, &p, json);
		pause_free_fields(&p);
	}
	redis_free(r);
	return 0;
}

/* Run "closeloop resume". */
int
pausecmd_resume(const struct config *cf, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct redis	*r;
	struct json	*j;
	char		*by, *cause = NULL;
	int		 ch, json = 0, channel, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch != 'j')
			return pausecmd_usage("resume", "unknown option");
		json = 1;
	}
	argc -= optind;
	argv += optind;
	if (argc != 1 || (channel = pausecmd_channel(argv[0])) < 0)
		return pausecmd_usage("resume", "which channel: email or sms?");
	if ((r = cliredis_open(cf, "resume")) == NULL)
		return EX_UNAVAILABLE;
	by = operator_name();
	rc = pause_clear(r, cf, channel, by, clock_now(), &cause);
	free(by);
	redis_free(r);
	if (rc < 0) {
		fprintf(stderr, "closeloop resume: %s\n", cause);
		free(cause);
		return EX_UNAVAILABLE;
	}
	if (json) {
		j = json_new();
		json_set(j, "channel", event_channel_name(channel));
		json_set_bool(j, "was_paused", rc == 1);
		json_set_bool(j, "paused", 0);
		json_print(j, stdout);
		json_free(j);
	} else
		printf("%s %s\n", event_channel_name(channel), rc == 1 ?
		    "resumed: what waited goes out now" : "was not paused");
	return 0;
}
