/*
 * mailtls.c - the TLS context of a struct mail (OpenSSL, for libesmtp)
 *
 * What libesmtp 1.1.0 does that is worked around here:
 * - its own certificate name check knows only DNS names, compared with
 *   the resolver's canonical name: OpenSSL checks the configured host
 *   during the handshake, and only a certificate that OpenSSL verified
 *   and that names the host (X509_check_host/_ip_asc) passes that event
 *   (mailtls_host_ok());
 * - it makes the SSL itself, without a server name: the name (SNI) is set
 *   from the SSL_CTX info callback when the handshake starts;
 * - its loop reads before it flushes: a TLS 1.3 session ticket arriving
 *   after the handshake makes it wait for a reply to an EHLO it has not
 *   sent yet, until the timeout. TLS is therefore capped at 1.2, where
 *   tickets come within the handshake.
 *
 * OpenSSL 3 is thread-safe; each struct mail has its own context.
 */
#include "build.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "mailtls.h"
#include "xmalloc.h"

/* A TLS context and the host it verifies. */
struct mailtls {
	SSL_CTX		*ctx;
	char		*host;
	int		 host_ip;	/* host is an IPv4 address */
	char		**failure;	/* the running session's reason */
};

/* Return the text of OpenSSL's last error and clear its queue. */
const char *
mailtls_error(void)
{
	unsigned long	 e = ERR_peek_last_error();
	const char	*why = e != 0 ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return why != NULL ? why : "handshake failed";
}

/* Verify the server's chain and name; keep why it failed. */
static int
mailtls_verify(X509_STORE_CTX *xs, void *arg)
{
	struct mailtls	*t = arg;
	int		 ok;

	ok = X509_verify_cert(xs);
	if (ok != 1 && t->failure != NULL && *t->failure == NULL) {
		*t->failure = xasprintf("STARTTLS: certificate of %s "
		    "refused: %s", t->host, X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(xs)));
	}
	return ok == 1;
}

/*
 * Name the server (SNI) as the handshake starts: libesmtp makes the SSL
 * from our SSL_CTX itself and sets no name, and a client hello can only
 * get one from the SSL, so it is set here, before the hello is built.
 */
static void
mailtls_info(const SSL *ssl, int where, int ret)
{
	struct mailtls	*t;

	(void)ret;
	if ((where & SSL_CB_HANDSHAKE_START) == 0)
		return;
	t = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	if (t == NULL || t->host_ip ||
	    SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) != NULL)
		return;
	SSL_set_tlsext_host_name((SSL *)(uintptr_t)ssl, t->host);
}

/* Make the TLS context for host: TLS 1.2, chain and host name verified. */
struct mailtls *
mailtls_new(const char *host, const char *ca_file, char **cause)
{
	struct mailtls		*t;
	struct in_addr		 a;
	X509_VERIFY_PARAM	*param;
	char			*why = NULL;
	int			 ok;

	t = xcalloc(1, sizeof *t);
	t->host = xstrdup(host);
	t->host_ip = inet_pton(AF_INET, host, &a) == 1;
	if ((t->ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		why = xasprintf("SSL_CTX_new: %s", mailtls_error());
		goto fail;
	}
	SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(t->ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_cert_verify_callback(t->ctx, mailtls_verify, t);
	SSL_CTX_set_app_data(t->ctx, t);
	SSL_CTX_set_info_callback(t->ctx, mailtls_info);
	if (ca_file != NULL)
		ok = SSL_CTX_load_verify_locations(t->ctx, ca_file, NULL);
	else
		ok = SSL_CTX_set_default_verify_paths(t->ctx);
	if (ok != 1) {
		why = xasprintf("cannot load CA certificates from %s: %s",
		    ca_file != NULL ? ca_file : "the system store",
		    mailtls_error());
		goto fail;
	}
	param = SSL_CTX_get0_param(t->ctx);
	X509_VERIFY_PARAM_set_hostflags(param,
	    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (t->host_ip)
		ok = X509_VERIFY_PARAM_set1_ip_asc(param, host);
	else
		ok = X509_VERIFY_PARAM_set1_host(param, host, 0);
	if (ok != 1) {
		why = xasprintf("cannot verify host %s: %s", host,
		    mailtls_error());
		goto fail;
	}
	return t;
fail:
	if (cause != NULL)
		*cause = why;
	else
		free(why);
	mailtls_free(t);
	return NULL;
}

/* Free a TLS context. */
void
mailtls_free(struct mailtls *t)
{
	if (t == NULL)
		return;
	SSL_CTX_free(t->ctx);
	free(t->host);
	free(t);
}

/* Return the SSL_CTX for libesmtp. */
SSL_CTX *
mailtls_ctx(struct mailtls *t)
{
	return t->ctx;
}

/* Keep the reason of a refused certificate in *failure, or stop. */
void
mailtls_watch(struct mailtls *t, char **failure)
{
	if (t != NULL)
		t->failure = failure;
}

/* Return 1 if the server's certificate was verified and names host. */
int
mailtls_host_ok(const struct mailtls *t, SSL *ssl)
{
	X509	*cert = SSL_get0_peer_certificate(ssl);

	if (cert == NULL || SSL_get_verify_result(ssl) != X509_V_OK)
		return 0;
	if (t->host_ip)
		return X509_check_ip_asc(cert, t->host, 0) == 1;
	return X509_check_host(cert, t->host, 0,
	    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL) == 1;
}
