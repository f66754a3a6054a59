/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_IDENTITY_H
#define DSBC_IDENTITY_H

/**
 * @file
 * The SIP Identity header (RFC 8224 section 4) and the telephone-number
 * form PASSporT compares (RFC 8224 section 8.3), sans-I/O.
 */

#include <stddef.h>
#include <stdint.h>

/** A view into a header value. */
struct dsbc_ident_str {
	const char *p;
	uint32_t len;
};

/** What an Identity header value says. */
struct dsbc_identity {
	struct dsbc_ident_str jws;   /**< signed-identity-digest */
	struct dsbc_ident_str info;  /**< the absoluteURI inside info=<> */
	struct dsbc_ident_str alg;   /**< "ES256" when absent (RFC 8224 4.1) */
	struct dsbc_ident_str ppt;   /**< unquoted; empty when absent */
};

/**
 * Parse an Identity header value: signed-identity-digest (base64url and
 * dots), then ;info=<URI> (required), ;alg=, ;ppt= (a quoted ppt, as some
 * signers write it, is taken unquoted) and extensions, which are skipped.
 *
 * @param v  the value
 * @param len  its length
 * @param id  out: views into v
 * @return 0, or -1 when malformed or info is missing
 */
int dsbc_identity_parse(const char *v, size_t len, struct dsbc_identity *id);

/**
 * Build an Identity header value: jws;info=<x5u>;alg=ES256[;ppt=ppt].
 *
 * @return its length, or -1 when out is too small
 */
int dsbc_identity_build(const char *jws, const char *x5u, const char *ppt,
			char *out, size_t cap);

/**
 * A telephone number in RFC 8224 8.3's form: visual separators ("-",
 * ".", "(", ")" and spaces) and a leading "+" removed; what remains must
 * be 1 to 15 of the digits, "*" and "#".
 *
 * @param in  the number as written (a tel: URI's or a SIP URI's user
 *   part, without parameters)
 * @param len  its length
 * @param out  at least 16 bytes: the canonical number, NUL-terminated
 * @return 0, or -1 when it is no telephone number
 */
int dsbc_tn_canon(const char *in, size_t len, char out[16]);

#endif /* DSBC_IDENTITY_H */
