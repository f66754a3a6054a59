/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SIP_ERR_H
#define DSBC_SIP_ERR_H

/**
 * @file
 * The reasons a SIP message is refused, with the telemetry name, the
 * status answering a request and the reason phrase of each.
 */
/**
 * Every reason a SIP message is refused, defined once:
 * X(enum suffix, telemetry name, status to answer a request with, reason
 * phrase).  Status 0 means no answer is possible (malformed responses and
 * requests too broken to answer are discarded, RFC 3261 section 18.3).
 */
#define DSBC_SIP_ERRORS(X) \
	X(NONE,           "ok",                  0,   "OK") \
	X(TOO_BIG,        "sip_too_big",         513, "Message Too Large") \
	X(NO_END,         "sip_no_header_end",   0,   "") \
	X(START_LINE,     "sip_bad_start_line",  400, "Bad Request - Malformed Request-Line") \
	X(VERSION,        "sip_bad_version",     505, "Version Not Supported") \
	X(STATUS_LINE,    "sip_bad_status_line", 0,   "") \
	X(RURI,           "sip_bad_request_uri", 400, "Bad Request - Malformed Request-URI") \
	X(RURI_SCHEME,    "sip_unsupported_uri", 416, "Unsupported URI Scheme") \
	X(HDR_LINE,       "sip_bad_header_line", 400, "Bad Request - Malformed Header Line") \
	X(TOO_MANY_HDRS,  "sip_too_many_headers", 400, "Bad Request - Too Many Header Fields") \
	X(MISSING_HDR,    "sip_missing_header",  400, "Bad Request - Missing Mandatory Header") \
	X(DUP_HDR,        "sip_duplicate_header", 400, "Bad Request - Duplicate Single-Value Header") \
	X(VIA,            "sip_bad_via",         400, "Bad Request - Malformed Via") \
	X(FROM,           "sip_bad_from",        400, "Bad Request - Malformed From") \
	X(TO,             "sip_bad_to",          400, "Bad Request - Malformed To") \
	X(CONTACT,        "sip_bad_contact",     400, "Bad Request - Malformed Contact") \
	X(CALL_ID,        "sip_bad_call_id",     400, "Bad Request - Malformed Call-ID") \
	X(CSEQ,           "sip_bad_cseq",        400, "Bad Request - Malformed CSeq") \
	X(CSEQ_METHOD,    "sip_cseq_mismatch",   400, "Bad Request - CSeq Method Mismatch") \
	X(MAX_FORWARDS,   "sip_bad_max_forwards", 400, "Bad Request - Malformed Max-Forwards") \
	X(CONTENT_LENGTH, "sip_bad_content_length", 400, "Bad Request - Malformed Content-Length") \
	X(BODY_SHORT,     "sip_body_short",      400, "Bad Request - Content-Length Larger Than Message") \
	X(EXPIRES,        "sip_bad_expires",     400, "Bad Request - Malformed Expires") \
	X(DATE,           "sip_bad_date",        400, "Bad Request - Malformed Date") \
	X(ROUTE,          "sip_bad_route",       400, "Bad Request - Malformed Route") \
	X(RESPONSE,       "sip_bad_response",    0,   "")

/** Reasons a SIP message is refused: DSBC_SIP_ERR_ and each suffix. */
enum dsbc_sip_err {
#define DSBC_SIP_ERR_ENUM(e, name, status, reason) DSBC_SIP_ERR_##e,
	DSBC_SIP_ERRORS(DSBC_SIP_ERR_ENUM)
#undef DSBC_SIP_ERR_ENUM
	DSBC_SIP_ERR_MAX
};

/**
 * Telemetry name of an error.
 *
 * @param e  the error
 * @return its name, e.g. "sip_bad_via"; "?" when e is out of range
 */
const char *dsbc_sip_err_name(enum dsbc_sip_err e);
/**
 * Status to answer a request refused for an error with.
 *
 * @param e  the error
 * @return the status code, 0 when the message is discarded unanswered
 *   (or e is out of range)
 */
int dsbc_sip_err_status(enum dsbc_sip_err e);
/**
 * Reason phrase going with dsbc_sip_err_status().
 *
 * @param e  the error
 * @return the reason phrase, "" when there is no answer (or e is out
 *   of range)
 */
const char *dsbc_sip_err_reason(enum dsbc_sip_err e);

#endif /* DSBC_SIP_ERR_H */
