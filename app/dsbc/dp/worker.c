/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Worker lcore: run to completion over its (port, queue) pairs.
 * DESIGN section 3.  Nothing here locks, logs, allocates or enters the
 * kernel per packet; the only syscall is the idle back-off sleep, taken
 * when every queue came back empty idle_polls times in a row.
 */
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "dp/worker.h"
#include "dsbc_hdr.h"
#include "dsbc_net.h"
#include "dp/worker_aware.h"
#include "dp/worker_term.h"
#include "dp/worker_ice.h"
#include "dp/worker_snap.h"
#include "dp/worker_sip.h"
#include "log.h"

#define CTRL_BUDGET 32          /* control messages applied per loop */
#define IDLE_SCAN_BUDGET 1024   /* flow slots examined per idle scan */
#define IDLE_SCAN_PERIOD_MS 10

/* Media packets of one burst, waiting for the bulk flow lookup. */
struct media_batch {
	uint32_t n;
	struct rte_mbuf *m[DSBC_MAX_BURST];
	struct dsbc_pkt_info pi[DSBC_MAX_BURST];
	struct dsbc_flow_key key[DSBC_MAX_BURST];
	const struct dsbc_flow_key *kp[DSBC_MAX_BURST];
	struct dsbc_flow *f[DSBC_MAX_BURST];
};

/* ---- events to the management lcore (counted, retried in order) ---- */

static void
event_flush(struct dsbc_worker *w, struct rte_ring *r)
{
	while (w->ev_len > 0) {
		if (rte_ring_mp_enqueue_elem(r, &w->ev_backlog[w->ev_head],
					     sizeof(struct dsbc_msg)) != 0) {
			w->st.event_enq_fail++;
			return;
		}
		w->st.events++;
		w->ev_head = (w->ev_head + 1) % DSBC_EVENT_BACKLOG;
		w->ev_len--;
	}
}

static struct dsbc_msg *
event_new(struct dsbc_worker *w, enum dsbc_msg_type type)
{
	struct dsbc_msg *m;

	if (w->ev_len == DSBC_EVENT_BACKLOG) {
		w->st.events_lost++;
		return NULL;
	}
	m = &w->ev_backlog[(w->ev_head + w->ev_len) % DSBC_EVENT_BACKLOG];
	w->ev_len++;
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->version = DSBC_MSG_VERSION;
	m->worker = (uint8_t)w->idx;
	m->seq = w->ev_seq++;
	return m;
}

/* ---- control messages ---- */

/* Flow f is removed: what it has waiting for keys goes with it. */
static void
hold_forget(struct dsbc_worker *w, struct dsbc_flow *f)
{
	struct dsbc_hold *h = &w->hold;
	uint32_t i;

	for (i = 0; i < h->n && f->held > 0; i++) {
		if (h->e[i].m == NULL || h->e[i].flow_id != f->flow_id)
			continue;
		dsbc_worker_drop(w, h->e[i].m, DSBC_DROP_NO_FLOW);
		h->e[i].m = NULL;
		f->held--;
	}
	dsbc_hold_compact(h);
}

/*
 * A flow about to be removed: its counters, and what the media-aware
 * state knew of its main source (the SSRC with most packets), for the
 * call's record.  Control path, once per flow.
 */
static void
flow_final(const struct dsbc_worker *w, const struct dsbc_flow *f,
	   struct dsbc_msg_flow_final *o)
{
	const struct dsbc_aware *a = &w->aware[dsbc_flow_id_slot(f->flow_id)];
	const struct dsbc_rtp_src *best = NULL;
	unsigned int i;

	o->pkts = f->st.pkts;
	o->bytes = f->st.bytes;
	o->drops = f->st.drops;
	o->latched = f->latched;
	if (f->latched) {
		o->latched_family = f->latched_family;
		o->latched_port = f->latched_port;
		o->latched_src = f->latched_src;
	}
	if (f->spec.mode != DSBC_MODE_AWARE)
		return;
	for (i = 0; i < a->nb_src && i < DSBC_AWARE_SRCS; i++) {
		const struct dsbc_rtp_src *s = dsbc_aware_rs_c(a, i);

		if (best == NULL || s->received > best->received)
			best = s;
	}
	if (best == NULL || best->received == 0)
		return;
	{
		int64_t lost = dsbc_rtp_src_lost(best);

		o->has_rtp = 1;
		o->ssrc = best->ssrc;
		o->rtp_received = best->received;
		o->rtp_lost = lost > 0 ? (uint32_t)RTE_MIN(lost, (int64_t)UINT32_MAX)
				       : 0;
		o->jitter_us = (uint32_t)RTE_MIN(
			dsbc_rtp_src_jitter_us(best, f->spec.clock_rate),
			(uint64_t)UINT32_MAX);
	}
}

static void
ctrl_apply(struct dsbc_worker *w, const struct dsbc_msg *m)
{
	struct dsbc_msg *ack;
	struct dsbc_msg_flow_final final;
	int rc = 0;

	if (!dsbc_msg_valid(m)) {
		w->st.ctrl_bad++;
		return;
	}
	w->st.ctrl_msgs++;
	switch (m->type) {
	case DSBC_MSG_FLOW_ADD:
		rc = dsbc_flow_table_add(w->flows, m->flow.flow_id, &m->flow.spec);
		if (rc == 0)
			dsbc_aware_apply(&w->aware[dsbc_flow_id_slot(
					 m->flow.flow_id)], &m->flow.spec, true);
		break;
	case DSBC_MSG_FLOW_MOD:
		rc = dsbc_flow_table_mod(w->flows, m->flow.flow_id, &m->flow.spec);
		if (rc == 0)
			dsbc_aware_apply(&w->aware[dsbc_flow_id_slot(
					 m->flow.flow_id)], &m->flow.spec, false);
		break;
	case DSBC_MSG_FLOW_DEL: {
		struct dsbc_flow *f = dsbc_flow_table_slot(w->flows,
							   m->ref.flow_id);

		memset(&final, 0, sizeof(final));
		if (f != NULL && f->in_use && f->flow_id == m->ref.flow_id) {
			if (f->held > 0)
				hold_forget(w, f);
			flow_final(w, f, &final);
		}
		rc = dsbc_flow_table_del(w->flows, m->ref.flow_id);
		if (rc == 0)
			dsbc_term_release(w, f);
		break;
	}
	case DSBC_MSG_FLOW_KEYS: {
		struct dsbc_flow *f = dsbc_flow_table_slot(w->flows,
							   m->keys.flow_id);

		if (f == NULL || !f->in_use || f->flow_id != m->keys.flow_id)
			rc = -ENOENT;
		else
			rc = dsbc_term_keys(w, f, &m->keys);
		/* what waits for these keys is passed on before the next
		 * burst is read */
		if (rc == 0 && w->hold.n > 0)
			w->hold.keys_came = true;
		break;
	}
	case DSBC_MSG_NEIGH_UPDATE:
		if (m->neigh.neigh_id < DSBC_NEIGH_MAX) {
			w->neigh_mac[m->neigh.neigh_id] = m->neigh.mac;
			w->neigh_valid[m->neigh.neigh_id] = m->neigh.valid;
		}
		return;
	case DSBC_MSG_ICE_SET:
		if (m->ice.ice_id == 0 || m->ice.ice_id > w->app->cfg.ice_capacity ||
		    m->ice.pwd_len >= DSBC_ICE_PWD_MAX) {
			w->st.ctrl_bad++;
			return;
		}
		{
			struct dsbc_ice_agent *a = &w->ice[m->ice.ice_id];

			memcpy(a->local_ufrag, m->ice.local_ufrag,
			       sizeof(a->local_ufrag));
			memcpy(a->remote_ufrag, m->ice.remote_ufrag,
			       sizeof(a->remote_ufrag));
			memcpy(a->pwd, m->ice.pwd, sizeof(a->pwd));
			/* the message is not trusted to be terminated */
			a->local_ufrag[sizeof(a->local_ufrag) - 1] = '\0';
			a->remote_ufrag[sizeof(a->remote_ufrag) - 1] = '\0';
			a->pwd_len = m->ice.pwd_len;
			a->in_use = a->local_ufrag[0] != '\0' && a->pwd_len > 0;
		}
		return;
	case DSBC_MSG_SYNC:
		ack = event_new(w, DSBC_MSG_SYNC_ACK);
		if (ack != NULL)
			ack->sync.token = m->sync.token;
		return;
	default:
		w->st.ctrl_bad++;
		return;
	}
	ack = event_new(w, DSBC_MSG_FLOW_ACK);
	if (ack != NULL) {
		ack->ack.op = m->type;
		ack->ack.status = (int16_t)rc;
		if (m->type == DSBC_MSG_FLOW_DEL)
			ack->ack.final = final;
		ack->ack.flow_id = m->type == DSBC_MSG_FLOW_DEL ?
				   m->ref.flow_id :
				   m->type == DSBC_MSG_FLOW_KEYS ?
				   m->keys.flow_id : m->flow.flow_id;
	}
}

static void
ctrl_drain(struct dsbc_worker *w)
{
	struct dsbc_msg msgs[CTRL_BUDGET];
	unsigned int n, i, room = DSBC_EVENT_BACKLOG - w->ev_len;

	/* Every message applied is answered by at most one event: take no
	 * more than the event backlog can hold, so that no acknowledgement
	 * (nor a SYNC's) is ever lost; the rest waits in the ring and the
	 * management lcore's sends back up into its own backlog. */
	n = dsbc_msg_recv(w->ctrl, msgs, RTE_MIN(room, (unsigned int)CTRL_BUDGET));
	for (i = 0; i < n; i++)
		ctrl_apply(w, &msgs[i]);
}

/* ---- classification ---- */

static inline bool
addr_is_local(const struct dsbc_port_rt *p, const struct dsbc_pkt_info *pi)
{
	if (pi->family == 4)
		return dsbc_port_has_ip4(p, pi->dst.v4);
	return (p->has_ip6 && dsbc_addr_eq(&pi->dst, &p->ip6)) ||
	       dsbc_config_ip_match(&p->media6, &pi->dst, true);
}

static inline void
punt(struct dsbc_worker *w, struct rte_ring *r, struct rte_mbuf *m,
     uint64_t *ok, enum dsbc_drop full)
{
	if (rte_ring_mp_enqueue(r, m) != 0)
		dsbc_worker_drop(w, m, full);
	else
		(*ok)++;
}

/*
 * [hep] rtcp: a copy of a relayed RTCP packet for the management lcore,
 * which sends it to the collector.  RTCP is a few packets a stream every
 * few seconds; a copy that cannot be made is counted, the packet itself
 * goes on untouched.
 */
static void
rtcp_copy(struct dsbc_app *app, struct dsbc_worker *w,
	  const struct dsbc_flow *f, struct rte_mbuf *m)
{
	struct rte_mbuf *c = rte_pktmbuf_copy(m, app->pool, 0, UINT32_MAX);

	if (c == NULL) {
		w->st.rtcp_copy_failed++;
		return;
	}
	c->port = m->port;
	c->hash.usr = f->flow_id;
	if (rte_ring_mp_enqueue(app->dtls_ring, c) != 0) {
		rte_pktmbuf_free(c);
		w->st.rtcp_copy_failed++;
		return;
	}
	w->st.rtcp_copied++;
}

/*
 * First stage for one packet: parse, filter, route to the management
 * rings, to another worker, or into the media batch of this worker.
 * in_port is the index into app->ports of the receiving port.
 */
static inline void
classify(struct dsbc_app *app, struct dsbc_worker *w, struct rte_mbuf *m,
	 struct media_batch *b)
{
	const struct dsbc_port_rt *p;
	struct dsbc_pkt_info *pi = &b->pi[b->n];
	const struct rte_ether_hdr *eh;
	int in;
	uint16_t owner;

	if (unlikely(m->nb_segs != 1)) {
		dsbc_worker_drop(w, m, DSBC_DROP_MULTISEG);
		return;
	}
	in = dsbc_port_of_id(app, m->port);
	if (unlikely(in < 0)) {
		dsbc_worker_drop(w, m, DSBC_DROP_NOT_LOCAL);
		return;
	}
	p = &app->ports[in];
	switch (dsbc_net_parse(rte_pktmbuf_mtod(m, const uint8_t *),
			       m->data_len, pi)) {
	case DSBC_PKT_UDP:
		break;
	case DSBC_PKT_ARP:
	case DSBC_PKT_ICMP:
	case DSBC_PKT_ICMP6:
		punt(w, app->exc_ring, m, &w->st.exc_punted,
		     DSBC_DROP_EXC_RING_FULL);
		return;
	case DSBC_PKT_TCP:
		/* the Linux stack's, through the port's exception path:
		 * SIP over TCP, TLS and WebSocket, management */
		eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		if (unlikely(!p->has_exception)) {
			dsbc_worker_drop(w, m, DSBC_DROP_TCP_NO_KERNEL);
		} else if (unlikely(!rte_is_same_ether_addr(&eh->dst_addr,
							    &p->mac))) {
			dsbc_worker_drop(w, m, DSBC_DROP_L2_DST);
		} else if (unlikely(!addr_is_local(p, pi))) {
			dsbc_worker_drop(w, m, DSBC_DROP_NOT_LOCAL);
		} else {
			m->hash.usr = (uint32_t)in;
			punt(w, app->kern_ring, m, &w->st.kern_punted,
			     DSBC_DROP_KERNEL_RING_FULL);
		}
		return;
	case DSBC_PKT_FRAG:
		/* IP fragments: only SIP is expected to fragment; the
		 * management lcore reassembles (rte_ip_frag). */
		if (!addr_is_local(p, pi)) {
			dsbc_worker_drop(w, m, DSBC_DROP_NOT_LOCAL);
			return;
		}
		dsbc_worker_sip(app, w, m, pi, true);
		return;
	default:
		dsbc_worker_drop(w, m, (enum dsbc_drop)pi->drop);
		return;
	}
	/* The NIC filters unicast MACs, but vdevs and promiscuous ports
	 * do not: media must be addressed to us at L2 too. */
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (unlikely(!rte_is_same_ether_addr(&eh->dst_addr, &p->mac))) {
		dsbc_worker_drop(w, m, DSBC_DROP_L2_DST);
		return;
	}
	if (unlikely(!addr_is_local(p, pi))) {
		dsbc_worker_drop(w, m, DSBC_DROP_NOT_LOCAL);
		return;
	}
	if (pi->dst_port == app->cfg.sip_port) {
		dsbc_worker_sip(app, w, m, pi, false);
		return;
	}
	if (unlikely(!dsbc_slices_in_range(&app->slices, pi->dst_port))) {
		dsbc_worker_drop(w, m, DSBC_DROP_UDP_PORT);
		return;
	}
	owner = dsbc_slices_owner(&app->slices, pi->dst_port);
	if (owner != w->idx) {
		/* Software steering (VPP-style handoff) where the NIC could
		 * not deliver the slice to its owner's queue. */
		if (rte_ring_mp_enqueue(app->workers[owner]->handoff, m) != 0)
			dsbc_worker_drop(w, m, DSBC_DROP_HANDOFF_FULL);
		else
			w->st.handoff_out++;
		return;
	}
	b->m[b->n] = m;
	memset(&b->key[b->n], 0, sizeof(b->key[b->n]));
	b->key[b->n].local = pi->dst;
	b->key[b->n].local_port = pi->dst_port;
	b->key[b->n].family = pi->family;
	b->kp[b->n] = &b->key[b->n];
	b->n++;
}

/* ---- per-flow action ---- */

static inline bool
src_matches(const struct dsbc_pkt_info *pi, const struct dsbc_addr *a,
	    uint16_t port, uint8_t family)
{
	return pi->src_port == port && pi->family == family &&
	       dsbc_addr_eq(&pi->src, a);
}

static void
report_latch(struct dsbc_worker *w, struct dsbc_flow *f, bool relatch)
{
	struct dsbc_msg *ev = event_new(w, DSBC_MSG_LATCHED);

	w->st.latched++;
	if (ev == NULL)
		return;
	ev->latched.flow_id = f->flow_id;
	ev->latched.src = f->latched_src;
	ev->latched.port = f->latched_port;
	ev->latched.family = f->latched_family;
	ev->latched.relatch = relatch;
}

/* Latch f onto the packet's source and report it (LATCHED event). */
static void
latch_set(struct dsbc_worker *w, struct dsbc_flow *f,
	  const struct dsbc_pkt_info *pi, uint64_t now)
{
	bool relatch = f->latched != 0;

	f->latched_src = pi->src;
	f->latched_port = pi->src_port;
	f->latched_family = pi->family;
	f->st.latched_tsc = now;
	f->latched = 1;
	report_latch(w, f, relatch);
}

/*
 * RFC 7362 latching and strict source.  Returns false when the packet must
 * be dropped as not coming from the latched (or signalled) source.
 */
static inline bool
latch_check(struct dsbc_worker *w, struct dsbc_flow *f,
	    const struct dsbc_pkt_info *pi, uint64_t now, uint64_t tsc_ms,
	    bool *defer)
{
	/* *defer in: the caller latches itself once the packet
	 * authenticated (terminated SRTP); out: it has to */
	bool want_defer = *defer;

	*defer = false;
	/* With ICE the latch comes from an authenticated check only
	 * (RFC 8445 section 7.3.1.5); media must come from there. */
	if (f->fast & DSBC_FLOW_FAST_ICE)
		return f->latched && src_matches(pi, &f->latched_src,
						 f->latched_port,
						 f->latched_family);
	switch (f->spec.latch) {
	case DSBC_LATCH_OFF:
		return true;
	case DSBC_LATCH_SIGNALLED:
		if (!src_matches(pi, &f->spec.peer, f->spec.peer_port,
				 f->spec.peer_family))
			return false;
		if (unlikely(!f->latched)) {
			if (want_defer)
				*defer = true;
			else
				latch_set(w, f, pi, now);
		}
		return true;
	default: /* DSBC_LATCH_FIRST */
		if (likely(f->latched)) {
			if (likely(src_matches(pi, &f->latched_src,
					       f->latched_port,
					       f->latched_family)))
				return true;
			/* NAT rebinding: a new source may take over after
			 * relatch_ms of silence from the latched one. */
			if (f->spec.relatch_ms == 0 ||
			    now - f->st.last_tsc <
			    (uint64_t)f->spec.relatch_ms * tsc_ms)
				return false;
		}
		/* deferred: a forged packet cannot take the latch */
		if (want_defer)
			*defer = true;
		else
			latch_set(w, f, pi, now);
		return true;
	}
}

/*
 * Per-flow policer, GCRA (the virtual-scheduling form of a token bucket):
 * one packet per police_interval, police_tolerance of burst.  Two loads,
 * a compare and an add per packet.
 */
static inline bool
police_ok(struct dsbc_flow *f, uint64_t now)
{
	uint64_t tat = f->police_tat;

	if (tat < now)
		tat = now;
	else if (tat - now > f->spec.police_tolerance)
		return false;
	f->police_tat = tat + f->spec.police_interval;
	return true;
}

/* f's RTCP sibling (rtcp-mux on one leg only), NULL when it is gone. */
static inline const struct dsbc_flow *
rtcp_sibling(struct dsbc_worker *w, const struct dsbc_flow *f)
{
	const struct dsbc_flow *g;

	g = dsbc_flow_table_slot(w->flows, f->spec.rtcp_sibling - 1);
	if (g == NULL || !g->in_use || g->flow_id != f->spec.rtcp_sibling - 1)
		return NULL;
	return g;
}

/* The flow whose forwarding RTCP takes: its sibling, else f itself. */
static inline const struct dsbc_flow *
rtcp_flow(struct dsbc_worker *w, const struct dsbc_flow *f)
{
	const struct dsbc_flow *g = rtcp_sibling(w, f);

	return g != NULL ? g : f;
}

/*
 * The flow whose keys a terminated packet of class cls on f is protected
 * with: RTCP towards a leg that does not mux it leaves by the sibling
 * flow, keyed for that component; with the sibling gone NULL (it is
 * dropped, never protected with f's own SRTCP state: an index used
 * twice).
 */
static inline const struct dsbc_flow *
term_tx_flow(struct dsbc_worker *w, const struct dsbc_flow *f, uint8_t cls)
{
	if (cls == DSBC_DEMUX_RTCP && f->spec.rtcp_sibling != 0)
		return rtcp_sibling(w, f);
	return f;
}

static inline const struct dsbc_flow_spec *
rtcp_spec(struct dsbc_worker *w, const struct dsbc_flow *f)
{
	return &rtcp_flow(w, f)->spec;
}

/*
 * Last stage for one packet of flow f: the out leg's headers in front of
 * its payload (plen bytes, rewritten in place for terminated flows), and
 * into the TX buffer of its port.
 */
static inline void
media_forward(struct dsbc_app *app, struct dsbc_worker *w, struct dsbc_flow *f,
	      struct rte_mbuf *m, const struct dsbc_pkt_info *pi,
	      enum dsbc_demux_class cls, uint32_t plen, uint64_t now)
{
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *), *start;
	const struct dsbc_flow_spec *sp = &f->spec;
	const struct dsbc_hdr_tmpl *t;
	uint16_t nid;
	int out;

	if (unlikely(cls == DSBC_DEMUX_RTCP && sp->rtcp_sibling != 0))
		sp = rtcp_spec(w, f);
	nid = sp->neigh_id;
	if (unlikely(nid >= DSBC_NEIGH_MAX || !w->neigh_valid[nid])) {
		f->st.drops++;
		dsbc_worker_drop(w, m, DSBC_DROP_NO_NEIGH);
		return;
	}
	t = &sp->tmpl;
	if (unlikely(t->len > pi->payload_off &&
		     rte_pktmbuf_headroom(m) < t->len - pi->payload_off)) {
		f->st.drops++;
		dsbc_worker_drop(w, m, DSBC_DROP_NO_HEADROOM);
		return;
	}
	out = dsbc_port_of_id(app, sp->out_port);
	/* RFC 7879 section 3.1: only L2/L3/L4 change. */
	if (f->spec.mode != DSBC_MODE_TERMINATE) {
		start = dsbc_hdr_rewrite(frame, pi, t, &w->neigh_mac[nid]);
	} else if (app->ports[out].tx_udp_cksum) {
		/* a new payload: the NIC sums it */
		start = dsbc_hdr_rewrite_payload_offload(frame, pi, t,
				&w->neigh_mac[nid], plen);
		m->l2_len = t->l2_len;
		m->l3_len = t->family == 4 ? 20 : 40;
		m->ol_flags |= RTE_MBUF_F_TX_UDP_CKSUM |
			       (t->family == 4 ? RTE_MBUF_F_TX_IPV4 :
						 RTE_MBUF_F_TX_IPV6);
	} else {
		start = dsbc_hdr_rewrite_payload(frame, pi, t,
				&w->neigh_mac[nid], plen);
	}
	m->data_off = (uint16_t)(start - (uint8_t *)m->buf_addr);
	m->data_len = (uint16_t)(t->len + plen);
	m->pkt_len = m->data_len;
	f->st.pkts++;
	f->st.bytes += plen;
	f->st.last_tsc = now;
	f->idle_reported = 0;
	w->st.tx++;
	/* txb is per port index; spec.out_port is the DPDK id */
	rte_eth_tx_buffer(sp->out_port, w->txq, w->txb[out], m);
}

/* Packet p of this batch, authenticated, into the hold to wait for the
 * keys it is protected with; false when there is no room. */
static bool
term_hold_clear(struct dsbc_worker *w, struct dsbc_term_pkt *p, uint64_t now)
{
	struct dsbc_flow *f = p->f;

	if (f->spec.flags & DSBC_FLOW_F_SEND_ONLY ||
	    !dsbc_hold_add(&w->hold, &f->held, f->flow_id, p->m, p->pi, p->off,
			   p->len, p->rtcp ? DSBC_DEMUX_RTCP : DSBC_DEMUX_RTP,
			   p->latch_defer, true, p->since ? p->since : now))
		return false;
	if (p->since == 0)
		w->st.srtp_held++;
	return true;
}

/*
 * The terminated packets parked in this burst: unprotected and protected
 * (worker_term.c), then sent on or dropped in the order they came.
 */
static void
term_flush(struct dsbc_app *app, struct dsbc_worker *w, uint64_t now)
{
	struct dsbc_term_batch *tb = &w->tb;
	uint16_t i;

	dsbc_term_run(w);
	for (i = 0; i < tb->n; i++) {
		struct dsbc_term_pkt *p = &tb->p[i];

		if (unlikely(dsbc_term_done(w, p) != DSBC_DROP_MAX)) {
			/* authentic, but dsbc's keys towards the other leg
			 * are not there yet: it waits for them in the clear */
			if (p->why == DSBC_DROP_SRTP_NO_KEYS && p->m != NULL &&
			    term_hold_clear(w, p, now))
				continue;
			if (p->why == DSBC_DROP_SRTP_NO_KEYS)
				dsbc_term_keyless(w, p->f);
			p->f->st.drops++;
			if (p->m != NULL)
				dsbc_worker_drop(w, p->m,
						 (enum dsbc_drop)p->why);
			else      /* the device kept it */
				w->st.drop[p->why]++;
			continue;
		}
		/* authentic: the source is checked and latched now, as it
		 * would have been on sight without terminate (an earlier
		 * packet of this batch may have latched another one) */
		if (p->latch_defer) {
			bool no_defer = false;

			if (!latch_check(w, p->f, p->pi, now,
					 app->tsc_hz / 1000, &no_defer)) {
				p->f->st.drops++;
				p->f->st.drop_not_latched++;
				dsbc_worker_drop(w, p->m,
						 DSBC_DROP_NOT_LATCHED);
				continue;
			}
		}
		if (p->since != 0)
			w->st.srtp_held_released++;
		media_forward(app, w, p->f, p->m, p->pi,
			      p->rtcp ? DSBC_DEMUX_RTCP : DSBC_DEMUX_RTP,
			      p->len, now);
	}
	tb->n = 0;
}

/*
 * A terminated RTP or RTCP packet of flow f, leaving with ftx's keys
 * (NULL: the RTCP sibling is gone): parked in this burst's batch when f
 * can unprotect it, else held until it can (worker_hold.h), else the
 * reason it is dropped.
 */
static inline enum dsbc_drop
term_hold_or_park(struct dsbc_worker *w, struct dsbc_flow *f,
		  const struct dsbc_flow *ftx, struct rte_mbuf *m,
		  const struct dsbc_pkt_info *pi, enum dsbc_demux_class cls,
		  bool latch_defer, uint64_t now, bool *held)
{
	enum dsbc_drop why;

	if (unlikely(ftx == NULL))
		return DSBC_DROP_SRTP_NO_KEYS;
	if (likely(dsbc_term_rx_keyed(w, f)))
		return dsbc_term_park(w, f, ftx, m, pi, pi->payload_off,
				      pi->payload_len, cls, latch_defer, 0,
				      false);
	why = dsbc_term_check(f, m, pi->payload_off, pi->payload_len, cls);
	if (why != DSBC_DROP_MAX)
		return why;
	if ((f->spec.flags & DSBC_FLOW_F_SEND_ONLY) ||
	    !dsbc_hold_add(&w->hold, &f->held, f->flow_id, m, pi,
			   pi->payload_off, pi->payload_len, cls, latch_defer,
			   false, now)) {
		dsbc_term_keyless(w, f);
		return DSBC_DROP_SRTP_NO_KEYS;
	}
	w->st.srtp_held++;
	*held = true;
	return DSBC_DROP_MAX;
}

/*
 * The held packets whose flows have the keys they wait for now go
 * through the terminator in the order they were held, before anything
 * newer is read from the queues; those that waited srtp_hold_ms are
 * dropped as keyless.
 */
static void
hold_release(struct dsbc_app *app, struct dsbc_worker *w, uint64_t now)
{
	struct dsbc_hold *h = &w->hold;
	uint32_t i, n = h->n;

	h->keys_came = false;
	/* term_flush() may hold some again, after n */
	for (i = 0; i < n; i++) {
		struct dsbc_held *e = &h->e[i];
		struct rte_mbuf *m = e->m;
		struct dsbc_flow *f;
		const struct dsbc_flow *ftx;
		enum dsbc_drop why;
		bool ready;

		if (m == NULL)
			continue;
		f = dsbc_flow_table_slot(w->flows, e->flow_id);
		if (unlikely(f == NULL || !f->in_use ||
			     f->flow_id != e->flow_id)) {
			/* hold_forget() takes them with their flow */
			e->m = NULL;
			dsbc_worker_drop(w, m, DSBC_DROP_NO_FLOW);
			continue;
		}
		ftx = term_tx_flow(w, f, e->cls);
		ready = ftx != NULL && (e->clear ?
			dsbc_term_tx_keyed(w, f, ftx) :
			dsbc_term_rx_keyed(w, f));
		if (!ready && ftx != NULL) {
			if (now - e->tsc < h->max_tsc)
				continue;
			w->st.srtp_held_expired++;
		}
		e->m = NULL;
		f->held--;
		if (!ready) {
			dsbc_term_keyless(w, f);
			why = DSBC_DROP_SRTP_NO_KEYS;
		} else {
			why = dsbc_term_park(w, f, ftx, m, &e->pi, e->off,
					     e->len,
					     (enum dsbc_demux_class)e->cls,
					     e->latch_defer, e->tsc, e->clear);
		}
		if (why != DSBC_DROP_MAX) {
			f->st.drops++;
			dsbc_worker_drop(w, m, why);
			continue;
		}
		/* the batch points at e->pi: no compaction before it ran */
		if (w->tb.n == DSBC_TERM_BATCH)
			term_flush(app, w, now);
	}
	if (w->tb.n > 0)
		term_flush(app, w, now);
	dsbc_hold_compact(h);
}

#define FLOW_PREFETCH 6

static inline void
flow_prefetch(const struct dsbc_worker *w, const struct dsbc_flow *f)
{
	if (f == NULL)
		return;
	/* The two lines a relayed IPv4 RTP packet touches (dsbc_flow.h). */
	rte_prefetch0(f);
	rte_prefetch0(&f->spec);
	/* and, where media-aware is the default, the flow's RTP state line
	 * (the flow's own mode is in a line not loaded yet) */
	if (w->prefetch_aware)
		rte_prefetch0(&w->aware[f - w->flow_base]);
}

static void
media_process(struct dsbc_app *app, struct dsbc_worker *w,
	      struct media_batch *b, uint64_t now)
{
	const uint64_t tsc_ms = app->tsc_hz / 1000;
	uint32_t i;

	if (b->n == 0)
		return;
	dsbc_flow_table_lookup_bulk(w->flows, b->kp, b->n, b->f);
	/* With many flows the entries are not in cache: keep FLOW_PREFETCH
	 * flows in flight ahead of the one being processed (a whole batch at
	 * once would overrun the line fill buffers). */
	for (i = 0; i < b->n && i < FLOW_PREFETCH; i++)
		flow_prefetch(w, b->f[i]);
	for (i = 0; i < b->n; i++) {
		struct rte_mbuf *m = b->m[i];
		const struct dsbc_pkt_info *pi = &b->pi[i];
		struct dsbc_flow *f = b->f[i];
		enum dsbc_demux_class cls;
		uint8_t *frame;
		bool latch_defer;
		uint32_t plen;

		if (i + FLOW_PREFETCH < b->n)
			flow_prefetch(w, b->f[i + FLOW_PREFETCH]);
		if (unlikely(f == NULL)) {
			dsbc_worker_drop(w, m, DSBC_DROP_NO_FLOW);
			continue;
		}
		frame = rte_pktmbuf_mtod(m, uint8_t *);
		if (unlikely(pi->payload_len == 0)) {
			f->st.drops++;
			f->st.cls[DSBC_DEMUX_UNKNOWN]++;
			dsbc_worker_drop(w, m, DSBC_DROP_EMPTY_PAYLOAD);
			continue;
		}
		/* RFC 7983 demux.  Relay forwards every known class. */
		cls = dsbc_demux_classify(frame + pi->payload_off,
					  pi->payload_len);
		w->st.cls[cls]++;
		if (cls != DSBC_DEMUX_RTP)
			f->st.cls[cls]++;
		if (unlikely(cls == DSBC_DEMUX_UNKNOWN)) {
			f->st.drops++;
			dsbc_worker_drop(w, m, DSBC_DROP_DEMUX);
			continue;
		}
		/* dsbc anchors ICE on this leg: checks are for dsbc */
		if (cls == DSBC_DEMUX_STUN && (f->fast & DSBC_FLOW_FAST_ICE)) {
			enum dsbc_drop why;
			bool nominated = false;

			why = dsbc_worker_ice(app, w, f, m, pi, &nominated);
			if (why != DSBC_DROP_MAX) {
				f->st.drops++;
				dsbc_worker_drop(w, m, why);
				continue;
			}
			f->st.last_check_tsc = now;
			f->idle_reported = 0;
			f->consent_reported = 0;
			/* the first valid check latches; a nomination
			 * (USE-CANDIDATE) moves the latch to its pair */
			if (!f->latched || (nominated &&
			    !src_matches(pi, &f->latched_src, f->latched_port,
					 f->latched_family)))
				latch_set(w, f, pi, now);
			w->st.tx++;
			rte_eth_tx_buffer(m->port, w->txq,
					  w->txb[dsbc_port_of_id(app, m->port)],
					  m);
			continue;
		}
		/* terminated SRTP: a source is latched only once its packet
		 * authenticated (below), not on sight */
		latch_defer = f->spec.mode == DSBC_MODE_TERMINATE &&
			      f->spec.srtp_in != DSBC_KEYING_NONE &&
			      (cls == DSBC_DEMUX_RTP || cls == DSBC_DEMUX_RTCP);
		if (unlikely(!latch_check(w, f, pi, now, tsc_ms, &latch_defer))) {
			f->st.drops++;
			f->st.drop_not_latched++;
			dsbc_worker_drop(w, m, DSBC_DROP_NOT_LATCHED);
			continue;
		}
		if ((f->fast & DSBC_FLOW_FAST_POLICE) &&
		    unlikely(!police_ok(f, now))) {
			f->st.drops++;
			f->st.drop_policer++;
			dsbc_worker_drop(w, m, DSBC_DROP_POLICER);
			continue;
		}
		if (f->spec.mode == DSBC_MODE_AWARE) {
			enum dsbc_drop why = dsbc_worker_aware(
				&w->aware[f - w->flow_base],
				frame + pi->payload_off, pi->payload_len, cls, now);

			if (unlikely(why != DSBC_DROP_MAX)) {
				f->st.drops++;
				dsbc_worker_drop(w, m, why);
				continue;
			}
		}
		/* clear RTCP only: what terminated legs carry is SRTCP */
		if (unlikely(cls == DSBC_DEMUX_RTCP) && app->hep_rtcp &&
		    f->spec.mode != DSBC_MODE_TERMINATE)
			rtcp_copy(app, w, f, m);
		plen = pi->payload_len;
		if (f->spec.mode == DSBC_MODE_TERMINATE) {
			enum dsbc_drop why;

			if (cls == DSBC_DEMUX_DTLS) {
				/* the management lcore holds this leg's DTLS
				 * session (RFC 5763 section 5) */
				if (f->spec.srtp_in != DSBC_KEYING_DTLS) {
					f->st.drops++;
					dsbc_worker_drop(w, m,
						DSBC_DROP_DTLS_UNEXPECTED);
					continue;
				}
				m->hash.usr = f->flow_id;
				f->st.last_tsc = now;
				punt(w, app->dtls_ring, m, &w->st.dtls_punted,
				     DSBC_DROP_DTLS_RING_FULL);
				continue;
			}
			if (cls == DSBC_DEMUX_RTP || cls == DSBC_DEMUX_RTCP) {
				const struct dsbc_flow *ftx =
					term_tx_flow(w, f, cls);
				bool held = false;

				why = term_hold_or_park(w, f, ftx, m, pi, cls,
							latch_defer, now,
							&held);
				if (held)
					continue;
				if (unlikely(why != DSBC_DROP_MAX)) {
					f->st.drops++;
					dsbc_worker_drop(w, m, why);
				} else if (w->tb.n == DSBC_TERM_BATCH) {
					term_flush(app, w, now);
				}
				continue;
			}
		}
		media_forward(app, w, f, m, pi, cls, plen, now);
	}
	if (w->tb.n > 0)
		term_flush(app, w, now);
	b->n = 0;
}

static void
idle_cb(struct dsbc_flow *f, void *arg)
{
	struct dsbc_worker *w = arg;
	struct dsbc_msg *ev = event_new(w, DSBC_MSG_FLOW_IDLE);

	w->st.idle_reports++;
	if (ev == NULL)
		return;
	ev->idle.flow_id = f->flow_id;
	ev->idle.pkts = f->st.pkts;
}

static void
consent_cb(struct dsbc_flow *f, void *arg)
{
	struct dsbc_worker *w = arg;
	struct dsbc_msg *ev = event_new(w, DSBC_MSG_CONSENT_LOST);

	if (ev == NULL)
		return;
	ev->idle.flow_id = f->flow_id;
	ev->idle.pkts = f->st.pkts;
}

/* Poll every RX queue once and the handoff ring; returns packets seen. */
static uint32_t
poll_once(struct dsbc_app *app, struct dsbc_worker *w, uint64_t now)
{
	struct rte_mbuf *pkts[DSBC_MAX_BURST];
	struct media_batch b;
	uint16_t burst = app->cfg.burst;
	uint32_t total = 0;
	uint16_t q, n, i;

	if (unlikely(dsbc_hold_due(&w->hold, now)))
		hold_release(app, w, now);
	b.n = 0;
	for (q = 0; q < w->nb_rxq; q++) {
		n = rte_eth_rx_burst(w->rxq[q].port, w->rxq[q].queue, pkts,
				     burst);
		if (n == 0)
			continue;
		w->st.rx += n;
		total += n;
		for (i = 0; i < n; i++) {
			if (i + 1 < n)
				rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
			classify(app, w, pkts[i], &b);
		}
		media_process(app, w, &b, now);
	}
	n = (uint16_t)rte_ring_sc_dequeue_burst(w->handoff, (void **)pkts,
						 burst, NULL);
	if (n > 0) {
		w->st.handoff_in += n;
		total += n;
		for (i = 0; i < n; i++)
			classify(app, w, pkts[i], &b);
		media_process(app, w, &b, now);
	}
	return total;
}

int
dsbc_worker_main(void *arg)
{
	struct dsbc_worker *w = arg;
	struct dsbc_app *app = w->app;
	const uint64_t scan_period = app->tsc_hz / 1000 * IDLE_SCAN_PERIOD_MS;
	const uint64_t idle_tsc = app->tsc_hz / 1000 * app->cfg.flow_idle_ms;
	const uint64_t consent_tsc = app->tsc_hz * app->cfg.ice_consent_s;
	uint64_t t0, t1;
	uint32_t got;
	uint16_t p;

	t0 = rte_rdtsc();
	w->next_idle_scan = t0 + scan_period;
	while (!app->dp_quit) {
		ctrl_drain(w);
		dsbc_worker_snap_poll(w, w->snap);
		got = 0;
		if (app->dp_running) {
			got = poll_once(app, w, t0);
			for (p = 0; p < app->nb_ports; p++)
				rte_eth_tx_buffer_flush(app->ports[p].port_id,
							w->txq, w->txb[p]);
		}
		if (unlikely(t0 >= w->next_idle_scan)) {
			dsbc_flow_table_idle_scan(w->flows, t0, idle_tsc,
						  IDLE_SCAN_BUDGET, idle_cb, w);
			dsbc_flow_table_consent_scan(w->flows, t0, consent_tsc,
						     IDLE_SCAN_BUDGET,
						     consent_cb, w);
			w->next_idle_scan = t0 + scan_period;
		}
		if (w->ev_len > 0)
			event_flush(w, app->events);
		t1 = rte_rdtsc();
		if (got > 0) {
			w->st.busy_cycles += t1 - t0;
			w->idle_run = 0;
		} else {
			w->st.idle_cycles += t1 - t0;
			/* Idle back-off: on shared cores (tests, 2-CPU
			 * machines) give the CPU away once the queues have
			 * been empty for a while. */
			if (app->cfg.idle_sleep_us != 0 &&
			    ++w->idle_run >= app->cfg.idle_polls) {
				w->st.sleeps++;
				rte_delay_us_sleep(app->cfg.idle_sleep_us);
				/* time asleep is neither busy nor idle */
				t1 = rte_rdtsc();
			}
		}
		t0 = t1;
	}
	return 0;
}

/*
 * The addresses and ports dsbc allocates media on are indexed directly
 * (dsbc_flow_index.h); static flows elsewhere use the hash.  A range the
 * index cannot take (more than it holds) only costs the hash's speed.
 */
static void
flow_ranges_add(struct dsbc_flow_table *t, const struct dsbc_config *cfg)
{
	const struct dsbc_cfg_ip *ips[4];
	uint16_t p;
	unsigned int i;

	for (p = 0; p < cfg->nb_ports; p++) {
		const struct dsbc_port_cfg *pc = &cfg->ports[p];

		ips[0] = &pc->media4;
		ips[1] = &pc->ip4;
		ips[2] = &pc->media6;
		ips[3] = &pc->ip6;
		for (i = 0; i < RTE_DIM(ips); i++) {
			uint8_t fam = i < 2 ? 4 : 6;

			if (!ips[i]->set)
				continue;
			/* the port's own address is one media address */
			if (dsbc_flow_table_direct_range(t, fam, &ips[i]->addr,
					(i & 1) ? (fam == 4 ? 32 : 128) :
						  ips[i]->prefix,
					cfg->media_port_min,
					cfg->media_port_max) < 0)
				DSBC_LOG(worker, NOTICE, "flow index: port %u "
					"range %u not indexed, hashed\n", p, i);
		}
	}
}

struct dsbc_worker *
dsbc_worker_create(struct dsbc_app *app, uint16_t idx, unsigned int lcore_id)
{
	struct dsbc_worker *w;
	char name[RTE_RING_NAMESIZE];
	int socket = (int)rte_lcore_to_socket_id(lcore_id);

	w = rte_zmalloc_socket("dsbc_worker", sizeof(*w), RTE_CACHE_LINE_SIZE,
			       socket);
	if (w == NULL)
		return NULL;
	w->app = app;
	w->idx = idx;
	w->lcore_id = lcore_id;
	w->txq = idx;
	snprintf(name, sizeof(name), "dsbc_flows_%u", idx);
	w->flows = dsbc_flow_table_create(name, app->cfg.flow_capacity, socket);
	if (w->flows != NULL)
		flow_ranges_add(w->flows, &app->cfg);
	w->ice = rte_zmalloc_socket("dsbc_ice", (app->cfg.ice_capacity + 1) *
				    sizeof(*w->ice), RTE_CACHE_LINE_SIZE, socket);
	w->prefetch_aware = app->cfg.mode_default == DSBC_MODE_AWARE;
	w->flow_base = w->flows != NULL ? dsbc_flow_table_slot(w->flows, 0) :
		       NULL;
	if ((app->has_cdev &&
	     dsbc_srtp_cdev_qp_init(&app->cdev, idx, &w->cdev) != 0) ||
	    dsbc_term_pool_init(w, app->cfg.terminate_capacity,
				app->cfg.srtp_replay_window, socket) != 0 ||
	    dsbc_hold_init(&w->hold, app->cfg.srtp_hold_packets,
			   app->tsc_hz / 1000 * app->cfg.srtp_hold_ms,
			   socket) != 0 ||
	    dsbc_worker_snap_init(w, socket) != 0 ||
	    dsbc_worker_sip_init(app, w, socket) != 0) {
		dsbc_worker_free(w);
		return NULL;
	}
	w->aware = rte_zmalloc_socket("dsbc_aware", (size_t)app->cfg.flow_capacity *
				      sizeof(*w->aware), RTE_CACHE_LINE_SIZE,
				      socket);
	snprintf(name, sizeof(name), "dsbc_handoff_%u", idx);
	w->handoff = rte_ring_create(name, app->cfg.handoff_ring_size, socket,
				     RING_F_SC_DEQ);
	if (w->flows == NULL || w->handoff == NULL || w->ice == NULL ||
	    w->aware == NULL) {
		dsbc_worker_free(w);
		return NULL;
	}
	return w;
}

void
dsbc_worker_free(struct dsbc_worker *w)
{
	uint16_t p;
	struct rte_mbuf *m;

	if (w == NULL)
		return;
	if (w->handoff != NULL) {
		while (rte_ring_sc_dequeue(w->handoff, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(w->handoff);
	}
	dsbc_hold_free(&w->hold);
	dsbc_worker_snap_free(w);
	dsbc_worker_sip_free(w);
	dsbc_term_pool_free(w);
	dsbc_srtp_cdev_qp_fini(&w->cdev);        /* after the sessions */
	dsbc_flow_table_free(w->flows);
	rte_free(w->ice);
	rte_free(w->aware);
	for (p = 0; p < DSBC_CFG_MAX_PORTS; p++)
		rte_free(w->txb[p]);
	rte_free(w);
}
