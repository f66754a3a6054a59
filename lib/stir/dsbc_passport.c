/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PASSporT (RFC 8225, RFC 8588): deterministic JSON written in sorted
 * order, parsed with jansson; ES256 with OpenSSL's EVP; the JWS compact
 * form.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "dsbc_passport.h"

/* a header or claims object decoded: far below a SIP message's size */
#define PART_MAX 4096

static const char B64URL[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int
dsbc_b64url_encode(const uint8_t *in, size_t len, char *out, size_t cap)
{
	size_t i, o = 0;

	if (cap < (len + 2) / 3 * 4 + 1)
		return -1;
	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
			     in[i + 2];

		out[o++] = B64URL[v >> 18];
		out[o++] = B64URL[(v >> 12) & 63];
		out[o++] = B64URL[(v >> 6) & 63];
		out[o++] = B64URL[v & 63];
	}
	if (len - i == 1) {
		out[o++] = B64URL[in[i] >> 2];
		out[o++] = B64URL[(in[i] & 3) << 4];
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 8 | in[i + 1];

		out[o++] = B64URL[v >> 10];
		out[o++] = B64URL[(v >> 4) & 63];
		out[o++] = B64URL[(v & 15) << 2];
	}
	out[o] = '\0';
	return (int)o;
}

static int
b64url_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

int
dsbc_b64url_decode(const char *in, size_t len, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	size_t i, o = 0;
	int bits = 0;

	while (len > 0 && in[len - 1] == '=')
		len--;
	if (len % 4 == 1)
		return -1;
	for (i = 0; i < len; i++) {
		int v = b64url_val(in[i]);

		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= cap)
				return -1;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	/* the unused low bits of the last character must be zero */
	if ((acc & ((1u << bits) - 1)) != 0)
		return -1;
	return (int)o;
}

const char *
dsbc_passport_err_name(enum dsbc_passport_err e)
{
	static const char *const names[] = {
		"ok", "format", "json", "alg", "ppt", "claims", "key",
		"signature", "space",
	};

	return (unsigned int)e < sizeof(names) / sizeof(names[0]) ?
	       names[e] : "?";
}

/* ---- JSON ---- */

/*
 * The deterministic JSON of RFC 8225 section 9, written directly: the
 * members of each object are emitted in sorted order by construction
 * (alg < ppt < typ < x5u; attest < dest < iat < mky < orig < origid;
 * tn < uri; alg < dig), without whitespace.  A quarter of a signature's
 * cost went to building jansson objects for it; the unit test holds
 * this output to jansson's sorted compact dump of the same object.
 */
struct jbuf {
	char *p;
	size_t len, cap;
	bool bad;
};

static void
jraw(struct jbuf *b, const char *s, size_t n)
{
	if (b->bad || b->len + n >= b->cap) {
		b->bad = true;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void
jlit(struct jbuf *b, const char *s)
{
	jraw(b, s, strlen(s));
}

/* a JSON string (RFC 8259 7): '"' and '\\' escaped.  The values are
 * URIs, numbers and tokens: printable ASCII; anything else (controls,
 * whose escapes signers write differently, and non-ASCII) is refused */
static void
jstr(struct jbuf *b, const char *s)
{
	jraw(b, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[2] = { '\\', (char)c };

		if (c < 0x20 || c >= 0x7f) {
			b->bad = true;
			return;
		}
		if (c == '"' || c == '\\')
			jraw(b, esc, 2);
		else
			jraw(b, (const char *)&c, 1);
	}
	jraw(b, "\"", 1);
}

static int
jend(struct jbuf *b)
{
	if (b->bad || b->len >= b->cap)
		return -1;
	b->p[b->len] = '\0';
	return (int)b->len;
}

int
dsbc_passport_header_json(const struct dsbc_passport *p, char *out,
			  size_t cap)
{
	struct jbuf b = { out, 0, cap, false };

	jlit(&b, "{\"alg\":\"ES256\"");
	if (p->ppt[0] != '\0') {
		jlit(&b, ",\"ppt\":");
		jstr(&b, p->ppt);
	}
	jlit(&b, ",\"typ\":\"passport\"");
	if (p->x5u[0] != '\0') {
		jlit(&b, ",\"x5u\":");
		jstr(&b, p->x5u);
	}
	jlit(&b, "}");
	return jend(&b);
}

int
dsbc_passport_claims_json(const struct dsbc_passport *p, char *out,
			  size_t cap)
{
	struct jbuf b = { out, 0, cap, false };
	char num[24];
	unsigned int i;

	if ((p->orig_tn[0] == '\0' && p->orig_uri[0] == '\0') ||
	    p->nb_dest_tn + p->nb_dest_uri == 0 ||
	    p->nb_dest_tn > DSBC_PASSPORT_MAX_DEST ||
	    p->nb_dest_uri > DSBC_PASSPORT_MAX_DEST ||
	    p->nb_mky > DSBC_PASSPORT_MAX_MKY)
		return -1;
	jlit(&b, "{");
	if (p->attest[0] != '\0') {
		jlit(&b, "\"attest\":");
		jstr(&b, p->attest);
		jlit(&b, ",");
	}
	jlit(&b, "\"dest\":{");
	if (p->nb_dest_tn > 0) {
		jlit(&b, "\"tn\":[");
		for (i = 0; i < p->nb_dest_tn; i++) {
			if (i > 0)
				jlit(&b, ",");
			jstr(&b, p->dest_tn[i]);
		}
		jlit(&b, "]");
	}
	if (p->nb_dest_uri > 0) {
		jlit(&b, p->nb_dest_tn > 0 ? ",\"uri\":[" : "\"uri\":[");
		for (i = 0; i < p->nb_dest_uri; i++) {
			if (i > 0)
				jlit(&b, ",");
			jstr(&b, p->dest_uri[i]);
		}
		jlit(&b, "]");
	}
	snprintf(num, sizeof(num), "%lld", (long long)p->iat);
	jlit(&b, "},\"iat\":");
	jlit(&b, num);
	if (p->nb_mky > 0) {
		/* already in order (dsbc_passport_mky_add) */
		jlit(&b, ",\"mky\":[");
		for (i = 0; i < p->nb_mky; i++) {
			jlit(&b, i > 0 ? ",{\"alg\":" : "{\"alg\":");
			jstr(&b, p->mky[i].alg);
			jlit(&b, ",\"dig\":");
			jstr(&b, p->mky[i].dig);
			jlit(&b, "}");
		}
		jlit(&b, "]");
	}
	jlit(&b, ",\"orig\":{");
	if (p->orig_tn[0] != '\0') {
		jlit(&b, "\"tn\":");
		jstr(&b, p->orig_tn);
	} else {
		jlit(&b, "\"uri\":");
		jstr(&b, p->orig_uri);
	}
	jlit(&b, "}");
	if (p->origid[0] != '\0') {
		jlit(&b, ",\"origid\":");
		jstr(&b, p->origid);
	}
	jlit(&b, "}");
	return jend(&b);
}

int
dsbc_passport_mky_parse(const char *fp, size_t len,
			struct dsbc_passport_mky *m)
{
	size_t i = 0, a = 0, d = 0;

	memset(m, 0, sizeof(*m));
	while (i < len && fp[i] != ' ' && a + 1 < sizeof(m->alg))
		m->alg[a++] = (char)tolower((unsigned char)fp[i++]);
	if (a == 0 || i >= len || fp[i] != ' ')
		return -1;
	while (i < len && fp[i] == ' ')
		i++;
	/* RFC 8225 5.2.2: the hex digits without colons */
	for (; i < len; i++) {
		if (fp[i] == ':')
			continue;
		if (!isxdigit((unsigned char)fp[i]) || d + 1 >= sizeof(m->dig))
			return -1;
		m->dig[d++] = (char)toupper((unsigned char)fp[i]);
	}
	return d < 2 ? -1 : 0;
}

int
dsbc_passport_mky_add(struct dsbc_passport *p, const char *fp, size_t len)
{
	struct dsbc_passport_mky m;
	unsigned int k, at;

	if (dsbc_passport_mky_parse(fp, len, &m) != 0)
		return -1;
	for (at = 0; at < p->nb_mky; at++) {
		int c = strcmp(m.alg, p->mky[at].alg);

		if (c == 0)
			c = strcmp(m.dig, p->mky[at].dig);
		if (c == 0)
			return 0;
		if (c < 0)
			break;
	}
	if (p->nb_mky >= DSBC_PASSPORT_MAX_MKY)
		return -1;
	for (k = p->nb_mky; k > at; k--)
		p->mky[k] = p->mky[k - 1];
	p->mky[at] = m;
	p->nb_mky++;
	return 0;
}

/* ---- ES256 ---- */

int
dsbc_es256_der_to_raw(const uint8_t *der, size_t len, uint8_t raw[64])
{
	const unsigned char *q = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &q, (long)len);
	const BIGNUM *r, *s;
	int rc = -1;

	if (sig == NULL)
		return -1;
	if (q == der + len) {
		ECDSA_SIG_get0(sig, &r, &s);
		if (BN_bn2binpad(r, raw, 32) == 32 &&
		    BN_bn2binpad(s, raw + 32, 32) == 32)
			rc = 0;
	}
	ECDSA_SIG_free(sig);
	return rc;
}

int
dsbc_es256_raw_to_der(const uint8_t raw[64], uint8_t *der, size_t cap)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, 32, NULL), *s = BN_bin2bn(raw + 32, 32, NULL);
	unsigned char *q = der;
	int n = -1;

	if (sig == NULL || r == NULL || s == NULL ||
	    ECDSA_SIG_set0(sig, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(sig);
		return -1;
	}
	/* r and s belong to sig now */
	if (i2d_ECDSA_SIG(sig, NULL) <= (int)cap)
		n = i2d_ECDSA_SIG(sig, &q);
	ECDSA_SIG_free(sig);
	return n;
}

struct dsbc_es256 {
	EVP_PKEY *key;
	EVP_MD *sha256;
	EVP_PKEY_CTX *sign;          /* NULL for a public key */
	EVP_PKEY_CTX *verify;
};

/* ES256 is ECDSA over P-256 (RFC 7518 3.4) */
static bool
is_p256(EVP_PKEY *k)
{
	char group[32];

	return k != NULL && EVP_PKEY_is_a(k, "EC") &&
	       EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME,
					      group, sizeof(group), NULL) == 1 &&
	       strcmp(group, "prime256v1") == 0;
}

struct dsbc_es256 *
dsbc_es256_new(EVP_PKEY *key)
{
	struct dsbc_es256 *k;
	BIGNUM *priv = NULL;

	if (!is_p256(key))
		return NULL;
	k = calloc(1, sizeof(*k));
	if (k == NULL)
		return NULL;
	k->key = key;
	EVP_PKEY_up_ref(key);
	k->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	k->verify = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	if (k->sha256 == NULL || k->verify == NULL ||
	    EVP_PKEY_verify_init(k->verify) != 1) {
		dsbc_es256_free(k);
		return NULL;
	}
	/* a private key signs too */
	if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &priv) == 1) {
		BN_clear_free(priv);
		k->sign = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
		if (k->sign == NULL || EVP_PKEY_sign_init(k->sign) != 1) {
			dsbc_es256_free(k);
			return NULL;
		}
	}
	return k;
}

void
dsbc_es256_free(struct dsbc_es256 *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_CTX_free(k->sign);
	EVP_PKEY_CTX_free(k->verify);
	EVP_MD_free(k->sha256);
	EVP_PKEY_free(k->key);
	free(k);
}

/* SHA-256 of the signing input (RFC 7515 5.1: the two encoded parts) */
static bool
digest(struct dsbc_es256 *k, const char *in, size_t len, uint8_t md[32])
{
	unsigned int n = 0;

	return EVP_Digest(in, len, md, &n, k->sha256, NULL) == 1 && n == 32;
}

int
dsbc_passport_sign(const struct dsbc_passport *p, struct dsbc_es256 *key,
		   char *out, size_t cap)
{
	char json[PART_MAX];
	uint8_t der[80], raw[64], md[32];
	size_t dlen = sizeof(der);
	int n, o, rc;

	if (key == NULL || key->sign == NULL)
		return -DSBC_PASSPORT_ERR_KEY;
	n = dsbc_passport_header_json(p, json, sizeof(json));
	if (n < 0 || (o = dsbc_b64url_encode((const uint8_t *)json, (size_t)n,
					      out, cap)) < 0)
		return -DSBC_PASSPORT_ERR_SPACE;
	n = dsbc_passport_claims_json(p, json, sizeof(json));
	if (n < 0)
		return -DSBC_PASSPORT_ERR_CLAIMS;
	if ((size_t)o + 1 >= cap)
		return -DSBC_PASSPORT_ERR_SPACE;
	out[o++] = '.';
	rc = dsbc_b64url_encode((const uint8_t *)json, (size_t)n, out + o,
				cap - (size_t)o);
	if (rc < 0)
		return -DSBC_PASSPORT_ERR_SPACE;
	o += rc;
	if (!digest(key, out, (size_t)o, md) ||
	    EVP_PKEY_sign(key->sign, der, &dlen, md, sizeof(md)) != 1 ||
	    dsbc_es256_der_to_raw(der, dlen, raw) != 0)
		return -DSBC_PASSPORT_ERR_KEY;
	if ((size_t)o + 1 >= cap)
		return -DSBC_PASSPORT_ERR_SPACE;
	out[o++] = '.';
	rc = dsbc_b64url_encode(raw, sizeof(raw), out + o, cap - (size_t)o);
	if (rc < 0)
		return -DSBC_PASSPORT_ERR_SPACE;
	return o + rc;
}

/* The three parts of a full-form token; the header and claims must not
 * be empty (the compact form, "..sig", is rebuilt by the caller). */
static enum dsbc_passport_err
split(const char *jws, size_t len, size_t *d1, size_t *d2)
{
	const char *a = memchr(jws, '.', len), *b;

	if (a == NULL)
		return DSBC_PASSPORT_ERR_FORMAT;
	b = memchr(a + 1, '.', len - (size_t)(a + 1 - jws));
	if (b == NULL || a == jws || b == a + 1 || b + 1 == jws + len ||
	    memchr(b + 1, '.', len - (size_t)(b + 1 - jws)) != NULL)
		return DSBC_PASSPORT_ERR_FORMAT;
	*d1 = (size_t)(a - jws);
	*d2 = (size_t)(b - jws);
	return DSBC_PASSPORT_OK;
}

static json_t *
part_json(const char *b64, size_t len)
{
	uint8_t buf[PART_MAX];
	int n = dsbc_b64url_decode(b64, len, buf, sizeof(buf));
	json_t *o;

	if (n <= 0)
		return NULL;
	/* RFC 8225 9: names do not repeat */
	o = json_loadb((const char *)buf, (size_t)n, JSON_REJECT_DUPLICATES,
		       NULL);
	if (o != NULL && !json_is_object(o)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static bool
str_into(json_t *v, char *out, size_t cap)
{
	const char *s;

	if (!json_is_string(v))
		return false;
	s = json_string_value(v);
	if (strlen(s) >= cap)
		return false;
	strcpy(out, s);
	return true;
}

static enum dsbc_passport_err
header_read(json_t *h, struct dsbc_passport *p)
{
	json_t *v;

	v = json_object_get(h, "alg");
	if (!json_is_string(v) || strcmp(json_string_value(v), "ES256") != 0)
		return DSBC_PASSPORT_ERR_ALG;
	v = json_object_get(h, "typ");
	if (v != NULL && (!json_is_string(v) ||
			  strcmp(json_string_value(v), "passport") != 0))
		return DSBC_PASSPORT_ERR_ALG;
	v = json_object_get(h, "x5u");
	if (v != NULL && !str_into(v, p->x5u, sizeof(p->x5u)))
		return DSBC_PASSPORT_ERR_JSON;
	v = json_object_get(h, "ppt");
	if (v != NULL && !str_into(v, p->ppt, sizeof(p->ppt)))
		return DSBC_PASSPORT_ERR_PPT;
	if (p->ppt[0] != '\0' && strcmp(p->ppt, "shaken") != 0)
		return DSBC_PASSPORT_ERR_PPT;
	return DSBC_PASSPORT_OK;
}

static enum dsbc_passport_err
claims_read(json_t *c, struct dsbc_passport *p)
{
	json_t *orig = json_object_get(c, "orig");
	json_t *dest = json_object_get(c, "dest");
	json_t *v, *a;
	size_t i;

	if (!json_is_object(orig) || !json_is_object(dest))
		return DSBC_PASSPORT_ERR_CLAIMS;
	v = json_object_get(orig, "tn");
	if (v != NULL ? !str_into(v, p->orig_tn, sizeof(p->orig_tn)) :
	    !str_into(json_object_get(orig, "uri"), p->orig_uri,
		      sizeof(p->orig_uri)))
		return DSBC_PASSPORT_ERR_CLAIMS;
	a = json_object_get(dest, "tn");
	if (a != NULL) {
		if (!json_is_array(a))
			return DSBC_PASSPORT_ERR_CLAIMS;
		for (i = 0; i < json_array_size(a) &&
		     p->nb_dest_tn < DSBC_PASSPORT_MAX_DEST; i++)
			if (!str_into(json_array_get(a, i),
				      p->dest_tn[p->nb_dest_tn++],
				      DSBC_PASSPORT_TN_MAX))
				return DSBC_PASSPORT_ERR_CLAIMS;
	}
	a = json_object_get(dest, "uri");
	if (a != NULL) {
		if (!json_is_array(a))
			return DSBC_PASSPORT_ERR_CLAIMS;
		for (i = 0; i < json_array_size(a) &&
		     p->nb_dest_uri < DSBC_PASSPORT_MAX_DEST; i++)
			if (!str_into(json_array_get(a, i),
				      p->dest_uri[p->nb_dest_uri++],
				      DSBC_PASSPORT_URI_MAX))
				return DSBC_PASSPORT_ERR_CLAIMS;
	}
	if (p->nb_dest_tn + p->nb_dest_uri == 0)
		return DSBC_PASSPORT_ERR_CLAIMS;
	/* a number (RFC 8225 errata 5985: the examples' string is wrong) */
	v = json_object_get(c, "iat");
	if (!json_is_integer(v))
		return DSBC_PASSPORT_ERR_CLAIMS;
	p->iat = (int64_t)json_integer_value(v);
	v = json_object_get(c, "attest");
	if (v != NULL && !str_into(v, p->attest, sizeof(p->attest)))
		return DSBC_PASSPORT_ERR_CLAIMS;
	v = json_object_get(c, "origid");
	if (v != NULL && !str_into(v, p->origid, sizeof(p->origid)))
		return DSBC_PASSPORT_ERR_CLAIMS;
	/* RFC 8588 4: SHAKEN's are required */
	if (strcmp(p->ppt, "shaken") == 0 &&
	    (p->orig_tn[0] == '\0' || p->nb_dest_tn == 0 ||
	     (p->attest[0] != 'A' && p->attest[0] != 'B' &&
	      p->attest[0] != 'C') || p->origid[0] == '\0'))
		return DSBC_PASSPORT_ERR_CLAIMS;
	a = json_object_get(c, "mky");
	if (a != NULL) {
		if (!json_is_array(a) || json_array_size(a) >
		    DSBC_PASSPORT_MAX_MKY)
			return DSBC_PASSPORT_ERR_CLAIMS;
		for (i = 0; i < json_array_size(a); i++) {
			json_t *m = json_array_get(a, i);
			struct dsbc_passport_mky *k = &p->mky[p->nb_mky++];

			if (!json_is_object(m) ||
			    !str_into(json_object_get(m, "alg"), k->alg,
				      sizeof(k->alg)) ||
			    !str_into(json_object_get(m, "dig"), k->dig,
				      sizeof(k->dig)))
				return DSBC_PASSPORT_ERR_CLAIMS;
		}
	}
	return DSBC_PASSPORT_OK;
}

enum dsbc_passport_err
dsbc_passport_decode(const char *jws, size_t len, struct dsbc_passport *p)
{
	enum dsbc_passport_err e;
	size_t d1, d2;
	json_t *h, *c;

	memset(p, 0, sizeof(*p));
	e = split(jws, len, &d1, &d2);
	if (e != DSBC_PASSPORT_OK)
		return e;
	h = part_json(jws, d1);
	c = part_json(jws + d1 + 1, d2 - d1 - 1);
	if (h == NULL || c == NULL)
		e = DSBC_PASSPORT_ERR_JSON;
	else if ((e = header_read(h, p)) == DSBC_PASSPORT_OK)
		e = claims_read(c, p);
	json_decref(h);
	json_decref(c);
	return e;
}

enum dsbc_passport_err
dsbc_passport_verify(const char *jws, size_t len, struct dsbc_es256 *pub)
{
	uint8_t raw[66], der[80], md[32];
	size_t d1, d2;
	int n;

	if (pub == NULL)
		return DSBC_PASSPORT_ERR_KEY;
	if (split(jws, len, &d1, &d2) != DSBC_PASSPORT_OK)
		return DSBC_PASSPORT_ERR_FORMAT;
	/* RFC 7518 3.4: exactly 64 bytes, r then s */
	if (dsbc_b64url_decode(jws + d2 + 1, len - d2 - 1, raw,
			       sizeof(raw)) != 64)
		return DSBC_PASSPORT_ERR_SIG;
	n = dsbc_es256_raw_to_der(raw, der, sizeof(der));
	if (n <= 0)
		return DSBC_PASSPORT_ERR_SIG;
	return digest(pub, jws, d2, md) &&
	       EVP_PKEY_verify(pub->verify, der, (size_t)n, md,
			       sizeof(md)) == 1 ?
	       DSBC_PASSPORT_OK : DSBC_PASSPORT_ERR_SIG;
}
