/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dsbc [EAL options] -- -f FILE
 *
 * Main lcore = management, every other lcore = worker.  Start-up order:
 * config (read and checked before the EAL starts), EAL, mempool,
 * workers, rings, ports (configured, not started),
 * workers launched (control messages only), static flows installed and
 * synced, ports started, data plane opened.  SIGINT/SIGTERM: clean stop.
 */
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_bus_vdev.h>
#include <rte_cryptodev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pdump.h>

#include "dsbc_b2bua.h"
#include "ctl/exc_tap.h"
#include "ctl/mgmt.h"
#include "ctl/sip_tcp.h"
#include "dp/worker.h"
#include "tel/tel.h"
#include "log.h"
#include "sd_notify.h"
#include "ctl/cdr.h"
#include "ctl/reload.h"
#include "export/export.h"

#define EXIT_CONFIG 2

static volatile bool *quit_flag;
static volatile bool *reload_flag;
static struct dsbc_app *signal_app;

/* SIGHUP: reload and reopen the CDR file; SIGUSR1: reopen only (what
 * logrotate's postrotate sends) */
static void
on_signal(int sig)
{
	if (sig == SIGHUP || sig == SIGUSR1) {
		if (signal_app != NULL)
			dsbc_export_reopen(signal_app);
		if (sig == SIGHUP && reload_flag != NULL)
			*reload_flag = true;
		return;
	}
	if (quit_flag != NULL)
		*quit_flag = true;
}

static void
usage(const char *prog)
{
	DSBC_LOG(main, ERR, "usage: %s [EAL options] -- -f FILE\n"
		 "  -f FILE   configuration (INI, see config/dsbc.conf)\n"
		 "  -h        this help\n", prog);
}

static int
parse_args(int argc, char **argv, const char **conf)
{
	int opt;

	*conf = NULL;
	optind = 1;
	while ((opt = getopt(argc, argv, "f:h")) != -1) {
		switch (opt) {
		case 'f':
			*conf = optarg;
			break;
		case 'h':
			usage("dsbc");
			exit(0);
		default:
			usage("dsbc");
			return -1;
		}
	}
	if (optind < argc) {
		DSBC_LOG(main, ERR, "unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (*conf == NULL) {
		DSBC_LOG(main, ERR, "-f FILE is required\n");
		return -1;
	}
	return 0;
}

/* srtp_engine = cryptodev: one crypto_aesni_mb device (a hardware one
 * could be named instead), a queue pair per worker. */
static int
create_cdev(struct dsbc_app *app, uint16_t nb_workers)
{
	char args[64];
	uint64_t nb_sess;
	int dev;

	if (app->cfg.srtp_engine != 1)
		return 0;
	/* the driver's default is 8 queue pairs; one per worker here */
	snprintf(args, sizeof(args), "max_nb_queue_pairs=%u,socket_id=%d",
		 nb_workers, (int)rte_socket_id());
	if (rte_vdev_init("crypto_aesni_mb_dsbc", args) != 0 ||
	    (dev = rte_cryptodev_get_dev_id("crypto_aesni_mb_dsbc")) < 0) {
		DSBC_LOG(main, ERR, "srtp_engine = cryptodev: cannot create "
			"the crypto_aesni_mb device\n");
		return -1;
	}
	/* per terminated flow, protect and unprotect, each one device
	 * session for SRTCP and one for SRTP (AES-CM) or one per GCM header
	 * length */
	nb_sess = 2ull * (DSBC_SRTP_CDEV_NB_AAD + 1) *
		  app->cfg.terminate_capacity * nb_workers;
	if (nb_sess > UINT32_MAX ||
	    dsbc_srtp_cdev_init(&app->cdev, (uint8_t)dev, nb_workers,
				(unsigned int)nb_sess, app->cfg.cryptodev_qp_size,
				(int)rte_socket_id()) != 0) {
		DSBC_LOG(main, ERR, "srtp_engine = cryptodev: cannot start "
			"the device with %u queue pairs and %" PRIu64 " "
			"sessions (terminate_capacity %u per worker)\n",
			nb_workers, nb_sess, app->cfg.terminate_capacity);
		return -1;
	}
	app->has_cdev = true;
	return 0;
}

static int
create_workers(struct dsbc_app *app)
{
	unsigned int lcore;
	uint16_t n = 0;

	if (create_cdev(app, (uint16_t)rte_lcore_count() - 1) != 0)
		return -1;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (n >= DSBC_CFG_MAX_WORKERS) {
			DSBC_LOG(main, ERR, "more than %d worker lcores\n",
				DSBC_CFG_MAX_WORKERS);
			return -1;
		}
		app->workers[n] = dsbc_worker_create(app, n, lcore);
		if (app->workers[n] == NULL) {
			DSBC_LOG(main, ERR, "worker %u: cannot allocate its flow "
				"table (flow_capacity %u): %s\n", n,
				app->cfg.flow_capacity, rte_strerror(rte_errno));
			return -1;
		}
		n++;
		app->nb_workers = n;
	}
	return 0;
}

static void
teardown(struct dsbc_app *app)
{
	uint16_t w;

	/* what the calls' ends left to write, written */
	dsbc_export_stop(app);
	dsbc_cdr_fini(app);
	dsbc_sip_tcp_fini(app);
	dsbc_exc_tap_free(app);
	dsbc_ports_close(app);
	dsbc_mgmt_free(app);
	for (w = 0; w < app->nb_workers; w++)
		dsbc_worker_free(app->workers[w]);
	if (app->has_cdev)
		dsbc_srtp_cdev_fini(&app->cdev);
	/* last: rings and queues freed above may have held their mbufs */
	dsbc_ports_free_pools(app);
	rte_mempool_free(app->pool);
	dsbc_config_free(&app->cfg);
}

/*
 * Calls and transactions the config does not size: call slots take
 * 1/256 of the machine's memory (a 24 GiB machine: about 7,500 calls of
 * 13 KiB, 96 MiB), within [4096, 1M]; transactions four per call, at
 * least 16384: a sustained R calls/s keeps about 96 R of them (their
 * RFC 3261 timers), which holds for calls of a minute or more.  Both
 * tables are resident from start.
 */
static void
size_from_memory(struct dsbc_config *c)
{
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
	uint64_t mem = pages > 0 && psz > 0 ? (uint64_t)pages * (uint64_t)psz :
		       0;

	if (c->max_calls == 0) {
		uint64_t n = mem / 256 / dsbc_b2bua_call_bytes();

		if (n < 4096)
			n = 4096;
		c->max_calls = (uint32_t)RTE_MIN(n, 1ull << 20);
		DSBC_LOG(main, INFO, "max_calls %u, sized from %" PRIu64
			" MiB of memory (%zu bytes a call)\n", c->max_calls,
			mem >> 20, dsbc_b2bua_call_bytes());
	}
	if (c->max_transactions == 0) {
		c->max_transactions = RTE_MAX(4 * c->max_calls, 16384u);
		DSBC_LOG(main, INFO, "max_transactions %u, four per call "
			"(%zu bytes each)\n", c->max_transactions,
			dsbc_b2bua_txn_bytes());
	}
}

/*
 * A refusal once the EAL runs (too few lcores, ports or memory the
 * config asks for): the EAL is stopped and its runtime directory
 * (/var/run/dpdk/<prefix>: config, sockets) removed, so nothing of the
 * attempt stays behind.
 */
static int
eal_exit_config(void)
{
	char dir[PATH_MAX];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	d = dir[0] != '\0' ? opendir(dir) : NULL;
	if (d == NULL)
		return EXIT_CONFIG;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	rmdir(dir);
	return EXIT_CONFIG;
}

int
main(int argc, char **argv)
{
	static struct dsbc_app app;   /* lives as long as the process */
	char err[DSBC_CFG_ERR_LEN];
	const char *conf;
	uint16_t w;
	int n, rc;

	/* The config is read and checked before the EAL starts: a file
	 * that is refused starts nothing and leaves nothing behind (no
	 * hugepages taken, no /var/run/dpdk/<prefix>) */
	for (n = 1; n < argc && strcmp(argv[n], "--") != 0; n++)
		;
	if (parse_args(n < argc ? argc - n : 1, n < argc ? argv + n : argv,
		       &conf) != 0)
		return EXIT_CONFIG;
	if (dsbc_config_load(conf, &app.cfg, err, sizeof(err)) != 0) {
		DSBC_LOG(main, ERR, "%s\n", err);
		return EXIT_CONFIG;
	}
	if (dsbc_log_levels(app.cfg.log_level) != 0) {
		DSBC_LOG(main, ERR, "%s: [dsbc] log_level: '%s' is not "
			 "type:level[,type:level...]\n", conf, app.cfg.log_level);
		dsbc_config_free(&app.cfg);
		return EXIT_CONFIG;
	}
	n = rte_eal_init(argc, argv);
	if (n < 0) {
		DSBC_LOG(main, ERR, "EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		dsbc_config_free(&app.cfg);
		return EXIT_CONFIG;
	}
	/* [dsbc] log_level has the last word over --log-level */
	dsbc_log_levels(app.cfg.log_level);
	size_from_memory(&app.cfg);
	if (rte_lcore_count() < 2) {
		DSBC_LOG(main, ERR, "needs at least 2 lcores (management + one "
			"worker); give -l or --lcores\n");
		goto config_error;
	}
	app.tsc_hz = rte_get_tsc_hz();
	app.start_tsc = rte_rdtsc();
	app.mgmt_txq = (uint16_t)(rte_lcore_count() - 1);
	if (dsbc_slices_init(&app.slices, app.cfg.media_port_min,
			     app.cfg.media_port_max,
			     (uint16_t)(rte_lcore_count() - 1)) != 0) {
		DSBC_LOG(main, ERR, "%s: [dsbc] media_port_min: range %u-%u "
			"cannot give each of %u workers an even slice of 2+ ports\n",
			app.cfg.path, app.cfg.media_port_min, app.cfg.media_port_max,
			rte_lcore_count() - 1);
		goto config_error;
	}
	/* held packets are mbufs the queues cannot refill with */
	if ((uint64_t)app.cfg.srtp_hold_packets * (rte_lcore_count() - 1) >
	    app.cfg.mbufs / 4) {
		DSBC_LOG(main, ERR, "%s: [dsbc] srtp_hold_packets: %u per "
			"worker, %u workers: more than a quarter of the %u "
			"mbufs\n", app.cfg.path, app.cfg.srtp_hold_packets,
			rte_lcore_count() - 1, app.cfg.mbufs);
		goto config_error;
	}
	app.pool = rte_pktmbuf_pool_create("dsbc_mbufs", app.cfg.mbufs, 256, 0,
					   app.cfg.mbuf_data_size,
					   (int)rte_socket_id());
	if (app.pool == NULL) {
		DSBC_LOG(main, ERR, "%s: [dsbc] mbufs: cannot allocate %u mbufs "
			"of %u bytes: %s\n", app.cfg.path, app.cfg.mbufs,
			app.cfg.mbuf_data_size, rte_strerror(rte_errno));
		goto config_error;
	}
	if (create_workers(&app) != 0 || dsbc_mgmt_setup(&app) != 0 ||
	    dsbc_ports_init(&app) != 0 || dsbc_exc_tap_setup(&app) != 0 ||
	    dsbc_sip_tcp_init(&app) != 0 || dsbc_cdr_init(&app) != 0 ||
	    dsbc_export_start(&app) != 0)
		goto config_error;
	dsbc_reload_route_features(&app.cfg);
	if (rte_pdump_init() != 0)
		DSBC_LOG(main, ERR, "packet capture (pdump) unavailable: %s\n",
			rte_strerror(rte_errno));
	if (dsbc_telemetry_register(&app) != 0)
		DSBC_LOG(main, ERR, "telemetry commands not registered\n");

	quit_flag = &app.quit;
	reload_flag = &app.reload;
	signal_app = &app;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGUSR1, on_signal);

	for (w = 0; w < app.nb_workers; w++)
		rte_eal_remote_launch(dsbc_worker_main, app.workers[w],
				      app.workers[w]->lcore_id);

	rc = dsbc_mgmt_install_static(&app);
	if (rc == 0)
		rc = dsbc_mgmt_sync(&app, 10000 + app.cfg.nb_flows / 10);
	if (rc != 0) {
		DSBC_LOG(main, ERR, "installing %u static flows failed: %s\n",
			app.cfg.nb_flows, strerror(-rc));
		app.quit = app.dp_quit = true;
		rte_eal_mp_wait_lcore();
		teardown(&app);
		return eal_exit_config();
	}
	if (dsbc_ports_start(&app) != 0) {
		app.quit = app.dp_quit = true;
		rte_eal_mp_wait_lcore();
		teardown(&app);
		return eal_exit_config();
	}
	app.dp_running = true;
	DSBC_LOG(main, NOTICE, "ready: %u workers, %u ports, %u static flows installed "
	       "(%" PRIu64 " acked)\n", app.nb_workers, app.nb_ports,
	       app.cfg.nb_flows, app.mst.flows_installed);
	fflush(stdout);
	/* Type=notify: systemd starts what depends on dsbc only now */
	{
		char st[128];

		snprintf(st, sizeof(st), "READY=1\nSTATUS=%u workers, %u "
			 "ports\nMAINPID=%ld", app.nb_workers, app.nb_ports,
			 (long)getpid());
		if (dsbc_sd_notify(st) < 0)
			DSBC_LOG(main, WARNING, "NOTIFY_SOCKET: readiness "
				 "not sent\n");
	}

	dsbc_mgmt_loop(&app);

	DSBC_LOG(main, NOTICE, "stopping\n");
	fflush(stdout);
	dsbc_sd_notify("STOPPING=1");
	app.dp_running = false;
	app.dp_quit = true;
	rte_eal_mp_wait_lcore();
	rte_pdump_uninit();
	teardown(&app);
	rte_eal_cleanup();
	return 0;

config_error:
	if (app.nb_workers > 0 || app.pool != NULL)
		teardown(&app);
	else
		dsbc_config_free(&app.cfg);
	return eal_exit_config();
}
