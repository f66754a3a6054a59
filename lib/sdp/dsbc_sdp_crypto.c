/* SPDX-License-Identifier: BSD-3-Clause */
/* SDES a=crypto lines (RFC 4568 section 9.1, RFC 7714 section 14.2). */
#include <stdio.h>
#include <string.h>

#include "dsbc_sdp_crypto.h"

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

const char *
dsbc_sdes_suite_name(enum dsbc_srtp_suite s)
{
	return (unsigned int)s < DSBC_SRTP_SUITE_MAX ?
	       dsbc_srtp_suite_info(s)->sdes : "?";
}

static int
b64_val(char c)
{
	const char *p = c != '\0' ? strchr(b64, c) : NULL;

	return p != NULL ? (int)(p - b64) : -1;
}

/* Base64 (RFC 4648 section 4) of exactly n bytes into out: 0 or -1. */
static int
b64_decode(const char *s, size_t len, uint8_t *out, size_t n)
{
	uint32_t acc = 0;
	size_t i, got = 0;
	int bits = 0;

	while (len > 0 && s[len - 1] == '=')
		len--;
	for (i = 0; i < len; i++) {
		int v = b64_val(s[i]);

		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (got == n)
				return -1;
			out[got++] = (uint8_t)(acc >> bits);
		}
	}
	return got == n ? 0 : -1;
}

static size_t
b64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o] = '\0';
	return o;
}

int
dsbc_sdes_parse(const char *v, size_t len, struct dsbc_sdes *out)
{
	const char *p = v, *end = v + len, *tok, *key, *kend;
	uint8_t raw[30];
	unsigned int s;
	uint32_t tag = 0;

	memset(out, 0, sizeof(*out));
	/* tag: 1*9DIGIT */
	for (tok = p; p < end && *p >= '0' && *p <= '9'; p++) {
		if (p - tok >= 9)
			return -1;
		tag = tag * 10 + (uint32_t)(*p - '0');
	}
	if (p == tok || p == end || *p != ' ' || tag == 0)
		return -1;
	while (p < end && *p == ' ')
		p++;
	for (tok = p; p < end && *p != ' '; p++)
		;
	for (s = 0; s < DSBC_SRTP_SUITE_MAX; s++)
		if ((size_t)(p - tok) == strlen(dsbc_srtp_suite_info(s)->sdes) &&
		    memcmp(tok, dsbc_srtp_suite_info(s)->sdes, (size_t)(p - tok)) == 0)
			break;
	while (p < end && *p == ' ')
		p++;
	if (p == end || (size_t)(end - p) < 7 || memcmp(p, "inline:", 7) != 0)
		return -1;
	key = p + 7;
	for (kend = key; kend < end && *kend != ' ' && *kend != '|' &&
			 *kend != ';'; kend++)
		;
	if (kend == key)
		return -1;
	if (s == DSBC_SRTP_SUITE_MAX)
		return -2;
	/* a lifetime is fine, an MKI or a second key or session parameter
	 * is not something dsbc keys from */
	for (p = kend; p < end; p++) {
		if (*p == ':' || *p == ';' || *p == ' ')
			return -2;
	}
	out->tag = tag;
	out->suite = (uint8_t)s;
	out->key_len = dsbc_srtp_suite_info(s)->key_len;
	out->salt_len = dsbc_srtp_suite_info(s)->salt_len;
	if (b64_decode(key, (size_t)(kend - key), raw,
		       (size_t)out->key_len + out->salt_len) != 0)
		return -2;
	memcpy(out->key, raw, out->key_len);
	memcpy(out->salt, raw + out->key_len, out->salt_len);
	return 0;
}

int
dsbc_sdes_find(const struct dsbc_sdp *s, unsigned int media, uint32_t tag,
	       struct dsbc_sdes *out)
{
	unsigned int i;

	for (i = 0; i < s->nb_lines; i++) {
		const struct dsbc_sdp_line *l = &s->lines[i];

		if (l->type != 'a' || l->attr != DSBC_SDP_A_CRYPTO ||
		    l->media != (int8_t)media || l->value.len < 7)
			continue;
		/* value is "crypto:<...>" */
		if (dsbc_sdes_parse(l->value.p + 7, l->value.len - 7, out) == 0 &&
		    (tag == 0 || out->tag == tag))
			return 0;
	}
	return -1;
}

int
dsbc_sdes_format(const struct dsbc_sdes *c, char *out, size_t cap)
{
	uint8_t raw[30];
	char enc[44];
	int n;

	if (c->suite >= DSBC_SRTP_SUITE_MAX ||
	    (size_t)c->key_len + c->salt_len > sizeof(raw))
		return -1;
	memcpy(raw, c->key, c->key_len);
	memcpy(raw + c->key_len, c->salt, c->salt_len);
	b64_encode(raw, (size_t)c->key_len + c->salt_len, enc);
	n = snprintf(out, cap, "%u %s inline:%s", c->tag,
		     dsbc_srtp_suite_info(c->suite)->sdes, enc);
	return n < 0 || (size_t)n >= cap ? -1 : n;
}
