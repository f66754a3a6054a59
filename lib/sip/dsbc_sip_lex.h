/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SIP_LEX_H
#define DSBC_SIP_LEX_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Lexical pieces of RFC 3261 section 25.1 over [p, end).  Header values
 * are views into the datagram and may still contain folded lines
 * (CRLF followed by SP/HTAB), which count as linear white space.
 */

static inline bool
sip_is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
static inline bool
sip_is_token(int c)
{
	if (sip_is_alnum(c))
		return true;
	switch (c) {
	case '-': case '.': case '!': case '%': case '*': case '_':
	case '+': case '`': case '\'': case '~':
		return true;
	default:
		return false;
	}
}

/* Skip LWS (SP, HTAB, and line folds). */
static inline const char *
sip_lws(const char *p, const char *end)
{
	for (;;) {
		if (p < end && (*p == ' ' || *p == '\t')) {
			p++;
		} else if (end - p >= 3 && p[0] == '\r' && p[1] == '\n' &&
			   (p[2] == ' ' || p[2] == '\t')) {
			p += 3;
		} else if (end - p >= 2 && p[0] == '\n' &&
			   (p[1] == ' ' || p[1] == '\t')) {
			p += 2;
		} else {
			return p;
		}
	}
}

static inline const char *
sip_token(const char *p, const char *end)
{
	while (p < end && sip_is_token((unsigned char)*p))
		p++;
	return p;
}

/*
 * quoted-string = DQUOTE *(qdtext / quoted-pair) DQUOTE, p at the opening
 * quote.  Returns the position after the closing quote, NULL if unclosed.
 */
static inline const char *
sip_quoted(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '"')
			return p + 1;
		if (*p == '\\') {
			/* quoted-pair: any octet but CR and LF */
			if (p + 1 >= end || p[1] == '\r' || p[1] == '\n')
				return NULL;
			p++;
		} else if (*p == '\r' || *p == '\n') {
			/* only as part of a fold */
			if (sip_lws(p, end) == p)
				return NULL;
		}
	}
	return NULL;
}

static inline bool
sip_is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/*
 * host = hostname / IPv4address / IPv6reference (section 25.1, RFC 5118):
 * the end of the host at p, NULL when there is none.
 */
static inline const char *
sip_host(const char *p, const char *end)
{
	const char *h = p;

	if (p < end && *p == '[') {
		for (p++; p < end && *p != ']'; p++)
			if (!sip_is_hex((unsigned char)*p) && *p != ':' &&
			    *p != '.')
				return NULL;
		if (p == end || p - h < 3)
			return NULL;
		return p + 1;
	}
	while (p < end && (sip_is_alnum((unsigned char)*p) || *p == '-' ||
			   *p == '.'))
		p++;
	return p == h ? NULL : p;
}

static inline bool
sip_ieq(const char *a, uint32_t alen, const char *b)
{
	uint32_t i;

	for (i = 0; i < alen; i++) {
		char x = a[i], y = b[i];

		if (y == '\0')
			return false;
		if (x >= 'A' && x <= 'Z')
			x = (char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (char)(y + 32);
		if (x != y)
			return false;
	}
	return b[alen] == '\0';
}

#endif /* DSBC_SIP_LEX_H */
