/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine-independent parts of SRTP against RFC 3711: appendix B.3 key
 * derivation, appendix B.2 AES-CM keystream through our IV (4.1.1),
 * index estimation across sequence wraps (3.3.1) and the replay list
 * (3.3.2).
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include <errno.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "dsbc_srtp.h"
#include "dsbc_srtp_lib.h"
#include "srtp_expect.h"
#include "unit.h"

const bool unit_needs_eal = false;

static void
test_kdf_b3(void)
{
	uint8_t mk[16], ms[14], want[20], got[20];

	hex("E1F97A0D3E018BE0D64FA32C06DE4139", mk, 16);
	hex("0EC675AD498AFEEBB6960B3AABE6", ms, 14);
	CU_ASSERT_EQUAL(dsbc_srtp_kdf(mk, 16, ms, DSBC_SRTP_LABEL_RTP_ENC, 0,
				      got, 16), 0);
	hex("C61E7A93744F39EE10734AFE3FF7A087", want, 16);
	CU_ASSERT(memcmp(got, want, 16) == 0);
	CU_ASSERT_EQUAL(dsbc_srtp_kdf(mk, 16, ms, DSBC_SRTP_LABEL_RTP_SALT, 0,
				      got, 14), 0);
	hex("30CBBC08863D8C85D49DB34A9AE1", want, 14);
	CU_ASSERT(memcmp(got, want, 14) == 0);
	CU_ASSERT_EQUAL(dsbc_srtp_kdf(mk, 16, ms, DSBC_SRTP_LABEL_RTP_AUTH, 0,
				      got, 20), 0);
	hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4", want, 20);
	CU_ASSERT(memcmp(got, want, 20) == 0);
	CU_ASSERT_EQUAL(dsbc_srtp_kdf(mk, 15, ms, 0, 0, got, 16), -1);
}

static void
test_keystream_b2(void)
{
	static const struct {
		unsigned int block;
		const char *ks;
	} rows[] = {
		{ 0x0000, "E03EAD0935C95E80E166B16DD92B4EB4" },
		{ 0x0001, "D23513162B02D0F72A43A2FE4A5F97AB" },
		{ 0x0002, "41E95B3BB0A2E8DD477901E4FCA894C0" },
		{ 0xFEFF, "EC8CDF7398607CB0F2D21675EA9EA1E4" },
		{ 0xFF00, "362B7C3C6773516318A077D7FC5073AE" },
	};
	static uint8_t ks[16 * 0xFF01];
	uint8_t key[16], salt[14], iv[16], want[16];
	unsigned int i;

	hex("2B7E151628AED2A6ABF7158809CF4F3C", key, 16);
	hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD", salt, 14);
	/* SSRC 0, index 0: the IV is the salt shifted, as B.2 lists it */
	dsbc_srtp_iv(salt, 0, 0, iv);
	hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000", want, 16);
	CU_ASSERT(memcmp(iv, want, 16) == 0);
	CU_ASSERT_EQUAL(dsbc_srtp_aes_cm(key, 16, iv, ks, sizeof(ks)), 0);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		hex(rows[i].ks, want, 16);
		CU_ASSERT(memcmp(ks + 16 * rows[i].block, want, 16) == 0);
	}
	/* SSRC and index land where 4.1.1 puts them */
	dsbc_srtp_iv(salt, 0x11223344, 0xAABBCCDDEEFFull, iv);
	CU_ASSERT_EQUAL(iv[4], 0xF4 ^ 0x11);
	CU_ASSERT_EQUAL(iv[7], 0xF7 ^ 0x44);
	CU_ASSERT_EQUAL(iv[8], 0xF8 ^ 0xAA);
	CU_ASSERT_EQUAL(iv[13], 0xFD ^ 0xFF);
	CU_ASSERT_EQUAL(iv[14], 0);
	CU_ASSERT_EQUAL(iv[3], 0xF3);
}

static void
test_index_guess(void)
{
	/* in order, no wrap */
	CU_ASSERT_EQUAL(dsbc_srtp_index_guess(3, 1000, 1001), (3ull << 16) | 1001);
	/* the sequence wrapped: next ROC */
	CU_ASSERT_EQUAL(dsbc_srtp_index_guess(3, 65530, 5), (4ull << 16) | 5);
	/* a late packet from before the wrap: previous ROC */
	CU_ASSERT_EQUAL(dsbc_srtp_index_guess(4, 5, 65530), (3ull << 16) | 65530);
	/* far reorder within half the space stays in this ROC */
	CU_ASSERT_EQUAL(dsbc_srtp_index_guess(4, 40000, 20000), (4ull << 16) | 20000);
	/* ROC rollover at 2^32 - 1 (mod 2^32) */
	CU_ASSERT_EQUAL(dsbc_srtp_index_guess(0xFFFFFFFFu, 65535, 0), 0);
}

static void
test_replay(void)
{
	struct dsbc_srtp_replay r;
	uint64_t i;

	CU_ASSERT_EQUAL(dsbc_srtp_replay_init(&r, 100), -1);
	CU_ASSERT_EQUAL(dsbc_srtp_replay_init(&r, 128), 0);
	CU_ASSERT_EQUAL(dsbc_srtp_replay_check(&r, 1000), 0);
	dsbc_srtp_replay_update(&r, 1000);
	CU_ASSERT_EQUAL(dsbc_srtp_replay_check(&r, 1000), -1);
	/* every other index up to 1200: the odd ones stay fresh */
	for (i = 1002; i <= 1200; i += 2)
		dsbc_srtp_replay_update(&r, i);
	CU_ASSERT_EQUAL(dsbc_srtp_replay_check(&r, 1200), -1);
	CU_ASSERT_EQUAL(dsbc_srtp_replay_check(&r, 1199), 0);
	CU_ASSERT_EQUAL(dsbc_srtp_replay_check(&r, 1100), -1);
	CU_ASSERT_EQUAL(dsbc_srtp_replay_check(&r, 1073), 0);   /* 127 back */
	CU_ASSERT_EQUAL(dsbc_srtp_replay_check(&r, 1072), -2);  /* 128 back */
	CU_ASSERT_EQUAL(dsbc_srtp_replay_check(&r, 5000), 0);
	dsbc_srtp_replay_update(&r, 1073);
	CU_ASSERT_EQUAL(dsbc_srtp_replay_check(&r, 1073), -1);
	/* a jump past the window forgets it all */
	dsbc_srtp_replay_update(&r, 100000);
	CU_ASSERT_EQUAL(dsbc_srtp_replay_check(&r, 99999), 0);
	CU_ASSERT_EQUAL(dsbc_srtp_replay_check(&r, 100000), -1);
	/* a shift by a whole word and a bit keeps what is inside */
	dsbc_srtp_replay_update(&r, 99990);
	dsbc_srtp_replay_update(&r, 100065);
	CU_ASSERT_EQUAL(dsbc_srtp_replay_check(&r, 99990), -1);
	CU_ASSERT_EQUAL(dsbc_srtp_replay_check(&r, 99991), 0);
	CU_ASSERT_EQUAL(dsbc_srtp_replay_check(&r, 100000), -1);
	/* the widest window, steps under a word carried across its 16 */
	CU_ASSERT_EQUAL(dsbc_srtp_replay_init(&r, 1024), 0);
	for (i = 0; i <= 1000; i += 63)
		dsbc_srtp_replay_update(&r, i);
	for (i = 0; i <= 1000; i++)
		CU_ASSERT_EQUAL(dsbc_srtp_replay_check(&r, i),
				i % 63 == 0 ? -1 : 0);
	dsbc_srtp_replay_update(&r, 1023);
	CU_ASSERT_EQUAL(dsbc_srtp_replay_check(&r, 0), -1);     /* 1023 back */
	dsbc_srtp_replay_update(&r, 1024);
	CU_ASSERT_EQUAL(dsbc_srtp_replay_check(&r, 0), -2);
	CU_ASSERT_EQUAL(dsbc_srtp_replay_check(&r, 63), -1);
}

/*
 * The replay list against a plain model (the set of indexes seen and the
 * top), over random walks with steps back, small steps, word-sized ones
 * and leaps, for every window size: check() must say exactly what the
 * model says, before and after each update.
 */
static void
test_replay_model(void)
{
	static uint8_t seen[1 << 20];
	struct dsbc_srtp_replay r;
	unsigned int size, step, bad = 0, checks = 0;

	for (size = 64; size <= DSBC_SRTP_REPLAY_MAX; size += 64) {
		uint64_t top = 0, i, k;
		bool started = false;

		memset(seen, 0, sizeof(seen));
		CU_ASSERT_FATAL(dsbc_srtp_replay_init(&r, size) == 0);
		i = 5000;
		for (step = 0; step < 3000; step++) {
			unsigned int x = (unsigned int)rand() % 100;
			int want;

			if (x < 50)
				i += 1;
			else if (x < 70)
				i -= (uint64_t)(rand() % (int)(size + 70));
			else if (x < 90)
				i += (uint64_t)(rand() % 130);
			else if (x < 97)
				i += 64 * (uint64_t)(rand() % 40);
			else
				i += (uint64_t)(rand() % 4000);
			if (i >= sizeof(seen) - 5000)
				break;
			/* the model: new above the top; too old at size back */
			want = !started || i > top ? 0 :
			       top - i >= size ? -2 : seen[i] ? -1 : 0;
			bad += dsbc_srtp_replay_check(&r, i) != want;
			checks++;
			if (want == -2)
				continue;
			dsbc_srtp_replay_update(&r, i);
			seen[i] = 1;
			if (!started || i > top)
				top = i;
			started = true;
			/* and the whole window below the top again */
			if (step % 97 == 0)
				for (k = top >= size + 70 ? top - size - 70 : 0;
				     k <= top + 70; k++) {
					want = k > top ? 0 : top - k >= size ?
					       -2 : seen[k] ? -1 : 0;
					bad += dsbc_srtp_replay_check(&r, k) !=
					       want;
					checks++;
				}
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(checks > 50000);
}

static void
test_libsrtp_matches_rfc(void)
{
	uint8_t mk[16], ms[14], pkt[128], want[128];
	struct dsbc_srtp_lib *tx;
	size_t len;
	uint32_t seqs[] = { 0x1234, 65534, 65535, 0, 1 };
	uint32_t roc = 0, i;

	hex("E1F97A0D3E018BE0D64FA32C06DE4139", mk, 16);
	hex("0EC675AD498AFEEBB6960B3AABE6", ms, 14);
	tx = dsbc_srtp_lib_new(DSBC_SRTP_SUITE_AES_CM_128_HMAC_SHA1_80, mk, ms,
			       true, 128);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tx);
	/* the ROC goes to 1 at the wrap (3.3.1): seq 0 and 1 use index
	 * 2^16 and 2^16 + 1 */
	for (i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		if (i > 0 && seqs[i] < seqs[i - 1] && seqs[i - 1] > 60000)
			roc++;
		len = rtp_packet(pkt, (uint16_t)seqs[i]);
		expected_srtp(mk, ms, roc, pkt, len, want);
		CU_ASSERT_EQUAL(dsbc_srtp_lib_protect(tx, pkt, &len,
						      sizeof(pkt), false), 0);
		CU_ASSERT_EQUAL(len, 28 + 10);
		CU_ASSERT(memcmp(pkt, want, 38) == 0);
	}
	len = 28;
	CU_ASSERT_EQUAL(dsbc_srtp_lib_protect(tx, pkt, &len, 28 + 19, false),
			-ENOSPC);
	dsbc_srtp_lib_free(tx);
}

/*
 * RFC 7714 section 16.1.1 (RTP) and 17.1 (RTCP): our IVs, and AES-GCM
 * over them with the header (RTP) or the first 8 bytes and the E-flag ||
 * index word (SRTCP) as associated data, give the RFC's packets.  The
 * vectors' key and salt go straight into GCM (session keys).
 */
static void
test_gcm_rfc7714(void)
{
	uint8_t key[16], salt[12], iv[12], want_iv[12], pkt[64], out[128],
		want[128];

	hex("000102030405060708090a0b0c0d0e0f", key, 16);
	hex("517569642070726f2071756f", salt, 12);
	/* 16.1.1 */
	dsbc_srtp_gcm_iv(salt, 0x5501a0b2, 0, 0xf17b, iv);
	hex("51753c6580c2726f20718414", want_iv, 12);
	CU_ASSERT(memcmp(iv, want_iv, 12) == 0);
	hex("8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e6973206469"
	    "7669736120696e207061727465732074726573", pkt, 50);
	hex("f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d1"
	    "9b36de3adf8833899d7f27beb16a9152cf765ee4390cce", want, 54);
	gcm_seal(key, iv, pkt, 12, pkt + 12, 38, out);
	CU_ASSERT(memcmp(out, want, 54) == 0);
	/* 17.1: SRTCP index 0x5d4, encrypted */
	dsbc_srtcp_gcm_iv(salt, 0x4d617273, 0x800005d4, iv);
	hex("517524055203726f207170bb", want_iv, 12);
	CU_ASSERT(memcmp(iv, want_iv, 12) == 0);
	hex("81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e"
	    "61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef", pkt, 52);
	memcpy(pkt + 52, "\x80\x00\x05\xd4", 4);
	hex("63e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32dc676a5f1730d6fda"
	    "4ce09b4686303ded0bb9275bc84aa45896cf4d2fc5abf87245d9eade", want,
	    60);
	{
		uint8_t aad[12];

		memcpy(aad, pkt, 8);
		memcpy(aad + 8, pkt + 52, 4);
		gcm_seal(key, iv, aad, 12, pkt + 8, 44, out);
	}
	CU_ASSERT(memcmp(out, want, 60) == 0);
}

/*
 * The libsrtp2 engine's AEAD_AES_128_GCM against the same computation:
 * session key and salt from the master ones by the RFC 3711 KDF (RFC 7714
 * section 11: the 96-bit master salt, zero-padded), IV as in 8.1, across
 * a ROC rollover.
 */
static void
test_libsrtp_gcm_matches_rfc(void)
{
	uint8_t mk[16], ms[14] = { 0 }, ke[16], ks[14], iv[12], pkt[128],
		want[128];
	struct dsbc_srtp_lib *tx;
	uint32_t seqs[] = { 7, 65535, 0 }, roc = 0, i;
	size_t len;

	hex("0ec675ad498afeebb6960b3aabe6c173", mk, 16);
	hex("c317f2dabe357793b6960b3a", ms, 12);
	CU_ASSERT_EQUAL_FATAL(dsbc_srtp_kdf(mk, 16, ms, DSBC_SRTP_LABEL_RTP_ENC,
					    0, ke, 16), 0);
	CU_ASSERT_EQUAL_FATAL(dsbc_srtp_kdf(mk, 16, ms, DSBC_SRTP_LABEL_RTP_SALT,
					    0, ks, 12), 0);
	tx = dsbc_srtp_lib_new(DSBC_SRTP_SUITE_AEAD_AES_128_GCM, mk, ms, true,
			       128);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tx);
	for (i = 0; i < 3; i++) {
		if (i > 0 && seqs[i] < seqs[i - 1])
			roc++;
		len = rtp_packet(pkt, (uint16_t)seqs[i]);
		dsbc_srtp_gcm_iv(ks, 0xcafebabe, roc, (uint16_t)seqs[i], iv);
		memcpy(want, pkt, 12);
		gcm_seal(ke, iv, pkt, 12, pkt + 12, 16, want + 12);
		CU_ASSERT_EQUAL(dsbc_srtp_lib_protect(tx, pkt, &len,
						      sizeof(pkt), false), 0);
		CU_ASSERT_EQUAL(len, 28 + 16);
		CU_ASSERT(memcmp(pkt, want, 44) == 0);
	}
	dsbc_srtp_lib_free(tx);
}

static void
roundtrip(enum dsbc_srtp_suite suite, size_t tag)
{
	uint8_t key[16], salt[14], pkt[128], copy[128], plain[128];
	struct dsbc_srtp_lib *tx, *rx;
	size_t len, plen;
	unsigned int i;

	for (i = 0; i < 16; i++)
		key[i] = (uint8_t)(i * 7 + 1);
	for (i = 0; i < 14; i++)
		salt[i] = (uint8_t)(i * 13 + 5);
	tx = dsbc_srtp_lib_new(suite, key, salt, true, 128);
	rx = dsbc_srtp_lib_new(suite, key, salt, false, 128);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tx);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rx);
	plen = rtp_packet(plain, 100);
	memcpy(pkt, plain, plen);
	len = plen;
	CU_ASSERT_EQUAL(dsbc_srtp_lib_protect(tx, pkt, &len, sizeof(pkt),
					      false), 0);
	CU_ASSERT_EQUAL(len, plen + tag);
	CU_ASSERT(memcmp(pkt + 12, plain + 12, 16) != 0);
	memcpy(copy, pkt, len);
	CU_ASSERT_EQUAL(dsbc_srtp_lib_unprotect(rx, pkt, &len, false), 0);
	CU_ASSERT_EQUAL(len, plen);
	CU_ASSERT(memcmp(pkt, plain, plen) == 0);
	/* the same packet again is a replay (3.3.2) */
	len = plen + tag;
	memcpy(pkt, copy, len);
	CU_ASSERT_EQUAL(dsbc_srtp_lib_unprotect(rx, pkt, &len, false),
			-EALREADY);
	/* a flipped payload bit fails authentication */
	plen = rtp_packet(plain, 101);
	memcpy(pkt, plain, plen);
	len = plen;
	dsbc_srtp_lib_protect(tx, pkt, &len, sizeof(pkt), false);
	pkt[20] ^= 1;
	CU_ASSERT_EQUAL(dsbc_srtp_lib_unprotect(rx, pkt, &len, false),
			-EBADMSG);
	/* SRTCP both ways (index and E flag added, 4.1.1/3.4) */
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x80;
	pkt[1] = 200;
	pkt[3] = 6;
	len = 28;
	CU_ASSERT_EQUAL(dsbc_srtp_lib_protect(tx, pkt, &len, sizeof(pkt),
					      true), 0);
	CU_ASSERT(len > 28 + 4);
	CU_ASSERT_EQUAL(dsbc_srtp_lib_unprotect(rx, pkt, &len, true), 0);
	CU_ASSERT_EQUAL(len, 28);
	/* a wrong key: every packet fails */
	key[0] ^= 0x80;
	dsbc_srtp_lib_free(rx);
	rx = dsbc_srtp_lib_new(suite, key, salt, false, 128);
	plen = rtp_packet(plain, 102);
	memcpy(pkt, plain, plen);
	len = plen;
	dsbc_srtp_lib_protect(tx, pkt, &len, sizeof(pkt), false);
	CU_ASSERT_EQUAL(dsbc_srtp_lib_unprotect(rx, pkt, &len, false),
			-EBADMSG);
	dsbc_srtp_lib_free(tx);
	dsbc_srtp_lib_free(rx);
}

static void
test_libsrtp_suites(void)
{
	roundtrip(DSBC_SRTP_SUITE_AES_CM_128_HMAC_SHA1_80, 10);
	roundtrip(DSBC_SRTP_SUITE_AES_CM_128_HMAC_SHA1_32, 4);
	roundtrip(DSBC_SRTP_SUITE_AEAD_AES_128_GCM, 16);
	CU_ASSERT_PTR_NULL(dsbc_srtp_lib_new(DSBC_SRTP_SUITE_MAX,
					     (const uint8_t *)"0123456789abcdef",
					     (const uint8_t *)"0123456789abcd",
					     true, 128));
}

int
unit_register(void)
{
	CU_pSuite s = CU_add_suite("srtp", NULL, NULL);

	if (s == NULL)
		return -1;
	UNIT_ADD(s, test_kdf_b3);
	UNIT_ADD(s, test_keystream_b2);
	UNIT_ADD(s, test_index_guess);
	UNIT_ADD(s, test_replay);
	UNIT_ADD(s, test_replay_model);
	UNIT_ADD(s, test_libsrtp_matches_rfc);
	UNIT_ADD(s, test_gcm_rfc7714);
	UNIT_ADD(s, test_libsrtp_gcm_matches_rfc);
	UNIT_ADD(s, test_libsrtp_suites);
	return 0;
}
