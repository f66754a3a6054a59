/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_ADDR_H
#define DSBC_ADDR_H

/**
 * @file
 * IPv4/IPv6 and Ethernet addresses as every layer of dsbc holds them.
 * Plain C, no DPDK: the sans-I/O libraries (lib/b2bua, lib/config's
 * types) use them as the workers do.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** An IPv4 or IPv6 address; IPv4 lives in the first 4 bytes, rest zero. */
struct dsbc_addr {
	union {
		uint8_t a8[16];
		uint32_t a32[4];
		uint64_t a64[2];
		uint32_t v4;         /**< IPv4, network order */
	};
};

/** An Ethernet address, laid out as rte_ether_addr (6 bytes, 2-aligned). */
struct dsbc_mac {
	uint8_t bytes[6];
} __attribute__((aligned(2)));

/** Inline compare: memcmp() is a call the fast path cannot afford. */
static inline bool
dsbc_addr_eq(const struct dsbc_addr *a, const struct dsbc_addr *b)
{
	return ((a->a64[0] ^ b->a64[0]) | (a->a64[1] ^ b->a64[1])) == 0;
}

/** @return whether a is all zero (IPv6's unspecified address ::) */
static inline bool
dsbc_addr_is_unspecified(const struct dsbc_addr *a)
{
	return (a->a64[0] | a->a64[1]) == 0;
}

/**
 * Parse "a.b.c.d" or an IPv6 literal.
 *
 * @param s       the text (NUL-terminated)
 * @param a       out: the address, zero-padded
 * @param family  out: 4 or 6
 * @return 0, or -1 when s is not an address
 */
int dsbc_addr_parse(const char *s, struct dsbc_addr *a, uint8_t *family);

/**
 * Format an address.
 *
 * @param a       the address
 * @param family  6 for IPv6, anything else IPv4
 * @param buf     where the text goes, NUL-terminated
 * @param len     size of buf
 * @return buf; empty when it does not fit
 */
const char *dsbc_addr_fmt(const struct dsbc_addr *a, uint8_t family,
			  char *buf, size_t len);

#endif /* DSBC_ADDR_H */
