/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SDP_CRYPTO_H
#define DSBC_SDP_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "dsbc_sdp.h"
#include "dsbc_srtp_suites.h"

/*
 * SDES (RFC 4568): a=crypto:<tag> <crypto-suite> inline:<key||salt>
 * [|lifetime][|MKI:length] [session-params].  dsbc keys SRTP from it in
 * terminator mode.  It uses no MKI and no session parameters, so lines
 * with them are refused (the peer usually offers another line).
 */

struct dsbc_sdes {
	uint32_t tag;                /* 1..999999999 */
	uint8_t suite;               /* enum dsbc_srtp_suite */
	uint8_t key_len, salt_len;
	uint8_t key[16];
	uint8_t salt[14];
};

const char *dsbc_sdes_suite_name(enum dsbc_srtp_suite s);

/*
 * Parse the value of an a=crypto line (what follows "crypto:").  0, or
 * -1 when it is malformed, -2 when it is valid but unusable here (an
 * unknown suite, MKI, session parameters, a key of the wrong length).
 */
int dsbc_sdes_parse(const char *v, size_t len, struct dsbc_sdes *out);

/*
 * The first usable a=crypto line of m-line `media` of s (with tag `tag`
 * when tag != 0): 0, or -1 when there is none.
 */
int dsbc_sdes_find(const struct dsbc_sdp *s, unsigned int media,
		   uint32_t tag, struct dsbc_sdes *out);

/* Write "<tag> <suite> inline:<base64>" for c: length, or -1 (no room). */
int dsbc_sdes_format(const struct dsbc_sdes *c, char *out, size_t cap);

#endif /* DSBC_SDP_CRYPTO_H */
