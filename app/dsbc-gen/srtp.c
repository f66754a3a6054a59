/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SRTP for dsbc-gen with libsrtp2, a peer implementation independent of
 * dsbc's: --srtp protects the RTP and RTCP it generates (what a caller
 * would send); --check-srtp unprotects what dsbc sent and compares it
 * with the clear stream (what a callee would get).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include <openssl/evp.h>
#include <pcap/pcap.h>
#include <srtp2/srtp.h>

#include "gen.h"

static const struct {
	const char *name;
	size_t key_salt;
} suites[] = {
	{ "AES_CM_128_HMAC_SHA1_80", 30 },
	{ "AES_CM_128_HMAC_SHA1_32", 30 },
	{ "AEAD_AES_128_GCM", 28 },
};

/* "SUITE:base64(key||salt)" (RFC 4568 names) into a libsrtp2 session. */
static bool ready;                   /* srtp_init() done */

int
gen_srtp_open(const char *spec, bool outbound, void **out)
{
	const char *colon = strchr(spec, ':');
	unsigned char raw[64];
	srtp_policy_t pol;
	srtp_t s;
	size_t n, i;
	int len;

	if (colon == NULL)
		return -1;
	for (i = 0; i < 3; i++)
		if ((size_t)(colon - spec) == strlen(suites[i].name) &&
		    memcmp(spec, suites[i].name, (size_t)(colon - spec)) == 0)
			break;
	n = strlen(colon + 1);
	if (i == 3 || n == 0 || n > 60 || n % 4 != 0)
		return -1;
	len = EVP_DecodeBlock(raw, (const unsigned char *)colon + 1, (int)n);
	/* EVP_DecodeBlock counts the padding as data */
	while (n > 0 && colon[n] == '=') {
		len--;
		n--;
	}
	if (len != (int)suites[i].key_salt)
		return -1;
	if (!ready) {
		if (srtp_init() != srtp_err_status_ok)
			return -1;
		ready = true;
	}
	memset(&pol, 0, sizeof(pol));
	switch (i) {
	case 0:
		srtp_crypto_policy_set_rtp_default(&pol.rtp);
		srtp_crypto_policy_set_rtcp_default(&pol.rtcp);
		break;
	case 1:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&pol.rtp);
		srtp_crypto_policy_set_rtcp_default(&pol.rtcp);
		break;
	default:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtcp);
		break;
	}
	pol.key = raw;
	pol.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
	pol.window_size = 1024;
	if (srtp_create(&s, &pol) != srtp_err_status_ok)
		return -1;
	*out = s;
	return 0;
}

static bool
is_rtcp(const uint8_t *p, uint32_t len)
{
	/* RFC 5761 section 4: RTCP packet types 192-223 */
	return len >= 8 && (p[0] >> 6) == 2 && p[1] >= 192 && p[1] <= 223;
}

static bool
is_rtp_class(const uint8_t *p, uint32_t len)
{
	return len >= 12 && p[0] >= 128 && p[0] <= 191;   /* RFC 7983 */
}

void
gen_srtp_close(void *s)
{
	if (s != NULL)
		srtp_dealloc(s);
}

int
gen_srtp_protect(void *s, uint8_t *p, uint32_t *len, uint32_t cap)
{
	int n = (int)*len;

	if (!is_rtp_class(p, *len) && !is_rtcp(p, *len))
		return 0;                   /* not media: as it is */
	if (*len + SRTP_MAX_TRAILER_LEN > cap)
		return -1;
	if ((is_rtcp(p, *len) ? srtp_protect_rtcp(s, p, &n) :
				srtp_protect(s, p, &n)) != srtp_err_status_ok)
		return -1;
	*len = (uint32_t)n;
	return 0;
}

/* UDP payload of an Ethernet [802.1Q] IPv4/IPv6 frame, NULL if none. */
static const uint8_t *
udp_payload(const uint8_t *f, uint32_t len, uint32_t *plen)
{
	uint32_t off = 12, l4;
	uint16_t et;

	if (len < 14)
		return NULL;
	et = (uint16_t)(f[off] << 8 | f[off + 1]);
	if (et == 0x8100) {
		off += 4;
		et = (uint16_t)(f[off] << 8 | f[off + 1]);
	}
	off += 2;
	if (et == 0x0800 && len >= off + 20 && f[off + 9] == 17)
		l4 = off + 4u * (f[off] & 0x0f);
	else if (et == 0x86dd && len >= off + 40 && f[off + 6] == 17)
		l4 = off + 40;
	else
		return NULL;
	if (len < l4 + 8)
		return NULL;
	*plen = (uint32_t)(f[l4 + 4] << 8 | f[l4 + 5]) - 8;
	if (*plen > len - l4 - 8)
		return NULL;
	return f + l4 + 8;
}

/*
 * Unprotect every RTP/RTCP-class payload of `got` with spec and compare
 * it with the RTP/RTCP-class payloads of `plain`, in order.  Prints
 * "srtp-check: frames=<n> unprotected=<k> failed=<f> match=<m>
 * mismatch=<x>"; returns 0 when every frame unprotected and matched.
 */
int
gen_srtp_check(const char *spec, const char *got, const char *plain)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *g = pcap_open_offline(got, err), *pl = pcap_open_offline(plain,
									 err);
	uint32_t frames = 0, ok = 0, failed = 0, match = 0, mismatch = 0;
	struct pcap_pkthdr *h;
	const u_char *d;
	void *s = NULL;

	if (g == NULL || pl == NULL || gen_srtp_open(spec, false, &s) != 0) {
		fprintf(stderr, "dsbc-gen: --check-srtp: %s\n",
			g == NULL || pl == NULL ? err : "bad SUITE:key");
		if (g != NULL)
			pcap_close(g);
		if (pl != NULL)
			pcap_close(pl);
		return 2;
	}
	while (pcap_next_ex(g, &h, &d) == 1) {
		uint8_t buf[GEN_FRAME_MAX];
		const uint8_t *p, *q = NULL;
		uint32_t len, qlen = 0;
		int n;

		p = udp_payload(d, h->caplen, &len);
		if (p == NULL || len > sizeof(buf) ||
		    (!is_rtp_class(p, len) && !is_rtcp(p, len)))
			continue;
		frames++;
		memcpy(buf, p, len);
		n = (int)len;
		if ((is_rtcp(buf, len) ? srtp_unprotect_rtcp(s, buf, &n) :
					 srtp_unprotect(s, buf, &n)) !=
		    srtp_err_status_ok) {
			failed++;
			continue;
		}
		ok++;
		/* the clear frame it came from: next media frame of plain */
		while (pcap_next_ex(pl, &h, &d) == 1) {
			q = udp_payload(d, h->caplen, &qlen);
			if (q != NULL && (is_rtp_class(q, qlen) ||
					  is_rtcp(q, qlen)))
				break;
			q = NULL;
		}
		if (q != NULL && qlen == (uint32_t)n && memcmp(q, buf, qlen) == 0)
			match++;
		else
			mismatch++;
	}
	printf("srtp-check: frames=%u unprotected=%u failed=%u match=%u "
	       "mismatch=%u\n", frames, ok, failed, match, mismatch);
	pcap_close(g);
	pcap_close(pl);
	srtp_dealloc(s);
	return frames > 0 && ok == frames && match == frames ? 0 : 1;
}

/*
 * libsrtp2 alone on what a terminator does per packet: unprotect with one
 * key, protect with another (RTP, `size` bytes before protection, one
 * SSRC, sequence numbers counting up).  The input is protected before the
 * clock starts.  Prints "srtp-bench: suite=<s> packets=<n> ns_per_pkt=<t>
 * pps=<p>"; returns 0.
 */
int
gen_srtp_bench(const char *rx_spec, const char *tx_spec, uint32_t n,
	       uint32_t size)
{
	void *out_a, *in_a, *out_b;
	uint8_t (*pk)[256];
	int *len;
	struct timespec t0, t1;
	uint32_t i, ok = 0;
	double ns;

	if (size < 12 || size > 200 ||
	    gen_srtp_open(rx_spec, true, &out_a) != 0 ||
	    gen_srtp_open(rx_spec, false, &in_a) != 0 ||
	    gen_srtp_open(tx_spec, true, &out_b) != 0) {
		fprintf(stderr, "dsbc-gen: --bench-srtp: bad keys or size\n");
		return 2;
	}
	pk = malloc((size_t)n * sizeof(*pk));
	len = malloc((size_t)n * sizeof(*len));
	if (pk == NULL || len == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		uint32_t l = gen_payload(GEN_RTP, i, 0x5eed0001, size, pk[i],
					 sizeof(pk[i]));

		len[i] = (int)l;
		srtp_protect(out_a, pk[i], &len[i]);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		int l = len[i];

		if (srtp_unprotect(in_a, pk[i], &l) == srtp_err_status_ok &&
		    srtp_protect(out_b, pk[i], &l) == srtp_err_status_ok)
			ok++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 +
	     (double)(t1.tv_nsec - t0.tv_nsec);
	printf("srtp-bench: suite=%.*s packets=%u ok=%u ns_per_pkt=%.1f "
	       "pps=%.0f\n", (int)(strchr(rx_spec, ':') - rx_spec), rx_spec, n,
	       ok, ns / n, n / (ns / 1e9));
	free(pk);
	free(len);
	srtp_dealloc(out_a);
	srtp_dealloc(in_a);
	srtp_dealloc(out_b);
	return ok == n ? 0 : 1;
}
