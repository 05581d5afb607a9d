#!/usr/bin/env bash
# Two xtarget gateways of one RBD image seen by a real Linux host with dm-multipath (open-iscsi,
# multipath-tools, sg3-utils, fio and the kernel's scsi_dh_alua in the QEMU guest of
# ../shared/linux-guest, see its README). NOT part of CI: the guest runs under emulation (one boot,
# a few minutes in all). It starts a Ceph test cluster (or uses XT_CEPH_CONF), two `xtarget serve`
# gateways on 127.0.0.1:$PORT and 127.0.0.1:$((PORT+1)), and boots the guest with two NICs:
# eth0 reaches gateway 1 as 10.0.2.100:3260 (boot.sh's guestfwd), eth1 (a second user-mode netdev
# in EXTRA_QEMU_ARGS, restrict=on) reaches gateway 2 as 10.0.3.100:3260 through a guestfwd that runs
# a socat to 127.0.0.1 only. The guest logs in to both, then checks:
#  1. `multipath -ll` shows one device with two paths in two priority groups (prio alua,
#     group_by_prio): gateway 1's path active/optimized (prio 50), gateway 2's non-optimized (10);
#  2. sg_rtpg on each path reports both groups; INQUIRY TPGS 11b; sg_stpg --standby is refused
#     (ILLEGAL REQUEST, standby is not supported); sg_stpg --active on gateway 1 (the owner) gives
#     the image up and gateway 2 becomes optimized; sg_stpg --optimized on gateway 1 takes it back,
#     and the host's active path group ends up being the optimized gateway's (the host's own
#     scsi_dh_alua may move the home to the group it uses, with its own SET TARGET PORT GROUPS);
#  3. fio writes with verification (crc32c) through the multipath device; while it runs, the host
#     kills the gateway the host writes through (the optimized one) with SIGKILL; the guest's
#     session to it fails after its recovery timeout (set to 5 s), dm-multipath retries on the
#     other gateway's path, whose first write breaks the silent gateway's lock (fencing it) and
#     takes the lock and the home; fio ends without an error and its verification passes;
#  4. `multipath -ll` afterwards: the killed gateway's path failed, the other's active.
# Exits non-zero when a check fails; prints the CHECK lines; the guest's output and the gateways'
# logs are kept in $KEEP (default /tmp/xt-guest-multipath-last).
#
# Usage: tools/linux-guest-multipath-check.sh   (env: PORT=3620 GUEST=../shared/linux-guest KEEP=DIR
#        XT_CEPH_CONF=/path/ceph.conf to use a running test cluster)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT=${PORT:-3620}
PORT2=$((PORT + 1))
GUEST=${GUEST:-$here/../shared/linux-guest}
KEEP=${KEEP:-/tmp/xt-guest-multipath-last}
TARGET=iqn.2026-11.io.xtarget:mpath
work=$(mktemp -d /tmp/xt-guest-mpath.XXXXXX)
gw1=""; gw2=""
cleanup() {
    for p in $gw1 $gw2; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [ -z "${XT_CEPH_CONF:-}" ] && bash "$here/tools/ceph-test-cluster.sh" stop "$work/ceph" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

if [ -n "${XT_CEPH_CONF:-}" ]; then
    conf=$XT_CEPH_CONF
else
    bash "$here/tools/ceph-test-cluster.sh" start "$work/ceph" >"$work/ceph.log" 2>&1 \
        || { cat "$work/ceph.log"; exit 1; }
    conf=$work/ceph/ceph.conf
fi
image="guest-mpath-$$-$(date +%s)"
for g in 1 2; do
    p=$((3 - g))
    mkdir -p "$work/gw$g"
    cat >"$work/gw$g/xtarget.json" <<JSON
{"backstores": [{"name": "vm", "type": "rbd", "pool": "rbd", "image": "$image", "size": "256M",
    "cephConf": "$conf", "naa": "6001405f0e1d2c3b4a5968778695a4d7", "serial": "guest-mpath"}],
 "targets": [{"name": "$TARGET", "portals": ["127.0.0.1:$((PORT + g - 1))"], "luns": [{"lun": 0, "backstore": "vm"}]}],
 "gateway": {"group": $g, "firstRelativePort": $g, "peers": [{"group": $p, "relativePorts": [$p]}]}}
JSON
done
. "$here/tools/lib/wait-iscsi.sh"
"$here/xtarget" serve --config "$work/gw1/xtarget.json" --create=vm >"$work/gw1.log" 2>&1 &
gw1=$!
wait_iscsi "$PORT" || { echo "gateway 1 did not start"; cat "$work/gw1.log"; exit 1; }
"$here/xtarget" serve --config "$work/gw2/xtarget.json" >"$work/gw2.log" 2>&1 &
gw2=$!
wait_iscsi "$PORT2" || { echo "gateway 2 did not start"; cat "$work/gw2.log"; exit 1; }

# The second path: a user-mode netdev whose only forward is 10.0.3.100:3260 -> 127.0.0.1:$PORT2.
# EXTRA_QEMU_ARGS is split on spaces, so the forward's command is a script without arguments. Its
# NIC sits in PCI slot 10h, after boot.sh's, so that the guest names it eth1 (eth0 stays the one
# the guest's init configures for gateway 1).
printf '#!/bin/sh\nexec socat STDIO TCP:127.0.0.1:%s\n' "$PORT2" >"$work/fwd2.sh"
chmod +x "$work/fwd2.sh"
export EXTRA_QEMU_ARGS="-netdev user,id=n1,restrict=on,ipv6=off,net=10.0.3.0/24,host=10.0.3.2,guestfwd=tcp:10.0.3.100:3260-cmd:$work/fwd2.sh -device virtio-net-pci,netdev=n1,addr=0x10"

cat >"$work/job.sh" <<'JOB'
set -u
fails=0
check() { if [ "$2" = 0 ]; then echo "CHECK ok: $1"; else echo "CHECK FAILED: $1"; fails=$((fails + 1)); fi; }
T=iqn.2026-11.io.xtarget:mpath
for i in $(seq 50); do [ -e /sys/class/net/eth1 ] && break; sleep 0.1; done
ip link set eth1 up
ip addr add 10.0.3.15/24 dev eth1
iscsiadm -m node -o new -T $T -p 10.0.3.100:3260 >/dev/null
iscsiadm -m node -T $T -p 10.0.3.100:3260 --login
udevadm settle -t 20 || true
sleep 1
for s in /sys/class/iscsi_session/session*; do echo 5 > $s/recovery_tmo; done
# path of each gateway: the sg/sd of the session through 10.0.2.100 (gateway 1) and 10.0.3.100 (gateway 2)
path_of() { # portal address -> "sg sd"
    for s in /sys/class/iscsi_session/session*; do
        c=$(ls -d $s/device/connection*/iscsi_connection/connection* | head -1)
        [ "$(cat $c/persistent_address)" = "$1" ] || continue
        d=$(ls -d $s/device/target*/*:*:*:0 | head -1)
        echo "/dev/$(ls $d/scsi_generic) /dev/$(ls $d/block)"
    done
}
read -r SG1 SD1 <<<"$(path_of 10.0.2.100)"
read -r SG2 SD2 <<<"$(path_of 10.0.3.100)"
echo "gateway 1: $SG1 $SD1; gateway 2: $SG2 $SD2"
mkdir -p /etc/multipath
cat >/etc/multipath.conf <<EOF
defaults {
    user_friendly_names yes
    find_multipaths no
    polling_interval 2
}
devices {
    device {
        vendor "XTARGET"
        product ".*"
        path_grouping_policy group_by_prio
        prio alua
        hardware_handler "1 alua"
        path_checker tur
        failback immediate
        no_path_retry 30
    }
}
EOF
modprobe dm-multipath 2>/dev/null || true
modprobe scsi_dh_alua 2>/dev/null || true
multipathd
sleep 3
multipath -r >/dev/null 2>&1 || true
sleep 2
MP=/dev/mapper/$(multipath -ll | awk 'NR==1 {print $1}')
# dm-multipath marks a path group active when it sends I/O through it (a reload leaves both
# "enabled" until then): one read first, so the listing shows the group the host uses
dd if="$MP" of=/dev/null bs=4096 count=1 iflag=direct 2>/dev/null || true
multipath -ll | tee /out/multipath-before.txt
grep -c "status=" /out/multipath-before.txt | grep -qx 2; check "one multipath device, two path groups" $?
grep -E "prio=50.*status=active" /out/multipath-before.txt >/dev/null; check "an active/optimized group (prio 50, active)" $?
grep -E "prio=10" /out/multipath-before.txt >/dev/null; check "an active/non-optimized group (prio 10)" $?

sg_inq $SG1 | grep -i "TPGS=3" >/dev/null; check "INQUIRY TPGS 11b (implicit and explicit)" $?
sg_rtpg -d $SG1 | tee /out/rtpg1.txt
grep -c "target port group id" /out/rtpg1.txt | grep -qx 2; check "sg_rtpg reports two groups" $?
# sg_stpg itself declines standby (S_SUP is 0 in RTPG); sg_raw sends it anyway
sg_stpg --standby $SG1 >/out/stpg-standby.txt 2>&1
cat /out/stpg-standby.txt
printf '\x00\x00\x00\x00\x02\x00\x00\x01' >/tmp/stpg-standby.bin
sg_raw -s 8 -i /tmp/stpg-standby.bin $SG1 a4 0a 00 00 00 00 00 00 00 08 00 00 >/out/stpg-raw.txt 2>&1
cat /out/stpg-raw.txt
grep -qi "invalid field in parameter list" /out/stpg-raw.txt; check "SET TARGET PORT GROUPS to standby refused (INVALID FIELD IN PARAMETER LIST)" $?
sg_stpg --active $SG1; check "sg_stpg --active (non-optimized) on gateway 1" $?
sleep 2
sg_rtpg -d $SG2 | tee /out/rtpg2.txt
sg_rtpg -d $SG2 | grep -A1 "target port group id : 0x2" | grep -qi "active/optimized"; check "gateway 2 optimized after gateway 1 gave the image up" $?
sg_stpg --optimized $SG1; check "sg_stpg --optimized on gateway 1 takes the image back" $?
sg_rtpg -d $SG1 | grep -A1 "target port group id : 0x1" | grep -qi "active/optimized"; check "gateway 1 optimized again" $?
# multipathd re-reads the priorities on its next check (polling_interval 2). The host may also move
# the home itself: scsi_dh_alua, activating the path group dm-multipath still uses (gateway 2's),
# sends its own SET TARGET PORT GROUPS there (explicit ALUA, TPGS 11b). Either way the host's
# active group must end up being the one the gateways report active/optimized.
agree=1
multipath -r >/dev/null 2>&1
for i in $(seq 30); do
    sleep 1
    act=$(multipath -ll | grep -A1 "prio=50 status=active" | tail -1 | tr ' ' '\n' | grep -E "^sd[a-z]+$" | head -1)
    grp=2; [ "$act" = "$(basename $SD1)" ] && grp=1
    if [ -n "$act" ] && sg_rtpg -d /dev/$act | grep -A1 "target port group id : 0x$grp" | grep -qi "active/optimized"; then
        agree=0
        break
    fi
done
multipath -ll | tee /out/multipath-before-fio.txt
echo "host's active path: $act (gateway $grp)"
check "the host's active path group is the optimized gateway's" $agree
echo "FIO-START"
fio --name=mp --filename=$MP --direct=1 --ioengine=libaio --iodepth=4 --rw=randwrite --bs=4k --size=48M \
    --verify=crc32c --do_verify=1 --verify_fatal=1 --output=/out/fio.txt
rc=$?
cat /out/fio.txt
check "fio with verification through the multipath device across the kill of the active gateway" $rc
multipath -ll | tee /out/multipath-after.txt
grep -E "failed|faulty" /out/multipath-after.txt >/dev/null; check "the killed gateway's path failed" $?
grep -E "active ready" /out/multipath-after.txt >/dev/null; check "the other gateway's path active" $?
exit $fails
JOB

echo "guest boot (TCG, slow)..."
set +e
TARGET_PORT=$PORT TARGET_IQN=$TARGET QUIET=1 JOB_TIMEOUT=1500 "$GUEST/boot.sh" --mode initiator \
    --run-dir "$work/run" --script "$work/job.sh" >"$work/guest.out" 2>&1 &
guest=$!
# kill -9 the gateway the host writes through (the guest names it) once fio has run for a while
killed=""
while kill -0 "$guest" 2>/dev/null; do
    if [ -z "$killed" ] && grep -q "^FIO-START" "$work/guest.out" 2>/dev/null; then
        sleep "${KILL_AFTER:-20}"
        victim=$(grep -oE "host's active path: sd[a-z]+ \(gateway [12]\)" "$work/guest.out" | grep -oE "[12]\)" | tr -d ')')
        victim=${victim:-1}
        pid=$gw1; [ "$victim" = 2 ] && pid=$gw2
        kill -9 "$pid"
        killed=$(date +%s)
        echo "killed gateway $victim (pid $pid), the one the host writes through, with SIGKILL"
    fi
    sleep 1
done
wait "$guest"
rc=$?
set -e
rm -rf "$KEEP"
mkdir -p "$KEEP"
cp -r "$work/guest.out" "$work/gw1.log" "$work/gw2.log" "$KEEP/" 2>/dev/null || true
cp -r "$work/run/out" "$KEEP/guest-out" 2>/dev/null || true
grep -E "^CHECK|^NOTE" "$work/guest.out" || true
[ -n "$killed" ] || { echo "CHECK FAILED: fio never started (see $KEEP/guest.out)"; rc=1; }
grep -hE "broke its lock" "$work/gw1.log" "$work/gw2.log" | tail -2 || true
echo "guest exit status $rc; logs in $KEEP"
exit $rc
