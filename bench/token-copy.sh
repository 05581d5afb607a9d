#!/usr/bin/env bash
# Token copy benchmark: a 1 GiB copy by ROD token (POPULATE TOKEN + WRITE USING TOKEN, through
# `xtarget xcopy --odx`) beside the same copy by one EXTENDED COPY (`xtarget xcopy`) and a host-side
# copy (READ + WRITE over iSCSI), ram->ram and file->file, against one xtarget on 127.0.0.1.
#
# The host copy and the filling of the sources are io.xtarget.bench.CopyOffloadBench's (see
# bench/copy-offload.sh; 1 MiB I/Os at QD8 over one session, its own EXTENDED COPY is not used
# here). The two offloads are timed by the client itself ("copied N bytes in S s"): from the first
# command of the copy to the last status, after login and probing, over one session per target.
# They alternate, REPS times each, and the table gives medians.
#
# Usage: bench/token-copy.sh      (env: SIZE_MIB=1024 REPS=5 HOST_REPS=3 XT_PORT=3394 KEEP_LOG=)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SIZE_MIB=${SIZE_MIB:-1024}
REPS=${REPS:-5}
HOST_REPS=${HOST_REPS:-3}
XT_PORT=${XT_PORT:-3394}
IQN=iqn.2026-11.io.xtarget:tokenbench

. "$here/.ci/jdk.sh"
"$here/xtarget" --version >/dev/null # builds target/xtarget.jar when sources changed
jar="$here/target/xtarget.jar"

work=$(mktemp -d /tmp/xt-token.XXXXXX)
xt_pid=""
cleanup() {
    set +e
    [ -n "$xt_pid" ] && kill "$xt_pid" 2>/dev/null && wait "$xt_pid" 2>/dev/null
    [ -n "${KEEP_LOG:-}" ] && cp "$work/xtarget.log" "$KEEP_LOG"
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

if ss -ltn "( sport = :$XT_PORT )" | grep -q LISTEN; then
    echo "port $XT_PORT busy (set XT_PORT)" >&2; exit 1
fi
mkdir -p "$work/classes"
javac -d "$work/classes" -cp "$jar" "$here/src/test/java/io/xtarget/bench/CopyOffloadBench.java"

bs() { echo "{\"name\": \"$1\", \"type\": \"$2\", ${3:+\"path\": \"$3\", }\"size\": \"${SIZE_MIB}M\", \"blockSize\": 512}"; }
cat >"$work/xtarget.json" <<JSON
{"backstores": [$(bs ram0 ram), $(bs ram1 ram), $(bs file0 file file0.img), $(bs file1 file file1.img)],
 "targets": [{"name": "$IQN", "portals": ["127.0.0.1:$XT_PORT"],
   "luns": [{"lun": 0, "backstore": "ram0"}, {"lun": 1, "backstore": "ram1"},
            {"lun": 2, "backstore": "file0"}, {"lun": 3, "backstore": "file1"}]}]}
JSON
(cd "$work" && exec "$here/xtarget" serve --config "$work/xtarget.json" >"$work/xtarget.log" 2>&1) &
xt_pid=$!
for _ in $(seq 1 150); do
    ss -ltn "( sport = :$XT_PORT )" | grep -q LISTEN && break
    kill -0 "$xt_pid" 2>/dev/null || { cat "$work/xtarget.log" >&2; exit 1; }
    sleep 0.2
done

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/ {print $2}') GiB RAM; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "files: $(findmnt -no FSTYPE -T "$work") ($work)"
# Fills both sources and measures the host copy of both pairs.
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$work/classes:$jar" io.xtarget.bench.CopyOffloadBench \
    --portal "127.0.0.1:$XT_PORT" --target "$IQN" --size $((SIZE_MIB << 20)) --reps 1 --host-reps "$HOST_REPS" \
    --pair "ram->ram,0,1,none" --pair "file->file,2,3,none" >"$work/host.out" 2>&1 \
    || { cat "$work/host.out" >&2; exit 1; }

url() { echo "iscsi://127.0.0.1:$XT_PORT/$IQN/$1"; }
# ms LINE: milliseconds from "copied N bytes in S s (R MiB/s)"
ms() { sed -n 's/^copied [0-9]* bytes in \([0-9.]*\) s .*/\1/p' | awk '{printf "%.1f", $1 * 1000}'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
mibs() { awk -v ms="$1" -v mib="$SIZE_MIB" 'BEGIN {printf "%.0f", mib / (ms / 1000)}'; }
blocks=$((SIZE_MIB * 2048))
rows=()
for pair in "ram->ram 0 1" "file->file 2 3"; do
    read -r name src dst <<<"$pair"
    odx="" xc=""
    "$here/xtarget" xcopy --odx -q --blocks $blocks "$(url $src)" "$(url $dst)" >/dev/null # warm-up
    for r in $(seq 1 "$REPS"); do
        o=$("$here/xtarget" xcopy --odx -q --blocks $blocks "$(url $src)" "$(url $dst)" | ms)
        x=$("$here/xtarget" xcopy -q --blocks $blocks "$(url $src)" "$(url $dst)" | ms)
        echo "# $name run $r: token $o ms, xcopy $x ms"
        odx="$odx $o" xc="$xc $x"
    done
    mo=$(echo "$odx" | median) mx=$(echo "$xc" | median)
    hosts=$(grep "# $name host copy" "$work/host.out" | sed -n 's/.*: \([0-9.]*\) ms.*/\1/p' | tr '\n' ' ')
    echo "# $name host copy runs: $hosts ms"
    host_ms=$(echo "$hosts" | median)
    rows+=("$(printf '%-11s | %9s (%6s)     | %9s (%6s)       | %9s (%6s)     | %11.2f   | %.1fx' "$name" "$mo" \
        "$(mibs "$mo")" "$mx" "$(mibs "$mx")" "$host_ms" "$(mibs "$host_ms")" \
        "$(awk -v a="$mo" -v b="$mx" 'BEGIN {print a / b}')" "$(awk -v a="$host_ms" -v b="$mo" 'BEGIN {print a / b}')")")
done
printf '\n%-11s | %-22s | %-22s | %-22s | %-13s | %s\n' pair "token copy ms (MiB/s)" "EXTENDED COPY ms (MiB/s)" \
    "host copy ms (MiB/s)" "token÷xcopy" "host÷token"
echo "-------------------------------------------------------------------------------------------------------------------"
printf '%s\n' "${rows[@]}"
echo
copies=$((2 * (REPS + 1)))
echo "per token copy of $SIZE_MIB MiB: $(($(grep -c 'POPULATE TOKEN' "$work/xtarget.log") / copies)) POPULATE TOKEN and" \
    "$(($(grep -c 'WRITE USING TOKEN' "$work/xtarget.log") / copies)) WRITE USING TOKEN (server log, $copies copies)"
grep 'WRITE USING TOKEN' "$work/xtarget.log" | tail -n 2 | sed -E 's/^.*WRITE USING TOKEN/  last: WRITE USING TOKEN/' >&2
