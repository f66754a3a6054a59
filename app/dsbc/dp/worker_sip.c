/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SIP priorities on the worker (dp/worker_sip.h).  Trusted peers (the
 * filter the management lcore keeps: next hops, trunks, the parties of
 * answered calls, registered users) get the established calls' ring for
 * responses and in-dialog requests and a ring of their own for the
 * rest, within a per-source budget of their own (over it they are
 * strangers).  Everyone else shares the lowest ring, after a per-source GCRA
 * with bans (Kamailio's pike, here before the ring rather than after
 * it, so a flood cannot fill the ring the budget was meant to protect).
 * Fragments carry no SIP to look at: they go by their source alone.
 *
 * Per packet: a few loads of the filter and the budget table, a scan of
 * the start line and the headers up to To; no lock, no allocation.
 */
#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "dp/worker.h"
#include "dp/worker_sip.h"
#include "dsbc_known.h"
#include "dsbc_sip_class.h"
#include "dsbc_src_guard.h"

#define GUARD_SLOTS 4096        /* sources tracked per worker */

static const enum dsbc_drop ring_full[DSBC_SIP_PRIOS] = {
	[DSBC_SIP_PRIO_DIALOG] = DSBC_DROP_SIP_RING_FULL,
	[DSBC_SIP_PRIO_KNOWN] = DSBC_DROP_SIP_KNOWN_RING_FULL,
	[DSBC_SIP_PRIO_NEW] = DSBC_DROP_SIP_NEW_RING_FULL,
};

static struct dsbc_src_guard *
guard_new(const char *name, const struct dsbc_src_guard_cfg *gc, int socket)
{
	void *mem = rte_zmalloc_socket(name, dsbc_src_guard_size(GUARD_SLOTS),
				       RTE_CACHE_LINE_SIZE, socket);

	return mem != NULL ? dsbc_src_guard_init(mem, GUARD_SLOTS, gc) : NULL;
}

int
dsbc_worker_sip_init(struct dsbc_app *app, struct dsbc_worker *w, int socket)
{
	const struct dsbc_config *c = &app->cfg;
	struct dsbc_src_guard_cfg gc = { 0 }, tc = { 0 };

	if (c->sip_rate_pps != 0) {
		gc.interval = app->tsc_hz / c->sip_rate_pps;
		gc.tolerance = gc.interval * c->sip_burst;
		gc.strikes = c->sip_ban_strikes;
		gc.window = app->tsc_hz;
		gc.ban = app->tsc_hz * c->sip_ban_s;
	}
	/* trusted peers have a budget too (sip_trusted_rate_pps, a
	 * second's worth of burst), never a ban: over it, their messages
	 * are a stranger's (a spoofed copy of a trusted address, a peer gone
	 * wrong, cannot fill the trusted rings) */
	if (c->sip_trusted_rate_pps != 0) {
		tc.interval = app->tsc_hz / c->sip_trusted_rate_pps;
		tc.tolerance = tc.interval * c->sip_trusted_rate_pps;
	}
	w->sip_guard = guard_new("dsbc_sip_guard", &gc, socket);
	w->sip_trusted_guard = guard_new("dsbc_sip_tguard", &tc, socket);
	return w->sip_guard != NULL && w->sip_trusted_guard != NULL ? 0 :
	       -ENOMEM;
}

void
dsbc_worker_sip_free(struct dsbc_worker *w)
{
	rte_free(w->sip_guard);
	rte_free(w->sip_trusted_guard);
	w->sip_guard = NULL;
	w->sip_trusted_guard = NULL;
}

void
dsbc_worker_sip(struct dsbc_app *app, struct dsbc_worker *w,
		struct rte_mbuf *m, const struct dsbc_pkt_info *pi, bool frag)
{
	enum dsbc_sip_kind kind = DSBC_SIP_KIND_NEW;
	enum dsbc_sip_prio prio;
	bool known;

	if (!frag) {
		uint32_t len = pi->payload_len;

		/* the payload is in the segment: classify() took only
		 * single-segment frames whose lengths dsbc_net_parse()
		 * checked against data_len */
		kind = dsbc_sip_kind(rte_pktmbuf_mtod_offset(m, const uint8_t *,
							     pi->payload_off),
				     len);
		if (unlikely(kind == DSBC_SIP_KIND_GARBAGE)) {
			dsbc_worker_drop(w, m, DSBC_DROP_SIP_GARBAGE);
			return;
		}
	}
	known = dsbc_known_has(app->known, &pi->src, pi->family, app->now_s);
	if (known && dsbc_src_guard_charge(w->sip_trusted_guard, &pi->src,
					   pi->family, rte_rdtsc()) !=
		     DSBC_SRC_PASS) {
		known = false;
		w->st.sip_demoted++;
	}
	if (!known)
		prio = DSBC_SIP_PRIO_NEW;
	else if (!frag && (kind == DSBC_SIP_KIND_RESPONSE ||
			   kind == DSBC_SIP_KIND_IN_DIALOG))
		prio = DSBC_SIP_PRIO_DIALOG;
	else
		prio = DSBC_SIP_PRIO_KNOWN;
	if (prio == DSBC_SIP_PRIO_NEW) {
		switch (dsbc_src_guard_charge(w->sip_guard, &pi->src,
					      pi->family, rte_rdtsc())) {
		case DSBC_SRC_PASS:
			break;
		case DSBC_SRC_LIMITED:
			dsbc_worker_drop(w, m, DSBC_DROP_SIP_RATE);
			return;
		case DSBC_SRC_BANNED:
			dsbc_worker_drop(w, m, DSBC_DROP_SIP_BANNED);
			return;
		}
	}
	if (unlikely(rte_ring_mp_enqueue(app->sip_ring[prio], m) != 0)) {
		dsbc_worker_drop(w, m, ring_full[prio]);
		return;
	}
	w->st.sip_punted++;
	w->st.sip_prio[prio]++;
}
