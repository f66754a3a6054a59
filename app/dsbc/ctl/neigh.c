/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Management lcore: neighbour table and the exception path (ARP, ND,
 * ICMP).  Answers ARP (RFC 826) and neighbour solicitations (RFC 4861)
 * for the port addresses, resolves next hops by both so the workers'
 * flows carry the right destination MAC, answers ICMP and ICMPv6 echo to
 * the port addresses (RFC 792, RFC 4443).
 */
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "dsbc_nd.h"
#include "dsbc_net.h"
#include "ctl/mgmt.h"
#include "dp/worker.h"
#include "log.h"

void
dsbc_mgmt_tx(struct dsbc_app *app, uint16_t port_id, struct rte_mbuf *m)
{
	int p = dsbc_port_of_id(app, port_id);

	if (p < 0 || app->mgmt_txb[p] == NULL) {
		app->mst.tx_fail++;
		rte_pktmbuf_free(m);
		return;
	}
	rte_eth_tx_buffer(port_id, app->mgmt_txq, app->mgmt_txb[p], m);
}

void
dsbc_mgmt_tx_flush(struct dsbc_app *app)
{
	uint16_t p;

	for (p = 0; p < app->nb_ports; p++)
		if (app->mgmt_txb[p] != NULL)
			rte_eth_tx_buffer_flush(app->ports[p].port_id,
						app->mgmt_txq,
						app->mgmt_txb[p]);
}

static void
neigh_send(struct dsbc_app *app, uint16_t id)
{
	const struct dsbc_neigh *n = &app->neigh[id];
	struct dsbc_msg m;
	uint16_t w;

	memset(&m, 0, sizeof(m));
	m.type = DSBC_MSG_NEIGH_UPDATE;
	m.neigh.neigh_id = id;
	m.neigh.valid = n->state == DSBC_NEIGH_REACHABLE ||
			n->state == DSBC_NEIGH_STATIC;
	m.neigh.mac = n->mac;
	for (w = 0; w < app->nb_workers; w++) {
		m.worker = (uint8_t)w;
		dsbc_msg_send(&app->ctrl[w], &m);
	}
}

void
dsbc_neigh_broadcast(struct dsbc_app *app, uint16_t id)
{
	neigh_send(app, id);
}

int
dsbc_neigh_get(struct dsbc_app *app, uint16_t port, uint8_t family,
	       const struct dsbc_addr *ip)
{
	uint16_t i;

	for (i = 0; i < app->nb_neigh; i++)
		if (app->neigh[i].port == port && app->neigh[i].family == family &&
		    memcmp(&app->neigh[i].ip, ip, sizeof(*ip)) == 0)
			return i;
	if (app->nb_neigh >= DSBC_NEIGH_MAX)
		return -1;
	i = app->nb_neigh++;
	memset(&app->neigh[i], 0, sizeof(app->neigh[i]));
	app->neigh[i].port = port;
	app->neigh[i].family = family;
	app->neigh[i].ip = *ip;
	app->neigh[i].state = DSBC_NEIGH_INCOMPLETE;
	return i;
}

const struct rte_ether_addr *
dsbc_neigh_mac(struct dsbc_app *app, uint16_t port, uint8_t family,
	       const struct dsbc_addr *ip)
{
	int id = dsbc_neigh_get(app, port, family, ip);

	if (id < 0 || (app->neigh[id].state != DSBC_NEIGH_REACHABLE &&
		       app->neigh[id].state != DSBC_NEIGH_STATIC))
		return NULL;
	return &app->neigh[id].mac;
}

int
dsbc_neigh_static(struct dsbc_app *app, const struct dsbc_neigh_cfg *c)
{
	int id = dsbc_neigh_get(app, c->port, c->family, &c->ip);

	if (id < 0)
		return -1;
	memcpy(app->neigh[id].mac.addr_bytes, c->mac.bytes, RTE_ETHER_ADDR_LEN);
	app->neigh[id].state = DSBC_NEIGH_STATIC;
	neigh_send(app, (uint16_t)id);
	return id;
}

/* Prepend Ethernet (+ 802.1Q when the port has a VLAN) to an mbuf. */
int
dsbc_push_l2(struct rte_mbuf *m, const struct dsbc_port_rt *p,
	const struct rte_ether_addr *dst, uint16_t ether_type)
{
	struct rte_ether_hdr *eh;
	size_t l2 = sizeof(*eh) + (p->vlan ? sizeof(struct rte_vlan_hdr) : 0);

	eh = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, (uint16_t)l2);
	if (eh == NULL)
		return -1;
	eh->dst_addr = *dst;
	eh->src_addr = p->mac;
	if (p->vlan) {
		struct rte_vlan_hdr *vh = (struct rte_vlan_hdr *)(eh + 1);

		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
		vh->vlan_tci = rte_cpu_to_be_16(p->vlan);
		vh->eth_proto = rte_cpu_to_be_16(ether_type);
	} else {
		eh->ether_type = rte_cpu_to_be_16(ether_type);
	}
	return 0;
}

static void
arp_request(struct dsbc_app *app, const struct dsbc_neigh *n)
{
	const struct dsbc_port_rt *p = &app->ports[n->port];
	struct rte_ether_addr bcast;
	struct rte_arp_hdr *a;
	struct rte_mbuf *m;

	if (!p->has_ip4)
		return;
	m = rte_pktmbuf_alloc(app->pool);
	if (m == NULL)
		return;
	a = (struct rte_arp_hdr *)rte_pktmbuf_append(m, sizeof(*a));
	memset(&bcast, 0xff, sizeof(bcast));
	a->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = RTE_ETHER_ADDR_LEN;
	a->arp_plen = 4;
	a->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	a->arp_data.arp_sha = p->mac;
	a->arp_data.arp_sip = p->ip4.v4;
	memset(&a->arp_data.arp_tha, 0, sizeof(a->arp_data.arp_tha));
	a->arp_data.arp_tip = n->ip.v4;
	if (dsbc_push_l2(m, p, &bcast, RTE_ETHER_TYPE_ARP) != 0) {
		rte_pktmbuf_free(m);
		return;
	}
	app->mst.arp_requests_sent++;
	dsbc_mgmt_tx(app, p->port_id, m);
}

/* RFC 4861 7.2.2: a multicast solicitation for an unresolved next hop,
 * from our link-local address when the target is link-local. */
static void
nd_solicit(struct dsbc_app *app, const struct dsbc_neigh *n)
{
	const struct dsbc_port_rt *p = &app->ports[n->port];
	struct rte_ether_addr group;
	struct rte_mbuf *m;
	uint8_t *buf;
	uint32_t len;

	if (!p->has_ip6)
		return;
	m = rte_pktmbuf_alloc(app->pool);
	if (m == NULL)
		return;
	buf = (uint8_t *)rte_pktmbuf_append(m, DSBC_ND_PKT_LEN);
	if (buf == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	len = dsbc_nd_build_ns(buf, dsbc_nd_is_link_local(&n->ip) ? &p->ll6 :
			       &p->ip6, &n->ip, p->mac.addr_bytes,
			       group.addr_bytes);
	rte_pktmbuf_trim(m, (uint16_t)(DSBC_ND_PKT_LEN - len));
	if (dsbc_push_l2(m, p, &group, RTE_ETHER_TYPE_IPV6) != 0) {
		rte_pktmbuf_free(m);
		return;
	}
	app->mst.nd_solicits_sent++;
	dsbc_mgmt_tx(app, p->port_id, m);
}

void
dsbc_neigh_probe(struct dsbc_app *app, uint64_t now)
{
	uint64_t retry = app->tsc_hz / 1000 * app->cfg.arp_retry_ms;
	uint16_t i;

	for (i = 0; i < app->nb_neigh; i++) {
		struct dsbc_neigh *n = &app->neigh[i];

		if (n->state != DSBC_NEIGH_INCOMPLETE || now < n->next_probe_tsc)
			continue;
		if (n->family == 4)
			arp_request(app, n);
		else
			nd_solicit(app, n);
		n->probes++;
		/* back off to 8x the retry interval after 3 misses */
		n->next_probe_tsc = now + (n->probes > 3 ? 8 * retry : retry);
	}
}

/*
 * Learn a MAC for an entry we are resolving or keep, from ARP or ND.
 * keep: a reachable entry keeps its MAC (an advertisement without the
 * override flag, RFC 4861 7.2.5).  Returns whether anything changed.
 */
static bool
neigh_learn(struct dsbc_app *app, int in, uint8_t family,
	    const struct dsbc_addr *ip, const struct rte_ether_addr *mac,
	    bool keep)
{
	bool changed = false;
	uint16_t i;

	for (i = 0; i < app->nb_neigh; i++) {
		struct dsbc_neigh *n = &app->neigh[i];

		if (n->port != in || n->family != family ||
		    !dsbc_addr_eq(&n->ip, ip) || n->state == DSBC_NEIGH_STATIC)
			continue;
		if (n->state == DSBC_NEIGH_REACHABLE &&
		    (keep || rte_is_same_ether_addr(&n->mac, mac)))
			continue;
		n->mac = *mac;
		n->state = DSBC_NEIGH_REACHABLE;
		changed = true;
		neigh_send(app, i);
	}
	return changed;
}

static void
arp_learn(struct dsbc_app *app, int in, rte_be32_t sip,
	  const struct rte_ether_addr *sha)
{
	struct dsbc_addr ip;

	memset(&ip, 0, sizeof(ip));
	ip.v4 = sip;
	if (neigh_learn(app, in, 4, &ip, sha, false))
		app->mst.arp_learned++;
}

static void
arp_input(struct dsbc_app *app, int in, struct rte_mbuf *m,
	  const struct dsbc_pkt_info *pi)
{
	const struct dsbc_port_rt *p = &app->ports[in];
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *a = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *,
							pi->l2_len);
	uint16_t op = rte_be_to_cpu_16(a->arp_opcode);
	rte_be32_t tip;

	app->mst.arp_rx++;
	arp_learn(app, in, a->arp_data.arp_sip, &a->arp_data.arp_sha);
	if (op != RTE_ARP_OP_REQUEST ||
	    !dsbc_port_has_ip4(p, a->arp_data.arp_tip)) {
		app->mst.arp_ignored++;
		rte_pktmbuf_free(m);
		return;
	}
	/* RFC 826: turn the request into the reply in place. */
	a->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	tip = a->arp_data.arp_tip;
	a->arp_data.arp_tha = a->arp_data.arp_sha;
	a->arp_data.arp_tip = a->arp_data.arp_sip;
	a->arp_data.arp_sha = p->mac;
	a->arp_data.arp_sip = tip;
	eh->dst_addr = a->arp_data.arp_tha;
	eh->src_addr = p->mac;
	rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - pi->l2_len - sizeof(*a)));
	app->mst.arp_replies_sent++;
	dsbc_mgmt_tx(app, p->port_id, m);
}

/* RFC 792 echo reply to an echo request for a port address. */
static void
icmp_input(struct dsbc_app *app, int in, struct rte_mbuf *m,
	   const struct dsbc_pkt_info *pi)
{
	const struct dsbc_port_rt *p = &app->ports[in];
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
					struct rte_ipv4_hdr *, pi->l2_len);
	struct rte_icmp_hdr *ic = rte_pktmbuf_mtod_offset(m,
					struct rte_icmp_hdr *, pi->l4_off);
	uint32_t icmp_len = pi->frame_len - pi->l4_off;
	rte_be32_t tmp;

	if (!dsbc_port_has_ip4(p, ip->dst_addr) ||
	    icmp_len < sizeof(*ic) || ic->icmp_type != RTE_IP_ICMP_ECHO_REQUEST ||
	    !rte_is_same_ether_addr(&eh->dst_addr, &p->mac)) {
		app->mst.icmp_ignored++;
		rte_pktmbuf_free(m);
		return;
	}
	ic->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	ic->icmp_cksum = 0;
	ic->icmp_cksum = (rte_be16_t)~dsbc_net_cksum_fold(
				dsbc_net_cksum_partial(ic, icmp_len, 0));
	tmp = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = tmp;
	ip->time_to_live = app->cfg.ttl;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = dsbc_net_ipv4_cksum(ip);
	eh->dst_addr = eh->src_addr;
	eh->src_addr = p->mac;
	rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - pi->frame_len));
	app->mst.icmp_echo_replies++;
	dsbc_mgmt_tx(app, p->port_id, m);
}

/* Answer a solicitation for one of our addresses (RFC 4861 7.2.3-7.2.4),
 * learning the asker's MAC on the way; the mbuf becomes the answer. */
static void
nd_solicited(struct dsbc_app *app, int in, struct rte_mbuf *m,
	     const struct dsbc_pkt_info *pi, const struct dsbc_nd_msg *nd)
{
	const struct dsbc_port_rt *p = &app->ports[in];
	const struct rte_ether_hdr *eh =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	struct rte_ether_addr to;
	struct dsbc_addr target = nd->target, peer = pi->src;
	uint8_t *buf;
	uint32_t len;

	if (!dsbc_port_has_ip6(p, &target)) {
		app->mst.icmp6_ignored++;
		rte_pktmbuf_free(m);
		return;
	}
	app->mst.nd_solicits_rx++;
	if (nd->has_lladdr) {
		/* never from :: (dsbc_nd_parse refuses it there) */
		memcpy(to.addr_bytes, nd->lladdr, RTE_ETHER_ADDR_LEN);
		if (neigh_learn(app, in, 6, &peer, &to, false))
			app->mst.nd_learned++;
	} else {
		to = eh->src_addr;
	}
	/* duplicate address detection of one of ours (RFC 4862 5.4.3):
	 * the answer to all nodes tells the prober the address is taken */
	app->mst.nd_dad_defended += dsbc_addr_is_unspecified(&peer);
	rte_pktmbuf_reset(m);
	buf = (uint8_t *)rte_pktmbuf_append(m, DSBC_ND_PKT_LEN);
	if (buf == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	len = dsbc_nd_build_na(buf, &target, &peer, p->mac.addr_bytes,
			       to.addr_bytes);
	rte_pktmbuf_trim(m, (uint16_t)(DSBC_ND_PKT_LEN - len));
	if (dsbc_push_l2(m, p, &to, RTE_ETHER_TYPE_IPV6) != 0) {
		rte_pktmbuf_free(m);
		return;
	}
	app->mst.nd_adverts_sent++;
	dsbc_mgmt_tx(app, p->port_id, m);
}

/*
 * ICMPv6 for a port: neighbour solicitations and advertisements (RFC
 * 4861), echo requests to our addresses (RFC 4443 4.1).  Router
 * advertisements and the rest are left alone: next hops come from the
 * config ([port.N] gateway6), not from routers on the link.
 */
static void
icmp6_input(struct dsbc_app *app, int in, struct rte_mbuf *m,
	    const struct dsbc_pkt_info *pi)
{
	const struct dsbc_port_rt *p = &app->ports[in];
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint8_t *ip6 = rte_pktmbuf_mtod_offset(m, uint8_t *, pi->l2_len);
	uint8_t *icmp = rte_pktmbuf_mtod_offset(m, uint8_t *, pi->l4_off);
	uint32_t len = pi->frame_len - pi->l4_off;
	struct rte_ether_addr tmp;
	struct dsbc_nd_msg nd;
	int rc;

	app->mst.icmp6_rx++;
	if (len >= 4 && icmp[0] == DSBC_ICMP6_ECHO_REQUEST) {
		if (pi->l3_len != 40 || !dsbc_port_has_ip6(p, &pi->dst) ||
		    !rte_is_same_ether_addr(&eh->dst_addr, &p->mac) ||
		    dsbc_icmp6_echo_reply(ip6, len, app->cfg.ttl) != 0) {
			app->mst.icmp6_ignored++;
			rte_pktmbuf_free(m);
			return;
		}
		tmp = eh->src_addr;
		eh->dst_addr = tmp;
		eh->src_addr = p->mac;
		rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - pi->frame_len));
		app->mst.icmp6_echo_replies++;
		dsbc_mgmt_tx(app, p->port_id, m);
		return;
	}
	rc = dsbc_nd_parse(ip6, icmp, len, &nd);
	if (rc == DSBC_ND_ERR_TYPE || !p->has_ip6) {
		app->mst.icmp6_ignored++;
	} else if (rc != DSBC_ND_OK) {
		app->mst.nd_invalid++;
	} else if (nd.type == DSBC_ND_NEIGH_SOLICIT) {
		nd_solicited(app, in, m, pi, &nd);
		return;
	} else {
		app->mst.nd_adverts_rx++;
		if (nd.has_lladdr) {
			memcpy(tmp.addr_bytes, nd.lladdr, RTE_ETHER_ADDR_LEN);
			if (neigh_learn(app, in, 6, &nd.target, &tmp,
					!nd.override))
				app->mst.nd_learned++;
		}
	}
	rte_pktmbuf_free(m);
}

void
dsbc_exc_handle(struct dsbc_app *app, struct rte_mbuf *m)
{
	struct dsbc_pkt_info pi;
	int in = dsbc_port_of_id(app, m->port);

	if (in < 0) {
		app->mst.exc_other++;
		rte_pktmbuf_free(m);
		return;
	}
	switch (dsbc_net_parse(rte_pktmbuf_mtod(m, const uint8_t *),
			       m->data_len, &pi)) {
	case DSBC_PKT_ARP:
		arp_input(app, in, m, &pi);
		return;
	case DSBC_PKT_ICMP:
		icmp_input(app, in, m, &pi);
		return;
	case DSBC_PKT_ICMP6:
		icmp6_input(app, in, m, &pi);
		return;
	default:
		app->mst.exc_other++;
		break;
	}
	rte_pktmbuf_free(m);
}
