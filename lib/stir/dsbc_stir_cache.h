/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_STIR_CACHE_H
#define DSBC_STIR_CACHE_H

/**
 * @file
 * The verification service's signing certificates, by x5u URL (RFC 8224
 * section 6.2.1, RFC 8226), sans-I/O.  The caller fetches: it asks the
 * cache for a URL, marks it pending when it starts a fetch and puts the
 * body (a PEM chain, leaf first, or one DER certificate) or a failure
 * when the fetch ends.  The chain to the trust anchors is checked once,
 * at put; an entry lives until its leaf expires or ttl_s passes, a
 * failure fail_ttl_s (so an unreachable repository is not asked again
 * for every call).  The clock, seconds since the epoch, is passed in.
 */

#include <stdbool.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "dsbc_passport.h"
#include "dsbc_stir_verify.h"

/** Where an entry stands. */
enum dsbc_stir_cert_state {
	DSBC_STIR_CERT_PENDING = 1,  /**< a fetch is under way */
	DSBC_STIR_CERT_READY,        /**< chain checked: key and TNAuthList */
	DSBC_STIR_CERT_FAILED,       /**< why says what went wrong */
};

/** One x5u's certificate. */
struct dsbc_stir_cert {
	char url[DSBC_PASSPORT_URI_MAX];
	uint8_t state;               /**< enum dsbc_stir_cert_state */
	uint8_t why;                 /**< FAILED: DSBC_STIR_BAD_INFO (fetch,
				      *   parse) or DSBC_STIR_BAD_CERT */
	int64_t expires;             /**< READY, FAILED: until (epoch s) */
	struct dsbc_es256 *key;      /**< READY: the leaf's public key */
	struct dsbc_tnauth tn;       /**< READY: what it may sign for */
	uint32_t next;               /* hash chain, index + 1 */
};

/** Counters. */
struct dsbc_stir_cache_stats {
	uint64_t hits;               /**< find() of a READY or FAILED entry */
	uint64_t misses;             /**< find() of none (or an expired one) */
	uint64_t stored;             /**< puts that gave READY */
	uint64_t bad_body;           /**< puts of no certificate */
	uint64_t untrusted;          /**< puts whose chain did not verify */
	uint64_t fetch_failed;       /**< fail() calls */
	uint64_t evicted;            /**< entries dropped for room */
	uint64_t entries;            /**< now */
};

struct dsbc_stir_cache;

/**
 * @param cap  entries at most (the least lasting one goes for a new one)
 * @param trust  the trust anchors, kept by pointer (the caller frees it
 *   after the cache)
 * @param ttl_s  how long a good certificate is kept at most
 * @param fail_ttl_s  how long a failure is remembered
 * @return the cache, NULL when memory is short or cap is 0
 */
struct dsbc_stir_cache *dsbc_stir_cache_new(uint32_t cap, X509_STORE *trust,
					    uint32_t ttl_s,
					    uint32_t fail_ttl_s);

/** Free a cache and its keys.  NULL is a no-op. */
void dsbc_stir_cache_free(struct dsbc_stir_cache *c);

/**
 * The entry of a URL, an expired one dropped first.
 *
 * @return it, or NULL (counted a miss)
 */
const struct dsbc_stir_cert *dsbc_stir_cache_find(struct dsbc_stir_cache *c,
						  const char *url, int64_t now);

/**
 * A fetch of url begins: its entry becomes PENDING (made, perhaps
 * evicting another, when there is none).
 *
 * @return 0, or -1 when the URL is too long
 */
int dsbc_stir_cache_pending(struct dsbc_stir_cache *c, const char *url,
			    int64_t now);

/**
 * A fetch of url gave body: the certificates are read, the leaf's chain
 * checked against the trust anchors (the rest of the body is its
 * intermediates) and the entry made READY or FAILED.
 *
 * @return DSBC_STIR_VALID, DSBC_STIR_BAD_INFO (no certificate in body)
 *   or DSBC_STIR_BAD_CERT (no trusted chain, no TNAuthList, no P-256 key)
 */
enum dsbc_stir_result dsbc_stir_cache_put(struct dsbc_stir_cache *c,
					  const char *url, const void *body,
					  size_t len, int64_t now);

/** A fetch of url could not be started: its PENDING entry goes (a
 * failure of dsbc's own, no verdict on the URL). */
void dsbc_stir_cache_forget(struct dsbc_stir_cache *c, const char *url);

/** A fetch of url failed (unreachable, refused, too slow): FAILED. */
void dsbc_stir_cache_fail(struct dsbc_stir_cache *c, const char *url,
			  int64_t now);

/** @return the counters */
const struct dsbc_stir_cache_stats *
dsbc_stir_cache_stats(const struct dsbc_stir_cache *c);

/**
 * Verify a PASSporT with a READY entry: its TNAuthList speaks for the
 * caller (orig_tn), the signature holds, and the claims fit the call.
 *
 * @param e  a READY entry
 * @param jws  the token as it came
 * @param len  its length
 * @param p  the token, decoded (dsbc_passport_decode)
 * @param call  what the call says
 * @return DSBC_STIR_VALID or why not
 */
enum dsbc_stir_result dsbc_stir_verify_with(const struct dsbc_stir_cert *e,
					    const char *jws, size_t len,
					    const struct dsbc_passport *p,
					    const struct dsbc_stir_call *call);

#endif /* DSBC_STIR_CACHE_H */
