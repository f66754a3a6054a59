/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_DIGEST_H
#define DSBC_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * @file
 * HTTP Digest as SIP uses it (RFC 3261 section 22.4, RFC 7616, RFC 8760):
 * the credentials a client sends, parsed, and the response computed from
 * a stored HA1.  Only qop=auth; MD5 and SHA-256 (not their -sess forms,
 * which need the password-derived session key the HA1 store cannot give
 * for a nonce chosen later, nor userhash).  No I/O, no clock.
 */

/** Digest hash algorithms dsbc accepts (RFC 8760 section 2). */
enum dsbc_digest_alg {
	DSBC_DIGEST_MD5 = 0,
	DSBC_DIGEST_SHA256 = 1,
	DSBC_DIGEST_ALG_MAX,
};

/** Longest hex digest: SHA-256's 64 characters and a NUL. */
#define DSBC_DIGEST_HEX_MAX 65

/** Parsed Authorization / Proxy-Authorization value (RFC 7616 3.4). */
struct dsbc_digest_cred {
	char username[128];
	char realm[128];
	char nonce[128];
	char uri[512];
	char response[DSBC_DIGEST_HEX_MAX];
	char cnonce[128];
	char opaque[128];
	char qop[16];
	uint8_t alg;                 /**< enum dsbc_digest_alg */
	bool has_qop;
	uint32_t nc;                 /**< nonce-count, 0 when absent */
};

/**
 * Name of an algorithm as the algorithm parameter spells it.
 *
 * @param alg  enum dsbc_digest_alg
 * @return "MD5", "SHA-256", or "" out of range
 */
const char *dsbc_digest_alg_name(unsigned int alg);

/**
 * Algorithm of a name (case-insensitive, RFC 7616 section 3.3).
 *
 * @param name  the name, not NUL-terminated
 * @param len  its length
 * @return enum dsbc_digest_alg, or -1 for one dsbc does not accept
 */
int dsbc_digest_alg_lookup(const char *name, size_t len);

/**
 * Value of a hex digit.
 *
 * @param ch  the character
 * @return 0..15, or -1 when ch is not a hex digit (either case)
 */
int dsbc_digest_hexval(char ch);

/**
 * Parse a credentials value: "Digest" then comma-separated auth-params
 * (token or quoted-string values, backslash escapes undone).  A missing
 * algorithm means MD5 (RFC 7616 section 3.4).
 *
 * @param v  the header value, not NUL-terminated
 * @param len  its length
 * @param c  the parts, out (zeroed first)
 * @return 0; -1 when the scheme is not Digest, a parameter is malformed,
 *   repeated, longer than its field, or username, realm, nonce, uri or
 *   response is missing; -2 when the algorithm is one dsbc does not
 *   accept (or userhash=true)
 */
int dsbc_digest_cred_parse(const char *v, size_t len,
			   struct dsbc_digest_cred *c);

/**
 * HA1 = H(username ":" realm ":" password), in lower-case hex.  For
 * making users files and tests; dsbc itself never sees a password.
 *
 * @param alg  enum dsbc_digest_alg
 * @param user  the user name
 * @param realm  the realm
 * @param password  the password
 * @param out  DSBC_DIGEST_HEX_MAX bytes, out
 * @return 0, or -1 on an unknown algorithm or a hash failure
 */
int dsbc_digest_ha1(unsigned int alg, const char *user, const char *realm,
		    const char *password, char out[DSBC_DIGEST_HEX_MAX]);

/**
 * The response the credentials should carry, from the stored HA1:
 * H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" H(method ":" uri)) with
 * qop, H(HA1 ":" nonce ":" H(method ":" uri)) without (RFC 2069 form).
 *
 * @param c  parsed credentials (alg, nonce, nc, cnonce, qop, uri)
 * @param ha1  the stored HA1 in hex, for c->alg
 * @param method  the request's method
 * @param mlen  its length
 * @param out  DSBC_DIGEST_HEX_MAX bytes, out
 * @return 0, or -1 on a hash failure
 */
int dsbc_digest_response(const struct dsbc_digest_cred *c, const char *ha1,
			 const char *method, size_t mlen,
			 char out[DSBC_DIGEST_HEX_MAX]);

#endif /* DSBC_DIGEST_H */
