/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Management lcore: owns the flow slot allocators, the neighbour table and
 * the control channels to the workers; drains the SIP, exception and event
 * rings.  Worker events reach the B2BUA through event_handle() alone.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dsbc_hdr.h"
#include "dsbc_known.h"
#include "ctl/cdr.h"
#include "ctl/mgmt.h"
#include "ctl/reload.h"
#include "ctl/exc_tap.h"
#include "ctl/sip.h"
#include "ctl/sip_tcp.h"
#include "ctl/stir_fetch.h"
#include "ctl/snap.h"
#include "dp/worker.h"
#include "log.h"

#define MGMT_BURST 32
#define MGMT_BACKLOG 8192      /* control messages queued per worker */
#define KNOWN_SLOTS (1u << 20)  /* trusted-peer filter: 4 MB, so 20k
				 * peers make a stranger look trusted
				 * 2 % of the time */

static int
slots_init(struct dsbc_slot_alloc *s, uint32_t capacity)
{
	uint32_t i;

	s->free = rte_malloc("dsbc_slots", capacity * sizeof(*s->free), 0);
	s->state = rte_zmalloc("dsbc_slot_state", capacity, 0);
	s->cookie = rte_zmalloc("dsbc_slot_cookie",
				capacity * sizeof(*s->cookie), 0);
	s->del_retry = rte_malloc("dsbc_del_retry",
				  capacity * sizeof(*s->del_retry), 0);
	if (s->free == NULL || s->state == NULL || s->cookie == NULL ||
	    s->del_retry == NULL)
		return -ENOMEM;
	s->capacity = capacity;
	/* pop order: slot 0 first */
	for (i = 0; i < capacity; i++)
		s->free[i] = capacity - 1 - i;
	s->nb_free = capacity;
	return 0;
}

/* ICE agent ids 1..ice_capacity of worker w, lowest first. */
static int
ice_ids_init(struct dsbc_app *app, uint16_t w)
{
	uint32_t i, n = app->cfg.ice_capacity;

	app->ice_ids[w].free = rte_malloc("dsbc_ice_ids", n * sizeof(uint16_t), 0);
	if (app->ice_ids[w].free == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		app->ice_ids[w].free[i] = (uint16_t)(n - i);
	app->ice_ids[w].nb_free = n;
	return 0;
}

int
dsbc_mgmt_setup(struct dsbc_app *app)
{
	char name[RTE_RING_NAMESIZE];
	uint16_t w;
	int socket = (int)rte_socket_id();

	static const char *const prio_names[DSBC_SIP_PRIOS] = {
		"dsbc_sip", "dsbc_sip_known", "dsbc_sip_new",
	};
	void *mem;

	for (w = 0; w < DSBC_SIP_PRIOS; w++) {
		app->sip_ring[w] = rte_ring_create(prio_names[w],
						   app->cfg.punt_ring_size,
						   socket, RING_F_SC_DEQ);
		if (app->sip_ring[w] == NULL)
			return -ENOMEM;
	}
	mem = rte_zmalloc_socket("dsbc_known", dsbc_known_size(KNOWN_SLOTS),
				 RTE_CACHE_LINE_SIZE, socket);
	app->known = mem != NULL ? dsbc_known_init(mem, KNOWN_SLOTS) : NULL;
	if (app->known == NULL)
		return -ENOMEM;
	app->exc_ring = rte_ring_create("dsbc_exc", app->cfg.punt_ring_size,
					socket, RING_F_SC_DEQ);
	app->dtls_ring = rte_ring_create("dsbc_dtls", app->cfg.punt_ring_size,
					 socket, RING_F_SC_DEQ);
	/* its own ring: a TCP flood towards the kernel never crowds out
	 * ARP and ICMP */
	app->kern_ring = rte_ring_create("dsbc_kern", app->cfg.punt_ring_size,
					 socket, RING_F_SC_DEQ);
	app->events = rte_ring_create_elem("dsbc_events", sizeof(struct dsbc_msg),
					   app->cfg.event_ring_size, socket,
					   RING_F_SC_DEQ);
	if (app->exc_ring == NULL ||
	    app->dtls_ring == NULL || app->kern_ring == NULL ||
	    app->events == NULL)
		return -ENOMEM;
	for (w = 0; w < app->nb_workers; w++) {
		snprintf(name, sizeof(name), "dsbc_ctrl_%u", w);
		if (dsbc_msg_chan_init(&app->ctrl[w], name, app->cfg.ctrl_ring_size,
				       socket, RING_F_SP_ENQ | RING_F_SC_DEQ,
				       MGMT_BACKLOG) != 0)
			return -ENOMEM;
		app->workers[w]->ctrl = app->ctrl[w].ring;
		if (ice_ids_init(app, w) != 0)
			return -ENOMEM;
		if (slots_init(&app->slots[w], app->cfg.flow_capacity) != 0)
			return -ENOMEM;
	}
	return dsbc_sip_init(app);
}

void
dsbc_mgmt_free(struct dsbc_app *app)
{
	struct rte_mbuf *m;
	uint16_t w;

	dsbc_sip_fini(app);
	for (w = 0; w < DSBC_SIP_PRIOS; w++) {
		if (app->sip_ring[w] != NULL)
			while (rte_ring_sc_dequeue(app->sip_ring[w],
						   (void **)&m) == 0)
				rte_pktmbuf_free(m);
		rte_ring_free(app->sip_ring[w]);
		app->sip_ring[w] = NULL;
	}
	rte_free(app->known);
	app->known = NULL;
	if (app->exc_ring != NULL)
		while (rte_ring_sc_dequeue(app->exc_ring, (void **)&m) == 0)
			rte_pktmbuf_free(m);
	rte_ring_free(app->exc_ring);
	if (app->kern_ring != NULL)
		while (rte_ring_sc_dequeue(app->kern_ring, (void **)&m) == 0)
			rte_pktmbuf_free(m);
	rte_ring_free(app->kern_ring);
	if (app->dtls_ring != NULL)
		while (rte_ring_sc_dequeue(app->dtls_ring, (void **)&m) == 0)
			rte_pktmbuf_free(m);
	rte_ring_free(app->dtls_ring);
	rte_ring_free(app->events);
	for (w = 0; w < DSBC_CFG_MAX_PORTS; w++) {
		/* the ports are closed by now: what is still queued goes */
		if (app->mgmt_txb[w] != NULL)
			rte_pktmbuf_free_bulk(app->mgmt_txb[w]->pkts,
					      app->mgmt_txb[w]->length);
		rte_free(app->mgmt_txb[w]);
		app->mgmt_txb[w] = NULL;
	}
	for (w = 0; w < app->nb_workers; w++) {
		dsbc_msg_chan_fini(&app->ctrl[w]);
		rte_free(app->slots[w].free);
		rte_free(app->slots[w].state);
		rte_free(app->slots[w].cookie);
		rte_free(app->slots[w].del_retry);
		rte_free(app->ice_ids[w].free);
	}
}

/* ---- events from the workers ---- */

static void
event_handle(struct dsbc_app *app, const struct dsbc_msg *m)
{
	struct dsbc_slot_alloc *s;
	uint64_t cookie;
	uint32_t slot;
	char buf[64];

	if (!dsbc_msg_valid(m) || m->worker >= app->nb_workers) {
		app->mst.event_bad++;
		return;
	}
	app->mst.events++;
	s = &app->slots[m->worker];
	switch (m->type) {
	case DSBC_MSG_FLOW_ACK:
		app->mst.flow_acks++;
		slot = dsbc_flow_id_slot(m->ack.flow_id);
		if (slot >= s->capacity)
			break;
		if (m->ack.status != 0) {
			app->mst.flow_errors++;
			DSBC_LOG(mgmt, WARNING, "flow %u: %s refused by worker %u: %s\n",
				m->ack.flow_id, dsbc_msg_name(m->ack.op),
				m->worker, strerror(-m->ack.status));
		}
		cookie = s->cookie[slot];
		if (m->ack.op == DSBC_MSG_FLOW_ADD) {
			if (m->ack.status == 0) {
				s->state[slot] = DSBC_SLOT_ACTIVE;
				s->active++;
				app->mst.flows_installed++;
			} else {
				s->state[slot] = DSBC_SLOT_FREE;
				s->cookie[slot] = 0;
				s->free[s->nb_free++] = slot;
			}
		} else if (m->ack.op == DSBC_MSG_FLOW_DEL) {
			/* its last counters, for its call's record */
			dsbc_cdr_flow_final(app, m->worker, m->ack.flow_id,
					    &m->ack.final, m->ack.status);
			/* the slot is reusable only once the owner
			 * has acknowledged the removal. */
			if (s->state[slot] != DSBC_SLOT_FREE) {
				if (s->active > 0)
					s->active--;
				s->state[slot] = DSBC_SLOT_FREE;
				s->free[s->nb_free++] = slot;
				app->mst.flows_removed++;
			}
		}
		/* the call owning it cannot carry its media: it ends, and
		 * its other flows go (this one's slot is free already) */
		if (m->ack.status != 0 && m->ack.op != DSBC_MSG_FLOW_DEL &&
		    cookie != 0)
			dsbc_b2bua_flow_failed(app->sip->b2b, m->ack.flow_id,
					       cookie, m->ack.status,
					       dsbc_sip_now_ms(app));
		break;
	case DSBC_MSG_LATCHED:
		app->mst.latched++;
		slot = dsbc_flow_id_slot(m->latched.flow_id);
		if (slot < s->capacity && s->cookie[slot] != 0 &&
		    s->state[slot] == DSBC_SLOT_ACTIVE) {
			struct dsbc_b2bua_latch l = {
				.flow_id = m->latched.flow_id,
				.cookie = s->cookie[slot],
				.family = m->latched.family,
				.port = m->latched.port,
				.src = m->latched.src,
			};

			dsbc_b2bua_flow_latched(app->sip->b2b, &l,
						dsbc_sip_now_ms(app));
		}
		DSBC_LOG(mgmt, DEBUG, "flow %u latched on %s:%u%s\n",
			m->latched.flow_id,
			dsbc_addr_fmt(&m->latched.src, m->latched.family, buf,
				      sizeof(buf)),
			m->latched.port, m->latched.relatch ? " (re-latch)" : "");
		break;
	case DSBC_MSG_FLOW_IDLE:
	case DSBC_MSG_CONSENT_LOST:
		slot = dsbc_flow_id_slot(m->idle.flow_id);
		if (m->type == DSBC_MSG_CONSENT_LOST) {
			app->mst.consent_lost++;
			if (slot < s->capacity && s->cookie[slot] != 0)
				dsbc_b2bua_consent_lost(app->sip->b2b,
							m->idle.flow_id,
							s->cookie[slot],
							dsbc_sip_now_ms(app));
			break;
		}
		app->mst.flow_idle++;
		if (slot < s->capacity && s->cookie[slot] != 0)
			dsbc_b2bua_flow_idle(app->sip->b2b, m->idle.flow_id,
					     s->cookie[slot],
					     dsbc_sip_now_ms(app));
		DSBC_LOG(mgmt, DEBUG, "flow %u idle after %" PRIu64 " packets\n",
			m->idle.flow_id, m->idle.pkts);
		break;
	case DSBC_MSG_SYNC_ACK:
		app->sync_acked[m->worker] = m->sync.token;
		break;
	default:
		app->mst.event_bad++;
		break;
	}
}

uint32_t
dsbc_mgmt_poll_events(struct dsbc_app *app)
{
	struct dsbc_msg msgs[MGMT_BURST];
	unsigned int n, i;
	uint32_t total = 0;

	do {
		n = dsbc_msg_recv(app->events, msgs, MGMT_BURST);
		for (i = 0; i < n; i++)
			event_handle(app, &msgs[i]);
		total += n;
	} while (n == MGMT_BURST);
	return total;
}

static int
del_send(struct dsbc_app *app, unsigned int w, uint32_t flow_id)
{
	struct dsbc_msg m;

	memset(&m, 0, sizeof(m));
	m.type = DSBC_MSG_FLOW_DEL;
	m.worker = (uint8_t)w;
	m.ref.flow_id = flow_id;
	return dsbc_msg_send(&app->ctrl[w], &m);
}

static uint32_t
flush_ctrl(struct dsbc_app *app)
{
	uint32_t pending = 0;
	uint16_t w;

	dsbc_mgmt_tx_flush(app);
	for (w = 0; w < app->nb_workers; w++) {
		struct dsbc_slot_alloc *s = &app->slots[w];

		pending += dsbc_msg_flush(&app->ctrl[w]);
		while (s->nb_del_retry > 0 &&
		       del_send(app, w, s->del_retry[s->nb_del_retry - 1]) == 0) {
			s->nb_del_retry--;
			app->mst.flow_del_retries++;
		}
		pending += s->nb_del_retry;
	}
	return pending;
}

/* Barrier: returns once every worker applied every message sent so far. */
int
dsbc_mgmt_sync(struct dsbc_app *app, uint64_t timeout_ms)
{
	uint64_t deadline = rte_rdtsc() + app->tsc_hz / 1000 * timeout_ms;
	uint64_t token = ++app->sync_token;
	struct dsbc_msg m;
	uint16_t w, done;

	memset(&m, 0, sizeof(m));
	m.type = DSBC_MSG_SYNC;
	m.sync.token = token;
	for (w = 0; w < app->nb_workers; w++) {
		m.worker = (uint8_t)w;
		if (dsbc_msg_send(&app->ctrl[w], &m) != 0)
			return -ENOBUFS;
	}
	for (;;) {
		flush_ctrl(app);
		dsbc_mgmt_poll_events(app);
		for (done = 0, w = 0; w < app->nb_workers; w++)
			done += app->sync_acked[w] == token;
		if (done == app->nb_workers)
			return 0;
		if (rte_rdtsc() > deadline)
			return -ETIMEDOUT;
		rte_delay_us_sleep(200);
	}
}

/* ---- static flows ---- */

/* DSBC_SLOT_* of a flow id; FREE for ids that name no slot. */
static uint8_t
slot_state(const struct dsbc_app *app, uint32_t flow_id)
{
	unsigned int w = dsbc_flow_id_worker(flow_id);
	uint32_t slot = dsbc_flow_id_slot(flow_id);

	if (w >= app->nb_workers || slot >= app->slots[w].capacity)
		return DSBC_SLOT_FREE;
	return app->slots[w].state[slot];
}

/* The spec a worker needs for fc; -ENOMEM when the neighbour table is full. */
static int
flow_spec_build(struct dsbc_app *app, const struct dsbc_flow_cfg *fc,
		struct dsbc_flow_spec *sp, int *neigh)
{
	const struct dsbc_port_rt *op = &app->ports[fc->out_port];
	struct dsbc_hdr_spec hs;
	int nid;

	nid = dsbc_neigh_get(app, fc->out_port, fc->remote_family, &fc->next_hop);
	if (nid < 0)
		return -ENOMEM;
	memset(sp, 0, sizeof(*sp));
	sp->key.local = fc->local;
	sp->key.local_port = fc->local_port;
	sp->key.family = fc->local_family;
	sp->out_port = op->port_id;
	sp->neigh_id = (uint16_t)nid;
	sp->mode = fc->mode;
	sp->latch = fc->latch;
	sp->relatch_ms = fc->relatch_ms;
	sp->peer = fc->peer;
	sp->peer_port = fc->peer_port;
	sp->peer_family = fc->peer_family;
	sp->ice_id = fc->ice_id;
	sp->ssrc_policy = app->cfg.ssrc_policy;
	sp->seq_drop = app->cfg.seq_drop;
	sp->seq_window = app->cfg.seq_window;
	sp->rtcp_sibling = fc->rtcp_sibling;
	sp->srtp_in = fc->srtp_in;
	sp->srtp_out = fc->srtp_out;
	sp->flags = fc->spec_flags;
	if (fc->police_pps != 0) {
		sp->police_interval = app->tsc_hz / fc->police_pps;
		sp->police_tolerance = sp->police_interval *
				       app->cfg.police_burst;
	}
	sp->clock_rate = fc->clock_rate ? fc->clock_rate : 8000;
	sp->arrival_mult = ((uint64_t)sp->clock_rate << 32) / app->tsc_hz;

	memset(&hs, 0, sizeof(hs));
	hs.src_mac = op->mac;
	hs.vlan_tci = op->vlan;
	hs.family = fc->remote_family;
	hs.tos = (uint8_t)(fc->dscp << 2);
	hs.ttl = app->cfg.ttl;
	hs.src = fc->out_local;
	hs.dst = fc->remote;
	hs.src_port = fc->out_local_port;
	hs.dst_port = fc->remote_port;
	dsbc_hdr_tmpl_init(&sp->tmpl, &hs);
	*neigh = nid;
	return 0;
}

/* An unresolved next hop is probed by the neighbour code at once. */
static void
neigh_kick(struct dsbc_app *app, int nid)
{
	if (app->neigh[nid].state == DSBC_NEIGH_INCOMPLETE &&
	    app->neigh[nid].probes == 0)
		app->neigh[nid].next_probe_tsc = 0;
}

/*
 * Program one flow on the worker owning its local port.  The slot is
 * taken now and given back when the worker acknowledges (FLOW_ACK).
 * cookie is the owner's reference (a call), returned with events.
 */
int
dsbc_mgmt_flow_add(struct dsbc_app *app, const struct dsbc_flow_cfg *fc,
		   uint64_t cookie, uint32_t *flow_id)
{
	struct dsbc_slot_alloc *s;
	struct dsbc_msg m;
	uint16_t owner;
	uint32_t slot;
	int nid, rc;

	owner = dsbc_slices_owner(&app->slices, fc->local_port);
	s = &app->slots[owner];
	if (s->nb_free == 0)
		return -ENOSPC;
	memset(&m, 0, sizeof(m));
	rc = flow_spec_build(app, fc, &m.flow.spec, &nid);
	if (rc != 0)
		return rc;
	slot = s->free[--s->nb_free];
	s->state[slot] = DSBC_SLOT_ADDING;
	s->cookie[slot] = cookie;
	m.type = DSBC_MSG_FLOW_ADD;
	m.worker = (uint8_t)owner;
	m.flow.flow_id = dsbc_flow_id(owner, slot);
	rc = dsbc_msg_send(&app->ctrl[owner], &m);
	if (rc != 0) {
		s->state[slot] = DSBC_SLOT_FREE;
		s->free[s->nb_free++] = slot;
		return rc;
	}
	neigh_kick(app, nid);
	*flow_id = m.flow.flow_id;
	return 0;
}

/*
 * Replace a flow's spec; counters stay with the worker, and so does the
 * latched source unless unlatch is set.
 */
int
dsbc_mgmt_flow_mod(struct dsbc_app *app, uint32_t flow_id,
		   const struct dsbc_flow_cfg *fc, bool unlatch)
{
	unsigned int w = dsbc_flow_id_worker(flow_id);
	uint8_t st = slot_state(app, flow_id);
	struct dsbc_msg m;
	int nid, rc;

	if (st == DSBC_SLOT_FREE || st == DSBC_SLOT_DELETING ||
	    dsbc_slices_owner(&app->slices, fc->local_port) != w)
		return -ENOENT;
	memset(&m, 0, sizeof(m));
	rc = flow_spec_build(app, fc, &m.flow.spec, &nid);
	if (rc != 0)
		return rc;
	if (unlatch)
		m.flow.spec.flags |= DSBC_FLOW_F_UNLATCH;
	m.type = DSBC_MSG_FLOW_MOD;
	m.worker = (uint8_t)w;
	m.flow.flow_id = flow_id;
	rc = dsbc_msg_send(&app->ctrl[w], &m);
	if (rc == 0) {
		neigh_kick(app, nid);
		app->mst.flows_modified++;
	}
	return rc;
}

/*
 * Give (or update, when *ice_id != 0) worker's ICE-lite agent for one
 * call leg.  An id is reused only after dsbc_mgmt_ice_free(), which the
 * caller does after removing the flows using it: both go down the same
 * ordered ring, so the worker never sees a flow on a recycled agent.
 */
int
dsbc_mgmt_ice_set(struct dsbc_app *app, uint16_t worker, uint16_t *ice_id,
		  const char *local_ufrag, const char *remote_ufrag,
		  const char *pwd)
{
	struct dsbc_msg m;
	size_t pl = strlen(pwd);

	if (worker >= app->nb_workers || pl >= DSBC_ICE_PWD_MAX ||
	    strlen(local_ufrag) >= sizeof(m.ice.local_ufrag) ||
	    strlen(remote_ufrag) >= DSBC_ICE_UFRAG_MAX)
		return -EINVAL;
	if (*ice_id == 0) {
		if (app->ice_ids[worker].nb_free == 0)
			return -ENOSPC;
		*ice_id = app->ice_ids[worker].free[--app->ice_ids[worker].nb_free];
	}
	memset(&m, 0, sizeof(m));
	m.type = DSBC_MSG_ICE_SET;
	m.worker = (uint8_t)worker;
	m.ice.ice_id = *ice_id;
	m.ice.pwd_len = (uint8_t)pl;
	memcpy(m.ice.local_ufrag, local_ufrag, strlen(local_ufrag));
	memcpy(m.ice.remote_ufrag, remote_ufrag, strlen(remote_ufrag));
	memcpy(m.ice.pwd, pwd, pl);
	return dsbc_msg_send(&app->ctrl[worker], &m);
}

void
dsbc_mgmt_ice_free(struct dsbc_app *app, uint16_t worker, uint16_t ice_id)
{
	struct dsbc_msg m;

	if (worker >= app->nb_workers || ice_id == 0 ||
	    ice_id > app->cfg.ice_capacity)
		return;
	memset(&m, 0, sizeof(m));
	m.type = DSBC_MSG_ICE_SET;         /* empty: the agent is cleared */
	m.worker = (uint8_t)worker;
	m.ice.ice_id = ice_id;
	dsbc_msg_send(&app->ctrl[worker], &m);
	app->ice_ids[worker].free[app->ice_ids[worker].nb_free++] = ice_id;
}

/* Remove a flow; its slot is free once the owner acknowledges. */
int
dsbc_mgmt_flow_del(struct dsbc_app *app, uint32_t flow_id)
{
	unsigned int w = dsbc_flow_id_worker(flow_id);
	uint32_t slot = dsbc_flow_id_slot(flow_id);

	if (slot_state(app, flow_id) == DSBC_SLOT_FREE ||
	    slot_state(app, flow_id) == DSBC_SLOT_DELETING)
		return -ENOENT;
	app->slots[w].state[slot] = DSBC_SLOT_DELETING;
	/* the slot comes back with the worker's ack; a message the full
	 * channel refuses is sent again from the loop, never dropped */
	if (del_send(app, w, flow_id) != 0)
		app->slots[w].del_retry[app->slots[w].nb_del_retry++] = flow_id;
	return 0;
}

/* Terminate: the SRTP keys of one direction of a flow (suite
 * DSBC_KEYS_CLEAR removes them). */
int
dsbc_mgmt_flow_keys(struct dsbc_app *app, uint32_t flow_id, uint8_t dir,
		    uint8_t suite, const uint8_t *key, uint8_t key_len,
		    const uint8_t *salt, uint8_t salt_len)
{
	unsigned int w = dsbc_flow_id_worker(flow_id);
	struct dsbc_msg m;

	if (slot_state(app, flow_id) == DSBC_SLOT_FREE ||
	    key_len > sizeof(m.keys.key) || salt_len > sizeof(m.keys.salt))
		return -ENOENT;
	memset(&m, 0, sizeof(m));
	m.type = DSBC_MSG_FLOW_KEYS;
	m.worker = (uint8_t)w;
	m.keys.flow_id = flow_id;
	m.keys.dir = dir;
	m.keys.suite = suite;
	m.keys.key_len = key_len;
	m.keys.salt_len = salt_len;
	if (key != NULL)
		memcpy(m.keys.key, key, key_len);
	if (salt != NULL)
		memcpy(m.keys.salt, salt, salt_len);
	return dsbc_msg_send(&app->ctrl[w], &m);
}

static int
flow_program(struct dsbc_app *app, const struct dsbc_flow_cfg *fc, uint32_t i)
{
	uint32_t id;
	unsigned int d;
	int rc = dsbc_mgmt_flow_add(app, fc, 0, &id);

	/* a static terminated flow: its keys right behind it */
	for (d = 0; rc == 0 && d < 2; d++)
		if (fc->srtp_set & (1u << d))
			rc = dsbc_mgmt_flow_keys(app, id, d ? DSBC_KEYS_TX :
						 DSBC_KEYS_RX,
						 fc->srtp[d].suite,
						 fc->srtp[d].key, 16,
						 fc->srtp[d].salt,
						 fc->srtp[d].salt_len);
	if (rc == -ENOSPC)
		DSBC_LOG(mgmt, ERR, "%s: flow %u: worker %u flow table full "
			"(flow_capacity %u)\n", app->cfg.path, i,
			dsbc_slices_owner(&app->slices, fc->local_port),
			app->cfg.flow_capacity);
	else if (rc == -ENOMEM)
		DSBC_LOG(mgmt, ERR, "%s: flow %u: neighbour table full\n",
			app->cfg.path, i);
	return rc;
}

int
dsbc_mgmt_install_static(struct dsbc_app *app)
{
	uint32_t i;
	int rc;

	for (i = 0; i < app->cfg.nb_neigh; i++)
		if (dsbc_neigh_static(app, &app->cfg.neigh[i]) < 0)
			return -ENOSPC;
	for (i = 0; i < app->cfg.nb_flows; i++) {
		uint16_t owner = dsbc_slices_owner(&app->slices,
						   app->cfg.flows[i].local_port);

		/* A large flow_file outruns the ring: let the owner catch up
		 * rather than queue the whole file. */
		while (app->ctrl[owner].backlog_len >= MGMT_BACKLOG / 2) {
			flush_ctrl(app);
			dsbc_mgmt_poll_events(app);
			rte_delay_us_sleep(100);
		}
		rc = flow_program(app, &app->cfg.flows[i], i);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* ---- the loop ---- */

/*
 * SIP over UDP by priority (enum dsbc_sip_prio): the established calls'
 * ring first, then trusted peers', and strangers' only once both came
 * back empty, a burst at a time: a flood waits behind everything else
 * and overflows its own ring, not theirs.
 */
static uint32_t
drain_sip(struct dsbc_app *app)
{
	static const unsigned int budget[DSBC_SIP_PRIOS] = {
		[DSBC_SIP_PRIO_DIALOG] = 4 * MGMT_BURST,
		[DSBC_SIP_PRIO_KNOWN] = 2 * MGMT_BURST,
		[DSBC_SIP_PRIO_NEW] = MGMT_BURST,
	};
	struct rte_mbuf *pkts[MGMT_BURST];
	unsigned int n, i, p, got, total = 0;
	bool behind = false;
	uint64_t now = rte_rdtsc();

	for (p = 0; p < DSBC_SIP_PRIOS; p++) {
		if (p == DSBC_SIP_PRIO_NEW && behind)
			break;
		got = 0;
		do {
			n = rte_ring_sc_dequeue_burst(app->sip_ring[p],
						      (void **)pkts,
						      MGMT_BURST, NULL);
			for (i = 0; i < n; i++) {
				app->mst.sip_rx++;
				dsbc_sip_input(app, pkts[i], now,
					       (enum dsbc_sip_prio)p);
			}
			got += n;
		} while (n == MGMT_BURST && got < budget[p]);
		behind |= n == MGMT_BURST;
		total += got;
	}
	return total;
}

static uint32_t
drain_exc(struct dsbc_app *app)
{
	struct rte_mbuf *pkts[MGMT_BURST];
	unsigned int n, i;

	n = rte_ring_sc_dequeue_burst(app->exc_ring, (void **)pkts, MGMT_BURST,
				      NULL);
	for (i = 0; i < n; i++)
		dsbc_exc_handle(app, pkts[i]);
	return n;
}

/* Terminated legs' DTLS records, punted by the workers. */
static uint32_t
drain_dtls(struct dsbc_app *app)
{
	struct rte_mbuf *pkts[MGMT_BURST];
	unsigned int n, i;

	n = rte_ring_sc_dequeue_burst(app->dtls_ring, (void **)pkts,
				      MGMT_BURST, NULL);
	for (i = 0; i < n; i++)
		dsbc_b2bua_host_dtls(app, pkts[i]);
	return n;
}

/* SIGHUP: the configuration file again (ctl/reload.c), whole or not at
 * all; the users file with it */
static void
reload(struct dsbc_app *app)
{
	char msg[DSBC_CFG_ERR_LEN + 64];
	int rc;

	app->reload = false;
	rc = dsbc_reload(app, msg, sizeof(msg));
	if (rc == 0)
		DSBC_LOG(mgmt, NOTICE, "SIGHUP: %s\n", msg);
	else
		DSBC_LOG(mgmt, ERR, "SIGHUP: %s\n", msg);
}

/* Let what the management lcore sent leave: streams' writes come back
 * out of the kernel exception path, which the loop no longer polls. */
static void
shutdown_io(struct dsbc_app *app, unsigned int ms)
{
	uint64_t end = rte_rdtsc() + app->tsc_hz / 1000 * ms;

	do {
		dsbc_sip_tcp_poll(app);
		dsbc_exc_tap_poll(app);
		dsbc_mgmt_tx_flush(app);
		/* the ended calls' flow removals go out and come back with
		 * their counters, so their records need no room to wait */
		flush_ctrl(app);
		dsbc_mgmt_poll_events(app);
		dsbc_cdr_poll(app);
		rte_delay_us_sleep(500);
	} while (rte_rdtsc() < end);
}

/*
 * SIGTERM/SIGINT: calls end with BYE (or 503 and CANCEL) rather than
 * leave their peers to find out by their own timers, 32 calls at a time
 * so each batch's messages leave before the TX queue fills.
 */
static void
shutdown_calls(struct dsbc_app *app)
{
	uint32_t n = 0, k, passes = 0;

	if (app->sip == NULL || app->sip->b2b == NULL)
		return;
	/* new INVITEs get 503 from the first batch on, so this ends; the
	 * bound is for safety alone */
	while ((k = dsbc_b2bua_end_calls(app->sip->b2b, 32,
					 dsbc_sip_now_ms(app))) > 0 &&
	       passes++ <= app->cfg.max_calls / 32 + 1) {
		n += k;
		shutdown_io(app, 1);
	}
	shutdown_io(app, 100);
	DSBC_LOG(mgmt, NOTICE, "stopping: %u calls ended (BYE, or 503 and "
		 "CANCEL)\n", n);
}

/* The ended calls' flows come back from the workers with their last
 * counters; then every record goes to the export thread. */
static void
shutdown_records(struct dsbc_app *app)
{
	uint64_t end = rte_rdtsc() + app->tsc_hz / 5;

	while (dsbc_cdr_stats(app)->pending != 0 && rte_rdtsc() < end)
		shutdown_io(app, 1);
	dsbc_cdr_flush(app);
}

void
dsbc_mgmt_loop(struct dsbc_app *app)
{
	uint64_t t0, next_probe = 0;
	uint32_t work;

	while (!app->quit) {
		/* Probe before taking any input: at start-up a next hop is
		 * asked for before a gratuitous or stale reply can be seen,
		 * so resolution does not depend on which port is read first. */
		t0 = rte_rdtsc();
		app->now_s = (uint32_t)((t0 - app->start_tsc) / app->tsc_hz);
		if (t0 >= next_probe) {
			dsbc_neigh_probe(app, t0);
			next_probe = t0 + app->tsc_hz / 100;
		}
		work = drain_exc(app);
		work += dsbc_exc_tap_poll(app);
		work += dsbc_sip_tcp_poll(app);
		work += drain_sip(app);
		work += drain_dtls(app);
		work += dsbc_sip_tick(app);
		work += dsbc_stir_fetch_poll(app);
		dsbc_snap_serve(app);
		if (app->reload)
			reload(app);
		work += dsbc_mgmt_poll_events(app);
		work += dsbc_cdr_poll(app);
		flush_ctrl(app);
		/* busy: the iterations that handled something (what a call
		 * costs the management lcore: perf/cps's mgmt_us_per_call) */
		if (work != 0) {
			app->mst.busy_cycles += rte_rdtsc() - t0;
			app->mst.busy_loops++;
		} else {
			rte_delay_us_sleep(500);
		}
	}
	shutdown_calls(app);
	shutdown_records(app);
}
