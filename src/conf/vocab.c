/*
 * vocab.c - the status and reason vocabulary of the event contract
 *
 * The tables are indexed by the enums; entry 0 is the empty name.
 */
#include "build.h"

#include <string.h>

#include "vocab.h"

static const char *vocab_statuses[] = {
	"", "received", "assigned", "scheduled", "in_progress", "on_hold",
	"transferred", "closed", "cancelled", "reopened"
};

static const char *vocab_reasons[] = {
	"", "completed", "no_action_required", "duplicate", "transferred",
	"scheduled", "assigned", "referred_external"
};

static const char *vocab_notices[] = {
	"", "received", "assigned", "scheduled", "in_progress", "transferred",
	"completed", "no_action", "duplicate", "cancelled", "reopened",
	"referred_external", "overdue", "feedback"
};

#define VOCAB_COUNT(t) (sizeof (t) / sizeof (t)[0])

/* Find name in a table; returns its index or 0. */
static int
vocab_find(const char **table, size_t n, const char *name)
{
	size_t	i;

	if (name == NULL || *name == '\0')
		return 0;
	for (i = 1; i < n; i++) {
		if (strcmp(table[i], name) == 0)
			return (int)i;
	}
	return 0;
}

/* Look up a status by name. */
enum vocab_status
vocab_status_parse(const char *name)
{
	return vocab_find(vocab_statuses, VOCAB_COUNT(vocab_statuses), name);
}

/* Return the name of a status. */
const char *
vocab_status_name(enum vocab_status status)
{
	if ((size_t)status >= VOCAB_COUNT(vocab_statuses))
		return "";
	return vocab_statuses[status];
}

/* Look up a reason by name. */
enum vocab_reason
vocab_reason_parse(const char *name)
{
	return vocab_find(vocab_reasons, VOCAB_COUNT(vocab_reasons), name);
}

/* Return the name of a reason. */
const char *
vocab_reason_name(enum vocab_reason reason)
{
	if ((size_t)reason >= VOCAB_COUNT(vocab_reasons))
		return "";
	return vocab_reasons[reason];
}

/* Return every status name joined by ", ". */
const char *
vocab_status_list(void)
{
	return "received, assigned, scheduled, in_progress, on_hold, "
	    "transferred, closed, cancelled, reopened";
}

/* Return every reason name joined by ", ". */
const char *
vocab_reason_list(void)
{
	return "completed, no_action_required, duplicate, transferred, "
	    "scheduled, assigned, referred_external";
}

/* Look up a notice by name. */
enum vocab_notice
vocab_notice_parse(const char *name)
{
	return vocab_find(vocab_notices, VOCAB_COUNT(vocab_notices), name);
}

/* Return the name of a notice. */
const char *
vocab_notice_name(enum vocab_notice notice)
{
	if ((size_t)notice >= VOCAB_COUNT(vocab_notices))
		return "";
	return vocab_notices[notice];
}

/* Return the name of every notice the policy decides, joined by ", ". */
const char *
vocab_notice_list(void)
{
	return "received, assigned, scheduled, in_progress, transferred, "
	    "completed, no_action, duplicate, cancelled, reopened, "
	    "referred_external, overdue";
}
