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
 * cannot produce. A boundary may also be given (mime_msg.boundary): the
 * kept copy of a message, its secrets blanked, is built laid out as the
 * message sent. The encodings themselves are in mimeenc.c.
 */
#include "build.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fnv.h"
#include "mime.h"
#include "mimeenc.h"
#include "syntax.h"
#include "xmalloc.h"

#define MIME_ADDR_MAX	254
#define MIME_LOCAL_MAX	64
#define MIME_ID_MAX	250
#define MIME_URL_MAX	900
#define MIME_LANG_MAX	64
/* 9999-12-31 23:59:59 UTC, the last second a four-digit year can show. */
#define MIME_DATE_MAX	INT64_C(253402300799)

#define MIME_BOUNDARY_PREFIX	"=_closeloop_"

#define MIME_NOT_ADDR	"is not a plain address (local@domain)"
#define MIME_ATEXT	"!#$%&'*+-/=?^_`{|}~"

/* Check len bytes of v: no NUL, UTF-8, and no CR or LF unless breaks. */
static int
mime_check_text(const char *v, size_t len, int breaks, const char **why)
{
	const unsigned char	*u = (const unsigned char *)v;
	const char		*w = NULL;
	size_t			 i, n;

	for (i = 0; i < len; i += n) {
		n = 1;
		if (u[i] >= ' ' && u[i] < 0x7f)	/* most are: no more to see */
			continue;
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

/* Encode an unstructured header value as it goes on the wire. */
char *
mime_encode_words(const char *utf8, size_t name_len)
{
	struct mimeenc_buf	b = { NULL, 0, 0 };

	if (mime_header_ok(utf8, NULL) != 0)
		return NULL;
	mimeenc_add(&b, "", 0);
	mimeenc_words(&b, utf8, name_len, 0);
	return b.p;
}

/* Append the From header: a phrase or encoded-words, then the address. */
static void
mime_from(struct mimeenc_buf *b, const char *name, const char *addr)
{
	size_t	 i, n, col, quote = 0, atoms = 1;
	char	*nl;

	if (name == NULL || *name == '\0') {
		mimeenc_printf(b, "From: %s\r\n", addr);
		return;
	}
	mimeenc_puts(b, "From: ");
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
	if (mimeenc_plain_ok(name, 0) && n + quote + 2 <= MIMEENC_LINE - 6) {
		if (atoms)
			mimeenc_puts(b, name);
		else {
			mimeenc_puts(b, "\"");
			for (i = 0; i < n; i++) {
				if (name[i] == '"' || name[i] == '\\')
					mimeenc_puts(b, "\\");
				mimeenc_putc(b, name[i]);
			}
			mimeenc_puts(b, "\"");
		}
	} else
		mimeenc_words(b, name, 6, 1);
	nl = strrchr(b->p, '\n');
	col = b->len - (nl != NULL ? (size_t)(nl - b->p) + 1 : 0);
	if (col + strlen(addr) + 3 > MIMEENC_LINE)
		mimeenc_puts(b, "\r\n");
	mimeenc_printf(b, " <%s>\r\n", addr);
}

/* Append the Date header for when, which is in range. */
static void
mime_date(struct mimeenc_buf *b, int64_t when)
{
	static const char	days[7][4] = {
	    "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char	months[12][4] = {
	    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm		tm;
	time_t			t = (time_t)when;

	gmtime_r(&t, &tm);
	mimeenc_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Append a body part's headers and its encoded, CRLF-ended text. */
static void
mime_body(struct mimeenc_buf *b, const char *type, const char *s, size_t n)
{
	struct mimeenc_buf	 t = { NULL, 0, 0 };
	size_t			 i, run, high = 0;

	for (i = 0; i < n; i++) {
		for (run = i; run < n && s[run] != '\r' && s[run] != '\n';
		    run++)
			high += (unsigned char)s[run] >= 0x80;
		mimeenc_add(&t, s + i, run - i);
		if ((i = run) == n)
			break;
		mimeenc_puts(&t, "\r\n");
		if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
			i++;
	}
	mimeenc_printf(b, "Content-Type: text/%s; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: %s\r\n\r\n", type,
	    high * 3 > n ? "base64" : "quoted-printable");
	if (high * 3 > n)
		mimeenc_base64_lines(b, (unsigned char *)t.p, t.len);
	else
		mimeenc_qp(b, (unsigned char *)t.p, t.len);
	free(t.p);
}

/* Mix n bytes of p, a word at a time, and a separator into the hash h. */
static uint64_t
mime_hash(uint64_t h, const char *p, size_t n)
{
	/* 0xff, never in UTF-8, ends each field. */
	return fnv_add(fnv_add_words(h, p, n), "\xff", 1);
}

/* Tell whether b is "=_closeloop_" and 16 lower-case hex digits. */
static int
mime_boundary_ok(const char *b)
{
	size_t	n = strlen(MIME_BOUNDARY_PREFIX);

	return strncmp(b, MIME_BOUNDARY_PREFIX, n) == 0 &&
	    strlen(b + n) == 16 && strspn(b + n, "0123456789abcdef") == 16;
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
	else if (why == NULL && m->boundary != NULL &&
	    !mime_boundary_ok(m->boundary))
		name = "boundary", why = "is not one mime_boundary() makes";
	if (why == NULL)
		return 0;
	if (cause != NULL)
		*cause = xasprintf("%s: %s", name, why);
	return -1;
}

/* Write the boundary of the message m describes. */
void
mime_boundary(const struct mime_msg *m, char out[MIME_BOUNDARY_SIZE])
{
	size_t			 i, tlen, hlen = 0;
	uint64_t		 h = FNV_INIT;
	char			 date[24];
	const char		*fields[] = { m->from_name, m->from_addr,
	    m->to_addr, m->subject, m->message_id, m->list_unsubscribe,
	    m->language, date };

	if (m->boundary != NULL) {
		snprintf(out, MIME_BOUNDARY_SIZE, "%s", m->boundary);
		return;
	}
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
	snprintf(out, MIME_BOUNDARY_SIZE, MIME_BOUNDARY_PREFIX "%016" PRIx64,
	    h);
}

/* Build the message m describes. */
int
mime_build(const struct mime_msg *m, char **out, size_t *len, char **cause)
{
	struct mimeenc_buf	 b = { NULL, 0, 0 };
	size_t			 tlen, hlen = 0;
	char			 boundary[MIME_BOUNDARY_SIZE];

	if (mime_check(m, cause) != 0)
		return -1;
	tlen = m->text_len != 0 ? m->text_len : strlen(m->text);
	if (m->html != NULL)
		hlen = m->html_len != 0 ? m->html_len : strlen(m->html);
	mime_boundary(m, boundary);

	mime_date(&b, m->date);
	mime_from(&b, m->from_name, m->from_addr);
	mimeenc_printf(&b, "To: %s\r\nSubject: ", m->to_addr);
	mimeenc_words(&b, m->subject, strlen("Subject: "), 0);
	mimeenc_printf(&b, "\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\n",
	    m->message_id);
	if (m->language != NULL)
		mimeenc_printf(&b, "Content-Language: %s\r\n", m->language);
	mimeenc_puts(&b, "Auto-Submitted: auto-generated\r\n");
	if (m->list_unsubscribe != NULL) {
		mimeenc_printf(&b, "List-Unsubscribe: <%s>\r\n"
		    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
		    m->list_unsubscribe);
	}
	if (m->html == NULL)
		mime_body(&b, "plain", m->text, tlen);
	else {
		mimeenc_printf(&b, "Content-Type: multipart/alternative;\r\n"
		    " boundary=\"%s\"\r\n\r\n--%s\r\n", boundary, boundary);
		mime_body(&b, "plain", m->text, tlen);
		mimeenc_printf(&b, "--%s\r\n", boundary);
		mime_body(&b, "html", m->html, hlen);
		mimeenc_printf(&b, "--%s--\r\n", boundary);
	}
	*out = b.p;
	*len = b.len;
	return 0;
}
