/*
 * keep.c - each message kept as it was sent, its secrets blanked
 *
 * An email is built again from the same fields, each secret in them
 * replaced by as many KEEP_FILLER bytes, with the MIME boundary of the
 * first build (mime.h derives it from the fields, which changed). The
 * filler is ASCII like the token it stands for, so the bodies keep their
 * encoding, their lines and their soft line breaks: the two builds have
 * the same length, and the runs where they differ are the spans. Runs
 * closer than KEEP_GAP bytes (a soft line break inside a token, base64
 * characters that happen to match) are one span, so that no span is so
 * short that its hash gives its bytes away. The layout of the record is
 * in keep.h.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "deflate.h"
#include "digest.h"
#include "keep.h"
#include "mime.h"
#include "redis.h"
#include "txn.h"
#include "xmalloc.h"

/* Runs of differing bytes closer than this are one span. */
#define KEEP_GAP	16

/* The fields of the record, in the order keep_read() asks for them. */
static const char *const keep_fields[] = {
	"format", "channel", "body", "size", "content_sha256", "kept_sha256",
	"redacted", "at"
};
#define KEEP_NFIELDS	(sizeof keep_fields / sizeof keep_fields[0])

/* Free a struct keep. */
void
keep_free(struct keep *k)
{
	if (k == NULL)
		return;
	free(k->body);
	free(k->z);
	free(k->spans);
	free(k->redacted);
	free(k->channel);
	free(k);
}

/* Return the key of a notification's kept message. */
char *
keep_key(const struct config *cf, const char *id)
{
	return xasprintf("%smsg:%s", cf->redis_prefix, id);
}

/*
 * Return a copy of n bytes of s (NUL-terminated) with every copy of the
 * secrets blanked; *hit counts the copies. NULL stays NULL.
 */
static char *
keep_blank(const char *s, size_t n, const char *const *secrets,
    size_t nsecrets, size_t *hit)
{
	char	*out, *p;
	size_t	 i, slen;

	if (s == NULL)
		return NULL;
	out = xmalloc(n + 1);
	memcpy(out, s, n);
	out[n] = '\0';
	for (i = 0; i < nsecrets; i++) {
		if (secrets[i] == NULL || (slen = strlen(secrets[i])) == 0)
			continue;
		for (p = out; (p = memmem(p, n - (size_t)(p - out),
		    secrets[i], slen)) != NULL; p += slen) {
			memset(p, KEEP_FILLER, slen);
			(*hit)++;
		}
	}
	return out;
}

/* Add a span to k: off, len of the bytes sent. */
static void
keep_span_add(struct keep *k, const char *sent, size_t off, size_t len)
{
	struct keep_span	*sp;

	k->spans = xreallocarray(k->spans, k->nspans + 1, sizeof *k->spans);
	sp = &k->spans[k->nspans++];
	sp->off = off;
	sp->len = len;
	digest_sha256(sent + off, len, sp->sha256);
}

/* Find the spans where k->body differs from sent, and write them out. */
static void
keep_diff(struct keep *k, const char *sent)
{
	size_t	 i, start = 0, end = 0, n = 0;
	int	 open = 0;
	char	*s;

	for (i = 0; i < k->len; i++) {
		if (k->body[i] == sent[i])
			continue;
		if (open && i - end >= KEEP_GAP) {
			keep_span_add(k, sent, start, end - start);
			open = 0;
		}
		if (!open)
			start = i;
		open = 1;
		end = i + 1;
	}
	if (open)
		keep_span_add(k, sent, start, end - start);
	for (i = 0; i < k->nspans; i++)
		n += 48 + DIGEST_HEX_LEN;
	k->redacted = s = xmalloc(n + 1);
	*s = '\0';
	for (i = 0; i < k->nspans; i++)
		s += sprintf(s, "%s%zu+%zu:%s", i > 0 ? " " : "",
		    k->spans[i].off, k->spans[i].len, k->spans[i].sha256);
}

/* Hash and compress what k keeps. */
static int
keep_seal(struct keep *k, char **cause)
{
	digest_sha256(k->body, k->len, k->sha256);
	if (k->redacted == NULL)
		k->redacted = xstrdup("");
	return deflate_compress(k->body, k->len, &k->z, &k->zlen, cause);
}

/* Make the copy of an email to keep. */
struct keep *
keep_mail(const struct mime_msg *m, const char *sent, size_t len,
    const char *const *secrets, size_t nsecrets, char **cause)
{
	struct mime_msg	 b = *m;
	struct keep	*k;
	char		 bound[MIME_BOUNDARY_SIZE], *fields[5];
	size_t		 i, hit = 0, slen;

	k = xcalloc(1, sizeof *k);
	snprintf(k->format, sizeof k->format, "eml");
	digest_sha256(sent, len, k->content_sha256);
	mime_boundary(m, bound);
	b.boundary = bound;
	b.from_name = fields[0] = keep_blank(m->from_name,
	    m->from_name != NULL ? strlen(m->from_name) : 0, secrets,
	    nsecrets, &hit);
	b.subject = fields[1] = keep_blank(m->subject, strlen(m->subject),
	    secrets, nsecrets, &hit);
	b.text = fields[2] = keep_blank(m->text, m->text_len != 0 ?
	    m->text_len : strlen(m->text), secrets, nsecrets, &hit);
	b.html = fields[3] = keep_blank(m->html, m->html == NULL ? 0 :
	    m->html_len != 0 ? m->html_len : strlen(m->html), secrets,
	    nsecrets, &hit);
	b.list_unsubscribe = fields[4] = keep_blank(m->list_unsubscribe,
	    m->list_unsubscribe != NULL ? strlen(m->list_unsubscribe) : 0,
	    secrets, nsecrets, &hit);
	if (hit == 0) {
		k->body = xmalloc(len + 1);
		memcpy(k->body, sent, len);
		k->body[len] = '\0';
		k->len = len;
	} else if (mime_build(&b, &k->body, &k->len, cause) != 0)
		goto fail;
	if (k->len != len) {
		if (cause != NULL)
			*cause = xasprintf("the copy with its secrets blanked "
			    "is %zu bytes, the message sent %zu", k->len, len);
		goto fail;
	}
	for (i = 0; i < nsecrets; i++) {
		if (secrets[i] != NULL && (slen = strlen(secrets[i])) > 0 &&
		    memmem(k->body, k->len, secrets[i], slen) != NULL) {
			if (cause != NULL)
				*cause = xstrdup("a secret is still in the "
				    "copy with its secrets blanked");
			goto fail;
		}
	}
	keep_diff(k, sent);
	if (keep_seal(k, cause) != 0)
		goto fail;
	for (i = 0; i < 5; i++)
		free(fields[i]);
	return k;
fail:
	for (i = 0; i < 5; i++)
		free(fields[i]);
	keep_free(k);
	return NULL;
}

/* Make the copy of an SMS to keep. */
struct keep *
keep_sms(const char *text, char **cause)
{
	struct keep	*k;

	k = xcalloc(1, sizeof *k);
	snprintf(k->format, sizeof k->format, "sms");
	k->body = xstrdup(text);
	k->len = strlen(text);
	digest_sha256(text, k->len, k->content_sha256);
	if (keep_seal(k, cause) != 0) {
		keep_free(k);
		return NULL;
	}
	return k;
}

/* Queue the kept message of a notification and its expiry. */
void
keep_queue(struct txn *tx, const struct config *cf, const char *id,
    const char *channel, const struct keep *k, int64_t now)
{
	const char	*argv[2 + 2 * 9];
	size_t		 lens[2 + 2 * 9];
	char		*key, size[32], stored[32], at[32], ttl[32];
	int		 i, n = 0;

	key = keep_key(cf, id);
	snprintf(size, sizeof size, "%zu", k->len);
	snprintf(stored, sizeof stored, "%zu", k->zlen);
	snprintf(at, sizeof at, "%lld", (long long)now);
	snprintf(ttl, sizeof ttl, "%lld",
	    (long long)cf->audit_retain_days * 86400);
	argv[n++] = "HSET";
	argv[n++] = key;
	argv[n++] = "format";
	argv[n++] = k->format;
	argv[n++] = "channel";
	argv[n++] = channel;
	argv[n++] = "size";
	argv[n++] = size;
	argv[n++] = "stored";
	argv[n++] = stored;
	argv[n++] = "content_sha256";
	argv[n++] = k->content_sha256;
	argv[n++] = "kept_sha256";
	argv[n++] = k->sha256;
	argv[n++] = "redacted";
	argv[n++] = k->redacted;
	argv[n++] = "at";
	argv[n++] = at;
	for (i = 0; i < n; i++)
		lens[i] = strlen(argv[i]);
	argv[n] = "body";
	lens[n++] = 4;
	argv[n] = k->z;
	lens[n++] = k->zlen;
	txn_queue_len(tx, n, argv, lens);
	argv[0] = "EXPIRE";
	argv[1] = key;
	argv[2] = ttl;
	txn_queue(tx, 3, argv);
	free(key);
}

/* Parse spans written as "OFFSET+LEN:SHA256" by spaces. */
int
keep_spans_parse(const char *s, struct keep_span **spans, size_t *n,
    char **cause)
{
	struct keep_span	 sp;
	unsigned long long	 off, len;
	int			 used;

	*spans = NULL;
	*n = 0;
	for (s += strspn(s, " "); *s != '\0'; s += strspn(s, " ")) {
		used = 0;
		if (sscanf(s, "%llu+%llu:%n", &off, &len, &used) != 2 ||
		    used == 0 || strspn(s + used, "0123456789abcdef") !=
		    DIGEST_HEX_LEN || (s[used + DIGEST_HEX_LEN] != '\0' &&
		    s[used + DIGEST_HEX_LEN] != ' ') || s[0] == '+' ||
		    s[0] == '-') {
			if (cause != NULL)
				*cause = xasprintf("redacted spans: \"%.40s\" "
				    "is not OFFSET+LEN:SHA256", s);
			free(*spans);
			*spans = NULL;
			*n = 0;
			return -1;
		}
		sp.off = (size_t)off;
		sp.len = (size_t)len;
		memcpy(sp.sha256, s + used, DIGEST_HEX_LEN);
		sp.sha256[DIGEST_HEX_LEN] = '\0';
		*spans = xreallocarray(*spans, *n + 1, sizeof **spans);
		(*spans)[(*n)++] = sp;
		s += used + DIGEST_HEX_LEN;
	}
	return 0;
}

/* Tell whether a span of a kept copy holds only the filler. */
int
keep_span_blank(const char *p, size_t len)
{
	static const char	 b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/\r\n";
	char			 plain[] = { KEEP_FILLER, '=', '\r', '\n', '\0' };
	size_t			 i, filler = 0;

	for (i = 0; i < len && strchr(plain, p[i]) != NULL && p[i] != '\0';
	    i++)
		filler += p[i] == KEEP_FILLER;
	if (i == len)
		return filler > 0;
	for (i = 0; i < len && strchr(b64, p[i]) != NULL && p[i] != '\0'; i++)
		;
	return len > 0 && i == len;
}

/* Read back the kept message of a notification. */
int
keep_read(struct redis *r, const struct config *cf, const char *id,
    struct keep **out, char **cause)
{
	struct redis_reply	*rep;
	struct redis_reply	*v[KEEP_NFIELDS];
	struct keep		*k = NULL;
	const char		*argv[2 + KEEP_NFIELDS];
	char			*key, *why = NULL;
	size_t			 i;
	int			 rc = -1;

	*out = NULL;
	key = keep_key(cf, id);
	argv[0] = "HMGET";
	argv[1] = key;
	for (i = 0; i < KEEP_NFIELDS; i++)
		argv[2 + i] = keep_fields[i];
	rep = redis_command_argv(r, cause, 2 + KEEP_NFIELDS, argv, NULL);
	free(key);
	if (rep == NULL)
		return -1;
	if (rep->type != REDIS_TYPE_ARRAY || rep->elements != KEEP_NFIELDS) {
		why = xasprintf("reading %s: %s", id, rep->str != NULL ?
		    rep->str : "unexpected reply");
		goto fail;
	}
	for (i = 0; i < KEEP_NFIELDS; i++)
		v[i] = rep->element[i]->type == REDIS_TYPE_STRING ?
		    rep->element[i] : NULL;
	if (v[2] == NULL) {
		rc = 0;
		goto fail;
	}
	k = xcalloc(1, sizeof *k);
	snprintf(k->format, sizeof k->format, "%s", v[0] != NULL ?
	    v[0]->str : "");
	k->channel = xstrdup(v[1] != NULL ? v[1]->str : "");
	snprintf(k->content_sha256, sizeof k->content_sha256, "%s",
	    v[4] != NULL ? v[4]->str : "");
	snprintf(k->sha256, sizeof k->sha256, "%s", v[5] != NULL ?
	    v[5]->str : "");
	k->redacted = xstrdup(v[6] != NULL ? v[6]->str : "");
	k->at = v[7] != NULL ? strtoll(v[7]->str, NULL, 10) : 0;
	if (deflate_inflate(v[2]->str, v[2]->len, KEEP_MAX, &k->body, &k->len,
	    &why) != 0 || keep_spans_parse(k->redacted, &k->spans, &k->nspans,
	    &why) != 0)
		goto fail;
	if (v[3] == NULL || strtoull(v[3]->str, NULL, 10) != k->len) {
		why = xasprintf("its body is %zu bytes, its record says %s",
		    k->len, v[3] != NULL ? v[3]->str : "nothing");
		goto fail;
	}
	*out = k;
	k = NULL;
	rc = 1;
fail:
	if (why != NULL && cause != NULL)
		*cause = xasprintf("the kept message of %s: %s", id, why);
	free(why);
	keep_free(k);
	redis_reply_free(rep);
	return rc;
}

/* Check a kept copy against what the trail recorded of its sending. */
char *
keep_check(const struct keep *k, const char *content_sha256,
    const char *kept_sha256, const char *redacted, int found, char **what)
{
	struct keep_span	*sp = NULL;
	char			 sha[DIGEST_HEX_LEN + 1], *why = NULL;
	size_t			 i, n = 0, at = 0;

	*what = NULL;
	digest_sha256(k->body, k->len, sha);
	if (!found)
		return xstrdup("the audit trail has no entry of its sending");
	if (strcmp(k->format, "sms") == 0) {
		*what = xasprintf("kept text sha256 %s", sha);
		if (content_sha256 == NULL ||
		    strcmp(sha, content_sha256) != 0)
			return xasprintf("the trail records content_sha256 %s",
			    content_sha256 != NULL ? content_sha256 :
			    "(none)");
		return NULL;
	}
	if (kept_sha256 == NULL || strcmp(sha, kept_sha256) != 0)
		return xasprintf("kept copy sha256 %s, the trail records %s",
		    sha, kept_sha256 != NULL ? kept_sha256 : "none");
	if (keep_spans_parse(redacted != NULL ? redacted : "", &sp, &n,
	    &why) != 0)
		return why;
	for (i = 0; i < n && why == NULL; i++) {
		if (sp[i].off < at || sp[i].len > k->len ||
		    sp[i].off > k->len - sp[i].len)
			why = xasprintf("redacted span %zu+%zu is not inside "
			    "the message, after the one before it", sp[i].off,
			    sp[i].len);
		else if (!keep_span_blank(k->body + sp[i].off, sp[i].len))
			why = xasprintf("redacted span %zu+%zu does not hold "
			    "the filler", sp[i].off, sp[i].len);
		at = sp[i].off + sp[i].len;
	}
	free(sp);
	*what = xasprintf("kept copy sha256 %s as recorded; as sent sha256 "
	    "%s; %zu span%s redacted", sha, content_sha256 != NULL ?
	    content_sha256 : "(none)", n, n == 1 ? "" : "s");
	return why;
}
