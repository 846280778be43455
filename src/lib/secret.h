/*
 * secret.h - reading a secret from a file or a systemd credential
 *
 * A secret (a password, a signing key) is kept out of the configuration:
 * the configuration names a file whose first line is the secret, or, with
 * a name without a slash, a credential that systemd's LoadCredential=
 * put in $CREDENTIALS_DIRECTORY. Secrets are wiped before they are freed.
 */
#ifndef SECRET_H
#define SECRET_H

/*
 * Read the secret that path names: the first line of the file at path
 * without its line ending, or for a path without a slash the credential of
 * that name in $CREDENTIALS_DIRECTORY. A file that everyone may read is
 * still used, with a warning that starts with what. Returns the secret
 * (free it with secret_free()), or NULL with *cause set to "cannot read
 * FILE: why" if cause is not NULL (the caller frees it).
 */
char *secret_read(const char *path, const char *what, char **cause);

/* Wipe a secret and free it; NULL is a no-op. */
void secret_free(char *secret);

#endif
