/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SDP_H
#define DSBC_SDP_H

#include <stdbool.h>
#include <stdint.h>

/**
 * @file
 * SDP (RFC 8866) as the B2BUA needs it for offer/answer (RFC 3264): views
 * into the body, the lines kept in order so that everything dsbc does not
 * rewrite is copied byte for byte (a=fingerprint and a=setup in relay and
 * media-aware modes, RFC 7879 section 3.1).  Plain C, no allocation.
 */
/** m= lines per body; more is DSBC_SDP_ERR_TOO_MANY_MEDIA. */
#define DSBC_SDP_MAX_MEDIA  16
/** Lines per body; more is DSBC_SDP_ERR_TOO_MANY_LINES. */
#define DSBC_SDP_MAX_LINES  384
/** Bytes per line, without its end; more is DSBC_SDP_ERR_LINE_TOO_LONG. */
#define DSBC_SDP_MAX_LINE   4096
/** a=rtpmap lines kept per media; more are ignored. */
#define DSBC_SDP_MAX_RTPMAP 32
/** a=fingerprint lines kept per level (RFC 8122 section 5 allows several:
 * one per hash function or certificate); more are ignored */
#define DSBC_SDP_MAX_FP 4

/** Every reason an SDP body is refused: X(enum suffix, telemetry name,
 * reason phrase). */
#define DSBC_SDP_ERRORS(X) \
	X(NONE,           "ok",                    "OK") \
	X(EMPTY,          "sdp_empty",             "Empty SDP") \
	X(VERSION,        "sdp_bad_version",       "SDP Does Not Start With v=0") \
	X(LINE,           "sdp_bad_line",          "Malformed SDP Line") \
	X(LINE_TOO_LONG,  "sdp_line_too_long",     "SDP Line Too Long") \
	X(TOO_MANY_LINES, "sdp_too_many_lines",    "Too Many SDP Lines") \
	X(ORIGIN,         "sdp_bad_origin",        "Malformed SDP o= Line") \
	X(CONN,           "sdp_bad_connection",    "Malformed SDP c= Line") \
	X(MEDIA,          "sdp_bad_media",         "Malformed SDP m= Line") \
	X(TOO_MANY_MEDIA, "sdp_too_many_media",    "Too Many SDP Media Lines") \
	X(NO_CONN,        "sdp_no_connection",     "SDP Media Without Connection Address") \
	X(RTCP,           "sdp_bad_rtcp",          "Malformed SDP a=rtcp") \
	X(NO_SPACE,       "sdp_no_space",          "SDP Rewrite Does Not Fit")

/** Reasons an SDP body is refused: DSBC_SDP_ERR_ and each suffix. */
enum dsbc_sdp_err {
#define DSBC_SDP_ERR_ENUM(e, name, reason) DSBC_SDP_ERR_##e,
	DSBC_SDP_ERRORS(DSBC_SDP_ERR_ENUM)
#undef DSBC_SDP_ERR_ENUM
	DSBC_SDP_ERR_MAX
};

/**
 * Telemetry name of an error.
 *
 * @param e  the error
 * @return its name, e.g. "sdp_bad_media"; "?" when e is out of range
 */
const char *dsbc_sdp_err_name(enum dsbc_sdp_err e);
/**
 * Reason phrase of an error (for a SIP response refusing the body).
 *
 * @param e  the error
 * @return the phrase, "" when e is out of range
 */
const char *dsbc_sdp_err_reason(enum dsbc_sdp_err e);

/** A view of len bytes at p, not NUL-terminated. */
struct dsbc_sdp_str {
	const char *p;
	uint32_t len;
};

/** What an a= line is, for the rewrite. */
enum dsbc_sdp_attr {
	DSBC_SDP_A_OTHER = 0,
	DSBC_SDP_A_RTCP, DSBC_SDP_A_RTCP_MUX, DSBC_SDP_A_CANDIDATE,
	DSBC_SDP_A_ICE_UFRAG, DSBC_SDP_A_ICE_PWD, DSBC_SDP_A_ICE_OPTIONS,
	DSBC_SDP_A_ICE_LITE, DSBC_SDP_A_END_OF_CANDIDATES,
	DSBC_SDP_A_REMOTE_CANDIDATES, DSBC_SDP_A_FINGERPRINT, DSBC_SDP_A_SETUP,
	DSBC_SDP_A_CRYPTO, DSBC_SDP_A_MID, DSBC_SDP_A_RTPMAP,
	DSBC_SDP_A_SENDRECV, DSBC_SDP_A_SENDONLY, DSBC_SDP_A_RECVONLY,
	DSBC_SDP_A_INACTIVE,
};

/** One line of the body, in order. */
struct dsbc_sdp_line {
	char type;                  /* 'v', 'o', 'c', 'm', 'a', ... */
	uint8_t attr;               /* enum dsbc_sdp_attr for 'a' */
	int8_t media;               /* -1: session level */
	struct dsbc_sdp_str value;  /* after "x=", without the line end */
};

/** An address of a c=, o= or a=rtcp line. */
struct dsbc_sdp_conn {
	uint8_t family;             /* 0: none, 4 or 6 */
	struct dsbc_sdp_str addr;
};

/** Media direction attributes (RFC 3264 section 5.1). */
enum dsbc_sdp_dir {
	DSBC_SDP_SENDRECV = 0, DSBC_SDP_SENDONLY, DSBC_SDP_RECVONLY,
	DSBC_SDP_INACTIVE,
};

/** An a=rtpmap: payload type, encoding name and clock rate. */
struct dsbc_sdp_rtpmap {
	uint8_t pt;
	uint32_t clock;
	struct dsbc_sdp_str encoding;
};

/** What dsbc reads of one media section (an m= line and what follows). */
struct dsbc_sdp_media {
	struct dsbc_sdp_str type;   /* audio, video, ... */
	uint16_t port;              /* 0: rejected (RFC 3264 section 6) */
	uint16_t nports;            /* "port/number", 1 when absent */
	struct dsbc_sdp_str proto;
	struct dsbc_sdp_str fmts;
	struct dsbc_sdp_conn conn;  /* media-level c=, else the session's */
	bool rtcp_mux;
	bool has_rtcp;
	uint16_t rtcp_port;
	struct dsbc_sdp_conn rtcp_conn;
	uint8_t dir;                /* enum dsbc_sdp_dir (session default) */
	uint16_t nb_candidates;
	struct dsbc_sdp_str ice_ufrag, ice_pwd, setup, mid;
	uint8_t nb_fingerprint;
	struct dsbc_sdp_str fingerprint[DSBC_SDP_MAX_FP];
	uint16_t nb_crypto;
	uint8_t nb_rtpmap;
	struct dsbc_sdp_rtpmap rtpmap[DSBC_SDP_MAX_RTPMAP];
};

/** A parsed body: session-level values, every line, each media. */
struct dsbc_sdp {
	struct dsbc_sdp_str origin_user;
	struct dsbc_sdp_str sess_id;
	uint64_t sess_version;
	struct dsbc_sdp_conn origin_addr;
	struct dsbc_sdp_conn conn;            /* session-level c= */
	struct dsbc_sdp_str ice_ufrag, ice_pwd, setup;
	uint8_t nb_fingerprint;
	struct dsbc_sdp_str fingerprint[DSBC_SDP_MAX_FP];
	bool ice_lite;
	uint8_t dir;
	uint16_t nb_lines;
	uint8_t nb_media;
	struct dsbc_sdp_line lines[DSBC_SDP_MAX_LINES];
	struct dsbc_sdp_media media[DSBC_SDP_MAX_MEDIA];
};

/**
 * Parse an SDP body.  Lines end with CRLF or LF; the first must be v=0
 * and an o= line is required, at session level.  The address of a c=
 * (or a=rtcp) line must be "IN IP4" or "IN IP6" and a literal address
 * of that family, without TTL or count (RFC 8866 section 5.7).  A media
 * section without its own c= gets the session's; its direction defaults
 * to the session's.
 *
 * @param buf  the body; s keeps pointers into it
 * @param len  its length
 * @param s  the result, out (zeroed first)
 * @return DSBC_SDP_ERR_NONE or the first error
 */
enum dsbc_sdp_err dsbc_sdp_parse(const char *buf, uint32_t len,
				 struct dsbc_sdp *s);

#endif /* DSBC_SDP_H */
