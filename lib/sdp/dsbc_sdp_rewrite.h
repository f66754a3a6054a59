/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SDP_REWRITE_H
#define DSBC_SDP_REWRITE_H

#include "dsbc_sdp.h"

/*
 * Rewrite an offer or answer for the other leg.  dsbc anchors the media,
 * so addresses, ports and ICE are its own; everything else is copied line
 * by line, byte for byte (RFC 7879 section 3.1: a=fingerprint and a=setup
 * pass unchanged unless dsbc terminates DTLS).
 */
struct dsbc_sdp_media_plan {
	uint16_t port;          /* dsbc's RTP port; ignored for rejected media */
	uint16_t rtcp_port;     /* dsbc's RTCP port, written when the input had
				 * a=rtcp (0: drop the a=rtcp line) */
	uint8_t rtcp_mux;       /* enum dsbc_sdp_mux */
};

/* a=rtcp-mux (RFC 5761) in the output: as in the input, or dsbc's own
 * answer (dsbc muxes with a peer whatever the other leg does). */
enum dsbc_sdp_mux {
	DSBC_SDP_MUX_KEEP = 0,
	DSBC_SDP_MUX_ADD,       /* present, added when the input lacks it */
	DSBC_SDP_MUX_STRIP,     /* absent */
};

struct dsbc_sdp_plan {
	uint8_t family;             /* 4 or 6 */
	const char *addr;           /* dsbc's media address on this leg */
	const char *origin_user;    /* o= username (topology hiding) */
	uint64_t sess_version;      /* o= version, the caller increments */
	const char *ice_ufrag;      /* NULL: strip ICE, offer none */
	const char *ice_pwd;
	const char *fingerprint;    /* NULL: keep the peer's (relay/aware) */
	const char *setup;          /* NULL: keep the peer's */
	struct dsbc_sdp_media_plan media[DSBC_SDP_MAX_MEDIA];
};

/*
 * Writes the new SDP (CRLF line ends) into out; returns its length, or
 * -1 when it does not fit (never truncates).
 */
int dsbc_sdp_rewrite(const struct dsbc_sdp *in, const struct dsbc_sdp_plan *plan,
		     char *out, uint32_t cap);

/* RFC 8445 section 5.1.2.1 priority of a host candidate. */
uint32_t dsbc_sdp_host_priority(unsigned int component);

#endif /* DSBC_SDP_REWRITE_H */
