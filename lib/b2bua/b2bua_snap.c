/* SPDX-License-Identifier: BSD-3-Clause */
/* Copies of calls for telemetry (dsbc_b2bua_snap.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "b2bua_internal.h"
#include "dsbc_b2bua_snap.h"

static const char *const state_names[] = {
	"free", "offered", "early", "answered", "confirmed", "cancelling",
};

uint32_t
dsbc_b2bua_call_ids(const struct dsbc_b2bua *b, uint32_t *ids, uint32_t cap,
		    bool terminated_only)
{
	uint32_t i, n = 0;

	for (i = 0; i < b->max_calls && n < cap; i++) {
		const struct call *c = &b->calls[i];

		if (c->state == CALL_FREE ||
		    (terminated_only && c->mode != DSBC_MODE_TERMINATE))
			continue;
		ids[n++] = c->id;
	}
	return n;
}

static void
leg_snap(const struct call *c, const struct leg *l,
	 struct dsbc_b2bua_leg_snap *s)
{
	unsigned int i, k;

	snprintf(s->call_id, sizeof(s->call_id), "%s", l->call_id);
	snprintf(s->local_tag, sizeof(s->local_tag), "%s", l->local_tag);
	snprintf(s->remote_tag, sizeof(s->remote_tag), "%s", l->remote_tag);
	snprintf(s->local_uri, sizeof(s->local_uri), "%s", l->local_uri);
	snprintf(s->remote_uri, sizeof(s->remote_uri), "%s", l->remote_uri);
	snprintf(s->target, sizeof(s->target), "%s", l->target);
	s->peer_family = l->peer.family;
	s->peer = l->peer.remote;
	s->ice_local = l->ice_local;
	s->consent_lost = l->consent_lost;
	snprintf(s->ice_ufrag, sizeof(s->ice_ufrag), "%s", l->ice_ufrag);
	snprintf(s->ice_peer_ufrag, sizeof(s->ice_peer_ufrag), "%s",
		 l->ice_peer_ufrag);
	s->keying = l->keying;
	s->dtls_role_known = l->dtls_role_known;
	s->dtls_client = l->dtls_role == DSBC_DTLS_CLIENT;
	snprintf(s->peer_fp, sizeof(s->peer_fp), "%s", l->peer_fp[0]);
	s->nb_peer_fp = l->nb_peer_fp;
	s->family = l->mfamily;
	s->addr = l->maddr;
	for (i = 0; i < c->nb_media && i < DSBC_B2BUA_SNAP_MEDIA; i++) {
		const struct leg_media *lm = &l->m[i];
		struct dsbc_b2bua_media_snap *ms = &s->m[i];

		ms->local_port = lm->local_port;
		ms->family = lm->family;
		ms->remote = lm->remote;
		ms->remote_port = lm->remote_port;
		ms->rtcp_mux = lm->rtcp_mux;
		ms->nb_flows = lm->nb_flows;
		for (k = 0; k < 2; k++) {
			struct dsbc_b2bua_flow_snap *f = &ms->flow[k];
			struct dsbc_b2bua_dtls_snap *d = &ms->dtls[k];
			const struct leg_sec *sc = &lm->sec[k];

			f->flow_id = lm->flow[k];
			f->local_port = lm->fc[k].local_port;
			f->remote_family = lm->fc[k].remote_family;
			f->remote = lm->fc[k].remote;
			f->remote_port = lm->fc[k].remote_port;
			f->latched = lm->latched[k];
			f->latched_family = lm->latched_family[k];
			f->latched_src = lm->latched_src[k];
			f->latched_port = lm->latched_port[k];
			d->exists = sc->dtls != NULL;
			d->closed = sc->closed;
			d->state = sc->state;
			d->keys_known = sc->keys_known;
			d->profile = sc->keys.profile;
			d->rx = sc->rx;
			d->tx = sc->tx;
		}
	}
}

int
dsbc_b2bua_call_snapshot(const struct dsbc_b2bua *b, uint32_t id,
			 uint64_t now, struct dsbc_b2bua_call_snap *s)
{
	const struct call *c = NULL;
	uint32_t i;

	for (i = 0; i < b->max_calls && c == NULL; i++)
		if (b->calls[i].state != CALL_FREE && b->calls[i].id == id)
			c = &b->calls[i];
	if (c == NULL)
		return -ENOENT;
	memset(s, 0, sizeof(*s));
	s->id = c->id;
	s->state = state_names[c->state % 6];
	s->mode = c->mode;
	s->worker = c->worker;
	s->nb_media = c->nb_media;
	s->age_ms = now - c->started_ms;
	leg_snap(c, &c->a, &s->a);
	leg_snap(c, &c->b, &s->b);
	return 0;
}

const char *
dsbc_b2bua_state_name(unsigned int i)
{
	return i < DIM(state_names) ? state_names[i] : "unknown";
}

void
dsbc_b2bua_call_counts(const struct dsbc_b2bua *b, uint32_t *by_state,
		       uint32_t *by_mode)
{
	uint32_t i;

	memset(by_state, 0, sizeof(*by_state) * DSBC_B2BUA_STATES);
	memset(by_mode, 0, sizeof(*by_mode) * DSBC_MODE_MAX);
	for (i = 0; i < b->max_calls; i++) {
		const struct call *c = &b->calls[i];

		if (c->state == CALL_FREE || c->state >= DSBC_B2BUA_STATES)
			continue;
		by_state[c->state]++;
		if (c->mode < DSBC_MODE_MAX)
			by_mode[c->mode]++;
	}
}
