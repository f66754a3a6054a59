/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_HEP_H
#define DSBC_HEP_H

/**
 * @file
 * HEPv3 encoding (the sipcapture "Homer Encapsulation Protocol"): a
 * captured message with its addresses, time and correlation id, as a
 * collector such as Homer's heplify-server or sngrep -L takes it.
 * Sans-I/O: the caller sends the bytes.
 *
 * A packet is "HEP3", its total length (16 bits, network order), then
 * chunks of vendor id (0: generic), type id, length (of the chunk, six
 * header bytes included) and value, all in network order.
 */
#include <stddef.h>
#include <stdint.h>

#include "dsbc_addr.h"

/** Generic chunk types (vendor 0). */
enum dsbc_hep_chunk {
	DSBC_HEP_FAMILY = 0x0001,    /**< u8: 2 IPv4, 10 IPv6 */
	DSBC_HEP_IP_PROTO = 0x0002,  /**< u8: 17 UDP, 6 TCP */
	DSBC_HEP_SRC4 = 0x0003,
	DSBC_HEP_DST4 = 0x0004,
	DSBC_HEP_SRC6 = 0x0005,
	DSBC_HEP_DST6 = 0x0006,
	DSBC_HEP_SPORT = 0x0007,     /**< u16 */
	DSBC_HEP_DPORT = 0x0008,
	DSBC_HEP_TS_S = 0x0009,      /**< u32 seconds since the epoch */
	DSBC_HEP_TS_US = 0x000a,     /**< u32 microseconds within it */
	DSBC_HEP_PROTO = 0x000b,     /**< u8: what the payload is */
	DSBC_HEP_AGENT = 0x000c,     /**< u32 capture agent id */
	DSBC_HEP_AUTH = 0x000e,      /**< string: the collector's password */
	DSBC_HEP_PAYLOAD = 0x000f,
	DSBC_HEP_CORR = 0x0011,      /**< string: correlation id */
};

/** Payload types of the DSBC_HEP_PROTO chunk. */
enum dsbc_hep_proto {
	DSBC_HEP_P_SIP = 0x01,
	DSBC_HEP_P_RTCP_JSON = 0x05, /**< an RTCP report as JSON */
};

/** One captured message. */
struct dsbc_hep_meta {
	uint8_t family;              /**< 4 or 6 */
	uint8_t ip_proto;            /**< 17 UDP, 6 TCP (TLS, WS too) */
	struct dsbc_addr src, dst;
	uint16_t sport, dport;
	uint64_t ts_us;              /**< wall clock, microseconds */
	uint8_t proto;               /**< enum dsbc_hep_proto */
	uint32_t agent_id;
	const char *password;        /**< NULL or "": no auth chunk */
	const char *corr;            /**< correlation id (a Call-ID) */
	uint32_t corr_len;           /**< 0: no correlation chunk */
};

/**
 * Encode one packet.
 *
 * @param m  addresses, time, type, ids
 * @param payload  the captured message
 * @param len  its length
 * @param out  where the packet goes
 * @param cap  its size
 * @return the packet's length, 0 when it does not fit in cap or in the
 *   16-bit length (65535 bytes)
 */
size_t dsbc_hep_encode(const struct dsbc_hep_meta *m, const void *payload,
		       size_t len, uint8_t *out, size_t cap);

/** The encoded size of m with a payload of len bytes. */
size_t dsbc_hep_size(const struct dsbc_hep_meta *m, size_t len);

/**
 * Find a SIP message's Call-ID (or its compact form "i") value, without
 * parsing the message: header names are matched at line starts before
 * the blank line, the value trimmed.
 *
 * @param msg  the message
 * @param len  its length
 * @param out  the value, out (inside msg)
 * @return its length, 0 when there is none
 */
uint32_t dsbc_hep_sip_call_id(const char *msg, size_t len, const char **out);

/**
 * An RTCP compound packet's sender or receiver report (RFC 3550 6.4) as
 * the JSON HEP collectors take for payload type 5: its type, SSRC,
 * sender information (SR), report blocks (fraction lost, cumulative
 * lost, highest sequence, jitter, LSR, DLSR).  Other packets of the
 * compound (SDES, BYE, APP, feedback) are skipped.
 *
 * @param p  the RTCP packet, clear (not SRTCP)
 * @param len  its length
 * @param out  the JSON, NUL-terminated
 * @param cap  its size
 * @return the JSON's length; 0 when there is no well-formed SR or RR
 *   first in the compound, its packets' lengths do not add up to len
 *   (SRTCP: encrypted, with its index and tag after them), or out is
 *   too small
 */
size_t dsbc_hep_rtcp_json(const uint8_t *p, size_t len, char *out,
			  size_t cap);

#endif /* DSBC_HEP_H */
