#!/bin/sh
# make demo: dsbc on the default config (config/dsbc.conf, two net_pcap
# virtual ports), a generated media stream through its static flows, the
# telemetry counters that prove it, a clean stop.
set -eu
build=${1:-build}
exec python3 tests/demo/demo.py --build "$build"
