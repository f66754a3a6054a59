# SPDX-License-Identifier: BSD-3-Clause
"""What the perf/ scripts share: dpdk-testpmd io-fwd as the packet I/O
floor of a vdev (the cost of the PMD alone, nothing of dsbc's)."""
import re
import signal
import subprocess
import time


def testpmd_io(vdev, prefix, window, mbufs, mem):
    """dpdk-testpmd --forward-mode=io on vdev for window seconds, on lcores
    0,1 like dsbc: (Rx pps averaged after start-up, CPU cycles/packet)."""
    cmd = ["dpdk-testpmd", "-l", "0,1", "--no-pci", "--file-prefix", prefix,
           "--vdev", vdev] + list(mem) + \
          ["--", "--forward-mode=io", "--nb-cores=1", "--rxq=1", "--txq=1",
           "--auto-start", "--record-core-cycles", "--stats-period", "1",
           "--total-num-mbufs=%d" % mbufs, "--mbuf-size=512"]
    log = open("out/perf/%s.log" % prefix, "w")
    p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL)
    time.sleep(window + 4)
    p.send_signal(signal.SIGINT)
    try:
        p.wait(60)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    log.close()
    text = open(log.name).read()
    rates = [int(x) for x in re.findall(r"Rx-pps:\s+(\d+)", text)]
    cyc = re.findall(r"CPU cycles/packet=([\d.]+)", text)
    if len(rates) < 3:
        raise RuntimeError("testpmd printed no rates:\n" + text[-2000:])
    # Skip the first samples (start-up), average the rest.
    steady = rates[2:] if len(rates) > 4 else rates[1:]
    return sum(steady) / len(steady), float(cyc[-1]) if cyc else 0.0
