/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SIP_HDR_H
#define DSBC_SIP_HDR_H

#include <stdbool.h>
#include <stdint.h>

#include "dsbc_sip_msg.h"
#include "dsbc_sip_uri.h"

/**
 * @file
 * Typed parsers for header values, called on demand.  Multi-valued headers
 * (Via, Contact, Route, Record-Route) are walked one value at a time:
 * *next is set to the start of the following value or to NULL.
 *
 * The parsed parts are views into the value parsed.
 */

/** via-parm (RFC 3261 section 20.42, RFC 3581 rport). */
struct dsbc_sip_via {
	struct dsbc_sip_str transport;  /* "UDP", "TCP", ... */
	struct dsbc_sip_str host;
	uint16_t port;                  /* 0: none */
	struct dsbc_sip_str branch;
	struct dsbc_sip_str received;
	bool has_rport;
	uint16_t rport;                 /* 0: "rport" without value */
	struct dsbc_sip_str params;     /* all params, from the first ';' */
};

/**
 * Parse one via-parm: sent-protocol ("SIP/2.0/" transport), sent-by
 * (host and an optional non-zero port) and the parameters, of which
 * branch, received and rport are picked out.
 *
 * @param p  start of the value
 * @param end  end of the header value
 * @param v  the parts, out (zeroed first)
 * @param next  out: start of the following value of the header, NULL
 *   when this was the last one
 * @return 0, or -1 when the value is malformed (an rport value that is
 *   not a port included)
 */
int dsbc_sip_via_parse(const char *p, const char *end,
		       struct dsbc_sip_via *v, const char **next);

/**
 * Look a parameter of a parsed via-parm up by name (case-insensitive),
 * such as RFC 5923's alias.
 *
 * @param v  the via-parm, from dsbc_sip_via_parse()
 * @param name  the parameter's name
 * @param value  out: its value, empty when it has none
 * @return 1 when present, 0 when not
 */
int dsbc_sip_via_param(const struct dsbc_sip_via *v, const char *name,
		       struct dsbc_sip_str *value);

/** name-addr / addr-spec with header params (From, To, Contact, Route). */
struct dsbc_sip_nameaddr {
	struct dsbc_sip_str display;    /* may be empty */
	struct dsbc_sip_str uri_str;
	struct dsbc_sip_uri uri;
	bool bracketed;
	struct dsbc_sip_str tag;        /* "tag" header param, if any */
	struct dsbc_sip_str params;     /* header params after the address */
	bool star;                      /* Contact: * */
};

/**
 * Parse one ( name-addr / addr-spec ) *( SEMI param ) value (RFC 3261
 * sections 20.10, 20.20, 20.39), or a Contact "*".  An addr-spec without
 * brackets cannot contain ',', ';' or '?' (those belong to the header)
 * nor URI parameters or headers; the URI is parsed by
 * dsbc_sip_uri_parse().
 *
 * @param p  start of the value
 * @param end  end of the header value
 * @param na  the parts, out (zeroed first)
 * @param multi  whether a comma and further values may follow (Contact,
 *   Route, Record-Route); a "*" is always the header's only value
 * @param next  out: start of the following value, NULL when this was
 *   the last one
 * @return 0, or -1 when the value is malformed
 */
int dsbc_sip_nameaddr_parse(const char *p, const char *end,
			    struct dsbc_sip_nameaddr *na, bool multi,
			    const char **next);

/**
 * Parse a CSeq value: number < 2^31 (section 8.1.1.5), LWS and method
 * token, nothing after it.
 *
 * @param v  the header value
 * @param seq  out: the sequence number
 * @param method  out: the method token, a view into v
 * @return 0, or -1 when the value is malformed
 */
int dsbc_sip_cseq_parse(struct dsbc_sip_str v, uint32_t *seq,
			struct dsbc_sip_str *method);

/**
 * Parse 1*DIGIT no larger than max (Max-Forwards, Expires, ...).
 *
 * @param v  the value, digits only
 * @param max  largest value accepted
 * @param out  out: the value, written only on success
 * @return 0, or -1 when v is empty, holds a non-digit or exceeds max
 */
int dsbc_sip_uint_parse(struct dsbc_sip_str v, uint32_t max, uint32_t *out);

/**
 * Check a SIP-date: rfc1123-date, GMT only (section 25.1), e.g.
 * "Sun, 06 Nov 1994 08:49:37 GMT".
 *
 * @param v  the Date header value
 * @return 0, or -1 when it does not have that shape or names no day or
 *   month
 */
int dsbc_sip_date_check(struct dsbc_sip_str v);

/**
 * Check a Call-ID: word [ "@" word ] (section 25.1): printable
 * characters but ',' and ';', at most one '@', not at either end.
 *
 * @param v  the Call-ID header value
 * @return 0, or -1 when it is empty or malformed
 */
int dsbc_sip_callid_check(struct dsbc_sip_str v);

#endif /* DSBC_SIP_HDR_H */
