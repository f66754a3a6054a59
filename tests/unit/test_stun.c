/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * STUN for ICE-lite: RFC 5769 test vectors (section 2.1 request, 2.2 and
 * 2.3 responses), the primitives against published answers (RFC 2202
 * HMAC-SHA1, the CRC-32 check value), our Binding success decoded
 * independently, and every truncation of a valid message refused.
 */
#include <string.h>

#include <CUnit/CUnit.h>
#include <arpa/inet.h>

#include "dsbc_stun.h"
#include "unit.h"

const bool unit_needs_eal = false;

static const char pwd[] = "VOkJxbRl1RmTxUk/WvJxBt";

/* RFC 5769 section 2.1, with its SOFTWARE "STUN test client" */
static const uint8_t req[108] = {
	0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42,
	0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
	0x80, 0x22, 0x00, 0x10, 'S', 'T', 'U', 'N', ' ', 't', 'e', 's',
	't', ' ', 'c', 'l', 'i', 'e', 'n', 't',
	0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff,
	0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36,
	0x00, 0x06, 0x00, 0x09, 'e', 'v', 't', 'j', ':', 'h', '6', 'v',
	'Y', 0x20, 0x20, 0x20,
	0x00, 0x08, 0x00, 0x14, 0x9a, 0xea, 0xa7, 0x0c, 0xbf, 0xd8, 0xcb, 0x56,
	0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49, 0xc1, 0xb5, 0x71, 0xa2,
	0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf,
};

/* RFC 5769 section 2.2: 192.0.2.1 port 32853 */
static const uint8_t resp4[80] = {
	0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42,
	0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
	0x80, 0x22, 0x00, 0x0b, 't', 'e', 's', 't', ' ', 'v', 'e', 'c',
	't', 'o', 'r', 0x20,
	0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
	0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3,
	0x8c, 0x74, 0x89, 0xf9, 0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7,
	0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96,
};

/* RFC 5769 section 2.3: 2001:db8:1234:5678:11:2233:4455:6677 port 32853 */
static const uint8_t resp6[92] = {
	0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42,
	0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
	0x80, 0x22, 0x00, 0x0b, 't', 'e', 's', 't', ' ', 'v', 'e', 'c',
	't', 'o', 'r', 0x20,
	0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47,
	0x01, 0x13, 0xa9, 0xfa, 0xa5, 0xd3, 0xf1, 0x79,
	0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9,
	0x00, 0x08, 0x00, 0x14, 0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1,
	0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75, 0xbf, 0xe3, 0xed, 0x41,
	0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c,
};

static void
test_primitives(void)
{
	static const uint8_t want[20] = {   /* RFC 2202 test case 1 */
		0xb6, 0x17, 0x31, 0x86, 0x55, 0x05, 0x72, 0x64, 0xe2, 0x8b,
		0xc0, 0xb6, 0xfb, 0x37, 0x8c, 0x8e, 0xf1, 0x46, 0xbe, 0x00,
	};
	uint8_t key[20], mac[20];

	memset(key, 0x0b, sizeof(key));
	dsbc_stun_hmac_sha1(key, sizeof(key), (const uint8_t *)"Hi There", 8,
			    mac);
	CU_ASSERT(memcmp(mac, want, 20) == 0);
	CU_ASSERT_EQUAL(dsbc_stun_crc32((const uint8_t *)"123456789", 9),
			0xCBF43926u);
}

static void
test_rfc5769_request(void)
{
	struct dsbc_stun_msg m;

	CU_ASSERT_EQUAL(dsbc_stun_parse(req, sizeof(req), &m), DSBC_STUN_ERR_NONE);
	CU_ASSERT_EQUAL(m.type, DSBC_STUN_BINDING_REQUEST);
	CU_ASSERT_EQUAL(m.priority, 0x6e0001ffu);
	CU_ASSERT(m.controlled && !m.controlling && !m.use_candidate);
	CU_ASSERT_EQUAL(m.username_len, 9);
	CU_ASSERT_EQUAL(m.mi_off, 76);
	CU_ASSERT_EQUAL(m.fp_off, 100);
	/* the receiver of the check is "evtj", the sender "h6vY" */
	CU_ASSERT_EQUAL(dsbc_stun_check(req, &m, "evtj", "h6vY", pwd,
					strlen(pwd)), DSBC_STUN_ERR_NONE);
	CU_ASSERT_EQUAL(dsbc_stun_check(req, &m, "evtj", NULL, pwd,
					strlen(pwd)), DSBC_STUN_ERR_NONE);
	CU_ASSERT_EQUAL(dsbc_stun_check(req, &m, "evtj", "h6vZ", pwd,
					strlen(pwd)), DSBC_STUN_ERR_USERNAME);
	CU_ASSERT_EQUAL(dsbc_stun_check(req, &m, "evt", NULL, pwd,
					strlen(pwd)), DSBC_STUN_ERR_USERNAME);
	CU_ASSERT_EQUAL(dsbc_stun_check(req, &m, "h6vY", NULL, pwd,
					strlen(pwd)), DSBC_STUN_ERR_USERNAME);
	CU_ASSERT_EQUAL(dsbc_stun_check(req, &m, "evtj", "h6vY",
					"VOkJxbRl1RmTxUk/WvJxBT", strlen(pwd)),
			DSBC_STUN_ERR_INTEGRITY);
}

static void
test_tampering(void)
{
	struct dsbc_stun_msg m;
	uint8_t b[sizeof(req)];

	/* a changed byte under the FINGERPRINT is caught by it */
	memcpy(b, req, sizeof(b));
	b[30] ^= 1;
	CU_ASSERT_EQUAL(dsbc_stun_parse(b, sizeof(b), &m), DSBC_STUN_ERR_NONE);
	CU_ASSERT_EQUAL(dsbc_stun_check(b, &m, "evtj", "h6vY", pwd, strlen(pwd)),
			DSBC_STUN_ERR_FINGERPRINT);
	/* without FINGERPRINT (length shortened), by MESSAGE-INTEGRITY */
	b[3] = 0x50;
	CU_ASSERT_EQUAL(dsbc_stun_parse(b, 100, &m), DSBC_STUN_ERR_NONE);
	CU_ASSERT_EQUAL(m.fp_off, 0);
	CU_ASSERT_EQUAL(dsbc_stun_check(b, &m, "evtj", "h6vY", pwd, strlen(pwd)),
			DSBC_STUN_ERR_INTEGRITY);
	b[30] ^= 1;
	CU_ASSERT_EQUAL(dsbc_stun_check(b, &m, "evtj", "h6vY", pwd, strlen(pwd)),
			DSBC_STUN_ERR_NONE);
	/* no MESSAGE-INTEGRITY at all */
	b[3] = 0x38;
	CU_ASSERT_EQUAL(dsbc_stun_parse(b, 76, &m), DSBC_STUN_ERR_NONE);
	CU_ASSERT_EQUAL(dsbc_stun_check(b, &m, "evtj", "h6vY", pwd, strlen(pwd)),
			DSBC_STUN_ERR_NO_AUTH);
	/* responses and indications are not checks */
	CU_ASSERT_EQUAL(dsbc_stun_parse(resp4, sizeof(resp4), &m),
			DSBC_STUN_ERR_NONE);
	CU_ASSERT_EQUAL(dsbc_stun_check(resp4, &m, "evtj", NULL, pwd,
					strlen(pwd)), DSBC_STUN_ERR_NOT_REQUEST);
}

static void
test_malformed(void)
{
	struct dsbc_stun_msg m;
	uint8_t b[sizeof(req) + 8];
	uint32_t n, bad = 0;

	/* every truncation of a valid message is refused (its length
	 * field no longer matches) */
	for (n = 0; n < sizeof(req); n++)
		bad += dsbc_stun_parse(req, n, &m) == DSBC_STUN_ERR_MALFORMED;
	CU_ASSERT_EQUAL(bad, sizeof(req));
	memcpy(b, req, sizeof(req));
	b[0] = 0x40;                              /* first two bits set */
	CU_ASSERT_EQUAL(dsbc_stun_parse(b, sizeof(req), &m),
			DSBC_STUN_ERR_MALFORMED);
	memcpy(b, req, sizeof(req));
	b[7] ^= 1;                                /* magic cookie */
	CU_ASSERT_EQUAL(dsbc_stun_parse(b, sizeof(req), &m),
			DSBC_STUN_ERR_MALFORMED);
	memcpy(b, req, sizeof(req));
	b[23] = 0x40;                             /* SOFTWARE overruns */
	CU_ASSERT_EQUAL(dsbc_stun_parse(b, sizeof(req), &m),
			DSBC_STUN_ERR_MALFORMED);
	memcpy(b, req, sizeof(req));
	b[79] = 0x10;                             /* MI of 16 bytes */
	CU_ASSERT_EQUAL(dsbc_stun_parse(b, sizeof(req), &m),
			DSBC_STUN_ERR_MALFORMED);
	/* an attribute after FINGERPRINT */
	memcpy(b, req, sizeof(req));
	b[3] = 0x60;
	memcpy(b + sizeof(req), "\x00\x24\x00\x04\x00\x00\x00\x01", 8);
	CU_ASSERT_EQUAL(dsbc_stun_parse(b, sizeof(b), &m),
			DSBC_STUN_ERR_MALFORMED);
}

/* Decode XOR-MAPPED-ADDRESS by hand (RFC 8489 section 14.2). */
static void
xor_mapped(const uint8_t *p, uint32_t len, uint8_t *family, uint8_t *addr,
	   uint16_t *port)
{
	uint32_t off = 20;
	unsigned int i;

	*family = 0;
	while (off + 4 <= len) {
		uint16_t t = (uint16_t)(p[off] << 8 | p[off + 1]);
		uint16_t l = (uint16_t)(p[off + 2] << 8 | p[off + 3]);

		if (t == 0x0020) {
			*family = p[off + 5] == 2 ? 6 : 4;
			*port = (uint16_t)(((p[off + 6] << 8) | p[off + 7]) ^ 0x2112);
			for (i = 0; i < (*family == 6 ? 16u : 4u); i++)
				addr[i] = p[off + 8 + i] ^ p[4 + i];
			return;
		}
		off += 4 + ((l + 3u) & ~3u);
	}
}

static void
test_rfc5769_responses_decode(void)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34,
		0x56, 0x78, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 };
	uint8_t fam, a[16];
	uint16_t port;

	xor_mapped(resp4, sizeof(resp4), &fam, a, &port);
	CU_ASSERT_EQUAL(fam, 4);
	CU_ASSERT_EQUAL(port, 32853);
	CU_ASSERT(memcmp(a, "\xc0\x00\x02\x01", 4) == 0);
	xor_mapped(resp6, sizeof(resp6), &fam, a, &port);
	CU_ASSERT_EQUAL(fam, 6);
	CU_ASSERT_EQUAL(port, 32853);
	CU_ASSERT(memcmp(a, v6, 16) == 0);
	/* their FINGERPRINTs, by our CRC */
	CU_ASSERT_EQUAL(dsbc_stun_crc32(resp4, 72) ^ DSBC_STUN_FP_XOR, 0xc07d4c96u);
	CU_ASSERT_EQUAL(dsbc_stun_crc32(resp6, 84) ^ DSBC_STUN_FP_XOR, 0xc8fb0b4cu);
}

/* Our success response: parses, FINGERPRINT and MESSAGE-INTEGRITY verify
 * independently, XOR-MAPPED-ADDRESS decodes to the request's source. */
static void
check_success(uint8_t family, const uint8_t *src, unsigned int alen)
{
	struct dsbc_stun_msg m;
	struct dsbc_addr a;
	uint8_t out[128], mac[20], copy[128], fam, dec[16];
	uint16_t port;
	uint32_t n;

	memset(&a, 0, sizeof(a));
	memcpy(a.a8, src, alen);
	n = dsbc_stun_binding_success(req, family, &a, 32853, pwd, strlen(pwd),
				      out, sizeof(out));
	CU_ASSERT_EQUAL(n, family == 6 ? 76u : 64u);
	CU_ASSERT_EQUAL(dsbc_stun_binding_success(req, family, &a, 1, pwd,
						  strlen(pwd), out, n - 1), 0);
	CU_ASSERT_EQUAL(dsbc_stun_parse(out, n, &m), DSBC_STUN_ERR_NONE);
	CU_ASSERT_EQUAL(m.type, DSBC_STUN_BINDING_SUCCESS);
	CU_ASSERT(memcmp(out + 8, req + 8, 12) == 0);
	CU_ASSERT_EQUAL(dsbc_stun_crc32(out, m.fp_off) ^ DSBC_STUN_FP_XOR,
			(uint32_t)out[m.fp_off + 4] << 24 |
			(uint32_t)out[m.fp_off + 5] << 16 |
			(uint32_t)out[m.fp_off + 6] << 8 | out[m.fp_off + 7]);
	/* HMAC over the message up to MI, length as if MI were last */
	memcpy(copy, out, m.mi_off);
	copy[2] = 0;
	copy[3] = (uint8_t)(m.mi_off + 24 - 20);
	dsbc_stun_hmac_sha1((const uint8_t *)pwd, strlen(pwd), copy, m.mi_off,
			    mac);
	CU_ASSERT(memcmp(mac, out + m.mi_off + 4, 20) == 0);
	xor_mapped(out, n, &fam, dec, &port);
	CU_ASSERT_EQUAL(fam, family);
	CU_ASSERT_EQUAL(port, 32853);
	CU_ASSERT(memcmp(dec, src, alen) == 0);
}

static void
test_binding_success(void)
{
	check_success(4, (const uint8_t *)"\xc0\x00\x02\x01", 4);
	check_success(6, (const uint8_t *)"\x20\x01\x0d\xb8\x12\x34\x56\x78"
		      "\x00\x11\x22\x33\x44\x55\x66\x77", 16);
}

int
unit_register(void)
{
	CU_pSuite s = CU_add_suite("stun", NULL, NULL);

	if (s == NULL)
		return -1;
	UNIT_ADD(s, test_primitives);
	UNIT_ADD(s, test_rfc5769_request);
	UNIT_ADD(s, test_tampering);
	UNIT_ADD(s, test_malformed);
	UNIT_ADD(s, test_rfc5769_responses_decode);
	UNIT_ADD(s, test_binding_success);
	return 0;
}
