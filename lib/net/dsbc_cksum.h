/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_CKSUM_H
#define DSBC_CKSUM_H

/**
 * @file
 * The RFC 1071 sum over a payload, for the packets whose UDP checksum is
 * computed in full on the fast path (a terminated flow's payload is new:
 * RFC 1624's incremental update does not apply).
 *
 * RFC 1071 section 2 (B): the one's complement sum may be taken over any
 * word size and folded down.  Here 32-bit words are added into 64-bit
 * lanes, which cannot carry out before 2^32 words, then folded: the same
 * 16-bit sum as __rte_raw_cksum(), whose loop adds one 16-bit word at a
 * time (perf/srtp: about 22 cycles of a terminated GCM packet went there).
 * Words are taken as they sit in memory, like rte_raw_cksum's: the result
 * is in network order once stored as it is.
 */

#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#ifdef RTE_ARCH_X86_64
#include <emmintrin.h>
#endif

/**
 * sum folded to 32 bits with end-around carry (RFC 1071 (C))
 *
 * @param s  a 64-bit one's complement sum
 * @return the same sum in 32 bits (fold it to 16 with
 *   __rte_raw_cksum_reduce())
 */
static inline uint32_t
dsbc_cksum_fold64(uint64_t s)
{
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	return (uint32_t)s;
}

/**
 * The sum of len bytes at buf added to sum: fold with
 * __rte_raw_cksum_reduce(), as for __rte_raw_cksum().
 *
 * @param buf  the bytes, any alignment
 * @param len  how many; an odd last byte is padded with zero
 * @param sum  the sum so far
 * @return the sum, in 32 bits, not complemented
 */
static inline uint32_t
dsbc_cksum_raw(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t s = sum;
	uint64_t x;
	uint32_t w;
	uint16_t h;

#ifdef RTE_ARCH_X86_64
	if (len >= 32) {
		const __m128i z = _mm_setzero_si128();
		__m128i a = z, b = z;

		/* two 16-byte words a round, their 32-bit halves widened
		 * into two accumulators of two 64-bit lanes each */
		do {
			__m128i v = _mm_loadu_si128((const __m128i *)p);
			__m128i u = _mm_loadu_si128((const __m128i *)(p + 16));

			a = _mm_add_epi64(a, _mm_unpacklo_epi32(v, z));
			b = _mm_add_epi64(b, _mm_unpackhi_epi32(v, z));
			a = _mm_add_epi64(a, _mm_unpacklo_epi32(u, z));
			b = _mm_add_epi64(b, _mm_unpackhi_epi32(u, z));
			p += 32;
			len -= 32;
		} while (len >= 32);
		a = _mm_add_epi64(a, b);
		a = _mm_add_epi64(a, _mm_unpackhi_epi64(a, a));
		s += (uint64_t)_mm_cvtsi128_si64(a);
	}
#endif
	while (len >= 8) {
		memcpy(&x, p, 8);
		s += (x & 0xffffffff) + (x >> 32);
		p += 8;
		len -= 8;
	}
	if (len >= 4) {
		memcpy(&w, p, 4);
		s += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&h, p, 2);
		s += h;
		p += 2;
		len -= 2;
	}
	/* an odd last byte is the first of a 16-bit word padded with zero,
	 * the word as it sits in memory (either byte order) */
	if (len != 0) {
		h = 0;
		memcpy(&h, p, 1);
		s += h;
	}
	return dsbc_cksum_fold64(s);
}

#endif /* DSBC_CKSUM_H */
