#!/usr/bin/env bash
# One LU, two fabrics, one guest: fio in the QEMU guest of ../shared/linux-guest reads 4 KiB at
# random, QD32 (libaio, O_DIRECT), first through the vhost-user-scsi controller, then through the
# iSCSI portal (open-iscsi in the same guest), on the same RAM backstore, and this script reports
# for each: the I/Os fio counted and xtarget's CPU time per I/O (utime+stime of the server
# process from /proc/PID/stat, sampled on the host when the guest announces the start and the end
# of each phase). Each phase runs REPEAT times, alternating, and the table gives every run.
#
# The guest runs under TCG emulation (no KVM here), so the guest's IOPS are not a performance
# figure: they are printed only because they are the divisor. The server's CPU per I/O is the
# host's own figure and is what this compares. iSCSI traffic of the guest reaches the host
# through QEMU's user-mode network (a socat per connection), which costs the server nothing extra.
#
# Usage (repo root, root): bench/vhost-vs-iscsi.sh   (env: RUNTIME=20 REPEAT=2 PORT=3620 MEM=1024)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNTIME=${RUNTIME:-20}
REPEAT=${REPEAT:-2}
PORT=${PORT:-3620}
MEM=${MEM:-1024}
GUEST=${GUEST:-$here/../shared/linux-guest}
INI=iqn.2026-11.io.xtarget:bench-guest
work=$(mktemp -d /tmp/xt-vhost-bench.XXXXXX)
sock="$work/vm.sock"
xt_pid=""
cleanup() { [ -n "$xt_pid" ] && kill "$xt_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

# The RAM backstore is exported twice: LUN 0 of the vhost controller and LUN 0 of the iSCSI target.
cat >"$work/xtarget.json" <<JSON
{"backstores": [{"name": "ram0", "type": "ram", "size": "1G", "blockSize": 512}],
 "targets": [{"name": "iqn.2026-11.io.xtarget:vhost-bench", "portals": ["127.0.0.1:$PORT"],
              "acls": [{"initiator": "$INI", "luns": [{"lun": 0, "backstore": "ram0"}]}]}],
 "vhost": [{"socket": "$sock", "luns": [{"lun": 0, "backstore": "ram0"}], "initiator": "$INI"}]}
JSON
cat >"$work/job.sh" <<JOB
dev() { lsblk -dno NAME,HCTL | awk -v h="\$1" '\$2 == h {print "/dev/" \$1}'; }
for _ in \$(seq 1 30); do [ -n "\$(dev 0:0:0:0)" ] && break; sleep 1; done
V=\$(dev 0:0:0:0)
I=\$LUN0_DEV
[ -n "\$V" ] && [ -n "\$I" ] || { echo "BENCH-ERROR no devices (vhost '\$V', iscsi '\$I')"; exit 1; }
# write the LU once so reads return real data
dd if=/dev/urandom of="\$V" bs=1M count=256 oflag=direct status=none
run() {
  echo "PHASE-START \$1"; sleep 2
  out=\$(fio --name=b --filename="\$2" --direct=1 --rw=randread --bs=4k --iodepth=32 --ioengine=libaio \
        --size=256M --runtime=$RUNTIME --time_based --output-format=terse --terse-version=3)
  echo "PHASE-END \$1"
  echo "FIO \$1 \$(echo "\$out" | cut -d';' -f6,8,9)"
  sleep 2
}
for r in \$(seq 1 $REPEAT); do run vhost "\$V"; run iscsi "\$I"; done
echo BENCH-DONE
JOB

(cd "$work" && exec "$here/xtarget" serve --config "$work/xtarget.json") >"$work/xtarget.log" 2>&1 &
xt_pid=$!
for _ in $(seq 1 150); do [ -S "$sock" ] && break; sleep 0.2; done
[ -S "$sock" ] || { echo "xtarget did not start"; cat "$work/xtarget.log"; exit 1; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$xt_pid/stat"; }
hz=$(getconf CLK_TCK)

run="$work/run"
. "$here/tools/lib/vhost-guest.sh"
start_vhost_guest "$sock" "$PORT" "$INI" "$run" "$work/job.sh"

# Sample the server's CPU ticks when each PHASE line appears (polled every 0.1 s; the guest sleeps
# 2 s around each fio run, so the sample lands in an idle stretch).
declare -A start_ticks
results=()
seen=0
while kill -0 "$guest" 2>/dev/null; do
    mapfile -t lines < <(grep -a '^PHASE-\|^FIO \|^BENCH-' "$run/output.log" 2>/dev/null | tr -d '\r' || true)
    while [ "$seen" -lt "${#lines[@]}" ]; do
        l=${lines[$seen]}; seen=$((seen + 1))
        case "$l" in
            PHASE-START*) start_ticks[${l#PHASE-START }]=$(cpu_ticks) ;;
            PHASE-END*) f=${l#PHASE-END }; end_ticks=$(cpu_ticks); last_cpu=$((end_ticks - ${start_ticks[$f]})) ;;
            FIO*) read -r _ fab fields <<<"$l"
                  IFS=';' read -r kb iops ms <<<"$fields"
                  ios=$((kb / 4))
                  results+=("$fab $ios $iops $ms $last_cpu") ;;
        esac
    done
    sleep 0.1
done
wait "$guest" || true
grep -q '^BENCH-DONE' "$run/output.log" || { echo "guest job failed:"; tail -30 "$run/output.log"; tail -20 "$work/xtarget.log"; exit 1; }

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); guest under TCG (IOPS are not a performance figure)"
echo "fio 4K random read QD32 (libaio, direct) in the guest, ${RUNTIME} s per run, same RAM LU through each fabric"
printf '%-6s %10s %10s %14s %16s\n' fabric "I/Os" "guest IOPS" "server CPU s" "server CPU us/IO"
for r in "${results[@]}"; do
    read -r fab ios iops ms ticks <<<"$r"
    awk -v f="$fab" -v n="$ios" -v i="$iops" -v t="$ticks" -v hz="$hz" \
        'BEGIN { printf "%-6s %10d %10d %14.2f %16.1f\n", f, n, i, t / hz, (n > 0 ? t / hz * 1e6 / n : 0) }'
done
awk -v hz="$hz" '{ n[$1] += $2; t[$1] += $5; ms[$1] += $4 }
    END { v = t["vhost"] / hz * 1e6 / n["vhost"]; s = t["iscsi"] / hz * 1e6 / n["iscsi"];
          iv = n["vhost"] * 1000 / ms["vhost"]; is = n["iscsi"] * 1000 / ms["iscsi"];
          printf "all runs: server CPU vhost %.1f us/IO, iscsi %.1f us/IO (vhost/iscsi %.2f); guest IOPS vhost %.0f, iscsi %.0f (vhost/iscsi %.2f)\n",
                 v, s, v / s, iv, is, iv / is }' \
    < <(printf '%s\n' "${results[@]}")
