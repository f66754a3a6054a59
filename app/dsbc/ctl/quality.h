/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_CTL_QUALITY_H
#define DSBC_CTL_QUALITY_H

/*
 * Media quality of ended calls as histograms (Prometheus style: counts
 * per upper bound, a sum and a count), one observation per stream a
 * media-aware flow measured: never a figure per call.  The management
 * lcore observes, telemetry reads (single writer, 64-bit words).
 */
#include <stdint.h>

#define DSBC_QUALITY_JITTER_BUCKETS 8
#define DSBC_QUALITY_LOSS_BUCKETS 7
#define DSBC_QUALITY_MOS_BUCKETS 8

/* Upper bounds: jitter in microseconds, loss in parts per million,
 * MOS times 100; counts above the last bound are in +Inf (count). */
extern const uint32_t dsbc_quality_jitter_le[DSBC_QUALITY_JITTER_BUCKETS];
extern const uint32_t dsbc_quality_loss_le[DSBC_QUALITY_LOSS_BUCKETS];
extern const uint32_t dsbc_quality_mos_le[DSBC_QUALITY_MOS_BUCKETS];

struct dsbc_quality {
	uint32_t seq;                     /* odd while an observation is
					   * written (a sequence lock) */
	uint64_t count;                   /* streams observed */
	uint64_t jitter[DSBC_QUALITY_JITTER_BUCKETS];  /* not cumulative */
	uint64_t jitter_sum;              /* microseconds */
	uint64_t loss[DSBC_QUALITY_LOSS_BUCKETS];
	uint64_t loss_sum;                /* ppm */
	uint64_t mos[DSBC_QUALITY_MOS_BUCKETS];
	uint64_t mos_sum;                 /* x100 */
};

/* One stream: its loss (ppm) and jitter (us); returns its MOS x100.
 * The management lcore, the only writer. */
uint32_t dsbc_quality_observe(struct dsbc_quality *q, uint32_t loss_ppm,
			      uint32_t jitter_us);
/* Any other thread: a consistent copy of q. */
void dsbc_quality_read(const struct dsbc_quality *q, struct dsbc_quality *out);

#endif /* DSBC_CTL_QUALITY_H */
