/*
 * keyword.c - the words residents text: STOP, START, HELP, and answers
 *
 * The words are one table, keyword_words[], written as residents type
 * them; the message and each word are folded alike (keyword_fold(),
 * with ICU) before they are compared. A word of several languages
 * (PARAR, INICIAR, NO) has one row per language; the digits of the
 * answers, and their Persian and Arabic forms, have none. An answer is
 * found at the start of a message folded one character at a time, so
 * that where the word ends in the message, and the comment starts, is
 * known in the resident's own bytes.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include "keyword.h"
#include "xmalloc.h"

/* A message of this many bytes or more is no keyword. */
#define KEYWORD_TEXT_MAX	160
/* Room for a message as UTF-16, decomposed. */
#define KEYWORD_UNITS		2048
/* How much of a message's start is folded to find an answer, in bytes. */
#define KEYWORD_ANSWER_MAX	96

/* The words, by language, as residents type them. */
static const struct keyword_word {
	enum keyword_kind	 kind;
	const char		*locale;	/* "": every language */
	const char		*word;
} keyword_words[] = {
	{ KEYWORD_STOP, "en", "STOP" },
	{ KEYWORD_STOP, "en", "STOPALL" },
	{ KEYWORD_STOP, "en", "UNSUBSCRIBE" },
	{ KEYWORD_STOP, "en", "CANCEL" },
	{ KEYWORD_STOP, "en", "END" },
	{ KEYWORD_STOP, "en", "QUIT" },
	{ KEYWORD_STOP, "fr", "ARRET" },
	{ KEYWORD_STOP, "fr", "ARRÊT" },
	{ KEYWORD_STOP, "es", "PARAR" },
	{ KEYWORD_STOP, "es", "BAJA" },
	{ KEYWORD_STOP, "es", "ALTO" },
	{ KEYWORD_STOP, "pt", "PARAR" },
	{ KEYWORD_STOP, "pt", "SAIR" },
	{ KEYWORD_STOP, "fa", "لغو" },
	{ KEYWORD_STOP, "fa", "توقف" },
	{ KEYWORD_STOP, "zh-Hans", "退订" },
	{ KEYWORD_STOP, "zh-Hans", "停止" },
	{ KEYWORD_STOP, "zh-Hans", "TD" },
	{ KEYWORD_START, "en", "START" },
	{ KEYWORD_START, "en", "UNSTOP" },
	{ KEYWORD_START, "en", "YES" },
	{ KEYWORD_START, "fr", "DEBUT" },
	{ KEYWORD_START, "fr", "DÉBUT" },
	{ KEYWORD_START, "fr", "REPRENDRE" },
	{ KEYWORD_START, "es", "ALTA" },
	{ KEYWORD_START, "es", "INICIAR" },
	{ KEYWORD_START, "pt", "INICIAR" },
	{ KEYWORD_START, "pt", "VOLTAR" },
	{ KEYWORD_START, "fa", "شروع" },
	{ KEYWORD_START, "zh-Hans", "订阅" },
	{ KEYWORD_START, "zh-Hans", "开始" },
	{ KEYWORD_HELP, "en", "HELP" },
	{ KEYWORD_HELP, "en", "INFO" },
	{ KEYWORD_HELP, "fr", "AIDE" },
	{ KEYWORD_HELP, "es", "AYUDA" },
	{ KEYWORD_HELP, "pt", "AJUDA" },
	{ KEYWORD_HELP, "fa", "راهنما" },
	{ KEYWORD_HELP, "zh-Hans", "帮助" },
	/* The answers: a digit (full-width, Persian, Arabic too), a word. */
	{ KEYWORD_FIXED, "", "1" },
	{ KEYWORD_FIXED, "", "۱" },
	{ KEYWORD_FIXED, "", "١" },
	{ KEYWORD_FIXED, "en", "FIXED" },
	{ KEYWORD_FIXED, "fr", "RÉGLÉ" },
	{ KEYWORD_FIXED, "fr", "RÉPARÉ" },
	{ KEYWORD_FIXED, "es", "RESUELTO" },
	{ KEYWORD_FIXED, "es", "ARREGLADO" },
	{ KEYWORD_FIXED, "pt", "RESOLVIDO" },
	{ KEYWORD_FIXED, "pt", "CONSERTADO" },
	{ KEYWORD_FIXED, "fa", "شد" },
	{ KEYWORD_FIXED, "fa", "برطرف شد" },
	{ KEYWORD_FIXED, "zh-Hans", "已解决" },
	{ KEYWORD_FIXED, "zh-Hans", "解决了" },
	{ KEYWORD_FIXED, "zh-Hans", "修好了" },
	{ KEYWORD_FIXED, "zh-Hans", "已修好" },
	{ KEYWORD_NOT_FIXED, "", "2" },
	{ KEYWORD_NOT_FIXED, "", "۲" },
	{ KEYWORD_NOT_FIXED, "", "٢" },
	{ KEYWORD_NOT_FIXED, "en", "NO" },
	{ KEYWORD_NOT_FIXED, "en", "NOT FIXED" },
	{ KEYWORD_NOT_FIXED, "fr", "NON" },
	{ KEYWORD_NOT_FIXED, "fr", "PAS RÉGLÉ" },
	{ KEYWORD_NOT_FIXED, "fr", "PAS RÉPARÉ" },
	{ KEYWORD_NOT_FIXED, "es", "NO" },
	{ KEYWORD_NOT_FIXED, "es", "NO RESUELTO" },
	{ KEYWORD_NOT_FIXED, "pt", "NÃO" },
	{ KEYWORD_NOT_FIXED, "pt", "NÃO RESOLVIDO" },
	{ KEYWORD_NOT_FIXED, "pt", "CONTINUA" },
	{ KEYWORD_NOT_FIXED, "fa", "نشد" },
	{ KEYWORD_NOT_FIXED, "fa", "برطرف نشد" },
	{ KEYWORD_NOT_FIXED, "fa", "نه" },
	{ KEYWORD_NOT_FIXED, "fa", "خیر" },
	{ KEYWORD_NOT_FIXED, "zh-Hans", "未解决" },
	{ KEYWORD_NOT_FIXED, "zh-Hans", "没解决" },
	{ KEYWORD_NOT_FIXED, "zh-Hans", "没有解决" },
	{ KEYWORD_NOT_FIXED, "zh-Hans", "没有" },
	{ KEYWORD_NOT_FIXED, "zh-Hans", "没修好" },
	{ KEYWORD_NOT_FIXED, "zh-Hans", "否" },
	{ KEYWORD_PARTLY, "", "3" },
	{ KEYWORD_PARTLY, "", "۳" },
	{ KEYWORD_PARTLY, "", "٣" },
	{ KEYWORD_PARTLY, "en", "PARTLY" },
	{ KEYWORD_PARTLY, "en", "PARTIALLY" },
	{ KEYWORD_PARTLY, "fr", "EN PARTIE" },
	{ KEYWORD_PARTLY, "fr", "PARTIELLEMENT" },
	{ KEYWORD_PARTLY, "es", "EN PARTE" },
	{ KEYWORD_PARTLY, "es", "PARCIALMENTE" },
	{ KEYWORD_PARTLY, "pt", "EM PARTE" },
	{ KEYWORD_PARTLY, "pt", "PARCIALMENTE" },
	{ KEYWORD_PARTLY, "fa", "تا حدی" },
	{ KEYWORD_PARTLY, "fa", "بخشی" },
	{ KEYWORD_PARTLY, "zh-Hans", "部分解决" },
	{ KEYWORD_PARTLY, "zh-Hans", "部分" },
};

#define KEYWORD_N	(sizeof keyword_words / sizeof keyword_words[0])

/*
 * The words SMS gateways and carriers keep for themselves: Twilio's
 * opt-out, opt-in and help words, and the French ones of Canadian
 * carriers.
 */
static const char *const keyword_gateway[] = {
	"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "START",
	"YES", "UNSTOP", "HELP", "INFO", "ARRET", "AIDE"
};

/* Return 1 if kind is an answer to "is it fixed?". */
static int
keyword_is_answer(enum keyword_kind kind)
{
	return kind == KEYWORD_FIXED || kind == KEYWORD_NOT_FIXED ||
	    kind == KEYWORD_PARTLY;
}

/*
 * Fold len bytes of text: NFKD, marks dropped, upper case, and trimmed
 * of white space if trim is set. Returns it (allocated), or NULL if it
 * is not UTF-8.
 */
static char *
keyword_fold_n(const char *text, size_t len, int trim)
{
	const UNormalizer2	*nfkd;
	UErrorCode		 err = U_ZERO_ERROR;
	UChar			*in, *norm, *kept, *up;
	UChar32			 c;
	int32_t			 n, i, k = 0, start = 0, olen;
	char			*out = NULL;

	in = xcalloc(4, KEYWORD_UNITS * sizeof *in);
	norm = in + KEYWORD_UNITS;
	kept = norm + KEYWORD_UNITS;
	up = kept + KEYWORD_UNITS;
	u_strFromUTF8(in, KEYWORD_UNITS, &n, text, (int32_t)len, &err);
	nfkd = unorm2_getNFKDInstance(&err);
	if (U_SUCCESS(err))
		n = unorm2_normalize(nfkd, in, n, norm, KEYWORD_UNITS, &err);
	if (U_FAILURE(err))
		goto fail;
	for (i = 0; i < n;) {
		U16_NEXT(norm, i, n, c);
		if (u_charType(c) != U_NON_SPACING_MARK)
			U16_APPEND_UNSAFE(kept, k, c);
	}
	n = u_strToUpper(up, KEYWORD_UNITS, kept, k, "", &err);
	if (U_FAILURE(err))
		goto fail;
	while (trim && start < n && u_isUWhiteSpace(up[start]))
		start++;
	while (trim && n > start && u_isUWhiteSpace(up[n - 1]))
		n--;
	u_strToUTF8(NULL, 0, &olen, up + start, n - start, &err);
	if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err))
		goto fail;
	err = U_ZERO_ERROR;
	out = xmalloc((size_t)olen + 1);
	u_strToUTF8(out, olen + 1, NULL, up + start, n - start, &err);
	if (U_FAILURE(err)) {
		free(out);
		out = NULL;
	}
fail:
	free(in);
	return out;
}

/* Fold a text message as words are compared. */
char *
keyword_fold(const char *text)
{
	if (strlen(text) >= KEYWORD_TEXT_MAX)
		return NULL;
	return keyword_fold_n(text, strlen(text), 1);
}

/* Return 1 if locale is one of the space-separated words of locales. */
static int
keyword_has(const char *locales, const char *locale)
{
	size_t	len = strlen(locale);

	while (*locales != '\0') {
		if (strncmp(locales, locale, len) == 0 &&
		    (locales[len] == ' ' || locales[len] == '\0'))
			return 1;
		locales += strcspn(locales, " ");
		locales += strspn(locales, " ");
	}
	return 0;
}

/* Add the language of word i to locales, once; "" adds nothing. */
static void
keyword_locale(char *locales, size_t size, size_t i)
{
	const char	*locale = keyword_words[i].locale;
	size_t		 used = strlen(locales);

	/* ARRET and ARRÊT are one word: fr counts once. */
	if (*locale != '\0' && !keyword_has(locales, locale))
		snprintf(locales + used, size - used, "%s%s",
		    used > 0 ? " " : "", locale);
}

/* Look a text message up among the keywords. */
enum keyword_kind
keyword_find(const char *text, char *locales, size_t size)
{
	enum keyword_kind	 kind = KEYWORD_NONE;
	char			*folded, *word;
	size_t			 i;

	if (size > 0)
		*locales = '\0';
	if ((folded = keyword_fold(text)) == NULL || *folded == '\0') {
		free(folded);
		return KEYWORD_NONE;
	}
	for (i = 0; i < KEYWORD_N; i++) {
		if (keyword_is_answer(keyword_words[i].kind) ||
		    (kind != KEYWORD_NONE && keyword_words[i].kind != kind))
			continue;
		word = keyword_fold(keyword_words[i].word);
		if (word != NULL && strcmp(word, folded) == 0) {
			kind = keyword_words[i].kind;
			keyword_locale(locales, size, i);
		}
		free(word);
	}
	free(folded);
	return kind;
}

/*
 * Fold the start of text one character at a time into out (size
 * bytes), setting ends[k] to the offset in text just past the character
 * byte k of out came from; a run of white space becomes one space, and
 * white space at the start is left out. Returns the bytes written, or 0
 * if text does not start with UTF-8.
 */
static size_t
keyword_fold_start(const char *text, char *out, size_t *ends, size_t size)
{
	char		*one;
	size_t		 o = 0, n;
	int32_t		 i = 0, start, len = (int32_t)strlen(text);
	UChar32		 c;

	while (i < len && o + 1 < size) {
		start = i;
		U8_NEXT(text, i, len, c);
		if (c < 0)
			break;
		if (u_isUWhiteSpace(c)) {
			if (o > 0 && out[o - 1] != ' ') {
				ends[o] = (size_t)i;
				out[o++] = ' ';
			}
			continue;
		}
		if ((one = keyword_fold_n(text + start, (size_t)(i - start),
		    0)) == NULL)
			break;
		if ((n = strlen(one)) >= size - o) {
			free(one);
			break;
		}
		memcpy(out + o, one, n);
		while (n-- > 0)
			ends[o++] = (size_t)i;
		free(one);
	}
	out[o] = '\0';
	return o;
}

/*
 * Return 1 if a word whose last character is last ends where the
 * message goes on with next: a word of a script written with spaces
 * must not be followed by a letter or a digit of one ("10", "NOBODY"),
 * while ideographs need no space before or after them ("没有，",
 * "2没修好").
 */
static int
keyword_ends(UChar32 last, const char *next)
{
	int32_t	i = 0, len = (int32_t)strlen(next);
	UChar32	c;

	if (len == 0 || !u_isalnum(last) ||
	    u_hasBinaryProperty(last, UCHAR_IDEOGRAPHIC))
		return 1;
	U8_NEXT(next, i, len, c);
	return c < 0 || !u_isalnum(c) ||
	    u_hasBinaryProperty(c, UCHAR_IDEOGRAPHIC);
}

/* Return the last character of a UTF-8 word. */
static UChar32
keyword_last(const char *word)
{
	int32_t	i = (int32_t)strlen(word);
	UChar32	c;

	U8_PREV(word, 0, i, c);
	return c;
}

/* Read the answer a message starts with. */
enum keyword_kind
keyword_answer(const char *text, const char **rest, char *locales,
    size_t size)
{
	enum keyword_kind	 kind = KEYWORD_NONE;
	char			 folded[KEYWORD_ANSWER_MAX], *word;
	size_t			 ends[KEYWORD_ANSWER_MAX], n, k, best = 0, i;
	const char		*p;
	int32_t			 j, len;
	UChar32			 c;

	*rest = NULL;
	if (size > 0)
		*locales = '\0';
	if ((n = keyword_fold_start(text, folded, ends, sizeof folded)) == 0)
		return KEYWORD_NONE;
	for (i = 0; i < KEYWORD_N; i++) {
		if (!keyword_is_answer(keyword_words[i].kind) ||
		    (word = keyword_fold(keyword_words[i].word)) == NULL)
			continue;
		k = strlen(word);
		if (k > 0 && k >= best && k <= n &&
		    strncmp(folded, word, k) == 0 &&
		    (k == n || ends[k] != ends[k - 1]) &&
		    keyword_ends(keyword_last(word), text + ends[k - 1])) {
			if (k > best) {
				best = k;
				kind = keyword_words[i].kind;
				if (size > 0)
					*locales = '\0';
			}
			keyword_locale(locales, size, i);
		}
		free(word);
	}
	if (kind == KEYWORD_NONE)
		return KEYWORD_NONE;
	/* The comment: what follows, past spaces and punctuation. */
	p = text + ends[best - 1];
	len = (int32_t)strlen(p);
	for (j = 0; j < len;) {
		k = (size_t)j;
		U8_NEXT(p, j, len, c);
		if (c < 0 || (!u_isUWhiteSpace(c) && !u_ispunct(c))) {
			j = (int32_t)k;
			break;
		}
	}
	if (p[j] != '\0')
		*rest = p + j;
	return kind;
}

/* Return 1 if text is a word a gateway or carrier keeps. */
int
keyword_reserved(const char *text)
{
	char	*folded;
	size_t	 i;
	int	 found = 0;

	if ((folded = keyword_fold(text)) == NULL)
		return 0;
	for (i = 0; i < sizeof keyword_gateway / sizeof keyword_gateway[0];
	    i++)
		found |= strcmp(folded, keyword_gateway[i]) == 0;
	free(folded);
	return found;
}

/* Return how many words the table has. */
size_t
keyword_count(void)
{
	return KEYWORD_N;
}

/* Return the i-th word of the table. */
const char *
keyword_word(size_t i, enum keyword_kind *kind, const char **locale)
{
	if (i >= KEYWORD_N)
		return NULL;
	if (kind != NULL)
		*kind = keyword_words[i].kind;
	if (locale != NULL)
		*locale = keyword_words[i].locale;
	return keyword_words[i].word;
}
