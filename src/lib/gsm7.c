/*
 * gsm7.c - the GSM 03.38 alphabet, and the look-alikes that keep text in it
 *
 * The default alphabet and the extension table are kept in GSM 03.38's
 * own order, so that they can be read against the standard; a code point
 * is looked up in them by a scan, but ASCII, most of any text, through a
 * table of its septets filled once from them. The look-alikes are in
 * code point order and looked up by bisection.
 */
#include "build.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "gsm7.h"

/*
 * The GSM 03.38 default alphabet, in table order: every code point but
 * 0x1b, the escape to the extension table.
 */
static const uint32_t gsm7_basic[] = {
	0x0040, 0x00a3, 0x0024, 0x00a5, 0x00e8, 0x00e9, 0x00f9, 0x00ec,
	0x00f2, 0x00c7, 0x000a, 0x00d8, 0x00f8, 0x000d, 0x00c5, 0x00e5,
	0x0394, 0x005f, 0x03a6, 0x0393, 0x039b, 0x03a9, 0x03a0, 0x03a8,
	0x03a3, 0x0398, 0x039e, /* escape */ 0x00c6, 0x00e6, 0x00df, 0x00c9,
	0x0020, 0x0021, 0x0022, 0x0023, 0x00a4, 0x0025, 0x0026, 0x0027,
	0x0028, 0x0029, 0x002a, 0x002b, 0x002c, 0x002d, 0x002e, 0x002f,
	0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037,
	0x0038, 0x0039, 0x003a, 0x003b, 0x003c, 0x003d, 0x003e, 0x003f,
	0x00a1, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047,
	0x0048, 0x0049, 0x004a, 0x004b, 0x004c, 0x004d, 0x004e, 0x004f,
	0x0050, 0x0051, 0x0052, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057,
	0x0058, 0x0059, 0x005a, 0x00c4, 0x00d6, 0x00d1, 0x00dc, 0x00a7,
	0x00bf, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067,
	0x0068, 0x0069, 0x006a, 0x006b, 0x006c, 0x006d, 0x006e, 0x006f,
	0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077,
	0x0078, 0x0079, 0x007a, 0x00e4, 0x00f6, 0x00f1, 0x00fc, 0x00e0
};

/* The extension table: form feed ^ { } \ [ ~ ] | and the euro sign. */
static const uint32_t gsm7_extension[] = {
	0x000c, 0x005e, 0x007b, 0x007d, 0x005c, 0x005b, 0x007e, 0x005d,
	0x007c, 0x20ac
};

/* A character with a GSM-7 look-alike, and the look-alike. */
static const struct {
	uint32_t	 cp;
	const char	*gsm7;
} gsm7_lookalikes[] = {
	{ 0x00a0, " " }, { 0x00ab, "\"" }, { 0x00ad, "" }, { 0x00bb, "\"" },
	{ 0x02bc, "'" }, { 0x02c6, "^" }, { 0x02dc, "~" },
	{ 0x2000, " " }, { 0x2001, " " }, { 0x2002, " " }, { 0x2003, " " },
	{ 0x2004, " " }, { 0x2005, " " }, { 0x2006, " " }, { 0x2007, " " },
	{ 0x2008, " " }, { 0x2009, " " }, { 0x200a, " " }, { 0x200b, "" },
	{ 0x2010, "-" }, { 0x2011, "-" }, { 0x2012, "-" }, { 0x2013, "-" },
	{ 0x2014, "-" }, { 0x2015, "-" }, { 0x2018, "'" }, { 0x2019, "'" },
	{ 0x201a, "'" }, { 0x201b, "'" }, { 0x201c, "\"" }, { 0x201d, "\"" },
	{ 0x201e, "\"" }, { 0x201f, "\"" }, { 0x2026, "..." }, { 0x202f, " " },
	{ 0x2032, "'" }, { 0x2033, "\"" }, { 0x2039, "<" }, { 0x203a, ">" },
	{ 0x205f, " " }, { 0x2060, "" }, { 0x2212, "-" }, { 0xfeff, "" },
};

/*
 * The septets of each ASCII character, and the highest code point of
 * each table, looked up once.
 */
static unsigned char	gsm7_ascii[128];
static uint32_t		gsm7_basic_max, gsm7_extension_max;
static pthread_once_t	gsm7_ascii_once = PTHREAD_ONCE_INIT;

/* Look cp up in the tables: 1, 2 (escaped), or 0 if not in GSM-7. */
static int
gsm7_lookup(uint32_t cp)
{
	size_t	i;

	if (cp > gsm7_basic_max && cp > gsm7_extension_max)
		return 0;

	for (i = 0; i < sizeof gsm7_basic / sizeof *gsm7_basic; i++) {
		if (gsm7_basic[i] == cp)
			return 1;
	}
	for (i = 0; i < sizeof gsm7_extension / sizeof *gsm7_extension; i++) {
		if (gsm7_extension[i] == cp)
			return 2;
	}
	return 0;
}

/* Fill gsm7_ascii from the tables. */
static void
gsm7_ascii_init(void)
{
	uint32_t	cp;
	size_t		i;

	gsm7_basic_max = gsm7_extension_max = UINT32_MAX;
	for (cp = 0; cp < 128; cp++)
		gsm7_ascii[cp] = (unsigned char)gsm7_lookup(cp);
	gsm7_basic_max = gsm7_extension_max = 0;
	for (i = 0; i < sizeof gsm7_basic / sizeof *gsm7_basic; i++) {
		if (gsm7_basic[i] > gsm7_basic_max)
			gsm7_basic_max = gsm7_basic[i];
	}
	for (i = 0; i < sizeof gsm7_extension / sizeof *gsm7_extension; i++) {
		if (gsm7_extension[i] > gsm7_extension_max)
			gsm7_extension_max = gsm7_extension[i];
	}
}

/* Return the septets cp takes in GSM-7: 1, 2 (escaped), or 0 if none. */
int
gsm7_septets(uint32_t cp)
{
	pthread_once(&gsm7_ascii_once, gsm7_ascii_init);
	if (cp < 128)
		return gsm7_ascii[cp];
	return gsm7_lookup(cp);
}

/* Return the look-alike of cp, or NULL if it has none. */
const char *
gsm7_lookalike(uint32_t cp)
{
	size_t	lo = 0, hi = sizeof gsm7_lookalikes /
		    sizeof *gsm7_lookalikes, mid;

	while (lo < hi) {	/* the table is in code point order */
		mid = lo + (hi - lo) / 2;
		if (gsm7_lookalikes[mid].cp == cp)
			return gsm7_lookalikes[mid].gsm7;
		if (gsm7_lookalikes[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
