/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_TEST_SRTP_EXPECT_H
#define DSBC_TEST_SRTP_EXPECT_H

/*
 * RFC 3711 protect computed from the text, for the engines' tests: our
 * KDF and IV (themselves checked on appendix B) with OpenSSL's AES-CTR
 * and HMAC (AES-GCM for RFC 7714), independent of libsrtp2 and of
 * cryptodev.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "dsbc_srtp.h"

static void
hex(const char *s, uint8_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned int v;

		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

/* An RTP packet: seq, SSRC 0xCAFEBABE, 16 bytes of 0xAB; returns 28. */
static size_t
rtp_packet(uint8_t *p, uint16_t seq)
{
	static const uint8_t hdr[12] = { 0x80, 0x0f, 0, 0, 0xde, 0xca, 0xfb,
					 0xad, 0xca, 0xfe, 0xba, 0xbe };

	memcpy(p, hdr, 12);
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	memset(p + 12, 0xab, 16);
	return 28;
}

/*
 * What RFC 3711 says protect must produce, computed here from the spec
 * with our KDF and IV and OpenSSL's AES-CTR and HMAC: sections 4.1.1
 * (AES-CM), 4.2 (HMAC-SHA1 over the packet and the ROC, 80 bits).
 */
static void
expected_srtp(const uint8_t *mk, const uint8_t *ms, uint32_t roc,
	      const uint8_t *plain, size_t len, uint8_t *out)
{
	uint8_t ke[16], ka[20], ks[14], iv[16], stream[64], mac[20], buf[128];
	uint16_t seq = (uint16_t)(plain[2] << 8 | plain[3]);
	uint32_t ssrc = (uint32_t)plain[8] << 24 | (uint32_t)plain[9] << 16 |
			(uint32_t)plain[10] << 8 | plain[11];
	unsigned int i, ml = 0;

	dsbc_srtp_kdf(mk, 16, ms, DSBC_SRTP_LABEL_RTP_ENC, 0, ke, 16);
	dsbc_srtp_kdf(mk, 16, ms, DSBC_SRTP_LABEL_RTP_AUTH, 0, ka, 20);
	dsbc_srtp_kdf(mk, 16, ms, DSBC_SRTP_LABEL_RTP_SALT, 0, ks, 14);
	dsbc_srtp_iv(ks, ssrc, ((uint64_t)roc << 16) | seq, iv);
	dsbc_srtp_aes_cm(ke, 16, iv, stream, len - 12);
	memcpy(out, plain, 12);
	for (i = 0; i < len - 12; i++)
		out[12 + i] = plain[12 + i] ^ stream[i];
	/* authenticated portion || ROC (section 4.2) */
	memcpy(buf, out, len);
	buf[len] = (uint8_t)(roc >> 24);
	buf[len + 1] = (uint8_t)(roc >> 16);
	buf[len + 2] = (uint8_t)(roc >> 8);
	buf[len + 3] = (uint8_t)roc;
	HMAC(EVP_sha1(), ka, 20, buf, len + 4, mac, &ml);
	memcpy(out + len, mac, 10);
}

/* AES-128-GCM with OpenSSL: out = ciphertext || 16-byte tag. */
static inline void
gcm_seal(const uint8_t *key, const uint8_t iv[12], const uint8_t *aad,
	 int aad_len, const uint8_t *pt, int pt_len, uint8_t *out)
{
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	int n = 0, f = 0;

	EVP_EncryptInit_ex(x, EVP_aes_128_gcm(), NULL, NULL, NULL);
	EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_IVLEN, 12, NULL);
	EVP_EncryptInit_ex(x, NULL, NULL, key, iv);
	EVP_EncryptUpdate(x, NULL, &n, aad, aad_len);
	EVP_EncryptUpdate(x, out, &n, pt, pt_len);
	EVP_EncryptFinal_ex(x, out + n, &f);
	EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, 16, out + pt_len);
	EVP_CIPHER_CTX_free(x);
}

/*
 * RFC 7714 protect computed from the text: session key and salt by the
 * RFC 3711 KDF (section 11: the 96-bit master salt zero-padded), IV as in
 * 8.1, the 12-byte header as AAD (8.2), a 16-byte tag.
 */
static inline void
expected_srtp_gcm(const uint8_t *mk, const uint8_t ms12[12], uint32_t roc,
		  const uint8_t *plain, size_t len, uint8_t *out)
{
	uint8_t ms[14] = { 0 }, ke[16], ks[14], iv[12];
	uint16_t seq = (uint16_t)(plain[2] << 8 | plain[3]);
	uint32_t ssrc = (uint32_t)plain[8] << 24 | (uint32_t)plain[9] << 16 |
			(uint32_t)plain[10] << 8 | plain[11];

	memcpy(ms, ms12, 12);
	dsbc_srtp_kdf(mk, 16, ms, DSBC_SRTP_LABEL_RTP_ENC, 0, ke, 16);
	dsbc_srtp_kdf(mk, 16, ms, DSBC_SRTP_LABEL_RTP_SALT, 0, ks, 12);
	dsbc_srtp_gcm_iv(ks, ssrc, roc, seq, iv);
	memcpy(out, plain, 12);
	gcm_seal(ke, iv, plain, 12, plain + 12, (int)len - 12, out + 12);
}

#endif /* DSBC_TEST_SRTP_EXPECT_H */
