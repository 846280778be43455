/*
 * mailtls.h - the TLS context of a struct mail (OpenSSL, for libesmtp)
 *
 * STARTTLS to the SMTP server: TLS 1.2 only, the server's chain verified
 * against the configured CAs (or the system store) and its certificate
 * naming the configured host, a DNS name or an IPv4 address.
 */
#ifndef MAILTLS_H
#define MAILTLS_H

#include <openssl/ssl.h>

struct mailtls;

/*
 * Make the TLS context for host, trusting the CAs of ca_file (PEM; NULL:
 * the system store). Returns NULL and sets *cause (allocated; the caller
 * frees it; cause may be NULL) if the CAs cannot be loaded. Free it with
 * mailtls_free().
 */
struct mailtls *mailtls_new(const char *host, const char *ca_file,
    char **cause);

/* Free t; NULL is a no-op. */
void mailtls_free(struct mailtls *t);

/* Return t's SSL_CTX, for libesmtp; it belongs to t. */
SSL_CTX *mailtls_ctx(struct mailtls *t);

/*
 * While a session runs, keep in *failure, unless it holds a reason
 * already, why the server's certificate was refused ("STARTTLS:
 * certificate of HOST refused: WHY", allocated); NULL stops.
 */
void mailtls_watch(struct mailtls *t, char **failure);

/* Return 1 if the certificate of ssl was verified and names the host. */
int mailtls_host_ok(const struct mailtls *t, SSL *ssl);

/* Return the text of OpenSSL's last error and clear its queue. */
const char *mailtls_error(void);

#endif
