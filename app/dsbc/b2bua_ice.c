/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dsbc anchors ICE per leg (RFC 8445 section 2.5, ICE-lite; RFC 8839 SDP
 * attributes): a leg whose peer uses ICE gets dsbc's own ufrag, pwd and
 * host candidates in the SDP it receives, never the other side's, and
 * the worker owning the call answers that peer's checks.  The offer to B
 * carries ICE when A's did; B's answer decides whether B keeps it.
 */
#include <string.h>

#include <openssl/rand.h>
#include <rte_cycles.h>
#include <rte_log.h>

#include "b2bua.h"

/* ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 section 5.4) */
static int
ice_token(char *out, size_t n)
{
	static const char set[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char r[64];
	size_t i;

	if (n >= sizeof(r) || RAND_bytes(r, (int)n) != 1)
		return -1;
	for (i = 0; i < n; i++)
		out[i] = set[r[i] & 63];
	out[n] = '\0';
	return 0;
}

static int
ice_program(struct dsbc_app *app, struct call *c, struct leg *l)
{
	if (l->ice_ufrag[0] == '\0' &&
	    (ice_token(l->ice_ufrag, 8) != 0 || ice_token(l->ice_pwd, 24) != 0))
		return -1;
	return dsbc_mgmt_ice_set(app, c->worker, &l->ice_id, l->ice_ufrag,
				 l->ice_peer_ufrag, l->ice_pwd);
}

int
b2bua_ice_offer(struct dsbc_app *app, struct call *c, struct leg *l)
{
	l->ice_local = true;
	return ice_program(app, c, l);
}

int
b2bua_ice_learn(struct dsbc_app *app, struct call *c, struct leg *l,
		const struct dsbc_sdp *s)
{
	struct dsbc_sdp_str u = s->ice_ufrag;
	unsigned int i;

	for (i = 0; i < s->nb_media && u.len == 0; i++)
		u = s->media[i].ice_ufrag;
	if (u.len == 0) {
		/* no ICE from this peer: plain latching on this leg; the
		 * flows drop the agent when they are re-pointed next */
		if (l->ice_local && l->ice_id != 0)
			dsbc_mgmt_ice_free(app, c->worker, l->ice_id);
		l->ice_local = false;
		l->ice_id = 0;
		return 0;
	}
	if (u.len >= sizeof(l->ice_peer_ufrag))
		return -1;
	memcpy(l->ice_peer_ufrag, u.p, u.len);
	l->ice_peer_ufrag[u.len] = '\0';
	l->ice_local = true;
	return ice_program(app, c, l);
}

void
b2bua_ice_release(struct dsbc_app *app, struct call *c, struct leg *l)
{
	if (l->ice_id != 0)
		dsbc_mgmt_ice_free(app, c->worker, l->ice_id);
	l->ice_id = 0;
	l->ice_local = false;
}

/*
 * RFC 7675: a peer keeps consent by checking at least every 30 s (it
 * sends one every ~5 s).  dsbc is ICE-lite and sends no checks itself;
 * a leg whose peer stopped checking is reported once (log, counter,
 * /dsbc/call) - its peer has lost consent or left without a BYE.
 */
void
b2bua_consent_scan(struct dsbc_app *app)
{
	struct dsbc_b2bua *b = app->sip->b2b;
	uint64_t now = rte_rdtsc(), limit = app->cfg.ice_consent_s * app->tsc_hz;
	uint32_t i;

	for (i = 0; i < MAX_CALLS; i++) {
		struct call *c = &b->calls[i];
		struct leg *legs[2] = { &c->a, &c->b };
		unsigned int k;

		if (c->state != CALL_CONFIRMED)
			continue;
		for (k = 0; k < 2; k++) {
			struct leg *l = legs[k];
			const struct dsbc_flow *f;
			uint32_t id;

			if (!l->ice_local || l->consent_lost ||
			    c->nb_media == 0 || l->m[0].nb_flows == 0)
				continue;
			id = l->m[0].flow[0];
			f = dsbc_flow_table_slot(
				app->workers[dsbc_flow_id_worker(id)]->flows, id);
			if (f == NULL || f->flow_id != id ||
			    f->st.last_check_tsc == 0 ||
			    now - f->st.last_check_tsc < limit)
				continue;
			l->consent_lost = true;
			b->consent_expired++;
			RTE_LOG(WARNING, USER1, "call %u: %s leg: no ICE check "
				"for %u s, consent expired (RFC 7675)\n", c->id,
				k ? "B" : "A", app->cfg.ice_consent_s);
		}
	}
}
