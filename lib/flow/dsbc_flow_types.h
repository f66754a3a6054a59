/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_FLOW_TYPES_H
#define DSBC_FLOW_TYPES_H

/**
 * @file
 * What a flow is asked to do (media mode, latching, SSRC policy, keying,
 * spec flags), as the management lcore and lib/b2bua name it.  Plain C,
 * no DPDK.
 */
#include <stdint.h>

/** Media modes: X(enum suffix, name in the configuration). */
#define DSBC_MODES(X) \
	X(RELAY,     "relay") \
	X(AWARE,     "aware") \
	X(TERMINATE, "terminate")

/** What dsbc does with a call's media. */
enum dsbc_mode {
#define DSBC_MODE_ENUM(e, name) DSBC_MODE_##e,
	DSBC_MODES(DSBC_MODE_ENUM)
#undef DSBC_MODE_ENUM
	DSBC_MODE_MAX
};

/** RFC 7362 latching policy. */
#define DSBC_LATCHES(X) \
	X(OFF,       "off")        /* accept any source */ \
	X(FIRST,     "first")      /* latch on the first packet, then strict */ \
	X(SIGNALLED, "signalled")  /* accept only the SDP-signalled source */

/** RFC 7362 latching policy, DSBC_LATCH_ and each suffix. */
enum dsbc_latch {
#define DSBC_LATCH_ENUM(e, name) DSBC_LATCH_##e,
	DSBC_LATCHES(DSBC_LATCH_ENUM)
#undef DSBC_LATCH_ENUM
	DSBC_LATCH_MAX
};

/** Media-aware mode: a new SSRC from the latched source mid-call. */
#define DSBC_SSRC_POLICIES(X) \
	X(ALLOW, "allow")   /* track it */ \
	X(ALARM, "alarm")   /* track it and count an alarm */ \
	X(DROP,  "drop")    /* only the first SSRC passes */

/** What media-aware mode does with a new SSRC, DSBC_SSRC_ and each
 * suffix. */
enum dsbc_ssrc_policy {
#define DSBC_SSRC_ENUM(e, name) DSBC_SSRC_##e,
	DSBC_SSRC_POLICIES(DSBC_SSRC_ENUM)
#undef DSBC_SSRC_ENUM
	DSBC_SSRC_MAX
};

/**
 * Name of a media mode.
 *
 * @param m  the mode
 * @return "relay", "aware" or "terminate"; "unknown" when out of range
 */
const char *dsbc_mode_name(enum dsbc_mode m);
/**
 * Name of an SSRC policy.
 *
 * @param p  the policy
 * @return "allow", "alarm" or "drop"; "unknown" when out of range
 */
const char *dsbc_ssrc_policy_name(enum dsbc_ssrc_policy p);
/**
 * SSRC policy of a name (exact, case-sensitive).
 *
 * @param s  the name, or NULL
 * @return the enum dsbc_ssrc_policy, or -1 when unknown (or NULL)
 */
int dsbc_ssrc_policy_parse(const char *s);   /* -1 if unknown */
/**
 * Media mode of a name (exact, case-sensitive).
 *
 * @param s  the name, or NULL
 * @return the enum dsbc_mode, or -1 when unknown (or NULL)
 */
int dsbc_mode_parse(const char *s);       /* -1 if unknown */
/**
 * Name of a latching policy.
 *
 * @param l  the policy
 * @return "off", "first" or "signalled"; "unknown" when out of range
 */
const char *dsbc_latch_name(enum dsbc_latch l);
/**
 * Latching policy of a name (exact, case-sensitive).
 *
 * @param s  the name, or NULL
 * @return the enum dsbc_latch, or -1 when unknown (or NULL)
 */
int dsbc_latch_parse(const char *s);      /* -1 if unknown */

/** How a terminated leg is keyed (RFC 5763 DTLS-SRTP, RFC 4568 SDES). */
enum dsbc_keying {
	DSBC_KEYING_NONE = 0,        /* plain RTP */
	DSBC_KEYING_SDES = 1,        /* SRTP, keys in the SDP */
	DSBC_KEYING_DTLS = 2,        /* SRTP, keys from DTLS dsbc terminates */
};

/**
 * Name of a leg's keying.
 *
 * @param k  the keying
 * @return "plain", "sdes" or "dtls"; "unknown" when out of range
 */
const char *dsbc_keying_name(enum dsbc_keying k);

/** FLOW_MOD: forget the latched source (the peer's SDP changed). */
#define DSBC_FLOW_F_UNLATCH 0x01
/** Terminate, leg without rtcp-mux: the flow is keyed on its RTP port
 * (RTP only) or its RTCP port (RTCP only).  Each kind keeps to its own
 * SRTP session: the same master key never protects both in two sessions
 * (keystream or GCM nonce reuse). */
#define DSBC_FLOW_F_RTP_ONLY  0x02
#define DSBC_FLOW_F_RTCP_ONLY 0x04
/** Terminate, leg with rtcp-mux (RFC 5761) towards one without: the
 * leg's second flow is there only for the headers and keys RTCP leaves
 * with towards the other leg's RTCP port.  A muxing peer sends nothing
 * there, so the flow never gets keys to unprotect with, and what arrives
 * on it is dropped at once rather than held for keys. */
#define DSBC_FLOW_F_SEND_ONLY 0x08

#endif /* DSBC_FLOW_TYPES_H */
