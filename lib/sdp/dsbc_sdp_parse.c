/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "dsbc_sdp.h"

static const struct {
	const char *name;
	const char *reason;
} errs[DSBC_SDP_ERR_MAX] = {
#define DSBC_SDP_ERR_INFO(e, name, reason) [DSBC_SDP_ERR_##e] = {name, reason},
	DSBC_SDP_ERRORS(DSBC_SDP_ERR_INFO)
#undef DSBC_SDP_ERR_INFO
};

const char *
dsbc_sdp_err_name(enum dsbc_sdp_err e)
{
	return (unsigned int)e < DSBC_SDP_ERR_MAX ? errs[e].name : "?";
}

const char *
dsbc_sdp_err_reason(enum dsbc_sdp_err e)
{
	return (unsigned int)e < DSBC_SDP_ERR_MAX ? errs[e].reason : "";
}

static const struct {
	const char *name;
	uint8_t id;
} attrs[] = {
	{"rtcp", DSBC_SDP_A_RTCP}, {"rtcp-mux", DSBC_SDP_A_RTCP_MUX},
	{"candidate", DSBC_SDP_A_CANDIDATE},
	{"ice-ufrag", DSBC_SDP_A_ICE_UFRAG}, {"ice-pwd", DSBC_SDP_A_ICE_PWD},
	{"ice-options", DSBC_SDP_A_ICE_OPTIONS},
	{"ice-lite", DSBC_SDP_A_ICE_LITE},
	{"end-of-candidates", DSBC_SDP_A_END_OF_CANDIDATES},
	{"remote-candidates", DSBC_SDP_A_REMOTE_CANDIDATES},
	{"fingerprint", DSBC_SDP_A_FINGERPRINT}, {"setup", DSBC_SDP_A_SETUP},
	{"crypto", DSBC_SDP_A_CRYPTO}, {"mid", DSBC_SDP_A_MID},
	{"rtpmap", DSBC_SDP_A_RTPMAP}, {"sendrecv", DSBC_SDP_A_SENDRECV},
	{"sendonly", DSBC_SDP_A_SENDONLY}, {"recvonly", DSBC_SDP_A_RECVONLY},
	{"inactive", DSBC_SDP_A_INACTIVE},
};

/* Split "name[:value]" of an a= line. */
static uint8_t
attr_id(struct dsbc_sdp_str v, struct dsbc_sdp_str *val)
{
	const char *colon = memchr(v.p, ':', v.len);
	uint32_t n = colon ? (uint32_t)(colon - v.p) : v.len;
	unsigned int i;

	val->p = colon ? colon + 1 : v.p + v.len;
	val->len = colon ? v.len - n - 1 : 0;
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if (strlen(attrs[i].name) == n &&
		    memcmp(attrs[i].name, v.p, n) == 0)
			return attrs[i].id;
	return DSBC_SDP_A_OTHER;
}

/* Next space-separated field of [*p, end). */
static int
field(const char **p, const char *end, struct dsbc_sdp_str *f)
{
	const char *s = *p, *e;

	if (s >= end || *s == ' ')
		return -1;
	e = memchr(s, ' ', (size_t)(end - s));
	if (e == NULL)
		e = end;
	f->p = s;
	f->len = (uint32_t)(e - s);
	*p = e < end ? e + 1 : e;
	return 0;
}

static int
uint_field(struct dsbc_sdp_str f, uint64_t max, uint64_t *v)
{
	uint32_t i;

	*v = 0;
	if (f.len == 0 || f.len > 20)
		return -1;
	for (i = 0; i < f.len; i++) {
		if (f.p[i] < '0' || f.p[i] > '9')
			return -1;
		*v = *v * 10 + (uint64_t)(f.p[i] - '0');
		if (*v > max)
			return -1;
	}
	return 0;
}

/* "IN IP4 addr" / "IN IP6 addr" (RFC 8866 section 5.7), unicast only. */
static int
conn_parse(const char *p, const char *end, struct dsbc_sdp_conn *c)
{
	struct dsbc_sdp_str nt, at, addr;
	char buf[64];
	uint8_t tmp[16];

	if (field(&p, end, &nt) || field(&p, end, &at) ||
	    field(&p, end, &addr) || p != end ||
	    nt.len != 2 || memcmp(nt.p, "IN", 2) != 0 || at.len != 3 ||
	    addr.len >= sizeof(buf))
		return -1;
	if (memcmp(at.p, "IP4", 3) == 0)
		c->family = 4;
	else if (memcmp(at.p, "IP6", 3) == 0)
		c->family = 6;
	else
		return -1;
	memcpy(buf, addr.p, addr.len);
	buf[addr.len] = '\0';
	if (inet_pton(c->family == 4 ? AF_INET : AF_INET6, buf, tmp) != 1)
		return -1;
	c->addr = addr;
	return 0;
}

/* o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address> */
static int
origin_parse(struct dsbc_sdp_str v, struct dsbc_sdp *s)
{
	const char *p = v.p, *end = v.p + v.len;
	struct dsbc_sdp_str ver, nt, at, addr;

	if (field(&p, end, &s->origin_user) || field(&p, end, &s->sess_id) ||
	    field(&p, end, &ver) || field(&p, end, &nt) ||
	    field(&p, end, &at) || field(&p, end, &addr) || p != end ||
	    uint_field(ver, UINT64_MAX / 10, &s->sess_version))
		return -1;
	s->origin_addr.addr = addr;
	s->origin_addr.family = at.len == 3 && memcmp(at.p, "IP6", 3) == 0 ?
				6 : 4;
	return 0;
}

/* m=<media> <port>[/<number>] <proto> <fmt> ... (section 5.14) */
static int
media_parse(struct dsbc_sdp_str v, struct dsbc_sdp_media *m)
{
	const char *p = v.p, *end = v.p + v.len, *slash;
	struct dsbc_sdp_str port;
	uint64_t x;

	if (field(&p, end, &m->type) || field(&p, end, &port) ||
	    field(&p, end, &m->proto) || p >= end)
		return -1;
	m->fmts.p = p;
	m->fmts.len = (uint32_t)(end - p);
	slash = memchr(port.p, '/', port.len);
	m->nports = 1;
	if (slash != NULL) {
		struct dsbc_sdp_str n = {slash + 1,
			(uint32_t)(port.p + port.len - slash - 1)};

		if (uint_field(n, 65535, &x) || x == 0)
			return -1;
		m->nports = (uint16_t)x;
		port.len = (uint32_t)(slash - port.p);
	}
	if (uint_field(port, 65535, &x))
		return -1;
	m->port = (uint16_t)x;
	return 0;
}

/* a=rtcp:<port> [IN IP4|IP6 <addr>] (RFC 3605) */
static int
rtcp_parse(struct dsbc_sdp_str v, struct dsbc_sdp_media *m)
{
	const char *p = v.p, *end = v.p + v.len;
	struct dsbc_sdp_str port;
	uint64_t x;

	if (field(&p, end, &port) || uint_field(port, 65535, &x) || x == 0)
		return -1;
	m->has_rtcp = true;
	m->rtcp_port = (uint16_t)x;
	if (p < end && conn_parse(p, end, &m->rtcp_conn) != 0)
		return -1;
	return 0;
}

/* a=rtpmap:<pt> <encoding>/<clock>[/<params>] */
static void
rtpmap_parse(struct dsbc_sdp_str v, struct dsbc_sdp_media *m)
{
	const char *p = v.p, *end = v.p + v.len, *slash, *e2;
	struct dsbc_sdp_str pt, enc, clock;
	struct dsbc_sdp_rtpmap *r;
	uint64_t x, c;

	if (m->nb_rtpmap == DSBC_SDP_MAX_RTPMAP || field(&p, end, &pt) ||
	    uint_field(pt, 127, &x) || field(&p, end, &enc))
		return;
	slash = memchr(enc.p, '/', enc.len);
	if (slash == NULL)
		return;
	e2 = memchr(slash + 1, '/', (size_t)(enc.p + enc.len - slash - 1));
	clock.p = slash + 1;
	clock.len = (uint32_t)((e2 ? e2 : enc.p + enc.len) - clock.p);
	if (uint_field(clock, 10000000, &c))
		return;
	r = &m->rtpmap[m->nb_rtpmap++];
	r->pt = (uint8_t)x;
	r->clock = (uint32_t)c;
	r->encoding.p = enc.p;
	r->encoding.len = (uint32_t)(slash - enc.p);
}

static void
attr_apply(struct dsbc_sdp *s, struct dsbc_sdp_line *l,
	   struct dsbc_sdp_media *m, enum dsbc_sdp_err *err)
{
	struct dsbc_sdp_str val;

	l->attr = attr_id(l->value, &val);
	switch (l->attr) {
	case DSBC_SDP_A_RTCP:
		if (m == NULL || rtcp_parse(val, m) != 0)
			*err = DSBC_SDP_ERR_RTCP;
		break;
	case DSBC_SDP_A_RTCP_MUX:
		if (m != NULL)
			m->rtcp_mux = true;
		break;
	case DSBC_SDP_A_CANDIDATE:
		if (m != NULL)
			m->nb_candidates++;
		break;
	case DSBC_SDP_A_ICE_UFRAG:
		*(m ? &m->ice_ufrag : &s->ice_ufrag) = val;
		break;
	case DSBC_SDP_A_ICE_PWD:
		*(m ? &m->ice_pwd : &s->ice_pwd) = val;
		break;
	case DSBC_SDP_A_ICE_LITE:
		s->ice_lite = true;
		break;
	case DSBC_SDP_A_FINGERPRINT: {
		uint8_t *n = m ? &m->nb_fingerprint : &s->nb_fingerprint;

		if (*n < DSBC_SDP_MAX_FP)
			(m ? m->fingerprint : s->fingerprint)[(*n)++] = val;
		break;
	}
	case DSBC_SDP_A_SETUP:
		*(m ? &m->setup : &s->setup) = val;
		break;
	case DSBC_SDP_A_CRYPTO:
		if (m != NULL)
			m->nb_crypto++;
		break;
	case DSBC_SDP_A_MID:
		if (m != NULL)
			m->mid = val;
		break;
	case DSBC_SDP_A_RTPMAP:
		if (m != NULL)
			rtpmap_parse(val, m);
		break;
	case DSBC_SDP_A_SENDRECV:
	case DSBC_SDP_A_SENDONLY:
	case DSBC_SDP_A_RECVONLY:
	case DSBC_SDP_A_INACTIVE:
		*(m ? &m->dir : &s->dir) =
			(uint8_t)(l->attr - DSBC_SDP_A_SENDRECV);
		break;
	default:
		break;
	}
}

enum dsbc_sdp_err
dsbc_sdp_parse(const char *buf, uint32_t len, struct dsbc_sdp *s)
{
	const char *p = buf, *end = buf + len;
	enum dsbc_sdp_err err = DSBC_SDP_ERR_NONE;
	struct dsbc_sdp_media *m = NULL;
	unsigned int i;

	memset(s, 0, sizeof(*s));
	if (len == 0)
		return DSBC_SDP_ERR_EMPTY;
	while (p < end && err == DSBC_SDP_ERR_NONE) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *ve = eol ? eol : end;
		struct dsbc_sdp_line *l;

		if (ve > p && ve[-1] == '\r')
			ve--;
		if (ve - p > DSBC_SDP_MAX_LINE)
			return DSBC_SDP_ERR_LINE_TOO_LONG;
		/* a trailing empty line ends the body */
		if (ve == p && (eol == NULL || eol + 1 == end))
			break;
		if (s->nb_lines == DSBC_SDP_MAX_LINES)
			return DSBC_SDP_ERR_TOO_MANY_LINES;
		/* <type>=<value>, type one lower-case letter (section 5) */
		if (ve - p < 2 || p[0] < 'a' || p[0] > 'z' || p[1] != '=')
			return DSBC_SDP_ERR_LINE;
		for (i = 2; p + i < ve; i++)
			if (p[i] == '\0' || p[i] == '\r')
				return DSBC_SDP_ERR_LINE;
		l = &s->lines[s->nb_lines];
		l->type = p[0];
		l->value.p = p + 2;
		l->value.len = (uint32_t)(ve - p - 2);
		l->media = m ? (int8_t)(m - s->media) : -1;
		if (s->nb_lines == 0 &&
		    (l->type != 'v' || l->value.len != 1 || l->value.p[0] != '0'))
			return DSBC_SDP_ERR_VERSION;
		s->nb_lines++;
		switch (l->type) {
		case 'o':
			if (m != NULL || origin_parse(l->value, s) != 0)
				err = DSBC_SDP_ERR_ORIGIN;
			break;
		case 'c':
			if (conn_parse(l->value.p, l->value.p + l->value.len,
				       m ? &m->conn : &s->conn) != 0)
				err = DSBC_SDP_ERR_CONN;
			break;
		case 'm':
			if (s->nb_media == DSBC_SDP_MAX_MEDIA)
				return DSBC_SDP_ERR_TOO_MANY_MEDIA;
			m = &s->media[s->nb_media++];
			m->dir = s->dir;
			l->media = (int8_t)(m - s->media);
			if (media_parse(l->value, m) != 0)
				err = DSBC_SDP_ERR_MEDIA;
			break;
		case 'a':
			attr_apply(s, l, m, &err);
			break;
		default:
			break;
		}
		p = eol ? eol + 1 : end;
	}
	if (err != DSBC_SDP_ERR_NONE)
		return err;
	if (s->nb_lines < 2 || s->sess_id.len == 0)
		return DSBC_SDP_ERR_ORIGIN;
	/* Every media needs an address, its own or the session's (5.7). */
	for (i = 0; i < s->nb_media; i++)
		if (s->media[i].conn.family == 0) {
			if (s->conn.family == 0)
				return DSBC_SDP_ERR_NO_CONN;
			s->media[i].conn = s->conn;
		}
	return DSBC_SDP_ERR_NONE;
}
