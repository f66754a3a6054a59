/* SPDX-License-Identifier: BSD-3-Clause */
/* Live reload (reload.h). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_log.h>

#include "dsbc.h"
#include "ctl/reload.h"
#include "ctl/sip.h"
#include "export/export.h"
#include "log.h"

/* [dsbc] keys a reload applies to new calls */
#define RELOADABLE(X) \
	X(mode_default) X(ssrc_policy) X(seq_drop) X(seq_window) \
	X(police_pps) X(police_burst) X(latch_default) \
	X(relatch_ms_default) X(dscp_default) X(no_route_status) \
	X(sip_t1_ms)

/* [dsbc] keys only a restart changes, named in the refusal */
#define RESTART_ONLY(X) \
	X(sip_port) X(sip_rate_pps) X(sip_burst) X(sip_ban_strikes) \
	X(sip_ban_s) X(sip_admit_pps) X(sip_admit_burst) X(sip_reject_pps) \
	X(sip_retry_after_s) X(sip_trust_s) X(sip_trusted_rate_pps) \
	X(media_port_min) X(media_port_max) X(flow_capacity) \
	X(ice_capacity) X(max_calls) X(max_transactions) \
	X(terminate_capacity) X(srtp_engine) X(cryptodev_qp_size) \
	X(srtp_replay_window) X(sip_tcp_max_conns) \
	X(sip_tcp_max_per_source) X(sip_tcp_idle_s) X(sip_tls_port) \
	X(srtp_hold_ms) X(srtp_hold_packets) X(ice_consent_s) X(mbufs) \
	X(mbuf_data_size) X(burst) X(ctrl_ring_size) X(event_ring_size) \
	X(punt_ring_size) X(handoff_ring_size) X(idle_polls) \
	X(idle_sleep_us) X(flow_idle_ms) X(ttl) X(arp_retry_ms) \
	X(flow_file) X(drivers_cfg_dir) X(dtls_cert) X(dtls_key) \
	X(dtls_setup) X(dtls_timeout_ms)

/* sections only a restart changes: what the lcores, ports and TLS
 * contexts were built from */
#define RESTART_SECTIONS(X) \
	X(nb_ports, "[port.N]") X(ports, "[port.N]") \
	X(nb_neigh, "[neigh.N]") X(neigh, "[neigh.N]") \
	X(stir, "[stir]") X(tls, "[tls]") X(ws, "[ws]") \
	X(nb_realms, "[realm.N]") X(realms, "[realm.N]") \
	X(nb_trunks, "[trunk.N]") X(trunks, "[trunk.N]") \
	X(registrar, "[registrar]") \
	X(nb_workers_cfg, "[lcore.N]") X(workers, "[lcore.N]")

static const char *
restart_needed(const struct dsbc_config *o, const struct dsbc_config *n,
	       char *buf, size_t len)
{
#define SAME(f) (memcmp(&o->f, &n->f, sizeof(o->f)) == 0)
#define KEY(f) \
	if (!SAME(f)) { \
		snprintf(buf, len, "[dsbc] %s", #f); \
		return buf; \
	}
#define SECTION(f, name) \
	if (!SAME(f)) \
		return name;
	RESTART_ONLY(KEY)
	RESTART_SECTIONS(SECTION)
	/* the users file is read again; where it is is not */
	if (strcmp(o->auth.users_file, n->auth.users_file) != 0 ||
	    o->auth.nonce_ttl_s != n->auth.nonce_ttl_s ||
	    o->auth.fail_max != n->auth.fail_max ||
	    o->auth.fail_window_s != n->auth.fail_window_s)
		return "[auth]";
	if (o->nb_flows != n->nb_flows ||
	    (n->nb_flows > 0 && memcmp(o->flows, n->flows,
				       n->nb_flows * sizeof(*n->flows)) != 0))
		return "[flow.N]";
#undef SAME
#undef KEY
#undef SECTION
	return NULL;
}

int
dsbc_reload(struct dsbc_app *app, char *msg, size_t len)
{
	struct dsbc_config *n = malloc(sizeof(*n));
	struct dsbc_config *o = &app->cfg;
	char err[DSBC_CFG_ERR_LEN], key[64];
	const char *what;
	int users = -1;

	if (n == NULL) {
		snprintf(msg, len, "out of memory");
		return -1;
	}
	if (dsbc_config_load(o->path, n, err, sizeof(err)) != 0) {
		snprintf(msg, len, "nothing changed: %s", err);
		free(n);
		return -1;
	}
	/* what start-up sized from memory */
	if (n->max_calls == 0)
		n->max_calls = o->max_calls;
	if (n->max_transactions == 0)
		n->max_transactions = o->max_transactions;
	what = restart_needed(o, n, key, sizeof(key));
	if (what == NULL && dsbc_log_levels(n->log_level) != 0)
		what = "[dsbc] log_level (not type:level[,...])";
	if (what != NULL) {
		snprintf(msg, len, "nothing changed: %s differs and needs a "
			 "restart", what);
		dsbc_config_free(n);
		free(n);
		return -1;
	}
	/* between two inputs of the B2BUA: calls under way have copied
	 * what they use; new ones see the new routes and policies */
#define APPLY(f) o->f = n->f;
	RELOADABLE(APPLY)
#undef APPLY
	memcpy(o->log_level, n->log_level, sizeof(o->log_level));
	o->nb_routes = n->nb_routes;
	memcpy(o->routes, n->routes, sizeof(o->routes));
	o->cdr = n->cdr;
	o->hep = n->hep;
	dsbc_export_configure(app, &o->cdr, &o->hep);
	app->hep_rtcp = o->hep.set && o->hep.rtcp;
	if (app->sip != NULL && app->sip->b2b != NULL) {
		char uerr[256];

		dsbc_b2bua_set_log_level(app->sip->b2b,
					 rte_log_get_level(dsbc_logtype_b2bua));
		dsbc_b2bua_host_trust_configured(app);
		if (o->auth.users_file[0] != '\0') {
			users = dsbc_b2bua_auth_reload(app->sip->b2b, uerr,
						       sizeof(uerr));
			if (users < 0)
				DSBC_LOG(mgmt, ERR, "users not reloaded, the "
					 "old ones stay: %s\n", uerr);
		}
	}
	if (users >= 0)
		snprintf(msg, len, "reloaded: %u routes, %d users",
			 o->nb_routes, users);
	else
		snprintf(msg, len, "reloaded: %u routes", o->nb_routes);
	dsbc_config_free(n);
	free(n);
	return 0;
}
