/*
 * keyword.h - the words residents text: STOP, START, HELP, and answers
 *
 * One table holds every word closeloopd takes from a resident's text
 * message, in the six shipped languages: the keywords (STOP opts the
 * phone out of every SMS, START in again, HELP says what the number is
 * for: inbound.h) and the answers to the question "is it fixed?"
 * (question.h): 1 or a word for fixed, 2 or a word for not fixed, 3 or a
 * word for partly. A message and each word are folded alike before they
 * are compared: trimmed, upper case, accents taken off, compatibility
 * forms folded (NFKD: a full-width "１" is "1"), so "arrêt", " Arret "
 * and "ARRÊT" are one word.
 *
 * A keyword is the whole message. An answer is the start of it, the
 * rest being the resident's comment ("2 the pothole is still there",
 * "NO - still there", "没有，坑还在"): a word written in a script with
 * spaces must end where a letter or digit does not follow it (so "10"
 * is no answer, nor "NOTHING"), and the longest word that matches wins.
 *
 * No answer word is a word that SMS gateways or carriers keep for
 * themselves (keyword_reserved()): Twilio takes YES, START and UNSTOP
 * as an opt-in and STOP, STOPALL, UNSUBSCRIBE, END, QUIT, CANCEL as an
 * opt-out, Canadian carriers ARRET and AIDE; a message that is one of
 * those never reaches closeloopd as an answer, or reaches it and opts
 * the phone in or out. So there is no "yes" among the answers, in any
 * language: the digits are what the question offers, the words beside
 * them what residents also write.
 */
#ifndef KEYWORD_H
#define KEYWORD_H

#include <stddef.h>

/* What a word asks for, or answers. */
enum keyword_kind {
	KEYWORD_NONE = 0,
	KEYWORD_STOP,
	KEYWORD_START,
	KEYWORD_HELP,
	KEYWORD_FIXED,
	KEYWORD_NOT_FIXED,
	KEYWORD_PARTLY
};

/*
 * Fold a text message as words are compared: trimmed, upper case,
 * without accents. Returns the folded text (the caller frees it), or
 * NULL if text is not valid UTF-8 or too long to be a keyword.
 */
char *keyword_fold(const char *text);

/*
 * Look text up among the keywords (STOP, START, HELP: the whole
 * message). Returns what it asks for and writes the languages it is a
 * word of into locales (size bytes), separated by spaces; KEYWORD_NONE
 * (and "") if it is no keyword.
 */
enum keyword_kind keyword_find(const char *text, char *locales,
    size_t size);

/*
 * Read the answer text starts with, if any: KEYWORD_FIXED,
 * KEYWORD_NOT_FIXED or KEYWORD_PARTLY, or KEYWORD_NONE. Sets *rest to
 * the comment after it in text (the separators after the word - spaces,
 * punctuation, dashes - left out), or NULL if there is none, and writes
 * the languages of the word into locales as keyword_find() does.
 */
enum keyword_kind keyword_answer(const char *text, const char **rest,
    char *locales, size_t size);

/*
 * Return 1 if text, folded, is a word an SMS gateway or carrier keeps
 * for itself (the list above, and HELP, INFO, STOPALL), else 0.
 */
int keyword_reserved(const char *text);

/* Return how many words the table has; 0 <= i < it is the i-th. */
size_t keyword_count(void);

/* Return the i-th word of the table, its kind and its language. */
const char *keyword_word(size_t i, enum keyword_kind *kind,
    const char **locale);

#endif
