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
	if (size < 64 || size > DSBC_SRTP_REPLAY_MAX || size % 64 != 0)
		return -1;
	memset(r, 0, sizeof(*r));
	r->size = (uint16_t)size;
	return 0;
}

int
dsbc_srtp_replay_check(const struct dsbc_srtp_replay *r, uint64_t index)
{
	uint64_t d;

	if (!r->started || index > r->top)
		return 0;
	d = r->top - index;
	if (d >= r->size)
		return -2;
	return (r->bits[d / 64] >> (d % 64)) & 1 ? -1 : 0;
}

/* shift the window towards newer indexes by n bits */
static void
shift(struct dsbc_srtp_replay *r, uint64_t n)
{
	unsigned int words = r->size / 64, w, s = (unsigned int)(n / 64),
		     b = (unsigned int)(n % 64);

	if (n >= r->size) {
		memset(r->bits, 0, sizeof(r->bits));
		return;
	}
	if (s == 0) {
		/* the usual step, less than a word (b > 0: n > 0) */
		for (w = words - 1; w > 0; w--)
			r->bits[w] = r->bits[w] << b | r->bits[w - 1] >> (64 - b);
		r->bits[0] <<= b;
		return;
	}
	for (w = words; w-- > 0;) {
		uint64_t v = w >= s ? r->bits[w - s] << b : 0;

		if (b != 0 && w >= s + 1)
			v |= r->bits[w - s - 1] >> (64 - b);
		r->bits[w] = v;
	}
}

void
dsbc_srtp_replay_update(struct dsbc_srtp_replay *r, uint64_t index)
{
	uint64_t d;

	if (!r->started) {
		r->started = true;
		r->top = index;
		r->bits[0] = 1;
		return;
	}
	if (index > r->top) {
		shift(r, index - r->top);
		r->top = index;
		r->bits[0] |= 1;
		return;
	}
	d = r->top - index;
	if (d < r->size)
		r->bits[d / 64] |= 1ull << (d % 64);
}
