/*
 * resptold.c - the notices told about an SR, from its trail and kept copies
 *
 * resptold.h says which message stands for each notice and where its
 * text and details come from. The trail is read first, each "sent"
 * entry copied as it comes; the kept copies and the notifications'
 * records are read after the scan, one of each per notice shown.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "config.h"
#include "keep.h"
#include "mimeread.h"
#include "outbox.h"
#include "redis.h"
#include "render.h"
#include "resptold.h"
#include "syntax.h"
#include "xmalloc.h"

/* The fields of a "sent" entry the page may use. */
enum {
	RESPTOLD_NOTIFICATION, RESPTOLD_CHANNEL, RESPTOLD_LOCALE,
	RESPTOLD_NOTICE, RESPTOLD_DIVISION, RESPTOLD_SUBJECT, RESPTOLD_TEXT,
	RESPTOLD_SMS, RESPTOLD_CONTENT, RESPTOLD_KEPT, RESPTOLD_REDACTED,
	RESPTOLD_NFIELDS
};
static const char *const resptold_fields[RESPTOLD_NFIELDS] = {
	"notification", "channel", "locale", "notice", "division", "subject",
	"text", "sms", "content_sha256", "kept_sha256", "redacted"
};

/* A "sent" entry of the trail. */
struct resptold_sent {
	int64_t	 seq;
	int64_t	 at;
	char	*f[RESPTOLD_NFIELDS];
};

/* What the scan of the trail gathers. */
struct resptold_scan {
	struct resptold_sent	*sent;
	size_t			 n;
};

/* Return an entry's field, or NULL if it is missing or empty. */
static const char *
resptold_field(const struct redis_reply *fields, const char *name)
{
	const char	*v = redis_reply_field(fields, name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* Copy a "sent" entry of the trail. */
static int
resptold_entry(const char *id, const struct redis_reply *fields, void *arg)
{
	struct resptold_scan	*s = arg;
	struct resptold_sent	*e;
	const char		*v, *slash;
	size_t			 i;

	(void)id;
	if ((v = resptold_field(fields, "decision")) == NULL ||
	    strcmp(v, "sent") != 0 ||
	    (v = resptold_field(fields, "notification")) == NULL ||
	    (slash = strchr(v, '/')) == NULL)
		return 0;
	s->sent = xreallocarray(s->sent, s->n + 1, sizeof *s->sent);
	e = &s->sent[s->n++];
	memset(e, 0, sizeof *e);
	e->seq = strtoll(slash + 1, NULL, 10);
	v = resptold_field(fields, "at");
	e->at = v != NULL ? strtoll(v, NULL, 10) : 0;
	for (i = 0; i < RESPTOLD_NFIELDS; i++)
		if ((v = resptold_field(fields, resptold_fields[i])) != NULL)
			e->f[i] = xstrdup(v);
	return 0;
}

/* Read the "sent" entries of SR sr into s. */
static int
resptold_scan(struct redis *r, const struct config *cf, const char *sr,
    struct resptold_scan *s, char **cause)
{
	memset(s, 0, sizeof *s);
	return audit_scan(r, cf, sr, 0, 0, resptold_entry, s, cause);
}

/* Free what a scan gathered. */
static void
resptold_scan_clear(struct resptold_scan *s)
{
	size_t	 i, j;

	for (i = 0; i < s->n; i++)
		for (j = 0; j < RESPTOLD_NFIELDS; j++)
			free(s->sent[i].f[j]);
	free(s->sent);
	memset(s, 0, sizeof *s);
}

/* Score a message for a page in locale: its language, then email. */
static int
resptold_score(const struct resptold_sent *e, const char *locale)
{
	const char	*l = e->f[RESPTOLD_LOCALE];
	size_t		 len;
	int		 score = 0;

	if (l != NULL && locale != NULL) {
		len = strcspn(locale, "-");
		if (strcasecmp(l, locale) == 0)
			score = 4;
		else if (strcspn(l, "-") == len &&
		    strncasecmp(l, locale, len) == 0)
			score = 2;
	}
	if (e->f[RESPTOLD_CHANNEL] != NULL &&
	    strcmp(e->f[RESPTOLD_CHANNEL], "email") == 0)
		score++;
	return score;
}

/* Order notices by sequence. */
static int
resptold_cmp(const void *a, const void *b)
{
	const struct resptold_notice	*x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Copy text without its carriage returns and trailing line breaks. */
static char *
resptold_lines(const char *text)
{
	char	*out, *o;

	out = o = xmalloc(strlen(text) + 1);
	for (; *text != '\0'; text++)
		if (*text != '\r')
			*o++ = *text;
	while (o > out && o[-1] == '\n')
		o--;
	*o = '\0';
	return out;
}

/*
 * Leave out of text (LF line ends) its paragraphs holding the unsubscribe
 * link: those that hold what templates.unsubscribe_url says before its
 * "{sr}" or query.
 */
static void
resptold_unsubscribe(const struct config *cf, char *text)
{
	const char	*url = cf->templates_unsubscribe_url;
	char		*p = text, *end, *o = text;
	size_t		 plen;

	if (url == NULL || (plen = strcspn(url, "{?")) < strlen("https://x"))
		return;
	while (*p != '\0') {
		end = strstr(p, "\n\n");
		end = end != NULL ? end : p + strlen(p);
		while (*end == '\n')
			end++;
		if (memmem(p, (size_t)(end - p), url, plen) == NULL) {
			memmove(o, p, (size_t)(end - p));
			o += end - p;
		}
		p = end;
	}
	while (o > text && o[-1] == '\n')
		o--;
	*o = '\0';
}

/* Set the message's subject and text, from its kept copy or the trail. */
static void
resptold_text(struct redis *r, const struct config *cf,
    const struct resptold_sent *e, struct resptold_notice *n)
{
	struct keep	*k = NULL;
	char		*why = NULL, *what = NULL, *part;
	size_t		 len;
	int		 rc;

	/* A damaged copy: the trail's (Redis gone fails the next read). */
	if ((rc = keep_read(r, cf, n->id, &k, &why)) < 0)
		free(why);
	why = rc == 1 ? keep_check(k, e->f[RESPTOLD_CONTENT],
	    e->f[RESPTOLD_KEPT], e->f[RESPTOLD_REDACTED], 1, &what) : NULL;
	if (rc == 1 && why == NULL && strcmp(k->format, "sms") == 0)
		n->text = resptold_lines(k->body);
	else if (rc == 1 && why == NULL) {
		n->subject = mimeread_header(k->body, k->len, "Subject");
		if ((part = mimeread_part(k->body, k->len, "plain",
		    &len)) != NULL)
			n->text = resptold_lines(part);
		free(part);
	} else if (n->sms && e->f[RESPTOLD_SMS] != NULL)
		n->text = resptold_lines(e->f[RESPTOLD_SMS]);
	else if (!n->sms) {
		if (e->f[RESPTOLD_SUBJECT] != NULL)
			n->subject = xstrdup(e->f[RESPTOLD_SUBJECT]);
		if (e->f[RESPTOLD_TEXT] != NULL)
			n->text = resptold_lines(e->f[RESPTOLD_TEXT]);
	}
	if (!n->sms && n->text != NULL)
		resptold_unsubscribe(cf, n->text);
	free(why);
	free(what);
	keep_free(k);
}

/* Return 1 if the message said s (its subject or its text holds it). */
static int
resptold_said(const struct resptold_notice *n, const char *s)
{
	return s != NULL && *s != '\0' && ((n->text != NULL &&
	    strstr(n->text, s) != NULL) || (n->subject != NULL &&
	    strstr(n->subject, s) != NULL));
}

/* Keep the photo links of photos that the message holds. */
static char *
resptold_photos(const struct resptold_notice *n, const char *photos)
{
	char	*copy, *url, *save = NULL, *out = NULL, *o;

	if (photos == NULL)
		return NULL;
	copy = xstrdup(photos);
	o = out = xcalloc(1, strlen(photos) + 1);
	for (url = strtok_r(copy, " ", &save); url != NULL;
	    url = strtok_r(NULL, " ", &save)) {
		if (!resptold_said(n, url))
			continue;
		if (o > out)
			*o++ = ' ';
		memcpy(o, url, strlen(url));
		o += strlen(url);
	}
	*o = '\0';
	free(copy);
	if (*out == '\0') {
		free(out);
		out = NULL;
	}
	return out;
}

/* Set the details the message told, from its notification's record. */
static int
resptold_details(struct redis *r, const struct config *cf,
    struct resptold_notice *n, char **cause)
{
	struct redis_reply	*rep;
	const char		*v[5], *why, *standard;
	char			*key, *when, *note;
	size_t			 i;

	key = outbox_key(cf, n->id);
	rep = redis_command(r, cause, "HMGET %s note note_code photos "
	    "scheduled_for duplicate_of", key);
	free(key);
	if (rep == NULL)
		return -1;
	for (i = 0; i < 5; i++)
		v[i] = rep->type == REDIS_TYPE_ARRAY && i < rep->elements ?
		    rep->element[i]->str : NULL;
	note = v[0] != NULL ? resptold_lines(v[0]) : NULL;
	if (resptold_said(n, note))
		n->note = note;
	else
		free(note);
	standard = render_standard_note(cf, n->division, v[1], n->locale);
	if (resptold_said(n, standard))
		n->standard_note = xstrdup(standard);
	n->photos = resptold_photos(n, v[2]);
	when = render_when(cf, v[3], n->locale);
	if (resptold_said(n, when))
		n->scheduled_for = xstrdup(v[3]);
	free(when);
	if (v[4] != NULL && syntax_sr(v[4], &why) == 0 &&
	    resptold_said(n, v[4]))
		n->duplicate_of = xstrdup(v[4]);
	redis_reply_free(rep);
	return 0;
}

/* Make the notice of a chosen "sent" entry. */
static int
resptold_notice(struct redis *r, const struct config *cf,
    const struct resptold_sent *e, struct resptold_notice *n, char **cause)
{
	memset(n, 0, sizeof *n);
	n->seq = e->seq;
	n->at = e->at;
	n->id = xstrdup(e->f[RESPTOLD_NOTIFICATION]);
	n->notice = xstrdup(e->f[RESPTOLD_NOTICE] != NULL ?
	    e->f[RESPTOLD_NOTICE] : "");
	if (e->f[RESPTOLD_DIVISION] != NULL)
		n->division = xstrdup(e->f[RESPTOLD_DIVISION]);
	n->locale = xstrdup(e->f[RESPTOLD_LOCALE] != NULL ?
	    e->f[RESPTOLD_LOCALE] : cf->templates_default_locale);
	n->sms = e->f[RESPTOLD_CHANNEL] != NULL &&
	    strcmp(e->f[RESPTOLD_CHANNEL], "sms") == 0;
	resptold_text(r, cf, e, n);
	return resptold_details(r, cf, n, cause);
}

/* Read what was told about an SR. */
int
resptold_read(struct redis *r, const struct config *cf, const char *sr,
    const char *locale, struct resptold **out, char **cause)
{
	struct resptold_scan	 s;
	struct resptold		*t;
	size_t			 i, j, best;

	*out = NULL;
	if (resptold_scan(r, cf, sr, &s, cause) != 0) {
		resptold_scan_clear(&s);
		return -1;
	}
	t = xcalloc(1, sizeof *t);
	for (i = 0; i < s.n; i++) {
		/* The best message of each sequence, at its first entry. */
		best = i;
		for (j = 0; j < s.n; j++) {
			if (s.sent[j].seq != s.sent[i].seq)
				continue;
			if (j < i)
				break;
			if (resptold_score(&s.sent[j], locale) >
			    resptold_score(&s.sent[best], locale))
				best = j;
		}
		if (j < i)
			continue;
		t->list = xreallocarray(t->list, t->n + 1, sizeof *t->list);
		if (resptold_notice(r, cf, &s.sent[best], &t->list[t->n++],
		    cause) != 0) {
			resptold_scan_clear(&s);
			resptold_free(t);
			return -1;
		}
	}
	resptold_scan_clear(&s);
	if (t->n > 1)
		qsort(t->list, t->n, sizeof *t->list, resptold_cmp);
	*out = t;
	return 0;
}

/* Free what was told. */
void
resptold_free(struct resptold *t)
{
	struct resptold_notice	*n;
	size_t			 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		n = &t->list[i];
		free(n->id);
		free(n->notice);
		free(n->division);
		free(n->locale);
		free(n->subject);
		free(n->text);
		free(n->note);
		free(n->standard_note);
		free(n->scheduled_for);
		free(n->duplicate_of);
		free(n->photos);
	}
	free(t->list);
	free(t);
}

/* Find the last notice told about an SR. */
int
resptold_last(struct redis *r, const struct config *cf, const char *sr,
    char **notice, int64_t *at, char **cause)
{
	struct resptold_scan	 s;
	const struct resptold_sent *e;

	*notice = NULL;
	*at = 0;
	if (resptold_scan(r, cf, sr, &s, cause) != 0) {
		resptold_scan_clear(&s);
		return -1;
	}
	if (s.n == 0 || (e = &s.sent[s.n - 1])->f[RESPTOLD_NOTICE] == NULL) {
		resptold_scan_clear(&s);
		return 0;
	}
	*notice = xstrdup(e->f[RESPTOLD_NOTICE]);
	*at = e->at;
	resptold_scan_clear(&s);
	return 1;
}
