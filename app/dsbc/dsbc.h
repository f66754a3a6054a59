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
	struct rte_mempool *rx_pool; /* its own RX mbufs (driver profile
				      * rx_buf_size), NULL: the shared pool */
	uint16_t nb_rxq;
	uint16_t nb_txq;
	uint16_t vlan;
	struct rte_ether_addr mac;
	bool has_ip4, has_ip6;
	struct dsbc_addr ip4, ip6;
	struct dsbc_addr ll6;     /* link-local (RFC 4291), when has_ip6 */
	bool has_media4;
	rte_be32_t media4_net, media4_mask;
	struct dsbc_cfg_ip media6;
	/* the driver completes UDP checksums (RTE_ETH_TX_OFFLOAD_UDP_CKSUM):
	 * a terminated packet's new payload is not summed in software */
	bool tx_udp_cksum;
	char driver[32];
	/* the kernel exception path (ctl/exc_tap.c): a TAP port carrying
	 * this port's addresses into the Linux stack */
	bool has_exception;
	uint8_t exc_kind;         /* DSBC_EXCEPTION_TAP or _VIRTIO_USER */
	uint16_t exc_port_id;
	char exc_ifname[16];
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
	uint64_t icmp6_rx;            /* ICMPv6 of any type */
	uint64_t icmp6_echo_replies;
	uint64_t icmp6_ignored;       /* not for us, or a type we leave */
	uint64_t nd_invalid;          /* failed RFC 4861 7.1 validation */
	uint64_t nd_solicits_rx;      /* for one of our addresses */
	uint64_t nd_adverts_sent;
	uint64_t nd_solicits_sent;
	uint64_t nd_adverts_rx;
	uint64_t nd_learned;          /* neighbour MACs learned or changed */
	uint64_t nd_dad_defended;     /* DAD probes for our addresses answered */
	uint64_t exc_other;
	uint64_t tx_fail;
	/* the kernel exception path (ctl/exc_tap.c) */
	uint64_t kern_in;          /* frames passed to the kernel */
	uint64_t kern_tx_fail;     /* ... that its TAP did not take */
	uint64_t kern_out;         /* frames the kernel sent, out of a port */
	uint64_t kern_out_no_neigh;   /* ... dropped: next hop unresolved */
	uint64_t kern_out_dropped;    /* ... dropped: not routable unicast
				       * out of that port */
	uint64_t events;
	uint64_t latched;
	uint64_t flow_idle;
	uint64_t consent_lost;    /* CONSENT_LOST events */
	uint64_t flow_acks;
	uint64_t flow_errors;     /* FLOW_ACK with a non-zero status */
	uint64_t flows_installed;
	uint64_t flows_modified;      /* FLOW_MOD sent (re-INVITE, latching) */
	uint64_t flows_removed;
	uint64_t flow_del_retries;    /* FLOW_DELs sent again after a refusal */
	uint64_t event_bad;
	uint64_t dtls_unparsed;   /* punted DTLS of no flow, or not UDP */
	uint64_t busy_cycles;     /* TSC in loop iterations that did work */
	uint64_t busy_loops;
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
	uint64_t *cookie;         /* per slot: the owner's reference, 0 none */
	uint32_t active;          /* acked FLOW_ADDs */
	/* FLOW_DELs the control channel refused (its backlog full): sent
	 * again from the loop, so no slot stays DELETING for ever */
	uint32_t *del_retry;
	uint32_t nb_del_retry;
};

enum {
	DSBC_SLOT_FREE = 0,
	DSBC_SLOT_ADDING,
	DSBC_SLOT_ACTIVE,
	DSBC_SLOT_DELETING,
};

struct dsbc_sip_rt;
struct dsbc_sip_tcp;
struct dsbc_worker;
struct dsbc_known;

/*
 * Priorities of SIP over UDP, given by the workers before any ring
 * (dp/worker_sip.c): a flood of new requests from strangers can never
 * delay the messages of established calls or of trusted peers.
 */
enum dsbc_sip_prio {
	DSBC_SIP_PRIO_DIALOG,    /* responses and in-dialog requests from
				  * trusted peers */
	DSBC_SIP_PRIO_KNOWN,     /* other requests from trusted peers
				  * (REGISTER refreshes, trunks' calls) */
	DSBC_SIP_PRIO_NEW,       /* the rest: strangers, spoofed or not */
	DSBC_SIP_PRIOS
};

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
	/* SIP over UDP, workers -> mgmt, mbufs, MP/SC: one ring per
	 * priority (enum dsbc_sip_prio), drained in that order */
	struct rte_ring *sip_ring[DSBC_SIP_PRIOS];
	struct dsbc_known *known;        /* trusted peers: mgmt writes,
					  * workers read (lib/overload) */
	struct rte_ring *exc_ring;       /* workers -> mgmt, mbufs, MP/SC */
	struct rte_ring *kern_ring;      /* workers -> mgmt -> kernel, MP/SC */
	struct rte_ring *dtls_ring;      /* workers -> mgmt, mbufs of
					  * terminated legs' DTLS records,
					  * flow id in hash.usr, MP/SC */
	struct rte_ring *events;         /* workers -> mgmt, messages, MP/SC */
	uint16_t mgmt_txq;
	struct rte_eth_dev_tx_buffer *mgmt_txb[DSBC_CFG_MAX_PORTS];
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
	struct dsbc_sip_tcp *sip_tcp;    /* SIP over TCP, NULL when off */

	/* written by the main lcore (signals, start), read by workers */
	volatile uint32_t now_s;     /* seconds since start, the clock of
				      * the trusted-peer filter */
	volatile bool quit;          /* the management loop ends */
	volatile bool dp_quit;       /* the workers end: after the management
				      * lcore has ended the calls and taken
				      * their flows' last counters */
	volatile bool reload;        /* SIGHUP: the configuration file again */
	volatile bool dp_running;
	/* [hep] rtcp: workers copy the RTCP they relay to the management
	 * lcore (written by it on start and reload) */
	volatile bool hep_rtcp;
};

/* port.c */
int dsbc_ports_init(struct dsbc_app *app);
int dsbc_ports_start(struct dsbc_app *app);
void dsbc_ports_close(struct dsbc_app *app);
/* Free the ports' own RX pools, once nothing holds their mbufs. */
void dsbc_ports_free_pools(struct dsbc_app *app);

/* Index in app->ports of a DPDK port id, -1 when not ours. */
static inline int
dsbc_port_of_id(const struct dsbc_app *app, uint16_t port_id)
{
	return port_id < RTE_MAX_ETHPORTS ? app->port_idx[port_id] : -1;
}

/* Is an IPv6 address one of port p's (link-local included)? */
static inline bool
dsbc_port_has_ip6(const struct dsbc_port_rt *p, const struct dsbc_addr *a)
{
	return (p->has_ip6 && (dsbc_addr_eq(a, &p->ip6) ||
			       dsbc_addr_eq(a, &p->ll6))) ||
	       dsbc_config_ip_match(&p->media6, a, true);
}

/* Is an IPv4 address (network order) one of port p's? */
static inline bool
dsbc_port_has_ip4(const struct dsbc_port_rt *p, rte_be32_t a)
{
	return (p->has_ip4 && a == p->ip4.v4) ||
	       (p->has_media4 && (a & p->media4_mask) == p->media4_net);
}

#endif /* DSBC_APP_H */
