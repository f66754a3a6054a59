/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * L2-L4 parser and relay rewrite.  Frames are built byte by byte here and
 * checksums verified with a separate big-endian implementation, so a bug
 * shared by the library's build and check paths cannot hide.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "dsbc_cksum.h"
#include "dsbc_net.h"
#include "dsbc_hdr.h"
#include "dsbc_nd.h"
#include "unit.h"

const bool unit_needs_eal = false;

static const uint8_t MAC_A[6] = {2, 0, 0, 0, 0x0a, 0x10};
static const uint8_t MAC_P[6] = {2, 0, 0, 0, 0x0a, 0x01};

/* Independent RFC 1071 sum over big-endian 16-bit words. */
static uint32_t
be_sum(const uint8_t *p, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t
be_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* True when the UDP checksum of an IPv4/IPv6 + UDP packet verifies. */
static bool
udp_ok(int family, const uint8_t *ip)
{
	const uint8_t *udp = ip + (family == 4 ? (ip[0] & 0xf) * 4 : 40);
	uint16_t ulen = get16(udp + 4);
	uint32_t s;

	if (family == 4 && get16(udp + 6) == 0)
		return true;
	s = family == 4 ? be_sum(ip + 12, 8, 0) : be_sum(ip + 8, 32, 0);
	s += 17 + ulen;
	s = be_sum(udp, ulen, s);
	return be_fold(s) == 0xffff;
}

static bool
ip4_ok(const uint8_t *ip)
{
	return be_fold(be_sum(ip, (ip[0] & 0xf) * 4, 0)) == 0xffff;
}

static void
fix_ip4(uint8_t *ip)
{
	put16(ip + 10, 0);
	put16(ip + 10, (uint16_t)~be_fold(be_sum(ip, (ip[0] & 0xf) * 4, 0)));
}

static void
fix_udp(int family, uint8_t *ip)
{
	uint8_t *udp = ip + (family == 4 ? (ip[0] & 0xf) * 4 : 40);
	uint16_t ulen = get16(udp + 4);
	uint32_t s;
	uint16_t c;

	put16(udp + 6, 0);
	s = family == 4 ? be_sum(ip + 12, 8, 0) : be_sum(ip + 8, 32, 0);
	s = be_sum(udp, ulen, s + 17 + ulen);
	c = (uint16_t)~be_fold(s);
	put16(udp + 6, c ? c : 0xffff);
}

/*
 * Build Ethernet [+VLAN] + IPv4/IPv6 + UDP with plen payload bytes at
 * buf + headroom.  Returns the frame length.
 */
static uint32_t
build(uint8_t *f, int family, bool vlan, uint16_t plen, bool with_csum)
{
	uint8_t *p = f, *ip, *udp;
	uint16_t i;

	memcpy(p, MAC_P, 6);
	memcpy(p + 6, MAC_A, 6);
	p += 12;
	if (vlan) {
		put16(p, 0x8100);
		put16(p + 2, 0x2064); /* PCP 1, VID 100 */
		p += 4;
	}
	put16(p, family == 4 ? 0x0800 : 0x86dd);
	ip = p + 2;
	if (family == 4) {
		memset(ip, 0, 20);
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(20 + 8 + plen));
		put16(ip + 4, 0x1234);
		ip[8] = 63;
		ip[9] = 17;
		ip[12] = 192; ip[13] = 0; ip[14] = 2; ip[15] = 10;
		ip[16] = 192; ip[17] = 0; ip[18] = 2; ip[19] = 1;
		udp = ip + 20;
	} else {
		memset(ip, 0, 40);
		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)(8 + plen));
		ip[6] = 17;
		ip[7] = 64;
		ip[8] = 0x20; ip[9] = 0x01; ip[10] = 0x0d; ip[11] = 0xb8;
		ip[23] = 0x10;
		ip[24] = 0x20; ip[25] = 0x01; ip[26] = 0x0d; ip[27] = 0xb8;
		ip[39] = 0x01;
		udp = ip + 40;
	}
	put16(udp, 40000);
	put16(udp + 2, 20000);
	put16(udp + 4, (uint16_t)(8 + plen));
	put16(udp + 6, 0);
	for (i = 0; i < plen; i++)
		udp[8 + i] = (uint8_t)(0x80 + i * 7);
	if (family == 4)
		fix_ip4(ip);
	if (with_csum)
		fix_udp(family, ip);
	return (uint32_t)(udp + 8 + plen - f);
}

static void
test_parse_valid(void)
{
	uint8_t f[256];
	struct dsbc_pkt_info pi;
	uint32_t n;
	char buf[64];

	n = build(f, 4, false, 20, true);
	CU_ASSERT_EQUAL(dsbc_net_parse(f, n, &pi), DSBC_PKT_UDP);
	CU_ASSERT_EQUAL(pi.family, 4);
	CU_ASSERT_EQUAL(pi.l2_len, 14);
	CU_ASSERT_EQUAL(pi.l3_len, 20);
	CU_ASSERT_EQUAL(pi.l4_off, 34);
	CU_ASSERT_EQUAL(pi.payload_off, 42);
	CU_ASSERT_EQUAL(pi.payload_len, 20);
	CU_ASSERT_EQUAL(pi.src_port, 40000);
	CU_ASSERT_EQUAL(pi.dst_port, 20000);
	CU_ASSERT_EQUAL(pi.frame_len, n);
	CU_ASSERT_STRING_EQUAL(dsbc_addr_fmt(&pi.src, 4, buf, sizeof(buf)),
			       "192.0.2.10");

	/* Ethernet padding after the IP datagram is allowed. */
	n = build(f, 4, false, 2, true);
	memset(f + n, 0xee, 60 - n);
	CU_ASSERT_EQUAL(dsbc_net_parse(f, 60, &pi), DSBC_PKT_UDP);
	CU_ASSERT_EQUAL(pi.frame_len, n);
	CU_ASSERT_EQUAL(pi.payload_len, 2);

	n = build(f, 6, true, 33, true);
	CU_ASSERT_EQUAL(dsbc_net_parse(f, n, &pi), DSBC_PKT_UDP);
	CU_ASSERT_EQUAL(pi.family, 6);
	CU_ASSERT_EQUAL(pi.has_vlan, 1);
	CU_ASSERT_EQUAL(pi.vlan_tci, 0x2064);
	CU_ASSERT_EQUAL(pi.l2_len, 18);
	CU_ASSERT_EQUAL(pi.payload_off, 18 + 40 + 8);
	CU_ASSERT_EQUAL(pi.payload_len, 33);
	CU_ASSERT_STRING_EQUAL(dsbc_addr_fmt(&pi.src, 6, buf, sizeof(buf)),
			       "2001:db8::10");

	/* Empty UDP payload parses; the worker decides what to do with it. */
	n = build(f, 4, false, 0, true);
	CU_ASSERT_EQUAL(dsbc_net_parse(f, n, &pi), DSBC_PKT_UDP);
	CU_ASSERT_EQUAL(pi.payload_len, 0);
}

/* Every prefix of a valid frame is rejected without reading past it. */
static void
test_parse_truncated(void)
{
	uint8_t f[256];
	uint8_t *copy;
	struct dsbc_pkt_info pi;
	enum dsbc_drop want;
	uint32_t n, len;

	n = build(f, 4, true, 12, true);
	for (len = 0; len < n; len++) {
		/* Exact-size heap copy: ASan catches any read beyond len. */
		copy = malloc(len ? len : 1);
		memcpy(copy, f, len);
		CU_ASSERT_EQUAL(dsbc_net_parse(copy, len, &pi), DSBC_PKT_DROP);
		if (len < 14)
			want = DSBC_DROP_RUNT;
		else if (len < 18)
			want = DSBC_DROP_VLAN_TRUNC;
		else if (len < 38)
			want = DSBC_DROP_IP_TRUNC;
		else
			want = DSBC_DROP_IP_LEN;
		CU_ASSERT_EQUAL(pi.drop, want);
		free(copy);
	}
	n = build(f, 6, false, 12, true);
	for (len = 14; len < n; len++) {
		copy = malloc(len);
		memcpy(copy, f, len);
		CU_ASSERT_EQUAL(dsbc_net_parse(copy, len, &pi), DSBC_PKT_DROP);
		CU_ASSERT_EQUAL(pi.drop, len < 54 ? DSBC_DROP_IP_TRUNC :
				DSBC_DROP_IP_LEN);
		free(copy);
	}
}

static void
expect_drop(uint8_t *f, uint32_t n, enum dsbc_drop why)
{
	struct dsbc_pkt_info pi;

	CU_ASSERT_EQUAL(dsbc_net_parse(f, n, &pi), DSBC_PKT_DROP);
	CU_ASSERT_EQUAL(pi.drop, why);
	if (pi.drop != why)
		fprintf(stderr, "  got %s want %s\n", dsbc_drop_name(pi.drop),
			dsbc_drop_name(why));
}

/* Headers whose length fields lie about what follows. */
static void
test_parse_lying_lengths(void)
{
	uint8_t f[256];
	uint8_t *ip = f + 14, *udp = f + 34;
	uint32_t n;

	/* IHL 4 (16 bytes): below the minimum. */
	n = build(f, 4, false, 20, true);
	ip[0] = 0x44;
	fix_ip4(ip);
	expect_drop(f, n, DSBC_DROP_IP_HDR_LEN);
	/* IHL 15 (60 bytes) in a 34-byte-short frame. */
	n = build(f, 4, false, 0, true);
	ip[0] = 0x4f;
	expect_drop(f, n, DSBC_DROP_IP_HDR_LEN);
	/* Total length beyond the frame. */
	n = build(f, 4, false, 20, true);
	put16(ip + 2, (uint16_t)(n - 14 + 1));
	fix_ip4(ip);
	expect_drop(f, n, DSBC_DROP_IP_LEN);
	/* Total length below the header length. */
	put16(ip + 2, 19);
	fix_ip4(ip);
	expect_drop(f, n, DSBC_DROP_IP_LEN);
	/* Checksum off by one. */
	n = build(f, 4, false, 20, true);
	ip[10] ^= 1;
	expect_drop(f, n, DSBC_DROP_IP_CSUM);
	/* Version 6 inside an IPv4 ethertype, and the reverse. */
	n = build(f, 4, false, 20, true);
	ip[0] = 0x65;
	expect_drop(f, n, DSBC_DROP_IP_VERSION);
	n = build(f, 6, false, 20, true);
	ip[0] = 0x45;
	expect_drop(f, n, DSBC_DROP_IP_VERSION);
	/* UDP length beyond IP payload, below 8. */
	n = build(f, 4, false, 20, true);
	put16(udp + 4, 29);
	expect_drop(f, n, DSBC_DROP_UDP_LEN);
	put16(udp + 4, 7);
	expect_drop(f, n, DSBC_DROP_UDP_LEN);
	/* IP payload shorter than a UDP header. */
	n = build(f, 4, false, 0, true);
	put16(ip + 2, 20 + 7);
	fix_ip4(ip);
	expect_drop(f, n, DSBC_DROP_UDP_TRUNC);
	/* IPv6 payload length beyond the frame; zero (jumbogram). */
	n = build(f, 6, false, 20, true);
	put16(ip + 4, 29);
	expect_drop(f, n, DSBC_DROP_IP_LEN);
	put16(ip + 4, 0);
	expect_drop(f, n, DSBC_DROP_IP_LEN);
	/* IPv6 UDP length beyond the payload length (which is honest). */
	n = build(f, 6, false, 20, true);
	put16(f + 54 + 4, 29);
	expect_drop(f, n, DSBC_DROP_UDP_LEN);
}

static void
test_parse_other(void)
{
	uint8_t f[256];
	uint8_t *ip = f + 14;
	struct dsbc_pkt_info pi;
	uint32_t n;

	/* Unknown ethertype, QinQ outer tag. */
	n = build(f, 4, false, 20, true);
	put16(f + 12, 0x88cc);
	expect_drop(f, n, DSBC_DROP_ETHERTYPE);
	n = build(f, 4, true, 20, true);
	put16(f + 16, 0x8100);
	expect_drop(f, n, DSBC_DROP_ETHERTYPE);
	/* TCP (RFC 9293 3.1): ports and payload for the kernel path; a
	 * data offset below 5 words or past the payload is dropped */
	n = build(f, 4, false, 20, true);
	ip[9] = 6;
	ip[20 + 12] = 0x50;
	fix_ip4(ip);
	CU_ASSERT_EQUAL(dsbc_net_parse(f, n, &pi), DSBC_PKT_TCP);
	CU_ASSERT_EQUAL(pi.src_port, 40000);
	CU_ASSERT_EQUAL(pi.dst_port, 20000);
	CU_ASSERT_EQUAL(pi.payload_off, 14 + 20 + 20);
	CU_ASSERT_EQUAL(pi.payload_len, 28 - 20);
	ip[20 + 12] = 0x40;
	expect_drop(f, n, DSBC_DROP_TCP_TRUNC);
	ip[20 + 12] = 0x80;
	expect_drop(f, n, DSBC_DROP_TCP_TRUNC);
	n = build(f, 4, false, 8, true);      /* 16 bytes of L4 */
	ip[9] = 6;
	fix_ip4(ip);
	expect_drop(f, n, DSBC_DROP_TCP_TRUNC);
	n = build(f, 6, false, 20, true);
	ip[6] = 6;
	ip[40 + 12] = 0x50;
	CU_ASSERT_EQUAL(dsbc_net_parse(f, n, &pi), DSBC_PKT_TCP);
	CU_ASSERT_EQUAL(pi.dst_port, 20000);
	/* Another protocol (GRE). */
	n = build(f, 4, false, 20, true);
	ip[9] = 47;
	fix_ip4(ip);
	expect_drop(f, n, DSBC_DROP_L4_PROTO);
	/* ICMP passes to the exception path. */
	ip[9] = 1;
	fix_ip4(ip);
	CU_ASSERT_EQUAL(dsbc_net_parse(f, n, &pi), DSBC_PKT_ICMP);
	/* Fragments: MF set; offset non-zero. */
	n = build(f, 4, false, 20, true);
	put16(ip + 6, 0x2000);
	fix_ip4(ip);
	CU_ASSERT_EQUAL(dsbc_net_parse(f, n, &pi), DSBC_PKT_FRAG);
	put16(ip + 6, 0x0010);
	fix_ip4(ip);
	CU_ASSERT_EQUAL(dsbc_net_parse(f, n, &pi), DSBC_PKT_FRAG);
	/* DF alone is not a fragment. */
	put16(ip + 6, 0x4000);
	fix_ip4(ip);
	CU_ASSERT_EQUAL(dsbc_net_parse(f, n, &pi), DSBC_PKT_UDP);
	/* Bad sources. */
	ip[12] = 127;
	fix_ip4(ip);
	expect_drop(f, n, DSBC_DROP_IP_SRC);
	ip[12] = 224;
	fix_ip4(ip);
	expect_drop(f, n, DSBC_DROP_IP_SRC);
	memset(ip + 12, 0xff, 4);
	fix_ip4(ip);
	expect_drop(f, n, DSBC_DROP_IP_SRC);
	memset(ip + 12, 0, 4);
	fix_ip4(ip);
	expect_drop(f, n, DSBC_DROP_IP_SRC);
	n = build(f, 6, false, 20, true);
	ip[8] = 0xff;
	expect_drop(f, n, DSBC_DROP_IP_SRC);
	memset(ip + 8, 0, 16);
	ip[23] = 1;
	expect_drop(f, n, DSBC_DROP_IP_SRC);
	/* :: is a source for ICMPv6 only (duplicate address detection) */
	ip[23] = 0;
	expect_drop(f, n, DSBC_DROP_IP_SRC);
	ip[6] = 58;		/* ICMPv6 */
	CU_ASSERT_EQUAL(dsbc_net_parse(f, n, &pi), DSBC_PKT_ICMP6);
}

/* RFC 8200 extension headers: walked, and lying lengths caught. */
static void
test_parse_ipv6_ext(void)
{
	uint8_t f[256], g[256];
	uint8_t *ip = g + 14;
	struct dsbc_pkt_info pi;
	uint32_t n;

	n = build(f, 6, false, 16, true);
	/* Insert an 8-byte Destination Options header before UDP. */
	memcpy(g, f, 54);
	memset(g + 54, 0, 8);
	g[54] = 17;     /* next: UDP */
	g[55] = 0;      /* 8 bytes */
	g[56] = 1;      /* PadN */
	g[57] = 4;
	memcpy(g + 62, f + 54, n - 54);
	ip[6] = 60;
	put16(ip + 4, (uint16_t)(get16(ip + 4) + 8));
	CU_ASSERT_EQUAL(dsbc_net_parse(g, n + 8, &pi), DSBC_PKT_UDP);
	CU_ASSERT_EQUAL(pi.l3_len, 48);
	CU_ASSERT_EQUAL(pi.payload_off, 14 + 48 + 8);
	CU_ASSERT_EQUAL(pi.payload_len, 16);
	/* Extension header claiming 2 KiB. */
	g[55] = 255;
	expect_drop(g, n + 8, DSBC_DROP_IP_LEN);
	/* Fragment header. */
	g[55] = 0;
	g[54] = 17;
	ip[6] = 44;
	CU_ASSERT_EQUAL(dsbc_net_parse(g, n + 8, &pi), DSBC_PKT_FRAG);
	/* No Next Header. */
	ip[6] = 59;
	expect_drop(g, n + 8, DSBC_DROP_L4_PROTO);
	/* ICMPv6. */
	ip[6] = 58;
	CU_ASSERT_EQUAL(dsbc_net_parse(g, n + 8, &pi), DSBC_PKT_ICMP6);
	CU_ASSERT_EQUAL(pi.l4_off, 54);
}

static void
test_parse_arp(void)
{
	uint8_t f[64];
	struct dsbc_pkt_info pi;

	memset(f, 0, sizeof(f));
	memset(f, 0xff, 6);
	memcpy(f + 6, MAC_A, 6);
	put16(f + 12, 0x0806);
	put16(f + 14, 1);
	put16(f + 16, 0x0800);
	f[18] = 6;
	f[19] = 4;
	put16(f + 20, 1);
	CU_ASSERT_EQUAL(dsbc_net_parse(f, 42, &pi), DSBC_PKT_ARP);
	CU_ASSERT_EQUAL(pi.l2_len, 14);
	expect_drop(f, 41, DSBC_DROP_ARP_BAD);
	f[19] = 16;
	expect_drop(f, 42, DSBC_DROP_ARP_BAD);
}

/* Random bytes never crash the parser nor yield lengths beyond the frame. */
static void
test_parse_fuzz(void)
{
	uint8_t f[128];
	struct dsbc_pkt_info pi;
	unsigned int i, j, len, bad = 0;

	srand(7);
	for (i = 0; i < 200000; i++) {
		len = (unsigned int)rand() % sizeof(f);
		build(f, (i & 1) ? 6 : 4, (i & 2) != 0, 30, true);
		for (j = 0; j < 1 + (i % 4); j++)
			f[rand() % 70] = (uint8_t)rand();
		if (dsbc_net_parse(f, len, &pi) == DSBC_PKT_UDP &&
		    (pi.payload_off + pi.payload_len > len ||
		     pi.frame_len > len))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static void
test_checksums(void)
{
	uint8_t f[256];
	uint8_t *ip = f + 14;
	uint16_t saved;
	uint32_t n;

	n = build(f, 4, false, 37, true);
	CU_ASSERT(ip4_ok(ip));
	saved = get16(ip + 10);
	put16(ip + 10, 0);
	CU_ASSERT_EQUAL(dsbc_net_ipv4_cksum(ip),
			(rte_be16_t)rte_cpu_to_be_16(saved));
	/* UDP, odd length, both families. */
	saved = get16(ip + 26);
	put16(ip + 26, 0);
	CU_ASSERT_EQUAL(dsbc_net_udp_cksum(4, ip, ip + 20),
			(rte_be16_t)rte_cpu_to_be_16(saved));
	n = build(f, 6, false, 37, true);
	saved = get16(ip + 46);
	put16(ip + 46, 0);
	CU_ASSERT_EQUAL(dsbc_net_udp_cksum(6, ip, ip + 40),
			(rte_be16_t)rte_cpu_to_be_16(saved));
	(void)n;
}

/*
 * The fast path's payload sum (dsbc_cksum.h: 32-bit words in 64-bit
 * lanes) against be_sum, for every length up to past a jumbo frame's and
 * every alignment, and with a running sum carried in.  The two differ in
 * byte order only: RFC 1071 section 2 (B), the little-endian sum is the
 * big-endian one byte-swapped.
 */
static void
test_cksum_raw(void)
{
	static uint8_t buf[9100 + 8];
	unsigned int len, al, bad = 0, n = 0;
	uint32_t carry, le;
	uint16_t want;
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rand();
	/* all ones: the most carries a sum can take */
	memset(buf + 9000, 0xff, 100);
	for (len = 0; len <= 9100; len += len < 600 ? 1 : 97) {
		for (al = 0; al < 8; al++) {
			const uint8_t *p = len >= 100 && al == 0 ?
					   buf + 9100 - len : buf + al;

			carry = (uint32_t)rand();
			le = dsbc_net_cksum_fold(dsbc_cksum_raw(p, len, 0));
			want = be_fold(be_sum(p, len, 0));
			bad += (uint16_t)(le >> 8 | le << 8) != want;
			/* the partial sum SIP's sender adds to in 32 bits
			 * stays folded */
			bad += dsbc_net_cksum_partial(p, len, carry) > 0xffff;
			/* a sum carried in is added once */
			bad += dsbc_net_cksum_fold(dsbc_cksum_raw(p, len,
								  carry)) !=
			       dsbc_net_cksum_fold(dsbc_net_cksum_fold(carry) +
						   le);
			n++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(n > 5000);
}

struct rw_case {
	int in_family;
	bool in_vlan;
	int out_family;
	uint16_t out_vlan;
	bool in_csum;
	uint16_t plen;
};

static void
spec_for(struct dsbc_hdr_spec *s, int family, uint16_t vlan)
{
	static const uint8_t smac[6] = {2, 0, 0, 0, 0x0b, 1};
	uint8_t fam;

	memset(s, 0, sizeof(*s));
	memcpy(s->src_mac.addr_bytes, smac, 6);
	s->vlan_tci = vlan;
	s->family = (uint8_t)family;
	s->tos = 46 << 2;
	s->ttl = 64;
	if (family == 4) {
		dsbc_addr_parse("198.51.100.1", &s->src, &fam);
		dsbc_addr_parse("198.51.100.20", &s->dst, &fam);
	} else {
		dsbc_addr_parse("2001:db8:b::1", &s->src, &fam);
		dsbc_addr_parse("2001:db8:b::20", &s->dst, &fam);
	}
	s->src_port = 20002;
	s->dst_port = 30000;
}

/* RFC 7879 section 3.1: only L2-L4 change, checksums stay valid. */
static void
run_rewrite(const struct rw_case *c)
{
	static const struct rte_ether_addr dmac = {
		.addr_bytes = {2, 0, 0, 0, 0x0b, 0x20} };
	uint8_t buf[512], payload[300];
	uint8_t *f = buf + 128, *out, *ip, *udp;
	struct dsbc_pkt_info pi, po;
	struct dsbc_hdr_spec s;
	struct dsbc_hdr_tmpl t;
	uint32_t n, outlen;

	n = build(f, c->in_family, c->in_vlan, c->plen, c->in_csum);
	CU_ASSERT_FATAL(dsbc_net_parse(f, n, &pi) == DSBC_PKT_UDP);
	memcpy(payload, f + pi.payload_off, c->plen);
	spec_for(&s, c->out_family, c->out_vlan);
	dsbc_hdr_tmpl_init(&t, &s);
	CU_ASSERT_EQUAL(t.len, (c->out_vlan ? 18 : 14) +
			(c->out_family == 4 ? 20 : 40) + 8);
	out = dsbc_hdr_rewrite(f, &pi, &t, &dmac);
	CU_ASSERT_PTR_EQUAL(out + t.len, f + pi.payload_off);
	outlen = t.len + c->plen;

	CU_ASSERT_FATAL(dsbc_net_parse(out, outlen, &po) == DSBC_PKT_UDP);
	CU_ASSERT_EQUAL(memcmp(out, dmac.addr_bytes, 6), 0);
	CU_ASSERT_EQUAL(memcmp(out + 6, s.src_mac.addr_bytes, 6), 0);
	CU_ASSERT_EQUAL(po.family, c->out_family);
	CU_ASSERT_EQUAL(po.has_vlan, c->out_vlan != 0);
	CU_ASSERT_EQUAL(po.vlan_tci, c->out_vlan);
	CU_ASSERT_EQUAL(memcmp(&po.src, &s.src, sizeof(po.src)), 0);
	CU_ASSERT_EQUAL(memcmp(&po.dst, &s.dst, sizeof(po.dst)), 0);
	CU_ASSERT_EQUAL(po.src_port, 20002);
	CU_ASSERT_EQUAL(po.dst_port, 30000);
	CU_ASSERT_EQUAL(po.payload_len, c->plen);
	CU_ASSERT_EQUAL(po.frame_len, outlen);
	CU_ASSERT_EQUAL(memcmp(out + po.payload_off, payload, c->plen), 0);
	ip = out + po.l2_len;
	udp = out + po.l4_off;
	if (c->out_family == 4) {
		CU_ASSERT(ip4_ok(ip));
		CU_ASSERT_EQUAL(ip[1], 46 << 2);
		CU_ASSERT_EQUAL(ip[8], 64);
		CU_ASSERT_EQUAL(get16(ip + 6), 0x4000);
	} else {
		CU_ASSERT_EQUAL(((ip[0] & 0xf) << 4) | ip[1] >> 4, 46 << 2);
		CU_ASSERT_EQUAL(ip[7], 64);
	}
	/* RFC 768 "no checksum" survives only into IPv4. */
	CU_ASSERT_EQUAL(get16(udp + 6) == 0, !c->in_csum && c->out_family == 4);
	CU_ASSERT(udp_ok(c->out_family, ip));
}

static void
test_rewrite(void)
{
	static const struct rw_case cases[] = {
		{4, false, 4, 0, true, 172},
		{4, false, 4, 0, true, 1},
		{4, true, 4, 0, true, 20},
		{4, false, 4, 300, true, 20},
		{4, false, 6, 0, true, 172},
		{6, false, 4, 0, true, 171},
		{6, true, 6, 7, true, 100},
		{4, false, 4, 0, false, 50},
		{4, false, 6, 0, false, 51},
		{4, true, 6, 12, false, 0},
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(cases); i++)
		run_rewrite(&cases[i]);
}

/*
 * Terminator mode: the payload replaced (a different length, as SRTP's tag
 * makes it), the UDP checksum computed over it; or, for a port with TX
 * checksum offload, the pseudo header's sum left for the NIC, which then
 * completes it (done here as the NIC does: the sum over the UDP header,
 * field included, and payload, complemented) into a valid checksum.
 */
static void
test_rewrite_payload(void)
{
	static const struct rte_ether_addr dmac = {
		.addr_bytes = {2, 0, 0, 0, 0x0b, 0x20} };
	static const struct rw_case cases[] = {
		{4, false, 4, 0, true, 172},
		{4, false, 4, 0, false, 33},
		{4, true, 6, 9, true, 172},
		{6, false, 4, 0, true, 171},
		{6, true, 6, 7, true, 100},
	};
	unsigned int i, off, bad = 0;

	for (i = 0; i < RTE_DIM(cases) * 2; i++) {
		const struct rw_case *c = &cases[i / 2];
		bool offload = i & 1;
		uint8_t buf[512], *f = buf + 128, *out, *ip, *udp;
		struct dsbc_pkt_info pi, po;
		struct dsbc_hdr_spec s;
		struct dsbc_hdr_tmpl t;
		uint32_t n, plen = c->plen + 16, sum;
		uint16_t c16;

		n = build(f, c->in_family, c->in_vlan, c->plen, c->in_csum);
		CU_ASSERT_FATAL(dsbc_net_parse(f, n, &pi) == DSBC_PKT_UDP);
		for (off = 0; off < plen; off++)
			f[pi.payload_off + off] = (uint8_t)(off * 7 + i);
		spec_for(&s, c->out_family, c->out_vlan);
		dsbc_hdr_tmpl_init(&t, &s);
		out = offload ?
		      dsbc_hdr_rewrite_payload_offload(f, &pi, &t, &dmac, plen) :
		      dsbc_hdr_rewrite_payload(f, &pi, &t, &dmac, plen);
		CU_ASSERT_FATAL(dsbc_net_parse(out, t.len + plen, &po) ==
				DSBC_PKT_UDP);
		CU_ASSERT_EQUAL(po.payload_len, plen);
		ip = out + po.l2_len;
		udp = out + po.l4_off;
		if (c->out_family == 4)
			CU_ASSERT(ip4_ok(ip));
		if (offload) {
			/* the pseudo header, summed independently */
			sum = c->out_family == 4 ? be_sum(ip + 12, 8, 0) :
			      be_sum(ip + 8, 32, 0);
			sum += 17 + plen + 8;
			bad += get16(udp + 6) != be_fold(sum);
			c16 = (uint16_t)~be_fold(be_sum(udp, plen + 8, 0));
			put16(udp + 6, c16 == 0 ? 0xffff : c16);
		}
		/* a full checksum whatever the sender had (RFC 768 zero or
		 * not): the payload is new */
		CU_ASSERT(get16(udp + 6) != 0);
		CU_ASSERT(udp_ok(c->out_family, ip));
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* A corrupted payload must stay detectably corrupt after the rewrite. */
static void
test_rewrite_keeps_corruption(void)
{
	static const struct rte_ether_addr dmac = {
		.addr_bytes = {2, 0, 0, 0, 0x0b, 0x20} };
	uint8_t buf[512];
	uint8_t *f = buf + 128, *out;
	struct dsbc_pkt_info pi, po;
	struct dsbc_hdr_spec s;
	struct dsbc_hdr_tmpl t;
	uint32_t n;

	n = build(f, 4, false, 40, true);
	CU_ASSERT_FATAL(dsbc_net_parse(f, n, &pi) == DSBC_PKT_UDP);
	f[pi.payload_off + 5] ^= 0x10;
	spec_for(&s, 6, 0);
	dsbc_hdr_tmpl_init(&t, &s);
	out = dsbc_hdr_rewrite(f, &pi, &t, &dmac);
	CU_ASSERT_FATAL(dsbc_net_parse(out, t.len + 40, &po) == DSBC_PKT_UDP);
	CU_ASSERT(!udp_ok(6, out + po.l2_len));
}

static void
test_addr(void)
{
	struct dsbc_addr a;
	uint8_t fam = 0;
	char buf[64];

	CU_ASSERT_EQUAL(dsbc_addr_parse("10.1.2.3", &a, &fam), 0);
	CU_ASSERT_EQUAL(fam, 4);
	CU_ASSERT_EQUAL(a.a8[3], 3);
	CU_ASSERT_EQUAL(a.a32[1], 0);
	CU_ASSERT_EQUAL(dsbc_addr_parse("2001:db8::1", &a, &fam), 0);
	CU_ASSERT_EQUAL(fam, 6);
	CU_ASSERT_STRING_EQUAL(dsbc_addr_fmt(&a, 6, buf, sizeof(buf)),
			       "2001:db8::1");
	CU_ASSERT_NOT_EQUAL(dsbc_addr_parse("10.1.2", &a, &fam), 0);
	CU_ASSERT_NOT_EQUAL(dsbc_addr_parse("10.1.2.256", &a, &fam), 0);
	CU_ASSERT_NOT_EQUAL(dsbc_addr_parse("[::1]", &a, &fam), 0);
	CU_ASSERT_NOT_EQUAL(dsbc_addr_parse("", &a, &fam), 0);
	CU_ASSERT_NOT_EQUAL(dsbc_addr_parse(NULL, &a, &fam), 0);
}

/*
 * Neighbour discovery against what a Linux 6.x kernel sent (captured on a
 * veth pair with tshark): fd00:a::10 (02:00:00:00:0a:10) asks for
 * fd00:a::1 (02:00:00:00:0a:01), which answers; then one echo request and
 * the kernel's reply.  The frames start at the IPv6 header.
 */
static const uint8_t LINUX_NS[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff,
	0xfd, 0x00, 0x00, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
	0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0x00, 0x00, 0x01,
	0x87, 0x00, 0x73, 0x67, 0, 0, 0, 0,
	0xfd, 0x00, 0x00, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	0x01, 0x01, 0x02, 0x00, 0x00, 0x00, 0x0a, 0x10,
};
static const uint8_t LINUX_NA[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff,
	0xfd, 0x00, 0x00, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	0xfd, 0x00, 0x00, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
	0x88, 0x00, 0x12, 0x70, 0x60, 0, 0, 0,
	0xfd, 0x00, 0x00, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	0x02, 0x01, 0x02, 0x00, 0x00, 0x00, 0x0a, 0x01,
};
static const uint8_t LINUX_ECHO_HEAD[] = {
	0x60, 0x0a, 0xa6, 0x21, 0x00, 0x40, 0x3a, 0x40,
	0xfd, 0x00, 0x00, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
	0xfd, 0x00, 0x00, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	0x80, 0x00, 0x87, 0x1f, 0x43, 0x68, 0x00, 0x01,
	0x71, 0x23, 0x13, 0x6b, 0, 0, 0, 0, 0x6d, 0x74, 0x0a, 0, 0, 0, 0, 0,
};

static void
linux_echo(uint8_t *p)
{
	int i;

	memcpy(p, LINUX_ECHO_HEAD, sizeof(LINUX_ECHO_HEAD));
	for (i = 0x10; i <= 0x37; i++)
		p[sizeof(LINUX_ECHO_HEAD) + i - 0x10] = (uint8_t)i;
}

static void
addr6(struct dsbc_addr *a, uint8_t last)
{
	memset(a, 0, sizeof(*a));
	a->a8[0] = 0xfd;
	a->a8[2] = 0x00;
	a->a8[3] = 0x0a;
	a->a8[15] = last;
}

static void
test_nd_linux_vectors(void)
{
	struct dsbc_addr me, peer, group;
	struct dsbc_nd_msg nd;
	uint8_t buf[DSBC_ND_PKT_LEN], mac[6], echo[40 + 64];

	addr6(&me, 1);
	addr6(&peer, 0x10);
	/* the kernel's NS: for us, with its MAC */
	CU_ASSERT_EQUAL(dsbc_nd_parse(LINUX_NS, LINUX_NS + 40, 32, &nd),
			DSBC_ND_OK);
	CU_ASSERT_EQUAL(nd.type, DSBC_ND_NEIGH_SOLICIT);
	CU_ASSERT(dsbc_addr_eq(&nd.target, &me));
	CU_ASSERT(nd.has_lladdr);
	CU_ASSERT_EQUAL(memcmp(nd.lladdr, MAC_A, 6), 0);
	/* our NS for the same target is the kernel's, byte for byte */
	CU_ASSERT_EQUAL(dsbc_nd_build_ns(buf, &peer, &me, MAC_A, mac),
			sizeof(LINUX_NS));
	CU_ASSERT_EQUAL(memcmp(buf, LINUX_NS, sizeof(LINUX_NS)), 0);
	CU_ASSERT_EQUAL(memcmp(mac, "\x33\x33\xff\x00\x00\x01", 6), 0);
	dsbc_nd_solicited_node(&me, &group, NULL);
	CU_ASSERT_EQUAL(memcmp(group.a8, LINUX_NS + 24, 16), 0);
	/* and our answer is the kernel's answer */
	CU_ASSERT_EQUAL(dsbc_nd_build_na(buf, &me, &peer, MAC_P, mac),
			sizeof(LINUX_NA));
	CU_ASSERT_EQUAL(memcmp(buf, LINUX_NA, sizeof(LINUX_NA)), 0);
	CU_ASSERT_EQUAL(dsbc_nd_parse(LINUX_NA, LINUX_NA + 40, 32, &nd),
			DSBC_ND_OK);
	CU_ASSERT_EQUAL(nd.type, DSBC_ND_NEIGH_ADVERT);
	CU_ASSERT(nd.solicited && nd.override && !nd.router);
	CU_ASSERT(nd.has_lladdr);
	CU_ASSERT_EQUAL(memcmp(nd.lladdr, MAC_P, 6), 0);
	/* DAD for our address (source ::): the answer goes to all nodes,
	 * S clear, O set (RFC 4861 7.2.4) */
	{
		struct dsbc_addr none;

		memset(&none, 0, sizeof(none));
		memset(mac, 0, sizeof(mac));
		CU_ASSERT_EQUAL(dsbc_nd_build_na(buf, &me, &none, MAC_P, mac),
				sizeof(LINUX_NA));
		CU_ASSERT_EQUAL(memcmp(mac, "\x33\x33\0\0\0\x01", 6), 0);
		CU_ASSERT_EQUAL(buf[24], 0xff);
		CU_ASSERT_EQUAL(buf[25], 0x02);
		CU_ASSERT_EQUAL(buf[39], 0x01);
		CU_ASSERT_EQUAL(buf[40 + 4], 0x20);
		CU_ASSERT_EQUAL(dsbc_nd_parse(buf, buf + 40, 32, &nd),
				DSBC_ND_OK);
		CU_ASSERT(!nd.solicited && nd.override);
	}
	/* echo: the reply's checksum is the kernel's reply's (86 1f) */
	linux_echo(echo);
	CU_ASSERT_EQUAL(dsbc_icmp6_echo_reply(echo, 64, 64), 0);
	CU_ASSERT_EQUAL(echo[40], DSBC_ICMP6_ECHO_REPLY);
	CU_ASSERT_EQUAL(echo[42], 0x86);
	CU_ASSERT_EQUAL(echo[43], 0x1f);
	CU_ASSERT_EQUAL(memcmp(echo + 8, LINUX_ECHO_HEAD + 24, 16), 0);
	CU_ASSERT_EQUAL(memcmp(echo + 24, LINUX_ECHO_HEAD + 8, 16), 0);
	/* a reply is not answered again */
	CU_ASSERT_EQUAL(dsbc_icmp6_echo_reply(echo, 64, 64), -1);
}

static void
test_nd_invalid(void)
{
	struct dsbc_nd_msg nd;
	uint8_t p[sizeof(LINUX_NS) + 8];

	/* RFC 4861 7.1.1: each rule on its own */
	memcpy(p, LINUX_NS, sizeof(LINUX_NS));
	p[7] = 254;
	CU_ASSERT_EQUAL(dsbc_nd_parse(p, p + 40, 32, &nd),
			DSBC_ND_ERR_HOP_LIMIT);
	memcpy(p, LINUX_NS, sizeof(LINUX_NS));
	p[40 + 8 + 15] ^= 1;
	CU_ASSERT_EQUAL(dsbc_nd_parse(p, p + 40, 32, &nd), DSBC_ND_ERR_CKSUM);
	/* a too-short message whose checksum is right */
	memcpy(p, LINUX_NS, sizeof(LINUX_NS));
	p[40 + 2] = p[40 + 3] = 0;
	{
		uint16_t c = dsbc_icmp6_cksum(p, p + 40, 20);

		memcpy(p + 42, &c, 2);
	}
	CU_ASSERT_EQUAL(dsbc_nd_parse(p, p + 40, 20, &nd), DSBC_ND_ERR_FORMAT);
#define RESUM(len) do { \
		uint16_t c_; \
		p[42] = p[43] = 0; \
		c_ = dsbc_icmp6_cksum(p, p + 40, (len)); \
		memcpy(p + 42, &c_, 2); \
	} while (0)
	/* an option of length zero would loop for ever */
	memcpy(p, LINUX_NS, sizeof(LINUX_NS));
	p[40 + 25] = 0;
	RESUM(32);
	CU_ASSERT_EQUAL(dsbc_nd_parse(p, p + 40, 32, &nd), DSBC_ND_ERR_FORMAT);
	/* an option running past the end */
	memcpy(p, LINUX_NS, sizeof(LINUX_NS));
	p[40 + 25] = 2;
	RESUM(32);
	CU_ASSERT_EQUAL(dsbc_nd_parse(p, p + 40, 32, &nd), DSBC_ND_ERR_FORMAT);
	/* code not zero */
	memcpy(p, LINUX_NS, sizeof(LINUX_NS));
	p[41] = 1;
	RESUM(32);
	CU_ASSERT_EQUAL(dsbc_nd_parse(p, p + 40, 32, &nd), DSBC_ND_ERR_FORMAT);
	/* a multicast target */
	memcpy(p, LINUX_NS, sizeof(LINUX_NS));
	p[48] = 0xff;
	RESUM(32);
	CU_ASSERT_EQUAL(dsbc_nd_parse(p, p + 40, 32, &nd), DSBC_ND_ERR_TARGET);
	/* DAD (source ::) must not carry a source link-layer address */
	memcpy(p, LINUX_NS, sizeof(LINUX_NS));
	memset(p + 8, 0, 16);
	RESUM(32);
	CU_ASSERT_EQUAL(dsbc_nd_parse(p, p + 40, 32, &nd), DSBC_ND_ERR_DAD);
	/* ... and without it, to the solicited-node group, it is valid */
	p[4] = 0;
	p[5] = 24;
	RESUM(24);
	CU_ASSERT_EQUAL(dsbc_nd_parse(p, p + 40, 24, &nd), DSBC_ND_OK);
	CU_ASSERT(!nd.has_lladdr);
	/* an unknown option is skipped, the link-layer one still found */
	memcpy(p, LINUX_NS, sizeof(LINUX_NS));
	memmove(p + 40 + 32, p + 40 + 24, 8);
	memset(p + 40 + 24, 0, 8);
	p[40 + 24] = 14;	/* nonce (RFC 3971) */
	p[40 + 25] = 1;
	p[5] = 40;
	RESUM(40);
	CU_ASSERT_EQUAL(dsbc_nd_parse(p, p + 40, 40, &nd), DSBC_ND_OK);
	CU_ASSERT(nd.has_lladdr);
	CU_ASSERT_EQUAL(memcmp(nd.lladdr, MAC_A, 6), 0);
	/* 7.1.2: a solicited advertisement to a group */
	memcpy(p, LINUX_NA, sizeof(LINUX_NA));
	p[24] = 0xff;
	p[25] = 0x02;
	RESUM(32);
	CU_ASSERT_EQUAL(dsbc_nd_parse(p, p + 40, 32, &nd),
			DSBC_ND_ERR_SOLICITED);
	/* not ND at all */
	memcpy(p, LINUX_NA, sizeof(LINUX_NA));
	p[40] = DSBC_ND_ROUTER_ADVERT;
	CU_ASSERT_EQUAL(dsbc_nd_parse(p, p + 40, 32, &nd), DSBC_ND_ERR_TYPE);
#undef RESUM
}

static void
test_nd_link_local(void)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	struct dsbc_addr ll, g;
	uint8_t fam = 0;

	/* RFC 4291 appendix A: 52:54:00:12:34:56 -> fe80::5054:ff:fe12:3456 */
	dsbc_nd_link_local(mac, &ll);
	CU_ASSERT_EQUAL(dsbc_addr_parse("fe80::5054:ff:fe12:3456", &g, &fam), 0);
	CU_ASSERT(dsbc_addr_eq(&ll, &g));
	CU_ASSERT(dsbc_nd_is_link_local(&ll));
	CU_ASSERT_EQUAL(dsbc_addr_parse("fd00:a::1", &g, &fam), 0);
	CU_ASSERT(!dsbc_nd_is_link_local(&g));
	CU_ASSERT_EQUAL(dsbc_addr_parse("febf::1", &g, &fam), 0);
	CU_ASSERT(dsbc_nd_is_link_local(&g));
}

int
unit_register(void)
{
	CU_pSuite s = CU_add_suite("net", NULL, NULL);

	if (s == NULL)
		return -1;
	UNIT_ADD(s, test_parse_valid);
	UNIT_ADD(s, test_parse_truncated);
	UNIT_ADD(s, test_parse_lying_lengths);
	UNIT_ADD(s, test_parse_other);
	UNIT_ADD(s, test_parse_ipv6_ext);
	UNIT_ADD(s, test_parse_arp);
	UNIT_ADD(s, test_parse_fuzz);
	UNIT_ADD(s, test_checksums);
	UNIT_ADD(s, test_cksum_raw);
	UNIT_ADD(s, test_rewrite);
	UNIT_ADD(s, test_rewrite_keeps_corruption);
	UNIT_ADD(s, test_rewrite_payload);
	UNIT_ADD(s, test_addr);
	UNIT_ADD(s, test_nd_linux_vectors);
	UNIT_ADD(s, test_nd_invalid);
	UNIT_ADD(s, test_nd_link_local);
	return 0;
}
