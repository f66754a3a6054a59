/* SPDX-License-Identifier: BSD-3-Clause */
/* Payload shapes: enough of each protocol for RFC 7983 demux and for
 * tshark to decode it, nothing more. */
#include <stdio.h>
#include <string.h>

#include "gen.h"

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

uint32_t gen_seq_base = 1000;

/* Deterministic filler so reruns produce identical pcaps. */
static uint8_t
noise(uint32_t i, uint32_t j)
{
	uint32_t x = i * 2654435761u ^ (j + 0x9e3779b9u) * 40503u;

	return (uint8_t)(x >> 13);
}

/* RFC 3550 section 5.1 fixed header, PT 0 (PCMU), 160 samples per packet. */
static uint32_t
rtp(uint32_t i, uint32_t ssrc, uint32_t size, uint8_t *o, bool srtp)
{
	uint32_t j;

	o[0] = 0x80;
	o[1] = i == 0 ? 0x80 : 0x00;   /* marker on the first packet */
	put16(o + 2, (uint16_t)(gen_seq_base + i));
	put32(o + 4, 160u * i);
	put32(o + 8, ssrc);
	for (j = 12; j < size; j++)
		o[j] = srtp ? noise(i, j) : (uint8_t)(0xff - (j & 0x7f));
	return size;
}

/* RFC 3550 section 6.4.1 sender report without report blocks. */
static uint32_t
rtcp_sr(uint32_t i, uint32_t ssrc, uint8_t *o)
{
	memset(o, 0, 28);
	o[0] = 0x80;
	o[1] = 200;
	put16(o + 2, 6);                 /* length in words minus one */
	put32(o + 4, ssrc);
	put32(o + 8, 0xe0000000u + i);   /* NTP timestamp */
	put32(o + 16, 160u * i);
	put32(o + 20, i + 1);
	put32(o + 24, 172u * (i + 1));
	return 28;
}

/* DTLS 1.2 record (RFC 6347 section 4.1) carrying a ClientHello start. */
static uint32_t
dtls(uint32_t i, uint32_t size, uint8_t *o)
{
	uint32_t body = size - 13, j;

	o[0] = 22;                       /* handshake */
	o[1] = 0xfe;
	o[2] = 0xfd;                     /* DTLS 1.2 */
	put16(o + 3, 0);                 /* epoch */
	put16(o + 5, 0);
	put32(o + 7, i);                 /* 48-bit sequence number */
	put16(o + 11, (uint16_t)body);
	o[13] = 1;                       /* client_hello */
	o[14] = 0;
	put16(o + 15, (uint16_t)(body - 12));
	put16(o + 17, (uint16_t)i);      /* message_seq */
	memset(o + 19, 0, 3);            /* fragment_offset */
	o[22] = 0;
	put16(o + 23, (uint16_t)(body - 12));
	o[25] = 0xfe;
	o[26] = 0xfd;                    /* client_version */
	for (j = 27; j < size; j++)
		o[j] = noise(i, j);
	return size;
}

/* RFC 8489 Binding Request with a SOFTWARE attribute. */
static uint32_t
stun(uint32_t i, uint8_t *o)
{
	static const char sw[] = "dsbc-gen";
	uint32_t j;

	put16(o, 0x0001);
	put16(o + 2, 12);
	put32(o + 4, 0x2112a442);
	for (j = 0; j < 12; j++)
		o[8 + j] = noise(i, j);
	put16(o + 20, 0x8022);
	put16(o + 22, 8);
	memcpy(o + 24, sw, 8);
	return 32;
}

static uint32_t
sip(uint32_t i, uint8_t *o, uint32_t cap)
{
	int n = snprintf((char *)o, cap,
		"OPTIONS sip:dsbc@192.0.2.1 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-gen-%u\r\n"
		"Max-Forwards: 70\r\n"
		"From: <sip:gen@192.0.2.10>;tag=gen%u\r\n"
		"To: <sip:dsbc@192.0.2.1>\r\n"
		"Call-ID: gen-%u@192.0.2.10\r\n"
		"CSeq: %u OPTIONS\r\n"
		"Content-Length: 0\r\n\r\n", i, i, i, i + 1);

	return n < 0 ? 0 : (uint32_t)n;
}

uint32_t
gen_payload(enum gen_kind k, uint32_t i, uint32_t ssrc, uint32_t size,
	    uint8_t *o, uint32_t cap)
{
	uint32_t j;

	if (size > cap)
		size = cap;
	switch (k) {
	case GEN_RTP:
		return rtp(i, ssrc, size < 12 ? 12 : size, o, false);
	case GEN_SRTP:
		/* RTP header, encrypted-looking payload, 10-byte auth tag. */
		return rtp(i, ssrc, size < 22 ? 22 : size, o, true);
	case GEN_DTLS:
		return dtls(i, size < 40 ? 40 : size, o);
	case GEN_STUN:
		return stun(i, o);
	case GEN_SIP:
		return sip(i, o, cap);
	case GEN_GARBAGE:
		o[0] = 100;                  /* in no RFC 7983 range */
		for (j = 1; j < size; j++)
			o[j] = noise(i, j);
		return size < 1 ? 1 : size;
	case GEN_MIX:
		switch (i % 4) {
		case 0:
			return rtp(i / 4, ssrc, size, o, false);
		case 1:
			return dtls(i / 4, 100, o);
		case 2:
			return stun(i / 4, o);
		default:
			return rtcp_sr(i / 4, ssrc, o);
		}
	default:
		return 0;
	}
}
