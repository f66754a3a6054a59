/* SPDX-License-Identifier: BSD-3-Clause */
/* PASSporTs seen recently (dsbc_stir_replay.h). */
#include <stdbool.h>
#include <stdlib.h>

#include "dsbc_stir_replay.h"

/* slots a token may take: a short linear probe */
#define PROBE 8

struct slot {
	uint64_t sig;                /* hash of the signature, 0 free */
	uint64_t cid;                /* hash of its Call-ID */
	int64_t until;
};

struct dsbc_stir_replay {
	uint64_t mask;
	struct slot s[];
};

/* FNV-1a, 64 bits: a signature is ES256 output, no one steers it */
static uint64_t
hash(const char *p, size_t n)
{
	uint64_t h = 14695981039346656037ull;

	while (n-- > 0)
		h = (h ^ (uint8_t)*p++) * 1099511628211ull;
	return h != 0 ? h : 1;
}

struct dsbc_stir_replay *
dsbc_stir_replay_new(uint32_t cap)
{
	struct dsbc_stir_replay *r;
	uint64_t n = PROBE;

	if (cap == 0)
		return NULL;
	while (n < cap)
		n <<= 1;
	r = calloc(1, sizeof(*r) + n * sizeof(r->s[0]));
	if (r != NULL)
		r->mask = n - 1;
	return r;
}

void
dsbc_stir_replay_free(struct dsbc_stir_replay *r)
{
	free(r);
}

int
dsbc_stir_replay_check(struct dsbc_stir_replay *r, const char *sig,
		       size_t sig_len, const char *call_id, size_t cid_len,
		       int64_t now, int64_t until)
{
	uint64_t h = hash(sig, sig_len), c = hash(call_id, cid_len);
	struct slot *victim = NULL;
	bool victim_free = false;
	unsigned int k;

	for (k = 0; k < PROBE; k++) {
		struct slot *s = &r->s[(h + k) & r->mask];
		bool is_free = s->sig == 0 || s->until <= now;

		if (s->sig == h && s->until > now)
			return s->cid == c ? 0 : -1;
		/* room: a free slot, else the one expiring first */
		if (victim == NULL || (is_free && !victim_free) ||
		    (!is_free && !victim_free && s->until < victim->until)) {
			victim = s;
			victim_free = is_free;
		}
	}
	victim->sig = h;
	victim->cid = c;
	victim->until = until;
	return 0;
}
