/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 3711 section 3.3.1 index estimation and 3.3.2 replay protection. */
#include <string.h>

#include "dsbc_srtp.h"

uint64_t
dsbc_srtp_index_guess(uint32_t roc, uint16_t s_l, uint16_t seq)
{
	uint32_t v;

	/* appendix A: choose ROC-1, ROC or ROC+1, whichever puts the
	 * index closest to s_l (mod 2^32, as the RFC says) */
	if (s_l < 32768) {
		if ((int32_t)seq - (int32_t)s_l > 32768)
			v = roc - 1;
		else
			v = roc;
	} else {
		if ((int32_t)s_l - 32768 > (int32_t)seq)
			v = roc + 1;
		else
			v = roc;
	}
	return ((uint64_t)v << 16) | seq;
}

int
dsbc_srtp_replay_init(struct dsbc_srtp_replay *r, unsigned int size)
{
	unsigned int words;

	if (size < 64 || size > DSBC_SRTP_REPLAY_MAX || size % 64 != 0)
		return -1;
	memset(r, 0, sizeof(*r));
	r->size = (uint16_t)size;
	/* one word more than the window spans, so that a window not
	 * aligned to 64 never shares a word with its own top */
	words = 1;
	while (words < size / 64 + 1)
		words *= 2;
	r->mask = (uint8_t)(words - 1);
	return 0;
}
