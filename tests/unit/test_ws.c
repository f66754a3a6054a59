/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/ws: the opening handshake against RFC 6455's example, and the
 * frame decoder against its examples and every refusal.  No EAL.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "dsbc_ws.h"
#include "unit.h"

const bool unit_needs_eal = false;

#define UPGRADE(extra) \
	"GET /sip HTTP/1.1\r\nHost: sip.example.com\r\n" \
	"Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n" \
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" \
	"Origin: https://app.example.com\r\n" \
	"Sec-WebSocket-Protocol: sip\r\n" extra "\r\n"

static int
parse(const char *text, struct dsbc_ws_upgrade *u)
{
	uint32_t used = 0;

	return dsbc_ws_upgrade_parse(text, (uint32_t)strlen(text), u, &used);
}

static void
test_ws_upgrade(void)
{
	const char *ok = UPGRADE("Sec-WebSocket-Version: 13\r\n");
	struct dsbc_ws_upgrade u;
	char out[512];
	uint32_t used = 0;
	int n;

	CU_ASSERT_EQUAL(dsbc_ws_upgrade_parse(ok, (uint32_t)strlen(ok), &u,
					      &used), 101);
	CU_ASSERT_EQUAL(used, strlen(ok));
	CU_ASSERT_STRING_EQUAL(u.host, "sip.example.com");
	CU_ASSERT_STRING_EQUAL(u.origin, "https://app.example.com");
	CU_ASSERT_STRING_EQUAL(u.path, "/sip");
	CU_ASSERT(u.sip);
	/* RFC 6455 section 1.3: this key's accept value */
	n = dsbc_ws_accept(&u, out, sizeof(out));
	CU_ASSERT(n > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "HTTP/1.1 101 Switching Protocols"
				      "\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Sec-WebSocket-Accept: "
				      "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Sec-WebSocket-Protocol: sip\r\n"));
	/* not all there yet */
	CU_ASSERT_EQUAL(dsbc_ws_upgrade_parse(ok, 40, &u, &used), 0);
	/* refusals */
	CU_ASSERT_EQUAL(parse(UPGRADE("Sec-WebSocket-Version: 8\r\n"), &u), 426);
	CU_ASSERT_EQUAL(parse("GET /sip HTTP/1.1\r\nUpgrade: websocket\r\n"
			      "Connection: Upgrade\r\nSec-WebSocket-Version: 13"
			      "\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="
			      "\r\n\r\n", &u), 400);     /* no Host */
	CU_ASSERT_EQUAL(parse("POST /sip HTTP/1.1\r\nHost: x\r\n\r\n", &u),
			400);
	CU_ASSERT_EQUAL(parse(UPGRADE("Sec-WebSocket-Version: 13\r\n"
				      "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA=="
				      "\r\n"), &u), 400);  /* two keys */
	CU_ASSERT_EQUAL(parse(UPGRADE("Sec-WebSocket-Version: 13\r\n"
				      " folded\r\n"), &u), 400);
	{
		static char big[9000];

		memset(big, 'a', sizeof(big) - 1);
		memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
		CU_ASSERT_EQUAL(parse(big, &u), 431);
	}
	n = dsbc_ws_refuse(426, out, sizeof(out));
	CU_ASSERT(n > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Sec-WebSocket-Version: 13\r\n"));
}

static struct dsbc_ws_rx rx;

static void
feed(const uint8_t *p, uint32_t n)
{
	uint32_t room;
	uint8_t *t = dsbc_ws_rx_tail(&rx, &room);

	CU_ASSERT_FATAL(room >= n);
	memcpy(t, p, n);
	dsbc_ws_rx_wrote(&rx, n);
}

/* a client frame: masked with key */
static uint32_t
frame(uint8_t b0, const char *payload, uint32_t n, uint8_t *out)
{
	static const uint8_t key[4] = { 0x37, 0xfa, 0x21, 0x3d };
	uint32_t h = 2, i;

	out[0] = b0;
	if (n < 126) {
		out[1] = (uint8_t)(0x80 | n);
	} else {
		out[1] = 0x80 | 126;
		out[2] = (uint8_t)(n >> 8);
		out[3] = (uint8_t)n;
		h = 4;
	}
	memcpy(out + h, key, 4);
	for (i = 0; i < n; i++)
		out[h + 4 + i] = (uint8_t)payload[i] ^ key[i & 3];
	return h + 4 + n;
}

static void
test_ws_frames(void)
{
	/* RFC 6455 section 5.7: a single-frame masked text message */
	static const uint8_t hello[] = {
		0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
	};
	uint8_t buf[2048];
	const uint8_t *p;
	uint32_t plen, n, i;
	char big[300];

	CU_ASSERT_EQUAL_FATAL(dsbc_ws_rx_init(&rx, 1024), 0);
	/* byte by byte: nothing until the last */
	for (i = 0; i + 1 < sizeof(hello); i++) {
		feed(hello + i, 1);
		CU_ASSERT_EQUAL(dsbc_ws_next(&rx, &p, &plen), DSBC_WS_NEED);
	}
	feed(hello + i, 1);
	CU_ASSERT_EQUAL(dsbc_ws_next(&rx, &p, &plen), DSBC_WS_MSG);
	CU_ASSERT_EQUAL(plen, 5);
	CU_ASSERT(memcmp(p, "Hello", 5) == 0);
	CU_ASSERT_EQUAL(dsbc_ws_next(&rx, &p, &plen), DSBC_WS_NEED);
	/* fragmented "Hel" "lo" with a ping between (5.4, 5.7) */
	n = frame(0x01, "Hel", 3, buf);
	n += frame(0x89, "pi", 2, buf + n);
	n += frame(0x80, "lo", 2, buf + n);
	feed(buf, n);
	CU_ASSERT_EQUAL(dsbc_ws_next(&rx, &p, &plen), DSBC_WS_PING);
	CU_ASSERT(plen == 2 && memcmp(p, "pi", 2) == 0);
	CU_ASSERT_EQUAL(dsbc_ws_next(&rx, &p, &plen), DSBC_WS_MSG);
	CU_ASSERT(plen == 5 && memcmp(p, "Hello", 5) == 0);
	/* 16-bit length, and two messages in one read */
	memset(big, 'x', sizeof(big));
	n = frame(0x81, big, sizeof(big), buf);
	n += frame(0x82, "OPTIONS", 7, buf + n);
	feed(buf, n);
	CU_ASSERT_EQUAL(dsbc_ws_next(&rx, &p, &plen), DSBC_WS_MSG);
	CU_ASSERT_EQUAL(plen, sizeof(big));
	CU_ASSERT_EQUAL(dsbc_ws_next(&rx, &p, &plen), DSBC_WS_MSG);
	CU_ASSERT(plen == 7 && memcmp(p, "OPTIONS", 7) == 0);
	n = frame(0x88, "\x03\xe8", 2, buf);
	feed(buf, n);
	CU_ASSERT_EQUAL(dsbc_ws_next(&rx, &p, &plen), DSBC_WS_CLOSE);
	dsbc_ws_rx_free(&rx);
	/* refusals, each on a fresh connection */
	{
		static const struct {
			uint8_t b0;
			uint32_t len;
			bool unmask;
			enum dsbc_ws_rc rc;
		} bad[] = {
			{ 0x81, 5, true, DSBC_WS_ERR_UNMASKED },
			{ 0xc1, 5, false, DSBC_WS_ERR_PROTOCOL },   /* RSV1 */
			{ 0x83, 5, false, DSBC_WS_ERR_PROTOCOL },   /* opcode 3 */
			{ 0x09, 2, false, DSBC_WS_ERR_PROTOCOL },   /* ping, no FIN */
			{ 0x80, 2, false, DSBC_WS_ERR_PROTOCOL },   /* lone cont */
			{ 0x81, 1100, false, DSBC_WS_ERR_TOO_BIG },
		};
		static char pay[1100];

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			CU_ASSERT_EQUAL_FATAL(dsbc_ws_rx_init(&rx, 1024), 0);
			n = frame(bad[i].b0, pay, bad[i].len > 200 ? 200 :
				  bad[i].len, buf);
			if (bad[i].len > 200) {  /* claim 1100 bytes */
				buf[2] = (uint8_t)(bad[i].len >> 8);
				buf[3] = (uint8_t)bad[i].len;
			}
			if (bad[i].unmask)
				buf[1] &= 0x7f;
			feed(buf, n);
			CU_ASSERT_EQUAL(dsbc_ws_next(&rx, &p, &plen), bad[i].rc);
			dsbc_ws_rx_free(&rx);
		}
	}
	/* a fragmented message growing past the limit */
	CU_ASSERT_EQUAL_FATAL(dsbc_ws_rx_init(&rx, 300), 0);
	n = frame(0x01, big, 200, buf);
	feed(buf, n);
	CU_ASSERT_EQUAL(dsbc_ws_next(&rx, &p, &plen), DSBC_WS_NEED);
	n = frame(0x80, big, 200, buf);
	feed(buf, n);
	CU_ASSERT_EQUAL(dsbc_ws_next(&rx, &p, &plen), DSBC_WS_ERR_TOO_BIG);
	dsbc_ws_rx_free(&rx);
	/* server frame headers */
	CU_ASSERT_EQUAL(dsbc_ws_frame_head(1, 5, buf), 2);
	CU_ASSERT(buf[0] == 0x81 && buf[1] == 5);
	CU_ASSERT_EQUAL(dsbc_ws_frame_head(1, 300, buf), 4);
	CU_ASSERT(buf[1] == 126 && buf[2] == 1 && buf[3] == 44);
	CU_ASSERT_EQUAL(dsbc_ws_frame_head(2, 70000, buf), 10);
	CU_ASSERT(buf[1] == 127 && buf[7] == 1 && buf[8] == 0x11 &&
		  buf[9] == 0x70);
}

int
unit_register(void)
{
	CU_pSuite s = CU_add_suite("ws", NULL, NULL);

	if (s == NULL)
		return -1;
	UNIT_ADD(s, test_ws_upgrade);
	UNIT_ADD(s, test_ws_frames);
	return 0;
}
