/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SDP: a body through dsbc_sdp_parse(), then what the B2BUA does with an
 * accepted one: a=crypto and a=candidate read, and a rewrite for the
 * other leg under every security kind, whose output must parse again
 * with as many media sections (what dsbc sends is SDP a peer can read).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dsbc_sdp.h"
#include "dsbc_sdp_crypto.h"
#include "dsbc_sdp_ice.h"
#include "dsbc_sdp_rewrite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dsbc_sdp s, again;
	static char out[16384];
	struct dsbc_sdp_plan plan;
	struct dsbc_sdp_cand cand;
	struct dsbc_sdes sd;
	unsigned int i, k;
	char *buf;
	int n;

	if (size > 16384)
		return 0;
	buf = malloc(size ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	if (dsbc_sdp_parse(buf, (uint32_t)size, &s) != DSBC_SDP_ERR_NONE) {
		free(buf);
		return 0;
	}
	for (i = 0; i < s.nb_media; i++) {
		dsbc_sdes_find(&s, i, 0, &sd);
		dsbc_sdp_cand_best(&s, i, 1, 4, &cand);
		dsbc_sdp_cand_best(&s, i, 2, 6, &cand);
	}
	for (k = DSBC_SDP_SEC_KEEP; k <= DSBC_SDP_SEC_DTLS; k++) {
		memset(&plan, 0, sizeof(plan));
		plan.family = k & 1 ? 6 : 4;
		plan.addr = k & 1 ? "2001:db8::1" : "192.0.2.1";
		plan.origin_user = "dsbc";
		plan.sess_version = 7;
		plan.ice_ufrag = k == DSBC_SDP_SEC_DTLS ? "abcd" : NULL;
		plan.ice_pwd = "0123456789abcdef01234567";
		plan.fingerprint = k == DSBC_SDP_SEC_DTLS ?
			"sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:"
			"EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF" :
			NULL;
		plan.setup = k == DSBC_SDP_SEC_DTLS ? "actpass" : NULL;
		plan.security = (uint8_t)k;
		for (i = 0; i < DSBC_SDP_MAX_MEDIA; i++) {
			plan.media[i].port = (uint16_t)(20000 + 2 * i);
			plan.media[i].rtcp_port = (uint16_t)(20001 + 2 * i);
			plan.media[i].rtcp_mux = (uint8_t)((i + k) % 3);
			plan.media[i].crypto = "1 AES_CM_128_HMAC_SHA1_80 "
				"inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";
		}
		n = dsbc_sdp_rewrite(&s, &plan, out, sizeof(out));
		if (n < 0)
			continue;
		/* what dsbc writes must be SDP again, media for media */
		if (dsbc_sdp_parse(out, (uint32_t)n, &again) !=
		    DSBC_SDP_ERR_NONE || again.nb_media != s.nb_media)
			abort();
	}
	free(buf);
	return 0;
}
