/*
 * wording.c - the plain words for each kind of entry and each rule
 *
 * The sentences are docs/history.md's tables, and for the rules it
 * leaves out docs/policy.md's; a change there is a change here.
 */
#include "build.h"

#include <stddef.h>
#include <string.h>

#include "wording.h"

/* A name and its sentence. */
struct wording {
	const char	*name;
	const char	*text;
};

static const struct wording wording_decisions[] = {
	{ "received", "The CRM sent an event: the division, the status (and "
	    "reason), as it came. This is the raw news, not what the "
	    "resident was told." },
	{ "subscribed", "A resident asked for updates, by email or SMS, in a "
	    "language." },
	{ "unsubscribed", "A resident asked to stop getting updates." },
	{ "queued", "closeloop decided to tell the resident this notice." },
	{ "held", "A closure is being held back for a while in case another "
	    "division picks the SR up." },
	{ "coalesced", "A change was folded into a message already waiting, "
	    "so the resident gets one message for a burst of changes." },
	{ "suppressed", "A message was not sent, on purpose; the rule says "
	    "why." },
	{ "flagged", "The event was handled, but something in it needs the "
	    "division's attention. It does not stop a message." },
	{ "ignored", "An event changed nothing, usually because it arrived "
	    "after newer news." },
	{ "deferred", "An SMS waits for the end of the quiet hours." },
	{ "sent", "The mail server or SMS gateway accepted the message." },
	{ "dry_run", "A test run rendered the message but did not send it." },
	{ "retried", "Sending failed for now; it will be tried again." },
	{ "failed", "Sending failed for good (for example, the address does "
	    "not exist)." },
	{ "dead", "closeloop gave up after trying for too long." },
	{ "delivered", "The phone network confirmed the SMS reached the "
	    "phone." },
	{ "measured", "A service standard ended: whether it was met as "
	    "closeloop decided (a first action for a response target, the "
	    "work done for a completion target), and whether the CRM closed "
	    "the SR in time." },
	{ "undelivered", "The phone network reported that the SMS did not "
	    "reach the phone." },
	{ "bounced", "The mail server took the email, then reported that it "
	    "could not deliver it (for good, or not yet)." },
	{ "complained", "The resident's mail provider reported that they "
	    "marked the email as spam." },
	{ "asked", "Some days after the work was done, the resident was "
	    "asked whether it fixed the problem." },
	{ "answered", "The resident answered whether the work fixed the "
	    "problem: fixed, not fixed or partly, maybe with a comment." },
	{ "unanswered", "The resident did not answer whether the work fixed "
	    "the problem before the question closed." }
};

static const struct wording wording_rules[] = {
	{ "settle", "The closure waits, in case the SR was only handed on." },
	{ "explicit_transfer", "The division closed the SR because it went "
	    "to another division: the resident is told \"transferred\", "
	    "never \"completed\"." },
	{ "implicit_transfer", "The division closed the SR as completed, but "
	    "another division started work on it during the wait: the "
	    "\"completed\" was dropped and the resident is told "
	    "\"transferred\"." },
	{ "reopened", "A closure was held, and the SR was reopened during the "
	    "wait: the closure was not told." },
	{ "superseded", "A closure was held, and the same division worked on "
	    "the SR again during the wait: the closure was not told." },
	{ "partial_work_order", "One piece of the work closed while other "
	    "work orders are still open: the resident is not told "
	    "\"completed\" yet." },
	{ "closed_not_done", "The CRM closed the SR with reason \"scheduled\" "
	    "or \"assigned\": the work is not done, so the resident is told "
	    "\"scheduled\" or \"assigned\", not \"completed\"." },
	{ "duplicate_without_link", "Closed as a duplicate without the "
	    "original SR's number: the resident cannot be pointed to the "
	    "original." },
	{ "no_note", "A closure without a note: the resident gets the "
	    "standard text for the reason." },
	{ "no_reason", "A closure without a reason: the resident is told "
	    "\"completed\"." },
	{ "unknown_note_code", "The closure's note code is not in the "
	    "division's list of standard notes, so the resident did not get "
	    "that note." },
	{ "sms_shortened", "The SMS was too long: part of the note, the photo "
	    "link or the link to the request was left out." },
	{ "photo_dropped", "A photo link is not on the City's photo host: "
	    "residents do not see that photo." },
	{ "too_many_contacts", "A contact was not added: the SR already has "
	    "64." },
	{ "too_many_work_orders", "A work order was not added: the SR already "
	    "has 64." },
	{ "too_many_notices", "The SR has had as many notices as closeloop "
	    "can number: no more are sent." },
	{ "no_transfer_to", "A transfer that does not say to which division: "
	    "the resident cannot be told who has the SR." },
	{ "past_standard", "The SR passed its division's service standard "
	    "with work still open: the resident is told it is taking longer "
	    "than usual." },
	{ "reopened_after_completed", "The resident had been told "
	    "\"completed\", and the SR was reopened: they are told so, as a "
	    "correction." },
	{ "coalesce", "A change joined the message already waiting." },
	{ "unchanged", "The message would have repeated the last one (for "
	    "\"overdue\": the resident was told already that this division "
	    "is late)." },
	{ "notify_on", "The division chose not to send this kind of "
	    "message." },
	{ "no_subscriber", "Nobody asked for updates on this SR." },
	{ "stale_event", "The event behind this message was too old (a "
	    "backlog the CRM replayed): the resident was not told old news "
	    "as new. closeloop carries on as if they had been told." },
	{ "no_notice", "The SR is on hold; pauses are not told." },
	{ "out_of_order", "The event was older than what closeloop already "
	    "knew." },
	{ "follow_duplicate", "A resident of a duplicate SR now follows the "
	    "original one." },
	{ "unsubscribed", "The resident unsubscribed after the message was "
	    "decided; it was not sent." },
	{ "sms_stop", "The phone sent STOP: this message was not sent, and "
	    "the phone gets no SMS until it sends START." },
	{ "quiet_hours", "The SMS waits for morning." },
	{ "fallback", "The message failed on one channel and goes once by "
	    "the resident's other one." },
	{ "retried_by_operator", "An operator queued a message that had "
	    "failed for good again." },
	{ "dropped_by_operator", "An operator removed a message that had "
	    "failed for good from the dead letters: it will not be sent." },
	{ "rate_limit", "The resident had their share of messages this "
	    "hour: this one waits until the hour allows it." },
	{ "suppressed_address", "The email address bounced before, so it is "
	    "no longer mailed: the message goes by phone if there is one." },
	{ "sent_now_by_operator", "An operator took the message out of its "
	    "wait, so that it goes at once." },
	{ "resent_by_operator", "An operator sent a message that went out "
	    "again, as a new one." },
	{ "hard_bounce", "The email could not be delivered, for good (the "
	    "address does not exist or refuses mail): the address is no "
	    "longer mailed." },
	{ "soft_bounce", "The email has not been delivered yet (a full "
	    "mailbox, a server down), or was given up after such passing "
	    "failures: the address is still mailed." },
	{ "no_longer_completed", "The SR was reopened, or work on it went "
	    "on, after the completion: the resident was not asked whether "
	    "it was fixed." },
	{ "feedback_off", "Residents of this division or service type are "
	    "not asked whether the work fixed the problem." },
	{ "no_answer_path", "The resident could not have answered by this "
	    "channel (no answer links, or no text messages in), so they "
	    "were not asked." }
};

/* Return the sentence of name in a table of n, or NULL. */
static const char *
wording_find(const struct wording *t, size_t n, const char *name)
{
	size_t	 i;

	for (i = 0; name != NULL && i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return t[i].text;
	return NULL;
}

/* Return what an entry of kind decision means. */
const char *
wording_decision(const char *decision)
{
	return wording_find(wording_decisions, sizeof wording_decisions /
	    sizeof wording_decisions[0], decision);
}

/* Return what rule means. */
const char *
wording_rule(const char *rule)
{
	return wording_find(wording_rules, sizeof wording_rules /
	    sizeof wording_rules[0], rule);
}
