/*
 * wording.h - the audit trail's kinds and rules, in plain words
 *
 * The console says what each entry of an SR's history means in the words
 * docs/history.md uses for division staff, so that the page and the guide
 * never disagree.
 */
#ifndef WORDING_H
#define WORDING_H

/* Return what an entry of kind decision means, or NULL if unknown. */
const char *wording_decision(const char *decision);

/* Return what rule means, or NULL if unknown. */
const char *wording_rule(const char *rule);

#endif
