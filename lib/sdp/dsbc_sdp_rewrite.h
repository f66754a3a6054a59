/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SDP_REWRITE_H
#define DSBC_SDP_REWRITE_H

#include "dsbc_sdp.h"

/**
 * @file
 * Rewrite an offer or answer for the other leg.  dsbc anchors the media,
 * so addresses, ports and ICE are its own; everything else is copied line
 * by line, byte for byte (RFC 7879 section 3.1: a=fingerprint and a=setup
 * pass unchanged unless dsbc terminates DTLS).
 */
/** What to write for one media section of the output. */
struct dsbc_sdp_media_plan {
	uint16_t port;          /* dsbc's RTP port; ignored for rejected media */
	uint16_t rtcp_port;     /* dsbc's RTCP port, written when the input had
				 * a=rtcp (0: drop the a=rtcp line) */
	uint8_t rtcp_mux;       /* enum dsbc_sdp_mux */
	const char *crypto;     /* SEC_SDES: dsbc's a=crypto value */
};

/**
 * Media security in the output (terminator mode changes it per leg):
 * KEEP leaves a=fingerprint, a=setup, a=crypto and the m= protocol as the
 * input has them (fingerprint/setup may still be replaced, see below);
 * the others drop all three attributes, write the RTP profile that goes
 * with them (RTP/AVP, RTP/SAVP, UDP/TLS/RTP/SAVP[F], the F kept for DTLS)
 * and add dsbc's own lines at the end of each media section.
 */
enum dsbc_sdp_sec {
	DSBC_SDP_SEC_KEEP = 0,
	DSBC_SDP_SEC_PLAIN,     /* RFC 3551 */
	DSBC_SDP_SEC_SDES,      /* RFC 4568: plan media[].crypto */
	DSBC_SDP_SEC_DTLS,      /* RFC 5763: plan fingerprint and setup */
};

/** a=rtcp-mux (RFC 5761) in the output: as in the input, or dsbc's own
 * answer (dsbc muxes with a peer whatever the other leg does). */
enum dsbc_sdp_mux {
	DSBC_SDP_MUX_KEEP = 0,
	DSBC_SDP_MUX_ADD,       /* present, added when the input lacks it */
	DSBC_SDP_MUX_STRIP,     /* absent */
};

/** How to rewrite a body for the other leg; media[] by m-line index. */
struct dsbc_sdp_plan {
	uint8_t family;             /* 4 or 6 */
	const char *addr;           /* dsbc's media address on this leg */
	const char *origin_user;    /* o= username (topology hiding) */
	uint64_t sess_version;      /* o= version, the caller increments */
	const char *ice_ufrag;      /* NULL: strip ICE, offer none */
	const char *ice_pwd;
	const char *fingerprint;    /* NULL: keep the peer's (relay/aware) */
	const char *setup;          /* NULL: keep the peer's */
	uint8_t security;           /* enum dsbc_sdp_sec */
	struct dsbc_sdp_media_plan media[DSBC_SDP_MAX_MEDIA];
};

/**
 * Writes the new SDP (CRLF line ends) into out; returns its length, or
 * -1 when it does not fit (a truncated body is never returned).
 *
 * The o= line keeps only the session id; c= lines, m= ports and a=rtcp
 * carry plan's address and ports; the peer's ICE attributes are dropped
 * and, when plan->ice_ufrag is set, dsbc's ICE-lite ones added; rejected
 * media (port 0) stay rejected.  Security attributes and the m= protocol
 * follow plan->security (enum dsbc_sdp_sec).
 *
 * @param in  the body received on one leg, parsed
 * @param plan  what dsbc puts in for the other leg
 * @param out  where the new body goes, NUL-terminated when it fits
 * @param cap  size of out
 * @return the length of the new body, or -1 when it does not fit in cap
 *   or would have more than DSBC_SDP_MAX_LINES lines (out then holds a
 *   partial body)
 */
int dsbc_sdp_rewrite(const struct dsbc_sdp *in, const struct dsbc_sdp_plan *plan,
		     char *out, uint32_t cap);

/**
 * RFC 8445 section 5.1.2.1 priority of a host candidate: type preference
 * 126, local preference 65535.
 *
 * @param component  the ICE component: 1 RTP, 2 RTCP
 * @return the candidate's priority
 */
uint32_t dsbc_sdp_host_priority(unsigned int component);

#endif /* DSBC_SDP_REWRITE_H */
