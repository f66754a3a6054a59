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

#include "dsbc_srtp_cdev.h"
#include "srtp_expect.h"
#include "unit.h"

const bool unit_needs_eal = true;

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
	CU_ASSERT_EQUAL_FATAL(dsbc_srtp_cdev_init(&e, (uint8_t)dev, 16,
						  SOCKET_ID_ANY), 0);
	hex("E1F97A0D3E018BE0D64FA32C06DE4139", mk, 16);
	hex("0EC675AD498AFEEBB6960B3AABE6", ms, 14);
	CU_ASSERT_EQUAL_FATAL(dsbc_srtp_cdev_sess_init(&e, &s, mk, ms), 0);
	for (i = 0; i < n; i++) {
		m[i] = rte_pktmbuf_alloc(pool);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m[i]);
		rte_pktmbuf_append(m[i], (uint16_t)rtp_packet(
			rte_pktmbuf_mtod(m[i], uint8_t *), seqs[i]));
	}
	CU_ASSERT_EQUAL(dsbc_srtp_cdev_protect(&e, &s, m, (uint16_t)n), n);
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
	CU_ASSERT_EQUAL(dsbc_srtp_cdev_protect(&e, &s, m, 1), 0);
	rte_pktmbuf_free(m[0]);
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
