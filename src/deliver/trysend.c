/*
 * trysend.c - a template tried for real: a test message, sent and
 * recorded apart
 *
 * A test goes through the same channel as a notification, opened for
 * this one message and closed after it: no outbox, no claim, no retry
 * (an operator who gets a temporary failure tries again), no pacing of
 * sms.max_per_second and no sms.quiet_hours, since the one person who
 * receives it asked for it now. The line that marks it as a test is made
 * of the notice's name, the locale and the set's version, each kept to
 * letters, digits, '.', '_' and '-', so that it needs no escaping in
 * the HTML body. The test's id, its Message-ID and the gateway's
 * idempotency key, is "test." with the time in ms and 8 random hex
 * digits, so that it can never be taken for a notification's.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog.h"
#include "chanopts.h"
#include "channels.h"
#include "clock.h"
#include "config.h"
#include "event.h"
#include "log.h"
#include "mail.h"
#include "mailmsg.h"
#include "mime.h"
#include "notice.h"
#include "operator.h"
#include "optout.h"
#include "redis.h"
#include "render.h"
#include "sms.h"
#include "syntax.h"
#include "trysend.h"
#include "xmalloc.h"

/* The sender of a message built without email.from, reaching no one. */
#define TRYSEND_FROM_NONE	"closeloop@example.invalid"

/* How the line that marks a test stands first in the HTML body. */
#define TRYSEND_HTML_LINE	"<p lang=\"en\" style=\"margin:0;" \
	"padding:8px 16px;background-color:#fff3cd;color:#1a1a1a;" \
	"font-family:Arial,Helvetica,sans-serif;font-size:14px;\">%s</p>\n"

/* Check that a channel is set up. */
int
trysend_ready(const struct config *cf, int channel, char **cause)
{
	if (channel == EVENT_CHANNEL_SMS &&
	    cf->sms_profile == CONFIG_SMS_NONE) {
		*cause = xstrdup("sms.gateway is not set: there is no SMS "
		    "gateway to send through");
		return -1;
	}
	if (channel != EVENT_CHANNEL_SMS && cf->email_host == NULL) {
		*cause = xstrdup("email.smtp is not set: there is no SMTP "
		    "relay to send through");
		return -1;
	}
	return 0;
}

/* Return s (copied) with every byte but [A-Za-z0-9._-] made '?'. */
static char *
trysend_plain(const char *s)
{
	char	*out = xstrdup(s), *p;

	for (p = out; *p != '\0'; p++) {
		if (strchr("._-", *p) == NULL && !(*p >= 'a' && *p <= 'z') &&
		    !(*p >= 'A' && *p <= 'Z') && !(*p >= '0' && *p <= '9'))
			*p = '?';
	}
	return out;
}

/* Make the line that says m is a test of its template. */
static char *
trysend_line(const struct trysend_msg *m)
{
	char	*locale = trysend_plain(m->locale);
	char	*version = trysend_plain(m->version), *line;

	line = xasprintf("This is a test of template %s (locale %s, template "
	    "set %s): no resident was sent this message.", m->notice, locale,
	    version);
	free(locale);
	free(version);
	return line;
}

/*
 * Return html with the line, as a paragraph, first in its body: just
 * after the <body> tag, or at the start if it has none.
 */
static char *
trysend_html(const char *html, const char *line)
{
	const char	*p, *q, *at = html;
	char		*para, *out;

	for (p = html; *p != '\0'; p++) {
		if (strncasecmp(p, "<body", 5) != 0 || p[5] == '\0' ||
		    strchr("> \t\r\n", p[5]) == NULL)
			continue;
		if ((q = strchr(p, '>')) != NULL)
			at = q + (q[1] == '\n' ? 2 : 1);
		break;
	}
	para = xasprintf(TRYSEND_HTML_LINE, line);
	out = xasprintf("%.*s%s%s%s", (int)(at - html), html,
	    at > html && at[-1] != '\n' ? "\n" : "", para, at);
	free(para);
	return out;
}

/* Mark what was rendered for an email as a test. */
static void
trysend_mark(struct render_out *out, const char *line)
{
	char	*s;

	s = xasprintf("%s%s", TRYSEND_SUBJECT, out->subject);
	free(out->subject);
	out->subject = s;
	s = xasprintf("%s\n\n%s", line, out->text);
	free(out->text);
	out->text = s;
	s = trysend_html(out->html, line);
	free(out->html);
	out->html = s;
}

/* Build the email of what was rendered into m; 0, or -1 with *cause. */
static int
trysend_mail(const struct config *cf, struct render_out *out,
    struct trysend_msg *m, char **cause)
{
	struct mime_msg	 mm;
	char		*mid;
	int		 rc;

	if (m->line != NULL)
		trysend_mark(out, m->line);
	mid = mailmsg_id(cf, m->id);
	mailmsg_fill(cf, out, m->to, mid, clock_now() / 1000, &mm);
	if (mm.from_addr == NULL)
		mm.from_addr = TRYSEND_FROM_NONE;
	rc = mime_build(&mm, &m->data, &m->len, cause);
	free(mid);
	return rc;
}

/* Render a notice and build its message for one address. */
int
trysend_build(const struct config *cf, const struct catalog *cat,
    const struct notice *n, int channel, const char *to,
    struct trysend_msg *m, char **cause)
{
	struct render_out	 out;
	const char		*why;
	char			 hex[9];

	memset(m, 0, sizeof *m);
	if (n->nto == 0) {
		*cause = xstrdup("the notice has no recipient");
		return -1;
	}
	if (to != NULL && (channel == EVENT_CHANNEL_SMS ?
	    syntax_phone(to, &why) : syntax_email(to, &why)) != 0) {
		*cause = xasprintf("%s: %s", channel == EVENT_CHANNEL_SMS ?
		    "not a phone number (E.164, +CC...)" : "not an email "
		    "address", why);
		return -1;
	}
	if (render_notice(cf, cat, n, 0, channel == EVENT_CHANNEL_SMS ?
	    RENDER_SMS : RENDER_EMAIL, clock_now() / 1000, &out, cause) != 0)
		return -1;
	m->channel = channel;
	m->to = xstrdup(to != NULL ? to : n->to[0].address);
	m->notice = vocab_notice_name(n->notice);
	m->sr = xstrdup(n->sr);
	m->locale = out.locale;
	out.locale = xstrdup(m->locale);
	m->version = xstrdup(catalog_version(cat));
	if (to != NULL) {
		if (digest_random_hex(hex, 4) != 0)
			memcpy(hex, "00000000", sizeof hex);
		m->id = xasprintf("test.%lld.%s", (long long)clock_now(), hex);
		m->line = trysend_line(m);
	} else
		m->id = xasprintf("%s/0", n->id);
	if (channel == EVENT_CHANNEL_SMS) {
		m->data = xasprintf("%s%s", to != NULL ? TRYSEND_SMS : "",
		    out.sms);
		m->len = strlen(m->data);
	} else if (trysend_mail(cf, &out, m, cause) != 0) {
		render_out_clear(&out);
		trysend_msg_clear(m);
		return -1;
	}
	render_out_clear(&out);
	digest_sha256(m->data, m->len, m->sha256);
	return 0;
}

/* Free a built message. */
void
trysend_msg_clear(struct trysend_msg *m)
{
	if (m == NULL)
		return;
	free(m->id);
	free(m->to);
	free(m->sr);
	free(m->locale);
	free(m->version);
	free(m->line);
	free(m->data);
	memset(m, 0, sizeof *m);
}

/* Return the key of the test trail. */
char *
trysend_trail_key(const struct config *cf)
{
	return xasprintf("%stest:trail", cf->redis_prefix);
}

/* Called by the channel when the message's outcome is known. */
static void
trysend_done(struct channel_msg *msg, void *arg)
{
	(void)msg;
	*(int *)arg = 1;
}

/*
 * Send m through the channel cf sets up, filling msg->result. Returns
 * nothing: every failure is an outcome.
 */
static void
trysend_channel(const struct config *cf, const struct trysend_msg *m,
    struct channel_msg *msg)
{
	const struct channel	*ch;
	struct mail_options	 mo;
	struct sms_options	 so;
	void			*h;
	char			*cause = NULL;
	int			 done = 0;

	if (m->channel == EVENT_CHANNEL_SMS) {
		chanopts_sms(cf, &so);
		ch = channels_find("sms");
		h = ch->open(&so, &cause);
	} else {
		chanopts_mail(cf, &mo);
		ch = channels_find("mail");
		h = ch->open(&mo, &cause);
	}
	if (h == NULL) {
		channel_result(&msg->result, SEND_PERMFAIL, "the %s client "
		    "could not be set up: %s", m->channel == EVENT_CHANNEL_SMS ?
		    "SMS" : "SMTP", cause);
		free(cause);
		return;
	}
	msg->id = m->id;
	msg->from = cf->email_from_addr;
	msg->to = m->to;
	msg->data = m->data;
	msg->len = m->len;
	ch->send(h, msg, 1, trysend_done, &done);
	while (!done)
		ch->run(h, 1000);
	ch->close(h);
}

/*
 * Return 1 if m is an SMS to a number that texted STOP, 0 if not or if
 * it cannot be known (r NULL, or Redis failing: its record fails too).
 */
static int
trysend_opted(struct redis *r, const struct config *cf,
    const struct trysend_msg *m)
{
	const char	*phone = m->to;
	char		*cause = NULL;
	int		 opted = 0;

	if (r == NULL || m->channel != EVENT_CHANNEL_SMS)
		return 0;
	if (optout_check(r, cf, &phone, 1, &opted, &cause) != 0) {
		free(cause);
		return 0;
	}
	return opted;
}

/* Record a test send in the test trail; fills res->trail_*. */
static void
trysend_record(struct redis *r, const struct config *cf,
    const struct trysend_msg *m, const char *who, struct trysend_result *res)
{
	struct redis_reply	*rep;
	char			*key, *cause = NULL, at[32], max[16];

	if (r == NULL) {
		res->trail_error = xstrdup("no connection to Redis");
		return;
	}
	key = trysend_trail_key(cf);
	snprintf(at, sizeof at, "%lld", (long long)clock_now());
	snprintf(max, sizeof max, "%d", TRYSEND_TRAIL_MAX);
	rep = redis_command(r, &cause, "XADD %s MAXLEN ~ %s * at %s "
	    "operator %s channel %s to %s notice %s locale %s "
	    "template_version %s content_sha256 %s sample_sr %s outcome %s "
	    "reply %s", key, max, at, who, event_channel_name(m->channel),
	    res->to, m->notice, m->locale, m->version, m->sha256, m->sr,
	    channel_status_name(res->status), res->reply);
	free(key);
	if (rep == NULL)
		res->trail_error = cause;
	else if (rep->type != REDIS_TYPE_STRING)
		res->trail_error = xasprintf("XADD: %s", rep->str != NULL ?
		    rep->str : "unexpected reply");
	else
		res->trail_id = xstrdup(rep->str);
	redis_reply_free(rep);
}

/* Send a test message and record it in the test trail. */
enum send_status
trysend_post(struct redis *r, const struct config *cf,
    const struct trysend_msg *m, const char *who, struct trysend_result *res)
{
	struct channel_msg	 msg;
	char			*cause = NULL, *clean;

	memset(res, 0, sizeof *res);
	memset(&msg, 0, sizeof msg);
	res->to = event_mask_contact(m->channel, m->to);
	if (m->line == NULL)
		channel_result(&msg.result, SEND_PERMFAIL, "not a test: "
		    "build it with an address");
	else if (trysend_ready(cf, m->channel, &cause) != 0) {
		channel_result(&msg.result, SEND_PERMFAIL, "%s", cause);
		free(cause);
	} else if (trysend_opted(r, cf, m))
		channel_result(&msg.result, SEND_PERMFAIL, "%s texted STOP: "
		    "closeloop sends it nothing, tests included", res->to);
	else
		trysend_channel(cf, m, &msg);
	res->status = msg.result.status;
	res->reply = msg.result.reply != NULL ? msg.result.reply :
	    xstrdup("");
	msg.result.reply = NULL;
	channel_result_clear(&msg.result);
	clean = who != NULL ? log_clean(who, strlen(who), OPERATOR_MAX) :
	    xstrdup("unknown");
	trysend_record(r, cf, m, clean, res);
	free(clean);
	return res->status;
}

/* Build a test of a notice and send it. */
enum send_status
trysend_send(struct redis *r, const struct config *cf,
    const struct catalog *cat, const struct notice *n, int channel,
    const char *to, const char *who, struct trysend_result *res)
{
	struct trysend_msg	 m;
	char			*cause = NULL;

	if (trysend_build(cf, cat, n, channel, to, &m, &cause) != 0) {
		memset(res, 0, sizeof *res);
		res->status = SEND_PERMFAIL;
		res->reply = cause;
		res->to = event_mask_contact(channel, to != NULL ? to : "");
		return res->status;
	}
	trysend_post(r, cf, &m, who, res);
	trysend_msg_clear(&m);
	return res->status;
}

/* Free a result. */
void
trysend_result_clear(struct trysend_result *res)
{
	if (res == NULL)
		return;
	free(res->reply);
	free(res->to);
	free(res->trail_id);
	free(res->trail_error);
	memset(res, 0, sizeof *res);
}
