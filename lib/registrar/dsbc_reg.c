/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Registrar: REGISTER processing (RFC 3261 section 10.3), binding expiry
 * and NAT keepalives (see dsbc_reg.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dsbc_reg.h"
#include "dsbc_sip_hdr.h"

#define IDX_BITS 22
#define IDX_MASK ((1u << IDX_BITS) - 1)
#define CONTACTS_MAX 8
#define SCAN_MS 1000

struct bslot {
	struct dsbc_reg_binding b;
	uint32_t next;               /* AoR's list or free list, idx + 1 */
	uint32_t aor;                /* idx + 1 */
	uint16_t gen;
	bool used;
};

struct aor {
	char name[128];
	uint32_t first;              /* binding idx + 1 */
	uint32_t hnext;              /* hash chain or free list, idx + 1 */
	uint16_t nb;
	bool used;
};

struct dsbc_reg {
	struct dsbc_reg_cfg cfg;
	struct dsbc_reg_stats st;
	struct bslot *bs;
	uint32_t bfree;              /* idx + 1 */
	struct aor *aors;
	uint32_t afree;
	uint32_t *bucket;
	uint32_t nb_buckets;
	uint64_t next_scan;
};

static uint32_t
pow2_at_least(uint32_t n)
{
	uint32_t p = 1;

	while (p < n && p < (1u << 30))
		p <<= 1;
	return p;
}

struct dsbc_reg *
dsbc_reg_create(const struct dsbc_reg_cfg *cfg)
{
	struct dsbc_reg *r = calloc(1, sizeof(*r));
	struct dsbc_reg_cfg *c;
	uint32_t i;

	if (r == NULL)
		return NULL;
	r->cfg = *cfg;
	c = &r->cfg;
	if (c->max_aors == 0)
		c->max_aors = 4096;
	if (c->max_bindings == 0)
		c->max_bindings = 2 * c->max_aors;
	if (c->max_bindings > IDX_MASK)
		c->max_bindings = IDX_MASK;
	if (c->max_per_aor == 0)
		c->max_per_aor = 5;
	if (c->min_expires_s == 0)
		c->min_expires_s = 60;
	if (c->max_expires_s == 0)
		c->max_expires_s = 3600;
	if (c->default_expires_s == 0)
		c->default_expires_s = 3600;
	if (c->nat_expires_s == 0)
		c->nat_expires_s = 90;
	if (c->keepalive_ms == 0)
		c->keepalive_ms = 25000;
	if (c->keepalive_misses == 0)
		c->keepalive_misses = 3;
	r->bs = calloc(c->max_bindings, sizeof(*r->bs));
	r->aors = calloc(c->max_aors, sizeof(*r->aors));
	r->nb_buckets = pow2_at_least(c->max_aors);
	r->bucket = calloc(r->nb_buckets, sizeof(*r->bucket));
	if (r->bs == NULL || r->aors == NULL || r->bucket == NULL) {
		dsbc_reg_free(r);
		return NULL;
	}
	for (i = 0; i < c->max_bindings; i++)
		r->bs[i].next = i + 2 <= c->max_bindings ? i + 2 : 0;
	r->bfree = 1;
	for (i = 0; i < c->max_aors; i++)
		r->aors[i].hnext = i + 2 <= c->max_aors ? i + 2 : 0;
	r->afree = 1;
	return r;
}

void
dsbc_reg_free(struct dsbc_reg *r)
{
	if (r == NULL)
		return;
	free(r->bs);
	free(r->aors);
	free(r->bucket);
	free(r);
}

const struct dsbc_reg_stats *
dsbc_reg_stats(const struct dsbc_reg *r)
{
	return &r->st;
}

/* ---- AoRs ---- */

static uint32_t
aor_hash(const struct dsbc_reg *r, const char *name)
{
	uint64_t h = r->cfg.hash_seed ^ 0xcbf29ce484222325ULL;

	for (; *name != '\0'; name++)
		h = (h ^ (uint8_t)*name) * 0x100000001b3ULL;
	h ^= h >> 29;
	return (uint32_t)h & (r->nb_buckets - 1);
}

static uint32_t
aor_find(const struct dsbc_reg *r, const char *name)
{
	uint32_t i;

	for (i = r->bucket[aor_hash(r, name)]; i != 0;
	     i = r->aors[i - 1].hnext)
		if (strcmp(r->aors[i - 1].name, name) == 0)
			return i;
	return 0;
}

static uint32_t
aor_add(struct dsbc_reg *r, const char *name)
{
	uint32_t i = r->afree, h;
	struct aor *a;

	if (i == 0 || strlen(name) >= sizeof(a->name))
		return 0;
	a = &r->aors[i - 1];
	r->afree = a->hnext;
	memset(a, 0, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "%s", name);
	a->used = true;
	h = aor_hash(r, name);
	a->hnext = r->bucket[h];
	r->bucket[h] = i;
	r->st.aors++;
	return i;
}

static void
aor_del(struct dsbc_reg *r, uint32_t ai)
{
	struct aor *a = &r->aors[ai - 1];
	uint32_t *pp = &r->bucket[aor_hash(r, a->name)];

	while (*pp != 0 && *pp != ai)
		pp = &r->aors[*pp - 1].hnext;
	if (*pp == ai)
		*pp = a->hnext;
	a->used = false;
	a->hnext = r->afree;
	r->afree = ai;
	r->st.aors--;
}

/* ---- bindings ---- */

static void
binding_del(struct dsbc_reg *r, uint32_t bi)
{
	struct bslot *s;
	struct aor *a;
	uint32_t *pp;

	/* never twice, never none: the free list must stay a list */
	if (bi == 0 || !r->bs[bi - 1].used)
		return;
	s = &r->bs[bi - 1];
	a = &r->aors[s->aor - 1];
	pp = &a->first;

	while (*pp != 0 && *pp != bi)
		pp = &r->bs[*pp - 1].next;
	if (*pp == bi)
		*pp = s->next;
	a->nb--;
	s->used = false;
	s->gen++;
	s->next = r->bfree;
	r->bfree = bi;
	r->st.bindings--;
	if (a->nb == 0)
		aor_del(r, s->aor);
}

static uint32_t
binding_add(struct dsbc_reg *r, uint32_t ai)
{
	uint32_t bi = r->bfree;
	struct bslot *s;
	struct aor *a = &r->aors[ai - 1];

	if (bi == 0)
		return 0;
	s = &r->bs[bi - 1];
	r->bfree = s->next;
	memset(&s->b, 0, sizeof(s->b));
	s->used = true;
	s->aor = ai;
	s->b.handle = (uint32_t)(s->gen & ((1u << (32 - IDX_BITS)) - 1)) <<
		      IDX_BITS | (bi - 1);
	snprintf(s->b.aor, sizeof(s->b.aor), "%s", a->name);
	s->next = a->first;
	a->first = bi;
	a->nb++;
	r->st.bindings++;
	return bi;
}

/* the value of header parameter name in ";a=1;b" params, or -1 */
static int
hparam(struct dsbc_sip_str params, const char *name, struct dsbc_sip_str *v)
{
	const char *p = params.p, *end = params.p + params.len;
	size_t nl = strlen(name);

	while (p < end) {
		const char *q, *eq, *a;

		while (p < end && (*p == ';' || *p == ' ' || *p == '\t'))
			p++;
		q = memchr(p, ';', (size_t)(end - p));
		if (q == NULL)
			q = end;
		a = p;
		eq = memchr(a, '=', (size_t)(q - a));
		if ((size_t)((eq ? eq : q) - a) >= nl &&
		    strncasecmp(a, name, nl) == 0) {
			const char *ne = a + nl;

			while (ne < (eq ? eq : q) && (*ne == ' ' || *ne == '\t'))
				ne++;
			if (ne == (eq ? eq : q)) {
				if (eq == NULL) {
					v->p = q;
					v->len = 0;
				} else {
					const char *vs = eq + 1, *ve = q;

					while (vs < ve && (*vs == ' ' ||
							   *vs == '\t'))
						vs++;
					while (ve > vs && (ve[-1] == ' ' ||
							   ve[-1] == '\t'))
						ve--;
					v->p = vs;
					v->len = (uint32_t)(ve - vs);
				}
				return 0;
			}
		}
		p = q;
	}
	return -1;
}

struct want {
	struct dsbc_sip_str uri;
	uint32_t expires;            /* granted, s; 0 remove */
	uint32_t found;              /* existing binding idx + 1 */
	struct dsbc_sip_str instance; /* RFC 5626, without quotes */
	uint32_t reg_id;              /* 0 none */
};

static void
result(struct dsbc_reg_result *res, int status, const char *reason)
{
	res->status = status;
	res->reason = reason;
}

/* The binding of this Contact: the same instance and reg-id (RFC 5626
 * 6: a new flow of the same device replaces the old one), or else the
 * same URI. */
static uint32_t
binding_of(const struct dsbc_reg *r, uint32_t ai, const struct want *w)
{
	uint32_t bi;

	if (ai == 0)
		return 0;
	if (w->reg_id != 0)
		for (bi = r->aors[ai - 1].first; bi != 0;
		     bi = r->bs[bi - 1].next) {
			const struct dsbc_reg_binding *b = &r->bs[bi - 1].b;

			if (b->outbound && b->reg_id == w->reg_id &&
			    strlen(b->instance) == w->instance.len &&
			    memcmp(b->instance, w->instance.p,
				   w->instance.len) == 0)
				return bi;
		}
	for (bi = r->aors[ai - 1].first; bi != 0; bi = r->bs[bi - 1].next)
		if (strlen(r->bs[bi - 1].b.contact) == w->uri.len &&
		    memcmp(r->bs[bi - 1].b.contact, w->uri.p, w->uri.len) == 0)
			return bi;
	return 0;
}

/* the binding of the AoR that expires first: room for a new one */
static uint32_t
binding_oldest(const struct dsbc_reg *r, uint32_t ai, const struct want *w,
	       unsigned int nw)
{
	uint32_t bi, best = 0;
	unsigned int i;

	for (bi = r->aors[ai - 1].first; bi != 0; bi = r->bs[bi - 1].next) {
		for (i = 0; i < nw; i++)
			if (w[i].found == bi)
				break;
		if (i < nw)
			continue;       /* refreshed by this very request */
		if (best == 0 || r->bs[bi - 1].b.expires_at <
				 r->bs[best - 1].b.expires_at)
			best = bi;
	}
	return best;
}

void
dsbc_reg_register(struct dsbc_reg *r, const char *aor,
		  const struct dsbc_sip_msg *m,
		  const struct dsbc_reg_source *src, uint64_t now,
		  struct dsbc_reg_result *res)
{
	struct want w[CONTACTS_MAX];
	const struct dsbc_sip_hdr *h;
	struct dsbc_sip_str cid, meth, v, inst;
	uint32_t cseq, hdr_exp, ai, e, e2;
	unsigned int nw = 0, i, i2, adds = 0;
	bool star = false, has_hdr_exp = false;

	memset(res, 0, sizeof(*res));
	r->st.registers++;
	h = dsbc_sip_hdr_get(m, DSBC_SIP_H_CALL_ID, 0);
	if (h == NULL || h->value.len >= sizeof(r->bs->b.call_id) ||
	    (h = dsbc_sip_hdr_get(m, DSBC_SIP_H_CSEQ, 0)) == NULL ||
	    dsbc_sip_cseq_parse(h->value, &cseq, &meth) != 0 ||
	    src->peer_len > DSBC_REG_PEER_MAX) {
		r->st.bad++;
		result(res, 400, "Bad Request");
		return;
	}
	cid = dsbc_sip_hdr_get(m, DSBC_SIP_H_CALL_ID, 0)->value;
	h = dsbc_sip_hdr_get(m, DSBC_SIP_H_EXPIRES, 0);
	if (h != NULL) {
		if (dsbc_sip_uint_parse(h->value, UINT32_MAX, &hdr_exp) != 0) {
			r->st.bad++;
			result(res, 400, "Bad Expires");
			return;
		}
		has_hdr_exp = true;
	}
	ai = aor_find(r, aor);
	/* every Contact value, in every Contact line */
	for (i = 0; i < m->nb_hdrs; i++) {
		const char *p, *end, *next;
		struct dsbc_sip_nameaddr na;

		if (m->hdrs[i].id != DSBC_SIP_H_CONTACT)
			continue;
		p = m->hdrs[i].value.p;
		end = p + m->hdrs[i].value.len;
		for (next = p; next != NULL; p = next) {
			if (dsbc_sip_nameaddr_parse(p, end, &na, true,
						    &next) != 0) {
				r->st.bad++;
				result(res, 400, "Bad Contact");
				return;
			}
			if (na.star) {
				star = true;
				continue;
			}
			if (nw == CONTACTS_MAX ||
			    na.uri_str.len >= sizeof(r->bs->b.contact)) {
				r->st.bad++;
				result(res, 400, "Too Many or Too Long Contacts");
				return;
			}
			for (i2 = 0; i2 < nw; i2++)
				if (w[i2].uri.len == na.uri_str.len &&
				    memcmp(w[i2].uri.p, na.uri_str.p,
					   na.uri_str.len) == 0)
					break;
			w[i2].uri = na.uri_str;
			if (hparam(na.params, "expires", &v) == 0) {
				if (dsbc_sip_uint_parse(v, UINT32_MAX, &e)) {
					r->st.bad++;
					result(res, 400, "Bad Contact Expires");
					return;
				}
			} else {
				e = has_hdr_exp ? hdr_exp :
				    r->cfg.default_expires_s;
			}
			/* step 7: too brief is refused, too long cut */
			if (e != 0 && e < r->cfg.min_expires_s) {
				r->st.too_brief++;
				result(res, 423, "Interval Too Brief");
				res->min_expires = r->cfg.min_expires_s;
				return;
			}
			if (e > r->cfg.max_expires_s)
				e = r->cfg.max_expires_s;
			/* behind a NAT: back before the pinhole closes */
			if (src->nat && e > r->cfg.nat_expires_s)
				e = r->cfg.nat_expires_s;
			/* RFC 5626 4.2: an instance and a reg-id make it
			 * an outbound registration, where the client says
			 * it supports it */
			w[i2].reg_id = 0;
			w[i2].instance.len = 0;
			/* parsed aside: taken only once every check holds
			 * (its length bounds the copy into the binding) */
			if (src->outbound_ok &&
			    hparam(na.params, "reg-id", &v) == 0 &&
			    dsbc_sip_uint_parse(v, UINT32_MAX, &e2) == 0 &&
			    e2 != 0 &&
			    hparam(na.params, "+sip.instance", &inst) == 0 &&
			    inst.len >= 2 && inst.p[0] == '"' &&
			    inst.p[inst.len - 1] == '"' &&
			    inst.len - 2 < sizeof(r->bs->b.instance)) {
				w[i2].instance.p = inst.p + 1;
				w[i2].instance.len = inst.len - 2;
				w[i2].reg_id = e2;
			}
			/* the same Contact twice: the last one counts */
			w[i2].expires = e;
			w[i2].found = binding_of(r, ai, &w[i2]);
			if (i2 == nw)
				nw++;
		}
	}
	/* step 6: "*" only alone and with Expires: 0 */
	if (star) {
		uint32_t bi, nbi;

		if (nw != 0 || !has_hdr_exp || hdr_exp != 0) {
			r->st.bad++;
			result(res, 400, "Invalid Wildcard Contact");
			return;
		}
		for (bi = ai ? r->aors[ai - 1].first : 0; bi != 0; bi = nbi) {
			const struct dsbc_reg_binding *b = &r->bs[bi - 1].b;

			nbi = r->bs[bi - 1].next;
			if (strlen(b->call_id) == cid.len &&
			    memcmp(b->call_id, cid.p, cid.len) == 0 &&
			    cseq <= b->cseq) {
				r->st.out_of_order++;
				result(res, 500, "CSeq Out of Order");
				return;
			}
		}
		while (ai != 0 && aor_find(r, aor) == ai) {
			binding_del(r, r->aors[ai - 1].first);
			r->st.removed++;
		}
		result(res, 200, "OK");
		return;
	}
	/* step 7, all or nothing: check every change before making any;
	 * two Contacts naming one binding (its URI and its instance) would
	 * change it twice */
	for (i = 0; i < nw; i++)
		for (i2 = i + 1; i2 < nw; i2++)
			if (w[i].found != 0 && w[i].found == w[i2].found) {
				r->st.bad++;
				result(res, 400, "Contacts Name One Binding");
				return;
			}
	for (i = 0; i < nw; i++) {
		const struct dsbc_reg_binding *b;

		if (w[i].found == 0) {
			adds += w[i].expires != 0;
			continue;
		}
		b = &r->bs[w[i].found - 1].b;
		if (strlen(b->call_id) == cid.len &&
		    memcmp(b->call_id, cid.p, cid.len) == 0 &&
		    cseq <= b->cseq) {
			r->st.out_of_order++;
			result(res, 500, "CSeq Out of Order");
			return;
		}
	}
	if (adds > 0 && ai == 0 && (ai = aor_add(r, aor)) == 0) {
		r->st.full++;
		result(res, 503, "Registrar Full");
		return;
	}
	for (i = 0; i < nw; i++) {
		struct dsbc_reg_binding *b;
		uint32_t bi = w[i].found;

		if (w[i].expires == 0) {
			if (bi != 0) {
				binding_del(r, bi);
				r->st.removed++;
				/* indices of the others stay valid: a freed
				 * slot is reused only by binding_add */
				if (aor_find(r, aor) == 0)
					ai = 0;
			}
			continue;
		}
		if (bi == 0) {
			if (ai == 0 && (ai = aor_add(r, aor)) == 0)
				goto full;
			/* a full AoR makes room: the binding expiring first
			 * goes (a rebooted phone behind a NAT registers a
			 * new Contact before its old one expires) */
			if (r->aors[ai - 1].nb >= r->cfg.max_per_aor) {
				uint32_t old = binding_oldest(r, ai, w, nw);

				if (old == 0)
					goto full;
				binding_del(r, old);
				r->st.removed++;
				if (aor_find(r, aor) == 0 &&
				    (ai = aor_add(r, aor)) == 0)
					goto full;
			}
			bi = binding_add(r, ai);
			if (bi == 0)
				goto full;
			b = &r->bs[bi - 1].b;
			memcpy(b->contact, w[i].uri.p, w[i].uri.len);
			b->contact[w[i].uri.len] = '\0';
			b->registered_at = now;
			r->st.added++;
		} else {
			b = &r->bs[bi - 1].b;
			r->st.refreshed++;
			/* a new flow of the same instance: its new Contact */
			memcpy(b->contact, w[i].uri.p, w[i].uri.len);
			b->contact[w[i].uri.len] = '\0';
		}
		b->outbound = w[i].reg_id != 0;
		b->reg_id = w[i].reg_id;
		snprintf(b->instance, sizeof(b->instance), "%.*s",
			 (int)w[i].instance.len, w[i].instance.p);
		b->flow_failed = false;
		res->outbound |= b->outbound;
		memcpy(b->call_id, cid.p, cid.len);
		b->call_id[cid.len] = '\0';
		b->cseq = cseq;
		b->expires_at = now + (uint64_t)w[i].expires * 1000;
		b->conn = src->conn;
		b->nat = src->nat;
		/* the NAT may have moved it: the newest source counts */
		memset(b->peer, 0, sizeof(b->peer));
		memcpy(b->peer, src->peer, src->peer_len);
		b->misses = 0;
		b->ping_out = false;
		b->ping_at = (b->nat && b->conn == 0 &&
			      r->cfg.keepalive_ms != UINT32_MAX) ?
			     now + r->cfg.keepalive_ms : 0;
	}
	result(res, 200, "OK");
	return;
full:
	/* only when the whole table is exhausted mid-way */
	r->st.full++;
	result(res, 503, "Registrar Full");
}

int
dsbc_reg_contacts(const struct dsbc_reg *r, const char *aor, uint64_t now,
		  char *out, size_t cap)
{
	uint32_t ai = aor_find(r, aor), bi;
	size_t len = 0;
	int n;

	if (cap > 0)
		out[0] = '\0';
	for (bi = ai ? r->aors[ai - 1].first : 0; bi != 0;
	     bi = r->bs[bi - 1].next) {
		const struct dsbc_reg_binding *b = &r->bs[bi - 1].b;
		uint64_t left = b->expires_at > now ?
				(b->expires_at - now + 999) / 1000 : 0;

		n = snprintf(out + len, cap - len,
			     "Contact: <%s>;expires=%" PRIu64 "\r\n",
			     b->contact, left);
		if (n < 0 || (size_t)n >= cap - len)
			return -1;
		len += (size_t)n;
	}
	return (int)len;
}

const struct dsbc_reg_binding *
dsbc_reg_lookup(const struct dsbc_reg *r, const char *aor, uint64_t now)
{
	uint32_t ai = aor_find(r, aor), bi;
	const struct dsbc_reg_binding *best = NULL;

	for (bi = ai ? r->aors[ai - 1].first : 0; bi != 0;
	     bi = r->bs[bi - 1].next) {
		const struct dsbc_reg_binding *b = &r->bs[bi - 1].b;

		if (b->expires_at <= now)
			continue;
		/* a live flow before a failed one (RFC 5626 5.3) */
		if (best != NULL && b->flow_failed != best->flow_failed) {
			if (!b->flow_failed)
				best = b;
			continue;
		}
		if (best == NULL || b->registered_at > best->registered_at ||
		    (b->registered_at == best->registered_at &&
		     b->expires_at > best->expires_at))
			best = b;
	}
	return best;
}

void
dsbc_reg_tick(struct dsbc_reg *r, uint64_t now, dsbc_reg_ping_fn ping,
	      void *ctx)
{
	uint32_t i;

	if (now < r->next_scan)
		return;
	r->next_scan = now + SCAN_MS;
	for (i = 0; i < r->cfg.max_bindings; i++) {
		struct bslot *s = &r->bs[i];
		struct dsbc_reg_binding *b = &s->b;

		if (!s->used)
			continue;
		if (b->expires_at <= now) {
			binding_del(r, i + 1);
			r->st.expired++;
			continue;
		}
		if (b->ping_at == 0 || b->ping_at > now)
			continue;
		if (b->ping_out && ++b->misses >= r->cfg.keepalive_misses) {
			binding_del(r, i + 1);
			r->st.ping_dropped++;
			continue;
		}
		b->ping_out = true;
		b->ping_at = now + r->cfg.keepalive_ms;
		r->st.pings++;
		if (ping != NULL)
			ping(ctx, b);
	}
}

int
dsbc_reg_pong(struct dsbc_reg *r, uint32_t handle, const void *peer,
	      size_t peer_len)
{
	uint32_t idx = handle & IDX_MASK;
	struct bslot *s;

	if (idx >= r->cfg.max_bindings)
		return -1;
	s = &r->bs[idx];
	if (!s->used || s->b.handle != handle || peer_len > DSBC_REG_PEER_MAX ||
	    memcmp(s->b.peer, peer, peer_len) != 0)
		return -1;
	s->b.ping_out = false;
	s->b.misses = 0;
	r->st.pongs++;
	return 0;
}

unsigned int
dsbc_reg_flow_gone(struct dsbc_reg *r, uint32_t conn)
{
	unsigned int n = 0;
	uint32_t i;

	if (conn == 0)
		return 0;
	for (i = 0; i < r->cfg.max_bindings; i++) {
		struct dsbc_reg_binding *b = &r->bs[i].b;

		if (!r->bs[i].used || b->conn != conn)
			continue;
		if (b->outbound) {
			/* kept for its 430 (RFC 5626 5.3) */
			b->flow_failed = true;
			b->conn = 0;
			r->st.flow_failed++;
			continue;
		}
		binding_del(r, i + 1);
		n++;
	}
	r->st.flow_dropped += n;
	return n;
}

void
dsbc_reg_walk(const struct dsbc_reg *r,
	      int (*fn)(void *ctx, const struct dsbc_reg_binding *b),
	      void *ctx)
{
	uint32_t i;

	for (i = 0; i < r->cfg.max_bindings; i++)
		if (r->bs[i].used && fn(ctx, &r->bs[i].b) != 0)
			return;
}
