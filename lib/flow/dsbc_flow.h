/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_FLOW_H
#define DSBC_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>

#include "dsbc_flow_types.h"
#include "dsbc_net.h"
#include "dsbc_hdr.h"
#include "dsbc_demux.h"

/**
 * @file
 * A flow is one direction of one media stream: packets arriving at
 * (local address, local UDP port) leave through out_port with the headers
 * of tmpl.  Key, spec and state are separate so that ownership is plain:
 *   spec  - written by the management lcore, carried in FLOW_ADD/FLOW_MOD;
 *   state - written only by the owning worker;
 *   telemetry reads both without locks (aligned 64-bit counters).
 */

/**
 * What a flow is found by: the local address and UDP port packets arrive
 * at.
 *
 * 32 bytes on purpose: rte_hash compares 16/32/48/64-byte keys with SIMD
 * and falls back to memcmp() for other sizes (perf/relay measured it).
 */
struct dsbc_flow_key {
	struct dsbc_addr local;
	uint16_t local_port;   /* host order */
	uint8_t family;        /* 4 or 6 */
	uint8_t pad[13];       /* zero: keys are hashed as bytes */
};
_Static_assert(sizeof(struct dsbc_flow_key) == 32, "flow key size");

/**
 * What the management lcore decides about a flow.  Field order is cache
 * layout: what every relayed packet reads comes first (see dsbc_flow).
 */
struct dsbc_flow_spec {
	uint16_t out_port;           /* DPDK port id */
	uint16_t neigh_id;           /* next hop in the worker neighbour table */
	uint8_t mode;                /* enum dsbc_mode */
	uint8_t latch;               /* enum dsbc_latch */
	uint16_t relatch_ms;         /* re-latch allowed after this silence; 0 never */
	struct dsbc_hdr_tmpl tmpl;   /* outgoing headers */
	struct dsbc_addr peer;       /* signalled remote source (LATCH_SIGNALLED) */
	uint16_t peer_port;          /* host order */
	uint8_t peer_family;
	uint8_t flags;               /* DSBC_FLOW_F_* */
	uint16_t ice_id;             /* ICE-lite agent of this leg, 0 none */
	uint8_t ssrc_policy;         /* enum dsbc_ssrc_policy (aware) */
	uint8_t seq_drop;            /* aware: drop sequence leaps */
	uint16_t seq_window;         /* aware: leap = beyond this (A.1) */
	uint8_t srtp_in;             /* terminate: enum dsbc_keying of the
				      * leg packets arrive on */
	uint8_t srtp_out;            /* ... and of the leg they leave by */
	struct dsbc_flow_key key;    /* the hash keeps its own copy */
	/* per-flow policer (GCRA): one packet per interval, burst deep */
	uint64_t police_interval;    /* TSC cycles; 0 = no policer */
	uint64_t police_tolerance;   /* TSC cycles of burst */
	/* aware: arrival in RTP clock units = (tsc * arrival_mult) >> 32 */
	uint64_t arrival_mult;
	uint32_t clock_rate;         /* RTP clock of the first format */
	uint32_t rtcp_sibling;       /* flow id + 1 whose spec RTCP takes
				      * (rtcp-mux on this leg only), 0 none */
};

/**
 * What the per-packet path must look at, derived from the spec when it is
 * applied and kept in the flow's first line, so that a flow without ICE
 * or policer never touches the spec lines holding those parameters.
 */
#define DSBC_FLOW_FAST_ICE    0x01
#define DSBC_FLOW_FAST_POLICE 0x02

/** Per-flow counters, written by the owning worker only. */
struct dsbc_flow_stats {
	uint64_t pkts;               /* relayed */
	uint64_t bytes;              /* relayed UDP payload bytes */
	uint64_t last_tsc;           /* TSC of the last accepted packet, 0 never */
	/* received, per RFC 7983 class; RTP is not counted per packet (it
	 * would take a cache line of its own): dsbc_flow_rx_class() */
	uint64_t cls[DSBC_DEMUX_MAX];
	uint64_t drops;              /* dropped after lookup, any reason */
	uint64_t drop_not_latched;
	uint64_t latched_tsc;
	uint64_t stun_answered;      /* ICE checks answered */
	uint64_t stun_refused;       /* checks failing USERNAME/integrity */
	uint64_t last_check_tsc;     /* last authenticated check, 0 never */
	uint64_t drop_policer;
};

/**
 * A flow as its worker holds it: state, counters and a copy of the spec.
 *
 * Cache layout (perf/relay at 100k flows is bound by misses on this):
 * line 0 the latch state and the counters every packet bumps (pkts,
 * bytes, last_tsc: the first three of st), line 1 the counters of rarer
 * classes and events, line 3 the forwarding fields and an IPv4 header
 * template.  A relayed IPv4 RTP packet touches lines 0 and 3 only.
 */
struct dsbc_flow {
	/* worker-owned state */
	uint32_t flow_id;            /* as given by the management lcore */
	uint8_t in_use;
	uint8_t latched;             /* source latched (LATCH_FIRST) */
	uint8_t latched_family;
	uint8_t idle_reported;
	uint16_t latched_port;
	uint8_t fast;                /* DSBC_FLOW_FAST_*, derived from spec */
	uint8_t consent_reported;    /* CONSENT_LOST sent (once a flow) */
	uint32_t term;               /* terminate: 1 + index of its SRTP
				      * state in the worker, 0 none (in the
				      * first line: read per packet) */
	struct dsbc_addr latched_src;
	uint64_t police_tat;         /* GCRA theoretical arrival time */
	struct dsbc_flow_stats st;
	uint64_t install_tsc;        /* when FLOW_ADD was applied */
	uint16_t held;               /* terminate: packets waiting for keys
				      * in the worker's hold */
	/* management-owned, copied in by FLOW_ADD/FLOW_MOD */
	struct dsbc_flow_spec spec __rte_cache_aligned;
} __rte_cache_aligned;

_Static_assert(offsetof(struct dsbc_flow, st.last_tsc) + 8 <=
	       RTE_CACHE_LINE_SIZE, "per-packet counters in the first line");
_Static_assert(offsetof(struct dsbc_flow, term) + 4 <= RTE_CACHE_LINE_SIZE,
	       "terminated flows find their SRTP state from the first line");

/**
 * Packets of class c that reached the flow: every looked-up packet is
 * relayed (pkts), dropped (drops) or answered (stun_answered), and
 * counted in its class but RTP, so RTP is the rest.
 *
 * @param f  the flow
 * @param c  the RFC 7983 class
 * @return the packets of that class received
 */
static inline uint64_t
dsbc_flow_rx_class(const struct dsbc_flow *f, enum dsbc_demux_class c)
{
	uint64_t total, others = 0;
	unsigned int i;

	if (c != DSBC_DEMUX_RTP)
		return f->st.cls[c];
	total = f->st.pkts + f->st.drops + f->st.stun_answered;
	for (i = 0; i < DSBC_DEMUX_MAX; i++)
		if (i != DSBC_DEMUX_RTP)
			others += f->st.cls[i];
	return total > others ? total - others : 0;
}

/**
 * Flow ids carry their owner and slot: the management lcore allocates the
 * slot (it knows which are free because removals are acknowledged), the
 * worker stores the flow there, and telemetry finds it without a lookup.
 * The slot is the low DSBC_FLOW_SLOT_BITS bits, the worker the rest.
 */
#define DSBC_FLOW_SLOT_BITS 24
#define DSBC_FLOW_MAX_SLOTS (1u << DSBC_FLOW_SLOT_BITS)
/**
 * The id of a flow.
 *
 * @param worker  the worker owning it
 * @param slot  its slot in that worker's table, below DSBC_FLOW_MAX_SLOTS
 * @return the flow id
 */
static inline uint32_t
dsbc_flow_id(unsigned int worker, uint32_t slot)
{
	return ((uint32_t)worker << DSBC_FLOW_SLOT_BITS) | slot;
}
/**
 * The worker owning a flow.
 *
 * @param id  the flow id
 * @return the worker's index
 */
static inline unsigned int
dsbc_flow_id_worker(uint32_t id)
{
	return id >> DSBC_FLOW_SLOT_BITS;
}
/**
 * The slot of a flow in its worker's table.
 *
 * @param id  the flow id
 * @return the slot
 */
static inline uint32_t
dsbc_flow_id_slot(uint32_t id)
{
	return id & (DSBC_FLOW_MAX_SLOTS - 1);
}

#endif /* DSBC_FLOW_H */
