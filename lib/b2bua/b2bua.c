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
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dsbc_sdp_ice.h"
#include "dsbc_sdp_rewrite.h"
#include "dsbc_sip_check.h"
#include "dsbc_sip_hdr.h"
#include "dsbc_sip_txn.h"
#include "b2bua_internal.h"


/* ---- small helpers ---- */

static void
str_of(char *dst, size_t cap, struct dsbc_sip_str s)
{
	snprintf(dst, cap, "%.*s", (int)s.len, s.p);
}

/*
 * Tokens dsbc makes (RFC 3261 sections 8.1.1.4, 8.1.1.7, 19.3): Call-IDs
 * with 128 random bits, tags with 96, branches with 64 after the magic
 * cookie and dsbc's loop-detection prefix.  From one token nothing about
 * another can be told: they come from the CSPRNG (ops->random).
 */
/* How long B may ring (RFC 3261 16.6 timer C is "greater than 3
 * minutes"): timer B stops at the first provisional (17.1.1.2) */
#define RING_MAX_MS (181 * 1000)

#define CALLID_RND 16
#define TAG_RND    12
#define BRANCH_RND 8

/* The transport of leg l's signalling, as Via names it (RFC 3261 20.42). */
static const char *
via_tp(const struct leg *l)
{
	static const char *const names[] = {
		[DSBC_SIP_UDP] = "UDP", [DSBC_SIP_TCP] = "TCP",
		[DSBC_SIP_TLS] = "TLS", [DSBC_SIP_WS] = "WS",
		[DSBC_SIP_WSS] = "WSS",
	};

	return l->peer.transport <= DSBC_SIP_WSS ? names[l->peer.transport] :
	       "UDP";
}

/* The Contact URI parameter that keeps l's peer on its transport (RFC
 * 3261 19.1.1: without it a UA may use UDP). */
static const char *
contact_tp(const struct leg *l)
{
	static const char *const params[] = {
		[DSBC_SIP_UDP] = "", [DSBC_SIP_TCP] = ";transport=tcp",
		[DSBC_SIP_TLS] = ";transport=tls",
		[DSBC_SIP_WS] = ";transport=ws",
		[DSBC_SIP_WSS] = ";transport=wss",
	};

	return l->peer.transport <= DSBC_SIP_WSS ? params[l->peer.transport] :
	       "";
}

/* dsbc's SIP port on l's transport, for its Via and Contact */
static uint16_t
leg_port(const struct dsbc_b2bua *b, const struct leg *l)
{
	switch (l->peer.transport) {
	case DSBC_SIP_TLS:
		return b->cfg->sip_tls_port;
	case DSBC_SIP_WS:
		return b->cfg->ws.port;
	case DSBC_SIP_WSS:
		return b->cfg->ws.tls_port;
	default:
		return b->cfg->sip_port;
	}
}

static int
branch_new(struct dsbc_b2bua *b, char *dst, size_t cap, char kind)
{
	char prefix[16];

	snprintf(prefix, sizeof(prefix), "z9hG4bKdsbc%c", kind);
	return b2bua_token(b, dst, cap, prefix, BRANCH_RND);
}

/* ---- the call table: free list and Call-ID index ---- */

/*
 * FNV-1a over the bytes: Call-IDs are unaligned views into datagrams
 * (a hash reading them as 32-bit words is undefined behaviour there).
 * The seed is random, so a peer cannot pick Call-IDs of one chain.
 */
static uint32_t
cid_bucket(const struct dsbc_b2bua *b, const char *p, uint32_t len)
{
	uint32_t h = 2166136261u ^ b->cid_seed;

	while (len--)
		h = (h ^ (uint8_t)*p++) * 16777619u;
	return (h ^ (h >> 16)) & b->cid_mask;
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

		h = cid_bucket(b, cid, (uint32_t)strlen(cid));
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

		pp = &b->cid_head[cid_bucket(b, cid, (uint32_t)strlen(cid))];
		while (*pp != 0 && *pp != want)
			pp = entry_next(b, *pp);
		if (*pp == want)
			*pp = c->cid_next[leg];
	}
	c->indexed = false;
}

/* The call with a leg of Call-ID cid; *is_a says which leg. */
static struct call *
call_by_callid(struct dsbc_b2bua *b, struct dsbc_sip_str cid, bool *is_a)
{
	uint32_t e = b->cid_head[cid_bucket(b, cid.p, cid.len)];

	for (; e != 0; e = *entry_next(b, e)) {
		const char *s = entry_cid(b, e);

		if (strlen(s) == cid.len && memcmp(s, cid.p, cid.len) == 0) {
			*is_a = (e - 1) % 2 == 0;
			return &b->calls[(e - 1) / 2];
		}
	}
	return NULL;
}

int
dsbc_b2bua_callid_route(struct dsbc_b2bua *b, const char *call_id,
			uint32_t len)
{
	struct dsbc_sip_str cid = { call_id, len };
	const struct call *c;
	bool is_a;

	c = call_by_callid(b, cid, &is_a);
	return c == NULL ? -2 : c->route;
}

struct call *
b2bua_call_of_cookie(struct dsbc_b2bua *b, dsbc_b2bua_cookie_t cookie)
{
	uint32_t idx = (uint32_t)cookie;
	struct call *c;

	if (idx == 0 || idx > b->max_calls)
		return NULL;
	c = &b->calls[idx - 1];
	if (c->state == CALL_FREE || c->gen != (uint32_t)(cookie >> 32)) {
		b->st.stale_events++;
		return NULL;
	}
	return c;
}

/* A tag parameter of a From or To header value; empty when none. */
static struct dsbc_sip_str
hdr_tag(const struct dsbc_sip_msg *m, enum dsbc_sip_hdr_id id)
{
	const struct dsbc_sip_hdr *h = dsbc_sip_hdr_get(m, id, 0);
	struct dsbc_sip_str none = { "", 0 };
	struct dsbc_sip_nameaddr na;
	const char *next;

	if (h == NULL || dsbc_sip_nameaddr_parse(h->value.p, h->value.p +
						 h->value.len, &na, false,
						 &next) != 0)
		return none;
	return na.tag;
}

static bool
str_eq(struct dsbc_sip_str s, const char *z)
{
	return strlen(z) == s.len && memcmp(z, s.p, s.len) == 0;
}

/*
 * RFC 3261 section 12.2.2: a request inside a dialog names it by Call-ID,
 * the remote tag (its From) and the local tag (its To).  dsbc is a UA on
 * each leg, so a leg's dialog is its Call-ID and its two tags; a request
 * with the right Call-ID and anything else wrong is not in the dialog.
 * For requests that may come before dsbc's tag reached the peer (none:
 * dsbc's tag goes out in its first answer), the To tag must still match.
 */
static struct call *
dialog_of(struct dsbc_b2bua *b, const struct dsbc_sip_msg *m, bool *is_a)
{
	const struct dsbc_sip_hdr *cid = dsbc_sip_hdr_get(m, DSBC_SIP_H_CALL_ID, 0);
	struct call *c = call_by_callid(b, cid->value, is_a);
	const struct leg *l;

	if (c == NULL)
		return NULL;
	l = *is_a ? &c->a : &c->b;
	if (!str_eq(hdr_tag(m, DSBC_SIP_H_FROM), l->remote_tag) ||
	    !str_eq(hdr_tag(m, DSBC_SIP_H_TO), l->local_tag))
		return NULL;
	return c;
}

/*
 * Requests of a leg come from its signalling peer only (route option
 * dialog_source_check = strict, the default): the address dsbc's
 * requests go to and the port of dsbc they reach.  Its source port may
 * differ (a trunk's requests may leave from another port than it
 * listens on); its address may not.
 */
static bool
source_ok(const struct dsbc_b2bua *b, const struct call *c,
	  const struct leg *l, const struct dsbc_sip_peer *from)
{
	if (!c->source_check)
		return true;
	(void)b;
	return from->family == l->peer.family && from->in == l->peer.in &&
	       dsbc_addr_eq(&from->remote, &l->peer.remote);
}

/* ---- calls ---- */

static void call_untime(struct dsbc_b2bua *b, struct call *c);
static int answer_a(struct dsbc_b2bua *b, struct call *c, int status,
		    const char *reason, const char *body, uint32_t body_len,
		    uint64_t now);
static void reply_simple(struct dsbc_b2bua *b, const struct dsbc_sip_msg *m,
			 const struct dsbc_sip_peer *from,
			 struct dsbc_sip_txn *t, int status, const char *reason,
			 uint64_t now);

/* The messages and SDP a call keeps (its slot is cleared after). */
void
b2bua_call_bufs_free(struct call *c)
{
	free(c->fwd.req);
	free(c->a_invite);
	free(c->ok_msg);
	free(c->b_ack_sdp);
	free(c->re_ack_sdp[0]);
	free(c->re_ack_sdp[1]);
	b2bua_route_free(&c->a);
	b2bua_route_free(&c->b);
}

/* A call that was being cancelled: by A, or for ringing too long. */
static enum dsbc_b2bua_end
cancel_reason(const struct call *c)
{
	return c->rang_out ? DSBC_B2BUA_END_NO_ANSWER : DSBC_B2BUA_END_CANCEL;
}

static void
cdr_leg(const struct call *c, const struct leg *l,
	struct dsbc_b2bua_cdr_leg *o)
{
	unsigned int i, k;

	o->call_id = l->call_id;
	o->local_uri = l->local_uri;
	o->remote_uri = l->remote_uri;
	o->transport = l->peer.transport;
	o->family = l->peer.family;
	o->peer = l->peer.remote;
	o->peer_port = l->peer.remote_port;
	o->keying = l->keying;
	o->mfamily = l->media_taken ? l->mfamily : 0;
	o->maddr = l->maddr;
	for (i = 0; i < c->nb_media && i < DSBC_B2BUA_CDR_MEDIA; i++) {
		o->local_port[i] = l->m[i].local_port;
		o->nb_flows[i] = l->m[i].nb_flows;
		o->clock[i] = l->m[i].clock;
		for (k = 0; k < l->m[i].nb_flows && k < 2; k++)
			o->flow[i][k] = l->m[i].flow[k];
	}
}

/* What the call's detail record needs, before its flows are removed. */
static void
call_report(struct dsbc_b2bua *b, const struct call *c,
	    enum dsbc_b2bua_end reason, const char *why)
{
	struct dsbc_b2bua_cdr r;

	if (b->ops.call_ended == NULL)
		return;
	memset(&r, 0, sizeof(r));
	r.id = c->id;
	r.mode = c->mode;
	r.route = c->route;
	r.reason = (uint8_t)reason;
	/* the final status A got: dsbc's own answers, or what went out on
	 * its INVITE's transaction (refusals before B) */
	r.status = c->a_status != 0 ? c->a_status :
		   c->a_txn != NULL && c->a_txn->last_status >= 200 ?
		   c->a_txn->last_status : 0;
	r.why = why;
	r.start_ms = c->started_ms;
	r.answer_ms = c->answered_ms;
	r.end_ms = b->now;
	r.nb_media = c->nb_media < DSBC_B2BUA_CDR_MEDIA ? c->nb_media :
		     DSBC_B2BUA_CDR_MEDIA;
	cdr_leg(c, &c->a, &r.a);
	cdr_leg(c, &c->b, &r.b);
	b->ops.call_ended(b->ctx, &r);
}

static void
call_free(struct dsbc_b2bua *b, struct call *c, enum dsbc_b2bua_end reason,
	  const char *why)
{
	uint32_t gen;

	B2B_LOG(b, INFO, "call %u ended: %s", c->id, why);
	b->st.end[reason < DSBC_B2BUA_END_MAX ? reason :
		  DSBC_B2BUA_END_ERROR]++;
	/* a server transaction still without a final answer gets one:
	 * left in Proceeding it would have no timer and never end */
	if (c->a_txn != NULL && c->a_txn->last_status < 200)
		answer_a(b, c, 500, "Call Ended", NULL, 0, b->now);
	call_report(b, c, reason, why);
	b2bua_flows_remove(b, &c->a, c->nb_media);
	b2bua_flows_remove(b, &c->b, c->nb_media);
	b2bua_ice_release(b, c, &c->a);
	b2bua_ice_release(b, c, &c->b);
	b2bua_term_release(b, c);
	b2bua_ports_release(b, c, &c->a);
	b2bua_ports_release(b, c, &c->b);
	if (c->fwd.srv != NULL && c->fwd.srv->last_status < 200 &&
	    dsbc_sip_parse(c->fwd.req, c->fwd.req_len, &b->req) ==
	    DSBC_SIP_ERR_NONE)
		reply_simple(b, &b->req, &c->fwd.from, c->fwd.srv, 487,
			     "Request Terminated", b->now);
	if (c->a_txn != NULL)
		c->a_txn->user = NULL;
	/* client transactions still waiting end on their own, quietly */
	if (c->b_txn != NULL)
		dsbc_sip_txn_abandon(b->txl, c->b_txn, b->now);
	if (c->fwd.srv != NULL)
		c->fwd.srv->user = NULL;
	if (c->fwd.cli != NULL)
		dsbc_sip_txn_abandon(b->txl, c->fwd.cli, b->now);
	b2bua_call_bufs_free(c);
	call_unindex(b, c);
	call_untime(b, c);
	gen = c->gen + 1;
	memset(c, 0, sizeof(*c));
	/* events and references naming the old generation find nothing */
	c->gen = gen;
	c->free_next = b->free_head;
	b->free_head = (uint32_t)(c - b->calls) + 1;
	b->st.active--;
	b->st.ended++;
}

static struct call *
call_new(struct dsbc_b2bua *b)
{
	struct call *c;

	if (b->free_head == 0)
		return NULL;
	c = &b->calls[b->free_head - 1];
	b->free_head = c->free_next;
	c->free_next = 0;
	c->id = ++b->next_id;
	b->st.active++;
	return c;
}

/* ---- messages ---- */

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
/* The CSeq number of a message dsbc built (0 when it has none). */
static uint32_t
cseq_in(const char *msg, uint32_t len)
{
	const char *p = memmem(msg, len, "\r\nCSeq: ", 8);

	return p != NULL ? (uint32_t)strtoul(p + 8, NULL, 10) : 0;
}

static void
ok_keep(struct dsbc_b2bua *b, struct call *c, bool to_a, const struct dsbc_sip_peer *to,
	const char *msg, uint32_t len, uint64_t now)
{
	free(c->ok_msg);
	c->ok_msg = malloc(len);
	if (c->ok_msg == NULL)
		return;
	memcpy(c->ok_msg, msg, len);
	c->ok_len = len;
	c->ok_cseq = cseq_in(msg, len);
	c->ok_to_a = to_a;
	c->ok_to = *to;
	c->ok_retx_ms = b2bua_t1(b);
	c->ok_give_up = now + 64 * b2bua_t1(b);
	/* RFC 3261 13.3.1.4: retransmitted on UDP only; on a stream the
	 * transport does it, and the wait for the ACK is all that stays */
	c->ok_retx_at = to->transport == DSBC_SIP_UDP ?
			now + b2bua_t1(b) : c->ok_give_up;
	b2bua_call_timer(b, c, c->ok_retx_at);
}

/*
 * A response to A's INVITE (kept in the call); hdrs are extra header
 * lines passed from B's response (RSeq and Require of a reliable
 * provisional, RFC 3262), or NULL.
 */
static int
answer_a_hdrs(struct dsbc_b2bua *b, struct call *c, int status,
	      const char *reason, const char *hdrs, const char *body,
	      uint32_t body_len, uint64_t now)
{
	char extra[768], ip[64];
	uint32_t len;
	int n = 0;

	if (c->a_invite == NULL ||
	    dsbc_sip_parse(c->a_invite, c->a_invite_len, &b->msg) !=
	    DSBC_SIP_ERR_NONE)
		return -1;
	dsbc_addr_fmt(&c->a.addr, c->a.family, ip, sizeof(ip));
	extra[0] = '\0';
	if (status > 100 && status < 300)
		n = snprintf(extra, sizeof(extra),
			     "Contact: <sip:dsbc@%s%s%s:%u%s>\r\n",
			     c->a.family == 6 ? "[" : "", ip,
			     c->a.family == 6 ? "]" : "", leg_port(b, &c->a),
			     contact_tp(&c->a));
	if (hdrs != NULL && n >= 0 && (size_t)n < sizeof(extra))
		n += snprintf(extra + n, sizeof(extra) - (size_t)n, "%s", hdrs);
	if (body_len && n >= 0 && (size_t)n < sizeof(extra))
		snprintf(extra + n, sizeof(extra) - (size_t)n,
			 "Content-Type: application/sdp\r\n");
	len = b2bua_response(b, &b->msg, &c->a.peer, status, reason,
				status > 100 ? c->a.local_tag : NULL, extra,
				body, body_len, b->buf, sizeof(b->buf));
	if (len == 0)
		return -1;
	if (status >= 200)
		c->a_status = (uint16_t)status;
	/* answered: when a 2xx is on its way to A, not when B's came */
	if (status >= 200 && status < 300 && c->answered_ms == 0)
		c->answered_ms = now;
	if (status >= 200 && status < 300) {
		/* Section 13.3.1.4: the UAS core retransmits its 2xx until
		 * the ACK; the transaction (Accepted) only absorbs. */
		ok_keep(b, c, true, &c->a.peer, b->buf, len, now);
	}
	b->st.tx_resp[status / 100]++;
	if (status >= 200) {
		/* A's INVITE is answered: its copy is of no more use, and
		 * a confirmed call holds no message at all */
		free(c->a_invite);
		c->a_invite = NULL;
	}
	if (c->a_txn != NULL)
		return dsbc_sip_txn_respond(b->txl, c->a_txn,
					    (uint16_t)status, b->buf, len, now);
	return b2bua_send(b, &c->a.peer, b->buf, len);
}

static int
answer_a(struct dsbc_b2bua *b, struct call *c, int status, const char *reason,
	 const char *body, uint32_t body_len, uint64_t now)
{
	return answer_a_hdrs(b, c, status, reason, NULL, body, body_len, now);
}

/*
 * A request inside the B or A dialog, from dsbc (ACK, BYE, CANCEL):
 * in_dialog with the peer's tag and the dialog's route set (RFC 3261
 * 12.2.1.1), else (CANCEL of the initial INVITE) as that INVITE was.
 */
static uint32_t
build_request(struct dsbc_b2bua *b, struct leg *l, const char *method,
	      uint32_t cseq, const char *branch, bool in_dialog,
	      const char *ruri, char *out, uint32_t cap)
{
	char ip[64], routes[B2BUA_ROUTE_SET_MAX + STR_MAX + 16];
	int n;

	routes[0] = '\0';
	if (in_dialog &&
	    b2bua_route_lines(l, ruri, &ruri, routes, sizeof(routes)) < 0)
		return 0;
	dsbc_addr_fmt(&l->addr, l->family, ip, sizeof(ip));
	n = snprintf(out, cap,
		     "%s %s SIP/2.0\r\n"
		     "Via: SIP/2.0/%s %s%s%s:%u;branch=%s;rport\r\n"
		     "%s"
		     "Max-Forwards: 70\r\n"
		     "From: %s;tag=%s\r\n"
		     "To: %s%s%s\r\n"
		     "Call-ID: %s\r\n"
		     "CSeq: %u %s\r\n"
		     "Content-Length: 0\r\n\r\n",
		     method, ruri, via_tp(l), l->family == 6 ? "[" : "", ip,
		     l->family == 6 ? "]" : "", leg_port(b, l), branch, routes,
		     l->local_uri, l->local_tag, l->remote_uri,
		     in_dialog && l->remote_tag[0] ? ";tag=" : "",
		     in_dialog ? l->remote_tag : "", l->call_id, cseq,
		     method);
	return n > 0 && (uint32_t)n < cap ? (uint32_t)n : 0;
}

/* ACK on leg l of the 2xx to dsbc's INVITE of CSeq cseq (RFC 3261
 * 13.2.2.4: a new transaction, its own branch, straight to the peer),
 * with sdp (the answer to an offer in that 2xx) unless NULL.  Whether it
 * was sent. */
static bool
ack_2xx(struct dsbc_b2bua *b, struct leg *l, uint32_t cseq, const char *sdp)
{
	char branch[48];
	uint32_t len;

	branch_new(b, branch, sizeof(branch), 'K');
	len = build_request(b, l, "ACK", cseq, branch, true, l->target,
			    b->buf, sizeof(b->buf));
	/* build_request() ends with "Content-Length: 0\r\n\r\n" (21) */
	if (len > 0 && sdp != NULL) {
		int n = snprintf(b->buf + len - 21, sizeof(b->buf) - len + 21,
				 "Content-Type: application/sdp\r\n"
				 "Content-Length: %u\r\n\r\n%s",
				 (unsigned int)strlen(sdp), sdp);

		len = n > 0 && (size_t)n < sizeof(b->buf) - len + 21 ?
		      len - 21 + (uint32_t)n : 0;
	}
	return len > 0 && b2bua_send(b, &l->peer, b->buf, len) == 0;
}

/* ACK B's 2xx to dsbc's INVITE; a late offer's answer rides in it. */
static bool
ack_b_2xx(struct dsbc_b2bua *b, struct call *c)
{
	return ack_2xx(b, &c->b, 1, c->b_ack_sdp);
}

static void
send_bye(struct dsbc_b2bua *b, struct call *c, struct leg *l, uint64_t now)
{
	char branch[48];
	uint32_t len;

	branch_new(b, branch, sizeof(branch), 'B');
	len = build_request(b, l, "BYE", ++l->local_cseq, branch, true,
			    l->target[0] ? l->target : l->remote_uri, b->buf,
			    sizeof(b->buf));
	if (len == 0 || dsbc_sip_parse(b->buf, len, &b->msg) != DSBC_SIP_ERR_NONE)
		return;
	/* A client transaction retransmits it; nobody waits for the answer. */
	if (dsbc_sip_txn_client(b->txl, branch, (uint32_t)strlen(branch),
				&b->msg, &l->peer, sizeof(l->peer), NULL,
				now) == NULL)
		b2bua_send(b, &l->peer, b->buf, len);
	(void)c;
}

/* ---- SDP ---- */

/* The connection address of an m-line (its own c=, or the session's). */
static int
media_addr(const struct dsbc_sdp_media *m, struct dsbc_addr *a,
	   uint8_t *family)
{
	char ip[64];

	snprintf(ip, sizeof(ip), "%.*s", (int)m->conn.addr.len, m->conn.addr.p);
	return dsbc_addr_parse(ip, a, family);
}

/*
 * Where a peer's m-line i is reached in the leg's media family: its c=
 * address and m= port, or, when c= is of the other family, its best ICE
 * candidate of this one (RFC 8839 5.1: c= is only the default candidate;
 * a dual-stack UA's may be IPv4 while ICE will pair over IPv6).  The
 * RTCP port comes from a component 2 candidate then.  -1 when neither.
 */
static int
media_where(const struct dsbc_sdp *s, unsigned int i, uint8_t family,
	    struct dsbc_addr *a, uint16_t *port, uint16_t *rtcp_port)
{
	const struct dsbc_sdp_media *m = &s->media[i];
	struct dsbc_sdp_cand c;
	uint8_t fam;
	char ip[64];

	if (media_addr(m, a, &fam) != 0)
		return -1;
	*port = m->port;
	*rtcp_port = m->has_rtcp ? m->rtcp_port : (uint16_t)(m->port + 1);
	if (fam == family)
		return 0;
	if (dsbc_sdp_cand_best(s, i, 1, family, &c) != 0)
		return -1;
	snprintf(ip, sizeof(ip), "%.*s", (int)c.addr.len, c.addr.p);
	if (dsbc_addr_parse(ip, a, &fam) != 0 || fam != family)
		return -1;
	*port = c.port;
	*rtcp_port = dsbc_sdp_cand_best(s, i, 2, family, &c) == 0 ? c.port :
		     (uint16_t)(*port + 1);
	return 0;
}

/* Record the peer's media per m-line (addresses, ports, rtcp-mux). */
static int
sdp_learn(struct dsbc_b2bua *b, struct call *c, struct leg *l,
	  const struct dsbc_sdp *s)
{
	unsigned int i;

	if (s->nb_media != c->nb_media)
		return -1;
	for (i = 0; i < c->nb_media; i++) {
		const struct dsbc_sdp_media *m = &s->media[i];
		struct leg_media *lm = &l->m[i];

		if (!c->media_ok[i] || m->port == 0)
			continue;
		/* one family per leg: dsbc's side of it has one address
		 * (its c= line), and a flow cannot send from IPv6 to IPv4 */
		if (media_where(s, i, l->mfamily, &lm->remote,
				&lm->remote_port, &lm->remote_rtcp_port) != 0)
			return -1;
		lm->family = l->mfamily;
		lm->rtcp_mux = m->rtcp_mux;
		lm->clock = b2bua_sdp_clock(m);
		lm->police_pps = b2bua_sdp_police_pps(b, s, i);
	}
	/* dsbc's own ICE on this leg when its peer uses ICE */
	return b2bua_ice_learn(b, c, l, s);
}

/* Rewrite s for leg l (our address and l's local ports). */
static int
sdp_for(struct dsbc_b2bua *b, struct call *c, struct leg *l,
	const struct dsbc_sdp *s, char *out, uint32_t cap)
{
	struct dsbc_sdp_plan plan;
	char ip[64];
	unsigned int i;

	memset(&plan, 0, sizeof(plan));
	dsbc_addr_fmt(&l->maddr, l->mfamily, ip, sizeof(ip));
	plan.family = l->mfamily;
	plan.addr = ip;
	plan.origin_user = "dsbc";
	plan.sess_version = ++c->sess_version;
	if (l->ice_local) {
		plan.ice_ufrag = l->ice_ufrag;
		plan.ice_pwd = l->ice_pwd;
	}
	/* terminate: dsbc's own fingerprint and role on this leg */
	b2bua_term_plan(b, c, l, &plan);
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
route_of(const struct dsbc_b2bua *b, const struct dsbc_sip_msg *m)
{
	struct dsbc_sip_uri u;
	uint16_t i;

	if (dsbc_sip_uri_parse(m->ruri.p, m->ruri.len, &u) != 0)
		return NULL;
	for (i = 0; i < b->cfg->nb_routes; i++) {
		const struct dsbc_route_cfg *r = &b->cfg->routes[i];

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
reply_simple(struct dsbc_b2bua *b, const struct dsbc_sip_msg *m,
	     const struct dsbc_sip_peer *from, struct dsbc_sip_txn *t,
	     int status, const char *reason, uint64_t now)
{
	uint32_t len = b2bua_response(b, m, from, status, reason, NULL,
					 NULL, NULL, 0, b->buf, sizeof(b->buf));

	if (len == 0)
		return;
	if (t != NULL)
		dsbc_sip_txn_respond(b->txl, t, (uint16_t)status, b->buf,
				     len, now);
	else
		b2bua_send(b, from, b->buf, len);
	b->st.tx_resp[status / 100]++;
}

static int
leg_addr(struct dsbc_b2bua *b, struct leg *l, uint16_t port, uint8_t family)
{
	const struct dsbc_port_cfg *p;

	if (port >= b->cfg->nb_ports)
		return -1;
	p = &b->cfg->ports[port];
	l->port = port;
	l->family = family;
	l->mfamily = family;
	if (family == 4 && p->ip4.set)
		l->addr = p->ip4.addr;
	else if (family == 6 && p->ip6.set)
		l->addr = p->ip6.addr;
	else
		return -1;
	return 0;
}

/*
 * The family of leg l's media: its peer's offer's (its first active
 * m-line's), which may not be its signalling's: a dual-stack UA may
 * signal over IPv6 and offer IPv4 media.  dsbc answers in the family the
 * offerer listens on, and keeps its SIP (Via, Contact) in the family the
 * offerer sent it in.  -1 when dsbc's port has no address of it.
 */
static int
media_family(struct dsbc_b2bua *b, struct leg *l, const struct dsbc_sdp *s)
{
	const struct dsbc_port_cfg *p = &b->cfg->ports[l->port];
	unsigned int i;

	for (i = 0; i < s->nb_media; i++) {
		uint8_t f = s->media[i].conn.family;

		if (s->media[i].port == 0 || f == 0)
			continue;
		if ((f == 4 && !p->ip4.set) || (f == 6 && !p->ip6.set))
			return -1;
		l->mfamily = f;
		return 0;
	}
	return 0;
}

/* Whether header id's name-addr (its URI with display name, at most
 * uri_max bytes) and tag (at most tag_max, 0: any) fit a leg. */
static bool
fits(const struct dsbc_sip_msg *m, enum dsbc_sip_hdr_id id, uint32_t uri_max,
     uint32_t tag_max)
{
	const struct dsbc_sip_hdr *h = dsbc_sip_hdr_get(m, id, 0);
	struct dsbc_sip_nameaddr na;
	const char *next;

	if (h == NULL)
		return true;
	if (h->value.len > uri_max ||
	    dsbc_sip_nameaddr_parse(h->value.p, h->value.p + h->value.len,
				    &na, id == DSBC_SIP_H_CONTACT, &next) != 0)
		return false;
	return tag_max == 0 || na.tag.len <= tag_max;
}

/*
 * RFC 3891: an INVITE with Replaces names a dialog of the recipient,
 * here one leg of a call dsbc carries: Call-ID, to-tag (dsbc's tag on
 * that leg) and from-tag (its peer's).  The dialog the new call must
 * replace on the far side is that call's other leg, which dsbc names in
 * the INVITE it sends there; A's identifiers never cross.  Returns the
 * other leg, NULL (with *bad when the header is there but matches no
 * confirmed dialog) when there is none.
 */
static struct leg *
replaces_of(struct dsbc_b2bua *b, const struct dsbc_sip_msg *m, bool *bad,
	    bool *busy)
{
	const struct dsbc_sip_hdr *h = dsbc_sip_hdr_get(m, DSBC_SIP_H_REPLACES, 0);
	struct dsbc_sip_str cid, to = { "", 0 }, from = { "", 0 };
	const char *p, *end, *q;
	struct call *x;
	bool is_a, early_only = false;

	*bad = false;
	*busy = false;
	if (h == NULL)
		return NULL;
	*bad = true;
	p = h->value.p;
	end = p + h->value.len;
	q = memchr(p, ';', (size_t)(end - p));
	if (q == NULL)
		return NULL;
	cid.p = p;
	cid.len = (uint32_t)(q - p);
	while (cid.len > 0 && (cid.p[cid.len - 1] == ' ' ||
			       cid.p[cid.len - 1] == '\t'))
		cid.len--;
	while (q != NULL && q < end) {
		const char *a = q + 1, *e = memchr(a, ';', (size_t)(end - a));

		if (e == NULL)
			e = end;
		while (a < e && (*a == ' ' || *a == '\t'))
			a++;
		if (e - a > 7 && strncasecmp(a, "to-tag=", 7) == 0) {
			to.p = a + 7;
			to.len = (uint32_t)(e - a - 7);
		} else if (e - a > 9 && strncasecmp(a, "from-tag=", 9) == 0) {
			from.p = a + 9;
			from.len = (uint32_t)(e - a - 9);
		} else if (e - a >= 10 && strncasecmp(a, "early-only", 10) == 0) {
			early_only = true;
		}
		q = e < end ? e : NULL;
	}
	x = cid.len ? call_by_callid(b, cid, &is_a) : NULL;
	if (x != NULL && x->state == CALL_CONFIRMED && early_only) {
		/* RFC 3891 section 3: early-only naming a confirmed
		 * dialog is answered 486 */
		*busy = true;
		return NULL;
	}
	if (x == NULL || x->state != CALL_CONFIRMED ||
	    !str_eq(to, is_a ? x->a.local_tag : x->b.local_tag) ||
	    !str_eq(from, is_a ? x->a.remote_tag : x->b.remote_tag))
		return NULL;
	*bad = false;
	return is_a ? &x->b : &x->a;
}

/* What an INVITE's first steps decided: where it goes, who sent it. */
struct invite_ctx {
	const struct dsbc_route_cfg *r;   /* a route, or &rr */
	struct dsbc_route_cfg rr;
	struct dsbc_sip_peer bpeer;       /* a registered user's flow */
	struct leg *rep;                  /* the dialog it replaces */
	char bruri[STR_MAX];
	char user[64];                    /* digest user, "" none */
	bool local, trunk;
	struct b2bua_stir_in stir;
};

static void invite_go(struct dsbc_b2bua *b, const struct dsbc_sip_peer *from,
		      const struct dsbc_sip_msg *m, struct dsbc_sip_txn *t,
		      struct invite_ctx *ic, uint64_t now);

/* The STIR verification service where the route asks for it; false when
 * the INVITE was refused or waits for a certificate. */
static bool
invite_stir(struct dsbc_b2bua *b, const struct dsbc_sip_peer *from,
	    const struct dsbc_sip_msg *m, struct dsbc_sip_txn *t,
	    struct invite_ctx *ic, uint64_t now)
{
	const char *reason = NULL;
	int st;

	memset(&ic->stir, 0, sizeof(ic->stir));
	if (ic->local || ic->rep != NULL)
		return true;
	st = b2bua_stir_check(b, from, m, t, ic->r, ic->user, ic->trunk,
			      &ic->stir, &reason, now);
	if (st < 0)
		return false;
	if (st > 0) {
		reply_simple(b, m, from, t, st, reason, now);
		return false;
	}
	return true;
}

void
b2bua_invite_resume(struct dsbc_b2bua *b, const struct dsbc_sip_peer *from,
		    const struct dsbc_sip_msg *m, struct dsbc_sip_txn *t,
		    const char *user, bool trunk, uint64_t now)
{
	struct invite_ctx ic;

	memset(&ic, 0, sizeof(ic));
	ic.r = route_of(b, m);
	snprintf(ic.user, sizeof(ic.user), "%s", user);
	ic.trunk = trunk;
	if (ic.r == NULL) {
		b->st.no_route++;
		reply_simple(b, m, from, t, 503, "Service Unavailable", now);
		return;
	}
	if (invite_stir(b, from, m, t, &ic, now))
		invite_go(b, from, m, t, &ic, now);
}

void
b2bua_reply(struct dsbc_b2bua *b, const struct dsbc_sip_msg *m,
	    const struct dsbc_sip_peer *to, struct dsbc_sip_txn *t, int status,
	    const char *reason, uint64_t now)
{
	reply_simple(b, m, to, t, status, reason, now);
}

static void
invite_new(struct dsbc_b2bua *b, const struct dsbc_sip_peer *from,
	   const struct dsbc_sip_msg *m, uint64_t now)
{
	const struct dsbc_route_cfg *r;
	struct dsbc_sip_txn *t;
	struct invite_ctx ic;
	struct leg *rep;
	bool rep_bad, rep_busy, local;
	uint32_t i;

	t = dsbc_sip_txn_server(b->txl, m, from, sizeof(*from), NULL, now);
	if (t == NULL || b->draining) {
		/* draining, or shutting down (dsbc_b2bua_end_calls): no
		 * new call */
		if (t != NULL)
			b->st.drain_refused++;
		reply_simple(b, m, from, t, 503, "Service Unavailable", now);
		return;
	}
	reply_simple(b, m, from, t, 100, "Trying", now);
	/* Loop detection (section 16.3 item 4): our own branch prefix. */
	for (i = 0; i < m->nb_hdrs; i++)
		if (m->hdrs[i].id == DSBC_SIP_H_VIA &&
		    memmem(m->hdrs[i].value.p, m->hdrs[i].value.len,
			   "branch=z9hG4bKdsbc", 18) != NULL) {
			reply_simple(b, m, from, t, 482, "Loop Detected", now);
			return;
		}
	rep = replaces_of(b, m, &rep_bad, &rep_busy);
	if (rep_busy) {
		b->st.replaces_no_match++;
		reply_simple(b, m, from, t, 486, "Busy Here", now);
		return;
	}
	if (rep_bad) {
		b->st.replaces_no_match++;
		reply_simple(b, m, from, t, 481, "Call/Transaction Does Not Exist",
			     now);
		return;
	}
	/* a user of the registrar's domain, or a route; either may ask for
	 * the caller's credentials (RFC 3261 22.3: 407 from an
	 * intermediary) */
	memset(&ic, 0, sizeof(ic));
	ic.rep = rep;
	local = ic.local = rep == NULL && b2bua_reg_local(b, m);
	r = local ? NULL : route_of(b, m);
	if (b2bua_auth(b, from, m, t, local ? (b->cfg->registrar.auth_invite ?
					      b->cfg->registrar.realm : NULL) :
		       r != NULL ? r->auth_realm : NULL, true, ic.user,
		       sizeof(ic.user), now) != 0)
		return;
	ic.trunk = dsbc_config_is_trunk(b->cfg, from->family, &from->remote,
					from->trunk_certs);
	if (local) {
		/* where the user registered from: through its NAT, over its
		 * connection */
		struct dsbc_route_cfg *rr = &ic.rr;
		struct dsbc_sip_peer *bpeer = &ic.bpeer;
		int tr = b2bua_reg_target(b, m, bpeer, ic.bruri,
					  sizeof(ic.bruri));

		if (tr == -2) {
			b->st.reg_flow_failed++;
			reply_simple(b, m, from, t, 430, "Flow Failed", now);
			return;
		}
		if (tr != 0) {
			b->st.reg_not_found++;
			reply_simple(b, m, from, t, 404, "Not Found", now);
			return;
		}
		memset(rr, 0, sizeof(*rr));
		rr->family = bpeer->family;
		rr->addr = bpeer->remote;
		rr->port = bpeer->remote_port;
		rr->out_port = bpeer->in;
		rr->l2_next_hop = bpeer->resolve ? bpeer->l2_next :
				  bpeer->remote;
		rr->source_check = DSBC_SOURCE_CHECK_STRICT;
		rr->mode = b->cfg->registrar.mode;
		rr->b_keying = b->cfg->registrar.b_keying;
		r = rr;
	}
	if (r != NULL && rep != NULL) {
		/* the replacing call goes where the replaced dialog is */
		struct dsbc_route_cfg *rr = &ic.rr;

		*rr = *r;
		rr->family = rep->peer.family;
		rr->addr = rep->peer.remote;
		rr->port = rep->peer.remote_port;
		rr->out_port = rep->peer.in;
		rr->l2_next_hop = rep->peer.resolve ? rep->peer.l2_next :
				  rep->peer.remote;
		rr->transport = rep->peer.transport == DSBC_SIP_TLS ?
				DSBC_ROUTE_TLS :
				rep->peer.transport == DSBC_SIP_TCP ?
				DSBC_ROUTE_TCP : DSBC_ROUTE_UDP;
		r = rr;
	}
	if (r == NULL) {
		b->st.no_route++;
		reply_simple(b, m, from, t, b->cfg->no_route_status,
			     b->cfg->no_route_status == 404 ? "Not Found" :
			     "Temporarily Unavailable", now);
		return;
	}
	ic.r = r;
	if (invite_stir(b, from, m, t, &ic, now))
		invite_go(b, from, m, t, &ic, now);
}

/* The rest of a new INVITE, its caller known, its route chosen and its
 * Identity verified where asked: the call, its legs, media and B's
 * INVITE. */
static void
invite_go(struct dsbc_b2bua *b, const struct dsbc_sip_peer *from,
	  const struct dsbc_sip_msg *m, struct dsbc_sip_txn *t,
	  struct invite_ctx *ic, uint64_t now)
{
	const struct dsbc_route_cfg *r = ic->r;
	struct leg *rep = ic->rep;
	const struct dsbc_sip_peer *bpeer = &ic->bpeer;
	const char *bruri = ic->bruri, *user = ic->user;
	bool local = ic->local, trunk = ic->trunk;
	const struct dsbc_sip_hdr *h;
	struct dsbc_sip_nameaddr na;
	const char *next;
	struct call *c;
	char ip[64], mf[16] = "70";
	uint32_t v, i, len;
	int n, sdp_len = 0;
	bool late, dup_a, sips = false;

	h = dsbc_sip_hdr_get(m, DSBC_SIP_H_MAX_FORWARDS, 0);
	if (h != NULL && dsbc_sip_uint_parse(h->value, 255, &v) == 0)
		snprintf(mf, sizeof(mf), "%u", v - 1);
	/* RFC 3261 26.2.2: a sips: Request-URI is reached over TLS on
	 * every hop; a route that cannot is refused */
	{
		struct dsbc_sip_uri ru;

		if (dsbc_sip_uri_parse(m->ruri.p, m->ruri.len, &ru) == 0 &&
		    ru.scheme == DSBC_SIP_SCHEME_SIPS &&
		    (local ? bpeer->transport != DSBC_SIP_TLS &&
			     bpeer->transport != DSBC_SIP_WSS :
		     r->transport != DSBC_ROUTE_TLS)) {
			b->st.sips_refused++;
			reply_simple(b, m, from, t, 416,
				     "Unsupported URI Scheme", now);
			return;
		}
		sips = ru.scheme == DSBC_SIP_SCHEME_SIPS;
	}
	/* Late offer (RFC 3261 13.2.1): no SDP, the offer comes in B's 2xx
	 * and the answer in A's ACK.  Terminating media needs A's keying
	 * from its offer first, so such routes refuse it. */
	late = !is_sdp(m) && m->body.len == 0;
	if (late && (r->mode == DSBC_MODE_TERMINATE + 1 ||
		     (r->mode == 0 &&
		      b->cfg->mode_default == DSBC_MODE_TERMINATE) ||
		     r->b_keying != 0)) {
		b->st.bad_sdp++;
		reply_simple(b, m, from, t, 488, "Late Offer Not Acceptable Here",
			     now);
		return;
	}
	if (!late && (!is_sdp(m) ||
		      dsbc_sdp_parse(m->body.p, m->body.len, &b->sdp_in) !=
		      DSBC_SDP_ERR_NONE || b->sdp_in.nb_media == 0 ||
		      b->sdp_in.nb_media > MAX_MEDIA)) {
		b->st.bad_sdp++;
		reply_simple(b, m, from, t, 488, "Not Acceptable Here", now);
		return;
	}
	/* the call table keeps Call-IDs up to 127 bytes (RFC 3261 sets
	 * no limit; a longer one could not be matched, so refuse it) */
	if (dsbc_sip_hdr_get(m, DSBC_SIP_H_CALL_ID, 0)->value.len >=
	    sizeof(((struct call *)NULL)->a.call_id)) {
		reply_simple(b, m, from, t, 400, "Call-ID Too Long", now);
		return;
	}
	/* RFC 3261 8.2.2.2: a Call-ID dsbc already has (a merged or
	 * looped request, or one naming another's call) makes no second
	 * call: its dialogs are found by Call-ID first */
	if (call_by_callid(b, dsbc_sip_hdr_get(m, DSBC_SIP_H_CALL_ID,
					       0)->value, &dup_a) != NULL) {
		b->st.callid_in_use++;
		reply_simple(b, m, from, t, 482, "Loop Detected", now);
		return;
	}
	/* what a leg keeps must fit whole, or its dialog could never be
	 * matched (tags) or its identity passed intact (From, To,
	 * Contact; RFC 8224) */
	if (!fits(m, DSBC_SIP_H_FROM, STR_MAX - 1, 95) ||
	    !fits(m, DSBC_SIP_H_TO, STR_MAX - 1, 0) ||
	    !fits(m, DSBC_SIP_H_CONTACT, STR_MAX - 1, 0)) {
		reply_simple(b, m, from, t, 400, "Header Too Long", now);
		return;
	}
	/* RFC 3261 section 8.1.1.8: an INVITE carries the Contact its
	 * dialog's requests go to; without one no BYE could reach A */
	if (dsbc_sip_hdr_get(m, DSBC_SIP_H_CONTACT, 0) == NULL) {
		reply_simple(b, m, from, t, 400, "Missing Contact", now);
		return;
	}
	c = call_new(b);
	if (c == NULL) {
		b->st.table_full++;
		reply_simple(b, m, from, t, 503, "Service Unavailable", now);
		return;
	}
	b->st.started++;
	c->source_check = r->source_check == DSBC_SOURCE_CHECK_STRICT;
	/* a registered user's ad hoc route (or a copy for Replaces) is
	 * none of [route.N] */
	c->route = r >= b->cfg->routes &&
		   r < b->cfg->routes + b->cfg->nb_routes ?
		   (int16_t)r->index : -1;
	/* the A dialog's remote sequence number (section 12.1.1) */
	h = dsbc_sip_hdr_get(m, DSBC_SIP_H_CSEQ, 0);
	if (dsbc_sip_cseq_parse(h->value, &c->a.remote_cseq, &na.tag) == 0)
		c->a.remote_cseq_set = true;
	c->started_ms = now;
	c->a_txn = t;
	t->user = c;
	c->worker = (uint8_t)(b->next_worker++ % b->nb_workers);
	c->late = late;
	c->nb_media = late ? 0 : b->sdp_in.nb_media;
	c->a_invite = malloc(m->msg_len);
	if (c->a_invite == NULL)
		goto fail_503;
	memcpy(c->a_invite, m->buf, m->msg_len);
	c->a_invite_len = m->msg_len;

	/* A leg: its identity as it sent it */
	c->a.peer = *from;
	str_of(c->a.call_id, sizeof(c->a.call_id),
	       dsbc_sip_hdr_get(m, DSBC_SIP_H_CALL_ID, 0)->value);
	if (b2bua_token(b, c->a.local_tag, sizeof(c->a.local_tag), "A",
			TAG_RND) != 0)
		goto fail_503;
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
	if (!local && r->stir_verify != DSBC_STIR_OFF) {
		/* a verifying route: only dsbc says how a caller was
		 * verified (ATIS-1000074): A's verstat goes, a marking
		 * route's own goes in */
		char u[STR_MAX];

		snprintf(u, sizeof(u), "%.*s", (int)na.uri_str.len,
			 na.uri_str.p);
		b2bua_stir_verstat(u, sizeof(c->b.local_uri) - na.display.len -
				   3, ic->stir.mark ? ic->stir.verstat :
				   VERSTAT_NONE);
		snprintf(c->b.local_uri, sizeof(c->b.local_uri), "%.*s<%s>",
			 (int)na.display.len, na.display.p, u);
	}
	h = dsbc_sip_hdr_get(m, DSBC_SIP_H_TO, 0);
	snprintf(c->a.local_uri, sizeof(c->a.local_uri), "%.*s",
		 (int)h->value.len, h->value.p);
	snprintf(c->b.remote_uri, sizeof(c->b.remote_uri), "%s", c->a.local_uri);
	h = dsbc_sip_hdr_get(m, DSBC_SIP_H_CONTACT, 0);
	if (h != NULL && dsbc_sip_nameaddr_parse(h->value.p, h->value.p +
						 h->value.len, &na, true,
						 &next) == 0)
		str_of(c->a.target, sizeof(c->a.target), na.uri_str);
	/* the A dialog's route set: the INVITE's Record-Route values in
	 * order (12.1.1); dsbc's answers echo them (b2bua_response()) */
	if (b2bua_route_set(&c->a, m, false) != 0) {
		b->st.route_set_refused++;
		reply_simple(b, m, from, t, 400, "Bad Record-Route", now);
		call_free(b, c, DSBC_B2BUA_END_REFUSED, "A's route set refused");
		return;
	}

	/* Addresses facing each leg: its signalling's family, and for
	 * A's media the family of its offer */
	if (leg_addr(b, &c->a, from->in, from->family) != 0 ||
	    (!late && media_family(b, &c->a, &b->sdp_in) != 0) ||
	    leg_addr(b, &c->b, r->out_port, r->family) != 0) {
		b->st.bad_sdp++;
		reply_simple(b, m, from, t, 488, "Not Acceptable Here", now);
		call_free(b, c, DSBC_B2BUA_END_REFUSED,
			  "no address of the offer's family");
		return;
	}
	/* B leg identity */
	c->b.peer.in = r->out_port;
	c->b.peer.family = r->family;
	c->b.peer.local = c->b.addr;
	c->b.peer.local_port = b->cfg->sip_port;
	c->b.peer.remote = r->addr;
	c->b.peer.remote_port = r->port;
	c->b.peer.resolve = true;
	c->b.peer.l2_next = r->l2_next_hop;
	/* the route's transport; a stream is opened on the first send */
	c->b.peer.transport = r->transport == DSBC_ROUTE_TLS ? DSBC_SIP_TLS :
			      r->transport == DSBC_ROUTE_TCP ? DSBC_SIP_TCP :
			      DSBC_SIP_UDP;
	if (r >= b->cfg->routes && r < b->cfg->routes + b->cfg->nb_routes)
		c->b.peer.route = (uint8_t)(r - b->cfg->routes + 1);
	if (rep != NULL)
		c->b.peer.route = rep->peer.route;
	if (rep != NULL && !rep->peer.resolve) {
		/* learnt from its requests: the MAC they came from */
		c->b.peer.resolve = false;
		c->b.peer.remote_mac = rep->peer.remote_mac;
	}
	if (local)
		c->b.peer = *bpeer;      /* its REGISTER's source, as is */
	if (b2bua_token(b, c->b.call_id, sizeof(c->b.call_id), "",
			CALLID_RND) != 0 ||
	    b2bua_token(b, c->b.local_tag, sizeof(c->b.local_tag), "B",
			TAG_RND) != 0)
		goto fail_503;
	call_index(b, c);

	/* Media: an address and a port pair per accepted m-line on each
	 * leg */
	for (i = 0; i < c->nb_media; i++)
		c->media_ok[i] = b->sdp_in.media[i].port != 0;
	if (b2bua_ports_alloc(b, c, &c->a) != 0 ||
	    b2bua_ports_alloc(b, c, &c->b) != 0) {
		b->st.no_ports++;
		reply_simple(b, m, from, t, 503, "Service Unavailable", now);
		call_free(b, c, DSBC_B2BUA_END_REFUSED, "no media ports");
		return;
	}
	if (late)
		c->mode = r->mode ? (uint8_t)(r->mode - 1) :
			  b->cfg->mode_default;
	else if (sdp_learn(b, c, &c->a, &b->sdp_in) != 0 ||
		 b2bua_term_offer(b, c, &b->sdp_in, r) != 0) {
		b->st.bad_sdp++;
		reply_simple(b, m, from, t, 488, "Not Acceptable Here", now);
		call_free(b, c, DSBC_B2BUA_END_REFUSED, "bad offer");
		return;
	}
	/* A uses ICE: dsbc offers its own to B too (RFC 8445 2.5) */
	if (c->a.ice_local && b2bua_ice_offer(b, c, &c->b) != 0)
		goto fail_503;
	/* B -> A flows now: early media and DTLS from B (RFC 7879 3.1.1) */
	for (i = 0; i < c->nb_media; i++)
		if (c->media_ok[i] && b2bua_flows_for(b, c, &c->b, &c->a, i) != 0) {
			reply_simple(b, m, from, t, 503, "Service Unavailable",
				     now);
			call_free(b, c, DSBC_B2BUA_END_MEDIA_FAILURE,
				  "flow programming failed");
			return;
		}
	if (!late)
		sdp_len = sdp_for(b, c, &c->b, &b->sdp_in, b->sdp,
				  sizeof(b->sdp));
	if (sdp_len < 0)
		goto fail_503;

	/* The B-leg INVITE */
	branch_new(b, c->b_branch, sizeof(c->b_branch), 'I');
	dsbc_addr_fmt(&c->b.addr, c->b.family, ip, sizeof(ip));
	{
		struct dsbc_sip_uri u;
		char ruri[STR_MAX], hop[64];
		const struct dsbc_sip_hdr *ident, *date;
		bool drop_ident;

		dsbc_sip_uri_parse(m->ruri.p, m->ruri.len, &u);
		dsbc_addr_fmt(&r->addr, r->family, hop, sizeof(hop));
		snprintf(ruri, sizeof(ruri), "%s:%.*s%s%s%s%s:%u%s",
			 sips ? "sips" : "sip",
			 (int)u.user.len, u.user.p, u.user.len ? "@" : "",
			 r->family == 6 ? "[" : "", hop,
			 r->family == 6 ? "]" : "", r->port,
			 sips ? "" : r->transport == DSBC_ROUTE_TLS ?
			 ";transport=tls" : r->transport == DSBC_ROUTE_TCP ?
			 ";transport=tcp" : "");
		if (rep != NULL && rep->target[0] != '\0')
			snprintf(ruri, sizeof(ruri), "%s", rep->target);
		if (local)
			snprintf(ruri, sizeof(ruri), "%s", bruri);
		snprintf(c->b.target, sizeof(c->b.target), "%s", ruri);
		c->b.local_cseq = 1;
		n = snprintf(b->buf, sizeof(b->buf),
			     "INVITE %s SIP/2.0\r\n"
			     "Via: SIP/2.0/%s %s%s%s:%u;branch=%s;rport\r\n"
			     "Max-Forwards: %s\r\n"
			     "From: %s;tag=%s\r\n"
			     "To: %s\r\n"
			     "Call-ID: %s\r\n"
			     "CSeq: 1 INVITE\r\n"
			     "Contact: <sip:dsbc@%s%s%s:%u%s>\r\n",
			     ruri, via_tp(&c->b), c->b.family == 6 ? "[" : "",
			     ip, c->b.family == 6 ? "]" : "", leg_port(b, &c->b),
			     c->b_branch, mf, c->b.local_uri, c->b.local_tag,
			     c->b.remote_uri, c->b.call_id,
			     c->b.family == 6 ? "[" : "", ip,
			     c->b.family == 6 ? "]" : "", leg_port(b, &c->b),
			     contact_tp(&c->b));
		/* RFC 8224: Identity and Date byte for byte */
		ident = dsbc_sip_hdr_get(m, DSBC_SIP_H_IDENTITY, 0);
		date = dsbc_sip_hdr_get(m, DSBC_SIP_H_DATE, 0);
		if (n > 0 && date != NULL)
			n += snprintf(b->buf + n, sizeof(b->buf) - (size_t)n,
				      "Date: %.*s\r\n", (int)date->value.len,
				      date->value.p);
		/* Where dsbc terminates the media, B gets dsbc's
		 * fingerprint: an Identity whose mky binds A's would be
		 * false (B would take dsbc for a man in the middle), so it
		 * stays behind and dsbc, an identified endpoint, signs its
		 * own below (RFC 8225 5.2.2) */
		drop_ident = ident != NULL && c->mode == DSBC_MODE_TERMINATE &&
			     b2bua_stir_has_mky(ident->value.p,
						ident->value.len);
		if (n > 0 && (size_t)n < sizeof(b->buf) && ident != NULL &&
		    !drop_ident)
			n += snprintf(b->buf + n, sizeof(b->buf) - (size_t)n,
				      "Identity: %.*s\r\n",
				      (int)ident->value.len, ident->value.p);
		/* RFC 8224 6.1: dsbc signs for its users, its trunks and
		 * callers whose Identity it verified, where the route says
		 * so (after any Identity A brought) */
		if (n > 0 && (size_t)n < sizeof(b->buf) && r != NULL &&
		    r->stir_sign && (user[0] != '\0' || trunk ||
				     ic->stir.valid)) {
			char idv[1400];

			if (b2bua_stir_sign(b, m, trunk, ic->stir.valid ?
					    ic->stir.attest : NULL, b->sdp,
					    sdp_len > 0 ? (uint32_t)sdp_len : 0,
					    idv, sizeof(idv)) > 0) {
				n += snprintf(b->buf + n,
					      sizeof(b->buf) - (size_t)n,
					      "Identity: %s\r\n", idv);
				b->st.stir_resigned += drop_ident;
			}
		}
		if (rep != NULL && n > 0 && (size_t)n < sizeof(b->buf))
			n += snprintf(b->buf + n, sizeof(b->buf) - (size_t)n,
				      "Replaces: %s;to-tag=%s;from-tag=%s\r\n",
				      rep->call_id, rep->remote_tag,
				      rep->local_tag);
		/* Extensions A asked for (b2bua_ua.c checked that dsbc
		 * supports them) are end to end: 100rel (RFC 3262). */
		if (hdr_copy(b->buf, sizeof(b->buf), &n, m,
			     DSBC_SIP_H_SUPPORTED, "Supported") != 0 ||
		    hdr_copy(b->buf, sizeof(b->buf), &n, m,
			     DSBC_SIP_H_REQUIRE, "Require") != 0)
			goto fail_503;
		if (n > 0 && (size_t)n < sizeof(b->buf))
			n += snprintf(b->buf + n, sizeof(b->buf) - (size_t)n,
				      "%sContent-Length: %d\r\n\r\n",
				      late ? "" :
				      "Content-Type: application/sdp\r\n",
				      sdp_len);
		if (n < 0 || (size_t)n + (size_t)sdp_len >= sizeof(b->buf))
			goto fail_503;
		memcpy(b->buf + n, b->sdp, (size_t)sdp_len);
		len = (uint32_t)n + (uint32_t)sdp_len;
	}
	if (dsbc_sip_parse(b->buf, len, &b->msg) != DSBC_SIP_ERR_NONE)
		goto fail_503;
	c->b_txn = dsbc_sip_txn_client(b->txl, c->b_branch,
				       (uint32_t)strlen(c->b_branch), &b->msg,
				       &c->b.peer, sizeof(c->b.peer), c, now);
	if (c->b_txn == NULL)
		goto fail_503;
	/* B's answers come from where dsbc sent its INVITE */
	b2bua_trust(b, &c->b.peer);
	c->state = CALL_OFFERED;
	c->ring_deadline = now + RING_MAX_MS;
	b2bua_call_timer(b, c, c->ring_deadline);
	b->st.replaces_mapped += rep != NULL;
	B2B_LOG(b, INFO, "call %u: %s -> %s (worker %u)", c->id,
		c->a.call_id, c->b.call_id, c->worker);
	return;

fail_503:
	reply_simple(b, m, from, t, 503, "Service Unavailable", now);
	call_free(b, c, DSBC_B2BUA_END_ERROR, "internal error");
	b->st.failed++;
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
media_update(struct dsbc_b2bua *b, struct call *c, struct leg *sender,
	     struct leg *other, const struct dsbc_sip_msg *m, bool answer)
{
	unsigned int i;

	if (dsbc_sdp_parse(m->body.p, m->body.len, &b->sdp_in) !=
	    DSBC_SDP_ERR_NONE || b2bua_term_mux_change(c, sender, &b->sdp_in) ||
	    sdp_learn(b, c, sender, &b->sdp_in) != 0) {
		b->st.bad_sdp++;
		return -1;
	}
	for (i = 0; i < c->nb_media; i++)
		if (c->media_ok[i] && b->sdp_in.media[i].port != 0 &&
		    b2bua_media_repoint(b, c, sender, other, i) != 0)
			return -1;
	/* terminate: an SDES peer may have re-keyed (RFC 4568 7.1.4) */
	b2bua_term_update(b, c, sender, &b->sdp_in, answer);
	return sdp_for(b, c, other, &b->sdp_in, b->sdp, sizeof(b->sdp));
}

/*
 * An offer in a re-INVITE or UPDATE from `sender` (RFC 3264 section 8):
 * checked and rewritten for the other leg into b->sdp, but nothing of
 * the call changes until it is accepted: refused, the session stays
 * exactly as it was (flows, keys, latches, ICE).  Returns the SDP length
 * or -1.
 */
static int
offer_check(struct dsbc_b2bua *b, struct call *c, struct leg *sender,
	    struct leg *other, const struct dsbc_sip_msg *m)
{
	unsigned int i;

	if (dsbc_sdp_parse(m->body.p, m->body.len, &b->sdp_in) !=
	    DSBC_SDP_ERR_NONE || b->sdp_in.nb_media != c->nb_media ||
	    b2bua_term_mux_change(c, sender, &b->sdp_in)) {
		b->st.bad_sdp++;
		return -1;
	}
	for (i = 0; i < c->nb_media; i++) {
		const struct dsbc_sdp_media *md = &b->sdp_in.media[i];
		uint16_t port, rtcp_port;
		struct dsbc_addr a;

		if (!c->media_ok[i] || md->port == 0)
			continue;
		/* the leg's media family stays (sdp_learn) */
		if (media_where(&b->sdp_in, i, sender->mfamily, &a, &port,
				&rtcp_port) != 0) {
			b->st.bad_sdp++;
			return -1;
		}
	}
	return sdp_for(b, c, other, &b->sdp_in, b->sdp, sizeof(b->sdp));
}

/* The forwarded offer is accepted: now it changes the session. */
static int
offer_apply(struct dsbc_b2bua *b, struct call *c)
{
	struct leg *sender = c->fwd.from_a ? &c->a : &c->b;
	struct leg *other = c->fwd.from_a ? &c->b : &c->a;

	c->fwd.offer_pending = false;
	if (dsbc_sip_parse(c->fwd.req, c->fwd.req_len, &b->req) !=
	    DSBC_SIP_ERR_NONE || !is_sdp(&b->req))
		return -1;
	return media_update(b, c, sender, other, &b->req, false) < 0 ? -1 : 0;
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
		unsigned long long r = strtoull(v, &end, 10);

		if (end == v || (*end != ' ' && *end != '\t') || r == 0 ||
		    r > UINT32_MAX)       /* RFC 3262 7.1: 1 to 2^32 - 1 */
			return -1;
		rseq = (uint32_t)r;
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
forward_request(struct dsbc_b2bua *b, struct call *c, bool from_a,
		const struct dsbc_sip_peer *from, const struct dsbc_sip_msg *m,
		uint64_t now)
{
	struct leg *sender = from_a ? &c->a : &c->b;
	struct leg *other = from_a ? &c->b : &c->a;
	const struct dsbc_sip_hdr *ct;
	struct dsbc_sip_txn *srv;
	char branch[48], ip[64], routes[B2BUA_ROUTE_SET_MAX + STR_MAX + 16];
	const char *ruri;
	int sdp_len = -1, n;
	bool offer;
	uint32_t len;

	srv = dsbc_sip_txn_server(b->txl, m, from, sizeof(*from), c, now);
	if (c->fwd.active) {
		/* section 14.2: one offer at a time */
		reply_simple(b, m, from, srv, 491, "Request Pending", now);
		return;
	}
	offer = is_sdp(m) && (m->method_id == DSBC_SIP_M_INVITE ||
			      m->method_id == DSBC_SIP_M_UPDATE);
	if (is_sdp(m) && !offer && m->method_id != DSBC_SIP_M_PRACK) {
		/* SDP outside offer/answer (INFO, MESSAGE...): it would move
		 * the media with nobody's agreement, or leak the sender's
		 * addresses if passed on raw */
		b->st.bad_sdp++;
		reply_simple(b, m, from, srv, 488, "Not Acceptable Here", now);
		return;
	}
	if (is_sdp(m)) {
		/* an offer waits for its answer; an answer (PRACK) takes
		 * effect now */
		sdp_len = offer ? offer_check(b, c, sender, other, m) :
			  media_update(b, c, sender, other, m, false);
		if (sdp_len < 0) {
			reply_simple(b, m, from, srv, 488, "Not Acceptable Here",
				     now);
			return;
		}
	}
	if (b2bua_route_lines(other, other->target[0] ? other->target :
			      other->remote_uri, &ruri, routes,
			      sizeof(routes)) < 0) {
		reply_simple(b, m, from, srv, 500, "Server Internal Error", now);
		return;
	}
	branch_new(b, branch, sizeof(branch), 'F');
	dsbc_addr_fmt(&other->addr, other->family, ip, sizeof(ip));
	c->fwd.out_cseq = ++other->local_cseq;
	n = snprintf(b->buf, sizeof(b->buf),
		     "%.*s %s SIP/2.0\r\n"
		     "Via: SIP/2.0/%s %s%s%s:%u;branch=%s;rport\r\n"
		     "%s"
		     "Max-Forwards: 70\r\n"
		     "From: %s;tag=%s\r\nTo: %s;tag=%s\r\n"
		     "Call-ID: %s\r\nCSeq: %u %.*s\r\n"
		     "Contact: <sip:dsbc@%s%s%s:%u%s>\r\n",
		     (int)m->method.len, m->method.p, ruri,
		     via_tp(other), other->family == 6 ? "[" : "", ip,
		     other->family == 6 ? "]" : "", leg_port(b, other), branch,
		     routes, other->local_uri, other->local_tag, other->remote_uri,
		     other->remote_tag, other->call_id, c->fwd.out_cseq,
		     (int)m->method.len, m->method.p,
		     other->family == 6 ? "[" : "", ip,
		     other->family == 6 ? "]" : "", leg_port(b, other),
		     contact_tp(other));
	if (m->method_id == DSBC_SIP_M_PRACK && n > 0 &&
	    rack_map(m, from_a ? 1 : 0, b->buf, sizeof(b->buf), &n) != 0) {
		reply_simple(b, m, from, srv, 400, "Bad RAck", now);
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
		reply_simple(b, m, from, srv, 500, "Server Internal Error", now);
		return;
	}
	len = (uint32_t)n;
	if (dsbc_sip_parse(b->buf, len, &b->msg) != DSBC_SIP_ERR_NONE)
		goto fail;
	c->fwd.cli = dsbc_sip_txn_client(b->txl, branch, (uint32_t)strlen(branch),
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
	c->fwd.offer_pending = offer;
	c->fwd.from_a = from_a;
	c->fwd.srv = srv;
	c->fwd.from = *from;
	snprintf(c->fwd.method, sizeof(c->fwd.method), "%.*s",
		 (int)m->method.len, m->method.p);
	return;
fail:
	reply_simple(b, m, from, srv, 500, "Server Internal Error", now);
}

/* The other leg answered a forwarded request: pass the answer back. */
static void
forward_response(struct dsbc_b2bua *b, struct call *c,
		 const struct dsbc_sip_msg *m, uint64_t now)
{
	struct leg *sender = c->fwd.from_a ? &c->a : &c->b;
	struct leg *other = c->fwd.from_a ? &c->b : &c->a;
	struct dsbc_sip_msg *req = &b->req;
	char extra[512], ip[64], reason[64], branch[48];
	int sdp_len = -1;
	bool reliable, late;
	uint32_t len;

	/* the sender's offer takes effect with its answer, or a 2xx */
	/* ... not with an unreliable 18x: its SDP is no answer (RFC 3262),
	 * and a refusal may still follow */
	reliable = m->status < 200 &&
		   dsbc_sip_hdr_get(m, DSBC_SIP_H_RSEQ, 0) != NULL;
	if (c->fwd.offer_pending &&
	    ((is_sdp(m) && reliable) ||
	     (m->status >= 200 && m->status < 300)) &&
	    offer_apply(b, c) != 0)
		b->st.flow_errors++;
	if (dsbc_sip_parse(c->fwd.req, c->fwd.req_len, req) != DSBC_SIP_ERR_NONE)
		return;
	/* a re-INVITE without an offer: the 2xx makes one, answered in
	 * the sender's ACK (RFC 3261 14.1, 13.2.1) */
	late = m->status >= 200 && m->status < 300 &&
	       req->method_id == DSBC_SIP_M_INVITE && !is_sdp(req);
	if (late && !is_sdp(m))
		b->st.bad_response++;    /* no offer: nothing to answer */
	if (is_sdp(m) && (reliable || (m->status >= 200 && m->status < 300))) {
		sdp_len = media_update(b, c, other, sender, m,
				       m->status >= 200 && !late);
		if (sdp_len < 0)
			sdp_len = -1;
	}
	late = late && sdp_len >= 0;
	/* the sender's offer is answered (its new SDES keys take effect)
	 * or refused (they never do: RFC 3264 section 8, the session stays
	 * as it was) */
	if (m->status >= 200)
		b2bua_term_offer_done(b, c, sender, m->status < 300);
	str_of(reason, sizeof(reason), m->reason);
	dsbc_addr_fmt(&sender->addr, sender->family, ip, sizeof(ip));
	snprintf(extra, sizeof(extra), "Contact: <sip:dsbc@%s%s%s:%u%s>\r\n%s",
		 sender->family == 6 ? "[" : "", ip,
		 sender->family == 6 ? "]" : "", leg_port(b, sender),
		 contact_tp(sender),
		 sdp_len >= 0 ? "Content-Type: application/sdp\r\n" : "");
	len = b2bua_response(b, req, &c->fwd.from, m->status,
				reason[0] ? reason : "OK", NULL, extra,
				sdp_len >= 0 ? b->sdp : NULL,
				sdp_len >= 0 ? (uint32_t)sdp_len : 0, b->buf,
				sizeof(b->buf));
	if (len > 0 && c->fwd.srv != NULL) {
		dsbc_sip_txn_respond(b->txl, c->fwd.srv, m->status,
				     b->buf, len, now);
		b->st.tx_resp[m->status / 100]++;
		if (m->status >= 200 && m->status < 300 &&
		    strcmp(c->fwd.method, "INVITE") == 0)
			ok_keep(b, c, c->fwd.from_a, &c->fwd.from, b->buf, len, now);
	}
	if (m->status < 200)
		return;
	/* a 2xx to a re-INVITE is ACKed on the other leg now (13.2.2.4),
	 * or, when it carried the offer, once the sender's ACK brings the
	 * answer (ack_in) */
	if (m->status < 300 && strcmp(c->fwd.method, "INVITE") == 0) {
		free(c->re_ack_sdp[other == &c->b]);
		c->re_ack_sdp[other == &c->b] = NULL;
		c->re_late = late;
		c->re_late_to_a = other == &c->a;
		if (!late) {
			branch_new(b, branch, sizeof(branch), 'K');
			len = build_request(b, other, "ACK", c->fwd.out_cseq,
					    branch, true, other->target,
					    b->buf, sizeof(b->buf));
			if (len > 0)
				b2bua_send(b, &other->peer, b->buf, len);
		}
		/* ... and again for each retransmission of that 2xx */
		c->reack_cseq[other == &c->b] = c->fwd.out_cseq;
	}
	if (c->fwd.cli != NULL)
		c->fwd.cli->user = NULL;
	if (c->fwd.srv != NULL)
		c->fwd.srv->user = NULL;
	free(c->fwd.req);
	memset(&c->fwd, 0, sizeof(c->fwd));
}

/*
 * A request that names a dialog (a To tag): the call whose leg it names
 * by Call-ID and both tags (RFC 3261 12.2.2), from that leg's signalling
 * peer, in CSeq order.  Otherwise it is answered here (481, 403, 500)
 * and counted, and the call is untouched.
 */
static struct call *
in_dialog(struct dsbc_b2bua *b, const struct dsbc_sip_peer *from,
	  const struct dsbc_sip_msg *m, bool *is_a, uint64_t now)
{
	const struct dsbc_sip_hdr *h = dsbc_sip_hdr_get(m, DSBC_SIP_H_CSEQ, 0);
	struct dsbc_sip_str method;
	struct dsbc_sip_txn *t;
	struct call *c;
	struct leg *l;
	uint32_t seq;

	c = dialog_of(b, m, is_a);
	if (c == NULL) {
		b->st.dialog_no_match++;
		t = dsbc_sip_txn_server(b->txl, m, from, sizeof(*from), NULL, now);
		reply_simple(b, m, from, t, 481, "Call/Transaction Does Not Exist",
			     now);
		return NULL;
	}
	l = *is_a ? &c->a : &c->b;
	if (!source_ok(b, c, l, from)) {
		b->st.dialog_source++;
		t = dsbc_sip_txn_server(b->txl, m, from, sizeof(*from), NULL, now);
		reply_simple(b, m, from, t, 403, "Forbidden", now);
		return NULL;
	}
	/* from the leg's own peer, which knew the dialog's tags (dsbc's
	 * is random): its priority is refreshed.  Without the source
	 * check the source proves nothing. */
	if (c->source_check)
		b2bua_trust(b, &l->peer);
	/* section 12.2.2: lower than the last is out of order (the
	 * transaction layer has absorbed retransmissions already) */
	if (h == NULL || dsbc_sip_cseq_parse(h->value, &seq, &method) != 0)
		return NULL;
	if (l->remote_cseq_set && seq < l->remote_cseq) {
		b->st.dialog_cseq_low++;
		t = dsbc_sip_txn_server(b->txl, m, from, sizeof(*from), NULL, now);
		reply_simple(b, m, from, t, 500, "CSeq Out of Order", now);
		return NULL;
	}
	l->remote_cseq = seq;
	l->remote_cseq_set = true;
	return c;
}

/* CANCEL to B with the INVITE's branch (section 9.1). */
static void
cancel_b(struct dsbc_b2bua *b, struct call *c, uint64_t now)
{
	const struct dsbc_sip_txn *t = c->b_txn;
	const char *ruri = c->b.target, *sp, *e = NULL;
	char inv_ruri[STR_MAX];
	uint32_t len;

	/* RFC 3261 9.1: the INVITE's own Request-URI, which a Contact in
	 * B's 18x has since replaced as the remote target */
	sp = t != NULL && t->msg != NULL ? memchr(t->msg, ' ', t->msg_len) :
	     NULL;
	if (sp != NULL)
		e = memchr(sp + 1, ' ', t->msg_len - (uint32_t)(sp + 1 - t->msg));
	if (e != NULL && (size_t)(e - sp - 1) < sizeof(inv_ruri)) {
		memcpy(inv_ruri, sp + 1, (size_t)(e - sp - 1));
		inv_ruri[e - sp - 1] = '\0';
		ruri = inv_ruri;
	}
	len = build_request(b, &c->b, "CANCEL", 1, c->b_branch, false,
			    ruri, b->buf, sizeof(b->buf));
	if (len > 0 && dsbc_sip_parse(b->buf, len, &b->msg) ==
	    DSBC_SIP_ERR_NONE &&
	    dsbc_sip_txn_client(b->txl, c->b_branch,
				(uint32_t)strlen(c->b_branch), &b->msg,
				&c->b.peer, sizeof(c->b.peer), NULL,
				now) == NULL)
		b2bua_send(b, &c->b.peer, b->buf, len);
}

/* RFC 3261 section 9.2: a CANCEL ends only a pending INVITE server
 * transaction, here A's INVITE of a call not yet answered, and comes
 * from where that INVITE came. */
static void
cancel_in(struct dsbc_b2bua *b, const struct dsbc_sip_peer *from,
	  const struct dsbc_sip_msg *m, uint64_t now)
{
	struct dsbc_sip_txn *t, *inv;
	struct call *c = NULL;

	t = dsbc_sip_txn_server(b->txl, m, from, sizeof(*from), NULL, now);
	inv = dsbc_sip_txn_cancel_target(b->txl, m);
	if (inv != NULL && inv->kind == DSBC_TXN_IST)
		c = inv->user;
	if (c != NULL && c->fwd.active && c->fwd.srv == inv &&
	    inv->last_status < 200 && c->fwd.cli != NULL) {
		/* a re-INVITE being passed on (9.2 applies to it too):
		 * the other leg's is cancelled, and its 487 comes back */
		struct leg *sender = c->fwd.from_a ? &c->a : &c->b;
		struct leg *other = c->fwd.from_a ? &c->b : &c->a;
		uint32_t len;

		if (!source_ok(b, c, sender, from)) {
			b->st.dialog_source++;
			reply_simple(b, m, from, t, 403, "Forbidden", now);
			return;
		}
		reply_simple(b, m, from, t, 200, "OK", now);
		len = build_request(b, other, "CANCEL", c->fwd.out_cseq,
				    c->fwd.cli->branch, true, other->target,
				    b->buf, sizeof(b->buf));
		if (len > 0 && dsbc_sip_parse(b->buf, len, &b->msg) ==
		    DSBC_SIP_ERR_NONE &&
		    dsbc_sip_txn_client(b->txl, c->fwd.cli->branch,
					c->fwd.cli->branch_len, &b->msg,
					&other->peer, sizeof(other->peer),
					NULL, now) == NULL)
			b2bua_send(b, &other->peer, b->buf, len);
		return;
	}
	if (c == NULL && inv != NULL && inv->kind == DSBC_TXN_IST) {
		/* an INVITE waiting for a certificate: section 9.2 */
		int pk = b2bua_stir_cancel(b, inv, from, now);

		if (pk != 0) {
			if (pk < 0)
				b->st.dialog_source++;
			else
				b->st.cancelled++;
			reply_simple(b, m, from, t, pk < 0 ? 403 : 200,
				     pk < 0 ? "Forbidden" : "OK", now);
			return;
		}
	}
	if (c == NULL || c->a_txn != inv ||
	    (c->state != CALL_OFFERED && c->state != CALL_EARLY)) {
		b->st.cancel_no_match++;
		reply_simple(b, m, from, t, 481, "Call/Transaction Does Not Exist",
			     now);
		return;
	}
	if (!source_ok(b, c, &c->a, from)) {
		b->st.dialog_source++;
		reply_simple(b, m, from, t, 403, "Forbidden", now);
		return;
	}
	/* Section 9.2: 200 for the CANCEL, 487 for the INVITE */
	reply_simple(b, m, from, t, 200, "OK", now);
	answer_a(b, c, 487, "Request Terminated", NULL, 0, now);
	b->st.cancelled++;
	c->state = CALL_CANCELLING;
	c->ring_deadline = now + 64 * b2bua_t1(b);
	b2bua_call_timer(b, c, c->ring_deadline);
	cancel_b(b, c, now);
	/* The call is freed when B's 487 arrives or the ICT times out. */
}

static bool late_answer_in(struct dsbc_b2bua *b, struct call *c,
			   const struct dsbc_sip_msg *m);

/*
 * The ACK of a re-INVITE's 2xx from its sender, l, when the re-INVITE had
 * no offer: the other leg's 2xx had it, and this ACK must carry the
 * answer (RFC 3261 13.2.1), which goes on, rewritten, in dsbc's ACK of
 * that 2xx.  Without a usable answer the session cannot continue: that
 * 2xx is ACKed and the call ended.  False when it was.
 */
static bool
re_answer_in(struct dsbc_b2bua *b, struct call *c, struct leg *l,
	     const struct dsbc_sip_msg *m)
{
	struct leg *o = l == &c->a ? &c->b : &c->a;
	uint32_t cseq = c->reack_cseq[o == &c->b];
	int sdp_len = -1;

	c->re_late = false;
	if (is_sdp(m))
		sdp_len = media_update(b, c, l, o, m, true);
	if (sdp_len < 0) {
		if (!is_sdp(m))
			b->st.bad_sdp++;
		ack_2xx(b, o, cseq, NULL);
		free(c->ok_msg);
		c->ok_msg = NULL;
		b2bua_call_end(b, c, DSBC_B2BUA_END_ERROR,
			       "no answer in the ACK of a re-INVITE");
		return false;
	}
	/* the offer in o's 2xx is answered: its SDES keys take effect */
	b2bua_term_offer_done(b, c, o, true);
	c->re_ack_sdp[o == &c->b] = strndup(b->sdp, (size_t)sdp_len);
	ack_2xx(b, o, cseq, c->re_ack_sdp[o == &c->b]);
	return true;
}

/* ACK of dsbc's 2xx: stops its retransmission (13.3.1.4).  The other
 * leg's 2xx was ACKed when it came: the offer was in the INVITE, so the
 * ACKs carry no SDP and need not wait.  Never answered (17.1.1.3). */
static void
ack_in(struct dsbc_b2bua *b, const struct dsbc_sip_peer *from,
       const struct dsbc_sip_msg *m)
{
	const struct dsbc_sip_hdr *h = dsbc_sip_hdr_get(m, DSBC_SIP_H_CSEQ, 0);
	struct dsbc_sip_str method;
	bool is_a = false;
	struct call *c = dialog_of(b, m, &is_a);
	uint32_t seq = 0;

	if (h != NULL)
		dsbc_sip_cseq_parse(h->value, &seq, &method);
	if (c == NULL || !source_ok(b, c, is_a ? &c->a : &c->b, from)) {
		b->st.ack_no_match++;
		return;
	}
	if (c->ok_msg == NULL || is_a != c->ok_to_a || seq != c->ok_cseq) {
		/* its dialog's, but not for the 2xx awaiting one: a
		 * retransmission (the 2xx was ACKed), or a stale ACK of an
		 * older one, which must not stop this 2xx (13.3.1.4) */
		if (c->ok_msg == NULL || seq < c->ok_cseq)
			b->st.ack_retransmissions++;
		else
			b->st.ack_no_match++;
		return;
	}
	if (c->late && !c->b_acked && is_a && c->state == CALL_ANSWERED &&
	    !late_answer_in(b, c, m))
		return;
	if (c->re_late && c->re_late_to_a != is_a &&
	    !re_answer_in(b, c, is_a ? &c->a : &c->b, m))
		return;
	free(c->ok_msg);
	c->ok_msg = NULL;
	/* the ACK carries the To tag only the 2xx sent to the leg's peer
	 * held: that address is a party to the call (a spoofed INVITE
	 * never sees its 2xx), and keeps its priority under a flood */
	b2bua_trust(b, is_a ? &c->a.peer : &c->b.peer);
	if (c->state == CALL_ANSWERED)
		c->state = CALL_CONFIRMED;
}

void
b2bua_request(struct dsbc_b2bua *b, const struct dsbc_sip_peer *from,
	      const struct dsbc_sip_msg *m, uint64_t now)
{
	struct dsbc_sip_txn *t;
	struct call *c;
	bool is_a = false, early;

	if (m->method_id == DSBC_SIP_M_ACK) {
		ack_in(b, from, m);
		return;
	}
	if (m->method_id == DSBC_SIP_M_CANCEL) {
		cancel_in(b, from, m, now);
		return;
	}
	if (hdr_tag(m, DSBC_SIP_H_TO).len == 0) {
		/* outside any dialog: a new call, or nothing dsbc does */
		if (m->method_id == DSBC_SIP_M_INVITE) {
			invite_new(b, from, m, now);
			return;
		}
		t = dsbc_sip_txn_server(b->txl, m, from, sizeof(*from), NULL, now);
		if (m->method_id == DSBC_SIP_M_BYE ||
		    m->method_id == DSBC_SIP_M_PRACK ||
		    m->method_id == DSBC_SIP_M_UPDATE ||
		    m->method_id == DSBC_SIP_M_INFO) {
			/* methods of a dialog only (sections 15, 12.2.2) */
			b->st.dialog_no_match++;
			reply_simple(b, m, from, t, 481,
				     "Call/Transaction Does Not Exist", now);
			return;
		}
		b->st.stateless_501++;
		reply_simple(b, m, from, t, 501, "Not Implemented", now);
		return;
	}
	c = in_dialog(b, from, m, &is_a, now);
	if (c == NULL)
		return;
	switch (m->method_id) {
	case DSBC_SIP_M_INVITE:
		/* re-INVITE: a new offer for the other leg (section 14) */
		if (c->state != CALL_CONFIRMED) {
			t = dsbc_sip_txn_server(b->txl, m, from, sizeof(*from),
						NULL, now);
			reply_simple(b, m, from, t, 491, "Request Pending", now);
			return;
		}
		forward_request(b, c, is_a, from, m, now);
		return;
	case DSBC_SIP_M_BYE:
		t = dsbc_sip_txn_server(b->txl, m, from, sizeof(*from), NULL, now);
		reply_simple(b, m, from, t, 200, "OK", now);
		early = c->state == CALL_OFFERED || c->state == CALL_EARLY;
		if (early) {
			/* an early dialog ends (RFC 3261 15.1.2): A's INVITE
			 * gets 487, B's is cancelled */
			answer_a(b, c, 487, "Request Terminated", NULL, 0, now);
			cancel_b(b, c, now);
			b->st.cancelled++;
		} else {
			if (!c->b_acked)     /* a late offer's 2xx, unACKed */
				c->b_acked = ack_b_2xx(b, c);
			send_bye(b, c, is_a ? &c->b : &c->a, now);
		}
		call_free(b, c, early && is_a ? DSBC_B2BUA_END_CANCEL : is_a ?
			  DSBC_B2BUA_END_BYE_A : DSBC_B2BUA_END_BYE_B,
			  is_a ? "BYE from A" : "BYE from B");
		return;
	default:
		/* UPDATE, INFO, PRACK, MESSAGE, NOTIFY ... inside a dialog go
		 * to the other leg */
		/* the dialog exists from the 2xx on (RFC 3261 12.1), before
		 * its ACK: a request may come in between */
		if (c->state == CALL_CONFIRMED || c->state == CALL_EARLY ||
		    c->state == CALL_ANSWERED) {
			forward_request(b, c, is_a, from, m, now);
			return;
		}
		t = dsbc_sip_txn_server(b->txl, m, from, sizeof(*from), NULL, now);
		b->st.dialog_no_match++;
		reply_simple(b, m, from, t, 481, "Call/Transaction Does Not Exist",
			     now);
		return;
	}
}

/* ---- late offer (RFC 3261 13.2.1, RFC 3264) ---- */

/* B's 2xx (or its answer in A's ACK) cannot be used: B's 2xx is ACKed
 * and both dialogs end (13.2.2.4). */
static void
late_fail(struct dsbc_b2bua *b, struct call *c, bool a_answered,
	  const char *why, uint64_t now)
{
	b->st.bad_sdp++;
	if (!c->b_acked) {
		ack_b_2xx(b, c);
		c->b_acked = true;
	}
	if (a_answered)
		send_bye(b, c, &c->a, now);
	else
		answer_a(b, c, 502, "Bad Gateway", NULL, 0, now);
	send_bye(b, c, &c->b, now);
	call_free(b, c, DSBC_B2BUA_END_ERROR, why);
}

/*
 * B's 2xx to an INVITE without an offer carries B's offer: ports for
 * each m-line, the flows towards B, the offer rewritten for A in the
 * 2xx to A.  B's ACK waits for A's answer, which rides in A's ACK.
 */
static void
late_offer_in(struct dsbc_b2bua *b, struct call *c,
	      const struct dsbc_sip_msg *m, uint64_t now)
{
	unsigned int i;
	int sdp_len;

	c->state = CALL_ANSWERED;
	b->st.answered++;
	if (!is_sdp(m) || dsbc_sdp_parse(m->body.p, m->body.len, &b->sdp_in) !=
	    DSBC_SDP_ERR_NONE || b->sdp_in.nb_media == 0 ||
	    b->sdp_in.nb_media > MAX_MEDIA) {
		late_fail(b, c, false, "no offer in B's 2xx", now);
		return;
	}
	c->nb_media = b->sdp_in.nb_media;
	for (i = 0; i < c->nb_media; i++)
		c->media_ok[i] = b->sdp_in.media[i].port != 0;
	if (media_family(b, &c->b, &b->sdp_in) != 0) {
		b->st.bad_sdp++;
		late_fail(b, c, false, "no address of the offer's family",
			  now);
		return;
	}
	if (b2bua_ports_alloc(b, c, &c->a) != 0 ||
	    b2bua_ports_alloc(b, c, &c->b) != 0) {
		b->st.no_ports++;
		late_fail(b, c, false, "no media ports", now);
		return;
	}
	if (sdp_learn(b, c, &c->b, &b->sdp_in) != 0 ||
	    (c->b.ice_local && b2bua_ice_offer(b, c, &c->a) != 0)) {
		late_fail(b, c, false, "bad offer from B", now);
		return;
	}
	/* A -> B flows now: A may send as soon as it has the offer */
	for (i = 0; i < c->nb_media; i++)
		if (c->media_ok[i] && b2bua_flows_for(b, c, &c->a, &c->b, i) != 0) {
			b->st.flow_errors++;
			late_fail(b, c, false, "flow programming failed", now);
			return;
		}
	sdp_len = sdp_for(b, c, &c->a, &b->sdp_in, b->sdp, sizeof(b->sdp));
	if (sdp_len <= 0) {
		late_fail(b, c, false, "offer not rewritten", now);
		return;
	}
	answer_a(b, c, m->status, "OK", b->sdp, (uint32_t)sdp_len, now);
}

/* A's ACK with its answer: the flows towards A, and B's ACK with the
 * answer rewritten for B.  False when the call ended. */
static bool
late_answer_in(struct dsbc_b2bua *b, struct call *c,
	       const struct dsbc_sip_msg *m)
{
	unsigned int i;
	int sdp_len;

	if (!is_sdp(m) || dsbc_sdp_parse(m->body.p, m->body.len, &b->sdp_in) !=
	    DSBC_SDP_ERR_NONE || b->sdp_in.nb_media != c->nb_media ||
	    sdp_learn(b, c, &c->a, &b->sdp_in) != 0) {
		late_fail(b, c, true, "no answer in A's ACK", b->now);
		return false;
	}
	for (i = 0; i < c->nb_media; i++)
		if (c->media_ok[i] && b->sdp_in.media[i].port != 0 &&
		    b2bua_media_repoint(b, c, &c->a, &c->b, i) != 0)
			b->st.flow_errors++;
	sdp_len = sdp_for(b, c, &c->b, &b->sdp_in, b->sdp, sizeof(b->sdp));
	if (sdp_len > 0)
		c->b_ack_sdp = strndup(b->sdp, (size_t)sdp_len);
	c->b_acked = ack_b_2xx(b, c);
	return true;
}

/*
 * A 2xx of dsbc's INVITE or re-INVITE on leg l again, its transaction
 * ended: the ACK went missing, so it is sent again (13.2.2.4), with the
 * CSeq of the INVITE that 2xx answers.
 */
static void
reack_2xx(struct dsbc_b2bua *b, struct call *c, struct leg *l,
	  const struct dsbc_sip_msg *m)
{
	const struct dsbc_sip_hdr *h = dsbc_sip_hdr_get(m, DSBC_SIP_H_CSEQ, 0);
	struct dsbc_sip_str method;
	uint32_t seq;

	if (h == NULL || dsbc_sip_cseq_parse(h->value, &seq, &method) != 0 ||
	    !str_eq(hdr_tag(m, DSBC_SIP_H_FROM), l->local_tag) ||
	    !str_eq(hdr_tag(m, DSBC_SIP_H_TO), l->remote_tag))
		return;
	if (l == &c->b && seq == 1 && c->b_acked) {
		ack_b_2xx(b, c);
		return;
	}
	if (seq == 0 || seq != c->reack_cseq[l == &c->b])
		return;
	/* its offer's answer is not there yet: the ACK waits for it */
	if (c->re_late && c->re_late_to_a == (l == &c->a))
		return;
	ack_2xx(b, l, seq, c->re_ack_sdp[l == &c->b]);
}

void
b2bua_response_in(struct dsbc_b2bua *b, const struct dsbc_sip_peer *from,
		  const struct dsbc_sip_msg *m, uint64_t now)
{
	struct dsbc_sip_txn *t;
	struct dsbc_sip_nameaddr na;
	const struct dsbc_sip_hdr *h;
	const char *next;
	struct call *c;
	bool deliver, is_a;
	int sdp_len = 0;
	uint32_t i;

	(void)from;
	t = dsbc_sip_txn_response(b->txl, m, now, &deliver);
	if (t == NULL) {
		/* A retransmitted 2xx to our INVITE: repeat the ACK (13.2.2.4) */
		h = dsbc_sip_hdr_get(m, DSBC_SIP_H_CALL_ID, 0);
		c = call_by_callid(b, h->value, &is_a);
		if (c != NULL && m->status >= 200 && m->status < 300)
			reack_2xx(b, c, is_a ? &c->a : &c->b, m);
		return;
	}
	c = t->user;
	if (!deliver || c == NULL || m->status == 100)
		return;
	if (t == c->fwd.cli) {
		forward_response(b, c, m, now);
		return;
	}
	if (t != c->b_txn)
		return;        /* the CANCEL's own 200 */
	/* B's 2xx again, before its transaction ended (RFC 6026 7.2
	 * passes it up): a retransmission, ACKed again if it was */
	if (m->status >= 200 && m->status < 300 &&
	    (c->state == CALL_ANSWERED || c->state == CALL_CONFIRMED)) {
		if (c->b_acked)
			ack_b_2xx(b, c);
		return;
	}
	/* B's tag and Contact make the B dialog (section 12.1.2) */
	h = dsbc_sip_hdr_get(m, DSBC_SIP_H_TO, 0);
	if (h != NULL && dsbc_sip_nameaddr_parse(h->value.p, h->value.p +
						 h->value.len, &na, false,
						 &next) == 0 && na.tag.len > 0) {
		if (na.tag.len >= sizeof(c->b.remote_tag) &&
		    c->state != CALL_CANCELLING && m->status < 300) {
			/* a tag dsbc cannot keep whole names a dialog no
			 * request of dsbc's could reach: a provisional is
			 * not passed on; a 2xx is not ACKed (B ends that
			 * dialog itself, 13.3.1.4) and A gets 502 */
			b->st.bad_response++;
			B2B_LOG(b, NOTICE, "call %u: B's To tag of %u bytes "
				"refused", c->id, na.tag.len);
			if (m->status >= 200) {
				answer_a(b, c, 502, "Bad Gateway", NULL, 0,
					 now);
				call_free(b, c, DSBC_B2BUA_END_ERROR,
					  "B's To tag too long");
			}
			return;
		}
		str_of(c->b.remote_tag, sizeof(c->b.remote_tag), na.tag);
	}
	h = dsbc_sip_hdr_get(m, DSBC_SIP_H_CONTACT, 0);
	if (h != NULL && dsbc_sip_nameaddr_parse(h->value.p, h->value.p +
						 h->value.len, &na, true,
						 &next) == 0)
		str_of(c->b.target, sizeof(c->b.target), na.uri_str);
	/* the B dialog's route set: its 18x or 2xx's Record-Route values
	 * reversed (12.1.2), a 2xx's replacing an early one's (13.2.2.4) */
	if (m->status < 300 && c->b.remote_tag[0] != '\0' &&
	    b2bua_route_set(&c->b, m, true) != 0) {
		b->st.route_set_refused++;
		B2B_LOG(b, NOTICE, "call %u: B's Record-Route malformed or "
			"over %u bytes / %u values", c->id,
			B2BUA_ROUTE_SET_MAX, B2BUA_ROUTE_SET_VALUES);
		if (m->status >= 200) {
			/* no request of dsbc's could pass B's proxies: not
			 * ACKed (B ends its dialog), A gets 502 */
			answer_a(b, c, 502, "Bad Gateway", NULL, 0, now);
			call_free(b, c, DSBC_B2BUA_END_ERROR,
				  "B's route set refused");
		}
		return;
	}
	if (c->state == CALL_CANCELLING) {
		if (m->status >= 200 && m->status < 300) {
			/* 2xx raced the CANCEL: confirm, then hang up */
			ack_b_2xx(b, c);
			send_bye(b, c, &c->b, now);
		}
		if (m->status >= 200)
			call_free(b, c, cancel_reason(c), "cancelled");
		return;
	}
	if (m->status >= 300) {
		char reason[64];

		/* The ICT ACKed it; A gets the same status (section 16.7). */
		str_of(reason, sizeof(reason), m->reason);
		answer_a(b, c, m->status, reason[0] ? reason : "Failed",
			 NULL, 0, now);
		b->st.failed++;
		call_free(b, c, DSBC_B2BUA_END_FAILURE,
			  "failure response from B");
		return;
	}
	if (c->late) {
		/* the offer is in B's 2xx; a provisional passes without
		 * SDP (a reliable one with an offer is not supported) */
		if (m->status >= 200) {
			late_offer_in(b, c, m, now);
			return;
		}
		c->state = CALL_EARLY;
		answer_a(b, c, m->status, m->status == 180 ? "Ringing" :
			 "Session Progress", NULL, 0, now);
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
		    sdp_learn(b, c, &c->b, &b->sdp_in) != 0 ||
		    b2bua_term_answer(b, c, &c->b, &b->sdp_in) != 0) {
			b->st.bad_sdp++;
			if (m->status >= 200) {
				/* a 2xx whose answer is refused is still
				 * ACKed, then the dialog ended (13.2.2.4) */
				ack_b_2xx(b, c);
				answer_a(b, c, 502, "Bad Gateway", NULL, 0, now);
				send_bye(b, c, &c->b, now);
				call_free(b, c, DSBC_B2BUA_END_ERROR,
					  "bad answer from B");
			}
			return;
		}
		for (i = 0; i < c->nb_media; i++)
			if (c->media_ok[i] && b->sdp_in.media[i].port != 0 &&
			    b2bua_media_repoint(b, c, &c->b, &c->a, i) != 0)
				b->st.flow_errors++;
		sdp_len = sdp_for(b, c, &c->a, &b->sdp_in, b->sdp,
				  sizeof(b->sdp));
		if (sdp_len < 0)
			sdp_len = 0;
		/* A has dsbc's answer: dsbc's side of A's DTLS starts */
		else if (b2bua_term_start(b, c, &c->a) != 0)
			b->st.flow_errors++;
		c->b_answered = true;
	} else if (m->status >= 200 && !c->b_answered) {
		/* A's offer must be answered by the 2xx at the latest
		 * (RFC 3261 13.2.1): without an answer there is no
		 * session to set up; ACKed, then ended (13.2.2.4) */
		b->st.bad_response++;
		ack_b_2xx(b, c);
		answer_a(b, c, 502, "Bad Gateway", NULL, 0, now);
		send_bye(b, c, &c->b, now);
		call_free(b, c, DSBC_B2BUA_END_ERROR,
			  "B's 2xx without an answer");
		return;
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
		answer_a_hdrs(b, c, m->status, m->status == 180 ? "Ringing" :
			      "Session Progress", rel, sdp_len ? b->sdp : NULL,
			      (uint32_t)sdp_len, now);
		return;
	}
	c->state = CALL_ANSWERED;
	b->st.answered++;
	/* ACK B's 2xx now (section 13.2.2.4) */
	if (ack_b_2xx(b, c))
		c->b_acked = true;
	answer_a(b, c, m->status, "OK", sdp_len ? b->sdp : NULL,
		 (uint32_t)sdp_len, now);
}

void
b2bua_txn_timeout(struct dsbc_b2bua *b, struct dsbc_sip_txn *t)
{
	struct call *c = t->user;

	if (c != NULL && t == c->fwd.cli && c->fwd.srv != NULL) {
		/* the other leg never answered a forwarded request */
		struct dsbc_sip_msg *req = &b->msg;

		if (dsbc_sip_parse(c->fwd.req, c->fwd.req_len, req) ==
		    DSBC_SIP_ERR_NONE)
			reply_simple(b, req, &c->fwd.from, c->fwd.srv,
				     b->transport_failing ? 503 : 408,
				     b->transport_failing ?
				     "Service Unavailable" : "Request Timeout",
				     b->now);
		free(c->fwd.req);
		memset(&c->fwd, 0, sizeof(c->fwd));
		return;
	}
	if (c == NULL || t != c->b_txn)
		return;
	/* Timer B: B never answered; A gets 408.  No stream to B at all:
	 * a transport error, 503 (section 8.1.3.1). */
	if (b->transport_failing) {
		answer_a(b, c, 503, "Service Unavailable", NULL, 0, b->now);
		call_free(b, c, DSBC_B2BUA_END_NO_ANSWER,
			  "no transport to B");
		return;
	}
	b->st.timeouts++;
	answer_a(b, c, 408, "Request Timeout", NULL, 0,
		 b->now);
	call_free(b, c, DSBC_B2BUA_END_NO_ANSWER, "no answer from B");
}

void
b2bua_txn_gone(struct dsbc_b2bua *b, struct dsbc_sip_txn *t)
{
	struct call *c = t->user;

	(void)b;
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

/* ---- timers of calls ---- */

/*
 * Calls with a timer of their own (a 2xx retransmitted until its ACK,
 * DTLS handshakes of terminator mode) are on a list, so a tick visits
 * them and not every call: a confirmed call without one costs nothing.
 */
void
b2bua_call_timer(struct dsbc_b2bua *b, struct call *c, uint64_t at)
{
	uint32_t idx = (uint32_t)(c - b->calls) + 1;

	if (!c->timed) {
		c->timed = true;
		c->timed_prev = 0;
		c->timed_next = b->timed_head;
		if (b->timed_head != 0)
			b->calls[b->timed_head - 1].timed_prev = idx;
		b->timed_head = idx;
	}
	if (at < b->next_call_at)
		b->next_call_at = at;
}

static void
call_untime(struct dsbc_b2bua *b, struct call *c)
{
	if (!c->timed)
		return;
	if (c->timed_prev != 0)
		b->calls[c->timed_prev - 1].timed_next = c->timed_next;
	else
		b->timed_head = c->timed_next;
	if (c->timed_next != 0)
		b->calls[c->timed_next - 1].timed_prev = c->timed_prev;
	c->timed = false;
	c->timed_next = c->timed_prev = 0;
}

/* One call's timers at now; false when it has none left (or is gone). */
static bool
call_tick(struct dsbc_b2bua *b, struct call *c, uint64_t now, uint64_t *next)
{
	bool pending = b2bua_term_tick(b, c, now, next);

	if (c->state == CALL_FREE)
		return false;
	if (c->ring_deadline != 0 && now >= c->ring_deadline) {
		if (c->state == CALL_CANCELLING) {
			/* B never answered the CANCEL (RFC 3261 9.1) */
			call_free(b, c, cancel_reason(c),
				  "cancelled, B silent");
			return false;
		}
		if (c->state == CALL_OFFERED || c->state == CALL_EARLY) {
			/* ringing too long (RFC 3261 16.6 timer C, which
			 * a B2BUA keeps for its callers): 408 to A, B is
			 * cancelled */
			b->st.timeouts++;
			c->rang_out = true;
			answer_a(b, c, 408, "Request Timeout", NULL, 0, now);
			cancel_b(b, c, now);
			c->state = CALL_CANCELLING;
			c->ring_deadline = now + 64 * b2bua_t1(b);
		} else {
			c->ring_deadline = 0;
		}
	}
	if (c->ring_deadline != 0) {
		if (c->ring_deadline < *next)
			*next = c->ring_deadline;
		pending = true;
	}
	if (c->ok_msg == NULL)
		return pending;
	if (now >= c->ok_give_up) {
		/* Section 13.3.1.4: no ACK, the dialog ends with BYE (B's
		 * 2xx to a late offer is ACKed first) */
		if (!c->b_acked)
			c->b_acked = ack_b_2xx(b, c);
		send_bye(b, c, &c->b, now);
		send_bye(b, c, &c->a, now);
		call_free(b, c, DSBC_B2BUA_END_NO_ACK,
			  c->ok_to_a ? "no ACK from A" : "no ACK from B");
		return false;
	}
	if (now >= c->ok_retx_at) {
		b->st.ok_retransmissions++;
		b2bua_send(b, &c->ok_to, c->ok_msg, c->ok_len);
		/* doubling up to T2 (RFC 3261 13.3.1.4) */
		c->ok_retx_ms = c->ok_retx_ms * 2 > 4000 ? 4000 :
				c->ok_retx_ms * 2;
		c->ok_retx_at = now + c->ok_retx_ms;
	}
	if (c->ok_retx_at < *next)
		*next = c->ok_retx_at;
	/* the last retransmission may be due after 64*T1: the end is not */
	if (c->ok_give_up < *next)
		*next = c->ok_give_up;
	return true;
}

void
b2bua_calls_tick(struct dsbc_b2bua *b, uint64_t now)
{
	uint32_t idx = b->timed_head, nxt;
	uint64_t next = UINT64_MAX;

	while (idx != 0) {
		struct call *c = &b->calls[idx - 1];

		nxt = c->timed_next;
		if (!call_tick(b, c, now, &next))
			call_untime(b, c);
		idx = nxt;
	}
	b->next_call_at = next;
}

uint64_t
b2bua_calls_next(const struct dsbc_b2bua *b)
{
	return b->next_call_at;
}

/* End a call for a media failure: BYE on both legs once it is
 * confirmed; before that it is marked and ended when it is. */
void
b2bua_call_abort(struct dsbc_b2bua *b, struct call *c, const char *why)
{
	uint64_t now = b->now;

	if (c->state != CALL_CONFIRMED) {
		c->term_failed = true;
		b2bua_call_timer(b, c, now);
		return;
	}
	send_bye(b, c, &c->a, now);
	send_bye(b, c, &c->b, now);
	call_free(b, c, DSBC_B2BUA_END_MEDIA_FAILURE, why);
}

/* ---- media-plane events ---- */

static void call_end_now(struct dsbc_b2bua *b, struct call *c,
			 enum dsbc_b2bua_end reason, const char *why,
			 uint64_t now);

void
b2bua_call_end(struct dsbc_b2bua *b, struct call *c,
	       enum dsbc_b2bua_end reason, const char *why)
{
	call_end_now(b, c, reason, why, b->now);
}

uint32_t
dsbc_b2bua_end_calls(struct dsbc_b2bua *b, uint32_t max, uint64_t now)
{
	uint32_t i, n = 0;

	b->now = now;
	b->draining = true;
	/* from where the last batch stopped: the slots before it are free */
	for (i = b->end_next; i < b->max_calls && n < max; i++) {
		struct call *c = &b->calls[i];

		if (c->state == CALL_FREE)
			continue;
		call_end_now(b, c, DSBC_B2BUA_END_SHUTDOWN, "shutdown", now);
		n++;
	}
	b->end_next = i < b->max_calls ? i : 0;
	b->st.shutdown_ended += n;
	return n;
}

void
dsbc_b2bua_flow_idle(struct dsbc_b2bua *b, uint32_t flow_id,
		     dsbc_b2bua_cookie_t cookie, uint64_t now)
{
	struct call *c;

	(void)flow_id;
	b->now = now;
	c = b2bua_call_of_cookie(b, cookie);
	if (c == NULL || c->state != CALL_CONFIRMED)
		return;
	b->st.idle_ended++;
	send_bye(b, c, &c->a, now);
	send_bye(b, c, &c->b, now);
	call_free(b, c, DSBC_B2BUA_END_MEDIA_TIMEOUT, "media inactivity");
}

/*
 * A worker could not apply a flow op, or the host could not deliver it:
 * the call cannot carry its media as signalled.  It ends cleanly now
 * (BYE to confirmed legs, 503 to an unanswered A); its flows are removed
 * with it, so no slot stays taken.
 */
void
dsbc_b2bua_flow_failed(struct dsbc_b2bua *b, uint32_t flow_id,
		       dsbc_b2bua_cookie_t cookie, int status, uint64_t now)
{
	struct call *c;

	b->now = now;
	c = b2bua_call_of_cookie(b, cookie);
	if (c == NULL)
		return;
	b->st.flow_errors++;
	B2B_LOG(b, WARNING, "call %u: flow %u refused (%d): call ended",
		c->id, flow_id, status);
	call_end_now(b, c, DSBC_B2BUA_END_MEDIA_FAILURE,
		     "flow programming failed", now);
}

/* End a call in whatever state it is: A's INVITE answered 503 if it
 * was not, B's cancelled, BYE to the legs of a dialog. */
static void
call_end_now(struct dsbc_b2bua *b, struct call *c, enum dsbc_b2bua_end reason,
	     const char *why, uint64_t now)
{
	switch (c->state) {
	case CALL_OFFERED:
	case CALL_EARLY:
		answer_a(b, c, 503, "Service Unavailable", NULL, 0, now);
		cancel_b(b, c, now);
		b->st.failed++;
		break;
	case CALL_ANSWERED:
	case CALL_CONFIRMED:
		send_bye(b, c, &c->a, now);
		send_bye(b, c, &c->b, now);
		break;
	default:
		break;
	}
	call_free(b, c, reason, why);
}
