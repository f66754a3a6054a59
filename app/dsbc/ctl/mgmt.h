/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_CTL_MGMT_H
#define DSBC_CTL_MGMT_H

/*
 * The management lcore: flow slot allocators and the control channels
 * to the workers (mgmt.c), the neighbour table (neigh.c), SIP (sip.h).
 */
#include "dsbc.h"

/* mgmt.c */
int dsbc_mgmt_setup(struct dsbc_app *app);
int dsbc_mgmt_install_static(struct dsbc_app *app);
void dsbc_mgmt_loop(struct dsbc_app *app);
void dsbc_mgmt_free(struct dsbc_app *app);
int dsbc_mgmt_sync(struct dsbc_app *app, uint64_t timeout_ms);
uint32_t dsbc_mgmt_poll_events(struct dsbc_app *app);
int dsbc_mgmt_flow_add(struct dsbc_app *app, const struct dsbc_flow_cfg *fc,
		       uint64_t cookie, uint32_t *flow_id);
int dsbc_mgmt_flow_mod(struct dsbc_app *app, uint32_t flow_id,
		       const struct dsbc_flow_cfg *fc, bool unlatch);
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
/* The MAC of next hop ip out of port, NULL while unresolved (an entry
 * is made, so dsbc_neigh_probe() asks for it). */
const struct rte_ether_addr *dsbc_neigh_mac(struct dsbc_app *app,
					    uint16_t port, uint8_t family,
					    const struct dsbc_addr *ip);
void dsbc_neigh_probe(struct dsbc_app *app, uint64_t now);
void dsbc_exc_handle(struct dsbc_app *app, struct rte_mbuf *m);
/* Prepend Ethernet (+ 802.1Q when the port has a VLAN) to an mbuf. */
int dsbc_push_l2(struct rte_mbuf *m, const struct dsbc_port_rt *p,
		 const struct rte_ether_addr *dst, uint16_t ether_type);
/* Queue one frame on the management lcore's TX queue (counted when the
 * queue refuses it); dsbc_mgmt_tx_flush() sends what is queued. */
void dsbc_mgmt_tx(struct dsbc_app *app, uint16_t port_id, struct rte_mbuf *m);
void dsbc_mgmt_tx_flush(struct dsbc_app *app);
void dsbc_neigh_broadcast(struct dsbc_app *app, uint16_t id);


#endif /* DSBC_CTL_MGMT_H */
