/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * STUN for the ICE-lite responder (RFC 8489, RFC 8445 section 2.5).
 * Runs in the workers: byte buffers only, no allocation.  SHA-1 is
 * OpenSSL's low-level one (stack context, no allocation, unlike the
 * EVP_MAC path), so the deprecation of that API is silenced here only.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <string.h>

#include <openssl/sha.h>
#include <rte_byteorder.h>
#include <rte_common.h>

#include "dsbc_stun.h"

static const char *const err_names[] = {
#define DSBC_STUN_ERR_NAME(e, help) #e,
	DSBC_STUN_ERRS(DSBC_STUN_ERR_NAME)
#undef DSBC_STUN_ERR_NAME
};

const char *
dsbc_stun_err_name(enum dsbc_stun_err e)
{
	return e < DSBC_STUN_ERR_MAX ? err_names[e] : "?";
}

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ---- CRC-32 (reflected 0xEDB88320), for FINGERPRINT (section 14.7) ---- */

static uint32_t crc_table[256];

RTE_INIT(dsbc_stun_crc_init)
{
	uint32_t i, k, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

uint32_t
dsbc_stun_crc32(const uint8_t *p, uint32_t len)
{
	uint32_t c = 0xFFFFFFFFu;

	while (len--)
		c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return c ^ 0xFFFFFFFFu;
}

/* ---- HMAC-SHA1 (RFC 2104), key = the ICE password (section 9.1.1) ---- */

static void
hmac_start(const uint8_t *key, uint32_t key_len, SHA_CTX *in, SHA_CTX *out)
{
	uint8_t k[SHA_CBLOCK], pad[SHA_CBLOCK];
	unsigned int i;

	memset(k, 0, sizeof(k));
	if (key_len > SHA_CBLOCK)
		SHA1(key, key_len, k);
	else
		memcpy(k, key, key_len);
	for (i = 0; i < SHA_CBLOCK; i++)
		pad[i] = k[i] ^ 0x36;
	SHA1_Init(in);
	SHA1_Update(in, pad, sizeof(pad));
	for (i = 0; i < SHA_CBLOCK; i++)
		pad[i] = k[i] ^ 0x5c;
	SHA1_Init(out);
	SHA1_Update(out, pad, sizeof(pad));
}

static void
hmac_finish(SHA_CTX *in, SHA_CTX *out, uint8_t mac[DSBC_STUN_MI_LEN])
{
	uint8_t ih[SHA_DIGEST_LENGTH];

	SHA1_Final(ih, in);
	SHA1_Update(out, ih, sizeof(ih));
	SHA1_Final(mac, out);
}

void
dsbc_stun_hmac_sha1(const uint8_t *key, uint32_t key_len, const uint8_t *p,
		    uint32_t len, uint8_t mac[DSBC_STUN_MI_LEN])
{
	SHA_CTX in, out;

	hmac_start(key, key_len, &in, &out);
	SHA1_Update(&in, p, len);
	hmac_finish(&in, &out, mac);
}

/*
 * Section 14.5: the HMAC covers the message up to MESSAGE-INTEGRITY, with
 * the header's length field set as if MESSAGE-INTEGRITY were the last
 * attribute.
 */
static void
integrity_of(const uint8_t *p, uint16_t mi_off, const char *pwd,
	     uint32_t pwd_len, uint8_t mac[DSBC_STUN_MI_LEN])
{
	SHA_CTX in, out;
	uint8_t hdr[4];

	hmac_start((const uint8_t *)pwd, pwd_len, &in, &out);
	hdr[0] = p[0];
	hdr[1] = p[1];
	wr16(hdr + 2, (uint16_t)(mi_off + 4 + DSBC_STUN_MI_LEN -
				 DSBC_STUN_HDR_LEN));
	SHA1_Update(&in, hdr, sizeof(hdr));
	SHA1_Update(&in, p + 4, mi_off - 4u);
	hmac_finish(&in, &out, mac);
}

/* ---- parse (sections 5, 6, 14) ---- */

enum dsbc_stun_err
dsbc_stun_parse(const uint8_t *p, uint32_t len, struct dsbc_stun_msg *m)
{
	uint32_t off;

	memset(m, 0, sizeof(*m));
	if (len < DSBC_STUN_HDR_LEN || (p[0] & 0xc0) != 0 ||
	    rd32(p + 4) != DSBC_STUN_COOKIE)
		return DSBC_STUN_ERR_MALFORMED;
	m->type = rd16(p);
	m->len = rd16(p + 2);
	if ((m->len & 3) != 0 || (uint32_t)m->len + DSBC_STUN_HDR_LEN != len)
		return DSBC_STUN_ERR_MALFORMED;
	for (off = DSBC_STUN_HDR_LEN; off < len;) {
		uint16_t at, alen;

		if (len - off < 4)
			return DSBC_STUN_ERR_MALFORMED;
		at = rd16(p + off);
		alen = rd16(p + off + 2);
		if (len - off - 4 < RTE_ALIGN_CEIL((uint32_t)alen, 4u))
			return DSBC_STUN_ERR_MALFORMED;
		/* Only FINGERPRINT may follow MESSAGE-INTEGRITY (14.5),
		 * and nothing follows FINGERPRINT (14.7). */
		if (m->fp_off != 0 ||
		    (m->mi_off != 0 && at != DSBC_STUN_A_FINGERPRINT))
			return DSBC_STUN_ERR_MALFORMED;
		switch (at) {
		case DSBC_STUN_A_USERNAME:
			if (alen == 0 || alen > 513)
				return DSBC_STUN_ERR_MALFORMED;
			m->username_off = (uint16_t)(off + 4);
			m->username_len = alen;
			break;
		case DSBC_STUN_A_MESSAGE_INTEGRITY:
			if (alen != DSBC_STUN_MI_LEN)
				return DSBC_STUN_ERR_MALFORMED;
			m->mi_off = (uint16_t)off;
			break;
		case DSBC_STUN_A_FINGERPRINT:
			if (alen != 4)
				return DSBC_STUN_ERR_MALFORMED;
			m->fp_off = (uint16_t)off;
			break;
		case DSBC_STUN_A_PRIORITY:
			if (alen != 4)
				return DSBC_STUN_ERR_MALFORMED;
			m->priority = rd32(p + off + 4);
			break;
		case DSBC_STUN_A_USE_CANDIDATE:
			m->use_candidate = true;
			break;
		case DSBC_STUN_A_ICE_CONTROLLING:
			m->controlling = true;
			break;
		case DSBC_STUN_A_ICE_CONTROLLED:
			m->controlled = true;
			break;
		default:
			break;   /* comprehension-optional or unused here */
		}
		off += 4 + RTE_ALIGN_CEIL((uint32_t)alen, 4u);
	}
	return DSBC_STUN_ERR_NONE;
}

static bool
fingerprint_ok(const uint8_t *p, const struct dsbc_stun_msg *m)
{
	return (dsbc_stun_crc32(p, m->fp_off) ^ DSBC_STUN_FP_XOR) ==
	       rd32(p + m->fp_off + 4);
}

enum dsbc_stun_err
dsbc_stun_check(const uint8_t *p, const struct dsbc_stun_msg *m,
		const char *local_ufrag, const char *remote_ufrag,
		const char *pwd, uint32_t pwd_len)
{
	uint8_t mac[DSBC_STUN_MI_LEN];
	size_t ll = strlen(local_ufrag);
	const uint8_t *u;

	if (m->type != DSBC_STUN_BINDING_REQUEST)
		return DSBC_STUN_ERR_NOT_REQUEST;
	if (m->fp_off != 0 && !fingerprint_ok(p, m))
		return DSBC_STUN_ERR_FINGERPRINT;
	if (m->username_off == 0 || m->mi_off == 0)
		return DSBC_STUN_ERR_NO_AUTH;
	/* RFC 8445 section 7.2.2: "<receiver's ufrag>:<sender's ufrag>" */
	u = p + m->username_off;
	if (m->username_len <= ll || memcmp(u, local_ufrag, ll) != 0 ||
	    u[ll] != ':')
		return DSBC_STUN_ERR_USERNAME;
	if (remote_ufrag != NULL && remote_ufrag[0] != '\0' &&
	    (m->username_len - ll - 1 != strlen(remote_ufrag) ||
	     memcmp(u + ll + 1, remote_ufrag, m->username_len - ll - 1) != 0))
		return DSBC_STUN_ERR_USERNAME;
	integrity_of(p, m->mi_off, pwd, pwd_len, mac);
	/* not secret-dependent timing: the MAC of an attacker's message */
	if (memcmp(mac, p + m->mi_off + 4, sizeof(mac)) != 0)
		return DSBC_STUN_ERR_INTEGRITY;
	return DSBC_STUN_ERR_NONE;
}

/* ---- build (section 14.2, 14.5, 14.7) ---- */

uint32_t
dsbc_stun_binding_success(const uint8_t *req, uint8_t family,
			  const struct dsbc_addr *src, uint16_t src_port,
			  const char *pwd, uint32_t pwd_len, uint8_t *out,
			  uint32_t cap)
{
	uint32_t alen = family == 6 ? 20 : 8;
	uint32_t total = DSBC_STUN_HDR_LEN + 4 + alen + 4 + DSBC_STUN_MI_LEN + 8;
	uint8_t *a;
	unsigned int i;

	if (cap < total)
		return 0;
	wr16(out, DSBC_STUN_BINDING_SUCCESS);
	wr16(out + 2, 0);
	wr32(out + 4, DSBC_STUN_COOKIE);
	memmove(out + 8, req + 8, DSBC_STUN_TXID_LEN);
	/* XOR-MAPPED-ADDRESS (14.2): port ^ cookie>>16, address ^ cookie
	 * (and the transaction id for IPv6) */
	a = out + DSBC_STUN_HDR_LEN;
	wr16(a, DSBC_STUN_A_XOR_MAPPED_ADDRESS);
	wr16(a + 2, (uint16_t)alen);
	a[4] = 0;
	a[5] = family == 6 ? 2 : 1;
	wr16(a + 6, (uint16_t)(src_port ^ (DSBC_STUN_COOKIE >> 16)));
	for (i = 0; i < alen - 4; i++)
		a[8 + i] = src->a8[i] ^ out[4 + i];   /* cookie then txid */
	/* MESSAGE-INTEGRITY */
	a += 4 + alen;
	wr16(a, DSBC_STUN_A_MESSAGE_INTEGRITY);
	wr16(a + 2, DSBC_STUN_MI_LEN);
	integrity_of(out, (uint16_t)(a - out), pwd, pwd_len, a + 4);
	/* FINGERPRINT over everything before it, length final */
	a += 4 + DSBC_STUN_MI_LEN;
	wr16(out + 2, (uint16_t)(total - DSBC_STUN_HDR_LEN));
	wr16(a, DSBC_STUN_A_FINGERPRINT);
	wr16(a + 2, 4);
	wr32(a + 4, dsbc_stun_crc32(out, (uint32_t)(a - out)) ^ DSBC_STUN_FP_XOR);
	return total;
}
