/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What operators' tools ask (dsbc-ctl, its Prometheus exporter):
 *   /dsbc/quality          media quality histograms of ended calls
 *   /dsbc/cdr, /dsbc/hep   the call records' and HEP capture's counters
 *   /dsbc/drain,on|off     refuse new calls (503) or accept them again
 *   /dsbc/reload           the configuration file again (as SIGHUP)
 *   /dsbc/log_level,SPEC   "pattern:level[,...]", as --log-level
 * The changes are made by the management lcore between two inputs
 * (ctl/snap.c); the telemetry thread waits for its answer.
 */
#include <stdio.h>
#include <string.h>

#include <rte_telemetry.h>

#include "ctl/cdr.h"
#include "ctl/hep.h"
#include "ctl/quality.h"
#include "ctl/sip.h"
#include "ctl/snap.h"
#include "export/export.h"
#include "tel/tel.h"

static struct dsbc_app *tel_app;

static void
add(struct rte_tel_data *d, const char *name, uint64_t v)
{
	rte_tel_data_add_dict_u64(d, name, v);
}

/* "<name>_le_<bound>" cumulative, "_le_inf", "_sum", "_count" */
static void
histogram(struct rte_tel_data *d, const char *name, const uint64_t *b,
	  const uint32_t *le, unsigned int n, uint64_t sum, uint64_t count)
{
	char key[64];
	uint64_t cum = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		cum += b[i];
		snprintf(key, sizeof(key), "%s_le_%u", name, le[i]);
		add(d, key, cum);
	}
	snprintf(key, sizeof(key), "%s_le_inf", name);
	add(d, key, count);
	snprintf(key, sizeof(key), "%s_sum", name);
	add(d, key, sum);
	snprintf(key, sizeof(key), "%s_count", name);
	add(d, key, count);
}

static int
tel_quality(const char *cmd __rte_unused, const char *params,
	    struct rte_tel_data *d)
{
	struct dsbc_quality q;

	if (params != NULL && *params != '\0')
		return -EINVAL;
	dsbc_quality_read(dsbc_cdr_quality(tel_app), &q);
	rte_tel_data_start_dict(d);
	add(d, "streams", q.count);
	histogram(d, "jitter_us", q.jitter, dsbc_quality_jitter_le,
		  DSBC_QUALITY_JITTER_BUCKETS, q.jitter_sum, q.count);
	histogram(d, "loss_ppm", q.loss, dsbc_quality_loss_le,
		  DSBC_QUALITY_LOSS_BUCKETS, q.loss_sum, q.count);
	histogram(d, "mos_x100", q.mos, dsbc_quality_mos_le,
		  DSBC_QUALITY_MOS_BUCKETS, q.mos_sum, q.count);
	return 0;
}

static int
tel_cdr(const char *cmd __rte_unused, const char *params,
	struct rte_tel_data *d)
{
	const struct dsbc_cdr_stats *c = dsbc_cdr_stats(tel_app);
	const struct dsbc_export_stats *e = dsbc_export_stats(tel_app);

	if (params != NULL && *params != '\0')
		return -EINVAL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "destination",
		tel_app->cfg.cdr.syslog ? "syslog" :
		tel_app->cfg.cdr.file[0] ? tel_app->cfg.cdr.file : "none");
	add(d, "records", c->records);
	add(d, "pending", c->pending);
	add(d, "partial", c->partial);
	add(d, "lost", c->lost);
	add(d, "written", e->cdr_written);
	add(d, "errors", e->cdr_errors);
	add(d, "rotations", e->cdr_rotations);
	add(d, "ring_full", e->cdr_ring_full);
	return 0;
}

static int
tel_hep(const char *cmd __rte_unused, const char *params,
	struct rte_tel_data *d)
{
	const struct dsbc_hep_stats *h = dsbc_hep_stats(tel_app);
	const struct dsbc_export_stats *e = dsbc_export_stats(tel_app);
	char buf[80], ip[64];

	if (params != NULL && *params != '\0')
		return -EINVAL;
	rte_tel_data_start_dict(d);
	if (tel_app->cfg.hep.set)
		snprintf(buf, sizeof(buf), tel_app->cfg.hep.family == 6 ?
			 "[%s]:%u" : "%s:%u",
			 dsbc_addr_fmt(&tel_app->cfg.hep.addr,
				       tel_app->cfg.hep.family, ip, sizeof(ip)),
			 tel_app->cfg.hep.port);
	else
		snprintf(buf, sizeof(buf), "none");
	rte_tel_data_add_dict_string(d, "collector", buf);
	add(d, "captured", h->captured);
	add(d, "filtered", h->filtered);
	add(d, "reports", h->reports);
	add(d, "rtcp", h->rtcp);
	add(d, "rtcp_skipped", h->rtcp_skipped);
	add(d, "too_big", h->too_big);
	add(d, "sent", e->hep_sent);
	add(d, "errors", e->hep_errors);
	add(d, "dropped", e->hep_dropped);
	return 0;
}

/* a change made by the management lcore: {"result", "message"} */
static int
change(struct rte_tel_data *d, enum dsbc_snap_kind kind, uint32_t id,
       const char *arg)
{
	struct dsbc_snap_req *r;
	int rc;

	if (tel_app->sip == NULL || tel_app->sip->b2b == NULL)
		return -EINVAL;
	rc = dsbc_snap_ask_arg(tel_app, kind, id, arg, &r);
	if (rc != 0)
		return rc;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "result", r->rc == 0 ? "ok" :
				     "refused");
	rte_tel_data_add_dict_string(d, "message", r->msg);
	if (kind == DSBC_SNAP_DRAIN)
		add(d, "active", dsbc_b2bua_stats(tel_app->sip->b2b)->active);
	dsbc_snap_done();
	return 0;
}

static int
tel_drain(const char *cmd __rte_unused, const char *params,
	  struct rte_tel_data *d)
{
	if (params == NULL || *params == '\0') {
		if (tel_app->sip == NULL || tel_app->sip->b2b == NULL)
			return -EINVAL;
		rte_tel_data_start_dict(d);
		add(d, "draining", dsbc_b2bua_draining(tel_app->sip->b2b));
		add(d, "active", dsbc_b2bua_stats(tel_app->sip->b2b)->active);
		return 0;
	}
	if (strcmp(params, "on") != 0 && strcmp(params, "off") != 0)
		return -EINVAL;
	return change(d, DSBC_SNAP_DRAIN, strcmp(params, "on") == 0, "");
}

static int
tel_reload(const char *cmd __rte_unused, const char *params,
	   struct rte_tel_data *d)
{
	if (params != NULL && *params != '\0')
		return -EINVAL;
	return change(d, DSBC_SNAP_RELOAD, 0, "");
}

static int
tel_log_level(const char *cmd __rte_unused, const char *params,
	      struct rte_tel_data *d)
{
	if (params == NULL || *params == '\0' || strlen(params) >= 128)
		return -EINVAL;
	return change(d, DSBC_SNAP_LOG, 0, params);
}

int
dsbc_tel_ops_register(struct dsbc_app *app)
{
	tel_app = app;
	if (rte_telemetry_register_cmd("/dsbc/quality", tel_quality,
			"Media quality of ended calls' streams: jitter, loss "
			"and MOS histograms. No parameters") != 0 ||
	    rte_telemetry_register_cmd("/dsbc/cdr", tel_cdr,
			"Call detail records: written, pending, lost, "
			"rotations. No parameters") != 0 ||
	    rte_telemetry_register_cmd("/dsbc/hep", tel_hep,
			"HEP capture: messages, reports, sent, dropped. No "
			"parameters") != 0 ||
	    rte_telemetry_register_cmd("/dsbc/drain", tel_drain,
			"Parameter on: new calls and OPTIONS get 503, calls go "
			"on; off: accept again; none: the state") != 0 ||
	    rte_telemetry_register_cmd("/dsbc/reload", tel_reload,
			"Read the configuration file again (as SIGHUP); "
			"result and message") != 0 ||
	    rte_telemetry_register_cmd("/dsbc/log_level", tel_log_level,
			"Parameter: pattern:level[,pattern:level...], e.g. "
			"dsbc.b2bua:debug") != 0)
		return -1;
	return 0;
}
