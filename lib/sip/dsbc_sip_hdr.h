/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SIP_HDR_H
#define DSBC_SIP_HDR_H

#include <stdbool.h>
#include <stdint.h>

#include "dsbc_sip_msg.h"
#include "dsbc_sip_uri.h"

/*
 * Typed parsers for header values, called on demand.  Multi-valued headers
 * (Via, Contact, Route, Record-Route) are walked one value at a time:
 * *next is set to the start of the following value or to NULL.
 */

/* via-parm (RFC 3261 section 20.42, RFC 3581 rport). */
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

int dsbc_sip_via_parse(const char *p, const char *end,
		       struct dsbc_sip_via *v, const char **next);

/* name-addr / addr-spec with header params (From, To, Contact, Route). */
struct dsbc_sip_nameaddr {
	struct dsbc_sip_str display;    /* may be empty */
	struct dsbc_sip_str uri_str;
	struct dsbc_sip_uri uri;
	bool bracketed;
	struct dsbc_sip_str tag;        /* "tag" header param, if any */
	struct dsbc_sip_str params;     /* header params after the address */
	bool star;                      /* Contact: * */
};

int dsbc_sip_nameaddr_parse(const char *p, const char *end,
			    struct dsbc_sip_nameaddr *na, bool multi,
			    const char **next);

/* CSeq: number < 2^31 (section 8.1.1.5) and method token. */
int dsbc_sip_cseq_parse(struct dsbc_sip_str v, uint32_t *seq,
			struct dsbc_sip_str *method);

/* 1*DIGIT no larger than max. */
int dsbc_sip_uint_parse(struct dsbc_sip_str v, uint32_t max, uint32_t *out);

/* SIP-date: rfc1123-date, GMT only (section 25.1). */
int dsbc_sip_date_check(struct dsbc_sip_str v);

/* Call-ID: word [ "@" word ] (section 25.1). */
int dsbc_sip_callid_check(struct dsbc_sip_str v);

#endif /* DSBC_SIP_HDR_H */
