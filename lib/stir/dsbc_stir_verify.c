/* SPDX-License-Identifier: BSD-3-Clause */
/* The verification service's decisions (dsbc_stir_verify.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "dsbc_stir_verify.h"

/* ---- TNAuthList (RFC 8226 section 9), DER ---- */

/* One DER element at *p (short or long definite length): its tag and
 * contents, *p past it.  -1 when it runs past end. */
static int
der_next(const uint8_t **p, const uint8_t *end, uint8_t *tag,
	 const uint8_t **val, size_t *len)
{
	const uint8_t *q = *p;
	size_t n;

	if (end - q < 2)
		return -1;
	*tag = *q++;
	n = *q++;
	if (n & 0x80) {
		unsigned int k = n & 0x7f;

		if (k == 0 || k > 2 || (size_t)(end - q) < k)
			return -1;
		for (n = 0; k > 0; k--)
			n = n << 8 | *q++;
	}
	if ((size_t)(end - q) < n)
		return -1;
	*val = q;
	*len = n;
	*p = q + n;
	return 0;
}

/* TelephoneNumber ::= IA5String (SIZE (1..15)) (FROM ("0123456789#*")),
 * an element already split (tag, contents) */
static int
tn_of(uint8_t tag, const uint8_t *v, size_t n, char out[16])
{
	size_t i;

	if (tag != 0x16 || n == 0 || n > 15)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isdigit(v[i]) && v[i] != '#' && v[i] != '*')
			return -1;
		out[i] = (char)v[i];
	}
	out[n] = '\0';
	return 0;
}

/* exactly one TelephoneNumber in [p, end) */
static int
der_tn(const uint8_t *p, const uint8_t *end, char out[16])
{
	const uint8_t *v;
	uint8_t tag;
	size_t n;

	if (der_next(&p, end, &tag, &v, &n) != 0 || p != end)
		return -1;
	return tn_of(tag, v, n, out);
}

int
dsbc_tnauth_parse(X509 *cert, struct dsbc_tnauth *t)
{
	ASN1_OBJECT *oid = OBJ_txt2obj("1.3.6.1.5.5.7.1.26", 1);
	const ASN1_OCTET_STRING *os;
	const uint8_t *p, *end, *v, *ev;
	X509_EXTENSION *ext;
	size_t n, en;
	uint8_t tag, et;
	int i;

	memset(t, 0, sizeof(*t));
	i = oid != NULL ? X509_get_ext_by_OBJ(cert, oid, -1) : -1;
	ASN1_OBJECT_free(oid);
	if (i < 0 || (ext = X509_get_ext(cert, i)) == NULL ||
	    (os = X509_EXTENSION_get_data(ext)) == NULL)
		return -1;
	p = ASN1_STRING_get0_data(os);
	end = p + ASN1_STRING_length(os);
	/* TNAuthorizationList ::= SEQUENCE SIZE (1..MAX) OF TNEntry */
	if (der_next(&p, end, &tag, &v, &n) != 0 || tag != 0x30 || p != end ||
	    n == 0)
		return -1;
	p = v;
	end = v + n;
	while (p < end) {
		/* TNEntry ::= CHOICE { spc [0], range [1], one [2] },
		 * explicitly tagged */
		if (t->nb >= DSBC_TNAUTH_MAX ||
		    der_next(&p, end, &et, &ev, &en) != 0)
			return -1;
		switch (et) {
		case 0xa0:              /* ServiceProviderCode ::= IA5String */
		{
			const uint8_t *q = ev;

			if (der_next(&q, ev + en, &tag, &v, &n) != 0 ||
			    tag != 0x16 || n == 0 || n >= 16 || q != ev + en)
				return -1;
			memcpy(t->e[t->nb].a, v, n);
			t->e[t->nb].a[n] = '\0';
			t->e[t->nb].kind = 0;
			break;
		}
		case 0xa1: {            /* SEQUENCE { start, count } */
			const uint8_t *q = ev, *s, *cv;
			size_t sn, cn, k;
			uint32_t count = 0;

			if (der_next(&q, ev + en, &tag, &s, &sn) != 0 ||
			    tag != 0x30 || q != ev + en)
				return -1;
			q = s;
			if (der_next(&q, s + sn, &tag, &v, &n) != 0 ||
			    tn_of(tag, v, n, t->e[t->nb].a) != 0 ||
			    der_next(&q, s + sn, &tag, &cv, &cn) != 0 ||
			    tag != 0x02 || cn == 0 || cn > 4 ||
			    (cv[0] & 0x80) != 0)
				return -1;
			for (k = 0; k < cn; k++)
				count = count << 8 | cv[k];
			if (count < 2)
				return -1;
			t->e[t->nb].count = count;
			t->e[t->nb].kind = 1;
			break;
		}
		case 0xa2:              /* TelephoneNumber */
			if (der_tn(ev, ev + en, t->e[t->nb].a) != 0)
				return -1;
			t->e[t->nb].kind = 2;
			break;
		default:
			return -1;
		}
		t->nb++;
	}
	return t->nb > 0 ? 0 : -1;
}

/* tn within [start, start + count): same length, all digits */
static bool
in_range(const char *start, uint32_t count, const char *tn)
{
	size_t n = strlen(start), i;
	unsigned long long a = 0, x = 0;

	if (strlen(tn) != n || n > 15)
		return false;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)start[i]) ||
		    !isdigit((unsigned char)tn[i]))
			return false;
		a = a * 10 + (unsigned long long)(start[i] - '0');
		x = x * 10 + (unsigned long long)(tn[i] - '0');
	}
	return x >= a && x - a < count;
}

bool
dsbc_tnauth_covers(const struct dsbc_tnauth *t, const char *tn)
{
	unsigned int i;

	for (i = 0; i < t->nb; i++) {
		if (t->e[i].kind == 0)
			return true;
		if (t->e[i].kind == 2 && strcmp(t->e[i].a, tn) == 0)
			return true;
		if (t->e[i].kind == 1 && in_range(t->e[i].a, t->e[i].count, tn))
			return true;
	}
	return false;
}

enum dsbc_stir_result
dsbc_stir_check_cert(X509 *cert, STACK_OF(X509) *untrusted,
		     X509_STORE *trust, int64_t now, const char *orig_tn,
		     struct dsbc_es256 **key)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	struct dsbc_tnauth tn;
	int ok;

	*key = NULL;
	if (ctx == NULL)
		return DSBC_STIR_BAD_CERT;
	ok = X509_STORE_CTX_init(ctx, trust, cert, untrusted) == 1;
	if (ok) {
		X509_STORE_CTX_set_time(ctx, 0, (time_t)now);
		ok = X509_verify_cert(ctx) == 1;
	}
	X509_STORE_CTX_free(ctx);
	/* RFC 8226 9: the certificate says which numbers it signs for */
	if (!ok || dsbc_tnauth_parse(cert, &tn) != 0 ||
	    (orig_tn != NULL && orig_tn[0] != '\0' &&
	     !dsbc_tnauth_covers(&tn, orig_tn)))
		return DSBC_STIR_BAD_CERT;
	*key = dsbc_es256_new(X509_get0_pubkey(cert));
	return *key != NULL ? DSBC_STIR_VALID : DSBC_STIR_BAD_CERT;
}

/* is the fingerprint value "alg AB:CD:.." one of mky's? */
static bool
mky_has(const struct dsbc_passport *p, const char *fp)
{
	struct dsbc_passport_mky m;
	unsigned int i;

	if (dsbc_passport_mky_parse(fp, strlen(fp), &m) != 0)
		return false;
	for (i = 0; i < p->nb_mky; i++)
		if (strcmp(p->mky[i].alg, m.alg) == 0 &&
		    strcasecmp(p->mky[i].dig, m.dig) == 0)
			return true;
	return false;
}

enum dsbc_stir_result
dsbc_stir_check_claims(const struct dsbc_passport *p,
		       const struct dsbc_stir_call *c)
{
	bool dest = false;
	unsigned int i;

	/* RFC 8224 6.2 step 4 (and 6.2.1): a fresh iat */
	if (p->iat > c->now + c->iat_window_s ||
	    p->iat < c->now - c->iat_window_s)
		return DSBC_STIR_STALE;
	/* step 2: orig is who the request says is calling */
	if (p->orig_tn[0] != '\0' ?
	    strcmp(p->orig_tn, c->orig_tn ? c->orig_tn : "") != 0 :
	    strcmp(p->orig_uri, c->orig_uri ? c->orig_uri : "") != 0)
		return DSBC_STIR_ORIG_MISMATCH;
	for (i = 0; i < p->nb_dest_tn && !dest; i++)
		dest = c->dest_tn != NULL && c->dest_tn[0] != '\0' &&
		       strcmp(p->dest_tn[i], c->dest_tn) == 0;
	for (i = 0; i < p->nb_dest_uri && !dest; i++)
		dest = c->dest_uri != NULL &&
		       strcmp(p->dest_uri[i], c->dest_uri) == 0;
	if (!dest)
		return DSBC_STIR_DEST_MISMATCH;
	/* RFC 8225 5.2.2: the SDP's fingerprints are the ones signed; an
	 * offer with none under a PASSporT that has mky lost its DTLS on
	 * the way (a middle box downgrading to SDES or plain RTP) */
	if (p->nb_mky > 0) {
		if (c->nb_fps == 0)
			return DSBC_STIR_MKY_MISMATCH;
		for (i = 0; i < c->nb_fps; i++)
			if (!mky_has(p, c->fps[i]))
				return DSBC_STIR_MKY_MISMATCH;
	}
	return DSBC_STIR_VALID;
}

uint16_t
dsbc_stir_status(enum dsbc_stir_result r, const char **reason)
{
	switch (r) {
	case DSBC_STIR_VALID:
		*reason = "OK";
		return 0;
	case DSBC_STIR_NO_IDENTITY:
		*reason = "Use Identity Header";
		return 428;
	case DSBC_STIR_BAD_INFO:
		*reason = "Bad Identity Info";
		return 436;
	case DSBC_STIR_BAD_CERT:
		*reason = "Unsupported Credential";
		return 437;
	case DSBC_STIR_STALE:
		*reason = "Stale Date";
		return 403;
	default:
		*reason = "Invalid Identity Header";
		return 438;
	}
}

const char *
dsbc_stir_result_name(enum dsbc_stir_result r)
{
	static const char *const names[] = {
		"valid", "no_identity", "bad_header", "bad_info", "bad_cert",
		"bad_signature", "stale", "orig_mismatch", "dest_mismatch",
		"mky_mismatch", "replayed",
	};

	return (unsigned int)r < DSBC_STIR_RESULT_MAX ? names[r] : "?";
}
