/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * STUN (RFC 5389, RFC 8445 7.2.2): a datagram through dsbc_stun_parse()
 * and the connectivity check.  With the first byte odd the harness makes
 * MESSAGE-INTEGRITY and FINGERPRINT right (and takes the local ufrag
 * from USERNAME), so the checks past integrity and the Binding success
 * answer are reached too, not only the refusals.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dsbc_addr.h"
#include "dsbc_stun.h"

static const char PWD[] = "fuzzpassword0123456789ab";

static void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

/* RFC 5389 15.4 and 15.5, over the message as the parser laid it out */
static void
make_valid(uint8_t *p, const struct dsbc_stun_msg *m)
{
	uint8_t mac[DSBC_STUN_MI_LEN];
	uint16_t len = (uint16_t)(p[2] << 8 | p[3]);

	if (m->mi_off != 0) {
		wr16(p + 2, (uint16_t)(m->mi_off + 4 + DSBC_STUN_MI_LEN - 20));
		dsbc_stun_hmac_sha1((const uint8_t *)PWD, sizeof(PWD) - 1, p,
				    m->mi_off, mac);
		memcpy(p + m->mi_off + 4, mac, sizeof(mac));
		wr16(p + 2, len);
	}
	if (m->fp_off != 0)
		wr32(p + m->fp_off + 4, dsbc_stun_crc32(p, m->fp_off) ^
		     DSBC_STUN_FP_XOR);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dsbc_stun_msg m;
	struct dsbc_addr src;
	char ufrag[64] = "x";
	uint8_t out[96];
	uint8_t *p;
	bool fix;
	uint32_t i;

	if (size < 1 || size > 2048)
		return 0;
	fix = data[0] & 1;
	p = malloc(size - 1 ? size - 1 : 1);
	if (p == NULL)
		return 0;
	memcpy(p, data + 1, size - 1);
	if (dsbc_stun_parse(p, (uint32_t)size - 1, &m) == DSBC_STUN_ERR_NONE) {
		if (fix)
			make_valid(p, &m);
		if (m.username_off != 0) {
			for (i = 0; i < m.username_len && i < sizeof(ufrag) - 1 &&
			     p[m.username_off + i] != ':'; i++)
				ufrag[i] = (char)p[m.username_off + i];
			ufrag[i] = '\0';
		}
		if (dsbc_stun_check(p, &m, ufrag, NULL, PWD,
				    sizeof(PWD) - 1) == DSBC_STUN_ERR_NONE) {
			memset(&src, 0, sizeof(src));
			dsbc_stun_binding_success(p, data[0] & 2 ? 6 : 4, &src,
						  5004, PWD, sizeof(PWD) - 1,
						  out, sizeof(out));
		}
		dsbc_stun_check(p, &m, "x", "y", PWD, sizeof(PWD) - 1);
	}
	free(p);
	return 0;
}
