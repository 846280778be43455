/*
 * gsm7.h - the GSM 03.38 alphabet, and the look-alikes that keep text in it
 *
 * GSM-7 is the default alphabet of SMS: 128 characters, each one septet,
 * and an extension table (FF ^ { } \ [ ] ~ | and the euro sign) whose
 * characters take two septets, an escape and the character. National
 * language shift tables are not used. segment.h counts and fits text by
 * these tables.
 */
#ifndef GSM7_H
#define GSM7_H

#include <stdint.h>

/*
 * Return the septets the code point cp takes in GSM-7: 1 for the default
 * alphabet, 2 for the extension table, 0 if it is not in GSM-7.
 */
int gsm7_septets(uint32_t cp);

/*
 * Return the GSM-7 look-alike of the code point cp (static UTF-8, never
 * longer than cp's own UTF-8, and possibly ""), or NULL if it has none.
 * The table is the one segment_smart() describes in segment.h.
 */
const char *gsm7_lookalike(uint32_t cp);

#endif
