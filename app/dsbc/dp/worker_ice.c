/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ICE-lite responder in the worker (RFC 8445 section 2.5, DESIGN 3):
 * a connectivity check reaching a flow whose leg has a dsbc ICE agent is
 * verified (USERNAME, MESSAGE-INTEGRITY with dsbc's password, FINGERPRINT)
 * and answered in place: the request's mbuf becomes the Binding success,
 * sent back out of the port it came in on to where it came from.  Per
 * packet: no allocation, no lock; the HMAC runs only on checks, which
 * peers send a few times a second at most (consent, RFC 7675: every 5 s).
 */
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "dsbc_stun.h"
#include "dp/worker.h"
#include "dp/worker_ice.h"

enum dsbc_drop
dsbc_worker_ice(struct dsbc_app *app, struct dsbc_worker *w,
		struct dsbc_flow *f, struct rte_mbuf *m,
		const struct dsbc_pkt_info *pi, bool *nominated)
{
	const struct dsbc_port_rt *p;
	struct dsbc_ice_agent *a;
	struct dsbc_stun_msg sm;
	struct rte_ether_hdr *eh;
	struct rte_udp_hdr *uh;
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	uint8_t *stun = frame + pi->payload_off;
	uint32_t room, n;
	int in;

	if (f->spec.ice_id == 0 || f->spec.ice_id > app->cfg.ice_capacity ||
	    !w->ice[f->spec.ice_id].in_use)
		return DSBC_DROP_STUN_NOT_CHECK;
	a = &w->ice[f->spec.ice_id];
	if (dsbc_stun_parse(stun, pi->payload_len, &sm) != DSBC_STUN_ERR_NONE)
		return DSBC_DROP_STUN_MALFORMED;
	switch (dsbc_stun_check(stun, &sm, a->local_ufrag, a->remote_ufrag,
				a->pwd, a->pwd_len)) {
	case DSBC_STUN_ERR_NONE:
		break;
	case DSBC_STUN_ERR_NOT_REQUEST:
		return DSBC_DROP_STUN_NOT_CHECK;
	default:
		f->st.stun_refused++;
		return DSBC_DROP_STUN_AUTH;
	}
	*nominated = sm.use_candidate;

	/* Binding success over the request's payload (section 7.3.1.4) */
	room = pi->payload_len + rte_pktmbuf_tailroom(m);
	n = dsbc_stun_binding_success(stun, pi->family, &pi->src, pi->src_port,
				      a->pwd, a->pwd_len, stun, room);
	in = dsbc_port_of_id(app, m->port);
	if (n == 0 || in < 0)
		return DSBC_DROP_NO_HEADROOM;
	p = &app->ports[in];

	/* back where it came from: swap L2, L3 and L4 addresses */
	eh = (struct rte_ether_hdr *)frame;
	rte_ether_addr_copy(&eh->src_addr, &eh->dst_addr);
	rte_ether_addr_copy(&p->mac, &eh->src_addr);
	uh = (struct rte_udp_hdr *)(frame + pi->l4_off);
	uh->src_port = rte_cpu_to_be_16(pi->dst_port);
	uh->dst_port = rte_cpu_to_be_16(pi->src_port);
	uh->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + n));
	uh->dgram_cksum = 0;
	if (pi->family == 4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)
					  (frame + pi->l2_len);

		ip->src_addr = pi->dst.v4;
		ip->dst_addr = pi->src.v4;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(pi->l3_len +
							       8 + n));
		ip->time_to_live = app->cfg.ttl;
		ip->fragment_offset = 0;
		ip->hdr_checksum = 0;
		ip->hdr_checksum = dsbc_net_ipv4_cksum(ip);
		uh->dgram_cksum = dsbc_net_udp_cksum(4, ip, uh);
	} else {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)
					  (frame + pi->l2_len);

		/* extension headers are not echoed: plain IPv6 + UDP */
		memcpy(ip->src_addr, pi->dst.a8, 16);
		memcpy(ip->dst_addr, pi->src.a8, 16);
		ip->proto = IPPROTO_UDP;
		ip->hop_limits = app->cfg.ttl;
		ip->payload_len = rte_cpu_to_be_16((uint16_t)(8 + n));
		if (pi->l3_len != sizeof(*ip)) {
			memmove(frame + pi->l2_len + sizeof(*ip), uh, 8 + n);
			uh = (struct rte_udp_hdr *)(frame + pi->l2_len +
						    sizeof(*ip));
		}
		uh->dgram_cksum = dsbc_net_udp_cksum(6, ip, uh);
	}
	m->data_len = (uint16_t)((uint8_t *)uh + 8 + n - frame);
	m->pkt_len = m->data_len;
	f->st.stun_answered++;
	w->st.stun_answered++;
	return DSBC_DROP_MAX;   /* answered: the caller sends m on in */
}
