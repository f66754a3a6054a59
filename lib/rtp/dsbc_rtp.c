/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 3550 appendix A receive statistics, written from the RFC text. */
#include <string.h>

#include "dsbc_rtp.h"

static void
init_seq(struct dsbc_rtp_src *s, uint16_t seq)
{
	s->base_seq = seq;
	s->max_seq = seq;
	s->bad_seq = DSBC_RTP_SEQ_MOD + 1;   /* so seq == bad_seq is false */
	s->cycles = 0;
	s->received = 0;
}

void
dsbc_rtp_src_init(struct dsbc_rtp_src *s, uint32_t ssrc, uint16_t seq)
{
	memset(s, 0, sizeof(*s));
	s->ssrc = ssrc;
	init_seq(s, seq);
	s->max_seq = (uint16_t)(seq - 1);
	s->probation = DSBC_RTP_MIN_SEQUENTIAL;
}

enum dsbc_rtp_seq
dsbc_rtp_src_update(struct dsbc_rtp_src *s, uint16_t seq, uint16_t max_dropout)
{
	uint16_t udelta = (uint16_t)(seq - s->max_seq);

	/* A source is valid after MIN_SEQUENTIAL packets in sequence. */
	if (s->probation) {
		if (seq == (uint16_t)(s->max_seq + 1)) {
			s->probation--;
			s->max_seq = seq;
			if (s->probation == 0) {
				init_seq(s, seq);
				s->received++;
				return DSBC_RTP_SEQ_OK;
			}
		} else {
			s->probation = DSBC_RTP_MIN_SEQUENTIAL - 1;
			s->max_seq = seq;
		}
		return DSBC_RTP_SEQ_PROBATION;
	}
	if (udelta < max_dropout) {
		/* in order, with permissible gap */
		if (seq < s->max_seq)
			s->cycles += DSBC_RTP_SEQ_MOD;   /* wrapped */
		s->max_seq = seq;
	} else if (udelta <= DSBC_RTP_SEQ_MOD - DSBC_RTP_MAX_MISORDER) {
		/* the sequence number made a very large jump */
		if (seq == s->bad_seq) {
			/* two sequential packets: the source restarted */
			init_seq(s, seq);
			s->received++;
			return DSBC_RTP_SEQ_RESYNC;
		}
		s->bad_seq = (seq + 1u) & (DSBC_RTP_SEQ_MOD - 1);
		s->jumps++;
		return DSBC_RTP_SEQ_JUMP;
	}
	/* else a duplicate or reordered packet: counted */
	s->received++;
	return DSBC_RTP_SEQ_OK;
}

void
dsbc_rtp_src_jitter(struct dsbc_rtp_src *s, uint32_t arrival, uint32_t ts)
{
	uint32_t transit = arrival - ts;
	uint32_t d = transit - s->transit;

	if (!s->has_transit) {
		s->transit = transit;   /* no difference yet */
		s->has_transit = 1;
		return;
	}
	s->transit = transit;
	/* |D|, the shorter way round modulo 2^32, in unsigned arithmetic: a
	 * peer controls the timestamps, and D = -2^31 has no positive
	 * int32_t (negating it was undefined behaviour) */
	if (d > 0x80000000u)
		d = 0u - d;
	/* J += (|D| - J) / 16, kept scaled by 16 (A.8) */
	s->jitter += d - ((s->jitter + 8) >> 4);
}

uint32_t
dsbc_rtp_src_ext_max(const struct dsbc_rtp_src *s)
{
	return s->cycles + s->max_seq;
}

uint32_t
dsbc_rtp_src_expected(const struct dsbc_rtp_src *s)
{
	if (s->probation)
		return 0;
	return dsbc_rtp_src_ext_max(s) - s->base_seq + 1;
}

int64_t
dsbc_rtp_src_lost(const struct dsbc_rtp_src *s)
{
	return (int64_t)dsbc_rtp_src_expected(s) - s->received;
}

uint32_t
dsbc_rtp_mos_x100(uint32_t loss_ppm, uint32_t jitter_us)
{
	double ppl = loss_ppm / 10000.0;            /* percent */
	double ta = 20.0 + 2.0 * jitter_us / 1000.0; /* one-way, ms */
	double id, ie, r, mos;

	/* delay impairment, G.107's Id in its usual closed form */
	id = 0.024 * ta + (ta > 177.3 ? 0.11 * (ta - 177.3) : 0.0);
	/* effective equipment impairment with random loss (G.107 7.2) */
	ie = 95.0 * ppl / (ppl + 25.1);
	r = 93.2 - id - ie;
	if (r <= 0)
		mos = 1.0;
	else if (r >= 100)
		mos = 4.5;
	else
		mos = 1.0 + 0.035 * r + 7e-6 * r * (r - 60.0) * (100.0 - r);
	if (mos < 1.0)
		mos = 1.0;
	return (uint32_t)(mos * 100.0 + 0.5);
}
