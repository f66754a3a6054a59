/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_AUTH_H
#define DSBC_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsbc_digest.h"
#include "dsbc_sip_msg.h"

/**
 * @file
 * Digest authentication of SIP requests (RFC 3261 section 22, RFC 7616,
 * RFC 8760), sans-I/O: the caller passes the time and the source.
 *
 * - Nonces are stateless: a timestamp, a sequence number and an HMAC
 *   over them and the realm under a key made at start.  One that checks
 *   but is older than the nonce lifetime gets stale=true (RFC 7616 3.3).
 * - Nonce counts are remembered per nonce in a bounded table; a count
 *   seen before is a replay (RFC 7616 3.4.3).  A nonce evicted from the
 *   table while still young is treated as stale from then on, so eviction
 *   can never reopen a replay.
 * - Users come from a file of HA1 hashes per algorithm, reloaded whole
 *   or not at all.
 * - Failed attempts are counted per source; a source over the limit in
 *   its window is refused without a check until the window ends.
 */

/** What a request's credentials amount to. */
enum dsbc_auth_verdict {
	DSBC_AUTH_OK = 0,        /**< authenticated; the user is known */
	DSBC_AUTH_CHALLENGE,     /**< none for this realm: 401/407 */
	DSBC_AUTH_STALE,         /**< right answer, old nonce: stale=true */
	DSBC_AUTH_FAIL,          /**< wrong: counted, challenged again */
	DSBC_AUTH_BLOCKED,       /**< the source failed too often: 403 */
	DSBC_AUTH_BAD,           /**< malformed credentials: 400 */
};

/** A realm and the algorithms it offers, most preferred first. */
struct dsbc_auth_realm {
	char name[64];
	uint8_t algs[DSBC_DIGEST_ALG_MAX];   /**< enum dsbc_digest_alg */
	uint8_t nb_algs;
};

/** Creation parameters (0: the default). */
struct dsbc_auth_cfg {
	uint32_t nonce_ttl_ms;   /**< nonce lifetime, default 300 s */
	uint32_t fail_max;       /**< failures per source per window before
				  *   blocking, default 10; UINT32_MAX off */
	uint32_t fail_window_ms; /**< default 60 s */
	uint32_t nc_slots;       /**< nonces tracked, default 16384 */
	uint32_t src_slots;      /**< sources tracked, default 4096 */
	uint8_t key[32];         /**< nonce HMAC key: random, secret */
};

/** Counters, all monotonic but users. */
struct dsbc_auth_stats {
	uint64_t challenges;     /**< 401/407 sent for no credentials */
	uint64_t ok;
	uint64_t failed;         /**< wrong response or unknown user */
	uint64_t unknown_user;   /**< of failed: no HA1 for the user */
	uint64_t replayed;       /**< nonce count seen before (of failed) */
	uint64_t stale;
	uint64_t bad;            /**< malformed, or qop not auth */
	uint64_t uri_mismatch;   /**< accepted, uri not the Request-URI */
	uint64_t alg_refused;    /**< an algorithm the realm does not offer */
	uint64_t blocked;        /**< refused: the source failed too often */
	uint64_t nonce_forged;   /**< nonce whose HMAC does not check */
	uint64_t nc_evicted;     /**< young nonces pushed out of the table */
	uint64_t reloads;
	uint64_t reload_failed;
	uint32_t users;          /**< HA1 entries loaded */
};

struct dsbc_auth;

/**
 * Create an authenticator; its tables are allocated at once.
 *
 * @param cfg  parameters, copied
 * @return it, or NULL when memory is short
 */
struct dsbc_auth *dsbc_auth_create(const struct dsbc_auth_cfg *cfg);

/**
 * Free an authenticator.
 *
 * @param a  it, or NULL
 */
void dsbc_auth_free(struct dsbc_auth *a);

/**
 * (Re)load the users file: lines of "user realm algorithm ha1-hex",
 * '#' comments.  On any error the users loaded before stay.
 *
 * @param a  the authenticator
 * @param path  the file
 * @param err  "FILE:LINE: reason" on failure
 * @param errlen  its size
 * @return the number of entries, or -1
 */
int dsbc_auth_users_load(struct dsbc_auth *a, const char *path, char *err,
			 size_t errlen);

/**
 * Check a request's credentials for realm: the Authorization (or, with
 * proxy, Proxy-Authorization) header naming that realm.
 *
 * @param a  the authenticator
 * @param realm  the realm the request is challenged in
 * @param m  the request
 * @param proxy  Proxy-Authorization (407) rather than Authorization (401)
 * @param src  the source address, family byte first (what failures are
 *   counted against)
 * @param srclen  its length, at most 17
 * @param now  milliseconds of a monotonic clock
 * @param user  out: the user name when DSBC_AUTH_OK
 * @param ucap  its size
 * @return the verdict
 */
enum dsbc_auth_verdict dsbc_auth_check(struct dsbc_auth *a,
				       const struct dsbc_auth_realm *realm,
				       const struct dsbc_sip_msg *m, bool proxy,
				       const void *src, size_t srclen,
				       uint64_t now, char *user, size_t ucap);

/**
 * Write the challenge headers: one WWW-Authenticate (or
 * Proxy-Authenticate) per algorithm of the realm, in its order (RFC 8760
 * section 2.4), with a fresh nonce and qop="auth".
 *
 * @param a  the authenticator
 * @param realm  the realm
 * @param proxy  Proxy-Authenticate rather than WWW-Authenticate
 * @param stale  add stale=true
 * @param now  milliseconds of the clock dsbc_auth_check() gets
 * @param out  where the header lines go, each ending in CRLF
 * @param cap  its size
 * @return the length written, or -1 when cap is too small
 */
int dsbc_auth_challenge(struct dsbc_auth *a,
			const struct dsbc_auth_realm *realm, bool proxy,
			bool stale, uint64_t now, char *out, size_t cap);

/**
 * Counters.
 *
 * @param a  the authenticator
 * @return them
 */
const struct dsbc_auth_stats *dsbc_auth_stats(const struct dsbc_auth *a);

/**
 * Does the users file hold the user in the realm (any algorithm)?
 *
 * @param a  the authenticator
 * @param user  the user name
 * @param realm  the realm
 * @return whether it does
 */
bool dsbc_auth_user_known(const struct dsbc_auth *a, const char *user,
			  const char *realm);

#endif /* DSBC_AUTH_H */
