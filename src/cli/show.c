/*
 * show.c - "closeloop show": a message as it was sent, and its proof
 *
 * For division staff who must show what a resident received. The kept
 * copy (keep.h) is read back and checked against the audit trail's
 * entry of its sending, which was written in the same transaction and
 * is also in the JSON Lines file: for an email, the SHA-256 of the kept
 * bytes must be the entry's kept_sha256, and each redacted span must lie
 * inside the message, after the one before it, and hold only the filler
 * (the message as sent is then proven by content_sha256 with the bytes
 * of the spans, whose hashes the entry lists); for an SMS, the SHA-256
 * of the kept text must be the entry's content_sha256.
 */
#include "build.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "audit.h"
#include "config.h"
#include "digest.h"
#include "emlfile.h"
#include "event.h"
#include "keep.h"
#include "mimeread.h"
#include "redis.h"
#include "redisconn.h"
#include "show.h"
#include "syntax.h"
#include "xmalloc.h"

/* The trail's entry of the notification's sending. */
struct show_entry {
	const char	*id;
	char		*content_sha256;
	char		*kept_sha256;
	char		*redacted;
	int		 found;
};

/* Copy a field of an entry, or NULL. */
static char *
show_field(const struct redis_reply *fields, const char *name)
{
	const char	*v = redis_reply_field(fields, name);

	return v != NULL ? xstrdup(v) : NULL;
}

/* Keep the last "sent" entry of the notification. */
static int
show_scan(const char *id, const struct redis_reply *fields, void *arg)
{
	struct show_entry	*e = arg;
	const char		*v;

	(void)id;
	if ((v = redis_reply_field(fields, "notification")) == NULL ||
	    strcmp(v, e->id) != 0 ||
	    (v = redis_reply_field(fields, "decision")) == NULL ||
	    strcmp(v, "sent") != 0)
		return 0;
	free(e->content_sha256);
	free(e->kept_sha256);
	free(e->redacted);
	e->content_sha256 = show_field(fields, "content_sha256");
	e->kept_sha256 = show_field(fields, "kept_sha256");
	e->redacted = show_field(fields, "redacted");
	e->found = 1;
	return 0;
}

/*
 * Print a header of the kept email, if it has it: the address in To
 * masked, as everywhere closeloop prints one (--eml has it whole).
 */
static void
show_header(const struct keep *k, const char *name)
{
	char	*v, *masked;

	if ((v = mimeread_header(k->body, k->len, name)) == NULL)
		return;
	if (strcmp(name, "To") == 0) {
		masked = event_mask_contact(EVENT_CHANNEL_EMAIL, v);
		free(v);
		v = masked;
	}
	printf("%s: %s\n", name, v);
	free(v);
}

/*
 * Print or write what mode asks of the kept message: 't' the text, 'h'
 * the HTML part to file, 'e' the whole to file, 0 a summary. Returns 0,
 * or an exit status.
 */
static int
show_print(const struct keep *k, int mode, const char *file)
{
	static const char *const heads[] = { "Date", "From", "To", "Subject",
	    "Message-ID", "Content-Language", "List-Unsubscribe" };
	char	*part;
	size_t	 i, n;

	if (strcmp(k->format, "sms") == 0) {
		if (mode == 'h' || mode == 'e') {
			fprintf(stderr, "closeloop show: an SMS has no %s\n",
			    mode == 'h' ? "HTML part" : "email to write");
			return EX_USAGE;
		}
		if (mode == 0)
			printf("SMS (%zu bytes)\n\n", k->len);
		printf("%s\n", k->body);
		return 0;
	}
	if (mode == 'e' || mode == 'h')
		return emlfile_write("show", k->body, k->len, mode == 'e' ?
		    file : NULL, mode == 'h' ? file : NULL);
	if ((part = mimeread_part(k->body, k->len, "plain", &n)) == NULL) {
		fprintf(stderr, "closeloop show: the kept message has no text "
		    "part\n");
		return 0;
	}
	if (mode == 0) {
		for (i = 0; i < sizeof heads / sizeof heads[0]; i++)
			show_header(k, heads[i]);
		printf("(%zu bytes kept)\n\n", k->len);
	}
	fwrite(part, 1, n, stdout);
	if (n > 0 && part[n - 1] != '\n')
		printf("\n");
	free(part);
	return 0;
}

/* Parse the options; returns 0, or an exit status after saying why. */
static int
show_args(int argc, char **argv, const char **id, int *mode,
    const char **file)
{
	static const struct option longopts[] = {
		{ "text", no_argument, NULL, 't' },
		{ "html", required_argument, NULL, 'h' },
		{ "eml", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*why;
	char		*sr;
	int		 ch, modes = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch != 't' && ch != 'h' && ch != 'e')
			goto usage;
		*mode = ch;
		*file = optarg;
		modes++;
	}
	if (optind + 1 != argc || modes > 1)
		goto usage;
	*id = argv[optind];
	sr = xasprintf("%.*s", (int)strcspn(*id, "/"), *id);
	if (syntax_sr(sr, &why) != 0 || strchr(*id, '/') == NULL) {
		fprintf(stderr, "closeloop show: \"%s\" is not a notification "
		    "id (SR/SEQ/I): %s\n", *id, strchr(*id, '/') == NULL ?
		    "no \"/\"" : why);
		free(sr);
		return EX_DATAERR;
	}
	free(sr);
	return 0;
usage:
	fprintf(stderr, "usage: closeloop show NOTIFICATION "
	    "[--text | --html FILE | --eml FILE]\n");
	return EX_USAGE;
}

/* Run "closeloop show". */
int
show_run(const struct config *cf, int argc, char **argv)
{
	struct show_entry	 e;
	struct redis		*r = NULL;
	struct keep		*k = NULL;
	const char		*id = NULL, *file = NULL;
	char			*cause = NULL, *sr = NULL, *why = NULL;
	char			*what = NULL, *scan = NULL;
	int			 mode = 0, rc, got = 0;

	memset(&e, 0, sizeof e);
	if ((rc = show_args(argc, argv, &id, &mode, &file)) != 0)
		return rc;
	e.id = id;
	sr = xasprintf("%.*s", (int)strcspn(id, "/"), id);
	/* A record that does not read back is damaged, not Redis down. */
	if ((r = redisconn_open(cf, &cause)) == NULL ||
	    ((got = keep_read(r, cf, id, &k, &cause)) < 0 &&
	    strncmp(cause, "the kept message", 16) != 0) ||
	    audit_scan(r, cf, sr, 0, 0, show_scan, &e, &scan) != 0) {
		fprintf(stderr, "closeloop show: %s\n", scan != NULL ? scan :
		    cause);
		rc = EX_UNAVAILABLE;
		goto fail;
	}
	if (got < 0) {
		printf("hash: DOES NOT CHECK (%s)\n", cause);
		rc = 1;
		goto fail;
	}
	if (got == 0) {
		printf("notification %s: no message kept (%s)\n", id,
		    e.found ? "sent before messages were kept, or its copy "
		    "expired after audit.retain_days" : "never sent, or its "
		    "records expired after audit.retain_days");
		rc = 1;
		goto fail;
	}
	if ((rc = show_print(k, mode, file)) != 0)
		goto fail;
	why = keep_check(k, e.content_sha256, e.kept_sha256, e.redacted,
	    e.found, &what);
	if (mode == 't')
		fflush(stdout);
	fprintf(mode == 't' ? stderr : stdout, "hash: %s (%s%s%s)\n",
	    why == NULL ? "checks" : "DOES NOT CHECK", what != NULL ? what : "",
	    what != NULL && why != NULL ? "; " : "", why != NULL ? why : "");
	rc = why == NULL ? 0 : 1;
fail:
	free(what);
	free(why);
	free(scan);
	free(cause);
	free(sr);
	free(e.content_sha256);
	free(e.kept_sha256);
	free(e.redacted);
	keep_free(k);
	redis_free(r);
	return rc;
}
