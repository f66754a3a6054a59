/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Route sets of the two dialogs (RFC 3261 12.1, 12.2.1.1).  Proxies in
 * front of a peer (a Kamailio load balancer, a carrier's edge) that
 * record-route expect every later request of the dialog to carry their
 * Route values: without them a proxy cannot tell where an ACK or BYE
 * goes, and drops it.  dsbc is the UAS of the A dialog (route set: A's
 * INVITE's Record-Route values, in order) and the UAC of the B dialog
 * (B's 18x/2xx's values, reversed).  Requests still go to the leg's
 * signalling peer (where A's INVITE came from, the route's next hop),
 * which is the proxy that record-routed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "b2bua_internal.h"
#include "dsbc_sip_hdr.h"
#include "dsbc_sip_uri.h"

struct rr_value {
	const char *p;
	uint32_t len;
	struct dsbc_sip_str uri;
	bool lr;
};

static bool
lws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Record-Route values of m in order; -1 when malformed or too many. */
static int
rr_values(const struct dsbc_sip_msg *m, struct rr_value *v, unsigned int *nb)
{
	unsigned int i, n = 0;

	for (i = 0; i < m->nb_hdrs; i++) {
		const struct dsbc_sip_hdr *h = &m->hdrs[i];
		const char *p = h->value.p, *end = h->value.p + h->value.len;

		if (h->id != DSBC_SIP_H_RECORD_ROUTE)
			continue;
		while (p != NULL) {
			struct dsbc_sip_nameaddr na;
			struct dsbc_sip_str lrv;
			const char *next, *e;

			if (dsbc_sip_nameaddr_parse(p, end, &na, true,
						    &next) != 0 ||
			    n == B2BUA_ROUTE_SET_VALUES)
				return -1;
			while (p < end && lws(*p))
				p++;
			/* the value ends before the comma that precedes next */
			e = next != NULL ? next : end;
			while (e > p && lws(e[-1]))
				e--;
			if (next != NULL && e > p && e[-1] == ',')
				e--;
			while (e > p && lws(e[-1]))
				e--;
			if (e == p)
				return -1;
			v[n].p = p;
			v[n].len = (uint32_t)(e - p);
			v[n].uri = na.uri_str;
			v[n].lr = dsbc_sip_uri_param(&na.uri, "lr", &lrv) == 1;
			n++;
			p = next;
		}
	}
	*nb = n;
	return 0;
}

/*
 * A strict router's URI as a Request-URI (RFC 3261 12.2.1.1, table in
 * 19.1.1): its headers ("?...") and a "method" parameter are not
 * allowed there and are dropped.
 */
static char *
strict_ruri(struct dsbc_sip_str u)
{
	const char *q = memchr(u.p, '?', u.len);
	uint32_t len = q != NULL ? (uint32_t)(q - u.p) : u.len, i, o = 0;
	char *r = malloc(len + 1);

	if (r == NULL)
		return NULL;
	for (i = 0; i < len;) {
		uint32_t j = i + 1;

		while (j < len && u.p[j] != ';')
			j++;
		/* [i, j) is the URI before the first ';', or ";param" */
		if (!(u.p[i] == ';' && j - i >= 7 &&
		      strncasecmp(u.p + i + 1, "method", 6) == 0 &&
		      (j - i == 7 || u.p[i + 7] == '='))) {
			memcpy(r + o, u.p + i, j - i);
			o += j - i;
		}
		i = j;
	}
	r[o] = '\0';
	return r;
}

void
b2bua_route_free(struct leg *l)
{
	free(l->routes);
	free(l->strict_ruri);
	l->routes = NULL;
	l->strict_ruri = NULL;
}

int
b2bua_route_set(struct leg *l, const struct dsbc_sip_msg *m, bool reverse)
{
	struct rr_value v[B2BUA_ROUTE_SET_VALUES];
	char *routes = NULL, *ruri = NULL;
	unsigned int n, i, first;
	size_t total = 0, off = 0;

	if (rr_values(m, v, &n) != 0)
		return -1;
	for (i = 0; i < n; i++)
		total += sizeof("Route: \r\n") - 1 + v[i].len;
	if (total > B2BUA_ROUTE_SET_MAX)
		return -1;
	if (n > 0) {
		first = reverse ? n - 1 : 0;
		/* section 12.2.1.1: a first route without ;lr is a strict
		 * router (RFC 2543): it becomes the Request-URI, and the
		 * remote target goes last among the Route values */
		if (!v[first].lr) {
			ruri = strict_ruri(v[first].uri);
			if (ruri == NULL)
				return -1;
		}
		routes = malloc(total + 1);
		if (routes == NULL) {
			free(ruri);
			return -1;
		}
		routes[0] = '\0';
		for (i = 0; i < n; i++) {
			const struct rr_value *x = &v[reverse ? n - 1 - i : i];

			if (ruri != NULL && i == 0)
				continue;
			off += (size_t)snprintf(routes + off, total + 1 - off,
						"Route: %.*s\r\n",
						(int)x->len, x->p);
		}
	}
	b2bua_route_free(l);
	l->routes = routes;
	l->strict_ruri = ruri;
	return 0;
}

int
b2bua_route_lines(const struct leg *l, const char *target,
		  const char **ruri, char *out, size_t cap)
{
	int n;

	*ruri = target;
	if (l->routes == NULL) {
		if (cap > 0)
			out[0] = '\0';
		return 0;
	}
	if (l->strict_ruri == NULL)
		n = snprintf(out, cap, "%s", l->routes);
	else {
		*ruri = l->strict_ruri;
		n = snprintf(out, cap, "%sRoute: <%s>\r\n", l->routes, target);
	}
	return n >= 0 && (size_t)n < cap ? n : -1;
}
