/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Media-aware relaying (RFC 7879 section 3.2.1): the relay reads the RTP
 * fixed header and the first 8 bytes of RTCP, which SRTP and SRTCP leave
 * in clear (RFC 3711 section 3.1), and never touches DTLS: it keeps per
 * SSRC loss and jitter (RFC 3550 appendix A) and applies two policies
 * against injection: a new SSRC from the latched source mid-call (allow,
 * alarm, drop) and sequence leaps (play-out attack: count or drop).
 */
#include <rte_branch_prediction.h>

#include "dp/worker.h"
#include "dp/worker_aware.h"

/* Index of the source with this SSRC, -1 when new. */
static inline int
src_find(const struct dsbc_aware *a, uint32_t ssrc)
{
	if (a->nb_src > 0 && a->rs0.ssrc == ssrc)
		return 0;
	if (a->nb_src > 1 && a->rs1.ssrc == ssrc)
		return 1;
	return -1;
}

enum dsbc_drop
dsbc_worker_aware(struct dsbc_aware *a, const uint8_t *p, uint32_t len,
		  enum dsbc_demux_class cls, uint64_t now)
{
	struct dsbc_rtp_src *s;
	struct dsbc_rtp_view v;
	enum dsbc_rtp_seq r;
	uint32_t ssrc;
	uint8_t pt;
	int i;

	if (cls == DSBC_DEMUX_RTCP) {
		if (dsbc_rtcp_parse(p, len, &pt, &ssrc) != 0) {
			a->malformed++;
			return DSBC_DROP_RTP_MALFORMED;
		}
		a->rtcp++;
		a->rtcp_bye += pt == DSBC_RTCP_BYE;
		i = src_find(a, ssrc);
		if (i >= 0)
			a->rtcp_src[i]++;
		return DSBC_DROP_MAX;
	}
	if (cls != DSBC_DEMUX_RTP)
		return DSBC_DROP_MAX;
	if (dsbc_rtp_parse(p, len, &v) != 0) {
		a->malformed++;
		return DSBC_DROP_RTP_MALFORMED;
	}
	i = src_find(a, v.ssrc);
	if (unlikely(i < 0)) {
		if (a->nb_src > 0) {
			/* a new SSRC from the latched source mid-call */
			if (a->ssrc_policy == DSBC_SSRC_DROP) {
				a->ssrc_dropped++;
				return DSBC_DROP_SSRC_NEW;
			}
			a->ssrc_alarms += a->ssrc_policy == DSBC_SSRC_ALARM;
		}
		/* the first source keeps slot 0; later ones share slot 1 */
		i = a->nb_src < DSBC_AWARE_SRCS ? a->nb_src++ :
		    DSBC_AWARE_SRCS - 1;
		dsbc_rtp_src_init(dsbc_aware_rs(a, (unsigned int)i), v.ssrc,
				  v.seq);
	}
	s = dsbc_aware_rs(a, (unsigned int)i);
	r = dsbc_rtp_src_update(s, v.seq, a->seq_window);
	if (unlikely(r == DSBC_RTP_SEQ_JUMP)) {
		a->seq_jumps++;
		if (a->seq_drop)
			return DSBC_DROP_SEQ_JUMP;
		return DSBC_DROP_MAX;
	}
	s->bytes += len;
	if (r == DSBC_RTP_SEQ_OK)
		dsbc_rtp_src_jitter(s, (uint32_t)(((unsigned __int128)now *
				    a->arrival_mult) >> 32), v.ts);
	return DSBC_DROP_MAX;
}
