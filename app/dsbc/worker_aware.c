/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Media-aware relaying (RFC 7879 section 3.2.1): the relay reads the RTP
 * fixed header and the first 8 bytes of RTCP, which SRTP and SRTCP leave
 * in clear (RFC 3711 section 3.1), and never touches DTLS: it keeps per
 * SSRC loss and jitter (RFC 3550 appendix A) and applies two policies
 * from seed 002: a new SSRC from the latched source mid-call (allow,
 * alarm, drop) and sequence leaps (play-out attack: count or drop).
 */
#include "dsbc.h"
#include "worker_aware.h"

static struct dsbc_aware_src *
src_find(struct dsbc_aware *a, uint32_t ssrc)
{
	unsigned int i;

	for (i = 0; i < a->nb_src; i++)
		if (dsbc_aware_src(a, i)->rs.ssrc == ssrc)
			return dsbc_aware_src(a, i);
	return NULL;
}

enum dsbc_drop
dsbc_worker_aware(const struct dsbc_flow *f, struct dsbc_aware *a,
		  const uint8_t *p, uint32_t len, enum dsbc_demux_class cls,
		  uint64_t now)
{
	struct dsbc_aware_src *s;
	struct dsbc_rtp_view v;
	enum dsbc_rtp_seq r;
	uint32_t ssrc;
	uint8_t pt;

	if (cls == DSBC_DEMUX_RTCP) {
		if (dsbc_rtcp_parse(p, len, &pt, &ssrc) != 0) {
			a->malformed++;
			return DSBC_DROP_RTP_MALFORMED;
		}
		a->rtcp++;
		a->rtcp_bye += pt == DSBC_RTCP_BYE;
		s = src_find(a, ssrc);
		if (s != NULL)
			s->rtcp++;
		return DSBC_DROP_MAX;
	}
	if (cls != DSBC_DEMUX_RTP)
		return DSBC_DROP_MAX;
	if (dsbc_rtp_parse(p, len, &v) != 0) {
		a->malformed++;
		return DSBC_DROP_RTP_MALFORMED;
	}
	s = src_find(a, v.ssrc);
	if (s == NULL) {
		if (a->nb_src > 0) {
			/* a new SSRC from the latched source mid-call */
			if (f->spec.ssrc_policy == DSBC_SSRC_DROP) {
				a->ssrc_dropped++;
				return DSBC_DROP_SSRC_NEW;
			}
			a->ssrc_alarms += f->spec.ssrc_policy == DSBC_SSRC_ALARM;
		}
		/* the first source keeps slot 0; later ones share slot 1 */
		s = dsbc_aware_src(a, a->nb_src < DSBC_AWARE_SRCS ?
				      a->nb_src++ : DSBC_AWARE_SRCS - 1);
		dsbc_rtp_src_init(&s->rs, v.ssrc, v.seq);
	}
	r = dsbc_rtp_src_update(&s->rs, v.seq, f->spec.seq_window);
	if (r == DSBC_RTP_SEQ_JUMP) {
		a->seq_jumps++;
		if (f->spec.seq_drop)
			return DSBC_DROP_SEQ_JUMP;
		return DSBC_DROP_MAX;
	}
	s->rs.bytes += len;
	if (r == DSBC_RTP_SEQ_OK)
		dsbc_rtp_src_jitter(&s->rs, (uint32_t)(((unsigned __int128)now *
					    f->spec.arrival_mult) >> 32), v.ts);
	return DSBC_DROP_MAX;
}
