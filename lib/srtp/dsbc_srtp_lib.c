/* SPDX-License-Identifier: BSD-3-Clause */
/* The libsrtp2 engine (see dsbc_srtp_lib.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "dsbc_srtp_lib.h"

struct dsbc_srtp_lib {
	srtp_t ctx;
};

static int lib_ready;

static void
policy_for(srtp_crypto_policy_t *p, enum dsbc_srtp_suite suite, bool rtcp)
{
	switch (suite) {
	case DSBC_SRTP_SUITE_AES_CM_128_HMAC_SHA1_32:
		/* RFC 5764 4.1.2: SRTCP keeps the 80-bit tag */
		if (rtcp)
			srtp_crypto_policy_set_rtcp_default(p);
		else
			srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(p);
		break;
	case DSBC_SRTP_SUITE_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(p);
		break;
	default:
		if (rtcp)
			srtp_crypto_policy_set_rtcp_default(p);
		else
			srtp_crypto_policy_set_rtp_default(p);
		break;
	}
}

int
dsbc_srtp_lib_init(void)
{
	if (!lib_ready) {
		if (srtp_init() != srtp_err_status_ok)
			return -1;
		lib_ready = 1;
	}
	return 0;
}

struct dsbc_srtp_lib *
dsbc_srtp_lib_new(enum dsbc_srtp_suite suite, const uint8_t *key,
		  const uint8_t *salt, bool outbound, unsigned int replay_window)
{
	struct dsbc_srtp_lib *s;
	srtp_policy_t pol;
	srtp_err_status_t rc;
	uint8_t master[16 + 14];
	size_t sl = dsbc_srtp_suite_info(suite)->salt_len;

	if ((unsigned int)suite >= DSBC_SRTP_SUITE_MAX || replay_window < 64 ||
	    replay_window > 0x7fff)
		return NULL;
	if (dsbc_srtp_lib_init() != 0)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	memset(&pol, 0, sizeof(pol));
	policy_for(&pol.rtp, suite, false);
	policy_for(&pol.rtcp, suite, true);
	memcpy(master, key, 16);
	memcpy(master + 16, salt, sl);
	pol.key = master;
	pol.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
	pol.window_size = replay_window;
	pol.allow_repeat_tx = 0;
	rc = srtp_create(&s->ctx, &pol);
	/* no copy of the key left behind on the stack, either way */
	memset(master, 0, sizeof(master));
	if (rc != srtp_err_status_ok) {
		free(s);
		return NULL;
	}
	return s;
}

void
dsbc_srtp_lib_free(struct dsbc_srtp_lib *s)
{
	if (s == NULL)
		return;
	srtp_dealloc(s->ctx);
	free(s);
}

int
dsbc_srtp_lib_protect(struct dsbc_srtp_lib *s, uint8_t *pkt, size_t *len,
		      size_t cap, bool rtcp)
{
	int n = (int)*len;
	srtp_err_status_t rc;

	/* the tag (16 bytes at most, GCM) and SRTCP's index: no MKI */
	if (*len > 65535 || cap < *len + DSBC_SRTP_MAX_TRAILER)
		return -ENOSPC;
	rc = rtcp ? srtp_protect_rtcp(s->ctx, pkt, &n) :
		    srtp_protect(s->ctx, pkt, &n);
	if (rc == srtp_err_status_replay_fail ||
	    rc == srtp_err_status_replay_old)
		return -EALREADY;    /* allow_repeat_tx = 0: never twice */
	if (rc != srtp_err_status_ok)
		return -EINVAL;
	*len = (size_t)n;
	return 0;
}

int
dsbc_srtp_lib_unprotect(struct dsbc_srtp_lib *s, uint8_t *pkt, size_t *len,
			bool rtcp)
{
	int n = (int)*len;
	srtp_err_status_t rc;

	if (*len > 65535)
		return -EINVAL;
	rc = rtcp ? srtp_unprotect_rtcp(s->ctx, pkt, &n) :
		    srtp_unprotect(s->ctx, pkt, &n);
	switch (rc) {
	case srtp_err_status_ok:
		*len = (size_t)n;
		return 0;
	case srtp_err_status_auth_fail:
		return -EBADMSG;
	case srtp_err_status_replay_fail:
	case srtp_err_status_replay_old:
		return -EALREADY;
	default:
		return -EINVAL;
	}
}
