/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SRTP_SUITES_H
#define DSBC_SRTP_SUITES_H

/**
 * @file
 * The SRTP protection suites dsbc keys, listed once for every place that
 * names them (header only: lib/sdp and lib/dtls use it without the rest
 * of lib/srtp).
 */
/**
 * The suites: X(id, SDES name (RFC 4568 section 6.2, RFC 7714 section
 * 14.2), DTLS-SRTP profile name (RFC 5764 section 4.1.2, RFC 7714
 * section 14.2), master key bytes, master salt bytes), in preference
 * order.
 */
#define DSBC_SRTP_SUITES(X) \
	X(AES_CM_128_HMAC_SHA1_80, "AES_CM_128_HMAC_SHA1_80", \
	  "SRTP_AES128_CM_SHA1_80", 16, 14) \
	X(AES_CM_128_HMAC_SHA1_32, "AES_CM_128_HMAC_SHA1_32", \
	  "SRTP_AES128_CM_SHA1_32", 16, 14) \
	X(AEAD_AES_128_GCM, "AEAD_AES_128_GCM", "SRTP_AEAD_AES_128_GCM", 16, 12)

/** The suites, DSBC_SRTP_SUITE_ and each id, in preference order. */
enum dsbc_srtp_suite {
#define DSBC_SRTP_SUITE_ENUM(id, sdes, profile, k, s) DSBC_SRTP_SUITE_##id,
	DSBC_SRTP_SUITES(DSBC_SRTP_SUITE_ENUM)
#undef DSBC_SRTP_SUITE_ENUM
	DSBC_SRTP_SUITE_MAX
};

/** What the list says of suite s (s < DSBC_SRTP_SUITE_MAX). */
struct dsbc_srtp_suite_info {
	const char *sdes;            /* RFC 4568 crypto-suite name */
	const char *profile;         /* RFC 5764 use_srtp profile name */
	unsigned char key_len, salt_len;
};

/**
 * What the list says of a suite.
 *
 * @param s  the suite, an enum dsbc_srtp_suite
 * @return its names and key and salt lengths; the first suite's when s
 *   is out of range
 */
static inline const struct dsbc_srtp_suite_info *
dsbc_srtp_suite_info(unsigned int s)
{
	static const struct dsbc_srtp_suite_info info[] = {
#define DSBC_SRTP_SUITE_INFO(id, sdes, profile, k, s) { sdes, profile, k, s },
		DSBC_SRTP_SUITES(DSBC_SRTP_SUITE_INFO)
#undef DSBC_SRTP_SUITE_INFO
	};

	return &info[s < DSBC_SRTP_SUITE_MAX ? s : 0];
}

#endif /* DSBC_SRTP_SUITES_H */
