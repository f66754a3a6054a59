/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /dsbc/stir: the STIR services' counters: what was signed, what was
 * verified and what failed by reason (lib/b2bua), the x5u certificate
 * cache (lib/stir) and its fetches (ctl/stir_fetch.c), and dsbc's own
 * DTLS fingerprint, the one peers pin and dsbc's mky carries where it
 * terminates the media.
 */
#include <stdio.h>

#include <rte_telemetry.h>

#include "dsbc_stir_cache.h"
#include "dsbc_stir_verify.h"
#include "ctl/sip.h"
#include "ctl/stir_fetch.h"
#include "tel/tel.h"

static struct dsbc_app *tel_app;

static void
add(struct rte_tel_data *d, const char *name, uint64_t v)
{
	rte_tel_data_add_dict_u64(d, name, v);
}

static int
tel_stir(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct dsbc_stir_fetch_stats *fs;
	const struct dsbc_stir_cache_stats *cs;
	const struct dsbc_b2bua_stats *bs;
	struct rte_tel_data *failed;
	unsigned int i;

	RTE_SET_USED(cmd);
	if (tel_app == NULL || tel_app->sip == NULL ||
	    tel_app->sip->b2b == NULL || (params != NULL && *params != '\0'))
		return -EINVAL;
	bs = dsbc_b2bua_stats(tel_app->sip->b2b);
	cs = dsbc_b2bua_stir_cache_stats(tel_app->sip->b2b);
	fs = dsbc_stir_fetch_stats(tel_app);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "fingerprint",
			dsbc_b2bua_fingerprint(tel_app->sip->b2b));
	/* the authentication service (RFC 8224 6.1) */
	add(d, "signed", bs->stir_signed);
	add(d, "sign_skipped", bs->stir_sign_skipped);
	add(d, "resigned", bs->stir_resigned);
	/* the verification service (RFC 8224 6.2) */
	add(d, "verified", bs->stir_verified);
	failed = rte_tel_data_alloc();
	if (failed == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(failed);
	for (i = 1; i < DSBC_STIR_RESULT_MAX; i++)
		add(failed, dsbc_stir_result_name(i), bs->stir_result[i]);
	rte_tel_data_add_dict_container(d, "failed", failed, 0);
	add(d, "refused", bs->stir_refused);
	add(d, "marked", bs->stir_marked);
	add(d, "parked", bs->stir_parked);
	add(d, "park_full", bs->stir_park_full);
	add(d, "fetches", bs->stir_fetches);
	add(d, "fetch_refused", bs->stir_fetch_refused);
	add(d, "fetch_timeouts", bs->stir_fetch_timeouts);
	if (fs != NULL) {
		add(d, "http_requests", fs->started);
		add(d, "http_ok", fs->ok);
		add(d, "http_failed", fs->failed);
		add(d, "cert_dir_hits", fs->from_dir);
		add(d, "fetch_busy", fs->busy);
		add(d, "fetches_in_flight", fs->in_flight);
	}
	if (cs != NULL) {
		add(d, "cache_hits", cs->hits);
		add(d, "cache_misses", cs->misses);
		add(d, "cache_stored", cs->stored);
		add(d, "cache_untrusted", cs->untrusted);
		add(d, "cache_bad_body", cs->bad_body);
		add(d, "cache_fetch_failed", cs->fetch_failed);
		add(d, "cache_evicted", cs->evicted);
		add(d, "cache_entries", cs->entries);
	}
	return 0;
}

int
dsbc_tel_stir_register(struct dsbc_app *app)
{
	tel_app = app;
	return rte_telemetry_register_cmd("/dsbc/stir", tel_stir,
		"STIR: signed, verified, failed by reason, x5u fetches and "
		"certificate cache, dsbc's DTLS fingerprint. No parameters");
}
