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
 * segments than counted.
 */
#ifndef SEGMENT_H
#define SEGMENT_H

#include <stddef.h>
#include <stdint.h>

/* Septets in a single GSM-7 message, and in each part of a longer one. */
#define SEGMENT_GSM7_SINGLE	160
#define SEGMENT_GSM7_PART	153

/* UTF-16 code units in a single UCS-2 message, and in each part. */
#define SEGMENT_UCS2_SINGLE	70
#define SEGMENT_UCS2_PART	67

/* The ellipsis put where a text is cut: U+2026, which is not in GSM-7. */
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
 * Return the septets the code point cp takes in GSM-7: 1 for the default
 * alphabet, 2 for the extension table, 0 if it is not in GSM-7.
 */
int segment_gsm7_septets(uint32_t cp);

/*
 * The role of a part of a message, which says how segment_fit() may
 * shorten it.
 */
enum segment_role {
	SEGMENT_FIXED = 1,	/* cut only when nothing else is left */
	SEGMENT_NOTE,		/* cut at a character, with an ellipsis */
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

/*
 * Build an SMS from nparts parts, in order, and shorten it to at most
 * max_segments segments. The parts that are kept are joined with a
 * single space between them (an empty or NULL part is skipped, so it adds
 * no space). The rule, in order, recounting after every step since an
 * ellipsis or a dropped part can change the encoding:
 *
 *  1. All the parts, if they fit.
 *  2. Otherwise drop every PHOTO part.
 *  3. Otherwise shorten the NOTE parts, the last one first: keep as many
 *     of its first characters as fit, without trailing white space, and
 *     append an ellipsis ("...", U+2026); if even the ellipsis alone
 *     does not fit, drop the note and go on to the one before.
 *  4. Otherwise shorten the FIXED parts the same way, the last one
 *     first, but end the cut at a word boundary (white space) when that
 *     keeps at least half of what would fit, and at a character boundary
 *     otherwise. LINK parts are kept whole.
 *  5. Otherwise, as the last resort, drop every LINK part and apply
 *     steps 1 to 4 again to what is left, starting from the parts as
 *     they were given.
 *
 * Cuts are made between code points, so no UTF-8 sequence and no
 * surrogate pair is ever split; a PHOTO or LINK part is never cut.
 *
 * Returns the message, which is allocated; the caller frees it. It is
 * valid UTF-8 and fits in max_segments, and is "" if every part was
 * dropped or skipped. If out is not NULL it is filled as by
 * segment_count() for the message. Returns NULL, with *out left alone, if
 * max_segments is less than 1 or a part is not valid UTF-8.
 */
char *segment_fit(const struct segment_part *parts, size_t nparts,
    int max_segments, struct segment_info *out);

#endif
