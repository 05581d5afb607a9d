#!/usr/bin/env python3
"""Turns iscsi-test-cu console output into 'STATUS Suite.Test' lines.

CUnit counts a skipped test as passed, so the console text is read instead of the XML. Tests
print their own "[FAILED] ..." / "[SKIPPED] ..." messages (a "[FAILED]" may be an expected
failure); CUnit's own verdict is a bare "passed" or "FAILED". A test CUnit failed is FAIL, one
it passed that printed [SKIPPED] is SKIP, otherwise PASS.
Usage: parse-cu.py LOG  -> prints lines 'PASS|FAIL|SKIP|INCOMPLETE Suite.Test'
"""
import re
import sys

suite, cur, res = None, None, []
for line in open(sys.argv[1], errors="replace").read().splitlines():
    m = re.match(r"Suite: (\S+)", line)
    if m:
        suite, cur = m.group(1), None
        continue
    m = re.match(r"\s+Test: (\S+) \.\.\.(.*)", line)
    if m:
        cur = [suite + "." + m.group(1), m.group(2)]
        res.append(cur)
        continue
    if cur is not None:
        cur[1] += " " + line
seen = {}
for name, txt in res:
    verdict = re.sub(r"\[(FAILED|SKIPPED|OK|SUCCESS)\]", "", txt)
    if "FAILED" in verdict:
        st = "FAIL"
    elif "SKIPPED" in txt:
        st = "SKIP"
    elif "passed" in txt:
        st = "PASS"
    else:
        st = "INCOMPLETE"
    seen[name] = st
for name, st in seen.items():
    print(st, name)
