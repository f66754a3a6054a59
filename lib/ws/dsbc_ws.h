/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_WS_H
#define DSBC_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * @file
 * WebSocket as SIP uses it (RFC 6455, RFC 7118), sans-I/O: the opening
 * handshake of a server, and the frames of a connection.  Bytes in from
 * the caller's socket, whole SIP messages out; SIP messages in, frames
 * out.  No clock, no socket.
 */

/** The client's opening handshake, as parsed (RFC 6455 section 4.2.1). */
struct dsbc_ws_upgrade {
	char path[256];
	char host[256];
	char origin[256];          /**< "" when the client sent none */
	char key[32];              /**< Sec-WebSocket-Key, base64 of 16 bytes */
	bool sip;                  /**< "sip" among Sec-WebSocket-Protocol */
};

/**
 * Parse the HTTP upgrade request at the start of buf.
 *
 * @param buf  what the connection has received
 * @param len  its length
 * @param u  out: the parts, when complete and valid
 * @param consumed  out: the request's length (through the blank line)
 * @return 0 when not all there yet; 101 when valid; otherwise the HTTP
 *   status to refuse it with: 400 (malformed, not GET, no Host, no key,
 *   not an upgrade to websocket), 426 (Sec-WebSocket-Version not 13),
 *   431 (headers over 8 KiB); a missing "sip" subprotocol is left to
 *   the caller (u->sip)
 */
int dsbc_ws_upgrade_parse(const char *buf, uint32_t len,
			  struct dsbc_ws_upgrade *u, uint32_t *consumed);

/**
 * The 101 answer accepting u, with Sec-WebSocket-Accept and the "sip"
 * subprotocol (RFC 7118 section 4).
 *
 * @param u  a valid upgrade
 * @param out  where the answer goes
 * @param cap  its size
 * @return its length, or -1 when cap is too small
 */
int dsbc_ws_accept(const struct dsbc_ws_upgrade *u, char *out, size_t cap);

/**
 * An HTTP answer refusing an upgrade.
 *
 * @param status  400, 403, 426, 431
 * @param out  where the answer goes
 * @param cap  its size
 * @return its length, or -1 when cap is too small
 */
int dsbc_ws_refuse(int status, char *out, size_t cap);

/** What dsbc_ws_next() found. */
enum dsbc_ws_rc {
	DSBC_WS_NEED = 0,          /**< no whole frame yet */
	DSBC_WS_MSG,               /**< a whole message (text or binary) */
	DSBC_WS_PING,              /**< answer with a pong of its payload */
	DSBC_WS_PONG,
	DSBC_WS_CLOSE,             /**< answer with a close, then close */
	DSBC_WS_ERR_UNMASKED,      /**< a client frame without mask (5.1) */
	DSBC_WS_ERR_TOO_BIG,       /**< a message over the limit */
	DSBC_WS_ERR_PROTOCOL,      /**< reserved bits or opcode, a long or
				    *   fragmented control frame, a bad
				    *   continuation */
};

/** A connection's receiving side: its buffer and a message assembled
 * from fragments. */
struct dsbc_ws_rx {
	uint8_t *buf;
	uint32_t cap;
	uint32_t len;              /**< bytes in buf */
	uint32_t skip;             /**< consumed at the front, dropped on the
				    *   next call */
	uint32_t max_msg;
	uint8_t *frag;             /**< a fragmented message so far */
	uint32_t frag_len;
	bool in_frag;
};

/**
 * Set up a receiving side.
 *
 * @param rx  it
 * @param max_msg  the largest message accepted (and the buffer's size,
 *   with room for a frame header)
 * @return 0, or -1 when memory is short
 */
int dsbc_ws_rx_init(struct dsbc_ws_rx *rx, uint32_t max_msg);

/** Free a receiving side's buffers. @param rx  it */
void dsbc_ws_rx_free(struct dsbc_ws_rx *rx);

/**
 * Where the next bytes read go, and how many fit.
 *
 * @param rx  the receiving side
 * @param room  out: bytes that fit
 * @return where they go
 */
uint8_t *dsbc_ws_rx_tail(struct dsbc_ws_rx *rx, uint32_t *room);

/**
 * n bytes were read into the tail.
 *
 * @param rx  the receiving side
 * @param n  how many
 */
void dsbc_ws_rx_wrote(struct dsbc_ws_rx *rx, uint32_t n);

/**
 * The next message or control frame.  What *p points to stays valid
 * until the next call.
 *
 * @param rx  the receiving side
 * @param p  out: the payload, unmasked (MSG, PING, PONG, CLOSE)
 * @param plen  out: its length
 * @return what was found
 */
enum dsbc_ws_rc dsbc_ws_next(struct dsbc_ws_rx *rx, const uint8_t **p,
			     uint32_t *plen);

/**
 * The header of a server frame (unmasked, FIN) of opcode for len
 * payload bytes.
 *
 * @param opcode  0x1 text, 0x2 binary, 0x8 close, 0x9 ping, 0xa pong
 * @param len  the payload's length
 * @param out  at least 10 bytes
 * @return the header's length
 */
uint32_t dsbc_ws_frame_head(uint8_t opcode, uint64_t len, uint8_t out[10]);

#endif /* DSBC_WS_H */
