/* SPDX-License-Identifier: BSD-3-Clause */
/* HEP capture of signalling and quality reports (hep.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>

#include "dsbc.h"
#include "dsbc_hep.h"
#include "dsbc_net.h"
#include "ctl/hep.h"
#include "ctl/sip.h"
#include "export/export.h"

#define STAGE_MAX 16            /* messages held around one input */

struct staged {
	void *p;
	size_t len;
};

struct hep_cap {
	bool in_rx;
	int route;                       /* of the input's call, -2 none */
	char cid[256];
	uint32_t cid_len;
	uint32_t n;
	struct staged st[STAGE_MAX];
	struct dsbc_hep_stats stats;
};

static struct hep_cap cap_state;

/*
 * Calls ended lately, by either leg's Call-ID: the last messages of a
 * call (the 200 to its BYE, retransmissions) come after it has left the
 * B2BUA's table, and [hep] routes must still know its route.  Kept 64
 * T1 (a transaction's life), 1024 legs at most, oldest overwritten.
 */
#define ENDED_MAX 1024
#define ENDED_KEEP_MS (64 * 500)

static struct {
	char cid[128];
	int16_t route;
	uint64_t until;
} ended[ENDED_MAX];
static uint32_t ended_next;

void
dsbc_hep_call_ended(struct dsbc_app *app, const struct dsbc_b2bua_cdr *r)
{
	const char *cids[2] = { r->a.call_id, r->b.call_id };
	unsigned int i;

	if (!dsbc_export_hep_on(app) || app->cfg.hep.routes == 0)
		return;
	for (i = 0; i < 2; i++) {
		if (cids[i] == NULL || cids[i][0] == '\0')
			continue;
		snprintf(ended[ended_next].cid, sizeof(ended[0].cid), "%s",
			 cids[i]);
		ended[ended_next].route = r->route;
		ended[ended_next].until = r->end_ms + ENDED_KEEP_MS;
		ended_next = (ended_next + 1) % ENDED_MAX;
	}
}

static int
ended_route(struct dsbc_app *app, const char *cid, uint32_t len)
{
	uint64_t now = dsbc_sip_now_ms(app);
	uint32_t i;

	for (i = 0; i < ENDED_MAX; i++)
		if (ended[i].until > now && strlen(ended[i].cid) == len &&
		    memcmp(ended[i].cid, cid, len) == 0)
			return ended[i].route;
	return -2;
}

static uint64_t
wall_us(void)
{
	struct timespec ts;

	/* the vDSO: no system call */
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Captured or not, by [hep] routes: calls of those routes only. */
static bool
wanted(const struct dsbc_app *app, int route)
{
	uint64_t set = app->cfg.hep.routes;

	return set == 0 || (route >= 0 && route < 64 &&
			    (set >> route & 1) != 0);
}

/* One packet, malloc'd for the export thread: m's addresses, ports,
 * proto and correlation with the time and [hep]'s ids; NULL when it
 * cannot be (over 64 KB: counted) */
static void *
pack(struct dsbc_app *app, struct dsbc_hep_meta *m, const void *payload,
     size_t len, size_t *out_len)
{
	size_t n;
	uint8_t *p;

	m->ts_us = wall_us();
	m->agent_id = app->cfg.hep.agent_id;
	m->password = app->cfg.hep.password;
	n = dsbc_hep_size(m, len);
	if (n > UINT16_MAX) {
		cap_state.stats.too_big++;
		return NULL;
	}
	p = malloc(n);
	if (p == NULL)
		return NULL;
	*out_len = dsbc_hep_encode(m, payload, len, p, n);
	if (*out_len == 0) {
		free(p);
		return NULL;
	}
	return p;
}

static void *
encode(struct dsbc_app *app, const struct dsbc_sip_peer *pe, bool rx,
       const char *msg, uint32_t len, const char *cid, uint32_t cid_len,
       size_t *out_len)
{
	struct dsbc_hep_meta m = {
		.family = pe->family,
		.ip_proto = pe->transport == DSBC_SIP_UDP ? 17 : 6,
		.src = rx ? pe->remote : pe->local,
		.dst = rx ? pe->local : pe->remote,
		.sport = rx ? pe->remote_port : pe->local_port,
		.dport = rx ? pe->local_port : pe->remote_port,
		.proto = DSBC_HEP_P_SIP,
		.corr = cid,
		.corr_len = cid_len,
	};
	void *p = pack(app, &m, msg, len, out_len);

	if (p != NULL)
		cap_state.stats.captured++;
	return p;
}

static int
route_of(struct dsbc_app *app, const char *cid, uint32_t len)
{
	int r;

	/* without [hep] routes every message goes: nothing to look up */
	if (len == 0 || app->cfg.hep.routes == 0)
		return -2;
	r = dsbc_b2bua_callid_route(app->sip->b2b, cid, len);
	return r != -2 ? r : ended_route(app, cid, len);
}

static void
release(struct dsbc_app *app, bool keep)
{
	struct hep_cap *h = &cap_state;
	uint32_t i;

	for (i = 0; i < h->n; i++) {
		if (keep) {
			dsbc_export_hep(app, h->st[i].p, h->st[i].len);
		} else {
			free(h->st[i].p);
			h->stats.filtered++;
		}
	}
	h->n = 0;
}

static void
stage(struct dsbc_app *app, void *p, size_t len)
{
	struct hep_cap *h = &cap_state;

	if (p == NULL)
		return;
	if (h->n == STAGE_MAX)          /* decided on what is known */
		release(app, h->route == -2 || wanted(app, h->route));
	h->st[h->n].p = p;
	h->st[h->n].len = len;
	h->n++;
}

void
dsbc_hep_rx_begin(struct dsbc_app *app, const struct dsbc_sip_peer *from,
		  const char *msg, uint32_t len)
{
	struct hep_cap *h = &cap_state;
	const char *cid = NULL;
	size_t plen = 0;
	void *p;

	if (!dsbc_export_hep_on(app))
		return;
	h->in_rx = true;
	h->n = 0;
	/* a Call-ID too long to keep: captured, not correlated */
	h->cid_len = dsbc_hep_sip_call_id(msg, len, &cid);
	if (h->cid_len >= sizeof(h->cid))
		h->cid_len = 0;
	if (h->cid_len > 0)
		memcpy(h->cid, cid, h->cid_len);
	h->route = route_of(app, h->cid, h->cid_len);
	p = encode(app, from, true, msg, len, h->cid, h->cid_len, &plen);
	stage(app, p, plen);
}

void
dsbc_hep_rx_end(struct dsbc_app *app)
{
	struct hep_cap *h = &cap_state;

	if (!h->in_rx)
		return;
	h->in_rx = false;
	/* an INVITE's call exists only now */
	if (h->route == -2)
		h->route = route_of(app, h->cid, h->cid_len);
	release(app, wanted(app, h->route));
}

void
dsbc_hep_tx(struct dsbc_app *app, const struct dsbc_sip_peer *to,
	    const char *msg, uint32_t len)
{
	struct hep_cap *h = &cap_state;
	const char *cid = NULL;
	uint32_t cid_len;
	size_t plen = 0;
	void *p;

	/* SIP starts with a method or "SIP/2.0"; DTLS with a content
	 * type of 20..63 (RFC 7983) */
	if (!dsbc_export_hep_on(app) || len == 0 || msg[0] < 'A' ||
	    msg[0] > 'Z')
		return;
	cid_len = dsbc_hep_sip_call_id(msg, len, &cid);
	if (cid_len >= sizeof(h->cid))
		cid_len = 0;            /* as on receipt */
	p = encode(app, to, false, msg, len, cid, cid_len, &plen);
	if (p == NULL)
		return;
	if (h->in_rx) {
		stage(app, p, plen);
		return;
	}
	if (wanted(app, route_of(app, cid, cid_len))) {
		dsbc_export_hep(app, p, plen);
	} else {
		free(p);
		h->stats.filtered++;
	}
}

void
dsbc_hep_quality(struct dsbc_app *app, const struct dsbc_b2bua_cdr *r,
		 const struct dsbc_b2bua_cdr_leg *l, const char *leg,
		 const struct dsbc_msg_flow_final *f, uint32_t loss_ppm,
		 uint32_t mos_x100)
{
	uint32_t clock = l->clock[0] ? l->clock[0] : 8000;
	struct dsbc_hep_meta m = {
		.ip_proto = 17,
		.proto = DSBC_HEP_P_RTCP_JSON,
		.corr = l->call_id,
		.corr_len = (uint32_t)strlen(l->call_id),
	};
	char json[640];
	size_t plen;
	void *p;
	int k;

	if (!dsbc_export_hep_on(app) || !app->cfg.hep.quality ||
	    !wanted(app, r->route) || l->mfamily == 0)
		return;
	/* from the peer's latched media source to dsbc's media port; not
	 * latched (or of the other family): from dsbc's own address, the
	 * report being dsbc's */
	m.family = l->mfamily;
	m.dst = l->maddr;
	m.dport = l->local_port[0];
	if (f->latched && f->latched_family == l->mfamily) {
		m.src = f->latched_src;
		m.sport = f->latched_port;
	} else {
		m.src = l->maddr;
		m.sport = l->local_port[0];
	}
	/* what a receiver report block says (RFC 3550 6.4.1), as the
	 * JSON collectors take RTCP in, and dsbc's own figures */
	k = snprintf(json, sizeof(json),
		     "{\"type\":201,\"ssrc\":0,\"report_count\":1,"
		     "\"report_blocks\":[{\"source_ssrc\":%u,"
		     "\"fraction_lost\":%u,\"packets_lost\":%u,"
		     "\"highest_seq_no\":0,\"ia_jitter\":%u,\"lsr\":0,"
		     "\"dlsr\":0}],\"dsbc\":{\"call\":%u,\"leg\":\"%s\","
		     "\"received\":%u,\"loss\":%.6f,\"jitter_ms\":%.3f,"
		     "\"mos\":%.2f}}",
		     f->ssrc, (unsigned int)RTE_MIN((uint64_t)loss_ppm * 256 /
						   1000000, (uint64_t)255),
		     f->rtp_lost,
		     (unsigned int)((uint64_t)f->jitter_us * clock / 1000000),
		     r->id, leg, f->rtp_received, loss_ppm / 1e6,
		     f->jitter_us / 1000.0, mos_x100 / 100.0);
	if (k < 0 || (size_t)k >= sizeof(json))
		return;
	p = pack(app, &m, json, (size_t)k, &plen);
	if (p == NULL)
		return;
	cap_state.stats.reports++;
	dsbc_export_hep(app, p, plen);
}

void
dsbc_hep_rtcp(struct dsbc_app *app, uint32_t flow_id, uint64_t cookie,
	      const struct dsbc_pkt_info *pi, const uint8_t *payload)
{
	struct hep_cap *h = &cap_state;
	struct dsbc_hep_meta m = {
		.family = pi->family,
		.ip_proto = 17,
		.src = pi->src,
		.dst = pi->dst,
		.sport = pi->src_port,
		.dport = pi->dst_port,
		.proto = DSBC_HEP_P_RTCP_JSON,
	};
	const char *cid;
	char json[1536];
	size_t n, plen;
	void *p;
	int route = -1;

	if (!dsbc_export_hep_on(app))
		return;
	cid = dsbc_b2bua_flow_leg(app->sip->b2b, flow_id, cookie, &route);
	if (cid == NULL || !wanted(app, route)) {
		h->stats.rtcp_skipped++;
		return;
	}
	n = dsbc_hep_rtcp_json(payload, pi->payload_len, json, sizeof(json));
	if (n == 0) {
		h->stats.rtcp_skipped++;
		return;
	}
	m.corr = cid;
	m.corr_len = (uint32_t)strlen(cid);
	p = pack(app, &m, json, n, &plen);
	if (p == NULL)
		return;
	h->stats.rtcp++;
	dsbc_export_hep(app, p, plen);
}

const struct dsbc_hep_stats *
dsbc_hep_stats(const struct dsbc_app *app)
{
	(void)app;
	return &cap_state.stats;
}
