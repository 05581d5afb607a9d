#!/usr/bin/env bash
# Soak of xtarget (not CI): many iSCSI sessions at high queue depth doing verified 4 KiB random
# I/O for DURATION, while the server's memory is watched. Exits 0 only when every check passes.
#
# Load: fio's libiscsi engine (built once from Debian's source package, see bench/fio-common.sh),
# one fio invocation with SESSIONS job sections per LU, each its own iSCSI session (own initiator
# name) at queue depth QD, on two LUs of one xtarget at the same time:
#   ram   xtarget "ram", 2 GiB          file  xtarget "file", 2 GiB image (sparse, page cache)
# Each session owns a disjoint slice of its LU (2 GiB / SESSIONS), so no session overwrites
# another's blocks, and does 4 KiB random read/write 50/50 (rw=randrw) in passes over its slice.
#
# Verification: fio verify=crc32c with verify_backlog: after every VERIFY_BACKLOG writes a session
# reads written blocks back and checks them (header magic, length, offset, the write's 16-bit
# sequence number, and the crc32c of the whole block), so wrong, misplaced, zeroed or stale data
# fails the session at once (verify_fatal). The 50 % random reads of the mix are load, not
# checked; the verify reads come on top of them. Writes still waiting for their read-back when
# time runs out are not checked: the summary shows the share that was (reads - writes, since the
# 50/50 mix counts only the workload's own I/Os). The jobs are not time_based (which would turn
# off the sequence number check): they loop over their slice until runtime=DURATION ends them.
# Before the soak, a canary runs the same verifying job for a few seconds against a "null" LU
# (writes discarded, reads zeros); it must fail verification, or the soak does not trust it.
#
# Memory: the server's VmRSS (/proc/PID/status) and Java heap (jcmd PID GC.heap_info) at start,
# after WARMUP seconds of load, every SAMPLE seconds, and at the end. Checks:
#   - fio: every session ran without error (errors = 0), no verification failure;
#   - RSS from the warm-up sample to the end stays within 10 % of the warm-up sample;
#   - RSS stays below the RAM LUs' size + 1 GiB (2 GiB + 1 GiB).
#
# Output: a summary on stdout; samples.tsv, fio job file and JSON output, server log in $OUT
# (default: a new /tmp/xt-soak.XXXXXX).
#
# Usage: bench/soak.sh
#   env: DURATION=300 WARMUP=(60, or DURATION/4 when DURATION < 240) SAMPLE=30 SESSIONS=32 QD=32
#        VERIFY_BACKLOG=1024 XT_PORT=3397 OUT=DIR FIO_DIR=/var/tmp/xt-fio
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$here/bench/fio-common.sh"

DURATION=${DURATION:-300}
if [ -z "${WARMUP:-}" ]; then
    if [ "$DURATION" -ge 240 ] 2>/dev/null; then WARMUP=60; else WARMUP=$((DURATION / 4)); fi
fi
SAMPLE=${SAMPLE:-30}
SESSIONS=${SESSIONS:-32}
QD=${QD:-32}
VERIFY_BACKLOG=${VERIFY_BACKLOG:-1024}
XT_PORT=${XT_PORT:-3397}
LU_MIB=2048
RAM_LU_MIB=$LU_MIB # the RAM LUs' total size, for the RSS ceiling
IQN=iqn.2026-11.io.xtarget:soak
CANARY_SECONDS=8

for v in DURATION SAMPLE SESSIONS QD VERIFY_BACKLOG; do
    [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || xt_die "$v must be a positive integer"
done
if ! [[ "$WARMUP" =~ ^[0-9]+$ ]] || [ "$WARMUP" -ge "$DURATION" ]; then
    xt_die "WARMUP must be a number of seconds below DURATION"
fi
[ $((LU_MIB % SESSIONS)) = 0 ] || xt_die "SESSIONS must divide $LU_MIB (MiB per LU)"
[ "$(id -u)" = 0 ] || xt_die "run as root (apt for building fio; memory of a root-owned server)"
xt_need python3 ss
xt_port_free "$XT_PORT" || xt_die "port $XT_PORT busy (set XT_PORT)"

xt_ensure_fio
. "$here/.ci/jdk.sh"
JCMD="$JAVA_HOME/bin/jcmd"
[ -x "$JCMD" ] || xt_die "$JCMD missing (the JDK 25 of .ci/jdk.sh has no jcmd)"
"$here/xtarget" --version >/dev/null # builds target/xtarget.jar when sources changed

if [ -n "${OUT:-}" ]; then
    mkdir -p "$OUT"
else
    OUT=$(mktemp -d /tmp/xt-soak.XXXXXX)
fi
OUT=$(cd "$OUT" && pwd)
img=$(mktemp -d /tmp/xt-soak-img.XXXXXX)
XT_PID=""
fio_pid=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
    set +e
    [ -n "$fio_pid" ] && kill "$fio_pid" 2>/dev/null && wait "$fio_pid" 2>/dev/null
    [ -n "$XT_PID" ] && kill "$XT_PID" 2>/dev/null && wait "$XT_PID" 2>/dev/null
    rm -rf "$img"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "# results and logs: $OUT" >&2
cat >"$img/xtarget.json" <<EOF
{
  "backstores": [
    {"name": "ram0", "type": "ram", "size": "${LU_MIB}M", "blockSize": 512},
    {"name": "file0", "type": "file", "path": "soak-file.img", "size": "${LU_MIB}M", "blockSize": 512},
    {"name": "canary", "type": "null", "size": "1G", "blockSize": 512}
  ],
  "targets": [
    {"name": "$IQN", "portals": ["127.0.0.1:$XT_PORT"],
     "luns": [{"lun": 0, "backstore": "ram0"}, {"lun": 1, "backstore": "file0"}, {"lun": 2, "backstore": "canary"}]}
  ]
}
EOF
cp "$img/xtarget.json" "$OUT/xtarget.json"
xt_start_xtarget "$here" "$img/xtarget.json" "$OUT/xtarget.log"
xt_wait_port "$XT_PORT"
kill -0 "$XT_PID" 2>/dev/null || xt_die "xtarget exited (see $OUT/xtarget.log)"
xt_cmdline=$(tr '\0' ' ' <"/proc/$XT_PID/cmdline")
CLK_TCK=$(getconf CLK_TCK)

# heap_mib -> "USED COMMITTED" in MiB from jcmd GC.heap_info (ZGC, G1, Parallel, Serial), or "? ?"
heap_mib() {
    "$JCMD" "$XT_PID" GC.heap_info 2>/dev/null | python3 -c '
import re, sys
text = sys.stdin.read()
unit = {"K": 1 / 1024, "M": 1, "G": 1024}
m = re.search(r"used (\d+)([KMG]), capacity (\d+)([KMG])", text)            # ZGC
if m:
    print(f"{int(m[1]) * unit[m[2]]:.0f} {int(m[3]) * unit[m[4]]:.0f}")
    sys.exit()
m = re.search(r"heap +total (?:reserved \d+K, committed )?(\d+)K, used (\d+)K", text)  # G1 and others
print(f"{int(m[2]) / 1024:.0f} {int(m[1]) / 1024:.0f}" if m else "? ?")'
}

samples="$OUT/samples.tsv"
printf 'seconds\tphase\trss_mib\theap_used_mib\theap_committed_mib\tserver_cpu_s\trss_anon_mib\trss_file_mib\trss_shmem_mib\n' >"$samples"
t0=$SECONDS
# sample PHASE: one line into samples.tsv and on stdout
sample() {
    kill -0 "$XT_PID" 2>/dev/null || xt_die "xtarget died (see $OUT/xtarget.log)"
    local rss heap cpu parts
    rss=$(xt_rss_kib "$XT_PID")
    heap=$(heap_mib)
    cpu=$(xt_cpu_ticks "$XT_PID")
    # VmRSS = RssAnon + RssFile + RssShmem: tells heap/off-heap memory from mapped files
    parts=$(awk '/^Rss(Anon|File|Shmem):/ {printf "%d\t", $2 / 1024}' "/proc/$XT_PID/status")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' $((SECONDS - t0)) "$1" $((rss / 1024)) "${heap% *}" "${heap#* }" \
        "$(awk -v t="$cpu" -v c="$CLK_TCK" 'BEGIN {printf "%.1f", t / c}')" "${parts%$'\t'}" | tee -a "$samples" \
        | awk -F'\t' '{printf "%6s s  %-8s RSS %6s MiB (anon %s, file %s, shmem %s)  heap used %5s / committed %5s MiB  server CPU %7s s\n", $1, $2, $3, $7, $8, $9, $4, $5, $6}'
}

# job_section NAME URL OFFSET_MIB -> one fio job section (one iSCSI session)
job_section() {
    echo "[$1]"
    echo "filename=$(xt_fio_filename "$2")"
    echo "initiator=iqn.2026-11.io.xtarget.soak:$1"
    echo "offset=${3}m"
}

slice=$((LU_MIB / SESSIONS))
global_opts() {
    local runtime=$1
    cat <<EOF
[global]
ioengine=libiscsi
rw=randrw
rwmixread=50
bs=4k
iodepth=$QD
size=${slice}m
loops=1000000
runtime=$runtime
randrepeat=0
verify=crc32c
verify_backlog=$VERIFY_BACKLOG
verify_fatal=1
verify_state_save=0
EOF
}

echo "# start (no I/O yet)" >&2
sample start

echo "# canary: the verifying job on the null LU (writes discarded) must fail verification" >&2
{
    global_opts "$CANARY_SECONDS"
    job_section canary "iscsi://127.0.0.1:$XT_PORT/$IQN/2" 0
} >"$OUT/canary.fio"
canary_rc=0
(cd "$OUT" && timeout $((CANARY_SECONDS + 60)) "$FIO" --output-format=json --output="$OUT/canary.json" canary.fio \
    >"$OUT/canary.log" 2>&1) || canary_rc=$?
canary_msg=$(grep -m1 -E 'verify: bad|verify type mismatch|crc32c: verify failed' "$OUT/canary.log" || true)
if [ "$canary_rc" = 0 ] || [ -z "$canary_msg" ]; then
    xt_die "canary: fio's verification did not catch a LU that discards writes (fio status $canary_rc, see $OUT/canary.log); refusing to trust it"
fi
echo "# canary caught it: $canary_msg" >&2

{
    global_opts "$DURATION"
    for ((i = 0; i < SESSIONS; i++)); do
        job_section "$(printf 'ram-%02d' "$i")" "iscsi://127.0.0.1:$XT_PORT/$IQN/0" $((i * slice))
    done
    for ((i = 0; i < SESSIONS; i++)); do
        job_section "$(printf 'file-%02d' "$i")" "iscsi://127.0.0.1:$XT_PORT/$IQN/1" $((i * slice))
    done
} >"$OUT/soak.fio"

echo "# soak: $((2 * SESSIONS)) sessions ($SESSIONS per LU) x QD$QD for $DURATION s; warm-up $WARMUP s, samples every $SAMPLE s" >&2
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
fio_start=$SECONDS
(cd "$OUT" && exec timeout $((DURATION + 300)) "$FIO" --output-format=json --output="$OUT/soak.json" soak.fio \
    >"$OUT/soak.log" 2>&1) &
fio_pid=$!
next=$WARMUP
phase=warm-up
while kill -0 "$fio_pid" 2>/dev/null; do
    if [ $((SECONDS - fio_start)) -ge "$next" ] && [ "$next" -lt "$DURATION" ]; then
        sample "$phase"
        phase=run
        next=$((next + SAMPLE))
    fi
    sleep 1
done
fio_rc=0
wait "$fio_pid" || fio_rc=$?
fio_pid=""
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
sample end
if ! grep -qP '\twarm-up\t' "$samples"; then
    xt_die "fio ended after $((SECONDS - fio_start)) s, before the warm-up sample (status $fio_rc, see $OUT/soak.log)"
fi

echo
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1); load average $load_start at start, $load_end at end"
echo "$("$FIO" --version) (libiscsi engine); xtarget: $xt_cmdline"
python3 - "$OUT/soak.json" "$samples" "$fio_rc" "$RAM_LU_MIB" "$canary_msg" "$OUT/soak.log" "$OUT/xtarget.log" \
    "$SESSIONS" "$QD" "$DURATION" "$VERIFY_BACKLOG" <<'EOF'
import csv, json, re, sys
(fio_json, samples, fio_rc, ram_mib, canary, fio_log, xt_log,
 sessions, qd, duration, backlog) = sys.argv[1:]
fio_rc, ram_mib = int(fio_rc), int(ram_mib)
print(f"load: {2 * int(sessions)} iSCSI sessions ({sessions} per LU) x QD{qd}, 4 KiB random read/write 50/50, "
      f"{duration} s; verify=crc32c, read-back every {backlog} writes per session")
print()
ok = True
def check(cond, what):
    global ok
    ok &= bool(cond)
    print(f"  {'OK  ' if cond else 'FAIL'}  {what}")

try:
    text = open(fio_json).read()
    doc, _ = json.JSONDecoder().raw_decode(text[text.index("{"):])
    jobs = doc["jobs"]
except (OSError, ValueError, KeyError) as e:
    jobs = []
    print(f"no fio result: {e}")
print(f"{'LU':<5} {'sessions':>8} {'reads':>10} {'writes':>10} {'~verified':>10} {'IOPS':>8} {'MiB/s':>7} {'errors':>6}")
total_err = 0
verified = []
for lu in ("ram", "file"):
    js = [j for j in jobs if j["jobname"].startswith(lu + "-")]
    if not js:
        continue
    r = sum(j["read"]["total_ios"] for j in js)
    w = sum(j["write"]["total_ios"] for j in js)
    b = sum(j["read"]["io_bytes"] + j["write"]["io_bytes"] for j in js)
    secs = max(max(j["read"]["runtime"], j["write"]["runtime"]) for j in js) / 1000 or 1
    err = sum(1 for j in js if j["error"])
    total_err += err
    # the 50/50 mix counts only the workload's own I/Os, so reads beyond the writes are verify reads
    v = max(r - w, 0)
    verified.append((lu, v, w))
    print(f"{lu:<5} {len(js):>8} {r:>10} {w:>10} {v:>10} {(r + w) / secs:>8.0f} {b / secs / 1048576:>7.1f} {err:>6}")
verify_lines = [l.strip() for l in open(fio_log, errors="replace") if re.search(r"verify: |verify failed|bad (magic|header)", l)]
xt_errors = [l.strip() for l in open(xt_log, errors="replace") if re.search(r"\b(ERROR|Exception)\b", l)]

rows = list(csv.DictReader(open(samples), delimiter="\t"))
def num(x):
    try:
        return float(x)
    except ValueError:
        return None
warm = next(r for r in rows if r["phase"] == "warm-up")
after = rows[rows.index(warm):]
base = float(warm["rss_mib"])
lo = min(float(r["rss_mib"]) for r in after)
hi = max(float(r["rss_mib"]) for r in after)
peak = max(float(r["rss_mib"]) for r in rows)
limit = ram_mib + 1024
heaps = [num(r["heap_committed_mib"]) for r in after if num(r["heap_committed_mib"]) is not None]

print()
print("checks:")
check(len(jobs) == 2 * int(sessions), f"all {2 * int(sessions)} sessions reported ({len(jobs)})")
check(fio_rc == 0 and total_err == 0, f"fio errors: {total_err} sessions failed, fio exit status {fio_rc}")
check(not verify_lines, "data verification: " + ("no bad block" if not verify_lines else f"{len(verify_lines)} problem(s), first: {verify_lines[0]}"))
for lu, v, w in verified:
    print(f"  info  {lu}: about {v} of {w} writes read back and checked ({100 * v / max(w, 1):.0f} %); "
          "the others were still queued for read-back when time ran out")
print(f"  OK    verification canary on a null LU caught: {canary}")
check(lo >= 0.9 * base and hi <= 1.1 * base,
      f"RSS after warm-up flat within 10 %: {base:.0f} MiB at warm-up, then {lo:.0f}..{hi:.0f} MiB "
      f"({(lo / base - 1) * 100:+.1f} % .. {(hi / base - 1) * 100:+.1f} %)")
check(peak < limit, f"RSS peak {peak:.0f} MiB < {limit} MiB (RAM LUs {ram_mib} MiB + 1 GiB)")
if heaps:
    print(f"  info  Java heap committed after warm-up: {min(heaps):.0f}..{max(heaps):.0f} MiB")
print(f"  info  server log: {len(xt_errors)} ERROR/exception line(s)" + (f", first: {xt_errors[0][:160]}" if xt_errors else ""))
print()
print("result:", "PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
EOF
