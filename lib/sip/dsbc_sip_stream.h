/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SIP_STREAM_H
#define DSBC_SIP_STREAM_H

#include <stdbool.h>
#include <stdint.h>

/**
 * @file
 * SIP messages out of a byte stream (TCP, TLS): RFC 3261 section 18.3.
 * A stream has no datagram boundaries, so a message ends where its
 * Content-Length says, and a message without one is an error that ends
 * the connection (section 20.14: mandatory over streams).  CRLFs between
 * messages are skipped (section 7.5), except that a double CRLF is the
 * keepalive ping of RFC 5626 section 4.4.1, which the transport answers
 * with a single CRLF (pong).
 *
 * Sans-I/O: the caller appends what it read with dsbc_sip_stream_push()
 * and takes whole messages with dsbc_sip_stream_next(); the framer owns
 * one buffer of at most max_msg bytes, so a peer can never make it hold
 * more than that (a message over the limit is an error, not a wait).
 * Taking a message moves nothing: the bytes left are moved to the front
 * once, when room is asked for, and a message's header block is scanned
 * once however slowly its body comes, so what a read costs stays linear
 * in what was read.
 */

/** What dsbc_sip_stream_next() found. */
enum dsbc_sip_stream_rc {
	DSBC_SIP_STREAM_MSG = 0,      /**< a whole message: *msg, *len */
	DSBC_SIP_STREAM_NEED,         /**< nothing whole yet: read more */
	DSBC_SIP_STREAM_PING,         /**< CRLF CRLF: answer with CRLF */
	DSBC_SIP_STREAM_PONG,         /**< a lone CRLF after our ping */
	DSBC_SIP_STREAM_TOO_BIG,      /**< over max_msg: close */
	DSBC_SIP_STREAM_NO_LENGTH,    /**< header end, no Content-Length */
	DSBC_SIP_STREAM_BAD_LENGTH,   /**< Content-Length not a number, or
				       * two that differ */
};

/** One connection's framer. */
struct dsbc_sip_stream {
	char *buf;                    /**< [cap] */
	uint32_t start;               /**< first byte not taken yet */
	uint32_t len;                 /**< end of the bytes held */
	uint32_t cap;                 /**< max_msg */
	uint32_t taken;               /**< the last message returned, to
				       * drop at the next call */
	uint32_t scanned;             /**< header end searched up to, from
				       * start */
	uint32_t total;               /**< the message being read, once its
				       * headers are in; 0 before */
	bool ping_sent;               /**< we pinged: a lone CRLF is a pong */
};

/**
 * Set up a framer.
 *
 * @param s  the framer
 * @param max_msg  the largest message (headers and body), bytes
 * @return 0, or -ENOMEM
 */
int dsbc_sip_stream_init(struct dsbc_sip_stream *s, uint32_t max_msg);

/**
 * Free a framer's buffer.
 *
 * @param s  the framer
 */
void dsbc_sip_stream_free(struct dsbc_sip_stream *s);

/**
 * Room left for the next read (the caller reads at most that much into
 * dsbc_sip_stream_tail()).
 *
 * @param s  the framer
 * @return bytes
 */
uint32_t dsbc_sip_stream_room(struct dsbc_sip_stream *s);

/**
 * Where the next read goes.
 *
 * @param s  the framer
 * @return a pointer to dsbc_sip_stream_room() bytes
 */
char *dsbc_sip_stream_tail(struct dsbc_sip_stream *s);

/**
 * n bytes were read into dsbc_sip_stream_tail().
 *
 * @param s  the framer
 * @param n  at most dsbc_sip_stream_room()
 */
void dsbc_sip_stream_wrote(struct dsbc_sip_stream *s, uint32_t n);

/**
 * Append bytes (copying; dsbc_sip_stream_tail() avoids the copy).
 *
 * @param s  the framer
 * @param p  the bytes
 * @param n  how many
 * @return 0, or -ENOSPC when they do not fit (the message being read
 *   would be over max_msg: close the connection)
 */
int dsbc_sip_stream_push(struct dsbc_sip_stream *s, const char *p, uint32_t n);

/**
 * The next message, keepalive or error.  A message stays valid until the
 * next call.  After an error the framer is not to be used again.
 *
 * @param s  the framer
 * @param msg  out: the message
 * @param len  out: its length
 * @return what was found
 */
enum dsbc_sip_stream_rc dsbc_sip_stream_next(struct dsbc_sip_stream *s,
					     const char **msg, uint32_t *len);

/**
 * Note that a keepalive ping (CRLF CRLF) was sent on this stream: a lone
 * CRLF from the peer is then its pong (RFC 5626 section 4.4.1).
 *
 * @param s  the framer
 */
void dsbc_sip_stream_pinged(struct dsbc_sip_stream *s);

#endif /* DSBC_SIP_STREAM_H */
