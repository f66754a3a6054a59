/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_DEMUX_H
#define DSBC_DEMUX_H

#include <stdint.h>

/**
 * @file
 * RFC 7983 section 7: demultiplexing by the first byte of the UDP payload.
 *
 * @verbatim
 *              +----------------+
 *              |        [0..3] -+--> STUN
 *              |      [16..19] -+--> ZRTP
 *              |      [20..63] -+--> DTLS
 *              |      [64..79] -+--> TURN channel
 *              |    [128..191] -+--> RTP/RTCP (split by RFC 5761 section 4)
 *              +----------------+
 * @endverbatim
 * Anything else is unknown and dropped by the caller.
 */
/** The classes: X(enum suffix, telemetry name). */
#define DSBC_DEMUX_CLASSES(X) \
	X(UNKNOWN, "unknown") \
	X(STUN,    "stun") \
	X(ZRTP,    "zrtp") \
	X(DTLS,    "dtls") \
	X(TURN,    "turn_channel") \
	X(RTP,     "rtp") \
	X(RTCP,    "rtcp")

/** What a UDP payload is, DSBC_DEMUX_ and each suffix. */
enum dsbc_demux_class {
#define DSBC_DEMUX_ENUM(e, name) DSBC_DEMUX_##e,
	DSBC_DEMUX_CLASSES(DSBC_DEMUX_ENUM)
#undef DSBC_DEMUX_ENUM
	DSBC_DEMUX_MAX
};

/** Range table for the first byte; RTP/RTCP is refined by the second byte. */
extern const uint8_t dsbc_demux_first_byte[256];

/**
 * Telemetry name of a class.
 *
 * @param c  the class
 * @return its name, e.g. "turn_channel"; "invalid" when c is out of range
 */
const char *dsbc_demux_name(enum dsbc_demux_class c);

/**
 * RFC 5761 section 4: with RTP and RTCP on one port, the second byte
 * (marker bit + payload type) of RTCP packets is 192..223 (RTCP packet
 * types 192..223, which as RTP would be M=1 with PT 64..95, a range RTP
 * must not use when multiplexed).
 *
 * @param second  the second byte of a payload of the RTP/RTCP range
 * @return DSBC_DEMUX_RTCP or DSBC_DEMUX_RTP
 */
static inline enum dsbc_demux_class
dsbc_demux_rtp_or_rtcp(uint8_t second)
{
	return (second >= 192 && second <= 223) ? DSBC_DEMUX_RTCP : DSBC_DEMUX_RTP;
}

/**
 * Classify a UDP payload. len 0 is UNKNOWN; RTP with len 1 is RTP.
 *
 * @param payload  the UDP payload
 * @param len  its length
 * @return its RFC 7983 class, RTP and RTCP told apart
 */
static inline enum dsbc_demux_class
dsbc_demux_classify(const uint8_t *payload, uint32_t len)
{
	enum dsbc_demux_class c;

	if (len == 0)
		return DSBC_DEMUX_UNKNOWN;
	c = (enum dsbc_demux_class)dsbc_demux_first_byte[payload[0]];
	if (c == DSBC_DEMUX_RTP && len >= 2)
		c = dsbc_demux_rtp_or_rtcp(payload[1]);
	return c;
}

#endif /* DSBC_DEMUX_H */
