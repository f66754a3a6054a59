/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SIP over UDP on the management lcore (RFC 3261 section 18).  Large SIP
 * messages (an offer with many candidates) arrive as IPv4 or IPv6
 * fragments: the workers punt every fragment for a local address here and
 * rte_ip_frag rebuilds the datagram.  Outgoing messages larger than the port MTU are
 * fragmented the same way.
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_random.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "ctl/mgmt.h"
#include "ctl/sip.h"
#include "log.h"

#define FRAG_BUCKETS      1024
#define FRAG_BUCKET_SIZE  8
#define FRAG_MAX_FLOWS    4096
#define FRAG_TTL_MS       2000     /* a datagram's fragments must arrive within */
#define FRAG_NEW_BUCKETS  64       /* strangers' fragments */
#define FRAG_NEW_MAX_FLOWS 256
#define FRAG_NEW_TTL_MS   500
#define DEFAULT_MTU       1500
#define MAX_TX_FRAGS      48       /* 65535 / (1500 - 20) rounded up */

uint64_t
dsbc_sip_now_ms(const struct dsbc_app *app)
{
	return (rte_rdtsc() - app->start_tsc) / (app->tsc_hz / 1000);
}

int
dsbc_sip_init(struct dsbc_app *app)
{
	struct dsbc_sip_rt *s;
	int socket = (int)rte_socket_id();

	s = rte_zmalloc_socket("dsbc_sip", sizeof(*s), RTE_CACHE_LINE_SIZE,
			       socket);
	if (s == NULL)
		return -ENOMEM;
	app->sip = s;
	s->frag_tbl = rte_ip_frag_table_create(FRAG_BUCKETS, FRAG_BUCKET_SIZE,
					       FRAG_MAX_FLOWS,
					       app->tsc_hz / 1000 * FRAG_TTL_MS,
					       socket);
	/* strangers' fragments reassemble apart, in a smaller table with a
	 * shorter life: a flood of fragments that never complete cannot
	 * crowd out a trusted peer's large INVITE, nor pin many mbufs */
	s->frag_tbl_new = rte_ip_frag_table_create(FRAG_NEW_BUCKETS,
						   FRAG_BUCKET_SIZE,
						   FRAG_NEW_MAX_FLOWS,
						   app->tsc_hz / 1000 *
						   FRAG_NEW_TTL_MS, socket);
	s->death_row = rte_zmalloc_socket("dsbc_sip_dr", sizeof(*s->death_row),
					  0, socket);
	s->indirect = rte_pktmbuf_pool_create("dsbc_sip_indirect", 1023, 32,
					      0, 0, socket);
	if (s->frag_tbl == NULL || s->frag_tbl_new == NULL ||
	    s->death_row == NULL || s->indirect == NULL)
		return -ENOMEM;
	if (dsbc_sip_admit_init(app) != 0)
		return -ENOMEM;
	return dsbc_b2bua_host_init(app);
}

void
dsbc_sip_fini(struct dsbc_app *app)
{
	struct dsbc_sip_rt *s = app->sip;

	if (s == NULL)
		return;
	dsbc_b2bua_host_fini(app);
	dsbc_sip_admit_fini(app);
	if (s->death_row != NULL)
		rte_ip_frag_free_death_row(s->death_row, 0);
	rte_ip_frag_table_destroy(s->frag_tbl);
	rte_ip_frag_table_destroy(s->frag_tbl_new);
	rte_mempool_free(s->indirect);
	rte_free(s->death_row);
	rte_free(s);
	app->sip = NULL;
}

uint32_t
dsbc_sip_tick(struct dsbc_app *app)
{
	struct dsbc_sip_rt *s = app->sip;
	uint64_t now = dsbc_sip_now_ms(app);

	rte_ip_frag_free_death_row(s->death_row, 0);
	dsbc_sip_admit_adjust(app, rte_rdtsc());
	if (now < dsbc_b2bua_next_timeout(s->b2b))
		return 0;
	dsbc_b2bua_on_timeout(s->b2b, now);
	return 1;
}

/* Addresses and ports of a datagram, and the MAC to answer to. */
static void
peer_of(const struct rte_mbuf *m, int in, const struct dsbc_pkt_info *pi,
	struct dsbc_sip_peer *p)
{
	const struct rte_ether_hdr *eh =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	memset(p, 0, sizeof(*p));
	p->in = (uint16_t)in;
	p->family = pi->family;
	p->local = pi->dst;
	p->local_port = pi->dst_port;
	p->remote = pi->src;
	p->remote_port = pi->src_port;
	memcpy(p->remote_mac.bytes, eh->src_addr.addr_bytes, RTE_ETHER_ADDR_LEN);
}

/* A complete (possibly chained, reassembled) IPv4/IPv6 UDP datagram of
 * priority prio. */
static void
deliver(struct dsbc_app *app, struct rte_mbuf *m, int in,
	enum dsbc_sip_prio prio, bool admitted)
{
	enum dsbc_sip_admit_verdict v = DSBC_SIP_ADMIT;
	struct dsbc_sip_rt *s = app->sip;
	struct dsbc_pkt_info pi;
	struct dsbc_sip_peer peer;
	const uint8_t *hdr;
	uint8_t head[128];
	uint32_t hl;

	/* Headers are in the first segment; parse them from a copy sized
	 * to what the whole chain holds. */
	hl = RTE_MIN(m->pkt_len, (uint32_t)sizeof(head));
	hdr = rte_pktmbuf_read(m, 0, hl, head);
	if (hdr == NULL || dsbc_net_parse(hdr, m->pkt_len, &pi) != DSBC_PKT_UDP ||
	    pi.payload_off > hl) {
		s->st.not_udp++;
		rte_pktmbuf_free(m);
		return;
	}
	if (pi.dst_port != app->cfg.sip_port) {
		s->st.not_udp++;
		rte_pktmbuf_free(m);
		return;
	}
	/* strangers' messages: admitted, refused or shed before the
	 * B2BUA keeps anything of them */
	if (prio == DSBC_SIP_PRIO_NEW && !admitted) {
		v = dsbc_sip_admit(app, rte_rdtsc());
		if (v == DSBC_SIP_SHED) {
			s->st.overload_shed++;
			rte_pktmbuf_free(m);
			return;
		}
		if (v == DSBC_SIP_ADMIT)
			s->st.admitted++;
	}
	if (rte_pktmbuf_read(m, pi.payload_off, pi.payload_len,
			     s->rx_buf) != s->rx_buf)
		rte_memcpy(s->rx_buf, rte_pktmbuf_mtod_offset(m, void *,
							      pi.payload_off),
			   pi.payload_len);
	peer_of(m, in, &pi, &peer);
	rte_pktmbuf_free(m);
	s->st.rx++;
	s->st.by_prio[prio]++;
	if (v == DSBC_SIP_REFUSE) {
		if (dsbc_b2bua_sip_refuse(s->b2b, &peer, s->rx_buf,
					  pi.payload_len,
					  dsbc_sip_retry_after(app)) == 0)
			s->st.overload_refused++;
		else
			s->st.overload_shed++;
		return;
	}
	dsbc_sip_deliver(app, &peer, s->rx_buf, pi.payload_len);
}

void
dsbc_sip_input(struct dsbc_app *app, struct rte_mbuf *m, uint64_t now,
	       enum dsbc_sip_prio prio)
{
	struct dsbc_sip_rt *s = app->sip;
	struct rte_ip_frag_tbl *tbl = s->frag_tbl;
	struct dsbc_pkt_info pi;
	struct rte_ipv4_hdr *ip;
	int in = dsbc_port_of_id(app, m->port);

	if (in < 0 || m->nb_segs != 1) {
		s->st.not_udp++;
		rte_pktmbuf_free(m);
		return;
	}
	switch (dsbc_net_parse(rte_pktmbuf_mtod(m, const uint8_t *),
			       m->data_len, &pi)) {
	case DSBC_PKT_UDP:
		deliver(app, m, in, prio, false);
		return;
	case DSBC_PKT_FRAG:
		break;
	default:
		s->st.not_udp++;
		rte_pktmbuf_free(m);
		return;
	}
	s->st.frag_rx++;
	/* a stranger's fragment is admitted (or shed) before it costs a
	 * reassembly slot; the datagram it completes is not charged again */
	if (prio == DSBC_SIP_PRIO_NEW) {
		if (dsbc_sip_admit(app, rte_rdtsc()) != DSBC_SIP_ADMIT) {
			s->st.overload_shed++;
			rte_pktmbuf_free(m);
			return;
		}
		s->st.admitted++;
		tbl = s->frag_tbl_new;
	}
	/* Trim Ethernet padding, then hand the fragment to rte_ip_frag. */
	rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - pi.frame_len));
	m->l2_len = pi.l2_len;
	if (pi.family == 6) {
		struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod_offset(m,
					struct rte_ipv6_hdr *, pi.l2_len);
		struct rte_ipv6_fragment_ext *fh =
			rte_ipv6_frag_get_ipv6_fragment_header(ip6);

		/* RFC 8200 section 4.5: rte_ip_frag takes the Fragment
		 * header right after the fixed one, which is where UAs'
		 * kernels put it; other chains are not reassembled */
		if (fh == NULL) {
			s->st.frag_dropped++;
			rte_pktmbuf_free(m);
			return;
		}
		m->l3_len = sizeof(*ip6) + sizeof(*fh);
		m = rte_ipv6_frag_reassemble_packet(tbl, s->death_row,
						    m, now, ip6, fh);
		if (m == NULL)
			return;     /* kept for later, or dropped (death row) */
		s->st.reassembled++;
		/* UDP right after the fixed header, so deliver() finds it
		 * in the first segment: other headers in the fragmentable
		 * part (RFC 8200 4.5) are not walked across segments */
		ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *,
					      m->l2_len);
		if (ip6->proto != IPPROTO_UDP ||
		    rte_pktmbuf_data_len(m) < m->l2_len + sizeof(*ip6) + 8) {
			s->st.frag_dropped++;
			rte_pktmbuf_free(m);
			return;
		}
		deliver(app, m, in, prio, true);
		return;
	}
	m->l3_len = pi.l3_len;
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, pi.l2_len);
	m = rte_ipv4_frag_reassemble_packet(tbl, s->death_row, m, now,
					    ip);
	if (m == NULL)
		return;             /* kept for later, or dropped (death row) */
	s->st.reassembled++;
	/* The rebuilt datagram has its IPv4 header fixed by the library;
	 * its checksum is recomputed so our parser accepts it. */
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = dsbc_net_ipv4_cksum(ip);
	deliver(app, m, in, prio, true);
}

int
dsbc_sip_send(struct dsbc_app *app, const struct dsbc_sip_peer *to,
	      const char *msg, uint32_t len)
{
	struct dsbc_sip_rt *s = app->sip;
	const struct dsbc_port_rt *p = &app->ports[to->in];
	uint16_t mtu = app->cfg.ports[to->in].mtu ?
		       app->cfg.ports[to->in].mtu : DEFAULT_MTU;
	uint16_t ipl = to->family == 6 ? 40 : 20;
	uint32_t total = ipl + 8u + len;
	struct rte_mbuf *m, *frags[MAX_TX_FRAGS];
	uint32_t frag_id;
	struct rte_udp_hdr *udp;
	uint8_t *ip;
	int n, i;

	struct rte_ether_addr dmac;

	memcpy(dmac.addr_bytes, to->remote_mac.bytes, RTE_ETHER_ADDR_LEN);
	if (total > UINT16_MAX) {
		s->st.tx_fail++;
		return -EMSGSIZE;
	}
	if (to->resolve) {
		/* A request to a next hop: its MAC from the neighbour table;
		 * not known yet, ARP goes out and the retransmission finds it. */
		const struct rte_ether_addr *mac =
			dsbc_neigh_mac(app, to->in, to->family, &to->l2_next);

		if (mac == NULL) {
			s->st.tx_no_neigh++;
			return -EAGAIN;
		}
		dmac = *mac;
	}
	m = rte_pktmbuf_alloc(app->pool);
	if (m == NULL) {
		s->st.tx_fail++;
		return -ENOBUFS;
	}
	/* Headers, then the message over as many segments as it needs. */
	ip = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(ipl + 8));
	{
		struct rte_mbuf *seg = m;
		uint32_t off = 0;

		for (;;) {
			uint32_t chunk = RTE_MIN((uint32_t)
					rte_pktmbuf_tailroom(seg), len - off);

			memcpy(rte_pktmbuf_append(seg, (uint16_t)chunk),
			       msg + off, chunk);
			off += chunk;
			if (seg != m && rte_pktmbuf_chain(m, seg) != 0) {
				rte_pktmbuf_free(seg);
				off = UINT32_MAX;
			}
			if (off >= len)
				break;
			seg = rte_pktmbuf_alloc(app->pool);
			if (seg == NULL) {
				off = UINT32_MAX;
				break;
			}
		}
		if (off == UINT32_MAX) {
			rte_pktmbuf_free(m);
			s->st.tx_fail++;
			return -ENOBUFS;
		}
	}
	udp = (struct rte_udp_hdr *)(ip + ipl);
	udp->src_port = rte_cpu_to_be_16(to->local_port);
	udp->dst_port = rte_cpu_to_be_16(to->remote_port);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + len));
	udp->dgram_cksum = 0;
	if (to->family == 6) {
		struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)ip;

		memset(h, 0, sizeof(*h));
		h->vtc_flow = rte_cpu_to_be_32(6u << 28);
		h->payload_len = udp->dgram_len;
		h->proto = IPPROTO_UDP;
		h->hop_limits = app->cfg.ttl;
		memcpy(h->src_addr, to->local.a8, 16);
		memcpy(h->dst_addr, to->remote.a8, 16);
	} else {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;

		memset(h, 0, sizeof(*h));
		h->version_ihl = 0x45;
		h->total_length = rte_cpu_to_be_16((uint16_t)total);
		h->packet_id = rte_cpu_to_be_16((uint16_t)s->st.tx);
		h->time_to_live = app->cfg.ttl;
		h->next_proto_id = IPPROTO_UDP;
		h->src_addr = to->local.v4;
		h->dst_addr = to->remote.v4;
		h->hdr_checksum = dsbc_net_ipv4_cksum(h);
	}
	/* RFC 768 checksum over the whole chain. */
	{
		uint32_t sum = dsbc_net_cksum_partial(ip + (to->family == 6 ? 8 : 12),
						      to->family == 6 ? 32 : 8, 0);
		struct rte_mbuf *seg;
		uint32_t odd = 0;
		uint16_t c;

		sum += rte_cpu_to_be_16(IPPROTO_UDP) + udp->dgram_len;
		for (seg = m; seg != NULL; seg = seg->next) {
			const uint8_t *d = rte_pktmbuf_mtod(seg, const uint8_t *);
			uint32_t l = seg->data_len, part;

			if (seg == m) {
				d = (const uint8_t *)udp;
				l -= ipl;
			}
			part = dsbc_net_cksum_partial(d, l, 0);
			/* a segment starting at an odd offset: swap bytes */
			sum += odd ? (uint32_t)rte_bswap16((uint16_t)
				dsbc_net_cksum_fold(part)) : part;
			sum = (sum & 0xffff) + (sum >> 16);
			odd ^= l & 1;
		}
		c = (uint16_t)~dsbc_net_cksum_fold(sum);
		udp->dgram_cksum = c == 0 ? 0xffff : c;
	}
	if (total > mtu) {
		/* RFC 791 and RFC 8200 section 4.5 fragmentation: the
		 * fragments share the payload by reference */
		if (to->family == 6)
			n = rte_ipv6_fragment_packet(m, frags, MAX_TX_FRAGS,
						     mtu, app->pool,
						     s->indirect);
		else
			n = rte_ipv4_fragment_packet(m, frags, MAX_TX_FRAGS,
						     mtu, app->pool,
						     s->indirect);
		rte_pktmbuf_free(m);
		if (n < 0) {
			s->st.tx_fail++;
			return n;
		}
		/* one Identification per datagram, not guessable from the
		 * last one (RFC 7739 section 5) */
		frag_id = (uint32_t)rte_rand();
		for (i = 0; i < n; i++) {
			if (to->family == 6) {
				/* rte_ip_frag leaves the Identification 0:
				 * one per datagram (RFC 8200 4.5, RFC 7739) */
				struct rte_ipv6_fragment_ext *fh =
					rte_pktmbuf_mtod_offset(frags[i],
						struct rte_ipv6_fragment_ext *,
						sizeof(struct rte_ipv6_hdr));

				fh->id = rte_cpu_to_be_32(frag_id);
			} else {
				struct rte_ipv4_hdr *h = rte_pktmbuf_mtod(
					frags[i], struct rte_ipv4_hdr *);

				h->hdr_checksum = 0;
				h->hdr_checksum = dsbc_net_ipv4_cksum(h);
			}
			if (dsbc_push_l2(frags[i], p, &dmac, to->family == 6 ?
					 RTE_ETHER_TYPE_IPV6 :
					 RTE_ETHER_TYPE_IPV4) != 0) {
				rte_pktmbuf_free(frags[i]);
				s->st.tx_fail++;
				continue;
			}
			dsbc_mgmt_tx(app, p->port_id, frags[i]);
		}
		s->st.tx_frags += (uint64_t)n;
	} else {
		if (dsbc_push_l2(m, p, &dmac, to->family == 6 ?
			   RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4) != 0) {
			rte_pktmbuf_free(m);
			s->st.tx_fail++;
			return -ENOBUFS;
		}
		dsbc_mgmt_tx(app, p->port_id, m);
	}
	s->st.tx++;
	return 0;
}
