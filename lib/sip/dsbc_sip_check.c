/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dsbc_sip_check.h"
#include "dsbc_sip_hdr.h"
#include "dsbc_sip_lex.h"

/* Headers that may appear once only (RFC 3261 section 7.3.1). */
static const uint8_t single[] = {
	DSBC_SIP_H_FROM, DSBC_SIP_H_TO, DSBC_SIP_H_CALL_ID, DSBC_SIP_H_CSEQ,
	DSBC_SIP_H_MAX_FORWARDS, DSBC_SIP_H_CONTENT_LENGTH,
	DSBC_SIP_H_CONTENT_TYPE, DSBC_SIP_H_EXPIRES, DSBC_SIP_H_DATE,
};

static int
each_via(const struct dsbc_sip_msg *m)
{
	struct dsbc_sip_via v;
	unsigned int i;

	for (i = 0; i < m->nb_hdrs; i++) {
		const char *p, *end, *next;

		if (m->hdrs[i].id != DSBC_SIP_H_VIA)
			continue;
		p = m->hdrs[i].value.p;
		end = p + m->hdrs[i].value.len;
		do {
			if (dsbc_sip_via_parse(p, end, &v, &next) != 0)
				return -1;
			p = next;
		} while (p != NULL);
	}
	return 0;
}

static int
each_nameaddr(const struct dsbc_sip_msg *m, enum dsbc_sip_hdr_id id,
	      bool multi)
{
	struct dsbc_sip_nameaddr na;
	unsigned int i;

	for (i = 0; i < m->nb_hdrs; i++) {
		const char *p, *end, *next;

		if (m->hdrs[i].id != id)
			continue;
		p = m->hdrs[i].value.p;
		end = p + m->hdrs[i].value.len;
		do {
			if (dsbc_sip_nameaddr_parse(p, end, &na, multi,
						    &next) != 0)
				return -1;
			/* '*' only as the whole Contact of a REGISTER */
			if (na.star && (id != DSBC_SIP_H_CONTACT ||
					m->method_id != DSBC_SIP_M_REGISTER))
				return -1;
			p = next;
		} while (p != NULL);
	}
	return 0;
}

/* Checks common to requests and responses. */
static enum dsbc_sip_err
common(const struct dsbc_sip_msg *m, uint32_t *seq, struct dsbc_sip_str *cm)
{
	const struct dsbc_sip_hdr *h;
	unsigned int i;

	if (m->first[DSBC_SIP_H_VIA] < 0 || m->first[DSBC_SIP_H_FROM] < 0 ||
	    m->first[DSBC_SIP_H_TO] < 0 || m->first[DSBC_SIP_H_CALL_ID] < 0 ||
	    m->first[DSBC_SIP_H_CSEQ] < 0)
		return DSBC_SIP_ERR_MISSING_HDR;
	for (i = 0; i < sizeof(single); i++)
		if (m->count[single[i]] > 1)
			return DSBC_SIP_ERR_DUP_HDR;
	if (each_via(m) != 0)
		return DSBC_SIP_ERR_VIA;
	if (each_nameaddr(m, DSBC_SIP_H_FROM, false) != 0)
		return DSBC_SIP_ERR_FROM;
	if (each_nameaddr(m, DSBC_SIP_H_TO, false) != 0)
		return DSBC_SIP_ERR_TO;
	if (each_nameaddr(m, DSBC_SIP_H_CONTACT, true) != 0)
		return DSBC_SIP_ERR_CONTACT;
	if (each_nameaddr(m, DSBC_SIP_H_ROUTE, true) != 0 ||
	    each_nameaddr(m, DSBC_SIP_H_RECORD_ROUTE, true) != 0)
		return DSBC_SIP_ERR_ROUTE;
	h = dsbc_sip_hdr_get(m, DSBC_SIP_H_CALL_ID, 0);
	if (dsbc_sip_callid_check(h->value) != 0)
		return DSBC_SIP_ERR_CALL_ID;
	h = dsbc_sip_hdr_get(m, DSBC_SIP_H_CSEQ, 0);
	if (dsbc_sip_cseq_parse(h->value, seq, cm) != 0)
		return DSBC_SIP_ERR_CSEQ;
	return DSBC_SIP_ERR_NONE;
}

enum dsbc_sip_err
dsbc_sip_check_request(const struct dsbc_sip_msg *m)
{
	const struct dsbc_sip_hdr *h;
	struct dsbc_sip_str cm;
	struct dsbc_sip_uri u;
	enum dsbc_sip_err e;
	uint32_t seq, v;

	if (dsbc_sip_uri_parse(m->ruri.p, m->ruri.len, &u) != 0)
		return DSBC_SIP_ERR_RURI;
	/* No headers in a Request-URI (section 19.1.5, RFC 4475 3.1.2.11). */
	if (u.headers.len > 0)
		return DSBC_SIP_ERR_RURI;
	e = common(m, &seq, &cm);
	if (e != DSBC_SIP_ERR_NONE)
		return e;
	/* CSeq method equals the request method (section 8.1.1.5). */
	if (cm.len != m->method.len || memcmp(cm.p, m->method.p, cm.len) != 0)
		return DSBC_SIP_ERR_CSEQ_METHOD;
	h = dsbc_sip_hdr_get(m, DSBC_SIP_H_MAX_FORWARDS, 0);
	if (h != NULL && dsbc_sip_uint_parse(h->value, 255, &v) != 0)
		return DSBC_SIP_ERR_MAX_FORWARDS;
	h = dsbc_sip_hdr_get(m, DSBC_SIP_H_EXPIRES, 0);
	if (h != NULL && dsbc_sip_uint_parse(h->value, UINT32_MAX, &v) != 0)
		return DSBC_SIP_ERR_EXPIRES;
	h = dsbc_sip_hdr_get(m, DSBC_SIP_H_DATE, 0);
	if (h != NULL && dsbc_sip_date_check(h->value) != 0)
		return DSBC_SIP_ERR_DATE;
	/* Only now the scheme: a malformed request is a 400 first. */
	if (u.scheme != DSBC_SIP_SCHEME_SIP && u.scheme != DSBC_SIP_SCHEME_SIPS &&
	    u.scheme != DSBC_SIP_SCHEME_TEL)
		return DSBC_SIP_ERR_RURI_SCHEME;
	return DSBC_SIP_ERR_NONE;
}

enum dsbc_sip_err
dsbc_sip_check_response(const struct dsbc_sip_msg *m)
{
	struct dsbc_sip_str cm;
	uint32_t seq;

	return common(m, &seq, &cm) == DSBC_SIP_ERR_NONE ?
	       DSBC_SIP_ERR_NONE : DSBC_SIP_ERR_RESPONSE;
}

static bool
in_list(const char *list, const char *tag, uint32_t len)
{
	const char *p = list;

	while (*p != '\0') {
		const char *e = strchr(p, ',');
		uint32_t n = (uint32_t)(e ? e - p : (long)strlen(p));

		if (n == len && strncasecmp(p, tag, len) == 0)
			return true;
		if (e == NULL)
			break;
		p = e + 1;
	}
	return false;
}

unsigned int
dsbc_sip_unsupported(const struct dsbc_sip_msg *m, const char *supported,
		     char *out, size_t outlen)
{
	unsigned int i, n = 0;
	size_t used = 0;

	if (outlen > 0)
		out[0] = '\0';
	for (i = 0; i < m->nb_hdrs; i++) {
		const char *p, *end;

		if (m->hdrs[i].id != DSBC_SIP_H_REQUIRE &&
		    m->hdrs[i].id != DSBC_SIP_H_PROXY_REQUIRE)
			continue;
		p = m->hdrs[i].value.p;
		end = p + m->hdrs[i].value.len;
		while (p < end) {
			const char *t = sip_lws(p, end), *te = sip_token(t, end);

			if (te == t)
				break;
			if (!in_list(supported, t, (uint32_t)(te - t))) {
				int w = snprintf(out + used, outlen - used,
						 "%s%.*s", n ? ", " : "",
						 (int)(te - t), t);

				if (w > 0 && (size_t)w < outlen - used)
					used += (size_t)w;
				n++;
			}
			p = sip_lws(te, end);
			if (p < end && *p == ',')
				p++;
			else
				break;
		}
	}
	return n;
}
