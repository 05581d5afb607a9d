#!/usr/bin/env bash
# RBD backstore benchmark: xtarget on an RBD LU against tgt's rbd backing store (Debian package
# tgt-rbd, `--bstype rbd`) on the same image of the same cluster, with librbd alone (`rbd bench`)
# as the cluster's own limit. A throw-away single-node Ceph cluster (tools/ceph-test-cluster.sh:
# memstore, 127.0.0.1). Not part of CI. Run as root (Ceph daemons, tgtd, apt for fio/tgt-rbd).
#
# Patterns (the same for all three): 4K random write and read, 32 in flight; 1 MiB sequential
# write and read, SEQ_QD in flight (default 8).
#   rbd bench   --io-threads 32 / SEQ_QD, bounded by --io-total (TOTAL for 4K, SEQ_TOTAL for 1M),
#               twice: with librbd's default cache (rbd_cache=true) and with rbd_cache=false, which
#               is what xtarget runs with (a gateway must not hold acknowledged writes in a cache
#               another gateway cannot see): the cache=false figure is the fair limit
#   fio         libiscsi engine (bench/fio-common.sh), one session, RUNTIME seconds time-based per
#               pattern, through xtarget (WORKERS worker threads) and through tgtd, one after the
#               other on the same image (never both at once; ORDER, default "xtarget tgt"), same
#               fio parameters.
#               Each target first gets WARMUP seconds of 4K random reads and writes, not
#               counted (JIT for xtarget, connections and the image's lock for both).
# tgt's rbd store reads the cluster's ceph.conf through `--bsopts conf=FILE`. With
# TGT_RBD_CACHE=false (default) that file is a copy of the cluster's with `rbd cache = false` in
# [client], so tgt runs with librbd's cache off like xtarget; the value librbd took is read back
# from tgtd's admin socket and printed. TGT_RBD_CACHE=true leaves librbd's default (cache on).
#
# CPU per I/O: utime+stime (/proc/PID/stat, all threads) of the target process (the xtarget JVM,
# tgtd; librbd's threads included in both) and of the OSD over each run, divided by the I/Os.
#
# ROUNDS (default 1) repeats the fio part: round 2, 4, ... run the targets in the reverse order, so
# neither always gets the cluster first; the table then gives each figure's median over the rounds.
#
# Output: per-run lines, then a table with xtarget/tgt and xtarget/rbd-bench(cache=false) ratios
# (summary.txt, results.tsv and all logs in OUT, default /tmp/xt-rbd-bench.XXXXXX). About 4-5 min
# for one round, 3.5 more per round.
#
# Usage: bench/rbd-vs-fio.sh
#   env: PORT=3551 (xtarget) TGT_PORT=3552 TGT_CONTROL_PORT=98 CEPH_PORT= (monitor; default a
#        free one from 40000) RUNTIME=20 WARMUP=5 TOTAL=512M SEQ_TOTAL=8G SEQ_QD=8 WORKERS=16
#        TGT_RBD_CACHE=false ORDER="xtarget tgt" ROUNDS=1 OUT=dir
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/fio-common.sh"
PORT=${PORT:-3551}
TGT_PORT=${TGT_PORT:-3552}
TGT_CTL=${TGT_CONTROL_PORT:-98}
CEPH_PORT=${CEPH_PORT:-}
RUNTIME=${RUNTIME:-20}
WARMUP=${WARMUP:-5}
TOTAL=${TOTAL:-512M}
SEQ_TOTAL=${SEQ_TOTAL:-8G}
SEQ_QD=${SEQ_QD:-8}
WORKERS=${WORKERS:-16}
TGT_RBD_CACHE=${TGT_RBD_CACHE:-false}
ORDER=${ORDER:-xtarget tgt}
ROUNDS=${ROUNDS:-1}
ROUND=1
OUT=${OUT:-$(mktemp -d /tmp/xt-rbd-bench.XXXXXX)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
IQN=iqn.2026-11.io.xtarget:rbd-bench
TGT_IQN=iqn.2026-11.io.tgt:rbd-bench
IMAGE_SIZE=2G

[ "$(id -u)" = 0 ] || xt_die "run as root (Ceph daemons, tgtd, apt)"
case $TGT_RBD_CACHE in true | false) ;; *) xt_die "TGT_RBD_CACHE must be true or false" ;; esac
for t in $ORDER; do case $t in xtarget | tgt) ;; *) xt_die "ORDER: unknown target $t (xtarget, tgt)" ;; esac; done
case $ROUNDS in '' | *[!0-9]* | 0) xt_die "ROUNDS must be a positive number" ;; esac
if [ ! -e /usr/lib/tgt/backing-store/bs_rbd.so ] || ! command -v tgtd >/dev/null; then
    echo "# installing tgt and tgt-rbd ..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tgt tgt-rbd >/dev/null \
        || xt_die "apt-get install tgt tgt-rbd failed"
fi
xt_need rbd ceph-mon iscsi-ls tgtd tgtadm python3 ss numfmt
xt_port_free "$PORT" || xt_die "port $PORT busy (set PORT)"
xt_port_free "$TGT_PORT" || xt_die "port $TGT_PORT busy (set TGT_PORT)"
if tgtadm -C "$TGT_CTL" --op show --mode system >/dev/null 2>&1; then
    xt_die "a tgtd already answers on control port $TGT_CTL (set TGT_CONTROL_PORT)"
fi
xt_ensure_fio
"$here/xtarget" --version >/dev/null # builds target/xtarget.jar when sources changed

ceph_dir="$OUT/ceph"
XT_PID=""
tgt_pid=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    set +e
    if [ -n "$XT_PID" ]; then
        kill "$XT_PID" 2>/dev/null
        wait "$XT_PID" 2>/dev/null
    fi
    [ -n "$tgt_pid" ] && xt_stop_tgtd "$tgt_pid" "$TGT_CTL"
    bash "$here/tools/ceph-test-cluster.sh" stop "$ceph_dir" >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM
echo "# results and logs: $OUT" >&2
say() { echo "$*" | tee -a "$OUT/summary.txt"; }
say "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); target order: $ORDER; rounds: $ROUNDS"

# shellcheck disable=SC2086 # CEPH_PORT: none or one word
bash "$here/tools/ceph-test-cluster.sh" start "$ceph_dir" $CEPH_PORT >"$OUT/ceph-start.log" 2>&1 \
    || xt_die "the Ceph cluster did not start (see $OUT/ceph-start.log, $ceph_dir/log)"
conf="$ceph_dir/ceph.conf"
rbd -c "$conf" create rbd/bench --size "$IMAGE_SIZE"
hz=$(getconf CLK_TCK)
osd_pid=$(cat "$ceph_dir"/run/osd.*.pid)
# results.tsv: system pattern iops mib_s target_us_per_io osd_us_per_io
printf 'system\tpattern\tiops\tmib_s\tproc_us\tosd_us\n' >"$OUT/results.tsv"

# rbd bench: PATTERN (4k-randwrite ...) for both cache settings
rbd_bench() {
    local cache=$1 pattern=$2 io=$3 size=$4 threads=$5 total=$6 kind=$7
    local log="$OUT/rbd-bench-$pattern-cache-$cache.log" o0 o1 total_bytes size_bytes
    o0=$(xt_cpu_ticks "$osd_pid")
    /usr/bin/time -f "%U %S" -o "$log.time" rbd -c "$conf" --rbd_cache="$cache" bench rbd/bench \
        --io-type "$io" --io-size "$size" --io-threads "$threads" --io-total "$total" --io-pattern "$kind" \
        >"$log" 2>&1 || xt_die "rbd bench $pattern (rbd_cache=$cache) failed (see $log)"
    o1=$(xt_cpu_ticks "$osd_pid")
    total_bytes=$(numfmt --from=iec "$total")
    size_bytes=$(numfmt --from=iec "$size")
    python3 - "$log" "rbd-bench-cache-$cache" "$pattern" $((total_bytes / size_bytes)) "$size_bytes" \
        $((o1 - o0)) "$hz" "$OUT/results.tsv" <<'PY' | tee -a "$OUT/summary.txt"
import re, sys
log, system, pattern, ios, size, osd, hz, tsv = sys.argv[1:]
ios, size, osd, hz = int(ios), int(size), int(osd), int(hz)
last = [l for l in open(log) if "ops/sec" in l][-1]
iops = float(re.search(r"ops/sec:\s*([0-9.]+)", last).group(1))
user, sys_ = map(float, open(log + ".time").read().split()[-2:])
proc_us = (user + sys_) * 1e6 / ios
osd_us = osd / hz * 1e6 / ios
mib = iops * size / 2**20
print(f"{system} {pattern}: {iops:.0f} IOPS, {mib:.1f} MiB/s; CPU per I/O: rbd bench {proc_us:.0f} us, OSD {osd_us:.0f} us")
open(tsv, "a").write(f"{system}\t{pattern}\t{iops:.1f}\t{mib:.2f}\t{proc_us:.1f}\t{osd_us:.1f}\n")
PY
}

for cache in true false; do
    say "== rbd bench (librbd alone, rbd_cache=$cache): 4K random, 32 threads, $TOTAL; 1M sequential, $SEQ_QD threads, $SEQ_TOTAL"
    rbd_bench "$cache" 4k-randwrite write 4K 32 "$TOTAL" rand
    rbd_bench "$cache" 4k-randread read 4K 32 "$TOTAL" rand
    rbd_bench "$cache" 1m-seqwrite write 1M "$SEQ_QD" "$SEQ_TOTAL" seq
    rbd_bench "$cache" 1m-seqread read 1M "$SEQ_QD" "$SEQ_TOTAL" seq
done

# fio_one SYSTEM PID URL PATTERN RW BS QD SECONDS [warmup]
fio_one() {
    local system=$1 pid=$2 url=$3 pattern=$4 rw=$5 bs=$6 qd=$7 secs=$8 warm=${9:-}
    local x0 x1 o0 o1 json="$OUT/fio-$system-$pattern${warm:+-warmup}-r$ROUND.json"
    x0=$(xt_cpu_ticks "$pid"); o0=$(xt_cpu_ticks "$osd_pid")
    "$FIO" --name="$pattern" --ioengine=libiscsi --initiator=iqn.2026-11.io.xtarget.bench:fio \
        --filename="$(xt_fio_filename "$url")" --size=2g --rw="$rw" --bs="$bs" --iodepth="$qd" \
        --time_based=1 --runtime="$secs" --norandommap=1 --output-format=json >"$json" 2>"${json%.json}.log" \
        || xt_die "fio $pattern on $system failed (see ${json%.json}.log)"
    x1=$(xt_cpu_ticks "$pid"); o1=$(xt_cpu_ticks "$osd_pid")
    [ -z "$warm" ] || return 0
    python3 - "$json" "$system" "$pattern" $((x1 - x0)) $((o1 - o0)) "$hz" "$OUT/results.tsv" <<'PY' | tee -a "$OUT/summary.txt"
import json, sys
path, system, pattern, proc, osd, hz, tsv = sys.argv[1:]
proc, osd, hz = int(proc), int(osd), int(hz)
text = open(path).read()
j = json.loads(text[text.index("{"):])["jobs"][0]  # fio may print a note before the JSON
d = j["write" if "write" in pattern else "read"]
ios = d["total_ios"] or 1
fio_cpu = (j["usr_cpu"] + j["sys_cpu"]) / 100 * j["job_runtime"] / 1000  # seconds
proc_us, osd_us = proc / hz * 1e6 / ios, osd / hz * 1e6 / ios
print(f"fio {system} {pattern}: {d['iops']:.0f} IOPS, {d['bw'] / 1024:.1f} MiB/s, mean latency {d['lat_ns']['mean'] / 1000:.0f} us;"
      f" CPU per I/O: {system} (librbd included) {proc_us:.0f} us, OSD {osd_us:.0f} us, fio {fio_cpu * 1e6 / ios:.0f} us")
open(tsv, "a").write(f"{system}\t{pattern}\t{d['iops']:.1f}\t{d['bw'] / 1024:.2f}\t{proc_us:.1f}\t{osd_us:.1f}\n")
PY
}

fio_all() {
    local system=$1 pid=$2 url=$3
    fio_one "$system" "$pid" "$url" 4k-randrw randrw 4k 32 "$WARMUP" warmup
    fio_one "$system" "$pid" "$url" 4k-randwrite randwrite 4k 32 "$RUNTIME"
    fio_one "$system" "$pid" "$url" 4k-randread randread 4k 32 "$RUNTIME"
    fio_one "$system" "$pid" "$url" 1m-seqwrite write 1m "$SEQ_QD" "$RUNTIME"
    fio_one "$system" "$pid" "$url" 1m-seqread read 1m "$SEQ_QD" "$RUNTIME"
}

run_xtarget() {
    cat >"$OUT/xtarget.json" <<EOF
{"backstores": [{"name": "bench", "type": "rbd", "pool": "rbd", "image": "bench", "blockSize": 512,
                 "cephConf": "$conf"}],
 "targets": [{"name": "$IQN", "portals": ["127.0.0.1:$PORT"], "luns": [{"lun": 0, "backstore": "bench"}]}],
 "limits": {"workerThreads": $WORKERS}}
EOF
    xt_start_xtarget "$here" "$OUT/xtarget.json" "$OUT/xtarget.log"
    xt_wait_port "$PORT"
    for _ in $(seq 1 100); do iscsi-ls "iscsi://127.0.0.1:$PORT" >/dev/null 2>&1 && break; sleep 0.2; done
    say "== fio libiscsi through xtarget on the RBD LU ($WORKERS worker threads): 4K random QD32, 1M sequential QD$SEQ_QD, ${RUNTIME} s each"
    fio_all xtarget "$XT_PID" "iscsi://127.0.0.1:$PORT/$IQN/0"
    kill "$XT_PID"
    wait "$XT_PID" 2>/dev/null || true
    XT_PID=""
}

run_tgt() {
    local tgt_conf=$conf tgt_cache
    if [ "$TGT_RBD_CACHE" = false ]; then
        tgt_conf="$OUT/tgt-ceph.conf"
        { cat "$conf"; printf '[client]\nrbd cache = false\n'; } >"$tgt_conf"
    fi
    tgtd -C "$TGT_CTL" --iscsi portal="127.0.0.1:$TGT_PORT" -f >"$OUT/tgtd.log" 2>&1 &
    tgt_pid=$!
    xt_wait_port "$TGT_PORT"
    kill -0 "$tgt_pid" 2>/dev/null || xt_die "tgtd exited (see $OUT/tgtd.log)"
    tgtadm -C "$TGT_CTL" --lld iscsi --op new --mode target --tid 1 -T "$TGT_IQN"
    tgtadm -C "$TGT_CTL" --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 --bstype rbd \
        --backing-store rbd/bench --bsopts "conf=$tgt_conf" \
        || xt_die "tgt could not open rbd/bench (see $OUT/tgtd.log)"
    tgtadm -C "$TGT_CTL" --lld iscsi --op bind --mode target --tid 1 -I ALL
    tgtadm -C "$TGT_CTL" --lld iscsi --op show --mode target >"$OUT/tgt-show.txt"
    # librbd in tgtd answers on the admin socket ceph.conf names ($name = client.admin)
    tgt_cache=$(ceph --admin-daemon "$ceph_dir/run/client.admin.asok" config get rbd_cache 2>/dev/null \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["rbd_cache"])' 2>/dev/null || echo "unknown")
    say "== fio libiscsi through tgt $(dpkg-query -W -f='${Version}' tgt-rbd 2>/dev/null) --bstype rbd (tgtd's default I/O threads; rbd_cache in tgtd's librbd: $tgt_cache): same patterns"
    fio_all tgt "$tgt_pid" "iscsi://127.0.0.1:$TGT_PORT/$TGT_IQN/1"
    xt_stop_tgtd "$tgt_pid" "$TGT_CTL" || true
    tgt_pid=""
}

# one target after the other on the same image, never both at once; even rounds reversed
reversed=$(echo "$ORDER" | tr ' ' '\n' | tac | tr '\n' ' ')
for ROUND in $(seq 1 "$ROUNDS"); do
    order=$ORDER
    [ $((ROUND % 2)) -eq 0 ] && order=$reversed
    [ "$ROUNDS" -gt 1 ] && say "== round $ROUND of $ROUNDS: $order"
    for target in $order; do
        "run_$target"
    done
done

say "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$OUT/results.tsv" <<'PY' | tee -a "$OUT/summary.txt"
import csv, statistics, sys
rows = {}
for r in csv.DictReader(open(sys.argv[1]), delimiter="\t"):
    rows.setdefault((r["system"], r["pattern"]), []).append(r)
pats = [("4k-randwrite", "4K rand write QD32"), ("4k-randread", "4K rand read QD32"),
        ("1m-seqwrite", "1M seq write"), ("1m-seqread", "1M seq read")]
def v(s, p, k):  # the median over the rounds
    r = rows.get((s, p))
    return statistics.median(float(x[k]) for x in r) if r else float("nan")
rounds = max((len(r) for (s, _), r in rows.items() if s in ("xtarget", "tgt")), default=0)
print()
if rounds > 1:
    print(f"medians of {rounds} rounds")
print("| pattern | rbd bench cache=true IOPS | rbd bench cache=false IOPS | xtarget IOPS | tgt IOPS "
      "| xtarget/tgt | xtarget/rbd bench (cache=false) | CPU us/IO xtarget | CPU us/IO tgtd | OSD us/IO xt / tgt |")
print("|---|---|---|---|---|---|---|---|---|---|")
for p, label in pats:
    rt, rf = v("rbd-bench-cache-true", p, "iops"), v("rbd-bench-cache-false", p, "iops")
    x, t = v("xtarget", p, "iops"), v("tgt", p, "iops")
    print(f"| {label} | {rt:.0f} | {rf:.0f} | {x:.0f} | {t:.0f} | {x / t:.2f} | {x / rf:.2f} "
          f"| {v('xtarget', p, 'proc_us'):.0f} | {v('tgt', p, 'proc_us'):.0f} "
          f"| {v('xtarget', p, 'osd_us'):.0f} / {v('tgt', p, 'osd_us'):.0f} |")
PY
echo "raw output: $OUT"
