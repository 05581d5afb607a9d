#!/usr/bin/env bash
# A first number for the rbd backstore: librbd on its own (`rbd bench`, 4K, 32 threads) against
# fio's libiscsi engine through xtarget on an RBD LU of the same image (4K, QD32), on a
# throw-away single-node Ceph cluster (tools/ceph-test-cluster.sh: memstore, 127.0.0.1), so both
# measure the same cluster. Write then read, random; each run bounded (--io-total, --runtime).
# Not part of CI. Run as root (Ceph daemons, fio build); about 2 minutes.
#
# Usage: bench/rbd-vs-fio.sh   (env: PORT=3551 RUNTIME=20 TOTAL=512M WORKERS=16 OUT=dir)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/fio-common.sh"
PORT=${PORT:-3551}
RUNTIME=${RUNTIME:-20}
TOTAL=${TOTAL:-512M}
WORKERS=${WORKERS:-16}
OUT=${OUT:-$(mktemp -d /tmp/xt-rbd-bench.XXXXXX)}
IQN=iqn.2026-11.io.xtarget:rbd-bench
xt_need rbd ceph-mon iscsi-ls
xt_ensure_fio
ceph_dir="$OUT/ceph"
xt_pid=""
cleanup() {
    if [ -n "$xt_pid" ]; then
        kill "$xt_pid" 2>/dev/null || true
        wait "$xt_pid" 2>/dev/null || true
    fi
    bash "$here/tools/ceph-test-cluster.sh" stop "$ceph_dir" >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM
bash "$here/tools/ceph-test-cluster.sh" start "$ceph_dir" >"$OUT/ceph-start.log" 2>&1
conf="$ceph_dir/ceph.conf"
rbd -c "$conf" create rbd/bench --size 2G
hz=$(getconf CLK_TCK)
osd_pid=$(cat "$ceph_dir"/run/osd.*.pid)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# per_io NAME TICKS IOS: CPU microseconds per I/O
per_io() { awk -v n="$1" -v t="$2" -v i="$3" -v hz="$hz" 'BEGIN { printf "%s %.0f us", n, t / hz * 1e6 / i }'; }
total_bytes=$(numfmt --from=iec "$TOTAL")

# rbd bench twice: with librbd's default cache (writeback after the first flush), and with
# rbd_cache=false, which is what xtarget runs with (a gateway must not hold acknowledged writes in a
# cache another gateway cannot see): the second is the fair limit for xtarget.
for cache in true false; do
    echo "== rbd bench (librbd, no xtarget, rbd_cache=$cache): 4K, 32 threads, $TOTAL random" | tee -a "$OUT/summary.txt"
    for io in write read; do
        o0=$(ticks "$osd_pid")
        /usr/bin/time -f "%U %S" -o "$OUT/rbd-bench-$io.time" rbd -c "$conf" --rbd_cache="$cache" bench rbd/bench \
            --io-type "$io" --io-size 4K --io-threads 32 --io-total "$TOTAL" --io-pattern rand \
            >"$OUT/rbd-bench-$io-cache-$cache.log" 2>&1
        o1=$(ticks "$osd_pid")
        ios=$((total_bytes / 4096))
        client=$(awk -v hz="$hz" '{ print ($1 + $2) * hz }' "$OUT/rbd-bench-$io.time")
        echo "rbd bench $io: $(tail -1 "$OUT/rbd-bench-$io-cache-$cache.log"); CPU per I/O: $(per_io 'rbd bench' "$client" "$ios"), $(per_io OSD $((o1 - o0)) "$ios")" \
            | tee -a "$OUT/summary.txt"
    done
done

cat >"$OUT/xtarget.json" <<EOF
{"backstores": [{"name": "bench", "type": "rbd", "pool": "rbd", "image": "bench", "blockSize": 512,
                 "cephConf": "$conf"}],
 "targets": [{"name": "$IQN", "portals": ["127.0.0.1:$PORT"], "luns": [{"lun": 0, "backstore": "bench"}]}],
 "limits": {"workerThreads": $WORKERS}}
EOF
"$here/xtarget" serve --config "$OUT/xtarget.json" >"$OUT/xtarget.log" 2>&1 &
xt_pid=$!
for _ in $(seq 1 100); do iscsi-ls "iscsi://127.0.0.1:$PORT" >/dev/null 2>&1 && break; sleep 0.2; done
url="iscsi://127.0.0.1:$PORT/$IQN/0"
echo "== fio libiscsi through xtarget on the RBD LU: 4K, QD32, ${RUNTIME} s random, $WORKERS worker threads" \
    | tee -a "$OUT/summary.txt"
for rw in randwrite randread; do
    x0=$(ticks "$xt_pid"); o0=$(ticks "$osd_pid")
    "$FIO" --name="$rw" --ioengine=libiscsi --initiator=iqn.2026-11.io.xtarget.bench:fio \
        --filename="$(xt_fio_filename "$url")" --size=2g --rw="$rw" --bs=4k --iodepth=32 --time_based=1 \
        --runtime="$RUNTIME" --norandommap=1 --output-format=json >"$OUT/fio-$rw.json" 2>"$OUT/fio-$rw.log"
    x1=$(ticks "$xt_pid"); o1=$(ticks "$osd_pid")
    python3 - "$OUT/fio-$rw.json" "$rw" $((x1 - x0)) $((o1 - o0)) "$hz" <<'PY' | tee -a "$OUT/summary.txt"
import json, sys
text = open(sys.argv[1]).read()
j = json.loads(text[text.index("{"):])["jobs"][0]  # fio may print a note before the JSON
d = j["write" if "write" in sys.argv[2] else "read"]
ios = d["total_ios"] or 1
xt, osd, hz = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
fio_cpu = (j["usr_cpu"] + j["sys_cpu"]) / 100 * j["job_runtime"] / 1000  # seconds
print(f"fio {sys.argv[2]}: {d['iops']:.0f} IOPS, {d['bw'] / 1024:.1f} MiB/s, mean latency {d['lat_ns']['mean'] / 1000:.0f} us;"
      f" CPU per I/O: xtarget (librbd included) {xt / hz * 1e6 / ios:.0f} us, OSD {osd / hz * 1e6 / ios:.0f} us,"
      f" fio {fio_cpu * 1e6 / ios:.0f} us")
PY
done
echo "raw output: $OUT"
