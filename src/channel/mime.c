/*
 * mime.c - building the RFC 5322 message of an email notice
 *
 * The message, every line ending in CRLF:
 *
 *	Date: Sun, 22 Nov 2026 14:05:09 +0000
 *	From: Name <addr>	(or "Quoted, Name", or =?UTF-8?B?...?=)
 *	To: addr
 *	Subject: text, or =?UTF-8?B?...?= words; folded at 76 octets
 *	Message-ID: <left@right>
 *	MIME-Version: 1.0
 *	Content-Language: tag			(if given)
 *	Auto-Submitted: auto-generated
 *	List-Unsubscribe: <https://...>		(if given, and then
 *	List-Unsubscribe-Post: List-Unsubscribe=One-Click)
 *	Content-Type: multipart/alternative;
 *	 boundary="=_closeloop_<16 hex digits>"
 *
 *	--=_closeloop_...
 *	Content-Type: text/plain; charset=UTF-8	(then text/html)
 *	Content-Transfer-Encoding: quoted-printable	(or base64)
 *
 *	the text, encoded; then the html part the same way
 *	--=_closeloop_...--
 *
 * Without html the part's two headers and the text follow the top-level
 * headers. An encoded body ends in CRLF, which the delimiter after it
 * takes: a reader decodes exactly the text given, its line endings made
 * CRLF. The boundary is an FNV-1a hash of every field, so a notice
 * builds to the same bytes every time, and holds "=_", which base64 and
 * quoted-printable (where "=" is "=3D", "=XX" or a soft line break)
 * cannot produce.
 */
#include "build.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fnv.h"
#include "mime.h"
#include "syntax.h"
#include "xmalloc.h"

#define MIME_LINE	76	/* longest encoded line, RFC 2045 */
#define MIME_WORD	75	/* longest encoded-word, RFC 2047 */
#define MIME_ADDR_MAX	254
#define MIME_LOCAL_MAX	64
#define MIME_ID_MAX	250
#define MIME_URL_MAX	900
#define MIME_LANG_MAX	64
/* 9999-12-31 23:59:59 UTC, the last second a four-digit year can show. */
#define MIME_DATE_MAX	INT64_C(253402300799)

#define MIME_NOT_ADDR	"is not a plain address (local@domain)"
#define MIME_ATEXT	"!#$%&'*+-/=?^_`{|}~"

/* A growing output buffer, always NUL-terminated once written to. */
struct mime_buf {
	char	*p;
	size_t	 len;
	size_t	 size;
};

/* Append n bytes of s to b. */
static void
mime_buf_add(struct mime_buf *b, const char *s, size_t n)
{
	while (b->len + n + 1 > b->size) {
		b->size = b->size == 0 ? 1024 : b->size * 2;
		b->p = xreallocarray(b->p, 1, b->size);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Append the byte c to b. */
static void
mime_buf_putc(struct mime_buf *b, char c)
{
	if (b->len + 2 > b->size) {
		mime_buf_add(b, &c, 1);
		return;
	}
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

/* Append the NUL-terminated s to b. */
static void
mime_buf_puts(struct mime_buf *b, const char *s)
{
	mime_buf_add(b, s, strlen(s));
}

/* Append a formatted string to b. */
static void __attribute__((format(printf, 2, 3)))
mime_buf_printf(struct mime_buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	mime_buf_puts(b, s);
	free(s);
}

/* Check len bytes of v: no NUL, UTF-8, and no CR or LF unless breaks. */
static int
mime_check_text(const char *v, size_t len, int breaks, const char **why)
{
	const unsigned char	*u = (const unsigned char *)v;
	const char		*w = NULL;
	size_t			 i, n;

	for (i = 0; i < len; i += n) {
		n = 1;
		if (u[i] == '\0')
			w = "contains a NUL byte";
		else if ((u[i] == '\r' || u[i] == '\n') && !breaks)
			w = "contains a line break";
		else if ((n = syntax_utf8_seq((const char *)u + i,
		    len - i)) == 0)
			w = "is not valid UTF-8";
		if (w != NULL) {
			if (why != NULL)
				*why = w;
			return -1;
		}
	}
	return 0;
}

/* Check that len bytes of v may be a header value. */
int
mime_value_ok(const char *v, size_t len, const char **why)
{
	return mime_check_text(v, len, 0, why);
}

/* Check that the NUL-terminated v may be a header value. */
int
mime_header_ok(const char *v, const char **why)
{
	return mime_check_text(v, strlen(v), 0, why);
}

/* Tell whether c is an ASCII letter or digit, or one of extra. */
static int
mime_char_ok(int c, const char *extra)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr(extra, c) != NULL);
}

/*
 * Tell whether s[0..n) is runs of letters, digits and extra joined by
 * single sep characters: a dot-atom, a host name, a language tag.
 */
static int
mime_token(const char *s, size_t n, const char *extra, char sep)
{
	size_t	i;

	if (n == 0 || s[0] == sep || s[n - 1] == sep)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == sep ? s[i + 1] == sep :
		    !mime_char_ok((unsigned char)s[i], extra))
			return 0;
	}
	return 1;
}

/* Tell whether a is a plain addr-spec, local@domain. */
static int
mime_addr_ok(const char *a)
{
	const char	*at = strchr(a, '@');
	size_t		 n = strlen(a);

	if (at == NULL || n > MIME_ADDR_MAX || at - a > MIME_LOCAL_MAX)
		return 0;
	return mime_token(a, at - a, MIME_ATEXT, '.') &&
	    mime_token(at + 1, n - (at - a) - 1, "-", '.');
}

/* Tell whether id is a msg-id, <dot-atom@dot-atom>. */
static int
mime_msgid_ok(const char *id)
{
	const char	*at = strchr(id, '@');
	size_t		 n = strlen(id);

	if (n < 5 || n > MIME_ID_MAX || id[0] != '<' || id[n - 1] != '>' ||
	    at == NULL)
		return 0;
	return mime_token(id + 1, at - id - 1, MIME_ATEXT, '.') &&
	    mime_token(at + 1, id + n - 1 - at - 1, MIME_ATEXT, '.');
}

/* Tell whether u is an https URL that can stand between < and >. */
static int
mime_url_ok(const char *u)
{
	size_t	i, n = strlen(u);

	if (n <= 8 || n > MIME_URL_MAX || strncmp(u, "https://", 8) != 0)
		return 0;
	for (i = 0; i < n; i++) {
		if ((unsigned char)u[i] <= ' ' || (unsigned char)u[i] >= 0x7f ||
		    strchr("<>\",", u[i]) != NULL)
			return 0;
	}
	return 1;
}

/* Append the base64 of n bytes of s to b, on one line. */
static void
mime_base64(struct mime_buf *b, const unsigned char *s, size_t n)
{
	static const char	 abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	char			 q[4];
	uint32_t		 v;
	size_t			 i;

	for (i = 0; i < n; i += 3) {
		v = (uint32_t)s[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		q[0] = abc[v >> 18];
		q[1] = abc[(v >> 12) & 0x3f];
		q[2] = i + 1 < n ? abc[(v >> 6) & 0x3f] : '=';
		q[3] = i + 2 < n ? abc[v & 0x3f] : '=';
		mime_buf_add(b, q, 4);
	}
}

/* Tell whether s can go in an unstructured header as it is. */
static int
mime_plain_ok(const char *s, size_t col)
{
	size_t	i, word = 0, n = strlen(s);

	if (n > 0 && (s[0] == ' ' || s[n - 1] == ' '))
		return 0;
	for (i = 0; i <= n; i++) {
		if (s[i] == ' ' || s[i] == '\0') {
			if (col + word > MIME_LINE || (i > 0 && word == 0))
				return 0;
			col = 1;
			word = 0;
		} else if (s[i] < ' ' || s[i] > '~' ||
		    (s[i] == '=' && s[i + 1] == '?'))
			return 0;
		else
			word++;
	}
	return 1;
}

/*
 * Append s to b as the value of a header whose first line has col
 * octets already: plain and folded at spaces if it can be and force is
 * not set, else as encoded-words.
 */
static void
mime_words(struct mime_buf *b, const char *s, size_t col, int force)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 n = strlen(s), i = 0, k, w, room, take;

	if (!force && mime_plain_ok(s, col)) {
		for (k = 0; k <= n; k++) {
			if (s[k] != ' ' && s[k] != '\0')
				continue;
			if (i > 0 && col + (k - i) + 1 > MIME_LINE) {
				mime_buf_puts(b, "\r\n");
				col = 0;
			}
			if (i > 0) {
				mime_buf_puts(b, " ");
				col++;
			}
			mime_buf_add(b, s + i, k - i);
			col += k - i;
			i = k + 1;
		}
		return;
	}
	while (i < n) {
		/* Room for the base64 of how many bytes on this line. */
		room = MIME_LINE - (col < MIME_LINE ? col : MIME_LINE);
		if (room > MIME_WORD)
			room = MIME_WORD;
		take = room > 12 ? (room - 12) / 4 * 3 : 0;
		for (k = i; k < n && k - i + (w = syntax_utf8_seq(
		    (const char *)u + k, n - k)) <= take; k += w)
			;
		if (k == i) {
			/* Not even one character fits: start a new line. */
			mime_buf_puts(b, "\r\n ");
			col = 1;
			continue;
		}
		/*
		 * End the word after a space if one is in its second half:
		 * a reader that wrongly keeps the folding white space
		 * between words then shows two spaces, not a split word.
		 */
		for (w = k; k < n && w > i + (k - i) / 2; w--) {
			if (s[w - 1] == ' ') {
				k = w;
				break;
			}
		}
		mime_buf_puts(b, "=?UTF-8?B?");
		mime_base64(b, u + i, k - i);
		mime_buf_puts(b, "?=");
		if (k < n)
			mime_buf_puts(b, "\r\n ");
		col = 1;
		i = k;
	}
}

/* Encode an unstructured header value as it goes on the wire. */
char *
mime_encode_words(const char *utf8, size_t name_len)
{
	struct mime_buf	b = { NULL, 0, 0 };

	if (mime_header_ok(utf8, NULL) != 0)
		return NULL;
	mime_buf_add(&b, "", 0);
	mime_words(&b, utf8, name_len, 0);
	return b.p;
}

/* Append the From header: a phrase or encoded-words, then the address. */
static void
mime_from(struct mime_buf *b, const char *name, const char *addr)
{
	size_t	 i, n, col, quote = 0, atoms = 1;
	char	*nl;

	if (name == NULL || *name == '\0') {
		mime_buf_printf(b, "From: %s\r\n", addr);
		return;
	}
	mime_buf_puts(b, "From: ");
	n = strlen(name);
	for (i = 0; i < n; i++) {
		if (name[i] == ' ')
			atoms = atoms && i > 0 && i + 1 < n &&
			    name[i + 1] != ' ';
		else if (!mime_char_ok((unsigned char)name[i], MIME_ATEXT))
			atoms = 0;
		if (name[i] == '"' || name[i] == '\\')
			quote++;
	}
	if (mime_plain_ok(name, 0) && n + quote + 2 <= MIME_LINE - 6) {
		if (atoms)
			mime_buf_puts(b, name);
		else {
			mime_buf_puts(b, "\"");
			for (i = 0; i < n; i++) {
				if (name[i] == '"' || name[i] == '\\')
					mime_buf_puts(b, "\\");
				mime_buf_putc(b, name[i]);
			}
			mime_buf_puts(b, "\"");
		}
	} else
		mime_words(b, name, 6, 1);
	nl = strrchr(b->p, '\n');
	col = b->len - (nl != NULL ? (size_t)(nl - b->p) + 1 : 0);
	if (col + strlen(addr) + 3 > MIME_LINE)
		mime_buf_puts(b, "\r\n");
	mime_buf_printf(b, " <%s>\r\n", addr);
}

/* Append the Date header for when, which is in range. */
static void
mime_date(struct mime_buf *b, int64_t when)
{
	static const char	days[7][4] = {
	    "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char	months[12][4] = {
	    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm		tm;
	time_t			t = (time_t)when;

	gmtime_r(&t, &tm);
	mime_buf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Append the quoted-printable of the CRLF text s[0..n) to b. */
static void
mime_qp(struct mime_buf *b, const unsigned char *s, size_t n)
{
	size_t	i = 0, end, col, w;
	char	hex[4];
	int	enc, last;

	for (;;) {
		/* In CRLF text every CR starts a line break. */
		for (end = i; end < n && s[end] != '\r'; end++)
			;
		for (col = 0; i < end; i++) {
			last = i + 1 == end;
			enc = s[i] < '!' || s[i] > '~' || s[i] == '=';
			if ((s[i] == ' ' || s[i] == '\t') && !last)
				enc = 0;
			w = (enc || (s[i] == '.' && col == 0)) ? 3 : 1;
			if (col + w + !last > MIME_LINE) {
				mime_buf_puts(b, "=\r\n");
				col = 0;
			}
			/* No line may be a lone ".": encode a leading one. */
			if (enc || (s[i] == '.' && col == 0)) {
				hex[0] = '=';
				hex[1] = "0123456789ABCDEF"[s[i] >> 4];
				hex[2] = "0123456789ABCDEF"[s[i] & 0xf];
				hex[3] = '\0';
				mime_buf_add(b, hex, 3);
				col += 3;
			} else {
				mime_buf_putc(b, (char)s[i]);
				col++;
			}
		}
		mime_buf_puts(b, "\r\n");
		if (end >= n)
			break;
		i = end + 2;
	}
}

/* Append a body part's headers and its encoded, CRLF-ended text. */
static void
mime_body(struct mime_buf *b, const char *type, const char *s, size_t n)
{
	struct mime_buf	 t = { NULL, 0, 0 }, e = { NULL, 0, 0 };
	size_t		 i, run, high = 0;

	for (i = 0; i < n; i++) {
		for (run = i; run < n && s[run] != '\r' && s[run] != '\n';
		    run++)
			high += (unsigned char)s[run] >= 0x80;
		mime_buf_add(&t, s + i, run - i);
		if ((i = run) == n)
			break;
		mime_buf_puts(&t, "\r\n");
		if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
			i++;
	}
	mime_buf_printf(b, "Content-Type: text/%s; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: %s\r\n\r\n", type,
	    high * 3 > n ? "base64" : "quoted-printable");
	if (high * 3 > n) {
		mime_base64(&e, (unsigned char *)t.p, t.len);
		for (i = 0; i < e.len; i += MIME_LINE) {
			mime_buf_add(b, e.p + i, e.len - i < MIME_LINE ?
			    e.len - i : MIME_LINE);
			mime_buf_puts(b, "\r\n");
		}
	} else
		mime_qp(b, (unsigned char *)t.p, t.len);
	free(t.p);
	free(e.p);
}

/* Mix n bytes of p and a separator into the FNV-1a hash h. */
static uint64_t
mime_hash(uint64_t h, const char *p, size_t n)
{
	/* 0xff, never in UTF-8, ends each field. */
	return fnv_add(fnv_add(h, p, n), "\xff", 1);
}

/* Check every field of m; on a bad one set *cause naming it. */
static int
mime_check(const struct mime_msg *m, char **cause)
{
	const struct {
		const char	*name;
		const char	*v;
		int		 need;
		const size_t	*len;	/* a body's length, or NULL */
	} f[] = {
		{ "from_name", m->from_name, 0, NULL },
		{ "from_addr", m->from_addr, 1, NULL },
		{ "to_addr", m->to_addr, 1, NULL },
		{ "subject", m->subject, 1, NULL },
		{ "message_id", m->message_id, 1, NULL },
		{ "list_unsubscribe", m->list_unsubscribe, 0, NULL },
		{ "language", m->language, 0, NULL },
		{ "text", m->text, 1, &m->text_len },
		{ "html", m->html, 0, &m->html_len }
	};
	const char	*why = NULL, *name = NULL;
	size_t		 i, len;

	for (i = 0; i < sizeof f / sizeof f[0] && why == NULL; i++) {
		name = f[i].name;
		if (f[i].v == NULL) {
			if (f[i].need)
				why = "is missing";
			continue;
		}
		len = f[i].len != NULL ? *f[i].len : 0;
		if (len == 0)
			len = strlen(f[i].v);
		(void)mime_check_text(f[i].v, len, f[i].len != NULL, &why);
	}
	if (why == NULL && !mime_addr_ok(m->from_addr))
		name = "from_addr", why = MIME_NOT_ADDR;
	else if (why == NULL && !mime_addr_ok(m->to_addr))
		name = "to_addr", why = MIME_NOT_ADDR;
	else if (why == NULL && !mime_msgid_ok(m->message_id))
		name = "message_id", why = "is not <left@right>";
	else if (why == NULL && m->list_unsubscribe != NULL &&
	    !mime_url_ok(m->list_unsubscribe))
		name = "list_unsubscribe", why = "is not an https URL";
	else if (why == NULL && m->language != NULL && (strlen(m->language) >
	    MIME_LANG_MAX || !mime_char_ok(m->language[0], "") ||
	    !mime_token(m->language, strlen(m->language), "", '-')))
		name = "language", why = "is not a BCP 47 tag";
	else if (why == NULL && (m->date < 0 || m->date > MIME_DATE_MAX))
		name = "date", why = "is not in the years 1970 to 9999";
	if (why == NULL)
		return 0;
	if (cause != NULL)
		*cause = xasprintf("%s: %s", name, why);
	return -1;
}

/* Build the message m describes. */
int
mime_build(const struct mime_msg *m, char **out, size_t *len, char **cause)
{
	struct mime_buf	 b = { NULL, 0, 0 };
	size_t		 i, tlen, hlen = 0;
	uint64_t	 h = FNV_INIT;
	char		 boundary[40], date[24];
	const char	*fields[] = { m->from_name, m->from_addr, m->to_addr,
	    m->subject, m->message_id, m->list_unsubscribe, m->language,
	    date };

	if (mime_check(m, cause) != 0)
		return -1;
	tlen = m->text_len != 0 ? m->text_len : strlen(m->text);
	if (m->html != NULL)
		hlen = m->html_len != 0 ? m->html_len : strlen(m->html);

	snprintf(date, sizeof date, "%" PRId64, m->date);
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		h = mime_hash(h, fields[i], fields[i] != NULL ?
		    strlen(fields[i]) : 0);
	}
	h = mime_hash(h, m->text, tlen);
	h = mime_hash(h, m->html, hlen);
	snprintf(boundary, sizeof boundary, "=_closeloop_%016" PRIx64, h);

	mime_date(&b, m->date);
	mime_from(&b, m->from_name, m->from_addr);
	mime_buf_printf(&b, "To: %s\r\nSubject: ", m->to_addr);
	mime_words(&b, m->subject, strlen("Subject: "), 0);
	mime_buf_printf(&b, "\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\n",
	    m->message_id);
	if (m->language != NULL)
		mime_buf_printf(&b, "Content-Language: %s\r\n", m->language);
	mime_buf_puts(&b, "Auto-Submitted: auto-generated\r\n");
	if (m->list_unsubscribe != NULL) {
		mime_buf_printf(&b, "List-Unsubscribe: <%s>\r\n"
		    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
		    m->list_unsubscribe);
	}
	if (m->html == NULL)
		mime_body(&b, "plain", m->text, tlen);
	else {
		mime_buf_printf(&b, "Content-Type: multipart/alternative;\r\n"
		    " boundary=\"%s\"\r\n\r\n--%s\r\n", boundary, boundary);
		mime_body(&b, "plain", m->text, tlen);
		mime_buf_printf(&b, "--%s\r\n", boundary);
		mime_body(&b, "html", m->html, hlen);
		mime_buf_printf(&b, "--%s--\r\n", boundary);
	}
	*out = b.p;
	*len = b.len;
	return 0;
}
