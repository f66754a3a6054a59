/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SRTP_LIB_H
#define DSBC_SRTP_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsbc_srtp_suites.h"

/*
 * The libsrtp2 engine (issue 5: the reference, and the fallback where no
 * cryptodev is configured): one session per direction of a flow.  Works
 * on byte buffers with room for the tag; libsrtp2 does not allocate per
 * packet.  Results are 0 or a negative errno-style code, so the worker
 * can count drops by reason.
 */

/* SRTP protection profiles (RFC 5764 4.1.2, RFC 7714 14.2) */

struct dsbc_srtp_lib;

/* Once, before any lcore creates a session (libsrtp2's srtp_init). */
int dsbc_srtp_lib_init(void);

/* Room protect needs after the packet: a 16-byte tag and SRTCP's 4-byte
 * index (no MKI is used). */
#define DSBC_SRTP_MAX_TRAILER 20

/* key: 16 bytes, salt: 14 (AES-CM) or 12 (GCM) */
struct dsbc_srtp_lib *dsbc_srtp_lib_new(enum dsbc_srtp_suite suite,
					const uint8_t *key, const uint8_t *salt,
					bool outbound, unsigned int replay_window);
void dsbc_srtp_lib_free(struct dsbc_srtp_lib *s);

/* In place; *len grows by the tag; cap is the room in pkt.  rtcp picks
 * SRTCP.  0, -ENOSPC (no room for the tag), -EALREADY (that index was
 * sent already: one keystream is never used twice), -EINVAL (not
 * RTP/RTCP). */
int dsbc_srtp_lib_protect(struct dsbc_srtp_lib *s, uint8_t *pkt, size_t *len,
			  size_t cap, bool rtcp);
/* In place; 0, -EBADMSG (authentication failed), -EALREADY (replayed or
 * too old), -EINVAL (malformed). */
int dsbc_srtp_lib_unprotect(struct dsbc_srtp_lib *s, uint8_t *pkt,
			    size_t *len, bool rtcp);

#endif /* DSBC_SRTP_LIB_H */
