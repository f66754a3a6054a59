#!/bin/sh
# make demo: a baresip DTLS-SRTP + ICE call through dsbc between two
# network namespaces, with live telemetry (tests/demo/demo.py); the
# net_pcap walk-through of the static flows is tests/demo/pcap_demo.py.
set -eu
build=${1:-build}
exec python3 tests/demo/demo.py --build "$build"
