/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_DTLS_H
#define DSBC_DTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsbc_srtp_suites.h"

/*
 * DTLS 1.2 termination for terminator mode (RFC 5763, RFC 5764), on the
 * management lcore: OpenSSL over memory BIOs, so records come from and go
 * to whatever carries them (the workers punt DTLS records of terminated
 * legs).  One context per process holds dsbc's certificate; one session
 * per leg checks the peer's certificate against the fingerprint its SDP
 * signalled (the MITM check of seed 000) and, once done, exports the
 * SRTP keys (RFC 5764 section 4.2).
 */

/* use_srtp profiles dsbc offers/accepts: DSBC_SRTP_SUITES, in order. */
const char *dsbc_srtp_profile_name(enum dsbc_srtp_suite p);

#define DSBC_SRTP_KEY_MAX 16
#define DSBC_SRTP_SALT_MAX 14

/* Keying material of one leg, from dsbc's point of view. */
struct dsbc_srtp_keys {
	uint8_t profile;                       /* enum dsbc_srtp_suite */
	uint8_t key_len, salt_len;
	uint8_t local_key[DSBC_SRTP_KEY_MAX];  /* protects what dsbc sends */
	uint8_t local_salt[DSBC_SRTP_SALT_MAX];
	uint8_t remote_key[DSBC_SRTP_KEY_MAX]; /* unprotects what it gets */
	uint8_t remote_salt[DSBC_SRTP_SALT_MAX];
};

struct dsbc_dtls_ctx;
struct dsbc_dtls;

/*
 * dsbc's certificate: from PEM files, or (both NULL) a fresh ECDSA P-256
 * self-signed one.  profiles: colon-separated use_srtp list, NULL for all
 * of DSBC_SRTP_SUITES.  NULL on error, with the reason in err.
 */
struct dsbc_dtls_ctx *dsbc_dtls_ctx_create(const char *cert_pem,
					   const char *key_pem,
					   const char *profiles,
					   char *err, size_t errlen);
void dsbc_dtls_ctx_free(struct dsbc_dtls_ctx *c);
/* "sha-256 AB:CD:..." as a=fingerprint carries it (RFC 8122). */
const char *dsbc_dtls_ctx_fingerprint(const struct dsbc_dtls_ctx *c);
/* Write the certificate and key as PEM (pinning across restarts). */
int dsbc_dtls_ctx_save(const struct dsbc_dtls_ctx *c, const char *cert_pem,
		       const char *key_pem);

enum dsbc_dtls_role { DSBC_DTLS_CLIENT, DSBC_DTLS_SERVER };

enum dsbc_dtls_state {
	DSBC_DTLS_HANDSHAKING,
	DSBC_DTLS_DONE,
	DSBC_DTLS_FAILED,
};

/*
 * A session for one leg.  peer_fp is the a=fingerprint value of that
 * leg's SDP ("sha-256 XX:...", or sha-384, sha-512; RFC 8122 section 5);
 * the peer's certificate must match it.
 */
struct dsbc_dtls *dsbc_dtls_new(struct dsbc_dtls_ctx *c,
				enum dsbc_dtls_role role, const char *peer_fp);
/* Certificates a peer may present: one a=fingerprint each (RFC 8122
 * section 5); the first goes to dsbc_dtls_new, the others here. */
#define DSBC_DTLS_PEER_FPS 4
/* Another certificate the peer may present, named with the same hash as
 * the first: its certificate must match one of them.  0; -EINVAL (not a
 * fingerprint dsbc_dtls_new would take, or another hash); -ENOSPC. */
int dsbc_dtls_add_peer_fp(struct dsbc_dtls *d, const char *peer_fp);
/* Whether dsbc_dtls_new() takes peer_fp: a hash it checks with, and no
 * longer than the longest such fingerprint (the SDP is refused else). */
bool dsbc_dtls_fp_ok(const char *peer_fp);
/* The same for an a=fingerprint value of len bytes (not terminated): 0
 * when not taken, else how strong its hash is (SHA-256 1, -384 2, -512
 * 3), to choose among several (RFC 8122 section 5). */
int dsbc_dtls_fp_rank(const char *fp, size_t len);
void dsbc_dtls_free(struct dsbc_dtls *d);
/* Client: produce the ClientHello (then read it with _output). */
int dsbc_dtls_start(struct dsbc_dtls *d);
/* One received datagram; returns the new state. */
enum dsbc_dtls_state dsbc_dtls_input(struct dsbc_dtls *d, const uint8_t *p,
				     size_t len);
/* What to send: up to cap bytes of pending records, 0 when none. */
size_t dsbc_dtls_output(struct dsbc_dtls *d, uint8_t *buf, size_t cap);
/*
 * Retransmission timer (RFC 6347 4.2.4): call when it expires; *next_ms
 * gets the time to the next expiry (0 none).  Returns the state.
 */
enum dsbc_dtls_state dsbc_dtls_tick(struct dsbc_dtls *d, uint64_t *next_ms);
enum dsbc_dtls_state dsbc_dtls_state(const struct dsbc_dtls *d);
/*
 * Whether a failure is the peer's own doing: its certificate is not the
 * one its SDP named, or no use_srtp profile was agreed.  Otherwise a
 * failed handshake may be a forged or corrupt record (RFC 6347 4.1.2.7
 * wants invalid records discarded; OpenSSL ends the handshake on a
 * malformed message), which a fresh session survives.
 */
bool dsbc_dtls_peer_refused(const struct dsbc_dtls *d);
/* Why it failed, or "". */
const char *dsbc_dtls_error(const struct dsbc_dtls *d);
/* RFC 5764 section 4.2 keys; 0, or -1 before DONE. */
int dsbc_dtls_keys(const struct dsbc_dtls *d, struct dsbc_srtp_keys *k);

#endif /* DSBC_DTLS_H */
