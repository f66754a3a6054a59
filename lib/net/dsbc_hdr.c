/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Outgoing header templates and the per-packet relay rewrite.
 *
 * Checksum sums here are taken over bytes as they sit in memory (network
 * order) with native 16-bit loads; RFC 1071 section 2(B) makes the result
 * byte-order independent, so values are stored without swapping.
 */
#include <string.h>

#include <rte_ip.h>
#include <rte_memcpy.h>

#include "dsbc_cksum.h"
#include "dsbc_hdr.h"

static inline void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t
rd16_raw(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

void
dsbc_hdr_tmpl_init(struct dsbc_hdr_tmpl *t, const struct dsbc_hdr_spec *s)
{
	uint8_t *p = t->bytes;
	uint8_t *ip, *udp;
	uint32_t alen = s->family == 6 ? 16 : 4;

	memset(t, 0, sizeof(*t));
	/* Ethernet: destination MAC filled per packet from the neighbour table. */
	memcpy(p + 6, s->src_mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	p += 12;
	if (s->vlan_tci != 0) {
		wr16(p, RTE_ETHER_TYPE_VLAN);
		wr16(p + 2, s->vlan_tci);
		p += 4;
	}
	wr16(p, s->family == 6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	p += 2;
	t->l2_len = (uint8_t)(p - t->bytes);
	t->family = s->family;

	ip = p;
	if (s->family == 6) {
		/* version 6, traffic class, flow label 0 (RFC 8200 section 3) */
		ip[0] = (uint8_t)(0x60 | s->tos >> 4);
		ip[1] = (uint8_t)(s->tos << 4);
		ip[6] = IPPROTO_UDP;
		ip[7] = s->ttl;
		memcpy(ip + 8, s->src.a8, 16);
		memcpy(ip + 24, s->dst.a8, 16);
		udp = ip + 40;
	} else {
		ip[0] = 0x45;
		ip[1] = s->tos;
		/* ID 0 with DF set: allowed for atomic datagrams (RFC 6864 section 4.1). */
		wr16(ip + 6, 0x4000);
		ip[8] = s->ttl;
		ip[9] = IPPROTO_UDP;
		memcpy(ip + 12, s->src.a8, 4);
		memcpy(ip + 16, s->dst.a8, 4);
		udp = ip + 20;
		t->ip_sum = __rte_raw_cksum(ip, 20, 0);
	}
	wr16(udp, s->src_port);
	wr16(udp + 2, s->dst_port);
	t->len = (uint8_t)(udp + 8 - t->bytes);

	/* Constant part of the UDP checksum: addresses, protocol, ports. */
	t->pseudo_sum = __rte_raw_cksum(s->src.a8, alen, 0);
	t->pseudo_sum = __rte_raw_cksum(s->dst.a8, alen, t->pseudo_sum);
	t->pseudo_sum += rte_cpu_to_be_16(IPPROTO_UDP);
	t->pseudo_sum += rd16_raw(udp) + rd16_raw(udp + 2);
}

/* The same constant part, taken from the received packet: 32-bit adds
 * over the addresses (unused IPv4 words are zero). */
static inline uint16_t
rx_const_sum(const struct dsbc_pkt_info *pi)
{
	uint64_t sum = (uint64_t)pi->src.a32[0] + pi->dst.a32[0];

	if (pi->family == 6)
		sum += (uint64_t)pi->src.a32[1] + pi->src.a32[2] +
		       pi->src.a32[3] + pi->dst.a32[1] + pi->dst.a32[2] +
		       pi->dst.a32[3];
	sum += rte_cpu_to_be_16(IPPROTO_UDP);
	sum += rte_cpu_to_be_16(pi->src_port);
	sum += rte_cpu_to_be_16(pi->dst_port);
	return __rte_raw_cksum_reduce(dsbc_cksum_fold64(sum));
}

/* Constant-size copies compile to a few vector moves; rte_memcpy() with a
 * run-time length is a call with a size dispatch. */
static inline void
copy_hdr(uint8_t *dst, const struct dsbc_hdr_tmpl *t)
{
	switch (t->len) {
	case 14 + 20 + 8:
		memcpy(dst, t->bytes, 14 + 20 + 8);
		break;
	case 18 + 20 + 8:
		memcpy(dst, t->bytes, 18 + 20 + 8);
		break;
	case 14 + 40 + 8:
		memcpy(dst, t->bytes, 14 + 40 + 8);
		break;
	default:
		memcpy(dst, t->bytes, 18 + 40 + 8);
		break;
	}
}

/* The UDP checksum in full: the template's constant sum (addresses,
 * protocol, ports), the UDP length twice (pseudo header and UDP header)
 * and plen bytes of payload; 0 is sent as 0xffff (RFC 768). */
static inline uint16_t
udp_csum_full(const struct dsbc_hdr_tmpl *t, uint16_t ulen,
	      const uint8_t *payload, uint32_t plen)
{
	uint32_t sum = t->pseudo_sum + 2u * rte_cpu_to_be_16(ulen);
	uint16_t csum;

	sum = dsbc_cksum_raw(payload, plen, __rte_raw_cksum_reduce(sum));
	csum = (uint16_t)~__rte_raw_cksum_reduce(sum);
	return csum == 0 ? 0xffff : csum;
}

/* How the UDP checksum of a rewritten packet is made. */
enum csum_mode {
	CSUM_CARRY,     /* from the received one (RFC 1624) */
	CSUM_FULL,      /* over the new payload */
	CSUM_PHDR,      /* the pseudo-header's sum, for the NIC to finish */
};

/* Headers for a payload of plen bytes at frame + pi->payload_off, the
 * UDP checksum made as mode says. */
static inline uint8_t *
hdr_write(uint8_t *frame, const struct dsbc_pkt_info *pi,
	  const struct dsbc_hdr_tmpl *t, const struct rte_ether_addr *dst_mac,
	  uint32_t plen, enum csum_mode mode)
{
	uint8_t *payload = frame + pi->payload_off;
	uint8_t *hdr = payload - t->len;
	uint16_t ulen = (uint16_t)(plen + 8);
	uint16_t old_csum, csum;
	uint8_t *ip, *udp;
	uint32_t sum;

	/* Read what is needed from the old headers before overwriting them. */
	old_csum = rd16_raw(frame + pi->l4_off + 6);

	copy_hdr(hdr, t);
	memcpy(hdr, dst_mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	ip = hdr + t->l2_len;
	if (t->family == 6) {
		wr16(ip + 4, ulen);
		udp = ip + 40;
	} else {
		uint16_t tot = (uint16_t)(20 + ulen);

		wr16(ip + 2, tot);
		sum = t->ip_sum + rte_cpu_to_be_16(tot);
		csum = (uint16_t)~__rte_raw_cksum_reduce(sum);
		memcpy(ip + 10, &csum, 2);
		udp = ip + 20;
	}
	wr16(udp + 4, ulen);

	if (mode == CSUM_PHDR) {
		/*
		 * TX checksum offload: the NIC sums the UDP header and payload
		 * onto what the field holds, which must be the pseudo header
		 * (addresses, protocol, UDP length; RFC 768, RFC 8200 8.1),
		 * not complemented.  The template's constant sum has the ports
		 * too: they are taken out (one's complement subtraction).
		 */
		sum = t->pseudo_sum + rte_cpu_to_be_16(ulen);
		sum += (uint16_t)~rd16_raw(udp);
		sum += (uint16_t)~rd16_raw(udp + 2);
		csum = __rte_raw_cksum_reduce(sum);
	} else if (mode == CSUM_FULL) {
		csum = udp_csum_full(t, ulen, payload, plen);
	} else if (old_csum == 0) {
		/* The sender chose no checksum (RFC 768): kept so for IPv4;
		 * mandatory for IPv6 (RFC 8200 section 8.1): computed in full
		 * (plen is the received payload's length here). */
		csum = t->family == 4 ? 0 :
		       udp_csum_full(t, ulen, payload, plen);
	} else {
		/*
		 * RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), m being the sum of
		 * the fields that change.  A received checksum that was wrong
		 * stays wrong: the far end still detects the corruption.
		 */
		uint16_t m = rx_const_sum(pi);
		uint16_t m2 = __rte_raw_cksum_reduce(t->pseudo_sum);

		sum = (uint16_t)~old_csum;
		sum += (uint16_t)~m;
		sum += m2;
		csum = (uint16_t)~__rte_raw_cksum_reduce(sum);
		if (csum == 0)
			csum = 0xffff;
	}
	memcpy(udp + 6, &csum, 2);
	return hdr;
}

uint8_t *
dsbc_hdr_rewrite(uint8_t *frame, const struct dsbc_pkt_info *pi,
		 const struct dsbc_hdr_tmpl *t,
		 const struct rte_ether_addr *dst_mac)
{
	return hdr_write(frame, pi, t, dst_mac, pi->payload_len, CSUM_CARRY);
}

uint8_t *
dsbc_hdr_rewrite_payload(uint8_t *frame, const struct dsbc_pkt_info *pi,
			 const struct dsbc_hdr_tmpl *t,
			 const struct rte_ether_addr *dst_mac, uint32_t plen)
{
	return hdr_write(frame, pi, t, dst_mac, plen, CSUM_FULL);
}

uint8_t *
dsbc_hdr_rewrite_payload_offload(uint8_t *frame,
				 const struct dsbc_pkt_info *pi,
				 const struct dsbc_hdr_tmpl *t,
				 const struct rte_ether_addr *dst_mac,
				 uint32_t plen)
{
	return hdr_write(frame, pi, t, dst_mac, plen, CSUM_PHDR);
}
