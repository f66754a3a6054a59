/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One frame per malformation, each built so that exactly one check of the
 * dsbc worker fails (parser order: Ethernet, 802.1Q, ARP/IP, UDP; then the
 * worker's L2 destination, local address, port range, flow, payload and
 * RFC 7983 checks).  The counter is the /dsbc/stats name expected to move.
 */
#include <string.h>

#include "gen.h"

enum mutation {
	M_RUNT, M_VLAN_TRUNC, M_ETHERTYPE, M_QINQ, M_ARP_SHORT, M_ARP_PLEN,
	M_IP_TRUNC, M_IP_VERSION, M_IHL_SMALL, M_IHL_BIG, M_TOTLEN_BIG,
	M_TOTLEN_SMALL, M_IP_CSUM, M_SRC_LOOPBACK, M_SRC_MCAST, M_SRC_BCAST,
	M_TCP, M_TCP_TRUNC, M_GRE, M_UDP_TRUNC, M_UDPLEN_BIG, M_UDPLEN_SMALL, M_IP6_TRUNC,
	M_IP6_PLEN_BIG, M_IP6_SRC_LOOP, M_IP6_EXT_LIE, M_IP6_NONXT,
	M_VLAN_IP_TRUNC, M_L2_DST, M_NOT_LOCAL, M_PORT_RANGE, M_NO_FLOW,
	M_EMPTY, M_DEMUX_100, M_DEMUX_255, M_MAX
};

static const struct gen_malformed catalogue[M_MAX] = {
	[M_RUNT] = {"drop_runt", "10-byte frame"},
	[M_VLAN_TRUNC] = {"drop_vlan_truncated", "802.1Q ethertype, tag cut after 2 bytes"},
	[M_ETHERTYPE] = {"drop_ethertype", "ethertype 0x88cc (LLDP)"},
	[M_QINQ] = {"drop_ethertype", "two 802.1Q tags (QinQ)"},
	[M_ARP_SHORT] = {"drop_arp_malformed", "ARP body of 20 bytes"},
	[M_ARP_PLEN] = {"drop_arp_malformed", "ARP with protocol length 16"},
	[M_IP_TRUNC] = {"drop_ip_truncated", "IPv4 header cut at 10 bytes"},
	[M_IP_VERSION] = {"drop_ip_version", "version 6 under the IPv4 ethertype"},
	[M_IHL_SMALL] = {"drop_ip_hdr_len", "IHL 4 (16-byte header)"},
	[M_IHL_BIG] = {"drop_ip_hdr_len", "IHL 15 in a frame shorter than 60 bytes of IP"},
	[M_TOTLEN_BIG] = {"drop_ip_len", "total length 40 bytes past the frame"},
	[M_TOTLEN_SMALL] = {"drop_ip_len", "total length 12, below the header"},
	[M_IP_CSUM] = {"drop_ip_csum", "IPv4 header checksum off by one"},
	[M_SRC_LOOPBACK] = {"drop_ip_src", "source 127.0.0.1"},
	[M_SRC_MCAST] = {"drop_ip_src", "source 224.0.0.5"},
	[M_SRC_BCAST] = {"drop_ip_src", "source 255.255.255.255"},
	[M_TCP] = {"drop_tcp_no_kernel", "TCP to a port without an exception path"},
	[M_TCP_TRUNC] = {"drop_tcp_truncated", "TCP data offset of 60 bytes past the payload"},
	[M_GRE] = {"drop_l4_proto", "IP protocol 47 (GRE)"},
	[M_UDP_TRUNC] = {"drop_udp_truncated", "IP payload of 4 bytes"},
	[M_UDPLEN_BIG] = {"drop_udp_len", "UDP length 1 byte past the IP payload"},
	[M_UDPLEN_SMALL] = {"drop_udp_len", "UDP length 7"},
	[M_IP6_TRUNC] = {"drop_ip_truncated", "IPv6 header cut at 30 bytes"},
	[M_IP6_PLEN_BIG] = {"drop_ip_len", "IPv6 payload length past the frame"},
	[M_IP6_SRC_LOOP] = {"drop_ip_src", "IPv6 source ::1"},
	[M_IP6_EXT_LIE] = {"drop_ip_len", "IPv6 destination options claiming 2 KiB"},
	[M_IP6_NONXT] = {"drop_l4_proto", "IPv6 next header 59 (none)"},
	[M_VLAN_IP_TRUNC] = {"drop_ip_truncated", "802.1Q-tagged IPv4 cut at 8 bytes"},
	[M_L2_DST] = {"drop_l2_dst", "valid packet to another unicast MAC"},
	[M_NOT_LOCAL] = {"drop_not_local", "valid packet to 203.0.113.9"},
	[M_PORT_RANGE] = {"drop_udp_port", "UDP port 9999, neither SIP nor media"},
	[M_NO_FLOW] = {"drop_no_flow", "media port 2 above the flow's, no flow"},
	[M_EMPTY] = {"drop_empty_payload", "UDP datagram without payload"},
	[M_DEMUX_100] = {"drop_demux_unknown", "first payload byte 100"},
	[M_DEMUX_255] = {"drop_demux_unknown", "first payload byte 255"},
};

uint32_t
gen_malformed_count(void)
{
	return M_MAX;
}

const struct gen_malformed *
gen_malformed_info(uint32_t idx)
{
	return idx < M_MAX ? &catalogue[idx] : NULL;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* A valid RTP-looking frame of flow g with a 20-byte payload. */
static uint32_t
valid(const struct gen_flow *g, uint8_t *out, uint8_t first)
{
	uint8_t pl[20];

	memset(pl, 0x5a, sizeof(pl));
	pl[0] = first;
	return gen_udp_frame(out, g, pl, sizeof(pl));
}

static void
v6_flow(struct gen_flow *g)
{
	static const uint8_t s6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x0a};
	static const uint8_t d6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x01};

	g->family = 6;
	memcpy(g->src, s6, 16);
	memcpy(g->dst, d6, 16);
	g->vlan = 0;
}

uint32_t
gen_malformed_build(uint32_t idx, const struct gen_flow *f, uint8_t *out)
{
	struct gen_flow g = *f;
	uint8_t *ip;
	uint32_t n;

	/* IPv4 cases use an IPv4 flow whatever was given. */
	if (g.family != 4) {
		static const uint8_t s4[4] = {192, 0, 2, 10};
		static const uint8_t d4[4] = {192, 0, 2, 1};

		g.family = 4;
		memset(g.src, 0, 16);
		memset(g.dst, 0, 16);
		memcpy(g.src, s4, 4);
		memcpy(g.dst, d4, 4);
	}
	g.vlan = 0;
	n = valid(&g, out, 0x80);
	ip = out + 14;
	switch (idx) {
	case M_RUNT:
		return 10;
	case M_VLAN_TRUNC:
		put16(out + 12, 0x8100);
		return 16;
	case M_ETHERTYPE:
		put16(out + 12, 0x88cc);
		return n;
	case M_QINQ:
		g.vlan = 100;
		n = valid(&g, out, 0x80);
		put16(out + 16, 0x8100);
		return n;
	case M_ARP_SHORT:
	case M_ARP_PLEN:
		memset(out, 0xff, 6);
		put16(out + 12, 0x0806);
		memset(out + 14, 0, 28);
		put16(out + 14, 1);
		put16(out + 16, 0x0800);
		out[18] = 6;
		out[19] = idx == M_ARP_PLEN ? 16 : 4;
		put16(out + 20, 1);
		return idx == M_ARP_SHORT ? 14 + 20 : 14 + 28;
	case M_IP_TRUNC:
		return 14 + 10;
	case M_IP_VERSION:
		ip[0] = 0x65;
		gen_fix_ip4_csum(ip);
		return n;
	case M_IHL_SMALL:
		ip[0] = 0x44;
		gen_fix_ip4_csum(ip);
		return n;
	case M_IHL_BIG:
		ip[0] = 0x4f;
		return 14 + 40;
	case M_TOTLEN_BIG:
		put16(ip + 2, (uint16_t)(n - 14 + 40));
		gen_fix_ip4_csum(ip);
		return n;
	case M_TOTLEN_SMALL:
		put16(ip + 2, 12);
		gen_fix_ip4_csum(ip);
		return n;
	case M_IP_CSUM:
		ip[10] ^= 0x01;
		return n;
	case M_SRC_LOOPBACK:
	case M_SRC_MCAST:
	case M_SRC_BCAST:
		ip[12] = idx == M_SRC_LOOPBACK ? 127 : idx == M_SRC_MCAST ? 224 : 255;
		ip[13] = idx == M_SRC_BCAST ? 255 : 0;
		ip[14] = idx == M_SRC_BCAST ? 255 : 0;
		ip[15] = idx == M_SRC_LOOPBACK ? 1 : idx == M_SRC_MCAST ? 5 : 255;
		gen_fix_ip4_csum(ip);
		return n;
	case M_TCP:
	case M_TCP_TRUNC:
		/* the UDP header's bytes become a TCP header's ports; its
		 * data offset (byte 12) 5 words, or 15 */
		if (n < 14 + 20 + 20)
			return 0;
		ip[9] = 6;
		ip[20 + 12] = idx == M_TCP ? 0x50 : 0xf0;
		gen_fix_ip4_csum(ip);
		return n;
	case M_GRE:
		ip[9] = 47;
		gen_fix_ip4_csum(ip);
		return n;
	case M_UDP_TRUNC:
		put16(ip + 2, 20 + 4);
		gen_fix_ip4_csum(ip);
		return 14 + 24;
	case M_UDPLEN_BIG:
		put16(ip + 20 + 4, (uint16_t)(n - 14 - 20 + 1));
		return n;
	case M_UDPLEN_SMALL:
		put16(ip + 20 + 4, 7);
		return n;
	case M_IP6_TRUNC:
	case M_IP6_PLEN_BIG:
	case M_IP6_SRC_LOOP:
	case M_IP6_NONXT:
		v6_flow(&g);
		n = valid(&g, out, 0x80);
		if (idx == M_IP6_TRUNC)
			return 14 + 30;
		if (idx == M_IP6_PLEN_BIG)
			put16(ip + 4, (uint16_t)(n - 14 - 40 + 9));
		if (idx == M_IP6_SRC_LOOP) {
			memset(ip + 8, 0, 16);
			ip[23] = 1;
		}
		if (idx == M_IP6_NONXT)
			ip[6] = 59;
		return n;
	case M_IP6_EXT_LIE:
		v6_flow(&g);
		n = valid(&g, out, 0x80);
		/* Destination options header (8 bytes) claiming 256 units. */
		memmove(ip + 48, ip + 40, n - 54);
		ip[40] = 17;
		ip[41] = 255;
		memset(ip + 42, 0, 6);
		ip[6] = 60;
		put16(ip + 4, (uint16_t)(n - 54 + 8));
		return n + 8;
	case M_VLAN_IP_TRUNC:
		g.vlan = 7;
		valid(&g, out, 0x80);
		return 18 + 8;
	case M_L2_DST:
		out[5] ^= 0x40;
		out[0] &= 0xfe;      /* keep it unicast */
		return n;
	case M_NOT_LOCAL:
		g.dst[0] = 203;
		g.dst[1] = 0;
		g.dst[2] = 113;
		g.dst[3] = 9;
		return valid(&g, out, 0x80);
	case M_PORT_RANGE:
		g.dport = 9999;
		return valid(&g, out, 0x80);
	case M_NO_FLOW:
		g.dport = (uint16_t)(f->dport + 2);
		return valid(&g, out, 0x80);
	case M_EMPTY:
		return gen_udp_frame(out, &g, NULL, 0);
	case M_DEMUX_100:
		return valid(&g, out, 100);
	case M_DEMUX_255:
		return valid(&g, out, 255);
	default:
		return 0;
	}
}
