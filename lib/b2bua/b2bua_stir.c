/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The STIR authentication service (RFC 8224 section 6.1, RFC 8588): for
 * an INVITE from a digest-authenticated user or a trunk, on a route with
 * stir_sign, dsbc signs a SHAKEN PASSporT for the caller's and callee's
 * numbers, its mky over the fingerprints of the offer dsbc sends to B
 * (RFC 8225 5.2.2): A's in relay and aware modes, dsbc's own pinned one
 * where it terminates (an identified endpoint, not a hidden middle).
 *
 * And the verification service (RFC 8224 section 6.2): on a route with
 * stir_verify, A's Identity is checked before the call is made: the
 * PASSporT's signature with the x5u certificate (fetched by the host,
 * never waited for here: the INVITE is parked until the certificate or
 * its timeout comes), the certificate's chain and TNAuthList (RFC 8226),
 * iat, orig, dest and mky against the INVITE's SDP.  `enforce` refuses
 * what fails with RFC 8224's codes, `mark` passes it on with a verstat
 * on B's From (ATIS-1000074).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "b2bua_internal.h"
#include "dsbc_sip_hdr.h"
#include "dsbc_identity.h"
#include "dsbc_passport.h"
#include "dsbc_stir_cache.h"
#include "dsbc_stir_replay.h"
#include "dsbc_stir_verify.h"

/* a=fingerprint values an offer may carry (RFC 8122: one per
 * certificate a party may present), and their longest (sha-512) */
#define STIR_FPS 16
#define STIR_FP_MAX 208

static int sdp_fingerprints(struct dsbc_b2bua *b, const char *sdp,
			    uint32_t len, char fps[][STIR_FP_MAX],
			    unsigned int max);

/* The number in a From/To header value or a URI: a tel: URI's, or a
 * SIP URI's user part (before any ';'), in RFC 8224 8.3's form. */
static int
tn_of_uri(const char *p, uint32_t len, char out[16])
{
	static const char *const schemes[] = { "tel:", "sip:", "sips:" };
	uint32_t i, s = 0, k;

	for (k = 0; k < sizeof(schemes) / sizeof(schemes[0]) && s == 0; k++) {
		uint32_t n = (uint32_t)strlen(schemes[k]);

		if (len >= n && strncasecmp(p, schemes[k], n) == 0)
			s = n;
	}
	if (s == 0)
		return -1;
	for (i = s; i < len && p[i] != ';' && p[i] != '@' && p[i] != '>'; i++)
		;
	return dsbc_tn_canon(p + s, i - s, out);
}

static int
tn_of_hdr(const struct dsbc_sip_msg *m, enum dsbc_sip_hdr_id id,
	  char out[16])
{
	const struct dsbc_sip_hdr *h = dsbc_sip_hdr_get(m, id, 0);
	struct dsbc_sip_nameaddr na;
	const char *next;

	if (h == NULL || dsbc_sip_nameaddr_parse(h->value.p, h->value.p +
						 h->value.len, &na, false,
						 &next) != 0)
		return -1;
	return tn_of_uri(na.uri_str.p, na.uri_str.len, out);
}

/* a From/To header value's URI, "" when it has none */
static void
uri_of_hdr(const struct dsbc_sip_msg *m, enum dsbc_sip_hdr_id id, char *out,
	   size_t cap)
{
	const struct dsbc_sip_hdr *h = dsbc_sip_hdr_get(m, id, 0);
	struct dsbc_sip_nameaddr na;
	const char *next;

	out[0] = '\0';
	if (h != NULL && dsbc_sip_nameaddr_parse(h->value.p, h->value.p +
						 h->value.len, &na, false,
						 &next) == 0)
		snprintf(out, cap, "%.*s", (int)na.uri_str.len, na.uri_str.p);
}

/* RFC 4122 4.4: a random UUID for origid */
static int
uuid4(struct dsbc_b2bua *b, char out[37])
{
	uint8_t r[16];

	if (b->ops.random(b->ctx, r, sizeof(r)) != 0)
		return -1;
	r[6] = (uint8_t)((r[6] & 0x0f) | 0x40);
	r[8] = (uint8_t)((r[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4], r[5],
		 r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14],
		 r[15]);
	return 0;
}

int
b2bua_stir_sign(struct dsbc_b2bua *b, const struct dsbc_sip_msg *m,
		bool trunk, const char *attest, const char *sdp,
		uint32_t sdp_len, char *out, size_t cap)
{
	struct dsbc_passport p;
	char jws[1024], fps[STIR_FPS][STIR_FP_MAX];
	unsigned int k;
	int n, nfp;

	memset(&p, 0, sizeof(p));
	/* SHAKEN signs numbers (RFC 8588 4): the caller's From, the
	 * callee's Request-URI or To */
	if (b->bc.stir_key == NULL || b->ops.epoch_s == NULL ||
	    tn_of_hdr(m, DSBC_SIP_H_FROM, p.orig_tn) != 0 ||
	    (tn_of_uri(m->ruri.p, m->ruri.len, p.dest_tn[0]) != 0 &&
	     tn_of_hdr(m, DSBC_SIP_H_TO, p.dest_tn[0]) != 0))
		goto skip;
	p.nb_dest_tn = 1;
	snprintf(p.ppt, sizeof(p.ppt), "shaken");
	snprintf(p.x5u, sizeof(p.x5u), "%s", b->cfg->stir.x5u);
	/* a verified caller's attestation where it is SHAKEN's (RFC
	 * 8588 4), else dsbc's own for a user or a trunk */
	if (attest != NULL && (attest[0] < 'A' || attest[0] > 'C' ||
			       attest[1] != '\0'))
		attest = NULL;
	snprintf(p.attest, sizeof(p.attest), "%s", attest != NULL ? attest :
		 trunk ? b->cfg->stir.trunk_attest : b->cfg->stir.attest);
	p.iat = b->ops.epoch_s(b->ctx);
	if (uuid4(b, p.origid) != 0)
		goto skip;
	/* mky: every fingerprint of the offer B gets (all of them, or the
	 * call is not signed: a binding that leaves one out is none) */
	nfp = sdp_fingerprints(b, sdp, sdp_len, fps, STIR_FPS);
	if (nfp < 0)
		goto skip;
	for (k = 0; k < (unsigned int)nfp; k++)
		if (dsbc_passport_mky_add(&p, fps[k], strlen(fps[k])) != 0)
			goto skip;
	n = dsbc_passport_sign(&p, b->bc.stir_key, jws, sizeof(jws));
	if (n < 0 || dsbc_identity_build(jws, p.x5u, p.ppt, out, cap) < 0)
		goto skip;
	b->st.stir_signed++;
	return (int)strlen(out);
skip:
	b->st.stir_sign_skipped++;
	return -1;
}

/* ---- verification ---- */

/* An INVITE waiting for its signer's certificate. */
struct stir_park {
	char *msg;                   /* the INVITE as it came */
	uint32_t len;
	struct dsbc_sip_peer from;
	struct dsbc_sip_txn *t;      /* its server transaction (Proceeding:
				      * no timer ends it while it waits) */
	char user[64];
	bool trunk;
	char url[DSBC_PASSPORT_URI_MAX];
	uint64_t deadline;           /* ms: fetch_timeout_ms after the park */
};

_Static_assert(DSBC_STIR_RESULT_MAX <= DSBC_B2BUA_STIR_RESULTS,
	       "dsbc_b2bua_stats.stir_result is too small");

int
b2bua_stir_init(struct dsbc_b2bua *b, char *err, size_t errlen)
{
	const struct dsbc_stir_cfg *sc = &b->cfg->stir;
	bool any = false;
	unsigned int i;

	for (i = 0; i < b->cfg->nb_routes; i++)
		any |= b->cfg->routes[i].stir_verify != DSBC_STIR_OFF;
	if (!any)
		return 0;
	if (b->bc.stir_trust == NULL || b->ops.epoch_s == NULL) {
		snprintf(err, errlen, "stir_verify needs trust anchors "
			 "([stir] ca_file) and a clock");
		return -1;
	}
	b->stir_cache = dsbc_stir_cache_new(sc->cache_size, b->bc.stir_trust,
					    sc->cache_ttl_s, sc->fail_ttl_s);
	b->stir_replay = dsbc_stir_replay_new(sc->replay_size);
	b->parked = calloc(sc->parked_max, sizeof(*b->parked));
	if (b->stir_cache == NULL || b->stir_replay == NULL ||
	    b->parked == NULL) {
		snprintf(err, errlen, "no memory for the STIR cache");
		return -1;
	}
	return 0;
}

void
b2bua_stir_fini(struct dsbc_b2bua *b)
{
	uint32_t i;

	for (i = 0; i < b->nb_parked; i++)
		free(b->parked[i].msg);
	free(b->parked);
	b->parked = NULL;
	b->nb_parked = 0;
	dsbc_stir_cache_free(b->stir_cache);
	dsbc_stir_replay_free(b->stir_replay);
	b->stir_replay = NULL;
	b->stir_cache = NULL;
}

const struct dsbc_stir_cache_stats *
dsbc_b2bua_stir_cache_stats(const struct dsbc_b2bua *b)
{
	return b->stir_cache != NULL ? dsbc_stir_cache_stats(b->stir_cache) :
	       NULL;
}

bool
b2bua_stir_has_mky(const char *v, uint32_t len)
{
	struct dsbc_identity id;
	struct dsbc_passport p;

	return dsbc_identity_parse(v, len, &id) == 0 &&
	       dsbc_passport_decode(id.jws.p, id.jws.len, &p) ==
	       DSBC_PASSPORT_OK && p.nb_mky > 0;
}

/* Remove every ";verstat=..." from a URI (a caller may not say how it
 * was verified: only the verifier does, ATIS-1000074 5.3). */
static void
verstat_strip(char *uri)
{
	char *q = uri;

	while ((q = strchr(q, ';')) != NULL) {
		size_t n;

		if (strncasecmp(q + 1, "verstat=", 8) != 0) {
			q++;
			continue;
		}
		n = strcspn(q + 1, ";@?>") + 1;
		memmove(q, q + n, strlen(q + n) + 1);
	}
}

int
b2bua_stir_verstat(char *uri, size_t cap, uint8_t verstat)
{
	static const char *const names[] = {
		[VERSTAT_PASSED] = "TN-Validation-Passed",
		[VERSTAT_FAILED] = "TN-Validation-Failed",
		[VERSTAT_NO_VALIDATION] = "No-TN-Validation",
	};
	char out[512];
	size_t pos, n;
	char *at;

	verstat_strip(uri);
	if (verstat == VERSTAT_NONE || verstat >= sizeof(names) /
	    sizeof(names[0]))
		return 0;
	at = strchr(uri, '@');
	if (strncasecmp(uri, "tel:", 4) == 0 || at == NULL)
		/* a tel URI's parameters follow the number; a URI without
		 * a user part takes it as a URI parameter */
		pos = strcspn(uri, "?");
	else
		/* a SIP URI: a user parameter, before the '@' (RFC 3261
		 * 19.1.1 allows ';' in the user part, as ATIS-1000074
		 * 5.3.1 writes it) */
		pos = (size_t)(at - uri);
	n = (size_t)snprintf(out, sizeof(out), "%.*s;verstat=%s%s", (int)pos,
			     uri, names[verstat], uri + pos);
	if (n >= sizeof(out) || n >= cap)
		return -1;
	memcpy(uri, out, n + 1);
	return 0;
}

/* The offer's a=fingerprint values, every line of them at any level
 * (not only those the parsed view keeps), NUL-terminated; -1 when there
 * are more than max: then not all could be checked, and none is taken. */
static int
sdp_fingerprints(struct dsbc_b2bua *b, const char *sdp, uint32_t len,
		 char fps[][STIR_FP_MAX], unsigned int max)
{
	const struct dsbc_sdp *s = &b->sdp_out;
	unsigned int i, n = 0;

	if (len == 0 || dsbc_sdp_parse(sdp, len, &b->sdp_out) !=
	    DSBC_SDP_ERR_NONE)
		return 0;
	for (i = 0; i < s->nb_lines; i++) {
		const struct dsbc_sdp_line *l = &s->lines[i];
		const char *c;

		if (l->type != 'a' || l->attr != DSBC_SDP_A_FINGERPRINT)
			continue;
		c = memchr(l->value.p, ':', l->value.len);
		if (c == NULL)
			continue;
		if (n == max)
			return -1;
		c++;
		snprintf(fps[n++], STIR_FP_MAX, "%.*s",
			 (int)(l->value.len - (uint32_t)(c - l->value.p)), c);
	}
	return (int)n;
}

static int
park(struct dsbc_b2bua *b, const struct dsbc_sip_peer *from,
     const struct dsbc_sip_msg *m, struct dsbc_sip_txn *t, const char *user,
     bool trunk, const char *url, uint64_t now)
{
	struct stir_park *pk;

	if (b->nb_parked >= b->cfg->stir.parked_max)
		return -1;
	pk = &b->parked[b->nb_parked];
	memset(pk, 0, sizeof(*pk));
	pk->msg = malloc(m->msg_len);
	if (pk->msg == NULL)
		return -1;
	memcpy(pk->msg, m->buf, m->msg_len);
	pk->len = m->msg_len;
	pk->from = *from;
	pk->t = t;
	snprintf(pk->user, sizeof(pk->user), "%s", user);
	pk->trunk = trunk;
	snprintf(pk->url, sizeof(pk->url), "%s", url);
	pk->deadline = now + b->cfg->stir.fetch_timeout_ms;
	if (b->park_next == 0 || pk->deadline < b->park_next)
		b->park_next = pk->deadline;
	b->nb_parked++;
	b->st.stir_parked = b->nb_parked;
	return 0;
}

/* Take parked entry i out (the last one moves in) into *out. */
static void
unpark(struct dsbc_b2bua *b, uint32_t i, struct stir_park *out)
{
	*out = b->parked[i];
	b->parked[i] = b->parked[--b->nb_parked];
	b->st.stir_parked = b->nb_parked;
}

/* A parked INVITE goes on: parsed again from its copy. */
static void
resume(struct dsbc_b2bua *b, struct stir_park *pk, uint64_t now)
{
	if (dsbc_sip_parse(pk->msg, pk->len, &b->park_msg) ==
	    DSBC_SIP_ERR_NONE)
		b2bua_invite_resume(b, &pk->from, &b->park_msg, pk->t, pk->user,
				    pk->trunk, now);
	free(pk->msg);
}

static void
resume_url(struct dsbc_b2bua *b, const char *url, uint64_t now)
{
	struct stir_park pk;
	uint32_t i;

	/* from the end: a resumed INVITE that parks again is appended */
	for (i = b->nb_parked; i-- > 0; ) {
		if (i >= b->nb_parked || strcmp(b->parked[i].url, url) != 0)
			continue;
		unpark(b, i, &pk);
		resume(b, &pk, now);
	}
}

static void
park_next(struct dsbc_b2bua *b)
{
	uint32_t i;

	b->park_next = 0;
	for (i = 0; i < b->nb_parked; i++)
		if (b->park_next == 0 || b->parked[i].deadline < b->park_next)
			b->park_next = b->parked[i].deadline;
}

void
dsbc_b2bua_stir_fetched(struct dsbc_b2bua *b, const char *url,
			const void *body, size_t len, uint64_t now)
{
	int64_t epoch;

	if (b->stir_cache == NULL)
		return;
	b->now = now;
	epoch = b->ops.epoch_s(b->ctx);
	if (body != NULL) {
		enum dsbc_stir_result r = dsbc_stir_cache_put(b->stir_cache,
							      url, body, len,
							      epoch);

		if (r != DSBC_STIR_VALID)
			B2B_LOG(b, NOTICE, "x5u %s: %s", url,
				dsbc_stir_result_name(r));
	} else {
		dsbc_stir_cache_fail(b->stir_cache, url, epoch);
		B2B_LOG(b, NOTICE, "x5u %s: fetch failed", url);
	}
	resume_url(b, url, now);
	park_next(b);
}

void
b2bua_stir_tick(struct dsbc_b2bua *b, uint64_t now)
{
	const struct dsbc_stir_cert *e;
	uint32_t i;

	if (b->park_next == 0 || now < b->park_next)
		return;
	for (i = 0; i < b->nb_parked; i++) {
		struct stir_park *pk = &b->parked[i];
		char url[DSBC_PASSPORT_URI_MAX];

		if (pk->deadline > now)
			continue;
		/* the fetch took too long: the URL fails for fail_ttl_s
		 * and everything waiting for it goes on */
		snprintf(url, sizeof(url), "%s", pk->url);
		e = dsbc_stir_cache_find(b->stir_cache, url,
					 b->ops.epoch_s(b->ctx));
		if (e == NULL || e->state == DSBC_STIR_CERT_PENDING) {
			b->st.stir_fetch_timeouts++;
			dsbc_stir_cache_fail(b->stir_cache, url,
					     b->ops.epoch_s(b->ctx));
			B2B_LOG(b, NOTICE, "x5u %s: no answer in %u ms", url,
				b->cfg->stir.fetch_timeout_ms);
		}
		resume_url(b, url, now);
		i = (uint32_t)-1;    /* the array changed: again from 0 */
	}
	park_next(b);
}

int
b2bua_stir_cancel(struct dsbc_b2bua *b, struct dsbc_sip_txn *t,
		  const struct dsbc_sip_peer *from, uint64_t now)
{
	struct stir_park pk;
	uint32_t i;

	for (i = 0; i < b->nb_parked; i++) {
		if (b->parked[i].t != t)
			continue;
		if (from->family != b->parked[i].from.family ||
		    from->in != b->parked[i].from.in ||
		    !dsbc_addr_eq(&from->remote, &b->parked[i].from.remote))
			return -1;
		unpark(b, i, &pk);
		if (dsbc_sip_parse(pk.msg, pk.len, &b->park_msg) ==
		    DSBC_SIP_ERR_NONE)
			b2bua_reply(b, &b->park_msg, &pk.from, pk.t, 487,
				    "Request Terminated", now);
		free(pk.msg);
		park_next(b);
		return 1;
	}
	return 0;
}

/* The decision on a verification result, by the route's policy. */
static int
decide(struct dsbc_b2bua *b, const struct dsbc_route_cfg *r,
       enum dsbc_stir_result res, const struct dsbc_passport *p,
       struct b2bua_stir_in *in, const char **reason)
{
	b->st.stir_result[res]++;
	in->mark = r->stir_verify == DSBC_STIR_MARK;
	if (res == DSBC_STIR_VALID) {
		b->st.stir_verified++;
		in->valid = true;
		in->verstat = VERSTAT_PASSED;
		snprintf(in->attest, sizeof(in->attest), "%s", p->attest);
		return 0;
	}
	if (r->stir_verify == DSBC_STIR_ENFORCE) {
		b->st.stir_refused++;
		return dsbc_stir_status(res, reason);
	}
	b->st.stir_marked++;
	/* ATIS-1000074: nothing to verify, or could not, is "no
	 * validation"; a verification that failed says so */
	in->verstat = res == DSBC_STIR_NO_IDENTITY ||
		      res == DSBC_STIR_BAD_INFO ? VERSTAT_NO_VALIDATION :
		      VERSTAT_FAILED;
	return 0;
}

/* dsbc could not verify now for a reason of its own (fetches or park
 * full): no verdict on the signer is kept or counted as one */
static int
busy(struct dsbc_b2bua *b, const struct dsbc_route_cfg *r,
     struct b2bua_stir_in *in, const char **reason)
{
	in->mark = r->stir_verify == DSBC_STIR_MARK;
	if (r->stir_verify == DSBC_STIR_ENFORCE) {
		b->st.stir_refused++;
		*reason = "Service Unavailable";
		return 503;
	}
	b->st.stir_marked++;
	in->verstat = VERSTAT_NO_VALIDATION;
	return 0;
}

/* Is url's host one [stir] x5u_hosts allows ("" allows any)?  An entry
 * ".example.com" allows its subdomains, "example.com" that host. */
static bool
x5u_allowed(const struct dsbc_b2bua *b, const char *url)
{
	const char *list = b->cfg->stir.x5u_hosts, *h, *e;
	size_t hl;

	if (list[0] == '\0')
		return true;
	h = strstr(url, "://");
	if (h == NULL)
		return false;
	h += 3;
	hl = strcspn(h, ":/?#");
	if (memchr(h, '@', hl) != NULL)      /* no userinfo tricks */
		return false;
	while (*list != '\0') {
		size_t n;

		list += strspn(list, " ,");
		e = list + strcspn(list, ",");
		n = (size_t)(e - list);
		while (n > 0 && list[n - 1] == ' ')
			n--;
		if (n > 0 && (list[0] == '.' ?
			      hl > n && strncasecmp(h + hl - n, list, n) == 0 :
			      hl == n && strncasecmp(h, list, n) == 0))
			return true;
		list = e;
	}
	return false;
}

/* Outcomes of one Identity header besides enum dsbc_stir_result. */
#define STIR_WAIT  (-1)     /* its certificate is being fetched */
#define STIR_BUSY  (-2)     /* dsbc cannot fetch it now */

/*
 * One Identity header: parsed, its x5u looked up (a fetch started when
 * it is not known), verified against the call.  *url gets the x5u.
 */
static int
verify_one(struct dsbc_b2bua *b, const struct dsbc_sip_msg *m,
	   const struct dsbc_sip_hdr *h, const struct dsbc_stir_call *call,
	   struct dsbc_passport *p, char *url, size_t url_cap, int64_t epoch)
{
	const struct dsbc_stir_cert *e;
	struct dsbc_identity id;
	struct dsbc_stir_call c2;
	char to[16];
	int res;

	/* RFC 8224 4.1: ES256 (the default); the header's ppt, when
	 * given, is the token's */
	if (dsbc_identity_parse(h->value.p, h->value.len, &id) != 0 ||
	    id.info.len >= url_cap ||
	    id.alg.len != 5 || strncmp(id.alg.p, "ES256", 5) != 0 ||
	    dsbc_passport_decode(id.jws.p, id.jws.len, p) != DSBC_PASSPORT_OK ||
	    (id.ppt.len > 0 && (id.ppt.len != strlen(p->ppt) ||
				strncmp(id.ppt.p, p->ppt, id.ppt.len) != 0)))
		return DSBC_STIR_BAD_HEADER;
	memcpy(url, id.info.p, id.info.len);
	url[id.info.len] = '\0';
	/* the header's info and the PASSporT's x5u name one certificate,
	 * on a host dsbc may fetch from */
	if ((p->x5u[0] != '\0' && strcmp(p->x5u, url) != 0) ||
	    (strncmp(url, "http://", 7) != 0 &&
	     strncmp(url, "https://", 8) != 0) || !x5u_allowed(b, url))
		return DSBC_STIR_BAD_INFO;
	e = dsbc_stir_cache_find(b->stir_cache, url, epoch);
	if (e == NULL) {
		/* RFC 8224 6.2.1: fetch it, without holding anything else
		 * up; the INVITE waits */
		if (b->ops.stir_fetch == NULL ||
		    dsbc_stir_cache_pending(b->stir_cache, url, epoch) != 0)
			return DSBC_STIR_BAD_INFO;
		if (b->ops.stir_fetch(b->ctx, url) != 0) {
			b->st.stir_fetch_refused++;
			dsbc_stir_cache_forget(b->stir_cache, url);
			return STIR_BUSY;
		}
		b->st.stir_fetches++;
		return STIR_WAIT;
	}
	if (e->state == DSBC_STIR_CERT_PENDING)
		return STIR_WAIT;
	res = dsbc_stir_verify_with(e, id.jws.p, id.jws.len, p, call);
	/* dest: the Request-URI's number, or To's (RFC 8224 6.2 step 3
	 * names To; a retargeted request keeps it there) */
	if (res == DSBC_STIR_DEST_MISMATCH &&
	    tn_of_hdr(m, DSBC_SIP_H_TO, to) == 0) {
		c2 = *call;
		c2.dest_tn = to;
		res = dsbc_stir_verify_with(e, id.jws.p, id.jws.len, p, &c2);
	}
	/* a valid token seen with another call within its window was
	 * copied (RFC 8224 12.1) */
	if (res == DSBC_STIR_VALID) {
		const struct dsbc_sip_hdr *cid =
			dsbc_sip_hdr_get(m, DSBC_SIP_H_CALL_ID, 0);
		const char *sig = memrchr(id.jws.p, '.', id.jws.len);

		if (sig != NULL && cid != NULL &&
		    dsbc_stir_replay_check(b->stir_replay, sig,
					   id.jws.len -
					   (size_t)(sig - id.jws.p),
					   cid->value.p, cid->value.len,
					   epoch, p->iat +
					   b->cfg->stir.iat_window_s + 1) != 0)
			res = DSBC_STIR_REPLAYED;
	}
	return res;
}

int
b2bua_stir_check(struct dsbc_b2bua *b, const struct dsbc_sip_peer *from,
		 const struct dsbc_sip_msg *m, struct dsbc_sip_txn *t,
		 const struct dsbc_route_cfg *r, const char *user, bool trunk,
		 struct b2bua_stir_in *in, const char **reason, uint64_t now)
{
	char url[DSBC_PASSPORT_URI_MAX], wait_url[DSBC_PASSPORT_URI_MAX] = "";
	char orig[16] = "", dest[16] = "", fps[STIR_FPS][STIR_FP_MAX];
	char orig_uri[DSBC_PASSPORT_URI_MAX], dest_uri[DSBC_PASSPORT_URI_MAX];
	const char *fpp[STIR_FPS];
	const struct dsbc_sip_hdr *h;
	struct dsbc_stir_call call;
	struct dsbc_passport p, first_p;
	int res, first = DSBC_STIR_NO_IDENTITY, nfp, i;
	bool busy_seen = false;
	unsigned int k;
	int64_t epoch;

	memset(in, 0, sizeof(*in));
	memset(&p, 0, sizeof(p));
	memset(&first_p, 0, sizeof(first_p));
	if (r->stir_verify == DSBC_STIR_OFF || b->stir_cache == NULL)
		return 0;
	epoch = b->ops.epoch_s(b->ctx);
	/* RFC 8224 6.2 step 2 and 8.3: the caller is From's number (or
	 * URI), the callee the Request-URI's (else To's) */
	memset(&call, 0, sizeof(call));
	if (tn_of_hdr(m, DSBC_SIP_H_FROM, orig) != 0)
		orig[0] = '\0';
	call.orig_tn = orig;
	uri_of_hdr(m, DSBC_SIP_H_FROM, orig_uri, sizeof(orig_uri));
	call.orig_uri = orig_uri;
	if (tn_of_uri(m->ruri.p, m->ruri.len, dest) != 0 &&
	    tn_of_hdr(m, DSBC_SIP_H_TO, dest) != 0)
		dest[0] = '\0';
	call.dest_tn = dest;
	uri_of_hdr(m, DSBC_SIP_H_TO, dest_uri, sizeof(dest_uri));
	call.dest_uri = dest_uri;
	/* every fingerprint of the offer, or the check fails closed */
	nfp = sdp_fingerprints(b, m->body.p, m->body.len, fps, STIR_FPS);
	for (i = 0; i < nfp; i++)
		fpp[i] = fps[i];
	call.fps = fpp;
	call.nb_fps = nfp > 0 ? (unsigned int)nfp : 0;
	call.now = epoch;
	call.iat_window_s = b->cfg->stir.iat_window_s;
	/* RFC 8224 6.2: any Identity header that verifies will do (others
	 * may be of another ppt, RFC 8946); else the first one's verdict */
	for (k = 0; (h = dsbc_sip_hdr_get(m, DSBC_SIP_H_IDENTITY, k)) != NULL;
	     k++) {
		memset(&p, 0, sizeof(p));
		res = verify_one(b, m, h, &call, &p, url, sizeof(url), epoch);
		if (res == DSBC_STIR_VALID && nfp < 0 && p.nb_mky > 0)
			res = DSBC_STIR_MKY_MISMATCH;
		if (res == DSBC_STIR_VALID)
			return decide(b, r, DSBC_STIR_VALID, &p, in, reason);
		if (res == STIR_WAIT) {
			if (wait_url[0] == '\0')
				snprintf(wait_url, sizeof(wait_url), "%s", url);
			continue;
		}
		if (res == STIR_BUSY) {
			busy_seen = true;
			continue;
		}
		if (first == DSBC_STIR_NO_IDENTITY) {
			first = res;
			first_p = p;
		}
	}
	if (wait_url[0] != '\0') {
		/* a certificate is on its way: the INVITE waits for it
		 * (and is checked again whole when it comes) */
		if (park(b, from, m, t, user, trunk, wait_url, now) == 0)
			return -1;
		b->st.stir_park_full++;
		return busy(b, r, in, reason);
	}
	if (busy_seen && first == DSBC_STIR_NO_IDENTITY)
		return busy(b, r, in, reason);
	return decide(b, r, (enum dsbc_stir_result)first, &first_p, in,
		      reason);
}
