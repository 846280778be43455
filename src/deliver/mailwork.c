/*
 * mailwork.c - a worker that delivers email notifications
 *
 * One batch is at most email.messages_per_session notifications claimed
 * together, sent over one SMTP session (connection reuse). A message's
 * Message-ID comes from its notification id, so a message sent again
 * after an interrupted attempt or a retry is recognisable as the same
 * message; its envelope sender names it too (mailmsg_sender()), so that
 * a bounce report finds it. A notification that cannot be rendered or
 * built (a template missing from the set, a header that would be unsafe)
 * fails for good and is dead-lettered, with the cause.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "chanopts.h"
#include "channel.h"
#include "clock.h"
#include "claim.h"
#include "config.h"
#include "deliver.h"
#include "digest.h"
#include "event.h"
#include "generation.h"
#include "keep.h"
#include "link.h"
#include "log.h"
#include "mail.h"
#include "mailmsg.h"
#include "mailwork.h"
#include "mime.h"
#include "notice.h"
#include "outbox.h"
#include "outcome.h"
#include "redis.h"
#include "render.h"
#include "xmalloc.h"

/* A worker's own connections. */
struct mailwork {
	struct deliver		*d;
	struct redis		*r;
	const struct channel	*ch;	/* mail, or null in a dry run */
	void			*c;	/* ch's handle, or NULL */
	struct generation	*mg;	/* the generation c was made for */
	int			 down;
	int			 gave_up;	/* see deliver_record() */
	struct deliver_pending	 pending;	/* the last outcome sent */
};

/* One batch being sent. */
struct mailwork_batch {
	struct mailwork		*w;
	struct generation	*g;
};

/* One message of a batch, and what it put before the resident. */
struct mailwork_msg {
	const struct outbox_item	*it;
	struct outcome_content		 c;	/* c.version: the set's */
	int				 built;	/* c is filled in */
	char				*subject;
	char				*text;
	char				*locale;
	char				*from;	/* the envelope sender */
	struct keep			*kept;	/* c.kept */
};

/* Write the outcome of a notification that did not go to the server. */
static void
mailwork_outcome(struct mailwork_batch *b, const struct mailwork_msg *mm,
    const struct send_result *res)
{
	struct mailwork	*w = b->w;

	deliver_record_settle(w->d, &w->r, &w->gave_up, &w->pending);
	deliver_record(w->d, &w->r, &w->gave_up, b->g->cf, mm->it, res,
	    mm->built ? &mm->c : NULL, "email");
}

/*
 * Called by the channel as each message's outcome is known: the outcome
 * is sent to Redis at once and its reply read as the next one is sent,
 * or as the session ends, so that the session goes on meanwhile.
 */
static void
mailwork_done(struct channel_msg *msg, void *arg)
{
	struct mailwork_batch		*b = arg;
	const struct mailwork_msg	*mm = msg->arg;
	struct mailwork			*w = b->w;

	deliver_record_send(w->d, &w->r, &w->gave_up, &w->pending, b->g->cf,
	    mm->it, &msg->result, mm->built ? &mm->c : NULL, "email");
}

/* Free what a message's record of its content holds. */
static void
mailwork_msg_clear(struct mailwork_msg *mm)
{
	free(mm->subject);
	free(mm->text);
	free(mm->locale);
	free(mm->from);
	keep_free(mm->kept);
	memset(mm, 0, sizeof *mm);
}

/*
 * Make the copy of the message data (len bytes, built from mm) that
 * mw keeps, the tokens of the one-click link and of the answer links
 * (in out) blanked and the link to the resident's page kept whole; a
 * copy that cannot be made is logged, and the message goes out unkept.
 */
static void
mailwork_keep(const struct config *cf, struct mailwork_msg *mw,
    const struct mime_msg *mm, const char *data, size_t len,
    const struct render_out *out)
{
	char	*secrets[2], *cause = NULL;
	size_t	 n = 0;

	if (!cf->audit_keep_messages)
		return;
	if ((secrets[n] = link_secret(out->unsubscribe_url)) != NULL)
		n++;
	/* The three answer links share the question's token. */
	if ((secrets[n] = link_secret(out->answer_url[0])) != NULL)
		n++;
	mw->kept = keep_mail(mm, data, len, (const char *const *)secrets, n,
	    &cause);
	if (mw->kept == NULL) {
		log_warn("email: %s is not kept: %s", mw->it->id, cause);
		free(cause);
	}
	mw->c.kept = mw->kept;
	while (n > 0)
		free(secrets[--n]);
}

/*
 * Return text as the trail keeps it: every link of out that works (the
 * one-click link, the answer links) with its token redacted.
 */
static char *
mailwork_redact(const char *text, const struct render_out *out)
{
	char	*safe, *next;
	size_t	 i;

	safe = link_redact(text, out->unsubscribe_url);
	for (i = 0; i < RENDER_ANSWERS; i++) {
		next = link_redact(safe, out->answer_url[i]);
		free(safe);
		safe = next;
	}
	return safe;
}

/*
 * Render and build the message of notification mw->it into msg, keeping
 * what the resident will see in mw. Returns 0, or -1 with the permanent
 * failure set in msg->result.
 */
static int
mailwork_build(const struct generation *g, struct mailwork_msg *mw,
    struct channel_msg *msg)
{
	const struct config	*cf = g->cf;
	const struct outbox_item *it = mw->it;
	struct render_out	 out;
	struct mime_msg		 mm;
	char			*cause = NULL, *mid, *data;
	size_t			 len;
	int64_t			 when;
	int			 rc;

	msg->arg = mw;
	if (it->notice == NULL) {
		channel_result(&msg->result, SEND_PERMFAIL, "the record of "
		    "this notification is damaged");
		return -1;
	}
	if (outbox_render_when(it, catalog_version(g->cat), clock_now() / 1000,
	    &when, &cause) != 0) {
		channel_result(&msg->result, SEND_PERMFAIL, "%s", cause);
		free(cause);
		return -1;
	}
	if (render_notice(cf, g->cat, it->notice, 0, RENDER_EMAIL, when,
	    &out, &cause) != 0) {
		channel_result(&msg->result, SEND_PERMFAIL, "render: %s",
		    cause);
		free(cause);
		return -1;
	}
	mid = mailmsg_id(cf, it->id);
	mailmsg_fill(cf, &out, it->notice->to[0].address, mid,
	    clock_now() / 1000, &mm);
	rc = mime_build(&mm, &data, &len, &cause);
	if (rc != 0) {
		channel_result(&msg->result, SEND_PERMFAIL, "message: %s",
		    cause);
		free(cause);
	} else {
		mw->from = mailmsg_sender(cf, it->id);
		msg->from = mw->from;
		msg->to = it->notice->to[0].address;
		msg->data = data;
		msg->len = len;
		digest_sha256(data, len, mw->c.sha256);
		mailwork_keep(cf, mw, &mm, data, len, &out);
		/* The trail keeps no working link: the hash is of what went. */
		mw->subject = mailwork_redact(out.subject, &out);
		mw->text = mailwork_redact(out.text, &out);
		mw->locale = out.locale;
		out.locale = NULL;
		mw->c.subject = mw->subject;
		mw->c.text = mw->text;
		mw->c.locale = mw->locale;
		mw->c.version = catalog_version(g->cat);
		mw->built = 1;
	}
	free(mid);
	render_out_clear(&out);
	return rc;
}

/* Claim, build and send one batch; returns how many were claimed. */
static size_t
mailwork_batch(struct mailwork *w, struct generation *g, int64_t *next_due)
{
	struct mailwork_batch	  b = { w, g };
	struct outbox_item	**items;
	struct channel_msg	 *msgs;
	struct mailwork_msg	 *mws;
	struct mail_options	  o;
	char			 *cause = NULL;
	size_t			  n, i, k = 0;

	if (claim_take(w->r, g->cf, EVENT_CHANNEL_EMAIL,
	    g->cf->redis_consumer, clock_now(),
	    (size_t)g->cf->email_messages_per_session, &items, &n, next_due,
	    &cause) != 0) {
		log_warn("email: %s", cause);
		free(cause);
		redis_free(w->r);
		w->r = NULL;
		return 0;
	}
	msgs = xcalloc(n + 1, sizeof *msgs);
	mws = xcalloc(n + 1, sizeof *mws);
	for (i = 0; i < n; i++) {
		mws[k].it = items[i];
		if (outbox_skip(items[i])) {
			mailwork_outcome(&b, &mws[k], &msgs[k].result);
			continue;
		}
		if (mailwork_build(g, &mws[k], &msgs[k]) != 0) {
			mailwork_outcome(&b, &mws[k], &msgs[k].result);
			channel_result_clear(&msgs[k].result);
			mailwork_msg_clear(&mws[k]);
			continue;
		}
		k++;
	}
	if (k > 0 && w->mg != g) {
		if (w->ch != NULL)
			w->ch->close(w->c);
		generation_drop(w->mg);
		chanopts_mail(g->cf, &o);
		w->mg = generation_hold(g);
		w->c = deliver_channel(w->d, "mail", "email", &o, &w->ch);
	}
	if (k > 0 && w->c == NULL) {
		for (i = 0; i < k; i++) {
			channel_result(&msgs[i].result, SEND_TEMPFAIL,
			    "the SMTP client could not be set up");
			mailwork_done(&msgs[i], &b);
		}
	} else if (k > 0)
		w->ch->send(w->c, msgs, k, mailwork_done, &b);
	deliver_record_settle(w->d, &w->r, &w->gave_up, &w->pending);
	for (i = 0; i < k; i++) {
		free((char *)msgs[i].data);
		channel_result_clear(&msgs[i].result);
		mailwork_msg_clear(&mws[i]);
	}
	free(mws);
	free(msgs);
	for (i = 0; i < n; i++)
		outbox_item_free(items[i]);
	free(items);
	return n;
}

/* The worker's main loop. */
void *
mailwork_main(void *arg)
{
	struct mailwork		 w;
	struct generation	*g;
	unsigned long		 seen;
	int64_t			 next_due, wait;
	size_t			 n, max;

	memset(&w, 0, sizeof w);
	w.d = arg;
	while (!deliver_stopping(w.d)) {
		seen = deliver_kicks(w.d, DELIVER_EMAIL);
		g = deliver_hold(w.d);
		if (deliver_connect(w.d, g, &w.r, "email", &w.down) != 0) {
			generation_drop(g);
			continue;
		}
		next_due = 0;
		max = (size_t)g->cf->email_messages_per_session;
		n = mailwork_batch(&w, g, &next_due);
		generation_drop(g);
		if (n > 0) {
			if (n == max)	/* there may be more: another worker */
				deliver_pass(w.d, DELIVER_EMAIL);
			deliver_nudge(w.d);
			continue;
		}
		/* Nothing due: sleep until the next is, or until kicked. */
		wait = next_due != 0 ? next_due - clock_now() : DELIVER_FOREVER;
		deliver_wait(w.d, DELIVER_EMAIL, seen, wait);
	}
	if (w.ch != NULL)
		w.ch->close(w.c);
	generation_drop(w.mg);
	redis_free(w.r);
	return NULL;
}
