#!/usr/bin/env python3
"""Prints Surefire's totals from its XML reports and fails when a test failed or none ran."""
import glob
import sys
import xml.etree.ElementTree as ET

tests = failures = errors = skipped = 0
for f in glob.glob(sys.argv[1] + "/TEST-*.xml"):
    r = ET.parse(f).getroot()
    tests += int(r.get("tests", 0))
    failures += int(r.get("failures", 0))
    errors += int(r.get("errors", 0))
    skipped += int(r.get("skipped", 0))
print(f"Tests run: {tests}, Failures: {failures}, Errors: {errors}, Skipped: {skipped}")
sys.exit(1 if failures or errors or tests == 0 else 0)
