/*
 * preview.c - "closeloop render": what a resident would receive
 *
 * The event is given as FIELD=VALUE arguments (or in a file, one a line)
 * and becomes a notice as sample.h says: checked as closeloopd checks
 * it and applied to an SR with no history, windows set to 0, so the
 * notice is the one the policy would decide for it; the pseudo-field
 * notice=NAME forces a notice instead. The result is rendered for one resident in the chosen locale and
 * channel and printed whole: subject, text and HTML, or the SMS with its
 * encoding and segment count. --html and --eml write the email as it
 * would be sent, for a browser or a mail client.
 *
 * --send-to sends it, for real, as a test (trysend.h): through the relay
 * or the gateway of the configuration, marked as a test, recorded in the
 * test trail and nowhere else. The channel is --channel's, or without
 * one SMS for a number starting with '+' and email for anything else.
 * If Redis cannot be reached the test goes out all the same, with a
 * warning that the test trail did not record it: the person trying a
 * template should not be stopped by the store of its record, and the
 * relay's and the gateway's own logs still have the send.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>

#include "catalog.h"
#include "config.h"
#include "emlfile.h"
#include "event.h"
#include "lint.h"
#include "notice.h"
#include "operator.h"
#include "preview.h"
#include "redis.h"
#include "redisconn.h"
#include "render.h"
#include "sample.h"
#include "syntax.h"
#include "trysend.h"

/* The arguments of one run. */
struct preview_args {
	const char	*locale;
	int		 parts;
	int		 channel_given;	/* --channel */
	const char	*dir;
	const char	*send_to;	/* --send-to */
	const char	*html;		/* --html FILE */
	const char	*eml;		/* --eml FILE */
	struct sample	*sample;	/* the event's fields */
};

/* Read FIELD=VALUE lines from a file; -1 with a message on failure. */
static int
preview_file(struct preview_args *a, const char *path)
{
	FILE	*f;
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 len;
	int	 rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "closeloop render: %s: cannot read it\n", path);
		return -1;
	}
	while ((len = getline(&line, &cap, f)) != -1) {
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (sample_field(a->sample, line) != 0) {
			fprintf(stderr, "closeloop render: %s: not FIELD=VALUE: "
			    "%s\n", path, line);
			rc = -1;
		}
	}
	free(line);
	fclose(f);
	return rc;
}

/*
 * Say which parts come from another locale than the one asked for, as a
 * resident of that locale would get them (no Tamil set: English).
 */
static void
preview_fallback(const struct catalog *cat, const struct notice *n,
    const char *locale, int parts)
{
	static const struct {
		int		 channel;
		const char	*part;
	} p[] = {
		{ RENDER_EMAIL, "subject" }, { RENDER_EMAIL, "txt" },
		{ RENDER_EMAIL, "html" }, { RENDER_SMS, "sms" }
	};
	const char	*found, *name = vocab_notice_name(n->notice);
	size_t		 i;

	for (i = 0; i < sizeof p / sizeof p[0]; i++) {
		if ((parts & p[i].channel) == 0 ||
		    catalog_find(cat, locale, name, p[i].part, &found) ==
		    NULL || strcasecmp(found, locale) == 0)
			continue;
		printf("(no %s.%s for locale %s in this set: rendered from "
		    "%s, as a resident of locale %s would get it)\n", name,
		    p[i].part, locale, found, locale);
	}
}

/* Print what one resident receives. */
static int
preview_print(const struct config *cf, const struct catalog *cat,
    const struct notice *n, const struct preview_args *a)
{
	struct render_out	 out;
	char			*cause = NULL, *cut;

	if (render_notice(cf, cat, n, 0, a->parts, time(NULL), &out,
	    &cause) != 0) {
		fprintf(stderr, "closeloop render: %s\n", cause);
		free(cause);
		return EX_DATAERR;
	}
	printf("notice %s for SR %s, locale %s, template set %s\n",
	    vocab_notice_name(n->notice), n->sr, out.locale,
	    catalog_version(cat));
	preview_fallback(cat, n, out.locale, a->parts);
	if (out.photos_dropped > 0)
		printf("(%zu photo link%s left out: host not in "
		    "templates.photo_hosts)\n", out.photos_dropped,
		    out.photos_dropped == 1 ? "" : "s");
	if (out.subject != NULL)
		printf("\n== email\nSubject: %s\n\n-- text/plain\n%s\n"
		    "-- text/html\n%s\n", out.subject, out.text, out.html);
	if (out.sms != NULL)
		printf("\n== sms: %zu segment%s, %s, %zu %s\n%s\n",
		    out.sms_info.segments, out.sms_info.segments == 1 ? "" :
		    "s", out.sms_info.encoding == SEGMENT_GSM7 ? "GSM-7" :
		    "UCS-2", out.sms_info.units,
		    out.sms_info.encoding == SEGMENT_GSM7 ? "septets" :
		    "UTF-16 units", out.sms);
	if (out.sms != NULL && (cut = segment_cut_describe(&out.sms_cut)) !=
	    NULL) {
		printf("(shortened to fit sms.max_segments, %lld: %s)\n",
		    (long long)cf->sms_max_segments, cut);
		free(cut);
	}
	render_out_clear(&out);
	return 0;
}

/*
 * Write the email to the files --html and --eml name: the message the
 * notice's own recipient would be sent. Returns 0 or an exit status.
 */
static int
preview_files(const struct config *cf, const struct catalog *cat,
    const struct notice *n, const struct preview_args *a)
{
	struct trysend_msg	 m;
	char			*cause = NULL;
	int			 rc;

	if (trysend_build(cf, cat, n, EVENT_CHANNEL_EMAIL, NULL, &m,
	    &cause) != 0) {
		fprintf(stderr, "closeloop render: %s\n", cause);
		free(cause);
		return EX_DATAERR;
	}
	rc = emlfile_write("render", m.data, m.len, a->eml, a->html);
	trysend_msg_clear(&m);
	return rc;
}

/* Say what came of a test send; returns its exit status. */
static int
preview_sent(const struct config *cf, const struct trysend_msg *m,
    const struct trysend_result *res, const char *down)
{
	const char	*name = event_channel_name(m->channel);
	char		*key = trysend_trail_key(cf);

	if (res->status == SEND_OK)
		printf("\n== test %s to %s: sent\n%s\n", name, res->to,
		    res->reply);
	else
		fprintf(stderr, "closeloop render: test %s to %s: %s: %s\n",
		    name, res->to, res->status == SEND_TEMPFAIL ? "failed for "
		    "now, try again later" : "failed", res->reply);
	if (res->trail_id != NULL)
		printf("recorded in the test trail %s as %s\n", key,
		    res->trail_id);
	else
		fprintf(stderr, "closeloop render: warning: the test trail %s "
		    "did not record this test: %s\n", key, down != NULL ? down :
		    res->trail_error);
	free(key);
	return res->status == SEND_OK ? 0 : res->status == SEND_TEMPFAIL ?
	    EX_TEMPFAIL : EX_DATAERR;
}

/*
 * Send the notice as a test to --send-to, writing the files of --html
 * and --eml from the message that goes. Returns 0 or an exit status.
 */
static int
preview_send(const struct config *cf, const struct catalog *cat,
    const struct notice *n, const struct preview_args *a)
{
	struct trysend_msg	 m;
	struct trysend_result	 res;
	struct redis		*r;
	char			*cause = NULL, *down = NULL, *who;
	int			 channel, rc;

	channel = a->parts == RENDER_SMS ? EVENT_CHANNEL_SMS :
	    EVENT_CHANNEL_EMAIL;
	if (trysend_ready(cf, channel, &cause) != 0) {
		fprintf(stderr, "closeloop render: --send-to: %s (%s)\n", cause,
		    cf->path);
		free(cause);
		return EX_CONFIG;
	}
	if (trysend_build(cf, cat, n, channel, a->send_to, &m, &cause) != 0) {
		fprintf(stderr, "closeloop render: --send-to: %s\n", cause);
		free(cause);
		return EX_DATAERR;
	}
	if (channel == EVENT_CHANNEL_EMAIL && (rc = emlfile_write("render",
	    m.data, m.len, a->eml, a->html)) != 0) {
		trysend_msg_clear(&m);
		return rc;
	}
	r = redisconn_open(cf, &down);	/* NULL: sent all the same */
	who = operator_name();
	trysend_post(r, cf, &m, who, &res);
	rc = preview_sent(cf, &m, &res, down);
	trysend_result_clear(&res);
	trysend_msg_clear(&m);
	free(who);
	free(down);
	redis_free(r);
	return rc;
}

/*
 * Check the set as closeloopd would before it serves it; say on stderr
 * how many errors it has (closeloop lint shows them). Returns how many.
 */
static int
preview_lint(const struct config *cf, const struct catalog *cat)
{
	int	errors;

	if ((errors = lint_set(cf, cat, NULL, NULL)) > 0)
		fprintf(stderr, "closeloop render: the template set in %s has "
		    "%d error%s, so closeloopd would refuse it (closeloop "
		    "lint %s shows them)\n", catalog_dir(cat), errors,
		    errors == 1 ? "" : "s", catalog_dir(cat));
	return errors;
}

/* Run "closeloop render". */
int
preview_run(const struct config *cf, int argc, char **argv)
{
	struct preview_args	 a;
	struct catalog		*cat = NULL;
	struct notice		*n = NULL;
	char			*cause = NULL, canon[64];
	const char		*why;
	int			 i, rc = EX_USAGE;

	memset(&a, 0, sizeof a);
	a.parts = RENDER_EMAIL | RENDER_SMS;
	a.dir = cf->templates_dir;
	a.sample = sample_new();
	for (i = 1; i < argc; i++) {	/* argv[0] is the command's name */
		if (strcmp(argv[i], "--locale") == 0 && i + 1 < argc) {
			if (syntax_locale(argv[++i], canon, sizeof canon,
			    &why) != 0) {
				fprintf(stderr, "closeloop render: --locale: "
				    "%s\n", why);
				goto out;
			}
			a.locale = argv[i];
		} else if (strcmp(argv[i], "--channel") == 0 && i + 1 < argc) {
			i++;
			a.channel_given = 1;
			if (strcmp(argv[i], "email") == 0)
				a.parts = RENDER_EMAIL;
			else if (strcmp(argv[i], "sms") == 0)
				a.parts = RENDER_SMS;
			else {
				fprintf(stderr, "closeloop render: --channel: "
				    "email or sms\n");
				goto out;
			}
		} else if (strcmp(argv[i], "--templates") == 0 &&
		    i + 1 < argc)
			a.dir = argv[++i];
		else if (strcmp(argv[i], "--send-to") == 0 && i + 1 < argc)
			a.send_to = argv[++i];
		else if (strcmp(argv[i], "--html") == 0 && i + 1 < argc)
			a.html = argv[++i];
		else if (strcmp(argv[i], "--eml") == 0 && i + 1 < argc)
			a.eml = argv[++i];
		else if (strcmp(argv[i], "-f") == 0 && i + 1 < argc) {
			if (preview_file(&a, argv[++i]) != 0) {
				rc = EX_DATAERR;
				goto out;
			}
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "closeloop render: %s: unknown option, "
			    "or its value is missing\n", argv[i]);
			goto usage;
		} else if (sample_field(a.sample, argv[i]) != 0) {
			fprintf(stderr, "closeloop render: not FIELD=VALUE: "
			    "%s\n", argv[i]);
			goto usage;
		}
	}
	if (a.send_to != NULL && !a.channel_given)
		a.parts = a.send_to[0] == '+' ? RENDER_SMS : RENDER_EMAIL;
	if ((a.html != NULL || a.eml != NULL) && a.parts == RENDER_SMS) {
		fprintf(stderr, "closeloop render: an SMS has no HTML part or "
		    "email to write (--html, --eml)\n");
		goto usage;
	}
	if ((cat = catalog_load(a.dir, cf->templates_default_locale,
	    &cause)) == NULL) {
		fprintf(stderr, "%s\ncloseloop render: the templates in %s are "
		    "not valid\n", cause, a.dir);
		rc = EX_CONFIG;
		goto out;
	}
	if ((n = sample_notice(cf, a.sample, a.locale, &cause)) == NULL) {
		fprintf(stderr, "closeloop render: %s\n", cause);
		rc = EX_DATAERR;
		goto out;
	}
	rc = preview_print(cf, cat, n, &a);
	if (rc == 0 && a.send_to != NULL)
		rc = preview_send(cf, cat, n, &a);
	else if (rc == 0 && (a.html != NULL || a.eml != NULL))
		rc = preview_files(cf, cat, n, &a);
	if (rc == 0 && preview_lint(cf, cat) != 0)
		rc = EX_CONFIG;
	goto out;
usage:
	fprintf(stderr, "usage: closeloop render [--locale L] [--channel "
	    "email|sms] [--templates DIR] [-f FILE]\n"
	    "       [--send-to ADDRESS|NUMBER] [--html FILE] [--eml FILE] "
	    "[FIELD=VALUE ...]\n");
out:
	free(cause);
	notice_free(n);
	catalog_free(cat);
	sample_free(a.sample);
	return rc;
}
