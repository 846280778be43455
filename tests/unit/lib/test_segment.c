/*
 * test_segment.c - unit tests for SMS segment counting and fitting
 *
 * The counts are the ones a carrier bills: 160 septets or 70 UTF-16
 * units in one message, 153 or 67 in each part of a longer one, with no
 * escaped GSM character and no surrogate pair split between parts. The
 * cases on a part boundary are built so that dividing the units by the
 * part size gives a different, wrong, answer. UTF-8 validity and UTF-16
 * lengths are checked independently of segment.c with iconv(3).
 */
#include "build.h"

#include <errno.h>
#include <iconv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gsm7.h"
#include "segment.h"
#include "xmalloc.h"

#define NITEMS(a) (sizeof (a) / sizeof (a)[0])

#define ELLIPSIS "\xe2\x80\xa6"

/* The 127 characters of the GSM 03.38 default alphabet (all but ESC). */
#define GSM7_BASIC \
	"@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" \
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

/* The ten characters of its extension table, two septets each. */
#define GSM7_EXTENSION "\f^{}\\[~]|€"

/* Return s repeated n times; the string is allocated. */
static char *
test_segment_repeat(const char *s, size_t n)
{
	size_t	 len = strlen(s), i;
	char	*out;

	out = xmalloc(len * n + 1);
	for (i = 0; i < n; i++)
		memcpy(out + i * len, s, len);
	out[len * n] = '\0';
	return out;
}

/* Return the concatenation of a, b and c; the string is allocated. */
static char *
test_segment_cat(const char *a, const char *b, const char *c)
{
	return xasprintf("%s%s%s", a, b, c);
}

/*
 * Convert s to UTF-16 with iconv and return the number of code units, or
 * -1 if s is not valid UTF-8.
 */
static long
test_segment_utf16_units(const char *s)
{
	iconv_t	 cd;
	char	*in = (char *)(uintptr_t)s, *buf, *outp;
	size_t	 inleft = strlen(s), outsize = inleft * 4 + 4, outleft;
	long	 units = -1;

	cd = iconv_open("UTF-16LE", "UTF-8");
	assert_true(cd != (iconv_t)-1);
	buf = xmalloc(outsize);
	outp = buf;
	outleft = outsize;
	if (iconv(cd, &in, &inleft, &outp, &outleft) != (size_t)-1 &&
	    inleft == 0)
		units = (long)((outsize - outleft) / 2);
	free(buf);
	iconv_close(cd);
	return units;
}

/* Assert that s is valid UTF-8, as iconv sees it. */
static void
test_segment_assert_utf8(const char *s)
{
	assert_true(test_segment_utf16_units(s) >= 0);
}

/* Return the length in bytes of the UTF-8 sequence at s. */
static size_t
test_segment_seqlen(const char *s)
{
	size_t	n = 1;

	while (((unsigned char)s[n] & 0xc0) == 0x80)
		n++;
	return n;
}

/* Count text and return the number of segments, failing on an error. */
static size_t
test_segment_segments(const char *text)
{
	struct segment_info	si;

	assert_int_equal(segment_count(text, &si), 0);
	return si.segments;
}

/* Check the count of text against every expected field. */
static void
test_segment_expect(const char *text, enum segment_encoding encoding,
    size_t units, size_t chars, size_t segments)
{
	struct segment_info	si;

	assert_int_equal(segment_count(text, &si), 0);
	assert_int_equal(si.encoding, encoding);
	assert_int_equal(si.units, units);
	assert_int_equal(si.chars, chars);
	assert_int_equal(si.segments, segments);
	if (encoding == SEGMENT_UCS2)
		assert_int_equal(test_segment_utf16_units(text), (long)units);
}

/* 160 GSM characters are one SMS; 161 are two; 307 are three. */
static void
test_segment_gsm7_lengths(void **state)
{
	static const struct {
		size_t	n;
		size_t	segments;
	} cases[] = {
		{ 1, 1 }, { 159, 1 }, { 160, 1 }, { 161, 2 }, { 306, 2 },
		{ 307, 3 }, { 459, 3 }, { 460, 4 }
	};
	char	*text;
	size_t	 i;

	(void)state;
	for (i = 0; i < NITEMS(cases); i++) {
		text = test_segment_repeat("a", cases[i].n);
		test_segment_expect(text, SEGMENT_GSM7, cases[i].n, cases[i].n,
		    cases[i].segments);
		free(text);
	}
}

/* 70 UCS-2 characters are one SMS; 71 are two; 135 are three. */
static void
test_segment_ucs2_lengths(void **state)
{
	static const struct {
		size_t	n;
		size_t	segments;
	} cases[] = {
		{ 1, 1 }, { 69, 1 }, { 70, 1 }, { 71, 2 }, { 134, 2 },
		{ 135, 3 }, { 201, 3 }, { 202, 4 }
	};
	char	*text;
	size_t	 i;

	(void)state;
	for (i = 0; i < NITEMS(cases); i++) {
		text = test_segment_repeat("水", cases[i].n);
		test_segment_expect(text, SEGMENT_UCS2, cases[i].n, cases[i].n,
		    cases[i].segments);
		free(text);
	}
}

/* One character outside GSM makes a whole GSM text UCS-2. */
static void
test_segment_one_char_switches(void **state)
{
	char	*a69, *text;

	(void)state;
	a69 = test_segment_repeat("a", 69);
	text = test_segment_cat(a69, "ç", "");
	test_segment_expect(text, SEGMENT_UCS2, 70, 70, 1);
	free(text);
	text = test_segment_cat(a69, "aç", "");
	test_segment_expect(text, SEGMENT_UCS2, 71, 71, 2);
	free(text);
	free(a69);
}

/* Empty text is one (empty) message, in GSM-7. */
static void
test_segment_empty(void **state)
{
	(void)state;
	test_segment_expect("", SEGMENT_GSM7, 0, 0, 1);
}

/* The default alphabet is exactly its 127 characters, one septet each. */
static void
test_segment_gsm7_alphabet(void **state)
{
	uint32_t	cp;
	size_t		basic = 0, extension = 0;

	(void)state;
	test_segment_expect(GSM7_BASIC, SEGMENT_GSM7, 127, 127, 1);
	test_segment_expect(GSM7_EXTENSION, SEGMENT_GSM7, 20, 10, 1);

	/* No code point but these 137 is in GSM-7. */
	for (cp = 0; cp <= 0x10ffff; cp++) {
		switch (gsm7_septets(cp)) {
		case 1:
			basic++;
			break;
		case 2:
			extension++;
			break;
		default:
			assert_int_equal(gsm7_septets(cp), 0);
			break;
		}
	}
	assert_int_equal(basic, 127);
	assert_int_equal(extension, 10);
}

/* Characters that look as if they belong to GSM-7 but do not. */
static void
test_segment_not_gsm7(void **state)
{
	static const char *const not_gsm[] = {
		"`", "\t", "ç", "ê", "â", "ã", "õ", "î", "ô", "û", "ë", "ï",
		"á", "í", "ó", "ú", "È", "À", "Ù", "œ", "«", "»",
		"\xe2\x80\x99",	/* right single quotation mark */
		"\xe2\x80\x9c",	/* left double quotation mark */
		"\xe2\x80\x94",	/* em dash */
		ELLIPSIS,
		"\xc2\xa0",		/* no-break space */
		"©", "°", "α", "Α", "\x7f", "\x01"
	};
	char	*text;
	size_t	 i;

	(void)state;
	for (i = 0; i < NITEMS(not_gsm); i++) {
		text = test_segment_cat("Bonjour ", not_gsm[i], " merci");
		test_segment_expect(text, SEGMENT_UCS2, 15, 15, 1);
		free(text);
	}
}

/* Each extension character counts two septets. */
static void
test_segment_extension_septets(void **state)
{
	char	*text, *a158;

	(void)state;
	test_segment_expect("€5 [x] {y}", SEGMENT_GSM7, 15, 10, 1);
	test_segment_expect("a|b~c^d\\e", SEGMENT_GSM7, 13, 9, 1);

	/* 158 + 2 septets fill one SMS; 159 + 2 need two. */
	a158 = test_segment_repeat("a", 158);
	text = test_segment_cat(a158, "€", "");
	test_segment_expect(text, SEGMENT_GSM7, 160, 159, 1);
	free(text);
	text = test_segment_cat(a158, "a€", "");
	test_segment_expect(text, SEGMENT_GSM7, 161, 160, 2);
	free(text);
	free(a158);
}

/* An escaped character on a part boundary moves whole to the next part. */
static void
test_segment_extension_not_split(void **state)
{
	static const char *const ext[] = { "€", "[", "]", "{", "}" };
	char	*a152, *a153, *text;
	size_t	 i;

	(void)state;
	a152 = test_segment_repeat("a", 152);
	a153 = test_segment_repeat("a", 153);
	for (i = 0; i < NITEMS(ext); i++) {
		/*
		 * 306 septets: 306 / 153 is 2, but the first part can hold
		 * only the 152 letters, so the second holds the escape, the
		 * character and 151 letters, and one letter is left over.
		 */
		text = test_segment_cat(a152, ext[i], a152);
		test_segment_expect(text, SEGMENT_GSM7, 306, 305, 3);
		free(text);

		/* Not on the boundary: the same 306 septets fit in two. */
		text = test_segment_cat(a153, ext[i], a152 + 1);
		test_segment_expect(text, SEGMENT_GSM7, 306, 305, 2);
		free(text);
	}
	free(a153);
	free(a152);
}

/* An emoji is a surrogate pair: two units, never split between parts. */
static void
test_segment_emoji(void **state)
{
	char	*text, *a66;

	(void)state;
	test_segment_expect("😀", SEGMENT_UCS2, 2, 1, 1);
	test_segment_expect("Done 👍", SEGMENT_UCS2, 7, 6, 1);

	/* 35 emoji are 70 units, one SMS; 36 are two. */
	text = test_segment_repeat("😀", 35);
	test_segment_expect(text, SEGMENT_UCS2, 70, 35, 1);
	free(text);
	text = test_segment_repeat("😀", 36);
	test_segment_expect(text, SEGMENT_UCS2, 72, 36, 2);
	free(text);

	/* 67 emoji are 134 units (134 / 67 is 2) but 33 fit in a part. */
	text = test_segment_repeat("😀", 67);
	test_segment_expect(text, SEGMENT_UCS2, 134, 67, 3);
	free(text);

	/* A pair on the boundary moves to the next part. */
	a66 = test_segment_repeat("a", 66);
	text = test_segment_cat(a66, "🚧", a66);
	test_segment_expect(text, SEGMENT_UCS2, 134, 133, 3);
	free(text);
	text = test_segment_cat(a66, "a🚧", a66 + 1);
	test_segment_expect(text, SEGMENT_UCS2, 134, 133, 2);
	free(text);
	free(a66);
}

/* Texts in several languages and scripts. */
static void
test_segment_languages(void **state)
{
	static const struct {
		const char		*text;
		enum segment_encoding	 encoding;
		size_t			 units;
		size_t			 chars;
	} cases[] = {
		/* Chinese */
		{ "您的报修已完成。", SEGMENT_UCS2, 8, 8 },
		/* Tamil: vowel signs and virama are code points of their own */
		{ "வணக்கம்", SEGMENT_UCS2, 7, 7 },
		{ "உங்கள் கோரிக்கை முடிந்தது", SEGMENT_UCS2, 25, 25 },
		/* Persian */
		{ "درخواست شما انجام شد", SEGMENT_UCS2, 20, 20 },
		{ "سلام دنیا", SEGMENT_UCS2, 9, 9 },
		/* French in GSM: é è à ù ì ò É Ç are in it */
		{ "Réparation terminée à l'école, où ça? Ç'est fait, Élodie.",
		  SEGMENT_UCS2, 57, 57 },
		{ "Réparation terminée à l'école où est la rue.",
		  SEGMENT_GSM7, 44, 44 },
		{ "Élevé, déjà fini, Ça va.", SEGMENT_GSM7, 24, 24 },
		/* French out of GSM: ê, â and lower-case ç are not */
		{ "La fenêtre", SEGMENT_UCS2, 10, 10 },
		{ "Le château", SEGMENT_UCS2, 10, 10 },
		{ "Le garçon", SEGMENT_UCS2, 9, 9 },
		/* Portuguese: ã and õ are not in GSM */
		{ "Não", SEGMENT_UCS2, 3, 3 },
		{ "As ligações estão prontas", SEGMENT_UCS2, 25, 25 },
		/* Spanish and German in GSM */
		{ "¿Mañana? ¡Sí!", SEGMENT_UCS2, 13, 13 },
		{ "¿Mañana? ¡Ya!", SEGMENT_GSM7, 13, 13 },
		{ "Straße, Öl, Ärger, über", SEGMENT_GSM7, 23, 23 },
		/* Greek capitals of the alphabet, but not the small letters */
		{ "ΔΦΓΛΩΠΨΣΘΞ", SEGMENT_GSM7, 10, 10 },
		{ "Ωω", SEGMENT_UCS2, 2, 2 },
		/* a backtick is not in GSM */
		{ "run `make`", SEGMENT_UCS2, 10, 10 },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < NITEMS(cases); i++)
		test_segment_expect(cases[i].text, cases[i].encoding,
		    cases[i].units, cases[i].chars, 1);
}

/* Longer texts in other scripts count by UCS-2 parts. */
static void
test_segment_languages_long(void **state)
{
	char	*text;

	(void)state;
	/* 9 x 8 = 72 Chinese characters: two parts. */
	text = test_segment_repeat("您的报修已完成。", 9);
	test_segment_expect(text, SEGMENT_UCS2, 72, 72, 2);
	free(text);
	/* 7 x 20 = 140 Persian characters: three parts. */
	text = test_segment_repeat("درخواست شما انجام شد", 7);
	test_segment_expect(text, SEGMENT_UCS2, 140, 140, 3);
	free(text);
	/* 10 x 25 = 250 Tamil code points: four parts of 67. */
	text = test_segment_repeat("உங்கள் கோரிக்கை முடிந்தது", 10);
	test_segment_expect(text, SEGMENT_UCS2, 250, 250, 4);
	free(text);
}

/* Invalid UTF-8 is refused and the result is left alone. */
static void
test_segment_invalid(void **state)
{
	static const char *const bad[] = {
		"\xff",			/* never in UTF-8 */
		"abc\x80",		/* lone continuation byte */
		"\xc3",			/* truncated é */
		"caf\xc3(",		/* é cut by another byte */
		"\xe2\x82",		/* truncated € */
		"\xc0\xaf",		/* overlong '/' */
		"\xe0\x80\xaf",		/* overlong '/' */
		"\xed\xa0\x80",		/* a surrogate, U+D800 */
		"\xed\xa0\xbd\xed\xb8\x80", /* an emoji as CESU-8 */
		"\xf4\x90\x80\x80",	/* above U+10FFFF */
		"\xf8\x88\x80\x80\x80",	/* five bytes */
	};
	struct segment_info	si, before;
	size_t			i;

	(void)state;
	memset(&before, 0x5a, sizeof before);
	for (i = 0; i < NITEMS(bad); i++) {
		si = before;
		assert_int_equal(segment_count(bad[i], &si), -1);
		assert_memory_equal(&si, &before, sizeof si);
		assert_int_equal(test_segment_utf16_units(bad[i]), -1);
	}
	assert_int_equal(segment_count(NULL, &si), -1);
}

/* A message that fits is the parts joined by spaces, empty ones skipped. */
static void
test_segment_fit_fits(void **state)
{
	const struct segment_part	parts[] = {
		{ "Your request is complete.", SEGMENT_FIXED },
		{ NULL, SEGMENT_NOTE },
		{ "", SEGMENT_PHOTO },
		{ "Note: the valve was replaced.", SEGMENT_NOTE },
		{ "https://p.example.org/1.jpg", SEGMENT_PHOTO },
		{ "https://to.example.org/s/1", SEGMENT_LINK },
	};
	struct segment_info		si;
	char				*msg;

	(void)state;
	msg = segment_fit(parts, NITEMS(parts), 1, &si, NULL);
	assert_non_null(msg);
	assert_string_equal(msg, "Your request is complete. Note: the valve "
	    "was replaced. https://p.example.org/1.jpg "
	    "https://to.example.org/s/1");
	assert_int_equal(si.encoding, SEGMENT_GSM7);
	assert_int_equal(si.units, strlen(msg));
	assert_int_equal(si.segments, 1);
	free(msg);

	/* Nothing at all is an empty message. */
	msg = segment_fit(parts + 1, 2, 1, &si, NULL);
	assert_string_equal(msg, "");
	assert_int_equal(si.segments, 1);
	free(msg);
	msg = segment_fit(NULL, 0, 1, NULL, NULL);
	assert_string_equal(msg, "");
	free(msg);
}

/* Dropping the photo is enough: the note is kept whole. */
static void
test_segment_fit_photo_first(void **state)
{
	char				*note = test_segment_repeat("x", 100);
	const struct segment_part	 parts[] = {
		{ "Done.", SEGMENT_FIXED },
		{ note, SEGMENT_NOTE },
		{ "https://photos.example.org/sr1/1.jpg", SEGMENT_PHOTO },
		{ "https://to.example.org/s/1", SEGMENT_LINK },
	};
	struct segment_info		 si;
	char				*msg, *want;

	(void)state;
	msg = segment_fit(parts, NITEMS(parts), 1, &si, NULL);
	want = xasprintf("Done. %s https://to.example.org/s/1", note);
	assert_string_equal(msg, want);
	assert_int_equal(si.encoding, SEGMENT_GSM7);
	assert_int_equal(si.units, 133);
	assert_int_equal(si.segments, 1);
	free(want);
	free(msg);
	free(note);
}

/*
 * Check a message made of fixed, a note cut with mark and link: the
 * pieces are in place, the note is a prefix of the original cut at a
 * code point - at a word boundary if words is set - and one more
 * character (or word) of the note would not fit.
 */
static void
test_segment_check_cut_note(const char *msg, const char *fixed,
    const char *note, const char *link, int max, const char *mark,
    int words)
{
	const char	*p, *end;
	char		*longer, *kept, *tail;
	size_t		 fixedlen = strlen(fixed), keptlen, more;

	test_segment_assert_utf8(msg);
	assert_true(test_segment_segments(msg) <= (size_t)max);

	/* fixed, a space, the cut note, the mark, a space, the link */
	assert_memory_equal(msg, fixed, fixedlen);
	assert_int_equal(msg[fixedlen], ' ');
	p = msg + fixedlen + 1;
	end = msg + strlen(msg) - strlen(link);
	assert_string_equal(end, link);
	tail = xasprintf("%s ", mark);
	assert_true(end - p >= (long)strlen(tail));
	assert_memory_equal(end - strlen(tail), tail, strlen(tail));
	keptlen = (size_t)(end - p) - strlen(tail);
	assert_true(keptlen < strlen(note));
	assert_memory_equal(p, note, keptlen);

	/* No white space is left before the mark. */
	assert_true(keptlen > 0);
	assert_true(p[keptlen - 1] != ' ');

	/* Cut at a code point: the next byte of the note starts one. */
	assert_true(((unsigned char)note[keptlen] & 0xc0) != 0x80);
	if (words)
		assert_int_equal(note[keptlen], ' ');

	/* One more character (or word, and any space before it) would not
	 * fit. */
	more = keptlen;
	do
		more += test_segment_seqlen(note + more);
	while (note[more - 1] == ' ' ||
	    (words && note[more] != ' ' && note[more] != '\0'));
	kept = xstrndup(note, more);
	longer = xasprintf("%s %s%s %s", fixed, kept, mark, link);
	assert_true(test_segment_segments(longer) > (size_t)max);
	free(longer);
	free(kept);
	free(tail);
}

/* A 500-character GSM note with a photo and a link, in 3 segments. */
static void
test_segment_fit_note_gsm(void **state)
{
	const char			*fixed = "Your request SR-1234 is "
					    "complete.";
	const char			*photo = "https://photos.example.org/"
					    "sr1234/1.jpg";
	const char			*link = "https://to.example.org/s/1234";
	char				*note, *msg;
	struct segment_part		 parts[4];
	struct segment_info		 si;
	struct segment_cut		 cut;

	(void)state;
	/* 10 x 50 = 500 characters, all in GSM */
	note = test_segment_repeat("Crew replaced the valve; road to be paved"
	    " in May. ", 10);
	assert_int_equal(strlen(note), 500);
	parts[0] = (struct segment_part){ fixed, SEGMENT_FIXED };
	parts[1] = (struct segment_part){ note, SEGMENT_NOTE };
	parts[2] = (struct segment_part){ photo, SEGMENT_PHOTO };
	parts[3] = (struct segment_part){ link, SEGMENT_LINK };

	msg = segment_fit(parts, NITEMS(parts), 3, &si, &cut);
	assert_non_null(msg);
	assert_null(strstr(msg, photo));
	test_segment_check_cut_note(msg, fixed, note, link, 3,
	    SEGMENT_MARK_GSM7, 1);

	/* The mark is GSM-7 too: the message stays GSM-7, 3 x 153. */
	assert_int_equal(si.encoding, SEGMENT_GSM7);
	assert_int_equal(si.segments, 3);
	assert_true(si.units <= 3 * SEGMENT_GSM7_PART);
	assert_true(si.units > 3 * SEGMENT_GSM7_PART - 10);
	assert_true(cut.photo);
	assert_false(cut.link);
	assert_false(cut.fixed);
	assert_int_equal(cut.note_chars, strlen(note) - (strlen(msg) -
	    strlen(fixed) - strlen(link) - 2 - strlen(SEGMENT_MARK_GSM7)));
	free(msg);
	free(note);
}

/* The same in Chinese: the note is cut, the link kept, 3 segments. */
static void
test_segment_fit_note_chinese(void **state)
{
	const char			*fixed = "您的报修SR-1234已完成。";
	const char			*photo = "https://photos.example.org/"
					    "sr1234/1.jpg";
	const char			*link = "https://to.example.org/s/1234";
	char				*note, *msg;
	struct segment_part		 parts[4];
	struct segment_info		 si;

	(void)state;
	/* 50 x 10 = 500 characters */
	note = test_segment_repeat("维修人员已更换阀门。", 50);
	parts[0] = (struct segment_part){ fixed, SEGMENT_FIXED };
	parts[1] = (struct segment_part){ note, SEGMENT_NOTE };
	parts[2] = (struct segment_part){ photo, SEGMENT_PHOTO };
	parts[3] = (struct segment_part){ link, SEGMENT_LINK };

	msg = segment_fit(parts, NITEMS(parts), 3, &si, NULL);
	assert_non_null(msg);
	assert_null(strstr(msg, photo));
	test_segment_check_cut_note(msg, fixed, note, link, 3,
	    SEGMENT_ELLIPSIS, 0);
	assert_int_equal(si.encoding, SEGMENT_UCS2);
	assert_int_equal(si.segments, 3);
	assert_int_equal(test_segment_utf16_units(msg), (long)si.units);
	free(msg);
	free(note);
}

/* A note of emoji is cut between surrogate pairs, never inside one. */
static void
test_segment_fit_note_emoji(void **state)
{
	char				*note = test_segment_repeat("🚧", 100);
	const struct segment_part	 parts[] = {
		{ "Done", SEGMENT_FIXED },
		{ note, SEGMENT_NOTE },
	};
	struct segment_info		 si;
	char				*msg;
	size_t				 keptlen;

	(void)state;
	msg = segment_fit(parts, NITEMS(parts), 1, &si, NULL);
	test_segment_assert_utf8(msg);
	assert_int_equal(si.segments, 1);
	assert_int_equal(si.encoding, SEGMENT_UCS2);

	/* "Done " is 5 units and the ellipsis 1: 32 emoji fit in 64. */
	assert_memory_equal(msg, "Done ", 5);
	keptlen = strlen(msg) - 5 - strlen(ELLIPSIS);
	assert_int_equal(keptlen % 4, 0);
	assert_int_equal(keptlen / 4, 32);
	assert_memory_equal(msg + 5, note, keptlen);
	assert_string_equal(msg + 5 + keptlen, ELLIPSIS);
	assert_int_equal(si.units, 70);
	assert_int_equal(test_segment_utf16_units(msg), 70);
	free(msg);

	/* Over two parts, where 33 pairs fill each part of 67. */
	msg = segment_fit(parts, NITEMS(parts), 2, &si, NULL);
	test_segment_assert_utf8(msg);
	assert_int_equal(si.segments, 2);
	keptlen = strlen(msg) - 5 - strlen(ELLIPSIS);
	assert_int_equal(keptlen % 4, 0);
	/* part 1: "Done " and 31 emoji (67 units); part 2: 33 and "..." */
	assert_int_equal(keptlen / 4, 64);
	free(msg);
	free(note);
}

/* Of two notes, the last one is shortened first. */
static void
test_segment_fit_notes_last_first(void **state)
{
	char				*second = test_segment_repeat("x", 300);
	const struct segment_part	 parts[] = {
		{ "Done.", SEGMENT_FIXED },
		{ "First note.", SEGMENT_NOTE },
		{ second, SEGMENT_NOTE },
	};
	struct segment_info		 si;
	char				*msg, *want;

	(void)state;
	/* 5 + 1 + 11 + 1 + 139 + 3 = 160 septets, cut within a word */
	msg = segment_fit(parts, NITEMS(parts), 1, &si, NULL);
	want = xasprintf("Done. First note. %.139s...", second);
	assert_string_equal(msg, want);
	assert_int_equal(si.encoding, SEGMENT_GSM7);
	assert_int_equal(si.units, 160);
	free(want);
	free(msg);
	free(second);
}

/* A note that cannot fit even as an ellipsis is dropped. */
static void
test_segment_fit_note_dropped(void **state)
{
	char				*fixed = test_segment_repeat("a", 160);
	const struct segment_part	 parts[] = {
		{ fixed, SEGMENT_FIXED },
		{ "and a note", SEGMENT_NOTE },
	};
	struct segment_info		 si;
	char				*msg;

	(void)state;
	msg = segment_fit(parts, NITEMS(parts), 1, &si, NULL);
	assert_string_equal(msg, fixed);
	assert_int_equal(si.encoding, SEGMENT_GSM7);
	assert_int_equal(si.segments, 1);
	free(msg);
	free(fixed);
}

/* A fixed text too long for one segment is cut at a character. */
static void
test_segment_fit_fixed_chars(void **state)
{
	char				*fixed;
	struct segment_part		 parts[] = {
		{ NULL, SEGMENT_FIXED },
		{ "多余的备注", SEGMENT_NOTE },
	};
	struct segment_info		 si;
	char				*msg;
	size_t				 len;

	(void)state;
	fixed = test_segment_repeat("您的报修已完成", 30);
	parts[0].text = fixed;
	msg = segment_fit(parts, NITEMS(parts), 1, &si, NULL);
	test_segment_assert_utf8(msg);
	assert_int_equal(si.segments, 1);
	assert_int_equal(si.units, 70);
	assert_int_equal(si.chars, 70);

	/* 69 characters of three bytes, then the ellipsis. */
	len = strlen(msg);
	assert_int_equal(len, 69 * 3 + strlen(ELLIPSIS));
	assert_memory_equal(msg, fixed, 69 * 3);
	assert_string_equal(msg + 69 * 3, ELLIPSIS);
	free(msg);
	free(fixed);
}

/* A fixed text of words is cut after a whole word, the link kept. */
static void
test_segment_fit_fixed_words(void **state)
{
	const char			*fixed = "The water main on your "
					    "street was repaired this morning "
					    "and service is back to normal for "
					    "every household nearby. Thank "
					    "you for your patience.";
	const char			*link = "https://to.example.org/s/12";
	const struct segment_part	 parts[] = {
		{ fixed, SEGMENT_FIXED },
		{ "A note that goes.", SEGMENT_NOTE },
		{ "https://p.example.org/1.jpg", SEGMENT_PHOTO },
		{ link, SEGMENT_LINK },
	};
	struct segment_info		 si;
	struct segment_cut		 cut;
	char				*msg;
	size_t				 kept;

	(void)state;
	msg = segment_fit(parts, NITEMS(parts), 1, &si, &cut);
	test_segment_assert_utf8(msg);
	assert_int_equal(si.segments, 1);
	assert_int_equal(si.encoding, SEGMENT_GSM7);

	/* The link is whole at the end, after the cut fixed text. */
	assert_string_equal(msg + strlen(msg) - strlen(link), link);
	kept = strlen(msg) - strlen(link) - strlen("... ");
	assert_memory_equal(msg + kept, "... ", strlen("... "));
	assert_memory_equal(msg, fixed, kept);

	/*
	 * 160 - 27 - 1 - 3 = 129 septets hold the text up to "Thank you for
	 * y", which goes back to the last whole word; the note went first.
	 */
	assert_int_equal(kept, strlen("The water main on your street was "
	    "repaired this morning and service is back to normal for every "
	    "household nearby. Thank you for"));
	assert_int_equal(fixed[kept], ' ');
	assert_true(cut.fixed);
	assert_true(cut.photo);
	assert_int_equal(cut.note_chars, strlen("A note that goes."));
	free(msg);
}

/* Links go only at the last resort, and then the rest is fitted anew. */
static void
test_segment_fit_link_last(void **state)
{
	char			*path, *link, *longlink, *msg, *want;
	struct segment_part	 parts[3];
	struct segment_info	 si;

	(void)state;
	/* Links of 25 + 125 = 150 and 25 + 167 = 192 characters. */
	path = test_segment_repeat("abcdefghijklmnopqrstuvwxyz0123456789-", 5);
	link = xasprintf("https://to.example.org/s/%.125s", path);
	longlink = xasprintf("https://to.example.org/s/%.167s", path);
	assert_int_equal(strlen(link), 150);
	assert_int_equal(strlen(longlink), 192);
	parts[0] = (struct segment_part){ "Repaired.", SEGMENT_FIXED };
	parts[1] = (struct segment_part){ "See the note.", SEGMENT_NOTE };
	parts[2] = (struct segment_part){ link, SEGMENT_LINK };

	/*
	 * 174 septets do not fit in 160, nor does any of the note with the
	 * mark, so the note goes and the fixed text and the link fit in 160
	 * septets.
	 */
	msg = segment_fit(parts, NITEMS(parts), 1, &si, NULL);
	want = xasprintf("Repaired. %s", link);
	assert_string_equal(msg, want);
	assert_int_equal(si.encoding, SEGMENT_GSM7);
	assert_int_equal(si.units, 160);
	free(want);
	free(msg);

	/* In two segments everything fits whole. */
	msg = segment_fit(parts, NITEMS(parts), 2, &si, NULL);
	want = xasprintf("Repaired. See the note. %s", link);
	assert_string_equal(msg, want);
	assert_int_equal(si.segments, 2);
	free(want);
	free(msg);

	/* A link of 192 characters never fits in one segment: it goes. */
	parts[2] = (struct segment_part){ longlink, SEGMENT_LINK };
	msg = segment_fit(parts, NITEMS(parts), 1, &si, NULL);
	assert_string_equal(msg, "Repaired. See the note.");
	assert_int_equal(si.segments, 1);
	free(msg);

	/* Without the link, what is left is fitted again by the rule. */
	parts[0] = (struct segment_part){ "Réparé.", SEGMENT_FIXED };
	parts[1] = (struct segment_part){ path, SEGMENT_NOTE };
	msg = segment_fit(parts, NITEMS(parts), 1, &si, NULL);
	want = xasprintf("Réparé. %.149s...", path);
	assert_string_equal(msg, want);
	assert_int_equal(si.encoding, SEGMENT_GSM7);
	assert_int_equal(si.units, 160);
	free(want);
	free(msg);
	free(longlink);
	free(link);
	free(path);
}

/* A part of an unknown role is cut like a fixed part, never left long. */
static void
test_segment_fit_unknown_role(void **state)
{
	char				*text = test_segment_repeat("ab ", 100);
	const struct segment_part	 parts[] = {
		{ text, (enum segment_role)0 },
	};
	struct segment_info		 si;
	char				*msg;

	(void)state;
	msg = segment_fit(parts, NITEMS(parts), 1, &si, NULL);
	assert_int_equal(si.segments, 1);
	/* 157 septets with the mark, back to the last whole "ab". */
	assert_int_equal(strlen(msg), 155 + strlen("..."));
	assert_memory_equal(msg, text, 155);
	assert_string_equal(msg + 155, "...");
	free(msg);
	free(text);
}

/*
 * Smart encoding: punctuation with a GSM-7 look-alike becomes it, so a
 * curly apostrophe does not make a text UCS-2; letters and scripts
 * without look-alikes are left alone; bad UTF-8 gives NULL.
 */
static void
test_segment_smart(void **state)
{
	struct segment_info	 si;
	char			*s;

	(void)state;
	s = segment_smart("We\xe2\x80\x99ve replaced the valve \xe2\x80\x93 "
	    "\xe2\x80\x9c" "done\xe2\x80\x9d\xe2\x80\xa6\xc2\xa0ok\xc2\xad"
	    "\xe2\x80\x8b.");
	assert_string_equal(s, "We've replaced the valve - \"done\"... ok.");
	assert_int_equal(segment_count(s, &si), 0);
	assert_int_equal(si.encoding, SEGMENT_GSM7);
	free(s);
	s = segment_smart("\xc2\xab Trou rebouch\xc3\xa9 \xc2\xbb, "
	    "r\xc3\xaaver");
	assert_string_equal(s, "\" Trou rebouch\xc3\xa9 \", r\xc3\xaaver");
	free(s);
	s = segment_smart("\xe7\xbb\xb4\xe4\xbf\xae\xef\xbc\x8c"
	    "\xe2\x80\x9c\xe5\xae\x8c\xe2\x80\x9d");
	assert_string_equal(s, "\xe7\xbb\xb4\xe4\xbf\xae\xef\xbc\x8c"
	    "\"\xe5\xae\x8c\"");
	assert_int_equal(segment_count(s, &si), 0);
	assert_int_equal(si.encoding, SEGMENT_UCS2);
	free(s);
	assert_null(segment_smart("bad \xff"));
	assert_null(segment_smart(NULL));
}

/*
 * The mark of a cut never changes the encoding: a GSM-7 message cut is
 * still GSM-7 (as many segments of 153 as asked), a UCS-2 one gets the
 * one-unit ellipsis; and the report says what went.
 */
static void
test_segment_fit_mark(void **state)
{
	char			*note = test_segment_repeat("Pipe fixed and "
				    "road patched. ", 20);
	struct segment_part	 parts[] = {
		{ "Done SR-1.", SEGMENT_FIXED },
		{ note, SEGMENT_NOTE },
		{ "https://p.example.org/1.jpg", SEGMENT_PHOTO },
		{ "https://t.example.org/1", SEGMENT_LINK },
		{ "Reply STOP.", SEGMENT_FIXED },
	};
	struct segment_info	 si;
	struct segment_cut	 cut;
	char			*msg, *what, want[96];

	(void)state;
	msg = segment_fit(parts, NITEMS(parts), 2, &si, &cut);
	assert_int_equal(si.encoding, SEGMENT_GSM7);
	assert_int_equal(si.segments, 2);
	/* Cut after a whole word: "... and road... https://..." */
	assert_non_null(strstr(msg, " road... https://t.example.org/1 Reply "
	    "STOP."));
	assert_null(strstr(msg, SEGMENT_ELLIPSIS));
	assert_true(cut.photo);
	assert_true(cut.note_chars > 0);
	what = segment_cut_describe(&cut);
	snprintf(want, sizeof want, "%zu characters of the note left out, "
	    "the photo link left out", cut.note_chars);
	assert_string_equal(what, want);
	free(what);
	free(msg);

	parts[0].text = "\xe5\xae\x8c\xe6\x88\x90 SR-1\xe3\x80\x82";
	msg = segment_fit(parts, NITEMS(parts), 2, &si, &cut);
	assert_int_equal(si.encoding, SEGMENT_UCS2);
	assert_non_null(strstr(msg, SEGMENT_ELLIPSIS " https://t.example.org/1"));
	free(msg);

	/* Nothing left out: the report says so. */
	msg = segment_fit(parts + 4, 1, 1, &si, &cut);
	assert_int_equal(cut.note_chars, 0);
	assert_false(cut.photo || cut.link || cut.fixed);
	assert_null(segment_cut_describe(&cut));
	free(msg);
	free(note);

	/* One character, the link and the text itself. */
	memset(&cut, 0, sizeof cut);
	cut.note_chars = 1;
	cut.link = cut.fixed = 1;
	what = segment_cut_describe(&cut);
	assert_string_equal(what, "1 character of the note left out, the link "
	    "to the request left out, the text itself cut");
	free(what);
}

/* Bad arguments give NULL. */
static void
test_segment_fit_errors(void **state)
{
	const struct segment_part	good[] = {
		{ "Done.", SEGMENT_FIXED },
	};
	const struct segment_part	bad[] = {
		{ "Done.", SEGMENT_FIXED },
		{ "caf\xc3", SEGMENT_NOTE },
	};
	struct segment_info		si;

	(void)state;
	memset(&si, 0, sizeof si);
	assert_null(segment_fit(good, NITEMS(good), 0, &si, NULL));
	assert_null(segment_fit(good, NITEMS(good), -1, &si, NULL));
	assert_null(segment_fit(bad, NITEMS(bad), 3, &si, NULL));
	assert_int_equal(si.segments, 0);
}

/* Whatever the length and the limit, the result is valid and fits. */
static void
test_segment_fit_sweep(void **state)
{
	static const char *const notes[] = {
		"Fixed it. ", "C'est réglé. ", "已修复。", "🚧 ok ", "done"
	};
	struct segment_part	 parts[4];
	struct segment_info	 si;
	char			*note, *msg;
	size_t			 i, n;
	int			 max;

	(void)state;
	for (i = 0; i < NITEMS(notes); i++) {
		for (n = 1; n < 60; n += 7) {
			note = test_segment_repeat(notes[i], n);
			parts[0] = (struct segment_part){ "Request SR-1 is "
			    "closed.", SEGMENT_FIXED };
			parts[1] = (struct segment_part){ note, SEGMENT_NOTE };
			parts[2] = (struct segment_part){
			    "https://p.example.org/1.jpg", SEGMENT_PHOTO };
			parts[3] = (struct segment_part){
			    "https://t.example.org/1", SEGMENT_LINK };
			for (max = 1; max <= 4; max++) {
				msg = segment_fit(parts, NITEMS(parts), max,
				    &si, NULL);
				test_segment_assert_utf8(msg);
				assert_true(si.segments <= (size_t)max);
				assert_int_equal(test_segment_segments(msg),
				    si.segments);
				assert_non_null(strstr(msg,
				    "https://t.example.org/1"));
				free(msg);
			}
			free(note);
		}
	}
}

/* The characters that make a text UCS-2 are named, first ones first. */
static void
test_segment_describe_ucs2(void **state)
{
	char	*d;

	(void)state;
	assert_null(segment_describe_ucs2("Plain text, {GSM-7} \xe2\x82\xac",
	    3));
	assert_null(segment_describe_ucs2("", 3));
	assert_null(segment_describe_ucs2(NULL, 3));
	assert_null(segment_describe_ucs2("t\xc3\xaate", 0));
	assert_null(segment_describe_ucs2("bad \xc3", 3));
	d = segment_describe_ucs2("t\xc3\xaate \xc3\xaa \xe5\xa4\x9a", 3);
	assert_string_equal(d, "\xc3\xaa (U+00EA), \xe5\xa4\x9a (U+591A)");
	free(d);
	d = segment_describe_ucs2("\xf0\x9f\x98\x80 a \xc5\x82 b \xe5\xa4\x9a",
	    2);
	assert_string_equal(d, "\xf0\x9f\x98\x80 (U+1F600), \xc5\x82 (U+0142), "
	    "...");
	free(d);
}

/* Run the tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_segment_gsm7_lengths),
		cmocka_unit_test(test_segment_ucs2_lengths),
		cmocka_unit_test(test_segment_one_char_switches),
		cmocka_unit_test(test_segment_empty),
		cmocka_unit_test(test_segment_gsm7_alphabet),
		cmocka_unit_test(test_segment_not_gsm7),
		cmocka_unit_test(test_segment_extension_septets),
		cmocka_unit_test(test_segment_extension_not_split),
		cmocka_unit_test(test_segment_emoji),
		cmocka_unit_test(test_segment_languages),
		cmocka_unit_test(test_segment_languages_long),
		cmocka_unit_test(test_segment_invalid),
		cmocka_unit_test(test_segment_fit_fits),
		cmocka_unit_test(test_segment_fit_photo_first),
		cmocka_unit_test(test_segment_fit_note_gsm),
		cmocka_unit_test(test_segment_fit_note_chinese),
		cmocka_unit_test(test_segment_fit_note_emoji),
		cmocka_unit_test(test_segment_fit_notes_last_first),
		cmocka_unit_test(test_segment_fit_note_dropped),
		cmocka_unit_test(test_segment_fit_fixed_chars),
		cmocka_unit_test(test_segment_fit_fixed_words),
		cmocka_unit_test(test_segment_fit_link_last),
		cmocka_unit_test(test_segment_fit_unknown_role),
		cmocka_unit_test(test_segment_fit_errors),
		cmocka_unit_test(test_segment_smart),
		cmocka_unit_test(test_segment_fit_mark),
		cmocka_unit_test(test_segment_fit_sweep),
		cmocka_unit_test(test_segment_describe_ucs2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
