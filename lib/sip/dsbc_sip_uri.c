/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "dsbc_sip_lex.h"
#include "dsbc_sip_uri.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* unreserved / escaped / user-unreserved (section 25.1), for user parts. */
static bool
user_char(int c)
{
	if (sip_is_alnum(c))
		return true;
	return c != '\0' && strchr("-_.!~*'()&=+$,;?/%", c) != NULL;
}

/* password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," ) */
static bool
pass_char(int c)
{
	return sip_is_alnum(c) || (c != '\0' && strchr("-_.!~*'()&=+$,%", c));
}

/* param and header characters, escapes included */
static bool
param_char(int c)
{
	return sip_is_alnum(c) ||
	       (c != '\0' && strchr("-_.!~*'()%[]/:&+$=;?@,", c) != NULL);
}

/* Escapes must be %HH. */
static bool
escapes_ok(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p == '%' && (end - p < 3 || hexval(p[1]) < 0 ||
				  hexval(p[2]) < 0))
			return false;
	return true;
}

static int
host_parse(const char *p, const char *end, struct dsbc_sip_uri *u)
{
	const char *h = p;
	uint32_t port = 0;

	p = sip_host(p, end);
	if (p == NULL)
		return -1;
	u->host.p = h;
	u->host.len = (uint32_t)(p - h);
	if (p < end && *p == ':') {
		const char *d = ++p;

		while (p < end && *p >= '0' && *p <= '9' && port <= 65535)
			port = port * 10 + (uint32_t)(*p++ - '0');
		if (p == d || port > 65535 || port == 0)
			return -1;
		u->port = (uint16_t)port;
	}
	if (p != end)
		return -1;
	return 0;
}

int
dsbc_sip_uri_parse(const char *p, uint32_t len, struct dsbc_sip_uri *u)
{
	const char *end, *s = p, *at, *hp, *he, *q;

	memset(u, 0, sizeof(*u));
	/* an empty view may have no pointer (no arithmetic on NULL) */
	if (p == NULL || len == 0)
		return -1;
	end = p + len;
	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
	if (p == end || !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return -1;
	while (s < end && (sip_is_alnum(*s) || *s == '+' || *s == '-' ||
			   *s == '.'))
		s++;
	if (s == end || *s != ':')
		return -1;
	if (sip_ieq(p, (uint32_t)(s - p), "sip"))
		u->scheme = DSBC_SIP_SCHEME_SIP;
	else if (sip_ieq(p, (uint32_t)(s - p), "sips"))
		u->scheme = DSBC_SIP_SCHEME_SIPS;
	else if (sip_ieq(p, (uint32_t)(s - p), "tel"))
		u->scheme = DSBC_SIP_SCHEME_TEL;
	s++;
	if (u->scheme == DSBC_SIP_SCHEME_OTHER ||
	    u->scheme == DSBC_SIP_SCHEME_TEL) {
		/* absoluteURI: no white space or angle brackets, escapes ok */
		if (s == end)
			return -1;
		for (q = s; q < end; q++)
			if (*q <= ' ' || *q == '<' || *q == '>' || *q == '"' ||
			    *q == 0x7f)
				return -1;
		u->user.p = s;
		u->user.len = (uint32_t)(end - s);
		return escapes_ok(s, end) ? 0 : -1;
	}
	/* userinfo: up to the first '@' (the user part may hold ';' and '?') */
	at = memchr(s, '@', (size_t)(end - s));
	hp = s;
	if (at != NULL) {
		const char *colon = memchr(s, ':', (size_t)(at - s));
		const char *ue = colon != NULL ? colon : at;

		for (q = s; q < ue; q++)
			if (!user_char((unsigned char)*q))
				return -1;
		if (ue == s)
			return -1;
		u->user.p = s;
		u->user.len = (uint32_t)(ue - s);
		if (colon != NULL) {
			for (q = colon + 1; q < at; q++)
				if (!pass_char((unsigned char)*q))
					return -1;
			u->password.p = colon + 1;
			u->password.len = (uint32_t)(at - colon - 1);
		}
		if (!escapes_ok(s, at))
			return -1;
		hp = at + 1;
	}
	/* hostport, then ;params, then ?headers */
	for (he = hp; he < end && *he != ';' && *he != '?'; he++)
		if (*he == '[')
			while (he < end && *he != ']')
				he++;
	if (he > end || host_parse(hp, he, u) != 0)
		return -1;
	q = he;
	if (q < end && *q == ';') {
		const char *ps = ++q;

		while (q < end && *q != '?')
			q++;
		u->params.p = ps;
		u->params.len = (uint32_t)(q - ps);
	}
	if (q < end && *q == '?') {
		u->headers.p = q + 1;
		u->headers.len = (uint32_t)(end - q - 1);
		q = end;
	}
	for (s = he; s < end; s++)
		if (!param_char((unsigned char)*s))
			return -1;
	return escapes_ok(he, end) ? 0 : -1;
}

static int
next_unescaped(const char **p, const char *end)
{
	int c = (unsigned char)**p;

	if (c == '%' && end - *p >= 3) {
		c = hexval((*p)[1]) * 16 + hexval((*p)[2]);
		*p += 3;
		return c;
	}
	(*p)++;
	return c;
}

bool
dsbc_sip_user_eq(struct dsbc_sip_str a, struct dsbc_sip_str b)
{
	const char *pa, *ea, *pb, *eb;

	/* an empty view may have no pointer: no arithmetic on it */
	if (a.len == 0 || b.len == 0)
		return a.len == b.len;
	pa = a.p;
	ea = a.p + a.len;
	pb = b.p;
	eb = b.p + b.len;
	while (pa < ea && pb < eb)
		if (next_unescaped(&pa, ea) != next_unescaped(&pb, eb))
			return false;
	return pa == ea && pb == eb;
}

int
dsbc_sip_uri_param(const struct dsbc_sip_uri *u, const char *name,
		   struct dsbc_sip_str *value)
{
	const char *p = u->params.p, *end;
	size_t nl = strlen(name);

	/* no parameters: the view may have no pointer to add to */
	if (p == NULL || u->params.len == 0)
		return 0;
	end = p + u->params.len;
	while (p < end) {
		const char *e = memchr(p, ';', (size_t)(end - p));
		const char *eq;

		if (e == NULL)
			e = end;
		eq = memchr(p, '=', (size_t)(e - p));
		if (sip_ieq(p, (uint32_t)((eq ? eq : e) - p), name) &&
		    (size_t)((eq ? eq : e) - p) == nl) {
			value->p = eq ? eq + 1 : e;
			value->len = eq ? (uint32_t)(e - eq - 1) : 0;
			return 1;
		}
		p = e + 1;
	}
	return 0;
}
