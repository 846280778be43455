/*
 * txnrepair.c - a step's writes Redis refused: the key moved aside, the
 * writes made again
 *
 * The step's commands are read back from the buffer they were sent
 * from: "*<n>\r\n" then n times "$<len>\r\n<bytes>\r\n". A command's key
 * is its second argument, or its fourth for EVAL (EVAL body 1 key ...).
 * The second transaction is MULTI, a RENAME per damaged key, every
 * command of the step on those keys in their order, EXEC.
 */
#include "build.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "log.h"
#include "redis.h"
#include "txnrepair.h"
#include "xmalloc.h"

/* One command of the step, as it was sent. */
struct txnrepair_cmd {
	const char	*at;		/* its bytes in the buffer */
	size_t		 len;
	const char	*name;		/* its first argument */
	size_t		 namelen;
	const char	*key;		/* the key it writes */
	size_t		 keylen;
};

/* A key Redis refused writes to. */
struct txnrepair_key {
	char	*key;
	char	*moved;			/* where it goes */
	char	*why;			/* Redis's first refusal */
	size_t	 writes;		/* commands of the step on it */
};

/* Read "<c><digits>\r\n" at *p (before end) into *n; 0, or -1 if not. */
static int
txnrepair_number(const char **p, const char *end, char c, size_t *n)
{
	const char	*s = *p;

	if (s >= end || *s++ != c)
		return -1;
	*n = 0;
	while (s < end && *s >= '0' && *s <= '9')
		*n = *n * 10 + (size_t)(*s++ - '0');
	if (end - s < 2 || s[0] != '\r' || s[1] != '\n')
		return -1;
	*p = s + 2;
	return 0;
}

/* Read the command at *p into c and move *p past it; 0, or -1 if bad. */
static int
txnrepair_parse(const char **p, const char *end, struct txnrepair_cmd *c)
{
	const char	*arg;
	size_t		 n, i, len, keyarg = 1;

	memset(c, 0, sizeof *c);
	c->at = *p;
	if (txnrepair_number(p, end, '*', &n) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (txnrepair_number(p, end, '$', &len) != 0 ||
		    (size_t)(end - *p) < len + 2)
			return -1;
		arg = *p;
		*p += len + 2;
		if (i == 0) {
			c->name = arg;
			c->namelen = len;
			if (len == 4 && strncasecmp(arg, "EVAL", 4) == 0)
				keyarg = 3;
		} else if (i == keyarg) {
			c->key = arg;
			c->keylen = len;
		}
	}
	c->len = (size_t)(*p - c->at);
	return c->key != NULL ? 0 : -1;
}

/* Return whether a refusal is of damage to the key: moving it helps. */
static int
txnrepair_damage(const char *err)
{
	return strncmp(err, "WRONGTYPE", 9) == 0 ||
	    strstr(err, "not an integer") != NULL;
}

/* Return the damaged key c writes in keys[0..n), or NULL. */
static struct txnrepair_key *
txnrepair_find(struct txnrepair_key *keys, size_t n,
    const struct txnrepair_cmd *c)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (strlen(keys[i].key) == c->keylen &&
		    memcmp(keys[i].key, c->key, c->keylen) == 0)
			return &keys[i];
	}
	return NULL;
}

/*
 * Send MULTI, a RENAME for each damaged key, the step's commands on them
 * and EXEC, and read the replies; log what Redis still refuses. Returns
 * 0, or -1 with *cause if Redis failed.
 */
static int
txnrepair_again(struct redis *r, const struct txnrepair_cmd *cmds,
    size_t ncmd, struct txnrepair_key *keys, size_t nkey, const char *sr,
    char **cause)
{
	struct redis_args	 again;
	struct redis_reply	*x;
	char			*err = NULL;
	size_t			 i, nsent = nkey;
	int			 rc = -1;

	memset(&again, 0, sizeof again);
	for (i = 0; i < nkey; i++) {
		redis_args_command(&again, 3);
		redis_args_str(&again, "RENAME");
		redis_args_str(&again, keys[i].key);
		redis_args_str(&again, keys[i].moved);
	}
	for (i = 0; i < ncmd; i++) {
		if (txnrepair_find(keys, nkey, &cmds[i]) != NULL) {
			redis_args_raw(&again, cmds[i].at, cmds[i].len);
			nsent++;
		}
	}
	redis_pipe_multi(r, &again);
	if ((x = redis_multi_reply(r, nsent, &err, cause)) == NULL)
		goto fail;
	if (x->type != REDIS_TYPE_ARRAY)
		log_err("SR %s: the damaged keys' writes were not made again: "
		    "%s", sr, err != NULL ? err : x->str != NULL ? x->str :
		    "no reply to EXEC");
	for (i = nkey; x->type == REDIS_TYPE_ARRAY && i < x->elements; i++) {
		if (x->element[i]->type == REDIS_TYPE_ERROR)
			log_err("SR %s: redis still refuses a write made "
			    "again: %s", sr, x->element[i]->str);
	}
	redis_reply_free(x);
	rc = 0;
fail:
	free(err);
	redis_args_clear(&again);
	return rc;
}

/* Put right the keys Redis refused writes to. */
int
txnrepair_run(struct redis *r, const struct redis_args *buf,
    const struct redis_reply *exec, const char *sr, char **cause)
{
	struct txnrepair_cmd	*cmds;
	struct txnrepair_key	*keys, *k;
	const struct redis_reply *e;
	const char		*p, *end;
	size_t			 i, n = exec->elements, nkey = 0;
	int			 rc = 1;

	for (i = 0; i < n; i++) {
		if (exec->element[i]->type == REDIS_TYPE_ERROR)
			break;
	}
	if (i == n || buf->buf == NULL)
		return 1;		/* the usual case: nothing refused */
	p = buf->buf;
	end = buf->buf + buf->len;
	cmds = xcalloc(n, sizeof *cmds);
	keys = xcalloc(n, sizeof *keys);
	for (i = 0; i < n; i++) {
		if (txnrepair_parse(&p, end, &cmds[i]) != 0) {
			log_err("SR %s: a step's commands could not be read "
			    "back to put right what redis refused", sr);
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		e = exec->element[i];
		if (e->type != REDIS_TYPE_ERROR)
			continue;
		if (!txnrepair_damage(e->str)) {
			log_err("SR %s: redis refused %.*s %.*s: %s; the "
			    "step's other writes were made", sr,
			    (int)cmds[i].namelen, cmds[i].name,
			    (int)cmds[i].keylen, cmds[i].key, e->str);
			continue;
		}
		if (txnrepair_find(keys, nkey, &cmds[i]) != NULL)
			continue;
		k = &keys[nkey++];
		k->key = xstrndup(cmds[i].key, cmds[i].keylen);
		k->moved = xasprintf("%s:damaged:%lld", k->key,
		    (long long)clock_now());
		k->why = xstrdup(e->str);
	}
	if (nkey == 0)
		goto out;
	for (i = 0; i < n; i++) {
		if ((k = txnrepair_find(keys, nkey, &cmds[i])) != NULL)
			k->writes++;
	}
	if (txnrepair_again(r, cmds, n, keys, nkey, sr, cause) != 0) {
		rc = -1;
		goto out;
	}
	for (i = 0; i < nkey; i++) {
		log_warn("SR %s: redis refused writes to %s (%s): it was moved "
		    "to %s, and the step's %zu writes to it made again on a "
		    "new one", sr, keys[i].key, keys[i].why, keys[i].moved,
		    keys[i].writes);
	}
out:
	for (i = 0; i < nkey; i++) {
		free(keys[i].key);
		free(keys[i].moved);
		free(keys[i].why);
	}
	free(keys);
	free(cmds);
	return rc;
}
