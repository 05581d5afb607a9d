#!/usr/bin/env bash
# Starts xtarget with its embedded default config on a loopback port, runs libiscsi's
# iscsi-test-cu against LUN 0 (RAM) and checks that every test in .ci/iscsi-test-cu.pass passes.
# The pass list only ever grows: a test that passes here and is not in it is reported as NEW.
set -uo pipefail
cd "$(dirname "$0")/.."
port="${XT_CONFORMANCE_PORT:-3270}"
work="$(mktemp -d)"
trap 'kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null; rm -rf "$work"' EXIT
(cd "$work" && exec "$OLDPWD/xtarget" serve --listen "127.0.0.1:$port") >"$work/server.log" 2>&1 &
srv=$!
for _ in $(seq 1 100); do
    iscsi-ls "iscsi://127.0.0.1:$port" >/dev/null 2>&1 && break
    sleep 0.2
done
url="iscsi://127.0.0.1:$port/iqn.2026-11.io.xtarget:demo/0"
timeout 1200 iscsi-test-cu --dataloss "$url" >"$work/cu.log" 2>&1
python3 .ci/parse-cu.py "$work/cu.log" | sort -k2 >"$work/results.txt"
cp "$work/results.txt" target/iscsi-test-cu-results.txt 2>/dev/null || true
pass=0; fail=0
while read -r name; do
    [ -z "$name" ] && continue
    st=$(awk -v n="$name" '$2==n {print $1}' "$work/results.txt")
    if [ "$st" = "PASS" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "REGRESSION: $name is ${st:-MISSING}"; fi
done < <(grep -v '^#' .ci/iscsi-test-cu.pass)
grep '^PASS' "$work/results.txt" | awk '{print $2}' | while read -r name; do
    grep -qxF "$name" .ci/iscsi-test-cu.pass || echo "NEW PASS (add to .ci/iscsi-test-cu.pass): $name"
done
echo "iscsi-test-cu totals: $(awk '{print $1}' "$work/results.txt" | sort | uniq -c | tr '\n' ' ')"
grep '^FAIL' "$work/results.txt" || true
echo "conformance: $pass passed, $fail failed"
if [ "$fail" -ne 0 ]; then
    echo "--- server log (tail)"; tail -40 "$work/server.log"
    exit 1
fi
