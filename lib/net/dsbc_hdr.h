/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_HDR_H
#define DSBC_HDR_H

#include <stdint.h>

#include <rte_ether.h>

#include "dsbc_net.h"

/**
 * @file
 * Outgoing header template of a flow: Ethernet [+ 802.1Q] + IPv4/IPv6 + UDP,
 * built once by the management lcore when the flow is programmed, copied
 * in front of the untouched payload by the worker for every packet.  Only
 * the length fields, the destination MAC (from the neighbour table) and the
 * checksums change per packet.  IPv4 <-> IPv6 interworking falls out of it:
 * the received headers are stripped whatever they were.
 */
#define DSBC_HDR_TMPL_MAX 72  /* 14 + 4 + 40 + 8 = 66, rounded up */

/** A flow's outgoing headers, built by dsbc_hdr_tmpl_init(). */
struct dsbc_hdr_tmpl {
	uint8_t len;        /* total header length */
	uint8_t family;     /* 4 or 6 */
	uint8_t l2_len;     /* 14 or 18 */
	uint8_t pad;
	uint32_t ip_sum;    /* IPv4: partial sum of the header with len/csum 0 */
	uint32_t pseudo_sum;/* partial sum of pseudo-header addresses + proto + ports */
	/* Last, so that an IPv4 template shares a cache line with the
	 * fields above and the flow's forwarding fields (see dsbc_flow). */
	uint8_t bytes[DSBC_HDR_TMPL_MAX]; /* length and checksum fields zero */
};

/** What a template is built from. */
struct dsbc_hdr_spec {
	struct rte_ether_addr src_mac;
	uint16_t vlan_tci;          /* 0: untagged */
	uint8_t family;             /* 4 or 6 */
	uint8_t tos;                /* DSCP << 2 | ECN (traffic class for IPv6) */
	uint8_t ttl;                /* hop limit for IPv6 */
	struct dsbc_addr src;
	struct dsbc_addr dst;
	uint16_t src_port;          /* host order */
	uint16_t dst_port;          /* host order */
};

/**
 * Build a template; the destination MAC is left zero.  IPv4 headers get
 * ID 0 with DF set (RFC 6864 section 4.1), IPv6 ones flow label 0; an
 * 802.1Q tag is added when s->vlan_tci is not 0.
 *
 * @param t  the template, out
 * @param s  addresses, ports, source MAC, VLAN, TOS and TTL
 */
void dsbc_hdr_tmpl_init(struct dsbc_hdr_tmpl *t, const struct dsbc_hdr_spec *s);

/**
 * Relay rewrite (RFC 7879 section 3.1: only L2/L3/L4 change).
 * frame: the received frame as parsed into pi; the payload
 * [pi->payload_off, +pi->payload_len) is not touched.  Writes t->len bytes
 * of headers ending exactly at the payload start, i.e. at
 * frame + pi->payload_off - t->len, which the caller must have room for
 * (headroom when t->len > pi->payload_off).  The UDP checksum is carried
 * over incrementally (RFC 1624) from the received one, so a corrupt
 * payload stays detectably corrupt; a received UDP checksum of zero (none,
 * RFC 768) stays zero for IPv4 and is computed in full for IPv6 (RFC 8200
 * section 8.1).  Returns the new frame start.
 *
 * @param frame  the received frame
 * @param pi  what dsbc_net_parse() found in it (a UDP packet)
 * @param t  the flow's template
 * @param dst_mac  the next hop's MAC
 * @return frame + pi->payload_off - t->len, where the new frame starts
 */
uint8_t *dsbc_hdr_rewrite(uint8_t *frame, const struct dsbc_pkt_info *pi,
			  const struct dsbc_hdr_tmpl *t,
			  const struct rte_ether_addr *dst_mac);

/**
 * The same for a payload the caller rewrote in place (terminator mode:
 * SRTP re-encrypted, now plen bytes): lengths from plen, and the UDP
 * checksum computed over the new payload, whatever the received one was.
 *
 * @param frame  the received frame
 * @param pi  what dsbc_net_parse() found in it (a UDP packet)
 * @param t  the flow's template
 * @param dst_mac  the next hop's MAC
 * @param plen  the new payload's length, at frame + pi->payload_off
 * @return where the new frame starts, as for dsbc_hdr_rewrite()
 */
uint8_t *dsbc_hdr_rewrite_payload(uint8_t *frame,
				  const struct dsbc_pkt_info *pi,
				  const struct dsbc_hdr_tmpl *t,
				  const struct rte_ether_addr *dst_mac,
				  uint32_t plen);

/**
 * The same for a port that computes the UDP checksum itself (TX checksum
 * offload): the checksum field gets the pseudo header's sum, as the
 * driver expects with RTE_MBUF_F_TX_UDP_CKSUM; the caller sets the
 * mbuf's flags and l2_len/l3_len.
 *
 * @param frame  the received frame
 * @param pi  what dsbc_net_parse() found in it (a UDP packet)
 * @param t  the flow's template
 * @param dst_mac  the next hop's MAC
 * @param plen  the new payload's length, at frame + pi->payload_off
 * @return where the new frame starts, as for dsbc_hdr_rewrite()
 */
uint8_t *dsbc_hdr_rewrite_payload_offload(uint8_t *frame,
					  const struct dsbc_pkt_info *pi,
					  const struct dsbc_hdr_tmpl *t,
					  const struct rte_ether_addr *dst_mac,
					  uint32_t plen);

#endif /* DSBC_HDR_H */
