/*
 * plainhtml.h - a message's plain text, as HTML that reads as it did
 *
 * The resident's page shows each message's text as it was sent. The
 * page templates strip the bidi controls from every value (template.h),
 * which is right for text from the CRM but would undo the isolates that
 * the right-to-left templates put around numbers, dates and links
 * (docs/templates.md): without them, "2026-000101" in Persian text can
 * read "000101-2026". The text is therefore made into HTML here, for
 * the page's {{{raw}}} interpolation: every character HTML gives a
 * meaning to is escaped, and each bidi control is written as a numeric
 * character reference, which the browser reads as the character.
 */
#ifndef PLAINHTML_H
#define PLAINHTML_H

/*
 * Return text (UTF-8) as HTML: & < > " ' escaped, the bidi controls
 * (U+061C, U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069) as
 * "&#x...;", everything else as it is (line breaks are kept; the page
 * shows them with white-space: pre-wrap). The caller frees it.
 */
char *plainhtml_text(const char *text);

#endif
