/* SPDX-License-Identifier: BSD-3-Clause */
/* Call detail records (cdr.h). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_cycles.h>

#include "dsbc.h"
#include "ctl/cdr.h"
#include "ctl/hep.h"
#include "ctl/quality.h"
#include "dsbc_rtp.h"
#include "ctl/sip.h"
#include "export/export.h"
#include "log.h"

#define CDR_WAIT_MS 2000        /* for the flows' last counters */
/* every string escaped at worst 6 to 1 (\u00XX) fits: a record is
 * never dropped for what a peer put in its URIs */
#define CDR_LINE_MAX (2048 + 6 * (64 + 2 * (128 + 2 * 256)))
#define M DSBC_B2BUA_CDR_MEDIA

struct pend_leg {
	char call_id[128];
	char local_uri[256];
	char remote_uri[256];
	struct dsbc_b2bua_cdr_leg l;     /* strings pointing at the above */
	bool got[M][2];
	struct dsbc_msg_flow_final fin[M][2];
};

struct pend {
	bool used;
	uint32_t waiting;                /* flows not back yet */
	uint64_t deadline;
	char why[64];
	struct dsbc_b2bua_cdr r;
	struct pend_leg a, b;
};

struct dsbc_cdr {
	uint32_t cap;                    /* records waiting at most */
	struct pend *p;                  /* [cap], a FIFO in end order */
	uint32_t head, len;
	uint32_t *flow_pend[DSBC_CFG_MAX_WORKERS];  /* slot -> index + 1 */
	int64_t wall_offset_ms;
	struct dsbc_cdr_stats st;
	struct dsbc_quality q;
};

static struct dsbc_cdr cdr_state;

static struct dsbc_cdr *
cdr_of(const struct dsbc_app *app)
{
	(void)app;
	return &cdr_state;
}

uint64_t
dsbc_cdr_wall_ms(const struct dsbc_app *app, uint64_t now_ms)
{
	return (uint64_t)((int64_t)now_ms + cdr_of(app)->wall_offset_ms);
}

int
dsbc_cdr_init(struct dsbc_app *app)
{
	struct dsbc_cdr *cd = cdr_of(app);
	struct timespec ts;
	uint16_t w;

	cd->cap = RTE_MAX(app->cfg.cdr.queue, 1024u);
	cd->p = calloc(cd->cap, sizeof(*cd->p));
	if (cd->p == NULL)
		return -1;
	for (w = 0; w < app->nb_workers; w++) {
		cd->flow_pend[w] = calloc(app->slots[w].capacity,
					  sizeof(uint32_t));
		if (cd->flow_pend[w] == NULL)
			return -1;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	cd->wall_offset_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 -
			     (int64_t)dsbc_sip_now_ms(app);
	return 0;
}

void
dsbc_cdr_fini(struct dsbc_app *app)
{
	struct dsbc_cdr *cd = cdr_of(app);
	uint16_t w;

	for (w = 0; w < DSBC_CFG_MAX_WORKERS; w++) {
		free(cd->flow_pend[w]);
		cd->flow_pend[w] = NULL;
	}
	free(cd->p);
	cd->p = NULL;
	cd->head = cd->len = 0;
}

static void
leg_copy(struct pend_leg *d, const struct dsbc_b2bua_cdr_leg *s)
{
	snprintf(d->call_id, sizeof(d->call_id), "%s", s->call_id);
	snprintf(d->local_uri, sizeof(d->local_uri), "%s", s->local_uri);
	snprintf(d->remote_uri, sizeof(d->remote_uri), "%s", s->remote_uri);
	d->l = *s;
	d->l.call_id = d->call_id;
	d->l.local_uri = d->local_uri;
	d->l.remote_uri = d->remote_uri;
	memset(d->got, 0, sizeof(d->got));
	memset(d->fin, 0, sizeof(d->fin));
}

/* Note where each of a leg's flows reports to; the number waited for. */
static uint32_t
leg_wait(struct dsbc_app *app, struct pend_leg *pl, uint8_t nb_media,
	 uint32_t idx)
{
	struct dsbc_cdr *cd = cdr_of(app);
	uint32_t n = 0;
	unsigned int i, k;

	for (i = 0; i < nb_media; i++)
		for (k = 0; k < pl->l.nb_flows[i] && k < 2; k++) {
			uint32_t id = pl->l.flow[i][k];
			unsigned int w = dsbc_flow_id_worker(id);
			uint32_t slot = dsbc_flow_id_slot(id);

			/* a flow the worker refused has its slot free
			 * already: no removal will be acknowledged */
			if (w >= app->nb_workers ||
			    slot >= app->slots[w].capacity ||
			    app->slots[w].state[slot] == DSBC_SLOT_FREE) {
				pl->got[i][k] = true;
				continue;
			}
			cd->flow_pend[w][slot] = idx + 1;
			n++;
		}
	return n;
}

void
dsbc_cdr_call_ended(struct dsbc_app *app, const struct dsbc_b2bua_cdr *r)
{
	struct dsbc_cdr *cd = cdr_of(app);
	struct pend *p;
	uint32_t idx;

	dsbc_hep_call_ended(app, r);
	if (cd->p == NULL)
		return;
	if (cd->len == cd->cap) {
		/* full: the oldest goes out as it is, to make room */
		dsbc_cdr_poll(app);
		if (cd->len == cd->cap) {
			/* goes out as it is: "partial" if flows are missing */
			cd->p[cd->head].deadline = 0;
			dsbc_cdr_poll(app);
		}
		if (cd->len == cd->cap) {
			cd->st.lost++;
			return;
		}
	}
	idx = (cd->head + cd->len) % cd->cap;
	p = &cd->p[idx];
	memset(p, 0, sizeof(*p));
	p->used = true;
	p->r = *r;
	snprintf(p->why, sizeof(p->why), "%s", r->why ? r->why : "");
	p->r.why = p->why;
	leg_copy(&p->a, &r->a);
	leg_copy(&p->b, &r->b);
	p->waiting = leg_wait(app, &p->a, r->nb_media, idx) +
		     leg_wait(app, &p->b, r->nb_media, idx);
	p->deadline = dsbc_sip_now_ms(app) + CDR_WAIT_MS;
	cd->len++;
	cd->st.pending = cd->len;
}

static bool
leg_take(struct pend_leg *pl, uint8_t nb_media, uint32_t flow_id,
	 const struct dsbc_msg_flow_final *f)
{
	unsigned int i, k;

	for (i = 0; i < nb_media; i++)
		for (k = 0; k < pl->l.nb_flows[i] && k < 2; k++)
			if (pl->l.flow[i][k] == flow_id && !pl->got[i][k]) {
				pl->got[i][k] = true;
				pl->fin[i][k] = *f;
				return true;
			}
	return false;
}

void
dsbc_cdr_flow_final(struct dsbc_app *app, uint16_t worker, uint32_t flow_id,
		    const struct dsbc_msg_flow_final *f, int status)
{
	static const struct dsbc_msg_flow_final none;
	struct dsbc_cdr *cd = cdr_of(app);
	uint32_t slot = dsbc_flow_id_slot(flow_id), idx;
	struct pend *p;

	if (cd->p == NULL || worker >= app->nb_workers ||
	    slot >= app->slots[worker].capacity ||
	    cd->flow_pend[worker][slot] == 0)
		return;
	idx = cd->flow_pend[worker][slot] - 1;
	cd->flow_pend[worker][slot] = 0;
	p = &cd->p[idx];
	if (!p->used || p->waiting == 0)
		return;
	/* a removal the worker refused: no counters, but nothing to wait
	 * for either */
	if (status != 0)
		f = &none;
	if (leg_take(&p->a, p->r.nb_media, flow_id, f) ||
	    leg_take(&p->b, p->r.nb_media, flow_id, f))
		p->waiting--;
}

/* ---- the JSON line ---- */

struct out {
	char *b;
	size_t len, cap;
	bool over;
};

static void
put(struct out *o, const char *fmt, ...) __rte_format_printf(2, 3);

static void
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->over)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->b + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len)
		o->over = true;
	else
		o->len += (size_t)n;
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629 section 4:
 * no overlong forms, no surrogates, nothing past U+10FFFF), 0 if none. */
static unsigned int
utf8_len(const unsigned char *s)
{
	unsigned int n, i;
	uint32_t cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* A JSON string (RFC 8259 section 7): quotes, backslashes and control
 * characters escaped; what a peer put in its URIs cannot break out. */
static void
put_str(struct out *o, const char *s)
{
	put(o, "\"");
	while (*s != '\0' && !o->over) {
		unsigned char ch = (unsigned char)*s;
		unsigned int n;

		if (ch == '"' || ch == '\\') {
			put(o, "\\%c", ch);
		} else if (ch < 0x20 || ch == 0x7f) {
			put(o, "\\u%04x", ch);
		} else if (ch < 0x80) {
			put(o, "%c", ch);
		} else if ((n = utf8_len((const unsigned char *)s)) != 0) {
			put(o, "%.*s", (int)n, s);
			s += n;
			continue;
		} else {
			/* not UTF-8 (RFC 8259 section 8.1 requires it): the
			 * byte as the code point of the same value */
			put(o, "\\u%04x", ch);
		}
		s++;
	}
	put(o, "\"");
}

static void
put_time(struct out *o, const char *key, const struct dsbc_app *app,
	 uint64_t ms)
{
	time_t t;
	struct tm tm;
	char buf[32];
	uint64_t wall;

	if (ms == 0) {
		put(o, "\"%s\":null,", key);
		return;
	}
	wall = dsbc_cdr_wall_ms(app, ms);
	t = (time_t)(wall / 1000);
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	put(o, "\"%s\":\"%s.%03uZ\",", key, buf, (unsigned int)(wall % 1000));
}

static void
put_addr(struct out *o, uint8_t family, const struct dsbc_addr *a,
	 uint16_t port)
{
	char ip[64];

	dsbc_addr_fmt(a, family, ip, sizeof(ip));
	put(o, family == 6 ? "\"[%s]:%u\"" : "\"%s:%u\"", ip, port);
}

/* The leg's main stream: its first media line's RTP flow. */
static const struct dsbc_msg_flow_final *
leg_main(const struct pend_leg *pl, uint8_t nb_media)
{
	return nb_media > 0 && pl->l.nb_flows[0] > 0 && pl->got[0][0] ?
	       &pl->fin[0][0] : NULL;
}

static uint32_t
loss_ppm(const struct dsbc_msg_flow_final *f)
{
	uint64_t exp = (uint64_t)f->rtp_received + f->rtp_lost;

	return exp ? (uint32_t)((uint64_t)f->rtp_lost * 1000000 / exp) : 0;
}

static void
put_leg(struct out *o, const char *name, const struct pend_leg *pl,
	uint8_t nb_media, bool complete)
{
	const struct dsbc_b2bua_cdr_leg *l = &pl->l;
	const struct dsbc_msg_flow_final *mf = leg_main(pl, nb_media);
	uint64_t pkts = 0, bytes = 0;
	unsigned int i, k;

	for (i = 0; i < nb_media; i++)
		for (k = 0; k < l->nb_flows[i] && k < 2; k++)
			if (pl->got[i][k]) {
				pkts += pl->fin[i][k].pkts;
				bytes += pl->fin[i][k].bytes;
			}
	put(o, "\"%s\":{\"call_id\":", name);
	put_str(o, l->call_id);
	put(o, ",\"local_uri\":");
	put_str(o, l->local_uri);
	put(o, ",\"remote_uri\":");
	put_str(o, l->remote_uri);
	put(o, ",\"transport\":\"%s\",\"peer\":",
	    dsbc_sip_transport_name((enum dsbc_sip_transport)l->transport));
	if (l->family != 0)
		put_addr(o, l->family, &l->peer, l->peer_port);
	else
		put(o, "null");
	put(o, ",\"keying\":\"%s\",\"packets\":%" PRIu64 ",\"bytes\":%"
	    PRIu64 ",\"latched\":",
	    dsbc_keying_name((enum dsbc_keying)l->keying),
	    pkts, bytes);
	if (mf != NULL && mf->latched)
		put_addr(o, mf->latched_family, &mf->latched_src,
			 mf->latched_port);
	else
		put(o, "null");
	put(o, ",\"rtp\":");
	if (mf != NULL && mf->has_rtp) {
		uint32_t lp = loss_ppm(mf);

		put(o, "{\"ssrc\":\"%08x\",\"received\":%u,\"lost\":%u,"
		    "\"loss\":%.6f,\"jitter_ms\":%.3f,\"mos\":%.2f}",
		    mf->ssrc, mf->rtp_received, mf->rtp_lost, lp / 1e6,
		    mf->jitter_us / 1000.0,
		    dsbc_rtp_mos_x100(lp, mf->jitter_us) / 100.0);
	} else {
		put(o, "null");
	}
	put(o, ",\"stats\":\"%s\"}", complete ? "complete" : "partial");
}

static char *
format(const struct dsbc_app *app, const struct pend *p, size_t *len)
{
	const struct dsbc_b2bua_cdr *r = &p->r;
	struct out o = { .cap = CDR_LINE_MAX };
	bool complete = p->waiting == 0;

	o.b = malloc(o.cap);
	if (o.b == NULL)
		return NULL;
	put(&o, "{\"id\":%u,", r->id);
	put_time(&o, "start", app, r->start_ms);
	put_time(&o, "answer", app, r->answer_ms);
	put_time(&o, "end", app, r->end_ms);
	put(&o, "\"duration_s\":%.3f,\"talk_s\":%.3f,\"reason\":\"%s\","
	    "\"status\":%u,\"why\":",
	    (r->end_ms - r->start_ms) / 1000.0,
	    r->answer_ms ? (r->end_ms - r->answer_ms) / 1000.0 : 0.0,
	    dsbc_b2bua_end_name((enum dsbc_b2bua_end)r->reason), r->status);
	put_str(&o, r->why);
	if (r->route >= 0)
		put(&o, ",\"route\":%d", r->route);
	else
		put(&o, ",\"route\":null");
	put(&o, ",\"mode\":\"%s\",",
	    dsbc_mode_name((enum dsbc_mode)r->mode));
	put_leg(&o, "a", &p->a, r->nb_media, complete);
	put(&o, ",");
	put_leg(&o, "b", &p->b, r->nb_media, complete);
	put(&o, "}\n");
	if (o.over) {
		free(o.b);
		return NULL;
	}
	*len = o.len;
	return o.b;
}

/* Quality of each leg's main stream: histograms, a HEP report. */
static void
observe(struct dsbc_app *app, const struct pend *p)
{
	struct dsbc_cdr *cd = cdr_of(app);
	const struct pend_leg *legs[2] = { &p->a, &p->b };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		const struct dsbc_msg_flow_final *mf =
			leg_main(legs[i], p->r.nb_media);
		uint32_t lp, mos;

		if (mf == NULL || !mf->has_rtp)
			continue;
		lp = loss_ppm(mf);
		mos = dsbc_quality_observe(&cd->q, lp, mf->jitter_us);
		dsbc_hep_quality(app, &p->r, &legs[i]->l, i == 0 ? "a" : "b",
				 mf, lp, mos);
	}
}

/* Out to the export thread; false when its ring is full (retry). */
static bool
write_line(struct dsbc_app *app, const struct pend *p)
{
	char *line;
	size_t len;

	if (!dsbc_export_cdr_on(app))
		return true;
	line = format(app, p, &len);
	if (line == NULL) {
		cdr_of(app)->st.lost++;
		return true;
	}
	if (dsbc_export_cdr(app, line, len) != 0) {
		free(line);
		return false;
	}
	return true;
}

static void
emit(struct dsbc_app *app, struct pend *p)
{
	struct dsbc_cdr *cd = cdr_of(app);

	if (p->waiting != 0)
		cd->st.partial++;
	observe(app, p);
	cd->st.records++;
}

/* Flow slots still pointing at a record that is going: cleared, so a
 * late acknowledgement finds nothing. */
static void
unwait(struct dsbc_app *app, struct pend *p, uint32_t idx)
{
	struct dsbc_cdr *cd = cdr_of(app);
	const struct pend_leg *legs[2] = { &p->a, &p->b };
	unsigned int i, m, k;

	for (i = 0; i < 2; i++)
		for (m = 0; m < p->r.nb_media; m++)
			for (k = 0; k < legs[i]->l.nb_flows[m] && k < 2; k++) {
				uint32_t id = legs[i]->l.flow[m][k];
				unsigned int w = dsbc_flow_id_worker(id);
				uint32_t slot = dsbc_flow_id_slot(id);

				if (legs[i]->got[m][k] ||
				    w >= app->nb_workers ||
				    slot >= app->slots[w].capacity)
					continue;
				if (cd->flow_pend[w][slot] == idx + 1)
					cd->flow_pend[w][slot] = 0;
			}
}

uint32_t
dsbc_cdr_poll(struct dsbc_app *app)
{
	struct dsbc_cdr *cd = cdr_of(app);
	uint64_t now;
	uint32_t n = 0;

	if (cd->len == 0)
		return 0;
	now = dsbc_sip_now_ms(app);
	while (cd->len > 0) {
		struct pend *p = &cd->p[cd->head];

		if (p->waiting != 0 && now < p->deadline)
			break;
		/* in end order: a ring that refused this one is retried
		 * with it first, next time */
		if (!write_line(app, p))
			break;
		emit(app, p);
		unwait(app, p, cd->head);
		p->used = false;
		cd->head = (cd->head + 1) % cd->cap;
		cd->len--;
		n++;
	}
	cd->st.pending = cd->len;
	return n;
}

void
dsbc_cdr_flush(struct dsbc_app *app)
{
	struct dsbc_cdr *cd = cdr_of(app);
	uint32_t i, tries = 0;

	for (i = 0; i < cd->len; i++)
		cd->p[(cd->head + i) % cd->cap].deadline = 0;
	/* the export thread empties its ring meanwhile */
	while (cd->len > 0 && tries++ < 2000) {
		if (dsbc_cdr_poll(app) == 0)
			rte_delay_us_sleep(1000);
	}
	cd->st.lost += cd->len;
}

const struct dsbc_cdr_stats *
dsbc_cdr_stats(const struct dsbc_app *app)
{
	return &cdr_of(app)->st;
}

const struct dsbc_quality *
dsbc_cdr_quality(const struct dsbc_app *app)
{
	return &cdr_of(app)->q;
}
