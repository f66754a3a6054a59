/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /dsbc/calls and /dsbc/call,<id>.  Runs on the telemetry thread and only
 * reads fixed arrays of the call table and of the workers' flow slots.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_telemetry.h>

#include "dsbc_dtls.h"
#include "dsbc_flow_table.h"
#include "ctl/sip.h"
#include "ctl/snap.h"
#include "dp/worker.h"
#include "dp/worker_aware.h"
#include "dp/worker_snap.h"
#include "dp/worker_term.h"
#include "tel/tel.h"

static struct dsbc_app *tel_app;

static const char *const dtls_state_names[] = {
	"handshaking", "done", "failed"
};

static int
tel_calls(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct dsbc_b2bua_stats *b;
	struct dsbc_snap_req *r;
	struct rte_tel_data *ids;
	uint32_t i;
	int rc;

	RTE_SET_USED(cmd);
	if (tel_app == NULL || tel_app->sip == NULL ||
	    tel_app->sip->b2b == NULL || (params != NULL && *params != '\0'))
		return -EINVAL;
	b = dsbc_b2bua_stats(tel_app->sip->b2b);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "active", b->active);
	rte_tel_data_add_dict_u64(d, "started", b->started);
	rte_tel_data_add_dict_u64(d, "answered", b->answered);
	rte_tel_data_add_dict_u64(d, "ended", b->ended);
	rte_tel_data_add_dict_u64(d, "failed", b->failed);
	rte_tel_data_add_dict_u64(d, "cancelled", b->cancelled);
	rte_tel_data_add_dict_u64(d, "no_route", b->no_route);
	rte_tel_data_add_dict_u64(d, "no_ports", b->no_ports);
	rte_tel_data_add_dict_u64(d, "table_full", b->table_full);
	rte_tel_data_add_dict_u64(d, "bad_sdp", b->bad_sdp);
	rte_tel_data_add_dict_u64(d, "bad_response", b->bad_response);
	rte_tel_data_add_dict_u64(d, "route_set_refused",
				  b->route_set_refused);
	rte_tel_data_add_dict_u64(d, "timeouts", b->timeouts);
	rte_tel_data_add_dict_u64(d, "media_idle_ended", b->idle_ended);
	rte_tel_data_add_dict_u64(d, "latch_repoints", b->latch_repoints);
	rte_tel_data_add_dict_u64(d, "latch_errors", b->latch_errors);
	rte_tel_data_add_dict_u64(d, "flow_errors", b->flow_errors);
	rte_tel_data_add_dict_u64(d, "ok_retransmissions", b->ok_retransmissions);
	rte_tel_data_add_dict_u64(d, "consent_expired", b->consent_expired);
	rte_tel_data_add_dict_u64(d, "ice_restarts", b->ice_restarts);
	rte_tel_data_add_dict_u64(d, "stale_events", b->stale_events);
	rte_tel_data_add_dict_u64(d, "media_port_pairs_free",
				  dsbc_b2bua_ports_free(tel_app->sip->b2b));
	rte_tel_data_add_dict_u64(d, "terminated", b->terminated);
	rte_tel_data_add_dict_u64(d, "terminate_forced", b->terminate_forced);
	rte_tel_data_add_dict_u64(d, "dtls_done", b->dtls_done);
	rte_tel_data_add_dict_u64(d, "dtls_failed", b->dtls_failed);
	rte_tel_data_add_dict_u64(d, "dtls_timeouts", b->dtls_timeouts);
	rte_tel_data_add_dict_u64(d, "dtls_closed", b->dtls_closed);
	rte_tel_data_add_dict_u64(d, "dtls_resets", b->dtls_resets);
	rte_tel_data_add_dict_u64(d, "dtls_no_session", b->dtls_no_session);
	rte_tel_data_add_dict_u64(d, "keys_sent", b->keys_sent);
	rte_tel_data_add_dict_u64(d, "sdes_rekeys", b->sdes_rekeys);
	for (i = 0; i < DSBC_B2BUA_END_MAX; i++) {
		char key[48];

		snprintf(key, sizeof(key), "end_%s", dsbc_b2bua_end_name(i));
		rte_tel_data_add_dict_u64(d, key, b->end[i]);
	}
	rc = dsbc_snap_ask(tel_app, DSBC_SNAP_COUNTS, 0, &r);
	if (rc != 0)
		return rc;
	for (i = 1; i < DSBC_B2BUA_STATES; i++) {
		char key[48];

		snprintf(key, sizeof(key), "state_%s",
			 dsbc_b2bua_state_name(i));
		rte_tel_data_add_dict_u64(d, key, r->by_state[i]);
	}
	for (i = 0; i < DSBC_MODE_MAX; i++) {
		char key[48];

		snprintf(key, sizeof(key), "mode_%s", dsbc_mode_name(i));
		rte_tel_data_add_dict_u64(d, key, r->by_mode[i]);
	}
	dsbc_snap_done();
	rc = dsbc_snap_ask(tel_app, DSBC_SNAP_IDS, 0, &r);
	if (rc != 0)
		return rc;
	/* RFC 7879 3.2.2 breaks end-to-end security: such calls are
	 * listed on their own */
	ids = rte_tel_data_alloc();
	if (ids == NULL) {
		dsbc_snap_done();
		return -ENOMEM;
	}
	rte_tel_data_start_array(ids, RTE_TEL_U64_VAL);
	for (i = 0; i < r->nb_term_ids; i++)
		rte_tel_data_add_array_u64(ids, r->term_ids[i]);
	rte_tel_data_add_dict_container(d, "terminated_ids", ids, 0);
	ids = rte_tel_data_alloc();
	if (ids == NULL) {
		dsbc_snap_done();
		return -ENOMEM;
	}
	rte_tel_data_start_array(ids, RTE_TEL_U64_VAL);
	for (i = 0; i < r->nb_ids; i++)
		rte_tel_data_add_array_u64(ids, r->ids[i]);
	rte_tel_data_add_dict_container(d, "ids", ids, 0);
	dsbc_snap_done();
	return 0;
}

static void
add_u64(struct rte_tel_data *x, const char *pfx, const char *name, uint64_t v)
{
	char key[64];

	snprintf(key, sizeof(key), "%s_%s", pfx, name);
	rte_tel_data_add_dict_u64(x, key, v);
}

static void
add_str(struct rte_tel_data *x, const char *pfx, const char *name,
	const char *v)
{
	char key[64];

	snprintf(key, sizeof(key), "%s_%s", pfx, name);
	rte_tel_data_add_dict_string(x, key, v);
}

/* Media-aware view of a flow: per SSRC packets, loss, jitter (RFC 3550). */
static void
aware_tel(struct rte_tel_data *x, const char *pfx, const struct dsbc_flow *f,
	  const struct dsbc_aware *a)
{
	char key[48], buf[16];
	unsigned int i;

	add_u64(x, pfx, "ssrc_count", a->nb_src);
	add_u64(x, pfx, "ssrc_alarms", a->ssrc_alarms);
	add_u64(x, pfx, "ssrc_dropped", a->ssrc_dropped);
	add_u64(x, pfx, "seq_jumps", a->seq_jumps);
	add_u64(x, pfx, "rtcp_pkts", a->rtcp);
	add_u64(x, pfx, "rtcp_bye", a->rtcp_bye);
	add_u64(x, pfx, "rtp_malformed", a->malformed);
	for (i = 0; i < a->nb_src && i < DSBC_AWARE_SRCS; i++) {
		const struct dsbc_rtp_src *s = dsbc_aware_rs_c(a, i);
		int64_t lost = dsbc_rtp_src_lost(s);

		snprintf(buf, sizeof(buf), "%08x", s->ssrc);
		snprintf(key, sizeof(key), "ssrc%u", i);
		add_str(x, pfx, key, buf);
		snprintf(key, sizeof(key), "ssrc%u_pkts", i);
		add_u64(x, pfx, key, s->received);
		snprintf(key, sizeof(key), "ssrc%u_lost", i);
		add_u64(x, pfx, key, lost > 0 ? (uint64_t)lost : 0);
		snprintf(key, sizeof(key), "ssrc%u_jitter_us", i);
		add_u64(x, pfx, key,
			dsbc_rtp_src_jitter_us(s, f->spec.clock_rate));
	}
}

/*
 * One flow as the owning worker sees it, as keys "<pfx>_<counter>"
 * (the telemetry library nests one container level only).
 */
static void
flow_tel(struct rte_tel_data *x, const char *pfx,
	 const struct dsbc_b2bua_flow_snap *fs)
{
	const struct dsbc_app *app = tel_app;
	uint32_t id = fs->flow_id;
	struct dsbc_flow_snap *ws;
	const struct dsbc_flow *f;
	char buf[80], ip[64];

	add_u64(x, pfx, "flow_id", id);
	add_u64(x, pfx, "local_port", fs->local_port);
	snprintf(buf, sizeof(buf), "%s:%u",
		 dsbc_addr_fmt(&fs->remote, fs->remote_family, ip, sizeof(ip)),
		 fs->remote_port);
	add_str(x, pfx, "sends_to", buf);
	if (fs->latched)
		snprintf(buf, sizeof(buf), "%s:%u",
			 dsbc_addr_fmt(&fs->latched_src, fs->latched_family, ip,
				       sizeof(ip)), fs->latched_port);
	else
		snprintf(buf, sizeof(buf), "-");
	add_str(x, pfx, "latched", buf);
	/* a flow with its aware and SRTP state is some hundreds of bytes:
	 * not on the telemetry thread's stack */
	ws = malloc(sizeof(*ws));
	if (ws == NULL)
		return;
	if (dsbc_worker_snap_flow(tel_app, id, ws) == 0) {
		f = &ws->f;
		add_u64(x, pfx, "pkts", f->st.pkts);
		add_u64(x, pfx, "bytes", f->st.bytes);
		add_u64(x, pfx, "rtp", dsbc_flow_rx_class(f, DSBC_DEMUX_RTP));
		add_u64(x, pfx, "rtcp", f->st.cls[DSBC_DEMUX_RTCP]);
		add_u64(x, pfx, "dtls", f->st.cls[DSBC_DEMUX_DTLS]);
		add_u64(x, pfx, "stun", f->st.cls[DSBC_DEMUX_STUN]);
		add_u64(x, pfx, "drops", f->st.drops);
		add_u64(x, pfx, "drop_not_latched", f->st.drop_not_latched);
		add_u64(x, pfx, "stun_answered", f->st.stun_answered);
		add_u64(x, pfx, "stun_refused", f->st.stun_refused);
		/* RFC 7675: a peer refreshes consent every ~5 s; 30 s of
		 * silence means it lost it (or left) */
		add_u64(x, pfx, "drop_policer", f->st.drop_policer);
		add_str(x, pfx, "mode", dsbc_mode_name(f->spec.mode));
		if (f->spec.mode == DSBC_MODE_AWARE)
			aware_tel(x, pfx, f, &ws->aware);
		if (f->spec.mode == DSBC_MODE_TERMINATE) {
			bool t = ws->has_term;

			add_str(x, pfx, "srtp_rx", t && ws->term_rx ?
				dsbc_srtp_profile_name((enum dsbc_srtp_suite)
						       ws->rx_suite) : "-");
			add_str(x, pfx, "srtp_tx", t && ws->term_tx ?
				dsbc_srtp_profile_name((enum dsbc_srtp_suite)
						       ws->tx_suite) : "-");
			add_u64(x, pfx, "srtp_unprotected", ws->unprotected);
			add_u64(x, pfx, "srtp_protected", ws->protected_pkts);
			add_u64(x, pfx, "srtp_auth_fail", ws->auth_fail);
			add_u64(x, pfx, "srtp_replayed", ws->replayed);
			add_u64(x, pfx, "srtp_no_keys", ws->no_keys);
		}
		if (f->spec.ice_id != 0)
			add_str(x, pfx, "consent",
				f->st.last_check_tsc == 0 ? "none" :
				ws->tsc - f->st.last_check_tsc >
				app->cfg.ice_consent_s * app->tsc_hz ?
				"expired" : "fresh");
	}
	free(ws);
}

static void
leg_tel(struct rte_tel_data *d, const char *name,
	const struct dsbc_b2bua_call_snap *c, const struct dsbc_b2bua_leg_snap *l)
{
	struct rte_tel_data *x = rte_tel_data_alloc();
	char buf[96], key[32], ip[64];
	unsigned int i, k;

	if (x == NULL)
		return;
	rte_tel_data_start_dict(x);
	rte_tel_data_add_dict_string(x, "call_id", l->call_id);
	rte_tel_data_add_dict_string(x, "local_tag", l->local_tag);
	rte_tel_data_add_dict_string(x, "remote_tag", l->remote_tag);
	rte_tel_data_add_dict_string(x, "local_uri", l->local_uri);
	rte_tel_data_add_dict_string(x, "remote_uri", l->remote_uri);
	rte_tel_data_add_dict_string(x, "target", l->target);
	rte_tel_data_add_dict_string(x, "signalling_peer",
				     dsbc_addr_fmt(&l->peer, l->peer_family,
						   buf, sizeof(buf)));
	rte_tel_data_add_dict_string(x, "ice", l->ice_local ? "lite" : "off");
	rte_tel_data_add_dict_string(x, "consent", !l->ice_local ? "-" :
				     l->consent_lost ? "expired" : "ok");
	rte_tel_data_add_dict_string(x, "ice_ufrag", l->ice_ufrag);
	rte_tel_data_add_dict_string(x, "ice_peer_ufrag", l->ice_peer_ufrag);
	rte_tel_data_add_dict_string(x, "keying", dsbc_keying_name(
				     (enum dsbc_keying)l->keying));
	if (l->keying == DSBC_KEYING_DTLS) {
		rte_tel_data_add_dict_string(x, "dtls_role",
			!l->dtls_role_known ? "-" :
			l->dtls_client ? "client" : "server");
		/* a telemetry string holds 127 characters: SHA-384 and
		 * SHA-512 fingerprints are cut, and say so */
		if (strlen(l->peer_fp) < RTE_TEL_MAX_STRING_LEN) {
			rte_tel_data_add_dict_string(x, "peer_fingerprint",
						     l->peer_fp);
		} else {
			char fp[RTE_TEL_MAX_STRING_LEN];

			snprintf(fp, sizeof(fp), "%.*s...",
				 (int)sizeof(fp) - 4, l->peer_fp);
			rte_tel_data_add_dict_string(x, "peer_fingerprint",
						     fp);
		}
		/* one per certificate it may present (RFC 8122 section 5) */
		rte_tel_data_add_dict_u64(x, "peer_fingerprints",
					  l->nb_peer_fp);
	}
	rte_tel_data_add_dict_string(x, "media_address",
				     dsbc_addr_fmt(&l->addr, l->family, buf,
						   sizeof(buf)));
	for (i = 0; i < c->nb_media && i < DSBC_B2BUA_SNAP_MEDIA; i++) {
		const struct dsbc_b2bua_media_snap *lm = &l->m[i];

		snprintf(key, sizeof(key), "m%u_local_port", i);
		rte_tel_data_add_dict_u64(x, key, lm->local_port);
		/* before the rewrite: what the peer's SDP said */
		snprintf(buf, sizeof(buf), "%s:%u",
			 lm->family ? dsbc_addr_fmt(&lm->remote, lm->family, ip,
						    sizeof(ip)) : "-",
			 lm->remote_port);
		snprintf(key, sizeof(key), "m%u_peer", i);
		rte_tel_data_add_dict_string(x, key, buf);
		snprintf(key, sizeof(key), "m%u_rtcp_mux", i);
		rte_tel_data_add_dict_u64(x, key, lm->rtcp_mux);
		snprintf(key, sizeof(key), "m%u_flows", i);
		rte_tel_data_add_dict_u64(x, key, lm->nb_flows);
		for (k = 0; k < 2 && l->keying == DSBC_KEYING_DTLS; k++) {
			const struct dsbc_b2bua_dtls_snap *sc = &lm->dtls[k];
			const char *cn = k ? "rtcp_" : "";

			if (k == 1 && !sc->exists)
				break;      /* RTCP muxed: one association */
			snprintf(key, sizeof(key), "m%u_%sdtls", i, cn);
			rte_tel_data_add_dict_string(x, key, !sc->exists ?
				"-" : sc->closed ? "closed" :
				dtls_state_names[sc->state % 3]);
			snprintf(key, sizeof(key), "m%u_%sdtls_rx", i, cn);
			rte_tel_data_add_dict_u64(x, key, sc->rx);
			snprintf(key, sizeof(key), "m%u_%sdtls_tx", i, cn);
			rte_tel_data_add_dict_u64(x, key, sc->tx);
			snprintf(key, sizeof(key), "m%u_%ssrtp_profile", i, cn);
			rte_tel_data_add_dict_string(x, key, !sc->keys_known ?
				"-" : dsbc_srtp_profile_name(
				(enum dsbc_srtp_suite)sc->profile));
		}
		/* the flows keyed on this leg's ports: media from its peer */
		for (k = 0; k < lm->nb_flows; k++) {
			snprintf(key, sizeof(key), "m%u_%s", i,
				 k ? "rtcp_in" : "rtp_in");
			flow_tel(x, key, &lm->flow[k]);
		}
	}
	rte_tel_data_add_dict_container(d, name, x, 0);
}

static int
tel_call(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct dsbc_b2bua_call_snap *c;
	struct dsbc_snap_req *r;
	char *end;
	unsigned long id;
	int rc;

	RTE_SET_USED(cmd);
	if (tel_app == NULL || tel_app->sip == NULL ||
	    tel_app->sip->b2b == NULL || params == NULL || *params == '\0')
		return -EINVAL;
	id = strtoul(params, &end, 10);
	if (*end != '\0' || id > UINT32_MAX)
		return -EINVAL;
	rc = dsbc_snap_ask(tel_app, DSBC_SNAP_CALL, (uint32_t)id, &r);
	if (rc != 0)
		return rc == -ENOENT ? -EINVAL : rc;
	c = &r->call;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "id", c->id);
	rte_tel_data_add_dict_string(d, "state", c->state);
	rte_tel_data_add_dict_string(d, "mode", dsbc_mode_name(c->mode));
	rte_tel_data_add_dict_u64(d, "worker", c->worker);
	rte_tel_data_add_dict_u64(d, "media_lines", c->nb_media);
	rte_tel_data_add_dict_u64(d, "age_ms", c->age_ms);
	leg_tel(d, "a_leg", c, &c->a);
	leg_tel(d, "b_leg", c, &c->b);
	dsbc_snap_done();
	return 0;
}

int
dsbc_tel_calls_register(void)
{
	if (rte_telemetry_register_cmd("/dsbc/calls", tel_calls,
			"Calls: active ids and counters. No parameters") != 0)
		return -1;
	return rte_telemetry_register_cmd("/dsbc/call", tel_call,
			"One call: state, both dialogs, media. Parameter: id");
}

void
dsbc_tel_calls_set_app(struct dsbc_app *app)
{
	tel_app = app;
}
