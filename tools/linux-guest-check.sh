#!/usr/bin/env bash
# Behaviour check with a real Linux initiator (open-iscsi in the QEMU guest of
# ../shared/linux-guest, see its README): starts xtarget on 127.0.0.1:$PORT with a RAM LU, a file
# LU and a 4K-block RAM LU, then has the guest log in and run fio with data verification on each
# LU (4K random read/write, QD16, libaio, O_DIRECT), 4 MiB direct writes read back and compared,
# sg_xcopy between LUs with checksums compared, and a LUN reset (sg_reset) followed by the
# unit attention and a good TEST UNIT READY. Exits non-zero when any step fails. Not part of CI
# (the guest runs under emulation: several minutes), not a benchmark.
#
# Usage: tools/linux-guest-check.sh        (env: PORT=3600 GUEST=../shared/linux-guest)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT=${PORT:-3600}
GUEST=${GUEST:-$here/../shared/linux-guest}
work=$(mktemp -d /tmp/xt-guest.XXXXXX)
xt_pid=""
cleanup() { [ -n "$xt_pid" ] && kill "$xt_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM

cat >"$work/xtarget.json" <<JSON
{"backstores": [{"name": "ram0", "type": "ram", "size": "256M", "blockSize": 512},
                {"name": "file1", "type": "file", "path": "file1.img", "size": "256M", "blockSize": 512},
                {"name": "ram4k", "type": "ram", "size": "128M", "blockSize": 4096}],
 "targets": [{"name": "iqn.2026-11.io.xtarget:guest", "portals": ["127.0.0.1:$PORT"],
              "luns": [{"lun": 0, "backstore": "ram0"}, {"lun": 1, "backstore": "file1"},
                       {"lun": 2, "backstore": "ram4k"}]}]}
JSON
cat >"$work/job.sh" <<'JOB'
set -e
for d in $LUN0_DEV $LUN1_DEV $LUN2_DEV; do
  fio --name=v --filename=$d --direct=1 --rw=randrw --bs=4k --iodepth=16 --ioengine=libaio --size=32M \
      --verify=crc32c --do_verify=1 --output-format=terse >/dev/null
  echo "CHECK fio-verify $d OK"
done
dd if=/dev/urandom of=/tmp/big bs=1M count=16 status=none
dd if=/tmp/big of=$LUN1_DEV bs=4M oflag=direct status=none
dd if=$LUN1_DEV of=/tmp/back bs=4M count=4 iflag=direct status=none
cmp /tmp/big /tmp/back && echo "CHECK large-direct-io OK"
sg_xcopy if=$LUN0_SG of=$LUN1_SG bs=512 count=8192 seek=65536
a=$(dd if=$LUN0_DEV bs=512 count=8192 iflag=direct status=none | md5sum)
b=$(dd if=$LUN1_DEV bs=512 skip=65536 count=8192 iflag=direct status=none | md5sum)
[ "$a" = "$b" ] && echo "CHECK sg_xcopy OK"
sg_reset -d $LUN0_SG
sg_turs $LUN0_SG 2>&1 | grep -q "Bus device reset function occurred" && echo "CHECK lun-reset-unit-attention OK"
sg_turs $LUN0_SG && echo "CHECK tur-after-reset OK"
JOB

(cd "$work" && exec "$here/xtarget" serve --config "$work/xtarget.json") >"$work/xtarget.log" 2>&1 &
xt_pid=$!
for _ in $(seq 1 100); do ss -ltn "( sport = :$PORT )" | grep -q LISTEN && break; sleep 0.2; done
TARGET_PORT=$PORT QUIET=1 "$GUEST/initiator-run.sh" --script "$work/job.sh" | tee "$work/run.log" | grep '^CHECK' || true
n=$(grep -c '^CHECK .* OK$' "$work/run.log" || true)
if [ "$n" -ne 7 ]; then
    echo "FAILED: $n of 7 checks passed"; tail -30 "$work/run.log"; tail -20 "$work/xtarget.log"; exit 1
fi
echo "linux initiator check: 7 of 7 passed"
