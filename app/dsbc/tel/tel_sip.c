/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /dsbc/sip: the UDP transport's counters (ctl/sip_udp.c) and the SIP
 * user agent's (lib/b2bua), under the names they have always had.
 */
#include <stdio.h>

#include <rte_telemetry.h>

#include "dsbc_auth.h"
#include "dsbc_reg.h"
#include "ctl/sip.h"
#include "ctl/sip_tcp.h"
#include "ctl/snap.h"
#include "dp/worker.h"
#include "tel/tel.h"

static struct dsbc_app *tel_app;

static void
add(struct rte_tel_data *d, const char *name, uint64_t v)
{
	rte_tel_data_add_dict_u64(d, name, v);
}

static int
tel_sip(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct dsbc_b2bua_stats *bs;
	const struct dsbc_sip_stats *st;
	char name[64];
	unsigned int i;

	RTE_SET_USED(cmd);
	if (tel_app == NULL || tel_app->sip == NULL ||
	    tel_app->sip->b2b == NULL || (params != NULL && *params != '\0'))
		return -EINVAL;
	st = &tel_app->sip->st;
	bs = dsbc_b2bua_stats(tel_app->sip->b2b);
	rte_tel_data_start_dict(d);
	add(d, "rx", st->rx);
	for (i = 1; i < DSBC_SIP_M_MAX; i++) {
		snprintf(name, sizeof(name), "rx_%s", dsbc_sip_method_name(i));
		add(d, name, bs->rx_req[i]);
	}
	add(d, "rx_other_method", bs->rx_req[0]);
	for (i = 1; i < 7; i++) {
		snprintf(name, sizeof(name), "rx_%uxx", i);
		add(d, name, bs->rx_resp[i]);
	}
	for (i = 1; i < DSBC_SIP_ERR_MAX; i++)
		add(d, dsbc_sip_err_name(i), bs->sip_err[i]);
	add(d, "discarded", bs->discarded);
	add(d, "tx", st->tx);
	for (i = 1; i < 7; i++) {
		snprintf(name, sizeof(name), "tx_%uxx", i);
		add(d, name, bs->tx_resp[i]);
	}
	for (i = 1; i < DSBC_SIP_M_MAX; i++) {
		snprintf(name, sizeof(name), "tx_%s", dsbc_sip_method_name(i));
		add(d, name, bs->tx_req[i]);
	}
	add(d, "tx_other_method", bs->tx_req[0]);
	add(d, "drain_refused", bs->drain_refused);
	add(d, "tx_fragments", st->tx_frags);
	add(d, "tx_fail", st->tx_fail);
	add(d, "fragments_rx", st->frag_rx);
	add(d, "reassembled", st->reassembled);
	add(d, "fragments_dropped", st->frag_dropped);
	add(d, "not_sip", st->not_udp);
	add(d, "stateless_501", bs->stateless_501);
	add(d, "bad_via_branch", bs->bad_branch);
	add(d, "tx_no_neigh", st->tx_no_neigh);
	add(d, "retransmissions_absorbed", bs->retransmissions_absorbed);
	add(d, "transaction_timeouts", bs->txn_timeouts);
	/* overload control: the workers' per-source budgets and bans,
	 * then admission of what reached this lcore */
	add(d, "rate_limited",
	    DSBC_WORKER_SUM(tel_app, drop[DSBC_DROP_SIP_RATE]));
	add(d, "banned_dropped",
	    DSBC_WORKER_SUM(tel_app, drop[DSBC_DROP_SIP_BANNED]));
	add(d, "rx_dialog", st->by_prio[DSBC_SIP_PRIO_DIALOG]);
	add(d, "rx_known", st->by_prio[DSBC_SIP_PRIO_KNOWN]);
	add(d, "rx_new", st->by_prio[DSBC_SIP_PRIO_NEW]);
	add(d, "admitted", st->admitted);
	add(d, "overload_refused", st->overload_refused);
	add(d, "overload_shed", st->overload_shed);
	add(d, "overloads", st->overloads);
	add(d, "overloaded", st->overloaded);
	add(d, "admit_cuts", st->admit_cuts);
	add(d, "admit_rate", st->admit_rate);
	add(d, "transactions", bs->txns);
	/* RFC 3261 12.2.2: what did not match a dialog, and why */
	add(d, "dialog_no_match", bs->dialog_no_match);
	add(d, "dialog_cseq_low", bs->dialog_cseq_low);
	add(d, "dialog_source_refused", bs->dialog_source);
	add(d, "cancel_no_match", bs->cancel_no_match);
	add(d, "ack_no_match", bs->ack_no_match);
	add(d, "ack_retransmissions", bs->ack_retransmissions);
	add(d, "callid_in_use", bs->callid_in_use);
	add(d, "replaces_mapped", bs->replaces_mapped);
	add(d, "replaces_no_match", bs->replaces_no_match);
	/* SIP over TCP (ctl/sip_tcp.c), when a port has the kernel path */
	{
		uint32_t open = 0;
		const struct dsbc_sip_tcp_stats *ts =
			dsbc_sip_tcp_stats(tel_app, &open);

		if (ts != NULL) {
			add(d, "tcp_open", open);
			add(d, "tcp_accepted", ts->accepted);
			add(d, "tcp_refused", ts->refused);
			add(d, "tcp_closed", ts->closed);
			add(d, "tcp_idle_closed", ts->idle_closed);
			add(d, "tcp_too_big", ts->too_big);
			add(d, "tcp_bad_length", ts->bad_length);
			add(d, "tcp_tx_overflow", ts->tx_overflow);
			add(d, "tcp_rx_bytes", ts->rx_bytes);
			add(d, "tcp_rx_msgs", ts->rx_msgs);
			add(d, "tcp_tx_msgs", ts->tx_msgs);
			add(d, "tcp_tx_no_conn", ts->tx_no_conn);
			add(d, "tcp_pings", ts->pings);
			add(d, "tls_accepted", ts->tls_accepted);
			add(d, "tls_handshakes", ts->tls_handshakes);
			add(d, "tls_failed", ts->tls_failed);
			add(d, "tls_timeouts", ts->tls_timeouts);
			add(d, "tcp_connects", ts->connects);
			add(d, "tcp_connect_failed", ts->connect_failed);
			add(d, "tcp_reused", ts->reused);
			add(d, "tls_trunk_certs", ts->tls_trunk_certs);
			add(d, "alias_accepted", ts->alias_accepted);
			add(d, "alias_refused", ts->alias_refused);
			add(d, "alias_used", ts->alias_used);
			add(d, "ws_upgrades", ts->ws_upgrades);
			add(d, "ws_refused", ts->ws_refused);
			add(d, "ws_bad_frames", ts->ws_bad_frames);
			add(d, "ws_closed", ts->ws_closed);
		}
	}
	/* digest (lib/auth), when a realm is in use */
	{
		const struct dsbc_auth_stats *as =
			dsbc_b2bua_auth_stats(tel_app->sip->b2b);

		add(d, "auth_trunk", bs->auth_trunk);
		add(d, "stir_signed", bs->stir_signed);
		add(d, "stir_sign_skipped", bs->stir_sign_skipped);
		add(d, "transport_errors", bs->transport_errors);
		add(d, "sips_refused", bs->sips_refused);
		if (as != NULL) {
			add(d, "auth_challenges", as->challenges);
			add(d, "auth_ok", as->ok);
			add(d, "auth_failed", as->failed);
			add(d, "auth_unknown_user", as->unknown_user);
			add(d, "auth_replayed", as->replayed);
			add(d, "auth_stale", as->stale);
			add(d, "auth_bad", as->bad);
			add(d, "auth_uri_mismatch", as->uri_mismatch);
			add(d, "auth_alg_refused", as->alg_refused);
			add(d, "auth_blocked", as->blocked);
			add(d, "auth_nonce_forged", as->nonce_forged);
			add(d, "auth_nc_evicted", as->nc_evicted);
			add(d, "auth_users", as->users);
			add(d, "auth_reloads", as->reloads);
			add(d, "auth_reload_failed", as->reload_failed);
		}
	}
	return 0;
}

/* /dsbc/registrations: the registrar's counters and its bindings */
static int
tel_regs(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct dsbc_reg_stats *rs;
	const struct dsbc_b2bua_stats *bs;
	struct dsbc_snap_req *r;
	struct rte_tel_data *list;
	uint32_t i;
	int rc;

	RTE_SET_USED(cmd);
	if (tel_app == NULL || tel_app->sip == NULL ||
	    tel_app->sip->b2b == NULL || (params != NULL && *params != '\0'))
		return -EINVAL;
	rs = dsbc_b2bua_reg_stats(tel_app->sip->b2b);
	if (rs == NULL)
		return -EINVAL;         /* no [registrar] domain */
	bs = dsbc_b2bua_stats(tel_app->sip->b2b);
	list = rte_tel_data_alloc();
	if (list == NULL)
		return -ENOMEM;
	rc = dsbc_snap_ask(tel_app, DSBC_SNAP_REGS, 0, &r);
	if (rc != 0) {
		rte_tel_data_free(list);
		return rc;
	}
	rte_tel_data_start_array(list, RTE_TEL_STRING_VAL);
	for (i = 0; i < r->nb_regs; i++)
		rte_tel_data_add_array_string(list, r->regs[i]);
	dsbc_snap_done();
	rte_tel_data_start_dict(d);
	add(d, "aors", rs->aors);
	add(d, "bindings", rs->bindings);
	add(d, "registers", rs->registers);
	add(d, "added", rs->added);
	add(d, "refreshed", rs->refreshed);
	add(d, "removed", rs->removed);
	add(d, "expired", rs->expired);
	add(d, "too_brief", rs->too_brief);
	add(d, "full", rs->full);
	add(d, "out_of_order", rs->out_of_order);
	add(d, "bad", rs->bad);
	add(d, "keepalives", rs->pings);
	add(d, "keepalive_answers", rs->pongs);
	add(d, "keepalive_dropped", rs->ping_dropped);
	add(d, "keepalive_stray", bs->keepalive_stray);
	add(d, "flow_dropped", rs->flow_dropped);
	add(d, "foreign_domain", bs->reg_foreign);
	add(d, "forbidden_aor", bs->reg_forbidden);
	add(d, "invite_not_registered", bs->reg_not_found);
	add(d, "invite_flow_failed", bs->reg_flow_failed);
	add(d, "outbound_flows_failed", rs->flow_failed);
	rte_tel_data_add_dict_container(d, "list", list, 0);
	return 0;
}

int
dsbc_tel_sip_register(void)
{
	if (rte_telemetry_register_cmd("/dsbc/registrations", tel_regs,
			"Registrar: counters and up to 64 bindings "
			"(aor contact via addr:port/transport [nat] expiry)"))
		return -1;
	return rte_telemetry_register_cmd("/dsbc/sip", tel_sip,
		"SIP counters: messages by method and class, refusals by "
		"reason, fragments, dialog matching, digest");
}

void
dsbc_tel_sip_set_app(struct dsbc_app *app)
{
	tel_app = app;
}
