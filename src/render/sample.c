/*
 * sample.c - the event a notice is rendered from when no resident is
 * waiting for it
 *
 * The fields are kept as name/value pairs, as eventparse_parse() takes
 * them; the defaults are added only where the event has no field of
 * that name. The policy sees a copy of the configuration with its
 * windows at 0, every notice allowed and no divisions (so no division's
 * own notify_on), and a state with one email contact: what it decides
 * at once is the notice.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "event.h"
#include "eventparse.h"
#include "notice.h"
#include "policy.h"
#include "sample.h"
#include "srstate.h"
#include "xmalloc.h"

struct sample {
	char	*force;		/* notice=NAME */
	char	**fields;	/* name, value, ... */
	size_t	  n;
};

/* Make an empty sample event. */
struct sample *
sample_new(void)
{
	return xcalloc(1, sizeof (struct sample));
}

/* Free a sample event. */
void
sample_free(struct sample *s)
{
	size_t	i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		free(s->fields[i]);
	free(s->fields);
	free(s->force);
	free(s);
}

/* Add a field by name and value. */
static void
sample_add(struct sample *s, const char *name, size_t len, const char *value)
{
	s->fields = xreallocarray(s->fields, s->n + 2, sizeof *s->fields);
	s->fields[s->n++] = xstrndup(name, len);
	s->fields[s->n++] = xstrdup(value);
}

/* Add a FIELD=VALUE argument; -1 if it has no "=". */
int
sample_field(struct sample *s, const char *arg)
{
	const char	*eq = strchr(arg, '=');

	if (eq == NULL || eq == arg)
		return -1;
	if (strncmp(arg, "notice=", 7) == 0) {
		free(s->force);
		s->force = xstrdup(eq + 1);
		return 0;
	}
	sample_add(s, arg, (size_t)(eq - arg), eq + 1);
	return 0;
}

/* Add a field unless the event has it already. */
static void
sample_default(struct sample *s, const char *name, const char *value)
{
	size_t	i;

	for (i = 0; i < s->n; i += 2) {
		if (strcmp(s->fields[i], name) == 0)
			return;
	}
	sample_add(s, name, strlen(name), value);
}

/* Decide the notice an event gives on an SR with no history. */
struct notice *
sample_notice(const struct config *cf, struct sample *s, const char *locale,
    char **cause)
{
	struct config		 copy = *cf;
	struct policy_result	 res;
	struct srstate		*st;
	struct notice		*n;
	struct event		*ev;
	size_t			*lens, i;
	char			 now[32];
	time_t			 t = time(NULL);

	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	sample_default(s, "v", "1");
	sample_default(s, "type", "status");
	sample_default(s, "sr", "2026-000101");
	sample_default(s, "ts", now);
	sample_default(s, "division", cf->ndivisions > 0 ?
	    cf->divisions[0].code : "TS");
	sample_default(s, "status", "closed");
	lens = xcalloc(s->n, sizeof *lens);
	for (i = 0; i < s->n; i++)
		lens[i] = strlen(s->fields[i]);
	ev = eventparse_parse(cf, "preview", s->fields, lens, s->n / 2, cause);
	free(lens);
	if (ev == NULL)
		return NULL;
	memset(&res, 0, sizeof res);
	copy.policy_settle_seconds = 0;
	copy.policy_coalesce_seconds = 0;
	copy.policy_notify_on = VOCAB_NOTICE_ALL;
	copy.delivery_max_event_age_hours = 0;	/* a preview, of any ts */
	copy.divisions = NULL;
	copy.ndivisions = 0;
	st = srstate_new(ev->sr);
	srstate_contact_add(st, EVENT_CHANNEL_EMAIL,
	    "resident@example.org")->active = 1;
	policy_event(&copy, st, ev, (int64_t)t * 1000, &res);
	n = res.notice;
	res.notice = NULL;
	if (n == NULL && cause != NULL)
		*cause = xstrdup("this event gives no notice on its own (try "
		    "notice=NAME to force one)");
	if (n != NULL && s->force != NULL &&
	    vocab_notice_parse(s->force) == VOCAB_NOTICE_NONE) {
		*cause = xasprintf("notice: unknown notice \"%s\" (use %s, "
		    "feedback)", s->force, vocab_notice_list());
		notice_free(n);
		n = NULL;
	} else if (n != NULL && s->force != NULL)
		n->notice = vocab_notice_parse(s->force);
	if (n != NULL && n->notice == VOCAB_NOTICE_FEEDBACK) {
		/* The question of the notice, answered by its links. */
		n->question = xasprintf("%s/0", n->id);
		n->answer_by = xasprintf("%lld", ((long long)t +
		    cf->feedback_answer_days * 86400) * 1000);
	}
	if (n != NULL) {
		free(n->to[0].locale);
		n->to[0].locale = xstrdup(locale != NULL ? locale :
		    cf->templates_default_locale);
	}
	policy_result_clear(&res);
	srstate_free(st);
	event_free(ev);
	return n;
}
