#!/usr/bin/env bash
# Copy offload seen by real Linux clients (sg3-utils, ddpt 0.97 and the kernel's initiator in the
# QEMU guest of ../shared/linux-guest, see its README). NOT part of CI: the guest runs under
# emulation (one boot, several minutes). It starts `xtarget serve` on 127.0.0.1:$PORT with one
# target, LUN 0 a 512 MiB RAM LU, LUN 1 a 512 MiB file LU (both 512-byte blocks), LUN 2 a 128 MiB
# RAM LU of 4096-byte blocks, open to any initiator. The guest logs in twice, as two initiators
# (the boot's session "A" and a second iface "B" with its own InitiatorName), and checks:
#  1. VPD 0x8F (sg_vpd -p 0x8f) decodes without complaint, with the token limits in the LU's blocks;
#  2. token copy (ODX) with ddpt --odx: 512 -> 512, 512 -> 4096, 4096 -> 512, data compared (md5);
#  3. the Windows sequence across sessions: POPULATE TOKEN + RECEIVE ROD TOKEN INFORMATION on
#     session A (ddptctl --pt --rtf=FILE), the token decoded (ddptctl --info), WRITE USING TOKEN
#     from session B (ddptctl --wut, ddpt rtf=FILE --odx), DEL_TKN, then the deleted token refused
#     (TOKEN DELETED); REPORT ALL ROD TOKENS;
#  4. zeroing with the block device zero ROD token (ddpt rtype=zero --odx);
#  5. ESXi-shaped EXTENDED COPY with sg_xcopy (list_id=0 id_usage=disable, 4 MiB and 16 MiB
#     segments, --on_src PUSH and --on_dst PULL), from sessions A and B back to back, then in
#     parallel (A and B; two on A), data compared;
#  6. xtarget's own client before the guest boots: `xtarget xcopy --odx` of a random pattern the
#     host put into the file LU's image (LUN 1 -> LUN 0, LUN 1 -> the 4096-block LUN 2) and
#     `xtarget xcopy --zero`, checked by the guest's md5s; after it, on the host: xtarget's log
#     (token copies done, no ERROR) and the token counters of `xtarget status`.
#
# ddpt 0.97 (Debian 12; upstream unchanged) writes the block device range descriptors of POPULATE
# TOKEN and WRITE USING TOKEN one byte early (ddpt_xcopy.c do_pop_tok/do_wut: n = 15 / 535 instead
# of 16 / 536), so the target reads LBA x 256 and NUMBER OF LOGICAL BLOCKS x 256. The checks give
# ddpt LBAs and counts divided by 256 (skip=/seek= as "LBA,NUM" lists, the only form 0.97 handles:
# with count= alone it stops with "count= value not equal to the sum of gather nums") and say so in
# NOTE lines; what goes on the wire is then the range named in each check.
#
# Exits non-zero when any check fails; prints the CHECK and NOTE lines; the guest's output and
# xtarget's log are kept in $KEEP (default /tmp/xt-guest-copy-last).
#
# Usage: tools/linux-guest-copy-check.sh   (env: PORT=3620 GUEST=../shared/linux-guest KEEP=DIR)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT=${PORT:-3620}
METRICS=${METRICS:-$((PORT + 1000))}
GUEST=${GUEST:-$here/../shared/linux-guest}
KEEP=${KEEP:-/tmp/xt-guest-copy-last}
IQN=iqn.2026-11.io.xtarget:copycheck
work=$(mktemp -d /tmp/xt-guest-copy.XXXXXX)
xt_pid=""
cleanup() {
    [ -n "$xt_pid" ] && kill "$xt_pid" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

cat >"$work/xtarget.json" <<JSON
{"backstores": [{"name": "ram0", "type": "ram", "size": "512M", "blockSize": 512},
                {"name": "file1", "type": "file", "path": "file1.img", "size": "512M", "blockSize": 512},
                {"name": "ram4k", "type": "ram", "size": "128M", "blockSize": 4096}],
 "targets": [{"name": "$IQN", "portals": ["127.0.0.1:$PORT"],
              "luns": [{"lun": 0, "backstore": "ram0"}, {"lun": 1, "backstore": "file1"},
                       {"lun": 2, "backstore": "ram4k"}]}]}
JSON

cat >"$work/job.sh" <<'JOB'
# Runs in the guest, logged in (boot) as iqn.2026-11.io.xtarget.guest:a: LUN0 ram0, LUN1 file1, LUN2 ram4k.
P=10.0.2.100:3260
T=iqn.2026-11.io.xtarget:copycheck
B_NAME=iqn.2026-11.io.xtarget.guest:b
ok()   { echo "CHECK $1 OK"; }
bad()  { echo "CHECK $1 FAILED${2:+ ($2)}"; }
note() { echo "NOTE $*"; }
# run CMD...: runs it (timeout 300 s), output in $out, status in $rc, both shown indented
run() { out=$(timeout 300 "$@" 2>&1); rc=$?; echo "\$ $* -> rc=$rc"; [ -n "$out" ] && echo "$out" | head -30 | sed 's/^/    /'; return 0; }
expect_ok() { local n=$1; shift; run "$@"; [ $rc -eq 0 ] && ok "$n" || bad "$n" "rc=$rc"; }
# md5 DEV BS LBA COUNT: md5 of COUNT blocks of BS bytes at LBA, read with O_DIRECT
md5() { dd if=$1 bs=$2 skip=$3 count=$4 iflag=direct status=none | md5sum | cut -d' ' -f1; }
# same NAME A B: the two md5s are equal
same() { [ -n "$2" ] && [ "$2" = "$3" ] && ok "$1" || bad "$1" "$2 vs $3"; }
# d256 N: N / 256, for ddpt 0.97's shifted range descriptors (see the host script's header)
d256() { [ $(($1 % 256)) = 0 ] || echo "not a multiple of 256: $1" >&2; echo $(($1 / 256)); }
# devs IFACE LUN -> "sg dev" of that session's LUN
devs() {
    local s d
    for s in /sys/class/iscsi_session/session*; do
        [ "$(cat $s/ifacename 2>/dev/null)" = "$1" ] && [ "$(cat $s/targetname)" = "$T" ] || continue
        for d in $s/device/target*/*:*:*:$2; do
            [ -d "$d" ] && echo "/dev/$(ls $d/scsi_generic) /dev/$(ls $d/block 2>/dev/null)"
        done
    done
}
A0=$LUN0_SG A1=$LUN1_SG A2=$LUN2_SG D0=$LUN0_DEV D1=$LUN1_DEV D2=$LUN2_DEV

echo "=== second session: iface b as $B_NAME"
iscsiadm -m iface -I b -o new >/dev/null
iscsiadm -m iface -I b -o update -n iface.initiatorname -v $B_NAME >/dev/null
iscsiadm -m node -o new -T $T -p $P -I b >/dev/null
run iscsiadm -m node -T $T -p $P -I b --login
udevadm settle -t 20; sleep 1; udevadm settle -t 20
read -r B0 BD0 <<<"$(devs b 0)"; read -r B1 BD1 <<<"$(devs b 1)"; read -r B2 BD2 <<<"$(devs b 2)"
echo "A: $A0 $A1 $A2 ($D0 $D1 $D2)  B: $B0 $B1 $B2 ($BD0 $BD1 $BD2)"
[ -n "$B1" ] && [ "$B1" != "$A1" ] && ok second-session-login || bad second-session-login

echo "=== source data: 32 MiB of random at LBA 0 of LUN 0"
dd if=/dev/urandom of=/tmp/src bs=1M count=32 status=none
dd if=/tmp/src of=$D0 bs=1M oflag=direct status=none
SRC8=$(md5 $D0 512 0 16384) SRC32=$(md5 $D0 512 0 65536)
[ "$SRC32" = "$(md5sum </tmp/src | cut -d' ' -f1)" ] && ok source-written || bad source-written

echo "=== 1. Third-party Copy VPD page"
for l in "0 $A0 524288 131072" "2 $A2 65536 16384"; do
    read -r n sg max opt <<<"$l"
    run sg_vpd -p 0x8f $sg
    if [ $rc -eq 0 ] && ! echo "$out" | grep -qiE 'unexpected|short|bad|error|truncat|warn|too ' \
        && echo "$out" | grep -q "Maximum token transfer size: $max" && echo "$out" | grep -q "Optimal transfer count: $opt"; then
        ok vpd-8f-decodes-lun$n; else bad vpd-8f-decodes-lun$n "rc=$rc"; fi
done
run sg_vpd -p 0x8f -vv $A0
echo "$out" | grep -qiE 'unexpected|short|truncat|warn' && bad vpd-8f-verbose-quiet || ok vpd-8f-verbose-quiet

echo "=== 2. ddpt --odx"
run ddpt if=$A0 of=$A1 bs=512 count=16384 seek=65536 --odx
note "ddpt 0.97 with count= (the documented form): rc=$rc: $(echo "$out" | grep -m1 -iE 'count=|error|termination')"
note "ddpt 0.97 range descriptors are one byte early: the checks pass LBA/256 and count/256 (skip=L,N seek=L,N)"
expect_ok ddpt-odx-512-to-512 ddpt if=$A0 of=$A1 bs=512 skip=0,$(d256 16384) seek=$(d256 65536),$(d256 16384) --odx
same ddpt-odx-512-to-512-data $SRC8 "$(md5 $D1 512 65536 16384)"
expect_ok ddpt-odx-512-to-4096 ddpt if=$A0 of=$A2 ibs=512 obs=4096 skip=0,$(d256 16384) seek=$(d256 2048),$(d256 2048) --odx
same ddpt-odx-512-to-4096-data $SRC8 "$(md5 $D2 4096 2048 2048)"
expect_ok ddpt-odx-4096-to-512 ddpt if=$A2 of=$A1 ibs=4096 obs=512 skip=$(d256 2048),$(d256 2048) seek=$(d256 131072),$(d256 16384) --odx
same ddpt-odx-4096-to-512-data $SRC8 "$(md5 $D1 512 131072 16384)"

echo "=== 3. Windows sequence: POPULATE TOKEN on session A, WRITE USING TOKEN from session B"
rm -f /tmp/tok
expect_ok pt-session-a ddptctl --pt=0,$(d256 16384) --rtf=/tmp/tok $A0
[ "$(stat -c %s /tmp/tok 2>/dev/null)" = 512 ] && ok token-file-512-bytes || bad token-file-512-bytes
run ddptctl --info --rtf=/tmp/tok
[ $rc -eq 0 ] && ! echo "$out" | grep -qiE 'unexpected|short|bad|error|unknown|truncat' && ok token-info-decodes || bad token-info-decodes "rc=$rc"
run ddptctl --all_toks $A0
note "REPORT ALL ROD TOKENS: rc=$rc: $(echo "$out" | head -3 | tr '\n' ' ')"
expect_ok wut-session-b ddptctl --wut=$(d256 196608),$(d256 16384) --rtf=/tmp/tok $B1
same wut-session-b-data $SRC8 "$(md5 $BD1 512 196608 16384)"
# ddpt counts the transfer count the target reports (256 times what it asked for, see above) and
# then looks for more to write: its exit status after the one WRITE USING TOKEN is not the target's
run ddpt rtf=/tmp/tok of=$B1 bs=512 seek=$(d256 262144),$(d256 16384) --odx
echo "$out" | grep -q '^16384+0 records out' && ok wut-session-b-ddpt-rtf || bad wut-session-b-ddpt-rtf "rc=$rc"
[ $rc -ne 0 ] && note "ddpt rtf= --odx: rc=$rc after its WRITE USING TOKEN: $(echo "$out" | grep -m1 -iE 'miscalculation|error')"
same wut-session-b-ddpt-rtf-data $SRC8 "$(md5 $BD1 512 262144 16384)"
expect_ok wut-session-b-4096 ddptctl --wut=$(d256 4096),$(d256 2048) --rtf=/tmp/tok $B2
same wut-session-b-4096-data $SRC8 "$(md5 $BD2 4096 4096 2048)"
expect_ok wut-session-b-del-tkn ddptctl --del_tkn --wut=$(d256 327680),$(d256 16384) --rtf=/tmp/tok $B1
same wut-session-b-del-tkn-data $SRC8 "$(md5 $BD1 512 327680 16384)"
run ddptctl --wut=$(d256 393216),$(d256 16384) --rtf=/tmp/tok $B1
[ $rc -ne 0 ] && echo "$out" | grep -qi 'token deleted' && ok deleted-token-refused || bad deleted-token-refused "rc=$rc"

echo "=== 4. zero ROD token"
run ddpt rtype=zero of=$A1 bs=512 seek=$(d256 65536),$(d256 2048) --odx
note "ddpt rtype=zero without if=: rc=$rc: $(echo "$out" | grep -m1 -iE 'could not|error')"
# ddpt's advice: "For full copy version of ODX write blocks of zeros, give if=/dev/null"
expect_ok zero-rod-token ddpt if=/dev/null of=$A1 bs=512 rtype=zero seek=$(d256 65536),$(d256 2048) --odx
same zero-rod-token-zeroes "$(head -c $((2048 * 512)) /dev/zero | md5sum | cut -d' ' -f1)" "$(md5 $D1 512 65536 2048)"
same zero-rod-token-stops-there "$(dd if=/tmp/src bs=512 skip=2048 count=14336 status=none | md5sum | cut -d' ' -f1)" "$(md5 $D1 512 $((65536 + 2048)) 14336)"
run ddpt if=/dev/zero of=$A1 bs=512 count=2048 --odx
note "ddpt if=/dev/zero --odx: rc=$rc: $(echo "$out" | grep -m1 -iE 'failed|error|termination')"

echo "=== 5. ESXi-shaped EXTENDED COPY (sg_xcopy list_id=0 id_usage=disable)"
xc() { timeout 300 sg_xcopy if=$1 of=$2 bs=512 count=65536 bpt=$3 list_id=0 id_usage=disable seek=$4 $5; }
n=0
for s in A B; do
    for v in "8192 --on_src" "32768 --on_src" "8192 --on_dst"; do
        read -r bpt dir <<<"$v"
        seek=$((524288 + n * 65536)); n=$((n + 1))
        if [ $s = A ]; then src=$A0 dst=$A1 dev=$D1; else src=$B0 dst=$B1 dev=$BD1; fi
        expect_ok "xcopy-$s-bpt$bpt${dir#--}" sg_xcopy if=$src of=$dst bs=512 count=65536 bpt=$bpt list_id=0 \
            id_usage=disable seek=$seek $dir
        same "xcopy-$s-bpt$bpt${dir#--}-data" $SRC32 "$(md5 $dev 512 $seek 65536)"
    done
done
# in parallel: session A PUSH and session B PULL, then two PUSHes on session A
par() {
    local n=$1 s1=$2 s2=$3; shift 3
    ( xc "$@" >/tmp/p1.log 2>&1; echo $? >/tmp/p1.rc ) & 
    ( xc "${@:6}" >/tmp/p2.log 2>&1; echo $? >/tmp/p2.rc ) &
    wait
    echo "\$ $n: $(cat /tmp/p1.rc) $(cat /tmp/p2.rc)"; sed 's/^/    /' /tmp/p1.log /tmp/p2.log | head -20
    [ "$(cat /tmp/p1.rc)" = 0 ] && [ "$(cat /tmp/p2.rc)" = 0 ] && ok $n || bad $n
    same $n-data-1 $SRC32 "$(md5 $D1 512 $s1 65536)"
    same $n-data-2 $SRC32 "$(md5 $D1 512 $s2 65536)"
}
par xcopy-parallel-a-push-b-pull 917504 983040 $A0 $A1 8192 917504 --on_src $B0 $B1 32768 983040 --on_dst
dd if=/dev/zero of=$D1 bs=1M seek=256 count=64 oflag=direct status=none
par xcopy-parallel-two-on-a 524288 589824 $A0 $A1 8192 524288 --on_src $A0 $A1 32768 589824 --on_src

echo "=== 6. what xtarget xcopy --odx / --zero wrote before the boot"
same xtarget-odx-512-data "$PAT_TAIL" "$(md5 $D0 512 264192 63488)"
same xtarget-zero-data "$(head -c $((2048 * 512)) /dev/zero | md5sum | cut -d' ' -f1)" "$(md5 $D0 512 262144 2048)"
same xtarget-odx-4096-data "$PAT" "$(md5 $D2 4096 16384 8192)"
JOB

"$here/xtarget" --version >/dev/null # builds target/xtarget.jar now, not while the server runs
set +e # from here every step reports and the script goes on to its summary
# A random pattern in the file LU's image (32 MiB at LBA 458752), for xtarget's own client.
truncate -s 512M "$work/file1.img"
dd if=/dev/urandom of="$work/pat" bs=1M count=32 status=none
dd if="$work/pat" of="$work/file1.img" bs=1M seek=224 conv=notrunc status=none
pat=$(md5sum <"$work/pat" | cut -d' ' -f1)
pat_tail=$(tail -c +$((1024 * 1024 + 1)) "$work/pat" | md5sum | cut -d' ' -f1)
(cd "$work" && exec "$here/xtarget" serve --config "$work/xtarget.json" --metrics "127.0.0.1:$METRICS") \
    >"$work/xtarget.log" 2>&1 &
xt_pid=$!
for _ in $(seq 1 150); do ss -ltn "( sport = :$PORT )" | grep -q LISTEN && break; sleep 0.2; done
url() { echo "iscsi://127.0.0.1:$PORT/$IQN/$1"; }
host() { if eval "$2"; then echo "CHECK $1 OK"; else echo "CHECK $1 FAILED"; fi; }
{
"$here/xtarget" xcopy --odx --poll-ms 1 --src-lba 458752 --dst-lba 262144 --blocks 65536 "$(url 1)" "$(url 0)"
"$here/xtarget" xcopy --odx --src-lba 458752 --dst-lba 16384 --blocks 65536 "$(url 1)" "$(url 2)"
"$here/xtarget" xcopy --zero --dst-lba 262144 --blocks 2048 "$(url 0)"
} >"$work/odx.out" 2>&1
# The guest's job, with the host's checksums in front.
{ echo "PAT=$pat PAT_TAIL=$pat_tail"; cat "$work/job.sh"; } >"$work/job-full.sh"
t0=$(date +%s)
TARGET_PORT=$PORT TARGET_IQN=$IQN INITIATOR_NAME=iqn.2026-11.io.xtarget.guest:a \
    JOB_TIMEOUT=${JOB_TIMEOUT:-2400} QUIET=1 "$GUEST/initiator-run.sh" --script "$work/job-full.sh" >"$work/run.log" 2>&1
t1=$(date +%s)

# Host side: xtarget's own client, the server's log and counters.
log=$work/xtarget.log
{
host host-xtarget-xcopy-odx "grep -q 'copied 33554432 bytes' '$work/odx.out' && [ \$(grep -c 'copied 33554432 bytes' '$work/odx.out') = 2 ]"
host host-xtarget-xcopy-zero "grep -q 'zeroed 1048576 bytes' '$work/odx.out'"
host host-token-copies-done "[ \$(grep -c 'WRITE USING TOKEN .* done\$' '$log') -ge 8 ]"
host host-zero-token-logged "grep -q 'WRITE USING TOKEN .*zero ROD token -> file1, 1048576 bytes' '$log'"
host host-extended-copies-logged "[ \$(grep -c 'EXTENDED COPY' '$log') -ge 10 ]"
host host-no-error-lines "! grep -q ' ERROR ' '$log'"
"$here/xtarget" status --metrics "127.0.0.1:$METRICS" >"$work/status.out" 2>&1
host host-status-token-counters "grep -qE 'tokens created +[1-9]' '$work/status.out' && grep -qE 'bytes zeroed +[1-9]' '$work/status.out'"
} >"$work/host.log" 2>&1
cat "$work/odx.out" "$work/status.out" | sed 's/^/host: /'
grep -hE '^(CHECK|NOTE)' "$work/run.log" "$work/host.log" || true
grep -E 'WARN|ERROR' "$log" | sed 's/^/xtarget: /' | head -20
mkdir -p "$KEEP" && cp "$work/run.log" "$work/xtarget.log" "$work/host.log" "$work/odx.out" "$KEEP/"
pass=$(cat "$work/run.log" "$work/host.log" | grep -c '^CHECK .* OK$' || true)
fail=$(cat "$work/run.log" "$work/host.log" | grep -c '^CHECK .* FAILED' || true)
expected=54
if [ "$fail" -ne 0 ] || [ "$pass" -ne "$expected" ]; then
    echo "FAILED: $pass of $expected checks passed ($fail failed) in $((t1 - t0)) s; guest output and xtarget log in $KEEP"
    exit 1
fi
echo "linux initiator copy check: $pass of $expected passed in $((t1 - t0)) s"
