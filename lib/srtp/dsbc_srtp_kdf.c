/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 3711 section 4.3 key derivation and the AES-CM keystream (4.1.1). */
#include <string.h>

#include <openssl/evp.h>

#include "dsbc_srtp.h"

int
dsbc_srtp_aes_cm(const uint8_t *key, size_t key_len, const uint8_t iv[16],
		 uint8_t *out, size_t len)
{
	const EVP_CIPHER *c = key_len == 16 ? EVP_aes_128_ctr() :
			      key_len == 24 ? EVP_aes_192_ctr() :
			      key_len == 32 ? EVP_aes_256_ctr() : NULL;
	EVP_CIPHER_CTX *x;
	int n, ok;

	if (c == NULL || len > (1u << 20))
		return -1;
	x = EVP_CIPHER_CTX_new();
	if (x == NULL)
		return -1;
	memset(out, 0, len);
	/* keystream = encryption of zeros; OpenSSL's CTR increments the
	 * whole 128-bit block, SRTP's counter is the low 16 bits: the same
	 * for the 2^16 blocks a packet or a derivation can use */
	ok = EVP_EncryptInit_ex(x, c, NULL, key, iv) == 1 &&
	     EVP_EncryptUpdate(x, out, &n, out, (int)len) == 1;
	EVP_CIPHER_CTX_free(x);
	return ok ? 0 : -1;
}

void
dsbc_srtp_iv(const uint8_t salt[DSBC_SRTP_SALT_LEN], uint32_t ssrc,
	     uint64_t index, uint8_t iv[16])
{
	unsigned int i;

	memcpy(iv, salt, DSBC_SRTP_SALT_LEN);
	iv[14] = iv[15] = 0;
	/* SSRC at bytes 4..7, the 48-bit index at bytes 8..13 */
	for (i = 0; i < 4; i++)
		iv[4 + i] ^= (uint8_t)(ssrc >> (24 - 8 * i));
	for (i = 0; i < 6; i++)
		iv[8 + i] ^= (uint8_t)(index >> (40 - 8 * i));
}

void
dsbc_srtp_gcm_iv(const uint8_t salt[DSBC_SRTP_GCM_SALT_LEN], uint32_t ssrc,
		 uint32_t roc, uint16_t seq, uint8_t iv[12])
{
	unsigned int i;

	/* RFC 7714 8.1: 00 00 || SSRC || ROC || SEQ, XOR the salt */
	memcpy(iv, salt, DSBC_SRTP_GCM_SALT_LEN);
	for (i = 0; i < 4; i++) {
		iv[2 + i] ^= (uint8_t)(ssrc >> (24 - 8 * i));
		iv[6 + i] ^= (uint8_t)(roc >> (24 - 8 * i));
	}
	iv[10] ^= (uint8_t)(seq >> 8);
	iv[11] ^= (uint8_t)seq;
}

void
dsbc_srtcp_gcm_iv(const uint8_t salt[DSBC_SRTP_GCM_SALT_LEN], uint32_t ssrc,
		  uint32_t index, uint8_t iv[12])
{
	unsigned int i;

	/* RFC 7714 9.1: 00 00 || SSRC || 00 00 || 0 || 31-bit index; the E
	 * flag is authenticated, not part of the IV */
	memcpy(iv, salt, DSBC_SRTP_GCM_SALT_LEN);
	for (i = 0; i < 4; i++) {
		iv[2 + i] ^= (uint8_t)(ssrc >> (24 - 8 * i));
		iv[8 + i] ^= (uint8_t)((index & 0x7fffffffu) >> (24 - 8 * i));
	}
}

int
dsbc_srtp_kdf(const uint8_t *master_key, size_t key_len,
	      const uint8_t master_salt[DSBC_SRTP_SALT_LEN],
	      enum dsbc_srtp_label label, uint64_t r, uint8_t *out,
	      size_t out_len)
{
	uint8_t iv[16];
	unsigned int i;

	/* x = key_id XOR master_salt, key_id = label || r (48 bits),
	 * right-aligned; the PRF input is x * 2^16 */
	memcpy(iv, master_salt, DSBC_SRTP_SALT_LEN);
	iv[14] = iv[15] = 0;
	iv[7] ^= (uint8_t)label;
	for (i = 0; i < 6; i++)
		iv[8 + i] ^= (uint8_t)(r >> (40 - 8 * i));
	return dsbc_srtp_aes_cm(master_key, key_len, iv, out, out_len);
}
