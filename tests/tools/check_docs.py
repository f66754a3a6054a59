#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Fail when docs/architecture.md no longer matches the code: every drop
reason, control message type and telemetry endpoint defined in the sources
must appear in it, and nothing it lists as a drop counter may be unknown."""
import glob
import os
import re
import sys

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))


def read(p):
    with open(os.path.join(root, p)) as f:
        return f.read()


doc = read("docs/architecture.md")
drops = re.findall(r'X\(\w+,\s*"(drop_\w+)"', read("lib/stats/dsbc_drop.h"))
msgs = re.findall(r"X\((\w+),\s*(?:M2W|W2M)", read("lib/msg/dsbc_msg.h"))
eps = set()
for f in glob.glob(os.path.join(root, "app/dsbc/**/*.c"), recursive=True) + \
        glob.glob(os.path.join(root, "lib/*/*.c")):
    eps.update(re.findall(r'rte_telemetry_register_cmd\(\s*"(/dsbc/[\w/]+)"',
                          open(f).read()))
missing = [d for d in drops if d not in doc]
missing += [m for m in msgs if "| %s |" % m not in doc]
missing += [e for e in sorted(eps) if e not in doc]
unknown = [d for d in set(re.findall(r"\| (drop_\w+) \|", doc))
           if d not in drops]
print("check_docs: %d drop reasons, %d message types, %d endpoints" % (
    len(drops), len(msgs), len(eps)))
if not drops or not msgs or not eps:
    print("check_docs: could not read the catalogues")
    sys.exit(1)
for m in missing:
    print("check_docs: docs/architecture.md does not mention " + m)
for u in unknown:
    print("check_docs: docs/architecture.md lists unknown counter " + u)
sys.exit(1 if missing or unknown else 0)
