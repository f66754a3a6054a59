/* SPDX-License-Identifier: BSD-3-Clause */
/* The Identity header (RFC 8224 section 4), numbers (section 8.3). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dsbc_identity.h"

static bool
b64url_or_dot(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

static const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' ||
			   *p == '\n'))
		p++;
	return p;
}

int
dsbc_identity_parse(const char *v, size_t len, struct dsbc_identity *id)
{
	const char *p = v, *end = v + len, *s;

	memset(id, 0, sizeof(*id));
	p = skip_ws(p, end);
	s = p;
	while (p < end && b64url_or_dot(*p))
		p++;
	if (p == s)
		return -1;
	id->jws.p = s;
	id->jws.len = (uint32_t)(p - s);
	for (;;) {
		const char *n, *ne, *val, *ve;

		p = skip_ws(p, end);
		if (p == end)
			break;
		if (*p != ';')
			return -1;
		p = skip_ws(p + 1, end);
		n = p;
		while (p < end && *p != '=' && *p != ';' && *p != ' ')
			p++;
		ne = p;
		p = skip_ws(p, end);
		if (p == end || *p != '=') {
			if (ne == n)
				return -1;
			continue;               /* a flag: an extension */
		}
		p = skip_ws(p + 1, end);
		if (p < end && *p == '<') {
			val = ++p;
			while (p < end && *p != '>')
				p++;
			if (p == end)
				return -1;
			ve = p++;
		} else if (p < end && *p == '"') {
			val = ++p;
			while (p < end && *p != '"')
				p++;
			if (p == end)
				return -1;
			ve = p++;
		} else {
			val = p;
			while (p < end && *p != ';' && *p != ' ')
				p++;
			ve = p;
		}
		if ((size_t)(ne - n) == 4 && strncasecmp(n, "info", 4) == 0) {
			id->info.p = val;
			id->info.len = (uint32_t)(ve - val);
		} else if ((size_t)(ne - n) == 3 &&
			   strncasecmp(n, "alg", 3) == 0) {
			id->alg.p = val;
			id->alg.len = (uint32_t)(ve - val);
		} else if ((size_t)(ne - n) == 3 &&
			   strncasecmp(n, "ppt", 3) == 0) {
			id->ppt.p = val;
			id->ppt.len = (uint32_t)(ve - val);
		}
	}
	if (id->info.len == 0)
		return -1;
	if (id->alg.len == 0) {
		id->alg.p = "ES256";
		id->alg.len = 5;
	}
	return 0;
}

int
dsbc_identity_build(const char *jws, const char *x5u, const char *ppt,
		    char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s;info=<%s>;alg=ES256%s%s", jws, x5u,
			 ppt[0] != '\0' ? ";ppt=" : "", ppt);

	return n < 0 || (size_t)n >= cap ? -1 : n;
}

int
dsbc_tn_canon(const char *in, size_t len, char out[16])
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		char c = in[i];

		if (c == '+' && o == 0)
			continue;
		if (c == '-' || c == '.' || c == '(' || c == ')' || c == ' ')
			continue;
		if (!((c >= '0' && c <= '9') || c == '*' || c == '#') ||
		    o >= 15)
			return -1;
		out[o++] = c;
	}
	out[o] = '\0';
	return o > 0 ? 0 : -1;
}
