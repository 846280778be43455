/*
 * log.h - logging to stderr for journald, and masking of personal data
 *
 * Each line is "<N>message" where N is the syslog priority, which journald
 * turns into the entry's priority. Nothing that names a resident is logged
 * whole: use log_mask_email() and log_mask_phone().
 */
#ifndef LOG_H
#define LOG_H

#include <stddef.h>

/* Syslog priorities, as in <syslog.h>. */
enum log_level {
	LOG_LEVEL_ERR = 3,
	LOG_LEVEL_WARNING = 4,
	LOG_LEVEL_NOTICE = 5,
	LOG_LEVEL_INFO = 6,
	LOG_LEVEL_DEBUG = 7
};

/* Set the most verbose level written; the default is info. */
void log_set_level(enum log_level level);

/* Return the current level. */
enum log_level log_get_level(void);

/*
 * Parse a level name ("debug", "info", "notice", "warning", "error").
 * Returns 0 and sets *level, or -1 for an unknown name.
 */
int log_level_parse(const char *name, enum log_level *level);

/* Return the name of a level. The string is static. */
const char *log_level_name(enum log_level level);

/*
 * Write a message at a given level as one line: CR, LF and tab in it
 * are written as \r, \n and \t, any other control character (C0, DEL,
 * C1) and any byte that is not valid UTF-8 as \xNN, so that nothing in
 * the message can start a line or send a terminal an escape sequence.
 */
void log_write(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_err(...)	 log_write(LOG_LEVEL_ERR, __VA_ARGS__)
#define log_warn(...)	 log_write(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_notice(...) log_write(LOG_LEVEL_NOTICE, __VA_ARGS__)
#define log_info(...)	 log_write(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)	 log_write(LOG_LEVEL_DEBUG, __VA_ARGS__)

/*
 * Mask an email address for a log: "alice@example.org" becomes
 * "a***@example.org". Anything without a single '@' becomes "***".
 * The returned string is allocated; the caller frees it.
 */
char *log_mask_email(const char *email);

/*
 * Mask a phone number for a log: "+14165550100" becomes "+1416***0100";
 * numbers of eight characters or fewer keep only their last two digits.
 * The returned string is allocated; the caller frees it.
 */
char *log_mask_phone(const char *phone);

/*
 * Mask what a server's reply (an SMTP reply, an SMS gateway's answer)
 * may say of a person, for a log, the audit trail and history: every
 * address-like string (local@domain, any case) as log_mask_email() does,
 * every E.164-looking number ('+' and 7 to 15 digits) as log_mask_phone()
 * does, and the digits of recipient, when it is a phone number, also
 * without their '+'. recipient may be NULL. Nothing else is changed.
 * The returned string is allocated; the caller frees it.
 */
char *log_mask_reply(const char *text, const char *recipient);

/*
 * Make a value safe to put in a log line: control characters (C0, DEL,
 * C1) and bytes that are not valid UTF-8 become '?', and the result is
 * cut at a character boundary to at most max bytes (with "..."
 * appended). The returned string is allocated; the caller frees it.
 */
char *log_clean(const char *value, size_t len, size_t max);

#endif
