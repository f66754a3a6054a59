#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""make demo: a DTLS-SRTP call with ICE between two baresip user agents,
alice and bob, each in its own network namespace, through dsbc on
net_af_packet ports.  Prints /dsbc/calls and the call's /dsbc/call,<id>
every second, hangs up, prints bob's RTCP summary, tears everything
down."""

import argparse
import importlib.util
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "system"))
import baresip_peer  # noqa: E402
from dsbclib import Dsbc  # noqa: E402

# the system tests' run.py (tests/integration has a run.py too)
_spec = importlib.util.spec_from_file_location(
    "system_run", os.path.join(HERE, "..", "system", "run.py"))
system = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(system)


def leg_line(name, leg):
    return ("    %s leg: ice=%s latched=%s sends_to=%s pkts=%s rtp=%s dtls=%s "
            "stun_answered=%s consent=%s" % (
                name, leg.get("ice"), leg.get("m0_rtp_in_latched"),
                leg.get("m0_rtp_in_sends_to"), leg.get("m0_rtp_in_pkts"),
                leg.get("m0_rtp_in_rtp"), leg.get("m0_rtp_in_dtls"),
                leg.get("m0_rtp_in_stun_answered"),
                leg.get("m0_rtp_in_consent", "-")))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--seconds", type=int, default=10)
    a = ap.parse_args()
    system.BUILD = a.build
    why = system.have_netns()
    if why:
        print("demo: needs network namespaces (%s); run as root" % why)
        return 1
    out = os.path.abspath("out/demo")
    os.makedirs(out, exist_ok=True)
    print("1. namespaces alice (10.10.1.10) and bob (10.10.2.20), veth pairs "
          "into dsbc's two net_af_packet ports (10.10.1.1, 10.10.2.1)")
    topo = system.Topology("dm")
    topo.setup()
    d = None
    rc = 1
    try:
        conf = os.path.join(out, "dsbc.conf")
        system.dsbc_conf(topo, conf)
        with open(conf, "a") as f:
            f.write("[route.0]\nnext_hop = 10.10.2.20:5060\n")
        print("2. dsbc starts (config %s)" % conf)
        d = Dsbc(a.build, conf, "dsbc-demo", lcores="0-1")
        d.wait_ready()
        info = d.tel.query("/dsbc/info")
        print("   %s" % {k: info[k] for k in list(info)[:6]})
        print("3. baresip bob answers automatically; baresip alice dials "
              "sip:bob@10.10.1.1 (DTLS-SRTP, ICE, PCMU); dsbc routes it "
              "to bob")
        alice, bob, logs = baresip_peer.start_call(topo, out, a.seconds)
        print("4. live telemetry, every second:")
        t0 = time.time()
        while alice.poll() is None and time.time() - t0 < a.seconds + 15:
            calls = d.tel.query("/dsbc/calls")
            line = "  t=%2ds /dsbc/calls active=%s started=%s answered=%s" % (
                time.time() - t0, calls["active"], calls["started"],
                calls["answered"])
            print(line)
            for cid in calls["ids"][:1]:
                c = d.tel.query("/dsbc/call,%d" % cid)
                if c:
                    print("    /dsbc/call,%d state=%s mode=%s worker=%s" % (
                        cid, c["state"], c["mode"], c["worker"]))
                    print(leg_line("a", c["a_leg"]))
                    print(leg_line("b", c["b_leg"]))
            sys.stdout.flush()
            time.sleep(1)
        for p in (alice, bob):
            try:
                p.wait(timeout=a.seconds + 15)
            except subprocess.TimeoutExpired:
                p.kill()
        logs["bob"].seek(0)
        s = baresip_peer.summary(logs["bob"].read())
        print("5. alice hung up; bob's RTCP summary: %s" % s)
        time.sleep(0.5)
        calls = d.tel.query("/dsbc/calls")
        st = d.stats()
        print("   /dsbc/calls active=%s answered=%s ended=%s; flows left "
              "beyond the 2 static: %d" % (
                  calls["active"], calls["answered"], calls["ended"],
                  st["flows_installed"] - st["flows_removed"] - 2))
        ok = s is not None and s["rx"] > 0 and s["tx"] > 0 and \
            calls["active"] == 0
        rc = 0 if ok else 1
    finally:
        stop = d.stop() if d else 0
        topo.teardown()
        print("6. dsbc stopped (exit %d), namespaces removed" % stop)
    print("demo: %s" % ("OK" if rc == 0 else "FAILED"))
    return rc


if __name__ == "__main__":
    sys.exit(main())
