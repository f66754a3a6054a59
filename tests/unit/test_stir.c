/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/stir without EAL: base64url, RFC 8225 Appendix A's deterministic
 * JSON, mky (RFC 8225 5.2.2), ES256 signature forms, signing and
 * verifying, a token secsipidx (an independent Go implementation)
 * signed, the Identity header and telephone numbers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <jansson.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "dsbc_identity.h"
#include "dsbc_passport.h"
#include "dsbc_stir_cache.h"
#include "dsbc_stir_replay.h"
#include "dsbc_stir_verify.h"
#include "unit.h"

const bool unit_needs_eal = false;

/* RFC 8225 Appendix A: the header and claims, and their encodings (its
 * signature does not verify with its published key: not used) */
static const char APPA_HEADER[] =
	"{\"alg\":\"ES256\",\"typ\":\"passport\","
	"\"x5u\":\"https://cert.example.org/passport.cer\"}";
static const char APPA_HEADER_B64[] =
	"eyJhbGciOiJFUzI1NiIsInR5cCI6InBhc3Nwb3J0IiwieDV1IjoiaHR0cHM6Ly9jZXJ0"
	"LmV4YW1wbGUub3JnL3Bhc3Nwb3J0LmNlciJ9";
static const char APPA_CLAIMS[] =
	"{\"dest\":{\"uri\":[\"sip:alice@example.com\"]},\"iat\":1471375418,"
	"\"orig\":{\"tn\":\"12155551212\"}}";
static const char APPA_CLAIMS_B64[] =
	"eyJkZXN0Ijp7InVyaSI6WyJzaXA6YWxpY2VAZXhhbXBsZS5jb20iXX0sImlhdCI6MTQ3"
	"MTM3NTQxOCwib3JpZyI6eyJ0biI6IjEyMTU1NTUxMjEyIn19";

/* secsipidx 1.2.0 -sign-full, a throwaway P-256 key: its token and key */
static const char SECSIPIDX_ID[] =
	"eyJhbGciOiJFUzI1NiIsInBwdCI6InNoYWtlbiIsInR5cCI6InBhc3Nwb3J0IiwieDV1"
	"IjoiaHR0cHM6Ly9jZXJ0LmV4YW1wbGUub3JnL3Bhc3Nwb3J0LnBlbSJ9.eyJhdHRlc3Qi"
	"OiJBIiwiZGVzdCI6eyJ0biI6WyIxMjAyNTU1MDEwMiJdfSwiaWF0IjoxNzk2NDIwMDU5"
	"LCJvcmlnIjp7InRuIjoiMTIwMjU1NTAxMDEifSwib3JpZ2lkIjoiMTIzZTQ1NjctZTg5"
	"Yi0xMmQzLWE0NTYtNDI2NjU1NDQwMDAwIn0.nEuSpKto5rB82iQAtvpiNJZBjJOj5stPW"
	"VAbgwEToUoRu9bkVv7unCHW0pwJt0WTmD7obFhuuSkLTYya2xoy-g;info=<https://ce"
	"rt.example.org/passport.pem>;alg=ES256;ppt=shaken";
static const char SECSIPIDX_PUB[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE819MsUIkLTYAzJ44AGrzag8+gGoS\n"
	"RJch+XscYn9Ju3DACt+h1Tey9NG86dYQm8fXg1eUBtoiKZsIW16h/MFzNQ==\n"
	"-----END PUBLIC KEY-----\n";

static EVP_PKEY *
pem_pub(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = b ? PEM_read_bio_PUBKEY(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	return k;
}

static void
test_b64url(void)
{
	static const struct {
		const char *in, *out;
	} v[] = {	/* RFC 4648 section 10, in the URL alphabet */
		{"", ""}, {"f", "Zg"}, {"fo", "Zm8"}, {"foo", "Zm9v"},
		{"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"},
		{"foobar", "Zm9vYmFy"}, {"\xfb\xff", "-_8"},
	};
	uint8_t bin[16];
	char txt[16];
	unsigned int i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t n = strlen(v[i].in);

		CU_ASSERT_EQUAL(dsbc_b64url_encode((const uint8_t *)v[i].in, n,
						   txt, sizeof(txt)),
				(int)strlen(v[i].out));
		CU_ASSERT_STRING_EQUAL(txt, v[i].out);
		CU_ASSERT_EQUAL(dsbc_b64url_decode(v[i].out, strlen(v[i].out),
						   bin, sizeof(bin)), (int)n);
		CU_ASSERT_EQUAL(memcmp(bin, v[i].in, n), 0);
	}
	CU_ASSERT_EQUAL(dsbc_b64url_decode("Zm9v+", 5, bin, sizeof(bin)), -1);
	CU_ASSERT_EQUAL(dsbc_b64url_decode("Z", 1, bin, sizeof(bin)), -1);
	/* non-zero unused bits: another encoding of "f" is refused */
	CU_ASSERT_EQUAL(dsbc_b64url_decode("Zh", 2, bin, sizeof(bin)), -1);
	CU_ASSERT_EQUAL(dsbc_b64url_encode((const uint8_t *)"foo", 3, txt, 4),
			-1);
}

static void
appa(struct dsbc_passport *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->x5u, sizeof(p->x5u), "https://cert.example.org/passport.cer");
	snprintf(p->orig_tn, sizeof(p->orig_tn), "12155551212");
	snprintf(p->dest_uri[0], sizeof(p->dest_uri[0]),
		 "sip:alice@example.com");
	p->nb_dest_uri = 1;
	p->iat = 1471375418;
}

/* RFC 8225 section 9 and Appendix A: the deterministic JSON, byte for
 * byte, and its base64url as the RFC prints it */
static void
test_rfc8225_appendix_a(void)
{
	struct dsbc_passport p;
	char json[1024], b64[1024];
	int n;

	appa(&p);
	n = dsbc_passport_header_json(&p, json, sizeof(json));
	CU_ASSERT_EQUAL(n, (int)strlen(APPA_HEADER));
	CU_ASSERT_STRING_EQUAL(json, APPA_HEADER);
	dsbc_b64url_encode((const uint8_t *)json, (size_t)n, b64, sizeof(b64));
	CU_ASSERT_STRING_EQUAL(b64, APPA_HEADER_B64);
	n = dsbc_passport_claims_json(&p, json, sizeof(json));
	CU_ASSERT_STRING_EQUAL(json, APPA_CLAIMS);
	dsbc_b64url_encode((const uint8_t *)json, (size_t)n, b64, sizeof(b64));
	CU_ASSERT_STRING_EQUAL(b64, APPA_CLAIMS_B64);
	/* no orig, or no dest: no claims */
	p.orig_tn[0] = '\0';
	CU_ASSERT_EQUAL(dsbc_passport_claims_json(&p, json, sizeof(json)), -1);
	appa(&p);
	CU_ASSERT_EQUAL(dsbc_passport_claims_json(&p, json, 20), -1);
}

/* RFC 8225 5.2.2's example fingerprints: hex without colons, sorted by
 * alg then dig, "alg" before "dig" */
static void
test_mky(void)
{
	static const char fp1[] = "sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:"
		"3E:5D:49:6B:19:E5:7C:AB:3E:4B:65:2E:7D:46:3F:54:42:CD:54:F1";
	static const char fp2[] = "sha-256 02:1A:CC:54:27:AB:EB:9C:53:3F:3E:4B:"
		"65:2E:7D:46:3F:54:42:CD:54:F1:7A:03:A2:7D:F9:B0:7F:46:19:B2";
	static const char want[] =
		"{\"dest\":{\"uri\":[\"sip:alice@example.com\"]},"
		"\"iat\":1471375418,\"mky\":[{\"alg\":\"sha-256\",\"dig\":"
		"\"021ACC5427ABEB9C533F3E4B652E7D463F5442CD54F17A03A27DF9B07F4619"
		"B2\"},{\"alg\":\"sha-256\",\"dig\":\"4AADB9B13F82183B540212DF3E5D"
		"496B19E57CAB3E4B652E7D463F5442CD54F1\"}],"
		"\"orig\":{\"tn\":\"12155551212\"}}";
	struct dsbc_passport p;
	char json[1024];

	appa(&p);
	CU_ASSERT_EQUAL(dsbc_passport_mky_add(&p, fp1, strlen(fp1)), 0);
	CU_ASSERT_EQUAL(dsbc_passport_mky_add(&p, fp2, strlen(fp2)), 0);
	CU_ASSERT_EQUAL(dsbc_passport_mky_add(&p, fp1, strlen(fp1)), 0);
	CU_ASSERT_EQUAL(p.nb_mky, 2);
	CU_ASSERT(dsbc_passport_claims_json(&p, json, sizeof(json)) > 0);
	CU_ASSERT_STRING_EQUAL(json, want);
	/* lower-case hex from a peer is the same digest */
	CU_ASSERT_EQUAL(dsbc_passport_mky_add(&p, "SHA-256 02:1a", 13), 0);
	CU_ASSERT_STRING_EQUAL(p.mky[0].dig, "021A");
	CU_ASSERT_EQUAL(dsbc_passport_mky_add(&p, "sha-256", 7), -1);
	CU_ASSERT_EQUAL(dsbc_passport_mky_add(&p, "sha-256 ZZ:01", 13), -1);
}

/* jansson's sorted compact dump of what it parsed from s */
static void
same_as_jansson(const char *s)
{
	json_t *o = json_loads(s, 0, NULL);
	char *d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	d = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	if (strcmp(d, s) != 0)
		fprintf(stderr, "\n  ours:    %s\n  jansson: %s\n", s, d);
	CU_ASSERT_STRING_EQUAL(d, s);
	free(d);
	json_decref(o);
}

/* the serializer against jansson's (RFC 8225 9: sorted, compact), over
 * every member and escapes; what JSON cannot carry plainly is refused */
static void
test_json_vs_jansson(void)
{
	struct dsbc_passport p;
	char json[2048];
	unsigned int i;

	appa(&p);
	snprintf(p.ppt, sizeof(p.ppt), "shaken");
	snprintf(p.attest, sizeof(p.attest), "B");
	snprintf(p.origid, sizeof(p.origid), "de305d54-75b4-431b-adb2-eb6b9e546014");
	snprintf(p.orig_tn, sizeof(p.orig_tn), "12155551212");
	for (i = 0; i < DSBC_PASSPORT_MAX_DEST; i++) {
		snprintf(p.dest_tn[i], sizeof(p.dest_tn[i]), "1202555010%u", i);
		snprintf(p.dest_uri[i], sizeof(p.dest_uri[i]),
			 "sip:\"q\\%u\"@example.com;x=/y", i);
	}
	p.nb_dest_tn = p.nb_dest_uri = DSBC_PASSPORT_MAX_DEST;
	p.iat = -5;
	CU_ASSERT_EQUAL(dsbc_passport_mky_add(&p, "sha-256 AB:CD", 13), 0);
	CU_ASSERT_EQUAL(dsbc_passport_mky_add(&p, "sha-1 01:02", 11), 0);
	CU_ASSERT(dsbc_passport_claims_json(&p, json, sizeof(json)) > 0);
	same_as_jansson(json);
	CU_ASSERT(dsbc_passport_header_json(&p, json, sizeof(json)) > 0);
	same_as_jansson(json);
	/* orig as a URI, dest URIs only, nothing optional */
	appa(&p);
	p.orig_tn[0] = '\0';
	snprintf(p.orig_uri, sizeof(p.orig_uri), "sip:bob@example.net");
	p.x5u[0] = '\0';
	CU_ASSERT(dsbc_passport_claims_json(&p, json, sizeof(json)) > 0);
	same_as_jansson(json);
	CU_ASSERT(dsbc_passport_header_json(&p, json, sizeof(json)) > 0);
	same_as_jansson(json);
	/* a control character or a non-ASCII byte: no claims */
	snprintf(p.orig_uri, sizeof(p.orig_uri), "sip:b\nob@example.net");
	CU_ASSERT_EQUAL(dsbc_passport_claims_json(&p, json, sizeof(json)), -1);
	snprintf(p.orig_uri, sizeof(p.orig_uri), "sip:b\xc3\xa9@example.net");
	CU_ASSERT_EQUAL(dsbc_passport_claims_json(&p, json, sizeof(json)), -1);
}

static EVP_PKEY *
new_key(const char *curve)
{
	return EVP_EC_gen(curve);
}

/* RFC 7518 3.4: OpenSSL's DER and r || s, both ways, on real
 * signatures (leading zero bytes of r or s included over many) */
static void
test_es256_forms(void)
{
	EVP_PKEY *k = new_key("P-256");
	uint8_t der[80], raw[64], der2[80];
	unsigned int i, short_rs = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	for (i = 0; i < 200; i++) {
		EVP_MD_CTX *c = EVP_MD_CTX_new();
		size_t n = sizeof(der);
		int m;

		CU_ASSERT_EQUAL(EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL,
						   k), 1);
		CU_ASSERT_EQUAL(EVP_DigestSign(c, der, &n, (const uint8_t *)&i,
					       sizeof(i)), 1);
		EVP_MD_CTX_free(c);
		CU_ASSERT_EQUAL(dsbc_es256_der_to_raw(der, n, raw), 0);
		short_rs += raw[0] == 0 || raw[32] == 0;
		m = dsbc_es256_raw_to_der(raw, der2, sizeof(der2));
		CU_ASSERT_EQUAL(m, (int)n);
		CU_ASSERT_EQUAL(memcmp(der, der2, n), 0);
	}
	/* trailing garbage after the DER */
	CU_ASSERT_EQUAL(dsbc_es256_der_to_raw(der, 73, raw) == 0 &&
			der[1] + 2 != 73, 0);
	CU_ASSERT_EQUAL(dsbc_es256_der_to_raw((const uint8_t *)"\x30\x00", 2,
					      raw), -1);
	EVP_PKEY_free(k);
	(void)short_rs;
}

static void
test_sign_verify(void)
{
	EVP_PKEY *kp = new_key("P-256"), *op = new_key("P-256");
	EVP_PKEY *p384 = new_key("P-384");
	struct dsbc_es256 *k = dsbc_es256_new(kp), *other = dsbc_es256_new(op);
	struct dsbc_es256 *pubk;
	struct dsbc_passport p, q;
	char tok[2048], bad[2048];
	uint8_t *der = NULL;
	const uint8_t *dp;
	EVP_PKEY *pub;
	int n, dl;

	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_PTR_NOT_NULL_FATAL(other);
	/* ES256 is P-256 only */
	CU_ASSERT_PTR_NULL(dsbc_es256_new(p384));
	/* the public half alone verifies, and cannot sign */
	dl = i2d_PUBKEY(kp, &der);
	dp = der;
	pub = d2i_PUBKEY(NULL, &dp, dl);
	OPENSSL_free(der);
	pubk = dsbc_es256_new(pub);
	EVP_PKEY_free(pub);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pubk);
	appa(&p);
	snprintf(p.ppt, sizeof(p.ppt), "shaken");
	snprintf(p.attest, sizeof(p.attest), "A");
	snprintf(p.origid, sizeof(p.origid),
		 "123e4567-e89b-12d3-a456-426655440000");
	snprintf(p.dest_tn[0], sizeof(p.dest_tn[0]), "12025550102");
	p.nb_dest_tn = 1;
	n = dsbc_passport_sign(&p, k, tok, sizeof(tok));
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL(dsbc_passport_verify(tok, (size_t)n, k),
			DSBC_PASSPORT_OK);
	CU_ASSERT_EQUAL(dsbc_passport_verify(tok, (size_t)n, pubk),
			DSBC_PASSPORT_OK);
	CU_ASSERT_EQUAL(dsbc_passport_sign(&p, pubk, bad, sizeof(bad)),
			-DSBC_PASSPORT_ERR_KEY);
	CU_ASSERT_EQUAL(dsbc_passport_decode(tok, (size_t)n, &q),
			DSBC_PASSPORT_OK);
	CU_ASSERT_STRING_EQUAL(q.orig_tn, "12155551212");
	CU_ASSERT_STRING_EQUAL(q.dest_tn[0], "12025550102");
	CU_ASSERT_STRING_EQUAL(q.dest_uri[0], "sip:alice@example.com");
	CU_ASSERT_EQUAL(q.iat, 1471375418);
	CU_ASSERT_STRING_EQUAL(q.attest, "A");
	CU_ASSERT_STRING_EQUAL(q.ppt, "shaken");
	CU_ASSERT_STRING_EQUAL(q.x5u, "https://cert.example.org/passport.cer");
	/* another key, a flipped claims byte, a cut signature */
	CU_ASSERT_EQUAL(dsbc_passport_verify(tok, (size_t)n, other),
			DSBC_PASSPORT_ERR_SIG);
	memcpy(bad, tok, (size_t)n + 1);
	bad[strchr(bad, '.') - bad + 5] ^= 1;
	CU_ASSERT_EQUAL(dsbc_passport_verify(bad, (size_t)n, k),
			DSBC_PASSPORT_ERR_SIG);
	CU_ASSERT_EQUAL(dsbc_passport_verify(tok, (size_t)n - 3, k),
			DSBC_PASSPORT_ERR_SIG);
	CU_ASSERT_EQUAL(dsbc_passport_verify(tok, (size_t)n, NULL),
			DSBC_PASSPORT_ERR_KEY);
	/* too small a buffer */
	CU_ASSERT_EQUAL(dsbc_passport_sign(&p, k, tok, 100),
			-DSBC_PASSPORT_ERR_SPACE);
	/* many signatures on one prepared key all verify (the contexts
	 * are used again and again) */
	for (dl = 0; dl < 50; dl++) {
		p.iat++;
		n = dsbc_passport_sign(&p, k, tok, sizeof(tok));
		CU_ASSERT_EQUAL(dsbc_passport_verify(tok, (size_t)n, pubk),
				DSBC_PASSPORT_OK);
	}
	dsbc_es256_free(k);
	dsbc_es256_free(other);
	dsbc_es256_free(pubk);
	EVP_PKEY_free(kp);
	EVP_PKEY_free(op);
	EVP_PKEY_free(p384);
}

/* an independent implementation's token verifies, and is decoded */
static void
test_secsipidx_token(void)
{
	EVP_PKEY *pk = pem_pub(SECSIPIDX_PUB);
	struct dsbc_es256 *pub = dsbc_es256_new(pk);
	struct dsbc_identity id;
	struct dsbc_passport p;
	char bad[1024];

	CU_ASSERT_PTR_NOT_NULL_FATAL(pub);
	CU_ASSERT_EQUAL_FATAL(dsbc_identity_parse(SECSIPIDX_ID,
						  strlen(SECSIPIDX_ID), &id),
			      0);
	CU_ASSERT_EQUAL(id.info.len, strlen("https://cert.example.org/"
					    "passport.pem"));
	CU_ASSERT_EQUAL(memcmp(id.ppt.p, "shaken", 6), 0);
	CU_ASSERT_EQUAL(memcmp(id.alg.p, "ES256", 5), 0);
	CU_ASSERT_EQUAL(dsbc_passport_verify(id.jws.p, id.jws.len, pub),
			DSBC_PASSPORT_OK);
	CU_ASSERT_EQUAL(dsbc_passport_decode(id.jws.p, id.jws.len, &p),
			DSBC_PASSPORT_OK);
	CU_ASSERT_STRING_EQUAL(p.orig_tn, "12025550101");
	CU_ASSERT_EQUAL(p.nb_dest_tn, 1);
	CU_ASSERT_STRING_EQUAL(p.dest_tn[0], "12025550102");
	CU_ASSERT_EQUAL(p.iat, 1796420059);
	CU_ASSERT_STRING_EQUAL(p.attest, "A");
	CU_ASSERT_STRING_EQUAL(p.origid, "123e4567-e89b-12d3-a456-426655440000");
	CU_ASSERT_STRING_EQUAL(p.x5u, "https://cert.example.org/passport.pem");
	/* one character of its signature changed */
	memcpy(bad, id.jws.p, id.jws.len);
	bad[id.jws.len - 2] = bad[id.jws.len - 2] == 'A' ? 'B' : 'A';
	CU_ASSERT_EQUAL(dsbc_passport_verify(bad, id.jws.len, pub),
			DSBC_PASSPORT_ERR_SIG);
	dsbc_es256_free(pub);
	EVP_PKEY_free(pk);
}

/* malformed tokens: each refused with its reason, never a crash */
static void
test_decode_errors(void)
{
	static const struct {
		const char *header, *claims;
		enum dsbc_passport_err want;
	} v[] = {
		{"{\"alg\":\"RS256\",\"typ\":\"passport\"}", APPA_CLAIMS,
		 DSBC_PASSPORT_ERR_ALG},
		{"{\"alg\":\"ES256\",\"typ\":\"JWT\"}", APPA_CLAIMS,
		 DSBC_PASSPORT_ERR_ALG},
		{"{\"alg\":\"ES256\",\"ppt\":\"div\"}", APPA_CLAIMS,
		 DSBC_PASSPORT_ERR_PPT},
		{"[1]", APPA_CLAIMS, DSBC_PASSPORT_ERR_JSON},
		{"{\"alg\":\"ES256\",\"alg\":\"ES256\"}", APPA_CLAIMS,
		 DSBC_PASSPORT_ERR_JSON},
		{APPA_HEADER, "{\"dest\":{\"uri\":[\"sip:a@b\"]},"
		 "\"iat\":\"1443208345\",\"orig\":{\"tn\":\"1\"}}",
		 DSBC_PASSPORT_ERR_CLAIMS},
		{APPA_HEADER, "{\"dest\":{},\"iat\":1,\"orig\":{\"tn\":\"1\"}}",
		 DSBC_PASSPORT_ERR_CLAIMS},
		{APPA_HEADER, "{\"dest\":{\"tn\":[\"1\"]},\"iat\":1}",
		 DSBC_PASSPORT_ERR_CLAIMS},
		/* SHAKEN without attest or origid */
		{"{\"alg\":\"ES256\",\"ppt\":\"shaken\"}",
		 "{\"dest\":{\"tn\":[\"1\"]},\"iat\":1,\"orig\":{\"tn\":\"2\"}}",
		 DSBC_PASSPORT_ERR_CLAIMS},
		{APPA_HEADER, "{\"dest\":{\"tn\":[\"1\"]},\"iat\":1,"
		 "\"orig\":{\"tn\":\"2\"},\"mky\":[{\"alg\":1}]}",
		 DSBC_PASSPORT_ERR_CLAIMS},
		{APPA_HEADER, APPA_CLAIMS, DSBC_PASSPORT_OK},
	};
	struct dsbc_passport p;
	char tok[2048];
	unsigned int i;
	int n;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		n = dsbc_b64url_encode((const uint8_t *)v[i].header,
				       strlen(v[i].header), tok, sizeof(tok));
		tok[n++] = '.';
		n += dsbc_b64url_encode((const uint8_t *)v[i].claims,
					strlen(v[i].claims), tok + n,
					sizeof(tok) - (size_t)n);
		memcpy(tok + n, ".AAAA", 6);
		n += 5;
		CU_ASSERT_EQUAL(dsbc_passport_decode(tok, (size_t)n, &p),
				v[i].want);
	}
	CU_ASSERT_EQUAL(dsbc_passport_decode("a.b", 3, &p),
			DSBC_PASSPORT_ERR_FORMAT);
	CU_ASSERT_EQUAL(dsbc_passport_decode("..sig", 5, &p),
			DSBC_PASSPORT_ERR_FORMAT);
	CU_ASSERT_EQUAL(dsbc_passport_decode("a.b.c.d", 7, &p),
			DSBC_PASSPORT_ERR_FORMAT);
	CU_ASSERT_EQUAL(dsbc_passport_decode("!!.!!.AA", 8, &p),
			DSBC_PASSPORT_ERR_JSON);
	CU_ASSERT_STRING_EQUAL(dsbc_passport_err_name(DSBC_PASSPORT_ERR_SIG),
			       "signature");
}

static void
test_identity_header(void)
{
	struct dsbc_identity id;
	char out[256];
	static const char v[] = "a.b.c ;info=<https://x/c.pem> ;alg=ES256;"
				"ppt=\"shaken\";x=1;y";

	CU_ASSERT_EQUAL_FATAL(dsbc_identity_parse(v, sizeof(v) - 1, &id), 0);
	CU_ASSERT_EQUAL(id.jws.len, 5);
	CU_ASSERT_EQUAL(id.info.len, strlen("https://x/c.pem"));
	CU_ASSERT_EQUAL(id.ppt.len, 6);
	CU_ASSERT_EQUAL(memcmp(id.ppt.p, "shaken", 6), 0);
	/* alg defaults to ES256 (RFC 8224 4.1); info is required */
	CU_ASSERT_EQUAL(dsbc_identity_parse("a.b.c;info=<u>", 14, &id), 0);
	CU_ASSERT_EQUAL(memcmp(id.alg.p, "ES256", 5), 0);
	CU_ASSERT_EQUAL(dsbc_identity_parse("a.b.c;alg=ES256", 15, &id), -1);
	CU_ASSERT_EQUAL(dsbc_identity_parse("a.b.c;info=<u", 13, &id), -1);
	CU_ASSERT_EQUAL(dsbc_identity_parse(";info=<u>", 9, &id), -1);
	CU_ASSERT_EQUAL(dsbc_identity_parse("a b;info=<u>", 12, &id), -1);
	CU_ASSERT_EQUAL(dsbc_identity_build("h.c.s", "https://x/c.pem",
					    "shaken", out, sizeof(out)), 49);
	CU_ASSERT_STRING_EQUAL(out, "h.c.s;info=<https://x/c.pem>;alg=ES256;"
			       "ppt=shaken");
	CU_ASSERT_EQUAL(dsbc_identity_build("h.c.s", "u", "", out, 10), -1);
}

static void
test_tn_canon(void)
{
	char tn[16];

	CU_ASSERT_EQUAL(dsbc_tn_canon("+1 (215) 555-1212", 17, tn), 0);
	CU_ASSERT_STRING_EQUAL(tn, "12155551212");
	CU_ASSERT_EQUAL(dsbc_tn_canon("+44.20.7946.0000", 16, tn), 0);
	CU_ASSERT_STRING_EQUAL(tn, "442079460000");
	CU_ASSERT_EQUAL(dsbc_tn_canon("*67#", 4, tn), 0);
	CU_ASSERT_EQUAL(dsbc_tn_canon("alice", 5, tn), -1);
	CU_ASSERT_EQUAL(dsbc_tn_canon("1+2", 3, tn), -1);
	CU_ASSERT_EQUAL(dsbc_tn_canon("1234567890123456", 16, tn), -1);
	CU_ASSERT_EQUAL(dsbc_tn_canon("+", 1, tn), -1);
}

#include "stir_pki.h"

static X509 *
pem_cert(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	return x;
}

static EVP_PKEY *
pem_key(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	return k;
}

/* RFC 8226 9: the extension as openssl wrote it (explicit tags) */
static void
test_tnauthlist(void)
{
	X509 *sp = pem_cert(SP_CRT), *other = pem_cert(OTHER_CRT);
	X509 *root = pem_cert(ROOT_CRT);
	struct dsbc_tnauth t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
	CU_ASSERT_PTR_NOT_NULL_FATAL(other);
	CU_ASSERT_EQUAL_FATAL(dsbc_tnauth_parse(sp, &t), 0);
	CU_ASSERT_EQUAL(t.nb, 3);
	CU_ASSERT_EQUAL(t.e[0].kind, 0);
	CU_ASSERT_STRING_EQUAL(t.e[0].a, "1234");
	CU_ASSERT_EQUAL(t.e[1].kind, 1);
	CU_ASSERT_STRING_EQUAL(t.e[1].a, "12025550100");
	CU_ASSERT_EQUAL(t.e[1].count, 100);
	CU_ASSERT_EQUAL(t.e[2].kind, 2);
	CU_ASSERT_STRING_EQUAL(t.e[2].a, "12155551212");
	CU_ASSERT_EQUAL_FATAL(dsbc_tnauth_parse(other, &t), 0);
	CU_ASSERT_EQUAL(t.nb, 1);
	CU_ASSERT(dsbc_tnauth_covers(&t, "19995550000"));
	CU_ASSERT(!dsbc_tnauth_covers(&t, "12025550101"));
	/* a range: its first, its last, one past it */
	t.nb = 1;
	t.e[0].kind = 1;
	snprintf(t.e[0].a, sizeof(t.e[0].a), "12025550100");
	t.e[0].count = 100;
	CU_ASSERT(dsbc_tnauth_covers(&t, "12025550100"));
	CU_ASSERT(dsbc_tnauth_covers(&t, "12025550199"));
	CU_ASSERT(!dsbc_tnauth_covers(&t, "12025550200"));
	CU_ASSERT(!dsbc_tnauth_covers(&t, "1202555010"));
	/* a certificate without the extension */
	CU_ASSERT_EQUAL(dsbc_tnauth_parse(root, &t), -1);
	X509_free(sp);
	X509_free(other);
	X509_free(root);
}

static X509_STORE *
trust_root(void)
{
	X509_STORE *st = X509_STORE_new();
	X509 *root = pem_cert(ROOT_CRT);

	X509_STORE_add_cert(st, root);
	X509_free(root);
	return st;
}

static void
test_check_cert(void)
{
	X509_STORE *trust = trust_root();
	STACK_OF(X509) *chain = sk_X509_new_null();
	X509 *sp = pem_cert(SP_CRT), *other = pem_cert(OTHER_CRT);
	X509 *evil = pem_cert(EVIL_CRT), *inter = pem_cert(INTER_CRT);
	int64_t now = 1800000000;            /* January 2027 */
	struct dsbc_es256 *k;

	sk_X509_push(chain, inter);
	CU_ASSERT_EQUAL(dsbc_stir_check_cert(sp, chain, trust, now,
					     "12025550101", &k),
			DSBC_STIR_VALID);
	CU_ASSERT_PTR_NOT_NULL(k);
	dsbc_es256_free(k);
	/* other's list has one number, not the caller's */
	CU_ASSERT_EQUAL(dsbc_stir_check_cert(other, chain, trust, now,
					     "12025550101", &k),
			DSBC_STIR_BAD_CERT);
	CU_ASSERT_PTR_NULL(k);
	CU_ASSERT_EQUAL(dsbc_stir_check_cert(other, chain, trust, now,
					     "19995550000", &k),
			DSBC_STIR_VALID);
	dsbc_es256_free(k);
	/* a chain to another root; no intermediate; not valid yet or
	 * any more */
	CU_ASSERT_EQUAL(dsbc_stir_check_cert(evil, chain, trust, now,
					     "12025550101", &k),
			DSBC_STIR_BAD_CERT);
	CU_ASSERT_EQUAL(dsbc_stir_check_cert(sp, NULL, trust, now,
					     "12025550101", &k),
			DSBC_STIR_BAD_CERT);
	CU_ASSERT_EQUAL(dsbc_stir_check_cert(sp, chain, trust, 1000000000,
					     "12025550101", &k),
			DSBC_STIR_BAD_CERT);
	CU_ASSERT_EQUAL(dsbc_stir_check_cert(sp, chain, trust, 7000000000ll,
					     "12025550101", &k),
			DSBC_STIR_BAD_CERT);
	X509_free(sp);
	X509_free(other);
	X509_free(evil);
	sk_X509_pop_free(chain, X509_free);
	X509_STORE_free(trust);
}

/*
 * Seed 000's attack end to end: a caller's fingerprint signed with mky
 * by sp, verified with sp's certificate; the same token over an SDP
 * whose fingerprint a B2BUA in the middle replaced is refused (438),
 * as are a stale iat, another caller and another callee.
 */
static void
test_verify_mitm(void)
{
	static const char alice_fp[] = "sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:"
		"12:DF:3E:5D:49:6B:19:E5:7C:AB:3E:4B:65:2E:7D:46:3F:54:42:CD:54:F1";
	static const char mitm_fp[] = "sha-256 02:1A:CC:54:27:AB:EB:9C:53:3F:"
		"3E:4B:65:2E:7D:46:3F:54:42:CD:54:F1:7A:03:A2:7D:F9:B0:7F:46:19:B2";
	X509_STORE *trust = trust_root();
	STACK_OF(X509) *chain = sk_X509_new_null();
	X509 *sp = pem_cert(SP_CRT);
	EVP_PKEY *spk = pem_key(SP_KEY);
	struct dsbc_es256 *signer = dsbc_es256_new(spk), *pub;
	const char *fps[1] = { alice_fp }, *reason;
	struct dsbc_stir_call call;
	struct dsbc_passport p, q;
	char tok[2048];
	int n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(signer);
	sk_X509_push(chain, pem_cert(INTER_CRT));
	memset(&p, 0, sizeof(p));
	snprintf(p.ppt, sizeof(p.ppt), "shaken");
	snprintf(p.x5u, sizeof(p.x5u), "http://sti.example/sp.pem");
	snprintf(p.orig_tn, sizeof(p.orig_tn), "12025550101");
	snprintf(p.dest_tn[0], sizeof(p.dest_tn[0]), "12025550102");
	p.nb_dest_tn = 1;
	snprintf(p.attest, sizeof(p.attest), "A");
	snprintf(p.origid, sizeof(p.origid), "4437c7eb-8f7a-4f0e-a863-f53a0e60251a");
	p.iat = 1800000000;
	CU_ASSERT_EQUAL(dsbc_passport_mky_add(&p, alice_fp, strlen(alice_fp)),
			0);
	n = dsbc_passport_sign(&p, signer, tok, sizeof(tok));
	CU_ASSERT_FATAL(n > 0);
	/* the verifier: decode, the certificate, the signature, claims */
	CU_ASSERT_EQUAL_FATAL(dsbc_passport_decode(tok, (size_t)n, &q),
			      DSBC_PASSPORT_OK);
	CU_ASSERT_EQUAL_FATAL(dsbc_stir_check_cert(sp, chain, trust, q.iat,
						   q.orig_tn, &pub),
			      DSBC_STIR_VALID);
	CU_ASSERT_EQUAL(dsbc_passport_verify(tok, (size_t)n, pub),
			DSBC_PASSPORT_OK);
	memset(&call, 0, sizeof(call));
	call.orig_tn = "12025550101";
	call.dest_tn = "12025550102";
	call.fps = fps;
	call.nb_fps = 1;
	call.now = 1800000000 + 10;
	call.iat_window_s = 60;
	CU_ASSERT_EQUAL(dsbc_stir_check_claims(&q, &call), DSBC_STIR_VALID);
	/* the middle box swapped alice's fingerprint for its own */
	fps[0] = mitm_fp;
	CU_ASSERT_EQUAL(dsbc_stir_check_claims(&q, &call),
			DSBC_STIR_MKY_MISMATCH);
	CU_ASSERT_EQUAL(dsbc_stir_status(DSBC_STIR_MKY_MISMATCH, &reason), 438);
	CU_ASSERT_STRING_EQUAL(reason, "Invalid Identity Header");
	fps[0] = alice_fp;
	call.now = 1800000000 + 61;
	CU_ASSERT_EQUAL(dsbc_stir_check_claims(&q, &call), DSBC_STIR_STALE);
	CU_ASSERT_EQUAL(dsbc_stir_status(DSBC_STIR_STALE, &reason), 403);
	call.now = 1800000000 - 61;
	CU_ASSERT_EQUAL(dsbc_stir_check_claims(&q, &call), DSBC_STIR_STALE);
	call.now = 1800000000;
	call.orig_tn = "12025550109";
	CU_ASSERT_EQUAL(dsbc_stir_check_claims(&q, &call),
			DSBC_STIR_ORIG_MISMATCH);
	call.orig_tn = "12025550101";
	call.dest_tn = "12025550103";
	CU_ASSERT_EQUAL(dsbc_stir_check_claims(&q, &call),
			DSBC_STIR_DEST_MISMATCH);
	CU_ASSERT_EQUAL(dsbc_stir_status(DSBC_STIR_BAD_CERT, &reason), 437);
	CU_ASSERT_EQUAL(dsbc_stir_status(DSBC_STIR_BAD_INFO, &reason), 436);
	CU_ASSERT_EQUAL(dsbc_stir_status(DSBC_STIR_NO_IDENTITY, &reason), 428);
	CU_ASSERT_STRING_EQUAL(dsbc_stir_result_name(DSBC_STIR_MKY_MISMATCH),
			       "mky_mismatch");
	dsbc_es256_free(pub);
	dsbc_es256_free(signer);
	EVP_PKEY_free(spk);
	X509_free(sp);
	sk_X509_pop_free(chain, X509_free);
	X509_STORE_free(trust);
}

/*
 * The certificate cache: a chain (leaf then intermediate) in one PEM
 * body is stored and speaks for its numbers; a rogue chain, garbage and
 * a failed fetch are remembered as failures for fail_ttl_s; entries end
 * at ttl_s; the least lasting entry makes room; verification through an
 * entry catches a number the certificate does not cover.
 */
static void
test_cache(void)
{
	X509_STORE *trust = trust_root();
	struct dsbc_stir_cache *c = dsbc_stir_cache_new(2, trust, 3600, 30);
	const struct dsbc_stir_cache_stats *st;
	const struct dsbc_stir_cert *e;
	EVP_PKEY *spk = pem_key(SP_KEY);
	struct dsbc_es256 *signer = dsbc_es256_new(spk);
	struct dsbc_stir_call call;
	struct dsbc_passport p, q;
	int64_t now = 1800000000;
	char body[4096], tok[2048];
	int n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	st = dsbc_stir_cache_stats(c);
	CU_ASSERT_PTR_NULL(dsbc_stir_cache_find(c, "http://a/sp.pem", now));
	CU_ASSERT_EQUAL(st->misses, 1);
	CU_ASSERT_EQUAL(dsbc_stir_cache_pending(c, "http://a/sp.pem", now), 0);
	e = dsbc_stir_cache_find(c, "http://a/sp.pem", now);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->state, DSBC_STIR_CERT_PENDING);
	snprintf(body, sizeof(body), "%s%s", SP_CRT, INTER_CRT);
	CU_ASSERT_EQUAL(dsbc_stir_cache_put(c, "http://a/sp.pem", body,
					    strlen(body), now),
			DSBC_STIR_VALID);
	e = dsbc_stir_cache_find(c, "http://a/sp.pem", now + 10);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->state, DSBC_STIR_CERT_READY);
	CU_ASSERT_EQUAL(e->expires, now + 3600);
	CU_ASSERT_EQUAL(st->hits, 1);
	/* a token by sp, verified through the entry */
	memset(&p, 0, sizeof(p));
	snprintf(p.ppt, sizeof(p.ppt), "shaken");
	snprintf(p.x5u, sizeof(p.x5u), "http://a/sp.pem");
	snprintf(p.orig_tn, sizeof(p.orig_tn), "12155551212");
	snprintf(p.dest_tn[0], sizeof(p.dest_tn[0]), "19995550000");
	p.nb_dest_tn = 1;
	snprintf(p.attest, sizeof(p.attest), "A");
	snprintf(p.origid, sizeof(p.origid), "x");
	p.iat = now;
	n = dsbc_passport_sign(&p, signer, tok, sizeof(tok));
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL_FATAL(dsbc_passport_decode(tok, (size_t)n, &q),
			      DSBC_PASSPORT_OK);
	memset(&call, 0, sizeof(call));
	call.orig_tn = "12155551212";
	call.dest_tn = "19995550000";
	call.now = now;
	call.iat_window_s = 60;
	CU_ASSERT_EQUAL(dsbc_stir_verify_with(e, tok, (size_t)n, &q, &call),
			DSBC_STIR_VALID);
	tok[n - 3] = tok[n - 3] == 'A' ? 'B' : 'A';
	CU_ASSERT_EQUAL(dsbc_stir_verify_with(e, tok, (size_t)n, &q, &call),
			DSBC_STIR_BAD_SIGNATURE);
	tok[n - 3] = tok[n - 3] == 'A' ? 'B' : 'A';
	/* other's certificate speaks for 19995550000 only: not the caller */
	snprintf(body, sizeof(body), "%s%s", OTHER_CRT, INTER_CRT);
	CU_ASSERT_EQUAL(dsbc_stir_cache_put(c, "http://o/other.pem", body,
					    strlen(body), now),
			DSBC_STIR_VALID);
	e = dsbc_stir_cache_find(c, "http://o/other.pem", now);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(dsbc_stir_verify_with(e, tok, (size_t)n, &q, &call),
			DSBC_STIR_BAD_CERT);
	/* full: other (stored last, lasting as long as sp) or sp goes */
	CU_ASSERT_EQUAL(st->entries, 2);
	dsbc_stir_cache_free(c);
	c = dsbc_stir_cache_new(2, trust, 3600, 30);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	st = dsbc_stir_cache_stats(c);
	snprintf(body, sizeof(body), "%s%s", SP_CRT, INTER_CRT);
	CU_ASSERT_EQUAL(dsbc_stir_cache_put(c, "http://a/sp.pem", body,
					    strlen(body), now),
			DSBC_STIR_VALID);
	/* a rogue chain: untrusted, remembered for 30 s */
	snprintf(body, sizeof(body), "%s", EVIL_CRT);
	CU_ASSERT_EQUAL(dsbc_stir_cache_put(c, "http://b/evil.pem", body,
					    strlen(body), now),
			DSBC_STIR_BAD_CERT);
	e = dsbc_stir_cache_find(c, "http://b/evil.pem", now + 29);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->state, DSBC_STIR_CERT_FAILED);
	CU_ASSERT_EQUAL(e->why, DSBC_STIR_BAD_CERT);
	CU_ASSERT_EQUAL(dsbc_stir_verify_with(e, tok, (size_t)n, &q, &call),
			DSBC_STIR_BAD_CERT);
	CU_ASSERT_PTR_NULL(dsbc_stir_cache_find(c, "http://b/evil.pem",
						now + 30));
	CU_ASSERT_EQUAL(st->untrusted, 1);
	/* garbage, a failed fetch; the cache holds 2: the failure (sooner
	 * gone) makes room, sp stays */
	CU_ASSERT_EQUAL(dsbc_stir_cache_put(c, "http://c/x.pem", "junk", 4,
					    now),
			DSBC_STIR_BAD_INFO);
	CU_ASSERT_EQUAL(st->bad_body, 1);
	dsbc_stir_cache_fail(c, "http://d/gone.pem", now);
	CU_ASSERT_EQUAL(st->evicted, 1);
	e = dsbc_stir_cache_find(c, "http://d/gone.pem", now);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->why, DSBC_STIR_BAD_INFO);
	CU_ASSERT_PTR_NOT_NULL(dsbc_stir_cache_find(c, "http://a/sp.pem", now));
	CU_ASSERT_PTR_NULL(dsbc_stir_cache_find(c, "http://c/x.pem", now));
	/* a good entry ends at ttl_s */
	CU_ASSERT_PTR_NULL(dsbc_stir_cache_find(c, "http://a/sp.pem",
						now + 3600));
	CU_ASSERT_EQUAL(st->entries, 1);
	dsbc_stir_cache_free(c);
	dsbc_es256_free(signer);
	EVP_PKEY_free(spk);
	X509_STORE_free(trust);
}

/* The replay table: a token seen again with its own Call-ID is no
 * replay, with another it is; it is forgotten when its window ends; a
 * full probe gives up the slot expiring first. */
static void
test_replay(void)
{
	struct dsbc_stir_replay *r = dsbc_stir_replay_new(8);
	char sig[16];
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(dsbc_stir_replay_check(r, "sigA", 4, "c1", 2, 100,
					       160), 0);
	CU_ASSERT_EQUAL(dsbc_stir_replay_check(r, "sigA", 4, "c1", 2, 110,
					       160), 0);
	CU_ASSERT_EQUAL(dsbc_stir_replay_check(r, "sigA", 4, "c2", 2, 120,
					       160), -1);
	CU_ASSERT_EQUAL(dsbc_stir_replay_check(r, "sigA", 4, "c2", 2, 160,
					       220), 0);
	/* eight more tokens than slots: the oldest goes, the newest stay */
	for (i = 0; i < 16; i++) {
		snprintf(sig, sizeof(sig), "s%d", i);
		CU_ASSERT_EQUAL(dsbc_stir_replay_check(r, sig, strlen(sig),
						       "c", 1, 200,
						       300 + i), 0);
	}
	CU_ASSERT_EQUAL(dsbc_stir_replay_check(r, "s15", 3, "x", 1, 201, 400),
			-1);
	dsbc_stir_replay_free(r);
	CU_ASSERT_PTR_NULL(dsbc_stir_replay_new(0));
}

int
unit_register(void)
{
	CU_pSuite s = CU_add_suite("stir", NULL, NULL);

	if (s == NULL)
		return -1;
	UNIT_ADD(s, test_b64url);
	UNIT_ADD(s, test_rfc8225_appendix_a);
	UNIT_ADD(s, test_mky);
	UNIT_ADD(s, test_json_vs_jansson);
	UNIT_ADD(s, test_es256_forms);
	UNIT_ADD(s, test_sign_verify);
	UNIT_ADD(s, test_secsipidx_token);
	UNIT_ADD(s, test_decode_errors);
	UNIT_ADD(s, test_identity_header);
	UNIT_ADD(s, test_tn_canon);
	UNIT_ADD(s, test_tnauthlist);
	UNIT_ADD(s, test_check_cert);
	UNIT_ADD(s, test_verify_mitm);
	UNIT_ADD(s, test_cache);
	UNIT_ADD(s, test_replay);
	return 0;
}
