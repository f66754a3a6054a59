/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The B2BUA (RFC 7092 section 3): every call is an A-leg dialog where dsbc
 * is the UAS, a B-leg dialog where it is the UAC, and a media session
 * anchored on dsbc's ports.  The B leg hides the A side's topology: new
 * Call-ID, tags, branch and Contact; no Via or Record-Route crosses.
 * From and To URIs, Date and Identity pass byte for byte (RFC 8224
 * section 5), as do a=fingerprint and a=setup in relay mode (RFC 7879).
 *
 * Media: at the offer dsbc allocates, per m-line, a port pair facing each
 * leg from the slice of the worker owning the call, and installs the flows
 * towards the offerer at once (RFC 7879 section 3.1.1: media or a DTLS
 * ClientHello may come before the answer); the answer completes the other
 * direction.  The call ends (flows removed, ports freed) on BYE, CANCEL,
 * failure, timeout or media inactivity.
 *
 * Requests inside a dialog (re-INVITE, UPDATE, INFO, PRACK, ...) are
 * passed to the other leg one at a time (491 for a second), with new
 * SDP re-pointing the flows.  100rel (RFC 3262) is end to end: A's
 * Supported/Require go to B, B's RSeq/Require come back in the 18x, and
 * A's PRACK reaches B with its RAck renumbered to B's INVITE CSeq.
 * A 2xx to a re-INVITE is retransmitted until its ACK, as A's first.
 * Not yet: late offers (an INVITE without SDP gets 488).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_cycles.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_telemetry.h>

#include "dsbc_sdp_rewrite.h"
#include "dsbc_sip_check.h"
#include "dsbc_sip_hdr.h"
#include "dsbc_sip_txn.h"
#include "b2bua.h"


/* ---- small helpers ---- */

static void
str_of(char *dst, size_t cap, struct dsbc_sip_str s)
{
	snprintf(dst, cap, "%.*s", (int)s.len, s.p);
}

static void
rand_token(char *dst, size_t cap, const char *prefix)
{
	static uint32_t seq;

	/* unique per process (sequence) and across restarts (TSC) */
	snprintf(dst, cap, "%s%08" PRIx32 "%04" PRIx32, prefix,
		 (uint32_t)((rte_rdtsc() * 2654435761ull) >> 16), ++seq & 0xffff);
}

/* ---- the call table: free list and Call-ID index ---- */

/*
 * FNV-1a over the bytes: Call-IDs are unaligned views into datagrams
 * (rte_jhash reads them as 32-bit words, which UBSan rightly flags).
 */
static uint32_t
cid_bucket(const char *p, uint32_t len)
{
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ (uint8_t)*p++) * 16777619u;
	return (h ^ (h >> 16)) & (CID_BUCKETS - 1);
}

static const char *
entry_cid(const struct dsbc_b2bua *b, uint32_t e)
{
	const struct call *c = &b->calls[(e - 1) / 2];

	return (e - 1) % 2 ? c->b.call_id : c->a.call_id;
}

static uint32_t *
entry_next(struct dsbc_b2bua *b, uint32_t e)
{
	return &b->calls[(e - 1) / 2].cid_next[(e - 1) % 2];
}

/* Both legs' Call-IDs are set: make the call findable by either. */
static void
call_index(struct dsbc_b2bua *b, struct call *c)
{
	uint32_t idx = (uint32_t)(c - b->calls), leg, h;

	for (leg = 0; leg < 2; leg++) {
		const char *cid = leg ? c->b.call_id : c->a.call_id;

		h = cid_bucket(cid, (uint32_t)strlen(cid));
		c->cid_next[leg] = b->cid_head[h];
		b->cid_head[h] = idx * 2 + leg + 1;
	}
	c->indexed = true;
}

static void
call_unindex(struct dsbc_b2bua *b, struct call *c)
{
	uint32_t idx = (uint32_t)(c - b->calls), leg, *pp;

	for (leg = 0; c->indexed && leg < 2; leg++) {
		const char *cid = leg ? c->b.call_id : c->a.call_id;
		uint32_t want = idx * 2 + leg + 1;

		pp = &b->cid_head[cid_bucket(cid, (uint32_t)strlen(cid))];
		while (*pp != 0 && *pp != want)
			pp = entry_next(b, *pp);
		if (*pp == want)
			*pp = c->cid_next[leg];
	}
	c->indexed = false;
}

static struct call *
call_by_callid(struct dsbc_b2bua *b, struct dsbc_sip_str cid, bool *is_a)
{
	uint32_t e = b->cid_head[cid_bucket(cid.p, cid.len)];

	for (; e != 0; e = *entry_next(b, e)) {
		const char *s = entry_cid(b, e);

		if (strlen(s) == cid.len && memcmp(s, cid.p, cid.len) == 0) {
			*is_a = (e - 1) % 2 == 0;
			return &b->calls[(e - 1) / 2];
		}
	}
	return NULL;
}

/* ---- calls ---- */

static void
call_free(struct dsbc_app *app, struct call *c, const char *why)
{
	struct dsbc_b2bua *b = app->sip->b2b;
	unsigned int i;

	RTE_LOG(INFO, USER1, "call %u ended: %s\n", c->id, why);
	b2bua_flows_remove(app, &c->a, c->nb_media);
	b2bua_flows_remove(app, &c->b, c->nb_media);
	b2bua_ice_release(app, c, &c->a);
	b2bua_ice_release(app, c, &c->b);
	b2bua_term_release(app, c);
	for (i = 0; i < c->nb_media; i++) {
		b2bua_port_free(app, c->a.m[i].local_port);
		b2bua_port_free(app, c->b.m[i].local_port);
	}
	if (c->a_txn != NULL)
		c->a_txn->user = NULL;
	if (c->b_txn != NULL)
		c->b_txn->user = NULL;
	if (c->fwd.srv != NULL)
		c->fwd.srv->user = NULL;
	if (c->fwd.cli != NULL)
		c->fwd.cli->user = NULL;
	free(c->fwd.req);
	free(c->a_invite);
	free(c->ok_msg);
	call_unindex(b, c);
	memset(c, 0, sizeof(*c));
	c->free_next = b->free_head;
	b->free_head = (uint32_t)(c - b->calls) + 1;
	b->nb_calls--;
	b->ended++;
}

static struct call *
call_new(struct dsbc_b2bua *b)
{
	struct call *c;

	if (b->free_head == 0)
		return NULL;
	c = &b->calls[b->free_head - 1];
	b->free_head = c->free_next;
	memset(c, 0, sizeof(*c));
	c->id = ++b->next_id;
	b->nb_calls++;
	return c;
}

/* ---- messages ---- */

static int
send_to(struct dsbc_app *app, const struct dsbc_sip_peer *to,
	const char *msg, uint32_t len)
{
	return dsbc_sip_send(app, to, msg, len);
}

/*
 * Append every instance of header `id` of m to out[*n..cap) as
 * "Name: value" lines.  Returns -1 when it does not fit.
 */
static int
hdr_copy(char *out, size_t cap, int *n, const struct dsbc_sip_msg *m,
	 enum dsbc_sip_hdr_id id, const char *name)
{
	const struct dsbc_sip_hdr *h;
	unsigned int k;
	int w;

	for (k = 0; (h = dsbc_sip_hdr_get(m, id, k)) != NULL; k++) {
		if (*n < 0 || (size_t)*n >= cap)
			return -1;
		w = snprintf(out + *n, cap - (size_t)*n, "%s: %.*s\r\n", name,
			     (int)h->value.len, h->value.p);
		if (w < 0 || (size_t)w >= cap - (size_t)*n)
			return -1;
		*n += w;
	}
	return 0;
}

/*
 * Section 13.3.1.4: the UAS core retransmits a 2xx to an INVITE (T1
 * doubling up to T2) until the ACK comes, and gives up after 64*T1.
 * One at a time per call: offers are serialised (491).
 */
static void
ok_keep(struct call *c, bool to_a, const struct dsbc_sip_peer *to,
	const char *msg, uint32_t len, uint64_t now)
{
	free(c->ok_msg);
	c->ok_msg = malloc(len);
	if (c->ok_msg == NULL)
		return;
	memcpy(c->ok_msg, msg, len);
	c->ok_len = len;
	c->ok_to_a = to_a;
	c->ok_to = *to;
	c->ok_retx_ms = 500;
	c->ok_retx_at = now + 500;
	c->ok_give_up = now + 64 * 500;
}

/*
 * A response to A's INVITE (kept in the call); hdrs are extra header
 * lines passed from B's response (RSeq and Require of a reliable
 * provisional, RFC 3262), or NULL.
 */
static int
answer_a_hdrs(struct dsbc_app *app, struct call *c, int status,
	      const char *reason, const char *hdrs, const char *body,
	      uint32_t body_len, uint64_t now)
{
	struct dsbc_b2bua *b = app->sip->b2b;
	char extra[768], ip[64];
	uint32_t len;
	int n = 0;

	if (dsbc_sip_parse(c->a_invite, c->a_invite_len, &b->msg) !=
	    DSBC_SIP_ERR_NONE)
		return -1;
	dsbc_addr_fmt(&c->a.addr, c->a.family, ip, sizeof(ip));
	extra[0] = '\0';
	if (status > 100 && status < 300)
		n = snprintf(extra, sizeof(extra), "Contact: <sip:dsbc@%s%s%s:%u>\r\n",
			     c->a.family == 6 ? "[" : "", ip,
			     c->a.family == 6 ? "]" : "", app->cfg.sip_port);
	if (hdrs != NULL && n >= 0 && (size_t)n < sizeof(extra))
		n += snprintf(extra + n, sizeof(extra) - (size_t)n, "%s", hdrs);
	if (body_len && n >= 0 && (size_t)n < sizeof(extra))
		snprintf(extra + n, sizeof(extra) - (size_t)n,
			 "Content-Type: application/sdp\r\n");
	len = dsbc_sip_response(app, &b->msg, &c->a.peer, status, reason,
				status > 100 ? c->a.local_tag : NULL, extra,
				body, body_len, b->buf, sizeof(b->buf));
	if (len == 0)
		return -1;
	if (status >= 200 && status < 300) {
		/* Section 13.3.1.4: the UAS core retransmits its 2xx until
		 * the ACK; the transaction (Accepted) only absorbs. */
		ok_keep(c, true, &c->a.peer, b->buf, len, now);
	}
	app->sip->st.tx_resp[status / 100]++;
	if (c->a_txn != NULL)
		return dsbc_sip_txn_respond(app->sip->txl, c->a_txn,
					    (uint16_t)status, b->buf, len, now);
	return send_to(app, &c->a.peer, b->buf, len);
}

static int
answer_a(struct dsbc_app *app, struct call *c, int status, const char *reason,
	 const char *body, uint32_t body_len, uint64_t now)
{
	return answer_a_hdrs(app, c, status, reason, NULL, body, body_len, now);
}

/* A request inside the B or A dialog, from dsbc (ACK, BYE, CANCEL). */
static uint32_t
build_request(struct dsbc_app *app, struct leg *l, const char *method,
	      uint32_t cseq, const char *branch, bool with_remote_tag,
	      const char *ruri, char *out, uint32_t cap)
{
	char ip[64];
	int n;

	dsbc_addr_fmt(&l->addr, l->family, ip, sizeof(ip));
	n = snprintf(out, cap,
		     "%s %s SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP %s%s%s:%u;branch=%s;rport\r\n"
		     "Max-Forwards: 70\r\n"
		     "From: %s;tag=%s\r\n"
		     "To: %s%s%s\r\n"
		     "Call-ID: %s\r\n"
		     "CSeq: %u %s\r\n"
		     "Content-Length: 0\r\n\r\n",
		     method, ruri, l->family == 6 ? "[" : "", ip,
		     l->family == 6 ? "]" : "", app->cfg.sip_port, branch,
		     l->local_uri, l->local_tag, l->remote_uri,
		     with_remote_tag && l->remote_tag[0] ? ";tag=" : "",
		     with_remote_tag ? l->remote_tag : "", l->call_id, cseq,
		     method);
	return n > 0 && (uint32_t)n < cap ? (uint32_t)n : 0;
}

/* ACK B's 2xx to dsbc's INVITE (RFC 3261 13.2.2.4: a new transaction,
 * its own branch, straight to B).  Whether it was sent. */
static bool
ack_b_2xx(struct dsbc_app *app, struct call *c)
{
	struct dsbc_b2bua *b = app->sip->b2b;
	char branch[48];
	uint32_t len;

	rand_token(branch, sizeof(branch), "z9hG4bKdsbcK");
	len = build_request(app, &c->b, "ACK", 1, branch, true, c->b.target,
			    b->buf, sizeof(b->buf));
	return len > 0 && send_to(app, &c->b.peer, b->buf, len) == 0;
}

static void
send_bye(struct dsbc_app *app, struct call *c, struct leg *l, uint64_t now)
{
	struct dsbc_b2bua *b = app->sip->b2b;
	char branch[48];
	uint32_t len;

	rand_token(branch, sizeof(branch), "z9hG4bKdsbcB");
	len = build_request(app, l, "BYE", ++l->local_cseq, branch, true,
			    l->target[0] ? l->target : l->remote_uri, b->buf,
			    sizeof(b->buf));
	if (len == 0 || dsbc_sip_parse(b->buf, len, &b->msg) != DSBC_SIP_ERR_NONE)
		return;
	/* A client transaction retransmits it; nobody waits for the answer. */
	if (dsbc_sip_txn_client(app->sip->txl, branch, (uint32_t)strlen(branch),
				&b->msg, &l->peer, sizeof(l->peer), NULL,
				now) == NULL)
		send_to(app, &l->peer, b->buf, len);
	(void)c;
}

/* ---- SDP ---- */

/* Record the peer's media per m-line (addresses, ports, rtcp-mux). */
static int
sdp_learn(struct dsbc_app *app, struct call *c, struct leg *l,
	  const struct dsbc_sdp *s)
{
	unsigned int i;

	if (s->nb_media != c->nb_media)
		return -1;
	for (i = 0; i < c->nb_media; i++) {
		const struct dsbc_sdp_media *m = &s->media[i];
		struct leg_media *lm = &l->m[i];
		char ip[64];
		uint8_t fam;

		if (!c->media_ok[i] || m->port == 0)
			continue;
		snprintf(ip, sizeof(ip), "%.*s", (int)m->conn.addr.len,
			 m->conn.addr.p);
		if (dsbc_addr_parse(ip, &lm->remote, &fam) != 0)
			return -1;
		lm->family = fam;
		lm->remote_port = m->port;
		lm->rtcp_mux = m->rtcp_mux;
		lm->remote_rtcp_port = m->has_rtcp ? m->rtcp_port :
				       (uint16_t)(m->port + 1);
		lm->clock = b2bua_sdp_clock(m);
		lm->police_pps = b2bua_sdp_police_pps(app, s, i);
	}
	/* dsbc's own ICE on this leg when its peer uses ICE */
	return b2bua_ice_learn(app, c, l, s);
}

/* Rewrite s for leg l (our address and l's local ports). */
static int
sdp_for(struct dsbc_app *app, struct call *c, struct leg *l,
	const struct dsbc_sdp *s, char *out, uint32_t cap)
{
	struct dsbc_sdp_plan plan;
	char ip[64];
	unsigned int i;

	memset(&plan, 0, sizeof(plan));
	dsbc_addr_fmt(&l->addr, l->family, ip, sizeof(ip));
	plan.family = l->family;
	plan.addr = ip;
	plan.origin_user = "dsbc";
	plan.sess_version = ++c->sess_version;
	if (l->ice_local) {
		plan.ice_ufrag = l->ice_ufrag;
		plan.ice_pwd = l->ice_pwd;
	}
	/* terminate: dsbc's own fingerprint and role on this leg */
	b2bua_term_plan(app, c, l, &plan);
	for (i = 0; i < c->nb_media; i++) {
		plan.media[i].port = l->m[i].local_port;
		plan.media[i].rtcp_port = (uint16_t)(l->m[i].local_port + 1);
		/* Once l's peer has said whether it muxes RTCP, dsbc does
		 * as it said on this leg, whatever the other leg does
		 * (RFC 5761 interworking: the flows split or join RTCP). */
		if (l->m[i].family != 0)
			plan.media[i].rtcp_mux = l->m[i].rtcp_mux ?
						 DSBC_SDP_MUX_ADD :
						 DSBC_SDP_MUX_STRIP;
	}
	return dsbc_sdp_rewrite(s, &plan, out, cap);
}

static bool
is_sdp(const struct dsbc_sip_msg *m)
{
	const struct dsbc_sip_hdr *h = dsbc_sip_hdr_get(m, DSBC_SIP_H_CONTENT_TYPE,
							 0);

	return h != NULL && m->body.len > 0 && h->value.len >= 15 &&
	       strncasecmp(h->value.p, "application/sdp", 15) == 0;
}

/* ---- routing ---- */

static const struct dsbc_route_cfg *
route_of(const struct dsbc_app *app, const struct dsbc_sip_msg *m)
{
	struct dsbc_sip_uri u;
	uint16_t i;

	if (dsbc_sip_uri_parse(m->ruri.p, m->ruri.len, &u) != 0)
		return NULL;
	for (i = 0; i < app->cfg.nb_routes; i++) {
		const struct dsbc_route_cfg *r = &app->cfg.routes[i];

		if (r->host[0] != '\0' && (strlen(r->host) != u.host.len ||
					   strncasecmp(r->host, u.host.p,
						       u.host.len) != 0))
			continue;
		if (r->user_prefix[0] != '\0' &&
		    (u.user.len < strlen(r->user_prefix) ||
		     memcmp(u.user.p, r->user_prefix,
			    strlen(r->user_prefix)) != 0))
			continue;
		return r;
	}
	return NULL;
}

/* ---- the INVITE that starts a call ---- */

static void
reply_simple(struct dsbc_app *app, const struct dsbc_sip_msg *m,
	     const struct dsbc_sip_peer *from, struct dsbc_sip_txn *t,
	     int status, const char *reason, uint64_t now)
{
	struct dsbc_b2bua *b = app->sip->b2b;
	uint32_t len = dsbc_sip_response(app, m, from, status, reason, NULL,
					 NULL, NULL, 0, b->buf, sizeof(b->buf));

	if (len == 0)
		return;
	if (t != NULL)
		dsbc_sip_txn_respond(app->sip->txl, t, (uint16_t)status, b->buf,
				     len, now);
	else
		send_to(app, from, b->buf, len);
	app->sip->st.tx_resp[status / 100]++;
}

static int
leg_addr(struct dsbc_app *app, struct leg *l, uint16_t port, uint8_t family)
{
	const struct dsbc_port_rt *p = &app->ports[port];

	l->port = port;
	l->family = family;
	if (family == 4 && p->has_ip4)
		l->addr = p->ip4;
	else if (family == 6 && p->has_ip6)
		l->addr = p->ip6;
	else
		return -1;
	return 0;
}

static void
invite_new(struct dsbc_app *app, const struct dsbc_sip_peer *from,
	   const struct dsbc_sip_msg *m, uint64_t now)
{
	struct dsbc_b2bua *b = app->sip->b2b;
	struct dsbc_sip_rt *s = app->sip;
	const struct dsbc_route_cfg *r;
	const struct dsbc_sip_hdr *h;
	struct dsbc_sip_nameaddr na;
	struct dsbc_sip_txn *t;
	const char *next;
	struct call *c;
	char ip[64], mf[16] = "70";
	uint32_t v, i, len;
	int n, sdp_len;

	t = dsbc_sip_txn_server(s->txl, m, from, sizeof(*from), NULL, now);
	if (t == NULL) {
		reply_simple(app, m, from, NULL, 503, "Service Unavailable", now);
		return;
	}
	reply_simple(app, m, from, t, 100, "Trying", now);
	/* Loop detection (section 16.3 item 4): our own branch prefix. */
	for (i = 0; i < m->nb_hdrs; i++)
		if (m->hdrs[i].id == DSBC_SIP_H_VIA &&
		    memmem(m->hdrs[i].value.p, m->hdrs[i].value.len,
			   "branch=z9hG4bKdsbc", 18) != NULL) {
			reply_simple(app, m, from, t, 482, "Loop Detected", now);
			return;
		}
	h = dsbc_sip_hdr_get(m, DSBC_SIP_H_MAX_FORWARDS, 0);
	if (h != NULL && dsbc_sip_uint_parse(h->value, 255, &v) == 0)
		snprintf(mf, sizeof(mf), "%u", v - 1);
	r = route_of(app, m);
	if (r == NULL) {
		b->no_route++;
		reply_simple(app, m, from, t, app->cfg.no_route_status,
			     app->cfg.no_route_status == 404 ? "Not Found" :
			     "Temporarily Unavailable", now);
		return;
	}
	if (!is_sdp(m) || dsbc_sdp_parse(m->body.p, m->body.len, &b->sdp_in) !=
	    DSBC_SDP_ERR_NONE || b->sdp_in.nb_media == 0 ||
	    b->sdp_in.nb_media > MAX_MEDIA) {
		b->bad_sdp++;
		reply_simple(app, m, from, t, 488, "Not Acceptable Here", now);
		return;
	}
	/* the call table keeps Call-IDs up to 127 bytes (RFC 3261 sets
	 * no limit; a longer one could not be matched, so refuse it) */
	if (dsbc_sip_hdr_get(m, DSBC_SIP_H_CALL_ID, 0)->value.len >=
	    sizeof(((struct call *)NULL)->a.call_id)) {
		reply_simple(app, m, from, t, 400, "Call-ID Too Long", now);
		return;
	}
	c = call_new(b);
	if (c == NULL) {
		reply_simple(app, m, from, t, 503, "Service Unavailable", now);
		return;
	}
	b->started++;
	c->started_ms = now;
	c->a_txn = t;
	t->user = c;
	c->worker = (uint8_t)(b->next_worker++ % app->nb_workers);
	c->nb_media = b->sdp_in.nb_media;
	c->a_invite = malloc(m->msg_len);
	if (c->a_invite == NULL)
		goto fail_503;
	memcpy(c->a_invite, m->buf, m->msg_len);
	c->a_invite_len = m->msg_len;

	/* A leg: its identity as it sent it */
	c->a.peer = *from;
	str_of(c->a.call_id, sizeof(c->a.call_id),
	       dsbc_sip_hdr_get(m, DSBC_SIP_H_CALL_ID, 0)->value);
	rand_token(c->a.local_tag, sizeof(c->a.local_tag), "dsbcA");
	h = dsbc_sip_hdr_get(m, DSBC_SIP_H_FROM, 0);
	if (dsbc_sip_nameaddr_parse(h->value.p, h->value.p + h->value.len, &na,
				    false, &next) != 0)
		goto fail_503;
	str_of(c->a.remote_tag, sizeof(c->a.remote_tag), na.tag);
	snprintf(c->a.remote_uri, sizeof(c->a.remote_uri), "%.*s<%.*s>",
		 (int)na.display.len, na.display.p, (int)na.uri_str.len,
		 na.uri_str.p);
	/* B leg keeps A's From and To URIs (RFC 8224: covered by Identity) */
	snprintf(c->b.local_uri, sizeof(c->b.local_uri), "%s", c->a.remote_uri);
	h = dsbc_sip_hdr_get(m, DSBC_SIP_H_TO, 0);
	snprintf(c->a.local_uri, sizeof(c->a.local_uri), "%.*s",
		 (int)h->value.len, h->value.p);
	snprintf(c->b.remote_uri, sizeof(c->b.remote_uri), "%s", c->a.local_uri);
	h = dsbc_sip_hdr_get(m, DSBC_SIP_H_CONTACT, 0);
	if (h != NULL && dsbc_sip_nameaddr_parse(h->value.p, h->value.p +
						 h->value.len, &na, true,
						 &next) == 0)
		str_of(c->a.target, sizeof(c->a.target), na.uri_str);

	/* Addresses facing each leg, of the families their SDP uses */
	if (leg_addr(app, &c->a, from->in, b->sdp_in.media[0].conn.family) != 0 ||
	    leg_addr(app, &c->b, r->out_port, r->family) != 0) {
		b->bad_sdp++;
		reply_simple(app, m, from, t, 488, "Not Acceptable Here", now);
		call_free(app, c, "no address of the offer's family");
		return;
	}
	/* B leg identity */
	c->b.peer.in = r->out_port;
	c->b.peer.family = r->family;
	c->b.peer.local = c->b.addr;
	c->b.peer.local_port = app->cfg.sip_port;
	c->b.peer.remote = r->addr;
	c->b.peer.remote_port = r->port;
	c->b.peer.resolve = true;
	c->b.peer.l2_next = r->l2_next_hop;
	rand_token(c->b.call_id, sizeof(c->b.call_id), "dsbc-");
	rand_token(c->b.local_tag, sizeof(c->b.local_tag), "dsbcB");
	call_index(b, c);

	/* Media: a port pair per accepted m-line on each leg */
	for (i = 0; i < c->nb_media; i++) {
		c->media_ok[i] = b->sdp_in.media[i].port != 0;
		if (!c->media_ok[i])
			continue;
		if (b2bua_port_alloc(app, c->worker, &c->a.m[i].local_port) != 0 ||
		    b2bua_port_alloc(app, c->worker, &c->b.m[i].local_port) != 0) {
			b->no_ports++;
			reply_simple(app, m, from, t, 503, "Service Unavailable",
				     now);
			call_free(app, c, "no media ports");
			return;
		}
	}
	if (sdp_learn(app, c, &c->a, &b->sdp_in) != 0 ||
	    b2bua_term_offer(app, c, &b->sdp_in, r) != 0) {
		b->bad_sdp++;
		reply_simple(app, m, from, t, 488, "Not Acceptable Here", now);
		call_free(app, c, "bad offer");
		return;
	}
	/* A uses ICE: dsbc offers its own to B too (RFC 8445 2.5) */
	if (c->a.ice_local && b2bua_ice_offer(app, c, &c->b) != 0)
		goto fail_503;
	/* B -> A flows now: early media and DTLS from B (RFC 7879 3.1.1) */
	for (i = 0; i < c->nb_media; i++)
		if (c->media_ok[i] && b2bua_flows_for(app, c, &c->b, &c->a, i) != 0) {
			reply_simple(app, m, from, t, 503, "Service Unavailable",
				     now);
			call_free(app, c, "flow programming failed");
			return;
		}
	sdp_len = sdp_for(app, c, &c->b, &b->sdp_in, b->sdp, sizeof(b->sdp));
	if (sdp_len < 0)
		goto fail_503;

	/* The B-leg INVITE */
	rand_token(c->b_branch, sizeof(c->b_branch), "z9hG4bKdsbcI");
	dsbc_addr_fmt(&c->b.addr, c->b.family, ip, sizeof(ip));
	{
		struct dsbc_sip_uri u;
		char ruri[STR_MAX], hop[64];
		const struct dsbc_sip_hdr *ident, *date;

		dsbc_sip_uri_parse(m->ruri.p, m->ruri.len, &u);
		dsbc_addr_fmt(&r->addr, r->family, hop, sizeof(hop));
		snprintf(ruri, sizeof(ruri), "sip:%.*s%s%s%s%s:%u",
			 (int)u.user.len, u.user.p, u.user.len ? "@" : "",
			 r->family == 6 ? "[" : "", hop,
			 r->family == 6 ? "]" : "", r->port);
		snprintf(c->b.target, sizeof(c->b.target), "%s", ruri);
		c->b.local_cseq = 1;
		n = snprintf(b->buf, sizeof(b->buf),
			     "INVITE %s SIP/2.0\r\n"
			     "Via: SIP/2.0/UDP %s%s%s:%u;branch=%s;rport\r\n"
			     "Max-Forwards: %s\r\n"
			     "From: %s;tag=%s\r\n"
			     "To: %s\r\n"
			     "Call-ID: %s\r\n"
			     "CSeq: 1 INVITE\r\n"
			     "Contact: <sip:dsbc@%s%s%s:%u>\r\n",
			     ruri, c->b.family == 6 ? "[" : "", ip,
			     c->b.family == 6 ? "]" : "", app->cfg.sip_port,
			     c->b_branch, mf, c->b.local_uri, c->b.local_tag,
			     c->b.remote_uri, c->b.call_id,
			     c->b.family == 6 ? "[" : "", ip,
			     c->b.family == 6 ? "]" : "", app->cfg.sip_port);
		/* RFC 8224: Identity and Date byte for byte */
		ident = dsbc_sip_hdr_get(m, DSBC_SIP_H_IDENTITY, 0);
		date = dsbc_sip_hdr_get(m, DSBC_SIP_H_DATE, 0);
		if (n > 0 && date != NULL)
			n += snprintf(b->buf + n, sizeof(b->buf) - (size_t)n,
				      "Date: %.*s\r\n", (int)date->value.len,
				      date->value.p);
		if (n > 0 && (size_t)n < sizeof(b->buf) && ident != NULL)
			n += snprintf(b->buf + n, sizeof(b->buf) - (size_t)n,
				      "Identity: %.*s\r\n",
				      (int)ident->value.len, ident->value.p);
		/* Extensions A asked for (sip_ua.c checked that dsbc
		 * supports them) are end to end: 100rel (RFC 3262). */
		if (hdr_copy(b->buf, sizeof(b->buf), &n, m,
			     DSBC_SIP_H_SUPPORTED, "Supported") != 0 ||
		    hdr_copy(b->buf, sizeof(b->buf), &n, m,
			     DSBC_SIP_H_REQUIRE, "Require") != 0)
			goto fail_503;
		if (n > 0 && (size_t)n < sizeof(b->buf))
			n += snprintf(b->buf + n, sizeof(b->buf) - (size_t)n,
				      "Content-Type: application/sdp\r\n"
				      "Content-Length: %d\r\n\r\n", sdp_len);
		if (n < 0 || (size_t)n + (size_t)sdp_len >= sizeof(b->buf))
			goto fail_503;
		memcpy(b->buf + n, b->sdp, (size_t)sdp_len);
		len = (uint32_t)n + (uint32_t)sdp_len;
	}
	if (dsbc_sip_parse(b->buf, len, &b->msg) != DSBC_SIP_ERR_NONE)
		goto fail_503;
	c->b_txn = dsbc_sip_txn_client(s->txl, c->b_branch,
				       (uint32_t)strlen(c->b_branch), &b->msg,
				       &c->b.peer, sizeof(c->b.peer), c, now);
	if (c->b_txn == NULL)
		goto fail_503;
	c->state = CALL_OFFERED;
	RTE_LOG(INFO, USER1, "call %u: %s -> %s (worker %u)\n", c->id,
		c->a.call_id, c->b.call_id, c->worker);
	return;

fail_503:
	reply_simple(app, m, from, t, 503, "Service Unavailable", now);
	call_free(app, c, "internal error");
	b->failed++;
}

/* ---- requests and responses ---- */

/* ---- requests inside a dialog, passed to the other leg ---- */

/*
 * New media from `sender` (an offer or an answer in a dialog): learn it,
 * re-point the flows that send to it (keyed on the other leg's ports),
 * and rewrite the SDP for the other leg into b->sdp.  Returns the SDP
 * length, or -1.
 */
static int
media_update(struct dsbc_app *app, struct call *c, struct leg *sender,
	     struct leg *other, const struct dsbc_sip_msg *m, bool answer)
{
	struct dsbc_b2bua *b = app->sip->b2b;
	unsigned int i;

	if (dsbc_sdp_parse(m->body.p, m->body.len, &b->sdp_in) !=
	    DSBC_SDP_ERR_NONE || b2bua_term_mux_change(c, sender, &b->sdp_in) ||
	    sdp_learn(app, c, sender, &b->sdp_in) != 0) {
		b->bad_sdp++;
		return -1;
	}
	for (i = 0; i < c->nb_media; i++)
		if (c->media_ok[i] && b->sdp_in.media[i].port != 0 &&
		    b2bua_media_repoint(app, c, sender, other, i) != 0)
			return -1;
	/* terminate: an SDES peer may have re-keyed (RFC 4568 7.1.4) */
	b2bua_term_update(app, c, sender, &b->sdp_in, answer);
	return sdp_for(app, c, other, &b->sdp_in, b->sdp, sizeof(b->sdp));
}

/*
 * RFC 3262 section 7.2: RAck = response-num CSeq-num method.  RSeq
 * passes through unchanged; the CSeq number is the other leg's INVITE
 * (dsbc's B-leg INVITE is CSeq 1).  Only A acknowledges provisionals:
 * B is the UAS of the only INVITE a call has in its early state.
 */
static int
rack_map(const struct dsbc_sip_msg *m, uint32_t other_invite_cseq, char *out,
	 size_t cap, int *n)
{
	const struct dsbc_sip_hdr *h = dsbc_sip_hdr_get(m, DSBC_SIP_H_RACK, 0);
	uint32_t rseq;
	char *end;
	int w;

	if (h == NULL || other_invite_cseq == 0 || h->value.len > 64)
		return -1;
	{
		char v[72];

		memcpy(v, h->value.p, h->value.len);
		v[h->value.len] = '\0';
		rseq = (uint32_t)strtoul(v, &end, 10);
		if (end == v || (*end != ' ' && *end != '\t') || rseq == 0)
			return -1;
		(void)strtoul(end, &end, 10);
		while (*end == ' ' || *end == '\t')
			end++;
		if (strcmp(end, "INVITE") != 0)
			return -1;
	}
	w = snprintf(out + *n, cap - (size_t)*n, "RAck: %u %u INVITE\r\n",
		     rseq, other_invite_cseq);
	if (w < 0 || (size_t)w >= cap - (size_t)*n)
		return -1;
	*n += w;
	return 0;
}

static void
forward_request(struct dsbc_app *app, struct call *c, bool from_a,
		const struct dsbc_sip_peer *from, const struct dsbc_sip_msg *m,
		uint64_t now)
{
	struct dsbc_b2bua *b = app->sip->b2b;
	struct dsbc_sip_rt *s = app->sip;
	struct leg *sender = from_a ? &c->a : &c->b;
	struct leg *other = from_a ? &c->b : &c->a;
	const struct dsbc_sip_hdr *ct;
	struct dsbc_sip_txn *srv;
	char branch[48], ip[64];
	int sdp_len = -1, n;
	uint32_t len;

	srv = dsbc_sip_txn_server(s->txl, m, from, sizeof(*from), c, now);
	if (c->fwd.active) {
		/* section 14.2: one offer at a time */
		reply_simple(app, m, from, srv, 491, "Request Pending", now);
		return;
	}
	if (is_sdp(m)) {
		sdp_len = media_update(app, c, sender, other, m, false);
		if (sdp_len < 0) {
			reply_simple(app, m, from, srv, 488, "Not Acceptable Here",
				     now);
			return;
		}
	}
	rand_token(branch, sizeof(branch), "z9hG4bKdsbcF");
	dsbc_addr_fmt(&other->addr, other->family, ip, sizeof(ip));
	c->fwd.out_cseq = ++other->local_cseq;
	n = snprintf(b->buf, sizeof(b->buf),
		     "%.*s %s SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP %s%s%s:%u;branch=%s;rport\r\n"
		     "Max-Forwards: 70\r\n"
		     "From: %s;tag=%s\r\nTo: %s;tag=%s\r\n"
		     "Call-ID: %s\r\nCSeq: %u %.*s\r\n"
		     "Contact: <sip:dsbc@%s%s%s:%u>\r\n",
		     (int)m->method.len, m->method.p,
		     other->target[0] ? other->target : other->remote_uri,
		     other->family == 6 ? "[" : "", ip,
		     other->family == 6 ? "]" : "", app->cfg.sip_port, branch,
		     other->local_uri, other->local_tag, other->remote_uri,
		     other->remote_tag, other->call_id, c->fwd.out_cseq,
		     (int)m->method.len, m->method.p,
		     other->family == 6 ? "[" : "", ip,
		     other->family == 6 ? "]" : "", app->cfg.sip_port);
	if (m->method_id == DSBC_SIP_M_PRACK && n > 0 &&
	    rack_map(m, from_a ? 1 : 0, b->buf, sizeof(b->buf), &n) != 0) {
		reply_simple(app, m, from, srv, 400, "Bad RAck", now);
		return;
	}
	ct = dsbc_sip_hdr_get(m, DSBC_SIP_H_CONTENT_TYPE, 0);
	if (n > 0 && sdp_len >= 0)
		n += snprintf(b->buf + n, sizeof(b->buf) - (size_t)n,
			      "Content-Type: application/sdp\r\n"
			      "Content-Length: %d\r\n\r\n%.*s", sdp_len,
			      sdp_len, b->sdp);
	else if (n > 0 && ct != NULL && m->body.len > 0)
		n += snprintf(b->buf + n, sizeof(b->buf) - (size_t)n,
			      "Content-Type: %.*s\r\nContent-Length: %u\r\n"
			      "\r\n%.*s", (int)ct->value.len, ct->value.p,
			      m->body.len, (int)m->body.len, m->body.p);
	else if (n > 0)
		n += snprintf(b->buf + n, sizeof(b->buf) - (size_t)n,
			      "Content-Length: 0\r\n\r\n");
	if (n <= 0 || (size_t)n >= sizeof(b->buf)) {
		reply_simple(app, m, from, srv, 500, "Server Internal Error", now);
		return;
	}
	len = (uint32_t)n;
	if (dsbc_sip_parse(b->buf, len, &b->msg) != DSBC_SIP_ERR_NONE)
		goto fail;
	c->fwd.cli = dsbc_sip_txn_client(s->txl, branch, (uint32_t)strlen(branch),
					 &b->msg, &other->peer,
					 sizeof(other->peer), c, now);
	if (c->fwd.cli == NULL)
		goto fail;
	free(c->fwd.req);
	c->fwd.req = malloc(m->msg_len);
	if (c->fwd.req == NULL)
		goto fail;
	memcpy(c->fwd.req, m->buf, m->msg_len);
	c->fwd.req_len = m->msg_len;
	c->fwd.active = true;
	c->fwd.from_a = from_a;
	c->fwd.srv = srv;
	c->fwd.from = *from;
	snprintf(c->fwd.method, sizeof(c->fwd.method), "%.*s",
		 (int)m->method.len, m->method.p);
	return;
fail:
	reply_simple(app, m, from, srv, 500, "Server Internal Error", now);
}

/* The other leg answered a forwarded request: pass the answer back. */
static void
forward_response(struct dsbc_app *app, struct call *c,
		 const struct dsbc_sip_msg *m, uint64_t now)
{
	struct dsbc_b2bua *b = app->sip->b2b;
	struct leg *sender = c->fwd.from_a ? &c->a : &c->b;
	struct leg *other = c->fwd.from_a ? &c->b : &c->a;
	static struct dsbc_sip_msg req;
	char extra[512], ip[64], reason[64], branch[48];
	int sdp_len = -1;
	uint32_t len;

	if (dsbc_sip_parse(c->fwd.req, c->fwd.req_len, &req) != DSBC_SIP_ERR_NONE)
		return;
	if (is_sdp(m) && m->status < 300) {
		sdp_len = media_update(app, c, other, sender, m,
				       m->status >= 200);
		if (sdp_len < 0)
			sdp_len = -1;
	}
	/* the sender's offer is answered (its new SDES keys take effect)
	 * or refused (they never do: RFC 3264 section 8, the session stays
	 * as it was) */
	if (m->status >= 200)
		b2bua_term_offer_done(app, c, sender, m->status < 300);
	str_of(reason, sizeof(reason), m->reason);
	dsbc_addr_fmt(&sender->addr, sender->family, ip, sizeof(ip));
	snprintf(extra, sizeof(extra), "Contact: <sip:dsbc@%s%s%s:%u>\r\n%s",
		 sender->family == 6 ? "[" : "", ip,
		 sender->family == 6 ? "]" : "", app->cfg.sip_port,
		 sdp_len >= 0 ? "Content-Type: application/sdp\r\n" : "");
	len = dsbc_sip_response(app, &req, &c->fwd.from, m->status,
				reason[0] ? reason : "OK", NULL, extra,
				sdp_len >= 0 ? b->sdp : NULL,
				sdp_len >= 0 ? (uint32_t)sdp_len : 0, b->buf,
				sizeof(b->buf));
	if (len > 0 && c->fwd.srv != NULL) {
		dsbc_sip_txn_respond(app->sip->txl, c->fwd.srv, m->status,
				     b->buf, len, now);
		app->sip->st.tx_resp[m->status / 100]++;
		if (m->status >= 200 && m->status < 300 &&
		    strcmp(c->fwd.method, "INVITE") == 0)
			ok_keep(c, c->fwd.from_a, &c->fwd.from, b->buf, len, now);
	}
	if (m->status < 200)
		return;
	/* a 2xx to a re-INVITE is ACKed on the other leg now (13.2.2.4) */
	if (m->status < 300 && strcmp(c->fwd.method, "INVITE") == 0) {
		rand_token(branch, sizeof(branch), "z9hG4bKdsbcK");
		len = build_request(app, other, "ACK", c->fwd.out_cseq, branch,
				    true, other->target, b->buf, sizeof(b->buf));
		if (len > 0)
			send_to(app, &other->peer, b->buf, len);
	}
	if (c->fwd.cli != NULL)
		c->fwd.cli->user = NULL;
	if (c->fwd.srv != NULL)
		c->fwd.srv->user = NULL;
	free(c->fwd.req);
	memset(&c->fwd, 0, sizeof(c->fwd));
}

void
dsbc_b2bua_request(struct dsbc_app *app, const struct dsbc_sip_peer *from,
		   const struct dsbc_sip_msg *m, uint64_t now)
{
	struct dsbc_b2bua *b = app->sip->b2b;
	struct dsbc_sip_rt *s = app->sip;
	const struct dsbc_sip_hdr *cid = dsbc_sip_hdr_get(m, DSBC_SIP_H_CALL_ID, 0);
	struct dsbc_sip_txn *t;
	struct call *c;
	bool is_a = false;
	uint32_t len;

	c = call_by_callid(b, cid->value, &is_a);
	switch (m->method_id) {
	case DSBC_SIP_M_INVITE:
		if (c == NULL) {
			invite_new(app, from, m, now);
			return;
		}
		/* re-INVITE: a new offer for the other leg (section 14) */
		if (c->state != CALL_CONFIRMED) {
			t = dsbc_sip_txn_server(s->txl, m, from, sizeof(*from),
						NULL, now);
			reply_simple(app, m, from, t, 491, "Request Pending", now);
			return;
		}
		forward_request(app, c, is_a, from, m, now);
		return;
	case DSBC_SIP_M_ACK:
		/* ACK for our 2xx: stops its retransmission (13.3.1.4).
		 * The other leg's 2xx was ACKed when it came: the offer was
		 * in the INVITE, so the ACKs carry no SDP and need not wait. */
		if (c == NULL || c->ok_msg == NULL || is_a != c->ok_to_a)
			return;
		free(c->ok_msg);
		c->ok_msg = NULL;
		if (c->state == CALL_ANSWERED)
			c->state = CALL_CONFIRMED;
		return;
	case DSBC_SIP_M_BYE:
		t = dsbc_sip_txn_server(s->txl, m, from, sizeof(*from), NULL, now);
		if (c == NULL) {
			reply_simple(app, m, from, t, 481,
				     "Call/Transaction Does Not Exist", now);
			return;
		}
		reply_simple(app, m, from, t, 200, "OK", now);
		send_bye(app, c, is_a ? &c->b : &c->a, now);
		call_free(app, c, is_a ? "BYE from A" : "BYE from B");
		return;
	case DSBC_SIP_M_CANCEL:
		t = dsbc_sip_txn_server(s->txl, m, from, sizeof(*from), NULL, now);
		c = NULL;
		{
			struct dsbc_sip_txn *inv = dsbc_sip_txn_cancel_target(
							s->txl, m);

			if (inv != NULL)
				c = inv->user;
		}
		if (c == NULL || c->state == CALL_ANSWERED ||
		    c->state == CALL_CONFIRMED) {
			reply_simple(app, m, from, t, 481,
				     "Call/Transaction Does Not Exist", now);
			return;
		}
		/* Section 9.2: 200 for the CANCEL, 487 for the INVITE */
		reply_simple(app, m, from, t, 200, "OK", now);
		answer_a(app, c, 487, "Request Terminated", NULL, 0, now);
		b->cancelled++;
		c->state = CALL_CANCELLING;
		/* CANCEL to B with the INVITE's branch (section 9.1) */
		len = build_request(app, &c->b, "CANCEL", 1, c->b_branch, false,
				    c->b.target, b->buf, sizeof(b->buf));
		if (len > 0 && dsbc_sip_parse(b->buf, len, &b->msg) ==
		    DSBC_SIP_ERR_NONE &&
		    dsbc_sip_txn_client(s->txl, c->b_branch,
					(uint32_t)strlen(c->b_branch), &b->msg,
					&c->b.peer, sizeof(c->b.peer), NULL,
					now) == NULL)
			send_to(app, &c->b.peer, b->buf, len);
		/* The call is freed when B's 487 arrives or the ICT times out. */
		return;
	default:
		/* UPDATE, INFO, PRACK, MESSAGE, NOTIFY ... inside a dialog go
		 * to the other leg; outside one nothing handles them. */
		if (c != NULL && (c->state == CALL_CONFIRMED ||
				  c->state == CALL_EARLY)) {
			forward_request(app, c, is_a, from, m, now);
			return;
		}
		t = dsbc_sip_txn_server(s->txl, m, from, sizeof(*from), NULL, now);
		s->st.stateless_501++;
		reply_simple(app, m, from, t, c ? 481 : 501, c ?
			     "Call/Transaction Does Not Exist" :
			     "Not Implemented", now);
		return;
	}
}

void
dsbc_b2bua_response(struct dsbc_app *app, const struct dsbc_sip_peer *from,
		    const struct dsbc_sip_msg *m, uint64_t now)
{
	struct dsbc_b2bua *b = app->sip->b2b;
	struct dsbc_sip_txn *t;
	struct dsbc_sip_nameaddr na;
	const struct dsbc_sip_hdr *h;
	const char *next;
	struct call *c;
	bool deliver, is_a;
	int sdp_len = 0;
	uint32_t i;

	(void)from;
	t = dsbc_sip_txn_response(app->sip->txl, m, now, &deliver);
	if (t == NULL) {
		/* A retransmitted 2xx to our INVITE: repeat the ACK (13.2.2.4) */
		h = dsbc_sip_hdr_get(m, DSBC_SIP_H_CALL_ID, 0);
		c = call_by_callid(b, h->value, &is_a);
		if (c != NULL && !is_a && m->status >= 200 && m->status < 300 &&
		    c->b_acked)
			ack_b_2xx(app, c);
		return;
	}
	c = t->user;
	if (!deliver || c == NULL || m->status == 100)
		return;
	if (t == c->fwd.cli) {
		forward_response(app, c, m, now);
		return;
	}
	if (t != c->b_txn)
		return;        /* the CANCEL's own 200 */
	/* B's tag and Contact make the B dialog (section 12.1.2) */
	h = dsbc_sip_hdr_get(m, DSBC_SIP_H_TO, 0);
	if (h != NULL && dsbc_sip_nameaddr_parse(h->value.p, h->value.p +
						 h->value.len, &na, false,
						 &next) == 0 && na.tag.len > 0)
		str_of(c->b.remote_tag, sizeof(c->b.remote_tag), na.tag);
	h = dsbc_sip_hdr_get(m, DSBC_SIP_H_CONTACT, 0);
	if (h != NULL && dsbc_sip_nameaddr_parse(h->value.p, h->value.p +
						 h->value.len, &na, true,
						 &next) == 0)
		str_of(c->b.target, sizeof(c->b.target), na.uri_str);
	if (c->state == CALL_CANCELLING) {
		if (m->status >= 200 && m->status < 300) {
			/* 2xx raced the CANCEL: confirm, then hang up */
			ack_b_2xx(app, c);
			send_bye(app, c, &c->b, now);
		}
		if (m->status >= 200)
			call_free(app, c, "cancelled");
		return;
	}
	if (m->status >= 300) {
		char reason[64];

		/* The ICT ACKed it; A gets the same status (section 16.7). */
		str_of(reason, sizeof(reason), m->reason);
		answer_a(app, c, m->status, reason[0] ? reason : "Failed",
			 NULL, 0, now);
		b->failed++;
		call_free(app, c, "failure response from B");
		return;
	}
	/* 18x or 2xx: an answer in it completes the media session; a later
	 * one (the 2xx after an 18x's) that turns rtcp-mux on or off in a
	 * terminated call would rebuild the flows and start their SRTP and
	 * SRTCP indexes again under the keys already sent: refused, as in a
	 * re-INVITE */
	if (is_sdp(m)) {
		if (dsbc_sdp_parse(m->body.p, m->body.len, &b->sdp_in) !=
		    DSBC_SDP_ERR_NONE ||
		    b2bua_term_mux_change(c, &c->b, &b->sdp_in) ||
		    sdp_learn(app, c, &c->b, &b->sdp_in) != 0 ||
		    b2bua_term_answer(app, c, &c->b, &b->sdp_in) != 0) {
			b->bad_sdp++;
			if (m->status >= 200) {
				/* a 2xx whose answer is refused is still
				 * ACKed, then the dialog ended (13.2.2.4) */
				ack_b_2xx(app, c);
				answer_a(app, c, 502, "Bad Gateway", NULL, 0, now);
				send_bye(app, c, &c->b, now);
				call_free(app, c, "bad answer from B");
			}
			return;
		}
		for (i = 0; i < c->nb_media; i++)
			if (c->media_ok[i] && b->sdp_in.media[i].port != 0 &&
			    b2bua_media_repoint(app, c, &c->b, &c->a, i) != 0)
				b->flow_errors++;
		sdp_len = sdp_for(app, c, &c->a, &b->sdp_in, b->sdp,
				  sizeof(b->sdp));
		if (sdp_len < 0)
			sdp_len = 0;
		/* A has dsbc's answer: dsbc's side of A's DTLS starts */
		else if (b2bua_term_start(app, c, &c->a) != 0)
			b->flow_errors++;
	}
	if (m->status < 200) {
		char rel[256];
		int rn = 0;

		c->state = CALL_EARLY;
		/* RFC 3262: a reliable provisional keeps its RSeq, so A's
		 * PRACK names it; forward_request() maps the RAck's CSeq. */
		rel[0] = '\0';
		if (hdr_copy(rel, sizeof(rel), &rn, m, DSBC_SIP_H_RSEQ,
			     "RSeq") != 0 ||
		    hdr_copy(rel, sizeof(rel), &rn, m, DSBC_SIP_H_REQUIRE,
			     "Require") != 0)
			rel[0] = '\0';
		answer_a_hdrs(app, c, m->status, m->status == 180 ? "Ringing" :
			      "Session Progress", rel, sdp_len ? b->sdp : NULL,
			      (uint32_t)sdp_len, now);
		return;
	}
	c->state = CALL_ANSWERED;
	b->answered++;
	/* ACK B's 2xx now (section 13.2.2.4) */
	if (ack_b_2xx(app, c))
		c->b_acked = true;
	answer_a(app, c, m->status, "OK", sdp_len ? b->sdp : NULL,
		 (uint32_t)sdp_len, now);
}

void
dsbc_b2bua_txn_timeout(struct dsbc_app *app, struct dsbc_sip_txn *t)
{
	struct call *c = t->user;

	if (c != NULL && t == c->fwd.cli && c->fwd.srv != NULL) {
		/* the other leg never answered a forwarded request */
		struct dsbc_sip_msg *req = &app->sip->b2b->msg;

		if (dsbc_sip_parse(c->fwd.req, c->fwd.req_len, req) ==
		    DSBC_SIP_ERR_NONE)
			reply_simple(app, req, &c->fwd.from, c->fwd.srv, 408,
				     "Request Timeout", dsbc_sip_now_ms(app));
		free(c->fwd.req);
		memset(&c->fwd, 0, sizeof(c->fwd));
		return;
	}
	if (c == NULL || t != c->b_txn)
		return;
	/* Timer B: B never answered; A gets 408 (section 8.1.3.1). */
	app->sip->b2b->timeouts++;
	answer_a(app, c, 408, "Request Timeout", NULL, 0,
		 dsbc_sip_now_ms(app));
	call_free(app, c, "no answer from B");
}

void
dsbc_b2bua_txn_gone(struct dsbc_app *app, struct dsbc_sip_txn *t)
{
	struct call *c = t->user;

	(void)app;
	if (c == NULL)
		return;
	if (c->a_txn == t)
		c->a_txn = NULL;
	if (c->b_txn == t)
		c->b_txn = NULL;
	if (c->fwd.srv == t)
		c->fwd.srv = NULL;
	if (c->fwd.cli == t)
		c->fwd.cli = NULL;
}

void
dsbc_b2bua_tick(struct dsbc_app *app, uint64_t now)
{
	struct dsbc_b2bua *b = app->sip->b2b;
	uint32_t i;

	if (b->nb_calls == 0)
		return;
	if (now >= b->next_consent_ms) {
		b2bua_consent_scan(app);
		b->next_consent_ms = now + 1000;
	}
	for (i = 0; i < MAX_CALLS; i++) {
		struct call *c = &b->calls[i];

		if (c->state == CALL_FREE)
			continue;
		b2bua_term_tick(app, c, now);
		if (c->state == CALL_FREE || c->ok_msg == NULL)
			continue;
		if (now >= c->ok_give_up) {
			/* Section 13.3.1.4: no ACK, the dialog ends with BYE. */
			send_bye(app, c, &c->b, now);
			send_bye(app, c, &c->a, now);
			call_free(app, c, c->ok_to_a ? "no ACK from A" :
				  "no ACK from B");
			continue;
		}
		if (now >= c->ok_retx_at) {
			b->ok_retransmissions++;
			send_to(app, &c->ok_to, c->ok_msg, c->ok_len);
			c->ok_retx_ms = c->ok_retx_ms * 2 > 4000 ? 4000 :
					c->ok_retx_ms * 2;
			c->ok_retx_at = now + c->ok_retx_ms;
		}
	}
}

/* End a call for a media failure: BYE on both legs once it is
 * confirmed; before that it is marked and ended when it is. */
void
b2bua_call_abort(struct dsbc_app *app, struct call *c, const char *why)
{
	uint64_t now = dsbc_sip_now_ms(app);

	if (c->state != CALL_CONFIRMED) {
		c->term_failed = true;
		return;
	}
	send_bye(app, c, &c->a, now);
	send_bye(app, c, &c->b, now);
	call_free(app, c, why);
}

/* A flow of a call saw no packet for flow_idle_ms: end the call. */
void
dsbc_b2bua_flow_idle(struct dsbc_app *app, uint32_t flow_id)
{
	struct call *c = b2bua_call_of_flow(app, flow_id);
	uint64_t now = dsbc_sip_now_ms(app);

	if (c == NULL || c->state != CALL_CONFIRMED)
		return;
	app->sip->b2b->idle_ended++;
	send_bye(app, c, &c->a, now);
	send_bye(app, c, &c->b, now);
	call_free(app, c, "media inactivity");
}

/* ---- setup and telemetry ---- */

int
dsbc_b2bua_init(struct dsbc_app *app)
{
	struct dsbc_b2bua *b;
	uint32_t i, span = (uint32_t)app->cfg.media_port_max -
			   app->cfg.media_port_min + 2;

	b = rte_zmalloc("dsbc_b2bua", sizeof(*b), RTE_CACHE_LINE_SIZE);
	if (b == NULL)
		return -ENOMEM;
	for (i = MAX_CALLS; i > 0; i--) {
		b->calls[i - 1].free_next = b->free_head;
		b->free_head = i;
	}
	b->port_used = rte_zmalloc("dsbc_ports", span, 0);
	if (b->port_used == NULL) {
		rte_free(b);
		return -ENOMEM;
	}
	/* Ports of static flows are not for calls. */
	for (i = 0; i < app->cfg.nb_flows; i++) {
		uint16_t p = app->cfg.flows[i].local_port & ~1u;

		b->port_used[p - app->cfg.media_port_min] = 1;
		b->port_used[p + 1 - app->cfg.media_port_min] = 1;
	}
	app->sip->b2b = b;
	b2bua_tel_app = app;
	return b2bua_term_init(app);
}

void
dsbc_b2bua_fini(struct dsbc_app *app)
{
	struct dsbc_b2bua *b = app->sip->b2b;
	uint32_t i;

	if (b == NULL)
		return;
	for (i = 0; i < MAX_CALLS; i++) {
		free(b->calls[i].a_invite);
		free(b->calls[i].ok_msg);
		b2bua_term_release(app, &b->calls[i]);
	}
	b2bua_term_fini(app);
	rte_free(b->port_used);
	rte_free(b);
	app->sip->b2b = NULL;
}
