/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_B2BUA_SNAP_H
#define DSBC_B2BUA_SNAP_H

/**
 * @file
 * Copies of calls for telemetry.  The thread driving the instance takes
 * them (between inputs, so never half-written); another thread formats
 * the copy at leisure.
 */
#include <stdbool.h>
#include <stdint.h>

#include "dsbc_b2bua.h"
#include "dsbc_flow_types.h"

#define DSBC_B2BUA_SNAP_MEDIA 4

/** One flow keyed on a leg's port: media from that leg's peer. */
struct dsbc_b2bua_flow_snap {
	uint32_t flow_id;
	uint16_t local_port;
	uint8_t remote_family;
	uint16_t remote_port;
	struct dsbc_addr remote;     /**< where it sends */
	bool latched;
	uint8_t latched_family;
	uint16_t latched_port;
	struct dsbc_addr latched_src;
};

/** DTLS association of one component (terminator mode). */
struct dsbc_b2bua_dtls_snap {
	bool exists;
	bool closed;
	uint8_t state;               /**< enum dsbc_dtls_state */
	bool keys_known;
	uint8_t profile;             /**< enum dsbc_srtp_suite, once known */
	uint64_t rx, tx;
};

struct dsbc_b2bua_media_snap {
	uint16_t local_port;
	uint8_t family;              /**< of the peer's SDP address, 0 none */
	struct dsbc_addr remote;
	uint16_t remote_port;
	bool rtcp_mux;
	uint8_t nb_flows;
	struct dsbc_b2bua_flow_snap flow[2];
	struct dsbc_b2bua_dtls_snap dtls[2];
};

struct dsbc_b2bua_leg_snap {
	char call_id[128];
	char local_tag[40];
	char remote_tag[96];
	char local_uri[256];
	char remote_uri[256];
	char target[256];
	uint8_t peer_family;
	struct dsbc_addr peer;       /**< signalling peer */
	bool ice_local;
	bool consent_lost;
	char ice_ufrag[16];
	char ice_peer_ufrag[DSBC_B2BUA_ICE_UFRAG_MAX];
	uint8_t keying;              /**< enum dsbc_keying */
	bool dtls_role_known;
	bool dtls_client;
	char peer_fp[208];           /**< the first of nb_peer_fp */
	uint8_t nb_peer_fp;
	uint8_t family;
	struct dsbc_addr addr;       /**< dsbc's media address on this leg */
	struct dsbc_b2bua_media_snap m[DSBC_B2BUA_SNAP_MEDIA];
};

struct dsbc_b2bua_call_snap {
	uint32_t id;
	const char *state;           /**< "offered", "early", ... (static) */
	uint8_t mode;                /**< enum dsbc_mode */
	uint8_t worker;
	uint8_t nb_media;
	uint64_t age_ms;
	struct dsbc_b2bua_leg_snap a, b;
};

/**
 * Ids of calls in the table, lowest slot first.
 *
 * @param terminated_only  only calls whose media dsbc terminates
 * @return how many were written to ids (at most cap)
 */
uint32_t dsbc_b2bua_call_ids(const struct dsbc_b2bua *b, uint32_t *ids,
			     uint32_t cap, bool terminated_only);

/**
 * Copy one call.
 *
 * @param now  the instance's clock, for the age
 * @return 0, or -ENOENT when no call has that id
 */
int dsbc_b2bua_call_snapshot(const struct dsbc_b2bua *b, uint32_t id,
			     uint64_t now, struct dsbc_b2bua_call_snap *s);

#endif /* DSBC_B2BUA_SNAP_H */
