#!/usr/bin/env bash
# Starts xtarget with its embedded default config on a loopback port, runs libiscsi's
# iscsi-test-cu against LUN 0 (RAM) and checks that every test in .ci/iscsi-test-cu.pass passes.
# A second xtarget serves .ci/conformance-extra.json on the next port: the suites that skip on a
# fixed, writable disk run there (PreventAllow, StartStopUnit, NoMedia against a removable RAM
# LU at LUN 0; ReadOnly against a read-only mapping at LUN 1 of a target of its own, since a
# read-only mapping refuses target resets to the hosts that have it, and PreventAllow resets
# the target, docs/config.md "Resets"; the tests that need more than one logical block per
# physical block (they skip with "LBPPB < 2") and WriteAtomic16 (its VPD test checks misaligned
# and partial atomic writes only where ATOMIC ALIGNMENT and GRANULARITY exceed 1) against a 512e
# LU, 4096-byte physical blocks on 512-byte ones, at LUN 0 of a target of its own). A third server serves one LU through
# two portals for the multipath tests (MultipathIO.Reset wants the LUN reset unit attention on
# every path, the issuing one included, SAM-5 6.3.3). A test counts as passed when it passes in
# any run.
# The pass list only ever grows: a test that passes here and is not in it is reported as NEW.
# A test may skip (in every run) only when .ci/iscsi-test-cu.skip lists it with the reason;
# any other skip fails the check, and a listed test that passes is reported.
set -uo pipefail
cd "$(dirname "$0")/.."
port="${XT_CONFORMANCE_PORT:-3270}"
port2="${XT_CONFORMANCE_PORT2:-$((port + 1))}"
port3=$((port2 + 1)); port4=$((port2 + 2))
work="$(mktemp -d)"
srv=""; srv2=""; srv3=""
trap 'for p in $srv $srv2 $srv3; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
. tools/lib/wait-iscsi.sh
wait_for() { wait_iscsi "$1" 20 || true; } # a server that did not come up fails the tests after
# XT_CONFORMANCE_MAIN_JSON, _EXTRA_JSON, _MP_BACKSTORE: other backstores under the same targets
# (.ci/conformance-rbd.sh: RBD images); the default is the embedded config and RAM.
if [ -n "${XT_CONFORMANCE_MAIN_JSON:-}" ]; then
    cp "$XT_CONFORMANCE_MAIN_JSON" "$work/xtarget.json"
    ./xtarget serve --config "$work/xtarget.json" --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
else
    (cd "$work" && exec "$OLDPWD/xtarget" serve --listen "127.0.0.1:$port") >"$work/server.log" 2>&1 &
fi
srv=$!
wait_for "$port"
# Started second, so the launcher's build (if any) is not run twice at once. The config is
# copied: serve may write generated identifiers back into its file.
mkdir -p "$work/extra"
cp "${XT_CONFORMANCE_EXTRA_JSON:-.ci/conformance-extra.json}" "$work/extra/xtarget.json"
./xtarget serve --config "$work/extra/xtarget.json" --listen "127.0.0.1:$port2" >"$work/server2.log" 2>&1 &
srv2=$!
mkdir -p "$work/mp"
mp_backstore=${XT_CONFORMANCE_MP_BACKSTORE:-'{"name": "mp0", "type": "ram", "size": "64M"}'}
cat >"$work/mp/xtarget.json" <<EOF
{"backstores": [$mp_backstore],
 "targets": [{"name": "iqn.2026-11.io.xtarget:multipath",
              "portals": ["127.0.0.1:$port3", "127.0.0.1:$port4"],
              "luns": [{"lun": 0, "backstore": "mp0"}]}]}
EOF
./xtarget serve --config "$work/mp/xtarget.json" >"$work/server3.log" 2>&1 &
srv3=$!
wait_for "$port2"
wait_for "$port3"
url="iscsi://127.0.0.1:$port/iqn.2026-11.io.xtarget:demo/0"
timeout 1200 iscsi-test-cu --dataloss "$url" >"$work/cu.log" 2>&1
python3 .ci/parse-cu.py "$work/cu.log" >"$work/all-results.txt"
extra="iscsi://127.0.0.1:$port2/iqn.2026-11.io.xtarget:conformance-extra/0"
ro_lun="iscsi://127.0.0.1:$port2/iqn.2026-11.io.xtarget:conformance-readonly/1"
e512="iscsi://127.0.0.1:$port2/iqn.2026-11.io.xtarget:conformance-512e/0"
n=0
for run in "ALL.PreventAllow $extra" "ALL.StartStopUnit $extra" "ALL.NoMedia $extra" "ALL.ReadOnly $ro_lun" \
        "ALL.WriteAtomic16 $e512" "ALL.WriteSame10.UnmapUnaligned $e512" "ALL.WriteSame16.UnmapUnaligned $e512" \
        "ALL.WriteSame10.InvalidDataOutSize $e512" "ALL.WriteSame16.InvalidDataOutSize $e512" \
        "ALL.CompareAndWrite.InvalidDataOutSize $e512"; do
    set -- $run
    n=$((n + 1))
    timeout 300 iscsi-test-cu --dataloss -t "$1" "$2" >"$work/cu-extra$n.log" 2>&1
    python3 .ci/parse-cu.py "$work/cu-extra$n.log" >>"$work/all-results.txt"
done
# SANITIZE needs --allow-sanitize (-S). Each test runs on its own against LUN 0 (1 GiB RAM),
# BLOCK ERASE last so the memory the overwrites allocated is freed. Sanitize.Reset is not run: it
# expects the overwrite to still be running 3 s after it started, and a RAM LU is done by then.
for t in Overwrite OverwriteReserved ExitFailureMode InvalidServiceAction CryptoErase CryptoEraseReserved \
        Readonly Reservations BlockEraseReserved BlockErase; do
    timeout 300 iscsi-test-cu --dataloss -S -t "ALL.Sanitize.$t" "$url" >"$work/cu-sanitize-$t.log" 2>&1
    python3 .ci/parse-cu.py "$work/cu-sanitize-$t.log" >>"$work/all-results.txt"
done
mp="iqn.2026-11.io.xtarget:multipath/0"
for t in Simple Reset CompareAndWrite CompareAndWriteAsync; do
    timeout 300 iscsi-test-cu --dataloss -t "ALL.MultipathIO.$t" "iscsi://127.0.0.1:$port3/$mp" \
        "iscsi://127.0.0.1:$port4/$mp" >"$work/cu-mp-$t.log" 2>&1
    python3 .ci/parse-cu.py "$work/cu-mp-$t.log" >>"$work/all-results.txt"
done
# Merge: PASS if any run passed, else FAIL if any failed, else the first status seen.
awk '{ if (!($2 in st) || $1 == "PASS" || ($1 == "FAIL" && st[$2] != "PASS")) st[$2] = $1 }
     END { for (n in st) print st[n], n }' "$work/all-results.txt" | sort -k2 >"$work/results.txt"
cp "$work/results.txt" "${XT_CONFORMANCE_RESULTS:-target/iscsi-test-cu-results.txt}" 2>/dev/null || true
pass=0; fail=0
while read -r name; do
    [ -z "$name" ] && continue
    st=$(awk -v n="$name" '$2==n {print $1}' "$work/results.txt")
    if [ "$st" = "PASS" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "REGRESSION: $name is ${st:-MISSING}"; fi
done < <(grep -v '^#' .ci/iscsi-test-cu.pass)
grep '^PASS' "$work/results.txt" | awk '{print $2}' | while read -r name; do
    grep -qxF "$name" .ci/iscsi-test-cu.pass || echo "NEW PASS (add to .ci/iscsi-test-cu.pass): $name"
done
# Skips: each must be listed in the skip file as "Suite.Test reason..." (a name alone is no reason).
skiplist="$work/skip-reasons.txt"
grep -v '^[[:space:]]*#' .ci/iscsi-test-cu.skip | awk 'NF' >"$skiplist"
unexpected=0
while read -r name; do
    reason=$(awk -v n="$name" '$1 == n { $1 = ""; sub(/^[[:space:]]+/, ""); print; exit }' "$skiplist")
    if [ -z "$reason" ]; then
        unexpected=$((unexpected + 1))
        if awk '{print $1}' "$skiplist" | grep -qxF "$name"; then
            echo "UNEXPECTED SKIP: $name is listed in .ci/iscsi-test-cu.skip without a reason"
        else
            echo "UNEXPECTED SKIP: $name (make it run, or list it in .ci/iscsi-test-cu.skip with the reason)"
        fi
    fi
done < <(awk '$1 == "SKIP" {print $2}' "$work/results.txt")
awk '{print $1}' "$skiplist" | while read -r name; do
    st=$(awk -v n="$name" '$2 == n {print $1}' "$work/results.txt")
    [ "$st" = "PASS" ] && echo "LISTED SKIP NOW PASSES (remove it from .ci/iscsi-test-cu.skip): $name"
done
echo "iscsi-test-cu totals: $(awk '{print $1}' "$work/results.txt" | sort | uniq -c | tr '\n' ' ')"
grep '^FAIL' "$work/results.txt" || true
echo "conformance${XT_CONFORMANCE_LABEL:+-$XT_CONFORMANCE_LABEL}: $pass passed, $fail failed, $unexpected skipped without a listed reason"
if [ "$fail" -ne 0 ] || [ "$unexpected" -ne 0 ]; then
    echo "--- server log (tail)"; tail -40 "$work/server.log"
    echo "--- extra server log (tail)"; tail -40 "$work/server2.log"
    exit 1
fi
