/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PASSporT (RFC 8225, RFC 8588): deterministic JSON with jansson (sorted
 * keys, compact), ES256 with OpenSSL's EVP, the JWS compact form.
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

static int
dump(json_t *o, char *out, size_t cap)
{
	size_t n;

	if (o == NULL)
		return -1;
	/* RFC 8225 section 9 (RFC 7638 3 step 1): members sorted by name,
	 * no whitespace; "/" left as it is */
	n = json_dumpb(o, out, cap, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (n == 0 || n >= cap)
		return -1;
	out[n] = '\0';
	return (int)n;
}

int
dsbc_passport_header_json(const struct dsbc_passport *p, char *out,
			  size_t cap)
{
	json_t *h = json_object();

	if (h == NULL)
		return -1;
	json_object_set_new(h, "alg", json_string("ES256"));
	json_object_set_new(h, "typ", json_string("passport"));
	if (p->x5u[0] != '\0')
		json_object_set_new(h, "x5u", json_string(p->x5u));
	if (p->ppt[0] != '\0')
		json_object_set_new(h, "ppt", json_string(p->ppt));
	return dump(h, out, cap);
}

int
dsbc_passport_claims_json(const struct dsbc_passport *p, char *out,
			  size_t cap)
{
	json_t *c = json_object(), *orig = json_object(), *dest = json_object();
	unsigned int i;

	if (c == NULL || orig == NULL || dest == NULL ||
	    (p->orig_tn[0] == '\0' && p->orig_uri[0] == '\0') ||
	    p->nb_dest_tn + p->nb_dest_uri == 0) {
		json_decref(c);
		json_decref(orig);
		json_decref(dest);
		return -1;
	}
	if (p->orig_tn[0] != '\0')
		json_object_set_new(orig, "tn", json_string(p->orig_tn));
	else
		json_object_set_new(orig, "uri", json_string(p->orig_uri));
	if (p->nb_dest_tn > 0) {
		json_t *a = json_array();

		for (i = 0; i < p->nb_dest_tn; i++)
			json_array_append_new(a, json_string(p->dest_tn[i]));
		json_object_set_new(dest, "tn", a);
	}
	if (p->nb_dest_uri > 0) {
		json_t *a = json_array();

		for (i = 0; i < p->nb_dest_uri; i++)
			json_array_append_new(a, json_string(p->dest_uri[i]));
		json_object_set_new(dest, "uri", a);
	}
	json_object_set_new(c, "orig", orig);
	json_object_set_new(c, "dest", dest);
	json_object_set_new(c, "iat", json_integer(p->iat));
	if (p->attest[0] != '\0')
		json_object_set_new(c, "attest", json_string(p->attest));
	if (p->origid[0] != '\0')
		json_object_set_new(c, "origid", json_string(p->origid));
	if (p->nb_mky > 0) {
		json_t *a = json_array();

		/* already in order; "alg" sorts before "dig" inside */
		for (i = 0; i < p->nb_mky; i++) {
			json_t *m = json_object();

			json_object_set_new(m, "alg", json_string(p->mky[i].alg));
			json_object_set_new(m, "dig", json_string(p->mky[i].dig));
			json_array_append_new(a, m);
		}
		json_object_set_new(c, "mky", a);
	}
	return dump(c, out, cap);
}

int
dsbc_passport_mky_add(struct dsbc_passport *p, const char *fp, size_t len)
{
	struct dsbc_passport_mky m;
	size_t i = 0, a = 0, d = 0;
	unsigned int k, at;

	memset(&m, 0, sizeof(m));
	while (i < len && fp[i] != ' ' && a + 1 < sizeof(m.alg))
		m.alg[a++] = (char)tolower((unsigned char)fp[i++]);
	if (a == 0 || i >= len || fp[i] != ' ')
		return -1;
	while (i < len && fp[i] == ' ')
		i++;
	/* RFC 8225 5.2.2: the hex digits without colons */
	for (; i < len; i++) {
		if (fp[i] == ':')
			continue;
		if (!isxdigit((unsigned char)fp[i]) || d + 1 >= sizeof(m.dig))
			return -1;
		m.dig[d++] = (char)toupper((unsigned char)fp[i]);
	}
	if (d < 2)
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

int
dsbc_passport_sign(const struct dsbc_passport *p, EVP_PKEY *key, char *out,
		   size_t cap)
{
	char json[PART_MAX];
	uint8_t der[80], raw[64];
	EVP_MD_CTX *ctx;
	size_t dlen = sizeof(der);
	int n, o, rc;

	if (!is_p256(key))
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
	/* RFC 7515 5.1: the signing input is the two encoded parts */
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
		return -DSBC_PASSPORT_ERR_KEY;
	rc = EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
	     EVP_DigestSign(ctx, der, &dlen, (const uint8_t *)out,
			    (size_t)o) == 1;
	EVP_MD_CTX_free(ctx);
	if (!rc || dsbc_es256_der_to_raw(der, dlen, raw) != 0)
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
dsbc_passport_verify(const char *jws, size_t len, EVP_PKEY *pub)
{
	uint8_t raw[66], der[80];
	EVP_MD_CTX *ctx;
	size_t d1, d2;
	int n, ok;

	if (!is_p256(pub))
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
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
		return DSBC_PASSPORT_ERR_SIG;
	ok = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pub) == 1 &&
	     EVP_DigestVerify(ctx, der, (size_t)n, (const uint8_t *)jws,
			      d2) == 1;
	EVP_MD_CTX_free(ctx);
	return ok ? DSBC_PASSPORT_OK : DSBC_PASSPORT_ERR_SIG;
}
