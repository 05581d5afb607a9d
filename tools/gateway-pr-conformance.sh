#!/usr/bin/env bash
# libiscsi's persistent-reservation and RESERVE suites with the two paths on two gateways:
# two `xtarget serve` processes export one RBD image as one LU ("gateway" config, reservations
# shared through the cluster), and iscsi-test-cu gets gateway 1's URL as its first path and
# gateway 2's as its second (the tests' second initiator uses the second path), then the other
# way round. Writes through either gateway are served (the image's exclusive lock is handed over
# on request), so ProutReserve's Access tests, which write through both paths, pass too.
# XT_PR_NO_LOCK=1 creates the image without the exclusive-lock feature: then no gateway writes
# (04h/0Ah), which fails those Access tests.
#
# Usage: tools/gateway-pr-conformance.sh [PORT1 [PORT2]]   (defaults 31741 31742, on 127.0.0.1)
# Uses the cluster $XT_CEPH_CONF names, or starts one (tools/ceph-test-cluster.sh) and stops it.
# Prints one line per suite and order; exit 1 when a test failed.
set -uo pipefail
cd "$(dirname "$0")/.."
p1="${1:-31741}"
p2="${2:-31742}"
for b in iscsi-test-cu rbd; do
    command -v "$b" >/dev/null || { echo "gateway-pr-conformance: skipped, $b is not installed"; exit 0; }
done
work="$(mktemp -d)"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    if [ -n "${image:-}" ] && [ -z "${own_ceph:-}" ]; then # the image and its reservation record
        id=$(CEPH_CONF="$conf" rbd info "rbd/$image" 2>/dev/null | awk '$1 == "id:" {print $2}')
        CEPH_CONF="$conf" rbd rm "rbd/$image" >/dev/null 2>&1
        [ -n "$id" ] && CEPH_CONF="$conf" rados -p rbd rm "xtarget.reservations.$id" >/dev/null 2>&1
        for o in "xtarget.lock.$image" "xtarget.gateway.$image"; do
            CEPH_CONF="$conf" rados -p rbd rm "$o" >/dev/null 2>&1
        done
    fi
    [ -n "${own_ceph:-}" ] && bash tools/ceph-test-cluster.sh stop "$work/ceph" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT
conf="${XT_CEPH_CONF:-}"
if [ -z "$conf" ]; then
    own_ceph=1
    bash tools/ceph-test-cluster.sh start "$work/ceph" >"$work/ceph.log" 2>&1 \
        || { echo "gateway-pr-conformance: the Ceph test cluster did not start"; cat "$work/ceph.log"; exit 1; }
    conf="$work/ceph/ceph.conf"
fi
image="pr-gw-$$-$RANDOM"
features=()
[ "${XT_PR_NO_LOCK:-0}" = 1 ] && features=(--image-feature layering)
CEPH_CONF="$conf" rbd create "${features[@]}" --size 256M "rbd/$image" || exit 1
iqn=iqn.2026-11.io.xtarget:gw
for g in 1 2; do
    peer=$((3 - g)); port=$([ "$g" = 1 ] && echo "$p1" || echo "$p2")
    mkdir -p "$work/g$g"
    cat >"$work/g$g/xtarget.json" <<JSON
{"backstores": [{"name": "vm", "type": "rbd", "pool": "rbd", "image": "$image", "blockSize": 512,
   "cephConf": "$conf", "naa": "6001405a1b2c3d4e5f60718293a4b5c9", "serial": "pr-gw"}],
 "targets": [{"name": "$iqn", "portals": ["127.0.0.1:$port"], "luns": [{"lun": 0, "backstore": "vm"}]}],
 "gateway": {"group": $g, "firstRelativePort": $g, "peers": [{"group": $peer, "relativePorts": [$peer]}]}}
JSON
    ./xtarget serve --config "$work/g$g/xtarget.json" >"$work/g$g/log" 2>&1 &
    pids+=($!)
done
for g in 1 2; do
    for _ in $(seq 1 120); do grep -q 'xtarget ready' "$work/g$g/log" && break; sleep 0.5; done
    grep -q 'xtarget ready' "$work/g$g/log" || { echo "gateway $g did not start"; cat "$work/g$g/log"; exit 1; }
done
u1="iscsi://127.0.0.1:$p1/$iqn/0"
u2="iscsi://127.0.0.1:$p2/$iqn/0"
failed=0
for order in "$u1 $u2" "$u2 $u1"; do
    first="gateway 1 first"; [ "${order%% *}" = "$u2" ] && first="gateway 2 first"
    for t in PrinReadKeys PrinServiceactionRange PrinReportCapabilities ProutRegister ProutReserve ProutClear \
            ProutPreempt Reserve6; do
        # shellcheck disable=SC2086 # two URLs
        iscsi-test-cu --dataloss -t "ALL.$t" $order >"$work/$t.log" 2>&1
        summary=$(awk '$1 == "tests" {print "ran " $3 ", passed " $4 ", failed " $5}' "$work/$t.log")
        printf '%-16s %-24s %s\n' "$first" "$t" "${summary:-no summary (see below)}"
        if ! grep -qE '^ +tests +[0-9]+ +[0-9]+ +[0-9]+ +0 ' "$work/$t.log"; then
            failed=1
            grep -E 'Test:|FAILED' "$work/$t.log" | head -20
        fi
    done
done
exit $failed
