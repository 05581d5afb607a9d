#!/usr/bin/env bash
# iSCSI benchmark with fio: xtarget vs tgt (stgt), side by side in one run on 127.0.0.1, with the
# server's CPU time per I/O. A benchmark, not a test: it fails only when something cannot run.
#
# Client: fio's libiscsi engine (one iSCSI session per fio run), built once from Debian's fio
# source package (see bench/fio-common.sh; cached in $FIO_DIR, default /var/tmp/xt-fio).
#
# Each target exports three LUs, 512-byte blocks:
#   ram   xtarget "ram" 1 GiB (off-heap)        / tgt rdwr on a 1 GiB file in /dev/shm (tmpfs)
#   file  xtarget "file" on a 1 GiB image       / tgt rdwr on a 1 GiB image, both images in one
#         temp directory on the same filesystem, so both are served from the page cache
#   null  xtarget "null" 1 TiB (discards writes, reads zeros) / tgt --bstype null (1 TiB)
# The ram and file LUs are written once completely first (sequential, 1 MiB, QD8), so reads
# return real data. All runs are limited to the first 1 GiB of each LU (fio size=1g).
#
# Tests, for every LU, each one run on xtarget and on tgt back to back (the order alternating from
# row to row, so load changes on the machine hit both alike):
#   4K random read QD1, 4K random write QD1, 4K random read QD32, 4K random write QD32,
#   128K sequential read QD8, 128K sequential write QD8
# Each run: fio time_based, RAMP seconds of warm-up (ramp_time, not counted) then RUNTIME seconds.
# The whole set of runs is repeated REPEAT times (a pass over every row, then the next pass), and
# the table shows each figure's median over the passes: on a small shared VM a single run can be
# off by a factor of two (where the scheduler puts the server and fio decides the cost of every
# wake-up), for either target.
#
# Server CPU per I/O: utime+stime of the server process (all threads; /proc/PID/stat fields 14+15,
# clock ticks) sampled RAMP seconds after fio starts and right after it exits, divided by the
# I/Os fio counted (read + write total_ios). The window also holds fio's logout (milliseconds),
# so the figure is at worst slightly high, alike for both targets. For xtarget the process is the
# JVM, so JIT and GC threads count too.
#
# Output: the table on stdout; raw results in $OUT (default: a new /tmp/xt-fio-bench.XXXXXX):
# results.tsv, results.json, every fio job file and its JSON output, server logs.
#
# Usage: bench/fio-vs-tgt.sh
#   env: RUNTIME=10 RAMP=3 REPEAT=3 OUT=DIR FIO_DIR=/var/tmp/xt-fio XT_PORT=3395 TGT_PORT=3396
#        TGT_CONTROL_PORT=95 LUS="ram file null" TESTS="<names from the list below>"
# Needs root (tgtd, apt for the fio build), python3, tgt, libiscsi.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/fio-common.sh"

RUNTIME=${RUNTIME:-10}
REPEAT=${REPEAT:-3}
RAMP=${RAMP:-3}
XT_PORT=${XT_PORT:-3395}
TGT_PORT=${TGT_PORT:-3396}
TGT_CTL=${TGT_CONTROL_PORT:-95}
LUS=${LUS:-ram file null}
SIZE_MIB=1024
XT_IQN=iqn.2026-11.io.xtarget:fiobench
TGT_IQN=iqn.2026-11.io.tgt:fiobench
# name:rw:bs:qd
ALL_TESTS="4k-randread-qd1:randread:4k:1 4k-randwrite-qd1:randwrite:4k:1 4k-randread-qd32:randread:4k:32
4k-randwrite-qd32:randwrite:4k:32 128k-seqread-qd8:read:128k:8 128k-seqwrite-qd8:write:128k:8"
if [ -n "${TESTS:-}" ]; then
    sel=""
    for t in $ALL_TESTS; do
        for want in $TESTS; do [ "${t%%:*}" = "$want" ] && sel="$sel $t"; done
    done
    [ -n "$sel" ] || xt_die "TESTS=\"$TESTS\" names none of: $(for t in $ALL_TESTS; do printf '%s ' "${t%%:*}"; done)"
    ALL_TESTS=$sel
fi

[ "$(id -u)" = 0 ] || xt_die "run as root (tgtd, and apt for building fio)"
[[ "$RUNTIME" =~ ^[1-9][0-9]*$ ]] || xt_die "RUNTIME must be a positive number of seconds"
[[ "$RAMP" =~ ^[0-9]+$ ]] || xt_die "RAMP must be a number of seconds"
for lu in $LUS; do
    case $lu in ram | file | null) ;; *) xt_die "LUS: unknown LU \"$lu\" (ram, file, null)" ;; esac
done
xt_need python3 ss getconf
if ! command -v tgtd >/dev/null; then
    echo "# installing tgt ..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tgt >/dev/null || xt_die "apt-get install tgt failed"
fi
xt_need tgtd tgtadm
xt_port_free "$XT_PORT" || xt_die "port $XT_PORT busy (set XT_PORT)"
xt_port_free "$TGT_PORT" || xt_die "port $TGT_PORT busy (set TGT_PORT)"
if tgtadm -C "$TGT_CTL" --op show --mode system >/dev/null 2>&1; then
    xt_die "a tgtd already answers on control port $TGT_CTL (set TGT_CONTROL_PORT)"
fi

xt_ensure_fio
. "$here/.ci/jdk.sh"
"$here/xtarget" --version >/dev/null # builds target/xtarget.jar when sources changed

if [ -n "${OUT:-}" ]; then
    mkdir -p "$OUT"
else
    OUT=$(mktemp -d /tmp/xt-fio-bench.XXXXXX)
fi
OUT=$(cd "$OUT" && pwd)
mkdir -p "$OUT/fio"
img=$(mktemp -d /tmp/xt-fio-img.XXXXXX)
shm=/dev/shm/xt-fio-bench-$$.img
XT_PID=""
tgt_pid=""
fio_pid=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    set +e
    [ -n "$fio_pid" ] && kill "$fio_pid" 2>/dev/null && wait "$fio_pid" 2>/dev/null
    [ -n "$XT_PID" ] && kill "$XT_PID" 2>/dev/null && wait "$XT_PID" 2>/dev/null
    [ -n "$tgt_pid" ] && xt_stop_tgtd "$tgt_pid" "$TGT_CTL"
    rm -f "$shm"
    rm -rf "$img"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "# results and logs: $OUT" >&2
truncate -s "${SIZE_MIB}M" "$img/xt-file.img" "$img/tgt-file.img" "$shm"

cat >"$img/xtarget.json" <<EOF
{
  "backstores": [
    {"name": "ram0", "type": "ram", "size": "${SIZE_MIB}M", "blockSize": 512},
    {"name": "file0", "type": "file", "path": "xt-file.img", "blockSize": 512},
    {"name": "null0", "type": "null", "size": "1T", "blockSize": 512}
  ],
  "targets": [
    {"name": "$XT_IQN", "portals": ["127.0.0.1:$XT_PORT"],
     "luns": [{"lun": 0, "backstore": "ram0"}, {"lun": 1, "backstore": "file0"}, {"lun": 2, "backstore": "null0"}]}
  ]
}
EOF
cp "$img/xtarget.json" "$OUT/xtarget.json"
xt_start_xtarget "$here" "$img/xtarget.json" "$OUT/xtarget.log"

tgtd -C "$TGT_CTL" --iscsi portal="127.0.0.1:$TGT_PORT" -f >"$OUT/tgtd.log" 2>&1 &
tgt_pid=$!
xt_wait_port "$TGT_PORT"
kill -0 "$tgt_pid" 2>/dev/null || xt_die "tgtd exited (see $OUT/tgtd.log)"
tgtadm -C "$TGT_CTL" --lld iscsi --op new --mode target --tid 1 -T "$TGT_IQN"
tgtadm -C "$TGT_CTL" --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 --bstype rdwr -b "$shm"
tgtadm -C "$TGT_CTL" --lld iscsi --op new --mode logicalunit --tid 1 --lun 2 --bstype rdwr -b "$img/tgt-file.img"
tgtadm -C "$TGT_CTL" --lld iscsi --op new --mode logicalunit --tid 1 --lun 3 --bstype null -b xt-fio-null
tgtadm -C "$TGT_CTL" --lld iscsi --op bind --mode target --tid 1 -I ALL
xt_wait_port "$XT_PORT"
kill -0 "$XT_PID" 2>/dev/null || xt_die "xtarget exited (see $OUT/xtarget.log)"
xt_cmdline=$(tr '\0' ' ' <"/proc/$XT_PID/cmdline")

declare -A url=(
    [xtarget:ram]="iscsi://127.0.0.1:$XT_PORT/$XT_IQN/0"
    [xtarget:file]="iscsi://127.0.0.1:$XT_PORT/$XT_IQN/1"
    [xtarget:null]="iscsi://127.0.0.1:$XT_PORT/$XT_IQN/2"
    [tgt:ram]="iscsi://127.0.0.1:$TGT_PORT/$TGT_IQN/1"
    [tgt:file]="iscsi://127.0.0.1:$TGT_PORT/$TGT_IQN/2"
    [tgt:null]="iscsi://127.0.0.1:$TGT_PORT/$TGT_IQN/3"
)
declare -A pid_of=([xtarget]="$XT_PID" [tgt]="$tgt_pid")
CLK_TCK=$(getconf CLK_TCK)

# jobfile NAME TARGET LU RW BS QD TIMED -> path of a fio job file
jobfile() {
    local name=$1 target=$2 lu=$3 rw=$4 bs=$5 qd=$6 timed=$7 f
    f="$OUT/fio/$name.fio"
    {
        echo "[global]"
        echo "ioengine=libiscsi"
        echo "initiator=iqn.2026-11.io.xtarget.bench:fio"
        echo "filename=$(xt_fio_filename "${url[$target:$lu]}")"
        echo "size=${SIZE_MIB}m"
        echo "rw=$rw"
        echo "bs=$bs"
        echo "iodepth=$qd"
        if [ "$timed" = yes ]; then
            echo "time_based=1"
            echo "runtime=$RUNTIME"
            [ "$RAMP" -gt 0 ] && echo "ramp_time=$RAMP"
            case $rw in rand*) echo "norandommap=1" ;; esac
        fi
        echo "[$name]"
    } >"$f"
    echo "$f"
}

# fio_run NAME JOBFILE -> runs fio, output in $OUT/fio/NAME.json (+ .log); returns fio's status
fio_run() {
    local name=$1 job=$2
    timeout $((RUNTIME + RAMP + 120)) "$FIO" --output-format=json --output="$OUT/fio/$name.json" "$job" \
        >"$OUT/fio/$name.log" 2>&1
}

alive() {
    kill -0 "$XT_PID" 2>/dev/null || xt_die "xtarget died (see $OUT/xtarget.log)"
    kill -0 "$tgt_pid" 2>/dev/null || xt_die "tgtd died (see $OUT/tgtd.log)"
}

echo "# writing the ram and file LUs once completely (fio write, 1 MiB, QD8)" >&2
for lu in ram file; do
    case " $LUS " in *" $lu "*) ;; *) continue ;; esac
    for target in xtarget tgt; do
        alive
        name="fill-$target-$lu"
        fio_run "$name" "$(jobfile "$name" "$target" "$lu" write 1m 8 no)" \
            || xt_die "filling $target $lu failed (see $OUT/fio/$name.log)"
    done
done

tsv="$OUT/results.tsv"
printf 'pass\ttest\tlu\ttarget\trw\tbs\tqd\tseconds\tios\tiops\tmib_s\tlat_mean_us\tcpu_ticks\tcpu_us_per_io\tdepth_share\tfio_error\n' >"$tsv"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
failed=0
row=0
for pass in $(seq 1 "$REPEAT"); do
for lu in $LUS; do
    for t in $ALL_TESTS; do
        IFS=: read -r name rw bs qd <<<"$t"
        if [ $((row % 2)) = 0 ]; then order="xtarget tgt"; else order="tgt xtarget"; fi
        row=$((row + 1))
        for target in $order; do
            alive
            run="$name-$lu-$target-$pass"
            job=$(jobfile "$run" "$target" "$lu" "$rw" "$bs" "$qd" yes)
            echo "# $run" >&2
            spid=${pid_of[$target]}
            timeout $((RUNTIME + RAMP + 120)) "$FIO" --output-format=json --output="$OUT/fio/$run.json" "$job" \
                >"$OUT/fio/$run.log" 2>&1 &
            fio_pid=$!
            sleep "$RAMP"
            c0=$(xt_cpu_ticks "$spid")
            rc=0
            wait "$fio_pid" || rc=$?
            fio_pid=""
            c1=$(xt_cpu_ticks "$spid")
            python3 - "$OUT/fio/$run.json" "$pass" "$name" "$lu" "$target" "$rw" "$bs" "$qd" $((c1 - c0)) "$CLK_TCK" "$rc" \
                >>"$tsv" <<'EOF' || { echo "# $run: no fio result (see $OUT/fio/$run.log)" >&2; failed=1; }
import json, sys
path, pas, name, lu, target, rw, bs, qd, ticks, clk, rc = sys.argv[1:]
text = open(path).read()
doc, _ = json.JSONDecoder().raw_decode(text[text.index("{"):])  # fio may print notes first
job = doc["jobs"][0]
ios = job["read"]["total_ios"] + job["write"]["total_ios"]
nbytes = job["read"]["io_bytes"] + job["write"]["io_bytes"]
ms = max(job["read"]["runtime"], job["write"]["runtime"])
secs = ms / 1000.0
lat_ns = [job[d]["clat_ns"]["mean"] for d in ("read", "write") if job[d]["total_ios"]]
# share of I/Os submitted with at least QD/2 outstanding (fio's depth buckets 1, 2, 4, ..., >=64):
# shows the queue depth was really used (fio's libiscsi engine is flagged "sync", and fio prints
# a note that the depth is capped at 1; it is not, the engine queues asynchronously)
q = int(qd)
share = sum(v for k, v in job["iodepth_level"].items() if int(k.lstrip(">=")) * 2 >= q)
err = int(job.get("error", 0)) or int(rc)
cpu = int(ticks) / int(clk)
print("\t".join(str(x) for x in (
    pas, name, lu, target, rw, bs, qd, f"{secs:.1f}", ios,
    f"{ios / secs:.0f}" if secs else 0, f"{nbytes / secs / 1048576:.1f}" if secs else 0,
    f"{(sum(lat_ns) / len(lat_ns) / 1000) if lat_ns else 0:.1f}",
    ticks, f"{cpu * 1e6 / ios:.2f}" if ios else "nan", f"{min(share, 100.0):.1f}", err)))
EOF
            [ "$rc" = 0 ] || { echo "# $run: fio exited with $rc (see $OUT/fio/$run.log)" >&2; failed=1; }
        done
    done
done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

jdk=$("$JAVA_HOME/bin/java" -version 2>&1 | head -1)
machine="machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); load average $load_start at start, $load_end at end"
versions="$("$FIO" --version) (libiscsi engine, libiscsi $(dpkg-query -W -f='${Version}' libiscsi7 2>/dev/null || echo '?')), tgt $(dpkg-query -W -f='${Version}' tgt 2>/dev/null || tgtd -V 2>/dev/null), JDK: $jdk"
{
    echo
    echo "$machine"
    echo "$versions"
    echo "$RUNTIME s per run after $RAMP s ramp, $REPEAT passes (medians); xtarget started by ./xtarget as: $xt_cmdline"
    echo
} | tee "$OUT/machine.txt"
python3 - "$tsv" "$OUT/results.json" "$OUT/machine.txt" <<'EOF'
import csv, json, sys
tsv, out_json, machine = sys.argv[1:]
import statistics
rows = list(csv.DictReader(open(tsv), delimiter="\t"))
runs = {}
keys = []
for r in rows:
    runs.setdefault((r["test"], r["lu"], r["target"]), []).append(r)
    k = (r["test"], r["lu"])
    if k not in keys:
        keys.append(k)
def median_row(rs):
    """The median of every figure over the passes (each figure on its own)."""
    out = dict(rs[0])
    for k in ("iops", "mib_s", "cpu_us_per_io", "lat_mean_us"):
        vals = [float(r[k]) for r in rs if r[k] not in ("", "nan")]
        out[k] = statistics.median(vals) if vals else "nan"
    out["passes"] = len(rs)
    return out
by = {k: median_row(v) for k, v in runs.items()}
def f(r, k, fmt):
    try:
        return fmt.format(float(r[k]))
    except (KeyError, TypeError, ValueError):
        return "-"
def ratio(a, b, k):
    try:
        x, y = float(a[k]), float(b[k])
        return f"{x / y:.2f}" if y else "-"
    except (KeyError, TypeError, ValueError):
        return "-"
hdr = (f"{'test':<18} {'LU':<4} | {'xt IOPS':>8} {'MiB/s':>7} {'us/IO':>6} | "
       f"{'tgt IOPS':>8} {'MiB/s':>7} {'us/IO':>6} | {'IOPS':>5} {'CPU/IO':>6}")
print(hdr)
print(f"{'':<18} {'':<4} | {'':>8} {'':>7} {'cpu':>6} | {'':>8} {'':>7} {'cpu':>6} | {'xt/tgt':>12}")
print("-" * len(hdr))
table = []
for test, lu in keys:
    x, t = by.get((test, lu, "xtarget"), {}), by.get((test, lu, "tgt"), {})
    print(f"{test:<18} {lu:<4} | {f(x, 'iops', '{:.0f}'):>8} {f(x, 'mib_s', '{:.1f}'):>7} {f(x, 'cpu_us_per_io', '{:.1f}'):>6} | "
          f"{f(t, 'iops', '{:.0f}'):>8} {f(t, 'mib_s', '{:.1f}'):>7} {f(t, 'cpu_us_per_io', '{:.1f}'):>6} | "
          f"{ratio(x, t, 'iops'):>5} {ratio(x, t, 'cpu_us_per_io'):>6}")
    table.append({"test": test, "lu": lu, "xtarget": x, "tgt": t,
                  "iops_ratio": ratio(x, t, "iops"), "cpu_per_io_ratio": ratio(x, t, "cpu_us_per_io")})
warn = [r for r in rows if r["fio_error"] != "0"]
shallow = [r for r in rows if int(r["qd"]) > 1 and float(r["depth_share"]) < 50]
print()
print("us/IO cpu = server CPU time (user+sys, all threads) per I/O; IOPS xt/tgt > 1: xtarget faster; CPU/IO xt/tgt < 1: xtarget cheaper.")
print("LUs: ram = xtarget ram / tgt rdwr on tmpfs; file = 1 GiB image each, same filesystem, page cache; null = xtarget null / tgt null.")
print("ram and file were written completely before the runs; I/O limited to the first 1 GiB of each LU.")
for r in warn:
    print(f"FAILED: {r['test']} {r['lu']} {r['target']}: fio error {r['fio_error']}")
for r in shallow:
    print(f"note: {r['test']} {r['lu']} {r['target']}: only {r['depth_share']} % of I/Os submitted at depth >= {int(r['qd']) // 2}")
json.dump({"machine": open(machine).read().strip().splitlines(), "rows": rows, "table": table},
          open(out_json, "w"), indent=2)
EOF
echo
echo "raw: $OUT/results.tsv, $OUT/results.json, fio job files and JSON in $OUT/fio"
exit "$failed"
