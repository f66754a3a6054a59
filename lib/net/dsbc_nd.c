/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 neighbour discovery and ICMPv6 echo on flat buffers (dsbc_nd.h).
 */
#include <string.h>

#include <rte_byteorder.h>

#include "dsbc_nd.h"
#include "dsbc_net.h"

#define IP6_HLEN 40
#define ND_HLEN 24          /* type, code, cksum, flags/reserved, target */
#define OPT_SRC_LLADDR 1
#define OPT_TGT_LLADDR 2
#define NA_ROUTER 0x80
#define NA_SOLICITED 0x40
#define NA_OVERRIDE 0x20
#define ND_HOP_LIMIT 255
#define NH_ICMP6 58

/* The RFC 8200 section 8.1 pseudo header and the message, summed as
 * lib/net sums (words as they sit in memory), folded, not complemented:
 * all ones over a message whose checksum is right. */
static uint16_t
icmp6_sum(const uint8_t *ip6, const uint8_t *icmp, uint32_t len)
{
	uint32_t s = dsbc_net_cksum_partial(ip6 + 8, 32, 0);

	s += rte_cpu_to_be_16((uint16_t)(len >> 16));
	s += rte_cpu_to_be_16((uint16_t)len);
	s += rte_cpu_to_be_16(NH_ICMP6);
	return dsbc_net_cksum_fold(dsbc_net_cksum_partial(icmp, len, s));
}

uint16_t
dsbc_icmp6_cksum(const uint8_t *ip6, const uint8_t *icmp, uint32_t len)
{
	/* in memory order: stored as it is, it is in network order */
	return (uint16_t)~icmp6_sum(ip6, icmp, len);
}

static bool
is_multicast(const uint8_t *a)
{
	return a[0] == 0xff;
}

static bool
is_unspecified(const uint8_t *a)
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

void
dsbc_nd_solicited_node(const struct dsbc_addr *a, struct dsbc_addr *group,
		       uint8_t mac[6])
{
	if (group != NULL) {
		memset(group, 0, sizeof(*group));
		group->a8[0] = 0xff;
		group->a8[1] = 0x02;
		group->a8[11] = 0x01;
		group->a8[12] = 0xff;
		memcpy(&group->a8[13], &a->a8[13], 3);
	}
	if (mac != NULL) {
		mac[0] = 0x33;
		mac[1] = 0x33;
		mac[2] = 0xff;
		memcpy(&mac[3], &a->a8[13], 3);
	}
}

static bool
is_solicited_node(const uint8_t *a)
{
	static const uint8_t pfx[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0,
					 0, 0, 0, 0x01, 0xff };

	return memcmp(a, pfx, sizeof(pfx)) == 0;
}

void
dsbc_nd_link_local(const uint8_t mac[6], struct dsbc_addr *ll)
{
	memset(ll, 0, sizeof(*ll));
	ll->a8[0] = 0xfe;
	ll->a8[1] = 0x80;
	/* modified EUI-64: the universal/local bit inverted, ff:fe inside */
	ll->a8[8] = mac[0] ^ 0x02;
	ll->a8[9] = mac[1];
	ll->a8[10] = mac[2];
	ll->a8[11] = 0xff;
	ll->a8[12] = 0xfe;
	ll->a8[13] = mac[3];
	ll->a8[14] = mac[4];
	ll->a8[15] = mac[5];
}

bool
dsbc_nd_is_link_local(const struct dsbc_addr *a)
{
	return a->a8[0] == 0xfe && (a->a8[1] & 0xc0) == 0x80;
}

int
dsbc_nd_parse(const uint8_t *ip6, const uint8_t *icmp, uint32_t len,
	      struct dsbc_nd_msg *nd)
{
	const uint8_t *src = ip6 + 8, *dst = ip6 + 24;
	uint32_t off;
	uint8_t want;

	if (len < 4 || (icmp[0] != DSBC_ND_NEIGH_SOLICIT &&
			icmp[0] != DSBC_ND_NEIGH_ADVERT))
		return DSBC_ND_ERR_TYPE;
	/* RFC 4861 7.1.1 and 7.1.2, in their order */
	if (ip6[7] != ND_HOP_LIMIT)
		return DSBC_ND_ERR_HOP_LIMIT;
	if (icmp6_sum(ip6, icmp, len) != 0xffff)
		return DSBC_ND_ERR_CKSUM;
	if (icmp[1] != 0 || len < ND_HLEN)
		return DSBC_ND_ERR_FORMAT;
	memset(nd, 0, sizeof(*nd));
	nd->type = icmp[0];
	memcpy(nd->target.a8, icmp + 8, 16);
	if (is_multicast(nd->target.a8))
		return DSBC_ND_ERR_TARGET;
	want = nd->type == DSBC_ND_NEIGH_SOLICIT ? OPT_SRC_LLADDR :
						   OPT_TGT_LLADDR;
	for (off = ND_HLEN; off + 2 <= len; ) {
		uint32_t olen = icmp[off + 1] * 8u;

		if (olen == 0 || off + olen > len)
			return DSBC_ND_ERR_FORMAT;
		/* an Ethernet link-layer option is 8 bytes (RFC 4861 4.6.1);
		 * other types are skipped as 4.6 says */
		if (icmp[off] == want && olen == 8) {
			nd->has_lladdr = true;
			memcpy(nd->lladdr, icmp + off + 2, 6);
		}
		off += olen;
	}
	if (nd->type == DSBC_ND_NEIGH_SOLICIT) {
		if (is_unspecified(src) &&
		    (!is_solicited_node(dst) || nd->has_lladdr))
			return DSBC_ND_ERR_DAD;
		return DSBC_ND_OK;
	}
	nd->router = (icmp[4] & NA_ROUTER) != 0;
	nd->solicited = (icmp[4] & NA_SOLICITED) != 0;
	nd->override = (icmp[4] & NA_OVERRIDE) != 0;
	if (is_multicast(dst) && nd->solicited)
		return DSBC_ND_ERR_SOLICITED;
	return DSBC_ND_OK;
}

/* IPv6 header for an ND message: class and flow 0, hop limit 255 */
static void
ip6_head(uint8_t *buf, uint32_t plen, const struct dsbc_addr *src,
	 const struct dsbc_addr *dst)
{
	memset(buf, 0, IP6_HLEN);
	buf[0] = 0x60;
	buf[4] = (uint8_t)(plen >> 8);
	buf[5] = (uint8_t)plen;
	buf[6] = NH_ICMP6;
	buf[7] = ND_HOP_LIMIT;
	memcpy(buf + 8, src->a8, 16);
	memcpy(buf + 24, dst->a8, 16);
}

static uint32_t
nd_build(uint8_t *buf, uint8_t type, uint8_t flags,
	 const struct dsbc_addr *src, const struct dsbc_addr *dst,
	 const struct dsbc_addr *target, uint8_t opt, const uint8_t mac[6])
{
	uint8_t *icmp = buf + IP6_HLEN;
	const uint32_t len = ND_HLEN + 8;
	uint16_t c;

	ip6_head(buf, len, src, dst);
	memset(icmp, 0, len);
	icmp[0] = type;
	icmp[4] = flags;
	memcpy(icmp + 8, target->a8, 16);
	icmp[ND_HLEN] = opt;
	icmp[ND_HLEN + 1] = 1;
	memcpy(icmp + ND_HLEN + 2, mac, 6);
	c = dsbc_icmp6_cksum(buf, icmp, len);
	memcpy(icmp + 2, &c, 2);
	return IP6_HLEN + len;
}

uint32_t
dsbc_nd_build_ns(uint8_t *buf, const struct dsbc_addr *src,
		 const struct dsbc_addr *target, const uint8_t mac[6],
		 uint8_t dst_mac[6])
{
	struct dsbc_addr group;

	dsbc_nd_solicited_node(target, &group, dst_mac);
	return nd_build(buf, DSBC_ND_NEIGH_SOLICIT, 0, src, &group, target,
			OPT_SRC_LLADDR, mac);
}

uint32_t
dsbc_nd_build_na(uint8_t *buf, const struct dsbc_addr *target,
		 const struct dsbc_addr *src, const uint8_t mac[6],
		 uint8_t dst_mac[6])
{
	static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	struct dsbc_addr all;

	if (!is_unspecified(src->a8))
		return nd_build(buf, DSBC_ND_NEIGH_ADVERT,
				NA_SOLICITED | NA_OVERRIDE, target, src,
				target, OPT_TGT_LLADDR, mac);
	memset(&all, 0, sizeof(all));
	all.a8[0] = 0xff;
	all.a8[1] = 0x02;
	all.a8[15] = 0x01;
	memcpy(dst_mac, all_nodes_mac, 6);
	return nd_build(buf, DSBC_ND_NEIGH_ADVERT, NA_OVERRIDE, target, &all,
			target, OPT_TGT_LLADDR, mac);
}

int
dsbc_icmp6_echo_reply(uint8_t *ip6, uint32_t len, uint8_t hop_limit)
{
	uint8_t *icmp = ip6 + IP6_HLEN, tmp[16];
	uint16_t c;

	if (len < 8 || icmp[0] != DSBC_ICMP6_ECHO_REQUEST || icmp[1] != 0 ||
	    is_unspecified(ip6 + 8) ||
	    icmp6_sum(ip6, icmp, len) != 0xffff)
		return -1;
	memcpy(tmp, ip6 + 8, 16);
	memcpy(ip6 + 8, ip6 + 24, 16);
	memcpy(ip6 + 24, tmp, 16);
	ip6[7] = hop_limit;
	icmp[0] = DSBC_ICMP6_ECHO_REPLY;
	icmp[2] = 0;
	icmp[3] = 0;
	c = dsbc_icmp6_cksum(ip6, icmp, len);
	memcpy(icmp + 2, &c, 2);
	return 0;
}
