/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HEPv3 encoding: a packet decoded chunk by chunk here (the published
 * format, not the encoder's code) gives back every field; sizes, limits
 * and the Call-ID finder on long and compact forms.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "dsbc_hep.h"
#include "unit.h"

const bool unit_needs_eal = false;

struct decoded {
	int family, ip_proto, proto;
	uint8_t src[16], dst[16];
	unsigned int sport, dport;
	uint32_t ts_s, ts_us, agent;
	char auth[64], corr[256];
	const uint8_t *payload;
	size_t payload_len;
	int chunks;
};

static uint32_t
be(const uint8_t *p, size_t n)
{
	uint32_t v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

/* 0, or -1 on any malformation */
static int
decode(const uint8_t *p, size_t n, struct decoded *d)
{
	size_t off = 6;

	memset(d, 0, sizeof(*d));
	if (n < 6 || memcmp(p, "HEP3", 4) != 0 || be(p + 4, 2) != n)
		return -1;
	while (off < n) {
		uint32_t vendor, type, len;
		const uint8_t *v;

		if (n - off < 6)
			return -1;
		vendor = be(p + off, 2);
		type = be(p + off + 2, 2);
		len = be(p + off + 4, 2);
		if (vendor != 0 || len < 6 || off + len > n)
			return -1;
		v = p + off + 6;
		len -= 6;
		d->chunks++;
		switch (type) {
		case 1: d->family = v[0]; break;
		case 2: d->ip_proto = v[0]; break;
		case 3: case 5: memcpy(d->src, v, len); break;
		case 4: case 6: memcpy(d->dst, v, len); break;
		case 7: d->sport = be(v, 2); break;
		case 8: d->dport = be(v, 2); break;
		case 9: d->ts_s = be(v, 4); break;
		case 10: d->ts_us = be(v, 4); break;
		case 11: d->proto = v[0]; break;
		case 12: d->agent = be(v, 4); break;
		case 14: memcpy(d->auth, v, len); break;
		case 15: d->payload = v; d->payload_len = len; break;
		case 17: memcpy(d->corr, v, len); break;
		default: return -1;
		}
		off += len + 6;
	}
	return 0;
}

static const char SIP[] =
	"INVITE sip:bob@example.com SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK1\r\n"
	"Call-ID:   abc@192.0.2.10  \r\n"
	"CSeq: 1 INVITE\r\n"
	"\r\n";

static void
test_encode_v4(void)
{
	struct dsbc_hep_meta m = {
		.family = 4, .ip_proto = 17, .sport = 5060, .dport = 5070,
		.ts_us = 1764915000123456ull, .proto = DSBC_HEP_P_SIP,
		.agent_id = 2001, .password = "secret",
		.corr = "abc@192.0.2.10", .corr_len = 14,
	};
	uint8_t out[1024];
	struct decoded d;
	size_t n;

	inet_pton(AF_INET, "192.0.2.10", &m.src.v4);
	inet_pton(AF_INET, "192.0.2.1", &m.dst.v4);
	n = dsbc_hep_encode(&m, SIP, strlen(SIP), out, sizeof(out));
	CU_ASSERT_EQUAL(n, dsbc_hep_size(&m, strlen(SIP)));
	CU_ASSERT_EQUAL_FATAL(decode(out, n, &d), 0);
	CU_ASSERT_EQUAL(d.family, 2);
	CU_ASSERT_EQUAL(d.ip_proto, 17);
	CU_ASSERT_EQUAL(memcmp(d.src, &m.src.v4, 4), 0);
	CU_ASSERT_EQUAL(memcmp(d.dst, &m.dst.v4, 4), 0);
	CU_ASSERT_EQUAL(d.sport, 5060);
	CU_ASSERT_EQUAL(d.dport, 5070);
	CU_ASSERT_EQUAL(d.ts_s, 1764915000u);
	CU_ASSERT_EQUAL(d.ts_us, 123456u);
	CU_ASSERT_EQUAL(d.proto, 1);
	CU_ASSERT_EQUAL(d.agent, 2001u);
	CU_ASSERT_STRING_EQUAL(d.auth, "secret");
	CU_ASSERT_STRING_EQUAL(d.corr, "abc@192.0.2.10");
	CU_ASSERT_EQUAL(d.payload_len, strlen(SIP));
	CU_ASSERT_EQUAL(memcmp(d.payload, SIP, strlen(SIP)), 0);
	CU_ASSERT_EQUAL(d.chunks, 13);
	/* one byte short: nothing written */
	CU_ASSERT_EQUAL(dsbc_hep_encode(&m, SIP, strlen(SIP), out, n - 1), 0);
}

static void
test_encode_v6_no_options(void)
{
	struct dsbc_hep_meta m = {
		.family = 6, .ip_proto = 6, .sport = 5061, .dport = 40000,
		.proto = DSBC_HEP_P_RTCP_JSON,
	};
	static uint8_t big[70000];
	uint8_t out[2048];
	struct decoded d;
	size_t n;

	inet_pton(AF_INET6, "2001:db8::1", m.src.a8);
	inet_pton(AF_INET6, "2001:db8::2", m.dst.a8);
	n = dsbc_hep_encode(&m, "{}", 2, out, sizeof(out));
	CU_ASSERT_EQUAL_FATAL(decode(out, n, &d), 0);
	CU_ASSERT_EQUAL(d.family, 10);
	CU_ASSERT_EQUAL(memcmp(d.src, m.src.a8, 16), 0);
	CU_ASSERT_EQUAL(memcmp(d.dst, m.dst.a8, 16), 0);
	CU_ASSERT_EQUAL(d.proto, 5);
	CU_ASSERT_EQUAL(d.corr[0], '\0');
	CU_ASSERT_EQUAL(d.auth[0], '\0');
	CU_ASSERT_EQUAL(d.chunks, 11);
	/* over the 16-bit length: refused, whatever the room */
	CU_ASSERT_EQUAL(dsbc_hep_encode(&m, big, sizeof(big), big,
					sizeof(big)), 0);
	m.family = 5;
	CU_ASSERT_EQUAL(dsbc_hep_encode(&m, "{}", 2, out, sizeof(out)), 0);
}

static void
test_call_id(void)
{
	static const char compact[] =
		"SIP/2.0 200 OK\r\nv: SIP/2.0/UDP h\r\ni :x9@h\r\n\r\n";
	static const char in_body[] =
		"BYE sip:a SIP/2.0\r\nVia: x\r\n\r\nCall-ID: not-a-header\r\n";
	static const char cut[] = "BYE sip:a SIP/2.0\r\nCall-ID:";
	const char *v = NULL;

	CU_ASSERT_EQUAL(dsbc_hep_sip_call_id(SIP, strlen(SIP), &v), 14);
	CU_ASSERT_EQUAL(strncmp(v, "abc@192.0.2.10", 14), 0);
	CU_ASSERT_EQUAL(dsbc_hep_sip_call_id(compact, strlen(compact), &v), 4);
	CU_ASSERT_EQUAL(strncmp(v, "x9@h", 4), 0);
	CU_ASSERT_EQUAL(dsbc_hep_sip_call_id(in_body, strlen(in_body), &v), 0);
	CU_ASSERT_EQUAL(dsbc_hep_sip_call_id(cut, strlen(cut), &v), 0);
	CU_ASSERT_EQUAL(dsbc_hep_sip_call_id("", 0, &v), 0);
}

/* An SR with one report block, then SDES: the JSON has every field, a
 * negative cumulative loss stays negative; an RR without blocks; what is
 * cut, not RTCP or not led by SR/RR gives nothing. */
static void
test_rtcp_json(void)
{
	static const uint8_t sr[] = {
		0x81, 200, 0, 12,                /* SR, 1 block, 13 words */
		0x11, 0x22, 0x33, 0x44,          /* SSRC */
		0xe9, 0x4b, 0x0c, 0x80,          /* NTP seconds */
		0x80, 0, 0, 0,                   /* NTP fraction: 0.5 s */
		0, 0, 0x03, 0x20,                /* RTP timestamp 800 */
		0, 0, 0, 50,                     /* packets */
		0, 0, 0x1f, 0x40,                /* octets 8000 */
		0xaa, 0xbb, 0xcc, 0xdd,          /* source SSRC */
		64, 0xff, 0xff, 0xfe,            /* fraction 64, lost -2 */
		0, 1, 0, 10,                     /* highest seq */
		0, 0, 0, 33,                     /* jitter */
		0x12, 0x34, 0x56, 0x78,          /* LSR */
		0, 0, 0, 9,                      /* DLSR */
		0x81, 202, 0, 1, 0x11, 0x22, 0x33, 0x44,  /* SDES */
	};
	static const uint8_t rr[] = { 0x80, 201, 0, 1, 0, 0, 0, 7 };
	static const uint8_t bye[] = { 0x81, 203, 0, 1, 0, 0, 0, 7 };
	char out[1024];
	size_t n;

	n = dsbc_hep_rtcp_json(sr, sizeof(sr), out, sizeof(out));
	CU_ASSERT_EQUAL(n, strlen(out));
	CU_ASSERT_STRING_EQUAL(out,
		"{\"type\":200,\"ssrc\":287454020,\"report_count\":1,"
		"\"sender_information\":{\"ntp_timestamp_sec\":3914009728,"
		"\"ntp_timestamp_usec\":500000,\"rtp_timestamp\":800,"
		"\"packets\":50,\"octets\":8000},\"report_blocks\":["
		"{\"source_ssrc\":2864434397,\"fraction_lost\":64,"
		"\"packets_lost\":-2,\"highest_seq_no\":65546,"
		"\"ia_jitter\":33,\"lsr\":305419896,\"dlsr\":9}]}");
	CU_ASSERT(dsbc_hep_rtcp_json(rr, sizeof(rr), out, sizeof(out)) > 0);
	CU_ASSERT_STRING_EQUAL(out, "{\"type\":201,\"ssrc\":7,"
			       "\"report_count\":0,\"report_blocks\":[]}");
	/* SRTCP: the same with an E||index word and a 10-byte tag after */
	{
		uint8_t srtcp[sizeof(sr) + 14];

		memcpy(srtcp, sr, sizeof(sr));
		memset(srtcp + sizeof(sr), 0x80, 14);
		CU_ASSERT_EQUAL(dsbc_hep_rtcp_json(srtcp, sizeof(srtcp), out,
						   sizeof(out)), 0);
	}
	/* the SR's length says 13 words: 40 bytes are not enough */
	CU_ASSERT_EQUAL(dsbc_hep_rtcp_json(sr, 40, out, sizeof(out)), 0);
	CU_ASSERT_EQUAL(dsbc_hep_rtcp_json(bye, sizeof(bye), out,
					   sizeof(out)), 0);
	CU_ASSERT_EQUAL(dsbc_hep_rtcp_json(sr, sizeof(sr), out, 40), 0);
	CU_ASSERT_EQUAL(dsbc_hep_rtcp_json(sr, 7, out, sizeof(out)), 0);
}

int
unit_register(void)
{
	CU_pSuite s = CU_add_suite("hep", NULL, NULL);

	if (s == NULL)
		return -1;
	UNIT_ADD(s, test_encode_v4);
	UNIT_ADD(s, test_encode_v6_no_options);
	UNIT_ADD(s, test_call_id);
	UNIT_ADD(s, test_rtcp_json);
	return 0;
}
