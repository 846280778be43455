/*
 * segment.h - counting and fitting SMS text the way carriers do
 *
 * An SMS travels in segments. If every character of a text is in the GSM
 * 03.38 7-bit default alphabet or its extension table, the text is sent
 * in GSM-7: one segment holds 160 septets, and each segment of a
 * concatenated message holds 153 (the rest is the concatenation header).
 * A character of the extension table (FF ^ { } \ [ ] ~ | and the euro
 * sign) takes two septets, an escape and the character, and the two are
 * never split between segments: when only one septet is left in a
 * segment, both move to the next. Any other character makes the whole
 * text UCS-2 (really UTF-16): one segment holds 70 code units, and each
 * segment of a concatenated message holds 67. A character outside the
 * Basic Multilingual Plane, such as an emoji, takes two code units (a
 * surrogate pair), and a pair is never split between segments either.
 * So segments are counted by packing characters into segments in order,
 * not by dividing the units by the size of a segment; the two differ
 * when a two-unit character falls on a boundary.
 *
 * An empty text counts as one segment: a carrier still sends one (empty)
 * message for it.
 *
 * National language shift tables and 8-bit data messages are not used:
 * a gateway that sends text as this module counts it never sends more
 * segments than counted. The alphabet itself is gsm7.h's.
 */
#ifndef SEGMENT_H
#define SEGMENT_H

#include <stddef.h>

/* Septets in a single GSM-7 message, and in each part of a longer one. */
#define SEGMENT_GSM7_SINGLE	160
#define SEGMENT_GSM7_PART	153

/* UTF-16 code units in a single UCS-2 message, and in each part. */
#define SEGMENT_UCS2_SINGLE	70
#define SEGMENT_UCS2_PART	67

/*
 * The mark put where a text is cut, which never changes its encoding:
 * in GSM-7 text three full stops, in UCS-2 text the ellipsis U+2026 (one
 * unit; it is not in GSM-7).
 */
#define SEGMENT_MARK_GSM7	"..."
#define SEGMENT_ELLIPSIS	"\xe2\x80\xa6"

enum segment_encoding {
	SEGMENT_GSM7 = 1,
	SEGMENT_UCS2
};

/* What segment_count() found out about a text. */
struct segment_info {
	enum segment_encoding	 encoding;
	size_t			 units;		/* septets, or UTF-16 units */
	size_t			 chars;		/* code points */
	size_t			 segments;	/* at least 1 */
};

/*
 * Count the segments of utf8, a NUL-terminated text. Returns 0 and fills
 * *out, or -1 if utf8 is NULL or not valid UTF-8 (overlong forms,
 * surrogates and code points above U+10FFFF are invalid), in which case
 * *out is left alone.
 */
int segment_count(const char *utf8, struct segment_info *out);

/*
 * Return a copy of utf8 with every character that has a GSM-7 look-alike
 * replaced by it, as SMS providers' "smart encoding" does, so that a
 * curly quote never makes a text UCS-2 and triples its cost. The table
 * (gsm7.c):
 *   ' for U+2018 U+2019 U+201A U+201B U+2032 U+02BC (quotes, prime)
 *   " for U+201C U+201D U+201E U+201F U+2033 U+00AB U+00BB
 *   - for U+2010 to U+2015 and U+2212 (hyphens, dashes, minus)
 *   ... for U+2026 (ellipsis)
 *   a space for U+00A0, U+2000 to U+200A, U+202F, U+205F (spaces)
 *   nothing for U+00AD, U+200B, U+2060, U+FEFF (soft hyphen, zero
 *   width space, word joiner, byte order mark)
 *   < and > for U+2039 and U+203A, ^ for U+02C6, ~ for U+02DC
 * Letters are never changed (an accent is meaning, not typography), nor
 * is text in a script without a look-alike (Chinese, Persian, Tamil):
 * such a text stays UCS-2. Returns NULL if utf8 is not valid UTF-8; the
 * caller frees the result.
 */
char *segment_smart(const char *utf8);

/*
 * The role of a part of a message, which says how segment_fit() may
 * shorten it.
 */
enum segment_role {
	SEGMENT_FIXED = 1,	/* cut only when nothing else is left */
	SEGMENT_NOTE,		/* cut at a word, with a mark */
	SEGMENT_PHOTO,		/* a URL: dropped whole, first */
	SEGMENT_LINK		/* a URL: dropped whole, last */
};

/*
 * A part of a message. The text is borrowed; NULL or "" is skipped. A
 * role that is none of the above is taken as SEGMENT_FIXED.
 */
struct segment_part {
	const char		*text;
	enum segment_role	 role;
};

/* What segment_fit() left out to make a message fit. */
struct segment_cut {
	size_t	note_chars;	/* characters of NOTE parts left out */
	int	photo;		/* a PHOTO part was dropped */
	int	link;		/* a LINK part was dropped */
	int	fixed;		/* a FIXED part was shortened */
};

/*
 * Build an SMS from nparts parts, in order, and shorten it to at most
 * max_segments segments. The parts that are kept are joined with a
 * single space between them (an empty or NULL part is skipped, so it adds
 * no space). The rule, in order, recounting after every step since a
 * dropped part can change the encoding:
 *
 *  1. All the parts, if they fit.
 *  2. Otherwise drop every PHOTO part.
 *  3. Otherwise shorten the NOTE parts, the last one first: keep as many
 *     of its first characters as fit with a mark after them, ending at a
 *     word boundary (white space) when that keeps at least half of what
 *     would fit and at a character boundary otherwise (a script written
 *     without spaces), without trailing white space; if even the mark
 *     alone does not fit, drop the note and go on to the one before.
 *  4. Otherwise shorten the FIXED parts the same way, the last one
 *     first. LINK parts are kept whole.
 *  5. Otherwise, as the last resort, drop every LINK part and apply
 *     steps 1 to 4 again to what is left, starting from the parts as
 *     they were given.
 *
 * The mark never changes the encoding: it is SEGMENT_MARK_GSM7 when what
 * is kept is GSM-7, SEGMENT_ELLIPSIS otherwise. Cuts are made between
 * code points, so no UTF-8 sequence and no surrogate pair is ever split;
 * a PHOTO or LINK part is never cut. Look-alikes are not replaced here:
 * segment_smart() the parts first.
 *
 * Returns the message, which is allocated; the caller frees it. It is
 * valid UTF-8 and fits in max_segments, and is "" if every part was
 * dropped or skipped. If out is not NULL it is filled as by
 * segment_count() for the message; if cut is not NULL it says what was
 * left out. Returns NULL, with *out and *cut left alone, if max_segments
 * is less than 1 or a part is not valid UTF-8.
 */
char *segment_fit(const struct segment_part *parts, size_t nparts,
    int max_segments, struct segment_info *out, struct segment_cut *cut);

/*
 * Say in words what cut says was left out ("12 characters of the note
 * left out, the photo link left out"), for the trail and for closeloop
 * render; NULL if nothing was. The caller frees the result.
 */
char *segment_cut_describe(const struct segment_cut *cut);

/*
 * Say which characters of utf8 are not in GSM-7, and so make it UCS-2:
 * the first max different ones, in the order they first appear, each
 * followed by its code point in parentheses (an e with a circumflex and
 * a Chinese character give "ê (U+00EA), 多 (U+591A)"), with ", ..."
 * after them if there are more. NULL if every character is in GSM-7,
 * if max is 0 or if utf8 is not valid UTF-8. The caller frees the
 * result.
 */
char *segment_describe_ucs2(const char *utf8, size_t max);

#endif
