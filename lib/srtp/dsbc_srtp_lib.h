/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SRTP_LIB_H
#define DSBC_SRTP_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsbc_srtp_suites.h"

/**
 * @file
 * The libsrtp2 engine (the reference, and the fallback where no
 * cryptodev is configured): one session per direction of a flow.  Works
 * on byte buffers with room for the tag; libsrtp2 does not allocate per
 * packet.  Results are 0 or a negative errno-style code, so the worker
 * can count drops by reason.
 */

/* SRTP protection profiles (RFC 5764 4.1.2, RFC 7714 14.2): in
 * dsbc_srtp_suites.h */

/** One direction of a flow's SRTP and SRTCP, a libsrtp2 session. */
struct dsbc_srtp_lib;

/**
 * Once, before any lcore creates a session (libsrtp2's srtp_init).
 * Not thread-safe; later calls do nothing.
 *
 * @return 0, or -1 when srtp_init fails
 */
int dsbc_srtp_lib_init(void);

/** Room protect needs after the packet: a 16-byte tag and SRTCP's 4-byte
 * index (no MKI is used). */
#define DSBC_SRTP_MAX_TRAILER 20

/**
 * Create a session keyed for SRTP and SRTCP (SRTCP keeps the 80-bit tag
 * with AES_CM_128_HMAC_SHA1_32, RFC 5764 4.1.2).
 *
 * @param suite  the protection suite
 * @param key  the master key, 16 bytes
 * @param salt  the master salt: 14 bytes (AES-CM) or 12 (GCM)
 * @param outbound  protect (true) or unprotect (false)
 * @param replay_window  the replay window, packet indexes: 64 to 32767
 * @return the session, or NULL when suite or replay_window is out of
 *   range, libsrtp2 cannot be initialised or refuses the policy, or
 *   memory is short
 */
struct dsbc_srtp_lib *dsbc_srtp_lib_new(enum dsbc_srtp_suite suite,
					const uint8_t *key, const uint8_t *salt,
					bool outbound, unsigned int replay_window);
/**
 * Free a session.
 *
 * @param s  the session; NULL is a no-op
 */
void dsbc_srtp_lib_free(struct dsbc_srtp_lib *s);

/**
 * Protect an RTP (or RTCP) packet in place; *len grows by the tag (and
 * SRTCP's index); cap is the room in pkt.
 *
 * @param s  an outbound session
 * @param pkt  the packet
 * @param len  in: its length; out: the protected packet's
 * @param cap  bytes available at pkt
 * @param rtcp  SRTCP rather than SRTP
 * @return 0; -ENOSPC when cap is below *len + DSBC_SRTP_MAX_TRAILER or
 *   *len is over 65535; -EALREADY when that index was sent already (one
 *   keystream is never used twice); -EINVAL when libsrtp2 refuses the
 *   packet (not RTP/RTCP)
 */
int dsbc_srtp_lib_protect(struct dsbc_srtp_lib *s, uint8_t *pkt, size_t *len,
			  size_t cap, bool rtcp);
/**
 * Unprotect an SRTP (or SRTCP) packet in place.
 *
 * @param s  an inbound session
 * @param pkt  the packet
 * @param len  in: its length; out: the plain packet's, on success
 * @param rtcp  SRTCP rather than SRTP
 * @return 0; -EBADMSG when authentication failed; -EALREADY when it is
 *   replayed or too old; -EINVAL when it is malformed (or *len is over
 *   65535)
 */
int dsbc_srtp_lib_unprotect(struct dsbc_srtp_lib *s, uint8_t *pkt,
			    size_t *len, bool rtcp);

#endif /* DSBC_SRTP_LIB_H */
