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

#define FEAT_TLS 1u
#define FEAT_REALM 2u
#define FEAT_STIR_VERIFY 4u

static uint32_t
route_features(const struct dsbc_route_cfg *r)
{
	return (r->transport == DSBC_ROUTE_TLS ? FEAT_TLS : 0) |
	       (r->auth_realm[0] != '\0' ? FEAT_REALM : 0) |
	       (r->stir_verify != DSBC_STIR_OFF ? FEAT_STIR_VERIFY : 0);
}

uint32_t
dsbc_reload_route_features(const struct dsbc_config *c)
{
	static uint32_t at_start;
	uint16_t i;

	if (c != NULL) {
		at_start = 0;
		for (i = 0; i < c->nb_routes; i++)
			at_start |= route_features(&c->routes[i]);
	}
	return at_start;
}

/* [dsbc] keys a reload applies to new calls */
#define RELOADABLE(X) \
	X(mode_default) X(ssrc_policy) X(seq_drop) X(seq_window) \
	X(police_pps) X(police_burst) X(latch_default) \
	X(relatch_ms_default) X(dscp_default) X(no_route_status)

/* [dsbc] keys only a restart changes, named in the refusal */
#define RESTART_ONLY(X) \
	X(sip_port) X(sip_rate_pps) X(sip_burst) X(sip_ban_strikes) \
	X(sip_t1_ms) \
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

/*
 * Routes may change, but not into what start-up built nothing for: TLS
 * towards a next hop (the client context), digest realms and STIR
 * verification (their tables) exist only if a route used them at start
 * (features_at_start).  A TLS route keeps its index, transport and
 * tls_name: streams open towards it name the route by index.
 */
static bool
routes_need_restart(const struct dsbc_config *o, const struct dsbc_config *n,
		    char *buf, size_t len)
{
	uint32_t start = dsbc_reload_route_features(NULL);
	uint16_t i;

	for (i = 0; i < n->nb_routes; i++) {
		uint32_t f = route_features(&n->routes[i]);

		if ((f & ~start) != 0) {
			snprintf(buf, len, "[route.%u] %s (none at start)",
				 n->routes[i].index,
				 (f & ~start & FEAT_TLS) ? "transport = tls" :
				 (f & ~start & FEAT_REALM) ? "auth_realm" :
				 "stir_verify");
			return true;
		}
	}
	for (i = 0; i < o->nb_routes; i++) {
		const struct dsbc_route_cfg *a = &o->routes[i];

		if (a->transport != DSBC_ROUTE_TLS)
			continue;
		if (i >= n->nb_routes || n->routes[i].index != a->index ||
		    n->routes[i].transport != DSBC_ROUTE_TLS ||
		    strcmp(n->routes[i].tls_name, a->tls_name) != 0) {
			snprintf(buf, len, "[route.%u] (a TLS route: moved, "
				 "removed or renamed)", a->index);
			return true;
		}
	}
	return false;
}

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
	if (routes_need_restart(o, n, buf, len))
		return buf;
	/* the export thread's rings and the records' FIFO are sized once */
	if (o->cdr.queue != n->cdr.queue)
		return "[cdr] queue";
	if (o->hep.queue != n->hep.queue)
		return "[hep] queue";
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
	int users = -1, rc = -1;

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
	if (what != NULL) {
		snprintf(msg, len, "nothing changed: %s differs and needs a "
			 "restart", what);
		goto out;
	}
	if (dsbc_log_levels_check(n->log_level) != 0) {
		snprintf(msg, len, "nothing changed: [dsbc] log_level: '%s' is "
			 "not type:level[,type:level...]", n->log_level);
		goto out;
	}
	/* the users file first: it is the one part that can still fail,
	 * and it replaces the old users whole or not at all */
	if (app->sip != NULL && app->sip->b2b != NULL &&
	    o->auth.users_file[0] != '\0') {
		users = dsbc_b2bua_auth_reload(app->sip->b2b, err, sizeof(err));
		if (users < 0) {
			snprintf(msg, len, "nothing changed: users file: %s",
				 err);
			goto out;
		}
	}
	dsbc_log_levels(n->log_level);
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
	if (app->sip != NULL && app->sip->b2b != NULL) {
		dsbc_b2bua_set_log_level(app->sip->b2b,
					 rte_log_get_level(dsbc_logtype_b2bua));
		dsbc_b2bua_host_trust_configured(app);
	}
	if (users >= 0)
		snprintf(msg, len, "reloaded: %u routes, %d users",
			 o->nb_routes, users);
	else
		snprintf(msg, len, "reloaded: %u routes", o->nb_routes);
	rc = 0;
out:
	dsbc_config_free(n);
	free(n);
	return rc;
}
