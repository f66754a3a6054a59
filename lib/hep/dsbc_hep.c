/* SPDX-License-Identifier: BSD-3-Clause */
/* HEPv3 encoding (dsbc_hep.h). */
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dsbc_hep.h"

#define HDR 6            /* vendor, type, length */

size_t
dsbc_hep_size(const struct dsbc_hep_meta *m, size_t len)
{
	size_t ip = m->family == 4 ? 4 : 16;
	size_t n = 6;        /* "HEP3" + length */

	n += HDR + 1 + HDR + 1;             /* family, ip proto */
	n += 2 * (HDR + ip);                /* addresses */
	n += 2 * (HDR + 2);                 /* ports */
	n += 2 * (HDR + 4);                 /* time */
	n += HDR + 1 + HDR + 4;             /* proto, agent */
	if (m->password != NULL && m->password[0] != '\0')
		n += HDR + strlen(m->password);
	if (m->corr_len > 0)
		n += HDR + m->corr_len;
	return n + HDR + len;
}

static uint8_t *
chunk(uint8_t *p, uint16_t type, const void *v, size_t len)
{
	uint16_t l = (uint16_t)(HDR + len);

	p[0] = 0;
	p[1] = 0;
	p[2] = (uint8_t)(type >> 8);
	p[3] = (uint8_t)type;
	p[4] = (uint8_t)(l >> 8);
	p[5] = (uint8_t)l;
	memcpy(p + HDR, v, len);
	return p + HDR + len;
}

static uint8_t *
chunk_u8(uint8_t *p, uint16_t type, uint8_t v)
{
	return chunk(p, type, &v, 1);
}

static uint8_t *
chunk_u16(uint8_t *p, uint16_t type, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return chunk(p, type, b, 2);
}

static uint8_t *
chunk_u32(uint8_t *p, uint16_t type, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 8), (uint8_t)v };

	return chunk(p, type, b, 4);
}

size_t
dsbc_hep_encode(const struct dsbc_hep_meta *m, const void *payload,
		size_t len, uint8_t *out, size_t cap)
{
	size_t n = dsbc_hep_size(m, len);
	bool v4 = m->family == 4;
	uint8_t *p = out;

	if (n > cap || n > UINT16_MAX || (m->family != 4 && m->family != 6) ||
	    len > UINT16_MAX - HDR || m->corr_len > 1024)
		return 0;
	memcpy(p, "HEP3", 4);
	p[4] = (uint8_t)(n >> 8);
	p[5] = (uint8_t)n;
	p += 6;
	p = chunk_u8(p, DSBC_HEP_FAMILY, v4 ? 2 : 10);
	p = chunk_u8(p, DSBC_HEP_IP_PROTO, m->ip_proto);
	if (v4) {
		p = chunk(p, DSBC_HEP_SRC4, &m->src.v4, 4);
		p = chunk(p, DSBC_HEP_DST4, &m->dst.v4, 4);
	} else {
		p = chunk(p, DSBC_HEP_SRC6, m->src.a8, 16);
		p = chunk(p, DSBC_HEP_DST6, m->dst.a8, 16);
	}
	p = chunk_u16(p, DSBC_HEP_SPORT, m->sport);
	p = chunk_u16(p, DSBC_HEP_DPORT, m->dport);
	p = chunk_u32(p, DSBC_HEP_TS_S, (uint32_t)(m->ts_us / 1000000));
	p = chunk_u32(p, DSBC_HEP_TS_US, (uint32_t)(m->ts_us % 1000000));
	p = chunk_u8(p, DSBC_HEP_PROTO, m->proto);
	p = chunk_u32(p, DSBC_HEP_AGENT, m->agent_id);
	if (m->password != NULL && m->password[0] != '\0')
		p = chunk(p, DSBC_HEP_AUTH, m->password, strlen(m->password));
	if (m->corr_len > 0)
		p = chunk(p, DSBC_HEP_CORR, m->corr, m->corr_len);
	p = chunk(p, DSBC_HEP_PAYLOAD, payload, len);
	return (size_t)(p - out);
}

uint32_t
dsbc_hep_sip_call_id(const char *msg, size_t len, const char **out)
{
	const char *p = msg, *end = msg + len, *eol, *v;

	/* past the start line */
	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			return 0;
		p = eol + 1;
		if (p < end && (*p == '\r' || *p == '\n'))
			return 0;                   /* the blank line */
		if ((size_t)(end - p) > 8 && strncasecmp(p, "Call-ID", 7) == 0)
			v = p + 7;
		else if ((size_t)(end - p) > 2 && (*p == 'i' || *p == 'I') &&
			 (p[1] == ':' || p[1] == ' ' || p[1] == '\t'))
			v = p + 1;
		else
			continue;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		if (v >= end || *v != ':')
			continue;
		v++;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		eol = v;
		while (eol < end && *eol != '\r' && *eol != '\n')
			eol++;
		while (eol > v && (eol[-1] == ' ' || eol[-1] == '\t'))
			eol--;
		if (eol == v)
			return 0;
		*out = v;
		return (uint32_t)(eol - v);
	}
	return 0;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* snprintf into out at *n; false once it no longer fits */
static bool
add(char *out, size_t cap, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool
add(char *out, size_t cap, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*n >= cap)
		return false;
	va_start(ap, fmt);
	k = vsnprintf(out + *n, cap - *n, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= cap - *n) {
		*n = cap;
		return false;
	}
	*n += (size_t)k;
	return true;
}

size_t
dsbc_hep_rtcp_json(const uint8_t *p, size_t len, char *out, size_t cap)
{
	size_t plen, n = 0, off;
	unsigned int rc, i, pt;

	/* RFC 3550 6.1: a compound starts with an SR or an RR */
	if (len < 8 || (p[0] >> 6) != 2 || cap == 0)
		return 0;
	/* clear RTCP is packets of version 2 whose lengths add up to the
	 * datagram; SRTCP (RFC 3711 3.4) has its index and tag after them
	 * and its packets past the first encrypted: not readable here */
	for (off = 0; off + 4 <= len; off += ((size_t)p[off + 2] << 8 |
					      p[off + 3]) * 4 + 4)
		if ((p[off] >> 6) != 2)
			return 0;
	if (off != len)
		return 0;
	pt = p[1];
	rc = p[0] & 0x1f;
	plen = ((size_t)p[2] << 8 | p[3]) * 4 + 4;
	if ((pt != 200 && pt != 201) || plen > len ||
	    plen < 8 + (pt == 200 ? 20u : 0u) + rc * 24u)
		return 0;
	add(out, cap, &n, "{\"type\":%u,\"ssrc\":%u,\"report_count\":%u",
	    pt, be32(p + 4), rc);
	off = 8;
	if (pt == 200) {
		const uint8_t *si = p + 8;
		uint64_t frac = be32(si + 4);

		/* NTP fraction of a second to microseconds */
		add(out, cap, &n, ",\"sender_information\":{"
		    "\"ntp_timestamp_sec\":%u,\"ntp_timestamp_usec\":%u,"
		    "\"rtp_timestamp\":%u,\"packets\":%u,\"octets\":%u}",
		    be32(si), (unsigned int)((frac * 1000000) >> 32),
		    be32(si + 8), be32(si + 12), be32(si + 16));
		off += 20;
	}
	add(out, cap, &n, ",\"report_blocks\":[");
	for (i = 0; i < rc; i++, off += 24) {
		const uint8_t *b = p + off;
		uint32_t cum = (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7];
		/* 24-bit signed (6.4.1) */
		int32_t lost = (cum & 0x800000) ? (int32_t)cum - 0x1000000 :
			       (int32_t)cum;

		add(out, cap, &n, "%s{\"source_ssrc\":%u,\"fraction_lost\":%u,"
		    "\"packets_lost\":%d,\"highest_seq_no\":%u,"
		    "\"ia_jitter\":%u,\"lsr\":%u,\"dlsr\":%u}",
		    i ? "," : "", be32(b), b[4], lost, be32(b + 8),
		    be32(b + 12), be32(b + 16), be32(b + 20));
	}
	if (!add(out, cap, &n, "]}"))
		return 0;
	return n;
}
