/*
 * test_wording.c - unit tests for the trail's kinds and rules in plain
 * words (wording.c)
 *
 * Every kind of decision (decision.h's names) and every rule - those of
 * the tables of docs/history.md and docs/policy.md (read from
 * $top_srcdir), and those the code writes today - has a sentence, so
 * that no entry of an SR's page is left unexplained; an unknown name has
 * none.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decision.h"
#include "wording.h"
#include "xmalloc.h"

/* The rules the code writes on a decision (the rule argument). */
static const char *const test_wording_code_rules[] = {
	"closed_not_done", "coalesce", "dropped_by_operator",
	"duplicate_without_link", "explicit_transfer", "fallback",
	"feedback_off", "follow_duplicate", "hard_bounce",
	"implicit_transfer", "no_answer_path", "no_longer_completed",
	"no_note", "no_notice", "no_reason",
	"no_subscriber", "no_transfer_to", "notify_on", "out_of_order",
	"partial_work_order", "past_standard", "photo_dropped", "quiet_hours",
	"rate_limit",
	"reopened", "reopened_after_completed", "resent_by_operator",
	"retried_by_operator", "sent_now_by_operator", "settle",
	"sms_shortened", "sms_stop", "soft_bounce", "stale_event",
	"superseded",
	"suppressed_address",
	"too_many_contacts",
	"too_many_notices", "too_many_work_orders", "unchanged",
	"unknown_note_code", "unsubscribed"
};

/* Check that a sentence is there and reads as one. */
static void
test_wording_sentence(const char *what, const char *name, const char *text)
{
	size_t	 len;

	if (text == NULL)
		fail_msg("%s %s has no words", what, name);
	len = strlen(text);
	if (len < 15 || text[len - 1] != '.')
		fail_msg("%s %s: \"%s\" is not a sentence", what, name, text);
}

/* Every kind of decision has words. */
static void
test_wording_kinds(void **state)
{
	const char	*name;
	int		 k;

	(void)state;
	for (k = 1; *(name = decision_kind_name((enum decision_kind)k)) !=
	    '\0'; k++)
		test_wording_sentence("decision", name,
		    wording_decision(name));
	/* Every kind of decision.h was seen: the last is unanswered. */
	assert_int_equal(k, DECISION_UNANSWERED + 1);
}

/* Every rule the code writes has words. */
static void
test_wording_code(void **state)
{
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof test_wording_code_rules /
	    sizeof test_wording_code_rules[0]; i++)
		test_wording_sentence("rule", test_wording_code_rules[i],
		    wording_rule(test_wording_code_rules[i]));
}

/*
 * Check the names in the first column of a document's tables whose
 * first heading is "Entry" (kinds) or "Rule" (rules); return how many
 * were checked into *kinds and *rules.
 */
static void
test_wording_doc(const char *rel, size_t *kinds, size_t *rules)
{
	const char	*top = getenv("top_srcdir");
	char		*path, line[4096], name[128];
	FILE		*f;
	int		 table = 0;	/* 1: kinds, 2: rules, 0: other */
	size_t		 len;

	if (top == NULL || *top == '\0')
		top = ".";
	path = xasprintf("%s/%s", top, rel);
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("cannot read %s (set top_srcdir)", path);
	while (fgets(line, sizeof line, f) != NULL) {
		if (line[0] != '|') {
			table = 0;
			continue;
		}
		if (strncmp(line, "| Entry |", 9) == 0)
			table = 1;
		else if (strncmp(line, "| Rule |", 8) == 0)
			table = 2;
		if (table == 0 || strncmp(line, "| `", 3) != 0)
			continue;
		len = strcspn(line + 3, "`");
		assert_true(len > 0 && len < sizeof name);
		memcpy(name, line + 3, len);
		name[len] = '\0';
		if (table == 1) {
			test_wording_sentence("decision", name,
			    wording_decision(name));
			(*kinds)++;
		} else {
			test_wording_sentence("rule", name,
			    wording_rule(name));
			(*rules)++;
		}
	}
	fclose(f);
	free(path);
}

/* Every kind and rule of the documents' tables has words. */
static void
test_wording_docs(void **state)
{
	size_t	 kinds = 0, rules = 0;

	(void)state;
	test_wording_doc("docs/history.md", &kinds, &rules);
	/* Its tables of entries list every kind; of rules, the common. */
	assert_int_equal(kinds, DECISION_UNANSWERED);
	assert_true(rules >= 20);
	kinds = rules = 0;
	test_wording_doc("docs/policy.md", &kinds, &rules);
	/* Every rule; settle and partial_work_order have two rows. */
	assert_true(rules >= sizeof test_wording_code_rules /
	    sizeof test_wording_code_rules[0] + 2);
}

/* An unknown name has no words; names are matched whole and exactly. */
static void
test_wording_unknown(void **state)
{
	(void)state;
	assert_null(wording_decision("nonsense"));
	assert_null(wording_decision(""));
	assert_null(wording_decision(NULL));
	assert_null(wording_decision("Queued"));
	assert_null(wording_decision("queue"));
	assert_null(wording_decision("queued "));
	assert_null(wording_rule("nonsense"));
	assert_null(wording_rule(""));
	assert_null(wording_rule(NULL));
	assert_null(wording_rule("settl"));
	assert_null(wording_rule("no_note_"));
	/* A kind is not a rule, unless it is both (unsubscribed). */
	assert_null(wording_rule("queued"));
	assert_null(wording_decision("settle"));
	assert_non_null(wording_rule("unsubscribed"));
	assert_string_not_equal(wording_rule("unsubscribed"),
	    wording_decision("unsubscribed"));
	/* Each name has its own words. */
	assert_string_not_equal(wording_rule("explicit_transfer"),
	    wording_rule("implicit_transfer"));
	assert_non_null(strstr(wording_rule("explicit_transfer"),
	    "transferred"));
	assert_non_null(strstr(wording_decision("delivered"), "reached"));
	assert_non_null(strstr(wording_decision("undelivered"), "did not"));
	assert_non_null(strstr(wording_decision("bounced"), "could not"));
	assert_non_null(strstr(wording_decision("complained"), "spam"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wording_kinds),
		cmocka_unit_test(test_wording_code),
		cmocka_unit_test(test_wording_docs),
		cmocka_unit_test(test_wording_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
