/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SIP_LEX_H
#define DSBC_SIP_LEX_H

#include <stdbool.h>
#include <stdint.h>

/**
 * @file
 * Lexical pieces of RFC 3261 section 25.1 over [p, end).  Header values
 * are views into the datagram and may still contain folded lines
 * (CRLF followed by SP/HTAB), which count as linear white space.
 */

/**
 * alphanum (ASCII letters and digits).
 *
 * @param c  a character, as an unsigned char value
 * @return whether c is one
 */
static inline bool
sip_is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/**
 * A character of a token:
 * token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`"
 *            / "'" / "~")
 *
 * @param c  a character, as an unsigned char value
 * @return whether c may be part of a token
 */
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

/**
 * Skip LWS (SP, HTAB, and line folds).
 *
 * @param p  where to start
 * @param end  end of the text
 * @return the first position at or after p that is not LWS (end at most)
 */
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

/**
 * Skip a token (possibly empty).
 *
 * @param p  where to start
 * @param end  end of the text
 * @return the first position at or after p that is not a token
 *   character: p itself when there is no token
 */
static inline const char *
sip_token(const char *p, const char *end)
{
	while (p < end && sip_is_token((unsigned char)*p))
		p++;
	return p;
}

/**
 * Skip a quoted-string = DQUOTE *(qdtext / quoted-pair) DQUOTE.  CR and
 * LF are accepted only as part of a line fold.
 *
 * @param p  the opening quote
 * @param end  end of the text
 * @return the position after the closing quote, NULL if unclosed (or a
 *   quoted-pair escapes CR, LF or nothing, or a CR or LF is no fold)
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

/**
 * HEXDIG, either case.
 *
 * @param c  a character, as an unsigned char value
 * @return whether c is a hexadecimal digit
 */
static inline bool
sip_is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/**
 * Skip a host = hostname / IPv4address / IPv6reference (section 25.1,
 * RFC 5118).  The check is loose: a hostname or IPv4address is a run of
 * alphanum, '-' and '.'; an IPv6reference is hex digits, ':' and '.'
 * between brackets.
 *
 * @param p  where the host starts
 * @param end  end of the text
 * @return the end of the host at p, NULL when there is none
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

/**
 * Compare, ignoring ASCII case, a counted string with a NUL-terminated
 * one.
 *
 * @param a  the counted string
 * @param alen  its length
 * @param b  the NUL-terminated string
 * @return whether a and b are the same string but for case
 */
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
