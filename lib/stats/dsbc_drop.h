/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_DROP_H
#define DSBC_DROP_H

/**
 * @file
 * Why the workers drop packets: one reason per counter, with its
 * telemetry name and meaning.
 */
/**
 * Every reason a worker drops a packet, defined once (DESIGN section 3).
 * X(enum suffix, telemetry name, one-line meaning).  The telemetry name is
 * what operators grep for: never rename one without a release note.
 */
#define DSBC_DROP_REASONS(X) \
	X(RUNT,            "drop_runt",            "frame shorter than an Ethernet header") \
	X(MULTISEG,        "drop_multiseg",        "frame spread over several mbuf segments") \
	X(VLAN_TRUNC,      "drop_vlan_truncated",  "802.1Q tag cut short") \
	X(L2_DST,          "drop_l2_dst",          "unicast frame not addressed to the port MAC") \
	X(ETHERTYPE,       "drop_ethertype",       "ethertype neither IPv4, IPv6 nor ARP") \
	X(ARP_BAD,         "drop_arp_malformed",   "ARP shorter than 28 bytes or not Ethernet/IPv4") \
	X(IP_TRUNC,        "drop_ip_truncated",    "IP header cut short") \
	X(IP_VERSION,      "drop_ip_version",      "IP version nibble does not match the ethertype") \
	X(IP_HDR_LEN,      "drop_ip_hdr_len",      "IPv4 IHL below 5 or beyond the frame") \
	X(IP_LEN,          "drop_ip_len",          "IP total/payload length beyond the frame or below the header") \
	X(IP_CSUM,         "drop_ip_csum",         "IPv4 header checksum wrong") \
	X(IP_SRC,          "drop_ip_src",          "source address is multicast, broadcast or loopback") \
	X(L4_PROTO,        "drop_l4_proto",        "IP protocol neither UDP, TCP nor ICMP") \
	X(TCP_TRUNC,       "drop_tcp_truncated",   "TCP header cut short or its data offset past the IP payload") \
	X(TCP_NO_KERNEL,   "drop_tcp_no_kernel",   "TCP to a port without a kernel exception path ([port.N] exception)") \
	X(UDP_TRUNC,       "drop_udp_truncated",   "UDP header cut short") \
	X(UDP_LEN,         "drop_udp_len",         "UDP length beyond the IP payload or below 8") \
	X(NOT_LOCAL,       "drop_not_local",       "destination address is not one of the port's") \
	X(UDP_PORT,        "drop_udp_port",        "UDP port neither SIP nor in the media range") \
	X(NO_FLOW,         "drop_no_flow",         "media port with no flow allocated") \
	X(DEMUX,           "drop_demux_unknown",   "first payload byte in no RFC 7983 range") \
	X(EMPTY_PAYLOAD,   "drop_empty_payload",   "UDP datagram without payload on a media port") \
	X(NOT_LATCHED,     "drop_not_latched",     "source differs from the latched/signalled one") \
	X(POLICER,         "drop_policer",         "flow above its packet rate (police_pps or b=AS)") \
	X(RTP_MALFORMED,   "drop_rtp_malformed",   "aware mode: RTP/RTCP-class packet with a broken header") \
	X(SSRC_NEW,        "drop_ssrc_new",        "aware mode, ssrc_policy drop: a second SSRC from the latched source") \
	X(SEQ_JUMP,        "drop_seq_jump",        "aware mode, seq_jump drop: sequence leap beyond seq_window") \
	X(STUN_MALFORMED,  "drop_stun_malformed",  "STUN on an ICE leg with a broken header or attributes") \
	X(STUN_NOT_CHECK,  "drop_stun_not_check",  "STUN on an ICE leg that is not a Binding request") \
	X(STUN_AUTH,       "drop_stun_auth",       "ICE check with a wrong USERNAME, MESSAGE-INTEGRITY or FINGERPRINT") \
	X(SRTP_NO_KEYS,    "drop_srtp_no_keys",    "terminate: SRTP leg whose DTLS/SDES keys are not installed yet") \
	X(SRTP_AUTH,       "drop_srtp_auth",       "terminate: SRTP/SRTCP authentication failed (wrong key, tampered)") \
	X(SRTP_REPLAY,     "drop_srtp_replay",     "terminate: SRTP/SRTCP index replayed or older than the window") \
	X(SRTP_MALFORMED,  "drop_srtp_malformed",  "terminate: RTP-class packet too short for SRTP/RTP, a header longer than the packet, or SRTCP with the E flag clear") \
	X(NO_TAILROOM,     "drop_no_tailroom",     "terminate: mbuf tailroom too small for the SRTP tag") \
	X(SRTP_WRONG_PORT, "drop_srtp_wrong_port", "terminate: RTP on a non-muxed leg's RTCP port or RTCP on its RTP port") \
	X(SRTP_SSRC_LIMIT, "drop_srtp_ssrc_limit", "terminate: a fifth SSRC on a flow (each new one costs an SRTP stream)") \
	X(SRTP_DEVICE,     "drop_srtp_device",     "terminate: the cryptodev refused or failed the SRTP op (not the packet's fault)") \
	X(SRTP_HEADER,     "drop_srtp_header",     "terminate: a packet of the stream the cryptodev carries with an RTP header it cannot take (GCM: over 32 bytes)") \
	X(DTLS_RING_FULL,  "drop_dtls_ring_full",  "terminate: management DTLS ring full") \
	X(DTLS_UNEXPECTED, "drop_dtls_unexpected", "terminate: DTLS on a leg whose SDP signalled none") \
	X(NO_NEIGH,        "drop_no_neigh",        "next hop MAC not resolved yet") \
	X(NO_HEADROOM,     "drop_no_headroom",     "mbuf headroom too small for the outgoing headers") \
	X(HANDOFF_FULL,    "drop_handoff_ring_full", "owner worker's handoff ring full") \
	X(SIP_RING_FULL,   "drop_sip_ring_full",   "management SIP ring of established calls (trusted peers' responses and in-dialog requests) full") \
	X(SIP_KNOWN_RING_FULL, "drop_sip_known_ring_full", "management SIP ring of trusted peers' other requests full") \
	X(SIP_NEW_RING_FULL, "drop_sip_new_ring_full", "management SIP ring of strangers' messages full (a flood)") \
	X(SIP_GARBAGE,     "drop_sip_garbage",     "datagram to the SIP port that is neither a SIP request nor a response") \
	X(SIP_RATE,        "drop_sip_rate",        "stranger's SIP over its per-source budget (sip_rate_pps, sip_burst)") \
	X(SIP_BANNED,      "drop_sip_banned",      "SIP from a source banned for flooding (sip_ban_strikes, sip_ban_s)") \
	X(EXC_RING_FULL,   "drop_exc_ring_full",   "management exception ring full") \
	X(KERNEL_RING_FULL, "drop_kernel_ring_full", "management ring towards the kernel exception path full") \
	X(TX_FULL,         "drop_tx_full",         "NIC TX queue did not take the packet") \
	X(NO_MBUF,         "drop_no_mbuf",         "mbuf pool exhausted while building a reply")

/** Drop reasons, DSBC_DROP_ and each suffix; NONE: not dropped. */
enum dsbc_drop {
	DSBC_DROP_NONE = 0,
#define DSBC_DROP_ENUM(e, name, help) DSBC_DROP_##e,
	DSBC_DROP_REASONS(DSBC_DROP_ENUM)
#undef DSBC_DROP_ENUM
	DSBC_DROP_MAX
};

/**
 * Telemetry name of a drop reason, "none" for DSBC_DROP_NONE.
 *
 * @param d  the reason
 * @return its name, e.g. "drop_runt"; "invalid" when d is out of range
 */
const char *dsbc_drop_name(enum dsbc_drop d);
/**
 * One-line meaning of a drop reason.
 *
 * @param d  the reason
 * @return the meaning, "not dropped" for DSBC_DROP_NONE, "invalid" when
 *   d is out of range
 */
const char *dsbc_drop_help(enum dsbc_drop d);

#endif /* DSBC_DROP_H */
