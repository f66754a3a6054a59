/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * L2-L4 parser.  Every length is checked against the bytes actually
 * present before it is used, and each malformation maps to exactly one
 * drop reason, in the order the headers are met on the wire.
 */
#include <string.h>

#include <rte_ip.h>
#include <rte_udp.h>
#include <rte_arp.h>

#include "dsbc_cksum.h"
#include "dsbc_net.h"

#define ETH_HLEN 14
#define VLAN_HLEN 4
#define IPV4_MIN_HLEN 20
#define IPV6_HLEN 40
#define UDP_HLEN 8
#define ARP_LEN 28
#define IPV6_MAX_EXT 8 /* extension headers walked before giving up */

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline enum dsbc_pkt_kind
fail(struct dsbc_pkt_info *pi, enum dsbc_drop why)
{
	pi->kind = DSBC_PKT_DROP;
	pi->drop = why;
	return DSBC_PKT_DROP;
}

/*
 * Source addresses no unicast peer can have (RFC 1122 section 3.2.1.3,
 * RFC 4291 section 2.5.2/2.5.3/2.7): accepting them would let a spoofed
 * packet latch a flow onto an address no reply can reach.
 */
static inline bool
ipv4_src_bad(const uint8_t *a)
{
	if (a[0] >= 224)          /* multicast, reserved, 255.255.255.255 */
		return true;
	if (a[0] == 127)
		return true;
	return (a[0] | a[1] | a[2] | a[3]) == 0;
}

/* nh: the next header after the fixed one */
static inline bool
ipv6_src_bad(const uint8_t *a, uint8_t nh)
{
	static const uint8_t zero[15];

	if (a[0] == 0xff)
		return true;
	/* ::1, and :: except for ICMPv6: duplicate address detection
	 * solicits from :: (RFC 4862 5.4.2), and dsbc answers for its
	 * addresses (RFC 4861 7.2.4) */
	return memcmp(a, zero, 15) == 0 &&
	       (a[15] == 1 || (a[15] == 0 && nh != IPPROTO_ICMPV6));
}

static enum dsbc_pkt_kind
parse_udp(const uint8_t *frame, uint32_t l3_end, struct dsbc_pkt_info *pi)
{
	const uint8_t *udp = frame + pi->l4_off;
	uint32_t avail = l3_end - pi->l4_off;
	uint16_t ulen;

	if (avail < UDP_HLEN)
		return fail(pi, DSBC_DROP_UDP_TRUNC);
	ulen = rd16(udp + 4);
	/* RFC 768: length covers header and data; it may not exceed the IP payload. */
	if (ulen < UDP_HLEN || ulen > avail)
		return fail(pi, DSBC_DROP_UDP_LEN);
	pi->src_port = rd16(udp);
	pi->dst_port = rd16(udp + 2);
	pi->payload_off = pi->l4_off + UDP_HLEN;
	pi->payload_len = ulen - UDP_HLEN;
	pi->kind = DSBC_PKT_UDP;
	return DSBC_PKT_UDP;
}

/* TCP (RFC 9293 3.1): the ports, for the kernel exception path; the
 * segment itself is the kernel's business.  A header that cannot hold
 * its ports or whose data offset runs past the IP payload is dropped. */
static enum dsbc_pkt_kind
parse_tcp(const uint8_t *frame, uint32_t l3_end, struct dsbc_pkt_info *pi)
{
	const uint8_t *tcp = frame + pi->l4_off;
	uint32_t avail = l3_end - pi->l4_off, doff;

	if (avail < 20)
		return fail(pi, DSBC_DROP_TCP_TRUNC);
	doff = (tcp[12] >> 4) * 4u;
	if (doff < 20 || doff > avail)
		return fail(pi, DSBC_DROP_TCP_TRUNC);
	pi->src_port = rd16(tcp);
	pi->dst_port = rd16(tcp + 2);
	pi->payload_off = (uint16_t)(pi->l4_off + doff);
	pi->payload_len = (uint16_t)(avail - doff);
	pi->kind = DSBC_PKT_TCP;
	return DSBC_PKT_TCP;
}

/* RFC 1071: the sum over a valid header, checksum included, is 0xffff. */
static inline bool
ipv4_hdr_sum_ok(const uint8_t *ip, uint32_t ihl)
{
	return __rte_raw_cksum_reduce(dsbc_cksum_raw(ip, ihl, 0)) == 0xffff;
}

static enum dsbc_pkt_kind
parse_ipv4(const uint8_t *frame, uint32_t len, struct dsbc_pkt_info *pi)
{
	const uint8_t *ip = frame + pi->l2_len;
	uint32_t avail = len - pi->l2_len;
	uint32_t ihl, tot;

	if (avail < IPV4_MIN_HLEN)
		return fail(pi, DSBC_DROP_IP_TRUNC);
	if ((ip[0] >> 4) != 4)
		return fail(pi, DSBC_DROP_IP_VERSION);
	ihl = (ip[0] & 0xf) * 4u;
	if (ihl < IPV4_MIN_HLEN || ihl > avail)
		return fail(pi, DSBC_DROP_IP_HDR_LEN);
	tot = rd16(ip + 2);
	if (tot < ihl || tot > avail)
		return fail(pi, DSBC_DROP_IP_LEN);
	if (!ipv4_hdr_sum_ok(ip, ihl))
		return fail(pi, DSBC_DROP_IP_CSUM);
	if (ipv4_src_bad(ip + 12))
		return fail(pi, DSBC_DROP_IP_SRC);

	pi->family = 4;
	pi->l3_len = ihl;
	pi->l4_off = pi->l2_len + ihl;
	pi->frame_len = pi->l2_len + tot;
	pi->src.a64[1] = 0;
	pi->dst.a64[1] = 0;
	pi->src.a32[1] = 0;
	pi->dst.a32[1] = 0;
	memcpy(pi->src.a8, ip + 12, 4);
	memcpy(pi->dst.a8, ip + 16, 4);

	/* MF set or non-zero offset: a fragment (RFC 791 section 3.1). */
	if ((rd16(ip + 6) & 0x3fff) != 0) {
		pi->kind = DSBC_PKT_FRAG;
		return DSBC_PKT_FRAG;
	}
	switch (ip[9]) {
	case IPPROTO_UDP:
		return parse_udp(frame, pi->frame_len, pi);
	case IPPROTO_ICMP:
		pi->kind = DSBC_PKT_ICMP;
		return DSBC_PKT_ICMP;
	case IPPROTO_TCP:
		return parse_tcp(frame, pi->frame_len, pi);
	default:
		return fail(pi, DSBC_DROP_L4_PROTO);
	}
}

static enum dsbc_pkt_kind
parse_ipv6(const uint8_t *frame, uint32_t len, struct dsbc_pkt_info *pi)
{
	const uint8_t *ip = frame + pi->l2_len;
	uint32_t avail = len - pi->l2_len;
	uint32_t plen, off, end;
	uint8_t nh;
	int i;

	if (avail < IPV6_HLEN)
		return fail(pi, DSBC_DROP_IP_TRUNC);
	if ((ip[0] >> 4) != 6)
		return fail(pi, DSBC_DROP_IP_VERSION);
	plen = rd16(ip + 4);
	/* A zero payload length means a jumbogram (RFC 2675): not for us. */
	if (plen == 0 || IPV6_HLEN + plen > avail)
		return fail(pi, DSBC_DROP_IP_LEN);
	if (ipv6_src_bad(ip + 8, ip[6]))
		return fail(pi, DSBC_DROP_IP_SRC);

	pi->family = 6;
	memcpy(pi->src.a8, ip + 8, 16);
	memcpy(pi->dst.a8, ip + 24, 16);
	pi->frame_len = pi->l2_len + IPV6_HLEN + plen;
	end = pi->frame_len;
	off = pi->l2_len + IPV6_HLEN;
	nh = ip[6];

	/* RFC 8200 section 4: walk the extension header chain. */
	for (i = 0; i < IPV6_MAX_EXT; i++) {
		switch (nh) {
		case IPPROTO_UDP:
			pi->l4_off = off;
			pi->l3_len = off - pi->l2_len;
			return parse_udp(frame, end, pi);
		case IPPROTO_TCP:
			pi->l4_off = off;
			pi->l3_len = off - pi->l2_len;
			return parse_tcp(frame, end, pi);
		case IPPROTO_ICMPV6:
			pi->l4_off = off;
			pi->l3_len = off - pi->l2_len;
			pi->kind = DSBC_PKT_ICMP6;
			return DSBC_PKT_ICMP6;
		case IPPROTO_FRAGMENT:
			if (off + 8 > end)
				return fail(pi, DSBC_DROP_IP_LEN);
			pi->l4_off = off;
			pi->l3_len = off - pi->l2_len;
			pi->kind = DSBC_PKT_FRAG;
			return DSBC_PKT_FRAG;
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			/* Lying extension length: the header runs past the payload. */
			if (off + 8 > end)
				return fail(pi, DSBC_DROP_IP_LEN);
			nh = frame[off];
			off += (frame[off + 1] + 1u) * 8u;
			if (off > end)
				return fail(pi, DSBC_DROP_IP_LEN);
			break;
		default:
			return fail(pi, DSBC_DROP_L4_PROTO);
		}
	}
	return fail(pi, DSBC_DROP_L4_PROTO);
}

static enum dsbc_pkt_kind
parse_arp(const uint8_t *frame, uint32_t len, struct dsbc_pkt_info *pi)
{
	const uint8_t *a = frame + pi->l2_len;

	/* RFC 826 for Ethernet/IPv4 only. */
	if (len - pi->l2_len < ARP_LEN || rd16(a) != RTE_ARP_HRD_ETHER ||
	    rd16(a + 2) != RTE_ETHER_TYPE_IPV4 || a[4] != RTE_ETHER_ADDR_LEN ||
	    a[5] != 4)
		return fail(pi, DSBC_DROP_ARP_BAD);
	pi->frame_len = pi->l2_len + ARP_LEN;
	pi->kind = DSBC_PKT_ARP;
	return DSBC_PKT_ARP;
}

enum dsbc_pkt_kind
dsbc_net_parse(const uint8_t *frame, uint32_t len, struct dsbc_pkt_info *pi)
{
	uint16_t et;

	/* No memset of the whole struct: the fast path sets what it uses and
	 * each kind documents the fields that are valid for it. */
	pi->drop = 0;
	pi->has_vlan = 0;
	pi->vlan_tci = 0;
	pi->family = 0;
	if (len < ETH_HLEN)
		return fail(pi, DSBC_DROP_RUNT);
	pi->l2_len = ETH_HLEN;
	et = rd16(frame + 12);
	if (et == RTE_ETHER_TYPE_VLAN) {
		if (len < ETH_HLEN + VLAN_HLEN)
			return fail(pi, DSBC_DROP_VLAN_TRUNC);
		pi->has_vlan = 1;
		pi->vlan_tci = rd16(frame + 14);
		et = rd16(frame + 16);
		pi->l2_len = ETH_HLEN + VLAN_HLEN;
	}
	switch (et) {
	case RTE_ETHER_TYPE_IPV4:
		return parse_ipv4(frame, len, pi);
	case RTE_ETHER_TYPE_IPV6:
		return parse_ipv6(frame, len, pi);
	case RTE_ETHER_TYPE_ARP:
		return parse_arp(frame, len, pi);
	default:
		/* Includes a second (QinQ) tag: one tag is all a port carries. */
		return fail(pi, DSBC_DROP_ETHERTYPE);
	}
}

uint32_t
dsbc_net_cksum_partial(const void *buf, uint32_t len, uint32_t sum)
{
	/* folded to 16 bits: callers add more words to it in 32 */
	return __rte_raw_cksum_reduce(dsbc_cksum_raw(buf, len, sum));
}

uint16_t
dsbc_net_cksum_fold(uint32_t sum)
{
	return __rte_raw_cksum_reduce(sum);
}

rte_be16_t
dsbc_net_ipv4_cksum(const void *ip4_hdr)
{
	const uint8_t *ip = ip4_hdr;

	return (rte_be16_t)~rte_raw_cksum(ip, (ip[0] & 0xf) * 4u);
}

rte_be16_t
dsbc_net_udp_cksum(uint8_t family, const void *ip, const void *udp)
{
	const uint8_t *h = ip;
	const uint8_t *u = udp;
	uint16_t ulen = rd16(u + 4);
	uint32_t sum;
	uint16_t c;

	/* Pseudo header: RFC 768 (IPv4), RFC 8200 section 8.1 (IPv6). */
	if (family == 4)
		sum = __rte_raw_cksum(h + 12, 8, 0);
	else
		sum = __rte_raw_cksum(h + 8, 32, 0);
	sum += rte_cpu_to_be_16(IPPROTO_UDP);
	sum += rte_cpu_to_be_16(ulen);
	sum = dsbc_net_cksum_partial(u, ulen, sum);
	c = (uint16_t)~dsbc_net_cksum_fold(sum);
	/* Zero means "no checksum" on the wire: send all ones instead. */
	return c == 0 ? 0xffff : c;
}
