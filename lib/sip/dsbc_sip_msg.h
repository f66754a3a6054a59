/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SIP_MSG_H
#define DSBC_SIP_MSG_H

#include <stdbool.h>
#include <stdint.h>

#include "dsbc_sip_err.h"

/**
 * @file
 * SIP message framing (RFC 3261 section 7): start line, header lines and
 * body, as views into the caller's buffer.  No allocation: the message
 * structure is fixed-size and caller-provided.  Header values are not
 * parsed here: dsbc_sip_hdr.h parses one when it is needed (lazy).
 */
#define DSBC_SIP_MAX_MSG   65535   /* UDP datagram */
#define DSBC_SIP_MAX_HDRS  96      /* header lines per message */

/** A view of len bytes at p, not NUL-terminated. */
struct dsbc_sip_str {
	const char *p;
	uint32_t len;
};

/** Headers dsbc looks at; X(enum suffix, full name, compact form or 0). */
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
	X(REPLACES,       "Replaces",       0) \
	X(AUTHORIZATION,  "Authorization",  0) \
	X(PROXY_AUTHORIZATION, "Proxy-Authorization", 0) \
	X(WWW_AUTHENTICATE, "WWW-Authenticate", 0) \
	X(PROXY_AUTHENTICATE, "Proxy-Authenticate", 0) \
	X(MIN_EXPIRES,    "Min-Expires",    0)

/** Known headers: DSBC_SIP_H_ and each suffix; OTHER for the rest. */
enum dsbc_sip_hdr_id {
	DSBC_SIP_H_OTHER = 0,
#define DSBC_SIP_H_ENUM(e, name, compact) DSBC_SIP_H_##e,
	DSBC_SIP_HEADERS(DSBC_SIP_H_ENUM)
#undef DSBC_SIP_H_ENUM
	DSBC_SIP_H_MAX
};

/** Methods dsbc knows by name; X(method, also its enum suffix). */
#define DSBC_SIP_METHODS(X) \
	X(INVITE) X(ACK) X(BYE) X(CANCEL) X(OPTIONS) X(REGISTER) X(PRACK) \
	X(UPDATE) X(INFO) X(SUBSCRIBE) X(NOTIFY) X(REFER) X(MESSAGE)

/** Known methods: DSBC_SIP_M_ and each name; OTHER for the rest. */
enum dsbc_sip_method {
	DSBC_SIP_M_OTHER = 0,
#define DSBC_SIP_M_ENUM(m) DSBC_SIP_M_##m,
	DSBC_SIP_METHODS(DSBC_SIP_M_ENUM)
#undef DSBC_SIP_M_ENUM
	DSBC_SIP_M_MAX
};

/** One header line. */
struct dsbc_sip_hdr {
	uint8_t id;                  /* enum dsbc_sip_hdr_id */
	struct dsbc_sip_str name;
	struct dsbc_sip_str value;   /* trimmed, may contain line folds */
};

/**
 * A message split by dsbc_sip_parse(): views into its buffer, and the
 * header lines in order with an index of the known ones.
 */
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

/**
 * Split a datagram into start line, headers and body.  The body is what
 * Content-Length says (RFC 3261 section 18.3: bytes beyond it are ignored,
 * fewer is an error); a message without Content-Length takes the rest of
 * the datagram.  CRLFs before the start line are skipped (section 7.5);
 * header values are not checked (dsbc_sip_check.h does that).
 *
 * @param buf  the datagram; m keeps pointers into it
 * @param len  its length, at most DSBC_SIP_MAX_MSG
 * @param m  the message, out; filled as far as parsing went on error
 * @return DSBC_SIP_ERR_NONE or the first error
 */
enum dsbc_sip_err dsbc_sip_parse(const char *buf, uint32_t len,
				 struct dsbc_sip_msg *m);

/**
 * Header id of a name (full or compact form, case-insensitive).
 *
 * @param name  the header name, not NUL-terminated
 * @param len  its length
 * @return the id, DSBC_SIP_H_OTHER for a header dsbc does not know
 */
enum dsbc_sip_hdr_id dsbc_sip_hdr_lookup(const char *name, uint32_t len);
/**
 * Full name of a header.
 *
 * @param id  the header id
 * @return its name, "" for DSBC_SIP_H_OTHER or an id out of range
 */
const char *dsbc_sip_hdr_name(enum dsbc_sip_hdr_id id);
/**
 * Method of a name; methods are case-sensitive (RFC 3261 section 7.1).
 *
 * @param name  the method token, not NUL-terminated
 * @param len  its length
 * @return the method, DSBC_SIP_M_OTHER for one dsbc does not know
 */
enum dsbc_sip_method dsbc_sip_method_lookup(const char *name, uint32_t len);
/**
 * Name of a method.
 *
 * @param m  the method
 * @return its name, e.g. "INVITE"; "" for DSBC_SIP_M_OTHER or a method
 *   out of range
 */
const char *dsbc_sip_method_name(enum dsbc_sip_method m);

/**
 * The i-th line (0-based) of header id, or NULL.
 *
 * @param m  a message parsed by dsbc_sip_parse()
 * @param id  the header
 * @param i  which of its lines, counted from 0 in message order
 * @return the header line, NULL when the message has fewer than i + 1
 */
const struct dsbc_sip_hdr *dsbc_sip_hdr_get(const struct dsbc_sip_msg *m,
					    enum dsbc_sip_hdr_id id,
					    unsigned int i);

#endif /* DSBC_SIP_MSG_H */
