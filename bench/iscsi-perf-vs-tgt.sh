#!/usr/bin/env bash
# iSCSI data path benchmark: xtarget vs tgt (stgt), side by side in one run, driven by libiscsi's
# iscsi-perf over 127.0.0.1.
#
# Each target exports a RAM-like LU and a file LU, both 1 GiB with 512-byte blocks:
#   xtarget: backstore type "ram" (off-heap, unwritten) and type "file" (preallocated image)
#   tgt:     --bstype rdwr on a sparse file in /dev/shm (tmpfs)  and  rdwr on a preallocated image
# Both image files live in the same temp directory on the same filesystem and are in the page
# cache, so the file figures measure the target, not the disk.
#
# Tests (per LU, per target): 4 KiB random read at QD32, 1 MiB sequential read at QD8, and 4 KiB
# random write at QD32 only when the installed iscsi-perf can write (libiscsi 1.19's cannot).
#
# Usage: bench/iscsi-perf-vs-tgt.sh            (env: SECONDS_PER_RUN=10 WARMUP=3 XT_PORT=3391
#                                               TGT_PORT=3392 TGT_CONTROL_PORT=92 QD_RAND=32 QD_SEQ=8)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/fio-common.sh" # shared helpers (xt_stop_tgtd); fio itself is not needed here
RUN=${SECONDS_PER_RUN:-10}
WARMUP=${WARMUP:-3}
XT_PORT=${XT_PORT:-3391}
TGT_PORT=${TGT_PORT:-3392}
TGT_CTL=${TGT_CONTROL_PORT:-92}
QD_RAND=${QD_RAND:-32}
QD_SEQ=${QD_SEQ:-8}
SIZE_MIB=1024
XT_IQN=iqn.2026-11.io.xtarget:bench
TGT_IQN=iqn.2026-11.io.tgt:bench

command -v iscsi-perf >/dev/null || { echo "iscsi-perf missing: apt-get install -y libiscsi-bin" >&2; exit 1; }
if ! command -v tgtd >/dev/null; then
    echo "installing tgt ..." >&2
    apt-get install -y tgt >/dev/null
fi

work=$(mktemp -d /tmp/xt-perf.XXXXXX)
shm=/dev/shm/xt-perf-$$.img
xt_pid=""
tgt_pid=""
cleanup() {
    set +e
    [ -n "$xt_pid" ] && kill "$xt_pid" 2>/dev/null && wait "$xt_pid" 2>/dev/null
    [ -n "$tgt_pid" ] && xt_stop_tgtd "$tgt_pid" "$TGT_CTL"
    rm -f "$shm"
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

port_free() { ! ss -ltn "( sport = :$1 )" | grep -q LISTEN; }
port_free "$XT_PORT" || { echo "port $XT_PORT busy (set XT_PORT)" >&2; exit 1; }
port_free "$TGT_PORT" || { echo "port $TGT_PORT busy (set TGT_PORT)" >&2; exit 1; }
wait_port() {
    for _ in $(seq 1 150); do port_free "$1" || return 0; sleep 0.2; done
    echo "nothing listens on port $1" >&2; return 1
}

# Build xtarget once (the launcher rebuilds only when sources changed).
"$here/xtarget" --version >/dev/null

echo "# preparing 2 x ${SIZE_MIB} MiB image files in $work and a sparse ${SIZE_MIB} MiB file $shm" >&2
dd if=/dev/zero of="$work/xt-file.img" bs=1M count=$SIZE_MIB status=none
dd if=/dev/zero of="$work/tgt-file.img" bs=1M count=$SIZE_MIB status=none
truncate -s "${SIZE_MIB}M" "$shm"

cat >"$work/xtarget.json" <<EOF
{
  "backstores": [
    {"name": "ram0", "type": "ram", "size": "${SIZE_MIB}M", "blockSize": 512},
    {"name": "file0", "type": "file", "path": "xt-file.img", "blockSize": 512}
  ],
  "targets": [
    {"name": "$XT_IQN", "portals": ["127.0.0.1:$XT_PORT"],
     "luns": [{"lun": 0, "backstore": "ram0"}, {"lun": 1, "backstore": "file0"}]}
  ]
}
EOF
(cd "$work" && exec "$here/xtarget" serve --config "$work/xtarget.json" >"$work/xtarget.log" 2>&1) &
xt_pid=$!

tgtd -C "$TGT_CTL" --iscsi portal=127.0.0.1:$TGT_PORT -f >"$work/tgtd.log" 2>&1 &
tgt_pid=$!
wait_port "$TGT_PORT"
tgtadm -C "$TGT_CTL" --lld iscsi --op new --mode target --tid 1 -T "$TGT_IQN"
tgtadm -C "$TGT_CTL" --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 --bstype rdwr -b "$shm"
tgtadm -C "$TGT_CTL" --lld iscsi --op new --mode logicalunit --tid 1 --lun 2 --bstype rdwr -b "$work/tgt-file.img"
tgtadm -C "$TGT_CTL" --lld iscsi --op bind --mode target --tid 1 -I ALL
wait_port "$XT_PORT"

can_write=no
if iscsi-perf 2>&1 | grep -qiE -- '-w|--write'; then can_write=yes; fi

# perf URL QD BLOCKS SECONDS [extra args] -> prints "IOPS"
perf() {
    local url=$1 qd=$2 blocks=$3 secs=$4; shift 4
    local out
    out=$(timeout $((secs + 30)) iscsi-perf -m "$qd" -b "$blocks" -t "$secs" "$@" "$url" 2>&1 | tr '\r' '\n') || true
    local iops
    iops=$(grep -oE 'iops average [0-9]+' <<<"$out" | tail -1 | awk '{print $3}')
    if [ -z "$iops" ]; then
        echo "iscsi-perf failed on $url: $(tail -3 <<<"$out")" >&2
        echo 0
    else
        echo "$iops"
    fi
}

declare -A url=(
    [xtarget:ram]="iscsi://127.0.0.1:$XT_PORT/$XT_IQN/0"
    [xtarget:file]="iscsi://127.0.0.1:$XT_PORT/$XT_IQN/1"
    [tgt:ram]="iscsi://127.0.0.1:$TGT_PORT/$TGT_IQN/1"
    [tgt:file]="iscsi://127.0.0.1:$TGT_PORT/$TGT_IQN/2"
)

echo "# warm-up: ${WARMUP} s of 4K random read per LU (JIT, page cache); not counted" >&2
for k in xtarget:ram xtarget:file tgt:ram tgt:file; do
    perf "${url[$k]}" "$QD_RAND" 8 "$WARMUP" -r >/dev/null
done

tests=("4K-randread:$QD_RAND:8:-r" "1M-seqread:$QD_SEQ:2048:")
[ "$can_write" = yes ] && tests+=("4K-randwrite:$QD_RAND:8:-r -w")

echo
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "iscsi-perf $(dpkg-query -W -f='${Version}' libiscsi-bin 2>/dev/null), tgt $(dpkg-query -W -f='${Version}' tgt 2>/dev/null), ${RUN} s per run"
[ "$can_write" = yes ] || echo "4K random write: skipped, this iscsi-perf has no write mode"
echo
printf '%-13s %-5s %4s | %10s %9s | %10s %9s | %7s\n' test LU QD "xt IOPS" "xt MiB/s" "tgt IOPS" "tgt MiB/s" "xt/tgt"
printf '%s\n' "--------------------------------------------------------------------------------"
for t in "${tests[@]}"; do
    IFS=: read -r name qd blocks args <<<"$t"
    for lu in ram file; do
        # shellcheck disable=SC2086
        xi=$(perf "${url[xtarget:$lu]}" "$qd" "$blocks" "$RUN" $args)
        # shellcheck disable=SC2086
        ti=$(perf "${url[tgt:$lu]}" "$qd" "$blocks" "$RUN" $args)
        awk -v n="$name" -v lu="$lu" -v qd="$qd" -v xi="$xi" -v ti="$ti" -v bs=$((blocks * 512)) 'BEGIN {
            xm = xi * bs / 1048576; tm = ti * bs / 1048576
            r = ti > 0 ? sprintf("%.2f", xi / ti) : "n/a"
            printf "%-13s %-5s %4d | %10d %9.1f | %10d %9.1f | %7s\n", n, lu, qd, xi, xm, ti, tm, r
        }'
    done
done
echo
echo "LUs: ram = xtarget RAM backstore / tgt rdwr on tmpfs (both unwritten: reads return zeros);"
echo "     file = 1 GiB zero-filled image on $(findmnt -no FSTYPE -T "$work") (page cache), 512-byte blocks."
