/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_DP_WORKER_H
#define DSBC_DP_WORKER_H

/*
 * The worker lcore: the loop that polls its NIC queues, the handoff ring
 * and its control ring, and the per-packet path (classify, relay, aware,
 * ICE, terminate).  The management lcore programs it only through
 * messages (lib/msg) and hears from it only through events.
 */
#include <stdbool.h>
#include <stdint.h>

#include "dsbc.h"
#include "dp/worker_hold.h"
#include "dp/worker_term.h"

/* Per-worker counters; written by the worker only, read by telemetry. */
struct dsbc_worker_stats {
	uint64_t rx;               /* packets received from NIC queues */
	uint64_t tx;               /* packets handed to a TX buffer */
	uint64_t handoff_out;      /* sent to the owning worker */
	uint64_t handoff_in;       /* received from other workers */
	uint64_t sip_punted;       /* to the management SIP rings */
	uint64_t sip_prio[DSBC_SIP_PRIOS];   /* ... by priority */
	uint64_t sip_demoted;      /* trusted peers' SIP over their budget */
	uint64_t exc_punted;       /* ARP/ND/ICMP to the exception ring */
	uint64_t kern_punted;      /* TCP to the kernel path's ring */
	uint64_t dtls_punted;      /* terminate: DTLS records to the DTLS ring */
	uint64_t rtcp_copied;      /* [hep] rtcp: copies to the DTLS ring */
	uint64_t rtcp_copy_failed; /* ... no mbuf or the ring full: none */
	uint64_t srtp_cdev_ops;    /* terminate: SRTP transforms on the cryptodev */
	uint64_t srtp_held;        /* terminate: packets parked for keys */
	uint64_t srtp_held_released;   /* and sent on once keyed */
	uint64_t srtp_held_expired;    /* and dropped after srtp_hold_ms */
	uint64_t ctrl_msgs;        /* control messages applied */
	uint64_t ctrl_bad;         /* control messages refused (version/type) */
	uint64_t events;           /* events enqueued to management */
	uint64_t event_enq_fail;   /* event enqueues that found the ring full */
	uint64_t events_lost;      /* events dropped: backlog full too */
	uint64_t latched;          /* latch events */
	uint64_t idle_reports;     /* FLOW_IDLE events */
	uint64_t busy_cycles;      /* loop iterations that moved packets */
	uint64_t idle_cycles;      /* loop iterations that did not */
	uint64_t sleeps;           /* idle back-off sleeps */
	uint64_t stun_answered;    /* ICE connectivity checks answered */
	uint64_t cls[DSBC_DEMUX_MAX];
	uint64_t drop[DSBC_DROP_MAX];
} __rte_cache_aligned;

/*
 * dsbc's ICE-lite agent on one call leg (RFC 8445 section 2.5), in the
 * worker owning the leg's ports; set by ICE_SET, read per STUN check.
 */
struct dsbc_ice_agent {
	uint8_t in_use;
	uint8_t pwd_len;
	char local_ufrag[16];
	char remote_ufrag[DSBC_ICE_UFRAG_MAX];
	char pwd[DSBC_ICE_PWD_MAX];
};

struct dsbc_aware;
struct dsbc_worker_snap_box;
struct dsbc_src_guard;

struct dsbc_worker {
	/* setup */
	struct dsbc_app *app;
	unsigned int lcore_id;
	uint16_t idx;                    /* 0 .. nb_workers-1 */
	uint16_t txq;                    /* this lcore's TX queue on every port */
	uint16_t nb_rxq;
	struct {
		uint16_t port;
		uint16_t queue;
	} rxq[DSBC_CFG_MAX_RXQ];
	struct rte_ring *ctrl;           /* mgmt -> worker messages, SP/SC */
	struct rte_ring *handoff;        /* mbufs from other workers, MP/SC */
	struct rte_eth_dev_tx_buffer *txb[DSBC_CFG_MAX_PORTS];

	/* worker-owned */
	struct dsbc_flow_table *flows;
	struct dsbc_ice_agent *ice;      /* [ice_capacity + 1], [0] unused */
	struct dsbc_aware *aware;        /* [flow_capacity], per flow slot */
	bool prefetch_aware;             /* aware is the default mode */
	struct dsbc_term *term;          /* [term_cap] terminated flows' SRTP */
	struct dsbc_srtp_cdev cdev;      /* this worker's queue pair, if any */
	struct dsbc_term_batch tb;       /* terminated packets of this burst */
	struct dsbc_hold hold;           /* terminated packets before keys */
	struct dsbc_worker_snap_box *snap;   /* telemetry's requests */
	struct dsbc_src_guard *sip_guard;    /* strangers' SIP budgets */
	struct dsbc_src_guard *sip_trusted_guard;    /* trusted peers' */
	uint32_t term_cap;
	uint32_t term_free;              /* free list head, index + 1 */
	unsigned int term_replay;        /* SRTP replay window (RFC 3711 3.3.2) */
	struct dsbc_flow *flow_base;     /* slot 0: slot = f - flow_base */
	struct rte_ether_addr neigh_mac[DSBC_NEIGH_MAX];
	uint8_t neigh_valid[DSBC_NEIGH_MAX];
	struct dsbc_msg ev_backlog[DSBC_EVENT_BACKLOG];
	uint32_t ev_head, ev_len;
	uint32_t ev_seq;
	uint32_t idle_run;               /* consecutive empty polls */
	uint64_t next_idle_scan;
	struct dsbc_worker_stats st;
};


/* Count a packet under its drop reason and free it (the worker's own
 * counters: called on its lcore only). */
static inline void
dsbc_worker_drop(struct dsbc_worker *w, struct rte_mbuf *m,
		 enum dsbc_drop why)
{
	w->st.drop[why]++;
	rte_pktmbuf_free(m);
}

/* The sum of one worker counter over all workers (for other threads:
 * each a 64-bit load of a value its worker alone writes). */
#define DSBC_WORKER_SUM(app, field) ({ \
	uint64_t _s = 0; \
	uint16_t _w; \
	for (_w = 0; _w < (app)->nb_workers; _w++) \
		_s += (app)->workers[_w]->st.field; \
	_s; })

int dsbc_worker_main(void *arg);
struct dsbc_worker *dsbc_worker_create(struct dsbc_app *app, uint16_t idx,
				       unsigned int lcore_id);
void dsbc_worker_free(struct dsbc_worker *w);


#endif /* DSBC_DP_WORKER_H */
