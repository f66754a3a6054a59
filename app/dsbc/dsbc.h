/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_APP_H
#define DSBC_APP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "dsbc_config.h"
#include "dsbc_demux.h"
#include "dsbc_drop.h"
#include "dsbc_flow_table.h"
#include "dsbc_msg.h"
#include "dsbc_srtp_cdev.h"
#include "dsbc_slice.h"
#include "worker_term.h"

#define DSBC_VERSION "0.1.0"
#define DSBC_MAX_BURST 64
#define DSBC_EVENT_BACKLOG 256

/*
 * Ownership (docs/architecture.md has the table): every field below says
 * who writes it.  "setup" means written by the main lcore before the
 * workers are launched and read-only afterwards.
 */

/* A port's addresses as the fast path compares them.  setup. */
struct dsbc_port_rt {
	uint16_t port_id;
	uint16_t nb_rxq;
	uint16_t nb_txq;
	uint16_t vlan;
	struct rte_ether_addr mac;
	bool has_ip4, has_ip6;
	struct dsbc_addr ip4, ip6;
	bool has_media4;
	rte_be32_t media4_net, media4_mask;
	struct dsbc_cfg_ip media6;
	/* the driver completes UDP checksums (RTE_ETH_TX_OFFLOAD_UDP_CKSUM):
	 * a terminated packet's new payload is not summed in software */
	bool tx_udp_cksum;
	char driver[32];
};

/* Per-worker counters; written by the worker only, read by telemetry. */
struct dsbc_worker_stats {
	uint64_t rx;               /* packets received from NIC queues */
	uint64_t tx;               /* packets handed to a TX buffer */
	uint64_t handoff_out;      /* sent to the owning worker */
	uint64_t handoff_in;       /* received from other workers */
	uint64_t sip_punted;       /* to the management SIP ring */
	uint64_t exc_punted;       /* ARP/ND/ICMP to the exception ring */
	uint64_t dtls_punted;      /* terminate: DTLS records to the DTLS ring */
	uint64_t srtp_cdev_ops;    /* terminate: SRTP transforms on the cryptodev */
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

/* Management lcore counters; written by the main lcore only. */
struct dsbc_mgmt_stats {
	uint64_t sip_rx;          /* SIP datagrams received (B2BUA: later) */
	uint64_t frag_rx;         /* fragments received for reassembly */
	uint64_t arp_rx;
	uint64_t arp_replies_sent;
	uint64_t arp_requests_sent;
	uint64_t arp_learned;
	uint64_t arp_ignored;
	uint64_t icmp_echo_replies;
	uint64_t icmp_ignored;
	uint64_t icmp6_rx;
	uint64_t nd_adverts_sent;
	uint64_t exc_other;
	uint64_t tx_fail;
	uint64_t events;
	uint64_t latched;
	uint64_t flow_idle;
	uint64_t flow_acks;
	uint64_t flow_errors;     /* FLOW_ACK with a non-zero status */
	uint64_t flows_installed;
	uint64_t flows_modified;      /* FLOW_MOD sent (re-INVITE, latching) */
	uint64_t flows_removed;
	uint64_t event_bad;
} __rte_cache_aligned;

/* One next hop the management lcore resolves.  main lcore. */
struct dsbc_neigh {
	uint16_t port;
	uint8_t family;
	uint8_t state;            /* DSBC_NEIGH_* */
	struct dsbc_addr ip;
	struct rte_ether_addr mac;
	uint64_t next_probe_tsc;
	uint32_t probes;
};

enum {
	DSBC_NEIGH_FREE = 0,
	DSBC_NEIGH_INCOMPLETE,
	DSBC_NEIGH_REACHABLE,
	DSBC_NEIGH_STATIC,
};

/* Management view of one worker's flow slots.  main lcore. */
struct dsbc_slot_alloc {
	uint32_t *free;           /* stack of free slots */
	uint32_t nb_free;
	uint32_t capacity;
	uint8_t *state;           /* DSBC_SLOT_* per slot */
	uint32_t *cookie;         /* per slot: the owner's reference, 0 none */
	uint32_t active;          /* acked FLOW_ADDs */
};

enum {
	DSBC_SLOT_FREE = 0,
	DSBC_SLOT_ADDING,
	DSBC_SLOT_ACTIVE,
	DSBC_SLOT_DELETING,
};

struct dsbc_sip_rt;

struct dsbc_app {
	/* setup */
	struct dsbc_config cfg;
	bool has_cdev;                   /* srtp_engine = cryptodev */
	struct dsbc_srtp_cdev cdev;      /* its device, queue pair w per worker */
	uint16_t nb_ports;
	struct dsbc_port_rt ports[DSBC_CFG_MAX_PORTS];
	int8_t port_idx[RTE_MAX_ETHPORTS];  /* DPDK port id -> ports[] index, -1 */
	uint16_t nb_workers;
	struct dsbc_worker *workers[DSBC_CFG_MAX_WORKERS];
	struct dsbc_slices slices;
	struct rte_mempool *pool;
	struct rte_ring *sip_ring;       /* workers -> mgmt, mbufs, MP/SC */
	struct rte_ring *exc_ring;       /* workers -> mgmt, mbufs, MP/SC */
	struct rte_ring *dtls_ring;      /* workers -> mgmt, mbufs of
					  * terminated legs' DTLS records,
					  * flow id in hash.usr, MP/SC */
	struct rte_ring *events;         /* workers -> mgmt, messages, MP/SC */
	uint16_t mgmt_txq;
	uint64_t tsc_hz;
	uint64_t start_tsc;

	/* main lcore */
	struct dsbc_msg_chan ctrl[DSBC_CFG_MAX_WORKERS];
	struct dsbc_slot_alloc slots[DSBC_CFG_MAX_WORKERS];
	struct {                         /* ICE agent ids per worker */
		uint16_t *free;
		uint32_t nb_free;
	} ice_ids[DSBC_CFG_MAX_WORKERS];
	struct dsbc_neigh neigh[DSBC_NEIGH_MAX];
	uint16_t nb_neigh;
	uint64_t sync_token;
	uint64_t sync_acked[DSBC_CFG_MAX_WORKERS];
	struct dsbc_mgmt_stats mst;
	struct dsbc_sip_rt *sip;         /* SIP transport and stateless UA */

	/* written by the main lcore (signals, start), read by workers */
	volatile bool quit;
	volatile bool dp_running;
};

/* port.c */
int dsbc_ports_init(struct dsbc_app *app);
int dsbc_ports_start(struct dsbc_app *app);
void dsbc_ports_close(struct dsbc_app *app);

/* Index in app->ports of a DPDK port id, -1 when not ours. */
static inline int
dsbc_port_of_id(const struct dsbc_app *app, uint16_t port_id)
{
	return port_id < RTE_MAX_ETHPORTS ? app->port_idx[port_id] : -1;
}

/* Is an IPv4 address (network order) one of port p's? */
static inline bool
dsbc_port_has_ip4(const struct dsbc_port_rt *p, rte_be32_t a)
{
	return (p->has_ip4 && a == p->ip4.v4) ||
	       (p->has_media4 && (a & p->media4_mask) == p->media4_net);
}

/* worker.c */
int dsbc_worker_main(void *arg);
struct dsbc_worker *dsbc_worker_create(struct dsbc_app *app, uint16_t idx,
				       unsigned int lcore_id);
void dsbc_worker_free(struct dsbc_worker *w);

/* mgmt.c */
int dsbc_mgmt_setup(struct dsbc_app *app);
int dsbc_mgmt_install_static(struct dsbc_app *app);
void dsbc_mgmt_loop(struct dsbc_app *app);
void dsbc_mgmt_free(struct dsbc_app *app);
int dsbc_mgmt_sync(struct dsbc_app *app, uint64_t timeout_ms);
void dsbc_mgmt_poll_events(struct dsbc_app *app);
int dsbc_mgmt_flow_add(struct dsbc_app *app, const struct dsbc_flow_cfg *fc,
		       uint32_t cookie, uint32_t *flow_id);
int dsbc_mgmt_flow_mod(struct dsbc_app *app, uint32_t flow_id,
		       const struct dsbc_flow_cfg *fc, bool unlatch);
uint32_t dsbc_mgmt_flow_cookie(const struct dsbc_app *app, uint32_t flow_id);
int dsbc_mgmt_ice_set(struct dsbc_app *app, uint16_t worker, uint16_t *ice_id,
		      const char *local_ufrag, const char *remote_ufrag,
		      const char *pwd);
void dsbc_mgmt_ice_free(struct dsbc_app *app, uint16_t worker, uint16_t ice_id);
int dsbc_mgmt_flow_del(struct dsbc_app *app, uint32_t flow_id);
int dsbc_mgmt_flow_keys(struct dsbc_app *app, uint32_t flow_id, uint8_t dir,
			uint8_t suite, const uint8_t *key, uint8_t key_len,
			const uint8_t *salt, uint8_t salt_len);

/* neigh.c (management lcore) */
int dsbc_neigh_get(struct dsbc_app *app, uint16_t port, uint8_t family,
		   const struct dsbc_addr *ip);
int dsbc_neigh_static(struct dsbc_app *app, const struct dsbc_neigh_cfg *n);
void dsbc_neigh_probe(struct dsbc_app *app, uint64_t now);
void dsbc_exc_handle(struct dsbc_app *app, struct rte_mbuf *m);
/* Prepend Ethernet (+ 802.1Q when the port has a VLAN) to an mbuf. */
int dsbc_push_l2(struct rte_mbuf *m, const struct dsbc_port_rt *p,
		 const struct rte_ether_addr *dst, uint16_t ether_type);
/* Send one frame on the management lcore's TX queue (counted on failure). */
void dsbc_mgmt_tx(struct dsbc_app *app, uint16_t port_id, struct rte_mbuf *m);
void dsbc_neigh_broadcast(struct dsbc_app *app, uint16_t id);

/* telemetry.c */
int dsbc_telemetry_register(struct dsbc_app *app);

#endif /* DSBC_APP_H */
