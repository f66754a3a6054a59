/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What dsbc answers without dialog state: refused requests with the
 * status RFC 3261 / RFC 4475 give them, 420 for extensions it does not
 * support (section 8.2.2.3), 483 when Max-Forwards is exhausted (16.3),
 * OPTIONS with 200 (11.2).  The rest goes to the B2BUA (b2bua.c).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "b2bua_internal.h"
#include "dsbc_sip_check.h"
#include "dsbc_sip_hdr.h"
#include "dsbc_sip_txn.h"

#define SUPPORTED_TAGS "100rel,timer,replaces"
#define ALLOW "INVITE, ACK, BYE, CANCEL, OPTIONS, PRACK, UPDATE, INFO"

struct resp {
	char *p;
	uint32_t len;
	uint32_t cap;
	bool full;
};

static void
put(struct resp *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(r->p + r->len, r->cap - r->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (uint32_t)n >= r->cap - r->len)
		r->full = true;
	else
		r->len += (uint32_t)n;
}

static void
put_hdr(struct resp *r, const struct dsbc_sip_hdr *h, const char *name)
{
	put(r, "%s: %.*s\r\n", name, (int)h->value.len, h->value.p);
}

/*
 * The top Via with what RFC 3261 section 18.2.1 and RFC 3581 section 4
 * add: received= always (dsbc anchors NATed clients), rport=<port> when
 * the client asked for it.
 */
static void
put_top_via(struct resp *r, const struct dsbc_sip_hdr *h,
	    const struct dsbc_sip_peer *from)
{
	struct dsbc_sip_via v;
	const char *next, *end = h->value.p + h->value.len;
	const char *vend, *p;
	char ip[64];

	if (dsbc_sip_via_parse(h->value.p, end, &v, &next) != 0) {
		put_hdr(r, h, "Via");
		return;
	}
	vend = v.params.p + v.params.len;
	dsbc_addr_fmt(&from->remote, from->family, ip, sizeof(ip));
	put(r, "Via: %.*s", (int)(v.params.p - h->value.p), h->value.p);
	/* each ;param, with a bare rport given its value */
	for (p = v.params.p; p < vend;) {
		const char *q = memchr(p + 1, ';', (size_t)(vend - p - 1));
		const char *a = p + 1, *b;

		if (q == NULL)
			q = vend;
		while (a < q && (*a == ' ' || *a == '\t'))
			a++;
		b = q;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (v.has_rport && v.rport == 0 && b - a == 5 &&
		    strncasecmp(a, "rport", 5) == 0)
			put(r, ";rport=%u", from->remote_port);
		else
			put(r, "%.*s", (int)(q - p), p);
		p = q;
	}
	if (v.received.len == 0)
		put(r, ";received=%s", ip);
	put(r, "%.*s\r\n", (int)(end - vend), vend);
}

uint32_t
b2bua_response(struct dsbc_b2bua *b, const struct dsbc_sip_msg *req,
	       const struct dsbc_sip_peer *from, int status,
	       const char *reason, const char *to_tag, const char *extra,
	       const char *body, uint32_t body_len, char *out, uint32_t cap)
{
	struct resp r = { .p = out, .cap = cap };
	const struct dsbc_sip_hdr *h;
	unsigned int i;
	bool top = true, initial = false;

	put(&r, "SIP/2.0 %d %s\r\n", status, reason);
	for (i = 0; i < req->nb_hdrs; i++) {
		h = &req->hdrs[i];
		if (h->id != DSBC_SIP_H_VIA)
			continue;
		if (top)
			put_top_via(&r, h, from);
		else
			put_hdr(&r, h, "Via");
		top = false;
	}
	if ((h = dsbc_sip_hdr_get(req, DSBC_SIP_H_FROM, 0)) != NULL)
		put_hdr(&r, h, "From");
	if ((h = dsbc_sip_hdr_get(req, DSBC_SIP_H_TO, 0)) != NULL) {
		struct dsbc_sip_nameaddr na;
		const char *next;
		bool tagged = dsbc_sip_nameaddr_parse(h->value.p, h->value.p +
						      h->value.len, &na, false,
						      &next) == 0 &&
			      na.tag.len > 0;

		initial = !tagged;
		put(&r, "To: %.*s", (int)h->value.len, h->value.p);
		/* section 8.2.6.2: a tag on every answer but 100 */
		if (!tagged && status > 100) {
			char tag[32];

			if (to_tag == NULL &&
			    b2bua_token(b, tag, sizeof(tag), "", 8) == 0)
				to_tag = tag;
			if (to_tag != NULL)
				put(&r, ";tag=%s", to_tag);
		}
		put(&r, "\r\n");
	}
	if ((h = dsbc_sip_hdr_get(req, DSBC_SIP_H_CALL_ID, 0)) != NULL)
		put_hdr(&r, h, "Call-ID");
	if ((h = dsbc_sip_hdr_get(req, DSBC_SIP_H_CSEQ, 0)) != NULL)
		put_hdr(&r, h, "CSeq");
	/* RFC 3261 12.1.1: a response that makes a dialog (18x with a tag,
	 * 2xx to an INVITE outside one) echoes the Record-Route values in
	 * order, so the proxies that record-routed stay on the path */
	if (initial && status > 100 && status < 300 &&
	    req->method_id == DSBC_SIP_M_INVITE)
		for (i = 0; i < req->nb_hdrs; i++)
			if (req->hdrs[i].id == DSBC_SIP_H_RECORD_ROUTE)
				put_hdr(&r, &req->hdrs[i], "Record-Route");
	put(&r, "Server: %s\r\n", b->bc.server);
	if (extra != NULL)
		put(&r, "%s", extra);
	put(&r, "Content-Length: %u\r\n\r\n", body_len);
	if (body_len > 0 && !r.full) {
		if (body_len >= r.cap - r.len)
			r.full = true;
		else {
			memcpy(r.p + r.len, body, body_len);
			r.len += body_len;
		}
	}
	return r.full ? 0 : r.len;
}

/* A stateless answer to req, back where it came from; to_tag NULL: a
 * random one where it needs one.  -1 when it could not be built. */
static int
respond_tagged(struct dsbc_b2bua *b, const struct dsbc_sip_msg *req,
	       const struct dsbc_sip_peer *from, int status,
	       const char *reason, const char *to_tag, const char *extra)
{
	uint32_t len = b2bua_response(b, req, from, status, reason, to_tag,
				      extra, NULL, 0, b->buf, sizeof(b->buf));

	if (len == 0) {
		b->st.send_fail++;
		return -1;
	}
	/* Section 18.2.2 with RFC 3581: back to the source address and
	 * port the request came from. */
	if (b2bua_send(b, from, b->buf, len) == 0)
		b->st.tx_resp[status / 100]++;
	return 0;
}

/* A stateless answer, a To tag drawn at random where it needs one. */
/* Does a request's To carry a tag (is it inside a dialog, 12.2)? */
static bool
to_tagged(const struct dsbc_sip_msg *m)
{
	const struct dsbc_sip_hdr *h = dsbc_sip_hdr_get(m, DSBC_SIP_H_TO, 0);
	struct dsbc_sip_nameaddr na;
	const char *next;

	return h != NULL && dsbc_sip_nameaddr_parse(h->value.p, h->value.p +
						    h->value.len, &na, false,
						    &next) == 0 &&
	       na.tag.len > 0;
}

static void
respond(struct dsbc_b2bua *b, const struct dsbc_sip_msg *req,
	const struct dsbc_sip_peer *from, int status, const char *reason,
	const char *extra)
{
	respond_tagged(b, req, from, status, reason, NULL, extra);
}

/* A To tag for a stateless answer: a keyed FNV-1a of the request's
 * Call-ID, From and top Via (its branch), the same for every copy. */
static void
stateless_tag(const struct dsbc_b2bua *b, const struct dsbc_sip_msg *m,
	      char *tag, size_t cap)
{
	static const enum dsbc_sip_hdr_id ids[] = {
		DSBC_SIP_H_CALL_ID, DSBC_SIP_H_FROM, DSBC_SIP_H_VIA,
	};
	uint64_t h = 0xcbf29ce484222325ull ^ b->cid_seed;
	unsigned int i;
	uint32_t k;

	for (i = 0; i < DIM(ids); i++) {
		const struct dsbc_sip_hdr *x = dsbc_sip_hdr_get(m, ids[i], 0);

		for (k = 0; x != NULL && k < x->value.len; k++) {
			h ^= (uint8_t)x->value.p[k];
			h *= 0x100000001b3ull;
		}
	}
	snprintf(tag, cap, "s%016" PRIx64, h);
}

int
dsbc_b2bua_sip_refuse(struct dsbc_b2bua *b, const struct dsbc_sip_peer *from,
		      const char *buf, uint32_t len, uint32_t retry_after_s)
{
	struct dsbc_sip_msg *m = &b->in;
	char extra[48], tag[20];

	if (dsbc_sip_parse(buf, len, m) != DSBC_SIP_ERR_NONE ||
	    !m->request || m->method_id == DSBC_SIP_M_ACK ||
	    dsbc_sip_check_request(m) != DSBC_SIP_ERR_NONE)
		return -1;
	snprintf(extra, sizeof(extra), "Retry-After: %u\r\n", retry_after_s);
	/* RFC 3261 8.2.7: a stateless UAS gives a retransmitted request
	 * the same To tag, so it is derived from the request (keyed) */
	stateless_tag(b, m, tag, sizeof(tag));
	return respond_tagged(b, m, from, 503, "Service Unavailable", tag,
			      extra);
}

void
dsbc_b2bua_sip_input(struct dsbc_b2bua *b, const struct dsbc_sip_peer *from,
		     const char *buf, uint32_t len, uint64_t now)
{
	struct dsbc_sip_msg *mp = &b->in;
	const struct dsbc_sip_hdr *h;
	enum dsbc_sip_err e;
	const char *branch;
	char extra[512];
	uint32_t mf, blen;

#define m (*mp)
	b->now = now;
	b->st.sip_rx++;
	e = dsbc_sip_parse(buf, len, &m);
	if (e == DSBC_SIP_ERR_NONE)
		e = m.request ? dsbc_sip_check_request(&m) :
			dsbc_sip_check_response(&m);
	if (e != DSBC_SIP_ERR_NONE) {
		b->st.sip_err[e]++;
		/* Never answer a response or an ACK (section 17.1.1.3). */
		if (!m.request || m.method_id == DSBC_SIP_M_ACK ||
		    dsbc_sip_err_status(e) == 0 || m.method.len == 0) {
			b->st.discarded++;
			return;
		}
		respond(b, &m, from, dsbc_sip_err_status(e),
			dsbc_sip_err_reason(e), NULL);
		return;
	}
	if (!m.request) {
		b->st.rx_resp[m.status / 100]++;
		if (!b2bua_reg_pong(b, from, &m))
			b2bua_response_in(b, from, &m, now);
		goto out;
	}
	b->st.rx_req[m.method_id]++;
	/* Section 8.1.1.7: a request's branch names its transaction; one
	 * without the magic cookie (an RFC 2543 peer) or too long for the
	 * table could never be answered through one, so it is refused */
	if (m.method_id != DSBC_SIP_M_ACK &&
	    (dsbc_sip_top_branch(&m, &branch, &blen) != 0 || blen < 8 ||
	     strncmp(branch, "z9hG4bK", 7) != 0)) {
		b->st.bad_branch++;
		respond(b, &m, from, 400, "Missing or Bad Via Branch", NULL);
		goto out;
	}
	/* Retransmissions, and ACKs of our non-2xx, end here (17.2.3). */
	if (dsbc_sip_txn_match_request(b->txl, &m, now) != NULL) {
		b->st.retransmissions_absorbed++;
		goto out;
	}
	if (m.method_id == DSBC_SIP_M_ACK) {
		b2bua_request(b, from, &m, now);
		goto out;
	}
	if (m.method_id != DSBC_SIP_M_CANCEL &&
	    dsbc_sip_unsupported(&m, SUPPORTED_TAGS, extra + 13,
				 sizeof(extra) - 16) > 0) {
		memcpy(extra, "Unsupported: ", 13);
		strcat(extra, "\r\n");
		respond(b, &m, from, 420, "Bad Extension", extra);
		goto out;
	}
	h = dsbc_sip_hdr_get(&m, DSBC_SIP_H_MAX_FORWARDS, 0);
	if (m.method_id == DSBC_SIP_M_OPTIONS && b->draining &&
	    !to_tagged(&m)) {
		/* what a proxy's dispatcher probes: no new calls here (an
		 * OPTIONS inside a dialog, a keepalive, is answered as
		 * ever: its call goes on) */
		b->st.drain_refused++;
		respond(b, &m, from, 503, "Service Unavailable",
			"Retry-After: 60\r\n");
		goto out;
	}
	if (m.method_id == DSBC_SIP_M_OPTIONS) {
		respond(b, &m, from, 200, "OK",
			"Allow: " ALLOW "\r\nAccept: application/sdp\r\n"
			"Supported: " SUPPORTED_TAGS "\r\n");
		goto out;
	}
	if (h != NULL && dsbc_sip_uint_parse(h->value, 255, &mf) == 0 &&
	    mf == 0) {
		respond(b, &m, from, 483, "Too Many Hops", NULL);
		goto out;
	}
	if (m.method_id == DSBC_SIP_M_REGISTER) {
		b2bua_register_in(b, from, &m, now);
		goto out;
	}
	b2bua_request(b, from, &m, now);
out:
	b->st.txns = dsbc_sip_txl_count(b->txl);
#undef m
}
