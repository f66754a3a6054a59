/* SPDX-License-Identifier: BSD-3-Clause */
/* ICE candidates in SDP (dsbc_sdp_ice.h). */
#include <string.h>
#include <strings.h>

#include "dsbc_sdp_ice.h"

/* The next space-separated word of [*p, end): its view, *p past it. */
static struct dsbc_sdp_str
word(const char **p, const char *end)
{
	struct dsbc_sdp_str w;

	while (*p < end && **p == ' ')
		(*p)++;
	w.p = *p;
	while (*p < end && **p != ' ')
		(*p)++;
	w.len = (uint32_t)(*p - w.p);
	return w;
}

static int
number(struct dsbc_sdp_str w, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	uint32_t i;

	if (w.len == 0 || w.len > 10)
		return -1;
	for (i = 0; i < w.len; i++) {
		if (w.p[i] < '0' || w.p[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(w.p[i] - '0');
	}
	if (v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* 4 for a dotted quad, 6 for anything with a colon, 0 for a name */
static uint8_t
addr_family(struct dsbc_sdp_str a)
{
	uint32_t i;
	bool digits_dots = a.len > 0;

	if (memchr(a.p, ':', a.len) != NULL)
		return 6;
	for (i = 0; i < a.len; i++)
		if ((a.p[i] < '0' || a.p[i] > '9') && a.p[i] != '.')
			digits_dots = false;
	return digits_dots ? 4 : 0;
}

int
dsbc_sdp_cand_parse(struct dsbc_sdp_str v, struct dsbc_sdp_cand *c)
{
	const char *p = v.p, *end = v.p + v.len;
	struct dsbc_sdp_str f, comp, tr, prio, addr, port, typ;
	uint32_t n;

	memset(c, 0, sizeof(*c));
	f = word(&p, end);
	comp = word(&p, end);
	tr = word(&p, end);
	prio = word(&p, end);
	addr = word(&p, end);
	port = word(&p, end);
	typ = word(&p, end);
	if (f.len == 0 || f.len > 32 || addr.len == 0 || typ.len != 3 ||
	    memcmp(typ.p, "typ", 3) != 0 || word(&p, end).len == 0)
		return -1;
	if (number(comp, 256, &n) != 0 || n == 0)
		return -1;
	c->component = (uint8_t)n;
	if (number(prio, UINT32_MAX, &c->priority) != 0)
		return -1;
	if (number(port, 65535, &n) != 0)
		return -1;
	c->port = (uint16_t)n;
	c->udp = tr.len == 3 && strncasecmp(tr.p, "udp", 3) == 0;
	c->addr = addr;
	c->family = addr_family(addr);
	return 0;
}

int
dsbc_sdp_cand_best(const struct dsbc_sdp *s, unsigned int media,
		   uint8_t component, uint8_t family, struct dsbc_sdp_cand *c)
{
	struct dsbc_sdp_cand k;
	bool found = false;
	unsigned int i;

	for (i = 0; i < s->nb_lines; i++) {
		const struct dsbc_sdp_line *l = &s->lines[i];

		if (l->type != 'a' || l->attr != DSBC_SDP_A_CANDIDATE ||
		    l->media != (int)media || l->value.len < 10 ||
		    dsbc_sdp_cand_parse((struct dsbc_sdp_str){
				l->value.p + 10, l->value.len - 10 }, &k) != 0)
			continue;
		if (!k.udp || k.component != component || k.family != family ||
		    k.port == 0 || (found && k.priority <= c->priority))
			continue;
		*c = k;
		found = true;
	}
	return found ? 0 : -1;
}
