/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DTLS termination (RFC 5763/5764) in memory: two dsbc sessions, each
 * with its own generated certificate, handshake by handing each other's
 * datagrams over; the fingerprint check (against a man in the
 * middle), the use_srtp profiles, the RFC 5764 key layout, garbage and
 * lost flights.
 */
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <stdio.h>

#include <CUnit/CUnit.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "dsbc_dtls.h"
#include "unit.h"

const bool unit_needs_eal = false;

static struct dsbc_dtls_ctx *
ctx(const char *profiles)
{
	char err[256];
	struct dsbc_dtls_ctx *c = dsbc_dtls_ctx_create(NULL, NULL, profiles,
						       err, sizeof(err));

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	return c;
}

/* Hand datagrams back and forth until both are done or stuck. */
static void
pump(struct dsbc_dtls *a, struct dsbc_dtls *b, unsigned int *datagrams)
{
	uint8_t buf[4096];
	unsigned int round;
	size_t n;

	*datagrams = 0;
	for (round = 0; round < 20; round++) {
		int moved = 0;

		while ((n = dsbc_dtls_output(a, buf, sizeof(buf))) > 0) {
			dsbc_dtls_input(b, buf, n);
			(*datagrams)++;
			moved = 1;
		}
		while ((n = dsbc_dtls_output(b, buf, sizeof(buf))) > 0) {
			dsbc_dtls_input(a, buf, n);
			(*datagrams)++;
			moved = 1;
		}
		if (!moved)
			break;
	}
}

static void
test_fingerprint_format(void)
{
	struct dsbc_dtls_ctx *a = ctx(NULL), *b = ctx(NULL);
	const char *fp = dsbc_dtls_ctx_fingerprint(a);
	unsigned int i;

	/* RFC 8122: hash name, then 32 upper-case hex pairs with ':' */
	CU_ASSERT_EQUAL(strlen(fp), 8 + 95);
	CU_ASSERT_NSTRING_EQUAL(fp, "sha-256 ", 8);
	for (i = 8; i < strlen(fp); i++)
		CU_ASSERT((i - 8) % 3 == 2 ? fp[i] == ':' :
			  ((fp[i] >= '0' && fp[i] <= '9') ||
			   (fp[i] >= 'A' && fp[i] <= 'F')));
	CU_ASSERT(strcmp(fp, dsbc_dtls_ctx_fingerprint(b)) != 0);
	dsbc_dtls_ctx_free(a);
	dsbc_dtls_ctx_free(b);
}

static void
handshake(const char *client_profiles, const char *server_profiles,
	  enum dsbc_srtp_suite want, uint8_t salt_len)
{
	struct dsbc_dtls_ctx *cc = ctx(client_profiles), *sc = ctx(server_profiles);
	struct dsbc_dtls *c, *s;
	struct dsbc_srtp_keys kc, ks;
	unsigned int n;

	c = dsbc_dtls_new(cc, DSBC_DTLS_CLIENT, dsbc_dtls_ctx_fingerprint(sc));
	s = dsbc_dtls_new(sc, DSBC_DTLS_SERVER, dsbc_dtls_ctx_fingerprint(cc));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(dsbc_dtls_keys(c, &kc), -1);
	CU_ASSERT_EQUAL(dsbc_dtls_start(c), 0);
	pump(c, s, &n);
	CU_ASSERT_EQUAL(dsbc_dtls_state(c), DSBC_DTLS_DONE);
	CU_ASSERT_EQUAL(dsbc_dtls_state(s), DSBC_DTLS_DONE);
	CU_ASSERT(n >= 3);
	CU_ASSERT_EQUAL_FATAL(dsbc_dtls_keys(c, &kc), 0);
	CU_ASSERT_EQUAL_FATAL(dsbc_dtls_keys(s, &ks), 0);
	CU_ASSERT_EQUAL(kc.profile, want);
	CU_ASSERT_EQUAL(ks.profile, want);
	CU_ASSERT_EQUAL(kc.key_len, 16);
	CU_ASSERT_EQUAL(kc.salt_len, salt_len);
	/* what one side protects with, the other unprotects with */
	CU_ASSERT(memcmp(kc.local_key, ks.remote_key, 16) == 0);
	CU_ASSERT(memcmp(kc.remote_key, ks.local_key, 16) == 0);
	CU_ASSERT(memcmp(kc.local_salt, ks.remote_salt, salt_len) == 0);
	CU_ASSERT(memcmp(kc.remote_salt, ks.local_salt, salt_len) == 0);
	CU_ASSERT(memcmp(kc.local_key, kc.remote_key, 16) != 0);
	dsbc_dtls_free(c);
	dsbc_dtls_free(s);
	dsbc_dtls_ctx_free(cc);
	dsbc_dtls_ctx_free(sc);
}

static void
test_handshake_profiles(void)
{
	handshake(NULL, NULL, DSBC_SRTP_SUITE_AES_CM_128_HMAC_SHA1_80, 14);
	handshake("SRTP_AES128_CM_SHA1_32", NULL, DSBC_SRTP_SUITE_AES_CM_128_HMAC_SHA1_32, 14);
	handshake(NULL, "SRTP_AEAD_AES_128_GCM", DSBC_SRTP_SUITE_AEAD_AES_128_GCM, 12);
}

/* A certificate other than the SDP's (a man in the middle) must end the
 * handshake. */
static void
test_fingerprint_mismatch(void)
{
	struct dsbc_dtls_ctx *cc = ctx(NULL), *sc = ctx(NULL), *mitm = ctx(NULL);
	struct dsbc_dtls *c, *s;
	unsigned int n;

	/* the client was told the fingerprint of somebody else */
	c = dsbc_dtls_new(cc, DSBC_DTLS_CLIENT, dsbc_dtls_ctx_fingerprint(mitm));
	s = dsbc_dtls_new(sc, DSBC_DTLS_SERVER, dsbc_dtls_ctx_fingerprint(cc));
	dsbc_dtls_start(c);
	pump(c, s, &n);
	CU_ASSERT_EQUAL(dsbc_dtls_state(c), DSBC_DTLS_FAILED);
	printf("  client: %s\n", dsbc_dtls_error(c));
	CU_ASSERT_PTR_NOT_NULL(strstr(dsbc_dtls_error(c),
				      "does not match the SDP fingerprint"));
	CU_ASSERT(dsbc_dtls_peer_refused(c));
	CU_ASSERT_NOT_EQUAL(dsbc_dtls_state(s), DSBC_DTLS_DONE);
	dsbc_dtls_free(c);
	dsbc_dtls_free(s);
	/* and the server checks the client's the same way */
	c = dsbc_dtls_new(cc, DSBC_DTLS_CLIENT, dsbc_dtls_ctx_fingerprint(sc));
	s = dsbc_dtls_new(sc, DSBC_DTLS_SERVER, dsbc_dtls_ctx_fingerprint(mitm));
	dsbc_dtls_start(c);
	pump(c, s, &n);
	CU_ASSERT_EQUAL(dsbc_dtls_state(s), DSBC_DTLS_FAILED);
	CU_ASSERT_NOT_EQUAL(dsbc_dtls_state(c), DSBC_DTLS_DONE);
	dsbc_dtls_free(c);
	dsbc_dtls_free(s);
	/* a malformed expected fingerprint is refused up front */
	CU_ASSERT_PTR_NULL(dsbc_dtls_new(cc, DSBC_DTLS_CLIENT, "md5 00:11"));
	CU_ASSERT_PTR_NULL(dsbc_dtls_new(cc, DSBC_DTLS_CLIENT, NULL));
	dsbc_dtls_ctx_free(cc);
	dsbc_dtls_ctx_free(sc);
	dsbc_dtls_ctx_free(mitm);
}

/* Context c's certificate's fingerprint with hash md named name, in
 * RFC 8122's form, computed here from the PEM file c saves. */
static void
fp_with(const struct dsbc_dtls_ctx *c, const EVP_MD *md, const char *name,
	char *out)
{
	char cert[] = "/tmp/dsbc-unit-fp-XXXXXX", key[64];
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	X509 *x = NULL;
	FILE *f;
	int fd = mkstemp(cert);

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	snprintf(key, sizeof(key), "%s.key", cert);
	CU_ASSERT_FATAL(dsbc_dtls_ctx_save(c, cert, key) == 0);
	f = fopen(cert, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	unlink(cert);
	unlink(key);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	X509_digest(x, md, d, &n);
	X509_free(x);
	out += sprintf(out, "%s ", name);
	for (i = 0; i < n; i++)
		out += sprintf(out, "%02x%s", d[i], i + 1 < n ? ":" : "");
}

/*
 * RFC 8122 section 5: a peer may name SHA-384 or SHA-512 (and lower-case
 * hex), and is checked with that hash; weaker ones are refused up front.
 */
static void
test_fingerprint_hashes(void)
{
	static const struct {
		const char *name;
		const EVP_MD *(*md)(void);
	} h[] = { { "sha-384", EVP_sha384 }, { "SHA-512", EVP_sha512 } };
	struct dsbc_dtls_ctx *cc = ctx(NULL), *sc = ctx(NULL);
	char fpc[256], fps[256];
	struct dsbc_dtls *c, *s;
	unsigned int i, n;

	for (i = 0; i < 2; i++) {
		fp_with(cc, h[i].md(), h[i].name, fpc);
		fp_with(sc, h[i].md(), h[i].name, fps);
		c = dsbc_dtls_new(cc, DSBC_DTLS_CLIENT, fps);
		s = dsbc_dtls_new(sc, DSBC_DTLS_SERVER, fpc);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		dsbc_dtls_start(c);
		pump(c, s, &n);
		CU_ASSERT_EQUAL(dsbc_dtls_state(c), DSBC_DTLS_DONE);
		CU_ASSERT_EQUAL(dsbc_dtls_state(s), DSBC_DTLS_DONE);
		dsbc_dtls_free(c);
		dsbc_dtls_free(s);
		/* the same hash of another certificate: refused */
		n = (unsigned int)strlen(fps) - 1;
		fps[n] = fps[n] == '0' ? '1' : '0';
		c = dsbc_dtls_new(cc, DSBC_DTLS_CLIENT, fps);
		s = dsbc_dtls_new(sc, DSBC_DTLS_SERVER, fpc);
		dsbc_dtls_start(c);
		pump(c, s, &n);
		CU_ASSERT_EQUAL(dsbc_dtls_state(c), DSBC_DTLS_FAILED);
		CU_ASSERT(dsbc_dtls_peer_refused(c));
		dsbc_dtls_free(c);
		dsbc_dtls_free(s);
	}
	CU_ASSERT(dsbc_dtls_fp_ok(fpc));
	fp_with(sc, EVP_sha1(), "sha-1", fps);
	CU_ASSERT(!dsbc_dtls_fp_ok(fps));
	CU_ASSERT_PTR_NULL(dsbc_dtls_new(cc, DSBC_DTLS_CLIENT, fps));
	CU_ASSERT(!dsbc_dtls_fp_ok("sha-2560 00"));
	CU_ASSERT_PTR_NULL(dsbc_dtls_new(cc, DSBC_DTLS_CLIENT, "sha-2560 00"));
	CU_ASSERT(!dsbc_dtls_fp_ok(NULL));
	/* the order several are chosen in (RFC 8122 section 5) */
	CU_ASSERT_EQUAL(dsbc_dtls_fp_rank("sha-256 AB", 10), 1);
	CU_ASSERT_EQUAL(dsbc_dtls_fp_rank("SHA-384 AB", 10), 2);
	CU_ASSERT_EQUAL(dsbc_dtls_fp_rank("sha-512 AB:CD", 13), 3);
	CU_ASSERT_EQUAL(dsbc_dtls_fp_rank("sha-1 AB", 8), 0);
	CU_ASSERT_EQUAL(dsbc_dtls_fp_rank("sha-512 AB", 7), 0);
	/* longer than any SHA-512 fingerprint */
	strcat(fpc, ":00:00");
	CU_ASSERT(!dsbc_dtls_fp_ok(fpc));
	dsbc_dtls_ctx_free(cc);
	dsbc_dtls_ctx_free(sc);
}

/*
 * RFC 8122 section 5: a fingerprint per certificate the peer may present.
 * The client's SDP names another certificate first, then the server's:
 * the handshake completes; with only others named it is refused.  Extra
 * fingerprints must name the first's hash, DSBC_DTLS_PEER_FPS at most.
 */
static void
test_several_certificates(void)
{
	struct dsbc_dtls_ctx *cc = ctx(NULL), *sc = ctx(NULL), *oc = ctx(NULL);
	char other[256], other2[256], fps[256];
	struct dsbc_dtls *c, *s;
	unsigned int i, n;

	fp_with(oc, EVP_sha512(), "sha-512", other);
	snprintf(other2, sizeof(other2), "%s", other);
	n = (unsigned int)strlen(other2) - 1;
	other2[n] = other2[n] == '0' ? '1' : '0';
	fp_with(sc, EVP_sha512(), "sha-512", fps);
	for (i = 0; i < 2; i++) {
		c = dsbc_dtls_new(cc, DSBC_DTLS_CLIENT, other);
		s = dsbc_dtls_new(sc, DSBC_DTLS_SERVER,
				  dsbc_dtls_ctx_fingerprint(cc));
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_EQUAL(dsbc_dtls_add_peer_fp(c, other2), 0);
		/* the server's own, on the second round only */
		if (i == 1)
			CU_ASSERT_EQUAL(dsbc_dtls_add_peer_fp(c, fps), 0);
		dsbc_dtls_start(c);
		pump(c, s, &n);
		CU_ASSERT_EQUAL(dsbc_dtls_state(c), i == 1 ? DSBC_DTLS_DONE :
							      DSBC_DTLS_FAILED);
		CU_ASSERT(dsbc_dtls_peer_refused(c) == (i == 0));
		dsbc_dtls_free(c);
		dsbc_dtls_free(s);
	}
	c = dsbc_dtls_new(cc, DSBC_DTLS_CLIENT, other);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	/* another hash than the first's, or one not taken at all */
	CU_ASSERT_EQUAL(dsbc_dtls_add_peer_fp(c,
			dsbc_dtls_ctx_fingerprint(sc)), -EINVAL);
	CU_ASSERT_EQUAL(dsbc_dtls_add_peer_fp(c, "sha-1 AB"), -EINVAL);
	for (i = 1; i < DSBC_DTLS_PEER_FPS; i++)
		CU_ASSERT_EQUAL(dsbc_dtls_add_peer_fp(c, other2), 0);
	CU_ASSERT_EQUAL(dsbc_dtls_add_peer_fp(c, fps), -ENOSPC);
	dsbc_dtls_free(c);
	dsbc_dtls_ctx_free(cc);
	dsbc_dtls_ctx_free(sc);
	dsbc_dtls_ctx_free(oc);
}

static void
test_garbage_and_loss(void)
{
	struct dsbc_dtls_ctx *cc = ctx(NULL), *sc = ctx(NULL);
	struct dsbc_dtls *c, *s;
	uint8_t junk[300], buf[4096];
	uint64_t next_ms;
	unsigned int i, n;

	c = dsbc_dtls_new(cc, DSBC_DTLS_CLIENT, dsbc_dtls_ctx_fingerprint(sc));
	s = dsbc_dtls_new(sc, DSBC_DTLS_SERVER, dsbc_dtls_ctx_fingerprint(cc));
	/* garbage records before anything: ignored, no crash */
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37 + 22);
	for (i = 1; i < sizeof(junk); i += 37)
		dsbc_dtls_input(s, junk, i);
	CU_ASSERT_EQUAL(dsbc_dtls_state(s), DSBC_DTLS_HANDSHAKING);
	CU_ASSERT_EQUAL(dsbc_dtls_output(s, buf, sizeof(buf)), 0);
	/* the ClientHello is lost; the retransmission timer resends it */
	dsbc_dtls_start(c);
	CU_ASSERT(dsbc_dtls_output(c, buf, sizeof(buf)) > 0);
	CU_ASSERT_EQUAL(dsbc_dtls_output(c, buf, sizeof(buf)), 0);
	sleep(1);
	usleep(100000);
	dsbc_dtls_tick(c, &next_ms);
	CU_ASSERT(next_ms > 0);
	pump(c, s, &n);
	CU_ASSERT_EQUAL(dsbc_dtls_state(c), DSBC_DTLS_DONE);
	CU_ASSERT_EQUAL(dsbc_dtls_state(s), DSBC_DTLS_DONE);
	dsbc_dtls_free(c);
	dsbc_dtls_free(s);
	/* a well-formed handshake record with a corrupt body ends a fresh
	 * server's handshake, but is not the peer refusing: the caller may
	 * start over (b2bua_term.c does) */
	s = dsbc_dtls_new(sc, DSBC_DTLS_SERVER, dsbc_dtls_ctx_fingerprint(cc));
	memset(junk, 0x5a, sizeof(junk));
	junk[0] = 22;                        /* handshake */
	junk[1] = 0xfe;                      /* DTLS 1.2 */
	junk[2] = 0xfd;
	memset(junk + 3, 0, 8);              /* epoch 0, sequence 0 */
	junk[11] = 0;
	junk[12] = 60;                       /* length */
	junk[13] = 1;                        /* ClientHello, garbage after */
	dsbc_dtls_input(s, junk, 13 + 60);
	printf("  corrupt ClientHello: %s\n", dsbc_dtls_state(s) ==
	       DSBC_DTLS_FAILED ? dsbc_dtls_error(s) : "ignored");
	CU_ASSERT(!dsbc_dtls_peer_refused(s));
	dsbc_dtls_free(s);
	dsbc_dtls_ctx_free(cc);
	dsbc_dtls_ctx_free(sc);
}

static void
test_save_and_reload(void)
{
	struct dsbc_dtls_ctx *a = ctx(NULL), *b;
	char err[256], crt[] = "/tmp/dsbc-dtls-XXXXXX", key[64];
	int fd = mkstemp(crt);

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	snprintf(key, sizeof(key), "%s.key", crt);
	CU_ASSERT_EQUAL(dsbc_dtls_ctx_save(a, crt, key), 0);
	/* the pinned fingerprint survives a restart */
	b = dsbc_dtls_ctx_create(crt, key, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_STRING_EQUAL(dsbc_dtls_ctx_fingerprint(a),
			       dsbc_dtls_ctx_fingerprint(b));
	CU_ASSERT_PTR_NULL(dsbc_dtls_ctx_create("/nonexistent", key, NULL, err,
						sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot read"));
	unlink(crt);
	unlink(key);
	dsbc_dtls_ctx_free(a);
	dsbc_dtls_ctx_free(b);
}

int
unit_register(void)
{
	CU_pSuite s = CU_add_suite("dtls", NULL, NULL);

	if (s == NULL)
		return -1;
	UNIT_ADD(s, test_fingerprint_format);
	UNIT_ADD(s, test_handshake_profiles);
	UNIT_ADD(s, test_fingerprint_mismatch);
	UNIT_ADD(s, test_fingerprint_hashes);
	UNIT_ADD(s, test_several_certificates);
	UNIT_ADD(s, test_garbage_and_loss);
	UNIT_ADD(s, test_save_and_reload);
	return 0;
}
