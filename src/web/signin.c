/*
 * signin.c - the sign-in form, its limits, and signing out
 *
 * signin.h says what each request does. The form's CSRF token is the
 * closeloop-pre cookie's value (cookie.h), made afresh each time the
 * form is shown.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "config.h"
#include "http.h"
#include "cookie.h"
#include "digest.h"
#include "httpreq.h"
#include "redis.h"
#include "session.h"
#include "signin.h"
#include "view.h"
#include "webreq.h"
#include "webaudit.h"
#include "xmalloc.h"

#define SIGNIN_ADDR_FACTOR	4	/* an address's limit, in names' */

/* Show the form with an error (or NULL) and status. */
static void
signin_show(struct webreq *q, int status, const char *error,
    const char *name)
{
	struct view	*v = view_map();
	char		 pre[SESSION_CSRF_LEN + 1];

	if (digest_random_hex(pre, SESSION_CSRF_LEN / 2) != 0) {
		webreq_error(q, 500, "Error", "No random bytes for the form.");
		view_free(v);
		return;
	}
	cookie_set(q->cf, q->resp, COOKIE_PRE, pre);
	view_set_string(v, "form_csrf", pre);
	view_set_string(v, "error", error);
	view_set_string(v, "name", name);
	q->resp->status = status;
	webreq_page(q, "signin", "Sign in", v);
}

/* GET /signin. */
void
signin_form(struct webreq *q)
{
	if (q->who != NULL) {
		webreq_redirect(q, "/");
		return;
	}
	signin_show(q, 200, NULL, NULL);
}

/* Return the count of failures under key, or -1 if Redis failed. */
static long long
signin_count(struct webreq *q, const char *key)
{
	struct redis_reply	*rep;
	char			*cause = NULL;
	long long		 n = 0;

	if ((rep = redis_command(q->w->r, &cause, "GET %s", key)) == NULL) {
		webreq_redis_failed(q, cause);
		return -1;
	}
	if (rep->type == REDIS_TYPE_STRING)
		n = strtoll(rep->str, NULL, 10);
	redis_reply_free(rep);
	return n;
}

/* Count a failure under key. Returns 0, or -1 if Redis failed. */
static int
signin_fail(struct webreq *q, const char *key)
{
	struct redis_reply	*rep;
	char			*cause = NULL;

	rep = redis_command(q->w->r, &cause, "SET %s 0 EX %lld NX", key,
	    (long long)q->cf->web_signin_window_minutes * 60);
	redis_reply_free(rep);
	if (rep != NULL)
		rep = redis_command(q->w->r, &cause, "INCR %s", key);
	if (rep == NULL) {
		webreq_redis_failed(q, cause);
		return -1;
	}
	redis_reply_free(rep);
	return 0;
}

/* Start a session for account a and go to the first page. */
static void
signin_start(struct webreq *q, const struct account *a, const char *ukey)
{
	struct redis_reply	*rep;
	char			 id[SESSION_ID_LEN + 1], *old, *cause = NULL;

	if ((old = cookie_get(q->cf, q->req, COOKIE_SESSION)) != NULL) {
		(void)session_end(q->w->r, q->cf, old, NULL);
		free(old);
	}
	if ((rep = redis_command(q->w->r, &cause, "DEL %s", ukey)) == NULL ||
	    session_new(q->w->r, q->cf, a->name, a->role, a->divisions,
	    a->ndivisions, id, &cause) != 0) {
		redis_reply_free(rep);
		webreq_redis_failed(q, cause);
		return;
	}
	redis_reply_free(rep);
	cookie_set(q->cf, q->resp, COOKIE_SESSION, id);
	cookie_set(q->cf, q->resp, COOKIE_PRE, NULL);
	webaudit_note(q, "signin", a->name);
	webreq_redirect(q, "/");
}

/* POST /signin. */
void
signin_post(struct webreq *q)
{
	const char	*name = httpreq_arg(q->req, "name");
	const char	*password = httpreq_arg(q->req, "password");
	struct account	*a = NULL;
	char		*pre, *ukey = NULL, *akey = NULL, *cause = NULL;
	long long	 nu, na;
	int		 rc;

	pre = cookie_get(q->cf, q->req, COOKIE_PRE);
	rc = digest_equal(pre, httpreq_arg(q->req, "csrf"));
	free(pre);
	if (!rc) {
		webreq_error(q, 403, "Refused", "This form did not come from the "
		    "console, or it is too old. Reload the page and try "
		    "again.");
		return;
	}
	if (name == NULL || password == NULL || *name == '\0') {
		signin_show(q, 400, "Enter your name and your password.",
		    name);
		return;
	}
	if (webreq_redis(q) == NULL)
		return;
	ukey = xasprintf("%sweb:limit:user:%s", q->cf->redis_prefix, name);
	akey = xasprintf("%sweb:limit:addr:%s", q->cf->redis_prefix, q->peer);
	if ((nu = signin_count(q, ukey)) < 0 ||
	    (na = signin_count(q, akey)) < 0)
		goto out;
	if (nu >= q->cf->web_signin_limit ||
	    na >= q->cf->web_signin_limit * SIGNIN_ADDR_FACTOR) {
		webaudit_note(q, "signin-limited", name);
		signin_show(q, 429, "Too many failed sign-ins. Wait a few "
		    "minutes, then try again, or ask an administrator.", name);
		goto out;
	}
	rc = account_check(q->w->r, q->cf, name, password, &a, &cause);
	if (rc < 0) {
		webreq_redis_failed(q, cause);
		goto out;
	}
	if (rc == 0) {
		if (signin_fail(q, ukey) != 0 || signin_fail(q, akey) != 0)
			goto out;
		webaudit_note(q, "signin-failed", name);
		signin_show(q, 401, "The name or the password is wrong.",
		    name);
		goto out;
	}
	signin_start(q, a, ukey);
out:
	account_free(a);
	free(ukey);
	free(akey);
}

/* POST /signout. */
void
signin_out(struct webreq *q)
{
	char	*id, *cause = NULL;

	id = cookie_get(q->cf, q->req, COOKIE_SESSION);
	if (id != NULL && webreq_redis(q) == NULL) {
		free(id);
		return;
	}
	if (id != NULL && session_end(q->w->r, q->cf, id, &cause) != 0) {
		free(id);
		webreq_redis_failed(q, cause);
		return;
	}
	free(id);
	cookie_set(q->cf, q->resp, COOKIE_SESSION, NULL);
	webaudit_note(q, "signout", q->who->user);
	webreq_redirect(q, "/signin");
}
