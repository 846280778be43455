/*
 * plainhtml.c - plain text as HTML, its bidi controls kept as references
 *
 * plainhtml.h says why. A bidi control of two or three bytes of UTF-8
 * becomes at most eight ("&#x202E;"), an escaped character of one byte
 * at most six ("&quot;"): the result is at most six times the text.
 */
#include "build.h"

#include <stdio.h>
#include <string.h>

#include "plainhtml.h"
#include "xmalloc.h"

/* Return the code point of the bidi control at p, or 0 if none is. */
static unsigned int
plainhtml_bidi(const unsigned char *p)
{
	unsigned int	 c;

	if (p[0] == 0xd8 && p[1] == 0x9c)
		return 0x061c;				/* ALM */
	if (p[0] != 0xe2 || (p[1] != 0x80 && p[1] != 0x81) || p[2] < 0x80 ||
	    p[2] > 0xbf)
		return 0;
	c = 0x2000 | ((unsigned int)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
	if (c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
	    (c >= 0x2066 && c <= 0x2069))
		return c;
	return 0;
}

/* Make plain text into HTML. */
char *
plainhtml_text(const char *text)
{
	const unsigned char	*p = (const unsigned char *)text;
	char			*out, *o;
	unsigned int		 c;

	out = o = xmalloc(strlen(text) * 6 + 1);
	while (*p != '\0') {
		if ((c = plainhtml_bidi(p)) != 0) {
			o += sprintf(o, "&#x%X;", c);
			p += c == 0x061c ? 2 : 3;
			continue;
		}
		switch (*p) {
		case '&':
			o += sprintf(o, "&amp;");
			break;
		case '<':
			o += sprintf(o, "&lt;");
			break;
		case '>':
			o += sprintf(o, "&gt;");
			break;
		case '"':
			o += sprintf(o, "&quot;");
			break;
		case '\'':
			o += sprintf(o, "&#39;");
			break;
		default:
			*o++ = (char)*p;
		}
		p++;
	}
	*o = '\0';
	return out;
}
