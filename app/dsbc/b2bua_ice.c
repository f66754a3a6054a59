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
