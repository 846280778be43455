/*
 * bench_render.c - how many notices one core renders a second, per channel
 *
 * Usage: bench_render CONFIG [N]
 *
 * Loads the configuration and its template set as closeloopd does, lets
 * the policy make a "completed" notice with a division's note and a photo
 * for a resident with an email address and a phone, then renders it N
 * times (default 20,000) in each shipped locale: for email (subject, text
 * and HTML, then the MIME message built as it is sent) and for SMS (the
 * text fitted to sms.max_segments). Prints renders per second of this
 * thread's CPU time, which is per core. Not part of make check; bench.sh
 * runs it.
 */
#include "build.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "config.h"
#include "event.h"
#include "eventparse.h"
#include "mime.h"
#include "notice.h"
#include "policy.h"
#include "render.h"
#include "srstate.h"
#include "xmalloc.h"

/* The division's note on the closure. */
#define BENCH_RENDER_NOTE	("The pothole was filled with hot asphalt. " \
	"Please allow a day for it to cure.")

static const char *bench_render_locales[] = {
	"en", "fr", "es", "pt", "fa", "zh-Hans"
};

/* Return this thread's CPU time in seconds. */
static double
bench_render_cpu(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Return the notice the policy makes of a completed closure, or exit. */
static struct notice *
bench_render_notice(const struct config *cf)
{
	static const char	*f[] = {
		"v", "1", "type", "status", "sr", "2026-000101",
		"ts", "2026-03-03T10:00:00Z", "division", "TS",
		"status", "closed", "reason", "completed",
		"service", "Road - Pot hole",
		"note", BENCH_RENDER_NOTE,
		"photos", "https://photos.example.org/2026-000101/1.jpg"
	};
	struct config		 copy = *cf;
	struct policy_result	 res;
	struct srstate		*st;
	struct event		*ev;
	struct notice		*n;
	char			*cause = NULL, *fields[20];
	size_t			 lens[20], i;

	for (i = 0; i < 20; i++) {
		fields[i] = (char *)f[i];
		lens[i] = strlen(f[i]);
	}
	if ((ev = eventparse_parse(cf, "0-1", fields, lens, 10,
	    &cause)) == NULL) {
		fprintf(stderr, "bench_render: %s\n", cause);
		exit(1);
	}
	copy.policy_settle_seconds = 0;
	copy.policy_coalesce_seconds = 0;
	st = srstate_new(ev->sr);
	srstate_contact_add(st, EVENT_CHANNEL_EMAIL,
	    "resident@example.org")->active = 1;
	srstate_contact_add(st, EVENT_CHANNEL_SMS, "+14165550100")->active = 1;
	memset(&res, 0, sizeof res);
	policy_event(&copy, st, ev, INT64_C(1772532000000), &res);
	if ((n = res.notice) == NULL || n->nto != 2) {
		fprintf(stderr, "bench_render: the policy gave no notice\n");
		exit(1);
	}
	res.notice = NULL;
	policy_result_clear(&res);
	srstate_free(st);
	event_free(ev);
	return n;
}

/* Render recipient i of n count times for parts; return renders/s. */
static double
bench_render_run(const struct config *cf, const struct catalog *cat,
    const struct notice *n, size_t i, int parts, int mime, long count)
{
	struct render_out	 out;
	struct mime_msg		 mm;
	char			*cause = NULL, *data;
	size_t			 len;
	double			 t0;
	long			 k;

	t0 = bench_render_cpu();
	for (k = 0; k < count; k++) {
		if (render_notice(cf, cat, n, i, parts, 1772532000, &out,
		    &cause) != 0) {
			fprintf(stderr, "bench_render: %s\n", cause);
			exit(1);
		}
		if (mime) {
			memset(&mm, 0, sizeof mm);
			mm.from_addr = "311@example.org";
			mm.to_addr = n->to[i].address;
			mm.subject = out.subject;
			mm.text = out.text;
			mm.html = out.html;
			mm.message_id = "<2026-000101.1.0@example.org>";
			mm.language = out.locale;
			mm.date = 1772532000;
			if (mime_build(&mm, &data, &len, &cause) != 0) {
				fprintf(stderr, "bench_render: %s\n", cause);
				exit(1);
			}
			free(data);
		}
		render_out_clear(&out);
	}
	return (double)count / (bench_render_cpu() - t0);
}

int
main(int argc, char **argv)
{
	struct config	*cf;
	struct catalog	*cat;
	struct notice	*n;
	char		*cause = NULL;
	long		 count = argc > 2 ? strtol(argv[2], NULL, 10) : 20000;
	size_t		 l, e, s;

	if (argc < 2 || count < 1) {
		fprintf(stderr, "usage: bench_render CONFIG [N]\n");
		return 2;
	}
	if ((cf = config_load(argv[1], &cause)) == NULL ||
	    (cat = catalog_load(cf->templates_dir,
	    cf->templates_default_locale, &cause)) == NULL) {
		fprintf(stderr, "bench_render: %s\n", cause);
		return 1;
	}
	n = bench_render_notice(cf);
	e = n->to[0].channel == EVENT_CHANNEL_EMAIL ? 0 : 1;
	s = 1 - e;
	printf("%-8s %14s %14s %14s\n", "locale", "email/s", "email+MIME/s",
	    "sms/s");
	for (l = 0; l < sizeof bench_render_locales /
	    sizeof bench_render_locales[0]; l++) {
		free(n->to[e].locale);
		free(n->to[s].locale);
		n->to[e].locale = xstrdup(bench_render_locales[l]);
		n->to[s].locale = xstrdup(bench_render_locales[l]);
		printf("%-8s %14.0f %14.0f %14.0f\n", bench_render_locales[l],
		    bench_render_run(cf, cat, n, e, RENDER_EMAIL, 0, count),
		    bench_render_run(cf, cat, n, e, RENDER_EMAIL, 1, count),
		    bench_render_run(cf, cat, n, s, RENDER_SMS, 0, count));
	}
	notice_free(n);
	catalog_free(cat);
	config_free(cf);
	return 0;
}
