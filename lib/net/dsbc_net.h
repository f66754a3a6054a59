/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_NET_H
#define DSBC_NET_H

#include <stdint.h>
#include <stdbool.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#include "dsbc_addr.h"
#include "dsbc_drop.h"

/**
 * @file
 * L2-L4 parsing of received frames: Ethernet, one 802.1Q tag, IPv4, IPv6,
 * UDP, ICMP, ICMPv6 and ARP.  Works on a flat byte buffer so that unit
 * tests need no EAL; the worker passes rte_pktmbuf_mtod() of single-segment
 * mbufs.
 */

/** What a received frame is, for the worker. */
enum dsbc_pkt_kind {
	DSBC_PKT_DROP = 0,  /* see dsbc_pkt_info.drop */
	DSBC_PKT_UDP,       /* IPv4/IPv6 UDP, not fragmented */
	DSBC_PKT_FRAG,      /* IPv4 fragment or IPv6 Fragment header: for reassembly */
	DSBC_PKT_ARP,
	DSBC_PKT_ICMP,      /* ICMPv4 */
	DSBC_PKT_ICMP6,     /* ICMPv6, including neighbour discovery */
	DSBC_PKT_TCP,       /* IPv4/IPv6 TCP: ports and payload as for UDP */
};

/**
 * What dsbc_net_parse() found in a frame.
 *
 * Which fields are set depends on kind: drop for DROP; family, addresses,
 * l3_len, l4_off and frame_len for UDP, FRAG, ICMP, ICMP6; ports and
 * payload for UDP; l2_len and the VLAN fields always.  The parser does not
 * clear the rest (it runs for every packet).
 */
struct dsbc_pkt_info {
	uint8_t kind;          /* enum dsbc_pkt_kind */
	uint8_t drop;          /* enum dsbc_drop, set when kind == DROP */
	uint8_t family;        /* 4 or 6, 0 for ARP */
	uint8_t has_vlan;
	uint16_t vlan_tci;     /* host order */
	uint16_t l2_len;       /* Ethernet (+ 802.1Q) header length */
	uint16_t l3_len;       /* IP header length, extension headers included */
	uint16_t l4_off;       /* offset of the L4 header from frame start */
	uint16_t payload_off;  /* UDP payload offset from frame start */
	uint16_t payload_len;  /* UDP payload length, from the UDP length field */
	uint16_t src_port;     /* host order */
	uint16_t dst_port;     /* host order */
	uint32_t frame_len;    /* bytes of frame covered by the IP length (L2 + IP total) */
	struct dsbc_addr src;
	struct dsbc_addr dst;
};

/**
 * Parse one frame.  Validates every length against len and against each
 * other (IP total length, IHL, IPv6 payload length, UDP length) and the
 * IPv4 header checksum.  Trailing bytes beyond the IP length (Ethernet
 * padding) are allowed.  Returns pi->kind; on DSBC_PKT_DROP pi->drop names
 * the reason.  Never reads outside [frame, frame + len).  Source addresses
 * no unicast peer can have (multicast, loopback, unspecified) are dropped
 * too; IPv6 extension headers are walked (8 at most).
 *
 * @param frame  the frame, from its Ethernet header
 * @param len  its length
 * @param pi  out: what was found (see struct dsbc_pkt_info)
 * @return the frame's kind, DSBC_PKT_DROP with pi->drop set when it is
 *   malformed or of nothing dsbc handles
 */
enum dsbc_pkt_kind dsbc_net_parse(const uint8_t *frame, uint32_t len,
				  struct dsbc_pkt_info *pi);

/**
 * Internet checksum (RFC 1071) of a buffer plus sum, folded to 16 bits,
 * not complemented.
 *
 * @param buf  the bytes, taken as they sit in memory
 * @param len  how many
 * @param sum  the sum so far (e.g. of a pseudo header)
 * @return the sum, folded to 16 bits: more words can be added to it
 */
uint32_t dsbc_net_cksum_partial(const void *buf, uint32_t len, uint32_t sum);
/**
 * Fold a 32-bit one's complement sum to 16 bits.
 *
 * @param sum  the sum
 * @return the folded sum, not complemented
 */
uint16_t dsbc_net_cksum_fold(uint32_t sum);

/**
 * IPv4 header checksum over ihl*4 bytes, ready to store (network order).
 *
 * @param ip4_hdr  the IPv4 header, its checksum field zero
 * @return the checksum
 */
rte_be16_t dsbc_net_ipv4_cksum(const void *ip4_hdr);

/**
 * UDP checksum over pseudo header + UDP header + payload; the UDP checksum
 * field must be zero on entry.  A result of 0 becomes 0xffff (RFC 768:
 * zero means no checksum), for IPv6 too.
 * ip points at the IPv4/IPv6 header, udp at the UDP header.
 *
 * @param family  4 or 6
 * @param ip  the IP header (its addresses are read)
 * @param udp  the UDP header, followed by the length its length field
 *   says
 * @return the checksum, ready to store (network order)
 */
rte_be16_t dsbc_net_udp_cksum(uint8_t family, const void *ip, const void *udp);

#endif /* DSBC_NET_H */
