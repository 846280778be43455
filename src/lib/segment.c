/*
 * segment.c - counting and fitting SMS text the way carriers do
 *
 * A text is GSM-7 if every code point is in the GSM 03.38 default
 * alphabet or its extension table (gsm7.c), and UCS-2 otherwise. Segments are
 * counted by packing characters into parts in order, so that a two-unit
 * character (an escaped GSM-7 character or a surrogate pair) that would
 * straddle a boundary moves whole to the next part, as carriers do.
 *
 * Fitting builds the message from its parts and tries the steps of the
 * rule in segment.h one after the other, recounting the whole message
 * after each change: a dropped part may take the only non-GSM character
 * with it. The mark at a cut is chosen by what is kept - three full
 * stops in GSM-7, the ellipsis in UCS-2 - so it never changes the
 * encoding; each piece knows how many of its first bytes are GSM-7,
 * which tells whether a kept prefix is. Fewer characters never make more
 * segments (a shorter text packs into no more parts, and a text that
 * becomes GSM-7 packs into no more parts than it did in UCS-2), so the
 * longest cut that fits is found by bisection.
 */
#include "build.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gsm7.h"
#include "segment.h"
#include "syntax.h"
#include "xmalloc.h"

/* What is between two parts of a message. */
#define SEGMENT_SEPARATOR	" "

/* How a part stands in the message being fitted. */
enum segment_state {
	SEGMENT_WHOLE,
	SEGMENT_CUT,		/* the first cut bytes, then an ellipsis */
	SEGMENT_DROPPED
};

/* A non-empty part of the message being fitted. */
struct segment_piece {
	const char		*text;
	size_t			 len;
	size_t			 gsm7;	/* its first bytes that are GSM-7 */
	enum segment_role	 role;
	enum segment_state	 state;
	size_t			 cut;
};

/*
 * Decode the code point at s into *cp and return its length in bytes, or
 * 0 if s does not start with a valid UTF-8 sequence (or is at the NUL).
 */
static size_t
segment_decode(const char *s, uint32_t *cp)
{
	static const uint32_t	 least[4] = { 0, 0x80, 0x800, 0x10000 };
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 n, k;
	uint32_t		 c;

	if (u[0] == 0)
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf)
		n = 2;
	else if (u[0] >= 0xe0 && u[0] <= 0xef)
		n = 3;
	else if (u[0] >= 0xf0 && u[0] <= 0xf4)
		n = 4;
	else
		return 0;
	c = u[0] & (0x7f >> n);
	for (k = 1; k < n; k++) {
		/* A NUL is not a continuation byte: this stops at the end. */
		if ((u[k] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (u[k] & 0x3f);
	}
	if (c < least[n - 1] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Return the units cp takes in the encoding, if gsm7 then in GSM-7. */
static size_t
segment_units(uint32_t cp, int gsm7)
{
	if (gsm7)
		return (size_t)gsm7_septets(cp);
	return cp > 0xffff ? 2 : 1;
}

/*
 * Count the parts of a concatenated message that valid UTF-8 s packs
 * into, each of size units, never splitting a character.
 */
static size_t
segment_pack(const char *s, int gsm7, size_t size)
{
	size_t		n, w, used = 0, parts = 1;
	uint32_t	cp;

	while ((n = segment_decode(s, &cp)) != 0) {
		w = segment_units(cp, gsm7);
		if (used + w > size) {
			parts++;
			used = 0;
		}
		used += w;
		s += n;
	}
	return parts;
}

/* Count the segments of a NUL-terminated UTF-8 text. */
int
segment_count(const char *utf8, struct segment_info *out)
{
	struct segment_info	 si;
	const char		*s;
	size_t			 n, septets = 0, utf16 = 0, chars = 0;
	uint32_t		 cp;
	int			 gsm7 = 1, w;

	if (utf8 == NULL)
		return -1;
	for (s = utf8; *s != '\0'; s += n) {
		if ((n = segment_decode(s, &cp)) == 0)
			return -1;
		if ((w = gsm7_septets(cp)) == 0)
			gsm7 = 0;
		septets += (size_t)w;
		utf16 += segment_units(cp, 0);
		chars++;
	}

	si.chars = chars;
	if (gsm7) {
		si.encoding = SEGMENT_GSM7;
		si.units = septets;
		if (septets <= SEGMENT_GSM7_SINGLE)
			si.segments = 1;
		else
			si.segments = segment_pack(utf8, 1, SEGMENT_GSM7_PART);
	} else {
		si.encoding = SEGMENT_UCS2;
		si.units = utf16;
		if (utf16 <= SEGMENT_UCS2_SINGLE)
			si.segments = 1;
		else
			si.segments = segment_pack(utf8, 0, SEGMENT_UCS2_PART);
	}
	*out = si;
	return 0;
}

/* Replace the characters that have a GSM-7 look-alike. */
char *
segment_smart(const char *utf8)
{
	const char	*s, *rep;
	char		*out, *o;
	size_t		 n;
	uint32_t	 cp;

	if (utf8 == NULL)
		return NULL;
	/* A look-alike is never longer than what it replaces. */
	out = o = xmalloc(strlen(utf8) + 1);
	for (s = utf8; *s != '\0'; s += n) {
		if ((n = segment_decode(s, &cp)) == 0) {
			free(out);
			return NULL;
		}
		if (cp >= 0x80 && (rep = gsm7_lookalike(cp)) != NULL) {
			memcpy(o, rep, strlen(rep));
			o += strlen(rep);
		} else {
			memcpy(o, s, n);
			o += n;
		}
	}
	*o = '\0';
	return out;
}

/* Return the mark for a cut in the message the pieces make. */
static const char *
segment_fit_mark(const struct segment_piece *pc, size_t npc)
{
	size_t	i;

	for (i = 0; i < npc; i++) {
		if ((pc[i].state == SEGMENT_WHOLE && pc[i].gsm7 < pc[i].len) ||
		    (pc[i].state == SEGMENT_CUT && pc[i].gsm7 < pc[i].cut))
			return SEGMENT_ELLIPSIS;
	}
	return SEGMENT_MARK_GSM7;
}

/* Join the pieces that are not dropped into a new string. */
static char *
segment_fit_join(const struct segment_piece *pc, size_t npc)
{
	const size_t	 seplen = strlen(SEGMENT_SEPARATOR);
	const char	*mark = segment_fit_mark(pc, npc);
	const size_t	 elen = strlen(mark);
	size_t		 i, len = 0, off = 0;
	char		*msg;

	for (i = 0; i < npc; i++) {
		if (pc[i].state == SEGMENT_WHOLE)
			len += pc[i].len + seplen;
		else if (pc[i].state == SEGMENT_CUT)
			len += pc[i].cut + elen + seplen;
	}
	msg = xmalloc(len + 1);
	for (i = 0; i < npc; i++) {
		if (pc[i].state == SEGMENT_DROPPED)
			continue;
		if (off != 0) {
			memcpy(msg + off, SEGMENT_SEPARATOR, seplen);
			off += seplen;
		}
		if (pc[i].state == SEGMENT_WHOLE) {
			memcpy(msg + off, pc[i].text, pc[i].len);
			off += pc[i].len;
		} else {
			memcpy(msg + off, pc[i].text, pc[i].cut);
			off += pc[i].cut;
			memcpy(msg + off, mark, elen);
			off += elen;
		}
	}
	msg[off] = '\0';
	return msg;
}

/* Tell whether the message the pieces make fits in max segments. */
static int
segment_fit_fits(const struct segment_piece *pc, size_t npc, size_t max)
{
	struct segment_info	 si;
	char			*msg;
	int			 fits;

	msg = segment_fit_join(pc, npc);
	/* Every piece was checked and every cut is at a code point. */
	fits = segment_count(msg, &si) == 0 && si.segments <= max;
	free(msg);
	return fits;
}

/* Tell whether byte c is white space at which a text may be cut. */
static int
segment_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Move a cut of text back over any white space it would end with. */
static size_t
segment_trim(const char *text, size_t cut)
{
	while (cut > 0 && segment_is_space(text[cut - 1]))
		cut--;
	return cut;
}

/*
 * Return the byte offsets of the code points of valid UTF-8 s[0..len)
 * and the offset len after them; *nchars is set to how many code points.
 * The array is allocated; the caller frees it.
 */
static size_t *
segment_offsets(const char *s, size_t len, size_t *nchars)
{
	size_t		*offs, i, n = 0;
	uint32_t	 cp;

	offs = xreallocarray(NULL, len + 1, sizeof *offs);
	for (i = 0; i < len; i += segment_decode(s + i, &cp))
		offs[n++] = i;
	offs[n] = len;
	*nchars = n;
	return offs;
}

/*
 * Shorten piece i, which is whole in a message that does not fit: keep
 * the longest run of its first characters that fits with a mark, cut
 * back to white space if that keeps at least half, or drop it if not
 * even the mark fits. Returns 1 if the message fits now, 0 if the piece
 * was dropped and it may still not.
 */
static int
segment_fit_cut(struct segment_piece *pc, size_t npc, size_t i, size_t max)
{
	struct segment_piece	*p = &pc[i];
	size_t			*offs, nchars, lo, hi, mid, k, j;

	offs = segment_offsets(p->text, p->len, &nchars);
	p->state = SEGMENT_CUT;
	p->cut = 0;
	if (!segment_fit_fits(pc, npc, max)) {
		free(offs);
		p->state = SEGMENT_DROPPED;
		return segment_fit_fits(pc, npc, max);
	}

	/* Keeping lo characters fits; keeping hi (all of them) does not. */
	lo = 0;
	hi = nchars;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		p->cut = offs[mid];
		if (segment_fit_fits(pc, npc, max))
			lo = mid;
		else
			hi = mid;
	}
	k = lo;

	/* Back to a word boundary, unless the cut is at one already. */
	if (k > 0 && k < nchars &&
	    !segment_is_space(p->text[offs[k]]) &&
	    !segment_is_space(p->text[offs[k] - 1])) {
		for (j = k; j > 0; j--) {
			if (segment_is_space(p->text[offs[j - 1]]))
				break;
		}
		if (j > 0 && j - 1 >= k / 2)
			k = j - 1;
	}

	p->cut = segment_trim(p->text, offs[k]);
	free(offs);
	return 1;
}

/*
 * Apply steps 1 to 4 of the rule to the pieces. Returns 1 if the message
 * fits, or 0 if it does not even with every piece but the links dropped.
 */
static int
segment_fit_rule(struct segment_piece *pc, size_t npc, size_t max)
{
	size_t	i;

	if (segment_fit_fits(pc, npc, max))
		return 1;

	for (i = 0; i < npc; i++) {
		if (pc[i].role == SEGMENT_PHOTO)
			pc[i].state = SEGMENT_DROPPED;
	}
	if (segment_fit_fits(pc, npc, max))
		return 1;

	for (i = npc; i-- > 0;) {
		if (pc[i].role == SEGMENT_NOTE &&
		    segment_fit_cut(pc, npc, i, max))
			return 1;
	}

	for (i = npc; i-- > 0;) {
		if (pc[i].role == SEGMENT_FIXED &&
		    segment_fit_cut(pc, npc, i, max))
			return 1;
	}
	return 0;
}

/* Return how many of the first bytes of valid UTF-8 s are GSM-7. */
static size_t
segment_gsm7_prefix(const char *s, size_t len)
{
	size_t		i = 0, n;
	uint32_t	cp;

	while (i < len && (n = segment_decode(s + i, &cp)) != 0 &&
	    gsm7_septets(cp) != 0)
		i += n;
	return i;
}

/* Say what the fitting left out of the pieces. */
static void
segment_fit_report(const struct segment_piece *pc, size_t npc,
    struct segment_cut *cut)
{
	size_t	i;

	memset(cut, 0, sizeof *cut);
	for (i = 0; i < npc; i++) {
		if (pc[i].state == SEGMENT_WHOLE)
			continue;
		switch (pc[i].role) {
		case SEGMENT_NOTE:
			cut->note_chars += syntax_utf8_chars(pc[i].text,
			    pc[i].len) - (pc[i].state == SEGMENT_CUT ?
			    syntax_utf8_chars(pc[i].text, pc[i].cut) : 0);
			break;
		case SEGMENT_PHOTO:
			cut->photo = 1;
			break;
		case SEGMENT_LINK:
			cut->link = 1;
			break;
		default:
			cut->fixed = 1;
			break;
		}
	}
}

/* Say what a fit left out, or NULL. */
char *
segment_cut_describe(const struct segment_cut *cut)
{
	if (cut->note_chars == 0 && !cut->photo && !cut->link && !cut->fixed)
		return NULL;
	return xasprintf("%zu character%s of the note left out%s%s%s",
	    cut->note_chars, cut->note_chars == 1 ? "" : "s", cut->photo ?
	    ", the photo link left out" : "", cut->link ? ", the link to the "
	    "request left out" : "", cut->fixed ? ", the text itself cut" : "");
}

/* Say which characters make a text UCS-2, or NULL. */
char *
segment_describe_ucs2(const char *utf8, size_t max)
{
	const char	*s;
	char		*out = NULL, *more;
	uint32_t	*seen, cp;
	size_t		 n, i, nseen = 0;
	int		 over = 0;

	if (utf8 == NULL || max == 0)
		return NULL;
	seen = xcalloc(max, sizeof *seen);
	for (s = utf8; *s != '\0'; s += n) {
		if ((n = segment_decode(s, &cp)) == 0) {
			free(seen);
			free(out);
			return NULL;
		}
		if (gsm7_septets(cp) != 0)
			continue;
		for (i = 0; i < nseen && seen[i] != cp; i++)
			;
		if (i < nseen)
			continue;
		if (nseen == max) {
			over = 1;
			continue;
		}
		seen[nseen++] = cp;
		more = xasprintf("%s%s%.*s (U+%04X)", out != NULL ? out : "",
		    out != NULL ? ", " : "", (int)n, s, (unsigned int)cp);
		free(out);
		out = more;
	}
	free(seen);
	if (over) {
		more = xasprintf("%s, ...", out);
		free(out);
		out = more;
	}
	return out;
}

/* Build a message from parts and shorten it to fit max_segments. */
char *
segment_fit(const struct segment_part *parts, size_t nparts,
    int max_segments, struct segment_info *out, struct segment_cut *cut)
{
	struct segment_piece	*pc;
	struct segment_info	 si;
	size_t			 i, npc = 0;
	char			*msg;

	if (max_segments < 1)
		return NULL;
	pc = xcalloc(nparts == 0 ? 1 : nparts, sizeof *pc);
	for (i = 0; i < nparts; i++) {
		if (parts[i].text == NULL || parts[i].text[0] == '\0')
			continue;
		if (segment_count(parts[i].text, &si) != 0) {
			free(pc);
			return NULL;
		}
		pc[npc].text = parts[i].text;
		pc[npc].len = strlen(parts[i].text);
		pc[npc].gsm7 = segment_gsm7_prefix(pc[npc].text, pc[npc].len);
		pc[npc].role = parts[i].role;
		if (pc[npc].role != SEGMENT_NOTE &&
		    pc[npc].role != SEGMENT_PHOTO &&
		    pc[npc].role != SEGMENT_LINK)
			pc[npc].role = SEGMENT_FIXED;
		pc[npc].state = SEGMENT_WHOLE;
		npc++;
	}

	if (!segment_fit_rule(pc, npc, (size_t)max_segments)) {
		/* The last resort: without the links, from the start. */
		for (i = 0; i < npc; i++) {
			pc[i].state = pc[i].role == SEGMENT_LINK ?
			    SEGMENT_DROPPED : SEGMENT_WHOLE;
		}
		(void)segment_fit_rule(pc, npc, (size_t)max_segments);
	}

	msg = segment_fit_join(pc, npc);
	if (cut != NULL)
		segment_fit_report(pc, npc, cut);
	free(pc);
	/* This cannot fail: every piece is valid and cut at a code point. */
	if (out != NULL)
		(void)segment_count(msg, out);
	return msg;
}
