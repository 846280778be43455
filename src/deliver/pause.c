/*
 * pause.c - a channel stopped by an operator or by its breaker
 *
 * pause.h gives the key. Pausing and resuming each run as one script, so
 * that the pause, its expiry and its line in the operators' record
 * (PREFIXweb:audit) are written together - the line first, so that a
 * record Redis refuses (the key is not a stream) changes nothing; the claim script (outbox.c)
 * reads the key before it claims anything. Each also adds an entry to
 * the wake-up stream (wake.h), so that the daemons' workers look again.
 */
#include "build.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "datefmt.h"
#include "event.h"
#include "operator.h"
#include "pause.h"
#include "redis.h"
#include "redisscript.h"
#include "wake.h"
#include "xmalloc.h"

static struct redisscript pause_set_script = {
	"pause",
	"if ARGV[7] == '1' and redis.call('EXISTS', KEYS[1]) == 1 then\n"
	"  return 0\n"
	"end\n"
	"redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[8], '*', 'what',\n"
	"    'pause', 'user', ARGV[1], 'peer', ARGV[6], 'at', ARGV[4],\n"
	"    'detail', ARGV[9])\n"
	"redis.call('DEL', KEYS[1])\n"
	"redis.call('HSET', KEYS[1], 'by', ARGV[1], 'reason', ARGV[2],\n"
	"    'note', ARGV[3], 'at', ARGV[4], 'until', ARGV[5])\n"
	"if tonumber(ARGV[5]) > 0 then\n"
	"  redis.call('PEXPIREAT', KEYS[1], ARGV[5])\n"
	"end\n"
	"redis.call('XADD', KEYS[3], 'MAXLEN', '~', '" WAKE_MAXLEN "', '*',\n"
	"    'what', 'pause', 'from', ARGV[6])\n"
	"return 1\n",
	""
};

static struct redisscript pause_clear_script = {
	"resume",
	"local was = redis.call('EXISTS', KEYS[1])\n"
	"redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'what',\n"
	"    'resume', 'user', ARGV[1], 'peer', ARGV[2], 'at', ARGV[3],\n"
	"    'detail', ARGV[5] .. (was == 1 and '' or ' (was not paused)'))\n"
	"redis.call('DEL', KEYS[1])\n"
	"redis.call('XADD', KEYS[3], 'MAXLEN', '~', '" WAKE_MAXLEN "', '*',\n"
	"    'what', 'pause', 'from', ARGV[2])\n"
	"return was\n",
	""
};

/* Return the key of a channel's pause. */
char *
pause_key(const struct config *cf, int channel)
{
	return xasprintf("%spause:%s", cf->redis_prefix,
	    event_channel_name(channel));
}

/* Run one of the two scripts; return its integer reply or -1. */
static int
pause_eval(struct redis *r, struct redisscript *s, int argc,
    const char **argv, char **cause)
{
	struct redis_reply	*reply;
	int			 rc = -1;

	reply = redisscript_eval(r, s, cause, 3, argc, argv, NULL);
	if (reply != NULL && reply->type == REDIS_TYPE_INTEGER)
		rc = (int)reply->integer;
	else if (reply != NULL && cause != NULL)
		*cause = xasprintf("%s: %s", s->name, reply->str != NULL ?
		    reply->str : "unexpected reply");
	redis_reply_free(reply);
	return rc;
}

/* Pause a channel. */
int
pause_set(struct redis *r, const struct config *cf, int channel,
    const char *by, const char *reason, const char *note, int64_t until,
    int64_t now, int only_if_running, char **cause)
{
	const char	*argv[12];
	char		*key, *akey, *wkey, *detail, at[32], untils[32];
	int		 rc;

	key = pause_key(cf, channel);
	akey = operator_stream(cf);
	wkey = wake_key(cf);
	snprintf(at, sizeof at, "%lld", (long long)now);
	snprintf(untils, sizeof untils, "%lld", (long long)until);
	detail = xasprintf("%s paused (%s)%s%s", event_channel_name(channel),
	    reason, *note != '\0' ? ": " : "", note);
	argv[0] = key;
	argv[1] = akey;
	argv[2] = wkey;
	argv[3] = by;
	argv[4] = reason;
	argv[5] = note;
	argv[6] = at;
	argv[7] = untils;
	argv[8] = operator_via();
	argv[9] = only_if_running ? "1" : "0";
	argv[10] = OPERATOR_STREAM_MAXLEN;
	argv[11] = detail;
	rc = pause_eval(r, &pause_set_script, 12, argv, cause);
	free(wkey);
	free(detail);
	free(akey);
	free(key);
	return rc;
}

/* Resume a channel. */
int
pause_clear(struct redis *r, const struct config *cf, int channel,
    const char *by, int64_t now, char **cause)
{
	const char	*argv[8];
	char		*key, *akey, *wkey, *detail, at[32];
	int		 rc;

	key = pause_key(cf, channel);
	akey = operator_stream(cf);
	wkey = wake_key(cf);
	snprintf(at, sizeof at, "%lld", (long long)now);
	detail = xasprintf("%s resumed", event_channel_name(channel));
	argv[0] = key;
	argv[1] = akey;
	argv[2] = wkey;
	argv[3] = by;
	argv[4] = operator_via();
	argv[5] = at;
	argv[6] = OPERATOR_STREAM_MAXLEN;
	argv[7] = detail;
	rc = pause_eval(r, &pause_clear_script, 8, argv, cause);
	free(wkey);
	free(detail);
	free(akey);
	free(key);
	return rc;
}

/* Read a channel's pause. */
int
pause_read(struct redis *r, const struct config *cf, int channel,
    struct pause *p, char **cause)
{
	struct redis_reply	*reply;
	const char		*v;
	char			*key;

	memset(p, 0, sizeof *p);
	key = pause_key(cf, channel);
	reply = redis_command(r, cause, "HGETALL %s", key);
	free(key);
	if (reply == NULL)
		return -1;
	if (reply->type != REDIS_TYPE_ARRAY) {
		if (cause != NULL)
			*cause = xasprintf("reading the pause: %s",
			    reply->str != NULL ? reply->str :
			    "unexpected reply");
		redis_reply_free(reply);
		return -1;
	}
	if (reply->elements > 0) {
		p->paused = 1;
		v = redis_reply_field(reply, "by");
		p->by = xstrdup(v != NULL ? v : "?");
		v = redis_reply_field(reply, "reason");
		p->reason = xstrdup(v != NULL ? v : "operator");
		v = redis_reply_field(reply, "note");
		p->note = xstrdup(v != NULL ? v : "");
		if ((v = redis_reply_field(reply, "at")) != NULL)
			p->at = strtoll(v, NULL, 10);
		if ((v = redis_reply_field(reply, "until")) != NULL)
			p->until = strtoll(v, NULL, 10);
	}
	redis_reply_free(reply);
	return 0;
}

/* Free the strings of a pause. */
void
pause_free_fields(struct pause *p)
{
	if (p == NULL)
		return;
	free(p->by);
	free(p->reason);
	free(p->note);
	memset(p, 0, sizeof *p);
}

/* Parse --until's TIME. */
int64_t
pause_until_parse(const struct config *cf, const char *s, int64_t now)
{
	int64_t	 when;
	size_t	 n = strlen(s);

	if (datefmt_parse_when(s, cf->templates_timezone, now, &when,
	    NULL) != 0)
		return -1;
	/* "30m", "2h", "1d" count back from now: a pause counts forward. */
	if (n > 1 && strchr("mhd", s[n - 1]) != NULL &&
	    isdigit((unsigned char)s[0]))
		when = now + (now - when);
	return when > now ? when : -1;
}
