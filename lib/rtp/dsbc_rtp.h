/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_RTP_H
#define DSBC_RTP_H

#include <stdbool.h>
#include <stdint.h>

/**
 * @file
 * RTP and RTCP headers as a media-aware relay sees them (RFC 7879 section
 * 3.2.1): the fixed headers are in clear in SRTP and SRTCP too (RFC 3711
 * section 3.1), so the same parse serves both.  Per-SSRC receive
 * statistics follow RFC 3550 appendix A: sequence validation (A.1), loss
 * (A.3) and interarrival jitter (A.8).  Byte buffers only: the workers
 * call these per packet.
 */

/** The fixed header fields of an RTP packet, host order. */
struct dsbc_rtp_view {
	uint8_t pt;
	bool marker;
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
};

/**
 * Length of the RTP header at p, with its CSRCs (RFC 3550 section 5.1)
 * and extension (5.3.1), within len bytes; 0 when it is not RTP or does
 * not fit.
 *
 * @param p  the packet
 * @param len  its length
 * @return the header's length in bytes, or 0
 */
static inline uint32_t
dsbc_rtp_hdr_len(const uint8_t *p, uint32_t len)
{
	uint32_t need;

	if (len < 12 || (p[0] >> 6) != 2)
		return 0;
	need = 12 + 4u * (p[0] & 0x0f);
	if (p[0] & 0x10) {
		if (len < need + 4)
			return 0;
		need += 4 + 4u * ((uint32_t)p[need + 2] << 8 | p[need + 3]);
	}
	return len >= need ? need : 0;
}

/**
 * RTP fixed header (RFC 3550 section 5.1): 0, or -1 when malformed.
 *
 * @param p  the packet
 * @param len  its length
 * @param v  out: marker, payload type, sequence number, timestamp and
 *   SSRC, set on success only
 * @return 0, or -1 when dsbc_rtp_hdr_len() finds no RTP header
 */
static inline int
dsbc_rtp_parse(const uint8_t *p, uint32_t len, struct dsbc_rtp_view *v)
{
	if (dsbc_rtp_hdr_len(p, len) == 0)
		return -1;
	v->marker = p[1] >> 7;
	v->pt = p[1] & 0x7f;
	v->seq = (uint16_t)(p[2] << 8 | p[3]);
	v->ts = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
		(uint32_t)p[6] << 8 | p[7];
	v->ssrc = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 |
		  (uint32_t)p[10] << 8 | p[11];
	return 0;
}

/**
 * First 8 bytes of an RTCP packet (section 6.4): packet type and SSRC.
 *
 * @param p  the packet
 * @param len  its length
 * @param pt  out: the packet type (e.g. DSBC_RTCP_SR)
 * @param ssrc  out: the sender's SSRC
 * @return 0, or -1 when len is under 8 or the version is not 2
 */
static inline int
dsbc_rtcp_parse(const uint8_t *p, uint32_t len, uint8_t *pt, uint32_t *ssrc)
{
	if (len < 8 || (p[0] >> 6) != 2)
		return -1;
	*pt = p[1];
	*ssrc = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
		(uint32_t)p[6] << 8 | p[7];
	return 0;
}

#define DSBC_RTCP_SR  200
#define DSBC_RTCP_RR  201
#define DSBC_RTCP_BYE 203

/** RFC 3550 A.1 constants */
#define DSBC_RTP_MIN_SEQUENTIAL 2
#define DSBC_RTP_MAX_MISORDER 100
#define DSBC_RTP_SEQ_MOD (1u << 16)

/** One source's receive state (RFC 3550 A.1 source structure, A.8). */
struct dsbc_rtp_src {
	uint32_t ssrc;
	uint16_t max_seq;            /* highest sequence number seen */
	uint16_t has_transit;        /* a first transit time is known */
	uint32_t cycles;             /* shifted count of sequence wraps */
	uint32_t base_seq;
	uint32_t bad_seq;            /* last 'bad' seq + 1 */
	uint32_t probation;          /* sequential packets till valid */
	uint32_t received;           /* packets accepted */
	uint32_t transit;            /* last relative transit time */
	uint32_t jitter;             /* estimated jitter, scaled by 16 (A.8) */
	uint32_t jumps;              /* sequence leaps beyond max_dropout */
	uint64_t bytes;
};

/** What one packet did to a source's sequence state. */
enum dsbc_rtp_seq {
	DSBC_RTP_SEQ_OK = 0,         /* counted */
	DSBC_RTP_SEQ_PROBATION,      /* source not yet validated (A.1) */
	DSBC_RTP_SEQ_JUMP,           /* leap beyond max_dropout: not counted */
	DSBC_RTP_SEQ_RESYNC,         /* second in sequence after a leap:
				      * the source restarted, counted */
};

/**
 * Start a source's state, on probation (RFC 3550 A.1 init_seq()), from
 * its first packet; that packet then goes to dsbc_rtp_src_update() too.
 *
 * @param s  the state, out (zeroed first)
 * @param ssrc  the source's SSRC
 * @param seq  its first sequence number
 */
void dsbc_rtp_src_init(struct dsbc_rtp_src *s, uint32_t ssrc, uint16_t seq);
/**
 * RFC 3550 A.1 update_seq(), with max_dropout as the leap window.
 *
 * @param s  the source's state
 * @param seq  the packet's sequence number
 * @param max_dropout  a forward gap of this many or more is a leap
 * @return what the packet did (enum dsbc_rtp_seq): counted, on
 *   probation, a leap not counted, or the resynchronisation after one
 */
enum dsbc_rtp_seq dsbc_rtp_src_update(struct dsbc_rtp_src *s, uint16_t seq,
				      uint16_t max_dropout);
/**
 * RFC 3550 A.8: arrival and ts in the same (RTP clock) units.  The first
 * call only records the transit time.
 *
 * @param s  the source's state; s->jitter is updated, scaled by 16
 * @param arrival  the packet's arrival time
 * @param ts  its RTP timestamp
 */
void dsbc_rtp_src_jitter(struct dsbc_rtp_src *s, uint32_t arrival, uint32_t ts);
/**
 * A.3: extended highest sequence number, expected and lost packets.
 * This one is the extended highest sequence number.
 *
 * @param s  the source's state
 * @return the wrap count (shifted) plus the highest sequence number
 */
uint32_t dsbc_rtp_src_ext_max(const struct dsbc_rtp_src *s);
/**
 * A.3: packets expected from the source.
 *
 * @param s  the source's state
 * @return extended highest minus base sequence number, plus 1; 0 while
 *   the source is on probation
 */
uint32_t dsbc_rtp_src_expected(const struct dsbc_rtp_src *s);
/**
 * A.3: packets lost, expected minus received.
 *
 * @param s  the source's state
 * @return the count, negative when duplicates were received
 */
int64_t dsbc_rtp_src_lost(const struct dsbc_rtp_src *s);

/**
 * A source's interarrival jitter in microseconds.
 *
 * @param clock  its RTP clock rate, Hz; 0 is taken as 8000
 * @return the jitter (kept x16 in RTP clock units, RFC 3550 A.8)
 */
static inline uint64_t
dsbc_rtp_src_jitter_us(const struct dsbc_rtp_src *s, uint32_t clock)
{
	return (uint64_t)(s->jitter >> 4) * 1000000 / (clock ? clock : 8000);
}

/**
 * An estimate of a stream's listening quality (MOS, 1 to 4.5) from what
 * a relay sees: loss and interarrival jitter.  The ITU-T G.107 E-model
 * with its default transmission rating, the equipment impairment of
 * G.711 with packet loss concealment (Ie 0, Bpl 25.1, G.113 Appendix I)
 * and a one-way delay taken as 20 ms of packetisation plus twice the
 * jitter (a play-out buffer's depth), since the round trip is not seen.
 * For comparing calls and trends, not a PESQ/POLQA score.
 *
 * @param loss_ppm  packets lost per million expected
 * @param jitter_us  RFC 3550 interarrival jitter, microseconds
 * @return MOS times 100 (100 to 450)
 */
uint32_t dsbc_rtp_mos_x100(uint32_t loss_ppm, uint32_t jitter_us);

#endif /* DSBC_RTP_H */
