/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SIP_CLASS_H
#define DSBC_SIP_CLASS_H

/**
 * @file
 * What a SIP datagram is, told from its first bytes without parsing it,
 * so a worker can give it a priority before any ring (overload control:
 * a flood of new requests must never delay the messages of established
 * calls).  The verdict is a hint: the management lcore parses and checks
 * everything it lets through.
 */
#include <stdint.h>

/** Kinds of SIP datagram, from cheapest to drop to most precious. */
enum dsbc_sip_kind {
	/** neither "SIP/2.0 nnn " nor a method token and a space: random
	 * bytes, a CRLF keepalive (meaningful on streams only, RFC 5626
	 * section 3.5.1), anything no SIP element sends on UDP */
	DSBC_SIP_KIND_GARBAGE,
	/** a response (RFC 3261 7.2) */
	DSBC_SIP_KIND_RESPONSE,
	/** a request whose To header carries a tag: inside a dialog, or
	 * the ACK of a non-2xx final response (RFC 3261 12.2, 17.1.1.3) */
	DSBC_SIP_KIND_IN_DIALOG,
	/** a REGISTER (RFC 3261 10) */
	DSBC_SIP_KIND_REGISTER,
	/** any other request outside a dialog: INVITE, OPTIONS, CANCEL... */
	DSBC_SIP_KIND_NEW,
	DSBC_SIP_KINDS
};

/**
 * Tell a datagram's kind.  Looks at the start line and, for a request,
 * at the To header's parameters (compact form "t" too, continuation
 * lines followed), never past the blank line that ends the headers.
 *
 * @param p  the UDP payload
 * @param len  its length
 * @return the kind
 */
enum dsbc_sip_kind dsbc_sip_kind(const uint8_t *p, uint32_t len);

#endif /* DSBC_SIP_CLASS_H */
