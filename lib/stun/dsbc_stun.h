/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_STUN_H
#define DSBC_STUN_H

#include <stdbool.h>
#include <stdint.h>

#include "dsbc_net.h"

/**
 * @file
 * STUN (RFC 8489) as far as an ICE-lite agent needs it (RFC 8445 section
 * 2.5): parse a Binding request, check its USERNAME, MESSAGE-INTEGRITY
 * (HMAC-SHA1, short-term credential: the key is the password) and
 * FINGERPRINT, and build the Binding success response with
 * XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and FINGERPRINT.  Works on byte
 * buffers; no allocation, no syscalls, so workers call it per packet.
 */

#define DSBC_STUN_HDR_LEN 20
#define DSBC_STUN_COOKIE 0x2112A442u
#define DSBC_STUN_TXID_LEN 12
#define DSBC_STUN_MI_LEN 20          /* HMAC-SHA1 */
#define DSBC_STUN_FP_XOR 0x5354554Eu /* section 14.7 */

/** Message types (section 5: method and class bits interleaved). */
#define DSBC_STUN_BINDING_REQUEST    0x0001
#define DSBC_STUN_BINDING_INDICATION 0x0011
#define DSBC_STUN_BINDING_SUCCESS    0x0101
#define DSBC_STUN_BINDING_ERROR      0x0111

/** Attributes (section 18.3, RFC 8445 section 16.1). */
#define DSBC_STUN_A_MAPPED_ADDRESS     0x0001
#define DSBC_STUN_A_USERNAME           0x0006
#define DSBC_STUN_A_MESSAGE_INTEGRITY  0x0008
#define DSBC_STUN_A_ERROR_CODE         0x0009
#define DSBC_STUN_A_XOR_MAPPED_ADDRESS 0x0020
#define DSBC_STUN_A_PRIORITY           0x0024
#define DSBC_STUN_A_USE_CANDIDATE      0x0025
#define DSBC_STUN_A_SOFTWARE           0x8022
#define DSBC_STUN_A_FINGERPRINT        0x8028
#define DSBC_STUN_A_ICE_CONTROLLED     0x8029
#define DSBC_STUN_A_ICE_CONTROLLING    0x802A

/** Why a message was refused; the names are worker drop counters.
 * X(enum suffix, meaning). */
#define DSBC_STUN_ERRS(X) \
	X(NONE,        "ok") \
	X(MALFORMED,   "header, length or attribute layout wrong") \
	X(NOT_REQUEST, "not a Binding request (response, indication, other method)") \
	X(NO_AUTH,     "USERNAME or MESSAGE-INTEGRITY missing") \
	X(USERNAME,    "USERNAME is not <our ufrag>:<peer ufrag>") \
	X(INTEGRITY,   "MESSAGE-INTEGRITY does not verify with our password") \
	X(FINGERPRINT, "FINGERPRINT wrong")

/** Why a message was refused, DSBC_STUN_ERR_ and each suffix. */
enum dsbc_stun_err {
#define DSBC_STUN_ERR_ENUM(e, help) DSBC_STUN_ERR_##e,
	DSBC_STUN_ERRS(DSBC_STUN_ERR_ENUM)
#undef DSBC_STUN_ERR_ENUM
	DSBC_STUN_ERR_MAX
};

/** What dsbc_stun_parse() found in a message.  Offsets are from the start
 * of the STUN message; 0 means absent. */
struct dsbc_stun_msg {
	uint16_t type;
	uint16_t len;                /* attributes, without the header */
	uint16_t username_off;       /* value */
	uint16_t username_len;
	uint16_t mi_off;             /* MESSAGE-INTEGRITY attribute header */
	uint16_t fp_off;             /* FINGERPRINT attribute header */
	uint32_t priority;
	bool use_candidate;
	bool controlling;
	bool controlled;
};

/**
 * Layout (section 5, 14): returns NONE or MALFORMED.  Checks the header
 * (top bits zero, magic cookie, length a multiple of 4 matching len) and
 * the attributes' layout: each within the message, USERNAME 1 to 513
 * bytes, MESSAGE-INTEGRITY, FINGERPRINT and PRIORITY of their sizes,
 * only FINGERPRINT after MESSAGE-INTEGRITY and nothing after FINGERPRINT.
 *
 * @param p  the message (the UDP payload)
 * @param len  its length
 * @param m  out: type, attribute offsets and ICE attributes (zeroed
 *   first)
 * @return DSBC_STUN_ERR_NONE or DSBC_STUN_ERR_MALFORMED
 */
enum dsbc_stun_err dsbc_stun_parse(const uint8_t *p, uint32_t len,
				   struct dsbc_stun_msg *m);

/**
 * An ICE connectivity check for the agent whose credentials are given:
 * a Binding request, USERNAME "<local>:<remote>" (RFC 8445 section
 * 7.2.2; remote may be NULL when the peer's ufrag is not known yet),
 * MESSAGE-INTEGRITY with pwd, FINGERPRINT right when present.
 *
 * @param p  the message dsbc_stun_parse() accepted
 * @param m  what it found
 * @param local_ufrag  dsbc's ufrag, NUL-terminated
 * @param remote_ufrag  the peer's, or NULL or "" when not known yet
 *   (then any one is accepted)
 * @param pwd  dsbc's password, the HMAC key
 * @param pwd_len  its length
 * @return DSBC_STUN_ERR_NONE, or the first reason found, checked in
 *   this order: NOT_REQUEST, FINGERPRINT, NO_AUTH, USERNAME, INTEGRITY
 */
enum dsbc_stun_err dsbc_stun_check(const uint8_t *p, const struct dsbc_stun_msg *m,
				   const char *local_ufrag, const char *remote_ufrag,
				   const char *pwd, uint32_t pwd_len);

/**
 * Binding success for the request req (same transaction id) into out:
 * XOR-MAPPED-ADDRESS of the source, MESSAGE-INTEGRITY with pwd and
 * FINGERPRINT.  Returns its length, 0 if cap is too small.
 *
 * @param req  the request; only its transaction id is read, so out may
 *   be the same buffer
 * @param family  6 for an IPv6 source, anything else IPv4
 * @param src  the request's source address
 * @param src_port  its source port, host order
 * @param pwd  dsbc's password, the HMAC key
 * @param pwd_len  its length
 * @param out  where the response goes
 * @param cap  size of out: 64 bytes for IPv4, 76 for IPv6
 * @return the response's length, 0 if cap is too small
 */
uint32_t dsbc_stun_binding_success(const uint8_t *req, uint8_t family,
				   const struct dsbc_addr *src, uint16_t src_port,
				   const char *pwd, uint32_t pwd_len,
				   uint8_t *out, uint32_t cap);

/**
 * CRC-32 (ISO-HDLC, as in Ethernet) and HMAC-SHA1, exposed for tests.
 * This one is the CRC-32 (FINGERPRINT XORs it with DSBC_STUN_FP_XOR).
 *
 * @param p  the bytes
 * @param len  how many
 * @return the CRC-32
 */
uint32_t dsbc_stun_crc32(const uint8_t *p, uint32_t len);
/**
 * HMAC-SHA1 (RFC 2104), as MESSAGE-INTEGRITY uses it.
 *
 * @param key  the key (the ICE password)
 * @param key_len  its length
 * @param p  the bytes
 * @param len  how many
 * @param mac  out: the 20-byte HMAC
 */
void dsbc_stun_hmac_sha1(const uint8_t *key, uint32_t key_len,
			 const uint8_t *p, uint32_t len,
			 uint8_t mac[DSBC_STUN_MI_LEN]);

/**
 * Name of a refusal reason.
 *
 * @param e  the reason
 * @return its enum suffix, e.g. "MALFORMED"; "?" when e is out of range
 */
const char *dsbc_stun_err_name(enum dsbc_stun_err e);

#endif /* DSBC_STUN_H */
