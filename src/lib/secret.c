/*
 * secret.c - reading a secret from a file or a systemd credential
 *
 * The secret is the first line of a regular file; an empty file or an
 * empty first line is refused, so that a secret is never taken to be "".
 * A name without a slash is a systemd credential: the file of that name
 * in $CREDENTIALS_DIRECTORY, which the unit's LoadCredential= fills. The
 * secret itself never appears in a message.
 */
#include "build.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "secret.h"
#include "xmalloc.h"

/*
 * Return where a secret file is: path itself, or for a name without a
 * slash the credential of that name in $CREDENTIALS_DIRECTORY. NULL with
 * *why if there is no such directory.
 */
static char *
secret_path(const char *path, const char **why)
{
	const char	*dir;

	if (strchr(path, '/') != NULL)
		return xstrdup(path);
	if ((dir = getenv("CREDENTIALS_DIRECTORY")) == NULL || *dir == '\0') {
		*why = "a name without a slash is a systemd credential, but "
		    "$CREDENTIALS_DIRECTORY is not set (LoadCredential= in "
		    "the unit sets it)";
		return NULL;
	}
	return xasprintf("%s/%s", dir, path);
}

/* Read the first line of a file, without its line ending. */
static char *
secret_line(const char *path, const char **why)
{
	struct stat	 sb;
	FILE		*f;
	char		 buf[1024];
	size_t		 len;

	if ((f = fopen(path, "r")) == NULL) {
		*why = strerror(errno);
		return NULL;
	}
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		fclose(f);
		*why = S_ISDIR(sb.st_mode) ? strerror(EISDIR) :
		    "not a regular file";
		return NULL;
	}
	if (fgets(buf, sizeof buf, f) == NULL) {
		fclose(f);
		*why = "the file is empty";
		return NULL;
	}
	fclose(f);
	len = strcspn(buf, "\r\n");
	buf[len] = '\0';
	if (len == 0) {
		*why = "the first line is empty";
		return NULL;
	}
	return xstrdup(buf);
}

/* Read the secret that path names, warning if everyone may read it. */
char *
secret_read(const char *path, const char *what, char **cause)
{
	struct stat	 sb;
	const char	*why = NULL;
	char		*file, *secret = NULL;

	if ((file = secret_path(path, &why)) == NULL ||
	    (secret = secret_line(file, &why)) == NULL) {
		if (cause != NULL)
			*cause = xasprintf("cannot read %s: %s",
			    file != NULL ? file : path, why);
		free(file);
		return NULL;
	}
	if (stat(file, &sb) == 0 && (sb.st_mode & S_IROTH))
		log_warn("%s %s is readable by everyone; chmod o-r it", what,
		    file);
	free(file);
	return secret;
}

/* Wipe and free a secret. */
void
secret_free(char *secret)
{
	if (secret != NULL)
		explicit_bzero(secret, strlen(secret));
	free(secret);
}
