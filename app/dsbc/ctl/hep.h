/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_CTL_HEP_H
#define DSBC_CTL_HEP_H

/*
 * HEP capture on the management lcore ([hep]): every SIP message dsbc
 * receives or sends, on every leg and transport, and a quality report
 * per leg when a call ends, correlated by Call-ID, encoded (lib/hep)
 * and handed to the export thread.
 *
 * A received message and what dsbc sends while handling it are held
 * together until the handling is over: only then is the call, and so
 * its route for [hep] routes, known for an INVITE, and only before it
 * is the call known for a BYE that ends it.
 */
#include <stdint.h>

#include "dsbc_b2bua.h"
#include "dsbc_msg.h"

struct dsbc_app;

/* Around the handling of one received message. */
void dsbc_hep_rx_begin(struct dsbc_app *app, const struct dsbc_sip_peer *from,
		       const char *msg, uint32_t len);
void dsbc_hep_rx_end(struct dsbc_app *app);
/* A message dsbc sends (responses, requests, retransmissions); DTLS
 * records that go the same way are not captured. */
void dsbc_hep_tx(struct dsbc_app *app, const struct dsbc_sip_peer *to,
		 const char *msg, uint32_t len);
/* A call ended: its legs' Call-IDs keep their route for [hep] routes
 * while their last messages pass. */
void dsbc_hep_call_ended(struct dsbc_app *app, const struct dsbc_b2bua_cdr *r);
/* An ended call's leg: its main stream's figures as an RTCP-style
 * report (HEP type 5, JSON), from the peer's media address to dsbc's. */
void dsbc_hep_quality(struct dsbc_app *app, const struct dsbc_b2bua_cdr *r,
		      const struct dsbc_b2bua_cdr_leg *l, const char *leg,
		      const struct dsbc_msg_flow_final *f, uint32_t loss_ppm,
		      uint32_t mos_x100);

struct dsbc_pkt_info;

/* A worker's copy of a relayed RTCP packet ([hep] rtcp): as JSON (HEP
 * type 5) from the peer to dsbc, correlated by the Call-ID of the leg it
 * came from; SRTCP (told by its lengths, lib/hep) is not readable and
 * is only counted. */
void dsbc_hep_rtcp(struct dsbc_app *app, uint32_t flow_id, uint64_t cookie,
		   const struct dsbc_pkt_info *pi, const uint8_t *payload);

struct dsbc_hep_stats {
	uint64_t captured;           /* SIP messages encoded */
	uint64_t filtered;           /* ... not of a [hep] routes call */
	uint64_t reports;            /* quality reports encoded */
	uint64_t rtcp;               /* RTCP reports encoded */
	uint64_t rtcp_skipped;       /* ... encrypted, not SR/RR first, or
				      *   of a call gone */
	uint64_t too_big;            /* over a HEP packet's 64 KB */
};
const struct dsbc_hep_stats *dsbc_hep_stats(const struct dsbc_app *app);

#endif /* DSBC_CTL_HEP_H */
