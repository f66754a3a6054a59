/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "gen.h"

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* RFC 1071 over big-endian words, written out plainly. */
static uint32_t
sum16(const uint8_t *p, uint32_t n, uint32_t s)
{
	uint32_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t
fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

void
gen_fix_ip4_csum(uint8_t *ip)
{
	put16(ip + 10, 0);
	put16(ip + 10, (uint16_t)~fold(sum16(ip, (ip[0] & 0xfu) * 4, 0)));
}

uint32_t
gen_udp_frame(uint8_t *out, const struct gen_flow *f, const uint8_t *payload,
	      uint32_t plen)
{
	uint8_t *p = out, *ip, *udp;
	uint16_t ulen = (uint16_t)(8 + plen);
	uint32_t s;
	uint16_t c;

	memcpy(p, f->dst_mac, 6);
	memcpy(p + 6, f->src_mac, 6);
	p += 12;
	if (f->vlan != 0) {
		put16(p, 0x8100);
		put16(p + 2, f->vlan);
		p += 4;
	}
	put16(p, f->family == 6 ? 0x86dd : 0x0800);
	ip = p + 2;
	if (f->family == 6) {
		memset(ip, 0, 40);
		ip[0] = 0x60;
		put16(ip + 4, ulen);
		ip[6] = 17;
		ip[7] = 64;
		memcpy(ip + 8, f->src, 16);
		memcpy(ip + 24, f->dst, 16);
		udp = ip + 40;
	} else {
		memset(ip, 0, 20);
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(20 + ulen));
		put16(ip + 6, 0x4000);              /* DF */
		ip[8] = 64;
		ip[9] = 17;
		memcpy(ip + 12, f->src, 4);
		memcpy(ip + 16, f->dst, 4);
		gen_fix_ip4_csum(ip);
		udp = ip + 20;
	}
	put16(udp, f->sport);
	put16(udp + 2, f->dport);
	put16(udp + 4, ulen);
	put16(udp + 6, 0);
	if (plen > 0)
		memcpy(udp + 8, payload, plen);
	/* Pseudo header: addresses, protocol, UDP length. */
	if (f->family == 6)
		s = sum16(ip + 8, 32, 0);
	else
		s = sum16(ip + 12, 8, 0);
	s = sum16(udp, ulen, s + 17 + ulen);
	c = (uint16_t)~fold(s);
	put16(udp + 6, c == 0 ? 0xffff : c);
	return (uint32_t)(udp + ulen - out);
}
