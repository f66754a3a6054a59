/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SDP_ICE_H
#define DSBC_SDP_ICE_H

#include <stdbool.h>
#include <stdint.h>

#include "dsbc_sdp.h"

/**
 * @file
 * ICE candidates in SDP (RFC 8839 section 5.1): the a=candidate parts
 * dsbc reads to reach a peer whose default address (its c= line) is of
 * another family than dsbc's side of the leg, as a dual-stack UA's may
 * be until ICE picks a pair.
 */

/** One a=candidate value. */
struct dsbc_sdp_cand {
	uint8_t component;          /**< 1 RTP, 2 RTCP */
	bool udp;
	uint32_t priority;
	uint8_t family;             /**< 4, 6, or 0 for a name (mDNS) */
	struct dsbc_sdp_str addr;
	uint16_t port;
};

/**
 * Parse the value of an a=candidate line (what follows "candidate:"):
 * foundation, component, transport, priority, address, port, "typ" and
 * the type; extensions after them are ignored.
 *
 * @param v  the value
 * @param c  out
 * @return 0, or -1 when malformed
 */
int dsbc_sdp_cand_parse(struct dsbc_sdp_str v, struct dsbc_sdp_cand *c);

/**
 * The highest-priority UDP candidate of one component and address
 * family among a media section's a=candidate lines.
 *
 * @param s  the parsed SDP
 * @param media  the media section's index
 * @param component  1 (RTP) or 2 (RTCP)
 * @param family  4 or 6
 * @param c  out: the candidate
 * @return 0, or -1 when there is none
 */
int dsbc_sdp_cand_best(const struct dsbc_sdp *s, unsigned int media,
		       uint8_t component, uint8_t family,
		       struct dsbc_sdp_cand *c);

#endif /* DSBC_SDP_ICE_H */
