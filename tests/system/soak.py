#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""make soak: the long system tests, run by hand (they take minutes) with
their results recorded in docs/performance.md.

test_100k_sustained: 100,000 calls through dsbc at a sustained 500
calls/s, each with 25 RTP packets from A (0.5 s of 20 ms audio) and up
for 1 s, then ended by A.  Every call must complete, the RTP be relayed,
and calls, flows and media ports go back to where they were.

Prints one line per test and "N passed, N failed"; exit status 1 on any
failure.
"""
import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
sys.path.insert(0, HERE)     # this run.py, not the integration one
import run as system  # noqa: E402
from dsbclib import check, eq  # noqa: E402


def test_100k_sustained():
    n, rate, pkts = 100000, 500, 25
    pcap = system.rtp_pcap(os.path.abspath("out/system/rtp_soak.pcap"), pkts)
    media = ('  <nop><action><exec play_pcap_audio="%s"/></action></nop>'
             % pcap)
    uac = system.scenario("uac_call.xml",
                          os.path.abspath("out/system/uac_soak.xml"),
                          MEDIA=media, HOLD_MS="1000", END_A=system.A_BYE)
    uas = system.uas_scenario(os.path.abspath("out/system/uas_soak.xml"))
    t0 = time.time()
    r = system.run_call(
        "soak", uac, uas, calls=n, rate=rate, limit=4 * rate,
        dsbc_extra="sip_rate_pps = 0\nmax_transactions = 131072\n",
        extra_uac=["-timeout", "900"], extra_uas=["-timeout", "900"],
        deadline_s=900)
    elapsed = time.time() - t0
    st = r["stats"]
    print("  %d calls in %.0f s; sipp: %d successful (A), %d (B); dsbc: "
          "answered %d, rx_rtp %d, tx %d, drops %d" % (
              n, elapsed, r["uac_ok"], r["uas_ok"], r["calls"]["answered"],
              st["rx_rtp"], st["tx"], st["drops"]))
    system.sipp_ok(r)
    eq(r["uac_ok"], n, "calls completed (sipp UAC)")
    eq(r["calls"]["answered"], n, "calls answered by dsbc")
    check(st["rx_rtp"] >= n * pkts * 0.99, "RTP into dsbc: %d of %d" % (
        st["rx_rtp"], n * pkts))
    check(st["tx"] >= st["rx_rtp"] * 0.99, "RTP relayed: %d of %d" % (
        st["tx"], st["rx_rtp"]))


TESTS = [test_100k_sustained]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("-k", help="run tests whose name contains this")
    args = ap.parse_args()
    system.BUILD = args.build
    os.makedirs("out/system", exist_ok=True)
    passed = failed = 0
    for t in TESTS:
        if args.k and args.k not in t.__name__:
            continue
        t0 = time.time()
        try:
            t()
            passed += 1
            print("PASS %s (%.1fs)" % (t.__name__, time.time() - t0))
        except Exception as e:  # noqa: BLE001 - report and go on
            failed += 1
            print("FAIL %s: %s" % (t.__name__, e))
        sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
