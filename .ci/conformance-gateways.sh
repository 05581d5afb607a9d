#!/usr/bin/env bash
# libiscsi's MultipathIO suite across two gateways: two `xtarget serve` processes with a "gateway"
# config export one RBD image (a throw-away Ceph cluster, tools/ceph-test-cluster.sh, or the one
# XT_CEPH_CONF names) as one LU, each from its own portal and target port group; iscsi-test-cu
# gets the two gateways' URLs as the two paths of MultipathIO.Simple, .Reset, .CompareAndWrite and
# .CompareAndWriteAsync.
#
# What must pass: all four. Simple, CompareAndWrite and CompareAndWriteAsync write through both
# paths in turn: a write through the active/non-optimized gateway is served there, the image's
# exclusive lock being handed over between the gateways on request (backend/rbd/RbdLockHandoff),
# with no change of access state, no unit attention and nobody fenced. Reset checks that a LUN
# reset through one path gives every path the LOGICAL UNIT RESET OCCURRED unit attention: the
# gateways share resets over a RADOS watch/notify channel of the image (server/GatewayResets).
# Then libiscsi's persistent-reservation and RESERVE suites with one path per gateway
# (tools/gateway-pr-conformance.sh, both orders): all 27 tests each way must pass.
# Skipped (exit 0, with the reason) without Ceph.
set -uo pipefail
cd "$(dirname "$0")/.."
MULTIPATH_REQUIRED="Simple Reset CompareAndWrite CompareAndWriteAsync"
MULTIPATH_KNOWN=""
for b in ceph-mon ceph-osd ceph-mgr ceph rbd iscsi-test-cu; do
    command -v "$b" >/dev/null || { echo "conformance-gateways: skipped, $b is not installed"; exit 0; }
done
work="$(mktemp -d)"
ceph_dir="$work/ceph"
port1="${XT_GATEWAYS_PORT:-3290}"; port2=$((port1 + 1))
gw1=""; gw2=""
cleanup() {
    for p in $gw1 $gw2; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    [ -z "${XT_CEPH_CONF:-}" ] && bash tools/ceph-test-cluster.sh stop "$ceph_dir" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT
t0=$(date +%s)
if [ -n "${XT_CEPH_CONF:-}" ]; then
    conf="$XT_CEPH_CONF"
else
    bash tools/ceph-test-cluster.sh start "$ceph_dir" "${XT_CEPH_PORT:-}" >"$work/ceph-start.log" 2>&1 \
        || { echo "conformance-gateways: the Ceph test cluster did not start"; cat "$work/ceph-start.log"; exit 1; }
    conf="$ceph_dir/ceph.conf"
    echo "conformance-gateways: Ceph test cluster up in $(( $(date +%s) - t0 )) s"
fi
image="cu-gateways-$$-$t0"
target="iqn.2026-11.io.xtarget:gateways"
gateway_config() { # GROUP PEER PORT
    mkdir -p "$work/gw$1"
    cat >"$work/gw$1/xtarget.json" <<EOF
{"backstores": [{"name": "mp0", "type": "rbd", "pool": "rbd", "image": "$image", "size": "64M", "blockSize": 512,
    "cephConf": "$conf", "naa": "6001405f0e1d2c3b4a5968778695a4c1", "serial": "cu-gateways"}],
 "targets": [{"name": "$target", "portals": ["127.0.0.1:$3"], "luns": [{"lun": 0, "backstore": "mp0"}]}],
 "gateway": {"group": $1, "firstRelativePort": $1, "peers": [{"group": $2, "relativePorts": [$2]}]}}
EOF
}
. tools/lib/wait-iscsi.sh
gateway_config 1 2 "$port1"
gateway_config 2 1 "$port2"
# gateway 1 creates the image and so is its home; gateway 2 starts once it listens
./xtarget serve --config "$work/gw1/xtarget.json" --create=mp0 >"$work/gw1.log" 2>&1 &
gw1=$!
wait_iscsi "$port1" || { echo "conformance-gateways: gateway 1 did not start"; cat "$work/gw1.log"; exit 1; }
./xtarget serve --config "$work/gw2/xtarget.json" >"$work/gw2.log" 2>&1 &
gw2=$!
wait_iscsi "$port2" || { echo "conformance-gateways: gateway 2 did not start"; cat "$work/gw2.log"; exit 1; }
: >"$work/results.txt"
for t in $MULTIPATH_REQUIRED $MULTIPATH_KNOWN; do
    timeout 300 iscsi-test-cu --dataloss -t "ALL.MultipathIO.$t" "iscsi://127.0.0.1:$port1/$target/0" \
        "iscsi://127.0.0.1:$port2/$target/0" >"$work/cu-$t.log" 2>&1
    python3 .ci/parse-cu.py "$work/cu-$t.log" >>"$work/results.txt"
done
mkdir -p target
cp "$work/results.txt" target/iscsi-test-cu-gateways-results.txt
pass=0; fail=0
for t in $MULTIPATH_REQUIRED; do
    st=$(awk -v n="MultipathIO.$t" '$2 == n {print $1}' "$work/results.txt")
    if [ "$st" = "PASS" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "REGRESSION: MultipathIO.$t is ${st:-MISSING}"; fi
done
for t in $MULTIPATH_KNOWN; do
    st=$(awk -v n="MultipathIO.$t" '$2 == n {print $1}' "$work/results.txt")
    if [ "$st" = "PASS" ]; then
        echo "NEW PASS (move it to MULTIPATH_REQUIRED in $0): MultipathIO.$t"
    else
        echo "known to fail across gateways: MultipathIO.$t ${st:-MISSING}"
    fi
done
echo "conformance-gateways: $pass passed, $fail failed of the required ($(( $(date +%s) - t0 )) s in all)"
if [ "$fail" -ne 0 ]; then
    echo "--- gateway 1 log (tail)"; tail -30 "$work/gw1.log"
    echo "--- gateway 2 log (tail)"; tail -30 "$work/gw2.log"
    exit 1
fi
# The persistent-reservation and RESERVE suites with one path per gateway, both orders, on the
# same cluster (two more gateways of a new image; every test must pass).
echo "conformance-gateways: persistent reservations across two gateways (tools/gateway-pr-conformance.sh)"
XT_CEPH_CONF="$conf" bash tools/gateway-pr-conformance.sh $((port1 + 10)) $((port1 + 11)) | tee "$work/pr.txt"
pr=${PIPESTATUS[0]}
cp "$work/pr.txt" target/iscsi-test-cu-gateways-pr-results.txt
if [ "$pr" -ne 0 ]; then
    echo "REGRESSION: a persistent-reservation test failed across gateways"
    exit 1
fi
