#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The foundation demo: alice (access side) and bob (core side) exchange
media through dsbc's static flows on net_pcap ports."""

import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
from dsbclib import Dsbc, Frame, pcap_read  # noqa: E402


def gen(build, out, args):
    cmd = [os.path.join(build, "app/dsbc-gen/dsbc-gen"), "--pcap-out", out]
    r = subprocess.run(cmd + args, capture_output=True, text=True, check=True)
    print("  " + r.stdout.strip())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    build = ap.parse_args().build
    os.makedirs("out/demo", exist_ok=True)
    for f in os.listdir("out/demo"):
        os.unlink(os.path.join("out/demo", f))
    print("1. dsbc-gen builds the media: alice 192.0.2.10:40000 -> "
          "dsbc 192.0.2.1:20000 (RTP, DTLS, STUN, RTCP), bob "
          "198.51.100.20:30000 -> dsbc 198.51.100.1:20002 (RTP)")
    gen(build, "out/demo/access-in.pcap",
        ["--kind", "mix", "--count", "200", "--flow",
         "192.0.2.10:40000-192.0.2.1:20000", "--src-mac",
         "02:00:00:00:0a:10", "--dst-mac", "02:00:00:00:0a:01"])
    gen(build, "out/demo/core-in.pcap",
        ["--kind", "rtp", "--count", "100", "--flow",
         "198.51.100.20:30000-198.51.100.1:20002", "--src-mac",
         "02:00:00:00:0b:20", "--dst-mac", "02:00:00:00:0b:01"])
    print("2. dsbc starts on config/dsbc.conf (net_pcap0 = access, "
          "net_pcap1 = core)")
    d = Dsbc(build, "config/dsbc.conf", "dsbc-demo")
    try:
        d.wait_ready()
        print("  " + [x for x in d.output().splitlines()
                      if x.startswith("dsbc: ready")][0])
        st = d.wait_rx(300)
        print("3. telemetry /dsbc/stats (non-zero counters):")
        for k, v in st.items():
            if v:
                print("  %-28s %d" % (k, v))
        print("   /dsbc/flows,0 (alice -> bob):")
        print("  " + json.dumps(d.tel.query("/dsbc/flows,0")))
        print("   /dsbc/lcores:")
        print("  " + json.dumps(d.tel.query("/dsbc/lcores")))
    finally:
        rc = d.stop()
    print("4. dsbc stopped on SIGTERM, exit status %d" % rc)
    to_bob = pcap_read("out/demo/core-out-0.pcap")
    to_alice = pcap_read("out/demo/access-out-0.pcap")
    print("5. relayed frames: %d to bob (out/demo/core-out-0.pcap), "
          "%d to alice (out/demo/access-out-0.pcap)" % (len(to_bob),
                                                        len(to_alice)))
    if to_bob:
        f = Frame(to_bob[0])
        print("   first to bob: %s > %s  %s:%d > %s:%d  udp checksum %s" % (
            f.src_mac, f.dst_mac, f.src, f.sport, f.dst, f.dport,
            "ok" if f.udp_csum_ok else "BAD"))
    ok = rc == 0 and len(to_bob) == 200 and len(to_alice) == 100 and \
        st["tx"] == 300
    print("demo: %s" % ("OK" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
