/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * WebSocket for SIP (RFC 6455, RFC 7118): the server's opening handshake
 * and the frame codec (see dsbc_ws.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "dsbc_ws.h"

#define HS_MAX 8192
/* RFC 6455 section 1.3 */
#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

/* ---- the opening handshake ---- */

/* Is tok one of the comma-separated tokens of v (case-insensitive)? */
static bool
has_token(const char *v, size_t vlen, const char *tok)
{
	size_t tl = strlen(tok);
	const char *p = v, *end = v + vlen;

	while (p < end) {
		const char *q = memchr(p, ',', (size_t)(end - p)), *a, *b;

		if (q == NULL)
			q = end;
		a = p;
		b = q;
		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if ((size_t)(b - a) == tl && strncasecmp(a, tok, tl) == 0)
			return true;
		p = q + 1;
	}
	return false;
}

static bool
copy(char *dst, size_t cap, const char *v, size_t vlen)
{
	if (vlen >= cap)
		return false;
	memcpy(dst, v, vlen);
	dst[vlen] = '\0';
	return true;
}

int
dsbc_ws_upgrade_parse(const char *buf, uint32_t len,
		      struct dsbc_ws_upgrade *u, uint32_t *consumed)
{
	const char *end = NULL, *p, *eol;
	uint32_t n = len < HS_MAX ? len : HS_MAX, i;
	bool upgrade = false, connection = false, version = false;
	bool host = false, key = false;

	memset(u, 0, sizeof(*u));
	for (i = 3; i < n; i++)
		if (buf[i - 3] == '\r' && buf[i - 2] == '\n' &&
		    buf[i - 1] == '\r' && buf[i] == '\n') {
			end = buf + i + 1;
			break;
		}
	if (end == NULL)
		return len >= HS_MAX ? 431 : 0;
	*consumed = (uint32_t)(end - buf);
	/* GET <path> HTTP/1.1 */
	eol = memchr(buf, '\r', (size_t)(end - buf));
	if ((size_t)(eol - buf) < 14 || strncmp(buf, "GET ", 4) != 0 ||
	    strncmp(eol - 9, " HTTP/1.1", 9) != 0 ||
	    !copy(u->path, sizeof(u->path), buf + 4,
		  (size_t)(eol - 9 - buf - 4)) ||
	    strchr(u->path, ' ') != NULL)
		return 400;
	for (p = eol + 2; p < end - 2; p = eol + 2) {
		const char *colon, *v, *ve;
		size_t nl;

		eol = memchr(p, '\r', (size_t)(end - p));
		if (eol == NULL || eol[1] != '\n')
			return 400;
		/* no obsolete line folding (RFC 7230 3.2.4) */
		if (*p == ' ' || *p == '\t')
			return 400;
		colon = memchr(p, ':', (size_t)(eol - p));
		if (colon == NULL || colon == p)
			return 400;
		nl = (size_t)(colon - p);
		v = colon + 1;
		while (v < eol && (*v == ' ' || *v == '\t'))
			v++;
		ve = eol;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
#define IS(name) (nl == strlen(name) && strncasecmp(p, name, nl) == 0)
		if (IS("Host")) {
			if (host || ve == v ||
			    !copy(u->host, sizeof(u->host), v,
				  (size_t)(ve - v)))
				return 400;
			host = true;
		} else if (IS("Upgrade")) {
			upgrade |= has_token(v, (size_t)(ve - v), "websocket");
		} else if (IS("Connection")) {
			connection |= has_token(v, (size_t)(ve - v), "upgrade");
		} else if (IS("Sec-WebSocket-Version")) {
			version = ve - v == 2 && strncmp(v, "13", 2) == 0;
		} else if (IS("Sec-WebSocket-Key")) {
			/* base64 of 16 bytes: 22 characters and "==" */
			if (key || ve - v != 24 || v[22] != '=' ||
			    v[23] != '=' ||
			    !copy(u->key, sizeof(u->key), v, 24))
				return 400;
			key = true;
		} else if (IS("Sec-WebSocket-Protocol")) {
			u->sip |= has_token(v, (size_t)(ve - v), "sip");
		} else if (IS("Origin")) {
			if (!copy(u->origin, sizeof(u->origin), v,
				  (size_t)(ve - v)))
				return 400;
		}
#undef IS
	}
	if (!host || !upgrade || !connection || !key)
		return 400;
	if (!version)
		return 426;
	return 101;
}

int
dsbc_ws_accept(const struct dsbc_ws_upgrade *u, char *out, size_t cap)
{
	unsigned char md[EVP_MAX_MD_SIZE], b64[64];
	char in[sizeof(u->key) + sizeof(WS_GUID)];
	unsigned int mdlen = 0;
	int n;

	n = snprintf(in, sizeof(in), "%s" WS_GUID, u->key);
	if (n < 0 || EVP_Digest(in, (size_t)n, md, &mdlen, EVP_sha1(),
				NULL) != 1)
		return -1;
	EVP_EncodeBlock(b64, md, (int)mdlen);
	n = snprintf(out, cap, "HTTP/1.1 101 Switching Protocols\r\n"
		     "Upgrade: websocket\r\n"
		     "Connection: Upgrade\r\n"
		     "Sec-WebSocket-Accept: %s\r\n"
		     "Sec-WebSocket-Protocol: sip\r\n\r\n", b64);
	return n < 0 || (size_t)n >= cap ? -1 : n;
}

int
dsbc_ws_refuse(int status, char *out, size_t cap)
{
	const char *reason = status == 403 ? "Forbidden" :
			     status == 426 ? "Upgrade Required" :
			     status == 431 ?
			     "Request Header Fields Too Large" : "Bad Request";
	int n = snprintf(out, cap, "HTTP/1.1 %d %s\r\n%s"
			 "Connection: close\r\nContent-Length: 0\r\n\r\n",
			 status, reason, status == 426 ?
			 "Sec-WebSocket-Version: 13\r\n" : "");

	return n < 0 || (size_t)n >= cap ? -1 : n;
}

/* ---- frames (RFC 6455 section 5) ---- */

int
dsbc_ws_rx_init(struct dsbc_ws_rx *rx, uint32_t max_msg)
{
	memset(rx, 0, sizeof(*rx));
	rx->max_msg = max_msg;
	rx->cap = max_msg + 14;       /* the longest header a client sends */
	rx->buf = malloc(rx->cap);
	if (rx->buf == NULL)
		return -1;
	return 0;
}

void
dsbc_ws_rx_free(struct dsbc_ws_rx *rx)
{
	free(rx->buf);
	free(rx->frag);
	memset(rx, 0, sizeof(*rx));
}

static void
compact(struct dsbc_ws_rx *rx)
{
	if (rx->skip == 0)
		return;
	memmove(rx->buf, rx->buf + rx->skip, rx->len - rx->skip);
	rx->len -= rx->skip;
	rx->skip = 0;
}

uint8_t *
dsbc_ws_rx_tail(struct dsbc_ws_rx *rx, uint32_t *room)
{
	compact(rx);
	*room = rx->cap - rx->len;
	return rx->buf + rx->len;
}

void
dsbc_ws_rx_wrote(struct dsbc_ws_rx *rx, uint32_t n)
{
	rx->len += n;
}

enum dsbc_ws_rc
dsbc_ws_next(struct dsbc_ws_rx *rx, const uint8_t **p, uint32_t *plen)
{
	for (;;) {
		const uint8_t *b;
		uint64_t n;
		uint32_t hl = 2, i;
		uint8_t op, *pl, mask[4];
		bool fin;

		compact(rx);
		b = rx->buf;
		if (rx->len < 2)
			return DSBC_WS_NEED;
		fin = (b[0] & 0x80) != 0;
		op = b[0] & 0x0f;
		/* no extension was negotiated: reserved bits are 0 */
		if (b[0] & 0x70)
			return DSBC_WS_ERR_PROTOCOL;
		if (op != 0 && op != 1 && op != 2 && op != 8 && op != 9 &&
		    op != 10)
			return DSBC_WS_ERR_PROTOCOL;
		if (!(b[1] & 0x80))
			return DSBC_WS_ERR_UNMASKED;
		n = b[1] & 0x7f;
		if (n == 126) {
			if (rx->len < 4)
				return DSBC_WS_NEED;
			n = (uint64_t)b[2] << 8 | b[3];
			hl = 4;
		} else if (n == 127) {
			if (rx->len < 10)
				return DSBC_WS_NEED;
			for (n = 0, i = 0; i < 8; i++)
				n = n << 8 | b[2 + i];
			hl = 10;
		}
		/* control frames: whole and short (5.5) */
		if (op >= 8 && (!fin || n > 125))
			return DSBC_WS_ERR_PROTOCOL;
		if (n > rx->max_msg ||
		    (op == 0 && rx->frag_len + n > rx->max_msg))
			return DSBC_WS_ERR_TOO_BIG;
		if (rx->len < hl + 4 + n)
			return DSBC_WS_NEED;
		memcpy(mask, b + hl, 4);
		pl = rx->buf + hl + 4;
		for (i = 0; i < n; i++)
			pl[i] ^= mask[i & 3];
		rx->skip = hl + 4 + (uint32_t)n;
		switch (op) {
		case 1:
		case 2:
			if (rx->in_frag)
				return DSBC_WS_ERR_PROTOCOL;
			if (fin) {
				*p = pl;
				*plen = (uint32_t)n;
				return DSBC_WS_MSG;
			}
			if (rx->frag == NULL &&
			    (rx->frag = malloc(rx->max_msg)) == NULL)
				return DSBC_WS_ERR_TOO_BIG;
			memcpy(rx->frag, pl, n);
			rx->frag_len = (uint32_t)n;
			rx->in_frag = true;
			continue;
		case 0:
			if (!rx->in_frag)
				return DSBC_WS_ERR_PROTOCOL;
			memcpy(rx->frag + rx->frag_len, pl, n);
			rx->frag_len += (uint32_t)n;
			if (!fin)
				continue;
			rx->in_frag = false;
			*p = rx->frag;
			*plen = rx->frag_len;
			rx->frag_len = 0;
			return DSBC_WS_MSG;
		default:
			*p = pl;
			*plen = (uint32_t)n;
			return op == 8 ? DSBC_WS_CLOSE :
			       op == 9 ? DSBC_WS_PING : DSBC_WS_PONG;
		}
	}
}

uint32_t
dsbc_ws_frame_head(uint8_t opcode, uint64_t len, uint8_t out[10])
{
	uint32_t i;

	out[0] = 0x80 | (opcode & 0x0f);
	if (len < 126) {
		out[1] = (uint8_t)len;
		return 2;
	}
	if (len <= 0xffff) {
		out[1] = 126;
		out[2] = (uint8_t)(len >> 8);
		out[3] = (uint8_t)len;
		return 4;
	}
	out[1] = 127;
	for (i = 0; i < 8; i++)
		out[2 + i] = (uint8_t)(len >> (56 - 8 * i));
	return 10;
}
