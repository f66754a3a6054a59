/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TLS server context for SIP: certificates by SNI, protocol floor,
 * client certificates (see ctl/sip_tls.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "ctl/sip_tls.h"

/* the [tls.N] contexts, hung on the default one */
struct sni {
	unsigned int n;
	char name[DSBC_CFG_MAX_TLS_CERTS][128];
	SSL_CTX *ctx[DSBC_CFG_MAX_TLS_CERTS];
};

static int sni_idx = -1;

static void
ossl_err(char *err, size_t errlen, const char *what, const char *file)
{
	char e[160] = "";
	unsigned long code = ERR_get_error();

	if (code != 0)
		ERR_error_string_n(code, e, sizeof(e));
	ERR_clear_error();
	snprintf(err, errlen, "%s %s: %s", what, file, e[0] ? e : "failed");
}

/* RFC 6066 section 3: the certificate of the name the client asks for;
 * an unknown name gets the default one (no alert: SIP clients often
 * send an address or nothing) */
static int
on_servername(SSL *ssl, int *alert, void *arg)
{
	const struct sni *s = arg;
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	unsigned int i;

	(void)alert;
	if (name == NULL || s == NULL)
		return SSL_TLSEXT_ERR_OK;
	for (i = 0; i < s->n; i++)
		if (strcasecmp(s->name[i], name) == 0) {
			SSL_set_SSL_CTX(ssl, s->ctx[i]);
			/* the verify settings are the connection's own,
			 * copied from the default context already */
			break;
		}
	return SSL_TLSEXT_ERR_OK;
}

static SSL_CTX *
ctx_new(const struct dsbc_tls_cfg *cfg, const char *cert, const char *key,
	char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL) {
		ossl_err(err, errlen, "TLS context", "");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, cfg->min_version == 13 ?
				      TLS1_3_VERSION : TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
			    SSL_OP_NO_COMPRESSION |
			    SSL_OP_CIPHER_SERVER_PREFERENCE);
	/* writes from a queue that moves as it drains; an idle
	 * connection gives its record buffers back (thousands are held) */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
			 SSL_MODE_RELEASE_BUFFERS);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		ossl_err(err, errlen, "[tls] cert", cert);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		ossl_err(err, errlen, "[tls] key", key);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		ossl_err(err, errlen, "[tls] key does not match", cert);
		goto fail;
	}
	if (cfg->ca[0] != '\0' &&
	    SSL_CTX_load_verify_locations(ctx, cfg->ca, NULL) != 1) {
		ossl_err(err, errlen, "[tls] ca", cfg->ca);
		goto fail;
	}
	/* sessions resumed with client certificates need a context name */
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"dsbc-sip",
				       8);
	if (cfg->verify_client != DSBC_TLS_VERIFY_NONE) {
		STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(cfg->ca);

		if (names != NULL)
			SSL_CTX_set_client_CA_list(ctx, names);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
				   (cfg->verify_client ==
				    DSBC_TLS_VERIFY_REQUIRE ?
				    SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0), NULL);
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

SSL_CTX *
dsbc_sip_tls_server_ctx(const struct dsbc_tls_cfg *cfg, char *err,
			size_t errlen)
{
	struct sni *s;
	SSL_CTX *ctx;
	unsigned int i;

	if (sni_idx < 0)
		sni_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	ctx = ctx_new(cfg, cfg->cert, cfg->key, err, errlen);
	if (ctx == NULL)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL || SSL_CTX_set_ex_data(ctx, sni_idx, s) != 1) {
		free(s);
		SSL_CTX_free(ctx);
		snprintf(err, errlen, "[tls]: out of memory");
		return NULL;
	}
	for (i = 0; i < cfg->nb_certs; i++) {
		s->ctx[i] = ctx_new(cfg, cfg->certs[i].cert, cfg->certs[i].key,
				    err, errlen);
		if (s->ctx[i] == NULL) {
			dsbc_sip_tls_ctx_free(ctx);
			return NULL;
		}
		snprintf(s->name[i], sizeof(s->name[i]), "%s",
			 cfg->certs[i].name);
		s->n = i + 1;
	}
	SSL_CTX_set_tlsext_servername_callback(ctx, on_servername);
	SSL_CTX_set_tlsext_servername_arg(ctx, s);
	return ctx;
}

SSL_CTX *
dsbc_sip_tls_client_ctx(const struct dsbc_tls_cfg *cfg, char *err,
			size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL) {
		ossl_err(err, errlen, "TLS client context", "");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, cfg->min_version == 13 ?
				      TLS1_3_VERSION : TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
			    SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* RFC 5922: the server's chain to a trust anchor and its name */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if ((cfg->ca[0] != '\0' ?
	     SSL_CTX_load_verify_locations(ctx, cfg->ca, NULL) :
	     SSL_CTX_set_default_verify_paths(ctx)) != 1) {
		ossl_err(err, errlen, "[tls] ca", cfg->ca[0] ? cfg->ca :
			 "(system default)");
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (cfg->cert[0] != '\0' &&
	    (SSL_CTX_use_certificate_chain_file(ctx, cfg->cert) != 1 ||
	     SSL_CTX_use_PrivateKey_file(ctx, cfg->key, SSL_FILETYPE_PEM) !=
	     1)) {
		ossl_err(err, errlen, "[tls] cert or key", cfg->cert);
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

void
dsbc_sip_tls_ctx_free(SSL_CTX *ctx)
{
	struct sni *s;
	unsigned int i;

	if (ctx == NULL)
		return;
	s = SSL_CTX_get_ex_data(ctx, sni_idx);
	if (s != NULL) {
		for (i = 0; i < s->n; i++)
			SSL_CTX_free(s->ctx[i]);
		free(s);
	}
	SSL_CTX_free(ctx);
}

/* the peer's certificate when it showed one that verified, else NULL */
static X509 *
verified_peer(SSL *ssl)
{
	X509 *cert = SSL_get0_peer_certificate(ssl);

	return cert != NULL && SSL_get_verify_result(ssl) == X509_V_OK ?
	       cert : NULL;
}

uint64_t
dsbc_sip_tls_trunk_certs(const struct dsbc_config *cfg, SSL *ssl)
{
	X509 *cert = verified_peer(ssl);
	uint64_t certs = 0;
	uint16_t i;

	if (cert == NULL)
		return 0;
	for (i = 0; i < cfg->nb_trunks && i < 64; i++) {
		const char *n = cfg->trunks[i].tls_name;

		/* subjectAltName only, no wildcards (RFC 5922 7.1, 7.2):
		 * a CN a user chose for its own certificate names no
		 * trunk */
		if (n[0] != '\0' && X509_check_host(cert, n, 0,
				X509_CHECK_FLAG_NO_WILDCARDS |
				X509_CHECK_FLAG_NEVER_CHECK_SUBJECT,
				NULL) == 1)
			certs |= 1ull << i;
	}
	return certs;
}

bool
dsbc_sip_tls_peer_is(SSL *ssl, const char *name, uint8_t family,
		     const struct dsbc_addr *addr)
{
	X509 *cert = verified_peer(ssl);

	if (cert == NULL)
		return false;
	if (name[0] != '\0')
		return X509_check_host(cert, name, 0,
				       X509_CHECK_FLAG_NO_WILDCARDS, NULL) == 1;
	return X509_check_ip(cert, addr->a8, family == 6 ? 16 : 4, 0) == 1;
}
