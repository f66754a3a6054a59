/* SPDX-License-Identifier: BSD-3-Clause */
/* SDP parse and rewrite: WebRTC and SIP-phone offers, IPv6 (RFC 5118),
 * rejected media, errors, byte-exact pass-through, mutation robustness. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "dsbc_sdp.h"
#include "dsbc_sdp_ice.h"
#include "dsbc_sdp_crypto.h"
#include "dsbc_sdp_rewrite.h"
#include "unit.h"

const bool unit_needs_eal = false;

static const char webrtc[] =
	"v=0\r\n"
	"o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
	"s=-\r\n"
	"t=0 0\r\n"
	"a=group:BUNDLE 0 1\r\n"
	"a=ice-options:trickle\r\n"
	"m=audio 50000 UDP/TLS/RTP/SAVPF 111 0\r\n"
	"c=IN IP4 203.0.113.7\r\n"
	"b=AS:64\r\n"
	"a=rtcp:9 IN IP4 0.0.0.0\r\n"
	"a=candidate:1 1 udp 2122260223 192.168.1.5 50000 typ host\r\n"
	"a=candidate:2 1 udp 1686052607 203.0.113.7 50000 typ srflx raddr 192.168.1.5 rport 50000\r\n"
	"a=ice-ufrag:Abcd\r\n"
	"a=ice-pwd:0123456789abcdef0123456789\r\n"
	"a=fingerprint:sha-256 8B:2E:7F:0A:33:11:5C:9D:77:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67\r\n"
	"a=setup:actpass\r\n"
	"a=mid:0\r\n"
	"a=sendrecv\r\n"
	"a=rtcp-mux\r\n"
	"a=rtpmap:111 opus/48000/2\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=x-unknown-attr:keep me\r\n"
	"m=video 0 UDP/TLS/RTP/SAVPF 96\r\n"
	"c=IN IP4 203.0.113.7\r\n"
	"a=mid:1\r\n"
	"a=inactive\r\n";

static const char phone[] =
	"v=0\n"
	"o=alice 2890844526 2890844526 IN IP4 192.0.2.10\n"
	"s=call\n"
	"c=IN IP4 192.0.2.10\n"
	"t=0 0\n"
	"m=audio 49170 RTP/AVP 0 8 101\n"
	"a=rtcp:49171\n"
	"a=rtpmap:0 PCMU/8000\n"
	"a=rtpmap:101 telephone-event/8000\n"
	"a=sendonly\n";

static struct dsbc_sdp s, r;
static char out[8192];

/* Rewrite s with pl into out, NUL-terminated; the rewrite's result. */
static int
rewrite(const struct dsbc_sdp_plan *pl)
{
	int n = dsbc_sdp_rewrite(&s, pl, out, sizeof(out) - 1);

	out[n > 0 ? n : 0] = '\0';
	return n;
}

static bool
has_line(const char *text, const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "%s\r\n", line);
	return strstr(text, want) != NULL;
}

static unsigned int
count_lines(const char *text, const char *prefix)
{
	unsigned int n = 0;
	const char *p = text;

	while ((p = strstr(p, prefix)) != NULL) {
		if (p == text || p[-1] == '\n')
			n++;
		p++;
	}
	return n;
}

static void
test_parse_webrtc(void)
{
	CU_ASSERT_EQUAL_FATAL(dsbc_sdp_parse(webrtc, sizeof(webrtc) - 1, &s),
			      DSBC_SDP_ERR_NONE);
	CU_ASSERT_EQUAL(s.nb_media, 2);
	CU_ASSERT_EQUAL(s.sess_version, 2);
	CU_ASSERT_EQUAL(s.media[0].port, 50000);
	CU_ASSERT_EQUAL(s.media[0].conn.family, 4);
	CU_ASSERT(s.media[0].rtcp_mux);
	CU_ASSERT(s.media[0].has_rtcp);
	CU_ASSERT_EQUAL(s.media[0].rtcp_port, 9);
	CU_ASSERT_EQUAL(s.media[0].nb_candidates, 2);
	CU_ASSERT_EQUAL(s.media[0].ice_ufrag.len, 4);
	CU_ASSERT_EQUAL(s.media[0].setup.len, 7);
	CU_ASSERT_EQUAL(s.media[0].nb_rtpmap, 2);
	CU_ASSERT_EQUAL(s.media[0].rtpmap[0].pt, 111);
	CU_ASSERT_EQUAL(s.media[0].rtpmap[0].clock, 48000);
	CU_ASSERT_EQUAL(s.media[0].dir, DSBC_SDP_SENDRECV);
	CU_ASSERT_EQUAL(s.media[1].port, 0);
	CU_ASSERT_EQUAL(s.media[1].dir, DSBC_SDP_INACTIVE);
	CU_ASSERT_EQUAL(s.media[0].nb_fingerprint, 1);
	CU_ASSERT_EQUAL(s.media[0].fingerprint[0].len, 8 + 95);
	CU_ASSERT_EQUAL(s.nb_fingerprint, 0);
}

/* RFC 8122 section 5: several a=fingerprint lines (one per hash, or per
 * certificate) are all kept, in order, up to DSBC_SDP_MAX_FP a level. */
static void
test_parse_fingerprints(void)
{
	static const char sdp[] =
		"v=0\r\n"
		"o=- 1 1 IN IP4 198.51.100.1\r\n"
		"s=-\r\n"
		"c=IN IP4 198.51.100.1\r\n"
		"t=0 0\r\n"
		"a=fingerprint:sha-256 AA\r\n"
		"m=audio 4000 UDP/TLS/RTP/SAVP 0\r\n"
		"a=fingerprint:sha-512 01\r\n"
		"a=fingerprint:sha-1 02\r\n"
		"a=fingerprint:sha-384 03\r\n"
		"a=fingerprint:sha-256 04\r\n"
		"a=fingerprint:sha-256 05\r\n"
		"a=setup:actpass\r\n";

	CU_ASSERT_EQUAL_FATAL(dsbc_sdp_parse(sdp, sizeof(sdp) - 1, &s),
			      DSBC_SDP_ERR_NONE);
	CU_ASSERT_EQUAL(s.nb_fingerprint, 1);
	CU_ASSERT_NSTRING_EQUAL(s.fingerprint[0].p, "sha-256 AA", 10);
	CU_ASSERT_EQUAL(s.media[0].nb_fingerprint, DSBC_SDP_MAX_FP);
	CU_ASSERT_NSTRING_EQUAL(s.media[0].fingerprint[0].p, "sha-512 01", 10);
	CU_ASSERT_NSTRING_EQUAL(s.media[0].fingerprint[1].p, "sha-1 02", 8);
	CU_ASSERT_NSTRING_EQUAL(s.media[0].fingerprint[3].p, "sha-256 04", 10);
	CU_ASSERT_EQUAL(s.media[0].fingerprint[3].len, 10);
}

static void
test_rewrite_relay(void)
{
	struct dsbc_sdp_plan pl = {
		.family = 4, .addr = "198.51.100.1", .origin_user = "dsbc",
		.sess_version = 7, .ice_ufrag = "dsbcUF", .ice_pwd = "dsbcpwd0123456789012345",
		.media = { {20000, 20001}, {0, 0} },
	};
	const char *fp = strstr(webrtc, "a=fingerprint:");
	int n;

	CU_ASSERT_EQUAL_FATAL(dsbc_sdp_parse(webrtc, sizeof(webrtc) - 1, &s),
			      DSBC_SDP_ERR_NONE);
	n = rewrite(&pl);
	CU_ASSERT_FATAL(n > 0);
	/* fingerprint and setup byte-identical (RFC 7879 section 3.1) */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "a=setup:actpass\r\n"));
	CU_ASSERT_PTR_NOT_NULL(fp);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "a=fingerprint:sha-256 8B:2E:7F:0A"));
	CU_ASSERT_EQUAL(memcmp(strstr(out, "a=fingerprint:"), fp,
			       strchr(fp, '\n') - fp + 1), 0);
	/* addresses, ports, origin replaced */
	CU_ASSERT(has_line(out, "o=dsbc 4611731400430051336 7 IN IP4 198.51.100.1"));
	CU_ASSERT(has_line(out, "m=audio 20000 UDP/TLS/RTP/SAVPF 111 0"));
	CU_ASSERT(has_line(out, "a=rtcp:20001 IN IP4 198.51.100.1"));
	CU_ASSERT_EQUAL(count_lines(out, "c=IN IP4 198.51.100.1"), 2);
	CU_ASSERT_PTR_NULL(strstr(out, "203.0.113.7"));
	CU_ASSERT_PTR_NULL(strstr(out, "192.168.1.5"));
	/* the peer's ICE gone, dsbc's ICE-lite in */
	CU_ASSERT_PTR_NULL(strstr(out, "Abcd"));
	CU_ASSERT_PTR_NULL(strstr(out, "trickle"));
	CU_ASSERT(has_line(out, "a=ice-lite"));
	CU_ASSERT(has_line(out, "a=ice-ufrag:dsbcUF"));
	CU_ASSERT_EQUAL(count_lines(out, "a=candidate:"), 1); /* rtcp-mux */
	CU_ASSERT(has_line(out, "a=candidate:1 1 UDP 2130706431 198.51.100.1 20000 typ host"));
	/* kept in order: b=, unknown attributes, BUNDLE; rejected m stays 0 */
	CU_ASSERT(has_line(out, "b=AS:64"));
	CU_ASSERT(has_line(out, "a=x-unknown-attr:keep me"));
	CU_ASSERT(has_line(out, "a=group:BUNDLE 0 1"));
	CU_ASSERT(has_line(out, "m=video 0 UDP/TLS/RTP/SAVPF 96"));
	CU_ASSERT(strstr(out, "b=AS:64") < strstr(out, "a=x-unknown-attr"));
	/* the output parses, with what was planned */
	CU_ASSERT_EQUAL_FATAL(dsbc_sdp_parse(out, (uint32_t)n, &r),
			      DSBC_SDP_ERR_NONE);
	CU_ASSERT_EQUAL(r.media[0].port, 20000);
	CU_ASSERT(r.ice_lite);
	CU_ASSERT_EQUAL(r.media[0].nb_candidates, 1);
	CU_ASSERT_EQUAL(r.media[1].port, 0);
	/* too small a buffer is an error, never a truncation */
	CU_ASSERT_EQUAL(dsbc_sdp_rewrite(&s, &pl, out, (uint32_t)n), -1);
	CU_ASSERT_EQUAL(dsbc_sdp_rewrite(&s, &pl, out, (uint32_t)n + 1), n);
}

static void
test_rewrite_phone_and_terminate(void)
{
	struct dsbc_sdp_plan pl = {
		.family = 6, .addr = "2001:db8::1", .origin_user = "dsbc",
		.sess_version = 1, .media = { {30000, 30001} },
	};
	int n;

	CU_ASSERT_EQUAL_FATAL(dsbc_sdp_parse(phone, sizeof(phone) - 1, &s),
			      DSBC_SDP_ERR_NONE);
	CU_ASSERT_EQUAL(s.media[0].conn.family, 4); /* from the session */
	CU_ASSERT_EQUAL(s.media[0].dir, DSBC_SDP_SENDONLY);
	CU_ASSERT_EQUAL(s.media[0].rtcp_port, 49171);
	CU_ASSERT_FATAL(rewrite(&pl) > 0);
	CU_ASSERT(has_line(out, "c=IN IP6 2001:db8::1"));
	CU_ASSERT(has_line(out, "m=audio 30000 RTP/AVP 0 8 101"));
	CU_ASSERT(has_line(out, "a=rtcp:30001"));
	CU_ASSERT(has_line(out, "a=sendonly"));
	CU_ASSERT(has_line(out, "a=rtpmap:101 telephone-event/8000"));
	CU_ASSERT_PTR_NULL(strstr(out, "ice"));
	/* LF input, CRLF output */
	CU_ASSERT_PTR_NULL(strstr(out, "\n\n"));
	/* terminator: dsbc's own fingerprint and setup replace the peer's */
	CU_ASSERT_EQUAL_FATAL(dsbc_sdp_parse(webrtc, sizeof(webrtc) - 1, &s),
			      DSBC_SDP_ERR_NONE);
	pl.family = 4;
	pl.addr = "192.0.2.1";
	pl.fingerprint = "sha-256 AA:BB";
	pl.setup = "active";
	CU_ASSERT_FATAL(rewrite(&pl) > 0);
	CU_ASSERT(has_line(out, "a=fingerprint:sha-256 AA:BB"));
	CU_ASSERT(has_line(out, "a=setup:active"));
	CU_ASSERT_PTR_NULL(strstr(out, "8B:2E"));
	CU_ASSERT_PTR_NULL(strstr(out, "actpass"));
	/* rtcp port 0: the a=rtcp line goes */
	pl.media[0].rtcp_port = 0;
	n = dsbc_sdp_rewrite(&s, &pl, out, sizeof(out));
	out[n > 0 ? n : 0] = '\0';
	CU_ASSERT_PTR_NULL(strstr(out, "a=rtcp:"));
}

/* An SDES phone (RFC 4568 section 9's key, without its MKI). */
static const char sdes[] =
	"v=0\r\n"
	"o=bob 1 1 IN IP4 198.51.100.20\r\n"
	"s=-\r\n"
	"c=IN IP4 198.51.100.20\r\n"
	"t=0 0\r\n"
	"m=audio 6000 RTP/SAVP 0\r\n"
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4\r\n"
	"a=crypto:2 F8_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm\r\n"
	"a=crypto:7 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20\r\n"
	"a=rtpmap:0 PCMU/8000\r\n";

#define SDES(v) dsbc_sdes_parse(v, strlen(v), &c)

static void
test_sdes(void)
{
	struct dsbc_sdes c, back;
	char line[128];
	static const uint8_t key[16] = {
		0x3d, 0x2d, 0x6e, 0x40, 0x25, 0x5e, 0x78, 0x21,
		0x42, 0x6a, 0x75, 0x66, 0x72, 0x39, 0x29, 0x3f };
	static const char gcm[] =
		"3 AEAD_AES_128_GCM inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw==";
	unsigned int i;

	/* RFC 4568 9.1's line: valid, but its MKI is not for dsbc */
	CU_ASSERT_EQUAL(SDES("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQC"
		"VeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4"), -2);
	CU_ASSERT_EQUAL(SDES("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQC"
		"VeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20"), 0);
	CU_ASSERT_EQUAL(c.tag, 1);
	CU_ASSERT_EQUAL(c.suite, DSBC_SRTP_SUITE_AES_CM_128_HMAC_SHA1_80);
	CU_ASSERT_EQUAL(memcmp(c.key, key, 16), 0);
	CU_ASSERT_EQUAL(c.salt[13], 0x51);
	/* GCM: 16 + 12 bytes (RFC 7714 section 14.2) */
	CU_ASSERT_EQUAL(dsbc_sdes_parse(gcm, sizeof(gcm) - 1, &c), 0);
	CU_ASSERT_EQUAL(c.suite, DSBC_SRTP_SUITE_AEAD_AES_128_GCM);
	CU_ASSERT_EQUAL(c.salt_len, 12);
	for (i = 0; i < 16; i++)
		CU_ASSERT_EQUAL(c.key[i], i);
	CU_ASSERT_EQUAL(c.salt[11], 27);
	/* round trip */
	CU_ASSERT_FATAL(dsbc_sdes_format(&c, line, sizeof(line)) > 0);
	CU_ASSERT_STRING_EQUAL(line, gcm);
	CU_ASSERT_EQUAL(dsbc_sdes_parse(line, strlen(line), &back), 0);
	CU_ASSERT_EQUAL(memcmp(&back, &c, sizeof(c)), 0);
	CU_ASSERT_EQUAL(dsbc_sdes_format(&c, line, 20), -1);
	/* refused: no tag, tag 0, no inline, unknown suite, short key,
	 * bad base64, session parameters */
	CU_ASSERT_EQUAL(SDES("AES_CM_128_HMAC_SHA1_80 inline:x"), -1);
	CU_ASSERT_EQUAL(SDES("0 AES_CM_128_HMAC_SHA1_80 inline:x"), -1);
	CU_ASSERT_EQUAL(SDES("1 AES_CM_128_HMAC_SHA1_80 key:x"), -1);
	CU_ASSERT_EQUAL(SDES("1 NULL_HMAC inline:PS1u"), -2);
	CU_ASSERT_EQUAL(SDES("1 AES_CM_128_HMAC_SHA1_80 inline:PS1u"), -2);
	CU_ASSERT_EQUAL(SDES("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQC"
		"VeeCFCanVmcjkpPywjNWhcYD0mXXtxaV!R"), -2);
	CU_ASSERT_EQUAL(SDES("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQC"
		"VeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR UNENCRYPTED_SRTP"), -2);
	/* in an SDP: line 1 has an MKI, line 2 an unknown suite: 7 is the
	 * first usable; by tag, 7 and nothing else */
	CU_ASSERT_EQUAL_FATAL(dsbc_sdp_parse(sdes, sizeof(sdes) - 1, &s),
			      DSBC_SDP_ERR_NONE);
	CU_ASSERT_EQUAL(s.media[0].nb_crypto, 3);
	CU_ASSERT_EQUAL(dsbc_sdes_find(&s, 0, 0, &c), 0);
	CU_ASSERT_EQUAL(c.tag, 7);
	CU_ASSERT_EQUAL(c.suite, DSBC_SRTP_SUITE_AES_CM_128_HMAC_SHA1_32);
	CU_ASSERT_EQUAL(dsbc_sdes_find(&s, 0, 1, &c), -1);
	CU_ASSERT_EQUAL(dsbc_sdes_find(&s, 1, 0, &c), -1);
}

/* Terminator mode changes a leg's media security: profile and lines. */
static void
test_rewrite_security(void)
{
	struct dsbc_sdp_plan pl = {
		.family = 4, .addr = "192.0.2.1", .origin_user = "dsbc",
		.sess_version = 1, .media = { {30000, 30001}, {30002, 30003} },
		.security = DSBC_SDP_SEC_SDES,
	};

	/* DTLS (WebRTC) -> SDES: fingerprint and setup gone, dsbc's crypto
	 * in the live m-line, the basic SDES profile (RTP/SAVP) */
	CU_ASSERT_EQUAL_FATAL(dsbc_sdp_parse(webrtc, sizeof(webrtc) - 1, &s),
			      DSBC_SDP_ERR_NONE);
	pl.media[0].crypto = "1 AES_CM_128_HMAC_SHA1_80 inline:AAAA";
	CU_ASSERT_FATAL(rewrite(&pl) > 0);
	CU_ASSERT(has_line(out, "m=audio 30000 RTP/SAVP 111 0"));
	CU_ASSERT(has_line(out, "m=video 0 UDP/TLS/RTP/SAVPF 96"));
	pl.security = DSBC_SDP_SEC_DTLS;
	pl.fingerprint = "sha-256 AA:BB";
	CU_ASSERT_FATAL(rewrite(&pl) > 0);
	CU_ASSERT(has_line(out, "m=audio 30000 UDP/TLS/RTP/SAVPF 111 0"));
	pl.security = DSBC_SDP_SEC_SDES;
	CU_ASSERT_FATAL(rewrite(&pl) > 0);
	CU_ASSERT(has_line(out,
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAAA"));
	CU_ASSERT_EQUAL(count_lines(out, "a=crypto:"), 1);
	CU_ASSERT_PTR_NULL(strstr(out, "a=fingerprint"));
	CU_ASSERT_PTR_NULL(strstr(out, "a=setup"));
	CU_ASSERT(has_line(out, "a=x-unknown-attr:keep me"));
	/* SDES -> DTLS: crypto lines gone, fingerprint and setup added */
	CU_ASSERT_EQUAL_FATAL(dsbc_sdp_parse(sdes, sizeof(sdes) - 1, &s),
			      DSBC_SDP_ERR_NONE);
	pl.security = DSBC_SDP_SEC_DTLS;
	pl.fingerprint = "sha-256 AA:BB";
	pl.setup = "actpass";
	CU_ASSERT_FATAL(rewrite(&pl) > 0);
	CU_ASSERT(has_line(out, "m=audio 30000 UDP/TLS/RTP/SAVP 0"));
	CU_ASSERT(has_line(out, "a=fingerprint:sha-256 AA:BB"));
	CU_ASSERT(has_line(out, "a=setup:actpass"));
	CU_ASSERT_PTR_NULL(strstr(out, "a=crypto"));
	/* -> plain */
	pl.security = DSBC_SDP_SEC_PLAIN;
	CU_ASSERT_FATAL(rewrite(&pl) > 0);
	CU_ASSERT(has_line(out, "m=audio 30000 RTP/AVP 0"));
	CU_ASSERT_PTR_NULL(strstr(out, "a=crypto"));
	CU_ASSERT_PTR_NULL(strstr(out, "a=fingerprint"));
	/* KEEP (relay): everything as it came */
	pl.security = DSBC_SDP_SEC_KEEP;
	pl.fingerprint = NULL;
	pl.setup = NULL;
	CU_ASSERT_FATAL(rewrite(&pl) > 0);
	CU_ASSERT(has_line(out, "m=audio 30000 RTP/SAVP 0"));
	CU_ASSERT_EQUAL(count_lines(out, "a=crypto:"), 3);
}

static void
test_rfc5118_ipv6(void)
{
	static const char *const dirs[] = {"../shared/conformance",
					   "/work/shared/conformance"};
	char path[512], buf[4096];
	const char *body;
	size_t len = 0;
	unsigned int i;
	FILE *f = NULL;

	for (i = 0; i < 2 && f == NULL; i++) {
		snprintf(path, sizeof(path), "%s/rfc5118/ipv6-in-sdp.dat",
			 dirs[i]);
		f = fopen(path, "rb");
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	body = strstr(buf, "\r\n\r\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(body);
	body += 4;
	CU_ASSERT_EQUAL_FATAL(dsbc_sdp_parse(body, (uint32_t)(buf + len - body),
					     &s), DSBC_SDP_ERR_NONE);
	CU_ASSERT_EQUAL(s.conn.family, 6);
	CU_ASSERT_EQUAL(s.nb_media, 2);
	CU_ASSERT_EQUAL(s.media[1].port, 6024);
	CU_ASSERT_EQUAL(s.media[1].conn.family, 6);
	CU_ASSERT_EQUAL(s.media[1].rtpmap[0].clock, 90000);
}

static void
expect_err(const char *text, enum dsbc_sdp_err want)
{
	enum dsbc_sdp_err e = dsbc_sdp_parse(text, (uint32_t)strlen(text), &s);

	CU_ASSERT_EQUAL(e, want);
	if (e != want)
		fprintf(stderr, "  '%.30s...': got %s want %s\n", text,
			dsbc_sdp_err_name(e), dsbc_sdp_err_name(want));
}

#define HEAD "v=0\r\no=a 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"

static void
test_errors(void)
{
	static char big[DSBC_SDP_MAX_LINE + 64];
	char many[4096];
	int i, n;

	expect_err("", DSBC_SDP_ERR_EMPTY);
	expect_err("o=a 1 1 IN IP4 192.0.2.1\r\nv=0\r\n", DSBC_SDP_ERR_VERSION);
	expect_err("v=1\r\n", DSBC_SDP_ERR_VERSION);
	expect_err(HEAD "garbage\r\n", DSBC_SDP_ERR_LINE);
	expect_err(HEAD "X=upper\r\n", DSBC_SDP_ERR_LINE);
	expect_err("v=0\r\no=a 1\r\n", DSBC_SDP_ERR_ORIGIN);
	expect_err(HEAD "c=IN IP4 999.1.1.1\r\n", DSBC_SDP_ERR_CONN);
	expect_err(HEAD "c=IN IP7 192.0.2.1\r\n", DSBC_SDP_ERR_CONN);
	expect_err(HEAD "c=IN IP4 192.0.2.1\r\nm=audio 70000 RTP/AVP 0\r\n",
		   DSBC_SDP_ERR_MEDIA);
	expect_err(HEAD "c=IN IP4 192.0.2.1\r\nm=audio x RTP/AVP 0\r\n",
		   DSBC_SDP_ERR_MEDIA);
	expect_err(HEAD "c=IN IP4 192.0.2.1\r\nm=audio 5000 RTP/AVP\r\n",
		   DSBC_SDP_ERR_MEDIA);
	expect_err(HEAD "m=audio 5000 RTP/AVP 0\r\n", DSBC_SDP_ERR_NO_CONN);
	expect_err(HEAD "c=IN IP4 192.0.2.1\r\nm=audio 5000 RTP/AVP 0\r\n"
		   "a=rtcp:0\r\n", DSBC_SDP_ERR_RTCP);
	expect_err(HEAD "c=IN IP4 192.0.2.1\r\nm=audio 5000 RTP/AVP 0\r\n"
		   "a=rtcp:5001 IN IP4 nope\r\n", DSBC_SDP_ERR_RTCP);
	n = snprintf(many, sizeof(many), HEAD "c=IN IP4 192.0.2.1\r\n");
	for (i = 0; i <= DSBC_SDP_MAX_MEDIA; i++)
		n += snprintf(many + n, sizeof(many) - (size_t)n,
			      "m=audio %d RTP/AVP 0\r\n", 5000 + 2 * i);
	expect_err(many, DSBC_SDP_ERR_TOO_MANY_MEDIA);
	memset(big, 'x', sizeof(big) - 1);
	memcpy(big, "v=0\r\na=", 7);
	expect_err(big, DSBC_SDP_ERR_LINE_TOO_LONG);
	/* valid minimal one for contrast */
	expect_err(HEAD "c=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n",
		   DSBC_SDP_ERR_NONE);
}

static void
test_mutations(void)
{
	struct dsbc_sdp_plan pl = {
		.family = 4, .addr = "192.0.2.1", .origin_user = "dsbc",
		.sess_version = 1, .ice_ufrag = "u", .ice_pwd = "p",
	};
	unsigned int i, ok = 0;

	srand(8866);
	for (i = 0; i < 100000; i++) {
		uint32_t len = sizeof(webrtc) - 1;
		uint32_t n = (i & 1) ? (uint32_t)rand() % (len + 1) : len;
		char *buf = malloc(n ? n : 1);
		unsigned int k;

		memcpy(buf, webrtc, n);
		for (k = 0; k < 1 + i % 4 && n > 0; k++)
			buf[rand() % n] = (char)(rand() % 128);
		if (dsbc_sdp_parse(buf, n, &s) == DSBC_SDP_ERR_NONE) {
			ok++;
			CU_ASSERT(dsbc_sdp_rewrite(&s, &pl, out, sizeof(out)) > 0);
		}
		free(buf);
	}
	printf("  mutations: 100000 runs, %u still parsed\n", ok);
}

/* RFC 8839 5.1 candidates, and the best one per component and family. */
static void
test_ice_candidates(void)
{
	static const char sdp[] =
		"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"
		"c=IN IP4 192.0.2.1\r\nt=0 0\r\n"
		"m=audio 7000 RTP/AVP 0\r\n"
		"a=candidate:1 1 UDP 2130706431 192.0.2.1 7000 typ host\r\n"
		"a=candidate:2 1 udp 2130706175 2001:db8::1 7100 typ host\r\n"
		"a=candidate:3 1 UDP 2130706400 2001:db8::2 7300 typ host "
		"generation 0\r\n"
		"a=candidate:4 1 TCP 2130706500 2001:db8::3 9 typ host "
		"tcptype active\r\n"
		"a=candidate:5 1 UDP 2130706600 abc.local 7400 typ host\r\n"
		"a=candidate:3 2 UDP 2130706399 2001:db8::2 7301 typ host\r\n"
		"m=video 8000 RTP/AVP 96\r\n"
		"a=candidate:1 1 UDP 2130706431 192.0.2.1 8000 typ host\r\n";
	struct dsbc_sdp_cand c;
	struct dsbc_sdp sd;
	static const char *const bad[] = {
		"1 1 UDP 1 192.0.2.1 7000 host", "1 0 UDP 1 192.0.2.1 7000 typ host",
		"1 1 UDP x 192.0.2.1 7000 typ host",
		"1 1 UDP 1 192.0.2.1 70000 typ host", "1 1 UDP 1 192.0.2.1 7000 typ",
		"",
	};
	unsigned int i;

	CU_ASSERT_EQUAL_FATAL(dsbc_sdp_parse(sdp, sizeof(sdp) - 1, &sd),
			      DSBC_SDP_ERR_NONE);
	/* highest priority UDP of the family: not TCP, not an mDNS name */
	CU_ASSERT_EQUAL(dsbc_sdp_cand_best(&sd, 0, 1, 6, &c), 0);
	CU_ASSERT_EQUAL(c.port, 7300);
	CU_ASSERT_EQUAL(c.addr.len, strlen("2001:db8::2"));
	CU_ASSERT_EQUAL(dsbc_sdp_cand_best(&sd, 0, 2, 6, &c), 0);
	CU_ASSERT_EQUAL(c.port, 7301);
	CU_ASSERT_EQUAL(dsbc_sdp_cand_best(&sd, 0, 1, 4, &c), 0);
	CU_ASSERT_EQUAL(c.port, 7000);
	CU_ASSERT_EQUAL(dsbc_sdp_cand_best(&sd, 0, 2, 4, &c), -1);
	/* per media section */
	CU_ASSERT_EQUAL(dsbc_sdp_cand_best(&sd, 1, 1, 6, &c), -1);
	CU_ASSERT_EQUAL(dsbc_sdp_cand_best(&sd, 1, 1, 4, &c), 0);
	CU_ASSERT_EQUAL(c.port, 8000);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(dsbc_sdp_cand_parse((struct dsbc_sdp_str){
			bad[i], (uint32_t)strlen(bad[i]) }, &c), -1);
}

int
unit_register(void)
{
	CU_pSuite su = CU_add_suite("sdp", NULL, NULL);

	if (su == NULL)
		return -1;
	UNIT_ADD(su, test_parse_webrtc);
	UNIT_ADD(su, test_parse_fingerprints);
	UNIT_ADD(su, test_rewrite_relay);
	UNIT_ADD(su, test_rewrite_phone_and_terminate);
	UNIT_ADD(su, test_sdes);
	UNIT_ADD(su, test_rewrite_security);
	UNIT_ADD(su, test_rfc5118_ipv6);
	UNIT_ADD(su, test_ice_candidates);
	UNIT_ADD(su, test_errors);
	UNIT_ADD(su, test_mutations);
	return 0;
}
