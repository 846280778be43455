/*
 * question.c - asking a resident whether the work fixed the problem
 *
 * A question's record, its states and what is decided at each of them
 * (question.h). A waiting question falls due feedback.ask_after after
 * the completion went out; it is asked only if the SR is still as that
 * completion left it - told "completed", nothing open nor pending, the
 * same closure - so that a reopening before then, or a transfer told
 * after the completion, cancels it; while a notice is pending the
 * question waits for it. Its answers are answer.c's.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "datefmt.h"
#include "decision.h"
#include "digest.h"
#include "division.h"
#include "event.h"
#include "feedback.h"
#include "notice.h"
#include "question.h"
#include "srhash.h"
#include "srstate.h"
#include "syntax.h"
#include "xmalloc.h"

static const char *question_states[] = {
	"", "waiting", "asked", "answered", "unanswered", "closed",
	"cancelled"
};

static const char *question_answers[] = {
	"", "fixed", "not_fixed", "partly"
};

#define QUESTION_COUNT(t) (sizeof (t) / sizeof (t)[0])

/* How long a question waits behind a pending notice, in ms. */
#define QUESTION_WAIT_MS	1000

/* Make an empty question. */
struct question *
question_new(const char *id)
{
	struct question	*q;

	q = xcalloc(1, sizeof *q);
	q->id = xstrdup(id);
	return q;
}

/* Free a question. */
void
question_free(struct question *q)
{
	if (q == NULL)
		return;
	free(q->id);
	free(q->sr);
	free(q->to);
	free(q->locale);
	free(q->division);
	free(q->service);
	free(q->ward);
	free(q->completion);
	free(q->why);
	free(q->message);
	free(q->comment);
	free(q->answered_via);
	free(q);
}

/* Return the id of the question of a notice for one resident. */
char *
question_id(const char *notice_id, const char *resident)
{
	return xasprintf("%s/%s", notice_id, resident);
}

/* Return 1 if the len bytes at s are 1 to 19 digits. */
static int
question_digits(const char *s, size_t len)
{
	return len > 0 && len < 20 && strspn(s, "0123456789") == len;
}

/* Return 1 if id is a question's id, copying its SR into sr. */
int
question_id_ok(const char *id, char *sr)
{
	const char	*a, *b, *why;
	char		 buf[65];

	if (id == NULL || (a = strchr(id, '/')) == NULL ||
	    (b = strchr(a + 1, '/')) == NULL || (size_t)(a - id) >= sizeof buf)
		return 0;
	memcpy(buf, id, (size_t)(a - id));
	buf[a - id] = '\0';
	if (syntax_sr(buf, &why) != 0 ||
	    !question_digits(a + 1, (size_t)(b - a - 1)) ||
	    !question_digits(b + 1, strlen(b + 1)))
		return 0;
	if (sr != NULL)
		strcpy(sr, buf);
	return 1;
}

/* Return the key of a question's record. */
char *
question_key(const struct config *cf, const char *id)
{
	size_t	len = strcspn(id, "/");

	return xasprintf("%ssr:{%.*s}:q:%s", cf->redis_prefix, (int)len, id,
	    id[len] == '/' ? id + len + 1 : id + len);
}

/* Return the key of the due set of questions. */
char *
question_due_key(const struct config *cf)
{
	return xasprintf("%sask:due", cf->redis_prefix);
}

/* Return the key of the question last asked of a phone. */
char *
question_phone_key(const struct config *cf, const char *phone)
{
	char	hex[DIGEST_HEX_LEN + 1];

	digest_sha256(phone, strlen(phone), hex);
	return xasprintf("%sask:sms:%s", cf->redis_prefix, hex);
}

/* Return the index of name in a table, or 0. */
static int
question_find(const char **table, size_t n, const char *name)
{
	size_t	i;

	for (i = 1; name != NULL && i < n; i++) {
		if (strcmp(table[i], name) == 0)
			return (int)i;
	}
	return 0;
}

/* Return the name of a state. */
const char *
question_state_name(enum question_state state)
{
	if ((size_t)state >= QUESTION_COUNT(question_states))
		return "";
	return question_states[state];
}

/* Return the name of an answer. */
const char *
question_answer_name(enum question_answer answer)
{
	if ((size_t)answer >= QUESTION_COUNT(question_answers))
		return "";
	return question_answers[answer];
}

/* Look up an answer by name. */
enum question_answer
question_answer_parse(const char *name)
{
	return question_find(question_answers,
	    QUESTION_COUNT(question_answers), name);
}

/* Read a time (ms) of the record, or 0. */
static int64_t
question_time(const char *v)
{
	long long	t;

	t = strtoll(v, NULL, 10);
	return t > 0 && t <= SRSTATE_TIME_MAX ? t : 0;
}

/* Fill an empty question from its record. */
int
question_decode(struct question *q, char *const *fields, size_t n)
{
	struct {
		const char	 *name;
		char		**field;
	} strings[] = {
		{ "sr", &q->sr }, { "to", &q->to }, { "locale", &q->locale },
		{ "division", &q->division }, { "service", &q->service },
		{ "ward", &q->ward }, { "completion", &q->completion },
		{ "why", &q->why }, { "message", &q->message },
		{ "comment", &q->comment },
		{ "answered_via", &q->answered_via },
	};
	const char	*name, *v;
	size_t		 i, k;

	for (i = 0; i < n; i++) {
		name = fields[2 * i];
		v = fields[2 * i + 1];
		for (k = 0; k < QUESTION_COUNT(strings); k++) {
			if (strcmp(name, strings[k].name) == 0)
				srstate_set(strings[k].field, v);
		}
		if (strcmp(name, "channel") == 0)
			q->channel = strcmp(v, "sms") == 0 ? EVENT_CHANNEL_SMS :
			    strcmp(v, "email") == 0 ? EVENT_CHANNEL_EMAIL : 0;
		else if (strcmp(name, "state") == 0)
			q->state = question_find(question_states,
			    QUESTION_COUNT(question_states), v);
		else if (strcmp(name, "answer") == 0)
			q->answer = question_answer_parse(v);
		else if (strcmp(name, "closed_at") == 0)
			q->closed_at = question_time(v);
		else if (strcmp(name, "due") == 0)
			q->due = question_time(v);
		else if (strcmp(name, "asked_at") == 0)
			q->asked_at = question_time(v);
		else if (strcmp(name, "answer_by") == 0)
			q->answer_by = question_time(v);
		else if (strcmp(name, "answered_at") == 0)
			q->answered_at = question_time(v);
	}
	if (q->sr == NULL || q->to == NULL || q->channel == 0 ||
	    q->state == QUESTION_NONE)
		return -1;
	return 0;
}

/* Append a field if it is set. */
static void
question_put(char ***fields, size_t *n, const char *name, char *value)
{
	if (value == NULL)
		return;
	*fields = xreallocarray(*fields, 2 * (*n + 1), sizeof **fields);
	(*fields)[2 * *n] = xstrdup(name);
	(*fields)[2 * *n + 1] = value;
	(*n)++;
}

/* Return a copy of s, or NULL if it is NULL or empty. */
static char *
question_dup(const char *s)
{
	return s != NULL && *s != '\0' ? xstrdup(s) : NULL;
}

/* Return a time as text, or NULL if it is 0. */
static char *
question_ms(int64_t t)
{
	return t != 0 ? xasprintf("%lld", (long long)t) : NULL;
}

/* Encode the question for HSET. */
char **
question_encode(const struct question *q, size_t *n)
{
	char	**f = NULL;

	*n = 0;
	question_put(&f, n, "id", question_dup(q->id));
	question_put(&f, n, "sr", question_dup(q->sr));
	question_put(&f, n, "channel", question_dup(q->channel != 0 ?
	    event_channel_name(q->channel) : NULL));
	question_put(&f, n, "to", question_dup(q->to));
	question_put(&f, n, "locale", question_dup(q->locale));
	question_put(&f, n, "division", question_dup(q->division));
	question_put(&f, n, "service", question_dup(q->service));
	question_put(&f, n, "ward", question_dup(q->ward));
	question_put(&f, n, "completion", question_dup(q->completion));
	question_put(&f, n, "closed_at", question_ms(q->closed_at));
	question_put(&f, n, "state",
	    question_dup(question_state_name(q->state)));
	question_put(&f, n, "due", question_ms(q->due));
	question_put(&f, n, "why", question_dup(q->why));
	question_put(&f, n, "message", question_dup(q->message));
	question_put(&f, n, "asked_at", question_ms(q->asked_at));
	question_put(&f, n, "answer_by", question_ms(q->answer_by));
	question_put(&f, n, "answer",
	    question_dup(question_answer_name(q->answer)));
	question_put(&f, n, "comment", question_dup(q->comment));
	question_put(&f, n, "answered_at", question_ms(q->answered_at));
	question_put(&f, n, "answered_via", question_dup(q->answered_via));
	return f;
}

/* Free what question_encode() returned. */
void
question_encode_free(char **fields, size_t n)
{
	srhash_encode_free(fields, n);
}

/*
 * Return 1 if the SR is as the question's completion left it: told
 * "completed", no work open, the same closure; 0 if it moved on. A
 * pending notice makes the question wait (-1).
 */
static int
question_still_done(const struct question *q, const struct srstate *st)
{
	if (st->told != VOCAB_NOTICE_COMPLETED ||
	    srstate_wo_open(st, NULL) != 0 ||
	    (q->closed_at != 0 && st->closed_at != q->closed_at))
		return 0;
	return st->due != 0 ? -1 : 1;
}

/* Return 1 if the SR's state has the question's contact, subscribed. */
static int
question_subscribed(const struct question *q, const struct srstate *st)
{
	size_t	i;

	for (i = 0; i < st->ncontact; i++) {
		if (st->contact[i].channel == q->channel &&
		    strcmp(st->contact[i].address, q->to) == 0)
			return st->contact[i].active;
	}
	return 0;
}

/*
 * Return the rule by which q is not asked now, or NULL if it is; sets
 * *wait if it must wait for a pending notice first.
 */
static const char *
question_why_not(const struct config *cf, const struct question *q,
    const struct srstate *st, int *wait)
{
	const struct division	*dv;
	int64_t			 after;
	int			 done;

	*wait = 0;
	dv = q->division != NULL ? division_find(cf->divisions,
	    cf->ndivisions, q->division) : NULL;
	if (!feedback_when(&cf->feedback, dv != NULL ? &dv->feedback : NULL,
	    q->service, &after))
		return "feedback_off";
	if (q->channel == EVENT_CHANNEL_SMS ? cf->sms_inbound_secret == NULL :
	    cf->feedback_answer_url == NULL ||
	    cf->feedback_answer_secret == NULL)
		return "no_answer_path";
	if (st == NULL)
		return NULL;	/* finished long ago, nothing since */
	if ((done = question_still_done(q, st)) == 0)
		return "no_longer_completed";
	if (!question_subscribed(q, st))
		return "unsubscribed";
	*wait = done < 0;
	return NULL;
}

/* Return the notice that asks question q, for its one contact. */
static struct notice *
question_notice(const struct question *q)
{
	struct notice	*n;

	n = xcalloc(1, sizeof *n);
	n->id = xasprintf("%.*s", (int)(strrchr(q->id, '/') - q->id), q->id);
	n->sr = xstrdup(q->sr);
	n->notice = VOCAB_NOTICE_FEEDBACK;
	n->division = question_dup(q->division);
	n->service = question_dup(q->service);
	n->ward = question_dup(q->ward);
	n->question = xstrdup(q->id);
	n->answer_by = question_ms(q->answer_by);
	n->to = xcalloc(1, sizeof *n->to);
	n->nto = 1;
	n->to[0].channel = q->channel;
	n->to[0].address = xstrdup(q->to);
	n->to[0].locale = question_dup(q->locale);
	return n;
}

/* Say on d which question it is about, whom it asked, by channel. */
void
question_describe(struct decision *d, const struct question *q,
    const char *masked, const char *channel)
{
	decision_set(d, "question", q->id);
	decision_set(d, "channel", channel);
	decision_set(d, "to", masked);
	decision_set(d, "locale", q->locale);
	decision_set(d, "completion", q->completion);
	decision_set(d, "service", q->service);
	decision_set(d, "ward", q->ward);
}

/* Ask a waiting question that is due, or say why it is not asked. */
static enum question_step
question_ask(const struct config *cf, struct question *q,
    const struct srstate *st, int64_t now, struct decision_list *dl,
    struct notice **out)
{
	struct decision	*d;
	const char	*why;
	char		*masked;
	int		 wait;

	if ((why = question_why_not(cf, q, st, &wait)) == NULL && wait) {
		q->due = st->due + QUESTION_WAIT_MS;
		return QUESTION_STEP_NONE;
	}
	masked = event_mask_contact(q->channel, q->to);
	if (why != NULL) {
		q->state = QUESTION_CANCELLED;
		srstate_set(&q->why, why);
		d = decision_add(dl, DECISION_SUPPRESSED, why,
		    VOCAB_NOTICE_FEEDBACK, q->division, NULL, "%s was not "
		    "asked whether the work fixed the problem: %s", masked,
		    strcmp(why, "feedback_off") == 0 ? "feedback.ask is off "
		    "for this division or service type" :
		    strcmp(why, "no_answer_path") == 0 ? "there is no way to "
		    "answer by this channel (feedback.answer_url, "
		    "sms.inbound_secret_file)" :
		    strcmp(why, "unsubscribed") == 0 ? "the contact "
		    "unsubscribed" : "the SR was reopened or moved on after "
		    "the completion");
		question_describe(d, q, masked,
		    event_channel_name(q->channel));
		free(masked);
		return QUESTION_STEP_CANCELLED;
	}
	q->state = QUESTION_ASKED;
	q->asked_at = now;
	q->answer_by = now + cf->feedback_answer_days * 86400000;
	free(q->message);
	q->message = xasprintf("%sq", q->id);
	d = decision_add(dl, DECISION_ASKED, NULL, VOCAB_NOTICE_FEEDBACK,
	    q->division, NULL, "%s asked by %s whether the work fixed the "
	    "problem, as %s; answers taken for %lld day%s", masked,
	    event_channel_name(q->channel), q->message,
	    (long long)cf->feedback_answer_days,
	    cf->feedback_answer_days == 1 ? "" : "s");
	d->recipients = 1;
	question_describe(d, q, masked,
	    event_channel_name(q->channel));
	decision_set(d, "notification", q->message);
	free(masked);
	*out = question_notice(q);
	return QUESTION_STEP_ASKED;
}

/* Act on a question at now. */
enum question_step
question_due(const struct config *cf, struct question *q,
    const struct srstate *st, int64_t now, struct decision_list *dl,
    struct notice **out)
{
	struct decision	*d;
	char		*masked;
	int64_t		 quiet;

	*out = NULL;
	switch (q->state) {
	case QUESTION_WAITING:
		if (q->due > now)
			return QUESTION_STEP_NONE;
		/* Quiet hours in force now (set since it was scheduled). */
		if (q->channel == EVENT_CHANNEL_SMS && (quiet =
		    datefmt_quiet_end(cf->templates_timezone,
		    cf->sms_quiet_start, cf->sms_quiet_end, now)) > now) {
			q->due = quiet;
			return QUESTION_STEP_NONE;
		}
		return question_ask(cf, q, st, now, dl, out);
	case QUESTION_ASKED:
	case QUESTION_ANSWERED:
		if (q->answer_by > now)
			return QUESTION_STEP_NONE;
		if (q->state == QUESTION_ANSWERED) {
			q->state = QUESTION_CLOSED;
			return QUESTION_STEP_CLOSED;
		}
		q->state = QUESTION_UNANSWERED;
		masked = event_mask_contact(q->channel, q->to);
		d = decision_add(dl, DECISION_UNANSWERED, NULL,
		    VOCAB_NOTICE_FEEDBACK, q->division, NULL, "%s did not "
		    "answer within %lld day%s whether the work fixed the "
		    "problem", masked, (long long)cf->feedback_answer_days,
		    cf->feedback_answer_days == 1 ? "" : "s");
		question_describe(d, q, masked,
		    event_channel_name(q->channel));
		decision_set(d, "notification", q->message);
		free(masked);
		return QUESTION_STEP_CLOSED;
	default:
		return QUESTION_STEP_DROP;
	}
}
