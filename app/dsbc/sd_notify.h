/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DSBC_SD_NOTIFY_H
#define DSBC_SD_NOTIFY_H

/*
 * systemd's readiness protocol (sd_notify(3)) without libsystemd: one
 * datagram of "KEY=value" lines to the AF_UNIX socket named in
 * $NOTIFY_SOCKET (a path, or "@name" in the abstract namespace).  Under
 * a Type=notify unit, READY=1 tells systemd the ports are up.
 */

/* Send state (e.g. "READY=1\nSTATUS=..."); 0 sent, 1 no NOTIFY_SOCKET
 * (not under systemd), -1 failed. */
int dsbc_sd_notify(const char *state);

#endif /* DSBC_SD_NOTIFY_H */
