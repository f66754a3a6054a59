/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port bring-up: probe the device named in [port.N] dev (PCI address or
 * vdev devargs), configure one RX queue per worker (RSS where the driver
 * has it) and one TX queue per lcore, so no TX queue is ever shared.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dp/worker.h"
#include "dsbc_nd.h"
#include "dsbc_profile.h"
#include "log.h"

/*
 * A vdev's devargs with its driver profile's vdev_args added where dev
 * does not give them (the driver is the vdev name without its number).
 */
static void
vdev_devargs(const struct dsbc_app *app, const struct dsbc_port_cfg *pc,
	     char *out, size_t cap)
{
	struct dsbc_profile prof;
	char driver[64], key[40];
	const char *a;
	size_t n;

	snprintf(out, cap, "%s", pc->dev);
	n = strcspn(pc->dev, ",");
	if (strncmp(pc->dev, "net_", 4) != 0 || n >= sizeof(driver))
		return;
	memcpy(driver, pc->dev, n);
	driver[n] = '\0';
	while (n > 0 && driver[n - 1] >= '0' && driver[n - 1] <= '9')
		driver[--n] = '\0';
	dsbc_profile_load(app->cfg.drivers_cfg_dir, driver, &prof);
	for (a = prof.vdev_args; *a != '\0'; a += strcspn(a, ",")) {
		size_t kl;

		a += strspn(a, ",");
		kl = strcspn(a, "=,");
		if (kl == 0 || kl + 3 > sizeof(key))
			continue;
		snprintf(key, sizeof(key), ",%.*s=", (int)kl, a);
		if (strstr(pc->dev, key) == NULL)
			snprintf(out + strlen(out), cap - strlen(out), ",%.*s",
				 (int)strcspn(a, ","), a);
	}
}

static int
port_probe(const struct dsbc_app *app, const struct dsbc_port_cfg *pc,
	   uint16_t *port_id)
{
	char devargs[sizeof(pc->dev) + 160];

	if (rte_eth_dev_get_port_by_name(pc->name, port_id) == 0)
		return 0;
	vdev_devargs(app, pc, devargs, sizeof(devargs));
	if (rte_dev_probe(devargs) != 0)
		return -1;
	return rte_eth_dev_get_port_by_name(pc->name, port_id);
}

/*
 * Frames bigger than the shared pool's mbufs (the driver profile's
 * rx_buf_size): an RX pool of the port's own, as many mbufs as its
 * queues hold plus what may be in flight.
 */
static struct rte_mempool *
rx_pool(struct dsbc_app *app, uint16_t idx, const struct dsbc_profile *prof,
	uint16_t nb_rxq, uint16_t rxd, int socket)
{
	struct dsbc_port_rt *p = &app->ports[idx];
	char name[RTE_MEMPOOL_NAMESIZE];
	uint32_t room = prof->rx_buf_size + RTE_PKTMBUF_HEADROOM;

	if (prof->rx_buf_size == 0 ||
	    room <= rte_pktmbuf_data_room_size(app->pool))
		return app->pool;
	snprintf(name, sizeof(name), "dsbc_rx%u", idx);
	p->rx_pool = rte_pktmbuf_pool_create(name, (uint32_t)nb_rxq * rxd + 1023,
					     256, 0, (uint16_t)room, socket);
	if (p->rx_pool == NULL) {
		DSBC_LOG(main, ERR, "[port.%u] dev: no RX pool of %u-byte "
			"mbufs (%s: rx_buf_size): %s\n", idx, room, prof->file,
			rte_strerror(rte_errno));
		return NULL;
	}
	DSBC_LOG(main, INFO, "[port.%u] RX pool of %u mbufs of %u bytes "
		 "(frames up to %u bytes)\n", idx, nb_rxq * rxd + 1023, room,
		 prof->rx_buf_size);
	return p->rx_pool;
}

static int
port_setup(struct dsbc_app *app, uint16_t idx)
{
	const struct dsbc_port_cfg *pc = &app->cfg.ports[idx];
	struct dsbc_port_rt *p = &app->ports[idx];
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct dsbc_profile prof;
	struct rte_mempool *pool;
	uint16_t nb_rxq, nb_txq, q, rxd, txd;
	int socket, rc;

	if (port_probe(app, pc, &p->port_id) != 0) {
		DSBC_LOG(main, ERR, "[port.%u] dev: cannot probe '%s'\n", idx,
			pc->dev);
		return -1;
	}
	rc = rte_eth_dev_info_get(p->port_id, &info);
	if (rc != 0) {
		DSBC_LOG(main, ERR, "[port.%u] dev: no device info: %s\n", idx,
			rte_strerror(-rc));
		return -1;
	}
	snprintf(p->driver, sizeof(p->driver), "%s", info.driver_name);
	dsbc_profile_load(app->cfg.drivers_cfg_dir, info.driver_name, &prof);

	nb_rxq = pc->rx_queues ? pc->rx_queues : app->nb_workers;
	if (prof.rx_all_queues && nb_rxq != info.max_rx_queues) {
		if (pc->rx_queues) {
			DSBC_LOG(main, ERR, "[port.%u] rx_queues: %s spreads "
				"traffic over all its %u queues; %u would lose "
				"some\n", idx, info.driver_name,
				info.max_rx_queues, nb_rxq);
			return -1;
		}
		nb_rxq = info.max_rx_queues;
	}
	if (nb_rxq > info.max_rx_queues) {
		if (pc->rx_queues) {
			DSBC_LOG(main, ERR, "[port.%u] rx_queues: %u exceeds the "
				"driver's %u\n", idx, nb_rxq, info.max_rx_queues);
			return -1;
		}
		nb_rxq = info.max_rx_queues;
	}
	/* One TX queue per lcore: workers 0..n-1, management n. */
	nb_txq = (uint16_t)(app->nb_workers + 1);
	if (nb_txq > info.max_tx_queues) {
		DSBC_LOG(main, ERR, "[port.%u] dev: driver %s offers %u TX "
			"queues, dsbc needs one per lcore (%u)%s\n", idx,
			info.driver_name, info.max_tx_queues, nb_txq,
			strcmp(info.driver_name, "net_pcap") == 0 ?
			"; give the vdev one tx_pcap= per lcore" : "");
		return -1;
	}
	memset(&conf, 0, sizeof(conf));
	if (nb_rxq > 1 && info.flow_type_rss_offloads != 0 && prof.rss) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP) &
			info.flow_type_rss_offloads;
	}
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	/* terminator mode rewrites whole payloads: their UDP checksum is
	 * the NIC's where it can (relayed packets keep theirs, RFC 1624) */
	p->tx_udp_cksum = prof.tx_cksum_offload &&
			  (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_UDP_CKSUM);
	if (p->tx_udp_cksum)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
	rc = rte_eth_dev_configure(p->port_id, nb_rxq, nb_txq, &conf);
	if (rc != 0) {
		DSBC_LOG(main, ERR, "[port.%u] dev: configure %u rx/%u tx "
			"queues failed: %s\n", idx, nb_rxq, nb_txq,
			rte_strerror(-rc));
		return -1;
	}
	rxd = pc->rx_desc ? pc->rx_desc : prof.rx_desc;
	txd = pc->tx_desc ? pc->tx_desc : prof.tx_desc;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &rxd, &txd);
	if (rc != 0)
		return -1;
	socket = rte_eth_dev_socket_id(p->port_id);
	if (socket < 0)
		socket = (int)rte_socket_id();
	pool = rx_pool(app, idx, &prof, nb_rxq, rxd, socket);
	if (pool == NULL)
		return -1;
	for (q = 0; q < nb_rxq; q++) {
		rc = rte_eth_rx_queue_setup(p->port_id, q, rxd,
					    (unsigned int)socket, NULL, pool);
		if (rc != 0) {
			DSBC_LOG(main, ERR, "[port.%u] rx queue %u: %s\n", idx,
				q, rte_strerror(-rc));
			return -1;
		}
	}
	for (q = 0; q < nb_txq; q++) {
		rc = rte_eth_tx_queue_setup(p->port_id, q, txd,
					    (unsigned int)socket, NULL);
		if (rc != 0) {
			DSBC_LOG(main, ERR, "[port.%u] tx queue %u: %s\n", idx,
				q, rte_strerror(-rc));
			return -1;
		}
	}
	if (pc->has_mac) {
		rc = rte_eth_dev_default_mac_addr_set(p->port_id,
				(struct rte_ether_addr *)&pc->mac);
		if (rc == -ENOTSUP) {
			/* Virtual ports without a MAC filter (net_pcap,
			 * net_ring): the workers check the destination MAC
			 * themselves, so the configured one is used as is. */
			DSBC_LOG(main, NOTICE, "[port.%u] %s cannot set its MAC; using "
			       "the configured one in software\n", idx,
			       pc->name);
		} else if (rc != 0) {
			DSBC_LOG(main, ERR, "[port.%u] mac: driver refused it: "
				"%s\n", idx, rte_strerror(-rc));
			return -1;
		}
	}
	if (pc->mtu != 0 && rte_eth_dev_set_mtu(p->port_id, pc->mtu) != 0) {
		DSBC_LOG(main, ERR, "[port.%u] mtu: driver refused %u\n", idx,
			pc->mtu);
		return -1;
	}
	if (pc->has_mac)
		memcpy(&p->mac, &pc->mac, sizeof(p->mac));
	else
		rte_eth_macaddr_get(p->port_id, &p->mac);
	p->nb_rxq = nb_rxq;
	p->nb_txq = nb_txq;
	p->vlan = pc->vlan;
	p->has_ip4 = pc->ip4.set;
	p->ip4 = pc->ip4.addr;
	p->has_ip6 = pc->ip6.set;
	p->ip6 = pc->ip6.addr;
	dsbc_nd_link_local(p->mac.addr_bytes, &p->ll6);
	if (pc->media4.set) {
		p->has_media4 = true;
		p->media4_mask = rte_cpu_to_be_32(~0u << (32 - pc->media4.prefix));
		p->media4_net = pc->media4.addr.v4 & p->media4_mask;
	}
	p->media6 = pc->media6;
	app->port_idx[p->port_id] = (int8_t)idx;
	return 0;
}

/* Give each worker its (port, queue) pairs: from [lcore.N], else spread
 * every queue of every port round robin over the workers. */
static int
assign_queues(struct dsbc_app *app)
{
	uint16_t i, p, q, k = 0;

	if (app->cfg.nb_workers_cfg > 0) {
		for (i = 0; i < app->cfg.nb_workers_cfg; i++) {
			const struct dsbc_worker_cfg *wc = &app->cfg.workers[i];
			struct dsbc_worker *w = NULL;
			uint16_t j;

			for (j = 0; j < app->nb_workers; j++)
				if (app->workers[j]->lcore_id == wc->lcore)
					w = app->workers[j];
			if (w == NULL) {
				DSBC_LOG(main, ERR, "%s: [lcore.%u] rx: lcore %u is "
					"not a worker lcore of this run\n",
					app->cfg.path, wc->lcore, wc->lcore);
				return -1;
			}
			for (j = 0; j < wc->nb_rxq; j++) {
				if (wc->rxq[j].queue >=
				    app->ports[wc->rxq[j].port].nb_rxq) {
					DSBC_LOG(main, ERR, "%s: [lcore.%u] rx: port %u "
						"has %u RX queues\n", app->cfg.path,
						wc->lcore, wc->rxq[j].port,
						app->ports[wc->rxq[j].port].nb_rxq);
					return -1;
				}
				w->rxq[j].port = app->ports[wc->rxq[j].port].port_id;
				w->rxq[j].queue = wc->rxq[j].queue;
			}
			w->nb_rxq = wc->nb_rxq;
		}
		return 0;
	}
	for (p = 0; p < app->nb_ports; p++) {
		for (q = 0; q < app->ports[p].nb_rxq; q++) {
			struct dsbc_worker *w = app->workers[k % app->nb_workers];

			if (w->nb_rxq >= DSBC_CFG_MAX_RXQ) {
				DSBC_LOG(main, ERR, "too many RX queues per worker\n");
				return -1;
			}
			w->rxq[w->nb_rxq].port = app->ports[p].port_id;
			w->rxq[w->nb_rxq].queue = q;
			w->nb_rxq++;
			k++;
		}
	}
	return 0;
}

int
dsbc_ports_init(struct dsbc_app *app)
{
	uint16_t i, p;

	memset(app->port_idx, -1, sizeof(app->port_idx));
	app->nb_ports = app->cfg.nb_ports;
	for (i = 0; i < app->nb_ports; i++)
		if (port_setup(app, i) != 0)
			return -1;
	if (assign_queues(app) != 0)
		return -1;
	/* Buffered TX per (worker, port), flushed every loop. */
	for (i = 0; i < app->nb_workers; i++) {
		struct dsbc_worker *w = app->workers[i];

		for (p = 0; p < app->nb_ports; p++) {
			w->txb[p] = rte_zmalloc_socket("dsbc_txb",
					RTE_ETH_TX_BUFFER_SIZE(app->cfg.burst), 0,
					(int)rte_lcore_to_socket_id(w->lcore_id));
			if (w->txb[p] == NULL)
				return -1;
			rte_eth_tx_buffer_init(w->txb[p], app->cfg.burst);
			rte_eth_tx_buffer_set_err_callback(w->txb[p],
				rte_eth_tx_buffer_count_callback,
				&w->st.drop[DSBC_DROP_TX_FULL]);
		}
	}
	/* ... and for the management lcore: its frames (SIP, DTLS, ARP)
	 * leave in bursts, flushed every loop, so a call's messages do not
	 * cost a TX kick each (a syscall on net_af_packet) */
	for (p = 0; p < app->nb_ports; p++) {
		app->mgmt_txb[p] = rte_zmalloc("dsbc_mgmt_txb",
					       RTE_ETH_TX_BUFFER_SIZE(32), 0);
		if (app->mgmt_txb[p] == NULL)
			return -1;
		rte_eth_tx_buffer_init(app->mgmt_txb[p], 32);
		rte_eth_tx_buffer_set_err_callback(app->mgmt_txb[p],
			rte_eth_tx_buffer_count_callback, &app->mst.tx_fail);
	}
	return 0;
}

int
dsbc_ports_start(struct dsbc_app *app)
{
	uint16_t i;
	int rc;

	for (i = 0; i < app->nb_ports; i++) {
		if (app->cfg.ports[i].promiscuous)
			rte_eth_promiscuous_enable(app->ports[i].port_id);
		/* neighbour solicitations go to solicited-node groups
		 * (RFC 4861 7.2.2), one per address of a media range: the
		 * NIC's multicast filter cannot list them, so take all */
		else if (app->ports[i].has_ip6 &&
			 (rc = rte_eth_allmulticast_enable(
					app->ports[i].port_id)) != 0 &&
			 rc != -ENOTSUP)
			DSBC_LOG(main, WARNING, "[port.%u] all-multicast: %s; "
				"IPv6 neighbours may not find dsbc\n", i,
				rte_strerror(-rc));
		rc = rte_eth_dev_start(app->ports[i].port_id);
		if (rc != 0) {
			DSBC_LOG(main, ERR, "[port.%u] start failed: %s\n", i,
				rte_strerror(-rc));
			return -1;
		}
	}
	return 0;
}

void
dsbc_ports_close(struct dsbc_app *app)
{
	uint16_t i;

	for (i = 0; i < app->nb_ports; i++) {
		rte_eth_dev_stop(app->ports[i].port_id);
		rte_eth_dev_close(app->ports[i].port_id);
	}
}

void
dsbc_ports_free_pools(struct dsbc_app *app)
{
	uint16_t i;

	for (i = 0; i < app->nb_ports; i++) {
		rte_mempool_free(app->ports[i].rx_pool);
		app->ports[i].rx_pool = NULL;
	}
}
