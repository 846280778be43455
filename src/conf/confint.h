/*
 * confint.h - what the files of the configuration share; private to src/conf
 *
 * config.c gives a struct config its defaults and its life; the reading
 * is spread over the other files of src/conf, in steps. confload.c reads
 * the file with libconfig and walks it, storing each setting that the
 * table of confkey.c knows; conflist.c reads the settings that are lists
 * (photo hosts, the city's names, sentinels) and confdiv.c the divisions
 * and lists of notices; confcheck.c then checks the settings against each
 * other and reads the secrets they name. Every problem found goes to
 * confproblem.c's list, naming the file, the line and the setting.
 *
 * Only the files of src/conf include this header, and so <libconfig.h>:
 * the rest of closeloop sees config.h.
 */
#ifndef CONFINT_H
#define CONFINT_H

#include <libconfig.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct config;

/* How a setting is read. */
enum confkey_kind {
	CONFKEY_GROUP,
	CONFKEY_STRING,
	CONFKEY_INT,
	CONFKEY_BOOL,
	CONFKEY_NOTICES,
	CONFKEY_HOSTS,
	CONFKEY_HOLIDAYS,
	CONFKEY_CITY,
	CONFKEY_LEVEL,
	CONFKEY_SENTINELS,
	CONFKEY_PROXIES,
	CONFKEY_GROUPS,
	CONFKEY_DURATION,
	CONFKEY_FEEDBACK
};

/*
 * One known setting: its full name, how it is read, its range (of a
 * number, or of a string's length) and where it goes in struct config.
 */
struct confkey {
	const char		*name;
	enum confkey_kind	 kind;
	int64_t			 min;
	int64_t			 max;
	size_t			 offset;
};

/* One problem: its line (0 if unknown) and its text. */
struct confproblem {
	unsigned int	 line;
	char		*text;
};

/* The problems found while loading one file. */
struct confproblems {
	const char		*file;
	enum config_reader	 reader;	/* whose secrets to read */
	struct confproblem	*list;
	size_t			 count;
};

/* Return the known setting of full name name, or NULL. */
const struct confkey *confkey_find(const char *name);

/* Return the full dotted name of a setting, e.g. "redis.url" (allocated). */
char *confkey_name(const config_setting_t *s);

/*
 * Add a problem about setting s (which may be NULL: the problem then
 * names no line) to the list, as "FILE:LINE: " and the text of fmt.
 */
void confproblem_add(struct confproblems *pr, const config_setting_t *s,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Join the problems into one text, one per line, in the order of their
 * lines in the file; those without a line come last. The text is
 * allocated; the caller frees it. The list is emptied.
 */
char *confproblem_text(struct confproblems *pr);

/* Describe the type of a setting for a "wrong type" message. */
const char *confproblem_type(const config_setting_t *s);

/*
 * Read the file at path into cf, which holds the defaults, or check the
 * defaults alone if path is NULL. Returns 0, or -1 with *cause set to
 * every problem found, one a line (the caller frees it).
 */
int confload_read(struct config *cf, const char *path, char **cause);

/*
 * Read an array of host names, ["photos.example.org", ...], into cf's
 * photo hosts (lower case). Adds a problem for a bad one.
 */
void conflist_hosts(struct config *cf, struct confproblems *pr,
    const config_setting_t *s, const char *name);

/*
 * Read the city's name: a string for every locale, or a group of
 * locale = "name".
 */
void conflist_city(struct config *cf, struct confproblems *pr,
    const config_setting_t *s, const char *name);

/*
 * Read the list of sentinels, ( "HOST:PORT", "[IPV6]:PORT", ... ), into
 * cf. Adds a problem for each bad or repeated entry.
 */
void conflist_sentinels(struct config *cf, struct confproblems *pr,
    const config_setting_t *s, const char *name);

/*
 * Read a list of notice names, ["completed", "transferred", ...], into a
 * mask of 1 << vocab_notice. Returns 0, or -1 after adding a problem.
 */
int confdiv_notices(struct confproblems *pr, const config_setting_t *s,
    const char *name, unsigned int *mask);

/* Check every division in the divisions group and add it to cf. */
void confdiv_read(struct config *cf, struct confproblems *pr,
    const config_setting_t *group);

/*
 * Check a division's standards (divisions.CODE.standards, setting m of
 * full name name), a list of { service = "..."; days = N; target =
 * "completion" | "response"; }, and add them to cf's standards.
 */
void confstd_division(struct config *cf, struct confproblems *pr,
    const config_setting_t *m, const char *name, const char *division);

/*
 * Read policy.holidays, an array of dates "YYYY-MM-DD", into cf's sorted
 * day numbers. Adds a problem for a bad or repeated one.
 */
void confstd_holidays(struct config *cf, struct confproblems *pr,
    const config_setting_t *s, const char *name);

/*
 * Read a duration, "3d", "36h", "90m" or "45s", into *seconds. Adds a
 * problem for a bad one.
 */
void conffeedback_duration(struct confproblems *pr, const config_setting_t *s,
    const char *name, int64_t *seconds);

/*
 * Read a list of service types' feedback settings, ( { service = "...";
 * ask = true; ask_after = "3d"; }, ... ), into fb. Adds a problem for
 * each bad entry.
 */
void conffeedback_services(struct confproblems *pr, const config_setting_t *s,
    const char *name, struct feedback *fb);

/*
 * Read a division's feedback group, { ask = ...; ask_after = ...;
 * services = ( ... ); }, into fb.
 */
void conffeedback_division(struct confproblems *pr, const config_setting_t *s,
    const char *name, struct feedback *fb);

/*
 * Check the feedback settings against the rest once the file is read
 * (the answer link and its key) and read the answer links' key.
 */
void conffeedback_check(struct config *cf, struct confproblems *pr,
    config_t *lc);

/* What a URL pattern must hold (confcheck_url()). */
#define CONFCHECK_SR	0x1	/* "{sr}" */
#define CONFCHECK_TOKEN	0x2	/* "{token}" */

/*
 * Check a URL pattern: https, with "{sr}" and "{token}" in it as need
 * (CONFCHECK_*) says; each one missing is a problem of its own.
 */
void confcheck_url(struct confproblems *pr, config_t *lc, const char *name,
    const char *v, int need);

/*
 * Read web.trusted_proxies: addresses (IPv4 or IPv6, numeric) or "unix",
 * for a proxy on the unix socket.
 */
void confweb_proxies(struct config *cf, struct confproblems *pr,
    const config_setting_t *s, const char *name);

/*
 * Read web.groups: a list of groups, each { group = "NAME"; role =
 * "ROLE"; divisions = ["CODE", ...]; }.
 */
void confweb_groups(struct config *cf, struct confproblems *pr,
    const config_setting_t *s, const char *name);

/*
 * Check the web settings against the rest once the file is read (the
 * groups' divisions exist, the listen address) and read web's secret.
 */
void confweb_check(struct config *cf, struct confproblems *pr,
    config_t *lc);

/* Free what the web settings hold. */
void confweb_free(struct config *cf);

/*
 * Read the secret that setting name (a file name, or NULL) points to,
 * if the configuration's reader may hold it (config.h). Returns it, or
 * NULL after adding a problem or if it is not to be read.
 */
char *confcheck_secret(struct confproblems *pr, config_t *lc,
    const char *name, const char *path);

/*
 * Check and derive the settings that depend on each other, and read the
 * secrets the settings name, once the whole file is read.
 */
void confcheck_all(struct config *cf, struct confproblems *pr, config_t *lc);

#endif
