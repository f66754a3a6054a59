/* SPDX-License-Identifier: BSD-3-Clause */
#include <stddef.h>
#include <string.h>

#include "dsbc_sip_lex.h"
#include "dsbc_sip_msg.h"

static const struct {
	const char *name;
	char compact;
} hdr_names[DSBC_SIP_H_MAX] = {
	[DSBC_SIP_H_OTHER] = {"", 0},
#define DSBC_SIP_H_NAME(e, name, compact) [DSBC_SIP_H_##e] = {name, compact},
	DSBC_SIP_HEADERS(DSBC_SIP_H_NAME)
#undef DSBC_SIP_H_NAME
};

static const char *const method_names[DSBC_SIP_M_MAX] = {
	[DSBC_SIP_M_OTHER] = "",
#define DSBC_SIP_M_NAME(m) [DSBC_SIP_M_##m] = #m,
	DSBC_SIP_METHODS(DSBC_SIP_M_NAME)
#undef DSBC_SIP_M_NAME
};

static const struct {
	const char *name;
	int status;
	const char *reason;
} err_info[DSBC_SIP_ERR_MAX] = {
#define DSBC_SIP_ERR_INFO(e, name, status, reason) \
	[DSBC_SIP_ERR_##e] = {name, status, reason},
	DSBC_SIP_ERRORS(DSBC_SIP_ERR_INFO)
#undef DSBC_SIP_ERR_INFO
};

const char *
dsbc_sip_err_name(enum dsbc_sip_err e)
{
	return (unsigned int)e < DSBC_SIP_ERR_MAX ? err_info[e].name : "?";
}

int
dsbc_sip_err_status(enum dsbc_sip_err e)
{
	return (unsigned int)e < DSBC_SIP_ERR_MAX ? err_info[e].status : 0;
}

const char *
dsbc_sip_err_reason(enum dsbc_sip_err e)
{
	return (unsigned int)e < DSBC_SIP_ERR_MAX ? err_info[e].reason : "";
}

enum dsbc_sip_hdr_id
dsbc_sip_hdr_lookup(const char *name, uint32_t len)
{
	unsigned int i;
	char c;

	if (len == 1) {
		c = name[0];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		for (i = 1; i < DSBC_SIP_H_MAX; i++)
			if (hdr_names[i].compact == c)
				return (enum dsbc_sip_hdr_id)i;
		return DSBC_SIP_H_OTHER;
	}
	for (i = 1; i < DSBC_SIP_H_MAX; i++)
		if (sip_ieq(name, len, hdr_names[i].name))
			return (enum dsbc_sip_hdr_id)i;
	return DSBC_SIP_H_OTHER;
}

const char *
dsbc_sip_hdr_name(enum dsbc_sip_hdr_id id)
{
	return (unsigned int)id < DSBC_SIP_H_MAX ? hdr_names[id].name : "";
}

/* Methods are case-sensitive (RFC 3261 section 7.1). */
enum dsbc_sip_method
dsbc_sip_method_lookup(const char *name, uint32_t len)
{
	unsigned int i;

	for (i = 1; i < DSBC_SIP_M_MAX; i++)
		if (strlen(method_names[i]) == len &&
		    memcmp(method_names[i], name, len) == 0)
			return (enum dsbc_sip_method)i;
	return DSBC_SIP_M_OTHER;
}

const char *
dsbc_sip_method_name(enum dsbc_sip_method m)
{
	return (unsigned int)m < DSBC_SIP_M_MAX ? method_names[m] : "";
}

const struct dsbc_sip_hdr *
dsbc_sip_hdr_get(const struct dsbc_sip_msg *m, enum dsbc_sip_hdr_id id,
		 unsigned int i)
{
	unsigned int k;

	if (m->first[id] < 0)
		return NULL;
	for (k = (unsigned int)m->first[id]; k < m->nb_hdrs; k++)
		if (m->hdrs[k].id == id && i-- == 0)
			return &m->hdrs[k];
	return NULL;
}

/* End of the line starting at p (at its CR or LF), or NULL. */
static const char *
line_end(const char *p, const char *end)
{
	const char *q = memchr(p, '\n', (size_t)(end - p));

	if (q == NULL)
		return NULL;
	return (q > p && q[-1] == '\r') ? q - 1 : q;
}

static const char *
next_line(const char *eol)
{
	return eol + (*eol == '\r' ? 2 : 1);
}

/* RFC 3261 section 7.1: Method SP Request-URI SP SIP-Version, single SPs. */
static enum dsbc_sip_err
request_line(const char *p, const char *eol, struct dsbc_sip_msg *m)
{
	const char *t = sip_token(p, eol), *u;

	if (t == p || t == eol || *t != ' ')
		return DSBC_SIP_ERR_START_LINE;
	m->method.p = p;
	m->method.len = (uint32_t)(t - p);
	m->method_id = (uint8_t)dsbc_sip_method_lookup(p, m->method.len);
	u = t + 1;
	p = memchr(u, ' ', (size_t)(eol - u));
	if (p == NULL || p == u)
		return DSBC_SIP_ERR_START_LINE;
	m->ruri.p = u;
	m->ruri.len = (uint32_t)(p - u);
	p++;
	/* The rest must be exactly a SIP-Version: no SP, no trailing SP. */
	if (memchr(p, ' ', (size_t)(eol - p)) != NULL || eol - p < 5 ||
	    !sip_ieq(p, 4, "SIP/"))
		return DSBC_SIP_ERR_START_LINE;
	if (eol - p != 7 || memcmp(p + 4, "2.0", 3) != 0)
		return DSBC_SIP_ERR_VERSION;
	return DSBC_SIP_ERR_NONE;
}

/* SIP-Version SP Status-Code SP Reason-Phrase (section 7.2). */
static enum dsbc_sip_err
status_line(const char *p, const char *eol, struct dsbc_sip_msg *m)
{
	if (eol - p < 12 || memcmp(p, "SIP/2.0 ", 8) != 0)
		return DSBC_SIP_ERR_STATUS_LINE;
	p += 8;
	if (p[0] < '1' || p[0] > '6' || p[1] < '0' || p[1] > '9' ||
	    p[2] < '0' || p[2] > '9' || p[3] != ' ')
		return DSBC_SIP_ERR_STATUS_LINE;
	m->status = (uint16_t)((p[0] - '0') * 100 + (p[1] - '0') * 10 +
			       (p[2] - '0'));
	m->reason.p = p + 4;
	m->reason.len = (uint32_t)(eol - p - 4);
	return DSBC_SIP_ERR_NONE;
}

static enum dsbc_sip_err
content_length(const struct dsbc_sip_msg *m, uint32_t *cl)
{
	const struct dsbc_sip_hdr *h;
	const char *p, *end;
	uint64_t v = 0;

	if (m->count[DSBC_SIP_H_CONTENT_LENGTH] > 1)
		return DSBC_SIP_ERR_CONTENT_LENGTH;
	h = dsbc_sip_hdr_get(m, DSBC_SIP_H_CONTENT_LENGTH, 0);
	p = h->value.p;
	end = p + h->value.len;
	if (p == end)
		return DSBC_SIP_ERR_CONTENT_LENGTH;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return DSBC_SIP_ERR_CONTENT_LENGTH;
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > DSBC_SIP_MAX_MSG)
			return DSBC_SIP_ERR_BODY_SHORT;
	}
	*cl = (uint32_t)v;
	return DSBC_SIP_ERR_NONE;
}

enum dsbc_sip_err
dsbc_sip_parse(const char *buf, uint32_t len, struct dsbc_sip_msg *m)
{
	const char *end = buf + len, *p = buf, *eol, *colon, *v, *ve;
	enum dsbc_sip_err e;
	uint32_t cl;
	unsigned int i;

	memset(m, 0, offsetof(struct dsbc_sip_msg, hdrs));
	for (i = 0; i < DSBC_SIP_H_MAX; i++)
		m->first[i] = -1;
	m->buf = buf;
	m->len = len;
	if (len > DSBC_SIP_MAX_MSG)
		return DSBC_SIP_ERR_TOO_BIG;
	/* RFC 3261 section 7.5: ignore CRLFs before the start line. */
	while (end - p >= 2 && p[0] == '\r' && p[1] == '\n')
		p += 2;
	eol = line_end(p, end);
	if (eol == NULL)
		return DSBC_SIP_ERR_NO_END;
	m->request = !(eol - p >= 4 && memcmp(p, "SIP/", 4) == 0);
	e = m->request ? request_line(p, eol, m) : status_line(p, eol, m);
	if (e != DSBC_SIP_ERR_NONE)
		return e;
	/* Header lines, unfolding continuation lines into the value. */
	for (p = next_line(eol);;) {
		eol = line_end(p, end);
		if (eol == NULL)
			return DSBC_SIP_ERR_NO_END;
		if (eol == p)
			break;                   /* empty line: end of headers */
		if (*p == ' ' || *p == '\t')
			return DSBC_SIP_ERR_HDR_LINE; /* fold with no header */
		/* extend over folded continuation lines */
		while (next_line(eol) < end &&
		       (*next_line(eol) == ' ' || *next_line(eol) == '\t')) {
			const char *n = line_end(next_line(eol), end);

			if (n == NULL)
				return DSBC_SIP_ERR_NO_END;
			eol = n;
		}
		/* header-name HCOLON: token *(SP / HTAB) ":" */
		colon = sip_token(p, eol);
		if (colon == p)
			return DSBC_SIP_ERR_HDR_LINE;
		v = colon;
		while (v < eol && (*v == ' ' || *v == '\t'))
			v++;
		if (v == eol || *v != ':')
			return DSBC_SIP_ERR_HDR_LINE;
		if (m->nb_hdrs == DSBC_SIP_MAX_HDRS)
			return DSBC_SIP_ERR_TOO_MANY_HDRS;
		v = sip_lws(v + 1, eol);
		ve = eol;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t' ||
				  ve[-1] == '\r' || ve[-1] == '\n'))
			ve--;
		{
			struct dsbc_sip_hdr *h = &m->hdrs[m->nb_hdrs];

			h->name.p = p;
			h->name.len = (uint32_t)(colon - p);
			h->id = (uint8_t)dsbc_sip_hdr_lookup(p, h->name.len);
			h->value.p = v;
			h->value.len = (uint32_t)(ve - v);
			if (m->first[h->id] < 0)
				m->first[h->id] = (int16_t)m->nb_hdrs;
			if (m->count[h->id] < UINT8_MAX)
				m->count[h->id]++;
		}
		m->nb_hdrs++;
		p = next_line(eol);
	}
	p = next_line(eol);
	m->body.p = p;
	if (m->first[DSBC_SIP_H_CONTENT_LENGTH] < 0) {
		m->body.len = (uint32_t)(end - p);
	} else {
		e = content_length(m, &cl);
		if (e != DSBC_SIP_ERR_NONE)
			return e;
		if (cl > (uint32_t)(end - p))
			return DSBC_SIP_ERR_BODY_SHORT;
		m->body.len = cl;
	}
	m->msg_len = (uint32_t)(p - buf) + m->body.len;
	return DSBC_SIP_ERR_NONE;
}
