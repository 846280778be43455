/*
 * opsact.c - what an operator request does (opsreq.h)
 *
 * opsact.h lists the actions and their fields. Each is carried out by
 * the function closeloop's command calls (pause.h, steer.h,
 * deadletter.h, suppress.h, trysend.h), so a request from the console
 * and a command at a shell leave the same record; what is said back
 * names contacts masked, as the log does.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "channel.h"
#include "clock.h"
#include "config.h"
#include "datefmt.h"
#include "deadletter.h"
#include "event.h"
#include "log.h"
#include "notice.h"
#include "opsact.h"
#include "pause.h"
#include "redis.h"
#include "sample.h"
#include "steer.h"
#include "suppress.h"
#include "syntax.h"
#include "trysend.h"
#include "xmalloc.h"

/* Most notification ids one send-now request names. */
#define OPSACT_IDS_MAX	100

/* What a send-now request has said so far. */
struct opsact_said {
	char	*text;
	int	 shown;
};

/* Return a field of the request, "" if absent. */
static const char *
opsact_field(const struct redis_reply *f, const char *name)
{
	const char	*v = redis_reply_field(f, name);

	return v != NULL ? v : "";
}

/* Return EVENT_CHANNEL_* for a channel field, or -1 with *result. */
static int
opsact_channel(const struct redis_reply *f, char **result)
{
	const char	*v = opsact_field(f, "channel");

	if (strcmp(v, "email") == 0)
		return EVENT_CHANNEL_EMAIL;
	if (strcmp(v, "sms") == 0)
		return EVENT_CHANNEL_SMS;
	*result = xstrdup("channel: email or sms");
	return -1;
}

/* Pause a channel. */
static int
opsact_pause(struct redis *r, const struct config *cf,
    const struct redis_reply *f, const char *by, char **result)
{
	const char	*until_s = opsact_field(f, "until");
	char		*cause = NULL, local[32];
	int64_t		 now = clock_now(), until = 0;
	int		 ch;

	if ((ch = opsact_channel(f, result)) < 0)
		return -1;
	if (*until_s != '\0' &&
	    (until = pause_until_parse(cf, until_s, now)) < 0) {
		*result = xasprintf("until: \"%.64s\" is not a time to come "
		    "(2026-12-07T18:00, 30m, 2h, 1d)", until_s);
		return -1;
	}
	if (pause_set(r, cf, ch, by, "operator", opsact_field(f, "note"),
	    until, now, 0, &cause) < 0) {
		*result = cause;
		return -1;
	}
	if (until != 0)
		datefmt_local(cf->templates_timezone, until, local,
		    sizeof local);
	*result = xasprintf("%s paused%s%s", event_channel_name(ch),
	    until != 0 ? " until " : " until resumed", until != 0 ? local : "");
	return 0;
}

/* Resume a channel. */
static int
opsact_resume(struct redis *r, const struct config *cf,
    const struct redis_reply *f, const char *by, char **result)
{
	char	*cause = NULL;
	int	 ch, rc;

	if ((ch = opsact_channel(f, result)) < 0)
		return -1;
	if ((rc = pause_clear(r, cf, ch, by, clock_now(), &cause)) < 0) {
		*result = cause;
		return -1;
	}
	*result = xasprintf("%s %s", event_channel_name(ch), rc == 1 ?
	    "resumed" : "was not paused");
	return 0;
}

/* Note what became of one notification of a send-now. */
static void
opsact_say(const char *id, const char *sr, enum steer_result res,
    const char *detail, void *arg)
{
	struct opsact_said	*s = arg;
	const char		*quiet = NULL;
	char			*more;

	(void)sr;
	/* A moved one is worth a word only while quiet hours hold it. */
	if (res == STEER_MOVED &&
	    (strstr(detail, "quiet_hours are in force") == NULL ||
	    (quiet = strstr(detail, "but ")) == NULL))
		return;
	if (s->shown++ >= 5)
		return;
	more = xasprintf("%s; %s: %s", s->text, id, quiet != NULL ? quiet + 4 :
	    detail);
	free(s->text);
	s->text = more;
}

/* Send waiting notifications now. */
static int
opsact_send_now(struct redis *r, const struct config *cf,
    const struct redis_reply *f, const char *by, char **result)
{
	struct steer_pick	 pick;
	struct opsact_said	 said = { NULL, 0 };
	char			*ids, *word, *save = NULL, *cause = NULL;
	const char		*list[OPSACT_IDS_MAX], *why;
	long			 moved;

	memset(&pick, 0, sizeof pick);
	ids = xstrdup(opsact_field(f, "ids"));
	for (word = strtok_r(ids, " \t\r\n,", &save); word != NULL &&
	    pick.nids < OPSACT_IDS_MAX; word = strtok_r(NULL, " \t\r\n,",
	    &save))
		list[pick.nids++] = word;
	pick.ids = list;
	if (*opsact_field(f, "sr") != '\0')
		pick.sr = opsact_field(f, "sr");
	if (*opsact_field(f, "reason") != '\0')
		pick.reason = opsact_field(f, "reason");
	if ((pick.nids > 0) + (pick.sr != NULL) + (pick.reason != NULL) != 1) {
		*result = xstrdup("name notifications, or one SR, or one "
		    "reason");
		free(ids);
		return -1;
	}
	if (pick.sr != NULL && syntax_sr(pick.sr, &why) != 0) {
		*result = xasprintf("sr: %s", why);
		free(ids);
		return -1;
	}
	said.text = xstrdup("");
	moved = steer_send_now(r, cf, &pick, by, clock_now(), opsact_say,
	    &said, &cause);
	free(ids);
	if (moved < 0) {
		free(said.text);
		*result = cause;
		return -1;
	}
	*result = xasprintf("%ld notification%s made due now%s", moved,
	    moved == 1 ? "" : "s", said.text);
	free(said.text);
	return pick.nids > 0 && moved < (long)pick.nids ? -1 : 0;
}

/* Send a notification again. */
static int
opsact_resend(struct redis *r, const struct config *cf,
    const struct catalog *cat, const struct redis_reply *f, const char *by,
    char **result)
{
	const char	*id = opsact_field(f, "id");
	char		*newid = NULL, *cause = NULL;
	int		 same;

	if (*id == '\0') {
		*result = xstrdup("id: which notification?");
		return -1;
	}
	same = strcmp(opsact_field(f, "same_content"), "1") == 0;
	if (steer_resend(r, cf, id, catalog_version(cat), same, by,
	    clock_now(), &newid, &cause) != 0) {
		*result = cause;
		return -1;
	}
	*result = xasprintf("%s queued again as %s", id, newid);
	free(newid);
	return 0;
}

/*
 * Drop one dead letter, as deadletter_each() finds it; the first
 * failure's cause is kept in why[0].
 */
static int
opsact_drop_one(const struct config *cf, struct redis *r, const char *entry,
    const struct redis_reply *fields, void *arg)
{
	char	**why = arg, *cause = NULL;
	int	  rc;

	rc = deadletter_drop(r, cf, entry, fields, why[1],
	    "the console's Operations page", &cause);
	if (rc != 0 && why[0] == NULL)
		why[0] = cause != NULL ? cause : xasprintf("%.64s: not "
		    "dropped", entry);
	else
		free(cause);
	return rc;
}

/* Drop a dead letter. */
static int
opsact_drop(struct redis *r, const struct config *cf,
    const struct redis_reply *f, const char *by, char **result)
{
	const char	*id = opsact_field(f, "id");
	char		*why[2] = { NULL, (char *)by }, *cause = NULL;
	int		 n, failed;

	n = deadletter_each(r, cf, id, opsact_drop_one, why, &failed, &cause);
	if (n <= 0 || failed) {
		*result = n < 0 ? cause : n == 0 ? xasprintf("%.64s: no such "
		    "dead letter", id) : why[0];
		if (n > 0)
			why[0] = NULL;
		free(why[0]);
		return -1;
	}
	*result = xasprintf("%.64s: dropped", id);
	return 0;
}

/* Let an address off the suppression list. */
static int
opsact_unsuppress(struct redis *r, const struct config *cf,
    const struct redis_reply *f, const char *by, char **result)
{
	const char	*address = opsact_field(f, "address");
	char		*cause = NULL, *masked;
	int		 rc;

	if (*address == '\0') {
		*result = xstrdup("address: which?");
		return -1;
	}
	masked = strchr(address, '@') != NULL ? log_mask_email(address) :
	    xstrndup(address, 64);
	rc = suppress_clear(r, cf, address, by, clock_now(), &cause);
	if (rc < 0)
		*result = cause;
	else
		*result = xasprintf("%s %s", masked, rc == 1 ? "let off the "
		    "suppression list" : "was not on the suppression list");
	free(masked);
	return rc < 0 ? -1 : 0;
}

/* Send a test of a template. */
static int
opsact_test_send(struct redis *r, const struct config *cf,
    const struct catalog *cat, const struct redis_reply *f, const char *by,
    char **result)
{
	struct trysend_result	 res;
	struct sample		*s;
	struct notice		*n;
	char			*force, *cause = NULL;
	const char		*locale = opsact_field(f, "locale");
	int			 ch, rc;

	if ((ch = opsact_channel(f, result)) < 0)
		return -1;
	s = sample_new();
	force = xasprintf("notice=%s", opsact_field(f, "notice"));
	(void)sample_field(s, force);
	free(force);
	n = sample_notice(cf, s, *locale != '\0' ? locale : NULL, &cause);
	sample_free(s);
	if (n == NULL) {
		*result = cause;
		return -1;
	}
	memset(&res, 0, sizeof res);
	rc = trysend_send(r, cf, cat, n, ch, opsact_field(f, "to"), by,
	    &res) == SEND_OK ? 0 : -1;
	*result = xasprintf("test of %s (%s) to %s: %s%s%s",
	    opsact_field(f, "notice"), event_channel_name(ch),
	    res.to != NULL ? res.to : "?", res.reply != NULL ? res.reply : "",
	    res.trail_error != NULL ? "; not in the test trail: " : "",
	    res.trail_error != NULL ? res.trail_error : "");
	trysend_result_clear(&res);
	notice_free(n);
	return rc;
}

/* Return 1 if the action is known. */
int
opsact_known(const char *action)
{
	static const char *const known[] = { "pause", "resume", "send-now",
	    "resend", "dead-drop", "unsuppress", "test-send" };
	size_t	i;

	for (i = 0; i < sizeof known / sizeof known[0]; i++) {
		if (strcmp(action, known[i]) == 0)
			return 1;
	}
	return 0;
}

/* Carry out a request. */
int
opsact_do(struct redis *r, const struct config *cf, const struct catalog *cat,
    const struct redis_reply *f, const char *by, char **result)
{
	const char	*action = opsact_field(f, "action");

	*result = NULL;
	if (strcmp(action, "pause") == 0)
		return opsact_pause(r, cf, f, by, result);
	if (strcmp(action, "resume") == 0)
		return opsact_resume(r, cf, f, by, result);
	if (strcmp(action, "send-now") == 0)
		return opsact_send_now(r, cf, f, by, result);
	if (strcmp(action, "resend") == 0)
		return opsact_resend(r, cf, cat, f, by, result);
	if (strcmp(action, "dead-drop") == 0)
		return opsact_drop(r, cf, f, by, result);
	if (strcmp(action, "unsuppress") == 0)
		return opsact_unsuppress(r, cf, f, by, result);
	if (strcmp(action, "test-send") == 0)
		return opsact_test_send(r, cf, cat, f, by, result);
	*result = xasprintf("unknown action \"%.32s\"", action);
	return -1;
}
