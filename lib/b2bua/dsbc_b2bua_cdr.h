/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_B2BUA_CDR_H
#define DSBC_B2BUA_CDR_H

/**
 * @file
 * What the B2BUA knows of a call when it ends, for its call detail
 * record (ops->call_ended).  The media counters are the workers': the
 * host adds them from the flows named here once those are removed.
 */
#include <stdint.h>

#include "dsbc_addr.h"

/** Why calls end: X(enum suffix, name, meaning). */
#define DSBC_B2BUA_END_REASONS(X) \
	X(BYE_A, "bye_a", "A hung up (BYE from A)") \
	X(BYE_B, "bye_b", "B hung up (BYE from B)") \
	X(CANCEL, "cancel", "A cancelled before the answer") \
	X(FAILURE, "failure", "B answered with a failure (status)") \
	X(NO_ANSWER, "no_answer", "B never answered, or could not be reached") \
	X(REFUSED, "refused", "dsbc refused the call: offer, ports, route set") \
	X(MEDIA_TIMEOUT, "media_timeout", "no media for flow_idle_ms") \
	X(MEDIA_FAILURE, "media_failure", "DTLS failed, or a flow was refused") \
	X(NO_ACK, "no_ack", "dsbc's 2xx was never acknowledged") \
	X(SHUTDOWN, "shutdown", "ended by dsbc stopping") \
	X(ERROR, "error", "an unusable answer or an internal error")

/** Why a call ended. */
enum dsbc_b2bua_end {
#define DSBC_B2BUA_END_ENUM(e, name, help) DSBC_B2BUA_END_##e,
	DSBC_B2BUA_END_REASONS(DSBC_B2BUA_END_ENUM)
#undef DSBC_B2BUA_END_ENUM
	DSBC_B2BUA_END_MAX
};

/**
 * @param r  an end reason
 * @return its name ("bye_a", ...), "unknown" when out of range
 */
const char *dsbc_b2bua_end_name(enum dsbc_b2bua_end r);

/** Media lines a record names flows of. */
#define DSBC_B2BUA_CDR_MEDIA 4

/** One leg of an ended call. */
struct dsbc_b2bua_cdr_leg {
	const char *call_id;         /**< its dialog's Call-ID */
	const char *local_uri;       /**< dsbc's From/To on it, no tag */
	const char *remote_uri;      /**< the peer's */
	uint8_t transport;           /**< enum dsbc_sip_transport */
	uint8_t family;              /**< of its signalling peer, 0 none */
	struct dsbc_addr peer;
	uint16_t peer_port;
	uint8_t keying;              /**< enum dsbc_keying */
	uint8_t mfamily;             /**< of dsbc's media address, 0 none */
	struct dsbc_addr maddr;      /**< dsbc's media address on this leg */
	uint16_t local_port[DSBC_B2BUA_CDR_MEDIA];  /**< its RTP ports */
	/** flows keyed on this leg's ports (what its peer sent), per media
	 * line RTP then RTCP when not muxed; 0 where none */
	uint32_t flow[DSBC_B2BUA_CDR_MEDIA][2];
	uint8_t nb_flows[DSBC_B2BUA_CDR_MEDIA];
	uint32_t clock[DSBC_B2BUA_CDR_MEDIA];  /**< RTP clock of each line */
};

/** An ended call; its strings live until ops->call_ended returns. */
struct dsbc_b2bua_cdr {
	uint32_t id;                 /**< the call's id (/dsbc/call,<id>) */
	uint8_t mode;                /**< enum dsbc_mode of its media */
	int16_t route;               /**< [route.N], -1: a registered user */
	uint8_t reason;              /**< enum dsbc_b2bua_end */
	uint16_t status;             /**< final status A got (200 when
				      *   answered), 0 none was sent */
	const char *why;             /**< in words, as logged */
	uint64_t start_ms;           /**< A's INVITE, the instance's clock */
	uint64_t answer_ms;          /**< 2xx to A, 0 never */
	uint64_t end_ms;
	uint8_t nb_media;
	struct dsbc_b2bua_cdr_leg a, b;
};

#endif /* DSBC_B2BUA_CDR_H */
