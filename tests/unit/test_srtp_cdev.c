/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cryptodev SRTP engine on the crypto_aesni_mb vdev: the RFC 3711
 * B.2 and RFC 7714 16.1 vectors from session keys; what it protects
 * equals RFC 3711 / RFC 7714 computed independently (srtp_expect.h),
 * across a ROC rollover, in one burst; it and libsrtp2
 * unprotect what the other protects; jobs of several sessions and both
 * directions share a burst; GCM takes headers of 12 to 32 bytes; replays
 * (across bursts and within one), tampered and forged packets, packets
 * without tailroom and longer GCM headers are refused.  SRTCP: RFC 7714
 * 17.1 through the device, and it and libsrtp2 unprotect each other's.
 */
#include <string.h>

#include <CUnit/CUnit.h>

#include <rte_bus_vdev.h>
#include <rte_cryptodev.h>
#include <rte_mbuf.h>

#include <errno.h>

#include "dsbc_srtp_cdev.h"
#include "dsbc_srtp_lib.h"
#include "srtp_expect.h"
#include "unit.h"

const bool unit_needs_eal = true;

static struct dsbc_srtp_cdev eng;
static struct rte_mempool *pool;
static bool eng_up;

static const enum dsbc_srtp_suite suites[] = {
	DSBC_SRTP_SUITE_AES_CM_128_HMAC_SHA1_80,
	DSBC_SRTP_SUITE_AES_CM_128_HMAC_SHA1_32,
	DSBC_SRTP_SUITE_AEAD_AES_128_GCM,
};

static size_t
tag_of(enum dsbc_srtp_suite s)
{
	return s == DSBC_SRTP_SUITE_AEAD_AES_128_GCM ? 16 :
	       s == DSBC_SRTP_SUITE_AES_CM_128_HMAC_SHA1_32 ? 4 : 10;
}

static int
engine_up(void)
{
	int dev;

	if (eng_up)
		return 0;
	if (rte_vdev_init("crypto_aesni_mb0", NULL) != 0)
		return -1;
	dev = rte_cryptodev_get_dev_id("crypto_aesni_mb0");
	pool = rte_pktmbuf_pool_create("srtp_cdev_mb", 255, 0, 0, 2048,
				       SOCKET_ID_ANY);
	if (dev < 0 || pool == NULL ||
	    dsbc_srtp_cdev_init(&eng, (uint8_t)dev, 1, 64, 0, SOCKET_ID_ANY) != 0)
		return -1;
	eng_up = true;
	return 0;
}

/* An mbuf holding len bytes of p at offset off (the rest of the frame in
 * front: what the worker hands over), plus `trailer` bytes after it. */
static struct rte_mbuf *
mbuf_with(const uint8_t *p, size_t len, uint16_t off, uint16_t trailer)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	rte_pktmbuf_append(m, (uint16_t)(off + len + trailer));
	memset(rte_pktmbuf_mtod(m, uint8_t *), 0x5a, off + len + trailer);
	memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, off), p, len);
	return m;
}

/* n packets through session s in one run; res[i] per packet. */
static uint16_t
run(struct dsbc_srtp_cdev_sess *s, struct rte_mbuf **m, uint16_t off,
    unsigned int n, int *res)
{
	struct dsbc_srtp_cdev_job j[16];
	unsigned int i;
	uint16_t ok;

	for (i = 0; i < n; i++) {
		j[i].m = m[i];
		j[i].s = s;
		j[i].off = off;
		j[i].len = (uint16_t)(m[i]->data_len - off);
	}
	ok = dsbc_srtp_cdev_run(&eng, j, (uint16_t)n);
	for (i = 0; i < n; i++) {
		res[i] = j[i].res;
		if (j[i].res == 0)
			CU_ASSERT_EQUAL(m[i]->data_len, off + j[i].len);
	}
	return ok;
}

static void
keys(uint8_t *mk, uint8_t *ms, uint8_t seed)
{
	unsigned int i;

	for (i = 0; i < 16; i++)
		mk[i] = (uint8_t)(seed + i);
	for (i = 0; i < 14; i++)
		ms[i] = (uint8_t)(seed * 3 + 0x90 + i);
}

/* RFC 3711 appendix B.2's master key and salt (AES-CM); GCM takes the
 * first 12 bytes of the salt. */
static void
test_cdev_protect_matches_rfc(void)
{
	static const uint16_t seqs[] = { 0x1234, 65534, 65535, 0, 1 };
	uint8_t mk[16], ms[14], want[64], plain[64];
	unsigned int si, i, n = RTE_DIM(seqs);

	CU_ASSERT_EQUAL_FATAL(engine_up(), 0);
	hex("E1F97A0D3E018BE0D64FA32C06DE4139", mk, 16);
	hex("0EC675AD498AFEEBB6960B3AABE6", ms, 14);
	for (si = 0; si < RTE_DIM(suites); si++) {
		struct dsbc_srtp_cdev_sess s;
		struct rte_mbuf *m[8];
		size_t tag = tag_of(suites[si]);
		uint32_t roc = 0;
		int res[8];

		CU_ASSERT_EQUAL_FATAL(dsbc_srtp_cdev_sess_init(&eng, &s,
				suites[si], mk, ms, true, 128), 0);
		/* packets start 42 bytes in (Ethernet/IPv4/UDP), and an
		 * Ethernet trailer after them goes */
		for (i = 0; i < n; i++) {
			rtp_packet(plain, seqs[i]);
			m[i] = mbuf_with(plain, 28, 42, 6);
			m[i]->data_len -= 6;
			m[i]->pkt_len -= 6;
		}
		CU_ASSERT_EQUAL(run(&s, m, 42, n, res), n);
		for (i = 0; i < n; i++) {
			if (i > 0 && seqs[i] < seqs[i - 1] && seqs[i - 1] > 60000)
				roc++;
			rtp_packet(plain, seqs[i]);
			if (suites[si] == DSBC_SRTP_SUITE_AEAD_AES_128_GCM)
				expected_srtp_gcm(mk, ms, roc, plain, 28, want);
			else
				expected_srtp(mk, ms, roc, plain, 28, want);
			CU_ASSERT_EQUAL(res[i], 0);
			CU_ASSERT_EQUAL(m[i]->data_len, 42 + 28 + tag);
			/* HMAC-SHA1-32 is the first 32 bits of the MAC */
			CU_ASSERT(memcmp(rte_pktmbuf_mtod_offset(m[i],
					 uint8_t *, 42), want, 28 + tag) == 0);
			rte_pktmbuf_free(m[i]);
		}
		/* no room for what protect appends: refused, untouched */
		rtp_packet(plain, 2);
		m[0] = rte_pktmbuf_alloc(pool);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m[0]);
		/* AES-CM appends the ROC for the HMAC, then the tag */
		m[0]->data_off = (uint16_t)(m[0]->buf_len - 28 - (tag - 1) -
				 (tag == 16 ? 0 : 4));
		rte_pktmbuf_append(m[0], 28);
		memcpy(rte_pktmbuf_mtod(m[0], uint8_t *), plain, 28);
		CU_ASSERT_EQUAL(run(&s, m, 0, 1, res), 0);
		CU_ASSERT_EQUAL(res[0], -ENOSPC);
		CU_ASSERT(memcmp(rte_pktmbuf_mtod(m[0], uint8_t *), plain,
				 28) == 0);
		rte_pktmbuf_free(m[0]);
		/* an index it encrypted already (the last above, after the
		 * rollover): refused, one keystream is never used twice */
		rtp_packet(plain, seqs[n - 1]);
		m[0] = mbuf_with(plain, 28, 0, 0);
		CU_ASSERT_EQUAL(run(&s, m, 0, 1, res), 0);
		CU_ASSERT_EQUAL(res[0], -EALREADY);
		CU_ASSERT_EQUAL(m[0]->data_len, 28);
		rte_pktmbuf_free(m[0]);
		dsbc_srtp_cdev_sess_fini(&eng, &s);
	}
}

/*
 * The RFCs' own vectors through the device, from session keys:
 * RFC 3711 B.2 (AES-CM keystream: session key 2B7E..., salt F0F1...,
 * SSRC 0, index 0, so a zero payload encrypts to the keystream) and
 * RFC 7714 16.1.1 / 16.1.2 (AEAD_AES_128_GCM encryption and decryption).
 */
static void
test_cdev_rfc_vectors(void)
{
	uint8_t ke[16], ka[20] = { 0 }, salt[14], pkt[128], want[128];
	struct dsbc_srtp_cdev_sess s;
	struct rte_mbuf *m[1];
	int res[1];

	CU_ASSERT_EQUAL_FATAL(engine_up(), 0);
	/* RFC 3711 B.2: the first 48 bytes of keystream */
	hex("2B7E151628AED2A6ABF7158809CF4F3C", ke, 16);
	hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD", salt, 14);
	hex("E03EAD0935C95E80E166B16DD92B4EB4D23513162B02D0F72A43A2FE4A5F97AB"
	    "41E95B3BB0A2E8DD477901E4FCA894C0", want, 48);
	memset(pkt, 0, 60);
	pkt[0] = 0x80;                          /* seq 0, SSRC 0 */
	CU_ASSERT_EQUAL_FATAL(dsbc_srtp_cdev_sess_init_keys(&eng, &s,
			DSBC_SRTP_SUITE_AES_CM_128_HMAC_SHA1_80, ke, ka, salt,
			true, 128), 0);
	m[0] = mbuf_with(pkt, 60, 0, 0);
	CU_ASSERT_EQUAL(run(&s, m, 0, 1, res), 1);
	CU_ASSERT_EQUAL(m[0]->data_len, 60 + 10);
	CU_ASSERT(memcmp(rte_pktmbuf_mtod_offset(m[0], uint8_t *, 12), want,
			 48) == 0);
	rte_pktmbuf_free(m[0]);
	dsbc_srtp_cdev_sess_fini(&eng, &s);

	/* RFC 7714 16.1.1: key and salt used as they are (section 16) */
	hex("000102030405060708090a0b0c0d0e0f", ke, 16);
	hex("517569642070726f2071756f", salt, 12);
	hex("8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e6973206469"
	    "7669736120696e207061727465732074726573", pkt, 50);
	memcpy(want, pkt, 12);
	hex("f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d1"
	    "9b36de3adf8833899d7f27beb16a9152cf765ee4390cce", want + 12, 54);
	CU_ASSERT_EQUAL_FATAL(dsbc_srtp_cdev_sess_init_keys(&eng, &s,
			DSBC_SRTP_SUITE_AEAD_AES_128_GCM, ke, NULL, salt, true,
			128), 0);
	m[0] = mbuf_with(pkt, 50, 0, 0);
	CU_ASSERT_EQUAL(run(&s, m, 0, 1, res), 1);
	CU_ASSERT_EQUAL(m[0]->data_len, 66);
	CU_ASSERT(memcmp(rte_pktmbuf_mtod(m[0], uint8_t *), want, 66) == 0);
	rte_pktmbuf_free(m[0]);
	dsbc_srtp_cdev_sess_fini(&eng, &s);
	/* 16.1.2: the same back; a flipped tag bit fails */
	CU_ASSERT_EQUAL_FATAL(dsbc_srtp_cdev_sess_init_keys(&eng, &s,
			DSBC_SRTP_SUITE_AEAD_AES_128_GCM, ke, NULL, salt, false,
			128), 0);
	want[65] ^= 1;
	m[0] = mbuf_with(want, 66, 0, 0);
	CU_ASSERT_EQUAL(run(&s, m, 0, 1, res), 0);
	CU_ASSERT_EQUAL(res[0], -EBADMSG);
	rte_pktmbuf_free(m[0]);
	want[65] ^= 1;
	m[0] = mbuf_with(want, 66, 0, 0);
	CU_ASSERT_EQUAL(run(&s, m, 0, 1, res), 1);
	CU_ASSERT_EQUAL(m[0]->data_len, 50);
	CU_ASSERT(memcmp(rte_pktmbuf_mtod(m[0], uint8_t *), pkt, 50) == 0);
	rte_pktmbuf_free(m[0]);
	dsbc_srtp_cdev_sess_fini(&eng, &s);
}

/*
 * The cross-test, per suite: what libsrtp2 protects, cryptodev
 * unprotects, and the other way round, across a ROC rollover; a tampered
 * packet fails; a replay is refused in a later burst and within one.
 */
static void
test_cdev_cross_libsrtp2(void)
{
	static const uint16_t seqs[] = { 65533, 65534, 65535, 0, 1, 2 };
	unsigned int si, i, n = RTE_DIM(seqs);

	CU_ASSERT_EQUAL_FATAL(engine_up(), 0);
	for (si = 0; si < RTE_DIM(suites); si++) {
		enum dsbc_srtp_suite suite = suites[si];
		size_t tag = tag_of(suite);
		uint8_t key[16], salt[14], plain[64], pkt[128], copy[128];
		struct dsbc_srtp_cdev_sess ctx, crx;
		struct dsbc_srtp_lib *ltx, *lrx;
		struct rte_mbuf *m[8];
		int res[8];

		keys(key, salt, (uint8_t)(0x40 + si));
		ltx = dsbc_srtp_lib_new(suite, key, salt, true, 128);
		lrx = dsbc_srtp_lib_new(suite, key, salt, false, 128);
		CU_ASSERT_PTR_NOT_NULL_FATAL(ltx);
		CU_ASSERT_PTR_NOT_NULL_FATAL(lrx);
		CU_ASSERT_EQUAL_FATAL(dsbc_srtp_cdev_sess_init(&eng, &ctx,
				suite, key, salt, true, 128), 0);
		CU_ASSERT_EQUAL_FATAL(dsbc_srtp_cdev_sess_init(&eng, &crx,
				suite, key, salt, false, 128), 0);
		/* libsrtp2 -> cryptodev */
		for (i = 0; i < n; i++) {
			size_t len = rtp_packet(pkt, seqs[i]);

			CU_ASSERT_EQUAL(dsbc_srtp_lib_protect(ltx, pkt, &len,
					sizeof(pkt), false), 0);
			CU_ASSERT_EQUAL(len, 28 + tag);
			if (i == 0)
				memcpy(copy, pkt, len);
			m[i] = mbuf_with(pkt, len, 14, 0);
		}
		rte_pktmbuf_mtod_offset(m[2], uint8_t *, 14 + 20)[0] ^= 1;
		/* the first authentic packet starts the index; the burst
		 * after it wraps the sequence */
		CU_ASSERT_EQUAL(run(&crx, m, 14, 1, res), 1);
		CU_ASSERT_EQUAL(run(&crx, &m[1], 14, n - 1, &res[1]), n - 2);
		for (i = 0; i < n; i++) {
			rtp_packet(plain, seqs[i]);
			if (i == 2) {
				CU_ASSERT_EQUAL(res[i], -EBADMSG);
				continue;
			}
			CU_ASSERT_EQUAL(res[i], 0);
			CU_ASSERT_EQUAL(m[i]->data_len, 14 + 28);
			CU_ASSERT(memcmp(rte_pktmbuf_mtod_offset(m[i],
					 uint8_t *, 14), plain, 28) == 0);
			rte_pktmbuf_free(m[i]);
		}
		rte_pktmbuf_free(m[2]);
		/* the first packet again, in a later burst: replayed */
		m[0] = mbuf_with(copy, 28 + tag, 0, 0);
		CU_ASSERT_EQUAL(run(&crx, m, 0, 1, res), 0);
		CU_ASSERT_EQUAL(res[0], -EALREADY);
		rte_pktmbuf_free(m[0]);
		/* a new packet twice in one burst: the second is a replay */
		{
			size_t len = rtp_packet(pkt, 3);

			CU_ASSERT_EQUAL(dsbc_srtp_lib_protect(ltx, pkt, &len,
					sizeof(pkt), false), 0);
			m[0] = mbuf_with(pkt, len, 0, 0);
			m[1] = mbuf_with(pkt, len, 0, 0);
			CU_ASSERT_EQUAL(run(&crx, m, 0, 2, res), 1);
			CU_ASSERT_EQUAL(res[0], 0);
			CU_ASSERT_EQUAL(res[1], -EALREADY);
			rte_pktmbuf_free(m[0]);
			rte_pktmbuf_free(m[1]);
		}
		/* cryptodev -> libsrtp2 */
		for (i = 0; i < n; i++) {
			rtp_packet(plain, seqs[i]);
			m[i] = mbuf_with(plain, 28, 0, 0);
		}
		CU_ASSERT_EQUAL(run(&ctx, m, 0, n, res), n);
		for (i = 0; i < n; i++) {
			size_t len = m[i]->data_len;

			CU_ASSERT_EQUAL(len, 28 + tag);
			CU_ASSERT_EQUAL(dsbc_srtp_lib_unprotect(lrx,
					rte_pktmbuf_mtod(m[i], uint8_t *),
					&len, false), 0);
			rtp_packet(plain, seqs[i]);
			CU_ASSERT(len == 28 && memcmp(rte_pktmbuf_mtod(m[i],
						uint8_t *), plain, 28) == 0);
			rte_pktmbuf_free(m[i]);
		}
		dsbc_srtp_cdev_sess_fini(&eng, &ctx);
		dsbc_srtp_cdev_sess_fini(&eng, &crx);
		dsbc_srtp_lib_free(ltx);
		dsbc_srtp_lib_free(lrx);
	}
}

/*
 * RFC 7714 17.1 (SRTCP, AEAD_AES_128_GCM, session key and salt as they
 * are) through the device: index 0x5d4, E set; the AAD is the header and
 * the E || index word, which follows the tag.  Back again; a flipped
 * bit, a replay and a packet with E clear are refused.
 */
static void
test_cdev_srtcp_rfc7714(void)
{
	uint8_t ke[16], salt[12], pkt[64], want[96];
	struct dsbc_srtp_cdev_sess s;
	struct rte_mbuf *m[1];
	int res[1];

	CU_ASSERT_EQUAL_FATAL(engine_up(), 0);
	hex("000102030405060708090a0b0c0d0e0f", ke, 16);
	hex("517569642070726f2071756f", salt, 12);
	hex("81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e"
	    "61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef", pkt, 52);
	memcpy(want, pkt, 8);
	hex("63e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32dc676a5f1730d6fda"
	    "4ce09b4686303ded0bb9275bc84aa45896cf4d2fc5abf87245d9eade",
	    want + 8, 60);
	memcpy(want + 68, "\x80\x00\x05\xd4", 4);
	CU_ASSERT_EQUAL_FATAL(dsbc_srtp_cdev_sess_init_keys_rtcp(&eng, &s,
			DSBC_SRTP_SUITE_AEAD_AES_128_GCM, ke, NULL, salt, true,
			128), 0);
	s.srtcp_next = 0x5d4;
	m[0] = mbuf_with(pkt, 52, 14, 0);
	CU_ASSERT_EQUAL(run(&s, m, 14, 1, res), 1);
	CU_ASSERT_EQUAL(m[0]->data_len, 14 + 72);
	CU_ASSERT(memcmp(rte_pktmbuf_mtod_offset(m[0], uint8_t *, 14), want,
			 72) == 0);
	CU_ASSERT_EQUAL(s.srtcp_next, 0x5d5);
	rte_pktmbuf_free(m[0]);
	dsbc_srtp_cdev_sess_fini(&eng, &s);

	CU_ASSERT_EQUAL_FATAL(dsbc_srtp_cdev_sess_init_keys_rtcp(&eng, &s,
			DSBC_SRTP_SUITE_AEAD_AES_128_GCM, ke, NULL, salt, false,
			128), 0);
	want[40] ^= 1;
	m[0] = mbuf_with(want, 72, 0, 0);
	CU_ASSERT_EQUAL(run(&s, m, 0, 1, res), 0);
	CU_ASSERT_EQUAL(res[0], -EBADMSG);
	rte_pktmbuf_free(m[0]);
	want[40] ^= 1;
	/* the index is authenticated too (AAD) */
	want[71] ^= 1;
	m[0] = mbuf_with(want, 72, 0, 0);
	CU_ASSERT_EQUAL(run(&s, m, 0, 1, res), 0);
	CU_ASSERT_EQUAL(res[0], -EBADMSG);
	rte_pktmbuf_free(m[0]);
	want[71] ^= 1;
	m[0] = mbuf_with(want, 72, 0, 0);
	CU_ASSERT_EQUAL(run(&s, m, 0, 1, res), 1);
	CU_ASSERT_EQUAL(m[0]->data_len, 52);
	CU_ASSERT(memcmp(rte_pktmbuf_mtod(m[0], uint8_t *), pkt, 52) == 0);
	rte_pktmbuf_free(m[0]);
	m[0] = mbuf_with(want, 72, 0, 0);
	CU_ASSERT_EQUAL(run(&s, m, 0, 1, res), 0);
	CU_ASSERT_EQUAL(res[0], -EALREADY);
	rte_pktmbuf_free(m[0]);
	/* E clear: unencrypted SRTCP is never negotiated by dsbc */
	want[68] = 0x00;
	want[71] = 0xd5;
	m[0] = mbuf_with(want, 72, 0, 0);
	CU_ASSERT_EQUAL(run(&s, m, 0, 1, res), 0);
	CU_ASSERT_EQUAL(res[0], -EINVAL);
	rte_pktmbuf_free(m[0]);
	/* shorter than header, E || index and tag */
	m[0] = mbuf_with(want, 27, 0, 0);
	CU_ASSERT_EQUAL(run(&s, m, 0, 1, res), 0);
	CU_ASSERT_EQUAL(res[0], -EINVAL);
	rte_pktmbuf_free(m[0]);
	dsbc_srtp_cdev_sess_fini(&eng, &s);
}

/* A compound RTCP packet (RFC 3550 6.1): an SR and an SDES, seq-tagged. */
static size_t
rtcp_packet(uint8_t *p, uint32_t ssrc, uint8_t tag)
{
	static const uint8_t sr[] = {
		0x80, 0xc8, 0x00, 0x06, 0, 0, 0, 0,
		0xe0, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
		0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04,
		0x00, 0x00, 0x00, 0x05,
		0x81, 0xca, 0x00, 0x03, 0, 0, 0, 0,
		0x01, 0x04, 'd', 's', 'b', 'c', 0x00, 0x00,
	};

	memcpy(p, sr, sizeof(sr));
	p[4] = p[32] = (uint8_t)(ssrc >> 24);
	p[5] = p[33] = (uint8_t)(ssrc >> 16);
	p[6] = p[34] = (uint8_t)(ssrc >> 8);
	p[7] = p[35] = (uint8_t)ssrc;
	p[27] = tag;
	return sizeof(sr);
}

/*
 * SRTCP across engines, per suite: what libsrtp2 protects the device
 * unprotects, and the other way round (RFC 3711 3.4's layout and the
 * RTCP labels of the KDF; SRTCP's tag is 80 bits for HMAC-SHA1-32 too);
 * a replayed or tampered packet is refused; the device's indexes count
 * up from 0 with E set.
 */
static void
test_cdev_srtcp_cross_libsrtp2(void)
{
	unsigned int si, i;

	CU_ASSERT_EQUAL_FATAL(engine_up(), 0);
	for (si = 0; si < RTE_DIM(suites); si++) {
		enum dsbc_srtp_suite suite = suites[si];
		size_t tag = suite == DSBC_SRTP_SUITE_AEAD_AES_128_GCM ? 16 : 10;
		uint8_t key[16], salt[14], plain[64], pkt[128], copy[128];
		struct dsbc_srtp_cdev_sess ctx, crx;
		struct dsbc_srtp_lib *ltx, *lrx;
		struct rte_mbuf *m[4];
		int res[4];
		size_t len, plen;

		keys(key, salt, (uint8_t)(0x70 + si));
		ltx = dsbc_srtp_lib_new(suite, key, salt, true, 128);
		lrx = dsbc_srtp_lib_new(suite, key, salt, false, 128);
		CU_ASSERT_PTR_NOT_NULL_FATAL(ltx);
		CU_ASSERT_PTR_NOT_NULL_FATAL(lrx);
		CU_ASSERT_EQUAL_FATAL(dsbc_srtp_cdev_sess_init_rtcp(&eng, &ctx,
				suite, key, salt, true, 128), 0);
		CU_ASSERT_EQUAL_FATAL(dsbc_srtp_cdev_sess_init_rtcp(&eng, &crx,
				suite, key, salt, false, 128), 0);
		/* libsrtp2 -> cryptodev, three in one burst */
		for (i = 0; i < 3; i++) {
			plen = rtcp_packet(plain, 0x11223344, (uint8_t)i);
			memcpy(pkt, plain, plen);
			len = plen;
			CU_ASSERT_EQUAL(dsbc_srtp_lib_protect(ltx, pkt, &len,
					sizeof(pkt), true), 0);
			CU_ASSERT_EQUAL(len, plen + 4 + tag);
			if (i == 1)
				memcpy(copy, pkt, len);
			m[i] = mbuf_with(pkt, len, 42, 0);
		}
		CU_ASSERT_EQUAL(run(&crx, m, 42, 3, res), 3);
		for (i = 0; i < 3; i++) {
			plen = rtcp_packet(plain, 0x11223344, (uint8_t)i);
			CU_ASSERT_EQUAL(res[i], 0);
			CU_ASSERT_EQUAL(m[i]->data_len, 42 + plen);
			CU_ASSERT(memcmp(rte_pktmbuf_mtod_offset(m[i],
					 uint8_t *, 42), plain, plen) == 0);
			rte_pktmbuf_free(m[i]);
		}
		/* the second again, as sent and tampered: replays both, refused
		 * before any crypto (a fresh tampered one follows) */
		m[0] = mbuf_with(copy, plen + 4 + tag, 0, 0);
		copy[12] ^= 0x10;
		m[1] = mbuf_with(copy, plen + 4 + tag, 0, 0);
		CU_ASSERT_EQUAL(run(&crx, m, 0, 2, res), 0);
		CU_ASSERT_EQUAL(res[0], -EALREADY);
		CU_ASSERT_EQUAL(res[1], -EALREADY);
		rte_pktmbuf_free(m[0]);
		rte_pktmbuf_free(m[1]);
		plen = rtcp_packet(plain, 0x11223344, 9);
		memcpy(pkt, plain, plen);
		len = plen;
		CU_ASSERT_EQUAL(dsbc_srtp_lib_protect(ltx, pkt, &len,
				sizeof(pkt), true), 0);
		pkt[12] ^= 0x10;
		m[0] = mbuf_with(pkt, len, 0, 0);
		CU_ASSERT_EQUAL(run(&crx, m, 0, 1, res), 0);
		CU_ASSERT_EQUAL(res[0], -EBADMSG);
		rte_pktmbuf_free(m[0]);
		/* each sender SSRC has its own index (3.2.3): three more,
		 * each at libsrtp2's first index, all taken, the same packet
		 * twice in the burst only once; a fifth sender is refused */
		for (i = 0; i < 4; i++) {
			plen = rtcp_packet(plain, 0x0a000001 + i, 7);
			memcpy(pkt, plain, plen);
			len = plen;
			CU_ASSERT_EQUAL(dsbc_srtp_lib_protect(ltx, pkt, &len,
					sizeof(pkt), true), 0);
			m[i] = mbuf_with(pkt, len, 0, 0);
			if (i == 2)
				m[3] = mbuf_with(pkt, len, 0, 0);
			if (i == 2)
				break;
		}
		CU_ASSERT_EQUAL(run(&crx, m, 0, 4, res), 3);
		CU_ASSERT(res[0] == 0 && res[1] == 0 && res[2] == 0);
		CU_ASSERT_EQUAL(res[3], -EALREADY);
		for (i = 0; i < 4; i++)
			rte_pktmbuf_free(m[i]);
		CU_ASSERT_EQUAL(crx.nb_srtcp, 4);
		plen = rtcp_packet(plain, 0x0b000001, 7);
		memcpy(pkt, plain, plen);
		len = plen;
		CU_ASSERT_EQUAL(dsbc_srtp_lib_protect(ltx, pkt, &len,
				sizeof(pkt), true), 0);
		m[0] = mbuf_with(pkt, len, 0, 0);
		CU_ASSERT_EQUAL(run(&crx, m, 0, 1, res), 0);
		CU_ASSERT_EQUAL(res[0], -EUSERS);
		rte_pktmbuf_free(m[0]);
		/* E clear: refused before any crypto; too short likewise */
		plen = rtcp_packet(plain, 0x11223344, 10);
		memcpy(pkt, plain, plen);
		len = plen;
		CU_ASSERT_EQUAL(dsbc_srtp_lib_protect(ltx, pkt, &len,
				sizeof(pkt), true), 0);
		pkt[suite == DSBC_SRTP_SUITE_AEAD_AES_128_GCM ? len - 4 :
		    len - tag - 4] &= 0x7f;
		m[0] = mbuf_with(pkt, len, 0, 0);
		m[1] = mbuf_with(pkt, 8 + 4 + tag - 1, 0, 0);
		CU_ASSERT_EQUAL(run(&crx, m, 0, 2, res), 0);
		CU_ASSERT_EQUAL(res[0], -EINVAL);
		CU_ASSERT_EQUAL(res[1], -EINVAL);
		rte_pktmbuf_free(m[0]);
		rte_pktmbuf_free(m[1]);

		/* cryptodev -> libsrtp2 */
		for (i = 0; i < 3; i++) {
			plen = rtcp_packet(plain, 0x55667788, (uint8_t)(i + 3));
			m[i] = mbuf_with(plain, plen, 42, 0);
		}
		CU_ASSERT_EQUAL(run(&ctx, m, 42, 3, res), 3);
		for (i = 0; i < 3; i++) {
			const uint8_t *q;

			plen = rtcp_packet(plain, 0x55667788, (uint8_t)(i + 3));
			CU_ASSERT_EQUAL(res[i], 0);
			CU_ASSERT_EQUAL_FATAL(m[i]->data_len,
					      42 + plen + 4 + tag);
			q = rte_pktmbuf_mtod_offset(m[i], uint8_t *, 42);
			/* E set, index i (3.4): where the suite puts it */
			len = suite == DSBC_SRTP_SUITE_AEAD_AES_128_GCM ?
			      plen + tag : plen;
			CU_ASSERT(q[len] == 0x80 && q[len + 1] == 0 &&
				  q[len + 2] == 0 && q[len + 3] == i);
			/* the payload is encrypted, the header is not */
			CU_ASSERT(memcmp(q, plain, 8) == 0);
			CU_ASSERT(memcmp(q + 8, plain + 8, plen - 8) != 0);
			memcpy(pkt, q, plen + 4 + tag);
			len = plen + 4 + tag;
			CU_ASSERT_EQUAL(dsbc_srtp_lib_unprotect(lrx, pkt, &len,
								true), 0);
			CU_ASSERT_EQUAL(len, plen);
			CU_ASSERT(memcmp(pkt, plain, plen) == 0);
			rte_pktmbuf_free(m[i]);
		}
		CU_ASSERT_EQUAL(ctx.srtcp_next, 3);
		dsbc_srtp_cdev_sess_fini(&eng, &ctx);
		dsbc_srtp_cdev_sess_fini(&eng, &crx);
		dsbc_srtp_lib_free(ltx);
		dsbc_srtp_lib_free(lrx);
	}
}

/*
 * The SRTCP replay list of one sender (128 indexes, two words): indexes
 * sent by the device in the order below, each unprotected at once; the
 * window's moves by less than a word, by a word and more, and past its
 * end keep exactly the indexes it should.
 */
static void
test_cdev_srtcp_replay_window(void)
{
	/* expected from a plain model of 3.3.2 with a 128-index window */
	static const struct { uint32_t idx; int res; } steps[] = {
		{ 200, 0 }, { 100, 0 }, { 150, 0 }, { 150, -EALREADY },
		{ 73, 0 }, { 72, -EALREADY }, { 210, 0 }, { 100, -EALREADY },
		{ 83, 0 }, { 82, -EALREADY }, { 274, 0 }, { 210, -EALREADY },
		{ 150, -EALREADY }, { 200, -EALREADY }, { 339, 0 },
		{ 274, -EALREADY }, { 300, 0 }, { 212, 0 }, { 211, -EALREADY },
		{ 369, 0 }, { 300, -EALREADY }, { 600, 0 }, { 339, -EALREADY },
		{ 473, 0 }, { 599, 0 }, { 599, -EALREADY }, { 472, -EALREADY },
	};
	uint8_t key[16], salt[14], plain[64];
	struct dsbc_srtp_cdev_sess ctx, crx;
	struct rte_mbuf *m[1];
	unsigned int i;
	size_t plen;
	int res[1];

	CU_ASSERT_EQUAL_FATAL(engine_up(), 0);
	keys(key, salt, 0x33);
	CU_ASSERT_EQUAL_FATAL(dsbc_srtp_cdev_sess_init_rtcp(&eng, &ctx,
			DSBC_SRTP_SUITE_AEAD_AES_128_GCM, key, salt, true, 128), 0);
	CU_ASSERT_EQUAL_FATAL(dsbc_srtp_cdev_sess_init_rtcp(&eng, &crx,
			DSBC_SRTP_SUITE_AEAD_AES_128_GCM, key, salt, false, 128),
			0);
	for (i = 0; i < RTE_DIM(steps); i++) {
		plen = rtcp_packet(plain, 0x99, (uint8_t)i);
		ctx.srtcp_next = steps[i].idx;
		m[0] = mbuf_with(plain, plen, 0, 0);
		CU_ASSERT_EQUAL(run(&ctx, m, 0, 1, res), 1);
		CU_ASSERT_EQUAL(run(&crx, m, 0, 1, res), steps[i].res == 0);
		if (res[0] != steps[i].res)
			printf("\n  step %u: index %u: %d, want %d", i,
			       steps[i].idx, res[0], steps[i].res);
		CU_ASSERT_EQUAL(res[0], steps[i].res);
		rte_pktmbuf_free(m[0]);
	}
	dsbc_srtp_cdev_sess_fini(&eng, &ctx);
	dsbc_srtp_cdev_sess_fini(&eng, &crx);
}

/*
 * One burst, two flows each way, as the worker builds it: unprotect with
 * A's key and protect with B's interleaved with the other flow's; each
 * job keyed by its own session.
 */
static void
test_cdev_burst_of_sessions(void)
{
	enum dsbc_srtp_suite suite = DSBC_SRTP_SUITE_AES_CM_128_HMAC_SHA1_80;
	struct dsbc_srtp_cdev_sess rx1, tx2;
	struct dsbc_srtp_lib *l1, *l2;
	struct dsbc_srtp_cdev_job j[8];
	uint8_t k1[16], s1[14], k2[16], s2[14], pkt[128], plain[64];
	unsigned int i;

	CU_ASSERT_EQUAL_FATAL(engine_up(), 0);
	keys(k1, s1, 1);
	keys(k2, s2, 2);
	l1 = dsbc_srtp_lib_new(suite, k1, s1, true, 128);     /* peer of rx1 */
	l2 = dsbc_srtp_lib_new(suite, k2, s2, false, 128);    /* peer of tx2 */
	CU_ASSERT_EQUAL_FATAL(dsbc_srtp_cdev_sess_init(&eng, &rx1, suite, k1,
						       s1, false, 128), 0);
	CU_ASSERT_EQUAL_FATAL(dsbc_srtp_cdev_sess_init(&eng, &tx2, suite, k2,
						       s2, true, 128), 0);
	for (i = 0; i < 8; i++) {
		size_t len = rtp_packet(pkt, (uint16_t)(100 + i / 2));

		if (i % 2 == 0)
			CU_ASSERT_EQUAL(dsbc_srtp_lib_protect(l1, pkt, &len,
					sizeof(pkt), false), 0);
		j[i].m = mbuf_with(pkt, len, 0, 0);
		j[i].s = i % 2 == 0 ? &rx1 : &tx2;
		j[i].off = 0;
		j[i].len = (uint16_t)len;
	}
	CU_ASSERT_EQUAL(dsbc_srtp_cdev_run(&eng, j, 8), 8);
	for (i = 0; i < 8; i++) {
		size_t len = j[i].len;
		uint8_t *p = rte_pktmbuf_mtod(j[i].m, uint8_t *);

		rtp_packet(plain, (uint16_t)(100 + i / 2));
		CU_ASSERT_EQUAL(j[i].res, 0);
		if (i % 2 == 1)
			CU_ASSERT_EQUAL(dsbc_srtp_lib_unprotect(l2, p, &len,
								false), 0);
		CU_ASSERT(len == 28 && memcmp(p, plain, 28) == 0);
		rte_pktmbuf_free(j[i].m);
	}
	dsbc_srtp_cdev_sess_fini(&eng, &rx1);
	dsbc_srtp_cdev_sess_fini(&eng, &tx2);
	dsbc_srtp_lib_free(l1);
	dsbc_srtp_lib_free(l2);
}

/* An RTP packet with cc CSRCs and, when ext, a one-word header
 * extension, then 16 bytes of payload; returns its length. */
static size_t
rtp_packet_hdr(uint8_t *p, uint16_t seq, unsigned int cc, bool ext)
{
	size_t h = 12 + 4 * cc, i;

	rtp_packet(p, seq);
	p[0] = (uint8_t)(0x80 | (ext ? 0x10 : 0) | cc);
	for (i = 12; i < h; i++)
		p[i] = (uint8_t)i;                       /* CSRCs */
	if (ext) {
		static const uint8_t x[8] = { 0xbe, 0xde, 0, 1, 0x10, 0x7f,
					      0, 0 };

		memcpy(p + h, x, 8);
		h += 8;
	}
	memset(p + h, 0xab, 16);
	return h + 16;
}

/*
 * RFC 7714 8.2: the whole RTP header is the AAD.  A GCM session takes
 * headers of 12 to 32 bytes (one device session per length, one index
 * state): what it protects libsrtp2 unprotects, in one burst of mixed
 * lengths; a 36-byte header is not for it.
 */
static void
test_cdev_gcm_header_lengths(void)
{
	static const struct { unsigned int cc; bool ext; } hdr[] = {
		{ 0, false }, { 1, false }, { 0, true }, { 2, true },
		{ 5, false }, { 3, true },
	};
	enum dsbc_srtp_suite suite = DSBC_SRTP_SUITE_AEAD_AES_128_GCM;
	struct dsbc_srtp_cdev_sess s;
	struct dsbc_srtp_lib *lrx;
	struct rte_mbuf *m[8];
	uint8_t k[16], salt[14], plain[96];
	unsigned int i, n = RTE_DIM(hdr);
	int res[8];

	CU_ASSERT_EQUAL_FATAL(engine_up(), 0);
	keys(k, salt, 9);
	CU_ASSERT_EQUAL_FATAL(dsbc_srtp_cdev_sess_init(&eng, &s, suite, k, salt,
						       true, 128), 0);
	lrx = dsbc_srtp_lib_new(suite, k, salt, false, 128);
	CU_ASSERT_PTR_NOT_NULL_FATAL(lrx);
	for (i = 0; i < n; i++) {
		size_t len = rtp_packet_hdr(plain, (uint16_t)(500 + i),
					    hdr[i].cc, hdr[i].ext);

		CU_ASSERT(dsbc_srtp_cdev_fits(&s, plain, (uint32_t)len));
		m[i] = mbuf_with(plain, len, 0, 0);
	}
	CU_ASSERT_EQUAL(run(&s, m, 0, n, res), n);
	for (i = 0; i < n; i++) {
		size_t want = rtp_packet_hdr(plain, (uint16_t)(500 + i),
					     hdr[i].cc, hdr[i].ext);
		size_t len = m[i]->data_len;

		CU_ASSERT_EQUAL(res[i], 0);
		CU_ASSERT_EQUAL(len, want + 16);
		CU_ASSERT_EQUAL(dsbc_srtp_lib_unprotect(lrx,
				rte_pktmbuf_mtod(m[i], uint8_t *), &len,
				false), 0);
		CU_ASSERT(len == want && memcmp(rte_pktmbuf_mtod(m[i],
						uint8_t *), plain, want) == 0);
		rte_pktmbuf_free(m[i]);
	}
	/* 12 + 4 x 4 CSRCs + 8 of extension = 36 bytes: too long */
	rtp_packet_hdr(plain, 600, 4, true);
	CU_ASSERT(!dsbc_srtp_cdev_fits(&s, plain, 36 + 16));
	m[0] = mbuf_with(plain, 36 + 16, 0, 0);
	CU_ASSERT_EQUAL(run(&s, m, 0, 1, res), 0);
	CU_ASSERT_EQUAL(res[0], -EINVAL);
	rte_pktmbuf_free(m[0]);
	dsbc_srtp_cdev_sess_fini(&eng, &s);
	dsbc_srtp_lib_free(lrx);
	/* SRTCP and unknown suites are not the engine's */
	CU_ASSERT_EQUAL(dsbc_srtp_cdev_sess_init(&eng, &s, DSBC_SRTP_SUITE_MAX,
						 k, salt, true, 128), -ENOTSUP);
}

/*
 * RFC 3711 3.3.1: every packet's index is estimated from the highest
 * authenticated one (ROC 0 before the first), so a forged packet leaping
 * ahead in a burst moves nothing: the authentic ones after it still
 * decrypt, on a session already started and on a fresh one.
 */
static void
test_cdev_forged_leap_in_burst(void)
{
	enum dsbc_srtp_suite suite = DSBC_SRTP_SUITE_AES_CM_128_HMAC_SHA1_80;
	/* started at 100: forged 40100, then 101; fresh: forged 65000,
	 * then 200, 201 */
	static const uint16_t seqs[] = { 100, 40100, 101, 65000, 200, 201 };
	struct dsbc_srtp_cdev_sess crx, fresh;
	struct dsbc_srtp_lib *ltx;
	struct rte_mbuf *m[6];
	uint8_t k[16], salt[14], pkt[96];
	unsigned int i;
	int res[6];

	CU_ASSERT_EQUAL_FATAL(engine_up(), 0);
	keys(k, salt, 11);
	ltx = dsbc_srtp_lib_new(suite, k, salt, true, 128);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ltx);
	CU_ASSERT_EQUAL_FATAL(dsbc_srtp_cdev_sess_init(&eng, &crx, suite, k,
						       salt, false, 128), 0);
	CU_ASSERT_EQUAL_FATAL(dsbc_srtp_cdev_sess_init(&eng, &fresh, suite, k,
						       salt, false, 128), 0);
	for (i = 0; i < RTE_DIM(seqs); i++) {
		size_t len = rtp_packet(pkt, seqs[i]);

		if (i != 1 && i != 3) {
			CU_ASSERT_EQUAL(dsbc_srtp_lib_protect(ltx, pkt, &len,
					sizeof(pkt), false), 0);
		} else {
			len += 10;                  /* a made-up tag */
		}
		m[i] = mbuf_with(pkt, len, 0, 0);
	}
	CU_ASSERT_EQUAL(run(&crx, m, 0, 1, res), 1);
	CU_ASSERT_EQUAL(run(&crx, &m[1], 0, 2, &res[1]), 1);
	CU_ASSERT_EQUAL(res[1], -EBADMSG);
	CU_ASSERT_EQUAL(res[2], 0);
	CU_ASSERT_EQUAL(run(&fresh, &m[3], 0, 3, &res[3]), 2);
	CU_ASSERT_EQUAL(res[3], -EBADMSG);
	CU_ASSERT_EQUAL(res[4], 0);
	CU_ASSERT_EQUAL(res[5], 0);
	for (i = 0; i < RTE_DIM(seqs); i++)
		rte_pktmbuf_free(m[i]);
	dsbc_srtp_cdev_sess_fini(&eng, &crx);
	dsbc_srtp_cdev_sess_fini(&eng, &fresh);
	dsbc_srtp_lib_free(ltx);
}

static int
suite_clean(void)
{
	if (eng_up) {
		dsbc_srtp_cdev_fini(&eng);
		rte_mempool_free(pool);
		eng_up = false;
	}
	return 0;
}

int
unit_register(void)
{
	CU_pSuite s = CU_add_suite("srtp_cdev", NULL, suite_clean);

	if (s == NULL)
		return -1;
	UNIT_ADD(s, test_cdev_rfc_vectors);
	UNIT_ADD(s, test_cdev_protect_matches_rfc);
	UNIT_ADD(s, test_cdev_cross_libsrtp2);
	UNIT_ADD(s, test_cdev_srtcp_rfc7714);
	UNIT_ADD(s, test_cdev_srtcp_cross_libsrtp2);
	UNIT_ADD(s, test_cdev_srtcp_replay_window);
	UNIT_ADD(s, test_cdev_burst_of_sessions);
	UNIT_ADD(s, test_cdev_gcm_header_lengths);
	UNIT_ADD(s, test_cdev_forged_leap_in_burst);
	return 0;
}
