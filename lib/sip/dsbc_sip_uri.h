/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SIP_URI_H
#define DSBC_SIP_URI_H

#include <stdbool.h>

#include "dsbc_sip_msg.h"

/**
 * @file
 * URIs (RFC 3261 section 19.1, RFC 3966 for tel).  sip/sips URIs are split
 * into parts; other schemes are checked for RFC 3986 absolute-URI shape and
 * kept whole.
 */
/** URI schemes dsbc tells apart. */
enum dsbc_sip_scheme {
	DSBC_SIP_SCHEME_OTHER = 0,
	DSBC_SIP_SCHEME_SIP,
	DSBC_SIP_SCHEME_SIPS,
	DSBC_SIP_SCHEME_TEL,
};

/**
 * A parsed URI, as views into the text parsed.  tel and other schemes
 * have everything after the scheme's ':' in user and nothing else.
 */
struct dsbc_sip_uri {
	uint8_t scheme;              /* enum dsbc_sip_scheme */
	struct dsbc_sip_str user;    /* escaped form; may be empty */
	struct dsbc_sip_str password;
	struct dsbc_sip_str host;    /* IPv6 references keep their brackets */
	uint16_t port;               /* 0: none given */
	struct dsbc_sip_str params;  /* after the first ';', without it */
	struct dsbc_sip_str headers; /* after '?', without it */
};

/**
 * Parse a URI: sip and sips into userinfo, host, port, parameters and
 * headers (characters and %HH escapes checked); tel and other schemes
 * checked for absolute-URI shape only.
 *
 * @param p  the URI, not NUL-terminated
 * @param len  its length
 * @param u  the parts, out (zeroed first)
 * @return 0, or -1 when p is not a well-formed URI (a port of 0 or
 *   above 65535 included)
 */
int dsbc_sip_uri_parse(const char *p, uint32_t len, struct dsbc_sip_uri *u);

/**
 * Compare two escaped user parts after unescaping %HH (RFC 3261 section
 * 19.1.4: "sip:%61lice@..." equals "sip:alice@...").  The comparison is
 * case-sensitive.
 *
 * @param a  a user part, as in struct dsbc_sip_uri
 * @param b  the other
 * @return whether they are equal once unescaped
 */
bool dsbc_sip_user_eq(struct dsbc_sip_str a, struct dsbc_sip_str b);

/**
 * Value of URI parameter name in u->params; found: 1 (value may be empty).
 *
 * @param u  a parsed URI
 * @param name  the parameter name, compared case-insensitively
 * @param value  out, when found: the value, a view into the URI (empty
 *   for a parameter without "=")
 * @return 1 when found, 0 when not
 */
int dsbc_sip_uri_param(const struct dsbc_sip_uri *u, const char *name,
		       struct dsbc_sip_str *value);

#endif /* DSBC_SIP_URI_H */
