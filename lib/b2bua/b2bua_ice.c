/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dsbc anchors ICE per leg (RFC 8445 section 2.5, ICE-lite; RFC 8839 SDP
 * attributes): a leg whose peer uses ICE gets dsbc's own ufrag, pwd and
 * host candidates in the SDP it receives, never the other side's, and
 * the worker owning the call answers that peer's checks.  The offer to B
 * carries ICE when A's did; B's answer decides whether B keeps it.
 */
#include <string.h>

#include "b2bua_internal.h"

/* ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 section 5.4) */
static int
ice_token(struct dsbc_b2bua *b, char *out, size_t n)
{
	static const char set[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char r[64];
	size_t i;

	if (n >= sizeof(r) || b2bua_random(b, r, n) != 0)
		return -1;
	for (i = 0; i < n; i++)
		out[i] = set[r[i] & 63];
	out[n] = '\0';
	return 0;
}

static int
ice_program(struct dsbc_b2bua *b, struct call *c, struct leg *l)
{
	if (l->ice_ufrag[0] == '\0' &&
	    (ice_token(b, l->ice_ufrag, 8) != 0 ||
	     ice_token(b, l->ice_pwd, 24) != 0))
		return -1;
	return b->ops.ice_set(b->ctx, c->worker, &l->ice_id, l->ice_ufrag,
				 l->ice_peer_ufrag, l->ice_pwd);
}

int
b2bua_ice_offer(struct dsbc_b2bua *b, struct call *c, struct leg *l)
{
	l->ice_local = true;
	return ice_program(b, c, l);
}

/* Every ufrag of an SDP, session and per m-line, hashed (FNV-1a): a
 * change anywhere is a restart somewhere. */
static uint64_t
ufrags_sig(const struct dsbc_sdp *s)
{
	uint64_t h = 0xcbf29ce484222325ull;
	unsigned int i, k;

	for (i = 0; i <= s->nb_media; i++) {
		struct dsbc_sdp_str u = i == 0 ? s->ice_ufrag :
					s->media[i - 1].ice_ufrag;

		for (k = 0; k < u.len; k++)
			h = (h ^ (uint8_t)u.p[k]) * 0x100000001b3ull;
		h = (h ^ 0xff) * 0x100000001b3ull;   /* separator */
	}
	return h;
}

int
b2bua_ice_learn(struct dsbc_b2bua *b, struct call *c, struct leg *l,
		const struct dsbc_sdp *s)
{
	struct dsbc_sdp_str u = s->ice_ufrag;
	unsigned int i;
	uint64_t sig;

	for (i = 0; i < s->nb_media && u.len == 0; i++)
		u = s->media[i].ice_ufrag;
	if (u.len == 0) {
		/* no ICE from this peer: plain latching on this leg; the
		 * flows drop the agent when they are re-pointed next */
		if (l->ice_local && l->ice_id != 0)
			b->ops.ice_clear(b->ctx, c->worker, l->ice_id);
		l->ice_local = false;
		l->ice_kept = false;
		l->ice_id = 0;
		return 0;
	}
	if (u.len >= sizeof(l->ice_peer_ufrag))
		return -1;
	/* RFC 8839 section 4.4.1.1.1: a new ufrag from the peer is an ICE
	 * restart, answered with new credentials of dsbc's own; a new one
	 * on any m-line (a data stream restarted alone) restarts the
	 * leg's, since dsbc keeps one agent per leg */
	sig = ufrags_sig(s);
	l->ice_kept = l->ice_local && l->ice_peer_ufrag[0] != '\0' &&
		      sig == l->ice_ufrags_sig;
	if (l->ice_peer_ufrag[0] != '\0' &&
	    (strlen(l->ice_peer_ufrag) != u.len ||
	     memcmp(l->ice_peer_ufrag, u.p, u.len) != 0 ||
	     sig != l->ice_ufrags_sig)) {
		l->ice_kept = false;
		l->ice_ufrag[0] = '\0';
		l->ice_pwd[0] = '\0';
		l->consent_lost = false;
		b->st.ice_restarts++;
	}
	memcpy(l->ice_peer_ufrag, u.p, u.len);
	l->ice_peer_ufrag[u.len] = '\0';
	l->ice_ufrags_sig = sig;
	l->ice_local = true;
	return ice_program(b, c, l);
}

void
b2bua_ice_release(struct dsbc_b2bua *b, struct call *c, struct leg *l)
{
	if (l->ice_id != 0)
		b->ops.ice_clear(b->ctx, c->worker, l->ice_id);
	l->ice_id = 0;
	l->ice_local = false;
}

/*
 * RFC 7675: a peer keeps consent by checking at least every 30 s (it
 * sends one every ~5 s).  dsbc is ICE-lite and sends no checks itself;
 * the worker owning a leg's flow reports once when its peer stopped
 * checking: it has lost consent or left without a BYE.  The leg is
 * marked (log, counter, snapshot); its signalling or media inactivity
 * ends the call.
 */
void
dsbc_b2bua_consent_lost(struct dsbc_b2bua *b, uint32_t flow_id,
			dsbc_b2bua_cookie_t cookie, uint64_t now)
{
	struct leg *in, *out;
	unsigned int i, k;
	struct call *c;

	b->now = now;
	c = b2bua_call_of_cookie(b, cookie);
	if (c == NULL || c->state != CALL_CONFIRMED ||
	    !b2bua_flow_where(c, flow_id, &in, &out, &i, &k) ||
	    !in->ice_local || in->consent_lost)
		return;
	in->consent_lost = true;
	b->st.consent_expired++;
	B2B_LOG(b, WARNING, "call %u: %s leg: no ICE check for %u s, consent "
		"expired (RFC 7675)", c->id, in == &c->a ? "A" : "B",
		b->cfg->ice_consent_s);
}
