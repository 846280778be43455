/*
 * rollcount.c - the counters each decision adds to
 *
 * A decision adds one to each of its counters (rollcount.h names them)
 * on the day it was made, for its division, ward and service type
 * (rollup.c). A service standard measured adds to the counters of its
 * target: every one measured, met or missed as closeloop decided, and
 * met as the CRM closed it - the naive figure, side by side with the
 * true one. A resident's answer to "did we fix it?" adds to answered and
 * to answer:ANSWER; the not fixed and partly fixed keep their SRs.
 */
#include "build.h"

#include <string.h>

#include "decision.h"
#include "rollcount.h"
#include "vocab.h"
#include "xmalloc.h"

/* Write the counters of a service standard measured (decision.h). */
static void
rollcount_measured(const struct decision *d, char **c, size_t *n)
{
	const char	*target = decision_get(d, "standard_target");
	const char	*met = decision_get(d, "met");
	const char	*closed = decision_get(d, "met_as_closed");

	if (target == NULL || strcmp(target, "response") != 0)
		target = "completion";
	c[(*n)++] = xasprintf("std:%s", target);
	c[(*n)++] = xasprintf("std:%s:%s", target, met != NULL &&
	    strcmp(met, "yes") == 0 ? "met" : "missed");
	if (closed != NULL && strcmp(closed, "yes") == 0)
		c[(*n)++] = xasprintf("std:%s:as_closed", target);
}

/* Write the counters a decision adds to. */
size_t
rollcount_counters(const struct decision *d, char **c)
{
	const char	*rule = d->rule != NULL ? d->rule : "";
	const char	*channel = decision_get(d, "channel");
	size_t		 n = 0;
	int		 m;

	switch (d->kind) {
	case DECISION_RECEIVED:
		c[n++] = xstrdup("received");
		break;
	case DECISION_QUEUED:
		if (strcmp(rule, "fallback") == 0)
			break;	/* the same notice, by another channel */
		c[n++] = xstrdup("told");
		c[n++] = xasprintf("told:%s", vocab_notice_name(d->notice));
		break;
	case DECISION_SUPPRESSED:
		if (strcmp(rule, "dropped_by_operator") == 0)
			break;	/* counted when it failed */
		c[n++] = xstrdup("suppressed");
		c[n++] = xasprintf("suppressed:%s", rule);
		break;
	case DECISION_FLAGGED:
		c[n++] = xasprintf("flag:%s", rule);
		break;
	case DECISION_SENT:
		c[n++] = xasprintf("sent:%s", channel != NULL ? channel :
		    "email");
		break;
	case DECISION_DELIVERED:
		c[n++] = xstrdup("delivered");
		break;
	case DECISION_BOUNCED:
		if (strcmp(rule, "hard_bounce") != 0)
			break;	/* delayed: it may yet arrive */
		/* FALLTHROUGH */
	case DECISION_FAILED:
	case DECISION_DEAD:
	case DECISION_UNDELIVERED:
		c[n++] = xstrdup("failed");
		c[n++] = xasprintf("failed:%s", decision_kind_name(d->kind));
		break;
	case DECISION_COMPLAINED:
		c[n++] = xstrdup("complained");
		break;
	case DECISION_MEASURED:
		rollcount_measured(d, c, &n);
		break;
	case DECISION_ASKED:
		c[n++] = xstrdup("asked");
		break;
	case DECISION_ANSWERED:
		c[n++] = xstrdup("answered");
		if (decision_get(d, "answer") != NULL)
			c[n++] = xasprintf("answer:%s",
			    decision_get(d, "answer"));
		break;
	case DECISION_UNANSWERED:
		c[n++] = xstrdup("unanswered");
		break;
	default:
		break;
	}
	if ((m = decision_misleading(d->kind, d->rule)) >= 0) {
		c[n++] = xstrdup("held");
		c[n++] = xasprintf("held:%s", decision_misleading_rule(m));
	}
	return n;
}

/*
 * Return 1 if name is one of names (n of them), where a name ending in
 * ':' stands for itself followed by anything but nothing.
 */
static int
rollcount_name_in(const char *name, const char *const *names, size_t n)
{
	size_t	i, len;

	for (i = 0; i < n; i++) {
		len = strlen(names[i]);
		if (names[i][len - 1] == ':' ? strncmp(name, names[i], len) ==
		    0 && name[len] != '\0' : strcmp(name, names[i]) == 0)
			return 1;
	}
	return 0;
}

/* Return 1 if name is a counter rollcount_counters() writes. */
int
rollcount_known(const char *name)
{
	static const char *const names[] = {
		"received", "told", "told:", "suppressed", "suppressed:",
		"flag:", "sent:email", "sent:sms", "delivered", "failed",
		"failed:", "held", "held:", "std:response", "std:response:",
		"std:completion", "std:completion:", "asked", "answered",
		"answer:", "unanswered", "complained",
	};

	return rollcount_name_in(name, names, sizeof names / sizeof names[0]);
}

/* Return 1 if name is a counter whose SRs are kept in a set. */
int
rollcount_listed(const char *name)
{
	static const char *const names[] = {
		"held", "held:", "flag:", "failed", "failed:", "std:response",
		"std:response:", "std:completion", "std:completion:",
		"answer:not_fixed", "answer:partly", "complained",
	};

	return rollcount_name_in(name, names, sizeof names / sizeof names[0]);
}
