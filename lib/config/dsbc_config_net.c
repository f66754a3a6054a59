/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the configuration says about addresses: which port owns or reaches
 * an address, and endpoint literals.  Plain C, no DPDK: lib/b2bua routes
 * its legs with it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsbc_config.h"

int
dsbc_config_parse_endpoint(const char *s, struct dsbc_addr *a,
			   uint8_t *family, uint16_t *port)
{
	char buf[80];
	const char *host;
	char *colon, *end;
	uint64_t p;

	if (s == NULL || strlen(s) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", s);
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');

		if (close == NULL || close[1] != ':')
			return -1;
		*close = '\0';
		host = buf + 1;
		colon = close + 1;
	} else {
		colon = strrchr(buf, ':');
		if (colon == NULL || strchr(buf, ':') != colon)
			return -1;   /* bare IPv6 must be bracketed */
		*colon = '\0';
		host = buf;
	}
	errno = 0;
	p = strtoull(colon + 1, &end, 10);
	if (colon[1] < '0' || colon[1] > '9' || *end != '\0' ||
	    errno != 0 || p < 1 || p > 65535)
		return -1;
	if (dsbc_addr_parse(host, a, family) != 0)
		return -1;
	*port = (uint16_t)p;
	return 0;
}

bool
dsbc_config_ip_match(const struct dsbc_cfg_ip *ip, const struct dsbc_addr *addr,
		     bool as_prefix)
{
	unsigned int bits, i;

	if (!ip->set)
		return false;
	if (!as_prefix)
		return memcmp(&ip->addr, addr, sizeof(*addr)) == 0;
	bits = ip->prefix;
	for (i = 0; i < 16 && bits > 0; i++) {
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));

		if ((ip->addr.a8[i] ^ addr->a8[i]) & mask)
			return false;
		bits = bits >= 8 ? bits - 8 : 0;
	}
	return true;
}

bool
dsbc_config_on_link(const struct dsbc_port_cfg *p, uint8_t family,
		    const struct dsbc_addr *addr)
{
	return dsbc_config_ip_match(family == 4 ? &p->ip4 : &p->ip6, addr, true);
}

int
dsbc_config_port_of_addr(const struct dsbc_config *c, uint8_t family,
			 const struct dsbc_addr *addr)
{
	uint16_t i;

	for (i = 0; i < c->nb_ports; i++) {
		const struct dsbc_port_cfg *p = &c->ports[i];

		if (dsbc_config_ip_match(family == 4 ? &p->ip4 : &p->ip6, addr,
					 false) ||
		    dsbc_config_ip_match(family == 4 ? &p->media4 : &p->media6,
					 addr, true))
			return i;
	}
	return -1;
}

int
dsbc_config_route_out(const struct dsbc_config *c, uint8_t family,
		      const struct dsbc_addr *remote, uint16_t *port,
		      struct dsbc_addr *next_hop)
{
	uint16_t i;

	/* on-link first, then the first port with a gateway */
	for (i = 0; i < c->nb_ports; i++)
		if (dsbc_config_on_link(&c->ports[i], family, remote)) {
			*port = i;
			*next_hop = *remote;
			return 0;
		}
	for (i = 0; i < c->nb_ports; i++) {
		const struct dsbc_cfg_ip *gw = family == 4 ? &c->ports[i].gw4 :
						 &c->ports[i].gw6;

		if (gw->set) {
			*port = i;
			*next_hop = gw->addr;
			return 0;
		}
	}
	return -1;
}


const struct dsbc_realm_cfg *
dsbc_config_realm(const struct dsbc_config *c, const char *name)
{
	uint16_t i;

	for (i = 0; i < c->nb_realms; i++)
		if (strcmp(c->realms[i].name, name) == 0)
			return &c->realms[i];
	return NULL;
}

const char *
dsbc_config_route_tls_name(const struct dsbc_config *c, uint8_t route)
{
	return route > 0 && route <= c->nb_routes ?
	       c->routes[route - 1].tls_name : "";
}

bool
dsbc_config_is_trunk(const struct dsbc_config *c, uint8_t family,
		     const struct dsbc_addr *addr, uint64_t certs)
{
	uint16_t i;

	for (i = 0; i < c->nb_trunks; i++) {
		const struct dsbc_trunk_cfg *t = &c->trunks[i];

		if (t->addr.set && (t->family != family ||
				    !dsbc_config_ip_match(&t->addr, addr,
							  true)))
			continue;
		if (t->tls_name[0] != '\0' && !(certs & (1ull << i)))
			continue;
		return true;
	}
	return false;
}
