/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/auth: digest computations against RFC 7616 section 3.9.1, and the
 * authenticator (nonces, counts, users file, per-source limits) on a
 * virtual clock.  No EAL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "dsbc_auth.h"
#include "dsbc_digest.h"
#include "unit.h"

const bool unit_needs_eal = false;

/* RFC 7616 section 3.9.1: the same request, MD5 then SHA-256 */
#define RFC_CRED(alg, resp) \
	"Digest username=\"Mufasa\", realm=\"http-auth@example.org\", " \
	"uri=\"/dir/index.html\", algorithm=" alg ", " \
	"nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", nc=00000001, " \
	"cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", qop=auth, " \
	"response=\"" resp "\", " \
	"opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""

static void
test_digest_rfc7616_vectors(void)
{
	static const struct {
		const char *cred, *resp;
		unsigned int alg;
	} v[] = {
		{ RFC_CRED("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
		  "8ca523f5e9506fed4657c9700eebdbec", DSBC_DIGEST_MD5 },
		{ RFC_CRED("SHA-256", "753927fa0e85d155564e2e272a28d1802"
			   "ca10daf4496794697cf8db5856cb6c1"),
		  "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db"
		  "5856cb6c1", DSBC_DIGEST_SHA256 },
	};
	struct dsbc_digest_cred c;
	char ha1[DSBC_DIGEST_HEX_MAX], out[DSBC_DIGEST_HEX_MAX];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL_FATAL(dsbc_digest_cred_parse(v[i].cred,
				       strlen(v[i].cred), &c), 0);
		CU_ASSERT_EQUAL(c.alg, v[i].alg);
		CU_ASSERT_STRING_EQUAL(c.username, "Mufasa");
		CU_ASSERT_EQUAL(c.nc, 1);
		CU_ASSERT(c.has_qop);
		CU_ASSERT_EQUAL(dsbc_digest_ha1(v[i].alg, "Mufasa",
						"http-auth@example.org",
						"Circle of Life", ha1), 0);
		CU_ASSERT_EQUAL(dsbc_digest_response(&c, ha1, "GET", 3, out),
				0);
		CU_ASSERT_STRING_EQUAL(out, v[i].resp);
		CU_ASSERT_STRING_EQUAL(c.response, v[i].resp);
	}
}

static void
test_digest_parse_errors(void)
{
	static const char *const bad[] = {
		"Basic dXNlcjpwYXNz",
		"Digest",
		"Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\"",
		"Digest username=\"a\", username=\"b\", realm=\"r\", "
		"nonce=\"n\", uri=\"u\", response=\"x\"",
		"Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", "
		"response=\"x\", qop=auth, nc=1, cnonce=\"c\"",
		"Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", "
		"response=\"x\", qop=auth, nc=0000000g, cnonce=\"c\"",
		"Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", "
		"response=\"x\", qop=auth, nc=00000001",
		"Digest username=\"a, realm=\"r\"",
		"Digest username=\"a\" realm=\"r\", nonce=\"n\", uri=\"u\", "
		"response=\"x\"",
	};
	struct dsbc_digest_cred c;
	const char *ok = "Digest username=\"a\\\"b\", realm=\"r\", "
			 "nonce=\"n\", uri=\"sip:x\", response=\"y\", "
			 "foo=bar, qop=auth, nc=0000000A, cnonce=\"c\"";
	const char *sha512 = "Digest username=\"a\", realm=\"r\", nonce=\"n\", "
			     "uri=\"u\", response=\"x\", algorithm=SHA-512-256";
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(dsbc_digest_cred_parse(bad[i], strlen(bad[i]),
						       &c), -1);
	CU_ASSERT_EQUAL(dsbc_digest_cred_parse(sha512, strlen(sha512), &c),
			-2);
	CU_ASSERT_EQUAL_FATAL(dsbc_digest_cred_parse(ok, strlen(ok), &c), 0);
	CU_ASSERT_STRING_EQUAL(c.username, "a\"b");
	CU_ASSERT_EQUAL(c.nc, 10);
	CU_ASSERT_EQUAL(c.alg, DSBC_DIGEST_MD5);
}

/* ---- the authenticator, as a client drives it ---- */

static const char *users_path = "/tmp/dsbc-test-users";
static const uint8_t src1[5] = { 4, 192, 0, 2, 1 };
static const uint8_t src2[5] = { 4, 192, 0, 2, 2 };

static struct dsbc_auth_realm realm = {
	.name = "example.com",
	.algs = { DSBC_DIGEST_SHA256, DSBC_DIGEST_MD5 },
	.nb_algs = 2,
};

static void
users_write(const char *extra)
{
	char md5[DSBC_DIGEST_HEX_MAX], sha[DSBC_DIGEST_HEX_MAX];
	FILE *f = fopen(users_path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	dsbc_digest_ha1(DSBC_DIGEST_MD5, "alice", "example.com", "secret", md5);
	dsbc_digest_ha1(DSBC_DIGEST_SHA256, "alice", "example.com", "secret",
			sha);
	fprintf(f, "# user realm algorithm ha1\n\nalice example.com MD5 %s\n"
		"alice example.com SHA-256 %s\n%s", md5, sha, extra);
	fclose(f);
}

static struct dsbc_auth *
auth_new(uint32_t nc_slots)
{
	struct dsbc_auth_cfg cfg = {
		.nonce_ttl_ms = 30000,
		.fail_max = 3,
		.fail_window_ms = 10000,
		.nc_slots = nc_slots,
	};
	struct dsbc_auth *a;
	char err[256];

	memset(cfg.key, 0x5a, sizeof(cfg.key));
	a = dsbc_auth_create(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	users_write("");
	CU_ASSERT_EQUAL(dsbc_auth_users_load(a, users_path, err, sizeof(err)),
			1);
	return a;
}

/* the nonce of the first challenge header of alg */
static void
nonce_of(const char *chal, const char *alg, char *nonce)
{
	char needle[64];
	const char *p, *q;

	snprintf(needle, sizeof(needle), "algorithm=%s,", alg);
	p = strstr(chal, needle);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	while (p > chal && strncmp(p, "nonce=\"", 7) != 0)
		p--;
	p += 7;
	q = strchr(p, '"');
	memcpy(nonce, p, (size_t)(q - p));
	nonce[q - p] = '\0';
}

static struct dsbc_sip_msg msg;
static char msgbuf[4096];

/* a REGISTER carrying credentials computed as a client would */
static struct dsbc_sip_msg *
signed_req(const char *nonce, const char *password, unsigned int alg,
	   uint32_t nc, const char *uri, const char *crealm)
{
	struct dsbc_digest_cred c = { .alg = (uint8_t)alg, .nc = nc,
				      .has_qop = true };
	char ha1[DSBC_DIGEST_HEX_MAX], resp[DSBC_DIGEST_HEX_MAX];
	int n;

	snprintf(c.nonce, sizeof(c.nonce), "%s", nonce);
	snprintf(c.uri, sizeof(c.uri), "%s", uri);
	snprintf(c.cnonce, sizeof(c.cnonce), "0a4f113b");
	snprintf(c.qop, sizeof(c.qop), "auth");
	dsbc_digest_ha1(alg, "alice", crealm, password, ha1);
	dsbc_digest_response(&c, ha1, "REGISTER", 8, resp);
	n = snprintf(msgbuf, sizeof(msgbuf),
		     "REGISTER sip:example.com SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
		     "From: <sip:alice@example.com>;tag=1\r\n"
		     "To: <sip:alice@example.com>\r\n"
		     "Call-ID: reg1\r\nCSeq: 2 REGISTER\r\n"
		     "Authorization: Digest username=\"alice\", "
		     "realm=\"%s\", nonce=\"%s\", uri=\"%s\", "
		     "response=\"%s\", algorithm=%s, qop=auth, nc=%08x, "
		     "cnonce=\"0a4f113b\"\r\n"
		     "Content-Length: 0\r\n\r\n",
		     crealm, nonce, uri, resp, dsbc_digest_alg_name(alg), nc);
	CU_ASSERT_FATAL(n > 0 && (size_t)n < sizeof(msgbuf));
	CU_ASSERT_EQUAL_FATAL(dsbc_sip_parse(msgbuf, (uint32_t)n, &msg),
			      DSBC_SIP_ERR_NONE);
	return &msg;
}

static enum dsbc_auth_verdict
check(struct dsbc_auth *a, struct dsbc_sip_msg *m, const uint8_t *src,
      uint64_t now)
{
	char user[64] = "";

	return dsbc_auth_check(a, &realm, m, false, src, 5, now, user,
			       sizeof(user));
}

static void
test_auth_challenge_and_nc(void)
{
	struct dsbc_auth *a = auth_new(0);
	const struct dsbc_auth_stats *st = dsbc_auth_stats(a);
	char chal[1024], nonce[128];
	int n;

	/* no credentials: a challenge, SHA-256 offered before MD5 */
	CU_ASSERT_EQUAL(check(a, signed_req("x", "secret", DSBC_DIGEST_MD5, 1,
					    "sip:example.com", "other.org"),
			      src1, 1000), DSBC_AUTH_CHALLENGE);
	n = dsbc_auth_challenge(a, &realm, false, false, 1000, chal,
				sizeof(chal));
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT(strstr(chal, "WWW-Authenticate: Digest realm=\"example.com\"")
		  == chal);
	CU_ASSERT(strstr(chal, "algorithm=SHA-256") <
		  strstr(chal, "algorithm=MD5"));
	CU_ASSERT_PTR_NOT_NULL(strstr(chal, "qop=\"auth\""));
	CU_ASSERT_PTR_NULL(strstr(chal, "stale"));
	nonce_of(chal, "SHA-256", nonce);

	CU_ASSERT_EQUAL(check(a, signed_req(nonce, "secret",
					    DSBC_DIGEST_SHA256, 1,
					    "sip:example.com", "example.com"),
			      src1, 1500), DSBC_AUTH_OK);
	/* the same count again: a replay */
	CU_ASSERT_EQUAL(check(a, &msg, src1, 1600), DSBC_AUTH_FAIL);
	CU_ASSERT_EQUAL(st->replayed, 1);
	/* a higher one, and a lower one inside the window not seen yet */
	CU_ASSERT_EQUAL(check(a, signed_req(nonce, "secret",
					    DSBC_DIGEST_SHA256, 5,
					    "sip:example.com", "example.com"),
			      src1, 1700), DSBC_AUTH_OK);
	CU_ASSERT_EQUAL(check(a, signed_req(nonce, "secret",
					    DSBC_DIGEST_SHA256, 3,
					    "sip:example.com", "example.com"),
			      src1, 1700), DSBC_AUTH_OK);
	CU_ASSERT_EQUAL(check(a, &msg, src1, 1700), DSBC_AUTH_FAIL);
	CU_ASSERT_EQUAL(st->replayed, 2);
	/* MD5 with the same nonce works too: the realm offers both */
	CU_ASSERT_EQUAL(check(a, signed_req(nonce, "secret", DSBC_DIGEST_MD5,
					    6, "sip:example.com",
					    "example.com"),
			      src2, 1800), DSBC_AUTH_OK);
	/* a uri that is not the Request-URI (sipp's habit): counted */
	CU_ASSERT_EQUAL(check(a, signed_req(nonce, "secret",
					    DSBC_DIGEST_SHA256, 7,
					    "sip:10.0.0.1:5060", "example.com"),
			      src2, 1900), DSBC_AUTH_OK);
	CU_ASSERT_EQUAL(st->uri_mismatch, 1);
	/* a nonce dsbc never made */
	nonce[20] = nonce[20] == 'a' ? 'b' : 'a';
	CU_ASSERT_EQUAL(check(a, signed_req(nonce, "secret",
					    DSBC_DIGEST_SHA256, 1,
					    "sip:example.com", "example.com"),
			      src2, 2000), DSBC_AUTH_CHALLENGE);
	CU_ASSERT_EQUAL(st->nonce_forged, 1);
	CU_ASSERT_EQUAL(st->ok, 5);
	dsbc_auth_free(a);
}

static void
test_auth_stale_and_realm_policy(void)
{
	struct dsbc_auth *a = auth_new(0);
	const struct dsbc_auth_stats *st = dsbc_auth_stats(a);
	struct dsbc_auth_realm sha_only = realm;
	char chal[1024], nonce[128];

	CU_ASSERT_FATAL(dsbc_auth_challenge(a, &realm, true, false, 0, chal,
					    sizeof(chal)) > 0);
	CU_ASSERT(strstr(chal, "Proxy-Authenticate: Digest") == chal);
	nonce_of(chal, "MD5", nonce);
	/* past the 30 s lifetime: right answer, but stale */
	CU_ASSERT_EQUAL(check(a, signed_req(nonce, "secret", DSBC_DIGEST_MD5,
					    1, "sip:example.com",
					    "example.com"),
			      src1, 31000), DSBC_AUTH_STALE);
	CU_ASSERT_EQUAL(st->stale, 1);
	CU_ASSERT_EQUAL(st->failed, 0);
	CU_ASSERT_FATAL(dsbc_auth_challenge(a, &realm, false, true, 31000, chal,
					    sizeof(chal)) > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(chal, ", stale=true\r\n"));
	/* a realm of SHA-256 only refuses an MD5 answer: no downgrade */
	sha_only.nb_algs = 1;
	nonce_of(chal, "MD5", nonce);
	CU_ASSERT_EQUAL(dsbc_auth_check(a, &sha_only,
					signed_req(nonce, "secret",
						   DSBC_DIGEST_MD5, 1,
						   "sip:example.com",
						   "example.com"),
					false, src1, 5, 31000, chal, 64),
			DSBC_AUTH_CHALLENGE);
	CU_ASSERT_EQUAL(st->alg_refused, 1);
	/* Proxy-Authorization is not looked for when 401 was used */
	CU_ASSERT_EQUAL(dsbc_auth_check(a, &realm, &msg, true, src1, 5, 31000,
					chal, 64), DSBC_AUTH_CHALLENGE);
	dsbc_auth_free(a);
}

static void
test_auth_brute_force_blocked(void)
{
	struct dsbc_auth *a = auth_new(0);
	const struct dsbc_auth_stats *st = dsbc_auth_stats(a);
	char chal[1024], nonce[128];
	uint32_t i;

	dsbc_auth_challenge(a, &realm, false, false, 0, chal, sizeof(chal));
	nonce_of(chal, "SHA-256", nonce);
	for (i = 1; i <= 3; i++)
		CU_ASSERT_EQUAL(check(a, signed_req(nonce, "guess",
						    DSBC_DIGEST_SHA256, i,
						    "sip:example.com",
						    "example.com"),
				      src1, 100 * i), DSBC_AUTH_FAIL);
	/* the limit reached: even the right password is not looked at */
	CU_ASSERT_EQUAL(check(a, signed_req(nonce, "secret",
					    DSBC_DIGEST_SHA256, 4,
					    "sip:example.com", "example.com"),
			      src1, 400), DSBC_AUTH_BLOCKED);
	CU_ASSERT_EQUAL(st->blocked, 1);
	CU_ASSERT_EQUAL(st->failed, 3);
	/* another source is not held back */
	CU_ASSERT_EQUAL(check(a, signed_req(nonce, "secret",
					    DSBC_DIGEST_SHA256, 5,
					    "sip:example.com", "example.com"),
			      src2, 500), DSBC_AUTH_OK);
	/* the window over, the first source may try again */
	CU_ASSERT_EQUAL(check(a, signed_req(nonce, "secret",
					    DSBC_DIGEST_SHA256, 6,
					    "sip:example.com", "example.com"),
			      src1, 10200), DSBC_AUTH_OK);
	/* an unknown user fails the same way */
	CU_ASSERT_EQUAL(dsbc_auth_user_known(a, "alice", "example.com"), true);
	CU_ASSERT_EQUAL(dsbc_auth_user_known(a, "bob", "example.com"), false);
	dsbc_auth_free(a);
}

static void
test_auth_nc_evicted_is_stale(void)
{
	struct dsbc_auth *a = auth_new(16);
	const struct dsbc_auth_stats *st = dsbc_auth_stats(a);
	char chal[1024], first[128], nonce[128];
	unsigned int i;

	dsbc_auth_challenge(a, &realm, false, false, 0, chal, sizeof(chal));
	nonce_of(chal, "SHA-256", first);
	CU_ASSERT_EQUAL(check(a, signed_req(first, "secret",
					    DSBC_DIGEST_SHA256, 1,
					    "sip:example.com", "example.com"),
			      src1, 10), DSBC_AUTH_OK);
	/* more live nonces than the table holds push the first one out */
	for (i = 0; i < 40; i++) {
		dsbc_auth_challenge(a, &realm, false, false, 20 + i, chal,
				    sizeof(chal));
		nonce_of(chal, "SHA-256", nonce);
		CU_ASSERT_EQUAL(check(a, signed_req(nonce, "secret",
						    DSBC_DIGEST_SHA256, 1,
						    "sip:example.com",
						    "example.com"),
				      src2, 20 + i), DSBC_AUTH_OK);
	}
	CU_ASSERT(st->nc_evicted > 0);
	/* its count 1 again must not pass as new: stale, a new nonce */
	CU_ASSERT_EQUAL(check(a, signed_req(first, "secret",
					    DSBC_DIGEST_SHA256, 1,
					    "sip:example.com", "example.com"),
			      src1, 100), DSBC_AUTH_STALE);
	dsbc_auth_free(a);
}

static void
test_auth_users_file(void)
{
	struct dsbc_auth *a = auth_new(0);
	char err[256];

	/* a broken file leaves the users loaded before */
	users_write("bob example.com MD5 nothex\n");
	CU_ASSERT_EQUAL(dsbc_auth_users_load(a, users_path, err, sizeof(err)),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ":5: ha1 is not 32 hex digits"));
	CU_ASSERT(dsbc_auth_user_known(a, "alice", "example.com"));
	users_write("alice example.com MD5 "
		    "0123456789abcdef0123456789abcdef\n");
	CU_ASSERT_EQUAL(dsbc_auth_users_load(a, users_path, err, sizeof(err)),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "given twice"));
	users_write("bob example.com SHA-512 "
		    "0123456789abcdef0123456789abcdef\n");
	CU_ASSERT_EQUAL(dsbc_auth_users_load(a, users_path, err, sizeof(err)),
			-1);
	users_write("bob example.com MD5\n");
	CU_ASSERT_EQUAL(dsbc_auth_users_load(a, users_path, err, sizeof(err)),
			-1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "want: user realm algorithm ha1"));
	CU_ASSERT_FALSE(dsbc_auth_user_known(a, "bob", "example.com"));
	/* a good one replaces them */
	users_write("bob example.com MD5 0123456789ABCDEF0123456789abcdef\n");
	CU_ASSERT_EQUAL(dsbc_auth_users_load(a, users_path, err, sizeof(err)),
			2);
	CU_ASSERT(dsbc_auth_user_known(a, "bob", "example.com"));
	CU_ASSERT_EQUAL(dsbc_auth_stats(a)->reload_failed, 4);
	CU_ASSERT_EQUAL(dsbc_auth_users_load(a, "/nonexistent/users", err,
					     sizeof(err)), -1);
	CU_ASSERT(dsbc_auth_user_known(a, "bob", "example.com"));
	dsbc_auth_free(a);
	unlink(users_path);
}

int
unit_register(void)
{
	CU_pSuite s = CU_add_suite("auth", NULL, NULL);

	if (s == NULL)
		return -1;
	UNIT_ADD(s, test_digest_rfc7616_vectors);
	UNIT_ADD(s, test_digest_parse_errors);
	UNIT_ADD(s, test_auth_challenge_and_nc);
	UNIT_ADD(s, test_auth_stale_and_realm_policy);
	UNIT_ADD(s, test_auth_brute_force_blocked);
	UNIT_ADD(s, test_auth_nc_evicted_is_stale);
	UNIT_ADD(s, test_auth_users_file);
	return 0;
}
