/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_STIR_VERIFY_H
#define DSBC_STIR_VERIFY_H

/**
 * @file
 * The verification service's decisions (RFC 8224 section 6.2), sans-I/O:
 * whether a signing certificate may speak for the caller (its chain to
 * the trust anchors and its TNAuthList, RFC 8226), and whether a
 * PASSporT's claims fit the call they came with (orig, dest, iat, and
 * mky against the SDP's fingerprints, RFC 8225 5.2.2: the man in the
 * middle that replaced the fingerprints).  Fetching x5u and reading the
 * clock are the caller's.
 */

#include <stdbool.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "dsbc_passport.h"

/** What a verification concluded. */
enum dsbc_stir_result {
	DSBC_STIR_VALID = 0,
	DSBC_STIR_NO_IDENTITY,       /**< none where one is required: 428 */
	DSBC_STIR_BAD_HEADER,        /**< malformed header or PASSporT: 438 */
	DSBC_STIR_BAD_INFO,          /**< x5u not usable (fetch, parse): 436 */
	DSBC_STIR_BAD_CERT,          /**< no trusted chain, no TNAuthList, or
				      *   not for the caller's number: 437 */
	DSBC_STIR_BAD_SIGNATURE,     /**< does not verify with it: 438 */
	DSBC_STIR_STALE,             /**< iat outside the window: 403 */
	DSBC_STIR_ORIG_MISMATCH,     /**< orig is not the caller: 438 */
	DSBC_STIR_DEST_MISMATCH,     /**< dest is not the callee: 438 */
	DSBC_STIR_MKY_MISMATCH,      /**< an SDP fingerprint mky lacks, or
				      *   none under mky: 438 */
	DSBC_STIR_REPLAYED,          /**< seen already with another call
				      *   (RFC 8224 12.1): 438 */
	DSBC_STIR_RESULT_MAX,
};

/** What the call says, to hold the claims against. */
struct dsbc_stir_call {
	const char *orig_tn;         /**< the caller's number (dsbc_tn_canon
				      *   of From or P-Asserted-Identity), ""
				      *   when it is no number */
	const char *orig_uri;        /**< else its URI */
	const char *dest_tn;         /**< the callee's (Request-URI or To) */
	const char *dest_uri;
	const char *const *fps;      /**< the SDP's a=fingerprint values,
				      *   "sha-256 AB:CD:..." */
	unsigned int nb_fps;
	int64_t now;                 /**< seconds since the epoch */
	uint32_t iat_window_s;       /**< RFC 8224 6.2: 60 recommended */
};

/** A TNAuthList (RFC 8226 section 9): what a certificate speaks for. */
#define DSBC_TNAUTH_MAX 16
struct dsbc_tnauth {
	uint8_t nb;
	struct {
		uint8_t kind;        /**< 0 SPC, 1 range, 2 one number */
		char a[16];          /**< the SPC or the (first) number */
		uint32_t count;      /**< range: how many from a */
	} e[DSBC_TNAUTH_MAX];
};

/**
 * Read a certificate's TNAuthList extension (1.3.6.1.5.5.7.1.26).
 *
 * @return 0, or -1 when absent or malformed
 */
int dsbc_tnauth_parse(X509 *cert, struct dsbc_tnauth *t);

/**
 * Does a TNAuthList speak for a number?  Yes for one of its numbers or
 * ranges, and for any number when it holds a service provider code (an
 * SPC certificate signs for what its provider serves, RFC 8226 9.2).
 *
 * @param t  the list
 * @param tn  a canonical number (dsbc_tn_canon)
 */
bool dsbc_tnauth_covers(const struct dsbc_tnauth *t, const char *tn);

/**
 * Check a signing certificate: its chain to the trust anchors at time
 * now (untrusted holds the intermediates that came with it), a
 * TNAuthList, and, when orig_tn is a number, that the list speaks for
 * it.  On success, the certificate's key made ready to verify with.
 *
 * @param key  out: the prepared public key (free with dsbc_es256_free)
 * @return DSBC_STIR_VALID or DSBC_STIR_BAD_CERT
 */
enum dsbc_stir_result dsbc_stir_check_cert(X509 *cert,
					   STACK_OF(X509) *untrusted,
					   X509_STORE *trust, int64_t now,
					   const char *orig_tn,
					   struct dsbc_es256 **key);

/**
 * Hold a verified PASSporT's claims against the call: iat within the
 * window, orig the caller, dest the callee, and every fingerprint of
 * the SDP among mky's digests when the PASSporT has mky.
 *
 * @return DSBC_STIR_VALID or the first mismatch
 */
enum dsbc_stir_result dsbc_stir_check_claims(const struct dsbc_passport *p,
					     const struct dsbc_stir_call *c);

/**
 * The response a result is under `enforce` (RFC 8224 6.2, 13.2).
 *
 * @param r  the result
 * @param reason  out: its reason phrase
 * @return the status code, 0 for DSBC_STIR_VALID
 */
uint16_t dsbc_stir_status(enum dsbc_stir_result r, const char **reason);

/** @return a short name of a result, for counters and logs */
const char *dsbc_stir_result_name(enum dsbc_stir_result r);

#endif /* DSBC_STIR_VERIFY_H */
