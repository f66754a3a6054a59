/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The media side of a call: port pairs from the owning worker's slice,
 * the flows that relay between the legs, and latching.
 *
 * A flow is keyed on one leg's port and sends out of the other leg to
 * that leg's peer.  With latch = first (RFC 7362 section 3), the worker
 * latches a flow onto the first source that reaches it and reports it;
 * the flow carrying media the other way is then re-pointed at that
 * source (symmetric RTP, RFC 4961), which is what lets a peer behind a
 * NAT, or one that sends from another port than its SDP says, get media.
 */
#include <errno.h>
#include <string.h>

#include "b2bua_internal.h"

/* RTP clock of the first format (RFC 3551 static types, else rtpmap). */
uint32_t
b2bua_sdp_clock(const struct dsbc_sdp_media *m)
{
	static const uint32_t stat[35] = {
		8000, 0, 0, 8000, 8000, 8000, 16000, 8000, 8000, 8000, 44100,
		44100, 8000, 8000, 90000, 8000, 11025, 22050, 8000, 0, 0, 0, 0,
		0, 0, 90000, 90000, 0, 90000, 0, 0, 90000, 90000, 90000, 90000,
	};
	unsigned int pt = 0, k;
	size_t i;

	for (i = 0; i < m->fmts.len && m->fmts.p[i] >= '0' &&
	     m->fmts.p[i] <= '9' && pt < 1000; i++)
		pt = pt * 10 + (unsigned int)(m->fmts.p[i] - '0');
	for (k = 0; k < m->nb_rtpmap; k++)
		if (m->rtpmap[k].pt == pt && m->rtpmap[k].clock != 0)
			return m->rtpmap[k].clock;
	return pt < DIM(stat) && stat[pt] != 0 ? stat[pt] : 8000;
}

/*
 * Packets per second a sender may use: b=AS (RFC 8866 section 5.8, kbps)
 * of its m-line or session over a 60-byte smallest packet, plus 50; else
 * the configured police_pps.
 */
uint32_t
b2bua_sdp_police_pps(const struct dsbc_b2bua *b, const struct dsbc_sdp *s,
		     unsigned int i)
{
	uint32_t as = 0, k;

	for (k = 0; k < s->nb_lines; k++) {
		const struct dsbc_sdp_line *l = &s->lines[k];
		uint32_t v = 0;
		size_t j;

		if (l->type != 'b' || (l->media >= 0 && (unsigned)l->media != i) ||
		    l->value.len < 4 || memcmp(l->value.p, "AS:", 3) != 0)
			continue;
		for (j = 3; j < l->value.len && l->value.p[j] >= '0' &&
		     l->value.p[j] <= '9' && v < 10000000; j++)
			v = v * 10 + (uint32_t)(l->value.p[j] - '0');
		if (l->media >= 0 || as == 0)
			as = v;      /* the media's own beats the session's */
	}
	if (as == 0 || b->cfg->police_pps == 0)
		return b->cfg->police_pps;
	return as * 1000 / 8 / 60 + 50;
}

/*
 * Flow k (0 RTP, 1 RTCP) of m-line i keyed on leg `in`, sending to the
 * peer of leg `out` from out's port, where the SDP out received says dsbc
 * is.  The destination is out's latched source when there is one.  When
 * out muxes RTCP (RFC 5761) and in does not, flow 1 (in's RTCP port)
 * sends to out's RTP port from out's RTP port.
 */
void
b2bua_peer_addr(const struct leg_media *lm, unsigned int k, bool use_latch,
		uint8_t *family, struct dsbc_addr *addr, uint16_t *port)
{
	if (use_latch && lm->latched[k]) {
		*family = lm->latched_family[k];
		*addr = lm->latched_src[k];
		*port = lm->latched_port[k];
	} else {
		*family = lm->family;
		*addr = lm->remote;
		*port = k ? lm->remote_rtcp_port : lm->remote_port;
	}
}

static int
flow_cfg(struct dsbc_b2bua *b, const struct call *c, const struct leg *in,
	 const struct leg *out, unsigned int i, unsigned int k,
	 struct dsbc_flow_cfg *fc)
{
	const struct leg_media *mi = &in->m[i], *mo = &out->m[i];
	unsigned int ko = b2bua_comp(mo, k);      /* out's port used */

	memset(fc, 0, sizeof(*fc));
	fc->local_family = in->mfamily;
	fc->local = in->maddr;
	fc->local_port = (uint16_t)(mi->local_port + k);
	fc->mode = c->mode;
	if (c->mode == DSBC_MODE_TERMINATE) {
		fc->srtp_in = in->keying;
		fc->srtp_out = out->keying;
		if (!mi->rtcp_mux)
			fc->spec_flags = k ? DSBC_FLOW_F_RTCP_ONLY :
					     DSBC_FLOW_F_RTP_ONLY;
		else if (k == 1)
			fc->spec_flags = DSBC_FLOW_F_SEND_ONLY;
	}
	fc->latch = b->cfg->latch_default;
	fc->relatch_ms = b->cfg->relatch_ms_default;
	fc->dscp = b->cfg->dscp_default;
	fc->ice_id = in->ice_local ? in->ice_id : 0;
	/* latch = signalled: in's peer must send from where its SDP says */
	b2bua_peer_addr(mi, b2bua_comp(mi, k), false, &fc->peer_family,
			&fc->peer, &fc->peer_port);
	b2bua_peer_addr(mo, ko, fc->latch == DSBC_LATCH_FIRST,
			&fc->remote_family, &fc->remote, &fc->remote_port);
	fc->out_family = out->mfamily;
	fc->out_local = out->maddr;
	fc->out_local_port = (uint16_t)(mo->local_port + ko);
	fc->clock_rate = mi->clock;
	fc->police_pps = mi->police_pps;
	/* in muxes, out does not: RTCP arriving on in's RTP port is
	 * forwarded with flow 1's headers (to out's RTCP port) */
	if (k == 0 && mi->rtcp_mux && !mo->rtcp_mux && mi->nb_flows == 2)
		fc->rtcp_sibling = mi->flow[1] + 1;
	fc->in_port = in->port;
	if (dsbc_config_route_out(b->cfg, fc->remote_family, &fc->remote,
				  &fc->out_port, &fc->next_hop) != 0)
		return -EHOSTUNREACH;
	return 0;
}

/* Media arriving on leg `in` goes out of leg `out` (one or two flows). */
int
b2bua_flows_for(struct dsbc_b2bua *b, struct call *c, struct leg *in,
		struct leg *out, unsigned int i)
{
	struct leg_media *mi = &in->m[i];
	unsigned int k, n = b2bua_nb_flows(in, out, i);
	dsbc_b2bua_cookie_t cookie = b2bua_call_cookie(b, c);
	bool added = false;
	int rc;

	unsigned int first = mi->nb_flows;

	for (k = mi->nb_flows; k < n; k++) {
		rc = flow_cfg(b, c, in, out, i, k, &mi->fc[k]);
		if (rc == 0)
			rc = b->ops.flow_add(b->ctx, &mi->fc[k], cookie,
						&mi->flow[k]);
		if (rc != 0)
			return rc;
		mi->nb_flows++;
		added = true;
	}
	/* flow 0 learns its RTCP sibling once flow 1 exists, before any
	 * keys: RTCP must never be protected with flow 0's own SRTCP state
	 * and then with flow 1's, two indexes counting from 0 under what
	 * may be one key (SDES keys both components alike) */
	if (added && n == 2) {
		struct dsbc_flow_cfg fc;

		rc = flow_cfg(b, c, in, out, i, 0, &fc);
		if (rc == 0 && fc.rtcp_sibling != mi->fc[0].rtcp_sibling) {
			mi->fc[0] = fc;
			rc = b->ops.flow_mod(b->ctx, mi->flow[0], &fc, false);
		}
		if (rc != 0)
			return rc;
	}
	/* terminate: new flows get the keys already known */
	b2bua_term_flow_keys(b, c, in, out, i, first,
			     TERM_KEYS_RX | TERM_KEYS_TX, -1);
	return 0;
}

/* Remove the flows keyed on one m-line of a leg. */
static void
media_flows_del(struct dsbc_b2bua *b, struct leg_media *lm)
{
	unsigned int k;

	for (k = 0; k < lm->nb_flows; k++)
		b->ops.flow_del(b->ctx, lm->flow[k]);
	lm->nb_flows = 0;
}

void
b2bua_flows_remove(struct dsbc_b2bua *b, struct leg *l, unsigned int nb)
{
	unsigned int i;

	for (i = 0; i < nb; i++) {
		media_flows_del(b, &l->m[i]);
		memset(l->m[i].latched, 0, sizeof(l->m[i].latched));
	}
}

/*
 * The flows keyed on in's m-line i, sending to out, programmed again
 * from the legs' current state: modified in place (counters kept;
 * unlatched when asked), or rebuilt when their number changed (rtcp-mux).
 */
static int
flows_update(struct dsbc_b2bua *b, struct call *c, struct leg *in,
	     struct leg *out, unsigned int i, bool unlatch)
{
	struct leg_media *mi = &in->m[i];
	unsigned int k;
	int rc;

	if (mi->nb_flows != b2bua_nb_flows(in, out, i)) {
		/* new flows start unlatched in the workers */
		media_flows_del(b, mi);
		memset(mi->latched, 0, sizeof(mi->latched));
		return b2bua_flows_for(b, c, in, out, i);
	}
	for (k = 0; k < mi->nb_flows; k++) {
		rc = flow_cfg(b, c, in, out, i, k, &mi->fc[k]);
		if (rc == 0)
			rc = b->ops.flow_mod(b->ctx, mi->flow[k], &mi->fc[k],
						unlatch);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/*
 * `sender` has new SDP for m-line i (re-INVITE, UPDATE, or an answer):
 * re-point the flows towards it and let the flows it sends into latch
 * again, since it may now send from elsewhere.  Counters are kept where
 * the flow survives; a change of rtcp-mux rebuilds the flows.  On a leg
 * where dsbc answers ICE and the SDP restarted nothing, the latches stay:
 * the peer keeps its selected pair and checks no more (RFC 8445 section
 * 9), so nothing would latch them again.
 */
int
b2bua_media_repoint(struct dsbc_b2bua *b, struct call *c, struct leg *sender,
		    struct leg *other, unsigned int i)
{
	bool unlatch = !(sender->ice_local && sender->ice_kept);
	int rc;

	if (unlatch)
		memset(sender->m[i].latched, 0, sizeof(sender->m[i].latched));
	/* towards sender: keyed on other's ports */
	rc = flows_update(b, c, other, sender, i, false);
	if (rc != 0)
		return rc;
	/* from sender: keyed on its ports */
	return flows_update(b, c, sender, other, i, unlatch);
}

/* Which leg, m-line and flow index flow_id is in c; false if none. */
bool
b2bua_flow_where(struct call *c, uint32_t flow_id, struct leg **in, struct leg **out,
	   unsigned int *mi, unsigned int *fk)
{
	unsigned int i, k;

	for (i = 0; i < c->nb_media; i++)
		for (k = 0; k < 2; k++) {
			if (k < c->a.m[i].nb_flows && c->a.m[i].flow[k] == flow_id) {
				*in = &c->a;
				*out = &c->b;
			} else if (k < c->b.m[i].nb_flows &&
				   c->b.m[i].flow[k] == flow_id) {
				*in = &c->b;
				*out = &c->a;
			} else {
				continue;
			}
			*mi = i;
			*fk = k;
			return true;
		}
	return false;
}

const char *
dsbc_b2bua_flow_leg(struct dsbc_b2bua *b, uint32_t flow_id,
		    dsbc_b2bua_cookie_t cookie, int *route)
{
	struct call *c = b2bua_call_of_cookie(b, cookie);
	struct leg *in, *out;
	unsigned int i, k;

	if (c == NULL || !b2bua_flow_where(c, flow_id, &in, &out, &i, &k))
		return NULL;
	*route = c->route;
	return in->call_id;
}

/* LATCHED from a worker: record it, and send the other way to it. */
void
dsbc_b2bua_flow_latched(struct dsbc_b2bua *b,
			const struct dsbc_b2bua_latch *l, uint64_t now)
{
	struct call *c;
	struct leg *in, *out;
	struct leg_media *mi, *mo;
	unsigned int i, k;

	b->now = now;
	c = b2bua_call_of_cookie(b, l->cookie);
	if (c == NULL || !b2bua_flow_where(c, l->flow_id, &in, &out, &i, &k))
		return;
	mi = &in->m[i];
	mo = &out->m[i];
	mi->latched[k] = true;
	mi->latched_family[k] = l->family;
	mi->latched_src[k] = l->src;
	mi->latched_port[k] = l->port;
	if (mi->fc[k].latch != DSBC_LATCH_FIRST || k >= mo->nb_flows)
		return;
	/* the flow keyed on out's port k sends to in's peer */
	if (flow_cfg(b, c, out, in, i, k, &mo->fc[k]) != 0 ||
	    b->ops.flow_mod(b->ctx, mo->flow[k], &mo->fc[k], false) != 0) {
		/* the media back to that peer could not follow it: the
		 * call ends cleanly rather than carry one-way media */
		b->st.latch_errors++;
		b2bua_call_end(b, c, DSBC_B2BUA_END_MEDIA_FAILURE,
			       "latched flow not re-pointed");
		return;
	}
	b->st.latch_repoints++;
}
