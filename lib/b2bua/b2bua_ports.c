/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Media addresses and ports of calls.  Each leg's media is on one
 * address of the dsbc port facing it (its SDP has one c= line): the
 * port's own address, or, when the port has a media prefix (media4,
 * media6), one of the prefix's addresses, so that the port range is not
 * the limit: 10000 ports give 5000 RTP/RTCP pairs (RFC 3550 section 11)
 * per address, and a /24 gives 254 addresses.  The ports are those of
 * the slice of the worker owning the call (the worker that owns a port
 * owns it on every address, as the data plane's direct index has it).
 *
 * One pool per (dsbc port, family, worker): per address a bitmap of its
 * pairs, allocated when the address is first used; an address is filled
 * before the next is taken, so few bitmaps are touched.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "b2bua_internal.h"

#define ADDR_CAP 1024           /* addresses of a prefix used at most */

struct media_pool {
	uint8_t family;
	struct dsbc_addr base;       /* address 0 */
	uint32_t naddr;
	uint16_t first;              /* first (even) port of the slice */
	uint32_t npairs;
	uint32_t words;              /* 64-bit words per bitmap */
	uint64_t **bits;             /* [naddr], NULL: untouched, all free
				      * but the reserved pairs */
	uint32_t *nfree;             /* [naddr], valid once bits[] is */
	uint32_t cur;                /* address being filled */
	uint32_t used;               /* pairs in use */
	uint32_t reserved;           /* pairs of static flows, per address */
};

static unsigned int
fam_idx(uint8_t family)
{
	return family == 6;
}

static struct media_pool *
pool_of(const struct dsbc_b2bua *b, uint16_t port, uint8_t family,
	uint16_t worker)
{
	if (port >= DSBC_CFG_MAX_PORTS || worker >= b->nb_workers)
		return NULL;
	return b->pools[port][fam_idx(family)][worker];
}

/* Address i of the pool: base plus i in its last 32 bits. */
static void
addr_of(const struct media_pool *p, uint32_t i, struct dsbc_addr *a)
{
	unsigned int w = p->family == 6 ? 3 : 0;
	uint32_t v = __builtin_bswap32(p->base.a32[w]) + i;

	*a = p->base;
	a->a32[w] = __builtin_bswap32(v);
}

static int
index_of(const struct media_pool *p, const struct dsbc_addr *a, uint32_t *i)
{
	unsigned int w = p->family == 6 ? 3 : 0;
	struct dsbc_addr x = *a;
	uint32_t d;

	d = __builtin_bswap32(a->a32[w]) - __builtin_bswap32(p->base.a32[w]);
	x.a32[w] = p->base.a32[w];
	if (!dsbc_addr_eq(&x, &p->base) || d >= p->naddr)
		return -1;
	*i = d;
	return 0;
}

/* The pair indexes static flows use, set in a fresh bitmap. */
static void
reserve(const struct dsbc_b2bua *b, const struct media_pool *p,
	uint64_t *bits, uint32_t *n)
{
	uint32_t i, k;

	*n = 0;
	for (i = 0; i < b->cfg->nb_flows; i++) {
		uint16_t port = b->cfg->flows[i].local_port & ~1u;

		if (port < p->first || port >= p->first + 2 * p->npairs)
			continue;
		k = (uint32_t)(port - p->first) / 2;
		if (!(bits[k / 64] & (1ull << (k % 64)))) {
			bits[k / 64] |= 1ull << (k % 64);
			(*n)++;
		}
	}
	/* bits past the last pair are never free */
	for (k = p->npairs; k < p->words * 64; k++)
		bits[k / 64] |= 1ull << (k % 64);
}

static int
pool_touch(const struct dsbc_b2bua *b, struct media_pool *p, uint32_t a)
{
	uint32_t r;

	if (p->bits[a] != NULL)
		return 0;
	p->bits[a] = calloc(p->words, sizeof(uint64_t));
	if (p->bits[a] == NULL)
		return -ENOMEM;
	reserve(b, p, p->bits[a], &r);
	p->nfree[a] = p->npairs - r;
	return 0;
}

static uint32_t
addr_free(const struct media_pool *p, uint32_t a)
{
	return p->bits[a] != NULL ? p->nfree[a] : p->npairs - p->reserved;
}

static struct media_pool *
pool_new(struct dsbc_b2bua *b, uint8_t family, const struct dsbc_cfg_ip *ip,
	 const struct dsbc_cfg_ip *prefix, uint16_t first, uint16_t last)
{
	struct media_pool *p = calloc(1, sizeof(*p));
	uint64_t *tmp;
	unsigned int host = (family == 6 ? 128u : 32u) - prefix->prefix;

	if (p == NULL)
		return NULL;
	p->family = family;
	if (prefix->set) {
		/* the prefix's addresses but its first (and, IPv4, its
		 * broadcast) */
		uint64_t n = host >= 32 ? (1ull << 32) : (1ull << host);

		p->base = prefix->addr;
		if (n > 2) {
			n -= family == 4 ? 2 : 1;
			addr_of(p, 1, &p->base);
		}
		p->naddr = n > ADDR_CAP ? ADDR_CAP : (uint32_t)n;
	} else {
		p->base = ip->addr;
		p->naddr = 1;
	}
	p->first = (uint16_t)((first + 1) & ~1u);
	p->npairs = last > p->first ? (uint32_t)(last - p->first + 1) / 2 : 0;
	p->words = (p->npairs + 63) / 64;
	p->bits = calloc(p->naddr, sizeof(*p->bits));
	p->nfree = calloc(p->naddr, sizeof(*p->nfree));
	tmp = calloc(p->words ? p->words : 1, sizeof(uint64_t));
	if (p->bits == NULL || p->nfree == NULL || tmp == NULL ||
	    p->npairs == 0) {
		free(tmp);
		free(p->bits);
		free(p->nfree);
		free(p);
		return NULL;
	}
	reserve(b, p, tmp, &p->reserved);
	free(tmp);
	return p;
}

int
b2bua_ports_init(struct dsbc_b2bua *b)
{
	uint16_t port, w;
	unsigned int f;

	for (port = 0; port < b->cfg->nb_ports; port++)
		for (f = 0; f < 2; f++) {
			const struct dsbc_port_cfg *pc = &b->cfg->ports[port];
			const struct dsbc_cfg_ip *ip = f ? &pc->ip6 : &pc->ip4;
			const struct dsbc_cfg_ip *pre = f ? &pc->media6 :
							    &pc->media4;

			if (!ip->set && !pre->set)
				continue;
			for (w = 0; w < b->nb_workers; w++) {
				b->pools[port][f][w] = pool_new(b, f ? 6 : 4,
					ip, pre, b->bc.slice[w].first,
					b->bc.slice[w].last);
				if (b->pools[port][f][w] == NULL)
					return -ENOMEM;
			}
		}
	return 0;
}

void
b2bua_ports_fini(struct dsbc_b2bua *b)
{
	uint32_t port, f, w, a;

	for (port = 0; port < DSBC_CFG_MAX_PORTS; port++)
		for (f = 0; f < 2; f++)
			for (w = 0; w < DSBC_CFG_MAX_WORKERS; w++) {
				struct media_pool *p = b->pools[port][f][w];

				if (p == NULL)
					continue;
				for (a = 0; a < p->naddr; a++)
					free(p->bits[a]);
				free(p->bits);
				free(p->nfree);
				free(p);
				b->pools[port][f][w] = NULL;
			}
}

/* A free pair of address a (which has one): its index. */
static uint32_t
pair_take(struct media_pool *p, uint32_t a)
{
	uint64_t *bits = p->bits[a];
	uint32_t w;

	for (w = 0; w < p->words; w++)
		if (bits[w] != ~0ull) {
			uint32_t k = (uint32_t)__builtin_ctzll(~bits[w]);

			bits[w] |= 1ull << k;
			p->nfree[a]--;
			p->used++;
			return w * 64 + k;
		}
	return UINT32_MAX;
}

static void
pair_give(struct media_pool *p, uint32_t a, uint32_t k)
{
	if (p->bits[a] == NULL || k >= p->npairs ||
	    !(p->bits[a][k / 64] & (1ull << (k % 64))))
		return;
	p->bits[a][k / 64] &= ~(1ull << (k % 64));
	p->nfree[a]++;
	p->used--;
}

/*
 * Leg l's media: an address of its dsbc port in the leg's family, and a
 * port pair on it for each accepted m-line.  0, or -ENOSPC with nothing
 * taken.
 */
int
b2bua_ports_alloc(struct dsbc_b2bua *b, struct call *c, struct leg *l)
{
	struct media_pool *p = pool_of(b, l->port, l->mfamily, c->worker);
	uint32_t need = 0, t, a, i;

	for (i = 0; i < c->nb_media; i++)
		need += c->media_ok[i];
	if (need == 0)
		return 0;
	if (p == NULL)
		return -ENOSPC;
	for (t = 0; t < p->naddr; t++) {
		a = (p->cur + t) % p->naddr;
		if (addr_free(p, a) >= need)
			break;
	}
	if (t == p->naddr || pool_touch(b, p, a) != 0)
		return -ENOSPC;
	p->cur = a;
	addr_of(p, a, &l->maddr);
	for (i = 0; i < c->nb_media; i++)
		if (c->media_ok[i])
			l->m[i].local_port = (uint16_t)(p->first +
							2 * pair_take(p, a));
	l->media_taken = true;
	return 0;
}

void
b2bua_ports_release(struct dsbc_b2bua *b, struct call *c, struct leg *l)
{
	struct media_pool *p = pool_of(b, l->port, l->mfamily, c->worker);
	uint32_t a, i;

	if (!l->media_taken || p == NULL || index_of(p, &l->maddr, &a) != 0)
		return;
	for (i = 0; i < c->nb_media; i++)
		if (c->media_ok[i] && l->m[i].local_port >= p->first)
			pair_give(p, a, (uint32_t)(l->m[i].local_port -
						   p->first) / 2);
	l->media_taken = false;
}

uint64_t
dsbc_b2bua_ports_free(const struct dsbc_b2bua *b)
{
	uint64_t n = 0;
	uint32_t port, f, w;

	for (port = 0; port < DSBC_CFG_MAX_PORTS; port++)
		for (f = 0; f < 2; f++)
			for (w = 0; w < DSBC_CFG_MAX_WORKERS; w++) {
				const struct media_pool *p = b->pools[port][f][w];

				if (p != NULL)
					n += (uint64_t)p->naddr *
					     (p->npairs - p->reserved) - p->used;
			}
	return n;
}
