/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_STIR_REPLAY_H
#define DSBC_STIR_REPLAY_H

/**
 * @file
 * PASSporTs seen recently, for the verification service's replay check
 * (RFC 8224 section 12.1, RFC 8225 section 12.2): within the iat window
 * a token copied from one call into another would verify again, so each
 * valid token is remembered with the call it came with until its iat
 * leaves the window.  The same token with the same Call-ID (a
 * retransmission, a retry after a digest challenge) is no replay.
 * Bounded: when the slots a token hashes to are taken, the one expiring
 * first goes.  Sans-I/O; the clock is passed in.
 */

#include <stddef.h>
#include <stdint.h>

struct dsbc_stir_replay;

/**
 * @param cap  tokens remembered at most (rounded up to a power of 2)
 * @return the table, NULL when memory is short or cap is 0
 */
struct dsbc_stir_replay *dsbc_stir_replay_new(uint32_t cap);

/** Free a table.  NULL is a no-op. */
void dsbc_stir_replay_free(struct dsbc_stir_replay *r);

/**
 * Check a valid token and remember it.
 *
 * @param r  the table
 * @param sig  the token's signature part (or the whole token)
 * @param sig_len  its length
 * @param call_id  the Call-ID it came with
 * @param cid_len  its length
 * @param now  seconds since the epoch
 * @param until  when it stops mattering (its iat plus the window)
 * @return 0 new (or the same call again), -1 seen with another Call-ID
 */
int dsbc_stir_replay_check(struct dsbc_stir_replay *r, const char *sig,
			   size_t sig_len, const char *call_id,
			   size_t cid_len, int64_t now, int64_t until);

#endif /* DSBC_STIR_REPLAY_H */
