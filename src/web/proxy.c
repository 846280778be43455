/*
 * proxy.c - believing the city's proxy about who is asking
 *
 * proxy.h says whom and what is believed.
 */
#include "build.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "digest.h"
#include "httpreq.h"
#include "log.h"
#include "proxy.h"
#include "session.h"
#include "webreq.h"
#include "webaudit.h"
#include "xmalloc.h"

#define PROXY_USER_MAX	128

/* How strong each role is, when a user's groups give several. */
static int
proxy_rank(enum role r)
{
	switch (r) {
	case ROLE_OPS:
		return 4;
	case ROLE_AUDITOR:
		return 3;
	case ROLE_COMMS:
		return 2;
	case ROLE_DIVISION:
		return 1;
	default:
		return 0;
	}
}

/* Return 1 if the request's client is a trusted proxy. */
static int
proxy_trusted(const struct webreq *q)
{
	size_t	 i;

	for (i = 0; i < q->cf->web_ntrusted_proxies; i++)
		if (strcmp(q->cf->web_trusted_proxies[i], q->peer) == 0)
			return 1;
	return 0;
}

/* Return 1 if a user name from the proxy is printable and short. */
static int
proxy_user_ok(const char *user)
{
	const char	*p;

	if (*user == '\0' || strlen(user) > PROXY_USER_MAX)
		return 0;
	for (p = user; *p != '\0'; p++)
		if (!isgraph((unsigned char)*p))
			return 0;
	return 1;
}

/* Add the divisions of g to s, without repeats. */
static void
proxy_add_divisions(struct session *s, const struct config_group *g)
{
	size_t	 i, j;

	for (i = 0; i < g->ndivisions; i++) {
		for (j = 0; j < s->ndivisions; j++)
			if (strcmp(s->divisions[j], g->divisions[i]) == 0)
				break;
		if (j < s->ndivisions)
			continue;
		s->divisions = xreallocarray(s->divisions, s->ndivisions + 1,
		    sizeof *s->divisions);
		s->divisions[s->ndivisions++] = xstrdup(g->divisions[i]);
	}
}

/* Give s the role its groups (a list in the header's text) map to. */
static void
proxy_roles(const struct config *cf, struct session *s, const char *groups)
{
	const struct config_group	*g;
	const char			*p = groups, *e;
	size_t				 i, len;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == ',' || *p == ';')
			p++;
		e = p + strcspn(p, ",;");
		len = (size_t)(e - p);
		while (len > 0 && p[len - 1] == ' ')
			len--;
		for (i = 0; len > 0 && i < cf->web_ngroups; i++) {
			g = &cf->web_groups[i];
			if (strlen(g->group) != len ||
			    strncmp(g->group, p, len) != 0)
				continue;
			if (proxy_rank(g->role) > proxy_rank(s->role))
				s->role = g->role;
			if (g->role == ROLE_DIVISION)
				proxy_add_divisions(s, g);
		}
		p = e;
	}
}

/* Set q->who from a trusted proxy's headers. */
int
proxy_identify(struct webreq *q)
{
	const char	*user = httpreq_header(q->req, "X-Remote-User");
	const char	*groups = httpreq_header(q->req, "X-Remote-Groups");
	struct session	*s;
	char		*key;

	if (user == NULL && groups == NULL)
		return 0;
	if (!proxy_trusted(q)) {
		webaudit_note(q, "untrusted-proxy", NULL);
		return 0;
	}
	if (user == NULL || !proxy_user_ok(user))
		return 0;
	s = xcalloc(1, sizeof *s);
	s->user = xstrdup(user);
	s->sso = 1;
	proxy_roles(q->cf, s, groups);
	if (s->role != ROLE_DIVISION) {
		session_divisions_free(s->divisions, s->ndivisions);
		s->divisions = NULL;
		s->ndivisions = 0;
	}
	if (s->role == ROLE_NONE) {
		webaudit_note(q, "signin-norole", user);
		session_free(s);
		webreq_error(q, 403, "No access", "Your account has no role in "
		    "closeloop. Ask your administrator to add your group.");
		return -1;
	}
	key = xasprintf("closeloop-csrf:%s", user);
	digest_hmac(q->w->sso_key, strlen(q->w->sso_key), key, s->csrf);
	free(key);
	q->who = s;
	return 0;
}
