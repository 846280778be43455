/*
 * fuzz_event.c - a fuzz target for reading stream entries as events
 *
 * LLVMFuzzerTestOneInput() reads the input as one stream entry: split at
 * each NUL byte into name, value, name, value, ... (an empty piece at the
 * very end is dropped; a name without a value gets an empty one), where
 * the two bytes C0 80, which are never UTF-8, stand for a NUL byte inside
 * a name or a value. An input whose first piece is the byte FF and up to
 * four digits N is the entry of the pieces after it repeated N times, so
 * that a short input makes an entry of many fields, as a CRM gone wrong
 * could write: up to FUZZ_EVENT_PIECES_MAX names and values, or until
 * they pass FUZZ_EVENT_BYTES_MAX bytes - past each of the contract's
 * limits, yet cheap to make. Each name and value gets a buffer of its
 * own, of its length plus a NUL, as stream.c hands them over.
 * eventparse_parse() reads the entry as closeloopd's intake does, with a
 * configuration in which division TW has the status_map of
 * docs/events.md and TS has none, and once more without a configuration.
 *
 * The target judges each entry on its own by the rules of docs/events.md
 * and aborts where eventparse_parse() disagrees: an entry accepted that breaks
 * a rule, or a valid one refused. An accepted event must carry the
 * entry's values (and the epoch seconds of ts and scheduled_for, the
 * locale in canonical case, the photos one by one, the channels), and its
 * log description must not show an email address or a phone number
 * whole. A refusal must come with a cause that is one line of UTF-8
 * without control characters, at most FUZZ_EVENT_CAUSE_MAX bytes (so no
 * value is repeated whole), that starts with the name of a field, or
 * "entry" or "field name" when no one field is at fault, and that does
 * not change when the letters and digits of the entry's note, email
 * address and phone number change (so none of them is repeated). An entry
 * past the contract's limits is refused with its number of fields or of
 * bytes, and eventparse_fit() - what its dead letter keeps - keeps the longest
 * run of its first fields within them.
 *
 * Built with clang -fsanitize=fuzzer (make fuzz), libFuzzer drives it.
 * Built without, main() feeds it the seed corpus in tests/fuzz/event and
 * reproducible mutations of it (fuzzdrive.c).
 */
#include "build.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "config.h"
#include "division.h"
#include "event.h"
#include "eventparse.h"
#include "fuzzdrive.h"
#include "log.h"
#include "xmalloc.h"

#define FUZZ_EVENT_SOURCE	"1772546700000-0"
#define FUZZ_EVENT_CAUSE_MAX	400
#define FUZZ_EVENT_PIECES_MAX	(8 * EVENT_FIELDS_MAX)
#define FUZZ_EVENT_BYTES_MAX	(2 * EVENT_ENTRY_MAX)

/* One entry, as stream.c hands it to eventparse_parse(). */
struct fuzz_event_entry {
	char	**fields;
	size_t	 *lens;
	size_t	  n;
};

/* The fields of docs/events.md, in the order of its table. */
enum fuzz_event_field {
	FE_V, FE_TYPE, FE_EVENT_ID, FE_SR, FE_TS, FE_DIVISION, FE_STATUS,
	FE_REASON, FE_SERVICE, FE_WARD, FE_WORK_ORDER, FE_TRANSFER_TO,
	FE_DUPLICATE_OF, FE_SCHEDULED_FOR, FE_NOTE, FE_NOTE_CODE, FE_PHOTOS,
	FE_STANDARD_DAYS, FE_EMAIL, FE_PHONE, FE_LOCALE, FE_CHANNELS, FE_ALL,
	FE_COUNT
};

/* The types as bits of the table below. */
#define FE_S	0x1	/* status */
#define FE_SU	0x2	/* subscribe */
#define FE_U	0x4	/* unsubscribe */
#define FE_ANY	(FE_S | FE_SU | FE_U)

/* docs/events.md's table of fields: where allowed, required, limit. */
static const struct {
	const char	*name;
	int		 allowed, required;
	size_t		 limit;		/* characters */
} fuzz_event_table[FE_COUNT] = {
	{ "v", FE_ANY, FE_ANY, 8 },
	{ "type", FE_ANY, FE_ANY, 16 },
	{ "event_id", FE_ANY, 0, 128 },
	{ "sr", FE_ANY, FE_ANY, 64 },
	{ "ts", FE_ANY, FE_ANY, 64 },
	{ "division", FE_S, FE_S, 32 },
	{ "status", FE_S, FE_S, 64 },
	{ "reason", FE_S, 0, 64 },
	{ "service", FE_S, 0, 200 },
	{ "ward", FE_S, 0, 32 },
	{ "work_order", FE_S, 0, 64 },
	{ "transfer_to", FE_S, 0, 32 },
	{ "duplicate_of", FE_S, 0, 64 },
	{ "scheduled_for", FE_S, 0, 64 },
	{ "note", FE_S, 0, 2000 },
	{ "note_code", FE_S, 0, 64 },
	{ "photos", FE_S, 0, 20490 },
	{ "standard_days", FE_S, 0, 4 },
	{ "email", FE_SU | FE_U, 0, 254 },
	{ "phone", FE_SU | FE_U, 0, 16 },
	{ "locale", FE_SU, 0, 35 },
	{ "channels", FE_SU, 0, 16 },
	{ "all", FE_U, 0, 8 },
};

static const char *fuzz_event_types[] = { "status", "subscribe",
    "unsubscribe" };
static const char *fuzz_event_statuses[] = { "received", "assigned",
    "scheduled", "in_progress", "on_hold", "transferred", "closed",
    "cancelled", "reopened" };
static const char *fuzz_event_reasons[] = { "completed",
    "no_action_required", "duplicate", "transferred", "scheduled",
    "assigned", "referred_external" };

/* The status_map of division TW, as in docs/events.md. */
static const struct {
	const char	*code, *status, *reason;
} fuzz_event_map[] = {
	{ "WO-SCHED", "scheduled", NULL },
	{ "WO-WAITPARTS", "on_hold", NULL },
	{ "WO-COMP", "closed", "completed" },
	{ "WO-DUP", "closed", "duplicate" },
};

#define FUZZ_EVENT_NITEMS(t)	(sizeof (t) / sizeof (t)[0])

/* What a valid entry must give. */
struct fuzz_event_want {
	const char	*v[FE_COUNT];	/* each field's value, or NULL */
	int		 type;		/* FE_S, FE_SU or FE_U */
	int64_t		 when, scheduled_when;
	int		 has_time;
	const char	*status, *reason; /* vocabulary names, or "" */
	int		 channels;
	char		 locale[36];
};

/* Print the entry and what is wrong, and abort. */
static void __attribute__((noreturn))
fuzz_event_fail(const struct fuzz_event_entry *e, const char *what,
    const char *detail)
{
	char	*name, *value;
	size_t	 i;

	fprintf(stderr, "fuzz_event: %s: %s\nin the entry:\n", what,
	    detail != NULL ? detail : "");
	for (i = 0; i < e->n; i++) {
		name = log_clean(e->fields[2 * i], e->lens[2 * i], 100);
		value = log_clean(e->fields[2 * i + 1], e->lens[2 * i + 1],
		    200);
		fprintf(stderr, "  %s = %s\n", name, value);
		free(name);
		free(value);
	}
	abort();
}

/* Tell whether c is an ASCII letter. */
static int
fuzz_event_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Tell whether c is an ASCII digit. */
static int
fuzz_event_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Tell whether s[0..len) is UTF-8 without NUL as RFC 3629 has it. */
static int
fuzz_event_utf8(const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i = 0, k, n;
	uint32_t		 cp, min;

	while (i < len) {
		if (u[i] == 0)
			return 0;
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		if ((u[i] & 0xe0) == 0xc0) {
			n = 2;
			min = 0x80;
		} else if ((u[i] & 0xf0) == 0xe0) {
			n = 3;
			min = 0x800;
		} else if ((u[i] & 0xf8) == 0xf0) {
			n = 4;
			min = 0x10000;
		} else
			return 0;
		if (len - i < n)
			return 0;
		cp = u[i] & (0xff >> (n + 1));
		for (k = 1; k < n; k++) {
			if ((u[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (u[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 &&
		    cp <= 0xdfff))
			return 0;
		i += n;
	}
	return 1;
}

/* Count the characters of valid UTF-8. */
static size_t
fuzz_event_chars(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Tell whether s has a control character other than those in allowed. */
static int
fuzz_event_control(const char *s, const char *allowed)
{
	for (; *s != '\0'; s++) {
		if (((unsigned char)*s < 0x20 || *s == 0x7f) &&
		    strchr(allowed, *s) == NULL)
			return 1;
	}
	return 0;
}

/* Tell whether s is 1 to max letters, digits and bytes of extra. */
static int
fuzz_event_word(const char *s, size_t max, const char *extra)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++) {
		if (!fuzz_event_alpha(s[i]) && !fuzz_event_digit(s[i]) &&
		    strchr(extra, s[i]) == NULL)
			return 0;
	}
	return i >= 1 && i <= max;
}

/* Return the index of s in a list of n names, or -1. */
static int
fuzz_event_lookup(const char **list, size_t n, const char *s)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (strcmp(list[i], s) == 0)
			return (int)i;
	}
	return -1;
}

/* Read n digits at s; -1 if they are not all there. */
static int
fuzz_event_number(const char *s, int n)
{
	int	i, v = 0;

	for (i = 0; i < n; i++) {
		if (!fuzz_event_digit(s[i]))
			return -1;
		v = v * 10 + s[i] - '0';
	}
	return v;
}

/*
 * Read an RFC 3339 date-time with its time zone, or with date_ok a
 * full-date alone, as docs/events.md describes them: 0 and the epoch
 * seconds (counted by timegm()), or -1.
 */
static int
fuzz_event_when(const char *s, int date_ok, int64_t *when, int *has_time)
{
	static const int	 days[12] = { 31, 28, 31, 30, 31, 30, 31, 31,
	    30, 31, 30, 31 };
	struct tm		 tm;
	const char		*p = s + 10;
	int			 y, mo, d, h = 0, mi = 0, sec = 0, oh, om;
	int			 last, off = 0;
	int64_t			 t;

	if ((y = fuzz_event_number(s, 4)) < 0 || s[4] != '-' ||
	    (mo = fuzz_event_number(s + 5, 2)) < 0 || s[7] != '-' ||
	    (d = fuzz_event_number(s + 8, 2)) < 0)
		return -1;
	if ((*has_time = *p != '\0')) {
		if ((*p != 'T' && *p != 't') ||
		    (h = fuzz_event_number(p + 1, 2)) < 0 || p[3] != ':' ||
		    (mi = fuzz_event_number(p + 4, 2)) < 0 || p[6] != ':' ||
		    (sec = fuzz_event_number(p + 7, 2)) < 0)
			return -1;
		p += 9;
		if (*p == '.') {
			if (!fuzz_event_digit(*++p))
				return -1;
			while (fuzz_event_digit(*p))
				p++;
		}
		if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
			off = 0;
		else if ((*p == '+' || *p == '-') &&
		    (oh = fuzz_event_number(p + 1, 2)) >= 0 && p[3] == ':' &&
		    (om = fuzz_event_number(p + 4, 2)) >= 0 && p[6] == '\0' &&
		    oh <= 23 && om <= 59)
			off = (*p == '-' ? -1 : 1) * (oh * 3600 + om * 60);
		else
			return -1;
		if (h > 23 || mi > 59 || sec > 60)
			return -1;
	} else if (!date_ok)
		return -1;
	if (y < 1970 || mo < 1 || mo > 12)
		return -1;
	last = days[mo - 1] + (mo == 2 && y % 4 == 0 &&
	    (y % 100 != 0 || y % 400 == 0));
	if (d < 1 || d > last)
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if ((t = (int64_t)timegm(&tm) - off) < 0)
		return -1;
	*when = t;
	return 0;
}

/* Tell whether s is an email address as docs/events.md describes one. */
static int
fuzz_event_email(const char *s)
{
	const char	*at = strchr(s, '@'), *p;
	size_t		 label = 0;

	if (strlen(s) > 254 || at == NULL || strchr(at + 1, '@') != NULL ||
	    at == s || at - s > 64 || strchr(at + 1, '.') == NULL)
		return 0;
	for (p = s; p < at; p++) {
		if (*p == '.') {
			if (p == s || p + 1 == at || p[1] == '.')
				return 0;
		} else if (!fuzz_event_alpha(*p) && !fuzz_event_digit(*p) &&
		    strchr("!#$%&'*+-/=?^_`{|}~", *p) == NULL)
			return 0;
	}
	for (p = at + 1; ; p++) {
		if (*p == '.' || *p == '\0') {
			if (label == 0 || label > 63 || p[-1] == '-' ||
			    p[-(ptrdiff_t)label] == '-')
				return 0;
			if (*p == '\0')
				return 1;
			label = 0;
		} else if (fuzz_event_alpha(*p) || fuzz_event_digit(*p) ||
		    *p == '-')
			label++;
		else
			return 0;
	}
}

/* Tell whether s is an E.164 number: '+', 8 to 15 digits, not 0 first. */
static int
fuzz_event_phone(const char *s)
{
	size_t	n = strlen(s);

	return s[0] == '+' && n >= 9 && n <= 16 && s[1] != '0' &&
	    strspn(s + 1, "0123456789") == n - 1;
}

/*
 * Tell whether s is a BCP 47 tag of the form docs/events.md allows, and
 * write it in canonical case to out: language lower case, then up to
 * three extended languages, a script (title case), a region (upper
 * case) and variants, in that order.
 */
static int
fuzz_event_locale(const char *s, char out[36])
{
	const char	*p = s;
	size_t		 n, i, extlangs = 0;
	int		 stage = 0, alpha, digit, first = 1;

	if (strlen(s) > 35)
		return 0;
	for (;;) {
		n = strcspn(p, "-");
		alpha = digit = n > 0;
		for (i = 0; i < n; i++) {
			alpha &= fuzz_event_alpha(p[i]);
			digit &= fuzz_event_digit(p[i]);
			if (!fuzz_event_alpha(p[i]) && !fuzz_event_digit(p[i]))
				return 0;
		}
		for (i = 0; i < n; i++)
			out[p - s + i] = p[i] | 0x20 * fuzz_event_alpha(p[i]);
		if (first && !(alpha && (n == 2 || n == 3)))
			return 0;
		else if (first)
			first = 0;
		else if (stage == 0 && alpha && n == 3 && extlangs < 3)
			extlangs++;
		else if (stage < 1 && alpha && n == 4) {
			stage = 1;
			out[p - s] &= ~0x20;
		} else if (stage < 2 && ((alpha && n == 2) ||
		    (digit && n == 3))) {
			stage = 2;
			for (i = 0; i < n; i++)
				out[p - s + i] &= ~(0x20 * alpha);
		} else if ((n >= 5 && n <= 8) || (n == 4 &&
		    fuzz_event_digit(p[0])))
			stage = 3;
		else
			return 0;
		p += n;
		out[p - s] = *p;
		if (*p++ == '\0')
			return 1;
	}
}

/* Tell whether u is a photo URL as docs/events.md describes one. */
static int
fuzz_event_url(const char *u)
{
	const char	*host, *end, *p;
	size_t		 n;
	long		 port = 0;

	if (strlen(u) > 2048 || strncasecmp(u, "https://", 8) != 0)
		return 0;
	for (p = u; *p != '\0'; p++) {
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return 0;
	}
	host = u + 8;
	end = host + strcspn(host, "/?#");
	if (memchr(host, '@', end - host) != NULL)
		return 0;
	if (*host == '[') {
		n = strspn(host + 1, "0123456789abcdefABCDEF:.");
		p = host + 1 + n;
		if (p >= end || *p != ']' || memchr(host, ':', n + 1) == NULL)
			return 0;
		p++;
	} else {
		for (p = host; p < end && *p != ':'; p++) {
			if (!fuzz_event_alpha(*p) && !fuzz_event_digit(*p) &&
			    *p != '-' && *p != '.')
				return 0;
		}
		if (p == host)
			return 0;
	}
	if (p == end)
		return 1;
	if (*p != ':' || end - p < 2 || end - p > 6)
		return 0;
	for (p++; p < end; p++) {
		if (!fuzz_event_digit(*p))
			return 0;
		port = port * 10 + *p - '0';
	}
	return port >= 1 && port <= 65535;
}

/* Tell whether the photos value is 1 to 10 good URLs and spaces. */
static int
fuzz_event_photos(const char *v)
{
	char	*copy = xstrdup(v), *p = copy, *url;
	int	 n = 0, ok = 1;

	while (ok && (url = strsep(&p, " ")) != NULL) {
		if (*url != '\0')
			ok = ++n <= 10 && fuzz_event_url(url);
	}
	free(copy);
	return ok && n > 0;
}

/* Judge the fields of a status event; NULL if good, else what is not. */
static const char *
fuzz_event_judge_status(struct fuzz_event_want *w, int with_map)
{
	const char	**v = w->v;
	size_t		  i;

	if (!fuzz_event_word(v[FE_DIVISION], 32, "_.-"))
		return "division";
	w->status = w->reason = "";
	for (i = 0; with_map && strcmp(v[FE_DIVISION], "TW") == 0 &&
	    i < FUZZ_EVENT_NITEMS(fuzz_event_map); i++) {
		if (strcmp(fuzz_event_map[i].code, v[FE_STATUS]) == 0) {
			w->status = fuzz_event_map[i].status;
			if (fuzz_event_map[i].reason != NULL)
				w->reason = fuzz_event_map[i].reason;
		}
	}
	if (*w->status == '\0') {
		if (fuzz_event_lookup(fuzz_event_statuses,
		    FUZZ_EVENT_NITEMS(fuzz_event_statuses), v[FE_STATUS]) < 0)
			return "status";
		w->status = v[FE_STATUS];
	}
	if (v[FE_REASON] != NULL) {
		if (fuzz_event_lookup(fuzz_event_reasons,
		    FUZZ_EVENT_NITEMS(fuzz_event_reasons), v[FE_REASON]) < 0)
			return "reason";
		w->reason = v[FE_REASON];
	}
	if (v[FE_SERVICE] != NULL && fuzz_event_control(v[FE_SERVICE], ""))
		return "service";
	if (v[FE_WARD] != NULL && !fuzz_event_word(v[FE_WARD], 32, "_.-"))
		return "ward";
	if (v[FE_WORK_ORDER] != NULL &&
	    fuzz_event_control(v[FE_WORK_ORDER], ""))
		return "work_order";
	if (v[FE_TRANSFER_TO] != NULL &&
	    !fuzz_event_word(v[FE_TRANSFER_TO], 32, "_.-"))
		return "transfer_to";
	if (v[FE_DUPLICATE_OF] != NULL &&
	    !fuzz_event_word(v[FE_DUPLICATE_OF], 64, "-"))
		return "duplicate_of";
	if (v[FE_SCHEDULED_FOR] != NULL && fuzz_event_when(
	    v[FE_SCHEDULED_FOR], 1, &w->scheduled_when, &w->has_time) != 0)
		return "scheduled_for";
	if (v[FE_NOTE] != NULL && fuzz_event_control(v[FE_NOTE], "\t\r\n"))
		return "note";
	if (v[FE_NOTE_CODE] != NULL &&
	    !fuzz_event_word(v[FE_NOTE_CODE], 64, "_.-"))
		return "note_code";
	if (v[FE_PHOTOS] != NULL && !fuzz_event_photos(v[FE_PHOTOS]))
		return "photos";
	if (v[FE_STANDARD_DAYS] != NULL &&
	    (strspn(v[FE_STANDARD_DAYS], "0123456789") !=
	    strlen(v[FE_STANDARD_DAYS]) || atoi(v[FE_STANDARD_DAYS]) > 1000))
		return "standard_days";
	return NULL;
}

/* Judge the contacts of a subscribe or unsubscribe event. */
static const char *
fuzz_event_judge_contact(struct fuzz_event_want *w)
{
	const char	**v = w->v;

	if (v[FE_EMAIL] != NULL && !fuzz_event_email(v[FE_EMAIL]))
		return "email";
	if (v[FE_PHONE] != NULL && !fuzz_event_phone(v[FE_PHONE]))
		return "phone";
	if (v[FE_LOCALE] != NULL && !fuzz_event_locale(v[FE_LOCALE],
	    w->locale))
		return "locale";
	if (v[FE_ALL] != NULL && strcmp(v[FE_ALL], "1") != 0 &&
	    strcmp(v[FE_ALL], "true") != 0 && strcmp(v[FE_ALL], "yes") != 0)
		return "all";
	if (w->type == FE_U)
		return v[FE_EMAIL] == NULL && v[FE_PHONE] == NULL &&
		    v[FE_ALL] == NULL ? "no contact" : NULL;
	if (v[FE_EMAIL] == NULL && v[FE_PHONE] == NULL)
		return "no contact";
	if (v[FE_CHANNELS] == NULL)
		w->channels = (v[FE_EMAIL] != NULL ? EVENT_CHANNEL_EMAIL : 0) |
		    (v[FE_PHONE] != NULL ? EVENT_CHANNEL_SMS : 0);
	else if (strcmp(v[FE_CHANNELS], "email") == 0)
		w->channels = EVENT_CHANNEL_EMAIL;
	else if (strcmp(v[FE_CHANNELS], "sms") == 0)
		w->channels = EVENT_CHANNEL_SMS;
	else if (strcmp(v[FE_CHANNELS], "email,sms") == 0 ||
	    strcmp(v[FE_CHANNELS], "sms,email") == 0)
		w->channels = EVENT_CHANNEL_EMAIL | EVENT_CHANNEL_SMS;
	else
		return "channels";
	if (((w->channels & EVENT_CHANNEL_EMAIL) && v[FE_EMAIL] == NULL) ||
	    ((w->channels & EVENT_CHANNEL_SMS) && v[FE_PHONE] == NULL))
		return "channels";
	return NULL;
}

/*
 * Judge an entry by docs/events.md, filling in w; NULL if it is valid,
 * else the rule it breaks.
 */
static const char *
fuzz_event_judge(const struct fuzz_event_entry *e, int with_map,
    struct fuzz_event_want *w)
{
	const char	*name, *value;
	size_t		 i, k;
	int		 t;

	memset(w, 0, sizeof *w);
	if (e->n == 0 || e->n > EVENT_FIELDS_MAX)
		return "entry: the number of fields";
	for (i = k = 0; i < 2 * e->n; i++)
		k += e->lens[i];
	if (k > EVENT_ENTRY_MAX)
		return "entry: its size";
	for (i = 0; i < e->n; i++) {
		name = e->fields[2 * i];
		value = e->fields[2 * i + 1];
		if (e->lens[2 * i] == 0 ||
		    !fuzz_event_utf8(name, e->lens[2 * i]) ||
		    !fuzz_event_utf8(value, e->lens[2 * i + 1]))
			return "entry: a name or value";
		if (e->lens[2 * i] > 2 && strncmp(name, "x_", 2) == 0)
			continue;
		for (k = 0; k < FE_COUNT; k++) {
			if (strcmp(fuzz_event_table[k].name, name) == 0)
				break;
		}
		if (k == FE_COUNT || w->v[k] != NULL || *value == '\0' ||
		    fuzz_event_chars(value) > fuzz_event_table[k].limit)
			return "entry: a name unknown or repeated, or a value "
			    "empty or too long";
		w->v[k] = value;
	}
	if (w->v[FE_V] == NULL || strcmp(w->v[FE_V], "1") != 0)
		return "v";
	if (w->v[FE_TYPE] == NULL || (t = fuzz_event_lookup(fuzz_event_types,
	    FUZZ_EVENT_NITEMS(fuzz_event_types), w->v[FE_TYPE])) < 0)
		return "type";
	w->type = 1 << t;
	for (k = 0; k < FE_COUNT; k++) {
		if (w->v[k] != NULL && !(fuzz_event_table[k].allowed & w->type))
			return "a field not allowed in the type";
		if (w->v[k] == NULL && (fuzz_event_table[k].required & w->type))
			return "a required field missing";
	}
	if (w->v[FE_EVENT_ID] != NULL && strspn(w->v[FE_EVENT_ID],
	    "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~") !=
	    strlen(w->v[FE_EVENT_ID]))
		return "event_id";
	if (!fuzz_event_word(w->v[FE_SR], 64, "-"))
		return "sr";
	if (fuzz_event_when(w->v[FE_TS], 0, &w->when, &t) != 0)
		return "ts";
	if (w->type == FE_S)
		return fuzz_event_judge_status(w, with_map);
	return fuzz_event_judge_contact(w);
}

/* Tell whether two strings, either of which may be NULL, are the same. */
static int
fuzz_event_same(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* Check that an accepted event carries what the entry said. */
static void
fuzz_event_accepted(const struct fuzz_event_entry *e,
    const struct fuzz_event_want *w, const struct event *ev)
{
	static const struct {
		enum fuzz_event_field	 field;
		size_t			 offset;
	} copies[] = {
		{ FE_SR, offsetof(struct event, sr) },
		{ FE_TS, offsetof(struct event, ts) },
		{ FE_DIVISION, offsetof(struct event, division) },
		{ FE_STATUS, offsetof(struct event, status_code) },
		{ FE_SERVICE, offsetof(struct event, service) },
		{ FE_WARD, offsetof(struct event, ward) },
		{ FE_WORK_ORDER, offsetof(struct event, work_order) },
		{ FE_TRANSFER_TO, offsetof(struct event, transfer_to) },
		{ FE_DUPLICATE_OF, offsetof(struct event, duplicate_of) },
		{ FE_SCHEDULED_FOR, offsetof(struct event, scheduled_for) },
		{ FE_NOTE, offsetof(struct event, note) },
		{ FE_NOTE_CODE, offsetof(struct event, note_code) },
		{ FE_STANDARD_DAYS, offsetof(struct event, standard_days) },
		{ FE_EMAIL, offsetof(struct event, email) },
		{ FE_PHONE, offsetof(struct event, phone) },
	};
	const char	*out[2 * EVENT_FIELDS_MAX], *got;
	char		*copy, *p, *url, *s, *joined;
	size_t		 i, n = 0;

	if (strcmp(event_type_name(ev->type), w->v[FE_TYPE]) != 0 ||
	    strcmp(ev->source_id, FUZZ_EVENT_SOURCE) != 0 ||
	    !fuzz_event_same(ev->event_id, w->v[FE_EVENT_ID] != NULL ?
	    w->v[FE_EVENT_ID] : FUZZ_EVENT_SOURCE))
		fuzz_event_fail(e, "type, source or event_id changed", NULL);
	for (i = 0; i < FUZZ_EVENT_NITEMS(copies); i++) {
		got = *(const char **)((const char *)ev + copies[i].offset);
		if (!fuzz_event_same(got, w->v[copies[i].field]))
			fuzz_event_fail(e, "a value changed",
			    fuzz_event_table[copies[i].field].name);
	}
	if (ev->when != w->when)
		fuzz_event_fail(e, "ts read wrong", w->v[FE_TS]);
	if (w->v[FE_SCHEDULED_FOR] != NULL &&
	    (ev->scheduled_when != w->scheduled_when ||
	    ev->scheduled_has_time != w->has_time))
		fuzz_event_fail(e, "scheduled_for read wrong",
		    w->v[FE_SCHEDULED_FOR]);
	if (w->v[FE_STANDARD_DAYS] != NULL &&
	    ev->standard != atoi(w->v[FE_STANDARD_DAYS]))
		fuzz_event_fail(e, "standard_days read wrong",
		    w->v[FE_STANDARD_DAYS]);
	if (w->type == FE_S && (strcmp(vocab_status_name(ev->status),
	    w->status) != 0 || strcmp(vocab_reason_name(ev->reason),
	    w->reason) != 0))
		fuzz_event_fail(e, "status or reason read wrong",
		    w->v[FE_STATUS]);
	if (!fuzz_event_same(ev->locale, w->v[FE_LOCALE] != NULL ?
	    w->locale : NULL))
		fuzz_event_fail(e, "locale not in canonical case", ev->locale);
	if (ev->channels != w->channels || ev->all != (w->v[FE_ALL] != NULL))
		fuzz_event_fail(e, "channels or all read wrong", NULL);

	copy = xstrdup(w->v[FE_PHOTOS] != NULL ? w->v[FE_PHOTOS] : "");
	s = xstrdup("");
	for (p = copy; (url = strsep(&p, " ")) != NULL; ) {
		if (*url == '\0')
			continue;
		if (n >= ev->nphotos || strcmp(ev->photos[n++], url) != 0)
			fuzz_event_fail(e, "photos read wrong", url);
		joined = xasprintf("%s%s%s", s, *s != '\0' ? " " : "", url);
		free(s);
		s = joined;
	}
	if (n != ev->nphotos || !fuzz_event_same(ev->photos_text, n > 0 ?
	    s : NULL))
		fuzz_event_fail(e, "photos read wrong", ev->photos_text);
	free(s);
	free(copy);

	s = event_describe(ev);
	if ((ev->email != NULL && strstr(s, ev->email) != NULL) ||
	    (ev->phone != NULL && strstr(s, ev->phone) != NULL))
		fuzz_event_fail(e, "a contact shown whole in the log", s);
	free(s);
	n = event_fields(ev, out, FUZZ_EVENT_NITEMS(out));
	for (i = 0; i < n; i++) {
		if (out[i] == NULL || *out[i] == '\0')
			fuzz_event_fail(e, "an empty canonical field", NULL);
	}
	if (n % 2 != 0)
		fuzz_event_fail(e, "a canonical name without a value", NULL);
}

/* Tell whether cause starts with "NAME: ", quoted if quote is set. */
static int
fuzz_event_names(const char *cause, const char *name, size_t len,
    int quote)
{
	char	*clean = log_clean(name, len, 40), *want;
	int	 ok;

	want = xasprintf(quote ? "field name \"%s\": " : "%s: ", clean);
	ok = strncmp(cause, want, strlen(want)) == 0;
	free(want);
	free(clean);
	return ok;
}

/* Tell whether name i of the entry is name. */
static int
fuzz_event_is(const struct fuzz_event_entry *e, size_t i, const char *name)
{
	return e->lens[2 * i] == strlen(name) &&
	    memcmp(e->fields[2 * i], name, e->lens[2 * i]) == 0;
}

/* Change the letters and digits of a secret, keeping its form. */
static void
fuzz_event_disguise(char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (fuzz_event_alpha(s[i]))
			s[i] = (s[i] & 0x20) | ((((s[i] & 0x1f) - 1 + 13) %
			    26) + 1 + 0x40);
		else if (s[i] >= '1' && s[i] <= '9')
			s[i] = s[i] == '9' ? '1' : s[i] + 1;
	}
}

/* Check the cause of a refusal. */
static void
fuzz_event_refused(const struct fuzz_event_entry *e,
    const struct config *cf, const char *cause)
{
	struct fuzz_event_entry	 twin;
	struct event		*ev;
	char			*again = NULL;
	size_t			 i, k, changed = 0;
	int			 named = 0;

	if (cause == NULL)
		fuzz_event_fail(e, "refused without a cause", NULL);
	if (!fuzz_event_utf8(cause, strlen(cause)) ||
	    fuzz_event_control(cause, "") ||
	    strlen(cause) > FUZZ_EVENT_CAUSE_MAX)
		fuzz_event_fail(e, "a cause unfit for a log line", cause);
	named = strncmp(cause, "entry: ", 7) == 0;
	for (k = 0; !named && k < FE_COUNT; k++)
		named = fuzz_event_names(cause, fuzz_event_table[k].name,
		    strlen(fuzz_event_table[k].name), 0);
	for (i = 0; !named && i < e->n; i++)
		named = fuzz_event_names(cause, e->fields[2 * i],
		    e->lens[2 * i], 0) || fuzz_event_names(cause,
		    e->fields[2 * i], e->lens[2 * i], 1);
	if (!named)
		fuzz_event_fail(e, "a cause that names no field", cause);

	twin = *e;
	twin.fields = xcalloc(2 * e->n + 1, sizeof *twin.fields);
	memcpy(twin.fields, e->fields, 2 * e->n * sizeof *twin.fields);
	for (i = 0; i < e->n; i++) {
		if (!fuzz_event_is(e, i, "note") &&
		    !fuzz_event_is(e, i, "email") &&
		    !fuzz_event_is(e, i, "phone"))
			continue;
		twin.fields[2 * i + 1] = xmalloc(e->lens[2 * i + 1] + 1);
		memcpy(twin.fields[2 * i + 1], e->fields[2 * i + 1],
		    e->lens[2 * i + 1] + 1);
		fuzz_event_disguise(twin.fields[2 * i + 1], e->lens[2 * i + 1]);
		changed++;
	}
	if (changed == 0) {
		free(twin.fields);
		return;
	}
	ev = eventparse_parse(cf, FUZZ_EVENT_SOURCE, twin.fields, twin.lens,
	    twin.n, &again);
	if (ev != NULL || strcmp(again, cause) != 0)
		fuzz_event_fail(e, "a cause that depends on a note, an email "
		    "address or a phone number", ev != NULL ? "accepted" :
		    again);
	free(again);
	for (i = 0; i < e->n; i++) {
		if (twin.fields[2 * i + 1] != e->fields[2 * i + 1])
			free(twin.fields[2 * i + 1]);
	}
	free(twin.fields);
}

/* Parse the entry under cf and check the outcome against the rules. */
static void
fuzz_event_one(const struct fuzz_event_entry *e, const struct config *cf)
{
	struct fuzz_event_want	 w;
	struct event		*ev;
	const char		*broken;
	char			*cause = NULL;

	broken = fuzz_event_judge(e, cf != NULL, &w);
	ev = eventparse_parse(cf, FUZZ_EVENT_SOURCE, e->fields, e->lens, e->n,
	    &cause);
	if (ev != NULL && broken != NULL)
		fuzz_event_fail(e, "accepted, but it breaks a rule", broken);
	if (ev == NULL && broken == NULL)
		fuzz_event_fail(e, "a valid entry refused", cause);
	if (ev != NULL)
		fuzz_event_accepted(e, &w, ev);
	else
		fuzz_event_refused(e, cf, cause);
	event_free(ev);
	free(cause);
}

/* Return the configuration: TW with a status_map, TS without. */
static const struct config *
fuzz_event_config(void)
{
	static struct config	 cf;
	struct division		*dv;
	size_t			 i;

	if (cf.ndivisions != 0)
		return &cf;
	division_add(&cf.divisions, &cf.ndivisions, "TS");
	dv = division_add(&cf.divisions, &cf.ndivisions, "TW");
	for (i = 0; i < FUZZ_EVENT_NITEMS(fuzz_event_map); i++)
		division_add_status(dv, fuzz_event_map[i].code,
		    vocab_status_parse(fuzz_event_map[i].status),
		    fuzz_event_map[i].reason != NULL ?
		    vocab_reason_parse(fuzz_event_map[i].reason) :
		    VOCAB_REASON_NONE);
	return &cf;
}

/*
 * Check what the dead letter of an entry keeps (eventparse_fit()): the longest
 * run of its first fields within the contract's limits, all of them for
 * an entry within them; and that an entry past them is refused with its
 * number of fields, or of bytes.
 */
static void
fuzz_event_fit(const struct fuzz_event_entry *e)
{
	struct event	*ev;
	char		*cause = NULL, *want;
	size_t		 kept, bytes, sum = 0, total = 0, i;

	kept = eventparse_fit(e->lens, e->n, &bytes);
	for (i = 0; i < 2 * e->n; i++) {
		total += e->lens[i];
		if (i < 2 * kept)
			sum += e->lens[i];
	}
	if (kept > e->n || kept > EVENT_FIELDS_MAX || bytes > EVENT_ENTRY_MAX ||
	    bytes != sum)
		fuzz_event_fail(e, "eventparse_fit() keeps too much", NULL);
	if ((kept == e->n) != (e->n <= EVENT_FIELDS_MAX &&
	    total <= EVENT_ENTRY_MAX))
		fuzz_event_fail(e, "eventparse_fit() cuts an entry within the "
		    "limits, or keeps one past them", NULL);
	if (kept < e->n && kept < EVENT_FIELDS_MAX && bytes + e->lens[2 *
	    kept] + e->lens[2 * kept + 1] <= EVENT_ENTRY_MAX)
		fuzz_event_fail(e, "eventparse_fit() stops short", NULL);
	if (e->n <= EVENT_FIELDS_MAX && total <= EVENT_ENTRY_MAX)
		return;
	ev = eventparse_parse(NULL, FUZZ_EVENT_SOURCE, e->fields, e->lens, e->n,
	    &cause);
	if (ev != NULL)
		fuzz_event_fail(e, "an entry past the limits accepted", NULL);
	want = e->n > EVENT_FIELDS_MAX ? xasprintf("entry: has %zu fields "
	    "(at most %d)", e->n, EVENT_FIELDS_MAX) : xasprintf("entry: has "
	    "%zu bytes of names and values (at most %d)", total,
	    EVENT_ENTRY_MAX);
	if (strcmp(cause, want) != 0)
		fuzz_event_fail(e, "an entry past the limits refused for "
		    "another cause", cause);
	free(want);
	free(cause);
}

/* Return a copy of the len bytes at p with C0 80 made NUL; *out its length. */
static char *
fuzz_event_copy(const uint8_t *p, size_t len, size_t *out)
{
	char	*f;
	size_t	 k, o;

	f = xmalloc(len + 1);
	for (k = o = 0; k < len; k++) {
		if (p[k] == 0xc0 && k + 1 < len && p[k + 1] == 0x80) {
			f[o++] = '\0';
			k++;
		} else
			f[o++] = (char)p[k];
	}
	f[o] = '\0';
	*out = o;
	return f;
}

/* Read one input as a stream entry and check what is made of it. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_event_entry	  e;
	const uint8_t		 *p, *end = data + size, *nul, *stop;
	const uint8_t		**starts = NULL;
	size_t			 *plen = NULL, npieces = 0, first = 0, cap = 0;
	size_t			  repeat = 1, bytes = 0, i, k, n;

	memset(&e, 0, sizeof e);
	if (size > 0 && data[size - 1] == '\0')
		end--;
	for (p = size > 0 ? data : NULL; p != NULL; npieces++) {
		nul = memchr(p, '\0', end - p);
		stop = nul != NULL ? nul : end;
		if (npieces == cap) {
			cap = cap == 0 ? 16 : 2 * cap;
			starts = xreallocarray(starts, cap, sizeof *starts);
			plen = xreallocarray(plen, cap, sizeof *plen);
		}
		starts[npieces] = p;
		plen[npieces] = (size_t)(stop - p);
		p = nul != NULL ? nul + 1 : NULL;
	}
	if (npieces > 0 && plen[0] > 0 && starts[0][0] == 0xff) {
		for (repeat = 0, k = 1; k < plen[0] && k < 5 &&
		    starts[0][k] >= '0' && starts[0][k] <= '9'; k++)
			repeat = 10 * repeat + (starts[0][k] - '0');
		first = 1;
	}
	n = (npieces - first) * repeat;
	if (n > FUZZ_EVENT_PIECES_MAX)
		n = FUZZ_EVENT_PIECES_MAX;
	e.fields = xcalloc(n + 2, sizeof *e.fields);
	e.lens = xcalloc(n + 2, sizeof *e.lens);
	for (k = 0; k < n && bytes <= FUZZ_EVENT_BYTES_MAX; k++) {
		i = first + k % (npieces - first);
		e.fields[k] = fuzz_event_copy(starts[i], plen[i], &e.lens[k]);
		bytes += e.lens[k];
	}
	n = k;
	if (n % 2 != 0) {	/* a name without a value: an empty one */
		e.fields[n] = xstrdup("");
		e.lens[n++] = 0;
	}
	e.n = n / 2;
	fuzz_event_fit(&e);
	fuzz_event_one(&e, fuzz_event_config());
	fuzz_event_one(&e, NULL);
	for (i = 0; i < n; i++)
		free(e.fields[i]);
	free(e.fields);
	free(e.lens);
	free(starts);
	free(plen);
	return 0;
}

#ifndef FUZZ_LIBFUZZER
/* Feed the corpus and its mutations to the target. */
int
main(int argc, char **argv)
{
	static const struct fuzzdrive_piece	 pieces[] = {
		FUZZDRIVE_PIECE("\0"), FUZZDRIVE_PIECE("\xc0\x80"),
		FUZZDRIVE_PIECE("v\0" "1\0"), FUZZDRIVE_PIECE("x_"),
		FUZZDRIVE_PIECE("type\0status\0"),
		FUZZDRIVE_PIECE("type\0subscribe\0"),
		FUZZDRIVE_PIECE("type\0unsubscribe\0"),
		FUZZDRIVE_PIECE("note\0"), FUZZDRIVE_PIECE("email\0"),
		FUZZDRIVE_PIECE("phone\0"), FUZZDRIVE_PIECE("locale\0"),
		FUZZDRIVE_PIECE("photos\0"), FUZZDRIVE_PIECE(" https://"),
		FUZZDRIVE_PIECE("T"), FUZZDRIVE_PIECE("Z"),
		FUZZDRIVE_PIECE(":"), FUZZDRIVE_PIECE("-"),
		FUZZDRIVE_PIECE("+"), FUZZDRIVE_PIECE("@"),
		FUZZDRIVE_PIECE("."), FUZZDRIVE_PIECE("\t"),
		FUZZDRIVE_PIECE("\n"), FUZZDRIVE_PIECE("\x7f"),
		FUZZDRIVE_PIECE("\xc3\xa9"), FUZZDRIVE_PIECE("\xe2\x80"),
		FUZZDRIVE_PIECE("\xf0\x9f\x9a\xa7"), FUZZDRIVE_PIECE("9"),
		FUZZDRIVE_PIECE("0"),
	};

	return fuzzdrive_main(argc, argv, "fuzz_event", "tests/fuzz/event",
	    pieces, sizeof pieces / sizeof pieces[0]);
}
#endif
