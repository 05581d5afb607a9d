#!/usr/bin/env bash
# Behaviour check of the vhost-user-scsi fabric with a real QEMU guest (../shared/linux-guest, see
# its README; QEMU 7.2 vhost-user-scsi-pci, guest RAM in a shared memfd): starts xtarget with one
# iSCSI portal and one vhost controller (LUN 0 RAM 512-byte blocks, LUN 1 file, LUN 2 RAM 4K
# blocks), boots the guest against the socket and checks: the LUNs appear on the virtio-scsi HBA,
# VPD 0x83 reports the controller's own relative port (2, after the iSCSI portal), 64 MiB of
# direct I/O reads back with the same SHA-256, fio with data verification on every LUN, sg_xcopy
# between LUNs, a LUN reset (TMF on the control queue) reaching the core, LUN hot-add and
# hot-remove through a config reload (TRANSPORT RESET events), and a device reset as a guest
# reboot does it (driver unbind and bind: rings torn down and set up again, data still there).
# The guest is also logged in to
# the iSCSI portal (open-iscsi, as the controller's configured "initiator" name): sg_xcopy from
# the virtio LU to the iSCSI LU (XCOPY received on the virtio LU) and back (received on the virtio
# LU again), md5 compared, and an XCOPY received on the iSCSI LU naming the virtio LU refused
# (iSCSI sessions reach no controller's LUs). After the guest powers off, the server must log the
# session's end. Not part of CI (the guest runs under emulation).
#
# Usage: tools/vhost-guest-check.sh        (env: PORT=3610 GUEST=../shared/linux-guest MEM=1024)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT=${PORT:-3610}
MEM=${MEM:-1024}
GUEST=${GUEST:-$here/../shared/linux-guest}
INI=iqn.2026-11.io.xtarget:vhost-check-guest
work=$(mktemp -d /tmp/xt-vhost.XXXXXX)
sock="$work/vm.sock"
xt_pid=""
cleanup() { [ -n "$xt_pid" ] && kill "$xt_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM
xt() { "$here/xtarget" "$@" --config "$work/xtarget.json" 2>&1 | grep -v '^WARNING\|^\[' || true; }

cat >"$work/xtarget.json" <<JSON
{"backstores": [{"name": "ram0", "type": "ram", "size": "256M", "blockSize": 512},
                {"name": "file1", "type": "file", "path": "file1.img", "size": "256M", "blockSize": 512},
                {"name": "ram4k", "type": "ram", "size": "128M", "blockSize": 4096},
                {"name": "hot", "type": "ram", "size": "32M", "blockSize": 512},
                {"name": "net0", "type": "ram", "size": "64M", "blockSize": 512}],
 "targets": [{"name": "iqn.2026-11.io.xtarget:vhost-check", "portals": ["127.0.0.1:$PORT"],
              "acls": [{"initiator": "$INI", "luns": [{"lun": 0, "backstore": "net0"}]}]}],
 "vhost": [{"socket": "$sock", "luns": [{"lun": 0, "backstore": "ram0"}, {"lun": 1, "backstore": "file1"},
                                        {"lun": 2, "backstore": "ram4k"}],
            "initiator": "$INI"}]}
JSON
cat >"$work/job.sh" <<'JOB'
dev() { lsblk -dno NAME,HCTL | awk -v h="$1" '$2 == h {print "/dev/" $1}'; }
sg() { basename "$(ls -d /sys/class/scsi_device/$1/device/scsi_generic/* 2>/dev/null)" | sed 's|^|/dev/|'; }
for _ in $(seq 1 30); do [ -n "$(dev 0:0:0:2)" ] && break; sleep 1; done
D0=$(dev 0:0:0:0) D1=$(dev 0:0:0:1) D2=$(dev 0:0:0:2) S0=$(sg 0:0:0:0) S1=$(sg 0:0:0:1)
grep -q virtio_scsi /sys/class/scsi_host/host0/proc_name 2>/dev/null || grep -q . /sys/class/scsi_host/host0/proc_name
[ -n "$D0" ] && [ -n "$D1" ] && [ -n "$D2" ] && echo "CHECK luns-on-virtio-scsi OK ($D0 $D1 $D2)"
sg_vpd -p 0x83 "$D0" | grep -q "Relative target port: 0x2" && echo "CHECK vpd83-relative-port OK"
dd if=/dev/urandom of=/tmp/src bs=1M count=64 status=none
dd if=/tmp/src of="$D0" bs=1M oflag=direct status=none
dd if="$D0" of=/tmp/back bs=1M count=64 iflag=direct status=none
[ "$(sha256sum </tmp/src)" = "$(sha256sum </tmp/back)" ] && echo "CHECK sha256-64MiB-direct OK"
ok=1
for d in "$D0" "$D1" "$D2"; do
  fio --name=v --filename="$d" --direct=1 --rw=randrw --bs=4k --iodepth=16 --ioengine=libaio --size=32M \
      --verify=crc32c --do_verify=1 --verify_fatal=1 --output-format=terse >/dev/null || ok=0
done
[ $ok = 1 ] && echo "CHECK fio-verify-3-luns OK"
sg_xcopy if="$S0" of="$S1" bs=512 count=8192 seek=65536 >/dev/null 2>&1
a=$(dd if="$D0" bs=512 count=8192 iflag=direct status=none | md5sum)
b=$(dd if="$D1" bs=512 skip=65536 count=8192 iflag=direct status=none | md5sum)
[ "$a" = "$b" ] && echo "CHECK sg_xcopy OK"
# across fabrics: $LUN0_SG/$LUN0_DEV are the iSCSI LU (net0) of the login
sg_xcopy --on_src if="$S0" of="$LUN0_SG" bs=512 count=8192 >/dev/null 2>&1
a=$(dd if="$D0" bs=512 count=8192 iflag=direct status=none | md5sum)
b=$(dd if="$LUN0_DEV" bs=512 count=8192 iflag=direct status=none | md5sum)
[ -n "$LUN0_DEV" ] && [ "$a" = "$b" ] && echo "CHECK sg_xcopy-virtio-to-iscsi OK"
dd if=/dev/urandom of="$LUN0_DEV" bs=1M count=4 seek=8 oflag=direct status=none
sg_xcopy --on_dst if="$LUN0_SG" of="$S1" bs=512 skip=16384 count=8192 seek=131072 >/dev/null 2>&1
a=$(dd if="$LUN0_DEV" bs=512 skip=16384 count=8192 iflag=direct status=none | md5sum)
b=$(dd if="$D1" bs=512 skip=131072 count=8192 iflag=direct status=none | md5sum)
[ -n "$LUN0_DEV" ] && [ "$a" = "$b" ] && echo "CHECK sg_xcopy-iscsi-to-virtio OK"
[ -n "$LUN0_SG" ] && ! sg_xcopy --on_dst if="$S0" of="$LUN0_SG" bs=512 count=8 seek=32768 >/dev/null 2>&1 \
  && echo "CHECK sg_xcopy-on-iscsi-to-virtio-refused OK"
# the unit attention may go to the kernel's own command after the reset, or to ours
sg_reset -d "$D0" >/dev/null 2>&1 && { sg_turs "$D0" >/dev/null 2>&1; sg_turs "$D0"; } && echo "CHECK lun-reset OK"
echo WAIT-ADD
for _ in $(seq 1 90); do [ -n "$(dev 0:0:0:3)" ] && break; sleep 1; done
D3=$(dev 0:0:0:3)
[ -n "$D3" ] && dd if=/dev/zero of="$D3" bs=1M count=4 oflag=direct status=none && echo "CHECK hot-add OK ($D3)"
echo WAIT-REMOVE
for _ in $(seq 1 90); do [ -z "$(dev 0:0:0:3)" ] && break; sleep 1; done
[ -z "$(dev 0:0:0:3)" ] && echo "CHECK hot-remove OK"
# a device reset, as a guest reboot does it: unbind the virtio-scsi driver (the driver resets the
# device, QEMU stops the rings) and bind it again (new rings on the same back-end connection)
vdev=$(basename "$(ls -d /sys/bus/virtio/drivers/virtio_scsi/virtio* | head -1)")
before=$(dd if="$D0" bs=1M count=64 iflag=direct status=none | sha256sum)
echo "$vdev" >/sys/bus/virtio/drivers/virtio_scsi/unbind && sleep 2 \
  && echo "$vdev" >/sys/bus/virtio/drivers/virtio_scsi/bind
h=""; for _ in $(seq 1 120); do h=$(ls -d /sys/bus/virtio/devices/"$vdev"/host* 2>/dev/null | sed 's|.*/host||'); [ -n "$h" ] && [ -n "$(dev "$h:0:0:0")" ] && break; sleep 1; done
R0=$(dev "$h:0:0:0")
if [ -n "$R0" ] && [ "$(dd if="$R0" bs=1M count=64 iflag=direct status=none | sha256sum)" = "$before" ]; then
  echo "CHECK device-reset-rebind OK ($R0)"
else
  echo "device reset: $vdev host '$h' disk '$R0'"; lsblk -dno NAME,HCTL; dmesg | tail -15
fi
JOB

(cd "$work" && exec "$here/xtarget" serve --config "$work/xtarget.json") >"$work/xtarget.log" 2>&1 &
xt_pid=$!
for _ in $(seq 1 150); do [ -S "$sock" ] && break; sleep 0.2; done
run="$work/run"
. "$here/tools/lib/vhost-guest.sh"
start_vhost_guest "$sock" "$PORT" "$INI" "$run" "$work/job.sh"
wait_for() { for _ in $(seq 1 900); do grep -q "^$1" "$run/output.log" 2>/dev/null && return 0; sleep 1; done; return 1; }
wait_for WAIT-ADD && { xt lun create "$sock" hot --lun 3; kill -HUP "$xt_pid"; }
wait_for WAIT-REMOVE && { xt lun delete "$sock" 3; kill -HUP "$xt_pid"; }
wait "$guest" || true
grep '^CHECK' "$run/output.log" | tr -d '\r' | tee "$work/checks" || true
for _ in $(seq 1 50); do grep -q "front-end disconnected" "$work/xtarget.log" && break; sleep 0.2; done
grep -q "LUN reset of ram0" "$work/xtarget.log" && echo "CHECK lun-reset-reached-the-core OK" | tee -a "$work/checks"
grep -q "front-end disconnected" "$work/xtarget.log" && echo "CHECK server-cleaned-up OK" | tee -a "$work/checks"
n=$(grep -c '^CHECK .* OK' "$work/checks" || true)
if [ "$n" -ne 14 ]; then
    echo "FAILED: $n of 14 checks passed"; tail -30 "$run/output.log"; tail -20 "$work/xtarget.log"; exit 1
fi
echo "vhost-user-scsi guest check: 14 of 14 passed"
