/* SPDX-License-Identifier: BSD-3-Clause */
/* Quality histograms of ended calls' streams (quality.h). */
#include <string.h>

#include "dsbc_rtp.h"
#include "ctl/quality.h"

/* What operators alarm on: jitter past 30 ms, loss past 1-2 %, MOS
 * under 3.5-4 */
const uint32_t dsbc_quality_jitter_le[DSBC_QUALITY_JITTER_BUCKETS] = {
	1000, 5000, 10000, 20000, 30000, 50000, 100000, 200000,
};
const uint32_t dsbc_quality_loss_le[DSBC_QUALITY_LOSS_BUCKETS] = {
	1000, 5000, 10000, 20000, 50000, 100000, 200000,
};
const uint32_t dsbc_quality_mos_le[DSBC_QUALITY_MOS_BUCKETS] = {
	100, 200, 300, 350, 380, 400, 420, 440,
};

static void
bucket(uint64_t *b, const uint32_t *le, unsigned int n, uint32_t v)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (v <= le[i]) {
			b[i]++;
			return;
		}
}

uint32_t
dsbc_quality_observe(struct dsbc_quality *q, uint32_t loss_ppm,
		     uint32_t jitter_us)
{
	uint32_t mos = dsbc_rtp_mos_x100(loss_ppm, jitter_us);

	__atomic_store_n(&q->seq, q->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	bucket(q->jitter, dsbc_quality_jitter_le, DSBC_QUALITY_JITTER_BUCKETS,
	       jitter_us);
	bucket(q->loss, dsbc_quality_loss_le, DSBC_QUALITY_LOSS_BUCKETS,
	       loss_ppm);
	bucket(q->mos, dsbc_quality_mos_le, DSBC_QUALITY_MOS_BUCKETS, mos);
	q->jitter_sum += jitter_us;
	q->loss_sum += loss_ppm;
	q->mos_sum += mos;
	q->count++;
	__atomic_store_n(&q->seq, q->seq + 1, __ATOMIC_RELEASE);
	return mos;
}

void
dsbc_quality_read(const struct dsbc_quality *q, struct dsbc_quality *out)
{
	uint32_t s1, s2;

	do {
		s1 = __atomic_load_n(&q->seq, __ATOMIC_ACQUIRE);
		memcpy(out, q, sizeof(*out));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&q->seq, __ATOMIC_RELAXED);
	} while ((s1 & 1) != 0 || s1 != s2);
}
