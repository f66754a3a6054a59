/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SDP_CRYPTO_H
#define DSBC_SDP_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "dsbc_sdp.h"
#include "dsbc_srtp_suites.h"

/**
 * @file
 * SDES (RFC 4568): a=crypto:<tag> <crypto-suite> inline:<key||salt>
 * [|lifetime][|MKI:length] [session-params].  dsbc keys SRTP from it in
 * terminator mode.  It uses no MKI and no session parameters, so lines
 * with them are refused (the peer usually offers another line).
 */

/** One a=crypto value, its key decoded. */
struct dsbc_sdes {
	uint32_t tag;                /* 1..999999999 */
	uint8_t suite;               /* enum dsbc_srtp_suite */
	uint8_t key_len, salt_len;
	uint8_t key[16];
	uint8_t salt[14];
};

/**
 * SDES name of a suite (RFC 4568 section 6.2, RFC 7714 section 14.2).
 *
 * @param s  the suite
 * @return its crypto-suite name, "?" when s is out of range
 */
const char *dsbc_sdes_suite_name(enum dsbc_srtp_suite s);

/**
 * Parse the value of an a=crypto line (what follows "crypto:").  A
 * lifetime is accepted and ignored.
 *
 * @param v  the value, not NUL-terminated
 * @param len  its length
 * @param out  the tag, suite, key and salt, out (zeroed first)
 * @return 0; -1 when the value is malformed (tag not 1 to 9 digits or 0,
 *   no "inline:" key); -2 when it is well formed but unusable (unknown
 *   suite, MKI, session parameters, key||salt not valid base64 of the
 *   suite's length)
 */
int dsbc_sdes_parse(const char *v, size_t len, struct dsbc_sdes *out);

/**
 * The first usable a=crypto line of m-line `media` of s (with tag `tag`
 * when tag != 0), as dsbc_sdes_parse() reads it.
 *
 * @param s  a parsed body
 * @param media  index of the m-line, from 0
 * @param tag  the tag wanted, 0 for any
 * @param out  the line, out; may be overwritten when none is found
 * @return 0, or -1 when the m-line has no usable a=crypto (of that tag)
 */
int dsbc_sdes_find(const struct dsbc_sdp *s, unsigned int media,
		   uint32_t tag, struct dsbc_sdes *out);

/**
 * Write "<tag> <suite> inline:<base64>" for c.
 *
 * @param c  the crypto attribute; key_len + salt_len at most 30
 * @param out  where the value goes (without "a=crypto:"), NUL-terminated
 * @param cap  size of out
 * @return the length written (without the NUL), or -1 when it does not
 *   fit or c's suite or lengths are out of range
 */
int dsbc_sdes_format(const struct dsbc_sdes *c, char *out, size_t cap);

#endif /* DSBC_SDP_CRYPTO_H */
