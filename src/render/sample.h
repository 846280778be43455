/*
 * sample.h - the event a notice is rendered from when no resident is
 * waiting for it
 *
 * closeloop render and the console's Templates page show what a
 * resident would receive. The event is given as FIELD=VALUE fields;
 * those not given take a default (a status event closing SR 2026-000101
 * for the first configured division, now). It is checked as closeloopd
 * checks an event and applied to an SR with no history, its windows set
 * to 0, so the notice is the one the policy would decide for it; the
 * pseudo-field notice=NAME then makes it that notice instead. The
 * notice has one recipient, resident@example.org by email, in the
 * locale asked for.
 */
#ifndef SAMPLE_H
#define SAMPLE_H

struct config;
struct notice;
struct sample;

/* Make an empty sample event. Free it with sample_free(). */
struct sample *sample_new(void);

/* Free a sample event; NULL is a no-op. */
void sample_free(struct sample *s);

/*
 * Add a field "FIELD=VALUE" (copied), or the notice to force with
 * "notice=NAME". Returns 0, or -1 if arg has no "=" or starts with one.
 */
int sample_field(struct sample *s, const char *arg);

/*
 * Decide the notice the event gives on an SR with no history, adding
 * the fields it lacks first, for one resident of locale (NULL: the
 * default locale), whatever the age of its ts (no
 * delivery.max_event_age_hours). Returns the notice (free it with
 * notice_free()), or NULL with *cause: the event is not valid, gives no
 * notice, or names an unknown notice.
 */
struct notice *sample_notice(const struct config *cf, struct sample *s,
    const char *locale, char **cause);

#endif
