/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A datagram's kind from its first bytes (dsbc_sip_class.h): the start
 * line's shape, then the To header's tag.  Bounded by the datagram and
 * by the end of the headers; no allocation, no state.
 */
#include <stdbool.h>
#include <string.h>

#include "dsbc_sip_class.h"

#define METHOD_MAX 32      /* longer than any method in the IANA registry */

/* RFC 3261 25.1 token characters */
static bool
token_char(uint8_t c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("-.!%*_+`'~", c) != NULL;
}

static uint8_t
lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

static bool
ws(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* Whether [p, e) holds ";" LWS "tag" LWS "=": the To's tag parameter. */
static bool
has_tag(const uint8_t *p, const uint8_t *e)
{
	for (; p < e; p++) {
		const uint8_t *q;

		if (*p != ';')
			continue;
		q = p + 1;
		while (q < e && (ws(*q) || *q == '\r' || *q == '\n'))
			q++;
		if (e - q < 3 || lower(q[0]) != 't' || lower(q[1]) != 'a' ||
		    lower(q[2]) != 'g')
			continue;
		q += 3;
		while (q < e && ws(*q))
			q++;
		if (q < e && *q == '=')
			return true;
	}
	return false;
}

/* The end of the header line at p (continuation lines included): the
 * '\n' that ends it, or e. */
static const uint8_t *
line_end(const uint8_t *p, const uint8_t *e)
{
	for (;;) {
		const uint8_t *n = memchr(p, '\n', (size_t)(e - p));

		if (n == NULL)
			return e;
		if (n + 1 < e && ws(n[1])) {
			p = n + 1;
			continue;
		}
		return n;
	}
}

/* Whether the To header among the headers at p has a tag. */
static bool
to_tagged(const uint8_t *p, const uint8_t *e)
{
	while (p < e) {
		const uint8_t *le = line_end(p, e), *q = p;

		if (*p == '\r' || *p == '\n')
			return false;           /* the blank line: no To */
		if (lower(q[0]) == 't') {
			q++;
			if (e - q >= 1 && lower(q[0]) == 'o')
				q++;
			while (q < le && ws(*q))
				q++;
			if (q < le && *q == ':')
				return has_tag(q + 1, le);
		}
		p = le + 1;
	}
	return false;
}

enum dsbc_sip_kind
dsbc_sip_kind(const uint8_t *p, uint32_t len)
{
	const uint8_t *e = p + len, *nl;
	uint32_t n = 0;

	if (len >= 12 && memcmp(p, "SIP/2.0 ", 8) == 0 &&
	    p[8] >= '1' && p[8] <= '6' && p[9] >= '0' && p[9] <= '9' &&
	    p[10] >= '0' && p[10] <= '9' && p[11] == ' ')
		return DSBC_SIP_KIND_RESPONSE;
	while (n < len && n <= METHOD_MAX && token_char(p[n]))
		n++;
	/* Method SP Request-URI: a token, one space, then the URI */
	if (n == 0 || n > METHOD_MAX || n + 1 >= len || p[n] != ' ' ||
	    ws(p[n + 1]) || p[n + 1] == '\r' || p[n + 1] == '\n')
		return DSBC_SIP_KIND_GARBAGE;
	if (n == 8 && memcmp(p, "REGISTER", 8) == 0)
		return DSBC_SIP_KIND_REGISTER;
	nl = memchr(p, '\n', len);
	if (nl != NULL && to_tagged(nl + 1, e))
		return DSBC_SIP_KIND_IN_DIALOG;
	return DSBC_SIP_KIND_NEW;
}
