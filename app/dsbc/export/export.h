/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_EXPORT_H
#define DSBC_EXPORT_H

/*
 * The export thread: what leaves dsbc for operators' tools and may
 * block, apart from the lcores.  Call detail records go to a file
 * (reopened for rotation) or syslog; HEP packets to a collector over a
 * UDP socket.  The management lcore hands it malloc'd buffers through
 * two single-producer rings and never waits: a full CDR ring is retried
 * (records wait in ctl/cdr.c), a full HEP ring drops and counts.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsbc_config.h"

struct dsbc_app;

/** Counters, written by the export thread (and the lcore's enqueue
 * failures by it), read by telemetry. */
struct dsbc_export_stats {
	uint64_t cdr_written;        /* lines written (or logged) */
	uint64_t cdr_errors;         /* write or open failures */
	uint64_t cdr_rotations;      /* reopens (SIGHUP, SIGUSR1) */
	uint64_t cdr_ring_full;      /* enqueue refused: retried later */
	uint64_t hep_sent;
	uint64_t hep_errors;         /* sendmmsg failures, packets */
	uint64_t hep_dropped;        /* ring full: dropped at the lcore */
};

/* Start the thread with cfg's [cdr] and [hep] (and tell the workers
 * whether to copy RTCP, app->hep_rtcp); 0 or -1 (logged). */
int dsbc_export_start(struct dsbc_app *app);
/* Write what is queued, then end the thread. */
void dsbc_export_stop(struct dsbc_app *app);

/* Management lcore: one CDR line (with its newline), malloc'd; taken
 * over on 0, left to the caller on -ENOBUFS (ring full). */
int dsbc_export_cdr(struct dsbc_app *app, char *line, size_t len);
/* Management lcore: one HEP packet, malloc'd; always taken over (freed
 * and counted when the ring is full). */
void dsbc_export_hep(struct dsbc_app *app, void *pkt, size_t len);
/* Management lcore: is there a CDR destination / a HEP collector (its
 * config, as reload left it)? */
bool dsbc_export_cdr_on(const struct dsbc_app *app);
bool dsbc_export_hep_on(const struct dsbc_app *app);

/* Any thread or a signal handler: reopen the CDR file. */
void dsbc_export_reopen(struct dsbc_app *app);
/* Management lcore: new [cdr] and [hep] (reload), taken by the thread
 * on its next pass; app->hep_rtcp follows at once. */
void dsbc_export_configure(struct dsbc_app *app,
			   const struct dsbc_cdr_cfg *cdr,
			   const struct dsbc_hep_cfg *hep);

const struct dsbc_export_stats *dsbc_export_stats(const struct dsbc_app *app);

#endif /* DSBC_EXPORT_H */
