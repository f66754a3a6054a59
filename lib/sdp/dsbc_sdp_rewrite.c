/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dsbc_sdp_rewrite.h"

struct out {
	char *p;
	uint32_t len;
	uint32_t cap;
	uint32_t lines;
	bool full;
};

static void
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (uint32_t)n >= o->cap - o->len) {
		o->full = true;
		return;
	}
	/* no more lines than dsbc_sdp_parse() takes: what dsbc sends
	 * must be SDP it would read itself (the ICE and DTLS lines it adds
	 * per media could push a body near the limit over it) */
	for (o->len += (uint32_t)n; n > 0; n--)
		o->lines += o->p[o->len - (uint32_t)n] == '\n';
	if (o->lines > DSBC_SDP_MAX_LINES)
		o->full = true;
}

static void
copy_line(struct out *o, const struct dsbc_sdp_line *l)
{
	put(o, "%c=%.*s\r\n", l->type, (int)l->value.len, l->value.p);
}

uint32_t
dsbc_sdp_host_priority(unsigned int component)
{
	/* type preference 126 (host), local preference 65535 */
	return (126u << 24) | (65535u << 8) | (256u - component);
}

static const char *
ip_kind(uint8_t family)
{
	return family == 6 ? "IP6" : "IP4";
}

/* dsbc's ICE-lite attributes at the end of a media section. */
static void
ice_media(struct out *o, const struct dsbc_sdp_plan *pl,
	  const struct dsbc_sdp_media *m, const struct dsbc_sdp_media_plan *mp)
{
	put(o, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", pl->ice_ufrag, pl->ice_pwd);
	put(o, "a=candidate:1 1 UDP %" PRIu32 " %s %u typ host\r\n",
	    dsbc_sdp_host_priority(1), pl->addr, mp->port);
	/* an RTCP candidate unless the output muxes (RFC 5761) */
	if (!(mp->rtcp_mux == DSBC_SDP_MUX_ADD ||
	      (mp->rtcp_mux == DSBC_SDP_MUX_KEEP && m->rtcp_mux)))
		put(o, "a=candidate:1 2 UDP %" PRIu32 " %s %u typ host\r\n",
		    dsbc_sdp_host_priority(2), pl->addr,
		    mp->rtcp_port ? mp->rtcp_port : mp->port + 1);
	put(o, "a=end-of-candidates\r\n");
}

static bool
is_ice(uint8_t attr)
{
	return attr == DSBC_SDP_A_CANDIDATE || attr == DSBC_SDP_A_ICE_UFRAG ||
	       attr == DSBC_SDP_A_ICE_PWD || attr == DSBC_SDP_A_ICE_OPTIONS ||
	       attr == DSBC_SDP_A_ICE_LITE ||
	       attr == DSBC_SDP_A_END_OF_CANDIDATES ||
	       attr == DSBC_SDP_A_REMOTE_CANDIDATES;
}

static bool
is_security(uint8_t attr)
{
	return attr == DSBC_SDP_A_FINGERPRINT || attr == DSBC_SDP_A_SETUP ||
	       attr == DSBC_SDP_A_CRYPTO;
}

/* The m= protocol for the plan's security: an RTP profile changes with
 * it (RFC 3551, RFC 3711 section 12, RFC 5764 section 8); anything else
 * is left alone.  DTLS keeps the feedback F (RFC 4585) as it came, since
 * WebRTC requires UDP/TLS/RTP/SAVPF; SDES and plain legs get the basic
 * profiles SIP phones take (some refuse RTP/SAVPF outright), the
 * rtcp-fb attributes passing for those that do use them. */
static void
media_proto(struct out *o, const struct dsbc_sdp_plan *pl,
	    const struct dsbc_sdp_media *m)
{
	static const char *const base[] = {
		[DSBC_SDP_SEC_PLAIN] = "RTP/AVP",
		[DSBC_SDP_SEC_SDES] = "RTP/SAVP",
		[DSBC_SDP_SEC_DTLS] = "UDP/TLS/RTP/SAVP",
	};
	bool rtp = false, fb;
	uint32_t i;

	for (i = 0; i + 4 <= m->proto.len; i++)
		if (memcmp(m->proto.p + i, "RTP/", 4) == 0)
			rtp = true;
	if (pl->security == DSBC_SDP_SEC_KEEP || pl->security > DSBC_SDP_SEC_DTLS ||
	    !rtp) {
		put(o, "%.*s", (int)m->proto.len, m->proto.p);
		return;
	}
	fb = pl->security == DSBC_SDP_SEC_DTLS && m->proto.len > 0 &&
	     m->proto.p[m->proto.len - 1] == 'F';
	put(o, "%s%s", base[pl->security], fb ? "F" : "");
}

static void
media_end(struct out *o, const struct dsbc_sdp *in,
	  const struct dsbc_sdp_plan *pl, int mi)
{
	if (mi < 0 || in->media[mi].port == 0)
		return;
	if (pl->security == DSBC_SDP_SEC_DTLS && pl->fingerprint != NULL)
		put(o, "a=fingerprint:%s\r\na=setup:%s\r\n", pl->fingerprint,
		    pl->setup != NULL ? pl->setup : "actpass");
	if (pl->security == DSBC_SDP_SEC_SDES && pl->media[mi].crypto != NULL)
		put(o, "a=crypto:%s\r\n", pl->media[mi].crypto);
	if (pl->media[mi].rtcp_mux == DSBC_SDP_MUX_ADD && !in->media[mi].rtcp_mux)
		put(o, "a=rtcp-mux\r\n");
	if (pl->ice_ufrag != NULL)
		ice_media(o, pl, &in->media[mi], &pl->media[mi]);
}

int
dsbc_sdp_rewrite(const struct dsbc_sdp *in, const struct dsbc_sdp_plan *pl,
		 char *buf, uint32_t cap)
{
	struct out o = { .p = buf, .cap = cap };
	int cur = -1;
	unsigned int i;

	for (i = 0; i < in->nb_lines; i++) {
		const struct dsbc_sdp_line *l = &in->lines[i];
		const struct dsbc_sdp_media *m = l->media >= 0 ?
			&in->media[l->media] : NULL;
		const struct dsbc_sdp_media_plan *mp = l->media >= 0 ?
			&pl->media[l->media] : NULL;

		switch (l->type) {
		case 'o':
			/* Topology hiding: only the session id survives. */
			put(&o, "o=%s %.*s %" PRIu64 " IN %s %s\r\n",
			    pl->origin_user, (int)in->sess_id.len,
			    in->sess_id.p, pl->sess_version, ip_kind(pl->family),
			    pl->addr);
			break;
		case 'c':
			put(&o, "c=IN %s %s\r\n", ip_kind(pl->family), pl->addr);
			break;
		case 'm':
			/* ICE-lite is declared at session level (RFC 8839
			 * section 5.3): last thing before the first m=. */
			if (cur < 0 && pl->ice_ufrag != NULL)
				put(&o, "a=ice-lite\r\n");
			media_end(&o, in, pl, cur);
			cur = l->media;
			if (m->port == 0) {
				/* rejected stays rejected (RFC 3264 section 6) */
				copy_line(&o, l);
				break;
			}
			put(&o, "m=%.*s %u", (int)m->type.len, m->type.p,
			    mp->port);
			if (m->nports > 1)
				put(&o, "/%u", m->nports);
			put(&o, " ");
			media_proto(&o, pl, m);
			put(&o, " %.*s\r\n", (int)m->fmts.len, m->fmts.p);
			/* a session-level c= alone no longer describes the
			 * other media's peer, but it is ours for all: fine */
			break;
		case 'a':
			if (is_ice(l->attr))
				break;        /* the peer's ICE stays on its leg */
			if (pl->security != DSBC_SDP_SEC_KEEP &&
			    is_security(l->attr))
				break;        /* dsbc's own follow, per media */
			if (l->attr == DSBC_SDP_A_RTCP_MUX && mp != NULL &&
			    mp->rtcp_mux == DSBC_SDP_MUX_STRIP)
				break;
			if (l->attr == DSBC_SDP_A_RTCP) {
				if (m == NULL || mp->rtcp_port == 0 || m->port == 0)
					break;
				if (m->rtcp_conn.family != 0)
					put(&o, "a=rtcp:%u IN %s %s\r\n",
					    mp->rtcp_port, ip_kind(pl->family),
					    pl->addr);
				else
					put(&o, "a=rtcp:%u\r\n", mp->rtcp_port);
				break;
			}
			if (l->attr == DSBC_SDP_A_FINGERPRINT &&
			    pl->fingerprint != NULL) {
				put(&o, "a=fingerprint:%s\r\n", pl->fingerprint);
				break;
			}
			if (l->attr == DSBC_SDP_A_SETUP && pl->setup != NULL) {
				put(&o, "a=setup:%s\r\n", pl->setup);
				break;
			}
			copy_line(&o, l);
			break;
		default:
			copy_line(&o, l);
			break;
		}
	}
	media_end(&o, in, pl, cur);
	return o.full ? -1 : (int)o.len;
}
