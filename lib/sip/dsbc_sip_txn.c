/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsbc_sip_hdr.h"
#include "dsbc_sip_txn.h"


struct dsbc_sip_txl {
	struct dsbc_sip_txl_cfg cfg;
	struct dsbc_sip_txl_ops ops;
	void *ctx;
	uint32_t count;
	uint32_t free_head;              /* 1-based free list through hash_next */
	uint32_t *bucket;                /* 1-based index of the first, 0 none */
	uint32_t bucket_mask;            /* buckets - 1: as many as entries */
	struct dsbc_sip_txn *t;          /* cfg.max_txns entries */
	/* timers: a binary min-heap of transaction ids by their next due
	 * time, so a tick costs O(log n) per timer that fires, not a walk
	 * over the table */
	uint32_t *heap;
	uint32_t heap_len;
};

static uint64_t
due_of(const struct dsbc_sip_txl *l, uint32_t id)
{
	return l->t[id - 1].due;
}

static void
heap_set(struct dsbc_sip_txl *l, uint32_t pos, uint32_t id)
{
	l->heap[pos] = id;
	l->t[id - 1].heap_pos = pos + 1;
}

static void
heap_up(struct dsbc_sip_txl *l, uint32_t pos)
{
	uint32_t id = l->heap[pos];

	while (pos > 0 && due_of(l, l->heap[(pos - 1) / 2]) > due_of(l, id)) {
		heap_set(l, pos, l->heap[(pos - 1) / 2]);
		pos = (pos - 1) / 2;
	}
	heap_set(l, pos, id);
}

static void
heap_down(struct dsbc_sip_txl *l, uint32_t pos)
{
	uint32_t id = l->heap[pos], c;

	for (;;) {
		c = 2 * pos + 1;
		if (c >= l->heap_len)
			break;
		if (c + 1 < l->heap_len &&
		    due_of(l, l->heap[c + 1]) < due_of(l, l->heap[c]))
			c++;
		if (due_of(l, l->heap[c]) >= due_of(l, id))
			break;
		heap_set(l, pos, l->heap[c]);
		pos = c;
	}
	heap_set(l, pos, id);
}

static void
heap_remove(struct dsbc_sip_txl *l, struct dsbc_sip_txn *t)
{
	uint32_t pos = t->heap_pos - 1, last;

	if (t->heap_pos == 0)
		return;
	t->heap_pos = 0;
	last = l->heap[--l->heap_len];
	if (pos == l->heap_len)
		return;
	heap_set(l, pos, last);
	heap_down(l, pos);
	heap_up(l, l->t[last - 1].heap_pos - 1);
}

/* t's timers changed: its place in the heap follows the earliest. */
static void
rearm(struct dsbc_sip_txl *l, struct dsbc_sip_txn *t)
{
	uint64_t due = 0;

	if (t->retx_at != 0)
		due = t->retx_at;
	if (t->timeout_at != 0 && (due == 0 || t->timeout_at < due))
		due = t->timeout_at;
	if (t->end_at != 0 && (due == 0 || t->end_at < due))
		due = t->end_at;
	if (due == 0) {
		heap_remove(l, t);
		return;
	}
	t->due = due;
	if (t->heap_pos == 0) {
		heap_set(l, l->heap_len++, t->id);
		heap_up(l, l->heap_len - 1);
	} else {
		heap_up(l, t->heap_pos - 1);
		heap_down(l, t->heap_pos - 1);
	}
}

/* A message the transaction will never send again: freed, so state
 * that only absorbs retransmissions costs its entry alone. */
static void
drop_stored(struct dsbc_sip_txn *t)
{
	free(t->msg);
	t->msg = NULL;
	t->msg_len = 0;
}

static uint32_t
hash(const struct dsbc_sip_txl *l, const char *b, uint32_t n)
{
	uint32_t h = 2166136261u ^ l->cfg.hash_seed, i;

	for (i = 0; i < n; i++)
		h = (h ^ (uint8_t)b[i]) * 16777619u;
	return (h ^ (h >> 15)) & l->bucket_mask;
}

struct dsbc_sip_txl *
dsbc_sip_txl_create(const struct dsbc_sip_txl_cfg *cfg,
		    const struct dsbc_sip_txl_ops *ops, void *ctx)
{
	struct dsbc_sip_txl *l = calloc(1, sizeof(*l));
	uint32_t i;

	if (l == NULL || cfg->max_txns == 0)
		goto fail;
	l->cfg = *cfg;
	if (l->cfg.t1_ms == 0)
		l->cfg.t1_ms = 500;
	if (l->cfg.t2_ms == 0)
		l->cfg.t2_ms = 4000;
	if (l->cfg.t4_ms == 0)
		l->cfg.t4_ms = 5000;
	l->ops = *ops;
	l->ctx = ctx;
	l->t = calloc(cfg->max_txns, sizeof(*l->t));
	l->heap = calloc(cfg->max_txns, sizeof(*l->heap));
	for (l->bucket_mask = 63; l->bucket_mask < cfg->max_txns - 1;
	     l->bucket_mask = l->bucket_mask * 2 + 1)
		;
	l->bucket = calloc((size_t)l->bucket_mask + 1, sizeof(*l->bucket));
	if (l->t == NULL || l->heap == NULL || l->bucket == NULL)
		goto fail;
	/* resident from the start: the table's memory does not grow with
	 * the load (each entry is written just below) */
	for (i = 0; i < cfg->max_txns; i += 1024)
		((volatile uint32_t *)l->heap)[i] = 0;
	for (i = 0; i <= l->bucket_mask; i += 1024)
		((volatile uint32_t *)l->bucket)[i] = 0;
	for (i = 0; i < cfg->max_txns; i++) {
		l->t[i].id = i + 1;
		l->t[i].hash_next = i + 2 <= cfg->max_txns ? i + 2 : 0;
	}
	l->free_head = 1;
	return l;
fail:
	if (l != NULL) {
		free(l->t);
		free(l->heap);
		free(l->bucket);
	}
	free(l);
	return NULL;
}

static void
release(struct dsbc_sip_txl *l, struct dsbc_sip_txn *t)
{
	uint32_t b = hash(l, t->branch, t->branch_len), *pp = &l->bucket[b];

	while (*pp != 0 && *pp != t->id)
		pp = &l->t[*pp - 1].hash_next;
	if (*pp == t->id)
		*pp = t->hash_next;
	heap_remove(l, t);
	free(t->msg);
	free(t->ack);
	memset(t, 0, sizeof(*t));
	t->id = (uint32_t)(t - l->t) + 1;
	t->hash_next = l->free_head;
	l->free_head = t->id;
	l->count--;
}

void
dsbc_sip_txl_free(struct dsbc_sip_txl *l)
{
	uint32_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->cfg.max_txns; i++) {
		free(l->t[i].msg);
		free(l->t[i].ack);
	}
	free(l->t);
	free(l->heap);
	free(l->bucket);
	free(l);
}

uint32_t
dsbc_sip_txl_count(const struct dsbc_sip_txl *l)
{
	return l->count;
}

/*
 * The top Via's sent-by (RFC 3261 17.2.3: a server transaction matches
 * on branch, sent-by and method), as a hash keyed with hash_seed: host
 * case-insensitive, port as given (absent is 0).  Callers found the
 * branch in that Via already; without one the value is only a constant.
 */
static uint32_t
sent_by(const struct dsbc_sip_txl *l, const struct dsbc_sip_msg *m)
{
	const struct dsbc_sip_hdr *h = dsbc_sip_hdr_get(m, DSBC_SIP_H_VIA, 0);
	struct dsbc_sip_via v;
	const char *next;
	uint32_t x = 2166136261u ^ ~l->cfg.hash_seed, i;

	if (h == NULL || dsbc_sip_via_parse(h->value.p, h->value.p +
					    h->value.len, &v, &next) != 0)
		return 1;
	for (i = 0; i < v.host.len; i++) {
		uint8_t c = (uint8_t)v.host.p[i];

		if (c >= 'A' && c <= 'Z')
			c = (uint8_t)(c - 'A' + 'a');
		x = (x ^ c) * 16777619u;
	}
	x = (x ^ (v.port & 0xff)) * 16777619u;
	x = (x ^ (v.port >> 8)) * 16777619u;
	return x;
}

int
dsbc_sip_top_branch(const struct dsbc_sip_msg *m, const char **branch,
		    uint32_t *len)
{
	const struct dsbc_sip_hdr *h = dsbc_sip_hdr_get(m, DSBC_SIP_H_VIA, 0);
	struct dsbc_sip_via v;
	const char *next;

	*len = 0;
	if (h == NULL || dsbc_sip_via_parse(h->value.p, h->value.p +
					    h->value.len, &v, &next) != 0 ||
	    v.branch.len == 0 || v.branch.len >= DSBC_SIP_TXN_BRANCH_MAX)
		return -1;
	*branch = v.branch.p;
	*len = v.branch.len;
	return 0;
}

/* method of the CSeq (equal to the request method after the checks) */
static int
cseq_method(const struct dsbc_sip_msg *m, struct dsbc_sip_str *meth)
{
	const struct dsbc_sip_hdr *h = dsbc_sip_hdr_get(m, DSBC_SIP_H_CSEQ, 0);
	uint32_t seq;

	return h == NULL ? -1 : dsbc_sip_cseq_parse(h->value, &seq, meth);
}

/* server (m the request): by its sent-by too, worked out only once a
 * branch and method match, which most new requests never do */
static struct dsbc_sip_txn *
find(struct dsbc_sip_txl *l, const char *b, uint32_t blen, const char *method,
     uint32_t mlen, const struct dsbc_sip_msg *m)
{
	uint32_t i = l->bucket[hash(l, b, blen)], sby = 0;
	bool server = m != NULL, have_sby = false;

	while (i != 0) {
		struct dsbc_sip_txn *t = &l->t[i - 1];

		if (t->branch_len == blen && memcmp(t->branch, b, blen) == 0 &&
		    strlen(t->method) == mlen &&
		    memcmp(t->method, method, mlen) == 0 &&
		    (t->kind >= DSBC_TXN_IST) == server) {
			if (!server)
				return t;
			if (!have_sby) {
				sby = sent_by(l, m);
				have_sby = true;
			}
			if (t->sent_by == sby)
				return t;
		}
		i = t->hash_next;
	}
	return NULL;
}

static struct dsbc_sip_txn *
alloc(struct dsbc_sip_txl *l, enum dsbc_sip_txn_kind kind, const char *b,
      uint32_t blen, struct dsbc_sip_str method, uint8_t method_id,
      const void *dest, uint32_t dest_len, void *user)
{
	struct dsbc_sip_txn *t;
	uint32_t bk;

	if (l->free_head == 0 || blen >= DSBC_SIP_TXN_BRANCH_MAX ||
	    method.len >= sizeof(t->method) || dest_len > DSBC_SIP_TXN_DEST_MAX)
		return NULL;
	t = &l->t[l->free_head - 1];
	l->free_head = t->hash_next;
	t->in_use = 1;
	t->kind = (uint8_t)kind;
	t->method_id = method_id;
	memcpy(t->branch, b, blen);
	t->branch_len = (uint8_t)blen;
	memcpy(t->method, method.p, method.len);
	t->method[method.len] = '\0';
	memcpy(t->dest, dest, dest_len);
	t->user = user;
	t->reliable = l->ops.reliable != NULL && l->ops.reliable(l->ctx, dest);
	bk = hash(l, b, blen);
	t->hash_next = l->bucket[bk];
	l->bucket[bk] = t->id;
	l->count++;
	return t;
}

static int
store(char **dst, uint32_t *dlen, const char *msg, uint32_t len)
{
	char *c = malloc(len ? len : 1);

	if (c == NULL)
		return -1;
	memcpy(c, msg, len);
	free(*dst);
	*dst = c;
	*dlen = len;
	return 0;
}

static void
send_stored(struct dsbc_sip_txl *l, struct dsbc_sip_txn *t)
{
	if (t->msg != NULL)
		l->ops.send(l->ctx, t->dest, t->msg, t->msg_len);
}

static void
terminate(struct dsbc_sip_txl *l, struct dsbc_sip_txn *t)
{
	t->state = DSBC_TXN_TERMINATED;
	if (l->ops.terminated != NULL)
		l->ops.terminated(l->ctx, t);
	release(l, t);
}

/*
 * The start of the ACK for a non-2xx (section 17.1.1.3): Request-URI,
 * top Via, From, Call-ID, CSeq number with ACK, Route; To comes from the
 * response.
 */
static int
ack_head(const struct dsbc_sip_msg *req, char **out, uint32_t *olen)
{
	const struct dsbc_sip_hdr *via = dsbc_sip_hdr_get(req, DSBC_SIP_H_VIA, 0);
	const struct dsbc_sip_hdr *from = dsbc_sip_hdr_get(req, DSBC_SIP_H_FROM, 0);
	const struct dsbc_sip_hdr *cid = dsbc_sip_hdr_get(req, DSBC_SIP_H_CALL_ID, 0);
	const struct dsbc_sip_hdr *cs = dsbc_sip_hdr_get(req, DSBC_SIP_H_CSEQ, 0);
	uint32_t seq, cap = req->msg_len + 64, n, i;
	struct dsbc_sip_str meth;
	const char *next;
	struct dsbc_sip_via v;
	char *b;
	int w;

	if (via == NULL || from == NULL || cid == NULL || cs == NULL ||
	    dsbc_sip_cseq_parse(cs->value, &seq, &meth) != 0 ||
	    dsbc_sip_via_parse(via->value.p, via->value.p + via->value.len, &v,
			       &next) != 0)
		return -1;
	b = malloc(cap);
	if (b == NULL)
		return -1;
	/* only the top Via value, even when the line holds several */
	n = (uint32_t)(v.params.p + v.params.len - via->value.p);
	w = snprintf(b, cap, "ACK %.*s SIP/2.0\r\nVia: %.*s\r\nFrom: %.*s\r\n"
		     "Call-ID: %.*s\r\nCSeq: %u ACK\r\nMax-Forwards: 70\r\n",
		     (int)req->ruri.len, req->ruri.p, (int)n, via->value.p,
		     (int)from->value.len, from->value.p, (int)cid->value.len,
		     cid->value.p, seq);
	for (i = 0; w > 0 && (uint32_t)w < cap && i < req->nb_hdrs; i++)
		if (req->hdrs[i].id == DSBC_SIP_H_ROUTE)
			w += snprintf(b + w, cap - (uint32_t)w, "Route: %.*s\r\n",
				      (int)req->hdrs[i].value.len,
				      req->hdrs[i].value.p);
	if (w < 0 || (uint32_t)w >= cap) {
		free(b);
		return -1;
	}
	*out = b;
	*olen = (uint32_t)w;
	return 0;
}

struct dsbc_sip_txn *
dsbc_sip_txn_client(struct dsbc_sip_txl *l, const char *branch, uint32_t blen,
		    const struct dsbc_sip_msg *req, const void *dest,
		    uint32_t dest_len, void *user, uint64_t now)
{
	bool invite = req->method_id == DSBC_SIP_M_INVITE;
	struct dsbc_sip_txn *t;

	if (req->method_id == DSBC_SIP_M_ACK ||
	    find(l, branch, blen, req->method.p, req->method.len, NULL) !=
	    NULL)
		return NULL;
	t = alloc(l, invite ? DSBC_TXN_ICT : DSBC_TXN_NICT, branch, blen,
		  req->method, req->method_id, dest, dest_len, user);
	if (t == NULL)
		return NULL;
	if (store(&t->msg, &t->msg_len, req->buf, req->msg_len) != 0 ||
	    (invite && ack_head(req, &t->ack, &t->ack_len) != 0)) {
		release(l, t);
		return NULL;
	}
	t->state = invite ? DSBC_TXN_CALLING : DSBC_TXN_TRYING;
	/* Timers A/E start at T1, B/F fire at 64*T1 (sections 17.1.1.2,
	 * 17.1.2.2); a reliable transport retransmits for us: no A or E */
	t->retx_ms = l->cfg.t1_ms;
	t->retx_at = t->reliable ? 0 : now + t->retx_ms;
	t->timeout_at = now + 64ull * l->cfg.t1_ms;
	rearm(l, t);
	send_stored(l, t);
	return t;
}

static void
send_ack(struct dsbc_sip_txl *l, struct dsbc_sip_txn *t,
	 const struct dsbc_sip_msg *resp)
{
	const struct dsbc_sip_hdr *to = dsbc_sip_hdr_get(resp, DSBC_SIP_H_TO, 0);
	char buf[4096];
	int n;

	if (t->ack == NULL || to == NULL)
		return;
	n = snprintf(buf, sizeof(buf), "%.*sTo: %.*s\r\nContent-Length: 0\r\n\r\n",
		     (int)t->ack_len, t->ack, (int)to->value.len, to->value.p);
	if (n > 0 && (size_t)n < sizeof(buf))
		l->ops.send(l->ctx, t->dest, buf, (uint32_t)n);
}

struct dsbc_sip_txn *
dsbc_sip_txn_response(struct dsbc_sip_txl *l, const struct dsbc_sip_msg *resp,
		      uint64_t now, bool *deliver)
{
	struct dsbc_sip_str meth;
	struct dsbc_sip_txn *t;
	const char *b;
	uint32_t blen;
	uint16_t st = resp->status;

	*deliver = false;
	if (dsbc_sip_top_branch(resp, &b, &blen) != 0 ||
	    cseq_method(resp, &meth) != 0)
		return NULL;
	t = find(l, b, blen, meth.p, meth.len, NULL);
	if (t == NULL)
		return NULL;
	t->last_status = st;
	switch (t->state) {
	case DSBC_TXN_CALLING:
	case DSBC_TXN_TRYING:
	case DSBC_TXN_PROCEEDING:
		*deliver = true;
		if (st < 200) {
			t->state = DSBC_TXN_PROCEEDING;
			/* ICT: provisional stops retransmission (17.1.1.2);
			 * NICT keeps retransmitting at T2 (17.1.2.2). */
			if (t->kind == DSBC_TXN_ICT) {
				/* and timer B runs in Calling only: a
				 * ringing callee may take its time */
				t->retx_at = 0;
				t->timeout_at = 0;
			} else if (!t->reliable) {
				t->retx_ms = l->cfg.t2_ms;
			}
			rearm(l, t);
			return t;
		}
		t->retx_at = 0;
		t->timeout_at = 0;
		/* a client never sends its request again once answered */
		drop_stored(t);
		if (t->kind == DSBC_TXN_ICT && st < 300) {
			/* 2xx: the TU (dialog) sends the ACK; done. */
			t->end_at = now;
		} else if (t->kind == DSBC_TXN_ICT) {
			send_ack(l, t, resp);
			t->state = DSBC_TXN_COMPLETED;
			/* timer D; 0 on a reliable transport: no response
			 * retransmissions to absorb */
			t->end_at = now + (t->reliable ? 0 :
					   64ull * l->cfg.t1_ms);
		} else {
			t->state = DSBC_TXN_COMPLETED;
			t->end_at = now + (t->reliable ? 0 :
					   l->cfg.t4_ms);         /* timer K */
		}
		rearm(l, t);
		return t;
	case DSBC_TXN_COMPLETED:
		/* retransmitted final: repeat the ACK, tell nobody */
		if (t->kind == DSBC_TXN_ICT && st >= 300)
			send_ack(l, t, resp);
		return t;
	default:
		return t;
	}
}

struct dsbc_sip_txn *
dsbc_sip_txn_match_request(struct dsbc_sip_txl *l,
			   const struct dsbc_sip_msg *req, uint64_t now)
{
	struct dsbc_sip_txn *t;
	const char *b;
	uint32_t blen;
	bool ack = req->method_id == DSBC_SIP_M_ACK;

	if (dsbc_sip_top_branch(req, &b, &blen) != 0)
		return NULL;
	/* An ACK matches the INVITE server transaction (17.2.3). */
	t = find(l, b, blen, ack ? "INVITE" : req->method.p,
		 ack ? 6 : req->method.len, req);
	if (t == NULL)
		return NULL;
	if (ack) {
		if (t->state == DSBC_TXN_COMPLETED) {
			/* ACK for our non-2xx: stop G and H, timer I (T4). */
			t->state = DSBC_TXN_CONFIRMED;
			t->retx_at = 0;
			t->timeout_at = 0;
			/* timer I, 0 on a reliable transport (17.2.1) */
			t->end_at = now + (t->reliable ? 0 : l->cfg.t4_ms);
			drop_stored(t);
			rearm(l, t);
			return t;
		}
		if (t->state == DSBC_TXN_CONFIRMED)
			return t;
		/* ACK for a 2xx (Accepted): the dialog's business. */
		return NULL;
	}
	/* A retransmitted request: resend what we last answered. */
	if (t->state == DSBC_TXN_PROCEEDING || t->state == DSBC_TXN_COMPLETED)
		send_stored(l, t);
	return t;
}

struct dsbc_sip_txn *
dsbc_sip_txn_server(struct dsbc_sip_txl *l, const struct dsbc_sip_msg *req,
		    const void *dest, uint32_t dest_len, void *user,
		    uint64_t now)
{
	bool invite = req->method_id == DSBC_SIP_M_INVITE;
	struct dsbc_sip_txn *t;
	const char *b;
	uint32_t blen;

	(void)now;
	if (req->method_id == DSBC_SIP_M_ACK ||
	    dsbc_sip_top_branch(req, &b, &blen) != 0)
		return NULL;
	t = alloc(l, invite ? DSBC_TXN_IST : DSBC_TXN_NIST, b, blen,
		  req->method, req->method_id, dest, dest_len, user);
	if (t == NULL)
		return NULL;
	t->sent_by = sent_by(l, req);
	t->state = invite ? DSBC_TXN_PROCEEDING : DSBC_TXN_TRYING;
	return t;
}

int
dsbc_sip_txn_respond(struct dsbc_sip_txl *l, struct dsbc_sip_txn *t,
		     uint16_t status, const char *msg, uint32_t len,
		     uint64_t now)
{
	if (t->kind < DSBC_TXN_IST || t->state == DSBC_TXN_COMPLETED ||
	    t->state == DSBC_TXN_CONFIRMED || t->state == DSBC_TXN_ACCEPTED)
		return -1;
	if (store(&t->msg, &t->msg_len, msg, len) != 0)
		return -1;
	t->last_status = status;
	send_stored(l, t);
	if (status < 200) {
		t->state = DSBC_TXN_PROCEEDING;
		return 0;
	}
	if (t->kind == DSBC_TXN_NIST) {
		t->state = DSBC_TXN_COMPLETED;
		/* timer J, 0 on a reliable transport (17.2.2) */
		t->end_at = now + (t->reliable ? 0 : 64ull * l->cfg.t1_ms);
	} else if (status < 300) {
		/* RFC 6026 section 7.1: Accepted absorbs INVITE
		 * retransmissions until timer L; the 2xx is retransmitted
		 * by the TU, not here. */
		t->state = DSBC_TXN_ACCEPTED;
		t->end_at = now + 64ull * l->cfg.t1_ms;           /* timer L */
		drop_stored(t);
	} else {
		t->state = DSBC_TXN_COMPLETED;
		t->retx_ms = l->cfg.t1_ms;                       /* timer G */
		t->retx_at = t->reliable ? 0 : now + t->retx_ms;
		t->timeout_at = now + 64ull * l->cfg.t1_ms;       /* timer H */
	}
	rearm(l, t);
	return 0;
}

uint64_t
dsbc_sip_txl_tick(struct dsbc_sip_txl *l, uint64_t now)
{
	while (l->heap_len > 0 && due_of(l, l->heap[0]) <= now) {
		struct dsbc_sip_txn *t = &l->t[l->heap[0] - 1];

		if (t->end_at != 0 && now >= t->end_at) {
			terminate(l, t);
			continue;
		}
		if (t->timeout_at != 0 && now >= t->timeout_at) {
			/* B, F: no answer; H: no ACK for our final answer */
			if (l->ops.timeout != NULL)
				l->ops.timeout(l->ctx, t);
			terminate(l, t);
			continue;
		}
		if (t->retx_at != 0 && now >= t->retx_at) {
			send_stored(l, t);
			t->retx_count++;
			/* A and G double without bound (G: up to T2), E
			 * doubles up to T2 (17.1.2.2, 17.2.1). */
			t->retx_ms *= 2;
			if (t->kind != DSBC_TXN_ICT && t->retx_ms > l->cfg.t2_ms)
				t->retx_ms = l->cfg.t2_ms;
			t->retx_at = now + t->retx_ms;
		}
		rearm(l, t);
	}
	return dsbc_sip_txl_next(l);
}

uint64_t
dsbc_sip_txl_next(const struct dsbc_sip_txl *l)
{
	return l->heap_len > 0 ? due_of(l, l->heap[0]) : 0;
}

struct dsbc_sip_txn *
dsbc_sip_txn_cancel_target(struct dsbc_sip_txl *l,
			   const struct dsbc_sip_msg *cancel)
{
	const char *b;
	uint32_t blen;

	/* Section 9.2: same branch and sent-by as the INVITE it cancels. */
	if (dsbc_sip_top_branch(cancel, &b, &blen) != 0)
		return NULL;
	return find(l, b, blen, "INVITE", 6, cancel);
}

void
dsbc_sip_txn_abandon(struct dsbc_sip_txl *l, struct dsbc_sip_txn *t,
		     uint64_t now)
{
	t->user = NULL;
	t->retx_at = 0;
	if (t->end_at == 0 && t->timeout_at == 0)
		t->end_at = now + 64ull * l->cfg.t1_ms;
	rearm(l, t);
}

unsigned int
dsbc_sip_txl_fail_dest(struct dsbc_sip_txl *l,
		       bool (*match)(void *ctx, const void *dest), void *ctx)
{
	unsigned int n = 0;
	uint32_t i;

	for (i = 0; i < l->cfg.max_txns; i++) {
		struct dsbc_sip_txn *t = &l->t[i];

		if (!t->in_use || t->kind >= DSBC_TXN_IST ||
		    t->state == DSBC_TXN_COMPLETED ||
		    t->state == DSBC_TXN_TERMINATED || !match(ctx, t->dest))
			continue;
		if (l->ops.timeout != NULL)
			l->ops.timeout(l->ctx, t);
		terminate(l, t);
		n++;
	}
	return n;
}
