#!/usr/bin/env bash
# Access-control, authentication, thin-provisioning and SANITIZE behaviour seen by a real Linux
# initiator (open-iscsi, sg3-utils and the kernel's sd driver in the QEMU guest of
# ../shared/linux-guest, see its README). NOT part of CI: the guest runs under emulation (one boot,
# about 2 minutes), and it needs root on the host (it mounts a 32 MiB tmpfs for the full-file-system
# case). It starts `xtarget serve` with its own config on 127.0.0.1:$PORT and checks:
#  1. read-only mapping: the guest logs in twice to one target, as a read-write initiator (the
#     boot's default iface) and as a read-only one (an iface with another InitiatorName), both on
#     one removable file LU. From the read-only host: Linux sees Write Protect; WRITE(10),
#     RESERVE(6)/(10), PERSISTENT RESERVE OUT RESERVE/CLEAR/PREEMPT, MODE SELECT (WCE=0, SWP=1 with
#     sg_wr_mode; sd's cache_type) and START STOP UNIT eject fail with DATA PROTECT / WRITE
#     PROTECTED, PR REGISTER succeeds; the read-write host's direct writes succeed and both hosts
#     read them back; LUN reset (sg_reset -d -N, then sg_reset -d letting Linux escalate to a
#     target reset) from the read-only host is refused (WARN lines), the read-write host sees no reset; the read-write host
#     may change the caching page and eject/load the medium.
#  2. discovery CHAP (top-level discoveryAuth): SendTargets without credentials fails and lists
#     nothing; with discovery.sendtargets.auth.* it lists the target.
#  3. CHAP login back-off (loginBackoffMillis 2000): two logins with a wrong password fail with
#     an authorization failure, the second one answered at least 2 s after the first; the right
#     password logs in once the back-off (4 s) has passed; xtarget's WARN lines.
#  4. thin file LU (128 MiB) on a full 32 MiB tmpfs with softThresholdPercent 50: direct writes
#     end in ENOSPC, the guest kernel logs the soft threshold UA (38/07) and the space allocation
#     failure (27/07); LOG SENSE page 0Ch; after UNMAP (blkdiscard) writes succeed again; an
#     OVERWRITE sanitize with AUSE that runs out of space leaves the LU in sanitize failure mode
#     (MEDIUM ERROR / SANITIZE COMMAND FAILED), EXIT FAILURE MODE ends it, BLOCK ERASE frees space.
#  5. SANITIZE OVERWRITE / BLOCK ERASE (sg_sanitize --wait), OVERWRITE with IMMED (--early) polled
#     with sg_requests --progress, EXIT FAILURE MODE; READ CAPACITY(16), VPD B0h and the kernel's
#     physical_block_size on a 512e LU (physicalBlockSize 4096); WRITE ATOMIC(16) (sg_write_x);
#     READ DEFECT DATA(10)/(12) (sg_raw); a reserved CDB bit; a missing image of a known backstore
#     (NOT READY 04h/03h, not recreated).
# The guest runs them in the order 1, 4, 5, 2, 3: every connection of the guest comes from the host's
# 127.0.0.1, so after a failed CHAP login the back-off delays every login of the guest.
# Exits non-zero when any check fails; prints every CHECK line and the NOTE lines (observations);
# the guest's full output and xtarget's log are kept in $KEEP (default /tmp/xt-guest-access-last).
#
# Usage: sudo tools/linux-guest-access-check.sh   (env: PORT=3610 GUEST=../shared/linux-guest KEEP=DIR)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT=${PORT:-3610}
GUEST=${GUEST:-$here/../shared/linux-guest}
KEEP=${KEEP:-/tmp/xt-guest-access-last}
[ "$(id -u)" = 0 ] || { echo "run as root (mounts a tmpfs for the full-file-system check)" >&2; exit 2; }
work=$(mktemp -d /tmp/xt-guest-access.XXXXXX)
xt_pid=""
cleanup() {
    [ -n "$xt_pid" ] && kill "$xt_pid" 2>/dev/null
    wait 2>/dev/null
    mountpoint -q "$work/small" && umount "$work/small"
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
mkdir "$work/small"
mount -t tmpfs -o size=32M xt-small "$work/small"

cat >"$work/xtarget.json" <<JSON
{"backstores": [
  {"name": "shared", "type": "file", "path": "shared.img", "size": "64M", "removable": true},
  {"name": "thin", "type": "file", "path": "small/thin.img", "size": "128M", "softThresholdPercent": 50},
  {"name": "san", "type": "ram", "size": "1G"},
  {"name": "e512", "type": "ram", "size": "64M", "physicalBlockSize": 4096},
  {"name": "gone", "type": "file", "path": "gone.img", "size": "16M", "naa": "60a5854feedc0ffee0000000000000a1"},
  {"name": "chapdisk", "type": "ram", "size": "16M"}],
 "targets": [
  {"name": "iqn.2026-11.io.xtarget:access", "portals": ["127.0.0.1:$PORT"],
   "acls": [{"initiator": "iqn.2026-11.io.xtarget.guest:rw",
             "luns": [{"lun": 0, "backstore": "shared"}, {"lun": 1, "backstore": "thin"},
                      {"lun": 2, "backstore": "san"}, {"lun": 3, "backstore": "e512"},
                      {"lun": 4, "backstore": "gone"}]},
            {"initiator": "iqn.2026-11.io.xtarget.guest:ro",
             "luns": [{"lun": 0, "backstore": "shared", "readOnly": true}]}]},
  {"name": "iqn.2026-11.io.xtarget:chap", "portals": ["127.0.0.1:$PORT"],
   "luns": [{"lun": 0, "backstore": "chapdisk"}],
   "acls": [{"initiator": "iqn.2026-11.io.xtarget.guest:chap",
             "chap": {"user": "guest", "secret": "guest-secret-12"}}]}],
 "discoveryAuth": {"user": "disc", "secret": "disc-secret-123"},
 "limits": {"loginBackoffMillis": 2000, "loginBackoffMaxMillis": 16000}}
JSON

cat >"$work/job.sh" <<'JOB'
# Runs in the guest, logged in (boot) as iqn.2026-11.io.xtarget.guest:rw to the access target:
# LUN0 shared (removable), LUN1 thin, LUN2 san, LUN3 e512, LUN4 gone.
P=10.0.2.100:3260
T_ACC=iqn.2026-11.io.xtarget:access
T_CHAP=iqn.2026-11.io.xtarget:chap
RO_NAME=iqn.2026-11.io.xtarget.guest:ro
CHAP_NAME=iqn.2026-11.io.xtarget.guest:chap
ok()   { echo "CHECK $1 OK"; }
bad()  { echo "CHECK $1 FAILED${2:+ ($2)}"; }
note() { echo "NOTE $*"; }
# run CMD...: runs it (timeout 120 s), output in $out, status in $rc, both shown indented
run() { out=$(timeout 120 "$@" 2>&1); rc=$?; echo "\$ $* -> rc=$rc"; [ -n "$out" ] && echo "$out" | head -40 | sed 's/^/    /'; return 0; }
# expect_ok NAME CMD...: status 0
expect_ok() { local n=$1; shift; run "$@"; [ $rc -eq 0 ] && ok "$n" || bad "$n" "rc=$rc"; }
# expect_sense NAME 'KEY' 'ASC' CMD...: fails, its output (sense decoded) names KEY and ASC
expect_sense() {
    local n=$1 k=$2 a=$3; shift 3; run "$@"
    if [ $rc -ne 0 ] && echo "$out" | grep -qi -- "$k" && echo "$out" | grep -qi -- "$a"; then ok "$n"; else bad "$n" "rc=$rc"; fi
}
dmark() { DM=$(dmesg | wc -l); }
dsince() { dmesg | tail -n +$((DM + 1)); }
# devs IFACE TARGET LUN -> "sg dev H:C:T:L" of that session's LUN
devs() {
    local s d
    for s in /sys/class/iscsi_session/session*; do
        [ "$(cat $s/ifacename 2>/dev/null)" = "$1" ] && [ "$(cat $s/targetname)" = "$2" ] || continue
        for d in $s/device/target*/*:*:*:$3; do
            [ -d "$d" ] && echo "/dev/$(ls $d/scsi_generic) /dev/$(ls $d/block 2>/dev/null) ${d##*/}"
        done
    done
}
# mode_bit SG PAGE OFFSET MASK -> 1/0: a bit of a current mode page (MODE SENSE(6), DBD)
mode_bit() {
    rm -f /tmp/ms.bin; sg_raw -r 64 -o /tmp/ms.bin $1 1a 08 $2 00 40 00 >/dev/null 2>&1 || return
    local b=$(od -An -tu1 -j$((4 + $3)) -N1 /tmp/ms.bin | tr -d ' ')
    [ -n "$b" ] && echo $(( (b & $4) != 0 ))
}
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
T0=$(now)

echo "=== 1. read-only and read-write host on one LU"
RW_SG=$LUN0_SG RW_DEV=$LUN0_DEV
dmark
iscsiadm -m iface -I ro -o new >/dev/null
iscsiadm -m iface -I ro -o update -n iface.initiatorname -v $RO_NAME >/dev/null
iscsiadm -m node -o new -T $T_ACC -p $P -I ro >/dev/null
run iscsiadm -m node -T $T_ACC -p $P -I ro --login
udevadm settle -t 20; sleep 1; udevadm settle -t 20
read -r RO_SG RO_DEV RO_HCTL <<<"$(devs ro $T_ACC 0)"
echo "RW: $RW_SG $RW_DEV   RO: $RO_SG $RO_DEV $RO_HCTL"
[ -n "$RO_SG" ] && [ "$RO_SG" != "$RW_SG" ] && ok ro-login-second-initiator-name || bad ro-login-second-initiator-name
dsince | grep -E "${RO_DEV#/dev/}|$RO_HCTL" | sed 's/^/    dmesg: /'
if [ "$(blockdev --getro $RO_DEV)" = 1 ] && dsince | grep -q "${RO_DEV#/dev/}\] Write Protect is on"; then
    ok ro-linux-sees-write-protect; else bad ro-linux-sees-write-protect; fi
head -c 512 /dev/zero >/tmp/blk512
expect_sense ro-write10-refused 'data protect' 'write protected' sg_raw -s 512 -i /tmp/blk512 $RO_SG 2a 00 00 00 00 00 00 00 01 00
expect_sense ro-reserve6-refused 'data protect' 'write protected' sg_raw $RO_SG 16 00 00 00 00 00
expect_sense ro-reserve10-refused 'data protect' 'write protected' sg_raw $RO_SG 56 00 00 00 00 00 00 00 00 00
expect_ok ro-pr-register sg_persist -v --out --register --param-sark=0x1234 $RO_SG
run sg_persist --in -k $RW_SG
echo "$out" | grep -q '0x1234' && ok rw-sees-ro-pr-key || bad rw-sees-ro-pr-key
expect_sense ro-pr-reserve-refused 'data protect' 'write protected' sg_persist -v --out --reserve --param-rk=0x1234 --prout-type=1 $RO_SG
expect_sense ro-pr-clear-refused 'data protect' 'write protected' sg_persist -v --out --clear --param-rk=0x1234 $RO_SG
expect_sense ro-pr-preempt-refused 'data protect' 'write protected' sg_persist -v --out --preempt --param-rk=0x1234 --param-sark=0x1234 --prout-type=1 $RO_SG
run sg_persist --in -r $RW_SG
echo "$out" | grep -qi 'no reservation' && ok no-reservation-held || bad no-reservation-held
expect_ok ro-pr-unregister sg_persist -v --out --register --param-rk=0x1234 --param-sark=0 $RO_SG
wce_before=$(mode_bit $RW_SG 08 2 4)
expect_sense ro-mode-select-wce0-refused 'data protect' 'write protected' sg_wr_mode -v -p 8 -c 0,0,0 -m 0,0,4 $RO_SG
expect_sense ro-mode-select-swp1-refused 'data protect' 'write protected' sg_wr_mode -v -p a -c 0,0,0,0,8 -m 0,0,0,0,8 $RO_SG
ct=/sys/class/scsi_disk/$RO_HCTL/cache_type
echo "RO cache_type: $(cat $ct)"
dmark
if echo "write through" >$ct 2>/tmp/ct.err; then ctrc=0; else ctrc=1; fi
echo "echo 'write through' > $ct -> $ctrc $(cat /tmp/ct.err)"; dsince | sed 's/^/    dmesg: /'
[ $ctrc -ne 0 ] && dsince | grep -qi 'write protected' && ok ro-linux-cache-type-refused || bad ro-linux-cache-type-refused
wce_after=$(mode_bit $RW_SG 08 2 4) swp_after=$(mode_bit $RW_SG 0a 4 8)
echo "WCE $wce_before -> $wce_after, SWP $swp_after"
[ -n "$wce_before" ] && [ "$wce_before" = "$wce_after" ] && [ "$swp_after" = 0 ] \
    && ok mode-pages-unchanged || bad mode-pages-unchanged "WCE $wce_before -> $wce_after, SWP $swp_after"
expect_sense ro-eject-refused 'data protect' 'write protected' sg_start -v --eject $RO_SG
expect_ok rw-medium-still-present sg_turs $RW_SG
head -c 4M /dev/urandom >/tmp/rw.bin
run dd if=/tmp/rw.bin of=$RW_DEV bs=1M seek=8 oflag=direct status=none
dd if=$RW_DEV bs=1M skip=8 count=4 iflag=direct status=none | cmp - /tmp/rw.bin && ok rw-direct-write-read-back || bad rw-direct-write-read-back
dd if=$RO_DEV bs=1M skip=8 count=4 iflag=direct status=none | cmp - /tmp/rw.bin && ok ro-reads-rw-data || bad ro-reads-rw-data
dmark
expect_sense ro-lun-reset-refused-no-escalation 'device reset' 'device reset' sg_reset -v -N -d $RO_SG
dsince | sed 's/^/    dmesg: /'
dmark; t=$(now)
run sg_reset -v -d $RO_SG
note "sg_reset -d (escalation allowed) from the read-only host: rc=$rc after $(secs $t $(now)) s: $(echo "$out" | tr '\n' ' ')"
dsince | sed 's/^/    dmesg: /'
dsince | grep -E 'session|connection|reset' | head -8 | sed 's/^/NOTE   guest kernel: /'
udevadm settle -t 20
run sg_turs $RO_SG; [ $rc -ne 0 ] && run sg_turs $RO_SG
[ $rc -eq 0 ] && ok ro-usable-after-reset-attempts || bad ro-usable-after-reset-attempts
run sg_turs $RW_SG
[ $rc -eq 0 ] && ok rw-saw-no-reset || bad rw-saw-no-reset "rc=$rc"
expect_ok rw-mode-select-allowed sg_wr_mode -v -p 8 -c 0,0,4 -m 0,0,4 $RW_SG
expect_ok rw-eject sg_start --eject $RW_SG
expect_sense rw-ejected-medium-not-present 'not ready' 'medium not present' sg_turs -v $RW_SG
# Something in the guest opens the disk after the eject (udev, after sd noticed the capacity
# change), and sd sends PREVENT MEDIUM REMOVAL when a removable disk is opened: a load at that
# moment is refused with 53/02, as SPC-4 wants. Allow removal first (as eject(1) does).
run sg_start -v --load $RW_SG
[ $rc -ne 0 ] && note "load right after eject: rc=$rc, $(echo "$out" | grep -i 'additional sense' | sed 's/^ *//'); guest kernel: $(dsince | grep "${RW_DEV#/dev/}: detected capacity change" | tail -1)"
[ $rc -ne 0 ] && run sg_prevent --allow $RW_SG && run sg_start -v --load $RW_SG
[ $rc -eq 0 ] && ok rw-load || bad rw-load "rc=$rc"
run sg_turs $RW_SG; [ $rc -ne 0 ] && run sg_turs $RW_SG
[ $rc -eq 0 ] && ok rw-medium-back || bad rw-medium-back
note "section 1 took $(secs $T0 $(now)) s"

echo "=== 4. thin file LU on a full file system"
T1=$(now)
THIN_SG=$LUN1_SG THIN_DEV=$LUN1_DEV
dmark
tr '\0' 'Z' </dev/zero | dd of=$THIN_DEV bs=1M count=128 oflag=direct iflag=fullblock 2>/tmp/dd.err; ddrc=$?
cat /tmp/dd.err | sed 's/^/    /'
[ $ddrc -ne 0 ] && grep -q 'No space left on device' /tmp/dd.err && ok thin-write-fails-enospc || bad thin-write-fails-enospc "rc=$ddrc"
dsince | grep -iE 'threshold|space|sense|protect|error' | head -20 | sed 's/^/    dmesg: /'
dsince | grep -qi 'thin provisioning soft threshold' && ok thin-soft-threshold-ua-logged-by-linux || bad thin-soft-threshold-ua-logged-by-linux
dsince | grep -qiE 'critical space allocation error|Space allocation failed write protect' && ok thin-space-allocation-failed-logged-by-linux || bad thin-space-allocation-failed-logged-by-linux
[ "$(dsince | grep -ci 'thin provisioning soft threshold')" = 1 ] && ok thin-soft-threshold-ua-once || bad thin-soft-threshold-ua-once
run sg_logs -p 0xc $THIN_SG
echo "$out" | grep -qi 'available LBA mapping .*resource count' && echo "$out" | grep -qi 'used LBA mapping .*resource count' \
    && ok thin-log-sense-0c || bad thin-log-sense-0c
expect_ok thin-blkdiscard blkdiscard $THIN_DEV
run dd if=/tmp/rw.bin of=$THIN_DEV bs=1M oflag=direct status=none
[ $rc -eq 0 ] && dd if=$THIN_DEV bs=1M count=4 iflag=direct status=none | cmp - /tmp/rw.bin && ok thin-writes-again-after-unmap || bad thin-writes-again-after-unmap
printf 'xtarget-sanitize%.0s' $(seq 32) >/tmp/pat   # 512 bytes
expect_sense thin-sanitize-out-of-space-fails 'medium error' 'sanitize command failed' sg_sanitize -Q -w --ause --overwrite --pattern=/tmp/pat $THIN_SG
for i in 1 2 3; do run sg_turs -v $THIN_SG; echo "$out" | grep -qi 'unit attention' || break; done
echo "$out" | grep -qi 'sanitize command failed' && ok thin-sanitize-failure-mode || bad thin-sanitize-failure-mode
expect_ok thin-exit-failure-mode sg_sanitize -Q -w --fail $THIN_SG
expect_ok thin-usable-after-exit-failure-mode sg_turs $THIN_SG
expect_ok thin-block-erase sg_sanitize -Q -w --block $THIN_SG
run sg_logs -p 0xc $THIN_SG
note "section 4 took $(secs $T1 $(now)) s"

echo "=== 5. SANITIZE, 512e, WRITE ATOMIC, READ DEFECT DATA, reserved bits, missing image"
T1=$(now)
SAN_SG=$LUN2_SG SAN_DEV=$LUN2_DEV
blk() { dd if=$SAN_DEV bs=512 skip=$1 count=1 iflag=direct status=none; }
last=$(( $(blockdev --getsz $SAN_DEV) - 1 ))
dd if=/tmp/rw.bin of=$SAN_DEV bs=1M oflag=direct status=none
expect_ok sanitize-overwrite sg_sanitize -Q -w --overwrite --pattern=/tmp/pat $SAN_SG
{ blk 0 | cmp -s - /tmp/pat && blk 4097 | cmp -s - /tmp/pat && blk $last | cmp -s - /tmp/pat; } && ok sanitize-overwrite-pattern-read-back || bad sanitize-overwrite-pattern-read-back
expect_ok sanitize-block-erase sg_sanitize -Q -w --block $SAN_SG
{ blk 0 | cmp -s - /tmp/blk512 && blk $last | cmp -s - /tmp/blk512; } && ok sanitize-block-erase-reads-zeros || bad sanitize-block-erase-reads-zeros
expect_ok sanitize-exit-failure-mode-when-idle sg_sanitize -Q -w --fail $SAN_SG
t=$(now)
expect_ok sanitize-immed-starts sg_sanitize -Q --early --overwrite --count=31 --pattern=/tmp/pat $SAN_SG
run sg_turs -v $SAN_SG; echo "$out" | grep -qi 'sanitize in progress' && ok sanitize-in-progress-not-ready || bad sanitize-in-progress-not-ready "rc=$rc"
seen=0 prog=""
for i in $(seq 600); do
    o=$(sg_requests --progress $SAN_SG 2>&1)
    p=$(echo "$o" | grep -oE '[0-9.]+% done' | head -1)
    [ -n "$p" ] || break
    seen=$((seen + 1)); prog="$prog ${p% done}"
done
echo "progress:$prog; after: $o"
note "SANITIZE OVERWRITE x31 of 1 GiB with IMMED: $seen progress indications ($(echo $prog | cut -d' ' -f1) ... $(echo $prog | awk '{print $NF}')), done after $(secs $t $(now)) s"
[ $seen -ge 1 ] && ok sanitize-progress-indication || bad sanitize-progress-indication
run sg_turs $SAN_SG; [ $rc -ne 0 ] && run sg_turs $SAN_SG
[ $rc -eq 0 ] && blk 100 | cmp -s - /tmp/pat && ok sanitize-immed-completed || bad sanitize-immed-completed
E_SG=$LUN3_SG E_DEV=$LUN3_DEV
run sg_readcap --long $E_SG
echo "$out" | grep -q 'Logical blocks per physical block exponent=3' && echo "$out" | grep -q 'Lowest aligned LBA=0' \
    && ok readcap16-512e || bad readcap16-512e
q=/sys/block/${E_DEV#/dev/}/queue
echo "kernel: logical $(cat $q/logical_block_size) physical $(cat $q/physical_block_size) minimum_io $(cat $q/minimum_io_size) optimal_io $(cat $q/optimal_io_size) alignment $(cat /sys/block/${E_DEV#/dev/}/alignment_offset)"
[ "$(cat $q/physical_block_size)" = 4096 ] && [ "$(cat $q/logical_block_size)" = 512 ] && ok linux-512e-physical-block-size || bad linux-512e-physical-block-size
run sg_vpd -p bl $E_SG
[ $rc -eq 0 ] && ! echo "$out" | grep -qiE 'error|bad|malformed|too short|truncat' && echo "$out" | grep -qiE 'granularity: 8 blocks' \
    && ok vpd-b0-decodes || bad vpd-b0-decodes
head -c 4096 /dev/urandom >/tmp/blk4k
expect_ok write-atomic16-aligned sg_write_x -v --atomic=0 --lba=8 --num=8 --in=/tmp/blk4k $E_SG
dd if=$E_DEV bs=512 skip=8 count=8 iflag=direct status=none | cmp - /tmp/blk4k && ok write-atomic16-read-back || bad write-atomic16-read-back
expect_sense write-atomic16-misaligned-refused 'illegal request' 'invalid field in cdb' sg_write_x -v --atomic=0 --lba=3 --num=8 --in=/tmp/blk4k $E_SG
run sg_raw -r 4 $E_SG 37 00 18 00 00 00 00 00 04 00
[ $rc -eq 0 ] && echo "$out" | grep -qE '00 +00 18 00 00' && ok read-defect-data10-empty || bad read-defect-data10-empty
run sg_raw -r 8 $E_SG b7 18 00 00 00 00 00 00 00 08 00 00
[ $rc -eq 0 ] && echo "$out" | grep -qE '00 +00 18 00 00 00 00 00 00' && ok read-defect-data12-empty || bad read-defect-data12-empty
expect_ok tur-good sg_turs $E_SG
expect_sense reserved-cdb-bit-refused 'illegal request' 'invalid field in cdb' sg_raw $E_SG 00 01 00 00 00 00
run sg_turs -v $LUN4_SG
[ $rc -ne 0 ] && echo "$out" | grep -qi 'manual intervention required' && ok missing-image-not-ready-04-03 || bad missing-image-not-ready-04-03
note "section 5 took $(secs $T1 $(now)) s"

echo "=== 2. discovery CHAP"
T1=$(now)
run iscsiadm -m discovery -t sendtargets -p $P -I default -o nonpersistent
[ $rc -ne 0 ] && ! echo "$out" | grep -q 'iqn.2026-11.io.xtarget:' && ok discovery-without-chap-refused || bad discovery-without-chap-refused "rc=$rc"
iscsiadm -m discoverydb -t sendtargets -p $P -I default -o new >/dev/null
for kv in authmethod=CHAP username=disc password=disc-secret-123; do
    iscsiadm -m discoverydb -t sendtargets -p $P -I default -o update -n discovery.sendtargets.auth.${kv%%=*} -v ${kv#*=}
done
run iscsiadm -m discoverydb -t sendtargets -p $P -I default --discover
[ $rc -eq 0 ] && echo "$out" | grep -q "$T_ACC" && ok discovery-with-chap-lists-target || bad discovery-with-chap-lists-target "rc=$rc"
note "section 2 took $(secs $T1 $(now)) s"

echo "=== 3. CHAP login back-off"
T1=$(now)
iscsiadm -m iface -I chap -o new >/dev/null
iscsiadm -m iface -I chap -o update -n iface.initiatorname -v $CHAP_NAME >/dev/null
iscsiadm -m node -o new -T $T_CHAP -p $P -I chap >/dev/null
upd() { iscsiadm -m node -T $T_CHAP -p $P -I chap -o update -n "$1" -v "$2"; }
upd node.session.auth.authmethod CHAP; upd node.session.auth.username guest
upd node.session.auth.password wrong-secret-99
login() { local t=$(now); run iscsiadm -m node -T $T_CHAP -p $P -I chap --login; t_end=$(now); dur=$(secs $t $t_end); }
login; e1=$t_end d1=$dur
[ $rc -ne 0 ] && echo "$out" | grep -qi 'authorization failure' && ok chap-wrong-password-refused || bad chap-wrong-password-refused "rc=$rc"
login; e2=$t_end d2=$dur
[ $rc -ne 0 ] && echo "$out" | grep -qi 'authorization failure' && ok chap-wrong-password-refused-again || bad chap-wrong-password-refused-again "rc=$rc"
gap=$(secs $e1 $e2)
note "wrong password: 1st login failed after $d1 s, 2nd (started at once) after $d2 s, $gap s after the 1st"
awk -v g=$gap 'BEGIN { exit !(g >= 1.9) }' && ok chap-second-failure-waited-backoff || bad chap-second-failure-waited-backoff "gap $gap s"
upd node.session.auth.password guest-secret-12
sleep 4.5
login
note "right password after waiting out the 4 s back-off: rc=$rc after $dur s"
[ $rc -eq 0 ] && awk -v d=$dur 'BEGIN { exit !(d < 4) }' && ok chap-right-password-logs-in || bad chap-right-password-logs-in "rc=$rc, $dur s"
udevadm settle -t 20
read -r C_SG C_DEV C_HCTL <<<"$(devs chap $T_CHAP 0)"
[ -n "$C_SG" ] && run sg_turs $C_SG; [ -n "$C_SG" ] && [ $rc -eq 0 ] && ok chap-session-usable || bad chap-session-usable
note "section 3 took $(secs $T1 $(now)) s; job total $(secs $T0 $(now)) s"
JOB

(cd "$work" && exec "$here/xtarget" serve --config "$work/xtarget.json") >"$work/xtarget.log" 2>&1 &
xt_pid=$!
for _ in $(seq 1 150); do ss -ltn "( sport = :$PORT )" | grep -q LISTEN && break; sleep 0.2; done
t0=$(date +%s)
TARGET_PORT=$PORT TARGET_IQN=iqn.2026-11.io.xtarget:access INITIATOR_NAME=iqn.2026-11.io.xtarget.guest:rw \
    JOB_TIMEOUT=${JOB_TIMEOUT:-1500} QUIET=1 "$GUEST/initiator-run.sh" --script "$work/job.sh" >"$work/run.log" 2>&1 || true
t1=$(date +%s)

# Host side: xtarget's log lines and the missing image.
log=$work/xtarget.log
host() { if eval "$2"; then echo "CHECK $1 OK"; else echo "CHECK $1 FAILED"; fi; }
{
host host-warn-refused-lun-reset \
    "grep -q 'WARN.*refused LUN reset of LUN 0 (shared) of iqn.2026-11.io.xtarget:access by .*iqn.2026-11.io.xtarget.guest:ro' '$log'"
host host-warn-refused-target-reset \
    "grep -q 'WARN.*refused target warm reset of iqn.2026-11.io.xtarget:access by .*iqn.2026-11.io.xtarget.guest:ro' '$log'"
host host-warn-chap-failures \
    "grep -q 'WARN.*CHAP authentication failed: initiator iqn.2026-11.io.xtarget.guest:chap from 127.0.0.1 to target iqn.2026-11.io.xtarget:chap .*login back-off now 2000 ms' '$log' &&
     grep -q 'WARN.*CHAP authentication failed: initiator iqn.2026-11.io.xtarget.guest:chap from 127.0.0.1 to target iqn.2026-11.io.xtarget:chap .*login back-off now 4000 ms' '$log'"
host host-warn-discovery-chap-failure "grep -q 'WARN.*CHAP authentication failed: initiator iqn.2026-11.io.xtarget.guest:rw from 127.0.0.1 to target ?' '$log'"
host host-warn-soft-threshold "grep -q 'WARN.*backstore thin .*soft threshold reached' '$log'"
host host-warn-space-allocation "grep -q 'WARN.*backstore thin .*out of space' '$log'"
host host-missing-image-not-recreated "[ ! -e '$work/gone.img' ]"
} >"$work/host.log"
grep -hE '^(CHECK|NOTE)' "$work/run.log" "$work/host.log" || true
grep -E 'WARN|ERROR' "$log" | sed 's/^/xtarget: /' | head -20
mkdir -p "$KEEP" && cp "$work/run.log" "$work/xtarget.log" "$KEEP/"
pass=$(cat "$work/run.log" "$work/host.log" | grep -c '^CHECK .* OK$' || true)
fail=$(cat "$work/run.log" "$work/host.log" | grep -c '^CHECK .* FAILED' || true)
expected=74
if [ "$fail" -ne 0 ] || [ "$pass" -ne "$expected" ]; then
    echo "FAILED: $pass of $expected checks passed ($fail failed) in $((t1 - t0)) s; guest output and xtarget log in $KEEP"
    exit 1
fi
echo "linux initiator access check: $pass of $expected passed in $((t1 - t0)) s"
