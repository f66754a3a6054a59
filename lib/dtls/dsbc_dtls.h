/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_DTLS_H
#define DSBC_DTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsbc_srtp_suites.h"

/**
 * @file
 * DTLS 1.2 termination for terminator mode (RFC 5763, RFC 5764), on the
 * management lcore: OpenSSL over memory BIOs, so records come from and go
 * to whatever carries them (the workers punt DTLS records of terminated
 * legs).  One context per process holds dsbc's certificate; one session
 * per leg checks the peer's certificate against the fingerprint its SDP
 * signalled (what stops a man in the middle) and, once done, exports the
 * SRTP keys (RFC 5764 section 4.2).
 */

/**
 * use_srtp profiles dsbc offers/accepts: DSBC_SRTP_SUITES, in order.
 *
 * @param p  the suite
 * @return its DTLS-SRTP profile name (RFC 5764 section 4.1.2), e.g.
 *   "SRTP_AES128_CM_SHA1_80"; "unknown" when p is out of range
 */
const char *dsbc_srtp_profile_name(enum dsbc_srtp_suite p);

#define DSBC_SRTP_KEY_MAX 16
#define DSBC_SRTP_SALT_MAX 14

/** Keying material of one leg, from dsbc's point of view. */
struct dsbc_srtp_keys {
	uint8_t profile;                       /* enum dsbc_srtp_suite */
	uint8_t key_len, salt_len;
	uint8_t local_key[DSBC_SRTP_KEY_MAX];  /* protects what dsbc sends */
	uint8_t local_salt[DSBC_SRTP_SALT_MAX];
	uint8_t remote_key[DSBC_SRTP_KEY_MAX]; /* unprotects what it gets */
	uint8_t remote_salt[DSBC_SRTP_SALT_MAX];
};

/** dsbc's certificate and the OpenSSL context of every session. */
struct dsbc_dtls_ctx;
/** One leg's DTLS session. */
struct dsbc_dtls;

/**
 * dsbc's certificate: from PEM files, or (both NULL) a fresh ECDSA P-256
 * self-signed one.  profiles: colon-separated use_srtp list, NULL for all
 * of DSBC_SRTP_SUITES.  NULL on error, with the reason in err.
 *
 * @param cert_pem  path of the certificate, or NULL
 * @param key_pem  path of its private key; NULL exactly when cert_pem is
 * @param profiles  use_srtp profile names, e.g.
 *   "SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM", or NULL
 * @param err  where the reason of a failure is written
 * @param errlen  size of err
 * @return the context, or NULL when only one path is given, the files
 *   cannot be read, no certificate can be generated, the key does not
 *   match the certificate, OpenSSL refuses the set-up (profiles
 *   included) or memory is short
 */
struct dsbc_dtls_ctx *dsbc_dtls_ctx_create(const char *cert_pem,
					   const char *key_pem,
					   const char *profiles,
					   char *err, size_t errlen);
/**
 * Free a context, after every session made from it.
 *
 * @param c  the context; NULL is a no-op
 */
void dsbc_dtls_ctx_free(struct dsbc_dtls_ctx *c);
/**
 * "sha-256 AB:CD:..." as a=fingerprint carries it (RFC 8122).
 *
 * @param c  the context
 * @return dsbc's certificate's SHA-256 fingerprint, upper-case hex
 */
const char *dsbc_dtls_ctx_fingerprint(const struct dsbc_dtls_ctx *c);
/**
 * Write the certificate and key as PEM (pinning across restarts).
 *
 * @param c  the context
 * @param cert_pem  path the certificate is written to
 * @param key_pem  path the private key is written to (unencrypted)
 * @return 0, or -1 when either file cannot be opened or written
 */
int dsbc_dtls_ctx_save(const struct dsbc_dtls_ctx *c, const char *cert_pem,
		       const char *key_pem);

/** dsbc's DTLS role on a leg (a=setup, RFC 5763 section 5). */
enum dsbc_dtls_role { DSBC_DTLS_CLIENT, DSBC_DTLS_SERVER };

/** Where a session is. */
enum dsbc_dtls_state {
	DSBC_DTLS_HANDSHAKING,
	DSBC_DTLS_DONE,
	DSBC_DTLS_FAILED,
};

/**
 * A session for one leg.  peer_fp is the a=fingerprint value of that
 * leg's SDP ("sha-256 XX:...", or sha-384, sha-512; RFC 8122 section 5);
 * the peer's certificate must match it.
 *
 * @param c  the context
 * @param role  client (dsbc starts the handshake) or server
 * @param peer_fp  the peer's fingerprint, compared case-insensitively
 * @return the session, handshaking; NULL when peer_fp is not one
 *   dsbc_dtls_fp_ok() takes, or on an OpenSSL or memory failure
 */
struct dsbc_dtls *dsbc_dtls_new(struct dsbc_dtls_ctx *c,
				enum dsbc_dtls_role role, const char *peer_fp);
/** Certificates a peer may present: one a=fingerprint each (RFC 8122
 * section 5); the first goes to dsbc_dtls_new, the others here. */
#define DSBC_DTLS_PEER_FPS 4
/**
 * Another certificate the peer may present, named with the same hash as
 * the first: its certificate must match one of them.
 *
 * @param d  the session
 * @param peer_fp  another a=fingerprint value of the leg's SDP
 * @return 0; -EINVAL when it is not a fingerprint dsbc_dtls_new would
 *   take, or names another hash; -ENOSPC when the session holds
 *   DSBC_DTLS_PEER_FPS already
 */
int dsbc_dtls_add_peer_fp(struct dsbc_dtls *d, const char *peer_fp);
/**
 * Whether dsbc_dtls_new() takes peer_fp: a hash it checks with, and no
 * longer than the longest such fingerprint (the SDP is refused else).
 *
 * @param peer_fp  an a=fingerprint value, NUL-terminated, or NULL
 * @return true when it names SHA-256, -384 or -512 and fits
 */
bool dsbc_dtls_fp_ok(const char *peer_fp);
/**
 * The same for an a=fingerprint value of len bytes (not terminated): 0
 * when not taken, else how strong its hash is (SHA-256 1, -384 2, -512
 * 3), to choose among several (RFC 8122 section 5).
 *
 * @param fp  the value, or NULL
 * @param len  its length
 * @return 1 to 3 as above, 0 when fp is NULL, too long or names
 *   another hash
 */
int dsbc_dtls_fp_rank(const char *fp, size_t len);
/**
 * Free a session.
 *
 * @param d  the session; NULL is a no-op
 */
void dsbc_dtls_free(struct dsbc_dtls *d);
/**
 * Client: produce the ClientHello (then read it with _output).
 *
 * @param d  a client session
 * @return 0, or -1 when d is a server or the handshake failed at once
 */
int dsbc_dtls_start(struct dsbc_dtls *d);
/**
 * One received datagram; returns the new state.  Once the handshake is
 * done only alerts are read: a close_notify from the peer moves the
 * session to DSBC_DTLS_FAILED ("peer closed DTLS").
 *
 * @param d  the session
 * @param p  the datagram's records
 * @param len  its length; 0 or over 65535 is ignored
 * @return the session's state
 */
enum dsbc_dtls_state dsbc_dtls_input(struct dsbc_dtls *d, const uint8_t *p,
				     size_t len);
/**
 * What to send: up to cap bytes of pending records, 0 when none.
 *
 * @param d  the session
 * @param buf  where the records go
 * @param cap  size of buf (at most 65535 bytes are taken at once)
 * @return the number of bytes written to buf
 */
size_t dsbc_dtls_output(struct dsbc_dtls *d, uint8_t *buf, size_t cap);
/** The first retransmission comes this long after a flight (RFC 9147
 * 5.8.2), the next ones twice as long each time, up to 60 s. */
#define DSBC_DTLS_RTX_INITIAL_MS 100

/**
 * Retransmission timer (RFC 6347 4.2.4): call when it expires, or at any
 * time to learn when it will (nothing is sent before); *next_ms
 * gets the time to the next expiry (0 none).  Returns the state.
 *
 * @param d  the session
 * @param next_ms  out: milliseconds to the next expiry, 0 when no timer
 *   runs (always 0 once the handshake is over)
 * @return the session's state; DSBC_DTLS_FAILED when retransmitting
 *   failed
 */
enum dsbc_dtls_state dsbc_dtls_tick(struct dsbc_dtls *d, uint64_t *next_ms);
/**
 * The session's state.
 *
 * @param d  the session
 * @return handshaking, done or failed
 */
enum dsbc_dtls_state dsbc_dtls_state(const struct dsbc_dtls *d);
/**
 * Whether a failure is the peer's own doing: its certificate is not the
 * one its SDP named, or no use_srtp profile was agreed.  Otherwise a
 * failed handshake may be a forged or corrupt record (RFC 6347 4.1.2.7
 * wants invalid records discarded; OpenSSL ends the handshake on a
 * malformed message), which a fresh session survives.
 *
 * @param d  the session
 * @return true when the peer's certificate or profiles were refused
 */
bool dsbc_dtls_peer_refused(const struct dsbc_dtls *d);
/**
 * Why it failed, or "".
 *
 * @param d  the session
 * @return a message for the log, "" while nothing failed
 */
const char *dsbc_dtls_error(const struct dsbc_dtls *d);
/**
 * RFC 5764 section 4.2 keys: the negotiated profile and the keys and
 * salts exported for each direction, local being dsbc's.
 *
 * @param d  the session
 * @param k  the keys, out
 * @return 0, or -1 before DONE (or when the profile is not one dsbc
 *   knows, or the export fails)
 */
int dsbc_dtls_keys(const struct dsbc_dtls *d, struct dsbc_srtp_keys *k);

#endif /* DSBC_DTLS_H */
