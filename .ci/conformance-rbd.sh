#!/usr/bin/env bash
# libiscsi's iscsi-test-cu against RBD LUs: .ci/conformance.sh with every LU it tests an image in
# a throw-away Ceph cluster (tools/ceph-test-cluster.sh, memstore, 127.0.0.1) instead of RAM,
# under the same targets, so the same pass list (.ci/iscsi-test-cu.pass) and skip list apply:
# LUN 0 of the demo target a 1 GiB RBD image (the whole suite, SANITIZE), the removable, the
# read-only and the 512e LUs 64 MiB images, the multipath LU one image behind two portals.
# Results: target/iscsi-test-cu-rbd-results.txt. Skipped (exit 0, with the reason) without Ceph.
set -uo pipefail
cd "$(dirname "$0")/.."
for b in ceph-mon ceph-osd ceph-mgr ceph rbd; do
    command -v "$b" >/dev/null || { echo "conformance-rbd: skipped, $b is not installed"; exit 0; }
done
work="$(mktemp -d)"
ceph_dir="$work/ceph"
trap 'bash tools/ceph-test-cluster.sh stop "$ceph_dir" >/dev/null 2>&1; rm -rf "$work"' EXIT
t0=$(date +%s)
bash tools/ceph-test-cluster.sh start "$ceph_dir" "${XT_CEPH_PORT:-}" >"$work/ceph-start.log" 2>&1 \
    || { echo "conformance-rbd: the Ceph test cluster did not start"; cat "$work/ceph-start.log"; exit 1; }
echo "conformance-rbd: Ceph test cluster up in $(( $(date +%s) - t0 )) s"
conf="$ceph_dir/ceph.conf"
rbd_backstore() { # NAME IMAGE SIZE [extra JSON fields]
    printf '{"name": "%s", "type": "rbd", "pool": "rbd", "image": "%s", "size": "%s", "blockSize": 512, "cephConf": "%s"%s}' \
        "$1" "$2" "$3" "$conf" "${4:-}"
}
cat >"$work/main.json" <<EOF
{"backstores": [$(rbd_backstore ram0 cu-main 1G)],
 "targets": [{"name": "iqn.2026-11.io.xtarget:demo", "portals": ["127.0.0.1:3260"],
              "luns": [{"lun": 0, "backstore": "ram0"}]}]}
EOF
cat >"$work/extra.json" <<EOF
{"backstores": [$(rbd_backstore removable0 cu-removable 64M ', "removable": true'),
                $(rbd_backstore ram1 cu-readonly 64M),
                $(rbd_backstore e512 cu-512e 64M ', "physicalBlockSize": 4096')],
 "targets": [{"name": "iqn.2026-11.io.xtarget:conformance-extra", "portals": ["127.0.0.1:3271"],
              "luns": [{"lun": 0, "backstore": "removable0"}]},
             {"name": "iqn.2026-11.io.xtarget:conformance-readonly", "portals": ["127.0.0.1:3271"],
              "luns": [{"lun": 1, "backstore": "ram1", "readOnly": true}]},
             {"name": "iqn.2026-11.io.xtarget:conformance-512e", "portals": ["127.0.0.1:3271"],
              "luns": [{"lun": 0, "backstore": "e512"}]}]}
EOF
mkdir -p target
XT_CONFORMANCE_MAIN_JSON="$work/main.json" XT_CONFORMANCE_EXTRA_JSON="$work/extra.json" \
    XT_CONFORMANCE_MP_BACKSTORE="$(rbd_backstore mp0 cu-multipath 64M)" \
    XT_CONFORMANCE_RESULTS=target/iscsi-test-cu-rbd-results.txt XT_CONFORMANCE_LABEL=rbd \
    XT_CONFORMANCE_PORT="${XT_CONFORMANCE_RBD_PORT:-3280}" bash .ci/conformance.sh
rc=$?
echo "conformance-rbd: $(( $(date +%s) - t0 )) s in all"
exit $rc
