/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <string.h>

#include "dsbc_sip_hdr.h"
#include "dsbc_sip_lex.h"

/* gen-value = token / host / quoted-string; v6: a bare IPv6address too */
static const char *
gen_value(const char *p, const char *end, bool v6)
{
	const char *s = p;

	if (p < end && *p == '"')
		return sip_quoted(p, end);
	if (p < end && *p == '[') {
		while (p < end && *p != ']')
			p++;
		return p < end ? p + 1 : NULL;
	}
	/* an IPv6address without brackets: what via-received allows (RFC
	 * 3261 section 25.1, RFC 5118 section 4.5), as Linux UAs such as
	 * baresip send it; it has two colons at least */
	if (v6) {
		const char *h = p;
		int colons = 0;

		while (h < end && (isxdigit((unsigned char)*h) || *h == ':' ||
				   *h == '.'))
			colons += *h++ == ':';
		if (colons >= 2)
			return h;
	}
	p = sip_token(p, end);
	return p == s ? NULL : p;
}

/*
 * *( SEMI generic-param ), p at the first possible SEMI.  Records the
 * values of the parameter named want (if not NULL).  Returns the end of
 * the parameters or NULL on a syntax error.
 */
static const char *
params(const char *p, const char *end, const char *want,
       struct dsbc_sip_str *val, const char *want2, struct dsbc_sip_str *val2,
       bool *has2)
{
	for (;;) {
		const char *q = sip_lws(p, end), *n, *ne, *v = NULL, *ve = NULL;

		if (q == end || *q != ';')
			return p;
		n = sip_lws(q + 1, end);
		ne = sip_token(n, end);
		if (ne == n)
			return NULL;            /* ";;" or ";" with no name */
		p = ne;
		q = sip_lws(p, end);
		if (q < end && *q == '=') {
			v = sip_lws(q + 1, end);
			ve = gen_value(v, end, sip_ieq(n, (uint32_t)(ne - n),
						       "received"));
			if (ve == NULL)
				return NULL;
			p = ve;
		}
		if (want != NULL && sip_ieq(n, (uint32_t)(ne - n), want)) {
			val->p = v ? v : ne;
			val->len = v ? (uint32_t)(ve - v) : 0;
		}
		if (want2 != NULL && sip_ieq(n, (uint32_t)(ne - n), want2)) {
			*has2 = true;
			val2->p = v ? v : ne;
			val2->len = v ? (uint32_t)(ve - v) : 0;
		}
	}
}

/* After a value: end of header, or COMMA and the next value. */
static int
value_end(const char *p, const char *end, bool multi, const char **next)
{
	p = sip_lws(p, end);
	if (p == end) {
		*next = NULL;
		return 0;
	}
	if (!multi || *p != ',')
		return -1;
	p = sip_lws(p + 1, end);
	if (p == end)
		return -1;
	*next = p;
	return 0;
}

static int
port_parse(const char *p, const char *end, uint16_t *port, const char **out)
{
	uint32_t v = 0;
	const char *s = p;

	while (p < end && *p >= '0' && *p <= '9' && v <= 65535)
		v = v * 10 + (uint32_t)(*p++ - '0');
	if (p == s || v > 65535)
		return -1;
	*port = (uint16_t)v;
	*out = p;
	return 0;
}

/* sent-protocol LWS sent-by *( SEMI via-params ), section 20.42. */
int
dsbc_sip_via_parse(const char *p, const char *end, struct dsbc_sip_via *v,
		   const char **next)
{
	struct dsbc_sip_str rport = {0};
	const char *q, *h;

	memset(v, 0, sizeof(*v));
	/* "SIP" SLASH "2.0" SLASH transport, SLASH = SWS "/" SWS */
	q = sip_token(p, end);
	if (!sip_ieq(p, (uint32_t)(q - p), "SIP"))
		return -1;
	p = sip_lws(q, end);
	if (p == end || *p != '/')
		return -1;
	p = sip_lws(p + 1, end);
	q = sip_token(p, end);
	if (q - p != 3 || memcmp(p, "2.0", 3) != 0)
		return -1;
	p = sip_lws(q, end);
	if (p == end || *p != '/')
		return -1;
	p = sip_lws(p + 1, end);
	q = sip_token(p, end);
	if (q == p)
		return -1;
	v->transport.p = p;
	v->transport.len = (uint32_t)(q - p);
	/* LWS sent-by: host [ COLON port ] */
	p = sip_lws(q, end);
	if (p == q)
		return -1;
	h = p;
	p = sip_host(p, end);
	if (p == NULL)
		return -1;
	v->host.p = h;
	v->host.len = (uint32_t)(p - h);
	q = sip_lws(p, end);
	if (q < end && *q == ':') {
		if (port_parse(sip_lws(q + 1, end), end, &v->port, &p) != 0 ||
		    v->port == 0)
			return -1;
	}
	v->params.p = p;
	q = params(p, end, "branch", &v->branch, "rport", &rport,
		   &v->has_rport);
	if (q == NULL)
		return -1;
	v->params.len = (uint32_t)(q - p);
	{
		/* received is looked up again: params() records two names */
		const char *r = params(p, end, "received", &v->received, NULL,
				       NULL, NULL);

		if (r == NULL)
			return -1;
	}
	if (v->has_rport && rport.len > 0) {
		const char *e;

		if (port_parse(rport.p, rport.p + rport.len, &v->rport, &e) != 0 ||
		    e != rport.p + rport.len)
			return -1;
	}
	return value_end(q, end, true, next);
}

int
dsbc_sip_via_param(const struct dsbc_sip_via *v, const char *name,
		   struct dsbc_sip_str *value)
{
	struct dsbc_sip_str val = { NULL, 0 };

	if (v->params.p == NULL || v->params.len == 0)
		return 0;
	if (params(v->params.p, v->params.p + v->params.len, name, &val, NULL,
		   NULL, NULL) == NULL || val.p == NULL)
		return 0;
	*value = val;
	return 1;
}

/*
 * ( name-addr / addr-spec ) *( SEMI param ), RFC 3261 section 20.10,
 * 20.20, 20.39.  An addr-spec without brackets cannot contain ',', ';'
 * or '?' (those belong to the header), and no LWS is allowed inside the
 * brackets (section 25.1: LAQUOT = SWS "<", RAQUOT = ">" SWS).
 */
int
dsbc_sip_nameaddr_parse(const char *p, const char *end,
			struct dsbc_sip_nameaddr *na, bool multi,
			const char **next)
{
	const char *q, *u, *ue;

	memset(na, 0, sizeof(*na));
	p = sip_lws(p, end);
	if (p < end && *p == '*') {
		na->star = true;
		return value_end(p + 1, end, false, next);
	}
	q = p;
	if (q < end && *q == '"') {
		q = sip_quoted(q, end);
		if (q == NULL)
			return -1;
		na->display.p = p;
		na->display.len = (uint32_t)(q - p);
		q = sip_lws(q, end);
		if (q == end || *q != '<')
			return -1;
	} else {
		/* *(token LWS) "<", or an addr-spec */
		const char *t = q, *last = q;

		while (t < end) {
			const char *te = sip_token(t, end);

			if (te == t)
				break;
			last = te;
			t = sip_lws(te, end);
		}
		if (t < end && *t == '<') {
			na->display.p = p;
			na->display.len = (uint32_t)(last - p);
			q = t;
		} else {
			q = p;  /* addr-spec: no display name */
		}
	}
	if (q < end && *q == '<') {
		u = q + 1;
		ue = memchr(u, '>', (size_t)(end - u));
		if (ue == NULL || ue == u)
			return -1;
		na->bracketed = true;
		q = ue + 1;
	} else {
		u = q;
		for (ue = u; ue < end && *ue != ';' && *ue != ',' && *ue != ' ' &&
		     *ue != '\t' && *ue != '\r' && *ue != '\n'; ue++)
			if (*ue == '?' || *ue == '<' || *ue == '>' || *ue == '"')
				return -1;
		q = ue;
	}
	na->uri_str.p = u;
	na->uri_str.len = (uint32_t)(ue - u);
	if (dsbc_sip_uri_parse(u, na->uri_str.len, &na->uri) != 0)
		return -1;
	if (!na->bracketed && (na->uri.params.len > 0 ||
			       na->uri.headers.len > 0))
		return -1;
	na->params.p = q;
	p = params(q, end, "tag", &na->tag, NULL, NULL, NULL);
	if (p == NULL)
		return -1;
	na->params.len = (uint32_t)(p - q);
	return value_end(p, end, multi, next);
}

int
dsbc_sip_uint_parse(struct dsbc_sip_str v, uint32_t max, uint32_t *out)
{
	uint64_t x = 0;
	uint32_t i;

	if (v.len == 0)
		return -1;
	for (i = 0; i < v.len; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(v.p[i] - '0');
		if (x > max)
			return -1;
	}
	*out = (uint32_t)x;
	return 0;
}

int
dsbc_sip_cseq_parse(struct dsbc_sip_str v, uint32_t *seq,
		    struct dsbc_sip_str *method)
{
	const char *p = v.p, *end = v.p + v.len, *d = p, *m;
	struct dsbc_sip_str num;

	while (d < end && *d >= '0' && *d <= '9')
		d++;
	num.p = p;
	num.len = (uint32_t)(d - p);
	if (dsbc_sip_uint_parse(num, 0x7fffffffu, seq) != 0)
		return -1;
	m = sip_lws(d, end);
	if (m == d)
		return -1;
	d = sip_token(m, end);
	if (d == m || d != end)
		return -1;
	method->p = m;
	method->len = (uint32_t)(d - m);
	return 0;
}

/* Sun, 06 Nov 1994 08:49:37 GMT */
int
dsbc_sip_date_check(struct dsbc_sip_str v)
{
	static const char *const days[] = {"Mon", "Tue", "Wed", "Thu", "Fri",
					   "Sat", "Sun"};
	static const char *const mons[] = {"Jan", "Feb", "Mar", "Apr", "May",
					   "Jun", "Jul", "Aug", "Sep", "Oct",
					   "Nov", "Dec"};
	static const char shape[] = "Ddd, 00 Mmm 0000 00:00:00 GMT";
	const char *p = v.p;
	unsigned int i, ok = 0;

	if (v.len != sizeof(shape) - 1)
		return -1;
	for (i = 0; i < v.len; i++) {
		if (shape[i] == '0') {
			if (p[i] < '0' || p[i] > '9')
				return -1;
		} else if (shape[i] != 'D' && shape[i] != 'd' &&
			   shape[i] != 'M' && shape[i] != 'm' &&
			   p[i] != shape[i]) {
			return -1;
		}
	}
	for (i = 0; i < 7; i++)
		ok += memcmp(p, days[i], 3) == 0;
	for (i = 0; i < 12; i++)
		ok += memcmp(p + 8, mons[i], 3) == 0;
	return ok == 2 ? 0 : -1;
}

int
dsbc_sip_callid_check(struct dsbc_sip_str v)
{
	uint32_t i, at = 0;

	if (v.len == 0)
		return -1;
	for (i = 0; i < v.len; i++) {
		unsigned char c = (unsigned char)v.p[i];

		if (c <= ' ' || c >= 0x7f || c == ',' || c == ';')
			return -1;
		at += c == '@';
	}
	return at <= 1 && v.p[0] != '@' && v.p[v.len - 1] != '@' ? 0 : -1;
}
