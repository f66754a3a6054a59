/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SIP_MSG_H
#define DSBC_SIP_MSG_H

#include <stdbool.h>
#include <stdint.h>

#include "dsbc_sip_err.h"

/*
 * SIP message framing (RFC 3261 section 7): start line, header lines and
 * body, as views into the caller's buffer.  No allocation: the message
 * structure is fixed-size and caller-provided.  Header values are not
 * parsed here: dsbc_sip_hdr.h parses one when it is needed (lazy).
 */
#define DSBC_SIP_MAX_MSG   65535   /* UDP datagram */
#define DSBC_SIP_MAX_HDRS  96      /* header lines per message */

struct dsbc_sip_str {
	const char *p;
	uint32_t len;
};

/* Headers dsbc looks at; X(enum suffix, full name, compact form or 0). */
#define DSBC_SIP_HEADERS(X) \
	X(VIA,            "Via",            'v') \
	X(FROM,           "From",           'f') \
	X(TO,             "To",             't') \
	X(CALL_ID,        "Call-ID",        'i') \
	X(CSEQ,           "CSeq",           0) \
	X(CONTACT,        "Contact",        'm') \
	X(MAX_FORWARDS,   "Max-Forwards",   0) \
	X(CONTENT_LENGTH, "Content-Length", 'l') \
	X(CONTENT_TYPE,   "Content-Type",   'c') \
	X(ROUTE,          "Route",          0) \
	X(RECORD_ROUTE,   "Record-Route",   0) \
	X(REQUIRE,        "Require",        0) \
	X(PROXY_REQUIRE,  "Proxy-Require",  0) \
	X(SUPPORTED,      "Supported",      'k') \
	X(EXPIRES,        "Expires",        0) \
	X(DATE,           "Date",           0) \
	X(IDENTITY,       "Identity",       'y') \
	X(SUBJECT,        "Subject",        's') \
	X(RSEQ,           "RSeq",           0) \
	X(RACK,           "RAck",           0) \
	X(ALLOW,          "Allow",          0) \
	X(ACCEPT,         "Accept",         0) \
	X(REPLACES,       "Replaces",       0)

enum dsbc_sip_hdr_id {
	DSBC_SIP_H_OTHER = 0,
#define DSBC_SIP_H_ENUM(e, name, compact) DSBC_SIP_H_##e,
	DSBC_SIP_HEADERS(DSBC_SIP_H_ENUM)
#undef DSBC_SIP_H_ENUM
	DSBC_SIP_H_MAX
};

#define DSBC_SIP_METHODS(X) \
	X(INVITE) X(ACK) X(BYE) X(CANCEL) X(OPTIONS) X(REGISTER) X(PRACK) \
	X(UPDATE) X(INFO) X(SUBSCRIBE) X(NOTIFY) X(REFER) X(MESSAGE)

enum dsbc_sip_method {
	DSBC_SIP_M_OTHER = 0,
#define DSBC_SIP_M_ENUM(m) DSBC_SIP_M_##m,
	DSBC_SIP_METHODS(DSBC_SIP_M_ENUM)
#undef DSBC_SIP_M_ENUM
	DSBC_SIP_M_MAX
};

struct dsbc_sip_hdr {
	uint8_t id;                  /* enum dsbc_sip_hdr_id */
	struct dsbc_sip_str name;
	struct dsbc_sip_str value;   /* trimmed, may contain line folds */
};

struct dsbc_sip_msg {
	const char *buf;
	uint32_t len;                /* datagram length */
	bool request;
	uint8_t method_id;           /* requests: enum dsbc_sip_method */
	uint16_t status;             /* responses */
	struct dsbc_sip_str method;
	struct dsbc_sip_str ruri;
	struct dsbc_sip_str reason;
	struct dsbc_sip_str body;
	uint32_t msg_len;            /* through the end of the body */
	uint16_t nb_hdrs;
	int16_t first[DSBC_SIP_H_MAX];   /* first line of each known header */
	uint8_t count[DSBC_SIP_H_MAX];   /* lines of each known header */
	struct dsbc_sip_hdr hdrs[DSBC_SIP_MAX_HDRS];
};

/*
 * Split a datagram into start line, headers and body.  The body is what
 * Content-Length says (RFC 3261 section 18.3: bytes beyond it are ignored,
 * fewer is an error); a message without Content-Length takes the rest of
 * the datagram.  Returns DSBC_SIP_ERR_NONE or the first error.
 */
enum dsbc_sip_err dsbc_sip_parse(const char *buf, uint32_t len,
				 struct dsbc_sip_msg *m);

/* Header id of a name (full or compact form, case-insensitive). */
enum dsbc_sip_hdr_id dsbc_sip_hdr_lookup(const char *name, uint32_t len);
const char *dsbc_sip_hdr_name(enum dsbc_sip_hdr_id id);
enum dsbc_sip_method dsbc_sip_method_lookup(const char *name, uint32_t len);
const char *dsbc_sip_method_name(enum dsbc_sip_method m);

/* The i-th line (0-based) of header id, or NULL. */
const struct dsbc_sip_hdr *dsbc_sip_hdr_get(const struct dsbc_sip_msg *m,
					    enum dsbc_sip_hdr_id id,
					    unsigned int i);

#endif /* DSBC_SIP_MSG_H */
