/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/overload: a datagram's kind from its first bytes, per-source
 * budgets with bans, the trusted-peer filter.  No EAL, time passed in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "dsbc_known.h"
#include "dsbc_sip_class.h"
#include "dsbc_src_guard.h"
#include "unit.h"

const bool unit_needs_eal = false;

static enum dsbc_sip_kind
kind(const char *s)
{
	return dsbc_sip_kind((const uint8_t *)s, (uint32_t)strlen(s));
}

static void
test_kinds(void)
{
	static const uint8_t bin[] = { 0x00, 0x01, 0x00, 0x08, 0x21, 0x12 };
	char big[3000];
	size_t n;

	CU_ASSERT_EQUAL(kind("SIP/2.0 200 OK\r\nVia: x\r\n\r\n"),
			DSBC_SIP_KIND_RESPONSE);
	CU_ASSERT_EQUAL(kind("SIP/2.0 20 OK\r\n"), DSBC_SIP_KIND_GARBAGE);
	CU_ASSERT_EQUAL(kind("SIP/2.0 700 X\r\n"), DSBC_SIP_KIND_GARBAGE);
	CU_ASSERT_EQUAL(kind("INVITE sip:b@x SIP/2.0\r\nTo: <sip:b@x>\r\n"
			     "From: <sip:a@x>;tag=1\r\n\r\n"),
			DSBC_SIP_KIND_NEW);
	CU_ASSERT_EQUAL(kind("INVITE sip:b@x SIP/2.0\r\nTo: <sip:b@x>;tag=9\r\n"
			     "\r\n"), DSBC_SIP_KIND_IN_DIALOG);
	/* compact form, LWS around the parameter, mixed case */
	CU_ASSERT_EQUAL(kind("BYE sip:b@x SIP/2.0\r\nt: <sip:b@x> ; TAG = 9\r\n"
			     "\r\n"), DSBC_SIP_KIND_IN_DIALOG);
	/* the tag on a continuation line of To */
	CU_ASSERT_EQUAL(kind("ACK sip:b@x SIP/2.0\r\nTO: <sip:b@x>\r\n ;tag=9\r\n"
			     "\r\n"), DSBC_SIP_KIND_IN_DIALOG);
	/* a tag in From or in the body, or a header merely starting with
	 * To, is not a To tag */
	CU_ASSERT_EQUAL(kind("BYE sip:b@x SIP/2.0\r\nFrom: <sip:a@x>;tag=1\r\n"
			     "Topic: x;tag=2\r\nTo: <sip:b@x>\r\n\r\n"
			     "To: x;tag=3\r\n"), DSBC_SIP_KIND_NEW);
	CU_ASSERT_EQUAL(kind("REGISTER sip:x SIP/2.0\r\nTo: <sip:a@x>\r\n\r\n"),
			DSBC_SIP_KIND_REGISTER);
	CU_ASSERT_EQUAL(kind("OPTIONS sip:x SIP/2.0\r\n\r\n"), DSBC_SIP_KIND_NEW);
	/* an extension method is a request (the B2BUA answers 501) */
	CU_ASSERT_EQUAL(kind("FOO.BAR sip:x SIP/2.0\r\n\r\n"), DSBC_SIP_KIND_NEW);
	CU_ASSERT_EQUAL(kind("\r\n\r\n"), DSBC_SIP_KIND_GARBAGE);
	CU_ASSERT_EQUAL(kind("INVITE  sip:x SIP/2.0\r\n"), DSBC_SIP_KIND_GARBAGE);
	CU_ASSERT_EQUAL(kind("INVITE"), DSBC_SIP_KIND_GARBAGE);
	CU_ASSERT_EQUAL(kind("INVITE "), DSBC_SIP_KIND_GARBAGE);
	CU_ASSERT_EQUAL(kind(""), DSBC_SIP_KIND_GARBAGE);
	CU_ASSERT_EQUAL(dsbc_sip_kind(bin, sizeof(bin)), DSBC_SIP_KIND_GARBAGE);
	/* a method token longer than any registered one */
	memset(big, 'A', 40);
	strcpy(big + 40, " sip:x SIP/2.0\r\n\r\n");
	CU_ASSERT_EQUAL(kind(big), DSBC_SIP_KIND_GARBAGE);
	/* a To line cut at the end of the datagram, no blank line */
	CU_ASSERT_EQUAL(kind("BYE sip:b@x SIP/2.0\r\nTo: <sip:b@x>;ta"),
			DSBC_SIP_KIND_NEW);
	CU_ASSERT_EQUAL(kind("BYE sip:b@x SIP/2.0\r\nTo: <sip:b@x>;tag"),
			DSBC_SIP_KIND_NEW);
	CU_ASSERT_EQUAL(kind("BYE sip:b@x SIP/2.0\r\nT"), DSBC_SIP_KIND_NEW);
	/* the To after many headers is still found */
	n = (size_t)snprintf(big, sizeof(big), "BYE sip:b@x SIP/2.0\r\n");
	while (n < 2500)
		n += (size_t)snprintf(big + n, sizeof(big) - n,
				      "X-Pad: 0123456789\r\n");
	snprintf(big + n, sizeof(big) - n, "To: <sip:b@x>;tag=1\r\n\r\n");
	CU_ASSERT_EQUAL(kind(big), DSBC_SIP_KIND_IN_DIALOG);
}

static struct dsbc_addr
v4(uint32_t x)
{
	struct dsbc_addr a;

	memset(&a, 0, sizeof(a));
	a.v4 = x;
	return a;
}

static void
test_src_guard(void)
{
	/* 10 messages per 1000 ticks, a burst of 5, banned after 20 over
	 * budget within 1000 ticks, for 5000 */
	struct dsbc_src_guard_cfg c = {
		.interval = 100, .tolerance = 500, .strikes = 20,
		.window = 1000, .ban = 5000,
	};
	void *mem = malloc(dsbc_src_guard_size(1024));
	struct dsbc_src_guard *g;
	struct dsbc_addr a = v4(0x0a000001), o = v4(0x0a000002);
	unsigned int pass = 0, limited = 0, banned = 0, i;
	uint64_t t = 1000;

	CU_ASSERT_PTR_NULL(dsbc_src_guard_init(mem, 1000, &c));
	g = dsbc_src_guard_init(mem, 1024, &c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	/* a burst at one instant: 6 pass (tolerance / interval + 1) */
	for (i = 0; i < 10; i++) {
		enum dsbc_src_verdict v = dsbc_src_guard_charge(g, &a, 4, t);

		pass += v == DSBC_SRC_PASS;
		limited += v == DSBC_SRC_LIMITED;
	}
	CU_ASSERT_EQUAL(pass, 6);
	CU_ASSERT_EQUAL(limited, 4);
	/* another source is untouched by the first one's budget */
	CU_ASSERT_EQUAL(dsbc_src_guard_charge(g, &o, 4, t), DSBC_SRC_PASS);
	/* at the rate: every message passes */
	t += 1000;
	for (i = 0; i < 50; i++, t += 100)
		CU_ASSERT_EQUAL(dsbc_src_guard_charge(g, &a, 4, t),
				DSBC_SRC_PASS);
	/* a flood: limited, then banned once 20 went over in a window */
	pass = limited = banned = 0;
	for (i = 0; i < 100; i++, t += 1) {
		enum dsbc_src_verdict v = dsbc_src_guard_charge(g, &a, 4, t);

		pass += v == DSBC_SRC_PASS;
		limited += v == DSBC_SRC_LIMITED;
		banned += v == DSBC_SRC_BANNED;
	}
	CU_ASSERT_EQUAL(pass, 6);
	CU_ASSERT_EQUAL(limited, 19);
	CU_ASSERT_EQUAL(banned, 75);
	CU_ASSERT_EQUAL(dsbc_src_guard_bans(g), 1);
	/* still banned however slowly it sends, until the ban ends */
	t += 4000;
	CU_ASSERT_EQUAL(dsbc_src_guard_charge(g, &a, 4, t), DSBC_SRC_BANNED);
	t += 1000;
	CU_ASSERT_EQUAL(dsbc_src_guard_charge(g, &a, 4, t), DSBC_SRC_PASS);
	/* strikes spread over windows never ban */
	for (i = 0; i < 200; i++, t += 60)
		dsbc_src_guard_charge(g, &o, 4, t);
	CU_ASSERT_EQUAL(dsbc_src_guard_bans(g), 1);
	/* interval 0: off */
	c.interval = 0;
	g = dsbc_src_guard_init(mem, 1024, &c);
	for (i = 0; i < 1000; i++)
		CU_ASSERT_EQUAL(dsbc_src_guard_charge(g, &a, 4, t),
				DSBC_SRC_PASS);
	free(mem);
}

static void
test_known(void)
{
	void *mem = malloc(dsbc_known_size(1u << 16));
	struct dsbc_known *k;
	struct dsbc_addr a = v4(0x0a000001), b6;
	unsigned int i, fp = 0;

	CU_ASSERT_PTR_NULL(dsbc_known_init(mem, 3));
	k = dsbc_known_init(mem, 1u << 16);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_FALSE(dsbc_known_has(k, &a, 4, 0));
	dsbc_known_mark(k, &a, 4, 100, 160);
	CU_ASSERT_TRUE(dsbc_known_has(k, &a, 4, 100));
	CU_ASSERT_TRUE(dsbc_known_has(k, &a, 4, 159));
	CU_ASSERT_FALSE(dsbc_known_has(k, &a, 4, 160));
	/* an earlier end does not shorten it; a later one lengthens it */
	dsbc_known_mark(k, &a, 4, 110, 120);
	CU_ASSERT_TRUE(dsbc_known_has(k, &a, 4, 150));
	dsbc_known_mark(k, &a, 4, 150, 400);
	CU_ASSERT_TRUE(dsbc_known_has(k, &a, 4, 399));
	/* expired, then marked again for less: the new mark holds */
	dsbc_known_mark(k, &a, 4, 500, 510);
	CU_ASSERT_TRUE(dsbc_known_has(k, &a, 4, 505));
	/* across the 2^32 wrap of the clock (another address: times are
	 * compared modulo 2^32, within 2^31 of each other) */
	b6 = v4(0x0a000009);
	dsbc_known_mark(k, &b6, 4, 0xfffffff0u, 0x10u);
	CU_ASSERT_TRUE(dsbc_known_has(k, &b6, 4, 0xfffffffau));
	CU_ASSERT_TRUE(dsbc_known_has(k, &b6, 4, 0x5u));
	CU_ASSERT_FALSE(dsbc_known_has(k, &b6, 4, 0x10u));
	/* "forever" */
	dsbc_known_mark(k, &a, 4, 20, 20 + DSBC_KNOWN_FOREVER);
	CU_ASSERT_TRUE(dsbc_known_has(k, &a, 4, 20 + (1u << 29)));
	/* an IPv6 address differing only in its last 64 bits */
	memset(&b6, 0, sizeof(b6));
	b6.a8[0] = 0xfd;
	b6.a8[15] = 1;
	dsbc_known_mark(k, &b6, 6, 20, 80);
	b6.a8[15] = 2;
	CU_ASSERT_FALSE(dsbc_known_has(k, &b6, 6, 30));
	/* 10k strangers against 1000 known: few collide (1000 / 65536) */
	for (i = 0; i < 1000; i++) {
		struct dsbc_addr x = v4(0x0a640000u + i);

		dsbc_known_mark(k, &x, 4, 20, 1000);
	}
	for (i = 0; i < 10000; i++) {
		struct dsbc_addr x = v4(0x0a140000u + i);

		fp += dsbc_known_has(k, &x, 4, 30);
	}
	CU_ASSERT(fp < 400);
	free(mem);
}

int
unit_register(void)
{
	CU_pSuite s = CU_add_suite("overload", NULL, NULL);

	if (s == NULL)
		return -1;
	UNIT_ADD(s, test_kinds);
	UNIT_ADD(s, test_src_guard);
	UNIT_ADD(s, test_known);
	return 0;
}
