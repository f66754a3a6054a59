/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 7983 first-byte demux and RFC 5761 RTP/RTCP split, every byte value
 * checked against ranges written out here from the RFC text.
 */
#include <string.h>

#include <CUnit/CUnit.h>

#include <rte_common.h>

#include "dsbc_demux.h"
#include "unit.h"

const bool unit_needs_eal = false;

/* RFC 7983 section 7, independently of the library's table. */
static enum dsbc_demux_class
expected(unsigned int b)
{
	if (b <= 3)
		return DSBC_DEMUX_STUN;
	if (b >= 16 && b <= 19)
		return DSBC_DEMUX_ZRTP;
	if (b >= 20 && b <= 63)
		return DSBC_DEMUX_DTLS;
	if (b >= 64 && b <= 79)
		return DSBC_DEMUX_TURN;
	if (b >= 128 && b <= 191)
		return DSBC_DEMUX_RTP;
	return DSBC_DEMUX_UNKNOWN;
}

static void
test_every_first_byte(void)
{
	uint8_t p[2] = {0, 0};
	unsigned int b, wrong = 0;

	for (b = 0; b < 256; b++) {
		p[0] = (uint8_t)b;
		/* Second byte 0: RTP payload type 0, not RTCP. */
		if (dsbc_demux_classify(p, 2) != expected(b))
			wrong++;
		if (dsbc_demux_first_byte[b] != expected(b))
			wrong++;
	}
	CU_ASSERT_EQUAL(wrong, 0);
}

static void
test_boundaries(void)
{
	static const struct {
		uint8_t b;
		enum dsbc_demux_class c;
	} edges[] = {
		{3, DSBC_DEMUX_STUN}, {4, DSBC_DEMUX_UNKNOWN},
		{15, DSBC_DEMUX_UNKNOWN}, {16, DSBC_DEMUX_ZRTP},
		{19, DSBC_DEMUX_ZRTP}, {20, DSBC_DEMUX_DTLS},
		{63, DSBC_DEMUX_DTLS}, {64, DSBC_DEMUX_TURN},
		{79, DSBC_DEMUX_TURN}, {80, DSBC_DEMUX_UNKNOWN},
		{127, DSBC_DEMUX_UNKNOWN}, {128, DSBC_DEMUX_RTP},
		{191, DSBC_DEMUX_RTP}, {192, DSBC_DEMUX_UNKNOWN},
		{255, DSBC_DEMUX_UNKNOWN},
	};
	uint8_t p[2];
	unsigned int i;

	for (i = 0; i < RTE_DIM(edges); i++) {
		p[0] = edges[i].b;
		p[1] = 0x60;
		CU_ASSERT_EQUAL(dsbc_demux_classify(p, 2), edges[i].c);
	}
}

/* RFC 5761 section 4: RTCP packet types 192..223 in the second byte. */
static void
test_rtp_rtcp_split(void)
{
	uint8_t p[2] = {0x80, 0};
	unsigned int s;

	for (s = 0; s < 256; s++) {
		p[1] = (uint8_t)s;
		CU_ASSERT_EQUAL(dsbc_demux_classify(p, 2),
				(s >= 192 && s <= 223) ? DSBC_DEMUX_RTCP :
				DSBC_DEMUX_RTP);
	}
	/* SR 200, RR 201, APP 204; RTP PT 0 with marker (0x80), PT 96 with
	 * marker (0xe0 = 224): RTP. */
	p[1] = 200;
	CU_ASSERT_EQUAL(dsbc_demux_classify(p, 2), DSBC_DEMUX_RTCP);
	p[1] = 0x80;
	CU_ASSERT_EQUAL(dsbc_demux_classify(p, 2), DSBC_DEMUX_RTP);
	p[1] = 0xe0;
	CU_ASSERT_EQUAL(dsbc_demux_classify(p, 2), DSBC_DEMUX_RTP);
	p[1] = 191;
	CU_ASSERT_EQUAL(dsbc_demux_classify(p, 2), DSBC_DEMUX_RTP);
	p[1] = 223;
	CU_ASSERT_EQUAL(dsbc_demux_classify(p, 2), DSBC_DEMUX_RTCP);
}

static void
test_short_payloads(void)
{
	uint8_t p[1] = {0x80};

	CU_ASSERT_EQUAL(dsbc_demux_classify(p, 0), DSBC_DEMUX_UNKNOWN);
	/* A single byte cannot be split: it stays RTP (relay forwards it). */
	CU_ASSERT_EQUAL(dsbc_demux_classify(p, 1), DSBC_DEMUX_RTP);
	p[0] = 22;
	CU_ASSERT_EQUAL(dsbc_demux_classify(p, 1), DSBC_DEMUX_DTLS);
}

static void
test_names(void)
{
	static const char *const want[DSBC_DEMUX_MAX] = {
		"unknown", "stun", "zrtp", "dtls", "turn_channel", "rtp", "rtcp",
	};
	unsigned int c;

	for (c = 0; c < DSBC_DEMUX_MAX; c++)
		CU_ASSERT_STRING_EQUAL(dsbc_demux_name(c), want[c]);
}

int
unit_register(void)
{
	CU_pSuite s = CU_add_suite("demux", NULL, NULL);

	if (s == NULL)
		return -1;
	UNIT_ADD(s, test_every_first_byte);
	UNIT_ADD(s, test_boundaries);
	UNIT_ADD(s, test_rtp_rtcp_split);
	UNIT_ADD(s, test_short_payloads);
	UNIT_ADD(s, test_names);
	return 0;
}
