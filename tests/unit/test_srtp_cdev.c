/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cryptodev SRTP engine on the crypto_aesni_mb vdev: what it
 * protects equals RFC 3711 computed independently (srtp_expect.h),
 * across a ROC rollover, in one burst; packets without tailroom are left
 * alone.
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

/*
 * Issue 5's cross-test: what libsrtp2 protects, cryptodev unprotects,
 * and the other way round; a tampered packet fails, a replay is refused,
 * across a ROC rollover.
 */
static void
cross_engines(struct dsbc_srtp_cdev *e, struct rte_mempool *pool)
{
	static const uint16_t seqs[] = { 65533, 65534, 65535, 0, 1, 2 };
	uint8_t key[16], salt[14], plain[64];
	struct dsbc_srtp_cdev_sess ctx, crx;
	struct dsbc_srtp_lib *ltx, *lrx;
	struct rte_mbuf *m[8];
	unsigned int i, n = RTE_DIM(seqs);
	int ok[8];

	for (i = 0; i < 16; i++)
		key[i] = (uint8_t)(0x40 + i);
	for (i = 0; i < 14; i++)
		salt[i] = (uint8_t)(0x90 + i);
	ltx = dsbc_srtp_lib_new(DSBC_SRTP_SUITE_AES_CM_128_HMAC_SHA1_80, key,
				salt, true, 128);
	lrx = dsbc_srtp_lib_new(DSBC_SRTP_SUITE_AES_CM_128_HMAC_SHA1_80, key,
				salt, false, 128);
	CU_ASSERT_EQUAL_FATAL(dsbc_srtp_cdev_sess_init(e, &ctx, key, salt, true,
						       128), 0);
	CU_ASSERT_EQUAL_FATAL(dsbc_srtp_cdev_sess_init(e, &crx, key, salt,
						       false, 128), 0);
	/* libsrtp2 -> cryptodev */
	for (i = 0; i < n; i++) {
		size_t len = rtp_packet(plain, seqs[i]);

		m[i] = rte_pktmbuf_alloc(pool);
		memcpy(rte_pktmbuf_mtod(m[i], uint8_t *), plain, len);
		CU_ASSERT_EQUAL(dsbc_srtp_lib_protect(ltx,
				rte_pktmbuf_mtod(m[i], uint8_t *), &len, 64,
				false), 0);
		rte_pktmbuf_append(m[i], (uint16_t)len);
	}
	rte_pktmbuf_mtod(m[2], uint8_t *)[20] ^= 1;          /* tamper */
	CU_ASSERT_EQUAL(dsbc_srtp_cdev_unprotect(e, &crx, m, (uint16_t)n, ok),
			n - 1);
	for (i = 0; i < n; i++) {
		rtp_packet(plain, seqs[i]);
		if (i == 2) {
			CU_ASSERT_EQUAL(ok[i], -EBADMSG);
			continue;
		}
		CU_ASSERT_EQUAL(ok[i], 0);
		CU_ASSERT_EQUAL(m[i]->data_len, 28);
		CU_ASSERT(memcmp(rte_pktmbuf_mtod(m[i], uint8_t *), plain,
				 28) == 0);
	}
	/* the same packet again: replayed */
	CU_ASSERT_EQUAL(dsbc_srtp_cdev_unprotect(e, &crx, &m[0], 1, ok), 0);
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(m[i]);
	/* cryptodev -> libsrtp2 */
	for (i = 0; i < n; i++) {
		m[i] = rte_pktmbuf_alloc(pool);
		rte_pktmbuf_append(m[i], (uint16_t)rtp_packet(
			rte_pktmbuf_mtod(m[i], uint8_t *), seqs[i]));
	}
	CU_ASSERT_EQUAL(dsbc_srtp_cdev_protect(e, &ctx, m, (uint16_t)n, NULL), n);
	for (i = 0; i < n; i++) {
		size_t len = m[i]->data_len;

		CU_ASSERT_EQUAL(dsbc_srtp_lib_unprotect(lrx,
				rte_pktmbuf_mtod(m[i], uint8_t *), &len, false),
				0);
		rtp_packet(plain, seqs[i]);
		CU_ASSERT(len == 28 && memcmp(rte_pktmbuf_mtod(m[i], uint8_t *),
					      plain, 28) == 0);
		rte_pktmbuf_free(m[i]);
	}
	dsbc_srtp_lib_free(ltx);
	dsbc_srtp_lib_free(lrx);
}

static void
test_cdev_protect_matches_rfc(void)
{
	static const uint16_t seqs[] = { 0x1234, 65534, 65535, 0, 1 };
	struct rte_mbuf *m[8];
	struct rte_mempool *pool;
	struct dsbc_srtp_cdev e;
	struct dsbc_srtp_cdev_sess s;
	uint8_t mk[16], ms[14], want[64];
	uint32_t roc = 0;
	unsigned int i, n = RTE_DIM(seqs);
	int dev;

	if (rte_vdev_init("crypto_aesni_mb0", NULL) != 0) {
		CU_FAIL("crypto_aesni_mb vdev not available");
		return;
	}
	dev = rte_cryptodev_get_dev_id("crypto_aesni_mb0");
	CU_ASSERT_FATAL(dev >= 0);
	pool = rte_pktmbuf_pool_create("srtp_cdev_mb", 255, 0, 0, 2048,
				       SOCKET_ID_ANY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pool);
	CU_ASSERT_EQUAL_FATAL(dsbc_srtp_cdev_init(&e, (uint8_t)dev, 1, 16,
						  SOCKET_ID_ANY), 0);
	hex("E1F97A0D3E018BE0D64FA32C06DE4139", mk, 16);
	hex("0EC675AD498AFEEBB6960B3AABE6", ms, 14);
	CU_ASSERT_EQUAL_FATAL(dsbc_srtp_cdev_sess_init(&e, &s, mk, ms, true,
						       128), 0);
	for (i = 0; i < n; i++) {
		m[i] = rte_pktmbuf_alloc(pool);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m[i]);
		rte_pktmbuf_append(m[i], (uint16_t)rtp_packet(
			rte_pktmbuf_mtod(m[i], uint8_t *), seqs[i]));
	}
	CU_ASSERT_EQUAL(dsbc_srtp_cdev_protect(&e, &s, m, (uint16_t)n, NULL), n);
	for (i = 0; i < n; i++) {
		uint8_t plain[64];

		if (i > 0 && seqs[i] < seqs[i - 1] && seqs[i - 1] > 60000)
			roc++;
		rtp_packet(plain, seqs[i]);
		expected_srtp(mk, ms, roc, plain, 28, want);
		CU_ASSERT_EQUAL(m[i]->data_len, 28 + 10);
		CU_ASSERT(memcmp(rte_pktmbuf_mtod(m[i], uint8_t *), want,
				 38) == 0);
		rte_pktmbuf_free(m[i]);
	}
	/* no room for ROC and tag: untouched */
	m[0] = rte_pktmbuf_alloc(pool);
	rtp_packet(rte_pktmbuf_mtod(m[0], uint8_t *), 2);
	rte_pktmbuf_append(m[0], (uint16_t)(rte_pktmbuf_tailroom(m[0])));
	CU_ASSERT_EQUAL(dsbc_srtp_cdev_protect(&e, &s, m, 1, NULL), 0);
	rte_pktmbuf_free(m[0]);
	/* an index it encrypted already (the last sequence number above,
	 * after the rollover): refused, one keystream is never used twice */
	{
		int res = 0;

		m[0] = rte_pktmbuf_alloc(pool);
		rte_pktmbuf_append(m[0], 28);
		rtp_packet(rte_pktmbuf_mtod(m[0], uint8_t *),
			   seqs[RTE_DIM(seqs) - 1]);
		CU_ASSERT_EQUAL(dsbc_srtp_cdev_protect(&e, &s, m, 1, &res), 0);
		CU_ASSERT_EQUAL(res, -EALREADY);
		CU_ASSERT_EQUAL(m[0]->data_len, 28);
		rte_pktmbuf_free(m[0]);
	}
	cross_engines(&e, pool);
	dsbc_srtp_cdev_fini(&e);
	rte_mempool_free(pool);
}

int
unit_register(void)
{
	CU_pSuite s = CU_add_suite("srtp_cdev", NULL, NULL);

	if (s == NULL)
		return -1;
	UNIT_ADD(s, test_cdev_protect_matches_rfc);
	return 0;
}
