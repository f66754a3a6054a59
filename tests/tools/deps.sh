#!/bin/sh
# Install what dsbc needs to build, test and demo on Debian 12, only what
# is missing.  Needs root for apt-get; prints what it does.
set -eu
# "deps.sh perf" adds what the benchmarks compare against, "deps.sh deb"
# what dpkg-buildpackage needs on top of the build dependencies
EXTRA=""
[ "${1:-}" = perf ] && EXTRA="rtpengine-daemon"
[ "${1:-}" = deb ] && EXTRA="debhelper dpkg-dev build-essential"
PKGS="$EXTRA gcc make pkg-config meson ninja-build python3 iproute2 procps \
libdpdk-dev dpdk dpdk-dev libssl-dev openssl libsrtp2-dev libpcap-dev libcunit1-dev libjansson-dev libcurl4-openssl-dev clang libclang-rt-14-dev \
tshark sip-tester ethtool iputils-ping baresip-core stunnel4 python3-websockets nftables secsipidx \
kamailio kamailio-tls-modules prometheus sngrep \
chromium"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
# npm (JsSIP for the browser test) may come with another Node.js package
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -z "$missing" ]; then
	echo "deps: all packages present"
	exit 0
fi
echo "deps: installing:$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: not root: run 'apt-get install$missing' as root" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
# prometheus is here for promtool (the metrics tests): its server, which
# the package may have started, is not wanted
case " $missing " in
*" prometheus "*)
	if [ -d /run/systemd/system ]; then
		systemctl disable --now prometheus || true
	elif [ -x /etc/init.d/prometheus ]; then
		/etc/init.d/prometheus stop || true
	fi
	;;
esac
