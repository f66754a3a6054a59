/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The STIR authentication service (RFC 8224 section 6.1, RFC 8588): for
 * an INVITE from a digest-authenticated user or a trunk, on a route with
 * stir_sign, dsbc signs a SHAKEN PASSporT for the caller's and callee's
 * numbers, its mky over the fingerprints of the offer dsbc sends to B
 * (RFC 8225 5.2.2): A's in relay and aware modes, dsbc's own pinned one
 * where it terminates (an identified endpoint, not a hidden middle).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "b2bua_internal.h"
#include "dsbc_sip_hdr.h"
#include "dsbc_identity.h"
#include "dsbc_passport.h"

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
		bool trunk, const char *sdp, uint32_t sdp_len, char *out,
		size_t cap)
{
	struct dsbc_passport p;
	char jws[1024];
	unsigned int i, k;
	int n;

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
	snprintf(p.attest, sizeof(p.attest), "%s",
		 trunk ? b->cfg->stir.trunk_attest : b->cfg->stir.attest);
	p.iat = b->ops.epoch_s(b->ctx);
	if (uuid4(b, p.origid) != 0)
		goto skip;
	/* mky: every fingerprint of the offer B gets */
	if (sdp_len > 0 && dsbc_sdp_parse(sdp, sdp_len, &b->sdp_out) ==
	    DSBC_SDP_ERR_NONE) {
		const struct dsbc_sdp *s = &b->sdp_out;

		for (k = 0; k < s->nb_fingerprint; k++)
			if (dsbc_passport_mky_add(&p, s->fingerprint[k].p,
						  s->fingerprint[k].len) != 0)
				goto skip;
		for (i = 0; i < s->nb_media; i++)
			for (k = 0; k < s->media[i].nb_fingerprint; k++)
				if (dsbc_passport_mky_add(&p,
					s->media[i].fingerprint[k].p,
					s->media[i].fingerprint[k].len) != 0)
					goto skip;
	}
	n = dsbc_passport_sign(&p, b->bc.stir_key, jws, sizeof(jws));
	if (n < 0 || dsbc_identity_build(jws, p.x5u, p.ppt, out, cap) < 0)
		goto skip;
	b->st.stir_signed++;
	return (int)strlen(out);
skip:
	b->st.stir_sign_skipped++;
	return -1;
}
