/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The /dsbc/... commands on the DPDK telemetry socket (dpdk-telemetry.py).
 * They run on the telemetry thread and only read: counters are 64-bit,
 * aligned and single-writer, so a read is never torn on x86-64.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_telemetry.h>

#include "ctl/sip.h"
#include "dp/worker.h"
#include "dp/worker_snap.h"
#include "tel/tel.h"

/* Telemetry callbacks take no context argument: set once before
 * registration, never changed. */
static const struct dsbc_app *tel_app;

static void
add_addr(struct rte_tel_data *d, const char *name, const struct dsbc_addr *a,
	 uint8_t family)
{
	char buf[64];

	rte_tel_data_add_dict_string(d, name, dsbc_addr_fmt(a, family, buf,
							    sizeof(buf)));
}

static void
add_u64(struct rte_tel_data *d, const char *name, uint64_t v)
{
	rte_tel_data_add_dict_u64(d, name, v);
}

static int
tel_info(const char *cmd __rte_unused, const char *params __rte_unused,
	 struct rte_tel_data *d)
{
	const struct dsbc_app *app = tel_app;
	struct rte_tel_data *lc, *pt;
	uint16_t i;

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "version", DSBC_VERSION);
	rte_tel_data_add_dict_string(d, "config", app->cfg.path);
	add_u64(d, "main_lcore", rte_get_main_lcore());
	add_u64(d, "workers", app->nb_workers);
	lc = rte_tel_data_alloc();
	rte_tel_data_start_array(lc, RTE_TEL_U64_VAL);
	for (i = 0; i < app->nb_workers; i++)
		rte_tel_data_add_array_u64(lc, app->workers[i]->lcore_id);
	rte_tel_data_add_dict_container(d, "worker_lcores", lc, 0);
	pt = rte_tel_data_alloc();
	rte_tel_data_start_array(pt, RTE_TEL_STRING_VAL);
	for (i = 0; i < app->nb_ports; i++)
		rte_tel_data_add_array_string(pt, app->cfg.ports[i].name);
	rte_tel_data_add_dict_container(d, "ports", pt, 0);
	add_u64(d, "sip_port", app->cfg.sip_port);
	add_u64(d, "media_port_min", app->cfg.media_port_min);
	add_u64(d, "media_port_max", app->cfg.media_port_max);
	add_u64(d, "slice_size", app->slices.size);
	rte_tel_data_add_dict_string(d, "mode_default",
				     dsbc_mode_name(app->cfg.mode_default));
	rte_tel_data_add_dict_string(d, "latch_default",
				     dsbc_latch_name(app->cfg.latch_default));
	/* what clients pin when dsbc terminates their DTLS */
	if (app->sip != NULL && app->sip->b2b != NULL &&
	    dsbc_b2bua_fingerprint(app->sip->b2b)[0] != '\0')
		rte_tel_data_add_dict_string(d, "dtls_fingerprint",
			dsbc_b2bua_fingerprint(app->sip->b2b));
	add_u64(d, "flow_capacity_per_worker", app->cfg.flow_capacity);
	add_u64(d, "idle_sleep_us", app->cfg.idle_sleep_us);
	add_u64(d, "msg_version", DSBC_MSG_VERSION);
	add_u64(d, "msg_size", sizeof(struct dsbc_msg));
	add_u64(d, "uptime_s", (rte_rdtsc() - app->start_tsc) / app->tsc_hz);
	add_u64(d, "draining", app->sip != NULL && app->sip->b2b != NULL &&
		dsbc_b2bua_draining(app->sip->b2b));
	add_u64(d, "tsc_hz", app->tsc_hz);
	return 0;
}


static int
tel_stats(const char *cmd __rte_unused, const char *params __rte_unused,
	  struct rte_tel_data *d)
{
	const struct dsbc_app *app = tel_app;
	const struct dsbc_mgmt_stats *ms = &app->mst;
	uint64_t enq_fail = 0, overflow = 0, total_drops = 0;
	unsigned int i;
	uint16_t w;

	rte_tel_data_start_dict(d);
	add_u64(d, "rx", DSBC_WORKER_SUM(app, rx));
	add_u64(d, "tx", DSBC_WORKER_SUM(app, tx) -
		DSBC_WORKER_SUM(app, drop[DSBC_DROP_TX_FULL]));
	{
		/* mbufs out of the pools: what rings, queues and held
		 * packets keep; back where it was once traffic stops, or
		 * something leaks */
		uint64_t in_use = rte_mempool_in_use_count(app->pool);
		uint64_t size = app->pool->size;
		uint16_t p;

		for (p = 0; p < app->nb_ports; p++)
			if (app->ports[p].rx_pool != NULL) {
				in_use += rte_mempool_in_use_count(
						app->ports[p].rx_pool);
				size += app->ports[p].rx_pool->size;
			}
		add_u64(d, "mbufs_in_use", in_use);
		add_u64(d, "mbufs", size);
	}
	for (i = 0; i < DSBC_DEMUX_MAX; i++) {
		char name[40];

		snprintf(name, sizeof(name), "rx_%s", dsbc_demux_name(i));
		add_u64(d, name, DSBC_WORKER_SUM(app, cls[i]));
	}
	for (i = 1; i < DSBC_DROP_MAX; i++) {
		uint64_t v = DSBC_WORKER_SUM(app, drop[i]);

		total_drops += v;
		add_u64(d, dsbc_drop_name(i), v);
	}
	add_u64(d, "drops", total_drops);
	add_u64(d, "handoff_out", DSBC_WORKER_SUM(app, handoff_out));
	add_u64(d, "handoff_in", DSBC_WORKER_SUM(app, handoff_in));
	add_u64(d, "sip_punted", DSBC_WORKER_SUM(app, sip_punted));
	add_u64(d, "sip_punted_dialog",
		DSBC_WORKER_SUM(app, sip_prio[DSBC_SIP_PRIO_DIALOG]));
	add_u64(d, "sip_punted_known",
		DSBC_WORKER_SUM(app, sip_prio[DSBC_SIP_PRIO_KNOWN]));
	add_u64(d, "sip_punted_new",
		DSBC_WORKER_SUM(app, sip_prio[DSBC_SIP_PRIO_NEW]));
	add_u64(d, "sip_demoted", DSBC_WORKER_SUM(app, sip_demoted));
	add_u64(d, "exc_punted", DSBC_WORKER_SUM(app, exc_punted));
	add_u64(d, "kern_punted", DSBC_WORKER_SUM(app, kern_punted));
	add_u64(d, "dtls_punted", DSBC_WORKER_SUM(app, dtls_punted));
	add_u64(d, "rtcp_copied", DSBC_WORKER_SUM(app, rtcp_copied));
	add_u64(d, "rtcp_copy_failed", DSBC_WORKER_SUM(app, rtcp_copy_failed));
	add_u64(d, "srtp_cryptodev_ops", DSBC_WORKER_SUM(app, srtp_cdev_ops));
	add_u64(d, "srtp_held", DSBC_WORKER_SUM(app, srtp_held));
	add_u64(d, "srtp_held_released",
		DSBC_WORKER_SUM(app, srtp_held_released));
	add_u64(d, "srtp_held_expired",
		DSBC_WORKER_SUM(app, srtp_held_expired));
	{
		uint64_t wedged = 0;

		/* a bool a worker sets once; a torn read is impossible */
		for (w = 0; w < app->nb_workers; w++)
			wedged += app->workers[w]->cdev.wedged;
		add_u64(d, "srtp_cryptodev_wedged", wedged);
	}
	add_u64(d, "latched", DSBC_WORKER_SUM(app, latched));
	add_u64(d, "flow_idle_reports", DSBC_WORKER_SUM(app, idle_reports));
	for (w = 0; w < app->nb_workers; w++) {
		enq_fail += app->ctrl[w].enq_fail;
		overflow += app->ctrl[w].backlog_overflow;
	}
	add_u64(d, "ctrl_enq_fail", enq_fail);
	add_u64(d, "ctrl_backlog_overflow", overflow);
	add_u64(d, "ctrl_bad", DSBC_WORKER_SUM(app, ctrl_bad));
	add_u64(d, "event_enq_fail", DSBC_WORKER_SUM(app, event_enq_fail));
	add_u64(d, "events_lost", DSBC_WORKER_SUM(app, events_lost));
	add_u64(d, "mgmt_sip_rx", ms->sip_rx);
	add_u64(d, "mgmt_arp_rx", ms->arp_rx);
	add_u64(d, "mgmt_arp_replies", ms->arp_replies_sent);
	add_u64(d, "mgmt_arp_requests", ms->arp_requests_sent);
	add_u64(d, "mgmt_arp_learned", ms->arp_learned);
	add_u64(d, "mgmt_arp_ignored", ms->arp_ignored);
	add_u64(d, "mgmt_icmp_echo_replies", ms->icmp_echo_replies);
	add_u64(d, "mgmt_icmp_ignored", ms->icmp_ignored);
	add_u64(d, "mgmt_icmp6_rx", ms->icmp6_rx);
	add_u64(d, "mgmt_icmp6_echo_replies", ms->icmp6_echo_replies);
	add_u64(d, "mgmt_icmp6_ignored", ms->icmp6_ignored);
	add_u64(d, "mgmt_nd_invalid", ms->nd_invalid);
	add_u64(d, "mgmt_nd_solicits_rx", ms->nd_solicits_rx);
	add_u64(d, "mgmt_nd_adverts_sent", ms->nd_adverts_sent);
	add_u64(d, "mgmt_nd_solicits_sent", ms->nd_solicits_sent);
	add_u64(d, "mgmt_nd_adverts_rx", ms->nd_adverts_rx);
	add_u64(d, "mgmt_nd_learned", ms->nd_learned);
	add_u64(d, "mgmt_nd_dad_defended", ms->nd_dad_defended);
	add_u64(d, "mgmt_exc_other", ms->exc_other);
	add_u64(d, "kern_in", ms->kern_in);
	add_u64(d, "kern_tx_fail", ms->kern_tx_fail);
	add_u64(d, "kern_out", ms->kern_out);
	add_u64(d, "kern_out_no_neigh", ms->kern_out_no_neigh);
	add_u64(d, "kern_out_dropped", ms->kern_out_dropped);
	add_u64(d, "mgmt_tx_fail", ms->tx_fail);
	add_u64(d, "mgmt_events", ms->events);
	add_u64(d, "mgmt_event_bad", ms->event_bad);
	add_u64(d, "mgmt_consent_lost", ms->consent_lost);
	add_u64(d, "mgmt_dtls_unparsed", ms->dtls_unparsed);
	add_u64(d, "mgmt_busy_cycles", ms->busy_cycles);
	add_u64(d, "mgmt_busy_loops", ms->busy_loops);
	add_u64(d, "mgmt_flow_errors", ms->flow_errors);
	add_u64(d, "flows_installed", ms->flows_installed);
	add_u64(d, "flows_modified", ms->flows_modified);
	add_u64(d, "flows_removed", ms->flows_removed);
	add_u64(d, "flow_del_retries", ms->flow_del_retries);
	return 0;
}

static int
tel_lcores(const char *cmd __rte_unused, const char *params __rte_unused,
	   struct rte_tel_data *d)
{
	const struct dsbc_app *app = tel_app;
	uint16_t i;

	rte_tel_data_start_dict(d);
	for (i = 0; i < app->nb_workers; i++) {
		const struct dsbc_worker *w = app->workers[i];
		struct rte_tel_data *c = rte_tel_data_alloc();
		uint64_t busy = w->st.busy_cycles, idle = w->st.idle_cycles;
		char name[32];

		if (c == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_u64(c, "lcore", w->lcore_id);
		rte_tel_data_add_dict_u64(c, "worker", w->idx);
		rte_tel_data_add_dict_u64(c, "rx_queues", w->nb_rxq);
		rte_tel_data_add_dict_u64(c, "rx", w->st.rx);
		rte_tel_data_add_dict_u64(c, "tx", w->st.tx);
		rte_tel_data_add_dict_u64(c, "handoff_out", w->st.handoff_out);
		rte_tel_data_add_dict_u64(c, "handoff_in", w->st.handoff_in);
		rte_tel_data_add_dict_u64(c, "flows",
					  dsbc_flow_table_count(w->flows));
		/* flows outside the media addresses/ports: hash, not index */
		rte_tel_data_add_dict_u64(c, "flows_hashed",
					  dsbc_flow_table_hashed(w->flows));
		rte_tel_data_add_dict_u64(c, "busy_cycles", busy);
		rte_tel_data_add_dict_u64(c, "idle_cycles", idle);
		rte_tel_data_add_dict_u64(c, "busy_pct",
					  busy + idle ? busy * 100 / (busy + idle) : 0);
		rte_tel_data_add_dict_u64(c, "cycles_per_pkt",
					  w->st.rx ? busy / w->st.rx : 0);
		rte_tel_data_add_dict_u64(c, "sleeps", w->st.sleeps);
		rte_tel_data_add_dict_u64(c, "ctrl_msgs", w->st.ctrl_msgs);
		snprintf(name, sizeof(name), "worker%u", i);
		rte_tel_data_add_dict_container(d, name, c, 0);
	}
	return 0;
}

static int
tel_ports(const char *cmd __rte_unused, const char *params __rte_unused,
	  struct rte_tel_data *d)
{
	const struct dsbc_app *app = tel_app;
	uint16_t i;

	rte_tel_data_start_dict(d);
	for (i = 0; i < app->nb_ports; i++) {
		const struct dsbc_port_rt *p = &app->ports[i];
		struct rte_tel_data *c = rte_tel_data_alloc();
		struct rte_eth_stats es;
		struct rte_eth_link link;
		char buf[RTE_ETHER_ADDR_FMT_SIZE], name[32];

		if (c == NULL)
			return -ENOMEM;
		memset(&es, 0, sizeof(es));
		rte_eth_stats_get(p->port_id, &es);
		memset(&link, 0, sizeof(link));
		rte_eth_link_get_nowait(p->port_id, &link);
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_string(c, "dev", app->cfg.ports[i].name);
		rte_tel_data_add_dict_string(c, "driver", p->driver);
		rte_tel_data_add_dict_u64(c, "port_id", p->port_id);
		rte_ether_format_addr(buf, sizeof(buf), &p->mac);
		rte_tel_data_add_dict_string(c, "mac", buf);
		if (p->has_ip4)
			add_addr(c, "ipv4", &p->ip4, 4);
		if (p->has_ip6)
			add_addr(c, "ipv6", &p->ip6, 6);
		rte_tel_data_add_dict_u64(c, "vlan", p->vlan);
		rte_tel_data_add_dict_u64(c, "rx_queues", p->nb_rxq);
		rte_tel_data_add_dict_u64(c, "tx_queues", p->nb_txq);
		rte_tel_data_add_dict_u64(c, "tx_udp_cksum_offload",
					  p->tx_udp_cksum);
		rte_tel_data_add_dict_string(c, "exception",
			!p->has_exception ? "none" :
			p->exc_kind == DSBC_EXCEPTION_VIRTIO_USER ?
			"virtio_user" : "tap");
		rte_tel_data_add_dict_u64(c, "link_up", link.link_status);
		rte_tel_data_add_dict_u64(c, "ipackets", es.ipackets);
		rte_tel_data_add_dict_u64(c, "opackets", es.opackets);
		rte_tel_data_add_dict_u64(c, "ibytes", es.ibytes);
		rte_tel_data_add_dict_u64(c, "obytes", es.obytes);
		rte_tel_data_add_dict_u64(c, "imissed", es.imissed);
		rte_tel_data_add_dict_u64(c, "ierrors", es.ierrors);
		rte_tel_data_add_dict_u64(c, "oerrors", es.oerrors);
		rte_tel_data_add_dict_u64(c, "rx_nombuf", es.rx_nombuf);
		snprintf(name, sizeof(name), "port%u", i);
		rte_tel_data_add_dict_container(d, name, c, 0);
	}
	return 0;
}

/* /dsbc/flows            count, per worker
 * /dsbc/flows,<flow id>  one flow's spec, state and counters */
static int
tel_flows(const char *cmd __rte_unused, const char *params,
	  struct rte_tel_data *d)
{
	const struct dsbc_app *app = tel_app;
	struct dsbc_flow_snap *ws;
	const struct dsbc_flow *f;
	struct rte_tel_data *c;
	unsigned long id;
	char *end;
	uint64_t total = 0, now, last;
	unsigned int i;
	uint16_t k;
	int rc;

	if (params == NULL || *params == '\0') {
		rte_tel_data_start_dict(d);
		c = rte_tel_data_alloc();
		if (c == NULL)
			return -ENOMEM;
		rte_tel_data_start_array(c, RTE_TEL_U64_VAL);
		for (k = 0; k < app->nb_workers; k++) {
			uint32_t n = dsbc_flow_table_count(app->workers[k]->flows);

			total += n;
			rte_tel_data_add_array_u64(c, n);
		}
		add_u64(d, "count", total);
		rte_tel_data_add_dict_container(d, "per_worker", c, 0);
		return 0;
	}
	errno = 0;
	id = strtoul(params, &end, 0);
	if (errno != 0 || *end != '\0' || id > UINT32_MAX ||
	    dsbc_flow_id_worker((uint32_t)id) >= app->nb_workers)
		return -EINVAL;
	ws = malloc(sizeof(*ws));
	if (ws == NULL)
		return -ENOMEM;
	rc = dsbc_worker_snap_flow(tel_app, (uint32_t)id, ws);
	if (rc != 0) {
		free(ws);
		return rc;
	}
	f = &ws->f;
	now = ws->tsc;
	rte_tel_data_start_dict(d);
	add_u64(d, "flow_id", f->flow_id);
	add_u64(d, "worker", dsbc_flow_id_worker(f->flow_id));
	add_addr(d, "local", &f->spec.key.local, f->spec.key.family);
	add_u64(d, "local_port", f->spec.key.local_port);
	rte_tel_data_add_dict_string(d, "mode", dsbc_mode_name(f->spec.mode));
	rte_tel_data_add_dict_string(d, "latch", dsbc_latch_name(f->spec.latch));
	add_u64(d, "out_port", f->spec.out_port);
	add_u64(d, "neigh_id", f->spec.neigh_id);
	add_u64(d, "neigh_resolved", ws->neigh_resolved);
	add_u64(d, "latched", f->latched);
	if (f->latched) {
		add_addr(d, "latched_src", &f->latched_src, f->latched_family);
		add_u64(d, "latched_port", f->latched_port);
	}
	add_u64(d, "pkts", f->st.pkts);
	add_u64(d, "bytes", f->st.bytes);
	add_u64(d, "drops", f->st.drops);
	add_u64(d, "drop_not_latched", f->st.drop_not_latched);
	for (i = 0; i < DSBC_DEMUX_MAX; i++) {
		char name[40];

		snprintf(name, sizeof(name), "rx_%s", dsbc_demux_name(i));
		add_u64(d, name, dsbc_flow_rx_class(f, i));
	}
	/* Silence since the last relayed packet, or since install. */
	last = RTE_MAX(f->st.last_tsc, f->install_tsc);
	add_u64(d, "idle_ms", now > last ? (now - last) * 1000 / app->tsc_hz :
		0);
	add_u64(d, "idle_reported", f->idle_reported);
	free(ws);
	return 0;
}

int
dsbc_telemetry_register(struct dsbc_app *app)
{
	tel_app = app;
	dsbc_tel_sip_set_app(app);
	dsbc_tel_calls_set_app(app);
	if (rte_telemetry_register_cmd("/dsbc/info", tel_info,
			"Version, lcores, ports, defaults. No parameters") != 0 ||
	    rte_telemetry_register_cmd("/dsbc/stats", tel_stats,
			"Totals: rx, tx, demux classes, drops by reason, handoffs, "
			"ring failures. No parameters") != 0 ||
	    rte_telemetry_register_cmd("/dsbc/lcores", tel_lcores,
			"Per worker packets and busy/idle cycles. No parameters") != 0 ||
	    rte_telemetry_register_cmd("/dsbc/ports", tel_ports,
			"Per port addresses and ethdev counters. No parameters") != 0 ||
	    dsbc_tel_sip_register() != 0 ||
	    dsbc_tel_calls_register() != 0 ||
	    dsbc_tel_stir_register(app) != 0 ||
	    dsbc_tel_ops_register(app) != 0 ||
	    rte_telemetry_register_cmd("/dsbc/flows", tel_flows,
			"Flow count; parameter: flow id for one flow's state") != 0)
		return -1;
	return 0;
}
