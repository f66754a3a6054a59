/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RTP/RTCP header views and RFC 3550 appendix A statistics: probation,
 * loss over gaps and a sequence wrap, leaps (play-out attack) and their
 * resync, jitter on constant and alternating transit times.
 */
#include <string.h>

#include <CUnit/CUnit.h>

#include "dsbc_rtp.h"
#include "unit.h"

const bool unit_needs_eal = false;

static void
test_parse(void)
{
	uint8_t p[40] = { 0x80, 0x80 | 111, 0x12, 0x34, 0, 0, 0x01, 0x40,
			  0xde, 0xad, 0xbe, 0xef };
	struct dsbc_rtp_view v;
	uint32_t ssrc;
	uint8_t pt;

	CU_ASSERT_EQUAL(dsbc_rtp_parse(p, 12, &v), 0);
	CU_ASSERT(v.marker);
	CU_ASSERT_EQUAL(v.pt, 111);
	CU_ASSERT_EQUAL(v.seq, 0x1234);
	CU_ASSERT_EQUAL(v.ts, 320);
	CU_ASSERT_EQUAL(v.ssrc, 0xdeadbeef);
	CU_ASSERT_EQUAL(dsbc_rtp_parse(p, 11, &v), -1);
	p[0] = 0x82;                     /* two CSRCs: 20 bytes */
	CU_ASSERT_EQUAL(dsbc_rtp_parse(p, 19, &v), -1);
	CU_ASSERT_EQUAL(dsbc_rtp_parse(p, 20, &v), 0);
	p[0] = 0x90;                     /* extension of 2 words */
	p[12] = 0xbe; p[13] = 0xde; p[14] = 0; p[15] = 2;
	CU_ASSERT_EQUAL(dsbc_rtp_parse(p, 23, &v), -1);
	CU_ASSERT_EQUAL(dsbc_rtp_parse(p, 24, &v), 0);
	p[0] = 0x40;                     /* version 1 */
	CU_ASSERT_EQUAL(dsbc_rtp_parse(p, 24, &v), -1);
	p[0] = 0x81; p[1] = DSBC_RTCP_BYE;
	CU_ASSERT_EQUAL(dsbc_rtcp_parse(p, 8, &pt, &ssrc), 0);
	CU_ASSERT_EQUAL(pt, DSBC_RTCP_BYE);
	CU_ASSERT_EQUAL(ssrc, 0x00000140);
	CU_ASSERT_EQUAL(dsbc_rtcp_parse(p, 7, &pt, &ssrc), -1);
}

static void
test_loss_and_wrap(void)
{
	struct dsbc_rtp_src s;
	uint32_t i, sent = 0;
	uint16_t seq = 65000;

	dsbc_rtp_src_init(&s, 1, seq);
	/* 1000 packets across the wrap, every 10th lost */
	for (i = 0; i < 1000; i++, seq++) {
		if (i % 10 == 5)
			continue;
		sent++;
		dsbc_rtp_src_update(&s, seq, 3000);
	}
	/* the first packet is spent in probation (A.1: MIN_SEQUENTIAL) */
	CU_ASSERT_EQUAL(s.received, sent - 1);
	CU_ASSERT_EQUAL(dsbc_rtp_src_expected(&s), 999);
	CU_ASSERT_EQUAL(dsbc_rtp_src_lost(&s), 100);
	CU_ASSERT_EQUAL(s.cycles, 65536);
	CU_ASSERT_EQUAL(dsbc_rtp_src_ext_max(&s), 65536u + (uint16_t)(seq - 1));
	/* a duplicate is counted, not a loss gain */
	CU_ASSERT_EQUAL(dsbc_rtp_src_update(&s, (uint16_t)(seq - 3), 3000),
			DSBC_RTP_SEQ_OK);
}

static void
test_leap(void)
{
	struct dsbc_rtp_src s;
	uint16_t i;

	dsbc_rtp_src_init(&s, 7, 100);
	for (i = 100; i < 110; i++)
		dsbc_rtp_src_update(&s, i, 3000);
	/* an injected packet far ahead (play-out attack) */
	CU_ASSERT_EQUAL(dsbc_rtp_src_update(&s, 30000, 3000), DSBC_RTP_SEQ_JUMP);
	CU_ASSERT_EQUAL(s.jumps, 1);
	CU_ASSERT_EQUAL(s.max_seq, 109);
	/* the real stream goes on unharmed */
	CU_ASSERT_EQUAL(dsbc_rtp_src_update(&s, 110, 3000), DSBC_RTP_SEQ_OK);
	/* a window of 50 makes a leap of 60 a jump */
	CU_ASSERT_EQUAL(dsbc_rtp_src_update(&s, 170, 50), DSBC_RTP_SEQ_JUMP);
	/* two in sequence after a leap: the sender restarted (A.1) */
	CU_ASSERT_EQUAL(dsbc_rtp_src_update(&s, 171, 50), DSBC_RTP_SEQ_RESYNC);
	CU_ASSERT_EQUAL(s.base_seq, 171);
}

static void
test_jitter(void)
{
	struct dsbc_rtp_src s;
	uint32_t i;

	/* constant transit: no jitter */
	dsbc_rtp_src_init(&s, 1, 0);
	for (i = 0; i < 100; i++)
		dsbc_rtp_src_jitter(&s, 1000 + i * 160, i * 160);
	CU_ASSERT_EQUAL(s.jitter, 0);
	/* transit alternating by 80 units: J converges to 80 (x16) */
	dsbc_rtp_src_init(&s, 1, 0);
	for (i = 0; i < 400; i++)
		dsbc_rtp_src_jitter(&s, 1000 + i * 160 + (i & 1) * 80, i * 160);
	CU_ASSERT(s.jitter >> 4 >= 78 && s.jitter >> 4 <= 80);
	/* timestamps a peer put 2^31 apart (|D| = 2^31: the one difference
	 * with no positive int32_t): counted, no undefined behaviour
	 * (UBSan stops the run in make test's sanitizer stage) */
	dsbc_rtp_src_init(&s, 1, 0);
	dsbc_rtp_src_jitter(&s, 1000, 0);
	dsbc_rtp_src_jitter(&s, 1000, 0x80000000u);
	CU_ASSERT_EQUAL(s.jitter, 0x80000000u);
	dsbc_rtp_src_jitter(&s, 1000, 0);
	CU_ASSERT(s.jitter > 0x80000000u);
}

/* The E-model estimate: a clean G.711 stream scores about 4.4, loss and
 * jitter lower it monotonically, and it stays within 1..4.5. */
static void
test_mos(void)
{
	uint32_t clean = dsbc_rtp_mos_x100(0, 0);
	uint32_t prev = clean, loss;

	CU_ASSERT(clean >= 435 && clean <= 445);
	/* 1 % random loss with concealment: Ie_eff 3.6, R 89.1, 4.32 */
	CU_ASSERT(dsbc_rtp_mos_x100(10000, 0) >= 428 &&
		  dsbc_rtp_mos_x100(10000, 0) <= 435);
	/* 5 %: R 76.9, 3.90 */
	CU_ASSERT(dsbc_rtp_mos_x100(50000, 0) >= 385 &&
		  dsbc_rtp_mos_x100(50000, 0) <= 395);
	for (loss = 5000; loss <= 1000000; loss += 5000) {
		uint32_t m = dsbc_rtp_mos_x100(loss, 0);

		CU_ASSERT(m <= prev);
		CU_ASSERT(m >= 100);
		prev = m;
	}
	CU_ASSERT(dsbc_rtp_mos_x100(1000000, 0) < 200);
	/* 100 ms of jitter: 220 ms of delay, past G.107's knee */
	CU_ASSERT(dsbc_rtp_mos_x100(0, 100000) < clean);
	CU_ASSERT(dsbc_rtp_mos_x100(0, 100000) > dsbc_rtp_mos_x100(0, 400000));
	CU_ASSERT(dsbc_rtp_mos_x100(UINT32_MAX, UINT32_MAX) == 100);
}

int
unit_register(void)
{
	CU_pSuite s = CU_add_suite("rtp", NULL, NULL);

	if (s == NULL)
		return -1;
	UNIT_ADD(s, test_parse);
	UNIT_ADD(s, test_loss_and_wrap);
	UNIT_ADD(s, test_leap);
	UNIT_ADD(s, test_jitter);
	UNIT_ADD(s, test_mos);
	return 0;
}
