/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_CTL_SIP_TLS_H
#define DSBC_CTL_SIP_TLS_H

/*
 * TLS for SIP (RFC 3261 26.2, RFC 5630) on the management lcore: the
 * OpenSSL server context built from [tls] and [tls.N].  ctl/sip_tcp.c
 * runs the connections.
 */
#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

#include "dsbc_config.h"

/*
 * The server context: [tls] cert and key by default, a [tls.N] one for a
 * client asking for its name (SNI, RFC 6066 section 3), TLS 1.2 or
 * later, no renegotiation or compression, a client certificate asked for
 * and checked against ca as verify_client says.  NULL with a one-line
 * reason in err (the file and what OpenSSL said) on failure.
 */
SSL_CTX *dsbc_sip_tls_server_ctx(const struct dsbc_tls_cfg *cfg, char *err,
				 size_t errlen);

/*
 * The client context for streams towards TLS routes: TLS 1.2 or later,
 * the peer's chain checked against ca (the system's trust store when
 * [tls] has none), [tls] cert and key shown when the server asks.  The
 * name or address to check is set per connection.
 */
SSL_CTX *dsbc_sip_tls_client_ctx(const struct dsbc_tls_cfg *cfg, char *err,
				 size_t errlen);

/*
 * Which [trunk.N] a TLS client proved to be: bit N set when its verified
 * certificate carries trunk N's tls_name as a DNS subjectAltName, no
 * wildcard, the CN never (RFC 5922 7.1, 7.2).  0 when
 * it showed none, or one that did not verify.
 */
uint64_t dsbc_sip_tls_trunk_certs(const struct dsbc_config *cfg, SSL *ssl);

/*
 * Did the peer of a TLS connection prove to be name (or, for "", the
 * address addr): a verified certificate carrying it, as RFC 5922 section
 * 7 asks of a server?  For a connection a trunk opened and aliased
 * (RFC 5923 section 9), before dsbc sends requests on it.
 */
bool dsbc_sip_tls_peer_is(SSL *ssl, const char *name, uint8_t family,
			  const struct dsbc_addr *addr);

/* Free a context from dsbc_sip_tls_server_ctx() and its SNI ones. */
void dsbc_sip_tls_ctx_free(SSL_CTX *ctx);

#endif /* DSBC_CTL_SIP_TLS_H */
