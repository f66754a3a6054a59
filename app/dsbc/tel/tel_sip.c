/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /dsbc/sip: the UDP transport's counters (ctl/sip_udp.c) and the SIP
 * user agent's (lib/b2bua), under the names they have always had.
 */
#include <stdio.h>

#include <rte_telemetry.h>

#include "ctl/sip.h"
#include "ctl/sip_tcp.h"
#include "tel/tel.h"

static struct dsbc_app *tel_app;

static void
add(struct rte_tel_data *d, const char *name, uint64_t v)
{
	rte_tel_data_add_dict_u64(d, name, v);
}

static int
tel_sip(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct dsbc_b2bua_stats *bs;
	const struct dsbc_sip_stats *st;
	char name[64];
	unsigned int i;

	RTE_SET_USED(cmd);
	if (tel_app == NULL || tel_app->sip == NULL ||
	    tel_app->sip->b2b == NULL || (params != NULL && *params != '\0'))
		return -EINVAL;
	st = &tel_app->sip->st;
	bs = dsbc_b2bua_stats(tel_app->sip->b2b);
	rte_tel_data_start_dict(d);
	add(d, "rx", st->rx);
	for (i = 1; i < DSBC_SIP_M_MAX; i++) {
		snprintf(name, sizeof(name), "rx_%s", dsbc_sip_method_name(i));
		add(d, name, bs->rx_req[i]);
	}
	add(d, "rx_other_method", bs->rx_req[0]);
	for (i = 1; i < 7; i++) {
		snprintf(name, sizeof(name), "rx_%uxx", i);
		add(d, name, bs->rx_resp[i]);
	}
	for (i = 1; i < DSBC_SIP_ERR_MAX; i++)
		add(d, dsbc_sip_err_name(i), bs->sip_err[i]);
	add(d, "discarded", bs->discarded);
	add(d, "tx", st->tx);
	for (i = 1; i < 7; i++) {
		snprintf(name, sizeof(name), "tx_%uxx", i);
		add(d, name, bs->tx_resp[i]);
	}
	add(d, "tx_fragments", st->tx_frags);
	add(d, "tx_fail", st->tx_fail);
	add(d, "fragments_rx", st->frag_rx);
	add(d, "reassembled", st->reassembled);
	add(d, "fragments_dropped_ipv6", st->frag_dropped);
	add(d, "not_sip", st->not_udp);
	add(d, "stateless_501", bs->stateless_501);
	add(d, "bad_via_branch", bs->bad_branch);
	add(d, "tx_no_neigh", st->tx_no_neigh);
	add(d, "retransmissions_absorbed", bs->retransmissions_absorbed);
	add(d, "transaction_timeouts", bs->txn_timeouts);
	add(d, "rate_limited", st->rate_limited);
	add(d, "transactions", bs->txns);
	/* RFC 3261 12.2.2: what did not match a dialog, and why */
	add(d, "dialog_no_match", bs->dialog_no_match);
	add(d, "dialog_cseq_low", bs->dialog_cseq_low);
	add(d, "dialog_source_refused", bs->dialog_source);
	add(d, "cancel_no_match", bs->cancel_no_match);
	add(d, "ack_no_match", bs->ack_no_match);
	add(d, "ack_retransmissions", bs->ack_retransmissions);
	add(d, "callid_in_use", bs->callid_in_use);
	add(d, "replaces_mapped", bs->replaces_mapped);
	add(d, "replaces_no_match", bs->replaces_no_match);
	/* SIP over TCP (ctl/sip_tcp.c), when a port has the kernel path */
	{
		uint32_t open = 0;
		const struct dsbc_sip_tcp_stats *ts =
			dsbc_sip_tcp_stats(tel_app, &open);

		if (ts != NULL) {
			add(d, "tcp_open", open);
			add(d, "tcp_accepted", ts->accepted);
			add(d, "tcp_refused", ts->refused);
			add(d, "tcp_closed", ts->closed);
			add(d, "tcp_idle_closed", ts->idle_closed);
			add(d, "tcp_too_big", ts->too_big);
			add(d, "tcp_bad_length", ts->bad_length);
			add(d, "tcp_tx_overflow", ts->tx_overflow);
			add(d, "tcp_rx_bytes", ts->rx_bytes);
			add(d, "tcp_rx_msgs", ts->rx_msgs);
			add(d, "tcp_tx_msgs", ts->tx_msgs);
			add(d, "tcp_tx_no_conn", ts->tx_no_conn);
			add(d, "tcp_pings", ts->pings);
		}
	}
	return 0;
}

int
dsbc_tel_sip_register(void)
{
	return rte_telemetry_register_cmd("/dsbc/sip", tel_sip,
		"SIP counters: messages by method and class, refusals by "
		"reason, fragments, dialog matching");
}

void
dsbc_tel_sip_set_app(struct dsbc_app *app)
{
	tel_app = app;
}
