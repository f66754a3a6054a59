/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <rte_cfgfile.h>
#include <rte_log.h>

#include "dsbc_profile.h"
#include "log.h"

static bool
yes(const char *v, bool dflt)
{
	if (v == NULL)
		return dflt;
	return !strcasecmp(v, "yes") || !strcasecmp(v, "true") ||
	       !strcmp(v, "1");
}

static uint16_t
num(const char *v, uint16_t dflt)
{
	long n;
	char *end;

	if (v == NULL)
		return dflt;
	n = strtol(v, &end, 10);
	return (*end == '\0' && n > 0 && n <= 16384) ? (uint16_t)n : dflt;
}

void
dsbc_profile_load(const char *dir, const char *driver, struct dsbc_profile *p)
{
	struct rte_cfgfile *f;
	const char *v;
	char *end;

	memset(p, 0, sizeof(*p));
	p->rx_desc = 1024;
	p->tx_desc = 1024;
	p->rss = true;
	p->tx_cksum_offload = true;
	snprintf(p->file, sizeof(p->file), "%s/%s.conf", dir, driver);
	if (access(p->file, R_OK) != 0) {
		p->file[0] = '\0';
		return;
	}
	f = rte_cfgfile_load(p->file, 0);
	if (f == NULL) {
		DSBC_LOG(main, WARNING, "driver profile %s unreadable, defaults used\n",
			p->file);
		p->file[0] = '\0';
		return;
	}
	p->rx_desc = num(rte_cfgfile_get_entry(f, "port", "rx_desc"), p->rx_desc);
	p->tx_desc = num(rte_cfgfile_get_entry(f, "port", "tx_desc"), p->tx_desc);
	p->rss = yes(rte_cfgfile_get_entry(f, "port", "rss"), p->rss);
	p->rte_flow = yes(rte_cfgfile_get_entry(f, "port", "rte_flow_steering"),
			  p->rte_flow);
	p->rx_all_queues = yes(rte_cfgfile_get_entry(f, "port",
						     "rx_all_queues"),
			       p->rx_all_queues);
	p->tx_cksum_offload = yes(rte_cfgfile_get_entry(f, "port",
							"tx_cksum_offload"),
				  p->tx_cksum_offload);
	v = rte_cfgfile_get_entry(f, "port", "vdev_args");
	if (v != NULL)
		snprintf(p->vdev_args, sizeof(p->vdev_args), "%s", v);
	v = rte_cfgfile_get_entry(f, "port", "rx_buf_size");
	if (v != NULL) {
		long n = strtol(v, &end, 10);

		if (*end == '\0' && n >= 0 && n <= 65535)
			p->rx_buf_size = (uint32_t)n;
		else
			DSBC_LOG(main, WARNING, "%s: rx_buf_size '%s' is not "
				"0..65535, ignored\n", p->file, v);
	}
	rte_cfgfile_close(f);
}
