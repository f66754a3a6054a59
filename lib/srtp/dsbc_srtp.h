/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SRTP_H
#define DSBC_SRTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/**
 * @file
 * The parts of SRTP (RFC 3711) that do not depend on which engine does
 * the AES and HMAC (DPDK cryptodev or libsrtp2): session key
 * derivation (section 4.3, run once per key on the management lcore),
 * the AES-CM IV (4.1.1), packet index estimation (3.3.1, appendix A) and
 * the replay list (3.3.2), the last two per packet in the workers: plain
 * integer work on the caller's state, no allocation.
 *
 * Named dsbc_srtp_* so that nothing clashes with libsrtp2's srtp_*.
 */

/** Master and session salt of the AES-CM suites, bytes (section 8.2). */
#define DSBC_SRTP_SALT_LEN 14

/** Key derivation labels (section 4.3.1, 4.3.2) */
enum dsbc_srtp_label {
	DSBC_SRTP_LABEL_RTP_ENC = 0,
	DSBC_SRTP_LABEL_RTP_AUTH = 1,
	DSBC_SRTP_LABEL_RTP_SALT = 2,
	DSBC_SRTP_LABEL_RTCP_ENC = 3,
	DSBC_SRTP_LABEL_RTCP_AUTH = 4,
	DSBC_SRTP_LABEL_RTCP_SALT = 5,
};

/**
 * Section 4.3.1: out = PRF(master_key, (label || index DIV kdr) XOR
 * master_salt), the PRF being AES-CM (4.3.3).
 *
 * @param master_key  the master key
 * @param key_len  its length: 16, 24 or 32
 * @param master_salt  the master salt (a 12-byte one zero-padded)
 * @param label  which session key or salt
 * @param r  index DIV kdr (0 when the key derivation rate is 0)
 * @param out  the derived bytes, out
 * @param out_len  how many, at most 1 MiB
 * @return 0, or -1 on a bad key_len or out_len, or when OpenSSL fails
 */
int dsbc_srtp_kdf(const uint8_t *master_key, size_t key_len,
		  const uint8_t master_salt[DSBC_SRTP_SALT_LEN],
		  enum dsbc_srtp_label label, uint64_t r, uint8_t *out,
		  size_t out_len);

/**
 * Section 4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16).
 *
 * @param salt  the session salt k_s
 * @param ssrc  the packet's SSRC
 * @param index  its 48-bit packet index i (SRTCP: its 31-bit index)
 * @param iv  the 16-byte AES-CM IV, out (counter bytes zero)
 */
void dsbc_srtp_iv(const uint8_t salt[DSBC_SRTP_SALT_LEN], uint32_t ssrc,
		  uint64_t index, uint8_t iv[16]);

/** RFC 7714 AEAD_AES_128_GCM: 12-byte salt and IVs (sections 8.1, 9.1). */
#define DSBC_SRTP_GCM_SALT_LEN 12
/**
 * RFC 7714 section 8.1 SRTP IV: 00 00 || SSRC || ROC || SEQ, XOR the
 * session salt.
 *
 * @param salt  the 12-byte session salt
 * @param ssrc  the packet's SSRC
 * @param roc  its rollover counter
 * @param seq  its sequence number
 * @param iv  the 12-byte IV, out
 */
void dsbc_srtp_gcm_iv(const uint8_t salt[DSBC_SRTP_GCM_SALT_LEN],
		      uint32_t ssrc, uint32_t roc, uint16_t seq,
		      uint8_t iv[12]);
/**
 * RFC 7714 section 9.1 SRTCP IV: 00 00 || SSRC || 00 00 || 0 || 31-bit
 * index, XOR the session salt (the E flag is not part of it).
 *
 * @param salt  the 12-byte session salt
 * @param ssrc  the sender's SSRC
 * @param index  the SRTCP index; its top bit is ignored
 * @param iv  the 12-byte IV, out
 */
void dsbc_srtcp_gcm_iv(const uint8_t salt[DSBC_SRTP_GCM_SALT_LEN],
		       uint32_t ssrc, uint32_t index, uint8_t iv[12]);

/**
 * AES-CM keystream from iv (counter in its last 16 bits), for tests and
 * for the key derivation.
 *
 * @param key  the AES key
 * @param key_len  its length: 16, 24 or 32
 * @param iv  the initial counter block
 * @param out  the keystream, out
 * @param len  its length, at most 1 MiB
 * @return 0, or -1 on a bad key_len or len, or when OpenSSL fails
 */
int dsbc_srtp_aes_cm(const uint8_t *key, size_t key_len, const uint8_t iv[16],
		     uint8_t *out, size_t len);

/**
 * Section 3.3.1 / appendix A: the 48-bit index of a packet with sequence
 * number seq, given the receiver's ROC and highest sequence number s_l.
 *
 * @param roc  the receiver's rollover counter
 * @param s_l  the highest sequence number received
 * @param seq  the packet's sequence number
 * @return the index, with ROC - 1, ROC or ROC + 1 (modulo 2^32) as its
 *   upper 32 bits, whichever puts it closest to s_l
 */
uint64_t dsbc_srtp_index_guess(uint32_t roc, uint16_t s_l, uint16_t seq);

/**
 * @struct dsbc_srtp_replay
 * Section 3.3.2 replay list: a sliding window of `size` packet indexes
 * (64..1024, a multiple of 64) below the highest authenticated one.
 * Check before authenticating, update after.
 *
 * The window does not slide bit by bit: index i has bit i % 64 of word
 * (i / 64) % words, words being a power of two above size / 64, and
 * moving the top past a word boundary clears the words it enters (the
 * scheme of RFC 6479, written for IPsec).  An in-order packet costs a
 * bit set, a word clear every 64th; the words outside the window that
 * still hold old bits are never read: check() refuses those indexes by
 * distance first.  Set up by dsbc_srtp_replay_init().
 */
/** Largest window, packet indexes. */
#define DSBC_SRTP_REPLAY_MAX 1024
#define DSBC_SRTP_REPLAY_WORDS 32    /* power of two > MAX / 64 */

struct dsbc_srtp_replay {
	uint64_t top;                /* highest index accepted */
	uint16_t size;
	uint8_t mask;                /* words in use - 1 */
	bool started;
	uint64_t bits[DSBC_SRTP_REPLAY_WORDS];
};

/**
 * Set up an empty replay list.
 *
 * @param r  the list, out
 * @param size  the window, packet indexes: 64 to DSBC_SRTP_REPLAY_MAX, a
 *   multiple of 64
 * @return 0, or -1 when size is not such a value (r is then untouched)
 */
int dsbc_srtp_replay_init(struct dsbc_srtp_replay *r, unsigned int size);

/**
 * Whether a packet index may be accepted, before authenticating it.
 *
 * @param r  the list
 * @param index  the packet's index
 * @return 0: new; -1: already seen; -2: older than the window
 */
static inline int
dsbc_srtp_replay_check(const struct dsbc_srtp_replay *r, uint64_t index)
{
	if (!r->started || index > r->top)
		return 0;
	if (r->top - index >= r->size)
		return -2;
	return (r->bits[(index >> 6) & r->mask] >> (index & 63)) & 1 ? -1 : 0;
}

/**
 * index is seen (authenticated): the top moved to it if it is above.
 * An index older than the window changes nothing.
 *
 * @param r  the list
 * @param index  the packet's index
 */
static inline void
dsbc_srtp_replay_update(struct dsbc_srtp_replay *r, uint64_t index)
{
	uint64_t w, last;

	if (!r->started) {
		r->started = true;
		r->top = index;
	} else if (index > r->top) {
		w = r->top >> 6;
		last = index >> 6;
		if (last - w > r->mask) {
			memset(r->bits, 0, sizeof(r->bits));
		} else {
			while (w < last)
				r->bits[++w & r->mask] = 0;
		}
		r->top = index;
	} else if (r->top - index >= r->size) {
		return;
	}
	r->bits[(index >> 6) & r->mask] |= 1ull << (index & 63);
}

#endif /* DSBC_SRTP_H */
