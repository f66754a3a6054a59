#!/bin/sh
# meson install's last step: on a real install (no DESTDIR) as root,
# create the dsbc user and /var/lib/dsbc now and let systemd see the
# unit.  A staged install (DESTDIR, a package build) leaves that to the
# package's maintainer scripts.
set -u
[ -z "${DESTDIR:-}" ] || exit 0
[ "$(id -u)" = 0 ] || exit 0
prefix=$1
if command -v systemd-sysusers >/dev/null 2>&1; then
	systemd-sysusers "$prefix/lib/sysusers.d/dsbc.conf"
fi
if command -v systemd-tmpfiles >/dev/null 2>&1; then
	systemd-tmpfiles --create "$prefix/lib/tmpfiles.d/dsbc.conf"
fi
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload
fi
exit 0
