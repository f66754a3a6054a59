/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_ND_H
#define DSBC_ND_H

/**
 * @file
 * IPv6 neighbour discovery (RFC 4861) and ICMPv6 echo (RFC 4443), the
 * part of them a host that owns its addresses needs: validate neighbour
 * solicitations and advertisements, build the solicitation that resolves
 * a next hop and the advertisement that answers one, turn an echo request
 * into its reply.  Flat byte buffers that start at the IPv6 header; no
 * EAL, no mbufs, no state: the caller keeps the neighbour table.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsbc_addr.h"

#define DSBC_ICMP6_ECHO_REQUEST 128
#define DSBC_ICMP6_ECHO_REPLY 129
#define DSBC_ND_ROUTER_SOLICIT 133
#define DSBC_ND_ROUTER_ADVERT 134
#define DSBC_ND_NEIGH_SOLICIT 135
#define DSBC_ND_NEIGH_ADVERT 136

/** Room an NS or NA built here takes: IPv6 header, 24 bytes, one option. */
#define DSBC_ND_PKT_LEN (40 + 24 + 8)

/** Why an ND message was not valid (RFC 4861 sections 7.1.1 and 7.1.2). */
enum dsbc_nd_err {
	DSBC_ND_OK = 0,
	DSBC_ND_ERR_HOP_LIMIT,  /**< not 255: it crossed a router */
	DSBC_ND_ERR_CKSUM,      /**< ICMPv6 checksum wrong */
	DSBC_ND_ERR_FORMAT,     /**< code not 0, too short, an option of length 0 */
	DSBC_ND_ERR_TARGET,     /**< multicast target address */
	DSBC_ND_ERR_DAD,        /**< unspecified source: not to a solicited-node
				 *   group, or with a source link-layer address */
	DSBC_ND_ERR_SOLICITED,  /**< advertisement to a multicast group with S set */
	DSBC_ND_ERR_TYPE,       /**< not a neighbour solicitation or advertisement */
};

/** What a valid NS or NA says. */
struct dsbc_nd_msg {
	uint8_t type;            /**< DSBC_ND_NEIGH_SOLICIT or _ADVERT */
	bool router, solicited, override;  /**< NA flags (RFC 4861 4.4) */
	bool has_lladdr;         /**< NS: source, NA: target link-layer option */
	uint8_t lladdr[6];
	struct dsbc_addr target;
};

/**
 * The ICMPv6 checksum of a packet (RFC 4443 section 2.3, the pseudo
 * header of RFC 8200 section 8.1), ready to store.
 *
 * @param ip6  the IPv6 header: its addresses are read
 * @param icmp  the ICMPv6 message, its checksum field zero
 * @param len  the message's length
 * @return the checksum in network order
 */
uint16_t dsbc_icmp6_cksum(const uint8_t *ip6, const uint8_t *icmp,
			  uint32_t len);

/**
 * Validate a neighbour solicitation or advertisement.
 *
 * @param ip6  its IPv6 header (hop limit, addresses)
 * @param icmp  the ICMPv6 message
 * @param len  the message's length (to the end of the IPv6 payload)
 * @param nd  out: what it says, when valid
 * @return DSBC_ND_OK, or why it must be dropped (enum dsbc_nd_err)
 */
int dsbc_nd_parse(const uint8_t *ip6, const uint8_t *icmp, uint32_t len,
		  struct dsbc_nd_msg *nd);

/**
 * The solicited-node multicast group of an address and its Ethernet
 * group (RFC 4291 section 2.7.1, RFC 2464 section 7).
 *
 * @param a  the address
 * @param group  out: ff02::1:ffXX:XXXX, or NULL
 * @param mac  out: 33:33:ff:XX:XX:XX, or NULL
 */
void dsbc_nd_solicited_node(const struct dsbc_addr *a, struct dsbc_addr *group,
			    uint8_t mac[6]);

/**
 * The link-local address of an interface from its MAC (RFC 4291
 * appendix A, modified EUI-64).
 *
 * @param mac  the interface's MAC
 * @param ll  out: fe80::/64 and the interface identifier
 */
void dsbc_nd_link_local(const uint8_t mac[6], struct dsbc_addr *ll);

/** @return whether a is in fe80::/10 */
bool dsbc_nd_is_link_local(const struct dsbc_addr *a);

/**
 * Build a multicast neighbour solicitation for target (RFC 4861 section
 * 7.2.2): from src, to target's solicited-node group, hop limit 255,
 * with our link-layer address.
 *
 * @param buf  out: DSBC_ND_PKT_LEN bytes, the IPv6 header first
 * @param src  our address on that link
 * @param target  the address to resolve
 * @param mac  our MAC
 * @param dst_mac  out: the Ethernet group to send it to
 * @return the packet's length
 */
uint32_t dsbc_nd_build_ns(uint8_t *buf, const struct dsbc_addr *src,
			  const struct dsbc_addr *target, const uint8_t mac[6],
			  uint8_t dst_mac[6]);

/**
 * Build the neighbour advertisement answering a solicitation (RFC 4861
 * section 7.2.4): from target (ours), hop limit 255, O set, with our
 * link-layer address; to the solicitation's source with S set, or, when
 * that was the unspecified address (duplicate address detection), to
 * all nodes (ff02::1) with S clear.
 *
 * @param buf  out: DSBC_ND_PKT_LEN bytes, the IPv6 header first
 * @param target  our address that was asked for
 * @param src  the solicitation's source
 * @param mac  our MAC
 * @param dst_mac  out: the Ethernet group for all nodes (33:33:00:00:00:01)
 *   when the answer goes there, else untouched
 * @return the packet's length
 */
uint32_t dsbc_nd_build_na(uint8_t *buf, const struct dsbc_addr *target,
			  const struct dsbc_addr *src, const uint8_t mac[6],
			  uint8_t dst_mac[6]);

/**
 * Turn an echo request into its reply in place (RFC 4443 section 4.2):
 * addresses swapped, type 129, hop limit set, checksum new; the
 * identifier, sequence and data stay.
 *
 * @param ip6  the IPv6 header, directly followed by the ICMPv6 message
 * @param len  the ICMPv6 message's length
 * @param hop_limit  the reply's hop limit
 * @return 0, or -1 when it is not an echo request with a valid checksum
 */
int dsbc_icmp6_echo_reply(uint8_t *ip6, uint32_t len, uint8_t hop_limit);

#endif /* DSBC_ND_H */
